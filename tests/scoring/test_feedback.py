"""Feedback about this call: the persona's phrasing, the trainee's own words, the right turn."""

from __future__ import annotations

from scoring_helpers import A, C, scripted

from trainer.rubric.model import load_rubric
from trainer.scoring.feedback import Coaching, quote
from trainer.scoring.scorer import score_transcript

LINES = [
    (C, "Three weeks and nobody's been out.", {"upset": "Three weeks and nobody's been out."}),
    (A, "Hi, you're speaking with Kofi. What's the claim reference?", None),
    (C, "CLM-58812.", None),
    (A, "Okay. Um, let me see.", None),
    (C, "Well?", None),
    (A, "I've booked the assessor for Friday between 9 and 1. Right then.", None),
]


def score(coaching=None, lines=LINES):
    transcript, detections = scripted(*lines)
    return score_transcript(
        transcript, load_rubric(), detections=detections, outcome="ended_by_agent",
        coaching=coaching,
    )  # fmt: skip


def test_the_generic_example_is_filled_from_this_call():
    card = score(Coaching(company="Meridian Home Insurance"))
    greeting = card.criterion("greets_with_name_and_company").feedback
    assert greeting.endswith(
        'Here, for example: "Good morning, Meridian Home Insurance, this is Kofi. How can I help?"'
    )


def test_the_personas_own_example_wins_over_the_rubrics():
    mine = "Three weeks with a bucket under the leak - I can see why you're fed up."
    card = score(Coaching(examples={"acknowledges_feelings": mine}))
    assert card.criterion("acknowledges_feelings").feedback.endswith(f'"{mine}"')
    generic = score().criterion("acknowledges_feelings").feedback
    assert mine not in generic and "I can hear how frustrating" in generic


def test_the_quoted_turn_is_the_one_the_criterion_is_about():
    card = score()
    opening = card.criterion("greets_with_name_and_company").evidence
    closing = card.criterion("closes_call").evidence
    assert [(e.turn, e.quote) for e in opening] == [(1, "Hi, you're speaking with Kofi.")]
    assert [(e.turn, e.quote) for e in closing] == [(5, "Right then.")]
    assert (opening[0].signal, closing[0].score) == (None, None)  # a line looked at, not a hit
    # a failed forbid quotes the offending sentence, once
    rude = [*LINES[:3], (A, "Calm down. Calm down.", {"says_calm_down": "Calm down."}), *LINES[4:]]
    calm = score(lines=rude).criterion("no_calm_down")
    assert [e.quote for e in calm.evidence] == ["Calm down."]


def test_quotes_are_one_line_and_bounded():
    assert quote("a\n  b") == "a b"
    long = quote("word " * 60)
    assert len(long) == 140 and long.endswith("…")
