"""What the rubric rules read about one call: its turns, credited hits, ending and mood."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


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
