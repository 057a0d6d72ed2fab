"""The analyser's structural context rules (``given_details``, ``restating``) with the real
MiniLM and the shipped heads: what the rules add, and what they must not fire on."""

from __future__ import annotations

import pytest

from trainer.rubric.model import load_rubric
from trainer.scoring import SignalAnalyzer

ASKS, RESTATES = "asks_already_given_info", "restates_issue"


@pytest.fixture(scope="module")
def analyzer() -> SignalAnalyzer:
    return SignalAnalyzer.default()


@pytest.fixture(scope="module")
def without_rules() -> SignalAnalyzer:
    return SignalAnalyzer(load_rubric().signals, context_rules=False)


def signals(found: list) -> set[str]:
    return {d.signal for d in found}


CALL = [
    ("customer", "Hi, my account number is 4456 7789 and my bill has doubled."),
    ("agent", "Sorry to hear that, let me have a look."),
    ("customer", "It's gone from 40 to 80 pounds and nobody told me why."),
    ("agent", "Okay. Can I take your account number please?"),
]


def test_a_detail_given_turns_ago_and_asked_for_again_fires(
    analyzer: SignalAnalyzer, without_rules: SignalAnalyzer
) -> None:
    found = analyzer.analyse_turns(CALL)[3]
    assert ASKS in signals(found)
    assert [d.method for d in found if d.signal == ASKS] == ["context"]
    assert ASKS not in signals(without_rules.analyse_turns(CALL)[3])  # the rule, not the head
    # analyse_turn (one turn at a time) takes the same earlier lines
    live = analyzer.analyse_turn(CALL[3][1], "agent", 3, CALL[2][1], earlier=[CALL[0][1]])
    assert ASKS in signals(live)


def test_a_detail_asked_for_once_does_not_fire(analyzer: SignalAnalyzer) -> None:
    call = [("customer", "My bill has doubled this month."), CALL[3]]
    assert ASKS not in signals(analyzer.analyse_turns(call)[1])


def test_a_read_back_is_not_asking_again(analyzer: SignalAnalyzer) -> None:
    found = analyzer.analyse_turn("Lovely, that's LS6 3HF, yes?", "agent", context="It's LS6 3HF.")
    assert not signals(found) & {ASKS, RESTATES}


def test_a_restatement_in_a_new_frame_fires(
    analyzer: SignalAnalyzer, without_rules: SignalAnalyzer
) -> None:
    context = "The app keeps logging me out when I try to pay my bill."
    text = "Okay, the app logs you out every time you try to pay the bill, yeah?"
    assert RESTATES in signals(analyzer.analyse_turn(text, "agent", context=context))
    assert RESTATES not in signals(analyzer.analyse_turn(text, "agent", context="Hello?"))
    found = without_rules.analyse_turn(text, "agent", context=context)
    assert not [d for d in found if d.signal == RESTATES and d.method == "context"]


def test_a_guess_at_the_cause_is_not_a_restatement(analyzer: SignalAnalyzer) -> None:
    context = "The app keeps logging me out when I try to pay my bill."
    text = "So it's probably the app needing an update, it logs people out when they pay."
    assert RESTATES not in signals(analyzer.analyse_turn(text, "agent", context=context))
