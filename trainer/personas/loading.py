"""Persona scripts: load, validate and find them, with errors a trainer can act on.

Loading is three plain stages: find the files, load YAML with the line of every
field (``trainer.yamlfiles.source``), build the validated ``Persona``
(``trainer.personas.schema``). Every problem in a file is reported, each with its
file, line and field::

    personas/x.yaml:14: beats[0].when.mood_at_least: must be 0..10 (got 12)
    personas/x.yaml:9: mod: unknown field 'mod'. Did you mean: mood? Allowed: id, name, ...

A bad file never stops the others from loading. Signal and criterion names are
checked against the rubric given as ``rubric=`` (default: the bundled one). A file
past ``PERSONA_LIMITS`` (size, nesting, aliases) is refused with its line.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from trainer.paths import default_personas_dir
from trainer.personas.schema import (
    BANDS,
    Band,
    Beat,
    Condition,
    Fact,
    Lines,
    Mood,
    Persona,
    Resolution,
    default_asked_by,
    mood_band,
    persona_rules,
)
from trainer.rubric.model import Rubric
from trainer.yamlfiles.problems import located, problems_from_validation
from trainer.yamlfiles.source import (
    Problem,
    YamlDocument,
    YamlLimits,
    YamlSyntaxError,
    format_path,
    too_big,
)
from trainer.yamlfiles.source import load_yaml as _load_yaml

PERSONA_LIMITS = YamlLimits(max_bytes=100_000, max_depth=20, max_aliases=100, max_nodes=10_000)
"""What one persona file may hold (the bundled ones: under 5 KB, 150 values, 5 deep)."""

_log = logging.getLogger(__name__)

__all__ = [
    "BANDS",
    "PERSONA_LIMITS",
    "Band",
    "Beat",
    "Condition",
    "Fact",
    "Lines",
    "Mood",
    "Persona",
    "PersonaError",
    "PersonaNotFoundError",
    "PersonaSet",
    "Problem",
    "Resolution",
    "check_file",
    "check_persona",
    "default_asked_by",
    "find_persona",
    "load_persona",
    "load_personas",
    "mood_band",
    "parse_persona",
    "validate_paths",
]


Checked = tuple[Persona | None, list[Problem], YamlDocument | None]
FileCheck = Callable[[Path, Rubric | None], Checked]
"""How a loader checks one file (``check_file``; ``PersonaFolder`` remembers results)."""


class PersonaError(ValueError):
    """A persona could not be loaded; ``problems`` says every reason, one ``Problem`` each."""

    def __init__(self, problems: list[Problem], message: str | None = None) -> None:
        self.problems = list(problems)
        super().__init__(message or "\n".join(map(str, self.problems)))


class PersonaNotFoundError(PersonaError, LookupError):
    """No persona has the requested id; the message lists the ids there are."""


@dataclass
class PersonaSet:
    """The personas of a folder that loaded, and the problems of those that did not."""

    personas: dict[str, Persona] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    sources: dict[str, Path] = field(default_factory=dict)
    """The file each persona came from, by id."""


def check_persona(
    text: str, source_name: str = "<persona>", *, rubric: Rubric | None = None
) -> tuple[Persona | None, list[Problem]]:
    """Validate persona YAML text: ``(persona, [])``, or ``(None, problems)`` sorted by line."""
    persona, problems, _ = _check(text, source_name, rubric)
    return persona, problems


def parse_persona(
    text: str, source_name: str = "<persona>", *, rubric: Rubric | None = None
) -> Persona:
    """Build a persona from YAML text (e.g. the browser editor); raise ``PersonaError``."""
    persona, problems = check_persona(text, source_name, rubric=rubric)
    if persona is None:
        raise PersonaError(problems)
    return persona


def load_persona(path: str | Path, *, rubric: Rubric | None = None) -> Persona:
    """Load one persona file; raise ``PersonaError`` listing every problem in it."""
    persona, problems, _ = check_file(Path(path), rubric)
    if persona is None:
        raise PersonaError(problems)
    return persona


def load_personas(
    folder: str | Path, *, rubric: Rubric | None = None, check: FileCheck | None = None
) -> PersonaSet:
    """Load every ``*.yaml`` persona in ``folder``; bad files and duplicate ids become problems.

    ``check`` checks one file (default ``check_file``; ``PersonaFolder`` remembers results).
    """
    return _load_all([Path(folder)], rubric, check)


def validate_paths(paths: list[Path], *, rubric: Rubric | None = None) -> list[Problem]:
    """Every problem in the given persona files and folders (empty: all valid)."""
    return _load_all([Path(p) for p in paths], rubric).problems


def find_persona(
    persona_id: str, folder: str | Path | None = None, *, rubric: Rubric | None = None
) -> Persona:
    """The persona with this id in ``folder`` (default: the personas folder), or a YAML path.

    Raises ``PersonaNotFoundError`` naming the ids there are (and the closest ones), or
    ``PersonaError`` with the problems of the file ``<id>.yaml`` when it does not load.
    """
    if persona_id.endswith((".yaml", ".yml")) and Path(persona_id).is_file():
        return load_persona(persona_id, rubric=rubric)
    if folder is None:
        folder = default_personas_dir()
    found = load_personas(folder, rubric=rubric)
    if persona_id in found.personas:
        return found.personas[persona_id]
    own = [p for p in found.problems if Path(p.file).stem == persona_id]
    if own:
        raise PersonaError(own)
    ids = sorted(found.personas)
    close = difflib.get_close_matches(persona_id, ids, n=3, cutoff=0.6)
    close += [i for i in ids if persona_id and persona_id in i and i not in close]
    hint = f" Did you mean: {', '.join(close[:3])}?" if close else ""
    message = f"unknown persona '{persona_id}'.{hint} Available: {', '.join(ids) or 'none'}"
    raise PersonaNotFoundError(
        [Problem(str(folder), None, "", message)], f"{message} (in {folder})"
    )


# -- loading ---------------------------------------------------------------------------------


def _load_all(
    paths: list[Path], rubric: Rubric | None, check: FileCheck | None = None
) -> PersonaSet:
    check = check or check_file
    result = PersonaSet()
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
            if not found:
                result.problems.append(Problem(str(path), None, "", "no persona files (*.yaml)"))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            result.problems.append(Problem(str(path), None, "", "no such file or folder"))
    seen: set[Path] = set()
    for path in files:
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        persona, problems, doc = check(path, rubric)
        result.problems += problems
        if persona is None or doc is None:
            continue
        if persona.id in result.personas:
            other = result.sources[persona.id]
            message = f"duplicate persona id '{persona.id}' (also in {other})"
            result.problems.append(Problem(str(path), doc.line_of(("id",)), "id", message))
            continue
        result.personas[persona.id] = persona
        result.sources[persona.id] = path
    return result


def check_file(path: Path, rubric: Rubric | None = None) -> Checked:
    """``(persona, [], doc)`` for one file, or ``(None, problems, doc)``; never raises.

    At most ``PERSONA_LIMITS.max_bytes`` + 1 bytes are read; anything unexpected
    becomes a problem of this file (logged), so one file never stops a folder.
    """
    file, limit = str(path), PERSONA_LIMITS.max_bytes
    try:
        with path.open("rb") as f:
            raw = f.read(limit + 1)
        if len(raw) > limit:
            return None, [Problem(file, None, "", too_big(path.stat().st_size, limit))], None
        return _check(raw.decode("utf-8"), file, rubric)
    except UnicodeDecodeError:
        return None, [Problem(file, None, "", "not UTF-8 text")], None
    except OSError as err:
        return None, [Problem(file, None, "", f"cannot read: {err.strerror}")], None
    except Exception as err:  # a bug, or an input nobody foresaw: report it, load the rest
        _log.exception("persona file %s could not be checked", file)
        return None, [Problem(file, None, "", f"could not be checked: {err!r}"[:300])], None


def _check(text: str, file: str, rubric: Rubric | None) -> Checked:
    try:
        doc = _load_yaml(text, PERSONA_LIMITS)
    except YamlSyntaxError as err:
        return None, [err.problem(file)], None
    if doc.data is None:
        return None, [Problem(file, None, "", "the file is empty")], doc
    found: list[Problem] = [
        Problem(file, line, format_path(path), f"duplicate key (first at line {first})")
        for path, line, first in doc.duplicates
    ]
    persona: Persona | None = None
    try:
        persona = Persona.model_validate(doc.data, context={"rubric": rubric})
    except ValidationError as err:
        found += problems_from_validation(err, doc, file, Persona)
    # Run on the raw data too: pydantic skips cross-field rules when any field is invalid.
    found += [located(doc, file, path, msg) for path, msg in persona_rules(doc.data)]
    if found:
        unique = list(dict.fromkeys(found))
        return None, sorted(unique, key=lambda p: p.line or 0), doc
    return persona, [], doc
