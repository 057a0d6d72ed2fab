"""The ranked set: the scorer orders hand-written calls the way a QA lead did.

``data/scoring/ranked_calls.jsonl`` was written, and marked by a QA lead, before any
call in it was scored (see ``data/scoring/README.md``). These tests run the real
analyser on it: Kendall's tau-b against the lead's marks, no rude call above a decent
one, and the abuse-policy call handled by the book at 80 or more. Issue 12 asks for
tau-b >= 0.8: with critical errors, confident caps, lapse caps (``caps.py``) and unheard
criteria at half credit the scorer reaches 0.878 on this (tuned-on) set; the floor is the
issue's 0.8, which leaves room for analyser changes (docs/scoring.md section 5 has the
held-out figures). ``ranked_calls_holdout_n.jsonl``, an outside writer's set scored once
(tau-b 0.58, two rude-above-decent pairs), is checked for its form only: it is the measure,
not a floor to fit to.
"""

from __future__ import annotations

import json
from functools import lru_cache

import pytest
from scoring_helpers import needs_minilm

from trainer.paths import default_personas_dir, repo_root
from trainer.personas.loading import load_personas
from trainer.scoring.ranking import kendall_tau_b, load_ranked_calls, score_ranked

RANKED = repo_root() / "data" / "scoring" / "ranked_calls.jsonl"
HELD_OUT = repo_root() / "data" / "scoring" / "ranked_calls_holdout.jsonl"
HELD_OUT_N = repo_root() / "data" / "scoring" / "ranked_calls_holdout_n.jsonl"


@lru_cache(maxsize=2)
def _scored(path=RANKED):
    calls = load_ranked_calls(path)
    personas = load_personas(default_personas_dir()).personas
    return calls, score_ranked(calls, {i: p.mood.start for i, p in personas.items()})


def test_the_ranked_set_is_what_the_issue_asks_for():
    calls = load_ranked_calls(RANKED)
    assert len(calls) >= 30
    assert len({c.industry for c in calls}) >= 6
    kinds = {c.kind for c in calls}
    assert {"nervous_decent", "robotic_correct", "warm_useless", "rude", "stuffed",
            "abuse_handled"} <= kinds  # fmt: skip
    assert {c.group for c in calls} == {"decent", "rude", "other"}
    assert all(c.rationale and 0 <= c.qa_score <= 100 for c in calls)
    ranks = sorted(calls, key=lambda c: c.qa_rank)
    assert [c.qa_score for c in ranks] == sorted((c.qa_score for c in calls), reverse=True)


@pytest.mark.parametrize("path", [HELD_OUT, HELD_OUT_N], ids=["held-out", "held-out-n"])
def test_the_held_out_sets_are_well_formed_and_apart_from_the_ranked_set(path):
    calls = load_ranked_calls(path)
    assert len(calls) >= 12
    assert {"decent", "rude"} <= {c.group for c in calls}
    assert all(c.rationale and 0 <= c.qa_score <= 100 for c in calls)
    ranks = sorted(calls, key=lambda c: c.qa_rank)
    assert [c.qa_score for c in ranks] == sorted((c.qa_score for c in calls), reverse=True)
    assert not {c.id for c in calls} & {c.id for c in load_ranked_calls(RANKED)}


def test_kendall_tau_b():
    assert kendall_tau_b([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert kendall_tau_b([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert kendall_tau_b([1, 2, 3], [1, 3, 2]) == pytest.approx(1 / 3)
    # ties: tau-b of x with ties against itself is still 1
    assert kendall_tau_b([1, 1, 2, 3], [1, 1, 2, 3]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="3 values against 2"):
        kendall_tau_b([1, 2, 3], [1, 2])


def test_a_broken_line_names_the_file_and_line(tmp_path):
    good = RANKED.read_text(encoding="utf-8").splitlines()[0]
    broken = json.loads(good)
    del broken["qa_score"]
    path = tmp_path / "ranked.jsonl"
    path.write_text(good + "\n" + json.dumps(broken) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"ranked\.jsonl:2: 'qa_score'"):
        load_ranked_calls(path)


@needs_minilm
@pytest.mark.minilm
def test_the_scorer_orders_calls_like_the_qa_lead():
    calls, cards = _scored()
    assert all(cards[c.id].overall is not None for c in calls)
    tau = kendall_tau_b([c.qa_score for c in calls], [cards[c.id].overall for c in calls])
    assert tau >= 0.8, f"Kendall tau-b {tau:.3f} < 0.8"


@needs_minilm
@pytest.mark.minilm
@pytest.mark.parametrize("path", [RANKED, HELD_OUT], ids=["ranked", "held-out"])
def test_no_rude_call_outranks_a_decent_one(path):
    calls, cards = _scored(path)
    rude = [c for c in calls if c.group == "rude"]
    decent = [c for c in calls if c.group == "decent"]
    assert rude and decent
    above = [
        (r.id, cards[r.id].overall, d.id, cards[d.id].overall)
        for r in rude
        for d in decent
        if cards[r.id].overall >= cards[d.id].overall
    ]
    assert above == []


@needs_minilm
@pytest.mark.minilm
def test_the_abuse_policy_call_handled_by_the_book_scores_80_or_more():
    calls, cards = _scored()
    card = cards["shane-abuse-by-the-book"]
    assert card.outcome == "ended_for_abuse"  # given as ended_by_agent, derived from the warning
    assert card.criterion("abuse_protocol").status == "passed"
    assert card.overall >= 80
