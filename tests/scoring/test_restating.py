"""Restating the caller's problem, read by structure (no model)."""

from __future__ import annotations

import pytest

from trainer.scoring.restating import content_stems, restates

CONTEXT = "My broadband's been down since Monday and two engineers didn't turn up."


@pytest.mark.parametrize(
    "sentence",
    [
        "So the broadband's been down since Monday, and two engineers never turned up?",
        "If I've followed you, the broadband is down since Monday and the engineers didn't come.",
        "What I'm hearing is the broadband's down since Monday and two engineers were no-shows.",
        "Just to check I've got this: down since Monday, and both engineers didn't turn up.",
        "so ur saying broadband is down since monday n 2 engineers didnt turn up? just checking",
        "Okay, broadband down since Monday, two engineers that didn't turn up.",
    ],
)
def test_a_restatement_in_any_frame_fires(sentence: str) -> None:
    assert restates(sentence, CONTEXT)


@pytest.mark.parametrize(
    "sentence",
    [
        # a guess at the cause
        "So it's probably the router, the broadband down since Monday happens with that model.",
        # an instruction
        "Try restarting the broadband router since Monday's update.",
        # a question about something new
        "So when did the broadband first go down, before Monday?",
        # the agent's own action
        "I've booked two engineers for Monday to look at the broadband.",
        "I've taken the block off the broadband now, so two engineers can test it Monday.",
        "I've reset the broadband line since Monday's fault, so the engineers needn't come.",
        # unrelated words
        "So you're calling about your gas bill, is that right?",
        # the right frame after an unrelated line
    ],
)
def test_not_a_restatement(sentence: str) -> None:
    assert not restates(sentence, CONTEXT)


def test_needs_the_callers_words() -> None:
    sentence = "So the broadband's been down since Monday and two engineers didn't turn up?"
    assert not restates(sentence, "I'd like to change my delivery address, please.")
    assert not restates(sentence, "")
    assert not restates(sentence, "Has my broadband been down since Monday?")  # a question


def test_a_detail_read_back_is_not_the_problem_restated() -> None:
    assert not restates("That's LS6 3HF, yes?", "It's LS6 3HF.")


def test_reported_speech_needs_more_than_the_quote() -> None:
    context = "Someone told me to just relax and wait."
    assert not restates("Got it, so you were told to just relax and wait.", context)


def test_stems_match_inflections_numbers_and_days() -> None:
    assert content_stems("charged twice on Monday") & content_stems("two charges, monday")
    assert {"2", "monday"} <= content_stems("twice on Monday") | content_stems("2")
