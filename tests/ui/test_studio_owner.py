"""The studio's test call belongs to whoever started it (with logins on)."""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr
import pytest

from trainer.llm.scripted import ScriptedBackend
from trainer.simulation.call import Simulator
from trainer.ui.context import AppContext
from trainer.ui.studio import TEMPLATE, try_send, try_start


class _NoSignals:
    def analyse_turn(self, text, speaker, turn=0, context=""):
        return []


def _ctx(tmp_path, auth: bool) -> AppContext:
    sim = Simulator(ScriptedBackend(), _NoSignals(), strategy="authored")
    return AppContext(
        simulator=sim, personas_dir=tmp_path, store=None, work_dir=tmp_path / "w", auth=auth
    )


def test_another_login_cannot_talk_in_my_test_call(tmp_path):
    ctx = _ctx(tmp_path, auth=True)
    ana, ben = SimpleNamespace(username="ana"), SimpleNamespace(username="ben")
    test, _, _ = try_start(ctx, TEMPLATE, ana)
    with pytest.raises(gr.Error, match="belongs to someone else"):
        list(try_send(ctx, test, "Hello, how can I help?", ben))
    replies = list(try_send(ctx, test, "Hello, how can I help?", ana))
    assert replies and len(replies[-1][0]["states"]) == 2  # Ana's line was answered


def test_without_logins_the_session_is_the_only_key(tmp_path):
    ctx = _ctx(tmp_path, auth=False)
    test, _, _ = try_start(ctx, TEMPLATE, None)
    assert list(try_send(ctx, test, "Hello.", None))
