"""The SQLite call history: upserts per turn, per-trainee listing, WAL, threads, crash safety."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from trainer.ui.store import CallStore, default_db_path


def _save(store: CallStore, call_id: str, trainee: str, turns: int, **extra) -> bool:
    transcript = {
        "id": call_id,
        "persona": "p",
        "turns": [{"speaker": "agent", "text": f"line {i}"} for i in range(turns)],
    }
    return store.save(
        call_id=call_id,
        trainee=trainee,
        persona="p",
        state={"turn": turns},
        transcript=transcript,
        outcome=extra.pop("outcome", "ongoing"),
        **extra,
    )


def test_save_then_update_keeps_started(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "calls.sqlite3")
    assert store.journal_mode() == "wal"
    assert _save(store, "c1", "ana", 1)
    first = store.get("c1")
    assert first is not None and first.agent_turns == 1 and first.scorecard is None
    card = {"overall": 72.5, "criteria": []}
    assert _save(store, "c1", "ana", 2, outcome="resolved", scorecard=card, overall=72.5)
    second = store.get("c1")
    assert second is not None
    assert second.started == first.started
    assert second.updated >= first.updated
    assert (second.agent_turns, second.outcome, second.overall) == (2, "resolved", 72.5)
    assert second.scorecard == card
    assert second.state == {"turn": 2}


def test_list_by_trainee_and_trainer_view(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "calls.sqlite3")
    for i in range(3):
        _save(store, f"ana-{i}", "ana", 1)
    _save(store, "ben-0", "ben", 1)
    assert [c.id for c in store.list_calls("ana")] == ["ana-0", "ana-1", "ana-2"]
    assert [c.id for c in store.list_calls("ben")] == ["ben-0"]
    assert store.list_calls("nobody") == []
    assert store.trainees() == ["ana", "ben"]
    assert {c.id for c in store.list_all()} == {"ana-0", "ana-1", "ana-2", "ben-0"}


def test_a_call_cannot_be_taken_over_by_another_trainee(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "calls.sqlite3")
    _save(store, "c1", "ana", 1)
    assert not _save(store, "c1", "mallory", 5)
    record = store.get("c1")
    assert record is not None and record.trainee == "ana" and record.agent_turns == 1
    assert store.get("c1", trainee="mallory") is None
    assert store.get("c1", trainee="ana") is not None


def test_unicode_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "calls.sqlite3"
    store = CallStore(path)
    _save(store, "c1", "Zoë", 1)
    store.close()
    again = CallStore(path)
    assert [c.trainee for c in again.list_all()] == ["Zoë"]


def test_many_threads_write_and_read(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "calls.sqlite3")
    errors: list[BaseException] = []

    def trainee(n: int) -> None:
        try:
            for turn in range(1, 6):
                _save(store, f"call-{n}", f"t{n}", turn)
                assert store.get(f"call-{n}").agent_turns == turn  # type: ignore[union-attr]
                assert [c.id for c in store.list_calls(f"t{n}")] == [f"call-{n}"]
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=trainee, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(store.list_all()) == 20
    assert all(c.agent_turns == 5 for c in store.list_all())


def test_committed_turns_survive_a_killed_process(tmp_path: Path) -> None:
    """A crash loses at most the turn in flight: every saved turn is committed at once."""
    path = tmp_path / "calls.sqlite3"
    code = f"""
import os
from trainer.ui.store import CallStore
store = CallStore({str(path)!r})
for turn in range(1, 4):
    store.save(call_id="c1", trainee="ana", persona="p", state={{"turn": turn}},
               transcript={{"id": "c1", "turns": []}}, outcome="ongoing")
os._exit(9)  # no close, no cleanup
"""
    proc = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[2])
    assert proc.returncode == 9
    record = CallStore(path).get("c1")
    assert record is not None and record.state == {"turn": 3}
    # And the file is a plain SQLite database any tool can read.
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM calls").fetchone()[0] == 1


def test_default_path_honours_data_dir(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FRONTLINE_DATA_DIR", str(tmp_path / "data"))
    assert default_db_path() == tmp_path / "data" / "frontline.sqlite3"
    store = CallStore()
    assert store.path.exists()
