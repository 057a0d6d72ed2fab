"""The browser app: ``build_app(...) -> gr.Blocks`` (wiring only) and ``app_main`` (the CLI).

Tabs: Practice (the trainee), History (my calls; the trainer view), Persona
studio (the trainer), QA batch (the analyst). The simulator, the analyser and
the store are shared; every call, test call and batch lives in the session's
``gr.State``. Only :func:`app_main` calls ``launch()``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import gradio as gr

from trainer.llm.base import Backend
from trainer.ui import render
from trainer.ui.context import AppContext
from trainer.ui.history import build_history_tab
from trainer.ui.practice_tab import PRACTICE_CSS, build_practice_tab
from trainer.ui.qa import build_qa_tab
from trainer.ui.resume import wire_resume
from trainer.ui.store import CallStore
from trainer.ui.studio import build_studio_tab

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
DEFAULT_UPLOAD_MB = 50.0


def build_app(
    simulator: Any,
    personas_dir: str | Path,
    store: CallStore,
    *,
    rubric_path: str | Path | None = None,
    rubrics_dir: str | Path | None = None,
    auth: bool = False,
    trainers: frozenset[str] | None = None,
    max_upload_mb: float = DEFAULT_UPLOAD_MB,
) -> gr.Blocks:
    """The whole app as a ``gr.Blocks``; the caller queues and launches it.

    ``auth``: logins are on, so a trainee is their login name; ``trainers``: the
    logins that may open the trainer view (``None``: everyone).
    """
    ctx = AppContext(
        simulator=simulator,
        personas_dir=Path(personas_dir),
        store=store,
        rubric_path=Path(rubric_path) if rubric_path else None,
        rubrics_dir=Path(rubrics_dir) if rubrics_dir else None,
        auth=auth,
        trainers=trainers,
        max_upload_mb=max_upload_mb,
    )
    with gr.Blocks(title="Frontline — call-centre practice") as demo:
        gr.HTML(render.STYLE + PRACTICE_CSS, js_on_load=None, elem_id="fl-style")
        with gr.Row():
            gr.Markdown("## Frontline · call-centre practice", elem_id="fl-title")
            name_box = gr.Textbox(
                label="Your name",
                placeholder="Enter your name once; it is kept for this session",
                max_length=80,
                elem_id="trainee-name",
            )
        with gr.Tabs() as tabs:
            with gr.Tab("Practice", id="practice") as practice:
                practice_ui = build_practice_tab(demo, ctx, name_box, practice)
            with gr.Tab("History", id="history") as history:
                pick, resume = build_history_tab(demo, ctx, name_box, history)
                wire_resume(ctx, practice_ui, resume, name_box, pick, tabs)
            with gr.Tab("Persona studio", id="studio"):
                build_studio_tab(demo, ctx)
            with gr.Tab("QA batch", id="qa"):
                build_qa_tab(demo, ctx)

        def _who(request: gr.Request) -> Any:
            user = getattr(request, "username", None)
            if auth and user:
                return gr.update(value=user, interactive=False)
            return gr.update()

        demo.load(_who, None, name_box, api_visibility="private")
    return demo


AUTHORED_CONCURRENCY = 16
"""Replies at once when the caller says authored lines (no model runs; as for scripted)."""


def concurrency_for(backend: Backend, strategy: str | None = None) -> int:
    """How many replies to generate at once: ``$FRONTLINE_CONCURRENCY``, else the backend's.

    Each backend declares its ``max_concurrency``: 1 for a model on this CPU, 2 on a
    GPU, 32 for a server that batches requests, 16 for scripted lines; with the
    ``authored`` strategy no model runs, so as many as for scripted lines.
    """
    override = os.environ.get("FRONTLINE_CONCURRENCY", "").strip()
    if override:
        return max(1, int(override))
    if strategy == "authored":
        return AUTHORED_CONCURRENCY
    return max(1, backend.max_concurrency)


def parse_auth(spec: str) -> tuple[list[tuple[str, str]], frozenset[str]]:
    """``user:pass``, or a file of ``user:pass`` lines (``user:pass:trainer`` for trainers).

    A single ``--auth user:pass`` user is a trainer. Blank lines and ``#`` comments are
    skipped. Raises ``ValueError`` naming the bad line.
    """
    path = Path(spec)
    if not path.is_file():
        user, _, password = spec.partition(":")
        if not user or not password:
            raise ValueError("--auth must be user:pass, or a file of user:pass lines")
        return [(user, password)], frozenset({user})
    users: list[tuple[str, str]] = []
    trainers: set[str] = set()
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        user, _, password = line.partition(":")
        if password.endswith(":trainer"):
            password = password[: -len(":trainer")]
            trainers.add(user)
        if not user or not password:
            raise ValueError(f"{path}:{n}: expected user:pass or user:pass:trainer")
        users.append((user, password))
    if not users:
        raise ValueError(f"{path}: no users (one user:pass per line)")
    return users, frozenset(trainers)


def app_main(args: argparse.Namespace) -> int:
    """``python -m trainer app``: build, queue and launch the app (blocks until stopped)."""
    from trainer.paths import default_personas_dir
    from trainer.runtime import make_backend, make_simulator

    users: list[tuple[str, str]] = []
    trainers: frozenset[str] | None = None
    if args.auth:
        try:
            users, trainers = parse_auth(args.auth)
        except (OSError, ValueError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
    elif args.host not in LOCAL_HOSTS:
        print(
            f"error: --host {args.host} makes the app reachable from other machines; "
            "add --auth user:pass (or --auth FILE with one user:pass per line)",
            file=sys.stderr,
        )
        return 2
    backend = make_backend(
        args.backend, args.model, base_url=args.base_url, no_model=args.no_model,
        strategy=args.strategy,
    )  # fmt: skip
    simulator = make_simulator(backend, args.strategy)
    limit_mb = float(os.environ.get("FRONTLINE_MAX_UPLOAD_MB", DEFAULT_UPLOAD_MB))
    demo = build_app(
        simulator,
        args.personas or default_personas_dir(),
        CallStore(args.db),
        auth=bool(users),
        trainers=trainers,
        max_upload_mb=limit_mb,
    )
    demo.queue(default_concurrency_limit=concurrency_for(backend, simulator.strategy))
    demo.launch(
        server_name=args.host,
        server_port=args.port,
        auth=users or None,
        max_file_size=f"{limit_mb:g}mb",
        show_error=True,
    )
    return 0
