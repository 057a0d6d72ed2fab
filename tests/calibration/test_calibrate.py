"""Agreement metrics, the label file, and calibration improving agreement on a built fixture.

Most tests use a bag-of-words encoder (cosine = word overlap) so they are fast and
exact; the last ones run the real MiniLM end to end through the CLI functions.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from scoring_helpers import BagOfWords, needs_minilm

from trainer.calibration.agreement import agreement, agreement_main, detect, metrics
from trainer.calibration.calibrate import calibrate
from trainer.calibration.calibrate_cli import calibrate_main, refuse_to_write
from trainer.calibration.detector_fit import (
    SentenceScores,
    SignalModel,
    fit_signal,
    fit_threshold,
    redetect,
    same_detections,
    score_turn,
)
from trainer.calibration.fixture_check import kept_on_fixtures
from trainer.calibration.head_thresholds import head_scores
from trainer.calibration.labels import LabelError, LabelledCall, load_labels
from trainer.rubric.model import load_rubric, parse_rubric
from trainer.scoring.signal_heads import SignalHeads
from trainer.scoring.signals import SignalAnalyzer

RUBRIC = """\
id: refunds
version: 1
signals:
  greets: {speaker: agent, description: Greets., threshold: 0.6, patterns: ['^hello']}
  offers_refund:
    speaker: agent
    description: Offers to refund a charge.
    examples: [I can refund the duplicate charge for you, we will give your money back]
    threshold: 0.95
categories:
  protocol: {weight: 1}
criteria:
  - id: refund_offered
    category: protocol
    description: Offers a refund for a wrong charge.
    requires: {signal: offers_refund}
    feedback: {pass: Good., fail: Offer the refund.}
  - id: greeting
    category: protocol
    description: Greets.
    requires: {signal: greets}
    feedback: {pass: Good., fail: Greet.}
"""
REFUNDS = [
    "I can refund that charge today.", "We will give the money back to you.",
    "I will refund the duplicate charge.", "Your money will come back as a refund.",
    "I can give you a refund for the charge.", "We can refund you the money.",
]  # fmt: skip
OTHERS = [
    "Let me look at the account details.", "Your bill is due on Friday.",
    "Could you confirm the postcode please?", "The engineer visits on Monday.",
    "Thanks for waiting on the line.", "I have updated the address on file.",
]  # fmt: skip


def fixture_calls(n: int = 24) -> list[LabelledCall]:
    """Half the calls offer a refund (in words the examples do not use exactly)."""
    calls = []
    for i in range(n):
        refund = i % 2 == 0
        line = REFUNDS[i % len(REFUNDS)] if refund else OTHERS[i % len(OTHERS)]
        calls.append(
            LabelledCall(
                id=f"call-{i}",
                turns=[
                    {"speaker": "agent", "text": "Hello, billing team."},
                    {"speaker": "customer", "text": "I was charged twice this month."},
                    {"speaker": "agent", "text": line},
                ],
                labels={"refund_offered": refund, "signal:offers_refund": refund},
                turn_labels=[{"turn": 2, "signal": "offers_refund", "present": refund}],
            )
        )
    return calls


def test_metrics_match_hand_computed_values():
    m = metrics("signal", "x", [(True, True), (True, False), (False, False), (False, False)])
    assert (m.n, m.accuracy, m.kappa) == (4, 0.75, 0.5)  # (0.75 - 0.5) / (1 - 0.5)
    assert m.macro_f1 == pytest.approx((2 / 3 + 0.8) / 2, abs=1e-4)
    same = metrics("signal", "x", [(True, True)] * 3)
    assert (same.accuracy, same.kappa) == (1.0, None)  # kappa undefined with one class


def test_ordinal_labels_use_quadratic_weighted_kappa():
    near = metrics("epitome", "e", [(0, 0), (1, 1), (2, 1), (2, 2), (1, 0)])
    far = metrics("epitome", "e", [(0, 0), (1, 1), (2, 0), (2, 2), (1, 0)])
    assert near.weighting == "quadratic" and near.accuracy == far.accuracy
    assert near.kappa > far.kappa  # "weak" for "strong" is a smaller miss than "none"
    from sklearn.metrics import cohen_kappa_score

    assert near.kappa == pytest.approx(
        cohen_kappa_score([0, 1, 2, 2, 1], [0, 1, 1, 2, 0], weights="quadratic"), abs=1e-4
    )


def test_label_file_problems(tmp_path: Path):
    rubric = parse_rubric(RUBRIC)
    good = fixture_calls(1)[0].model_dump()
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({**good, "labels": {"refund_ofered": True, "greeting": "maybe"}}),
        json.dumps({**good, "turn_labels": [{"turn": 9, "signal": "offers_refund", "present": 1},
                                            {"turn": 1, "signal": "offers_refund", "present": 0}]}),
        json.dumps({"id": "x", "turns": []}),
    ]  # fmt: skip
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(LabelError) as info:
        load_labels(path, rubric)
    assert info.value.problems == [
        f"{path}:2: not valid JSON (Expecting property name enclosed in double quotes)",
        f"{path}:3: labels.refund_ofered: unknown criterion, signal or EPITOME mechanism "
        "'refund_ofered'. Did you mean: refund_offered?",
        f"{path}:3: labels.greeting: must be passed, failed, not_applicable, true or false "
        "(got 'maybe')",
        f"{path}:4: turn_labels[0].turn: no turn 9 (the call has 3)",
        f"{path}:4: turn_labels[1]: turn 1 is a customer turn; offers_refund is a agent signal",
        f"{path}:5: turns: List should have at least 1 item after validation, not 0",
    ]
    path.write_text(json.dumps(good) + "\n")
    assert [c.id for c in load_labels(path, rubric)] == ["call-0"]


def test_each_call_is_read_in_its_own_context():
    """A caller's words in one call are not the context of the next call's agent."""
    rubric = parse_rubric(RUBRIC.replace(
        "signals:\n",
        "signals:\n  restates_issue: {speaker: agent, description: R., threshold: 0.9, "
        "patterns: ['^zzzz']}\n",
    ))  # fmt: skip
    said = "My broadband has been down since Monday and the engineer never came."
    back = "So your broadband has been down since Monday and the engineer never came?"
    first = LabelledCall(id="a", turns=[{"speaker": "customer", "text": said},
                                        {"speaker": "agent", "text": "Okay."}])  # fmt: skip
    second = LabelledCall(id="b", turns=[{"speaker": "agent", "text": back}])
    same = LabelledCall(id="c", turns=[{"speaker": "customer", "text": said},
                                       {"speaker": "agent", "text": back}])  # fmt: skip
    analyzer = SignalAnalyzer(rubric.signals, BagOfWords(), heads=None)
    found = detect(analyzer, [first, second, same])
    assert found[1] == [[]]
    assert [d.signal for d in found[2][1]] == ["restates_issue"]  # read back in its own call


def test_redetect_with_the_current_threshold_reproduces_the_analyser():
    rubric = parse_rubric(RUBRIC.replace("threshold: 0.95", "threshold: 0.5"))
    encoder = BagOfWords()
    spec = rubric.signals["offers_refund"]
    calls = fixture_calls(6)
    found = detect(SignalAnalyzer(rubric.signals, encoder), calls)
    examples = encoder.encode(spec.examples)
    model = SignalModel(spec.threshold)
    for call, row in zip(calls, found, strict=True):
        turns = {t: score_turn(call.turns[t].text, spec, examples, examples[:0], encoder.encode)
                 for t in (0, 2)}  # fmt: skip
        again = redetect(row, "offers_refund", model, turns)
        assert all(same_detections(a, b) for a, b in zip(again, row, strict=True))
    assert any(d.signal == "offers_refund" for row in found for d in row[2])  # it does fire


def test_calibration_improves_agreement_under_cross_validation():
    rubric = parse_rubric(RUBRIC, "refunds.yaml")
    calls = fixture_calls()
    result = calibrate(rubric, calls, k=4, embedder=BagOfWords())
    for kind, name in [("signal", "offers_refund"), ("turn", "offers_refund"),
                       ("criterion", "refund_offered")]:  # fmt: skip
        before, after = result.before.item(kind, name), result.after.item(kind, name)
        assert before.n == after.n == 24
        assert after.macro_f1 >= before.macro_f1 + 0.3, (kind, before, after)
        assert after.kappa is not None and after.kappa > 0.6
    assert result.before.item("criterion", "greeting") is None  # only labelled keys are reported
    old, new = result.changes["offers_refund"]["threshold"]
    assert old == 0.95 and new < 0.95
    assert result.rubric.signals["offers_refund"].threshold == new
    assert result.rubric.version == "1-calibrated"
    assert result.yaml_text.startswith("# Calibrated by `python -m trainer calibrate`")
    # The written rubric agrees better than the original on the same labels.
    encoder = BagOfWords()
    plain = agreement(rubric, calls, SignalAnalyzer(rubric.signals, encoder))
    tuned = agreement(result.rubric, calls, SignalAnalyzer(result.rubric.signals, encoder))
    assert tuned.mean("macro_f1") > plain.mean("macro_f1") + 0.2


def test_calibration_is_deterministic():
    rubric = parse_rubric(RUBRIC)
    first = calibrate(rubric, fixture_calls(), k=3, embedder=BagOfWords())
    second = calibrate(rubric, fixture_calls(), k=3, embedder=BagOfWords())
    assert first.yaml_text == second.yaml_text
    assert first.after == second.after


def _scores(vectors: np.ndarray, pos: np.ndarray) -> SentenceScores:
    n = len(pos)
    return SentenceScores(["s"] * n, np.zeros(n, bool), pos, np.ones(n, bool), vectors)


def test_a_classifier_replaces_the_threshold_only_when_it_does_better():
    rng = np.random.RandomState(1)
    spec = parse_rubric(RUBRIC).signals["offers_refund"]
    items = []
    for i in range(60):
        label = i % 2 == 0
        vector = rng.normal(size=8)
        vector[0] = 3.0 if label else -3.0  # separable along one direction...
        cosine = rng.uniform(0.4, 0.8, size=1)  # ...but not by cosine to the examples
        items.append(([_scores(vector[None, :] / np.linalg.norm(vector), cosine)], label))
    chosen = fit_signal(items, spec, classifiers=True, min_labels=40)
    assert chosen.is_classifier and len(chosen.as_yaml()["weights"]) == 8
    assert all(chosen.fires(turns) == label for turns, label in items)
    assert not fit_signal(items, spec, classifiers=False).is_classifier
    assert not fit_signal(items[:30], spec, classifiers=True, min_labels=40).is_classifier


def test_too_few_calls():
    with pytest.raises(ValueError, match="at least 2 labelled calls"):
        calibrate(parse_rubric(RUBRIC), fixture_calls(1), embedder=BagOfWords())


# ------------------------------------------------------------------ real MiniLM, via the CLI


def _write_labels(path: Path, calls: list[LabelledCall]) -> Path:
    path.write_text("".join(json.dumps(c.model_dump()) + "\n" for c in calls), encoding="utf-8")
    return path


@pytest.mark.minilm
@needs_minilm
def test_cli_calibrate_and_agreement_with_minilm(tmp_path: Path, capsys):
    rubric_path = tmp_path / "refunds.yaml"
    rubric_path.write_text(RUBRIC, encoding="utf-8")
    labels = _write_labels(tmp_path / "labels.jsonl", fixture_calls())
    out = tmp_path / "out" / "calibrated.yaml"
    args = argparse.Namespace(labels=labels, rubric=rubric_path, out=out, folds=4)
    assert calibrate_main(args) == 0
    printed = capsys.readouterr().out
    assert "before -> after calibration (4-fold cross-validated)" in printed
    assert "offers_refund: threshold 0.95 -> " in printed
    calibrated = load_rubric(out)
    assert calibrated.signals["offers_refund"].threshold < 0.95
    assert agreement_main(argparse.Namespace(labels=labels, rubric=out, folds=5)) == 0
    tuned = capsys.readouterr().out
    assert agreement_main(argparse.Namespace(labels=labels, rubric=rubric_path, folds=5)) == 0
    plain = capsys.readouterr().out
    mean = lambda text: float(text.strip().splitlines()[-1].split()[2])  # noqa: E731
    assert mean(tuned) > mean(plain)  # mean macro-F1 went up on the real model


def test_cli_reports_bad_label_files(tmp_path: Path, capsys):
    bad = tmp_path / "labels.jsonl"
    bad.write_text("{oops\n")
    args = argparse.Namespace(labels=bad, rubric=None, out=tmp_path / "x.yaml", folds=5)
    assert calibrate_main(args) == 2
    assert "labels.jsonl:1: not valid JSON" in capsys.readouterr().err
    assert not (tmp_path / "x.yaml").exists()


def test_nothing_fitted_or_a_worse_rubric_is_refused():
    calls = fixture_calls()
    criteria_only = [c.model_copy(update={"labels": {"refund_offered": c.labels["refund_offered"]},
                                          "turn_labels": []}) for c in calls]  # fmt: skip
    nothing = calibrate(parse_rubric(RUBRIC), criteria_only, embedder=BagOfWords())
    assert not nothing.changes and "nothing was fitted" in refuse_to_write(nothing)
    fitted = calibrate(parse_rubric(RUBRIC), calls, embedder=BagOfWords())
    assert refuse_to_write(fitted) == ""  # it got better: written
    assert fitted.after.mean("macro_f1") > fitted.before.mean("macro_f1")
    worse = dataclasses.replace(fitted, before=fitted.after, after=fitted.before)
    assert "worse" in refuse_to_write(worse)


# ------------------------------------------------------------------ what the analyser runs


def _refund_heads(threshold: float) -> SignalHeads:
    """A learned head for ``offers_refund`` on the bag-of-words vectors: refund words."""
    direction = BagOfWords().encode(["refund refund money back give"])[0]
    weights = np.zeros((1, 2 * len(direction) + 1), dtype=np.float32)
    weights[0, : len(direction)] = 12.0 * direction
    return SignalHeads(("offers_refund",), weights, np.array([-4.0], np.float32),
                       np.array([threshold], np.float32), encoder="bag-of-words")  # fmt: skip


def test_a_headed_signal_has_its_head_threshold_fitted_not_its_cosine_one():
    """The analyser decides a headed signal by its head; calibrating the cosine threshold
    would change nothing the scorecard shows, so the head's threshold is what moves."""
    rubric, calls = parse_rubric(RUBRIC), fixture_calls()
    strict = _refund_heads(0.99)  # fires on almost nothing
    result = calibrate(rubric, calls, k=4, embedder=BagOfWords(), heads=strict,
                       check_fixtures=False)  # fmt: skip
    change = result.changes["offers_refund"]
    assert change["detector"] == "head" and change["threshold"][0] == pytest.approx(0.99)
    assert change["threshold"][1] < 0.99
    assert result.heads is not None
    assert float(result.heads.thresholds[0]) == pytest.approx(change["threshold"][1])
    assert result.rubric.signals["offers_refund"].threshold == 0.95  # the cosine one: untouched
    before, after = (
        result.before.item("signal", "offers_refund"),
        result.after.item("signal", "offers_refund"),
    )
    assert after.macro_f1 > before.macro_f1 + 0.3
    # the written heads agree better than the original ones, run by the analyser itself
    plain = agreement(rubric, calls, SignalAnalyzer(rubric.signals, BagOfWords(), heads=strict))
    tuned = agreement(
        rubric, calls, SignalAnalyzer(rubric.signals, BagOfWords(), heads=result.heads)
    )
    assert tuned.mean("macro_f1") > plain.mean("macro_f1") + 0.2


def test_head_scores_reproduce_the_analyser_at_its_own_threshold():
    calls, heads = fixture_calls(), _refund_heads(0.6)
    rubric = parse_rubric(RUBRIC)
    analyzer = SignalAnalyzer(rubric.signals, BagOfWords(), heads=heads)
    scores = head_scores(rubric.signals, heads, BagOfWords(), calls, ["offers_refund"])
    found = detect(analyzer, calls)
    model = SignalModel(0.6)
    for c, row in enumerate(found):
        for t, turn in enumerate(row):
            if (c, t) in scores["offers_refund"]:
                fires = model.fires([scores["offers_refund"][(c, t)]])
                assert fires == any(d.signal == "offers_refund" for d in turn), (c, t)


def test_a_threshold_is_never_fitted_below_the_precision_floor():
    """Maximising the positive class's F1 drove thresholds to the floor (0.65 -> 0.30) and
    precision collapsed; macro-F1 under a precision floor does not."""
    items = []
    for i in range(40):
        label = i % 4 == 0  # a quarter positive
        cosine = 0.72 if label and i % 8 == 0 else 0.5 if label else 0.35 + (i % 7) * 0.03
        items.append(([_scores(np.ones((1, 2)), np.array([cosine]))], label))
    threshold = fit_threshold(items, 0.65)
    fired = [b for turns, b in items if SignalModel(threshold).fires(turns)]
    assert fired and sum(fired) / len(fired) >= 0.8
    assert threshold > 0.5


def test_a_signal_that_would_lose_precision_on_the_shipped_cases_keeps_its_detector():
    rubric = load_rubric()
    encoder = BagOfWords()
    analyzer = SignalAnalyzer(rubric.signals, encoder, heads=None)
    notes: list[str] = []
    loose = {"apologises": SignalModel(0.05)}  # fires on nearly every agent sentence
    assert kept_on_fixtures(rubric, analyzer, loose, {}, None, encoder, notes, True) == set()
    assert notes and notes[0].startswith("apologises: not fitted: precision on the shipped")
    same = {"apologises": SignalModel(rubric.signals["apologises"].threshold)}
    assert kept_on_fixtures(rubric, analyzer, same, {}, None, encoder, [], True) == {"apologises"}
