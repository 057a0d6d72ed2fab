"""Next-token choice: greedy, seeded, and exact nucleus (top-p) sampling."""

from __future__ import annotations

from collections import Counter

import pytest

from trainer.llm import GenerationParams

torch = pytest.importorskip("torch")
from trainer.llm.sampling import pick_token  # noqa: E402

LOGITS = torch.tensor([2.0, 1.0, 0.5, 0.0, -1.0])  # probs .563 .207 .126 .076 .028


def _draws(params: GenerationParams, n: int = 20000, seed: int = 0) -> Counter:
    sampler = torch.Generator().manual_seed(seed)
    return Counter(pick_token(LOGITS, params, sampler) for _ in range(n))


def test_temperature_zero_is_greedy():
    assert set(_draws(GenerationParams(temperature=0), n=50)) == {0}


def test_full_distribution_without_top_p():
    counts = _draws(GenerationParams(temperature=1.0, top_p=1.0))
    expected = torch.softmax(LOGITS, -1)
    for token in range(5):
        assert counts[token] / 20000 == pytest.approx(float(expected[token]), abs=0.015)


def test_top_p_keeps_the_smallest_nucleus_and_renormalises():
    counts = _draws(GenerationParams(temperature=1.0, top_p=0.7))
    assert set(counts) == {0, 1}  # .563 < .7 <= .563 + .207
    assert counts[0] / 20000 == pytest.approx(0.563 / 0.770, abs=0.015)


def test_a_nucleus_beyond_the_first_guess_is_still_exact():
    flat = torch.zeros(1000)  # uniform: the nucleus is 900 tokens, past the first topk
    sampler = torch.Generator().manual_seed(1)
    params = GenerationParams(temperature=1.0, top_p=0.9)
    drawn = {pick_token(flat, params, sampler) for _ in range(3000)}
    assert len(drawn) > 800


def test_same_seed_same_draws():
    params = GenerationParams(temperature=1.0, top_p=0.95)
    assert _draws(params, n=200, seed=7) == _draws(params, n=200, seed=7)
    assert _draws(params, n=200, seed=7) != _draws(params, n=200, seed=8)
