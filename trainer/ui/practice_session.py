"""One trainee's practice call, as the practice tab's ``gr.State`` holds it.

A :class:`PracticeSession` is frozen: a turn, the end of the call and a rewind
each make a new session with :func:`dataclasses.replace`, so a value that Gradio
keeps for one browser session is never changed under it. ``states`` holds the
:class:`~trainer.simulation.state.CallState` after each agent turn, the opening
first, so rewinding is a slice. It deep-copies (``gr.State`` copies its default
for every session).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trainer.personas.loading import Persona
    from trainer.simulation.state import CallState


def new_call_id() -> str:
    """A fresh call id, as the simulator makes them."""
    return f"call-{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class PracticeSession:
    """The call in progress (or just finished) in one browser session."""

    persona: Persona
    trainee: str
    states: tuple[CallState, ...]
    """The state after each agent turn; ``states[0]`` is the customer's opening."""
    started: float
    """When the call started (``time.time()``), for the timer."""
    ended_at: float | None = None
    """When the call ended; ``None`` while it goes on (the timer keeps ticking)."""
    scorecard: Mapping[str, Any] | None = None
    """The scorecard as JSON data, or ``{"error": ...}`` when scoring failed."""
    file: str | None = None
    """The downloadable transcript + scorecard (JSON), once the call is scored."""

    # Compared by value but not hashable (the persona and the scorecard are not), so
    # Gradio's change tracking falls back to identity: every change is a new object.
    __hash__ = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if not self.states:
            raise ValueError("a practice session starts with the customer's opening state")
        object.__setattr__(self, "states", tuple(self.states))  # a list given is kept as a tuple

    @classmethod
    def begin(
        cls, persona: Persona, trainee: str, opening: CallState, *, now: float | None = None
    ) -> PracticeSession:
        """A new session: the customer has said their opening line."""
        return cls(persona, trainee, (opening,), time.time() if now is None else now)

    @property
    def state(self) -> CallState:
        """The call as it is now."""
        return self.states[-1]

    @property
    def agent_turns(self) -> int:
        """How many lines the trainee has said (the turns that can be rewound)."""
        return len(self.states) - 1

    @property
    def scored(self) -> bool:
        """True once the call has a scorecard (or a scoring error)."""
        return self.scorecard is not None

    def line_at(self, turn: int) -> str:
        """The trainee's line at agent turn ``turn`` (1-based)."""
        self._check_turn(turn)
        return self.states[turn].transcript[-2].text

    def after_turn(self, state: CallState) -> PracticeSession:
        """The session once the customer has answered: ``state`` is appended."""
        return replace(self, states=(*self.states, state))

    def with_state(self, state: CallState) -> PracticeSession:
        """The last state replaced (the trainee hung up: same turn, an outcome)."""
        return replace(self, states=(*self.states[:-1], state))

    def finished(
        self, scorecard: Mapping[str, Any], *, at: float, file: str | None = None
    ) -> PracticeSession:
        """The call over at ``at``, with its scorecard (and the download, when written)."""
        return replace(self, ended_at=at, scorecard=scorecard, file=file)

    def rewound(self, turn: int, *, retry_id: str | None = None) -> PracticeSession:
        """Back to before agent turn ``turn``: that line and everything after are taken back.

        A scored attempt stays in the history as it was, so the retry becomes a new
        call: every kept state gets ``retry_id`` (default a fresh id). An unscored
        call keeps its id and is simply saved shorter.
        """
        self._check_turn(turn)
        states: Sequence[CallState] = self.states[:turn]
        if self.scored:
            call_id = retry_id or new_call_id()
            states = tuple(s.model_copy(update={"call_id": call_id}) for s in states)
        return replace(self, states=tuple(states), ended_at=None, scorecard=None, file=None)

    def _check_turn(self, turn: int) -> None:
        if not 1 <= turn <= self.agent_turns:
            raise ValueError(f"No turn {turn} in this call.")
