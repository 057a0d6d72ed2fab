"""No model at all: the simulator plays the persona's scripted lines directly."""

from __future__ import annotations

from collections.abc import Iterator

from trainer.llm.base import Backend, GenerationParams, Message


class ScriptedBackend(Backend):
    """A backend that generates nothing (``generates`` is False).

    The simulator checks ``generates`` and plays beats and fallback lines instead.
    ``stream`` and ``stream_text`` yield nothing, so code that calls them anyway
    gets an empty reply (which the guard rejects) rather than an exception.
    """

    name = "scripted"
    model_id = "scripted"
    generates = False
    max_concurrency = 16
    """Scripted lines cost nothing."""

    note: str | None = None
    """Why there is no model, when one was asked for and could not start."""

    @classmethod
    def standing_in(cls, note: str) -> ScriptedBackend:
        """Scripted lines in place of a model that could not start; ``outage()`` says so."""
        backend = cls()
        backend.note = note
        return backend

    def outage(self) -> str | None:
        """The note, when this backend stands in for a model that could not start."""
        return self.note

    def stream(self, messages: list[Message], params: GenerationParams) -> Iterator[str]:
        """Yield nothing."""
        return iter(())

    def stream_text(self, prompt: str, params: GenerationParams) -> Iterator[str]:
        """Yield nothing."""
        return iter(())
