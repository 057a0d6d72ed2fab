"""Batch QA: score folders of real call transcripts with a rubric (``python -m trainer score``).

Streaming, constant memory: transcripts are read lazily (:mod:`trainer.transcripts.io`),
grouped into chunks of ``chunk_size``, every turn of a chunk goes through the signal analyser
in one call (so sentence embeddings are batched and repeated sentences hit the cache), each
call is scored, and its rows are written at once. With ``num_proc > 1`` chunks are scored by
worker processes (each loads its own analyser); at most ``2 * num_proc`` chunks are in
flight and results are written in input order.

Every input record yields exactly one output row: scored, or an error row whose ``error``
column says what was wrong (and ``source``/``line`` where). Outputs in ``out_dir``:
``scores.csv``, ``scorecards.jsonl`` (same order as the CSV), ``summary.json`` and, with
the ``html`` format, ``report.html``.

The CLI and the app's QA tab run the same :func:`score_batch`; the tab follows it through
``on_progress`` (called after every chunk with a :class:`BatchProgress`).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

from trainer.rubric.model import Rubric, RubricError, load_rubric
from trainer.scoring.batch_report import BatchSummary, SummaryBuilder, format_summary
from trainer.scoring.batch_workers import Scored, score_chunk, score_stream
from trainer.transcripts.encoding import printable
from trainer.transcripts.io import Record, iter_records

__all__ = [
    "EXIT_NOTHING_SCORED",
    "EXIT_OK",
    "EXIT_USAGE",
    "LEAD_COLUMNS",
    "BatchProgress",
    "BatchSummary",
    "Scored",
    "add_score_arguments",
    "batch_main",
    "csv_columns",
    "errored_line",
    "score_batch",
    "score_chunk",
]

FORMATS = ("csv", "jsonl", "html")
EXIT_OK = 0
"""At least one transcript was scored (error rows may be among the outputs)."""
EXIT_USAGE = 2
"""Bad arguments, a missing input path or an invalid rubric: nothing was read."""
EXIT_NOTHING_SCORED = 3
"""Every input record became an error row: the outputs are written, but hold no score."""
_TEXT = {"encoding": "utf-8", "errors": "backslashreplace"}  # a bad file name never crashes
LEAD_COLUMNS = ["id", "source", "line", "status", "overall"]
TAIL_COLUMNS = [
    "flags",
    "error",
    "persona",
    "outcome",
    "rubric_id",
    "rubric_version",
    "rubric_hash",
]


def csv_columns(rubric: Rubric) -> list[str]:
    """Header of ``scores.csv``: id, source, line, status, overall, categories, criteria, ..."""
    categories = [f"category.{name}" for name in rubric.categories]
    return [*LEAD_COLUMNS, *categories, *(c.id for c in rubric.graded()), *TAIL_COLUMNS]


@dataclass(frozen=True)
class BatchProgress:
    """Where a :func:`score_batch` run stands after a chunk (handed to ``on_progress``)."""

    n_done: int
    """Records written so far (scored and error rows)."""
    n_errored: int
    """Error rows among them."""
    chunk: Sequence[Scored]
    """The rows of the chunk just written, in input order."""


def score_batch(
    paths: Sequence[str | Path],
    rubric: Rubric | str | Path | None = None,
    out_dir: str | Path = "out/score",
    formats: Sequence[str] = ("csv", "jsonl"),
    num_proc: int = 1,
    progress: bool = True,
    chunk_size: int = 256,
    *,
    on_progress: Callable[[BatchProgress], None] | None = None,
    file_names_only: bool = False,
) -> BatchSummary:
    """Score every transcript in ``paths`` (files, folders, globs) and write the outputs.

    ``rubric`` is a Rubric, a rubric YAML path or ``None`` (the bundled default).
    ``formats``: any of ``csv`` (``scores.csv``), ``jsonl`` (``scorecards.jsonl``) and
    ``html`` (``report.html``); ``summary.json`` is always written. ``progress`` shows a
    tqdm bar on stderr; ``on_progress`` is called after each chunk's rows are written.
    ``file_names_only``: the ``source`` column and the summary's ``inputs`` give file names
    without their folders (the app never shows the server's upload paths). Returns the
    summary (``n_in == n_scored + n_errored``, one output row per input record).
    """
    from tqdm import tqdm

    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(
            f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}"
        )
    if chunk_size < 1 or num_proc < 1:
        raise ValueError("chunk_size and num_proc must be >= 1")
    rubric = rubric if isinstance(rubric, Rubric) else load_rubric(rubric)
    records = iter_records(paths)  # resolves paths now: a missing one raises before any work
    if file_names_only:
        records = _file_names(records)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    columns = csv_columns(rubric)
    summary = BatchSummary(
        rubric_id=rubric.id,
        rubric_version=rubric.version,
        rubric_hash=rubric.hash,
        inputs=[printable(Path(p).name if file_names_only else str(p)) for p in paths],
        titles={c.id: c.label for c in rubric.graded()},
    )
    builder = SummaryBuilder(summary, [c.id for c in rubric.graded()], list(rubric.categories))
    start = time.perf_counter()
    with ExitStack() as stack:
        writer = jsonl = None
        if "csv" in formats:
            f = stack.enter_context(open(out / "scores.csv", "w", **_TEXT, newline=""))
            writer = csv.DictWriter(f, columns, extrasaction="ignore")
            writer.writeheader()
        if "jsonl" in formats:
            jsonl = stack.enter_context(open(out / "scorecards.jsonl", "w", **_TEXT))
        bar = stack.enter_context(
            tqdm(desc="scoring", unit=" calls", disable=not progress, file=sys.stderr)
        )
        for chunk in score_stream(records, rubric, num_proc, chunk_size):
            for s in chunk:
                if writer is not None:
                    writer.writerow(s.row)
                if jsonl is not None:
                    jsonl.write(s.card_json + "\n")
                _add(builder, s)
            bar.update(len(chunk))
            bar.set_postfix(errors=summary.n_errored, refresh=False)
            if on_progress is not None:
                on_progress(BatchProgress(summary.n_in, summary.n_errored, chunk))
    summary = builder.finish(time.perf_counter() - start)
    names = {"csv": "scores.csv", "jsonl": "scorecards.jsonl", "html": "report.html"}
    summary.outputs = {fmt: str(out / names[fmt]) for fmt in FORMATS if fmt in formats}
    summary.outputs["summary"] = str(out / "summary.json")
    if "html" in formats:
        from trainer.scoring.batch_report import write_html_report

        write_html_report(summary, out / "report.html")
    (out / "summary.json").write_text(summary.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return summary


def _file_names(records: Iterator[Record]) -> Iterator[Record]:
    for record in records:
        yield replace(record, source=Path(record.source).name)


def _add(builder: SummaryBuilder, s: Scored) -> None:
    builder.add(
        error=s.error,
        overall=s.overall,
        statuses=s.statuses,
        categories=s.categories,
        flags=s.flags,
        turns=s.turns,
    )


# -- command line -----------------------------------------------------------------------


def add_score_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``score`` options to ``parser`` (``python -m trainer score ...``)."""
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="transcript files, folders or globs (.jsonl .json .csv .tsv .txt .parquet, .gz)",
    )
    parser.add_argument("--rubric", metavar="R", help="rubric YAML (default: the bundled rubric)")
    parser.add_argument(
        "--out", metavar="DIR", default="out/score", help="output folder (default: out/score)"
    )
    parser.add_argument(
        "--format",
        default="csv,jsonl",
        help="comma-separated outputs: csv, jsonl, html (default: csv,jsonl)",
    )
    parser.add_argument(
        "--num-proc", type=int, default=1, metavar="N", help="worker processes (default: 1)"
    )
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=256,
        metavar="N",
        help="calls per analyser batch (default: 256)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def batch_main(args: argparse.Namespace | Sequence[str] | None = None) -> int:
    """Run ``score`` from parsed arguments (or an argv list); prints the summary.

    Exit status: ``EXIT_OK`` (0) when at least one transcript was scored, ``EXIT_USAGE`` (2)
    for bad arguments, a missing input path or an invalid rubric, ``EXIT_NOTHING_SCORED`` (3)
    when every record is an error row. How many errored is said on stderr in every case.
    """
    if not isinstance(args, argparse.Namespace):
        parser = add_score_arguments(argparse.ArgumentParser(prog="python -m trainer score"))
        args = parser.parse_args(args)
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    try:
        summary = score_batch(
            args.paths,
            rubric=args.rubric,
            out_dir=args.out,
            formats=formats,
            num_proc=args.num_proc,
            progress=not args.no_progress,
            chunk_size=getattr(args, "chunk_size", 256),
        )
    except (FileNotFoundError, ValueError, RubricError) as exc:
        print(f"error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    print(format_summary(summary))
    print("Wrote " + ", ".join(summary.outputs.values()))
    print(errored_line(summary), file=sys.stderr)
    return EXIT_OK if summary.n_scored else EXIT_NOTHING_SCORED


def errored_line(summary: BatchSummary) -> str:
    """One line for stderr: how many of the transcripts errored, and where to read why."""
    where = f" (the error column of {summary.outputs['csv']})" if "csv" in summary.outputs else ""
    if summary.n_errored == 0:
        return f"{summary.n_in} transcripts scored, none errored"
    if summary.n_scored == 0:
        return f"error: nothing could be scored: all {summary.n_in} transcripts errored{where}"
    return (
        f"{summary.n_errored} of {summary.n_in} transcripts errored{where};"
        f" {summary.n_scored} scored"
    )


if __name__ == "__main__":
    raise SystemExit(batch_main(sys.argv[1:]))
