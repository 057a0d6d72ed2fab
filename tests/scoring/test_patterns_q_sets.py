"""Patterns written from the misses of the held-out writers' sets once they became dev data
(Q4-q8, issue 10): each line below is this file's own wording of a shape those sets showed,
beside the near-misses the patterns must leave alone. Patterns only: no model."""

from __future__ import annotations

import pytest
from scoring_helpers import needs_minilm

from trainer.scoring.context_signals import short_instruction
from trainer.scoring.signals import SignalAnalyzer


@pytest.fixture(scope="module")
def analyzer() -> SignalAnalyzer:
    return SignalAnalyzer.default()


CASES = [
    # confirms_resolution: a yes/no question about the fix's effect, try it and say, all set
    ("confirms_resolution", "Is the app opening for you now?", True),
    ("confirms_resolution", "Has the refund landed in your account yet?", True),
    (
        "confirms_resolution",
        "Could you try the card again now and tell me if it goes through?",
        True,
    ),
    ("confirms_resolution", "Did the voucher work this time?", True),
    ("confirms_resolution", "So you've got the new PIN through?", True),
    ("confirms_resolution", "Are we all sorted with the booking then?", True),
    ("confirms_resolution", "Is the light flashing or solid right now?", False),
    ("confirms_resolution", "Did anything change on your side last week?", False),
    ("confirms_resolution", "Has an engineer been out to you yet?", False),
    # insults_customer: talking down by comparison, "beyond you", sarcasm at a caller in trouble
    ("insults_customer", "Honestly, my nan could do this with her eyes shut.", True),
    ("insults_customer", "Maybe get your grandkids to set it up for you.", True),
    ("insults_customer", "I'll use small words this time.", True),
    ("insults_customer", "How hard can it be to tick a box?", True),
    ("insults_customer", "It's a flat tyre, it's not a holiday.", True),
    ("insults_customer", "You're not stupid at all, the form is confusing.", False),
    ("insults_customer", "I won't accept being called an idiot, Mr Shaw.", False),
    ("insults_customer", "Go and get the kids and wait outside for me.", False),
    # dismissive: tautologies, no point calling, out of my hands, minimising, final
    ("dismissive", "Look, a fee's a fee.", True),
    ("dismissive", "There's no point ringing back about it.", True),
    ("dismissive", "It's out of my hands, you'd have to ask the venue.", True),
    ("dismissive", "You're not the only customer waiting, you know.", True),
    ("dismissive", "Sorry you feel that way.", True),
    ("dismissive", "Chasing won't make the van come any faster.", True),
    ("dismissive", "It's out of my hands, but I'll escalate it to the venue today.", False),
    ("dismissive", "No problem, it happens, let's get it fixed.", False),
    # blames_customer: down to you, you did pick it, supposed to, asking for trouble
    ("blames_customer", "So the late fee's down to you, I'm afraid.", True),
    ("blames_customer", "Well, you did pick the cheapest tariff.", True),
    ("blames_customer", "You were supposed to send the form back within ten days.", True),
    ("blames_customer", "Leaving the window open in a storm is asking for trouble.", True),
    ("blames_customer", "None of this is down to you.", False),
    ("blames_customer", "It's been really hard on you, I know.", False),
    ("blames_customer", "So you booked the 9am slot, which is why you were waiting in?", False),
    # takes_ownership: the company's or the agent's own fault said plainly
    ("takes_ownership", "That one's ours, I'm sorry.", True),
    ("takes_ownership", "That's on our end, not yours.", True),
    ("takes_ownership", "Our system error, I've fixed it now.", True),
    ("takes_ownership", "The delay was down to me.", True),
    ("takes_ownership", "It's not my fault the pipe burst.", False),
    ("takes_ownership", "So you're saying it's our fault?", False),
    # acknowledges_feelings: the caller's feeling named in plain words
    ("acknowledges_feelings", "Three weeks of that, I'd be fuming too.", True),
    ("acknowledges_feelings", "Honestly, that would rattle anyone.", True),
    ("acknowledges_feelings", "Oh, that's so scary when the alarm goes off at night.", True),
    ("acknowledges_feelings", "You're allowed to be cross about this.", True),
    ("acknowledges_feelings", "I can imagine, with a wedding to organise as well.", True),
    ("acknowledges_feelings", "It's really hard to say without seeing the meter.", False),
    ("acknowledges_feelings", "What's the main thing you're worried about?", False),
    ("acknowledges_feelings", "The price isn't awful for a two-year deal.", False),
    # introduces_self: a name with an accent
    ("introduces_self", "Good afternoon, Kilbride Fuels, Siobhán speaking.", True),
    ("introduces_self", "Hi, I'm Zoë, from the bookings team.", True),
    # q10's misses: ownership said without "fault" or "mistake"; blame by what the caller did;
    # an offer of someone senior by any title
    ("takes_ownership", "You're right, the bill went out twice, that's our error.", True),
    ("takes_ownership", "That'll be our installer's slip, sorry.", True),
    ("takes_ownership", "Honestly, we messed it up.", True),
    ("takes_ownership", "The late fee was applied in error, I've taken it off.", True),
    ("takes_ownership", "So you're saying it's our error?", False),
    ("blames_customer", "That's the colour you picked, though.", True),
    ("blames_customer", "Tenants are expected to bleed their own radiators.", True),
    ("blames_customer", "It was on the consent form you signed.", True),
    ("blames_customer", "You did say the 20th, I've got that noted.", False),
    ("offers_escalation", "Do you want me to get the site manager to give you a ring?", True),
    ("offers_escalation", "I'm bringing my supervisor onto the call now.", False),
    # o13's calls: a feeling named by a plain adjective; a warning that quotes the insult
    ("acknowledges_feelings", "Oh no, that's a miserable thing to open.", True),
    ("insults_customer", "I need you to stop calling us idiots.", False),
    ("blames_customer", "So that's on ye, really.", True),
    ("dismissive", "You're not special, we've had forty calls today.", True),
    ("insults_customer", "Happy now?", True),
    ("insults_customer", "Are you happy now with the new date?", False),
    # gives_clear_next_step: who calls whom and when
    ("gives_clear_next_step", "She'll ring you when the van is ten minutes away.", True),
    ("gives_clear_next_step", "Your surveyor is due to call you before five.", True),
    ("gives_clear_next_step", "The assessor will call you tomorrow morning to book it in.", True),
    ("gives_clear_next_step", "I'll chase them myself this afternoon.", True),
    ("gives_clear_next_step", "I'm booking a plumber for Thursday morning.", True),
    ("gives_clear_next_step", "If you like, I'll chase them this afternoon.", False),
    # stop 28: when something reaches the caller; a rate offered; a bare ask; policy as the answer
    (
        "gives_clear_next_step",
        "You'll get a letter with the new amount within five working days.",
        True,
    ),
    ("gives_clear_next_step", "You'll have the refund by Friday, I promise.", False),
    ("gives_clear_next_step", "You'll get it in two days if the depot has it.", False),
    ("offers_resolution", "I can put you on our loyalty rate for the next twelve months.", True),
    ("offers_resolution", "I can't put you on the old tariff, I'm afraid.", False),
    ("asks_verification", "Right. Claim number.", True),
    ("asks_verification", "Okay mate, what name's the booking under?", True),
    ("dismissive", "That's policy, I can't just reopen it.", True),
    ("dismissive", "I can't help you with that one, sorry.", True),
    ("dismissive", "I can't help with that, but my colleague in billing can.", False),
    ("blames_customer", "If you'd been told properly, you wouldn't have had to ring.", False),
]


@pytest.mark.parametrize(("signal", "text", "fires"), CASES)
def test_pattern(analyzer: SignalAnalyzer, signal: str, text: str, fires: bool) -> None:
    assert (signal in analyzer.pattern_signals(text, "agent")) is fires


def test_the_blame_patterns_leave_a_restating_question_alone(analyzer: SignalAnalyzer) -> None:
    line = "So you bought the travel add-on, and you still got charged, which is why it's £186?"
    assert "blames_customer" not in analyzer.pattern_signals(line, "agent")


@pytest.mark.parametrize(
    ("sentence", "vetoed"),
    [("Just get out.", True), ("Don't sit in it.", True), ("Stay behind the barrier.", True),
     ("Whatever, not my problem.", False), ("Don't shout at me like that, it won't help.", False),
     ("It's a breakdown, love.", False)],
)  # fmt: skip
def test_a_short_instruction_is_no_brush_off(sentence: str, vetoed: bool) -> None:
    assert short_instruction(sentence) is vetoed


@pytest.mark.minilm
@needs_minilm
@pytest.mark.parametrize(
    ("text", "signal"),
    [("Thank you for telling me that, it is not an easy thing to write.", "insults_customer"),
     ("Good question, sorry, I don't know.", "dismissive"),
     ("I'll be gentle with her, I promise.", "over_promises"),
     ("Whichever's easiest for you.", "insults_customer")],
)  # fmt: skip
def test_a_veto_stops_a_head_on_kind_words(analyzer: SignalAnalyzer, text: str, signal: str):
    assert signal not in {d.signal for d in analyzer.analyse_turn(text, "agent")}
