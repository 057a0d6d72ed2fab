"""How criteria, categories and caps combine into the overall score (docs/scoring.md §3).

1. A category's score is the weighted mean of its applicable criteria, except that a
   failed ``critical`` criterion (a critical error: blame, "calm down", dismissal,
   insults, swearing, an unverified caller) leaves its whole category at 0.
2. The overall is the weighted mean of the categories that had any criterion, times 100.
3. Every failed ``fail_cap`` criterion and every capping gaming flag is a cap; the
   overall is held to the lowest, minus the rubric's ``cap_step`` for each further one.

On a call cut short (the caller hung up, or it was abandoned) the criteria never reached
count at the rubric's ``unheard_credit``, unless the caller was driven off: a sure
conduct error, or an action criterion that had its moment and failed (:func:`fix_never_came`).

A single weak detection never makes a critical error or a cap: a failed ``forbids``
criterion counts as one only when the offending signal was shown with a score of at
least the rubric's ``cap_min_score`` (a pattern match is 1.0) or in two or more agent
turns, or when a second critical conduct error was also shown (:func:`corroborated`).
Otherwise it is an ordinary failure: 0 for that criterion, nothing more, and
its feedback says that it did not cap the score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from trainer.rubric.criteria import Criterion, names
from trainer.scoring.call_view import CallView
from trainer.scoring.gaming import flag_title
from trainer.scoring.rules import unheard
from trainer.scoring.scorecard import CriterionResult

if TYPE_CHECKING:
    from trainer.rubric.model import Rubric


@dataclass(frozen=True)
class Combined:
    """Category scores, the overall, and the caps that applied, in words."""

    categories: dict[str, float | None]
    overall: float | None
    caps: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)
    """Failed capping or critical criteria that did not cap: one uncertain detection."""
    unheard: list[str] = field(default_factory=list)
    """Criteria the call was cut short before, counted at the rubric's ``unheard_credit``."""


def fix_never_came(
    failed: Sequence[CriterionResult], by_id: Mapping[str, Criterion], action_signals: list[str]
) -> bool:
    """Did a criterion that asks for an action (a next step, a fix, an escalation) fail?

    Then the fix was due and the trainee did not give it: a caller who hangs up after
    that was not cut short, they gave up, and what they never reached earns nothing."""
    actions = set(action_signals)
    return any(
        actions & {n for rule in by_id[r.id].requires for n in names(rule.signal)} for r in failed
    )


def is_confident(criterion: Criterion, view: CallView, min_score: float) -> bool:
    """Is a failed criterion's failure sure enough to cap the call?

    A ``requires`` or ``when`` failure is an absence, always sure; a ``forbids`` failure
    needs the signal at ``min_score`` or more in one sentence, or in two agent turns."""
    if not criterion.forbids:
        return True
    wanted = {n for rule in criterion.forbids for n in names(rule.signal)}
    hits = [h for h in view.of(wanted) if h.speaker == "agent"]
    return any(h.score >= min_score for h in hits) or len({h.turn for h in hits}) >= 2


def corroborated(
    failed: Sequence[CriterionResult], by_id: Mapping[str, Criterion], sure: set[str]
) -> set[str]:
    """Weak conduct errors that corroborate each other: two or more different critical
    ``forbids`` criteria failed on single weak detections ("if you can't find the letter I
    can't really do anything" read as dismissive *and* talking down) are each sure."""
    weak = {
        r.id for r in failed if r.id not in sure and by_id[r.id].critical and by_id[r.id].forbids
    }
    return weak if len(weak) >= 2 else set()


def combine(
    rubric: Rubric,
    results: Sequence[CriterionResult],
    view: CallView,
    gaming_caps: Mapping[str, float],
) -> Combined:
    """Combine one call's criterion results into categories, caps and the overall."""
    by_id = {c.id: c for c in rubric.criteria}
    failed = [r for r in results if r.status == "failed"]
    sure = {r.id for r in failed if is_confident(by_id[r.id], view, rubric.cap_min_score)}
    sure |= corroborated(failed, by_id, sure)
    critical = {r.category for r in failed if r.id in sure and by_id[r.id].critical}
    cut = {r.id for r in results if r.status == "not_applicable" and unheard(by_id[r.id], view)}
    driven_off = any(r.id in sure and by_id[r.id].critical and by_id[r.id].forbids for r in failed)
    # a conduct error, or a fix that was due and never came: the trainee's doing
    gave_up = cut and fix_never_came(failed, by_id, rubric.gaming.action_signals)
    credit = 0.0 if driven_off or gave_up else rubric.unheard_credit
    categories = _category_scores(rubric, results, critical, cut, credit)
    caps = [
        (float(cap), f"failed: {r.title}")
        for r in failed
        if r.id in sure and (cap := by_id[r.id].fail_cap) is not None
    ]
    caps += [(cap, f"flagged: {flag_title(flag)}") for flag, cap in gaming_caps.items()]
    caps.sort()
    notes = [f"{why} (cap {value:.0f})" for value, why in caps]
    uncertain = [
        r.id
        for r in failed
        if r.id not in sure and (by_id[r.id].fail_cap is not None or by_id[r.id].critical)
    ]
    cap = max(0.0, caps[0][0] - rubric.cap_step * (len(caps) - 1)) if caps else None
    return Combined(
        categories,
        _overall(rubric, categories, cap),
        notes,
        uncertain,
        sorted(cut) if credit else [],
    )


def _category_scores(
    rubric: Rubric,
    results: Sequence[CriterionResult],
    critical: set[str],
    cut: set[str],
    unheard_credit: float,
) -> dict[str, float | None]:
    weights = {c.id: c.weight for c in rubric.criteria}
    scores: dict[str, float | None] = {}
    for name in rubric.categories:
        live = [r for r in results if r.category == name and (r.score is not None or r.id in cut)]
        total = sum(weights[r.id] for r in live)
        credit = [unheard_credit if r.id in cut else (r.score or 0.0) for r in live]
        mean = (
            sum(weights[r.id] * c for r, c in zip(live, credit, strict=True)) / total
            if live
            else None
        )
        if mean is not None and name in critical:
            mean = 0.0  # a critical error: the category is failed, not averaged
        scores[name] = None if mean is None else round(mean, 4)
    return scores


def _overall(
    rubric: Rubric, categories: dict[str, float | None], cap: float | None
) -> float | None:
    live = {n: s for n, s in categories.items() if s is not None}
    if not live:
        return None
    total = sum(rubric.categories[n].weight for n in live)
    overall = 100.0 * sum(rubric.categories[n].weight * s for n, s in live.items()) / total
    if cap is not None:
        overall = min(overall, cap)
    return round(overall, 1)
