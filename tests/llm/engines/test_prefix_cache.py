"""Reusing the attention cache of an earlier prompt, on a tiny random Llama (float32)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from trainer.llm.engines.llama_engine import LlamaEngine
from trainer.llm.engines.prefix_cache import PrefixCache


@pytest.fixture(scope="module")
def engine(tiny: Path) -> LlamaEngine:
    return LlamaEngine(tiny, "float32")


def _prompt(engine: LlamaEngine, cache: PrefixCache, ids: list[int]) -> torch.Tensor:
    kv = engine.new_cache(len(ids) + 4)
    skip = cache.restore(ids, kv)
    logits = engine.forward(ids[skip:], kv, prompt=True)
    cache.keep(ids, kv)
    return logits


def test_a_prompt_that_extends_a_kept_one_reads_only_the_new_part(engine):
    first = [3, 9, 27, 17, 51, 42, 8, 33, 12, 60, 5, 21, 44, 2, 19, 38, 7, 26]
    longer = first[:-1] + [11, 48, 30, 6]
    cache = PrefixCache(min_tokens=4)
    _prompt(engine, cache, first)
    runs: list[int] = []
    real = engine.forward
    engine.forward = lambda ids, kv, prompt=False: (runs.append(len(ids)), real(ids, kv, prompt))[1]
    try:
        got = _prompt(engine, cache, longer)
    finally:
        del engine.forward
    assert runs == [len(longer) - (len(first) - 1)]  # only the tokens after the shared part
    assert cache.hits == 1 and cache.reused_tokens == len(first) - 1
    fresh = engine.forward(longer, engine.new_cache(len(longer)), prompt=True)
    torch.testing.assert_close(got, fresh, atol=1e-4, rtol=1e-4)


def test_the_same_prompt_again_still_runs_its_last_token(engine):
    ids = list(range(1, 21))
    cache = PrefixCache(min_tokens=4)
    first = _prompt(engine, cache, ids)
    kv = engine.new_cache(24)
    assert cache.restore(ids, kv) == len(ids) - 1
    torch.testing.assert_close(engine.forward(ids[-1:], kv, prompt=True), first)


def test_short_shared_beginnings_are_read_again(engine):
    cache = PrefixCache(min_tokens=8)
    _prompt(engine, cache, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    assert cache.restore([1, 2, 3, 4, 5, 40, 41, 42], engine.new_cache(8)) == 0
    assert cache.hits == 0


def test_entries_are_bounded_and_a_continued_entry_is_replaced(engine):
    cache = PrefixCache(entries=2, min_tokens=2, slack=2)
    for start in (10, 20, 30):
        _prompt(engine, cache, list(range(start, start + 6)))
    assert cache.restore(list(range(10, 16)), engine.new_cache(8)) == 0  # oldest evicted
    assert cache.restore(list(range(20, 26)), engine.new_cache(8)) == 5
    assert cache.restore(list(range(20, 26)), engine.new_cache(8)) == 0  # continued: dropped
    off = PrefixCache(entries=0, min_tokens=2)
    _prompt(engine, off, list(range(6)))
    assert off.restore(list(range(6)), engine.new_cache(8)) == 0


def test_a_prompt_sharing_only_a_beginning_leaves_the_entry_to_its_call(engine):
    """Two calls to the same company share a header; neither takes the other's cache."""
    cache = PrefixCache(min_tokens=3, slack=2)
    first_call = [1, 2, 3, 4, 40, 41, 42, 43, 44, 45]
    _prompt(engine, cache, first_call)
    other_call = [1, 2, 3, 4, 50, 51, 52]
    assert cache.restore(other_call, engine.new_cache(8)) == 4
    next_turn = first_call + [46, 47]
    assert cache.restore(next_turn, engine.new_cache(12)) == len(first_call)
