"""How the call ended decides which criteria apply: one test per outcome, with its note.

Detections are hand-built (``scripted``), so each test says exactly what the agent
showed; the outcome is what the simulator would pass.
"""

from __future__ import annotations

import pytest
from scoring_helpers import A, C, scripted

from trainer.rubric.model import load_rubric
from trainer.scoring.scorer import score_transcript

CLOSING = {"confirms_resolution", "offers_further_help", "closes_call"}
FIXING = {"takes_ownership", "clear_next_step", "offers_resolution"}

_HELLO = "Good morning, Meridian Home Insurance, this is Ade."
OPEN = (A, _HELLO + " Could I have your claim reference?",
        {"greets": _HELLO, "introduces_self": _HELLO,
         "asks_verification": "Could I have your claim reference?"})  # fmt: skip
_FIXED = "I'll take care of it: the assessor will visit on Friday between 9 and 1."
FIX = (A, _FIXED, {"takes_ownership": _FIXED, "gives_clear_next_step": _FIXED})
CLOSE = (A, "Does that solve it for you? Anything else I can help with? Goodbye.",
         {"confirms_resolution": "Does that solve it for you?",
          "offers_further_help": "Anything else I can help with?",
          "closes": "Goodbye."})  # fmt: skip


def score(lines, outcome, **kwargs):
    transcript, detections = scripted(*lines)
    return score_transcript(
        transcript, load_rubric(), detections=detections, outcome=outcome, **kwargs
    )


def status(card, ids):
    return {i: card.criterion(i).status for i in ids}


def test_resolved_before_the_agent_could_close_makes_the_closing_not_applicable():
    lines = [(C, "Three weeks and nobody's been.", None), OPEN, (C, "CLM-58812.", None), FIX,
             (C, "Friday. Good, that's all I wanted.", None)]  # fmt: skip
    card = score(lines, "resolved")
    assert set(status(card, CLOSING).values()) == {"not_applicable"}
    note = card.criterion("closes_call").feedback
    assert note == (
        "Not applicable - the caller was satisfied and the call ended before your next turn."
    )
    assert status(card, FIXING) == dict.fromkeys(FIXING, "passed")
    assert card.outcome == "resolved" and card.outcome_title == "Resolved"


def test_resolved_after_the_agents_closing_turn_grades_the_closing():
    lines = [(C, "Three weeks.", None), OPEN, (C, "CLM-58812.", None), FIX,
             (C, "Friday, good.", None), CLOSE]  # fmt: skip
    card = score(lines, "resolved")
    assert status(card, CLOSING) == dict.fromkeys(CLOSING, "passed")
    bare = score([*lines[:-1], (A, "Right.", None)], "resolved")
    assert status(bare, CLOSING) == dict.fromkeys(CLOSING, "failed")
    assert bare.overall < card.overall


def test_hung_up_makes_the_closing_not_applicable_but_not_the_fix_once_it_was_due():
    lines = [(C, "Three weeks.", None), OPEN, (C, "CLM-58812.", None),
             (A, "Okay. Hold on.", None), (C, "Forget it. I'm hanging up.", None)]  # fmt: skip
    card = score(lines, "hung_up")
    assert set(status(card, CLOSING).values()) == {"not_applicable"}
    assert "the caller hung up before you could close" in card.criterion("closes_call").feedback
    assert status(card, FIXING) == dict.fromkeys(FIXING, "failed")


def test_hung_up_while_the_agent_was_still_asking_makes_the_fix_not_applicable():
    lines = [(C, "Three weeks.", None), OPEN, (C, "Forget it.", None)]
    card = score(lines, "hung_up")
    assert set(status(card, FIXING | CLOSING).values()) == {"not_applicable"}
    assert card.criterion("offers_resolution").feedback.startswith(
        "Not applicable - the caller hung up while you were still finding out about the problem."
    )
    # the same call the agent simply ended is graded on all of it, the confirmation included:
    # the trainee ended it before the caller's need was met
    ended = score(lines[:-1], "ended_by_agent")
    assert set(status(ended, FIXING | CLOSING).values()) == {"failed"}


def test_escalated_makes_the_closing_not_applicable():
    transfer = "I'm transferring you to my supervisor now."
    lines = [(C, "I want a supervisor.", {"demands_supervisor": "I want a supervisor."}), OPEN,
             (C, "Now.", None), (A, transfer, {"transfers_to_supervisor": transfer})]  # fmt: skip
    card = score(lines, "escalated")
    assert set(status(card, CLOSING).values()) == {"not_applicable"}
    assert card.criterion("escalation_offered_when_asked").status == "passed"


WARN = (A, "I want to help, but I can't accept that language.",
        {"warns_about_abuse": "I want to help, but I can't accept that language."})  # fmt: skip
END = (A, "I'm ending the call now. Goodbye.",
       {"ends_call_for_abuse": "I'm ending the call now.", "closes": "Goodbye."})  # fmt: skip
SWEARS = (C, "You're f***ing useless.", {"insults_agent": "You're f***ing useless.",
                                         "curses": "You're f***ing useless."})  # fmt: skip


def test_an_abuse_policy_ending_after_a_warning_is_ended_for_abuse_and_passes_the_protocol():
    lines = [(C, "Where's my bloody parcel?", {"curses": "Where's my bloody parcel?"}),
             OPEN, SWEARS, WARN, SWEARS, END]  # fmt: skip
    card = score(lines, "ended_by_agent")
    assert card.outcome == "ended_for_abuse"
    assert card.outcome_title == "Ended under the abuse policy"
    assert card.criterion("abuse_protocol").status == "passed"
    # what the policy made moot is left out; the goodbye said anyway is credited
    assert set(status(card, FIXING | CLOSING - {"closes_call"}).values()) == {"not_applicable"}
    assert card.criterion("closes_call").status == "passed"
    assert card.criterion("takes_ownership").feedback == (
        "Not applicable - you ended the call under the abuse policy, so there was nothing to close."
    )
    assert "ended_for_abuse" not in {f for f in card.flags}


def test_a_fix_given_before_an_abuse_policy_ending_counts():
    """The ending makes the fix moot, not worthless: given anyway, it is graded passed."""
    lines = [(C, "Where's my bloody parcel?", {"curses": "Where's my bloody parcel?"}),
             OPEN, SWEARS, FIX, SWEARS, WARN, SWEARS, END]  # fmt: skip
    card = score(lines, "ended_by_agent")
    assert card.outcome == "ended_for_abuse"
    assert status(card, FIXING) == dict.fromkeys(FIXING, "passed")
    assert card.categories["resolution"] is not None and card.categories["resolution"] > 0.5
    without = score([lines[0], OPEN, SWEARS, WARN, SWEARS, END], "ended_by_agent")
    assert without.categories["resolution"] is None  # nothing done, nothing held against it
    assert card.overall > without.overall


def test_an_abuse_policy_ending_is_never_empathy_without_action():
    """Sympathy, a warning and an ending by the book: no fix was owed, so no cap."""
    sorry = "I'm sorry the parcel hasn't come, I'd like to look into it."
    lines = [(C, "Where's my bloody parcel?", {"curses": "Where's my bloody parcel?"}),
             (A, sorry, {"apologises": sorry}), SWEARS, WARN, SWEARS, END]  # fmt: skip
    card = score(lines, "ended_by_agent")
    assert card.outcome == "ended_for_abuse"
    assert "empathy_without_action" not in card.flags
    assert not any("Empathy without action" in cap for cap in card.caps)
    # the same turns with the warning taken out are an agent ending, held to the cap
    still = (A, "I hear you.", None)
    unwarned = score([*lines[:3], still, SWEARS, END], "ended_by_agent")
    assert unwarned.outcome == "ended_by_agent"
    assert "empathy_without_action" in unwarned.flags


def test_an_abuse_policy_ending_makes_restating_and_exploring_moot_unless_done():
    """The policy replaced the conversation: no restatement or open question was owed.
    Either one said anyway still passes; on an agent ending without a warning both fail."""
    lines = [(C, "Where's my bloody parcel?", {"curses": "Where's my bloody parcel?"}),
             OPEN, SWEARS, WARN, SWEARS, END]  # fmt: skip
    card = score(lines, "ended_by_agent")
    assert card.outcome == "ended_for_abuse"
    moot = status(card, {"restates_issue", "explores_situation"})
    assert moot == {"restates_issue": "not_applicable", "explores_situation": "not_applicable"}
    assert "abuse policy" in card.criterion("explores_situation").feedback
    asked = "So the parcel never came: what did the tracking page say?"
    done = score([*lines[:2], (A, asked, {"restates_issue": asked, "explores": asked}),
                  *lines[2:]], "ended_by_agent")  # fmt: skip
    assert status(done, {"restates_issue", "explores_situation"}) == {
        "restates_issue": "passed",
        "explores_situation": "passed",
    }
    unwarned = score([*lines[:3], SWEARS, END], "ended_by_agent")
    assert unwarned.outcome == "ended_by_agent"
    assert unwarned.criterion("explores_situation").status == "failed"


def test_an_abuse_ending_without_a_warning_stays_ended_by_agent_and_fails_the_protocol():
    lines = [(C, "Where's my bloody parcel?", {"curses": "Where's my bloody parcel?"}),
             OPEN, SWEARS, END]  # fmt: skip
    card = score(lines, "ended_by_agent")
    assert card.outcome == "ended_by_agent"
    assert card.criterion("abuse_protocol").status == "failed"
    assert set(status(card, FIXING).values()) == {"failed"}
    warned = score([*lines[:3], WARN, SWEARS, END], "ended_by_agent")
    assert warned.overall > card.overall


def test_abandoned_makes_the_closing_not_applicable():
    card = score([(C, "Hello?", None), OPEN], "abandoned")
    assert set(status(card, CLOSING).values()) == {"not_applicable"}
    assert "abandoned" in card.criterion("closes_call").feedback


def test_no_outcome_with_a_warned_abuse_ending_is_ended_for_abuse():
    lines = [(C, "Where's my parcel?", None), OPEN, SWEARS, WARN, SWEARS, END]
    assert score(lines, None).outcome == "ended_for_abuse"
    assert score(lines[:3] + [(A, "Okay.", None)], None).outcome is None


@pytest.mark.parametrize(("curve", "applies"), [([7, 6, 4], True), ([2, 2], False), ([], False)])
def test_apology_applies_when_the_callers_mood_was_upset(curve, applies):
    lines = [(C, "Third time I'm calling.", None), OPEN, (C, "CLM-1.", None), FIX]
    card = score(lines, "ended_by_agent", mood_curve=curve)
    result = card.criterion("apologises_when_warranted")
    assert result.status == ("failed" if applies else "not_applicable")
    if not applies:
        assert result.feedback.startswith("Not applicable - the caller was calm")


def test_ending_the_call_on_a_caller_still_talking_is_call_avoidance():
    """Agent-ended while the caller is mid-question: a critical conduct error (cap 50);
    ended after the caller's thanks, or under the abuse policy, it is not."""
    bye = (A, "You can find that on the website. Thanks for calling, bye now.",
           {"closes": "Thanks for calling, bye now."})  # fmt: skip
    lines = [OPEN, (C, "It's CL-1234.", None), FIX, (C, "And the hotel tonight? Do you-", None),
             bye, (C, "Hello? Hello?", None)]  # fmt: skip
    cut = score(lines, "ended_by_agent")
    assert cut.criterion("no_cutting_off").status == "failed"
    assert cut.criterion("no_cutting_off").evidence[0].quote == "Thanks for calling, bye now."
    assert "failed: Lets the caller finish (cap 50)" in cut.caps
    assert cut.categories["professionalism"] == 0.0 and cut.overall <= 50
    thanked = score([*lines[:-1], (C, "Okay, thanks, bye.", {"thanks": "Okay, thanks, bye."})],
                    "ended_by_agent")  # fmt: skip
    assert thanked.criterion("no_cutting_off").status == "passed"
    settled = score([*lines[:-1], (C, "Alright, I'll look out for the email.", None)],
                    "ended_by_agent")  # fmt: skip
    assert settled.criterion("no_cutting_off").status == "passed"  # nothing left open
    last_word = score(lines[:-1], "ended_by_agent")  # the agent spoke last
    assert last_word.criterion("no_cutting_off").status == "passed"
    hung_up = score(lines, "hung_up")  # the caller's own doing
    assert hung_up.criterion("no_cutting_off").status == "passed"
    abuse = score([(C, "Where's my bloody parcel?", {"curses": "Where's my bloody parcel?"}),
                   OPEN, SWEARS, WARN, SWEARS, END, SWEARS], "ended_by_agent")  # fmt: skip
    assert abuse.outcome == "ended_for_abuse"
    assert abuse.criterion("no_cutting_off").status == "passed"
