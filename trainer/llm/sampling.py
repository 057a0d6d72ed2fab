"""Choosing the next token from logits: greedy, or seeded nucleus (top-p) sampling."""

from __future__ import annotations

from typing import Any

from trainer.llm.base import GenerationParams


def pick_token(logits: Any, params: GenerationParams, sampler: Any) -> int:
    """The next token: greedy at temperature 0, else nucleus (top-p) sampling.

    Exact top-p without sorting the whole vocabulary: the nucleus almost always lies
    in the top 64 tokens, so ``topk`` grows only when it does not (a full sort costs
    more than a decode step on CPU). The draw is one uniform number from ``sampler``
    mapped through the cumulative distribution, so a seed fixes the reply.
    """
    import torch

    if params.temperature <= 0:
        return int(logits.argmax())
    probs = torch.softmax(logits.float() / params.temperature, dim=-1)
    ids = None
    if params.top_p < 1.0:
        k = 64
        while True:
            top, ids = torch.topk(probs, min(k, probs.numel()))
            cum = top.cumsum(-1)
            if cum[-1] >= params.top_p or k >= probs.numel():
                break
            k *= 8
        keep = max(1, int((cum - top < params.top_p).sum()))
        cum = cum[:keep]
    else:
        cum = probs.cumsum(-1)
    draw = torch.rand(1, generator=sampler, device=sampler.device) * cum[-1]
    pos = min(int(torch.searchsorted(cum, draw, right=True)), cum.numel() - 1)
    return int(ids[pos]) if ids is not None else pos
