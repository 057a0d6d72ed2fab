"""The scorecard: one result type for practice calls and batch QA.

A scorecard names the rubric (id, version, sha256 hash) and the model that
played the customer, so any score can be audited and reproduced. A criterion
whose condition never arose is ``not_applicable`` with ``score=None`` — never
a zero. An error row (no agent turns, unreadable input) sets ``error`` and
scores nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["passed", "failed", "not_applicable"]


class Evidence(BaseModel):
    """One quoted sentence that decided a criterion."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    turn: int = Field(description="index of the turn in the transcript (0-based)")
    turn_number: int = Field(
        0, description="the speaker's own turn number, 1-based, as the screen shows it"
    )
    speaker: Literal["agent", "customer"]
    quote: str = Field(description="the sentence, as said")
    signal: str | None = Field(
        description="the signal the sentence showed; None for the line a failed rule looked at"
    )
    score: float | None = Field(description="detector score (1.0 for a pattern match); None too")

    @property
    def where(self) -> str:
        """'You (turn 3)' / 'Customer (turn 2)': how a person reads the place of the quote."""
        who = "You" if self.speaker == "agent" else "Customer"
        return f"{who} (turn {self.turn_number or self.turn + 1})"


class CriterionResult(BaseModel):
    """How one rubric criterion went on this call."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str = Field("", description="what a person reads")
    category: str
    status: Status
    score: float | None = Field(description="0..1; None when not applicable")
    evidence: list[Evidence] = Field(default_factory=list)
    feedback: str = Field(description="what went well, or what to do next time")


class Scorecard(BaseModel):
    """The grade of one call against one rubric."""

    model_config = ConfigDict(extra="forbid")

    transcript_id: str
    persona: str | None = None
    persona_name: str | None = Field(None, description="the persona's name, for people")
    rubric_id: str
    rubric_version: int | str
    rubric_hash: str
    model_id: str | None = None
    criteria: list[CriterionResult] = Field(default_factory=list)
    categories: dict[str, float | None] = Field(default_factory=dict, description="0..1")
    overall: float | None = Field(default=None, description="0..100")
    flags: list[str] = Field(default_factory=list, description="gaming flags")
    flag_titles: dict[str, str] = Field(default_factory=dict, description="flag id -> title")
    caps: list[str] = Field(
        default_factory=list, description="why the overall score was capped, in words"
    )
    empathy: dict[str, Any] = Field(default_factory=dict, description="EPITOME levels")
    outcome: str | None = None
    outcome_title: str | None = None
    mood_curve: list[int] = Field(default_factory=list)
    error: str | None = None

    @classmethod
    def for_error(
        cls,
        transcript_id: str,
        error: str,
        *,
        rubric_id: str,
        rubric_version: int | str,
        rubric_hash: str,
        persona: str | None = None,
        persona_name: str | None = None,
        model_id: str | None = None,
    ) -> Scorecard:
        """An error row: says what was wrong and scores nothing."""
        return cls(
            transcript_id=transcript_id,
            persona=persona,
            persona_name=persona_name,
            rubric_id=rubric_id,
            rubric_version=rubric_version,
            rubric_hash=rubric_hash,
            model_id=model_id,
            error=error,
        )

    def criterion(self, criterion_id: str) -> CriterionResult:
        """The result for one criterion; ``KeyError`` naming the known ids otherwise."""
        for result in self.criteria:
            if result.id == criterion_id:
                return result
        known = ", ".join(r.id for r in self.criteria) or "none"
        raise KeyError(f"no criterion {criterion_id!r} in this scorecard (known: {known})")

    def to_row(
        self,
        criterion_ids: Sequence[str] | None = None,
        category_ids: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """A flat dict for one CSV row.

        Columns, in order: ``id``, ``persona``, ``outcome``, ``overall`` (0..100),
        ``category.<name>`` (0..1), one column per criterion id holding its score
        (0..1; empty when not applicable), ``flags`` (``;``-joined), ``error``,
        ``rubric_id``, ``rubric_version``, ``rubric_hash``. Pass the rubric's
        criterion and category ids so that error rows get the same columns as
        scored rows (see :func:`row_columns`).
        """
        scores = {r.id: r.score for r in self.criteria}
        criterion_ids = list(criterion_ids) if criterion_ids is not None else list(scores)
        category_ids = list(category_ids) if category_ids is not None else list(self.categories)
        row: dict[str, Any] = {
            "id": self.transcript_id,
            "persona": self.persona,
            "outcome": self.outcome,
            "overall": _rounded(self.overall, 1),
        }
        for name in category_ids:
            row[f"category.{name}"] = _rounded(self.categories.get(name), 3)
        for cid in criterion_ids:
            row[cid] = _rounded(scores.get(cid), 3)
        row["flags"] = ";".join(self.flags)
        row["error"] = self.error or ""
        row["rubric_id"] = self.rubric_id
        row["rubric_version"] = self.rubric_version
        row["rubric_hash"] = self.rubric_hash
        return row


def row_columns(criterion_ids: Sequence[str], category_ids: Sequence[str]) -> list[str]:
    """The CSV header matching :meth:`Scorecard.to_row` for a rubric's ids."""
    return [
        "id",
        "persona",
        "outcome",
        "overall",
        *(f"category.{name}" for name in category_ids),
        *criterion_ids,
        "flags",
        "error",
        "rubric_id",
        "rubric_version",
        "rubric_hash",
    ]


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
