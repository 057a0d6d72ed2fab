"""An emergency call: the rapport and wrap-up criteria are moot, unless done anyway.

A QA lead marks a gas-leak line by how fast the caller was made safe and help sent; the
scorer derives ``emergency_call`` from either side's words (``trainer/scoring/emergency.py``).
"""

from __future__ import annotations

import pytest
from scoring_helpers import A, C, scripted

from trainer.rubric.model import load_rubric
from trainer.scoring.emergency import EMERGENCY_NOTE, emergency_hit
from trainer.scoring.scorer import score_transcript

MOOT = {"restates_issue", "explores_situation", "apologises_when_warranted",
        "confirms_resolution", "offers_further_help"}  # fmt: skip
HELLO = "Gas emergency line, this is Dev."
SAFE = (
    "Don't touch any switches, open the windows and go outside. "
    "An engineer will be there within the hour."
)


def lines(caller: str, extra: tuple | None = None) -> list:
    turns = [
        (A, HELLO + " What's the address?", {"greets": HELLO, "introduces_self": HELLO}),
        (C, caller, {"upset": caller}),
        (A, SAFE, {"gives_clear_next_step": "An engineer will be there within the hour."}),
        (C, "Okay, we're outside.", None),
        (A, "Well done. Stay outside until they arrive. Goodbye.", {"closes": "Goodbye."}),
    ]
    return turns if extra is None else [*turns[:2], extra, *turns[2:]]


def score(turns):
    transcript, detections = scripted(*turns)
    return score_transcript(transcript, load_rubric(), detections=detections, outcome="resolved")


@pytest.mark.parametrize(
    ("text", "danger"),
    [
        ("I can smell gas in the kitchen, it's really strong.", True),
        ("My dog's eaten a whole bar of dark chocolate.", True),
        ("We've broken down on the motorway with the kids.", True),
        ("If anyone feels unwell, ring 999.", True),
        ("My gas bill has gone up again.", False),
        ("The fire alarm test is on Tuesday.", False),
        ("Can you send me the claim form?", False),
        ("She's got into university, so the account moves to her name.", False),
        ("He's swallowed one of the batteries from the remote.", True),
        # a fall on a pendant-alarm line; an ambulance called
        ("I've gone over in the kitchen and I can't get up.", True),
        ("I'm ringing for an ambulance for you now.", True),
        ("The price has fallen since I ordered.", False),
        ("I've gone over my data allowance again.", False),
        ("She's fallen behind on the rent since March.", False),
        ("The ambulance bill from last year is still on my account.", False),
    ],
)
def test_danger_is_read_from_either_side(text, danger):
    for speakers, texts in ((["agent", "customer"], [HELLO, text]), (["agent"], [text])):
        hit = emergency_hit(speakers, texts)
        assert (hit is not None) is danger
        assert hit is None or (hit.speaker, hit.turn) == ("agent", 0)  # an agent signal


def test_on_an_emergency_call_rapport_and_wrap_up_are_moot_with_a_note():
    card = score(lines("I can smell gas in the kitchen, it's really strong."))
    assert {i: card.criterion(i).status for i in MOOT} == dict.fromkeys(MOOT, "not_applicable")
    assert card.criterion("explores_situation").feedback == f"Not applicable - {EMERGENCY_NOTE}."
    assert card.criterion("clear_next_step").status == "passed"  # the help sent is graded
    plain = score(lines("My gas bill has gone up and I want to know why."))
    assert plain.criterion("explores_situation").status == "failed"
    assert plain.criterion("apologises_when_warranted").status == "failed"
    assert card.overall > plain.overall


def test_done_anyway_on_an_emergency_call_still_passes():
    asked = "How strong is the smell, and is anyone feeling unwell?"
    card = score(lines("I can smell gas in the kitchen.", (A, asked, {"explores": asked})))
    assert card.criterion("explores_situation").status == "passed"
    assert card.criterion("restates_issue").status == "not_applicable"
