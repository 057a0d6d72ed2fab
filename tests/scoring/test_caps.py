"""How categories and caps combine (docs/scoring.md), on hand-built detections."""

from __future__ import annotations

from dataclasses import replace

from scoring_helpers import GOOD_CALL, A, C, scripted

from trainer.rubric.model import load_rubric
from trainer.scoring.scorer import UNCERTAIN, score_transcript
from trainer.scoring.signals import Detection


def score(lines, **kwargs):
    transcript, detections = scripted(*lines)
    return score_transcript(transcript, load_rubric(), detections=detections, **kwargs)


def _swap(lines, index, text, found):
    out = list(lines)
    out[index] = (A, text, found)
    return out


def test_one_conduct_failure_caps_the_overall_and_says_so():
    good = score(GOOD_CALL)
    rude = score(_swap(GOOD_CALL, 4, "Calm down. What do the lights on the router show?",
                       {"says_calm_down": "Calm down.",
                        "explores": "What do the lights on the router show?"}))  # fmt: skip
    assert good.overall == 100.0 and good.caps == []
    assert rude.overall == 50.0
    assert rude.caps == ['failed: No "calm down" (cap 50)']


def test_each_further_cap_lowers_the_lowest_by_the_step():
    text = "Calm down, it's your own fault. What do the lights on the router show?"
    card = score(_swap(GOOD_CALL, 4, text, {
        "says_calm_down": "Calm down, it's your own fault.",
        "blames_customer": "Calm down, it's your own fault.",
        "explores": "What do the lights on the router show?"}))  # fmt: skip
    assert len(card.caps) == 2
    assert card.overall == 50.0 - load_rubric().cap_step


def test_a_conduct_failure_weighs_more_than_hesitancy():
    """Nervous (sorry, asks to repeat, no restating) but decent beats a polished rude call."""
    nervous = [
        (C, "Three weeks and nobody's been out.", {"upset": "Three weeks and nobody's been out."}),
        (A, "Oh, um, sorry, Meridian Home Insurance, this is Kofi. Could I have your claim "
            "reference please?",
         {"introduces_self": "Oh, um, sorry, Meridian Home Insurance, this is Kofi.",
          "apologises": "Oh, um, sorry, Meridian Home Insurance, this is Kofi.",
          "asks_verification": "Could I have your claim reference please?"}),
        (C, "CLM-58812.", None),
        (A, "Sorry, could you repeat that? Um, I can book the assessor for Friday between 9 "
            "and 1, and you can get a roofer in now and claim it back.",
         {"gives_clear_next_step": "Um, I can book the assessor for Friday between 9 and 1, "
                                   "and you can get a roofer in now and claim it back.",
          "offers_resolution": "Um, I can book the assessor for Friday between 9 and 1, and "
                               "you can get a roofer in now and claim it back."}),
        (C, "Fine.", None),
        (A, "Okay, thank you, bye.", {"closes": "Okay, thank you, bye."}),
    ]  # fmt: skip
    rude = [
        (C, "Three weeks and nobody's been out.", {"upset": "Three weeks and nobody's been out."}),
        (A, "Good afternoon, Meridian, this is Lee. Claim reference?",
         {"greets": "Good afternoon, Meridian, this is Lee.",
          "introduces_self": "Good afternoon, Meridian, this is Lee.",
          "asks_verification": "Claim reference?"}),
        (C, "CLM-58812.", None),
        (A, "Calm down. You should have sent the photos sooner. Not my job, ring the assessors.",
         {"says_calm_down": "Calm down.",
          "blames_customer": "You should have sent the photos sooner.",
          "dismissive": "Not my job, ring the assessors."}),
        (C, "Unbelievable.", None),
        (A, "Thank you for calling, goodbye.", {"closes": "Thank you for calling, goodbye."}),
    ]  # fmt: skip
    assert score(nervous, outcome="ended_by_agent").overall > 60
    assert score(rude, outcome="ended_by_agent").overall <= 30


SORRY = "I'm so sorry, that must be awful."


def test_a_concrete_dated_action_is_never_empathy_without_action():
    lines = [
        (C, "Three weeks and nobody's been out.", None),
        (A, SORRY, {"apologises": SORRY, "acknowledges_feelings": SORRY}),
        (C, "So?", None),
        (A, "The assessor will visit on Friday between 9 and 1.", {}),  # no detector fired
        (C, "Fine.", None),
        (A, "Thanks for calling, goodbye.", {"closes": "Thanks for calling, goodbye."}),
    ]  # fmt: skip
    card = score(lines)
    assert "empathy_without_action" not in card.flags
    assert card.criterion("clear_next_step").status == "passed"
    assert card.criterion("clear_next_step").evidence[0].signal == "dated_action"
    warm = score([*lines[:3], (A, "I really understand how you feel.", {}), *lines[4:]])
    assert "empathy_without_action" in warm.flags
    assert warm.flag_titles == {"empathy_without_action": "Empathy without action"}


def test_one_sentence_listing_rubric_phrases_is_keyword_stuffing():
    salad = (
        "I understand your frustration, I apologise, I'll take ownership, so your issue is "
        "moving, the next step is resolution, does that solve it for you today"
    )
    lines = [
        (C, "I'm moving house next month.", None),
        (A, salad, {s: salad for s in ("acknowledges_feelings", "apologises", "takes_ownership",
                                       "restates_issue", "gives_clear_next_step")}),
        (C, "Sorry? Can you actually move it?", None),
        (A, "Thanks for calling, goodbye.", {"closes": "Thanks for calling, goodbye."}),
    ]  # fmt: skip
    card = score(lines)
    assert "keyword_stuffing" in card.flags
    assert card.overall <= load_rubric().gaming.stuffing_overall_cap
    assert "flagged: Keyword stuffing (cap 35)" in card.caps


# ---- how a single weak detection, critical errors and lapses combine (trainer/scoring/caps.py)

RESTATED = "So the bag didn't come off the flight from London this afternoon."


def _with(lines, index, text, found, score=1.0):
    """GOOD_CALL with agent turn ``index`` replaced; its detections scored ``score``."""
    transcript, detections = scripted(*_swap(lines, index, text, found))
    detections[index] = [replace(d, score=score, method="classifier") for d in detections[index]]
    return score_transcript(transcript, load_rubric(), detections=detections)


def test_one_uncertain_detection_fails_the_criterion_but_caps_nothing():
    """A learned head at 0.92 on a restatement is no proof of blame: no cap, no critical
    error; the criterion still fails (its weight is lost) and its feedback says why."""
    text = f"{RESTATED} What do the lights on the router show?"
    found = {"blames_customer": RESTATED, "explores": "What do the lights on the router show?"}
    weak = _with(GOOD_CALL, 4, text, found, score=0.92)
    sure = _with(GOOD_CALL, 4, text, found, score=0.97)
    assert weak.criterion("no_blame").status == "failed"
    assert weak.caps == []
    assert 0 < weak.categories["professionalism"] < 1
    assert 80 < weak.overall < 100
    assert weak.criterion("no_blame").feedback.endswith(UNCERTAIN)
    assert sure.caps == ["failed: No blaming the caller (cap 50)"]
    assert sure.categories["professionalism"] == 0.0 and sure.overall == 50.0
    assert not sure.criterion("no_blame").feedback.endswith(UNCERTAIN)


def test_a_weak_detection_repeated_in_a_second_turn_is_sure():
    first = "It's on you to check the router."
    second = "You'll want to check the router yourself."
    lines = _swap(GOOD_CALL, 4, first, {"blames_customer": first})
    lines = _swap(lines, 8, second, {"blames_customer": second})
    transcript, detections = scripted(*lines)
    for index in (4, 6):
        detections[index] = [replace(d, score=0.9) for d in detections[index]]
    card = score_transcript(transcript, load_rubric(), detections=detections)
    assert card.caps == ["failed: No blaming the caller (cap 50)"]


def test_two_different_weak_conduct_errors_corroborate_each_other():
    """One weak head is no proof; two conduct errors read in the same call (dismissive
    and talking down) are: both cap, as a QA lead would mark the call."""
    text = "Look, if you can't find the letter I can't really do anything."
    one = _with(GOOD_CALL, 4, text, {"dismissive": text}, score=0.9)
    two = _with(GOOD_CALL, 4, text, {"dismissive": text, "insults_customer": text}, score=0.9)
    assert one.caps == [] and one.overall > 80
    assert two.caps == [
        "failed: No insults (cap 40)",
        "failed: No dismissive language (cap 50)",
    ]
    assert two.overall <= 40 and two.categories["professionalism"] == 0.0


def test_a_critical_error_fails_its_whole_category():
    """One "calm down" leaves professionalism at 0, not at 7/8 of it: a rude call that
    does nothing else loses more than a capped average would take."""
    rude = score(_swap(GOOD_CALL, 4, "Calm down.", {"says_calm_down": "Calm down."}))
    assert rude.categories["professionalism"] == 0.0
    assert rude.categories["empathy"] > 0 and rude.categories["protocol"] == 1.0
    unverified = score(_swap(GOOD_CALL, 2, SORRY, {"apologises": SORRY}))
    assert unverified.criterion("verifies_identity").status == "failed"
    assert unverified.categories["protocol"] == 0.0
    assert unverified.caps == ["failed: Verifies identity (cap 60)"]


def test_a_professionalism_lapse_caps_at_70_without_failing_the_category():
    promise = "I guarantee it will never happen again."
    more = "Is there anything else I can help with?"
    card = score(_swap(GOOD_CALL, 8, f"{promise} {more}",
                       {"over_promises": promise, "offers_further_help": more}))  # fmt: skip
    assert card.caps == ["failed: No over-promising (cap 70)"]
    assert card.overall == 70.0
    assert 0.8 < card.categories["professionalism"] < 1.0  # a lapse, not a critical error


def test_a_lapse_and_a_conduct_failure_combine_by_the_step():
    text = "Calm down. Power-cycle the ONT and check the PPPoE session."
    card = score(_swap(GOOD_CALL, 4, text, {"says_calm_down": "Calm down.",
                                            "uses_jargon": "Power-cycle the ONT and check the "
                                                           "PPPoE session."}))  # fmt: skip
    assert card.caps == ['failed: No "calm down" (cap 50)', "failed: No jargon (cap 70)"]
    assert card.overall == 50.0 - load_rubric().cap_step


def test_cap_min_score_is_a_rubric_setting():
    rubric = load_rubric().model_copy(update={"cap_min_score": 0.9})
    text = f"{RESTATED} What do the lights on the router show?"
    found = {"blames_customer": RESTATED, "explores": "What do the lights on the router show?"}
    transcript, detections = scripted(*_swap(GOOD_CALL, 4, text, found))
    detections[4] = [replace(d, score=0.92) for d in detections[4]]
    card = score_transcript(transcript, rubric, detections=detections)
    assert card.caps == ["failed: No blaming the caller (cap 50)"]


def test_verification_is_owed_only_when_an_account_is_discussed():
    """A gas-leak line needs the address, not a security check; a billing call does."""
    hello = "Gas emergency line, this is Dev."
    leak = [(A, hello, {"greets": hello, "introduces_self": hello}),
            (C, "I can smell gas in the kitchen.", None),
            (A, "Open the windows and leave the house; an engineer will be there by 3pm.",
             {"gives_clear_next_step": "Open the windows and leave the house; an engineer "
              "will be there by 3pm."})]  # fmt: skip
    card = score(leak)
    assert card.criterion("verifies_identity").status == "not_applicable"
    assert "no account was discussed" in card.criterion("verifies_identity").feedback
    assert not any("Verifies identity" in c for c in card.caps)
    billed = [*leak[:1], (C, "My gas bill has doubled this month.", None), *leak[2:]]
    owed = score(billed)
    assert owed.criterion("verifies_identity").status == "failed"
    assert "failed: Verifies identity (cap 60)" in owed.caps


def test_a_logged_in_chat_that_already_sees_the_order_is_verified():
    """The agent's first turn sees the order before the caller gave any detail: the caller
    came through the app, so the check is done. Found from a number the caller typed, it
    is a lookup, and the check is still owed."""
    seen = "Hi, I'm Karan from Munchr support, I can see your order from Golden Wok tonight."
    refund = "I've refunded the missing rice, £4.20, back to your card today."
    chat = [(A, seen + " What went wrong?", {"greets": seen, "introduces_self": seen}),
            (C, "half of it is missing", None),
            (A, refund, {"offers_resolution": refund})]  # fmt: skip
    card = score(chat)
    assert card.criterion("verifies_identity").status == "passed"
    assert card.criterion("verifies_identity").evidence[0].quote == seen
    typed = [(C, "order 55120 is missing half of it", None), *chat[:1], chat[2]]
    assert score(typed).criterion("verifies_identity").status == "failed"
    plain = [(A, "Hi, I'm Karan from Munchr support. What went wrong?", None), *chat[1:]]
    assert score(plain).criterion("verifies_identity").status == "failed"


def test_a_chat_that_greets_the_caller_by_a_name_they_never_gave_is_verified():
    """The channel knew who they were ("Hello Tom"); a company name after "Hello," is not a
    caller's name, nor is a name the caller typed first; a plan size is not a lookup detail."""
    fixed = "I've added 5GB to your plan now, it's live straight away."
    rest = [(C, "my data ran out and I'm still in Osaka", None),
            (A, fixed, {"offers_resolution": fixed})]  # fmt: skip

    def first(text: str) -> list:
        return [(A, text, {"greets": text}), *rest]

    greeted = score(first("Hello Tom, welcome to Japan! How can I help?"))
    assert greeted.criterion("verifies_identity").status == "passed"
    assert greeted.criterion("verifies_identity").evidence[0].quote.startswith("Hello Tom")
    company = score(first("Hello, Pacific Union Bank, this is Ian. How can I help?"))
    assert company.criterion("verifies_identity").status == "failed"
    told = score([(C, "hi its Tom here", None), *first("Hello Tom! How can I help?")])
    assert told.criterion("verifies_identity").status == "failed"
    plan = "Hi, Aiko here, I can see your Japan 10GB data plan has run out."
    sized = score([(C, "my 10gb plan is gone already", None), *first(plan)])
    assert sized.criterion("verifies_identity").status == "passed"


def test_a_reference_and_name_given_unasked_are_the_check():
    """The caller opens with their booking reference and surname; the agent takes them and
    makes the change in one turn. A reference alone is not the check, nor is a question asked
    in the same turn as the change (the answer comes after it)."""
    hello = "Good morning, Loch Ferries bookings, Callum speaking."
    moved = "Thanks, Mrs Fraser, I've moved you onto the six o'clock now, no fee."
    given = "Could I move Friday's sailing to the later one? Booking HF 7723 09, surname Fraser."
    lines = [(A, hello, {"greets": hello, "introduces_self": hello}),
             (C, given, None),
             (A, moved + " Anything else?", {"offers_resolution": moved})]  # fmt: skip
    card = score(lines)
    assert card.criterion("verifies_identity").status == "passed"
    assert card.criterion("verifies_identity").evidence[0].quote == moved
    assert not any("Verifies identity" in c for c in card.caps)
    own = "Morning, it's Michelle at Ndlovu and Partners, account NP-2290. Friday's sailing?"
    assert score([lines[0], (C, own, None), lines[2]]).criterion("verifies_identity").status == (
        "passed"
    )
    no_name = [lines[0], (C, "Could I move Friday's sailing? Booking HF 7723 09.", None), lines[2]]
    assert score(no_name).criterion("verifies_identity").status == "failed"
    asked = "Can I take your postcode?"
    done = "I've moved you onto the six o'clock now, no fee."
    found = {"asks_verification": asked, "offers_resolution": done}
    same_turn = [lines[0], (C, "Could I move my booking to the later sailing?", None),
                 (A, f"{asked} {done}", found)]  # fmt: skip
    assert score(same_turn).criterion("verifies_identity").status == "failed"


def test_a_calm_caller_has_no_feeling_to_name_but_naming_one_still_counts():
    """Moving a booking for a calm caller: acknowledging feelings is not applicable; done
    anyway, it passes. An upset caller is owed it."""
    hello = "Good morning, Loch Ferries, Callum speaking."
    moved = "I've moved you onto the six o'clock now."
    calm = [(A, hello, {"greets": hello, "introduces_self": hello}),
            (C, "Could I move Friday's sailing to the later one, please?", None),
            (A, moved, {"offers_resolution": moved})]  # fmt: skip
    card = score(calm)
    assert card.criterion("acknowledges_feelings").status == "not_applicable"
    assert "the caller was calm" in card.criterion("acknowledges_feelings").feedback
    felt = "I can hear it's been a stressful week."
    warm = [
        *calm[:2],
        (A, felt + " " + moved, {"acknowledges_feelings": felt, "offers_resolution": moved}),
    ]
    assert score(warm).criterion("acknowledges_feelings").status == "passed"
    upset = [calm[0], (C, "This is the third time I've rung, I'm sick of it.", None), calm[2]]
    transcript, detections = scripted(*upset)
    detections[1].append(Detection("upset", 1, upset[1][1], 1.0, "pattern"))
    upset_card = score_transcript(transcript, load_rubric(), detections=detections)
    assert upset_card.criterion("acknowledges_feelings").status == "failed"


def test_a_chat_that_reads_out_an_order_the_caller_never_gave_is_verified():
    """The caller typed no number and no name; the agent reads the order out by its number
    (the channel knew them). A ticket the agent has just raised is not that, nor is an order
    found from a name the caller gave."""
    fix = "I'm sending a replacement colony on Tuesday, free of charge."
    chat = [(C, "my bees arrived dead this morning, the box sat at the depot all weekend", None),
            (A, "Hi, Tom here. Let me pull the order up.", None),
            (A, f"Got it, order BW-20931 to Hollins Farm. {fix}",
             {"offers_resolution": fix})]  # fmt: skip
    card = score(chat)
    assert card.criterion("verifies_identity").status == "passed"
    assert card.criterion("verifies_identity").evidence[0].quote.startswith("Got it, order BW")
    raised = [
        *chat[:2],
        (A, f"I've raised ticket TK-44821 for you. {fix}", {"offers_resolution": fix}),
    ]
    assert score(raised).criterion("verifies_identity").status == "failed"
    named = [(C, "hi it's Sarah Jones, my bees arrived dead, the order sat at the depot", None),
             *chat[1:]]  # fmt: skip
    assert score(named).criterion("verifies_identity").status == "failed"
