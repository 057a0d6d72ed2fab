"""EPITOME levels (emotional reactions, interpretations, explorations): none / weak / strong."""

from __future__ import annotations

import pytest
from scoring_helpers import GOOD_CALL, scripted

from trainer.rubric.model import load_rubric
from trainer.scoring.call_view import Hit
from trainer.scoring.empathy import content_words, epitome, is_specific, level_value
from trainer.scoring.scorer import score_transcript

CUSTOMER = "My internet has been dead since Monday and I work from home."


def test_content_words_drop_stop_words_and_stock_empathy_words():
    assert content_words("I'm so sorry, I understand how you feel.") == set()
    assert content_words("Your internet's been down since Monday") == {"internet", "monday"}
    assert content_words("booked booking books") == {"book"}


def test_specific_means_echoing_what_the_customer_said():
    assert is_specific("I'm sorry your internet has been down since Monday.", CUSTOMER)
    assert not is_specific("I'm so sorry to hear that, I understand how you feel.", CUSTOMER)


def _levels(agent_sentence: str, signal: str) -> dict:
    hits = [Hit(1, "agent", signal, agent_sentence, 1.0)]
    return epitome(["customer", "agent"], [CUSTOMER, agent_sentence], hits)


@pytest.mark.parametrize(
    ("signal", "mechanism"),
    [("acknowledges_feelings", "emotional_reactions"), ("apologises", "emotional_reactions"),
     ("restates_issue", "interpretations"), ("explores", "explorations")],
)  # fmt: skip
def test_each_mechanism_strong_when_specific_weak_when_generic(signal, mechanism):
    strong = _levels("So working from home without internet since Monday is hard?", signal)
    weak = _levels("Can you tell me more about that?", signal)
    assert strong["turns"][0][mechanism] == "strong" and strong["call"][mechanism] == "strong"
    assert weak["turns"][0][mechanism] == "weak" and weak["call"][mechanism] == "weak"
    others = set(strong["call"]) - {mechanism}
    assert {strong["call"][m] for m in others} == {"none"}


def test_call_level_is_the_highest_turn_level_and_only_recent_customer_turns_count():
    speakers = ["customer", "agent", "customer", "customer", "agent"]
    texts = [CUSTOMER, "I'm sorry to hear that.", "Yes.", "Okay then.", "Monday was awful, sorry."]
    hits = [Hit(1, "agent", "apologises", texts[1], 1.0),
            Hit(4, "agent", "apologises", texts[4], 1.0)]  # fmt: skip
    result = epitome(speakers, texts, hits)
    assert [t["emotional_reactions"] for t in result["turns"]] == ["weak", "weak"]
    texts[3] = "Since Monday."
    result = epitome(speakers, texts, hits)
    assert [t["emotional_reactions"] for t in result["turns"]] == ["weak", "strong"]
    assert result["call"]["emotional_reactions"] == "strong"
    assert result["framework"] == "EPITOME"


def test_scorecard_carries_epitome_levels():
    transcript, detections = scripted(*GOOD_CALL)
    card = score_transcript(transcript, load_rubric(), detections=detections)
    # "What do the lights on the router show?" echoes nothing the caller said: weak.
    assert card.empathy["call"] == {
        "emotional_reactions": "strong", "interpretations": "strong", "explorations": "weak",
    }  # fmt: skip
    assert [t["turn"] for t in card.empathy["turns"]] == [0, 2, 4, 6, 8, 10]


def test_level_values():
    assert [level_value(x) for x in ("none", "Weak", "STRONG", 0, 2, True, False)] == [
        0, 1, 2, 0, 2, 2, 0,
    ]  # fmt: skip
    with pytest.raises(ValueError, match="must be none, weak or strong"):
        level_value("medium")
    with pytest.raises(ValueError, match="must be 0, 1 or 2"):
        level_value(3)
