"""Helpers for the UI tests: launch the app on a free local port, read chat values.

The app runs the real simulator with the scripted backend (no model) and the real
MiniLM signal analyser, on a copy of the bundled personas and a fresh database.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[2]
UPLOAD_LIMIT_MB = 0.05


@dataclass
class RunningApp:
    """A launched app and what it was built on."""

    url: str
    store: Any
    personas_dir: Path
    simulator: Any
    demo: Any


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def text_of(content: Any) -> str:
    """A chatbot message's text: Gradio 6 may hand back a list of blocks."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or content.get("value") or "")
    if isinstance(content, list | tuple):
        return "".join(text_of(c) for c in content)
    return "" if content is None else str(content)


def chat_texts(chat: list[dict]) -> list[tuple[str, str]]:
    """``[(role, text), ...]`` of a chatbot value."""
    return [(m["role"], text_of(m["content"])) for m in chat]


CLIENT_TIMEOUT_S = 120.0
"""httpx's default is 5 s a read: on a loaded 2-core CI machine (load ~6) the app's
config, a queue join or a scoring call can take longer than that, and the test then
fails with ``ReadTimeout`` though nothing is wrong. What the tests check is unchanged."""


def connect(url: str, auth: tuple[str, str] | None = None) -> Any:
    """A ``gradio_client.Client`` with reads sized to a loaded machine, not an idle one."""
    import httpx
    from gradio_client import Client

    timeout = httpx.Timeout(CLIENT_TIMEOUT_S, connect=30.0)
    return Client(url, auth=auth, verbose=False, httpx_kwargs={"timeout": timeout})


def launch(tmp: Path, backend: Any = None, **options: Any) -> RunningApp:
    """Build and launch the app (scripted backend unless given, real analyser) on a free port."""
    from trainer.llm.scripted import ScriptedBackend
    from trainer.scoring.signals import SignalAnalyzer
    from trainer.simulation import Simulator
    from trainer.ui.app import build_app
    from trainer.ui.store import CallStore

    personas = tmp / "personas"
    if not personas.exists():
        shutil.copytree(REPO / "personas", personas)
    store = CallStore(tmp / "calls.sqlite3")
    simulator = Simulator(backend or ScriptedBackend(), SignalAnalyzer.default())
    auth = options.pop("auth_users", None)
    demo = build_app(simulator, personas, store, auth=bool(auth), **options)
    demo.queue(default_concurrency_limit=16)
    _, url, _ = demo.launch(
        server_name="127.0.0.1",
        server_port=free_port(),
        prevent_thread_lock=True,
        quiet=True,
        auth=auth,
    )
    return RunningApp(url, store, personas, simulator, demo)


def pick_customer(page: Any, name: str) -> None:
    """Click the customer's card, as a trainee does (the cards fold away during a call)."""
    card = page.locator("#persona-cards .fl-card", has_text=name)
    for _ in range(2):  # a click on the fold's header while it moves may close it again
        if card.is_visible():
            break
        page.locator("#pick-customer button.label-wrap").first.click()
        try:
            card.wait_for(state="visible", timeout=10_000)
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError: try the header again
            continue
    card.click()


@contextmanager
def chromium(args: list[str], wait_ms: int) -> Iterator[Any]:
    """Debian's chromium under Playwright (never a downloaded browser), waits of wait_ms."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=wait_ms)
    (REPO / "test-artifacts").mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        yield browser
        browser.close()
