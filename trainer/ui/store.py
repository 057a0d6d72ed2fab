"""Call history in SQLite: every practice call, saved after every turn.

One table, ``calls``: the call id, the trainee, the persona, when it started and
was last updated, the call state, the transcript and the scorecard (JSON), the
outcome and the overall score. The database runs in WAL mode so readers (the
history views) never block the writer, and every turn is committed before the
reply is shown: a crash or a closed tab loses at most the turn in flight.

Thread-safe: each thread gets its own connection (Gradio runs handlers on a
thread pool), and writes are serialised by a lock.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    id         TEXT PRIMARY KEY,
    trainee    TEXT NOT NULL,
    persona    TEXT NOT NULL,
    started    TEXT NOT NULL,
    updated    TEXT NOT NULL,
    state      TEXT NOT NULL,
    transcript TEXT NOT NULL,
    scorecard  TEXT,
    outcome    TEXT NOT NULL,
    overall    REAL
);
CREATE INDEX IF NOT EXISTS calls_by_trainee ON calls (trainee, started);
"""

_UPSERT = """
INSERT INTO calls (id, trainee, persona, started, updated, state, transcript, scorecard,
                   outcome, overall)
VALUES (:id, :trainee, :persona, :now, :now, :state, :transcript, :scorecard, :outcome, :overall)
ON CONFLICT (id) DO UPDATE SET
    updated = excluded.updated, state = excluded.state, transcript = excluded.transcript,
    scorecard = excluded.scorecard, outcome = excluded.outcome, overall = excluded.overall
WHERE calls.trainee = excluded.trainee
"""


def default_db_path() -> Path:
    """``frontline.sqlite3`` in the user data dir (``$FRONTLINE_DATA_DIR`` overrides it)."""
    from trainer.paths import user_data_dir

    return user_data_dir() / "frontline.sqlite3"


@dataclass(frozen=True)
class CallRecord:
    """One saved call, as read back from the store."""

    id: str
    trainee: str
    persona: str
    started: str
    updated: str
    state: dict[str, Any]
    transcript: dict[str, Any]
    scorecard: dict[str, Any] | None
    outcome: str
    overall: float | None

    @property
    def agent_turns(self) -> int:
        """How many lines the trainee said in this call."""
        return sum(1 for t in self.transcript.get("turns", []) if t.get("speaker") == "agent")


class CallStore:
    """The calls table of one SQLite file. Create one per app; share it between threads."""

    def __init__(self, path: str | Path | None = None, *, timeout: float = 30.0) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._timeout = timeout
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        with self._write_lock:
            conn = self._conn()
            conn.executescript(_SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.commit()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=self._timeout, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    def journal_mode(self) -> str:
        """The SQLite journal mode in force (``wal``)."""
        return str(self._conn().execute("PRAGMA journal_mode").fetchone()[0])

    def save(
        self,
        *,
        call_id: str,
        trainee: str,
        persona: str,
        state: dict[str, Any],
        transcript: dict[str, Any],
        outcome: str,
        scorecard: dict[str, Any] | None = None,
        overall: float | None = None,
    ) -> bool:
        """Insert or update one call; ``started`` is kept from the first save.

        Returns False (and changes nothing) when ``call_id`` belongs to another trainee.
        """
        params = {
            "id": call_id,
            "trainee": trainee,
            "persona": persona,
            "now": _now(),
            "state": json.dumps(state, ensure_ascii=False),
            "transcript": json.dumps(transcript, ensure_ascii=False),
            "scorecard": None if scorecard is None else json.dumps(scorecard, ensure_ascii=False),
            "outcome": outcome,
            "overall": overall,
        }
        with self._write_lock:
            conn = self._conn()
            cur = conn.execute(_UPSERT, params)
            conn.commit()
        return cur.rowcount == 1

    def save_call(self, trainee: str, state: Any, scorecard: Any | None = None) -> bool:
        """Save a :class:`~trainer.simulation.CallState` (and its scorecard, once scored)."""
        card = None if scorecard is None else scorecard.model_dump(mode="json")
        return self.save(
            call_id=state.call_id,
            trainee=trainee,
            persona=state.persona_id,
            state=state.model_dump(mode="json"),
            transcript=state.to_transcript().model_dump(mode="json"),
            outcome=state.outcome,
            scorecard=card,
            overall=None if scorecard is None else scorecard.overall,
        )

    def get(self, call_id: str, trainee: str | None = None) -> CallRecord | None:
        """One call by id (only if it belongs to ``trainee``, when given)."""
        sql, args = "SELECT * FROM calls WHERE id = ?", [call_id]
        if trainee is not None:
            sql, args = sql + " AND trainee = ?", [*args, trainee]
        row = self._conn().execute(sql, args).fetchone()
        return None if row is None else _record(row)

    def list_calls(self, trainee: str, limit: int = 500) -> list[CallRecord]:
        """This trainee's calls, oldest first."""
        rows = self._conn().execute(
            "SELECT * FROM calls WHERE trainee = ? ORDER BY started, id LIMIT ?", (trainee, limit)
        )
        return [_record(r) for r in rows]

    def list_all(self, limit: int = 5000) -> list[CallRecord]:
        """Every trainee's calls (the trainer view), newest first."""
        rows = self._conn().execute(
            "SELECT * FROM calls ORDER BY started DESC, id LIMIT ?", (limit,)
        )
        return [_record(r) for r in rows]

    def trainees(self) -> list[str]:
        """Everyone who has saved a call, alphabetically."""
        rows = self._conn().execute("SELECT DISTINCT trainee FROM calls ORDER BY trainee")
        return [r[0] for r in rows]

    def close(self) -> None:
        """Close every thread's connection (the store cannot be used afterwards)."""
        with self._all_lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _record(row: sqlite3.Row) -> CallRecord:
    return CallRecord(
        id=row["id"],
        trainee=row["trainee"],
        persona=row["persona"],
        started=row["started"],
        updated=row["updated"],
        state=json.loads(row["state"]),
        transcript=json.loads(row["transcript"]),
        scorecard=None if row["scorecard"] is None else json.loads(row["scorecard"]),
        outcome=row["outcome"],
        overall=row["overall"],
    )
