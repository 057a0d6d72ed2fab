"""Optional: the bundled GGUF (or any GGUF file) run by llama.cpp through ``llama_cpp``.

Not a default dependency (``pip install llama-cpp-python`` compiles llama.cpp).
One ``Llama`` object per process and file; it is not thread-safe, so a lock is
held for the whole of each reply: concurrent replies queue. The lock is released
when the reply's iterator is exhausted, closed or garbage-collected.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Iterator
from typing import Any

from trainer.llm.base import Backend, BackendError, GenerationParams, Message, apply_stop

INSTALL_HINT = (
    "The llamacpp backend needs the llama_cpp module: pip install llama-cpp-python "
    "(it compiles llama.cpp; needs a C++ compiler and cmake). Or use --backend local."
)

_MODELS: dict[str, tuple[Any, threading.Lock]] = {}
_MODELS_LOCK = threading.Lock()


@atexit.register
def _close_models() -> None:
    """Free the models before the interpreter tears llama_cpp down (else a TypeError at exit)."""
    with _MODELS_LOCK:
        for llm, _ in _MODELS.values():
            close = getattr(llm, "close", None)
            if close is not None:
                close()
        _MODELS.clear()


def llama_cpp_available() -> bool:
    """True when ``llama_cpp`` can be imported."""
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        return False
    return True


class LlamaCppBackend(Backend):
    """llama.cpp in this process; ``model`` is a .gguf path (None: the bundled one)."""

    name = "llamacpp"
    generates = True
    max_concurrency = 1
    """One ``Llama`` object, locked for a whole reply: concurrent replies only queue."""

    def __init__(
        self, model: str | None = None, *, n_ctx: int = 4096, threads: int | None = None
    ) -> None:
        """BackendError at once when ``llama_cpp`` is missing; the model loads on first use."""
        if not llama_cpp_available():
            raise BackendError(INSTALL_HINT)
        if model is None:
            from trainer.llm.engines.bundled import find_gguf

            model = str(find_gguf().path)
        elif not os.path.isfile(model):
            raise BackendError(f"No GGUF file at {model!r}: llamacpp takes a path to a .gguf file.")
        self.model_id = model
        self.n_ctx = n_ctx
        self.threads = threads or int(os.environ.get("FRONTLINE_THREADS", "0") or 0) or None

    def _llama(self) -> tuple[Any, threading.Lock]:
        with _MODELS_LOCK:
            if self.model_id not in _MODELS:
                from llama_cpp import Llama

                try:
                    llm = Llama(
                        model_path=self.model_id,
                        n_ctx=self.n_ctx,
                        n_threads=self.threads,
                        verbose=False,
                    )
                except (ValueError, RuntimeError) as err:
                    raise BackendError(f"llama.cpp could not load {self.model_id}: {err}") from err
                _MODELS[self.model_id] = (llm, threading.Lock())
            return _MODELS[self.model_id]

    def warmup(self) -> None:
        """Load the model now."""
        self._llama()

    def stream(self, messages: list[Message], params: GenerationParams) -> Iterator[str]:
        """Reply to chat ``messages`` with the GGUF's chat template."""
        return apply_stop(self._run("chat", messages, params), params.stop)

    def stream_text(self, prompt: str, params: GenerationParams) -> Iterator[str]:
        """Continue the raw text ``prompt``."""
        return apply_stop(self._run("text", prompt, params), params.stop)

    def _run(self, kind: str, request: Any, params: GenerationParams) -> Iterator[str]:
        llm, lock = self._llama()
        options: dict[str, Any] = {
            "max_tokens": params.max_new_tokens,
            "temperature": max(params.temperature, 0.0),
            "top_p": params.top_p,
            "stop": list(params.stop) or None,
            "stream": True,
        }
        if params.temperature <= 0:
            options["top_k"] = 1  # greedy
        with lock:
            if params.seed is not None:
                llm.set_seed(params.seed)
            try:
                if kind == "chat":
                    chunks = llm.create_chat_completion(messages=request, **options)
                else:
                    chunks = llm.create_completion(prompt=request, **options)
                for chunk in chunks:
                    choice = chunk["choices"][0]
                    text = choice.get("text") or (choice.get("delta") or {}).get("content")
                    if text:
                        yield text
            except (ValueError, RuntimeError) as err:
                raise BackendError(f"llama.cpp failed on {self.model_id}: {err}") from err
