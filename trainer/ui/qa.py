"""The QA analyst's page: upload transcripts, choose a rubric, score, read and download.

The same run as ``python -m trainer score --format csv,jsonl,html``:
:func:`trainer.scoring.batch.score_batch` writes the downloads, the summary and the HTML
report, and its ``on_progress`` callback feeds the page's progress bar and table chunk by
chunk. Every input record gives one row (an empty file, a binary file: one row each); error
rows stay in the table with their reason. The page shows the summary as the CLI prints it
and the report as the CLI writes it, and offers all four files for download.
"""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from trainer.ui.context import AppContext

DEFAULT_RUBRIC = "default (bundled)"
CHUNK = 16
UPLOAD_TYPES = [".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".txt", ".parquet", ".pq", ".gz"]
NUMERIC = ("line", "overall")
LEAD_WIDTHS = ["140px", "140px", "64px", "80px", "320px"]
"""Widths of the first columns (id, source, line, status, error): the error text wraps."""
SCORE_WIDTH, FLAGS_WIDTH = "104px", "240px"
SORT_HINT = (
    "Sort or filter by any column from the ⋮ menu in its header (ascending, descending, "
    "clear); scores sort as numbers."
)


def rubric_choices(ctx: AppContext) -> list[str]:
    """The bundled rubric, then any ``*.yaml`` in the app's rubrics folder."""
    extra = []
    if ctx.rubrics_dir is not None and ctx.rubrics_dir.is_dir():
        extra = sorted(p.name for p in ctx.rubrics_dir.glob("*.yaml"))
    return [DEFAULT_RUBRIC, *extra]


def check_upload(paths: list[str], limit_mb: float) -> None:
    """Refuse uploads over the size limit with a message that says what to do."""
    total = sum(Path(p).stat().st_size for p in paths)
    if total > limit_mb * 1024 * 1024:
        raise gr.Error(
            f"The upload is {total / 1024 / 1024:.1f} MB; the limit here is {limit_mb:g} MB. "
            "Upload fewer files at a time, or score the whole folder on the command line: "
            "python -m trainer score FOLDER"
        )


def load_chosen_rubric(ctx: AppContext, choice: str | None, upload: str | None) -> Any:
    """The rubric to score with: an uploaded YAML wins over the dropdown."""
    from trainer.rubric.model import RubricError, load_rubric

    try:
        if upload:
            return load_rubric(upload)
        if choice and choice != DEFAULT_RUBRIC:
            if choice not in rubric_choices(ctx) or ctx.rubrics_dir is None:
                raise gr.Error(f"Unknown rubric {choice!r}.")
            return load_rubric(ctx.rubrics_dir / choice)
        return ctx.rubric()
    except RubricError as err:
        lines = "; ".join(str(p) for p in err.problems[:5])
        raise gr.Error(f"The rubric is not valid: {lines}") from None


@dataclass(frozen=True)
class QAResult:
    """What one scoring run puts on the page."""

    rows: list[list[Any]]
    """One row per input record, in input order; scores on 0..100 like ``overall``."""
    headers: list[str]
    summary: str
    """Markdown: the counts, error kinds and rubric."""
    printed: str
    """The summary exactly as ``python -m trainer score`` prints it."""
    report: str
    """``report.html`` in a sandboxed iframe."""
    downloads: list[str]
    """``scores.csv``, ``scorecards.jsonl``, ``summary.json``, ``report.html``."""


def table_columns(rubric: Any) -> list[str]:
    """The table's columns: where, status and error first, then the scores, then flags."""
    return [
        "id", "source", "line", "status", "error", "overall",
        *(f"category.{c}" for c in rubric.categories), "flags",
    ]  # fmt: skip


def column_widths(rubric: Any) -> list[str]:
    """Widths for :func:`table_columns` of ``rubric`` (the page's default rubric at start)."""
    return [*LEAD_WIDTHS, *[SCORE_WIDTH] * (1 + len(rubric.categories)), FLAGS_WIDTH]


def table_cell(row: dict[str, Any], key: str) -> Any:
    """One cell: a category's 0..1 mean shown on the 0..100 scale of ``overall``; flags by title."""
    value = row.get(key)
    if key.startswith("category."):
        return round(100 * value, 1) if isinstance(value, int | float) else None
    if key == "flags" and isinstance(value, str) and value:
        from trainer.scoring.gaming import flag_title

        return ", ".join(flag_title(f.strip()) for f in re.split(r"[;,|]", value) if f.strip())
    return "" if value is None and key not in NUMERIC else value


def score_files(
    ctx: AppContext, files: list[str] | None, choice: str | None, upload: str | None, progress: Any
) -> QAResult:
    """Score the uploads and return what the page shows (:class:`QAResult`).

    The same run as ``python -m trainer score --format csv,jsonl,html``
    (:func:`~trainer.scoring.batch.score_batch`, in chunks of ``CHUNK``); ``progress``
    (Gradio's hook) hears of each chunk.
    """
    from trainer.scoring.batch import BatchProgress, score_batch
    from trainer.scoring.batch_report import format_summary
    from trainer.transcripts.io import iter_records

    paths = [str(f) for f in files or []]
    if not paths:
        raise gr.Error(f"Upload one or more transcript files first ({' '.join(UPLOAD_TYPES)}).")
    check_upload(paths, ctx.max_upload_mb)
    rubric = load_chosen_rubric(ctx, choice, upload)
    progress(0, desc="reading files")
    try:
        total = sum(1 for _ in iter_records(paths))  # for the progress bar
    except (OSError, ValueError) as err:
        raise gr.Error(f"Could not read the upload: {err}") from None
    keys = table_columns(rubric)
    rows: list[list[Any]] = []

    def on_progress(p: BatchProgress) -> None:
        rows.extend([table_cell(s.row, k) for k in keys] for s in p.chunk)
        progress((p.n_done, total), desc="scoring", unit="calls")

    out = ctx.work_dir / f"qa-{uuid.uuid4().hex[:12]}"
    out.mkdir(parents=True)
    progress((0, total), desc="scoring", unit="calls")
    # Sources as the uploaded files' own names, never the server's temp paths.
    summary = score_batch(
        paths, rubric, out, formats=("csv", "jsonl", "html"), progress=False, chunk_size=CHUNK,
        on_progress=on_progress, file_names_only=True,
    )  # fmt: skip
    report = Path(summary.outputs["html"])
    return QAResult(
        rows=rows,
        headers=[k.removeprefix("category.") for k in keys],
        summary=_summary_text(summary),
        printed=format_summary(summary),
        report=report_frame(report.read_text(encoding="utf-8")),
        downloads=[summary.outputs[k] for k in ("csv", "jsonl", "summary", "html")],
    )


def report_frame(page: str) -> str:
    """``report.html`` shown in the page: a sandboxed iframe (its styles stay inside)."""
    return (
        f'<iframe title="QA report" sandbox srcdoc="{html.escape(page, quote=True)}" '
        'style="width:100%;height:70vh;border:1px solid #d0d0d0;border-radius:6px;'
        'background:#fff"></iframe>'
    )


def _summary_text(s: Any) -> str:
    mean = s.overall.get("mean")
    text = (
        f"**{s.n_in}** transcripts: **{s.n_scored}** scored, **{s.n_errored}** error rows. "
        f"Mean overall: {'n/a' if mean is None else f'{mean:.1f}'} / 100. Rubric: "
        f"{s.rubric_id} v{s.rubric_version} ({s.rubric_hash[:10]})."
    )
    if s.errors:
        kinds = ", ".join(f"{kind} ({n})" for kind, n in s.errors.items())
        text += f" Errors: {kinds}."
    if s.n_in and not s.n_scored:
        text += " **Nothing could be scored**: read the error column below."
    return text


def build_qa_tab(demo: gr.Blocks, ctx: AppContext) -> None:
    """Lay out the QA batch tab inside the current ``gr.Tab`` and wire its events."""
    gr.Markdown(
        f"Upload transcripts ({' '.join(f'`{t}`' for t in UPLOAD_TYPES)}, up to "
        f"{ctx.max_upload_mb:g} MB in all) and score them with a rubric. {SORT_HINT}",
        elem_id="qa-hint",
    )
    with gr.Row():
        files = gr.File(
            label="Transcript files", file_count="multiple", elem_id="qa-files",
            file_types=UPLOAD_TYPES,
        )  # fmt: skip
        with gr.Column():
            choice = gr.Dropdown(
                label="Rubric", choices=rubric_choices(ctx), value=DEFAULT_RUBRIC, elem_id="rubric"
            )
            upload = gr.File(
                label="…or upload a rubric YAML", file_types=[".yaml", ".yml"], height=120
            )
            go = gr.Button("Score", variant="primary", elem_id="qa-score")
    summary = gr.Markdown(elem_id="qa-summary")
    table = gr.Dataframe(
        label="Results (overall and categories on 0–100)", interactive=False, wrap=True,
        elem_id="qa-table", max_height=520, pinned_columns=1, show_search="search",
        column_widths=column_widths(ctx.rubric()),
        elem_classes=["fl-qa-table"],
    )  # fmt: skip
    downloads = gr.File(
        label="Download scores.csv, scorecards.jsonl, summary.json, report.html",
        file_count="multiple", elem_id="qa-out",
    )  # fmt: skip
    with gr.Accordion("Report (report.html)", open=True):
        report = gr.HTML(elem_id="qa-report")
    with gr.Accordion("Summary, as `python -m trainer score` prints it", open=False):
        printed = gr.Code(language=None, interactive=False, elem_id="qa-printed", lines=12)

    def _score(
        f: list[str] | None,
        c: str | None,
        u: str | None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio's progress hook
    ) -> tuple:
        import pandas as pd

        r = score_files(ctx, f, c, u, progress)
        frame = pd.DataFrame(r.rows, columns=r.headers)
        return frame, r.summary, r.printed, r.report, r.downloads

    go.click(
        _score, [files, choice, upload], [table, summary, printed, report, downloads],
        api_name="score_files", concurrency_limit=1, concurrency_id="qa",
    )  # fmt: skip
