"""Signal detectors: what a turn shows (``apologises``, ``blames_customer``, ...).

One analyser serves two consumers: the simulator (the trainee's last turn moves
the customer's mood) and the scorer (every turn of a transcript). A signal is
defined in the rubric YAML under ``signals:`` (schema: ``signal_specs.py``)::

    apologises:
      speaker: agent
      description: Says sorry for the problem or the wait.
      patterns: ['\\bi apologi[sz]e\\b']              # case-insensitive, per sentence
      examples: ["I'm so sorry about all this."]    # matched by MiniLM cosine
      counter_examples: ["I'm not going to apologise for our policy."]
      threshold: 0.65

It fires on a sentence when a pattern matches (score 1.0, method ``pattern``), or
when its learned head (``signal_heads.py``, shipped with the rubric) rates the
sentence, with the customer's line before it as context, at least at the head's
threshold (method ``classifier``). A signal without a head falls back on its
examples: the sentence's best cosine to them is at least ``threshold`` and higher
than its best cosine to the counter-examples (method ``semantic``).
At most one detection per signal per sentence; the sentence is the evidence.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from trainer.rubric.signal_specs import SPEAKERS, SignalSpec
from trainer.scoring.context_signals import CONTEXT_RULES, CONTEXT_SCORE, CONTEXT_VETOES
from trainer.scoring.embeddings import Embedder, Encoder
from trainer.scoring.example_bank import ExampleBank, build_bank, matches
from trainer.scoring.sentences import split_sentences
from trainer.scoring.signal_heads import SignalHeads, bundled_heads, direction, fire, readable

__all__ = ["SPEAKERS", "Detection", "SignalAnalyzer", "SignalSpec"]

log = logging.getLogger(__name__)

Turn = tuple[int, str, str, str, tuple[str, ...]]
"""(turn number, speaker, text, the customer's line before, their earlier lines)."""
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
_QUOTED = re.compile(r"\"[^\"]{1,80}\"|(?<!\w)'[^']{2,60}'(?!\w)")
"""Words the agent quotes (a colleague's "just relax", a product called 'Calm'): an
agent's patterns never match inside them."""


@dataclass(frozen=True)
class Detection:
    """A signal firing on one sentence of one turn; ``sentence`` is the evidence."""

    signal: str
    turn: int
    sentence: str
    score: float
    method: str  # "pattern" | "classifier" | "semantic" | "context"


class SignalAnalyzer:
    """Runs every signal of a speaker over each sentence of a turn. Thread-safe."""

    _default: SignalAnalyzer | None = None
    _default_lock = threading.Lock()

    def __init__(
        self,
        specs: Mapping[str, SignalSpec],
        embedder: Encoder | None = None,
        heads: SignalHeads | None | str = "bundled",
        context_rules: bool = True,
        context_vetoes: bool = True,
    ) -> None:
        """``embedder`` defaults to the process-wide MiniLM ``Embedder.shared()``;
        ``heads`` to the bundled learned heads of the signals named here (``None``: none);
        ``context_rules``: also read :data:`CONTEXT_RULES` by structure, and (with
        ``context_vetoes``) stop heads on :data:`CONTEXT_VETOES`."""
        self.specs = dict(specs)
        self._rules = {n: r for n, r in CONTEXT_RULES.items() if context_rules and n in specs}
        self._head_vetoes = {
            n: v for n, v in CONTEXT_VETOES.items() if context_rules and context_vetoes
        }
        self._embedder = embedder
        found = bundled_heads() if isinstance(heads, str) else heads
        self._heads = (
            {
                speaker: found.select([n for n, s in self.specs.items() if s.speaker == speaker])
                for speaker in SPEAKERS
            }
            if found is not None
            else {}
        )
        self._patterns = {
            speaker: [
                (n, s.compiled(), s.compiled_vetoes())
                for n, s in self.specs.items()
                if s.speaker == speaker
            ]
            for speaker in SPEAKERS
        }
        self._banks: dict[str, ExampleBank] = {}
        self._lock = threading.Lock()

    @classmethod
    def default(cls) -> SignalAnalyzer:
        """The bundled rubric's signals with the shared embedder; one per process."""
        with cls._default_lock:
            if SignalAnalyzer._default is None:
                from trainer.rubric.model import load_rubric  # the rubric imports scoring

                SignalAnalyzer._default = cls(load_rubric().signals)
            return SignalAnalyzer._default

    def names(self, speaker: str | None = None) -> set[str]:
        """Signal names, all of them or one speaker's."""
        if speaker is not None:
            _check_speaker(speaker)
        return {n for n, s in self.specs.items() if speaker is None or s.speaker == speaker}

    def analyse_turn(
        self,
        text: str,
        speaker: str,
        turn: int = 0,
        context: str = "",
        *,
        earlier: Sequence[str] = (),
    ) -> list[Detection]:
        """Detections in one turn, in sentence order (then rubric order).

        ``context``: what the customer said just before an agent turn (for signals
        such as ``restates_issue`` that compare the two); ``earlier``: the customer's
        lines before that in the call (a detail asked for again after the caller gave it
        three turns back).
        """
        return self._analyse([(turn, speaker, text, context, tuple(earlier))])[0]

    def analyse_turns(
        self, turns: Sequence[tuple[str, str]], call_lengths: Sequence[int] | None = None
    ) -> list[list[Detection]]:
        """Detections for each ``(speaker, text)``; turn numbers are list positions.

        Each agent turn's context is the customer turn before it in the same call (and
        the customer's earlier turns, for the details they gave); ``call_lengths`` splits
        ``turns`` into calls (default: one call). All sentences of all turns are embedded
        in one batch (fast for batch QA).
        """
        starts, position = set(), 0
        for length in call_lengths or ():
            starts.add(position)
            position += length
        items: list[Turn] = []
        said: list[str] = []
        for i, (speaker, text) in enumerate(turns):
            if i in starts:
                said = []
            agent = speaker == "agent" and bool(said)
            context, earlier = (said[-1], tuple(said[-2::-1])) if agent else ("", ())
            items.append((i, speaker, text, context, earlier))
            if speaker == "customer":
                said.append(text or "")
        return self._analyse(items)

    def _analyse(self, turns: list[Turn]) -> list[list[Detection]]:
        split = []
        for turn, speaker, text, context, _ in turns:
            _check_speaker(speaker)
            before = split_sentences(context) if speaker == "agent" and context.strip() else []
            split.append((turn, speaker, split_sentences(text or ""), before))
        wanted: set[str] = set()
        for _, speaker, sentences, context in split:
            headed = speaker in self._heads and self._heads[speaker].names
            if headed or self._bank(speaker).names:
                wanted.update(sentences)
            if headed:
                wanted.update(context)
        to_embed = sorted(wanted)
        row = {s: i for i, s in enumerate(to_embed)}
        vectors = self._encoder().encode(to_embed) if to_embed else None
        results = []
        for (turn, speaker, sentences, context), (_, _, text, said, earlier) in zip(
            split, turns, strict=True
        ):
            found: list[Detection] = []
            bank = self._bank(speaker)
            semantic = (
                matches(bank, vectors[[row[s] for s in sentences]])
                if (sentences and bank.names)
                else {}
            )
            heads = self._heads.get(speaker)
            if heads is not None and vectors is not None and vectors.shape[1] != heads.dim:
                _warn_width(vectors.shape[1], heads.dim)
                heads = None  # fitted on another encoder's vectors: examples only
            if sentences and heads is not None and heads.names:
                assert vectors is not None
                # the customer's line: its sentences, cached from its own turn
                ctx = direction(vectors[[row[s] for s in context]])
                own = vectors[[row[s] for s in sentences]]
                whole = direction(own) if len(sentences) > 1 else None
                learned = fire(
                    heads,
                    own,
                    ctx,
                    whole if all(map(readable, sentences)) else None,
                    [readable(s) for s in sentences],
                    sentences,
                )
                semantic.update({key: score for key, score in learned.items()})
            headed_names = set(heads.names) if heads is not None else set()
            for i, sentence in enumerate(sentences):
                plain = sentence.translate(_QUOTES)
                matchable = _matchable(plain, speaker)
                for name, patterns, vetoes in self._patterns[speaker]:
                    if any(p.search(matchable) for p in patterns):
                        found.append(Detection(name, turn, sentence, 1.0, "pattern"))
                    elif (
                        (i, name) in semantic
                        and not any(v.search(plain) for v in vetoes)
                        and not (name in self._head_vetoes and self._head_vetoes[name](plain))
                    ):
                        score = semantic[(i, name)]
                        method = "classifier" if name in headed_names else "semantic"
                        found.append(Detection(name, turn, sentence, score, method))
                    elif (
                        said
                        and name in self._rules
                        and self._rules[name](plain, said, earlier, text)
                        and not any(v.search(plain) for v in vetoes)
                    ):
                        found.append(Detection(name, turn, sentence, CONTEXT_SCORE, "context"))
            results.append(found)
        return results

    def pattern_signals(self, text: str, speaker: str) -> set[str]:
        """The signals whose patterns match a sentence of ``text`` (no model needed)."""
        _check_speaker(speaker)
        found = set()
        for sentence in split_sentences(text or ""):
            matchable = _matchable(sentence.translate(_QUOTES), speaker)
            for name, patterns, _ in self._patterns[speaker]:
                if any(p.search(matchable) for p in patterns):
                    found.add(name)
        return found

    def _encoder(self) -> Encoder:
        if self._embedder is None:
            self._embedder = Embedder.shared()
        return self._embedder

    def _bank(self, speaker: str) -> ExampleBank:
        """Build (once) the example vectors of a speaker's semantic signals."""
        with self._lock:
            if speaker not in self._banks:
                headed = set(self._heads[speaker].names) if speaker in self._heads else set()
                specs = {
                    n: s
                    for n, s in self.specs.items()
                    if s.speaker == speaker and s.examples and n not in headed
                }
                self._banks[speaker] = build_bank(specs, self._encoder())
            return self._banks[speaker]


def _matchable(plain: str, speaker: str) -> str:
    """A sentence (with plain quote marks) as patterns read it: an agent's quoted words
    out. Vetoes read the sentence with them (a veto for reported speech needs to see
    what was reported)."""
    return _QUOTED.sub('""', plain) if speaker == "agent" else plain


@functools.cache
def _warn_width(width: int, expected: int) -> None:
    log.warning(
        "the learned signal heads expect %d-wide sentence vectors and this encoder gives %d:"
        " they are not used (refit them with `python -m trainer signals train`)",
        expected,
        width,
    )


def _check_speaker(speaker: str) -> None:
    if speaker not in SPEAKERS:
        raise ValueError(f"unknown speaker {speaker!r}: expected 'agent' or 'customer'")
