"""Shared fixtures for the UI tests: the app launched once per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ui_helpers import UPLOAD_LIMIT_MB, RunningApp, launch


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The app (scripted backend, real analyser) on a copy of the personas, a fresh database."""
    running = launch(tmp_path_factory.mktemp("app"), max_upload_mb=UPLOAD_LIMIT_MB)
    yield running
    running.demo.close()
