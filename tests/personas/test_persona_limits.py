"""Hostile persona files: each is refused with its file and line, fast, and the rest still load;
the app's persona folder is read once and then only its changed files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from trainer.personas import folder as folder_module
from trainer.personas.folder import PersonaFolder
from trainer.personas.loading import PERSONA_LIMITS, check_persona, load_personas

ROOT = Path(__file__).resolve().parents[2]
VALID = (ROOT / "tests/personas/fixtures/personas_bad/valid.yaml").read_text(encoding="utf-8")


def laughs(levels: int) -> str:
    """A persona whose ``tags`` are 9**levels strings once its aliases are expanded."""
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    return "id: lol\n" + "\n".join(lines) + f"\ntags: *a{levels}\n"


def hostile_folder(tmp_path: Path) -> Path:
    """One good persona and one file for each limit."""
    folder = tmp_path / "personas"
    folder.mkdir()
    (folder / "good.yaml").write_text(VALID, encoding="utf-8")
    (folder / "laughs.yaml").write_text(laughs(9), encoding="utf-8")
    (folder / "deep.yaml").write_text("id: deep\ntags: " + "[" * 3000 + "]" * 3000 + "\n")
    (folder / "loop.yaml").write_text("id: loop\ntags: &x [a, *x]\n")
    (folder / "huge.yaml").write_text(VALID + "# " + "x" * PERSONA_LIMITS.max_bytes + "\n")
    return folder


def test_personas_list_skips_hostile_files_within_a_bound(tmp_path: Path) -> None:
    folder = hostile_folder(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "trainer", "personas", "list", "--personas", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,  # before the limits: past 60 s for laughs(6), hours for laughs(9)
        env={**os.environ, "FRONTLINE_BACKEND": "scripted"},
    )
    assert done.returncode == 1
    assert done.stdout.split()[0] == "valid-caller"  # the good one is listed
    errors = {Path(line.split(":")[1].strip()).name: line for line in done.stderr.splitlines()}
    assert "values once aliases are expanded" in errors["laughs.yaml"]
    assert "nested more than 20 deep" in errors["deep.yaml"]
    assert "refers to a value that contains it" in errors["loop.yaml"]
    assert "the limit is 100,000 bytes" in errors["huge.yaml"]
    for name in ("laughs.yaml", "deep.yaml", "loop.yaml"):
        assert f"{name}:" in errors[name] and errors[name].split(f"{name}:")[1][:1].isdigit()


def test_studio_validation_of_a_billion_laughs_is_bounded() -> None:
    # The studio's /validate_persona runs check_persona(text, "<editor>") on every edit.
    code = f"""
import json
from trainer.personas.loading import check_persona
persona, problems = check_persona({laughs(9)!r}, "<editor>")
print(json.dumps([str(p) for p in problems]))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=90
    )
    assert done.returncode == 0, done.stderr
    problems = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(problems) == 1 and problems[0].startswith("<editor>:")
    assert "values once aliases are expanded" in problems[0]


def test_text_over_the_size_limit_is_refused_before_parsing() -> None:
    persona, problems = check_persona(VALID + "#" + "x" * PERSONA_LIMITS.max_bytes)
    assert persona is None
    size = len(VALID) + 1 + PERSONA_LIMITS.max_bytes
    assert [str(p) for p in problems] == [
        f"<persona>: the file is {size:,} bytes; the limit is 100,000 bytes"
    ]
    persona, problems = check_persona(VALID)
    assert persona is not None and not problems


def test_an_unforeseen_error_in_one_file_does_not_stop_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.yaml").write_text(VALID)
    (tmp_path / "b.yaml").write_text(VALID.replace("valid-caller", "other-caller"))
    import trainer.personas.loading as loading

    real = loading._check

    def broken(text: str, file: str, rubric: object) -> object:
        if file.endswith("a.yaml"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(text, file, rubric)

    monkeypatch.setattr(loading, "_check", broken)
    found = load_personas(tmp_path)
    assert list(found.personas) == ["other-caller"]
    assert [p.file for p in found.problems] == [str(tmp_path / "a.yaml")]
    assert "could not be checked: RecursionError" in found.problems[0].message


def test_persona_folder_rereads_only_changed_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    real = folder_module.check_file
    monkeypatch.setattr(
        folder_module, "check_file", lambda p, r: reads.append(p.name) or real(p, r)
    )
    (tmp_path / "a.yaml").write_text(VALID)
    (tmp_path / "b.yaml").write_text(VALID.replace("valid-caller", "b-caller"))
    (tmp_path / "bad.yaml").write_text("id: [\n")
    cache = PersonaFolder(tmp_path)
    first = cache.load()
    assert sorted(first.personas) == ["b-caller", "valid-caller"] and len(first.problems) == 1
    assert sorted(reads) == ["a.yaml", "b.yaml", "bad.yaml"]
    reads.clear()
    again = cache.load()
    assert reads == [] and again.personas == first.personas and again.problems == first.problems
    b = tmp_path / "b.yaml"
    b.write_text(VALID.replace("valid-caller", "b-renamed"))  # a new size
    os.utime(b, ns=(b.stat().st_atime_ns, b.stat().st_mtime_ns + 1_000_000_000))
    (tmp_path / "bad.yaml").unlink()
    (tmp_path / "c.yaml").write_text(VALID.replace("valid-caller", "c-caller"))
    third = cache.load()
    assert sorted(reads) == ["b.yaml", "c.yaml"]
    assert sorted(third.personas) == ["b-renamed", "c-caller", "valid-caller"]
    assert third.problems == []


def test_app_context_loads_the_folder_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from trainer.ui.context import AppContext

    reads: list[str] = []
    real = folder_module.check_file
    monkeypatch.setattr(
        folder_module, "check_file", lambda p, r: reads.append(p.name) or real(p, r)
    )
    (tmp_path / "a.yaml").write_text(VALID)
    ctx = AppContext(simulator=None, personas_dir=tmp_path, store=None, work_dir=tmp_path / "w")
    for _ in range(3):  # a page load and two call starts
        assert list(ctx.personas().personas) == ["valid-caller"]
    assert reads == ["a.yaml"]
