"""The rubric: signals, categories and criteria, loaded from YAML with precise errors.

A rubric file (the package default is ``trainer/rubric/default.yaml``)::

    id: default
    version: 1
    signals: {...}           # the detectors (trainer/scoring/signals.py)
    categories:
      empathy: {weight: 0.35, description: ...}
    criteria:
      - id: acknowledges_feelings
        category: empathy
        ...                  # rule kinds: trainer/rubric/criteria.py
    gaming: {...}            # optional: anti-gaming thresholds (trainer/scoring/gaming.py)

``load_rubric(path)`` raises :class:`RubricError` whose ``problems`` each read
``rubrics/x.yaml:14: criteria[3].requires.signal: unknown signal 'greet'. Did you mean: greets?``.
``with_requirements(rubric, ids)`` turns on the criteria a persona ``requires:``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from trainer.paths import default_rubric_path
from trainer.rubric.checks import DERIVED_SIGNALS, reference_problems
from trainer.rubric.criteria import Criterion, names
from trainer.rubric.signal_specs import SignalSpec
from trainer.scoring.gaming import GamingPolicy
from trainer.scoring.signal_heads import heads_path_for
from trainer.yamlfiles.problems import did_you_mean, got, problems_from_validation
from trainer.yamlfiles.source import (
    Problem,
    YamlLimits,
    YamlSyntaxError,
    format_path,
    load_yaml,
    too_big,
)


class Category(BaseModel):
    """A group of criteria with its weight in the overall score."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weight: float = Field(1.0, gt=0)
    description: str = ""


class EpitomeModelRef(BaseModel):
    """The fitted EPITOME model a calibrated rubric is scored with (``calibrate`` writes it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str = Field(min_length=1, description="the model's .npz, relative to the rubric file")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of that file")


class Rubric(BaseModel):
    """A validated rubric. ``hash`` is the sha256 of its canonical JSON form."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field("default", min_length=1)
    version: int | str = 1
    description: str = ""
    signals: dict[str, SignalSpec]
    categories: dict[str, Category] = Field(min_length=1)
    criteria: list[Criterion] = Field(min_length=1)
    gaming: GamingPolicy = Field(default_factory=GamingPolicy)
    cap_step: float = Field(
        10.0,
        ge=0,
        le=100,
        description="each further failed fail_cap criterion lowers the cap so much",
    )
    cap_min_score: float = Field(
        0.95,
        ge=0,
        le=1,
        description="a failed forbids criterion caps (or is a critical error) only when its "
        "signal scored this much in one sentence (a pattern match is 1.0) or showed in two "
        "agent turns",
    )
    unheard_credit: float = Field(
        0.5,
        ge=0,
        le=1,
        description="credit, 0..1, for a criterion the call was cut short before (the caller "
        "hung up, or it was abandoned): it counts at this share of its weight, neither passed "
        "nor failed, so a score built on few criteria is pulled toward the middle",
    )
    epitome_model: EpitomeModelRef | None = Field(
        None, description="a fitted EPITOME model; without it the word-overlap rule grades"
    )
    _source: str = PrivateAttr("<rubric>")
    _hash: str | None = PrivateAttr(None)

    @property
    def hash(self) -> str:
        """sha256 of the canonical content (sorted-key JSON of every field, defaults
        included) and of the learned heads file the rubric is scored with."""
        if self._hash is None:
            content = self.model_dump(mode="json", by_alias=True)
            if content.get("epitome_model") is None:
                content.pop("epitome_model", None)  # hashes of rubrics without one unchanged
            canonical = json.dumps(content, sort_keys=True)
            digest = hashlib.sha256(canonical.encode("utf-8"))
            heads = self.heads_file()
            if heads is not None:
                digest.update(hashlib.sha256(heads.read_bytes()).digest())
            self._hash = digest.hexdigest()
        return self._hash

    def heads_file(self) -> Path | None:
        """The learned signal heads scored with: ``<name>.heads.npz`` beside the rubric's
        file, else the bundled ones (None when neither exists)."""
        own = heads_path_for(self._source)
        if self._source != "<rubric>" and own.is_file():
            return own
        bundled = heads_path_for(default_rubric_path())
        return bundled if bundled.is_file() else None

    def epitome_model_file(self) -> Path | None:
        """The fitted EPITOME model's file (beside the rubric's), or None without one."""
        if self.epitome_model is None:
            return None
        return Path(self._source).parent / self.epitome_model.file

    @property
    def source(self) -> str:
        """The file the rubric came from (for messages)."""
        return self._source

    def graded(self) -> list[Criterion]:
        """The criteria graded on every call (optional ones only once required)."""
        return [c for c in self.criteria if not c.optional]

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        hint = did_you_mean(criterion_id, [c.id for c in self.criteria])
        raise KeyError(f"unknown criterion {criterion_id!r}.{hint}")

    def signal_names(self, speaker: str) -> frozenset[str]:
        """The names of one speaker's signals (``agent`` or ``customer``)."""
        return frozenset(n for n, s in self.signals.items() if s.speaker == speaker)

    def criterion_ids(self) -> frozenset[str]:
        """The id of every criterion, optional ones included."""
        return frozenset(c.id for c in self.criteria)

    def signal_speakers(self) -> dict[str, str]:
        """Signal name -> ``agent`` or ``customer``."""
        return {name: spec.speaker for name, spec in self.signals.items()}

    def scored_signal_speakers(self) -> dict[str, str]:
        """:meth:`signal_speakers` plus the signals the scorer derives (``dated_action``...)."""
        own = self.signal_speakers()
        return {**own, **{n: s for n, s in DERIVED_SIGNALS.items() if n not in own}}

    def positive_signals(self) -> set[str]:
        """Agent signals that earn credit (required somewhere, never forbidden)."""
        good: set[str] = set()
        bad: set[str] = set()
        for c in self.criteria:
            for r in c.requires:
                good.update(names(r.signal))
            for w in c.when:
                good.update(names(w.then))
            for f in c.forbids:
                bad.update(names(f.signal))
        return good - bad


class RubricError(ValueError):
    """A rubric file is invalid; ``problems`` lists every error with its line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_rubric(path: str | Path | None = None) -> Rubric:
    """Load and validate a rubric YAML file (``None``: the bundled default, cached)."""
    if path is None:
        return _default_rubric()
    return _load(Path(path))


@lru_cache(maxsize=1)
def _default_rubric() -> Rubric:
    return _load(default_rubric_path())


def _load(path: Path) -> Rubric:
    file, limit = str(path), YamlLimits().max_bytes
    try:
        with path.open("rb") as f:
            raw = f.read(limit + 1)
        if len(raw) > limit:
            raise RubricError([Problem(file, None, "", too_big(path.stat().st_size, limit))])
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RubricError([Problem(file, None, "", f"cannot read the file ({exc})")]) from None
    rubric = parse_rubric(text, file)
    model = rubric.epitome_model_file()
    if model is not None:
        from trainer.scoring.empathy_model import file_sha256

        if not model.is_file():
            why = f"the EPITOME model {model} is missing (calibrate writes it beside the rubric)"
        elif file_sha256(model) != rubric.epitome_model.sha256:  # type: ignore[union-attr]
            why = f"the EPITOME model {model} does not match the sha256 the rubric names"
        else:
            return rubric
        raise RubricError([Problem(file, None, "epitome_model", why)])
    return rubric


def parse_rubric(text: str, file: str = "<rubric>") -> Rubric:
    """Validate rubric YAML text; ``file`` names it in the problems."""
    try:
        doc = load_yaml(text)
    except YamlSyntaxError as exc:
        raise RubricError([exc.problem(file)]) from None
    problems = [
        Problem(file, line, format_path(p), f"given twice (first at line {first})")
        for p, line, first in doc.duplicates
    ]
    if not isinstance(doc.data, dict):
        raise RubricError([*problems, Problem(file, 1, "", "a rubric must be a YAML mapping")])
    problems += reference_problems(doc.data, doc.line_of, file)
    try:
        rubric = Rubric.model_validate(doc.data)
    except ValidationError as exc:
        problems += problems_from_validation(exc, doc, file, Rubric)
    if problems:
        raise RubricError(sorted(problems, key=lambda p: p.line or 0))
    rubric._source = file
    return rubric


def with_requirements(rubric: Rubric, ids: Iterable[str]) -> Rubric:
    """The rubric with the criteria a persona ``requires:`` graded (optional ones turned on).

    Raises :class:`RubricError` for an unknown id, with a "did you mean".
    """
    ids = list(dict.fromkeys(ids))
    known = [c.id for c in rubric.criteria]
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise RubricError(
            [
                Problem(rubric.source, None, "requires", unknown_criterion_message(i, known))
                for i in unknown
            ]
        )
    wanted = set(ids)
    criteria = [
        c.model_copy(update={"optional": False}) if c.id in wanted and c.optional else c
        for c in rubric.criteria
    ]
    updated = rubric.model_copy(update={"criteria": criteria})
    updated._source = rubric.source
    updated._hash = None  # the content changed: hash it again
    return updated


def unknown_criterion_message(criterion_id: str, known: Iterable[str]) -> str:
    """``unknown criterion 'x'. Did you mean: y? Available: ...`` (also for persona files)."""
    known = sorted(known)
    hint = did_you_mean(criterion_id, known)
    return f"unknown criterion {got(criterion_id)}.{hint} Available: {', '.join(known)}"
