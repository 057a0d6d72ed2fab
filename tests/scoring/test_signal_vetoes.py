"""Vetoes read the sentence as said, quoted words included; patterns skip quoted words."""

from __future__ import annotations

import numpy as np

from trainer.rubric.signal_specs import SignalSpec
from trainer.scoring.signals import SignalAnalyzer


class SameVector:
    """A fake encoder: every sentence gets the same vector, so every example matches."""

    def encode(self, sentences: list[str]) -> np.ndarray:
        return np.tile(np.eye(1, 4, dtype=np.float32), (len(sentences), 1))


SPEC = SignalSpec(
    speaker="agent",
    description="tells the caller to calm down",
    patterns=[r"\bcalm down\b"],
    examples=["Just relax."],
    vetoes=[r"\btold you to \"?just relax"],
    threshold=0.6,
)


def test_a_veto_sees_the_quoted_words_a_pattern_skips() -> None:
    analyser = SignalAnalyzer({"says_calm_down": SPEC}, SameVector(), heads=None)
    reported = 'My colleague told you to "just relax", and that was wrong.'
    assert analyser.analyse_turn(reported, "agent") == []
    unquoted = analyser.analyse_turn("My colleague told you to just relax.", "agent")
    assert analyser.analyse_turn("Honestly, just relax.", "agent")[0].method == "semantic"
    assert unquoted == []
    quoted = analyser.analyse_turn('The leaflet says "calm down" on it.', "agent")
    assert [d.method for d in quoted] == ["semantic"]  # not the pattern: those words are quoted
