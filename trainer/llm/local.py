"""In-process generation (the default backend): llama.cpp for a GGUF, else transformers.

``LocalBackend()`` plays the bundled SmolLM2-135M-Instruct (``engines/bundled.py``) and
``LocalBackend("x.gguf")`` any GGUF file through llama.cpp (``llamacpp.py``, with the
GGUF's chat template) when ``llama_cpp`` imports and the device is not CUDA. Otherwise
transformers runs it (``loaded.py`` chooses): a causal LM id or folder with
``from_pretrained`` (under ``HF_HUB_OFFLINE=1``: cached models only), or the bundled
model from its converted folder where llama.cpp did not build. The rest of this
docstring is the transformers path.

A hand-written token loop over transformers' KV cache (not ``generate()`` + a streamer
thread): the first piece comes straight after the prompt's forward pass, and stop
strings are cut exactly, even across tokens, ending generation as soon as one appears.

One model object per process and (model, device, dtype), loaded lazily on first use
(or by ``warmup()``). Calls from several threads are safe: each call has its own KV
cache and sampler, and a per-model lock is held around each forward step, so
concurrent replies interleave token by token instead of queueing a whole reply
behind another. A reply abandoned half way holds nothing. Torch's CPU threads belong
to the process: entry points set them once (``hardware.set_threads``, through
``runtime.make_backend``); a backend never does.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from trainer.llm.base import Backend, BackendError, GenerationParams, Message, StopFilter
from trainer.llm.hardware import default_device, default_dtype
from trainer.llm.llamacpp import LlamaCppBackend
from trainer.llm.loaded import LoadedModel, llama_cpp_gguf, load
from trainer.llm.sampling import pick_token

BUNDLED_ID = "bundled:smollm2-135m-instruct"

_MODELS: dict[tuple[str, str, str], LoadedModel] = {}
_MODELS_LOCK = threading.Lock()


def load_model(
    model: str | None = None,
    *,
    device: str | None = None,
    dtype: str | None = None,
    cache_dir: Path | None = None,
) -> LoadedModel:
    """The process-wide transformers model for ``model`` (None: the bundled one, from
    its converted folder), loading it once."""
    device = device or default_device()
    dtype = dtype or default_dtype(device)
    if model is None:
        from trainer.llm.engines.bundled import ensure_converted

        source = str(ensure_converted(cache_dir))
    else:
        source = model
    key = (source, device, dtype)
    with _MODELS_LOCK:
        if key not in _MODELS:
            _MODELS[key] = load(source, device, dtype)
        return _MODELS[key]


class LocalBackend(Backend):
    """A model in this process: llama.cpp or transformers; see the module docstring."""

    name = "local"
    generates = True

    def __init__(
        self,
        model: str | None = None,
        *,
        device: str | None = None,
        dtype: str | None = None,
        cache_dir: Path | None = None,
        engine: str | None = None,
    ) -> None:
        """``model``: None for the bundled SmolLM2, else a .gguf path, a model id or folder.

        ``device``/``dtype`` default to :func:`default_device` / :func:`default_dtype`
        (transformers only); ``cache_dir`` is where the bundled model is converted for
        transformers (default: user cache); ``engine`` (or ``$FRONTLINE_ENGINE``) is
        ``auto``, ``llamacpp`` or ``transformers``. BackendError when a GGUF needs
        llama.cpp and it is missing; ValueError for an unknown or removed engine.
        """
        self.model_id = model or BUNDLED_ID
        self._model = model
        self._device = device
        self._dtype = dtype
        self._cache_dir = cache_dir
        self._loaded: LoadedModel | None = None
        gguf = llama_cpp_gguf(model, device, engine)
        self.llama_cpp = LlamaCppBackend(gguf) if gguf else None
        """The llama.cpp backend that runs this model, or None when transformers runs it."""

    @property
    def engine(self) -> str:
        """``llamacpp`` or ``transformers`` (known without loading the model)."""
        return "llamacpp" if self.llama_cpp else "transformers"

    @property
    def loaded(self) -> LoadedModel:
        """The shared transformers model, loaded on first access (BackendError on llama.cpp)."""
        if self.llama_cpp is not None:
            raise BackendError(f"{self.model_id} runs on llama.cpp: there is no torch model.")
        if self._loaded is None:
            self._loaded = load_model(
                self._model, device=self._device, dtype=self._dtype, cache_dir=self._cache_dir
            )
        return self._loaded

    @property
    def source(self) -> str:
        """The GGUF file (llama.cpp), else the folder (bundled: the converted cache folder)
        or model id loaded."""
        return self.llama_cpp.model_id if self.llama_cpp else self.loaded.source

    @property
    def max_concurrency(self) -> int:
        """1 on the CPU (two interleaved replies only share the same cores: measured with
        ``scripts/bench_app.py``, no faster) and on llama.cpp, else 2. Does not load the model."""
        if self.llama_cpp is not None:
            return self.llama_cpp.max_concurrency
        device = self._loaded.device if self._loaded else self._device or default_device()
        return 1 if device.startswith("cpu") else 2

    def warmup(self) -> None:
        """Load the model now and run one tiny generation (first calls are slower)."""
        if self.llama_cpp is not None:
            return self.llama_cpp.warmup()
        for _ in self.stream_text("Hello", GenerationParams(max_new_tokens=2, temperature=0)):
            pass

    def stream(self, messages: list[Message], params: GenerationParams) -> Iterator[str]:
        """Reply to chat ``messages`` through the model's chat template."""
        if self.llama_cpp is not None:
            return self.llama_cpp.stream(messages, params)
        lm = self.loaded
        return self._generate(lm.encode(lm.chat_prompt(messages), False), params)

    def stream_text(self, prompt: str, params: GenerationParams) -> Iterator[str]:
        """Continue the raw text ``prompt``."""
        if self.llama_cpp is not None:
            return self.llama_cpp.stream_text(prompt, params)
        return self._generate(self.loaded.encode(prompt, True), params)

    def prepare(self, prompt: str) -> None:
        """On llama.cpp: read ``prompt`` into its KV cache in the background (see
        :meth:`LlamaCppBackend.prepare`), so a reply whose prompt begins with it reads only
        the rest. On transformers: nothing (every reply reads its whole prompt; its model
        is kept for GPUs and models llama.cpp does not run). Returns at once."""
        if self.llama_cpp is not None:
            self.llama_cpp.prepare(prompt)

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

        seed = params.seed if params.seed is not None else random.randrange(2**63)
        sampler = torch.Generator(device=lm.device).manual_seed(seed)
        deadline = time.monotonic() + params.timeout_s
        sequence = lm.new_sequence(len(prompt_ids) + params.max_new_tokens)
        step_ids = prompt_ids
        generated: list[int] = []
        shown = ""
        cut = StopFilter(params.stop)
        for _ in range(params.max_new_tokens):
            with lm.lock:
                logits = sequence.run(step_ids)
            token = pick_token(logits, params, sampler)
            if token in lm.eos_ids:
                break
            generated.append(token)
            step_ids = [token]
            text = lm.decode(generated)
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
