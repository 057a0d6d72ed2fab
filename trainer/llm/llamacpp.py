"""The bundled GGUF (or any GGUF file) run by llama.cpp through ``llama_cpp``.

The default engine of ``--backend local`` on the CPU (``local.py`` hands a GGUF to this
class), and ``--backend llamacpp`` by name. ``make`` installs ``llama-cpp-python``
(``requirements-llamacpp.txt``); where it did not build, ``local`` falls back to torch.
Chat replies use the chat template stored in the GGUF. The bundled file is run as a
Q8_0 copy that llama.cpp reads faster on a CPU (``engines/requantized.py``).

One ``Llama`` object per process and file; it is not thread-safe, so a lock is
held for the whole of each reply: concurrent replies queue. The lock is released
when the reply's iterator is exhausted, closed or garbage-collected.

Prefix reuse is llama.cpp's own: a completion keeps the longest common token prefix of
the previous evaluation in the KV cache and reads only the rest. ``prepare`` evaluates
the known start of the next prompt in the background, so the reply decodes only the
trainee's new line.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Iterator
from typing import Any

from trainer.llm.base import Backend, BackendError, GenerationParams, Message, apply_stop
from trainer.llm.read_ahead import ReadAheads

INSTALL_FIX = "make (or: pip install -r requirements-llamacpp.txt; see the Makefile's CMAKE_ARGS)"
INSTALL_HINT = (
    "The llamacpp backend needs the llama_cpp module: "
    f"{INSTALL_FIX}; it compiles llama.cpp once and needs a C++ compiler and cmake."
)
log = logging.getLogger(__name__)
_READING = ReadAheads()  # prompts being read ahead by prepare(), per GGUF file

_MODELS: dict[str, tuple[Any, threading.Lock]] = {}
_MODELS_LOCK = threading.Lock()


@atexit.register
def _close_models() -> None:
    """Free the models before the interpreter tears llama_cpp down (else a TypeError at exit)."""
    for done in _READING.pending():  # read-aheads leave llama.cpp first
        done.wait(timeout=30)
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

                from trainer.llm.engines.requantized import runnable_gguf

                try:
                    llm = Llama(
                        model_path=runnable_gguf(self.model_id),
                        n_ctx=self.n_ctx,
                        n_threads=self.threads,
                        verbose=False,
                    )
                except (ValueError, RuntimeError) as err:
                    raise BackendError(f"llama.cpp could not load {self.model_id}: {err}") from err
                _MODELS[self.model_id] = (llm, threading.Lock())
            return _MODELS[self.model_id]

    def warmup(self) -> None:
        """Load the model now and generate one token (the first call is slower)."""
        for _ in self.stream_text("Hello", GenerationParams(max_new_tokens=1, temperature=0)):
            pass

    def stream(self, messages: list[Message], params: GenerationParams) -> Iterator[str]:
        """Reply to chat ``messages`` with the GGUF's chat template."""
        return apply_stop(self._run("chat", messages, params), params.stop)

    def stream_text(self, prompt: str, params: GenerationParams) -> Iterator[str]:
        """Continue the raw text ``prompt``."""
        for done in _READING.waits(self.model_id, prompt):  # the same KV state, always
            done.wait()
        return apply_stop(self._run("text", prompt, params), params.stop)

    def prepare(self, prompt: str) -> None:
        """Evaluate ``prompt`` into llama.cpp's KV cache in the background; return at once.

        A later :meth:`stream_text` whose prompt begins with ``prompt`` waits for this to
        finish and then reads only the rest (llama.cpp keeps the common token prefix).
        Failures only cost the speed-up.
        """
        if _READING.start(self.model_id, prompt) is None:
            return  # already being read, or too many reads pending for this model
        threading.Thread(target=self._read_ahead, args=(prompt,), daemon=True).start()

    def _read_ahead(self, prompt: str) -> None:
        try:
            llm, lock = self._llama()
            with lock:
                # One greedy token: the prompt is evaluated exactly as a completion
                # tokenizes it; the sampled token is never evaluated, so it is not kept.
                llm.create_completion(prompt=prompt, max_tokens=1, temperature=0, top_k=1)
        except Exception as err:  # noqa: BLE001 - the reply itself will report real trouble
            log.debug("Reading ahead failed: %s", err)
        finally:
            _READING.finish(self.model_id, prompt)

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
