"""Fitting the heads: the same vectors as the analyser, thresholds as the analyser decides."""

from __future__ import annotations

import hashlib

import numpy as np

from trainer.calibration.heads_fit import pick_threshold, training_set
from trainer.calibration.signal_data import LabelledTurn
from trainer.rubric.signal_specs import SignalSpec
from trainer.scoring.signal_heads import direction, features, turn_vectors
from trainer.scoring.signals import SignalAnalyzer


class WordEncoder:
    """A fake encoder: a fixed random unit vector per sentence (no model)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, sentences: list[str]) -> np.ndarray:
        self.seen += list(sentences)
        rows = []
        for s in sentences:
            seed = int(hashlib.sha256(s.encode()).hexdigest()[:8], 16)
            v = np.random.default_rng(seed).normal(size=8)
            rows.append(v / np.linalg.norm(v))
        return np.array(rows, dtype=np.float32).reshape(len(sentences), 8)


SPECS = {
    "apologises": SignalSpec(
        speaker="agent", description="sorry", patterns=[r"\bsorry\b"], threshold=0.6
    ),
    "restates_issue": SignalSpec(
        speaker="agent", description="restates", patterns=[r"^so you.re saying"], threshold=0.6
    ),
}


def test_a_turn_is_read_as_its_sentences_direction_when_fitting_and_when_running() -> None:
    encoder = WordEncoder()
    text, context = "Right. So the heating is off?", "My heating is off. It's freezing."
    vectors = turn_vectors([text, context, ""], encoder)
    parts = encoder.encode(["Right.", "So the heating is off?"])
    assert np.allclose(vectors[0], direction(parts))
    assert np.isclose(np.linalg.norm(vectors[1]), 1.0) and not vectors[2].any()
    assert np.allclose(direction(parts[:1]), parts[0])
    row = LabelledTurn("agent", text, frozenset({"restates_issue"}), context=context, source="w")
    data = training_set([row], SPECS, encoder)
    assert np.allclose(data.feats[0], features(vectors[:1], vectors[1:2])[0])
    # and the analyser hands the heads the same two vectors
    analyser = SignalAnalyzer(SPECS, encoder, heads=None)
    assert analyser.pattern_signals("Oh. I'm so sorry!", "agent") == {"apologises"}
    assert analyser.pattern_signals('She said "sorry" to you.', "agent") == set()


def test_a_context_signal_is_also_learnt_as_negative_after_another_calls_line() -> None:
    rows = [
        LabelledTurn("agent", f"So the {w} is broken?", frozenset({"restates_issue"}),
                     context=f"My {w} is broken.", source=f"authored:{a}", industry=i)
        for w, a, i in [("boiler", "a", "energy"), ("router", "b", "telecom")]
    ]  # fmt: skip
    data = training_set(rows, SPECS, WordEncoder())
    k = data.names.index("restates_issue")
    assert list(data.labels[:, k]) == [1, 1, 0, 0]
    assert (data.labels[2:, data.names.index("apologises")] == -1).all()  # unknown there
    assert not np.allclose(data.feats[0], data.feats[2])  # same words, other context


def test_a_threshold_is_judged_with_the_patterns_that_already_fire() -> None:
    probs = np.array([0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.35])
    labels = np.array([1, 1, 0, 1, 1, 1, 0, 1])
    alone, _, _ = pick_threshold(probs, labels, 0.85)
    covered = np.array([0, 0, 0, 0, 0, 0, 0, 1], dtype=bool)  # a pattern catches the last
    together, precision, recall = pick_threshold(probs, labels, 0.85, covered)
    assert alone > 0.8 and together <= 0.5
    assert precision == 6 / 7 and recall == 1.0


def test_a_re_ask_labelled_without_verification_is_no_negative_of_verification() -> None:
    specs = {
        name: SignalSpec(speaker="agent", description=name, patterns=[r"\bzzz\b"], threshold=0.6)
        for name in ("asks_verification", "asks_already_given_info", "apologises")
    }
    said = "My postcode is LS6 3HF."
    rows = [
        LabelledTurn("agent", "What's your postcode?", frozenset({"asks_already_given_info"}),
                     context=said, source="authored:a"),
        LabelledTurn("agent", "Can I take your postcode?",
                     frozenset({"asks_already_given_info", "asks_verification"}),
                     context=said, source="authored:b"),
        LabelledTurn("agent", "I'm sorry.", frozenset({"apologises"}), source="authored:c"),
    ]  # fmt: skip
    data = training_set(rows, specs, WordEncoder())
    k = data.names.index("asks_verification")
    assert list(data.labels[:3, k]) == [-1, 1, 0]  # open, shown, a plain negative
    assert data.labels[0, data.names.index("apologises")] == 0  # only verification is open
