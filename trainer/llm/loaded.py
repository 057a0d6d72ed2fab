"""Which engine runs a local model, and a torch model behind one small face.

:func:`llama_cpp_gguf` decides first: a GGUF (the bundled one, or ``--model x.gguf``)
on a CPU or Apple GPU runs through llama.cpp (``llamacpp.py``) whenever ``llama_cpp``
imports; a model id or folder, or a CUDA device, uses torch. Where llama.cpp did not
build, the bundled model falls back to torch with a logged warning naming the fix.

Two torch engines load a model for :class:`~trainer.llm.local.LocalBackend`:

- ``llama`` (``llama_engine.py``): plain torch, for Llama-architecture folders on the
  CPU; the bundled SmolLM2 decodes with its GGUF's 4-bit weights. It never imports
  transformers unless a chat template has to be rendered.
- ``transformers``: ``AutoModelForCausalLM``, for every other model, any device.

``auto`` (the default, or ``$FRONTLINE_ENGINE``) takes ``llamacpp``, then ``llama``
where it can.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from trainer.llm.base import BackendError, Message
from trainer.llm.engines.bundled import Q4_FILE
from trainer.llm.engines.prefix_cache import PrefixCache

ENGINES = ("auto", "llamacpp", "llama", "transformers")
log = logging.getLogger(__name__)
_WARNED: list[str] = []  # the fallback warning, once per process


class Sequence(Protocol):
    """One sequence being generated: its KV cache grows with every ``run``."""

    def run(self, ids: list[int]) -> Any:
        """Feed ``ids``; the logits (1-D tensor) after the last of them."""


@dataclass
class LoadedModel:
    """A model and tokenizer shared by every LocalBackend of the process."""

    model: Any
    """The torch module or LlamaEngine (tests and benchmarks count its ``forward`` calls)."""
    engine: str
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
    four_bit: bool = False
    prefixes: PrefixCache | None = None
    """Recent prompts' attention caches (``llama`` engine only)."""
    lock: threading.Lock = field(default_factory=threading.Lock)


def llama_cpp_gguf(model: str | None, device: str | None, engine: str | None) -> str | None:
    """The GGUF file that llama.cpp runs for ``model`` (None: the bundled one), or None
    when a torch engine runs it (see the module docstring).

    BackendError when llama.cpp is needed and missing: ``engine="llamacpp"``, or a
    ``.gguf`` file given as the model (torch cannot read it).
    """
    from trainer.llm.llamacpp import INSTALL_FIX, INSTALL_HINT, llama_cpp_available

    chosen = _engine_name(engine)
    if chosen in ("llama", "transformers"):
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
        return None  # a model id or folder: transformers (or the plain-torch engine)
    if chosen == "auto" and _on_cuda(device):
        return None  # CUDA: transformers
    if llama_cpp_available():
        return gguf
    if chosen == "llamacpp" or model is not None:
        raise BackendError(INSTALL_HINT)
    if not _WARNED:
        _WARNED.append(gguf)
        log.warning(
            "llama-cpp-python is not installed, so the bundled model runs on the slower "
            "torch engine. Fix: %s",
            INSTALL_FIX,
        )
    return None


def _engine_name(engine: str | None) -> str:
    chosen = (engine or os.environ.get("FRONTLINE_ENGINE", "") or "auto").strip().lower()
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


def choose_engine(source: str, device: str, engine: str | None = None) -> str:
    """``llama`` or ``transformers`` for ``source`` on ``device`` (see the module docstring)."""
    chosen = _engine_name(engine)
    if chosen == "llamacpp":
        raise ValueError("The llamacpp engine is chosen by llama_cpp_gguf, not here.")
    if chosen != "auto":
        return chosen
    from trainer.llm.engines.llama_engine import unsupported

    folder = Path(source)
    fast_tokenizer = (folder / "tokenizer.json").is_file()
    if device == "cpu" and fast_tokenizer and unsupported(folder) is None:
        return "llama"
    return "transformers"


def load(source: str, device: str, dtype: str, engine: str, four_bit: bool = True) -> LoadedModel:
    """Load ``source`` with ``engine`` (``llama`` or ``transformers``)."""
    try:
        if engine == "llama":
            return _load_llama(Path(source), device, dtype, four_bit)
        return _load_transformers(source, device, dtype)
    except (OSError, ValueError) as err:
        offline = " (HF_HUB_OFFLINE is set: only cached models and local folders load)"
        raise BackendError(
            f"Could not load model {source!r} on {device}: {err}"
            f"{offline if os.environ.get('HF_HUB_OFFLINE') else ''}"
        ) from err


def _load_llama(folder: Path, device: str, dtype: str, four_bit: bool) -> LoadedModel:
    from tokenizers import Tokenizer

    from trainer.llm.engines.llama_engine import LlamaEngine

    q4 = folder / Q4_FILE if four_bit and device == "cpu" else None
    engine = LlamaEngine(folder, dtype, device, q4=q4 if q4 and q4.is_file() else None)
    if not (folder / "tokenizer.json").is_file():
        raise ValueError(f"{folder} has no tokenizer.json; use engine='transformers'")
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    special = {i for i, t in tokenizer.get_added_tokens_decoder().items() if t.special}
    eos = set(engine.shape.eos_ids)
    generation = folder / "generation_config.json"
    if generation.is_file():
        ids = json.loads(generation.read_text(encoding="utf-8")).get("eos_token_id")
        eos.update([ids] if isinstance(ids, int) else ids or ())
    chat_tokenizer: list[Any] = []  # transformers' tokenizer, only if a chat is asked for

    def chat_prompt(messages: list[Message]) -> str:
        if not chat_tokenizer:
            from transformers import AutoTokenizer

            chat_tokenizer.append(AutoTokenizer.from_pretrained(str(folder)))
        return _apply_template(chat_tokenizer[0], source=str(folder), messages=messages)

    prefixes = PrefixCache(int(os.environ.get("FRONTLINE_PREFIX_CACHE", "16") or 0))

    class _Sequence:
        def __init__(self, capacity: int) -> None:
            self.cache = engine.new_cache(capacity)

        def run(self, ids: list[int]) -> Any:
            if self.cache.length:
                return engine.forward(ids, self.cache)
            skip = prefixes.restore(ids, self.cache)
            logits = engine.forward(ids[skip:], self.cache, prompt=True)
            prefixes.keep(ids, self.cache)
            return logits

    return LoadedModel(
        model=engine,
        engine="llama",
        device=device,
        dtype=dtype,
        source=str(folder),
        encode=lambda text, special_tokens: (
            tokenizer.encode(text, add_special_tokens=special_tokens).ids
        ),
        decode=lambda ids: tokenizer.decode(ids, skip_special_tokens=True),
        chat_prompt=chat_prompt,
        new_sequence=_Sequence,
        eos_ids=frozenset(eos | special),
        max_positions=engine.shape.max_positions,
        four_bit=engine.decodes_4bit,
        prefixes=prefixes,
    )


def _load_transformers(source: str, device: str, dtype: str) -> LoadedModel:
    import inspect

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, DynamicCache

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
            self.cache = DynamicCache(config=model.config)

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
        engine="transformers",
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
