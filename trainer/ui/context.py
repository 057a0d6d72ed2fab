"""What every tab shares: the simulator, the personas folder, the store, the rubric.

Nothing here is per user: the model and the analyser are shared, read-only, by
every session. Per-user data (the call, the test call, the uploaded batch)
lives in ``gr.State`` inside each tab.
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr

from trainer.ui.store import CallStore


@dataclass
class AppContext:
    """The shared, read-only parts of a running app (one per ``build_app``)."""

    simulator: Any
    personas_dir: Path
    store: CallStore
    rubric_path: Path | None = None
    auth: bool = False
    trainers: frozenset[str] | None = None
    """Users who may open the trainer view; ``None``: everyone (no login)."""
    max_upload_mb: float = 50.0
    rubrics_dir: Path | None = None
    """Extra rubric YAML files offered on the QA page."""
    work_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="frontline-")))
    _rubric: Any = None
    _personas: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def analyzer(self) -> Any:
        """The simulator's signal analyser (the scorer uses the same one)."""
        return self.simulator.analyzer

    @property
    def model_id(self) -> str | None:
        """The model that plays the customer, for the scorecard."""
        return getattr(self.simulator.backend, "model_id", None)

    def rubric(self) -> Any:
        """The practice rubric, loaded once."""
        with self._lock:
            return self._rubric_locked()

    def _rubric_locked(self) -> Any:
        if self._rubric is None:
            from trainer.rubric.model import load_rubric

            self._rubric = load_rubric(self.rubric_path)
        return self._rubric

    def personas(self) -> Any:
        """The personas folder as it is now (a ``PersonaSet``): only changed files are re-read."""
        with self._lock:
            if self._personas is None:
                from trainer.personas.folder import PersonaFolder

                self._personas = PersonaFolder(self.personas_dir, self._rubric_locked())
        return self._personas.load()

    def trainee(self, name: str | None, request: gr.Request | None) -> str:
        """Who is practising: the login name when logins are on, else the name typed in."""
        user = getattr(request, "username", None) if request is not None else None
        if self.auth and user:
            return str(user)
        return " ".join((name or "").split())[:80]

    def is_trainer(self, request: gr.Request | None) -> bool:
        """May this session open the trainer view across trainees?"""
        if self.trainers is None:
            return True
        user = getattr(request, "username", None) if request is not None else None
        return user is not None and user in self.trainers
