"""Attention caches of recent prompts, so a prompt that begins like one of them skips that part.

Within a practice call every continuation prompt begins with all of the previous one
but its last lines (see ``simulation/prompt.py``), and a guard retry repeats its prompt
exactly. Reading a
500-token prompt costs the CPU several hundred milliseconds; copying its cached keys and
values costs a few. :class:`PrefixCache` keeps the KV caches of the last few prompts of
the process and hands the longest shared beginning to the next one.

A kept cache is only ever read below its prompt's length, which nothing writes again
once the prompt has been read; the caller holds the model lock around both.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class PrefixCache:
    """The KV caches of the last ``entries`` prompts (0: keep none)."""

    def __init__(self, entries: int = 16, min_tokens: int = 16, slack: int = 128) -> None:
        self.entries = entries
        self.min_tokens = min_tokens
        """Shorter shared beginnings are read again rather than copied."""
        self.slack = slack
        """A prompt that shares all but at most this many tokens of a kept one continues it
        (the next turn of the same call): the kept one is dropped, the new one kept."""
        self.hits = 0
        self.reused_tokens = 0
        self._kept: OrderedDict[int, tuple[tuple[int, ...], Any]] = OrderedDict()
        self._next = 0
        self._lock = threading.Lock()

    def restore(self, ids: list[int], cache: Any) -> int:
        """Copy the longest cached beginning of ``ids`` into the empty ``cache``.

        Returns how many positions it holds now (0: nothing useful was kept). At least
        the last token of ``ids`` is always left to be run, for its logits. An entry
        that ``ids`` continues is dropped (the caller keeps ``ids`` in its place); one
        that merely shares a beginning (another call to the same company) stays.
        """
        with self._lock:
            best, shared = None, 0
            for key, (kept, _) in self._kept.items():
                n = _shared_length(kept, ids)
                if n > shared:
                    best, shared = key, n
            if best is None or min(shared, len(ids) - 1) < self.min_tokens:
                return 0
            kept, source = self._kept[best]
            if shared >= len(kept) - self.slack:
                del self._kept[best]
            else:
                self._kept.move_to_end(best)
            shared = min(shared, len(ids) - 1)
        cache.kv[..., :shared, :].copy_(source.kv[..., :shared, :])
        cache.length = shared
        self.hits += 1
        self.reused_tokens += shared
        return shared

    def keep(self, ids: list[int], cache: Any) -> None:
        """Remember ``cache`` as holding the prompt ``ids`` (it may grow past them)."""
        if self.entries <= 0:
            return
        with self._lock:
            self._kept[self._next] = (tuple(ids), cache)
            self._next += 1
            while len(self._kept) > self.entries:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        """Forget every kept prompt."""
        with self._lock:
            self._kept.clear()


def _shared_length(a: tuple[int, ...], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
