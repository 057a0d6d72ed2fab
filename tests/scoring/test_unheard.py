"""Calls cut short, and calls the trainee ended early (docs/scoring.md section 2).

- *Unheard*: what a hung-up or abandoned call never reached is not applicable, but it
  counts at the rubric's ``unheard_credit`` of its weight (neither passed nor failed), so
  two good turns do not average to 90; none when a conduct error drove the caller off.
- *Ended by the agent before a fix*: "Confirms the resolution" fails, not "nothing to
  confirm": the trainee chose to end the call before the caller's need was met.
"""

from __future__ import annotations

import pytest
from scoring_helpers import A, C, scripted

from trainer.rubric.model import load_rubric
from trainer.scoring.scorer import UNHEARD, score_transcript

_HELLO = "Good morning, Meridian Home Insurance, this is Ade."
_SORRY = "I'm so sorry, that sounds really stressful."
_ASK = "Could I have your claim reference?"
OPEN = (A, f"{_HELLO} {_SORRY} {_ASK}",
        {"greets": _HELLO, "introduces_self": _HELLO, "acknowledges_feelings": _SORRY,
         "apologises": _SORRY, "asks_verification": _ASK})  # fmt: skip
UPSET = (C, "The roof is leaking and nobody has come.",
         {"upset": "The roof is leaking and nobody has come."})  # fmt: skip
CUT_SHORT = [UPSET, OPEN, (C, "Forget it.", None)]
FIXING = {"takes_ownership", "clear_next_step", "offers_resolution"}
CLOSING = {"confirms_resolution", "offers_further_help", "closes_call"}


def score(lines, outcome, rubric=None):
    transcript, detections = scripted(*lines)
    rubric = rubric or load_rubric()
    return score_transcript(transcript, rubric, detections=detections, outcome=outcome)


def with_credit(credit):
    return load_rubric().model_copy(update={"unheard_credit": credit})


def test_a_call_cut_short_counts_what_it_never_reached_at_the_unheard_credit():
    card = score(CUT_SHORT, "hung_up")
    assert {card.criterion(i).status for i in FIXING | CLOSING} == {"not_applicable"}
    none, half, full = (score(CUT_SHORT, "hung_up", with_credit(c)).overall for c in (0, 0.5, 1))
    assert card.overall == half
    assert none < half < full
    # weighted means are linear in the credit: half credit is the midpoint
    assert half == pytest.approx((none + full) / 2, abs=0.1)
    assert card.overall < 80  # a greeting, an apology and a question are not a fair call yet


def test_the_scorecard_says_which_criteria_were_counted_so():
    card = score(CUT_SHORT, "hung_up")
    note = UNHEARD.format(share=50)
    assert card.criterion("offers_resolution").feedback.endswith(note)
    assert card.criterion("offers_resolution").feedback.startswith("Not applicable - ")
    assert note not in card.criterion("escalation_offered_when_asked").feedback  # never arose


def test_endings_that_met_the_need_or_followed_policy_leave_their_criteria_out():
    """Resolved, escalated and abuse-policy endings are not cut short: nothing unheard."""
    fixed = "I'll take care of it: the assessor will visit on Friday between 9 and 1."
    resolved = [UPSET, OPEN, (C, "CLM-1.", None),
                (A, fixed, {"takes_ownership": fixed, "gives_clear_next_step": fixed}),
                (C, "Friday, good, that's all.", None)]  # fmt: skip
    for credit in (0, 1):
        assert score(resolved, "resolved", with_credit(credit)).overall == (
            score(resolved, "resolved").overall
        )
    assert (
        UNHEARD.format(share=50)
        not in score(resolved, "resolved").criterion("closes_call").feedback
    )


def test_a_caller_driven_off_by_a_conduct_error_earns_no_unheard_credit():
    rude = [UPSET, (A, "Calm down. Claim reference?",
                    {"says_calm_down": "Calm down.", "asks_verification": "Claim reference?"}),
            (C, "I'm hanging up.", None)]  # fmt: skip
    card = score(rude, "hung_up")
    assert card.criterion("no_calm_down").status == "failed"
    assert card.overall == score(rude, "hung_up", with_credit(0)).overall
    assert card.overall == score(rude, "hung_up", with_credit(1)).overall
    assert UNHEARD.format(share=50) not in card.criterion("offers_resolution").feedback


def test_a_caller_who_gave_up_after_a_fix_was_due_earns_no_unheard_credit():
    """The trainee said their piece and offered nothing: the fix was due and failed, so the
    hang-up is the trainee's doing and what the caller never reached earns nothing."""
    stall = (A, "I understand. The technical team handles that, please hold.", None)
    gave_up = [UPSET, OPEN, (C, "CLM-1.", None), stall, (C, "Forget it.", None)]
    card = score(gave_up, "hung_up")
    assert {card.criterion(i).status for i in FIXING} == {"failed"}
    assert card.criterion("confirms_resolution").status == "not_applicable"
    assert card.overall == score(gave_up, "hung_up", with_credit(1)).overall
    assert card.overall == score(gave_up, "hung_up", with_credit(0)).overall
    assert UNHEARD.format(share=50) not in card.criterion("confirms_resolution").feedback
    # hung up while the trainee was still asking: the fix was not yet due, credit stays
    assert score(CUT_SHORT, "hung_up").overall > score(CUT_SHORT, "hung_up", with_credit(0)).overall


def test_the_agent_ending_before_any_fix_fails_the_confirmation():
    ended = score(CUT_SHORT[:2], "ended_by_agent")
    confirms = ended.criterion("confirms_resolution")
    assert confirms.status == "failed" and confirms.score == 0.0
    assert {ended.criterion(i).status for i in FIXING} == {"failed"}
    # the caller hanging up on the same turns is not the trainee's choice: not applicable
    assert score(CUT_SHORT, "hung_up").criterion("confirms_resolution").status == "not_applicable"
