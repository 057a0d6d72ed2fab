"""The ``signals:`` schema: strict validation with file, line, signal and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.scoring import SignalSpecError, load_signal_specs


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_top_level_keys_are_ignored(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "id: x\nversion: 3\ncriteria: [{id: a}]\ncategories: {}\n"
        "signals:\n  hi:\n    speaker: agent\n    description: d\n"
        "    patterns: ['\\bhi\\b']\n    threshold: 0.5\n",
    )
    assert list(load_signal_specs(path)) == ["hi"]


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
"""


def test_bad_specs_name_file_line_signal_and_field(tmp_path: Path) -> None:
    with pytest.raises(SignalSpecError) as caught:
        load_signal_specs(write(tmp_path, BAD))
    problems = caught.value.problems
    assert "rubric.yaml:13: signals.ok: defined twice (first at line 8)" in problems
    assert any(
        p.startswith("rubric.yaml:3: signals.bad.speaker:") and "'bot'" in p for p in problems
    )
    assert any(
        p.startswith("rubric.yaml:5: signals.bad.patterns.1: not a valid regex") and "(sorry" in p
        for p in problems
    )
    assert "rubric.yaml:6: signals.bad.examples.0: must not be blank" in problems
    assert any(
        "signals.bad.treshold: unknown field. Did you mean `threshold`?" in p for p in problems
    )
    assert any(
        p.startswith("rubric.yaml:2: signals.bad.threshold: Field required") for p in problems
    )
    assert any("signals.ok: needs at least one of `patterns` or `examples`" in p for p in problems)
    assert str(caught.value).startswith("invalid signal specs:")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id: x\n", "needs a top-level `signals:` mapping"),
        ("signals: [a, b]\n", "needs a top-level `signals:` mapping"),
        ("signals: {a: 3}\n", "signals.a: must be a mapping of fields"),
        ("signals: {Bad-Name: {}}\n", "name must match"),
        ("signals: {a: [\n", "not valid YAML"),
    ],
)
def test_malformed_files(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SignalSpecError, match=message):
        load_signal_specs(write(tmp_path, text))
