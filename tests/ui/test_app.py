"""Operations: logins, the localhost rule, queue sizing."""

from __future__ import annotations

import argparse
from pathlib import Path
from types import SimpleNamespace

import pytest

from trainer.llm.local import LocalBackend
from trainer.llm.openai_compat import OpenAIBackend
from trainer.llm.scripted import ScriptedBackend
from trainer.ui.app import app_main, concurrency_for, parse_auth


def test_auth_from_the_command_line_and_from_a_file(tmp_path: Path) -> None:
    assert parse_auth("ana:secret:with:colons") == (
        [("ana", "secret:with:colons")],
        frozenset({"ana"}),
    )
    users = tmp_path / "users.txt"
    users.write_text("# trainees\nana:pw1\n\nboss:pw2:trainer\n", encoding="utf-8")
    assert parse_auth(str(users)) == ([("ana", "pw1"), ("boss", "pw2")], frozenset({"boss"}))
    with pytest.raises(ValueError, match="user:pass"):
        parse_auth("no-colon")
    bad = tmp_path / "bad.txt"
    bad.write_text("ana:pw\n:nouser\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.txt:2"):
        parse_auth(str(bad))


def _args(**over: object) -> argparse.Namespace:
    base = dict(
        host="127.0.0.1", port=0, db=None, auth=None, backend=None, model=None,
        base_url=None, no_model=True, strategy="continuation", personas=None,
    )  # fmt: skip
    return argparse.Namespace(**{**base, **over})


def test_binding_beyond_localhost_needs_logins(capsys: pytest.CaptureFixture[str]) -> None:
    assert app_main(_args(host="0.0.0.0")) == 2
    assert "--auth" in capsys.readouterr().err
    assert app_main(_args(host="0.0.0.0", auth="no-colon")) == 2


def test_queue_is_sized_to_the_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FRONTLINE_CONCURRENCY", raising=False)
    on_cpu, on_gpu = LocalBackend(device="cpu"), LocalBackend(device="cuda:0")
    assert (concurrency_for(on_cpu), concurrency_for(on_gpu)) == (1, 2)
    assert concurrency_for(OpenAIBackend(model="m", base_url="http://example.invalid/v1")) > 8
    assert concurrency_for(ScriptedBackend()) > 2
    assert concurrency_for(on_cpu, "authored") > 2  # authored lines: no model runs
    assert concurrency_for(on_cpu, "continuation") == 1
    monkeypatch.setenv("FRONTLINE_CONCURRENCY", "5")
    assert concurrency_for(on_cpu) == 5


def test_the_declared_max_concurrency_drives_the_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FRONTLINE_CONCURRENCY", raising=False)
    named_local = SimpleNamespace(name="local", max_concurrency=7)  # the name decides nothing
    assert concurrency_for(named_local) == 7  # type: ignore[arg-type]
