"""YAML limits: aliases, depth and size are refused with a line, fast, never a RecursionError."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from trainer.yamlfiles.source import YamlLimitError, YamlLimits, YamlSyntaxError, load_yaml

ROOT = Path(__file__).resolve().parents[2]


def laughs(levels: int, key: str = "tags") -> str:
    """The "billion laughs" file: each level an anchor of 9 aliases of the one before."""
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    return "\n".join([*lines, f"{key}: *a{levels}", ""])


def run_bounded(code: str, timeout: float = 60) -> dict:
    """Run ``code`` in a fresh Python in the repo root; its last line of output is JSON.

    ``timeout`` is the wall-clock bound (``TimeoutExpired`` fails the test); before the
    limits, the work below took minutes to hours.
    """
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_billion_laughs_is_refused_with_its_line_within_a_bound() -> None:
    text = laughs(9)  # 9**9 = 387 million values once expanded: hours for the old walker
    assert len(text) < 600
    code = f"""
import json
from trainer.yamlfiles.source import load_yaml, YamlLimitError
try:
    load_yaml({text!r})
    print(json.dumps({{"error": None}}))
except YamlLimitError as err:
    print(json.dumps({{"error": err.message, "line": err.line}}))
"""
    found = run_bounded(code, timeout=60)
    assert "values once aliases are expanded" in found["error"]
    assert 2 <= found["line"] <= 11  # where an alias of aliases is expanded past the limit


def test_alias_expansions_are_counted_as_values() -> None:
    text = "a: &a [1, 2, 3]\nb: *a\nc: *a\n"  # 1 + (1 + 3) * 3 = 13 values once expanded
    assert load_yaml(text, YamlLimits(max_nodes=13)).data["c"] == [1, 2, 3]
    with pytest.raises(YamlLimitError, match="more than 12 values") as caught:
        load_yaml(text, YamlLimits(max_nodes=12))
    assert caught.value.line == 3  # the alias that went past the limit


def test_alias_count_is_limited() -> None:
    text = "a: &a x\n" + "".join(f"b{i}: *a\n" for i in range(5))
    assert load_yaml(text, YamlLimits(max_aliases=5)).data["b4"] == "x"
    with pytest.raises(YamlLimitError, match="more than 4 aliases") as caught:
        load_yaml(text, YamlLimits(max_aliases=4))
    assert caught.value.line == 6


def test_deep_nesting_is_refused_not_a_recursion_error() -> None:
    text = "id: deep\ntags: " + "[" * 3000 + "]" * 3000 + "\n"
    with pytest.raises(YamlLimitError, match="nested more than 20 deep") as caught:
        load_yaml(text)
    assert caught.value.line == 2
    nested = "tags: " + "[" * 20 + "x" + "]" * 20 + "\n"  # the document, its mapping, 20 lists
    with pytest.raises(YamlLimitError):
        load_yaml(nested)
    assert load_yaml("tags: " + "[" * 19 + "x" + "]" * 19 + "\n").data["tags"]


def test_nesting_through_aliases_counts_too() -> None:
    # Each anchor is 2 deep as written; through the aliases c's "x" is 4 deep.
    text = "a: &a [x]\nb: &b [*a]\nc: [*b]\n"
    assert load_yaml(text, YamlLimits(max_depth=4)).data["c"] == [[["x"]]]
    with pytest.raises(YamlLimitError, match="nested more than 3 deep") as caught:
        load_yaml(text, YamlLimits(max_depth=3))
    assert caught.value.line == 3


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    with pytest.raises(YamlLimitError, match="refers to a value that contains it") as caught:
        load_yaml("id: loop\ntags: &x [a, *x]\n")
    assert caught.value.line == 2


def test_size_limit_counts_utf8_bytes() -> None:
    limits = YamlLimits(max_bytes=1000)
    assert load_yaml("a: " + "é" * 497 + "\n", limits).data["a"]  # 998 bytes
    with pytest.raises(YamlLimitError, match="the file is 2 KB; the limit is 1 KB") as caught:
        load_yaml("a: " + "é" * 998 + "\n", limits)
    assert caught.value.line is None
    assert isinstance(caught.value, YamlSyntaxError)  # callers that report syntax errors agree


def test_anchors_within_the_limits_keep_values_and_lines() -> None:
    doc = load_yaml("base: &b {x: 1}\none: *b\ntwo:\n  <<: *b\n  y: 2\n")
    assert doc.data == {"base": {"x": 1}, "one": {"x": 1}, "two": {"x": 1, "y": 2}}
    assert doc.line_of(("one",)) == 2 and doc.line_of(("two", "y")) == 5
    assert doc.line_of(("one", "x")) == 1  # a key reached through an alias: where it is written


def test_a_rubric_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    from trainer.rubric.model import RubricError, load_rubric

    big = tmp_path / "big.yaml"
    big.write_text("id: big\n# " + "x" * YamlLimits().max_bytes + "\n", encoding="utf-8")
    with pytest.raises(RubricError) as caught:
        load_rubric(big)
    assert [str(p) for p in caught.value.problems] == [
        f"{big}: the file is 2,000,011 bytes; the limit is 2,000,000 bytes"
    ]
