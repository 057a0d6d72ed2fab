"""Generation backends behind one small interface (see ``base.py``).

``get_backend()`` picks one by name: the argument, else ``$FRONTLINE_BACKEND``, else
``"local"``; the model from the argument or ``$FRONTLINE_MODEL`` (None: the backend's
default). Backend modules are imported only when chosen, so ``scripted`` never
imports torch.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import os
from typing import Any

from trainer.llm.base import (
    Backend,
    BackendError,
    GenerationParams,
    Message,
    StopFilter,
    apply_stop,
)

__all__ = [
    "Backend",
    "BackendError",
    "GenerationParams",
    "Message",
    "StopFilter",
    "apply_stop",
    "available_backends",
    "get_backend",
]

DEFAULT_BACKEND = "local"

_REGISTRY: dict[str, tuple[str, str, str]] = {
    # name: (module, class, what it is)
    "local": ("trainer.llm.local", "LocalBackend", "torch in this process (default: SmolLM2)"),
    "openai": ("trainer.llm.openai_compat", "OpenAIBackend", "an OpenAI-compatible server"),
    "scripted": ("trainer.llm.scripted", "ScriptedBackend", "no model: scripted lines only"),
    "llamacpp": ("trainer.llm.llamacpp", "LlamaCppBackend", "llama.cpp (optional llama_cpp)"),
    "fake": ("trainer.llm.fake", "FakeBackend", "scripted outputs, for tests"),
}
_TAKES_MODEL = {"local", "openai", "llamacpp"}


def available_backends() -> dict[str, str]:
    """Backend name -> one line saying what it is."""
    return {name: about for name, (_, _, about) in _REGISTRY.items()}


def get_backend(name: str | None = None, model: str | None = None, **options: Any) -> Backend:
    """The backend called ``name``, built with ``model`` and ``options``.

    ``options`` are the backend's own settings, e.g. ``base_url``/``api_key``/``timeout``
    for ``openai``, ``device``/``dtype``/``engine`` for ``local``, ``outputs`` for
    ``fake``. Raises ValueError for an unknown name or option (with what is allowed);
    BackendError when the backend cannot start (a missing package, say).
    """
    chosen = (name or os.environ.get("FRONTLINE_BACKEND") or DEFAULT_BACKEND).strip().lower()
    if chosen not in _REGISTRY:
        close = difflib.get_close_matches(chosen, list(_REGISTRY), n=1)
        hint = f" Did you mean: {close[0]}?" if close else ""
        raise ValueError(f"Unknown backend {chosen!r}.{hint} Available: {', '.join(_REGISTRY)}.")
    module, cls_name, _ = _REGISTRY[chosen]
    cls = getattr(importlib.import_module(module), cls_name)
    if model is None:
        model = os.environ.get("FRONTLINE_MODEL", "").strip() or None
    if chosen in _TAKES_MODEL:
        options["model"] = model
    allowed = [
        name
        for name, p in inspect.signature(cls).parameters.items()
        if name not in ("self", "model") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    unknown = sorted(set(options) - set(allowed) - {"model"})
    if unknown:
        raise ValueError(
            f"Backend {chosen!r} takes no option {', '.join(map(repr, unknown))}. "
            f"Its options: {', '.join(allowed) or 'none'}."
        )
    return cls(**options)
