"""Scoring chunks in a worker: an analyser failure is logged, retried per call, never lost."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import pytest

from trainer.rubric.model import Rubric, load_rubric
from trainer.scoring import batch_workers
from trainer.transcripts.io import Record, transcripts_from_records

WORKERS = "trainer.scoring.batch_workers"


class FlakyAnalyzer:
    """Raises on its first ``fail`` calls, then finds no signals in any turn."""

    def __init__(self, fail: int) -> None:
        self.fail = fail
        self.calls: list[int] = []

    def analyse_turns(
        self, turns: Sequence[tuple[str, str]], call_lengths: Sequence[int] | None = None
    ) -> list[list[Any]]:
        self.calls.append(len(turns))
        if len(self.calls) <= self.fail:
            raise RuntimeError("embedder ran out of memory")
        return [[] for _ in turns]


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric()


def _records() -> list[Record]:
    calls = [
        {"id": f"call-{n}", "turns": [
            {"speaker": "customer", "text": "My bill is wrong."},
            {"speaker": "agent", "text": "I'm sorry, let me fix that for you."},
        ]}
        for n in range(3)
    ]  # fmt: skip
    return list(transcripts_from_records(calls, source="calls.jsonl"))


def _in_worker(
    monkeypatch: pytest.MonkeyPatch, rubric: Rubric, analyzer: FlakyAnalyzer
) -> list[batch_workers.Scored]:
    """Run a chunk as a worker process does (``_work`` on the worker's analyser)."""
    monkeypatch.setitem(batch_workers._WORKER, "rubric", rubric)
    monkeypatch.setitem(batch_workers._WORKER, "analyzer", analyzer)
    return batch_workers._work(_records())


def test_chunk_failure_is_logged_then_scored_one_call_at_a_time(
    monkeypatch: pytest.MonkeyPatch, rubric: Rubric, caplog: pytest.LogCaptureFixture
) -> None:
    analyzer = FlakyAnalyzer(fail=1)
    with caplog.at_level(logging.WARNING, logger=WORKERS):
        scored = _in_worker(monkeypatch, rubric, analyzer)
    assert analyzer.calls == [6, 2, 2, 2]  # the whole chunk, then each call alone
    assert [s.error for s in scored] == [None, None, None]
    [record] = [r for r in caplog.records if r.name == WORKERS]
    assert record.levelno == logging.WARNING and record.exc_info is not None
    assert "chunk of 3 calls" in record.getMessage()
    assert "RuntimeError: embedder ran out of memory" in record.getMessage()


def test_a_call_that_still_fails_is_an_error_row_and_logged(
    monkeypatch: pytest.MonkeyPatch, rubric: Rubric, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger=WORKERS):
        scored = _in_worker(monkeypatch, rubric, FlakyAnalyzer(fail=99))
    reason = "scoring failed: RuntimeError: embedder ran out of memory"
    assert [s.error for s in scored] == [reason] * 3
    assert [s.row["status"] for s in scored] == ["error"] * 3
    messages = [r.getMessage() for r in caplog.records if r.name == WORKERS]
    assert len(messages) == 1 + 3  # the chunk, then each call
    assert messages[1] == f"call-0 (calls.jsonl line 1): {reason}"
    assert all(r.exc_info is not None for r in caplog.records if r.name == WORKERS)
