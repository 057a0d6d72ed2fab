"""A small Llama forward pass in plain torch, for the bundled model on the CPU.

Why not transformers' ``LlamaForCausalLM``: on a 2-core machine it costs about 3 s of
imports before the first reply, and its per-token overhead and bfloat16 matrix-vector
products kept decoding under 25 tokens/s. This engine reads a safetensors folder
directly (no transformers import), fuses the q/k/v and gate/up projections, keeps a
preallocated KV cache, and decodes with the GGUF's own 4-bit weights when they are
given (``gguf_q4.py``). Prompts (many tokens at once) use the dense weights, where the
CPU's matrix units are fast.

It covers the plain Llama architecture (SmolLM2, TinyLlama, ...); :func:`unsupported`
says why a folder is out of scope, and the caller then uses transformers. Its logits
match transformers' on the same weights (``tests/test_llama_engine.py``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from trainer.llm.engines import gguf_q4

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LlamaShape:
    """The sizes the forward pass needs, read from ``config.json``."""

    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    eps: float
    rope_theta: float
    tied: bool
    max_positions: int | None
    eos_ids: tuple[int, ...]

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LlamaShape:
        """The shape of a supported config (see :func:`unsupported`)."""
        heads = config["num_attention_heads"]
        rope = config.get("rope_parameters") or {}
        eos = config.get("eos_token_id")
        return cls(
            layers=config["num_hidden_layers"],
            heads=heads,
            kv_heads=config.get("num_key_value_heads") or heads,
            head_dim=config.get("head_dim") or config["hidden_size"] // heads,
            eps=config["rms_norm_eps"],
            rope_theta=rope.get("rope_theta") or config.get("rope_theta") or 10000.0,
            tied=bool(config.get("tie_word_embeddings")),
            max_positions=config.get("max_position_embeddings"),
            eos_ids=tuple([eos] if isinstance(eos, int) else eos or ()),
        )


def unsupported(folder: Path) -> str | None:
    """Why this engine cannot run the model in ``folder``; None when it can."""
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        return f"no readable config.json ({err})"
    if config.get("model_type") != "llama":
        return f"model_type {config.get('model_type')!r} is not 'llama'"
    rope = config.get("rope_parameters") or {}
    if config.get("rope_scaling") or rope.get("rope_type", "default") != "default":
        return "rope scaling is not supported"
    if config.get("attention_bias") or config.get("mlp_bias"):
        return "bias terms are not supported"
    if config.get("hidden_act", "silu") != "silu":
        return f"activation {config.get('hidden_act')!r} is not supported"
    if not _weight_files(folder):
        return "no model*.safetensors file"
    return None


def _weight_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("model*.safetensors"))


class KVCache:
    """Keys and values of one sequence, room for ``capacity`` positions."""

    def __init__(self, shape: LlamaShape, capacity: int, dtype: torch.dtype, device: str) -> None:
        size = (shape.layers, 2, 1, shape.kv_heads, capacity, shape.head_dim)
        self.kv = torch.empty(size, dtype=dtype, device=device)
        self.length = 0
        self.capacity = capacity


class LlamaEngine:
    """Weights of one Llama model and its forward pass; no state between calls."""

    def __init__(
        self, folder: Path, dtype: str = "bfloat16", device: str = "cpu", q4: Path | None = None
    ) -> None:
        """Load ``folder`` (config.json + safetensors); ``q4``: 4-bit weights for decoding."""
        from safetensors.torch import load_file

        why = unsupported(folder)
        if why:
            raise ValueError(f"{folder}: {why}")
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.shape = shape = LlamaShape.from_config(config)
        self.dtype, self.device = getattr(torch, dtype), device
        state: dict[str, torch.Tensor] = {}
        for file in _weight_files(folder):
            try:
                state.update(load_file(str(file)))
            except Exception as err:  # safetensors raises its own error type
                raise ValueError(
                    f"cannot read {file} ({err}); if it is a converted cache, delete "
                    f"the folder {folder} and it is converted again"
                ) from err

        def take(name: str) -> torch.Tensor:
            if name not in state:
                raise ValueError(f"{folder}: the weights have no {name!r}")
            return state.pop(name).to(device=device, dtype=self.dtype)

        self.embed = take("model.embed_tokens.weight")
        self.lm_head = self.embed if shape.tied else take("lm_head.weight")
        self.norm = take("model.norm.weight")
        if q4 is not None and device != "cpu":
            raise ValueError(f"4-bit decoding runs on the CPU only, not on {device}")
        quant = None
        if q4 is not None:
            try:
                quant = gguf_q4.load_q4(q4)
            except Exception as err:  # noqa: BLE001 - a damaged file only costs speed
                log.warning("Cannot read %s (%s): decoding with dense weights.", q4, err)
        wanted = {k for k in state if k.endswith("_proj.weight")}
        if quant is not None and not wanted <= set(quant):
            quant = None  # not every projection is 4-bit in the file: decode dense
        if quant is not None and not _int4_kernel_works():
            log.warning("This torch has no working int4 CPU kernel: decoding with dense weights.")
            quant = None
        self.layers = [self._layer(i, take, quant) for i in range(shape.layers)]
        self.decodes_4bit = quant is not None
        half = torch.arange(0, shape.head_dim, 2, dtype=torch.float32) / shape.head_dim
        self.inv_freq = (1.0 / shape.rope_theta**half).to(device)

    def _layer(self, i: int, take: Any, quant: dict[str, gguf_q4.Q4Weight] | None) -> dict:
        p = f"model.layers.{i}."
        fused = {
            "qkv": ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"),
            "o": ("self_attn.o_proj",),
            "gate_up": ("mlp.gate_proj", "mlp.up_proj"),
            "down": ("mlp.down_proj",),
        }
        layer: dict[str, Any] = {
            "norm1": take(p + "input_layernorm.weight"),
            "norm2": take(p + "post_attention_layernorm.weight"),
        }
        for key, parts in fused.items():
            names = [f"{p}{part}.weight" for part in parts]
            layer[key] = torch.cat([take(n) for n in names])
            if quant is not None:
                layer[key + "_4bit"] = gguf_q4.pack_for_cpu(_cat_q4([quant[n] for n in names]))
        return layer

    def new_cache(self, capacity: int) -> KVCache:
        """An empty KV cache for a sequence of up to ``capacity`` tokens."""
        return KVCache(self.shape, capacity, self.dtype, self.device)

    @torch.inference_mode()
    def forward(self, ids: list[int], cache: KVCache, prompt: bool = False) -> torch.Tensor:
        """Run ``ids`` after what ``cache`` holds; float32 logits of the last position.

        ``prompt=True`` uses the dense weights even for a single token, so a prompt
        gives the same logits whether or not part of it came from a prefix cache.
        """
        n, start = len(ids), cache.length
        end = start + n
        if end > cache.capacity:
            raise ValueError(f"KV cache holds {cache.capacity} positions; {end} needed")
        s = self.shape
        x = F.embedding(torch.tensor([ids], device=self.device), self.embed)
        cos, sin = self._rope(start, end)
        mask = None
        if n > 1 and start > 0:  # a prompt after cached tokens: causal, offset by start
            rows = torch.arange(start, end, device=self.device)[:, None]
            mask = torch.arange(end, device=self.device) <= rows
        one = n == 1 and self.decodes_4bit and not prompt
        half = s.head_dim // 2
        for i, layer in enumerate(self.layers):
            h = self._rms(x, layer["norm1"])
            y = self._linear(h, layer, "qkv", one).view(1, n, -1, s.head_dim).transpose(1, 2)
            qk = y[:, : s.heads + s.kv_heads]
            qk = qk * cos + torch.cat([-qk[..., half:], qk[..., :half]], dim=-1) * sin
            cache.kv[i, 0, :, :, start:end] = qk[:, s.heads :]
            cache.kv[i, 1, :, :, start:end] = y[:, s.heads + s.kv_heads :]
            attn = F.scaled_dot_product_attention(
                qk[:, : s.heads],
                cache.kv[i, 0, :, :, :end],
                cache.kv[i, 1, :, :, :end],
                attn_mask=mask,
                is_causal=n > 1 and start == 0,
                enable_gqa=True,
            )
            x = x + self._linear(attn.transpose(1, 2).reshape(1, n, -1), layer, "o", one)
            h = self._rms(x, layer["norm2"])
            gate, up = self._linear(h, layer, "gate_up", one).chunk(2, dim=-1)
            x = x + self._linear(F.silu(gate) * up, layer, "down", one)
        cache.length = end
        last = self._rms(x[0, -1], self.norm)
        return torch.mv(self.lm_head, last).float()  # matrix-vector: fastest for one row

    def _linear(self, x: torch.Tensor, layer: dict, key: str, four_bit: bool) -> torch.Tensor:
        if not four_bit:
            return F.linear(x, layer[key])
        packed, sz = layer[key + "_4bit"]
        flat = x.reshape(-1, x.shape[-1]).to(torch.bfloat16)
        out = torch._weight_int4pack_mm_for_cpu(flat, packed, gguf_q4.GROUP, sz)
        return out.to(self.dtype).view(*x.shape[:-1], -1)

    def _rms(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        """RMSNorm computed in float32, as transformers' LlamaRMSNorm does."""
        x32 = x.float()
        x32 = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.shape.eps)
        return weight * x32.to(self.dtype)

    def _rope(self, start: int, end: int) -> tuple[torch.Tensor, torch.Tensor]:
        positions = torch.arange(start, end, dtype=torch.float32, device=self.device)
        freqs = torch.outer(positions, self.inv_freq)
        angles = torch.cat([freqs, freqs], dim=-1)
        return angles.cos().to(self.dtype), angles.sin().to(self.dtype)


def _int4_kernel_works() -> bool:
    """True when torch's int4 CPU kernel runs here (it is private API, new in torch 2.5)."""
    try:
        q = np.full((32, 64), 9, dtype=np.uint8)
        ones = np.ones((32, 2), dtype=np.float16)
        packed, sz = gguf_q4.pack_for_cpu((q, ones, np.zeros((32, 2), dtype=np.float16)))
        x = torch.ones(1, 64, dtype=torch.bfloat16)
        out = torch._weight_int4pack_mm_for_cpu(x, packed, gguf_q4.GROUP, sz)
    except (AttributeError, RuntimeError, NotImplementedError):
        return False
    return bool(torch.allclose(out.float(), torch.full((1, 32), 576.0)))  # 64 * 9


def _cat_q4(parts: list[gguf_q4.Q4Weight]) -> gguf_q4.Q4Weight:
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(3))  # type: ignore[return-value]
