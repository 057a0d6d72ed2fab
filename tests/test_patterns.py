"""Trainer-written patterns: catastrophic shapes refused where they are written, every search
bounded in time, and the bundled patterns unchanged."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from trainer.patterns import MAX_PATTERN_CHARS, compile_pattern, pattern_problem
from trainer.personas.loading import check_persona
from trainer.rubric.model import RubricError, load_rubric, parse_rubric

ROOT = Path(__file__).resolve().parents[1]
VALID = (ROOT / "tests/personas/fixtures/personas_bad/valid.yaml").read_text(encoding="utf-8")

CATASTROPHIC = [
    r"(a+)+$",
    r"(a*)*b",
    r"(a|a)*$",
    r"(a|aa)+$",
    r"(a+){0,10}$",
    r"(\w+\s?)+$",
    r"(\s*\w+)+",
    r"(?:a+|b)+$",
    r"(x+x+)+y",
    r"(\d+|\w+)*!",
    r"(.*){1,30}x",
    r"(a|b|ab)*c",
]
SAFE = [
    r"\bsorry\b",
    r"\b(tell|give) me (your |the )?(\w+ ){0,4}again\b",
    r"(?:\W+\w+){0,5}",
    r"(\w+\s)+",
    r"(ab|a)+c",
    r"(ok|okay)+",
    r"((hey|look|ok|okay),? )*calm",
    r"(?>a+)+",
    r"a++",
    r"[ab]+",
    r"^(?!.*\bnot\b).*\bthanks\b",
]


def bundled_patterns() -> list[str]:
    """Every regex the project ships: rubric patterns and vetoes, persona ``asked_by``."""
    found = []
    for spec in load_rubric().signals.values():
        found += [*spec.patterns, *spec.vetoes]
    for path in sorted((ROOT / "personas").glob("*.yaml")):
        for fact in (yaml.safe_load(path.read_text("utf-8")).get("facts") or {}).values():
            found += fact.get("asked_by", []) if isinstance(fact, dict) else []
    return found


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_catastrophic_shapes_are_refused(pattern: str) -> None:
    assert "a repeat inside a repeat" in (pattern_problem(pattern) or "")


@pytest.mark.parametrize("pattern", SAFE)
def test_safe_shapes_pass(pattern: str) -> None:
    assert pattern_problem(pattern) is None


def test_too_long_or_invalid_patterns_are_refused() -> None:
    assert "at most 1000" in (pattern_problem("a" * (MAX_PATTERN_CHARS + 1)) or "")
    assert pattern_problem("a" * MAX_PATTERN_CHARS) is None
    with pytest.raises(re.error):
        pattern_problem("(sorry")
    assert pattern_problem("(" * 21 + "a" + ")" * 21) == "groups nested more than 20 deep"
    assert pattern_problem(r"\(" * 30 + "[(((]" * 30) is None  # escaped, or in a class
    deep = "(" * 499 + "a" + ")" * 499  # re.compile would end in RecursionError
    persona, problems = check_persona(
        VALID.replace("  order number: TC-1", f"  order: {{value: TC-1, asked_by: ['{deep}']}}")
    )
    assert persona is None and "groups nested more than 20 deep" in problems[0].message


def test_every_bundled_pattern_passes_and_matches_as_re_does() -> None:
    patterns = bundled_patterns()
    assert len(patterns) > 300
    assert [p for p in patterns if pattern_problem(p)] == []
    lines = [
        "I'm so sorry about that, I'll sort it today.",
        "Can you tell me your account number again?",
        "Calm down, sir.",
        "THANK YOU so much, that's brilliant",
        "What's the postcode on the account please?",
    ]
    for pattern in patterns:
        expected = [bool(re.search(pattern, line, re.IGNORECASE)) for line in lines]
        assert [bool(compile_pattern(pattern).search(line)) for line in lines] == expected, pattern


def test_a_search_that_slips_past_the_rules_gives_up_within_a_bound() -> None:
    # Not validated here: compile_pattern alone. With `re`, (a|a)*$ on this line takes hours.
    code = """
import json
from trainer.patterns import compile_pattern
print(json.dumps(compile_pattern("(a|a)*$").search("a" * 34 + "!") is None))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) is True
    assert "gave up after 0.5 s" in done.stderr


def test_persona_asked_by_redos_is_refused_with_its_line() -> None:
    text = VALID.replace("  order number: TC-1", "  order: {value: TC-1, asked_by: ['(a+)+$']}")
    persona, problems = check_persona(text, "x.yaml")
    assert persona is None
    assert [(p.line, p.field) for p in problems] == [(10, "facts.order.asked_by[0]")]
    assert "a repeat inside a repeat" in problems[0].message
    assert "'(a+)+$'" in problems[0].message


def test_asked_by_matching_is_bounded() -> None:
    # A fact built without validation (as a future field might be) still cannot stall a turn.
    code = """
import json
from trainer.personas.schema import Fact
fact = Fact.model_construct(value="x", asked_by=["(a|aa)+$"])
print(json.dumps(fact.is_asked("a" * 34 + "!")))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) is False


def test_rubric_patterns_and_vetoes_are_checked(tmp_path: Path) -> None:
    text = (ROOT / "trainer/rubric/default.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    name = next(iter(data["signals"]))
    data["signals"][name]["patterns"] = [r"\bfine\b", r"(\w+\s?)+$"]
    data["signals"][name]["vetoes"] = [r"(a|aa)+"]
    with pytest.raises(RubricError) as caught:
        parse_rubric(yaml.safe_dump(data, sort_keys=False), "r.yaml")
    fields = {p.field: p for p in caught.value.problems}
    assert set(fields) == {f"signals.{name}.patterns[1]", f"signals.{name}.vetoes[0]"}
    assert all(p.line and "a repeat inside a repeat" in p.message for p in fields.values())
