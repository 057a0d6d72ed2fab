"""What the rubric rules read about one call: its turns, credited hits, ending and mood."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from trainer.scoring.sentences import split_sentences


@dataclass(frozen=True)
class Hit:
    """A signal shown in one sentence of one turn, credited to the one who said it.

    Three records carry a detection, one per stage, on purpose: the analyser's
    :class:`~trainer.scoring.signals.Detection` (any speaker, with the ``method`` that
    fired, before the anti-gaming filter), this ``Hit`` (what survived the filter and
    earns credit, with its ``speaker``: what the rules read) and the scorecard's
    :class:`~trainer.scoring.scorecard.Evidence` (the public, validated JSON form: the
    quote a trainee reads, its screen turn number, no method)."""

    turn: int  # index in the transcript
    speaker: str
    signal: str
    sentence: str
    score: float


def topic_hit(
    signal: str, words: re.Pattern[str], speakers: Sequence[str], texts: Sequence[str]
) -> Hit | None:
    """A derived agent signal about the whole call (``account_discussed``, ``emergency_call``):
    when any turn, either side's, matches ``words``, a hit on the first agent sentence that
    does, else on the agent's first sentence; None when no turn matches or the agent said
    nothing."""
    if not any(words.search(text or "") for text in texts):
        return None
    agent = [(t, s) for t, (who, text) in enumerate(zip(speakers, texts, strict=True))
             if who == "agent" for s in split_sentences(text or "")]  # fmt: skip
    if not agent:
        return None
    turn, sentence = next(((t, s) for t, s in agent if words.search(s)), agent[0])
    return Hit(turn, "agent", signal, sentence, 1.0)


@dataclass
class CallView:
    """Speakers, texts and credited signal hits of one call; how it ended and the mood."""

    speakers: list[str]
    texts: list[str]
    hits: list[Hit] = field(default_factory=list)
    outcome: str | None = None
    mood_curve: Sequence[int] = ()

    def __post_init__(self) -> None:
        self.hits = sorted(self.hits, key=lambda h: (h.turn, h.signal, h.sentence))
        self._agent_no = {}
        for index, speaker in enumerate(self.speakers):
            if speaker == "agent":
                self._agent_no[index] = len(self._agent_no) + 1

    @property
    def agent_turn_count(self) -> int:
        return len(self._agent_no)

    def agent_number(self, turn: int) -> int | None:
        """The 1-based agent turn number of a transcript turn (None for the customer)."""
        return self._agent_no.get(turn)

    def of(self, signals: str | Iterable[str]) -> list[Hit]:
        """Hits of any of the signals, in turn order."""
        wanted = {signals} if isinstance(signals, str) else set(signals)
        return [h for h in self.hits if h.signal in wanted]

    def first_turn(self, signals: str | Iterable[str]) -> int | None:
        """The first turn showing any of the signals (None when none does)."""
        hits = self.of(signals)
        return hits[0].turn if hits else None

    def agent_turns_after(self, turn: int, n: int) -> list[int]:
        """The next ``n`` agent turn indices after transcript turn ``turn``."""
        return [t for t in sorted(self._agent_no) if t > turn][:n]
