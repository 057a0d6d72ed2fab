"""The ``signals:`` schema, as the rubric loader reports it: file, line, signal and field."""

from __future__ import annotations

import pytest

from trainer.rubric.model import RubricError, parse_rubric

TAIL = (
    "categories: {protocol: {}}\n"
    "criteria:\n"
    "  - {id: c, category: protocol, description: d, feedback: {pass: p, fail: f},\n"
    "     requires: {signal: ok}}\n"
)

BAD = """\
signals:
  bad:
    speaker: bot
    description: d
    patterns: ['fine', '(sorry']
    examples: ['  ']
    treshold: 1.5
  ok:
    speaker: agent
    description: d
    patterns: [x]
    threshold: 2
  ok:
    speaker: customer
    description: no way to fire
    threshold: 0.4
  Bad-Name: {speaker: agent, description: d, patterns: [x], threshold: 0.5}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(RubricError) as caught:
        parse_rubric(text, "rubric.yaml")
    return [str(p) for p in caught.value.problems]


def test_bad_specs_name_file_line_signal_and_field() -> None:
    found = problems(BAD + TAIL)
    assert "rubric.yaml:13: signals.ok: given twice (first at line 8)" in found
    assert "rubric.yaml:3: signals.bad.speaker: must be one of agent, customer (got 'bot')" in found
    assert any(
        p.startswith("rubric.yaml:5: signals.bad.patterns[1]: not a valid regex") and "(sorry" in p
        for p in found
    )
    assert "rubric.yaml:6: signals.bad.examples[0]: must not be blank" in found
    assert any(
        p.startswith(
            "rubric.yaml:7: signals.bad.treshold: unknown field 'treshold'."
            " Did you mean: threshold?"
        )
        for p in found
    )
    assert "rubric.yaml:2: signals.bad.threshold: required field is missing" in found
    assert any("signals.ok: needs at least one of `patterns` or `examples`" in p for p in found)
    assert any(
        p.startswith("rubric.yaml:17: signals.Bad-Name: a signal name is lower case") for p in found
    )
    # the second `ok` (a customer signal) is the one kept, so the criterion's reference is wrong
    assert any("requires.signal: 'ok' is a customer signal" in p for p in found)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id: x\n" + TAIL, "signals: required field is missing"),
        ("signals: [a, b]\n" + TAIL, "signals: must be a mapping"),
        ("signals: {a: 3}\n" + TAIL, "signals.a: must be a mapping"),
        ("signals: {a: [\n", "YAML"),
    ],
)
def test_malformed_signal_sections(text: str, message: str) -> None:
    assert any(message in p for p in problems(text)), problems(text)
