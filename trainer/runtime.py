"""Building the shared parts of a running Frontline: backend, analyser, simulator.

The entry points (``trainer chat``, ``trainer app``, ``personas check``, the scripts) build
their backend here, once per process; so this is also where the process-wide torch
threads are set for a model that runs in this process.
"""

from __future__ import annotations

import logging
import warnings

from trainer.llm import get_backend
from trainer.llm.base import Backend, BackendError
from trainer.llm.scripted import ScriptedBackend
from trainer.simulation import Simulator, Strategy
from trainer.simulation.call import SignalSource

log = logging.getLogger(__name__)

NO_MODEL_NOTE = (
    "The model could not start, so the customer speaks scripted lines (the server log says why)."
)


def make_backend(
    backend: str | None = None,
    model: str | None = None,
    *,
    base_url: str | None = None,
    no_model: bool = False,
    strategy: Strategy | None = None,
) -> Backend:
    """The backend asked for; the scripted one (with a warning) when it cannot start.

    A missing model package or an unreachable server must not stop a trainee from
    practising: the call goes on with the persona's scripted lines. A local model gets
    the process's torch threads first (``$FRONTLINE_THREADS``; see ``hardware.set_threads``).
    It is loaded (``warmup``) now only when it will write lines: with ``strategy`` (or the
    backend's default) ``authored`` it stays unloaded, so the bundled model costs no memory
    or start-up time until ``--strategy continuation`` asks for it.
    """
    if no_model:
        return ScriptedBackend()
    options = {"base_url": base_url} if base_url else {}
    try:
        chosen = get_backend(backend, model=model, **options)
        _set_threads_for(chosen)
        if (strategy or default_strategy(chosen)) != "authored":
            chosen.warmup()
        return chosen
    except BackendError as err:
        message = f"{err}\nFalling back to scripted lines (no model)."
        warnings.warn(message, stacklevel=2)
        log.warning(message)
        return ScriptedBackend.standing_in(NO_MODEL_NOTE)


def _set_threads_for(backend: Backend) -> None:
    """Torch's CPU threads, once, when ``backend`` runs torch in this process
    (llama.cpp takes ``$FRONTLINE_THREADS`` itself)."""
    from trainer.llm.local import LocalBackend

    if isinstance(backend, LocalBackend) and backend.llama_cpp is None:
        from trainer.llm.hardware import set_threads

        set_threads()


def default_strategy(backend: Backend) -> Strategy:
    """Who writes the caller's lines with this backend, from the measurements in
    ``docs/fidelity/``: the persona's authored lines for no model and for the bundled 135M
    model (its own lines were rated 3 % good, authored ones 68 %); a chat model behind an
    OpenAI-compatible server writes them from the planned acts."""
    if not backend.generates:
        return "authored"
    if backend.name == "openai":
        return "chat"
    small = "smollm2-135m" in backend.model_id.lower()  # the bundled model, any engine
    return "authored" if small else "continuation"


def make_simulator(
    backend: Backend, strategy: Strategy | None = None, analyzer: SignalSource | None = None
) -> Simulator:
    """A simulator over ``backend`` with the default rubric's signal analyser; ``strategy``
    None picks :func:`default_strategy`."""
    if analyzer is None:
        from trainer.scoring.signals import SignalAnalyzer

        analyzer = SignalAnalyzer.default()
    chosen = strategy or default_strategy(backend)
    return Simulator(backend=backend, analyzer=analyzer, strategy=chosen)
