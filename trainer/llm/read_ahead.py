"""The prompts being read ahead (``LlamaCppBackend.prepare``), kept apart for each model.

A reply whose prompt begins with a prompt still being read into a model's KV cache
waits for that read to finish, so the cache state never depends on thread timing. It
waits only for reads into its own model: the key is the model, never the prompt alone.
At most ``limit`` reads are pending per model; more are skipped (a read ahead is only
ever a speed-up).
"""

from __future__ import annotations

import threading
from collections.abc import Hashable

MAX_PENDING = 64
"""Reads pending at once for one model (one per practice call at most, in practice)."""


class ReadAheads:
    """Pending read-aheads: model key -> prompt -> the event set when it is read."""

    def __init__(self, limit: int = MAX_PENDING) -> None:
        self.limit = limit
        self._pending: dict[Hashable, dict[str, threading.Event]] = {}
        self._lock = threading.Lock()

    def start(self, model: Hashable, prompt: str) -> threading.Event | None:
        """Register a read of ``prompt`` into ``model``; None when it is pending or full."""
        with self._lock:
            pending = self._pending.setdefault(model, {})
            if prompt in pending or len(pending) >= self.limit:
                return None
            done = pending[prompt] = threading.Event()
            return done

    def finish(self, model: Hashable, prompt: str) -> None:
        """The read of ``prompt`` into ``model`` is over (done or failed): wake its waiters."""
        with self._lock:
            pending = self._pending.get(model, {})
            done = pending.pop(prompt, None)
            if not pending:
                self._pending.pop(model, None)
        if done is not None:
            done.set()

    def waits(self, model: Hashable, prompt: str) -> list[threading.Event]:
        """The pending reads into ``model`` that ``prompt`` begins with."""
        with self._lock:
            pending = self._pending.get(model, {})
            return [done for start, done in pending.items() if prompt.startswith(start)]

    def pending(self, model: Hashable | None = None) -> list[threading.Event]:
        """The pending reads into ``model`` (None: into every model)."""
        with self._lock:
            groups = self._pending.values() if model is None else [self._pending.get(model, {})]
            return [done for group in groups for done in group.values()]
