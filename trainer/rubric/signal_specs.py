"""The ``signals:`` section of a rubric: one ``SignalSpec`` per detector, strictly validated.

``load_signal_specs(path)`` reads only the top-level ``signals:`` mapping (other
top-level keys belong to the rubric loader) and reports every problem at once,
naming file, line, signal and field::

    default.yaml:42: signals.apologises.patterns.1: not a valid regex (...): '(sorry'
    default.yaml:57: signals.greets.treshold: unknown field. Did you mean `threshold`? ...
"""

from __future__ import annotations

import difflib
import re
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

SPEAKERS = ("agent", "customer")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _valid_regex(pattern: str) -> str:
    try:
        re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"not a valid regex ({exc}): {pattern!r}") from None
    return pattern


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be blank")
    return text


Regex = Annotated[str, AfterValidator(_valid_regex)]
Sentence = Annotated[str, AfterValidator(_not_blank)]


class Classifier(BaseModel):
    """A logistic regression on the sentence embedding, fitted by ``trainer calibrate``.

    When a signal has one, it replaces the cosine ``threshold``: a sentence fires
    when ``sigmoid(embedding . weights + bias) >= threshold``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    weights: list[float] = Field(min_length=1)
    bias: float
    threshold: float = Field(0.5, ge=0.0, le=1.0)


class SignalSpec(BaseModel):
    """One detector as written in the rubric (validated strictly)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    speaker: Literal["agent", "customer"]
    description: str = Field(min_length=1)
    patterns: list[Regex] = Field(default_factory=list)
    examples: list[Sentence] = Field(default_factory=list)
    counter_examples: list[Sentence] = Field(default_factory=list)
    threshold: float = Field(ge=0.0, le=1.0)
    classifier: Classifier | None = None

    @model_validator(mode="after")
    def _can_fire(self) -> SignalSpec:
        if not self.patterns and not self.examples:
            raise ValueError("needs at least one of `patterns` or `examples`")
        return self

    def compiled(self) -> list[re.Pattern[str]]:
        """The patterns, compiled case-insensitive."""
        return [re.compile(p, re.IGNORECASE) for p in self.patterns]


class SignalSpecError(ValueError):
    """The ``signals:`` section of a rubric is invalid; ``problems`` lists every error."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid signal specs:\n  " + "\n  ".join(problems))


def default_rubric_path() -> Path:
    """The rubric bundled with the package (``trainer/rubric/default.yaml``)."""
    return Path(str(resources.files("trainer.rubric").joinpath("default.yaml")))


def load_signal_specs(path: str | Path | None = None) -> dict[str, SignalSpec]:
    """Read and validate the top-level ``signals:`` mapping of a rubric YAML file.

    Other top-level keys (``id``, ``criteria``, ...) are ignored here. Raises
    ``SignalSpecError`` naming the file, line, signal and field of every problem.
    """
    path = Path(path) if path is not None else default_rubric_path()
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SignalSpecError([f"{path.name}: not valid YAML: {exc}"]) from None
    lines, problems = _signal_lines(root, path.name)
    signals = data.get("signals") if isinstance(data, dict) else None
    if not isinstance(signals, dict) or not signals:
        raise SignalSpecError([f"{path.name}: needs a top-level `signals:` mapping"])
    specs: dict[str, SignalSpec] = {}
    for name, raw in signals.items():
        where = f"{path.name}:{lines.get((str(name),), '?')}"
        if not isinstance(name, str) or not _NAME.match(name):
            problems.append(f"{where}: signals.{name}: name must match [a-z][a-z0-9_]*")
            continue
        if not isinstance(raw, dict):
            problems.append(f"{where}: signals.{name}: must be a mapping of fields")
            continue
        try:
            specs[name] = SignalSpec.model_validate(raw)
        except ValidationError as exc:
            problems.extend(_describe(exc, name, path.name, lines))
    if problems:
        raise SignalSpecError(problems)
    return specs


def _signal_lines(root: Any, filename: str) -> tuple[dict[tuple, int], list[str]]:
    """Line numbers of signals, fields and list items; duplicate signal names."""
    lines: dict[tuple, int] = {}
    problems: list[str] = []
    if not isinstance(root, yaml.MappingNode):
        return lines, problems
    for key, value in root.value:
        if key.value != "signals" or not isinstance(value, yaml.MappingNode):
            continue
        for name_node, spec_node in value.value:
            name = (name_node.value,)
            if name in lines:
                problems.append(
                    f"{filename}:{name_node.start_mark.line + 1}: signals.{name[0]}:"
                    f" defined twice (first at line {lines[name]})"
                )
            lines[name] = name_node.start_mark.line + 1
            if isinstance(spec_node, yaml.MappingNode):
                for field_node, field_value in spec_node.value:
                    loc = (*name, field_node.value)
                    lines[loc] = field_node.start_mark.line + 1
                    if isinstance(field_value, yaml.SequenceNode):
                        for i, item in enumerate(field_value.value):
                            lines[(*loc, i)] = item.start_mark.line + 1
    return lines, problems


def _describe(exc: ValidationError, name: str, filename: str, lines: dict) -> list[str]:
    """One readable line per pydantic error, with a "did you mean" for unknown fields."""
    out = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        line = next(
            (lines[(name, *loc[:n])] for n in range(len(loc), -1, -1) if (name, *loc[:n]) in lines),
            "?",
        )
        field = ".".join(str(part) for part in loc)
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(loc[-1]), SignalSpec.model_fields, n=1)
            hint = f" Did you mean `{close[0]}`?" if close else ""
            message = f"unknown field.{hint} Allowed: {', '.join(SignalSpec.model_fields)}"
        elif error["type"] not in ("missing", "value_error"):
            message += f" (got {error['input']!r})"
        out.append(f"{filename}:{line}: signals.{name}{'.' + field if field else ''}: {message}")
    return out
