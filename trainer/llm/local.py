"""In-process generation with transformers + torch (the default backend).

``LocalBackend()`` plays the bundled SmolLM2-135M-Instruct (``bundled.py``); any causal
LM id or folder loads with ``from_pretrained`` (under ``HF_HUB_OFFLINE=1``: cached only).

A hand-written token loop over a KV cache (not ``generate()`` + a streamer thread): the
first piece comes straight after the prompt's forward pass, and stop strings are cut
exactly, even across tokens, ending generation as soon as one appears.

One model object per process and (model, device, dtype), loaded lazily on first use
(or by ``warmup()``). Calls from several threads are safe: each call has its own KV
cache and sampler, and a per-model lock is held around each forward step, so
concurrent replies interleave token by token instead of queueing a whole reply
behind another. A reply abandoned half way holds nothing.
"""

from __future__ import annotations

import inspect
import os
import random
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainer.llm.base import BackendError, GenerationParams, Message, StopFilter
from trainer.llm.sampling import pick_token

BUNDLED_ID = "bundled:smollm2-135m-instruct"


@dataclass
class LoadedModel:
    """A model and tokenizer shared by every LocalBackend of the process."""

    model: Any
    tokenizer: Any
    device: str
    dtype: str
    source: str
    """The folder or model id that ``from_pretrained`` read."""
    cache_arg: str  # "cache" in recent transformers, else "past_key_values"
    step_kwargs: dict[str, Any]  # logits for the last position only, where supported
    eos_ids: frozenset[int]
    max_positions: int | None
    lock: threading.Lock = field(default_factory=threading.Lock)


_MODELS: dict[tuple[str, str, str], LoadedModel] = {}
_MODELS_LOCK = threading.Lock()


def default_device() -> str:
    """``$FRONTLINE_DEVICE``, else ``cuda`` when available, else ``mps``, else ``cpu``."""
    chosen = os.environ.get("FRONTLINE_DEVICE", "").strip()
    if chosen:
        return chosen
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def default_dtype(device: str) -> str:
    """The fastest dtype measured for ``device`` (``$FRONTLINE_DTYPE`` overrides).

    CPU: bfloat16 where the processor has bf16 matrix instructions (AMX / AVX512-BF16:
    prompt processing is about 3x faster than float32 and decoding about equal),
    else float32 (bfloat16 is emulated and slow there). GPU: bfloat16, or float16.
    """
    chosen = os.environ.get("FRONTLINE_DTYPE", "").strip()
    if chosen:
        return chosen
    if device.startswith("cuda"):
        import torch

        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    if device == "mps":
        return "float16"
    return "bfloat16" if _cpu_has_bf16() else "float32"


def _cpu_has_bf16() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            flags = next((line for line in info if line.startswith("flags")), "").split()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def set_threads(threads: int | None = None) -> int:
    """Set torch's CPU threads: ``threads`` if given, else one core fewer than the machine has.

    Leaving a core free matters on small machines: on 2 cores busy with a browser,
    the web server or the embedder, torch with 2 threads stalled at every parallel
    region (seconds per token) while 1 thread kept its pace. Without ``threads``
    the count is only ever lowered, never raised above what torch already uses.
    """
    import torch

    if threads:
        torch.set_num_threads(threads)
    else:
        spare = max(1, _usable_cpus() - 1)
        if spare < torch.get_num_threads():
            torch.set_num_threads(spare)
    return torch.get_num_threads()


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # honours taskset and container cpusets
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def load_model(
    model: str | None = None,
    *,
    device: str | None = None,
    dtype: str | None = None,
    cache_dir: Path | None = None,
) -> LoadedModel:
    """The process-wide model for ``model`` (None: the bundled one), loading it once."""
    import torch

    device = device or default_device()
    dtype = dtype or default_dtype(device)
    if model is None:
        from trainer.llm.bundled import ensure_converted

        source = str(ensure_converted(cache_dir))
    else:
        source = model
    key = (source, device, dtype)
    with _MODELS_LOCK:
        if key not in _MODELS:
            _MODELS[key] = _load(source, device, getattr(torch, dtype), dtype)
        return _MODELS[key]


def _load(source: str, device: str, torch_dtype: Any, dtype: str) -> LoadedModel:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModelForCausalLM.from_pretrained(source, dtype=torch_dtype)
        model.to(device).eval()
    except (OSError, ValueError) as err:
        offline = " (HF_HUB_OFFLINE is set: only cached models and local folders load)"
        raise BackendError(
            f"Could not load model {source!r} on {device}: {err}"
            f"{offline if os.environ.get('HF_HUB_OFFLINE') else ''}"
        ) from err
    params = inspect.signature(model.forward).parameters
    cache_arg = "cache" if "cache" in params else "past_key_values"
    keep = next((k for k in ("logits_to_keep", "num_logits_to_keep") if k in params), None)
    eos: set[int] = set(tokenizer.all_special_ids)
    for ids in (model.generation_config.eos_token_id, tokenizer.eos_token_id):
        eos.update([ids] if isinstance(ids, int) else list(ids or ()))
    return LoadedModel(
        model=model,
        tokenizer=tokenizer,
        device=device,
        dtype=dtype,
        source=source,
        cache_arg=cache_arg,
        step_kwargs={keep: 1} if keep else {},
        eos_ids=frozenset(eos),
        max_positions=getattr(model.config, "max_position_embeddings", None),
    )


class LocalBackend:
    """transformers + torch in this process; see the module docstring."""

    name = "local"
    generates = True

    def __init__(
        self,
        model: str | None = None,
        *,
        device: str | None = None,
        dtype: str | None = None,
        cache_dir: Path | None = None,
        threads: int | None = None,
    ) -> None:
        """``model``: None for the bundled SmolLM2, else a model id or folder.

        ``device``/``dtype`` default to :func:`default_device` / :func:`default_dtype`;
        ``cache_dir`` is where the bundled model is converted (default: user cache);
        ``threads`` (or ``$FRONTLINE_THREADS``) sets torch's CPU threads for the process
        (default: see :func:`set_threads`).
        """
        self.model_id = model or BUNDLED_ID
        self._model = model
        self._device = device
        self._dtype = dtype
        self._cache_dir = cache_dir
        self._threads = threads or int(os.environ.get("FRONTLINE_THREADS", "0") or 0) or None
        self._loaded: LoadedModel | None = None

    @property
    def loaded(self) -> LoadedModel:
        """The shared model, loaded on first access."""
        if self._loaded is None:
            set_threads(self._threads)
            self._loaded = load_model(
                self._model, device=self._device, dtype=self._dtype, cache_dir=self._cache_dir
            )
        return self._loaded

    @property
    def source(self) -> str:
        """The folder (bundled: the converted cache folder) or model id loaded."""
        return self.loaded.source

    def warmup(self) -> None:
        """Load the model now and run one tiny generation (first calls are slower)."""
        for _ in self.stream_text("Hello", GenerationParams(max_new_tokens=2, temperature=0)):
            pass

    def stream(self, messages: list[Message], params: GenerationParams) -> Iterator[str]:
        """Reply to chat ``messages`` through the tokenizer's chat template."""
        tok = self.loaded.tokenizer
        if not getattr(tok, "chat_template", None):
            raise BackendError(
                f"Model {self.model_id!r} has no chat template; use the continuation "
                "strategy (stream_text) with it."
            )
        text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return self._generate(tok(text, add_special_tokens=False)["input_ids"], params)

    def stream_text(self, prompt: str, params: GenerationParams) -> Iterator[str]:
        """Continue the raw text ``prompt``."""
        return self._generate(self.loaded.tokenizer(prompt)["input_ids"], params)

    def _generate(self, prompt_ids: list[int], params: GenerationParams) -> Iterator[str]:
        lm = self.loaded
        limit = lm.max_positions
        if limit and len(prompt_ids) + params.max_new_tokens > limit:
            raise BackendError(
                f"Prompt of {len(prompt_ids)} tokens + {params.max_new_tokens} new ones "
                f"exceeds {self.model_id}'s {limit}-token context; shorten the history."
            )
        return self._loop(lm, prompt_ids, params)

    def _loop(
        self, lm: LoadedModel, prompt_ids: list[int], params: GenerationParams
    ) -> Iterator[str]:
        import torch
        from transformers import DynamicCache

        seed = params.seed if params.seed is not None else random.randrange(2**63)
        sampler = torch.Generator(device=lm.device).manual_seed(seed)
        deadline = time.monotonic() + params.timeout_s
        cache = DynamicCache(config=lm.model.config)
        step_ids = torch.tensor([prompt_ids], device=lm.device)
        generated: list[int] = []
        shown = ""
        cut = StopFilter(params.stop)
        for _ in range(params.max_new_tokens):
            with lm.lock, torch.inference_mode():
                out = lm.model(
                    input_ids=step_ids, use_cache=True, **{lm.cache_arg: cache}, **lm.step_kwargs
                )
            token = pick_token(out.logits[0, -1], params, sampler)
            if token in lm.eos_ids:
                break
            generated.append(token)
            step_ids = torch.tensor([[token]], device=lm.device)
            text = lm.tokenizer.decode(generated, skip_special_tokens=True)
            if text.endswith("\ufffd"):
                continue  # half a multi-byte character: wait for the next token
            piece = cut.feed(text[len(shown) :])
            shown = text
            if piece:
                yield piece
            if cut.stopped:
                return
            if time.monotonic() > deadline:
                raise BackendError(
                    f"{self.model_id} took longer than {params.timeout_s:.0f} s to reply "
                    f"on {lm.device}; use a smaller model, fewer tokens or a GPU server."
                )
        tail = cut.flush()
        if tail:
            yield tail
