"""MiniLM (a 6-layer BERT) in plain torch, mean-pooled: the sentence encoder's model.

transformers' ``AutoModel`` gives the same vectors (``tests/scoring/test_minilm.py``
checks to 1e-5), but importing transformers costs the app and ``trainer chat`` about
2 s of start-up on a 2-core CPU before the first turn can be analysed. This reads the
safetensors file and ``tokenizer.json`` of a BERT folder directly; :func:`unsupported`
says when a folder needs transformers instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F


def unsupported(folder: Path) -> str | None:
    """Why this module cannot run the model in ``folder``; None when it can."""
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        return f"no readable config.json ({err})"
    if config.get("model_type") != "bert":
        return f"model_type {config.get('model_type')!r} is not 'bert'"
    if config.get("position_embedding_type", "absolute") != "absolute":
        return "only absolute position embeddings are supported"
    if config.get("hidden_act") != "gelu":
        return f"activation {config.get('hidden_act')!r} is not supported"
    if not (folder / "model.safetensors").is_file() or not (folder / "tokenizer.json").is_file():
        return "model.safetensors or tokenizer.json is missing"
    return None


class MiniLM:
    """Tokenizer and BERT encoder of one folder; ``embed`` gives mean-pooled unit vectors."""

    def __init__(self, folder: Path, device: str = "cpu") -> None:
        """Load ``folder`` (config.json, model.safetensors, tokenizer.json)."""
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        why = unsupported(folder)
        if why:
            raise ValueError(f"{folder}: {why}")
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.heads = config["num_attention_heads"]
        self.eps = config["layer_norm_eps"]
        self.device = device
        state = {
            k.removeprefix("bert."): v.to(device)
            for k, v in load_file(str(folder / "model.safetensors")).items()
        }
        self.word = state["embeddings.word_embeddings.weight"]
        self.dim: int = self.word.shape[1]
        """Width of the vectors: the model's hidden size."""
        self.position = state["embeddings.position_embeddings.weight"]
        self.token_type = state["embeddings.token_type_embeddings.weight"][0]
        self.embed_norm = _norm(state, "embeddings.LayerNorm")
        self.layers = [
            _layer(state, f"encoder.layer.{i}.") for i in range(config["num_hidden_layers"])
        ]
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()

    def tokenize(self, texts: list[str], max_length: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Token ids and attention mask, padded to the longest text (at most ``max_length``)."""
        encoded = self.tokenizer.encode_batch(texts)
        ids = [
            e.ids if len(e.ids) <= max_length else e.ids[: max_length - 1] + e.ids[-1:]
            for e in encoded
        ]
        width = max(len(row) for row in ids)
        padded = torch.zeros((len(ids), width), dtype=torch.long)
        mask = torch.zeros((len(ids), width), dtype=torch.bool)
        for i, row in enumerate(ids):
            padded[i, : len(row)] = torch.tensor(row)
            mask[i, : len(row)] = True
        return padded.to(self.device), mask.to(self.device)

    @torch.inference_mode()
    def embed(self, texts: list[str], max_length: int = 128) -> torch.Tensor:
        """Mean-pooled, L2-normalised vectors ``(len(texts), hidden)``."""
        ids, mask = self.tokenize(texts, max_length)
        batch, width = ids.shape
        x = F.embedding(ids, self.word) + self.position[:width] + self.token_type
        x = F.layer_norm(x, x.shape[-1:], *self.embed_norm, eps=self.eps)
        attend = mask[:, None, None, :]
        for layer in self.layers:
            qkv = F.linear(x, *layer["qkv"]).view(batch, width, 3, self.heads, -1)
            q, k, v = qkv.permute(2, 0, 3, 1, 4)
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=attend)
            ctx = ctx.transpose(1, 2).reshape(batch, width, -1)
            x = F.layer_norm(
                x + F.linear(ctx, *layer["out"]), x.shape[-1:], *layer["norm1"], eps=self.eps
            )
            h = F.gelu(F.linear(x, *layer["up"]))
            x = F.layer_norm(
                x + F.linear(h, *layer["down"]), x.shape[-1:], *layer["norm2"], eps=self.eps
            )
        weights = mask[..., None].to(x.dtype)
        pooled = (x * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return F.normalize(pooled, p=2, dim=1)


def _norm(state: dict[str, Any], name: str) -> tuple[torch.Tensor, torch.Tensor]:
    return state[f"{name}.weight"], state[f"{name}.bias"]


def _layer(state: dict[str, Any], p: str) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    parts = [f"{p}attention.self.{n}" for n in ("query", "key", "value")]
    return {
        "qkv": (
            torch.cat([state[f"{n}.weight"] for n in parts]),
            torch.cat([state[f"{n}.bias"] for n in parts]),
        ),
        "out": _norm(state, f"{p}attention.output.dense"),
        "norm1": _norm(state, f"{p}attention.output.LayerNorm"),
        "up": _norm(state, f"{p}intermediate.dense"),
        "down": _norm(state, f"{p}output.dense"),
        "norm2": _norm(state, f"{p}output.LayerNorm"),
    }
