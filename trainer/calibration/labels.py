"""Human labels for agreement and calibration: the label file format.

A label file is JSONL, one labelled call per line::

    {"id": "call-0007",
     "turns": [{"speaker": "customer", "text": "My internet is down."},
               {"speaker": "agent", "text": "I'm sorry to hear that. ..."}],
     "labels": {"no_calm_down": "passed", "clear_next_step": false,
                "signal:apologises": true, "emotional_reactions": "weak"},
     "turn_labels": [{"turn": 1, "signal": "apologises", "present": true}]}

``labels`` (call level, all optional) maps a key to a value:

- a **criterion id** -> ``"passed"`` / ``"failed"`` / ``"not_applicable"``, or
  ``true`` (passed) / ``false`` (failed);
- a **signal name** -> ``true`` / ``false``: the signal shows anywhere in the
  call, on its own speaker's turns;
- an **EPITOME mechanism** (``emotional_reactions``, ``interpretations``,
  ``explorations``) -> ``"none"`` / ``"weak"`` / ``"strong"`` (or 0 / 1 / 2),
  an ordinal label (agreement uses quadratic-weighted kappa).

A bare key means the criterion when the rubric has a criterion of that name,
else the signal, else the mechanism; write ``criterion:``, ``signal:`` or
``epitome:`` in front to choose (several default criteria share a signal's name).

``turn_labels`` (optional) label signals per turn: ``turn`` is the 0-based
index into ``turns`` and must be a turn of the signal's speaker.
``persona`` (optional) is kept as on a transcript.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from trainer.rubric.model import Rubric
from trainer.scoring.empathy import MECHANISMS, level_value
from trainer.transcripts.transcript import Transcript, Turn
from trainer.yamlfiles.problems import did_you_mean, got

Kind = Literal["criterion", "signal", "epitome"]
STATUSES = ("passed", "failed", "not_applicable")


class TurnLabel(BaseModel):
    """A person's judgement: does this turn show this signal?"""

    model_config = ConfigDict(extra="forbid", frozen=True)

    turn: int = Field(ge=0)
    signal: str
    present: bool


class LabelledCall(BaseModel):
    """One line of a label file."""

    model_config = ConfigDict(extra="forbid")

    id: str
    persona: str | None = None
    turns: list[Turn] = Field(min_length=1)
    labels: dict[str, Any] = Field(default_factory=dict)
    turn_labels: list[TurnLabel] = Field(default_factory=list)

    def transcript(self) -> Transcript:
        return Transcript(id=self.id, persona=self.persona, turns=self.turns)


class LabelError(ValueError):
    """A label file is invalid; ``problems`` lists every ``file:line: message``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def load_labels(path: str | Path, rubric: Rubric | None = None) -> list[LabelledCall]:
    """Read a JSONL label file; with a rubric, check every key and value against it."""
    path = Path(path)
    calls: list[LabelledCall] = []
    problems: list[str] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelError([f"{path}: cannot read the file ({exc})"]) from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            call = LabelledCall.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not valid JSON ({exc.msg})")
            continue
        except ValidationError as exc:
            for error in exc.errors():
                field = ".".join(str(p) for p in error["loc"])
                problems.append(f"{where}: {field}: {error['msg']}")
            continue
        if rubric is not None:
            problems += [f"{where}: {p}" for p in check_labels(rubric, call)]
        calls.append(call)
    if not calls and not problems:
        problems.append(f"{path}: no labelled calls")
    if problems:
        raise LabelError(problems)
    return calls


def resolve_key(rubric: Rubric, key: str) -> tuple[Kind, str]:
    """Which kind of label a key is, and its bare name (``ValueError`` if unknown)."""
    prefix, _, bare = key.partition(":")
    criteria = {c.id for c in rubric.criteria}
    if bare and prefix in ("criterion", "signal", "epitome"):
        known = {"criterion": criteria, "signal": set(rubric.signals), "epitome": set(MECHANISMS)}
        if bare not in known[prefix]:
            hint = did_you_mean(bare, known[prefix])
            raise ValueError(f"unknown {prefix} {got(bare)}.{hint}")
        return prefix, bare  # type: ignore[return-value]
    if key in criteria:
        return "criterion", key
    if key in rubric.signals:
        return "signal", key
    if key in MECHANISMS:
        return "epitome", key
    hint = did_you_mean(key, [*criteria, *rubric.signals, *MECHANISMS])
    raise ValueError(f"unknown criterion, signal or EPITOME mechanism {got(key)}.{hint}")


def label_value(kind: Kind, value: Any) -> str | bool | int:
    """A label normalised: criterion -> status, signal -> bool, epitome -> 0..2."""
    if kind == "criterion":
        if isinstance(value, bool):
            return "passed" if value else "failed"
        if value in STATUSES:
            return value
        raise ValueError(
            f"must be passed, failed, not_applicable, true or false (got {got(value)})"
        )
    if kind == "signal":
        if isinstance(value, bool):
            return value
        raise ValueError(f"must be true or false (got {got(value)})")
    return level_value(value)


def check_labels(rubric: Rubric, call: LabelledCall) -> list[str]:
    """Problems with one call's labels against a rubric (empty when all is well)."""
    problems = []
    for key, value in call.labels.items():
        try:
            label_value(resolve_key(rubric, key)[0], value)
        except ValueError as exc:
            problems.append(f"labels.{key}: {exc}")
    speakers = rubric.signal_speakers()
    for i, label in enumerate(call.turn_labels):
        where = f"turn_labels[{i}]"
        if label.signal not in speakers:
            hint = did_you_mean(label.signal, speakers)
            problems.append(f"{where}.signal: unknown signal {got(label.signal)}.{hint}")
        elif label.turn >= len(call.turns):
            problems.append(f"{where}.turn: no turn {label.turn} (the call has {len(call.turns)})")
        elif call.turns[label.turn].speaker != speakers[label.signal]:
            problems.append(
                f"{where}: turn {label.turn} is a {call.turns[label.turn].speaker} turn; "
                f"{label.signal} is a {speakers[label.signal]} signal"
            )
    return problems
