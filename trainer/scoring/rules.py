"""Evaluate rubric rules over the signals of one call.

The input is a :class:`~trainer.scoring.call_view.CallView`: who spoke each turn
and the signal hits that earn credit (after the anti-gaming filter). Each rule gives a
:class:`RuleOutcome` — status, score 0..1 (``None`` when not applicable), the
hits that decided it, and a short reason used in the feedback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trainer.outcomes import ended_before_agent_could_close, outcome_title
from trainer.rubric.criteria import (
    AppliesWhen,
    CallerUpset,
    Criterion,
    Forbids,
    Requires,
    Rule,
    When,
    names,
)
from trainer.scoring.account_talk import ACCOUNT, NOT_DISCUSSED
from trainer.scoring.call_view import CallView, Hit
from trainer.scoring.emergency import EMERGENCY, EMERGENCY_NOTE
from trainer.scoring.scorecard import Status


@dataclass(frozen=True)
class RuleOutcome:
    """How one rule (or a whole criterion) went."""

    status: Status
    score: float | None
    evidence: tuple[Hit, ...] = ()
    reason: str = ""
    moot: bool = False  # not applicable because of how the call ended, or an emergency


def _na(reason: str) -> RuleOutcome:
    return RuleOutcome("not_applicable", None, (), reason)


def _label(ref: str | list[str]) -> str:
    return " or ".join(names(ref))


def _one_per_turn(hits: Sequence[Hit]) -> list[Hit]:
    seen: set[int] = set()
    out = []
    for h in hits:
        if h.turn not in seen:
            seen.add(h.turn)
            out.append(h)
    return out


def _comes_before(hit: Hit, anchor: int, signals: Sequence[str], view: CallView) -> bool:
    """The hit comes before the anchor's first hit: an earlier turn, or earlier in the same
    turn when it is not a question ("Thanks, Mrs Fraser, that's the booking. I've moved you
    onto the 18:00."): a question answered only after the action is no check before it."""
    if hit.turn != anchor or "?" in hit.sentence:
        return hit.turn < anchor
    text = view.texts[anchor] or ""
    firsts = [h.sentence for h in view.of(signals) if h.turn == anchor]
    at = min((text.find(s) for s in firsts if s in text), default=-1)
    return 0 <= text.find(hit.sentence) <= at


def evaluate_requires(rule: Requires, view: CallView) -> RuleOutcome:
    """``requires``: the agent shows the signal in enough turns, in the right place."""
    order = names(rule.signal)  # in a turn, the first-named signal's hit speaks for it
    hits = sorted(
        (h for h in view.of(order) if h.speaker == "agent"),
        key=lambda h: (h.turn, order.index(h.signal)),
    )
    n = view.agent_turn_count
    where = []
    kept = hits
    if rule.after is not None:
        anchor = view.first_turn(names(rule.after))
        if anchor is None and view.outcome == "ended_by_agent":
            # the trainee ended the call before the caller's need was met: owed, not moot
            return RuleOutcome("failed", 0.0, (), AGENT_ENDED_EARLY)
        if anchor is None:
            return _na(f"{_label(rule.after)} never happened")
        kept = [h for h in kept if h.turn > anchor]
        where.append(f"after {_label(rule.after)}")
    if rule.before is not None:
        anchor = view.first_turn(names(rule.before))
        if anchor is not None:
            kept = [h for h in kept if _comes_before(h, anchor, names(rule.before), view)]
            where.append(f"before {_label(rule.before)}")
    if rule.within_first is not None:
        kept = [h for h in kept if (view.agent_number(h.turn) or 0) <= rule.within_first]
        where.append(f"in your first {_turns(rule.within_first)}")
    if rule.within_last is not None:
        first_counted = n - rule.within_last + 1
        kept = [h for h in kept if (view.agent_number(h.turn) or 0) >= first_counted]
        where.append(f"in your last {_turns(rule.within_last)}")
    turns = _one_per_turn(kept)
    count = len(turns)
    score = min(1.0, count / rule.min_count)
    place = (" " + ", ".join(where)) if where else ""
    if count >= rule.min_count:
        return RuleOutcome("passed", 1.0, tuple(turns[:3]), f"{_label(rule.signal)}{place}")
    missed = [h for h in _one_per_turn(hits) if h not in turns]
    if count:
        reason = f"only {count} of the {rule.min_count} turns needed{place}"
    elif missed:
        reason = f"not{place}"
    else:
        reason = f"no {_label(rule.signal)}{place}"
    return RuleOutcome("failed", score, tuple((turns or missed)[:3]), reason)


def _turns(n: int) -> str:
    return "turn" if n == 1 else f"{n} turns"


def evaluate_forbids(rule: Forbids, view: CallView) -> RuleOutcome:
    """``forbids``: the agent never shows the signal."""
    hits = [h for h in view.of(names(rule.signal)) if h.speaker == "agent"]
    if not hits:
        return RuleOutcome("passed", 1.0, (), f"no {_label(rule.signal)}")
    return RuleOutcome("failed", 0.0, tuple(_one_per_turn(hits)[:3]), "")


def evaluate_when(rule: When, view: CallView) -> RuleOutcome:
    """``when``: every customer trigger is answered by the agent within N agent turns."""
    triggers = [h for h in view.of(names(rule.customer_signal)) if h.speaker == "customer"]
    answers = [h for h in view.of(names(rule.then)) if h.speaker == "agent"]
    counted = answered = 0
    evidence: list[Hit] = []
    missed: list[Hit] = []
    for trigger in _one_per_turn(triggers):
        window = set(view.agent_turns_after(trigger.turn, rule.within))
        if not window:
            continue  # the call ended before the agent could answer
        counted += 1
        reply = [h for h in answers if h.turn in window]
        if reply:
            answered += 1
            evidence += [trigger, reply[0]]
        else:
            missed.append(trigger)
    if not counted:
        return _na(f"the customer never showed {_label(rule.customer_signal)}")
    score = answered / counted
    if answered == counted:
        return RuleOutcome("passed", 1.0, tuple(evidence[:4]), _label(rule.then))
    reason = f"no {_label(rule.then)} within {_turns(rule.within)}"
    return RuleOutcome("failed", score, tuple((missed + evidence)[:4]), reason)


def evaluate_rule(rule: Rule, view: CallView) -> RuleOutcome:
    """Evaluate one rule of any kind."""
    if isinstance(rule, Requires):
        return evaluate_requires(rule, view)
    if isinstance(rule, Forbids):
        return evaluate_forbids(rule, view)
    if isinstance(rule, When):
        return evaluate_when(rule, view)
    raise TypeError(f"not a rule: {rule!r}")  # pragma: no cover


def applies(condition: AppliesWhen | None, view: CallView) -> str | None:
    """``None`` when the criterion applies, else the reason it does not."""
    if condition is None:
        return None
    if condition.min_agent_turns and view.agent_turn_count < condition.min_agent_turns:
        return f"the call had fewer than {condition.min_agent_turns} agent turns"
    if condition.customer_signal is not None:
        wanted = names(condition.customer_signal)
        if not any(h.speaker == "customer" for h in view.of(wanted)):
            return f"the customer never showed {_label(condition.customer_signal)}"
    if condition.agent_signal is not None:
        wanted = names(condition.agent_signal)
        if not any(h.speaker == "agent" for h in view.of(wanted)):
            if wanted == [ACCOUNT]:
                return NOT_DISCUSSED
            return f"the agent never showed {_label(condition.agent_signal)}"
    if condition.unless_signal is not None:
        shown = view.of(names(condition.unless_signal))
        if shown:
            signal = shown[0].signal
            return EMERGENCY_NOTE if signal == EMERGENCY else f"the call showed {signal}"
    if condition.caller_upset is not None:
        reason = _not_upset(condition.caller_upset, view)
        if reason is not None:
            return reason
    return ending_reason(condition, view)


def ending_reason(condition: AppliesWhen | None, view: CallView) -> str | None:
    """Why the criterion's moment never came because of how the call ended, or None."""
    if condition is None:
        return None
    if condition.unless_outcome is not None and view.outcome in condition.unless_outcome:
        return _ending_note(view.outcome)
    if condition.closing_reached:
        last = view.speakers[-1] if view.speakers else None
        reason = ended_before_agent_could_close(view.outcome, last)
        if reason is not None:
            return reason
    if condition.fix_reached and view.outcome in ("hung_up", "abandoned"):
        agent = [i for i, s in enumerate(view.speakers) if s == "agent"]
        last_turn = agent[-1] if agent else None
        asked = last_turn is not None and (
            view.texts[last_turn].rstrip().endswith("?")
            or any(h.turn == last_turn and h.signal in _FINDING_OUT for h in view.hits)
        )
        if asked:
            return "the caller hung up while you were still finding out about the problem"
    return None


_FINDING_OUT = {"asks_verification", "explores", "restates_issue"}

AGENT_ENDED_EARLY = "you ended the call before any fix or next step was offered"
"""Why a ``requires ... after:`` rule fails rather than not applying on an agent-ended call."""

CUT_SHORT = ("hung_up", "abandoned")
"""Endings the trainee neither chose nor earned: what they left ungraded is *unheard*."""


def unheard(criterion: Criterion, view: CallView) -> bool:
    """Is the criterion ungraded only because the call was cut short (``CUT_SHORT``)?

    Such a criterion is not applicable (the scorecard says why), but it is not moot
    either: the caller's need was not met and nobody knows how the trainee would have
    done. ``caps.combine`` counts it at the rubric's ``unheard_credit``."""
    if view.outcome not in CUT_SHORT:
        return False
    reason = applies(criterion.applies_when, view)
    return reason is not None and reason == ending_reason(criterion.applies_when, view)


def _ending_note(outcome: str | None) -> str:
    note = ended_before_agent_could_close(outcome, "customer")
    return note or f"the call ended: {outcome_title(outcome).lower()}"


def _not_upset(condition: CallerUpset, view: CallView) -> str | None:
    """None when the caller was upset (a signal, or the mood), else why not."""
    wanted = names(condition.customer_signal)
    if wanted and any(h.speaker == "customer" for h in view.of(wanted)):
        return None
    at_least = condition.mood_at_least
    if at_least is not None and view.mood_curve and max(view.mood_curve) >= at_least:
        return None
    mood = f", and their mood never reached {at_least}/10" if view.mood_curve else ""
    if at_least is not None and not view.mood_curve and not wanted:
        return "no mood was recorded for this call"
    return f"the caller never sounded upset{mood}"


def evaluate_criterion(criterion: Criterion, view: CallView) -> RuleOutcome:
    """All rules of a criterion: passed when every applicable rule passed.

    The score is the mean of the applicable rules' scores; the criterion is
    not applicable when ``applies_when`` fails or no rule applies. One exception:
    a criterion whose moment never came *only because of how the call ended*
    (``ending_reason``), because the call was an emergency (``emergency.py``), or because the
    caller was calm (``caller_upset``: a feeling named or an apology to a calm caller) is
    graded anyway when the trainee did it all the same (the fix given before a call
    ended under the abuse policy, a goodbye before the caller hung up, a restatement on a
    gas-leak line): it passes; done or not, it is never held against them.
    """
    reason = applies(criterion.applies_when, view)
    if reason is not None:
        # the ending is checked last, so every other condition held when it is the reason
        moot = reason in (ending_reason(criterion.applies_when, view), EMERGENCY_NOTE)
        calm = criterion.applies_when is not None and criterion.applies_when.caller_upset
        if moot or (calm and reason == _not_upset(calm, view)):
            done = _graded(criterion, view)
            if done.status == "passed":
                return done
        return RuleOutcome("not_applicable", None, (), reason, moot)
    return _graded(criterion, view)


def _graded(criterion: Criterion, view: CallView) -> RuleOutcome:
    outcomes = [evaluate_rule(rule, view) for rule in criterion.rules()]
    live = [o for o in outcomes if o.status != "not_applicable"]
    if not live:
        return _na("; ".join(dict.fromkeys(o.reason for o in outcomes)))
    score = sum(o.score or 0.0 for o in live) / len(live)
    failed = [o for o in live if o.status == "failed"]
    evidence = tuple(h for o in (failed or live) for h in o.evidence)
    status: Status = "failed" if failed else "passed"
    reason = "; ".join(dict.fromkeys(o.reason for o in (failed or live)))
    return RuleOutcome(status, round(score, 4), evidence, reason)
