"""Scoring chunks of records, in this process or in a pool of worker processes.

A chunk's turns go through the signal analyser in one call (sentence embeddings batched,
repeated sentences cached), then each call is scored. Workers are *spawned* (a forked child
of a process that already ran torch can deadlock), each loads its own analyser and uses
``cpu_count // num_proc`` torch threads; at most ``2 * num_proc`` chunks are in flight, and
chunks come back in input order. A failure of the analyser or the scorer is logged (with its
traceback) and never sinks a run: the chunk is retried one call at a time, and a call that
still fails becomes an error row.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing as mp
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

from trainer.rubric.model import Rubric
from trainer.scoring.scorecard import Scorecard
from trainer.transcripts.encoding import printable
from trainer.transcripts.io import ErrorRow, Record
from trainer.transcripts.transcript import Transcript

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scored:
    """One output row as a worker hands it back (small and picklable)."""

    row: dict[str, Any]
    card_json: str
    statuses: dict[str, str]
    categories: dict[str, float | None]
    flags: list[str]
    overall: float | None
    error: str | None
    turns: int


def score_chunk(records: Sequence[Record], rubric: Rubric, analyzer: Any = None) -> list[Scored]:
    """Score a chunk of records: one analyser call for all their turns, then one card each."""
    from trainer.scoring.scorer import analyzer_for, score_transcript

    analyzer = analyzer if analyzer is not None else analyzer_for(rubric)
    ids = _Ids(rubric)
    calls = [r.item for r in records if isinstance(r.item, Transcript)]
    flat = [(t.speaker, t.text) for call in calls for t in call.turns]
    try:
        lengths = [len(call.turns) for call in calls]
        everything = analyzer.analyse_turns(flat, call_lengths=lengths) if flat else []
    except Exception as exc:  # one bad call must not sink the chunk: fall back to one at a time
        log.warning(
            "the analyser failed on a chunk of %d calls (%s: %s); scoring them one at a time",
            len(calls),
            type(exc).__name__,
            exc,
            exc_info=True,
        )
        everything = None
    out: list[Scored] = []
    offset = 0
    for record in records:
        item = record.item
        if isinstance(item, ErrorRow):
            out.append(_scored(record, _error_card(item.id, item.reason, ids), ids, 0))
            continue
        n = len(item.turns)
        try:
            if everything is not None:
                detections = [
                    [replace(d, turn=d.turn - offset) for d in turn]
                    for turn in everything[offset : offset + n]
                ]
            else:
                detections = analyzer.analyse_turns([(t.speaker, t.text) for t in item.turns])
            card = score_transcript(item, rubric, analyzer, detections=detections)
        except Exception as exc:  # reported on the row and logged; never silently dropped
            reason = f"scoring failed: {type(exc).__name__}: {exc}"
            where = f"{record.source} line {record.line}"
            log.warning("%s (%s): %s", item.id, where, reason, exc_info=True)
            card = _error_card(item.id, reason, ids)
        offset += n
        out.append(_scored(record, card, ids, n))
    return out


class _Ids:
    """What every row of a chunk needs from the rubric, computed once per chunk."""

    def __init__(self, rubric: Rubric) -> None:
        self.criteria = [c.id for c in rubric.graded()]
        self.categories = list(rubric.categories)
        self.header = {
            "rubric_id": rubric.id,
            "rubric_version": rubric.version,
            "rubric_hash": rubric.hash,
        }


def _error_card(transcript_id: str, reason: str, ids: _Ids) -> Scorecard:
    return Scorecard.for_error(printable(transcript_id), printable(reason), **ids.header)


def _scored(record: Record, card: Scorecard, ids: _Ids, turns: int) -> Scored:
    row = card.to_row(ids.criteria, ids.categories)
    row.update(source=record.source, line=record.line, status="error" if card.error else "scored")
    return Scored(
        row={k: printable(v) if isinstance(v, str) else v for k, v in row.items()},
        card_json=card_json(card),
        statuses={c.id: c.status for c in card.criteria},
        categories=dict(card.categories),
        flags=list(card.flags),
        overall=card.overall,
        error=card.error,
        turns=turns,
    )


def card_json(card: Scorecard) -> str:
    """The scorecard as one JSON line; a string that JSON cannot hold is made printable.

    The readers hand over printable ids and reasons already; this is the last guard, so that
    one odd value can never abort the batch (``model_dump_json`` refuses lone surrogates).
    """
    try:
        return card.model_dump_json()
    except ValueError:
        clean = _printable_tree(card.model_dump(mode="json"))
        return type(card).model_validate(clean).model_dump_json()


def _printable_tree(value: Any) -> Any:
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable(str(k)): _printable_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable_tree(v) for v in value]
    return value


def _malloc_trim() -> Any:
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to do
        return None


_TRIM = _malloc_trim()


def release_memory() -> None:
    """Hand freed heap pages back to the OS after a chunk (glibc ``malloc_trim``).

    A long run frees and allocates many small objects (tokenizer output, scorecards); glibc
    keeps the freed pages, so the RSS of a long run tracks fragmentation rather than what is
    live. Trimming after each chunk costs well under a millisecond.
    """
    if _TRIM is not None:
        _TRIM(0)


_WORKER: dict[str, Any] = {}


def _init_worker(rubric: Rubric, threads: int) -> None:
    os.environ["FRONTLINE_TORCH_THREADS"] = str(threads)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from trainer.scoring.scorer import analyzer_for

    _WORKER["rubric"] = rubric
    _WORKER["analyzer"] = analyzer_for(rubric)


def _work(records: list[Record]) -> list[Scored]:
    scored = score_chunk(records, _WORKER["rubric"], _WORKER["analyzer"])
    release_memory()
    return scored


def _chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    it = iter(records)
    while chunk := list(islice(it, size)):
        yield chunk


def score_stream(
    records: Iterable[Record], rubric: Rubric, num_proc: int, chunk_size: int
) -> Iterator[list[Scored]]:
    """Scored chunks in input order, one process or ``num_proc`` workers."""
    if num_proc <= 1:
        for chunk in _chunks(records, chunk_size):
            scored = score_chunk(chunk, rubric)
            release_memory()
            yield scored
        return
    threads = max(1, (os.cpu_count() or 1) // num_proc)
    ctx = mp.get_context("spawn")
    with ctx.Pool(num_proc, initializer=_init_worker, initargs=(rubric, threads)) as pool:
        pending: deque[Any] = deque()
        for chunk in _chunks(records, chunk_size):
            pending.append(pool.apply_async(_work, (chunk,)))
            if len(pending) >= 2 * num_proc:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
