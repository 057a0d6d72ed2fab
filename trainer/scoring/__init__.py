"""Scoring: sentence embeddings, signal detectors (and, later, the rubric scorer).

Importing this package is light: torch and transformers load only when the
first sentence is embedded.
"""

from trainer.scoring.embeddings import CacheInfo, Embedder, Encoder, bundled_model_path
from trainer.scoring.sentences import split_sentences
from trainer.scoring.signals import Detection, SignalAnalyzer, SignalSpec

__all__ = [
    "CacheInfo",
    "Detection",
    "Embedder",
    "Encoder",
    "SignalAnalyzer",
    "SignalSpec",
    "bundled_model_path",
    "split_sentences",
]
