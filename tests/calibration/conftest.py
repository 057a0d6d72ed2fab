"""Calibration tests keep their embedding caches in a temporary folder, not the user's."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _own_cache_dir(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("FRONTLINE_CACHE_DIR", str(tmp_path_factory.mktemp("frontline-cache")))
