"""The persona files behind the studio: list, open, check, duplicate and save them.

Saving checks the id (a slug, so no path can escape the personas folder), never
overwrites without ``overwrite``, keeps the previous version in ``.backups/`` and
writes through a temporary file renamed into place, with the folder's file mode.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import gradio as gr

ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
BACKUPS = ".backups"


def persona_files(folder: Path) -> list[str]:
    """The persona file names in ``folder`` (broken ones too, so they can be fixed)."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))


def open_file(folder: Path, name: str | None) -> str:
    """The text of one persona file; only names listed in the folder are opened."""
    if not name or name not in persona_files(folder):
        raise gr.Error(f"No persona file {name!r} in {folder}.")
    return (folder / name).read_text(encoding="utf-8")


def validate(text: str, rubric: Any = None) -> tuple[Any, list[Any]]:
    """``(persona, problems)`` for the editor's text, names checked against ``rubric``.

    A YAML syntax error does not hide the rest: the lines it names are set aside
    (up to ``MAX_SYNTAX_ERRORS`` times) and the remainder is checked too.
    """
    from trainer.personas.loading import check_persona
    from trainer.yamlfiles.source import Problem

    if not (text or "").strip():
        return None, [Problem("<editor>", None, "", "the editor is empty")]
    persona, problems = check_persona(text, "<editor>", rubric=rubric)
    rows = text.split("\n")
    syntax: list[Any] = []
    blanked: set[int] = set()
    while len(problems) == 1 and _is_syntax(problems[0]) and len(syntax) < MAX_SYNTAX_ERRORS:
        found = problems[0]
        named = {found.line or 0, *(int(n) for n in re.findall(r"on line (\d+)", found.message))}
        named = {n for n in named if 1 <= n <= len(rows)} - blanked
        syntax.append(found)
        if not named:
            return None, syntax
        blanked |= named
        for n in named:
            rows[n - 1] = ""
        persona, problems = check_persona("\n".join(rows), "<editor>", rubric=rubric)
    if not syntax:
        return persona, problems
    keys = {m.group(1).strip() for n in blanked if (m := _KEY_RE.match(text.split("\n")[n - 1]))}
    rest = [p for p in problems if p.line not in blanked and _leaf(p.field) not in keys]
    return None, sorted(syntax + rest, key=lambda p: p.line or 0)


MAX_SYNTAX_ERRORS = 10
_KEY_RE = re.compile(r"^\s*-?\s*([^:#'\"]+):")


def _is_syntax(problem: Any) -> bool:
    return not problem.field and str(problem.message).startswith("invalid YAML: ")


def _leaf(field: str) -> str:
    return re.split(r"[.\[]", field)[-1] if field else ""


def duplicate(text: str, folder: Path, selected: str | None = None) -> str:
    """A copy with a new, unused id (``<id>-copy``, ``<id>-copy-2``, ...) of the persona
    file ``selected`` in the list, or of the editor's text when none is selected."""
    if selected:
        text = open_file(folder, selected)
    match = re.search(r"^id:[ \t]*['\"]?([a-z0-9-]+)['\"]?[ \t]*(#.*)?$", text or "", re.M)
    if not match:
        raise gr.Error("Duplicate needs a persona with an `id:` line in the editor.")
    taken = {Path(n).stem for n in persona_files(folder)}
    new, n = f"{match.group(1)}-copy", 1
    while new in taken:
        n += 1
        new = f"{match.group(1)}-copy-{n}"
    return text[: match.start()] + f"id: {new}" + text[match.end() :]


def save_persona(folder: Path, text: str, overwrite: bool, rubric: Any = None) -> tuple[str, str]:
    """Save the editor's persona as ``<id>.yaml``; returns ``(message, kind)``.

    Refuses invalid personas, ids that are not slugs, and existing files unless
    ``overwrite``; when overwriting, the previous version goes to ``.backups/``.
    """
    persona, problems = validate(text, rubric)
    if persona is None:
        return f"Not saved: fix the {len(problems)} problem(s) shown above first.", "error"
    pid = str(persona.id)
    if not ID_RE.fullmatch(pid) or len(pid) > 80:
        return f"Not saved: id {pid!r} must be a-z, 0-9 and dashes.", "error"
    folder.mkdir(parents=True, exist_ok=True)
    target = _existing_file(folder, pid) or folder / f"{pid}.yaml"
    if target.resolve().parent != folder.resolve():
        return f"Not saved: {target.name} would be outside the personas folder.", "error"
    note = ""
    if target.exists():
        if not overwrite:
            return (
                f"{target.name} already exists. Tick 'Overwrite' to replace it "
                f"(the current version is kept in {BACKUPS}/).",
                "error",
            )
        backups = folder / BACKUPS
        backups.mkdir(exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        backup = backups / f"{target.stem}.{stamp}{target.suffix}.bak"
        backup.write_bytes(target.read_bytes())
        note = f" (previous version kept as {BACKUPS}/{backup.name})"
    _atomic_write(target, text if text.endswith("\n") else text + "\n")
    return f"Saved {target.name}{note}.", "ok"


def _existing_file(folder: Path, pid: str) -> Path | None:
    for name in persona_files(folder):
        if Path(name).stem == pid:
            return folder / name
    return None


def file_mode(target: Path) -> int:
    """The mode a saved file gets: the file's own if it exists, else the folder's without
    the execute bits (a 0755 folder gives 0644 files, a 0700 one 0600)."""
    if target.exists():
        return target.stat().st_mode & 0o777
    return target.parent.stat().st_mode & 0o666


def _atomic_write(target: Path, text: str) -> None:
    mode = file_mode(target)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".saving-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, target)
