"""Which engine runs a local model, and a transformers model behind one small face.

:func:`llama_cpp_gguf` decides: a GGUF (the bundled one, or ``--model x.gguf``) on a
CPU or Apple GPU runs through llama.cpp (``llamacpp.py``) whenever ``llama_cpp``
imports; a model id or folder, or a CUDA device, runs on transformers
(:func:`load`). Where llama.cpp did not build, the bundled model runs on transformers
from its converted folder (``engines/bundled.py``), with a logged warning naming the fix.

Engines (``engine=`` or ``$FRONTLINE_ENGINE``): ``auto`` (the default: the rule above),
``llamacpp`` or ``transformers``. Our own plain-torch Llama engine (``llama``) was
removed: on an AVX2 CPU llama.cpp decoded 3x faster in half the memory.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from trainer.llm.base import BackendError, Message

ENGINES = ("auto", "llamacpp", "transformers")
REMOVED_ENGINES = {
    "llama": (
        "The 'llama' engine (Frontline's own plain-torch Llama) was removed: llama.cpp runs "
        "the same models faster in less memory. Use 'llamacpp' (the default for a GGUF: "
        "'auto') or 'transformers' (FRONTLINE_ENGINE=transformers)."
    ),
}
log = logging.getLogger(__name__)
_WARNED: list[str] = []  # the fallback warning, once per process


class Sequence(Protocol):
    """One sequence being generated: its KV cache grows with every ``run``."""

    def run(self, ids: list[int]) -> Any:
        """Feed ``ids``; the logits (1-D tensor) after the last of them."""


@dataclass
class LoadedModel:
    """A transformers model and tokenizer shared by every LocalBackend of the process."""

    model: Any
    """The torch module (tests and benchmarks count its ``forward`` calls)."""
    device: str
    dtype: str
    source: str
    """The folder or model id loaded."""
    encode: Callable[[str, bool], list[int]]
    """``encode(text, add_special_tokens)``."""
    decode: Callable[[list[int]], str]
    """Token ids to text, special tokens skipped."""
    chat_prompt: Callable[[list[Message]], str]
    """The chat template applied to ``messages``, with the generation prompt."""
    new_sequence: Callable[[int], Sequence]
    """A fresh sequence with room for this many tokens."""
    eos_ids: frozenset[int]
    max_positions: int | None
    lock: threading.Lock = field(default_factory=threading.Lock)


def llama_cpp_gguf(model: str | None, device: str | None, engine: str | None) -> str | None:
    """The GGUF file that llama.cpp runs for ``model`` (None: the bundled one), or None
    when transformers runs it (see the module docstring).

    BackendError when llama.cpp is needed and missing: ``engine="llamacpp"``, or a
    ``.gguf`` file given as the model (transformers here does not read one); ValueError
    for an unknown or removed engine.
    """
    from trainer.llm.llamacpp import INSTALL_FIX, INSTALL_HINT, llama_cpp_available

    chosen = engine_name(engine)
    if chosen == "transformers":
        return None
    if model is None:
        from trainer.llm.engines.bundled import find_gguf

        gguf = str(find_gguf().path)
    elif model.lower().endswith(".gguf"):
        if not os.path.isfile(model):
            raise BackendError(f"No GGUF file at {model!r}: give the path to a .gguf file.")
        gguf = model
    elif chosen == "llamacpp":
        raise BackendError(f"The llamacpp engine runs .gguf files; {model!r} is not one.")
    else:
        return None  # a model id or folder: transformers
    if chosen == "auto" and _on_cuda(device):
        return None  # CUDA: transformers
    if llama_cpp_available():
        return gguf
    if chosen == "llamacpp" or model is not None:
        raise BackendError(INSTALL_HINT)
    if not _WARNED:
        _WARNED.append(gguf)
        log.warning(
            "llama-cpp-python is not installed, so the bundled model runs on transformers "
            "(slower, and more memory). Fix: %s",
            INSTALL_FIX,
        )
    return None


def engine_name(engine: str | None) -> str:
    """``engine``, else ``$FRONTLINE_ENGINE``, else ``auto``; ValueError when it is not one
    of :data:`ENGINES` (a removed engine says what to use instead)."""
    chosen = (engine or os.environ.get("FRONTLINE_ENGINE", "") or "auto").strip().lower()
    if chosen in REMOVED_ENGINES:
        raise ValueError(REMOVED_ENGINES[chosen])
    if chosen not in ENGINES:
        raise ValueError(f"Unknown engine {chosen!r}; choose one of {', '.join(ENGINES)}.")
    return chosen


def _on_cuda(device: str | None) -> bool:
    """Whether the model would run on CUDA; no torch import on a machine without NVIDIA."""
    device = device or os.environ.get("FRONTLINE_DEVICE", "").strip()
    if device:
        return device.startswith("cuda")
    if sys.platform == "darwin":
        return False
    if sys.platform.startswith("linux") and not os.path.exists("/proc/driver/nvidia/version"):
        return False
    from trainer.llm.hardware import default_device

    return default_device().startswith("cuda")


KV_CACHES = ("auto", "static", "dynamic")


def kv_cache_kind(device: str) -> str:
    """``static`` or ``dynamic``: the transformers KV cache a reply gets.

    ``$FRONTLINE_KV_CACHE`` (``auto``, ``static``, ``dynamic``); ``auto`` is static on
    CUDA (one allocation of prompt + max_new_tokens per reply, no regrowth; the shape
    ``torch.compile`` needs) and dynamic elsewhere (a CPU reply allocates what it uses).
    Both read a call the same to rounding (``tests/llm/test_local.py``); the GPU speed of either was
    not measured here (no GPU was lent). ValueError for another value.
    """
    chosen = os.environ.get("FRONTLINE_KV_CACHE", "auto").strip().lower() or "auto"
    if chosen not in KV_CACHES:
        raise ValueError(f"FRONTLINE_KV_CACHE={chosen!r}: expected one of {', '.join(KV_CACHES)}")
    if chosen == "auto":
        return "static" if device.startswith("cuda") else "dynamic"
    return chosen


def load(source: str, device: str, dtype: str) -> LoadedModel:
    """Load the model id or folder ``source`` with transformers; BackendError when it fails."""
    try:
        return _load_transformers(source, device, dtype)
    except (OSError, ValueError) as err:
        offline = " (HF_HUB_OFFLINE is set: only cached models and local folders load)"
        raise BackendError(
            f"Could not load model {source!r} on {device}: {err}"
            f"{offline if os.environ.get('HF_HUB_OFFLINE') else ''}"
        ) from err


def _load_transformers(source: str, device: str, dtype: str) -> LoadedModel:
    import inspect

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, DynamicCache, StaticCache

    tokenizer = AutoTokenizer.from_pretrained(source)
    model = AutoModelForCausalLM.from_pretrained(source, dtype=getattr(torch, dtype))
    model.to(device).eval()
    params = inspect.signature(model.forward).parameters
    cache_arg = "cache" if "cache" in params else "past_key_values"
    keep = next((k for k in ("logits_to_keep", "num_logits_to_keep") if k in params), None)
    step_kwargs = {keep: 1} if keep else {}
    eos: set[int] = set(tokenizer.all_special_ids)
    for ids in (model.generation_config.eos_token_id, tokenizer.eos_token_id):
        eos.update([ids] if isinstance(ids, int) else list(ids or ()))

    class _Sequence:
        def __init__(self, capacity: int) -> None:
            # a static cache keeps its own write position (transformers >= 5)
            self.cache = (
                StaticCache(config=model.config, max_cache_len=capacity)
                if kv_cache_kind(device) == "static"
                else DynamicCache(config=model.config)
            )

        def run(self, ids: list[int]) -> Any:
            with torch.inference_mode():
                out = model(
                    input_ids=torch.tensor([ids], device=device),
                    use_cache=True,
                    **{cache_arg: self.cache},
                    **step_kwargs,
                )
            return out.logits[0, -1]

    return LoadedModel(
        model=model,
        device=device,
        dtype=dtype,
        source=source,
        encode=lambda text, special: tokenizer(text, add_special_tokens=special)["input_ids"],
        decode=lambda ids: tokenizer.decode(ids, skip_special_tokens=True),
        chat_prompt=lambda messages: _apply_template(tokenizer, source, messages),
        new_sequence=_Sequence,
        eos_ids=frozenset(eos),
        max_positions=getattr(model.config, "max_position_embeddings", None),
    )


def _apply_template(tokenizer: Any, source: str, messages: list[Message]) -> str:
    if not getattr(tokenizer, "chat_template", None):
        raise BackendError(
            f"Model {source!r} has no chat template; use the continuation "
            "strategy (stream_text) with it."
        )
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
