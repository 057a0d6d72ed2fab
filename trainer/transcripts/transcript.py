"""The canonical transcript: who said what, in order.

One JSON object per call (one per line in JSONL)::

    {"id": "call-0001", "persona": "angry-escalation",
     "turns": [{"speaker": "customer", "text": "..."}, {"speaker": "agent", "text": "..."}]}
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Speaker = Literal["agent", "customer"]


class Turn(BaseModel):
    """One utterance. ``speaker`` is ``agent`` (the trainee) or ``customer``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    speaker: Speaker
    text: str


class Transcript(BaseModel):
    """A whole call. ``persona`` is set for practice calls, empty for real calls."""

    model_config = ConfigDict(extra="forbid")

    id: str
    persona: str | None = None
    turns: list[Turn] = Field(default_factory=list)
    metadata: dict[str, str] = Field(default_factory=dict)

    def agent_turns(self) -> list[tuple[int, Turn]]:
        """The agent's turns with their index in ``turns``."""
        return [(i, t) for i, t in enumerate(self.turns) if t.speaker == "agent"]
