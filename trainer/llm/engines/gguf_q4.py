"""The bundled model's 4-bit weights, kept 4-bit for fast decoding on the CPU.

SmolLM2's GGUF stores every linear layer as ``Q4_1``: blocks of 32 weights, each
``w = d * q + m`` with ``q`` in 0..15 and a float16 ``d`` (scale) and ``m`` (minimum)
per block. Decoding one token is limited by how many bytes of weights the CPU reads;
4-bit weights are a quarter of bfloat16's, so keeping them packed makes each step
about 2x faster (46 against 23 tokens/s on one thread, ``scripts/bench_backend.py``).

- :func:`read_q4_1` reads those blocks straight from the GGUF (numpy, no model code)
  and returns them under the Hugging Face names, with the rows of ``q_proj`` and
  ``k_proj`` put back in Hugging Face order (llama.cpp permutes them for its rope).
- :func:`save_q4` / :func:`load_q4` keep them in the converted cache as safetensors
  (two 4-bit values per byte, plus ``d`` and ``m``).
- :func:`pack_for_cpu` turns one layer into the operands of torch's int4 CPU kernel
  (``torch._weight_int4pack_mm_for_cpu``), whose weights are ``(q - 8) * s + z`` per
  group of 32: ``s = d`` and ``z = m + 8 d`` give the GGUF's values exactly (up to
  bfloat16 rounding of ``d`` and ``z``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

GROUP = 32  # weights per Q4_1 block
_BLOCK_BYTES = 20  # float16 d, float16 m, 16 bytes holding 32 four-bit values

_GGUF_TO_HF = {
    "attn_q": "self_attn.q_proj",
    "attn_k": "self_attn.k_proj",
    "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj",
    "ffn_gate": "mlp.gate_proj",
    "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj",
}

Q4Weight = tuple[np.ndarray, np.ndarray, np.ndarray]
"""``(q, d, m)``: q uint8 [rows, cols] in 0..15; d and m float16 [rows, cols / 32]."""


def read_q4_1(gguf_path: Path, num_heads: int, num_kv_heads: int) -> dict[str, Q4Weight]:
    """Every ``Q4_1`` linear weight of a Llama GGUF, under its Hugging Face name.

    Tensors of other types (the float32 norms, the Q8_0 embedding) are skipped: they
    come from the dense conversion.
    """
    from gguf import GGUFReader

    out: dict[str, Q4Weight] = {}
    for tensor in GGUFReader(str(gguf_path)).tensors:
        parts = tensor.name.split(".")  # blk.<i>.<kind>.weight
        if tensor.tensor_type.name != "Q4_1" or parts[0] != "blk" or parts[2] not in _GGUF_TO_HF:
            continue
        q, d, m = _unpack_blocks(np.asarray(tensor.data))
        if parts[2] in ("attn_q", "attn_k"):
            heads = num_heads if parts[2] == "attn_q" else num_kv_heads
            q, d, m = (_unpermute_rows(a, heads) for a in (q, d, m))
        out[f"model.layers.{parts[1]}.{_GGUF_TO_HF[parts[2]]}.weight"] = (q, d, m)
    return out


def _unpack_blocks(raw: np.ndarray) -> Q4Weight:
    rows = raw.shape[0]
    blocks = raw.reshape(rows, -1, _BLOCK_BYTES)
    d = blocks[..., 0:2].copy().view(np.float16)[..., 0]
    m = blocks[..., 2:4].copy().view(np.float16)[..., 0]
    packed = blocks[..., 4:]
    q = np.concatenate([packed & 0x0F, packed >> 4], axis=-1)  # low nibbles hold 0..15
    return q.reshape(rows, -1), d, m


def _unpermute_rows(a: np.ndarray, heads: int) -> np.ndarray:
    """Undo llama.cpp's rope permutation of a q/k projection's rows (as transformers does)."""
    half = a.shape[0] // heads // 2
    return a.reshape(heads, half, 2, *a.shape[1:]).swapaxes(1, 2).reshape(a.shape)


def dequantize(weight: Q4Weight) -> np.ndarray:
    """The float32 weights ``d * q + m`` (for checks; decoding never needs them)."""
    q, d, m = weight
    rows, cols = q.shape
    blocks = q.reshape(rows, cols // GROUP, GROUP).astype(np.float32)
    full = blocks * d[..., None].astype(np.float32) + m[..., None].astype(np.float32)
    return full.reshape(rows, cols)


def save_q4(weights: dict[str, Q4Weight], path: Path) -> None:
    """Write ``weights`` to one safetensors file (``<name>.q`` two values per byte)."""
    from safetensors.numpy import save_file

    tensors: dict[str, np.ndarray] = {}
    for name, (q, d, m) in weights.items():
        tensors[f"{name}.q"] = (q[:, 0::2] | (q[:, 1::2] << 4)).astype(np.uint8)
        tensors[f"{name}.d"] = d
        tensors[f"{name}.m"] = m
    save_file(tensors, str(path))


def load_q4(path: Path) -> dict[str, Q4Weight]:
    """The weights :func:`save_q4` wrote."""
    from safetensors.numpy import load_file

    stored = load_file(str(path))
    out: dict[str, Q4Weight] = {}
    for key in stored:
        if key.endswith(".q"):
            name, packed = key[:-2], stored[key]
            q = np.empty((packed.shape[0], packed.shape[1] * 2), dtype=np.uint8)
            q[:, 0::2], q[:, 1::2] = packed & 0x0F, packed >> 4
            out[name] = (q, stored[f"{name}.d"], stored[f"{name}.m"])
    return out


def pack_for_cpu(weight: Q4Weight) -> tuple[Any, Any]:
    """The operands of ``torch._weight_int4pack_mm_for_cpu(x, packed, 32, scales_and_zeros)``."""
    import torch

    q, d, m = weight
    packed = torch._convert_weight_to_int4pack_for_cpu(torch.from_numpy(q).to(torch.int32), 1)
    scale = torch.from_numpy(d).float()
    zero = torch.from_numpy(m).float() + 8 * scale
    sz = torch.stack([scale, zero], dim=-1).transpose(0, 1).contiguous()  # [groups, rows, 2]
    return packed, sz.to(torch.bfloat16)
