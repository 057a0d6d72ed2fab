"""One entry of a rubric's ``signals:``: a ``SignalSpec`` per detector, strictly validated.

The rubric loader (:func:`trainer.rubric.model.load_rubric`) is the only reader of
rubric files; it validates ``signals:`` with these models and reports every problem
with its file, line, signal and field::

    default.yaml:42: signals.apologises.patterns[1]: not a valid regex (...): '(sorry'
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from trainer.patterns import BoundedPattern, compile_pattern, pattern_problem

SPEAKERS = ("agent", "customer")
SIGNAL_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
"""What a signal may be called: lower case, digits and underscores."""


def _valid_regex(pattern: str) -> str:
    try:
        problem = pattern_problem(pattern)
    except re.error as exc:
        raise ValueError(f"not a valid regex ({exc}): {pattern!r}") from None
    if problem:
        raise ValueError(f"{problem}: {pattern!r}")
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
    vetoes: list[Regex] = Field(default_factory=list)
    """Sentences matching one of these never fire the signal from its learned head or its
    examples (negation, reported speech); its own ``patterns`` still fire."""
    threshold: float = Field(ge=0.0, le=1.0)
    classifier: Classifier | None = None

    @field_validator("patterns", "vetoes", mode="before")
    @classmethod
    def _splice_shared(cls, value: object) -> object:
        """A list inside the list is spliced in: ``patterns: [*shared, 'one more']``
        reuses another signal's YAML anchor and adds to it."""
        if not isinstance(value, list):
            return value
        return [p for item in value for p in (item if isinstance(item, list) else [item])]

    @model_validator(mode="after")
    def _can_fire(self) -> SignalSpec:
        if not self.patterns and not self.examples:
            raise ValueError("needs at least one of `patterns` or `examples`")
        return self

    def compiled(self) -> list[BoundedPattern]:
        """The patterns, compiled case-insensitive, each search time-bounded."""
        return [compile_pattern(p) for p in self.patterns]

    def compiled_vetoes(self) -> list[BoundedPattern]:
        """The vetoes, compiled case-insensitive, each search time-bounded."""
        return [compile_pattern(p) for p in self.vetoes]
