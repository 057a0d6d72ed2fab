"""Where Frontline keeps things: the bundled personas and rubric, the user's cache and data.

Environment overrides: ``FRONTLINE_PERSONAS`` (persona folder), ``FRONTLINE_CACHE_DIR``
(converted model weights, embeddings), ``FRONTLINE_DATA_DIR`` (the session database).
The folders returned may not exist yet; whoever writes there creates them.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "frontline"


def repo_root() -> Path:
    """The source checkout that holds the ``trainer`` package."""
    return Path(__file__).resolve().parent.parent


def default_personas_dir() -> Path:
    """The persona folder: ``$FRONTLINE_PERSONAS``, else the repository's ``personas/``."""
    return _from_env("FRONTLINE_PERSONAS") or repo_root() / "personas"


def default_rubric_path() -> Path:
    """The bundled rubric, package data ``trainer/rubric/default.yaml``."""
    return Path(__file__).resolve().parent / "rubric" / "default.yaml"


def user_cache_dir() -> Path:
    """Cache folder (safe to delete): ``$FRONTLINE_CACHE_DIR`` or the platform's cache dir."""
    return _from_env("FRONTLINE_CACHE_DIR") or platformdirs.user_cache_path(APP_NAME)


def user_data_dir() -> Path:
    """Data folder (sessions, scorecards): ``$FRONTLINE_DATA_DIR`` or the platform's data dir."""
    return _from_env("FRONTLINE_DATA_DIR") or platformdirs.user_data_path(APP_NAME)


def _from_env(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None
