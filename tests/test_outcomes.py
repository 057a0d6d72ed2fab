"""trainer/outcomes.py: the outcome names, their titles and the agent-ending rule."""

from __future__ import annotations

from trainer.outcomes import (
    ENDED,
    OUTCOME_TITLES,
    OUTCOMES,
    agent_ending,
    ended_before_agent_could_close,
    outcome_title,
)


def test_every_outcome_has_a_title_and_only_ongoing_is_not_ended():
    assert set(OUTCOME_TITLES) == set(OUTCOMES)
    assert set(OUTCOMES) - set(ENDED) == {"ongoing"}
    assert {"resolved", "hung_up", "escalated", "ended_for_abuse", "ended_by_agent",
            "abandoned"} <= set(ENDED)  # fmt: skip
    assert outcome_title("hung_up") == "Caller hung up"
    assert outcome_title(None) == "n/a" and outcome_title("odd_one") == "odd one"


def test_agent_ending_needs_a_warning_in_an_earlier_turn():
    warn, end = {"warns_about_abuse"}, {"ends_call_for_abuse"}
    assert agent_ending([set(), warn, set(), end]) == "ended_for_abuse"
    assert agent_ending([set(), end]) == "ended_by_agent"
    assert agent_ending([warn | end]) == "ended_by_agent"  # warned and cut off in one breath
    assert agent_ending([warn, set()]) == "ended_by_agent"  # End call pressed, no abuse ending
    assert agent_ending([]) == "ended_by_agent"


def test_the_closing_moment_never_came_for_these_endings():
    for outcome in ("hung_up", "ended_for_abuse", "escalated", "abandoned"):
        assert ended_before_agent_could_close(outcome, "agent")
    assert ended_before_agent_could_close("resolved", "customer")
    assert ended_before_agent_could_close("resolved", "agent") is None
    assert ended_before_agent_could_close("ended_by_agent", "customer") is None
    assert ended_before_agent_could_close(None, "customer") is None
