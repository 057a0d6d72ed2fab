"""Each rule kind over hand-built signal hits: status, score, evidence, not-applicable."""

from __future__ import annotations

import pytest

from trainer.rubric.criteria import AppliesWhen, Criterion, Forbids, Requires, When
from trainer.scoring.call_view import CallView, Hit
from trainer.scoring.rules import (
    applies,
    evaluate_criterion,
    evaluate_forbids,
    evaluate_requires,
    evaluate_when,
)

# customer, agent, customer, agent, ... : agent turns are 1, 3, 5, 7 (agent numbers 1..4)
SPEAKERS = ["customer", "agent"] * 4


def view(*hits: tuple[int, str], speakers: list[str] = SPEAKERS) -> CallView:
    """A call whose turn ``t`` shows ``signal`` in the sentence ``"s<t> <signal>"``."""
    texts = [f"turn {i}" for i in range(len(speakers))]
    return CallView(
        speakers,
        texts,
        [Hit(t, speakers[t], sig, f"s{t} {sig}", 1.0) for t, sig in hits],
    )


def test_requires_passes_with_evidence_and_fails_without():
    passed = evaluate_requires(Requires(signal="greets"), view((1, "greets")))
    assert (passed.status, passed.score) == ("passed", 1.0)
    assert [h.sentence for h in passed.evidence] == ["s1 greets"]
    failed = evaluate_requires(Requires(signal="greets"), view((1, "closes")))
    assert (failed.status, failed.score, failed.evidence) == ("failed", 0.0, ())
    assert failed.reason == "no greets"


def test_requires_any_of_a_list():
    rule = Requires(signal=["offers_resolution", "transfers_to_supervisor"])
    assert evaluate_requires(rule, view((5, "transfers_to_supervisor"))).status == "passed"


def test_min_count_counts_turns_and_gives_partial_credit():
    rule = Requires(signal="acknowledges_feelings", min_count=2)
    one = evaluate_requires(rule, view((1, "acknowledges_feelings")))
    assert (one.status, one.score) == ("failed", 0.5)
    assert one.reason == "only 1 of the 2 turns needed"
    two = evaluate_requires(rule, view((1, "acknowledges_feelings"), (3, "acknowledges_feelings")))
    assert (two.status, two.score) == ("passed", 1.0)


def test_min_count_two_sentences_in_one_turn_count_once():
    v = CallView(
        SPEAKERS,
        ["t"] * 8,
        [Hit(1, "agent", "acknowledges_feelings", s, 1.0) for s in ("I hear you.", "I get it.")],
    )
    assert evaluate_requires(Requires(signal="acknowledges_feelings", min_count=2), v).score == 0.5


def test_within_first_fails_on_a_late_greeting_and_quotes_it():
    rule = Requires(signal="greets", within_first=1)
    late = evaluate_requires(rule, view((3, "greets")))
    assert late.status == "failed"
    assert late.reason == "not in your first turn"
    assert [h.turn for h in late.evidence] == [3]  # the misplaced greeting is quoted
    assert evaluate_requires(rule, view((1, "greets"))).status == "passed"
    two = Requires(signal="greets", within_first=2)
    assert evaluate_requires(two, view((3, "greets"))).status == "passed"


def test_within_last():
    rule = Requires(signal="closes", within_last=1)
    assert evaluate_requires(rule, view((7, "closes"))).status == "passed"
    early = evaluate_requires(rule, view((5, "closes")))
    assert (early.status, early.reason) == ("failed", "not in your last turn")


def test_before_another_signal():
    rule = Requires(signal="asks_verification", before="gives_clear_next_step")
    ok = view((1, "asks_verification"), (3, "gives_clear_next_step"))
    assert evaluate_requires(rule, ok).status == "passed"
    late = view((5, "asks_verification"), (3, "gives_clear_next_step"))
    assert evaluate_requires(rule, late).status == "failed"
    same_turn = view((3, "asks_verification"), (3, "gives_clear_next_step"))
    assert evaluate_requires(rule, same_turn).status == "failed"
    # Without the anchor there is nothing to be early for: presence is enough.
    assert evaluate_requires(rule, view((5, "asks_verification"))).status == "passed"
    assert evaluate_requires(rule, view()).status == "failed"


def test_after_another_signal_is_not_applicable_without_it():
    rule = Requires(
        signal="confirms_resolution", after=["offers_resolution", "gives_clear_next_step"]
    )
    na = evaluate_requires(rule, view((7, "confirms_resolution")))
    assert (na.status, na.score) == ("not_applicable", None)
    assert na.reason == "offers_resolution or gives_clear_next_step never happened"
    ok = view((3, "gives_clear_next_step"), (5, "confirms_resolution"))
    assert evaluate_requires(rule, ok).status == "passed"
    early = view((1, "confirms_resolution"), (3, "offers_resolution"))
    assert evaluate_requires(rule, early).status == "failed"


def test_requires_ignores_customer_hits():
    # A customer sentence that looks like an apology earns the agent nothing.
    v = CallView(["customer", "agent"], ["x", "y"], [Hit(0, "customer", "apologises", "sorry", 1)])
    assert evaluate_requires(Requires(signal="apologises"), v).status == "failed"


def test_forbids():
    assert evaluate_forbids(Forbids(signal="says_calm_down"), view()).status == "passed"
    bad = evaluate_forbids(Forbids(signal="says_calm_down"), view((3, "says_calm_down")))
    assert (bad.status, bad.score) == ("failed", 0.0)
    assert [h.sentence for h in bad.evidence] == ["s3 says_calm_down"]
    either = Forbids(signal=["blames_customer", "dismissive"])
    assert evaluate_forbids(either, view((5, "dismissive"))).status == "failed"


RULE = When(
    customer_signal="demands_supervisor",
    then=["offers_escalation", "transfers_to_supervisor"],
    within=2,
)


def test_when_not_applicable_if_the_customer_never_asked():
    outcome = evaluate_when(RULE, view((1, "offers_escalation")))
    assert (outcome.status, outcome.score) == ("not_applicable", None)
    assert outcome.reason == "the customer never showed demands_supervisor"


def test_when_answered_within_the_window():
    ok = evaluate_when(RULE, view((2, "demands_supervisor"), (5, "offers_escalation")))
    assert (ok.status, ok.score) == ("passed", 1.0)
    assert [(h.speaker, h.turn) for h in ok.evidence] == [("customer", 2), ("agent", 5)]


def test_when_answered_too_late_fails_and_quotes_the_customer():
    late = evaluate_when(RULE, view((0, "demands_supervisor"), (5, "offers_escalation")))
    assert (late.status, late.score) == ("failed", 0.0)
    assert late.evidence[0].speaker == "customer"
    assert late.reason == "no offers_escalation or transfers_to_supervisor within 2 turns"


def test_when_scores_the_share_of_requests_answered():
    v = view((0, "demands_supervisor"), (1, "offers_escalation"), (4, "demands_supervisor"))
    outcome = evaluate_when(RULE, v)
    assert (outcome.status, outcome.score) == ("failed", 0.5)


def test_when_ignores_a_request_the_agent_had_no_turn_to_answer():
    speakers = ["agent", "customer"]
    assert evaluate_when(RULE, view((1, "demands_supervisor"), speakers=speakers)).status == (
        "not_applicable"
    )


def test_when_trigger_must_come_from_the_customer():
    v = CallView(SPEAKERS, ["x"] * 8, [Hit(1, "agent", "demands_supervisor", "manager?", 1)])
    assert evaluate_when(RULE, v).status == "not_applicable"


def test_applies_when():
    cond = AppliesWhen(customer_signal=["curses", "insults_agent"])
    assert applies(cond, view()) == "the customer never showed curses or insults_agent"
    assert applies(cond, view((2, "insults_agent"))) is None
    assert applies(AppliesWhen(agent_signal="ends_call_for_abuse"), view()) == (
        "the agent never showed ends_call_for_abuse"
    )
    unless = AppliesWhen(unless_signal=["transfers_to_supervisor", "ends_call_for_abuse"])
    assert applies(unless, view()) is None
    assert applies(unless, view((5, "ends_call_for_abuse"))) == (
        "the call showed ends_call_for_abuse"
    )
    short = AppliesWhen(min_agent_turns=5)
    assert applies(short, view()) == "the call had fewer than 5 agent turns"
    assert applies(None, view()) is None


def _criterion(**rules) -> Criterion:
    return Criterion(
        id="c", category="protocol", description="d", feedback={"pass": "p", "fail": "f"}, **rules
    )


def test_criterion_not_applicable_when_its_condition_never_arose():
    c = _criterion(
        applies_when={"customer_signal": "insults_agent"},
        requires={"signal": "warns_about_abuse", "before": "ends_call_for_abuse"},
    )
    assert evaluate_criterion(c, view()).status == "not_applicable"
    failed = evaluate_criterion(c, view((2, "insults_agent")))
    assert (failed.status, failed.score) == ("failed", 0.0)
    ok = evaluate_criterion(c, view((2, "insults_agent"), (3, "warns_about_abuse")))
    assert (ok.status, ok.score) == ("passed", 1.0)


def test_criterion_score_is_the_mean_of_its_applicable_rules():
    c = _criterion(
        requires=[{"signal": "greets", "within_first": 1}, {"signal": "introduces_self"}],
        when={"customer_signal": "demands_supervisor", "then": "offers_escalation"},
    )
    half = evaluate_criterion(c, view((1, "greets")))
    assert (half.status, half.score) == ("failed", 0.5)  # `when` not applicable: left out
    assert evaluate_criterion(c, view((1, "greets"), (3, "introduces_self"))).status == "passed"


@pytest.mark.parametrize("bad", [{"within_first": 0}, {"min_count": 0}])
def test_rule_bounds(bad):
    with pytest.raises(ValueError):
        Requires(signal="greets", **bad)
