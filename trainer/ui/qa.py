"""The QA analyst's page: upload transcripts, choose a rubric, score, read and download.

The same pieces as ``python -m trainer score`` (records from
:mod:`trainer.transcripts.io`, chunks scored by :func:`trainer.scoring.batch.score_chunk`,
the batch summary), run chunk by chunk so the page can show real progress. Every
input record gives one row; error rows stay in the table with their reason.
"""

from __future__ import annotations

import csv
import json
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import gradio as gr

from trainer.ui import render
from trainer.ui.context import AppContext

DEFAULT_RUBRIC = "default (bundled)"
TABLE_LEAD = ["id", "source", "line", "status", "overall"]
CHUNK = 16


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


def score_files(
    ctx: AppContext, files: list[str] | None, choice: str | None, upload: str | None, progress: Any
) -> tuple[list[list[Any]], list[str], str, str, list[str], str]:
    """Score the uploads: (table rows, headers, histogram, pass rates, downloads, summary)."""
    from trainer.scoring.batch import csv_columns, score_chunk
    from trainer.scoring.batch_report import BatchSummary, SummaryBuilder
    from trainer.transcripts.io import iter_records

    paths = [str(f) for f in files or []]
    if not paths:
        raise gr.Error("Upload one or more transcript files first (.jsonl .json .csv .txt).")
    check_upload(paths, ctx.max_upload_mb)
    rubric = load_chosen_rubric(ctx, choice, upload)
    progress(0, desc="reading files")
    try:
        # Show the uploaded file's own name, never the server's temp path.
        records = [replace(r, source=Path(r.source).name) for r in iter_records(paths)]
    except (OSError, ValueError) as err:
        raise gr.Error(f"Could not read the upload: {err}") from None
    summary = BatchSummary(
        rubric_id=rubric.id,
        rubric_version=rubric.version,
        rubric_hash=rubric.hash,
        inputs=[Path(p).name for p in paths],
    )
    ids = [c.id for c in rubric.graded()]
    builder = SummaryBuilder(summary, ids, list(rubric.categories))
    out = ctx.work_dir / f"qa-{uuid.uuid4().hex[:12]}"
    out.mkdir(parents=True)
    columns = csv_columns(rubric)
    keys = [*TABLE_LEAD, *(f"category.{c}" for c in rubric.categories), "flags", "error"]
    headers = [k.removeprefix("category.") for k in keys]
    rows: list[list[Any]] = []
    start = time.perf_counter()
    with (
        open(out / "scores.csv", "w", encoding="utf-8", newline="") as f_csv,
        open(out / "scorecards.jsonl", "w", encoding="utf-8") as f_jsonl,
    ):
        writer = csv.DictWriter(f_csv, columns, extrasaction="ignore")
        writer.writeheader()
        for i in range(0, len(records), CHUNK):
            progress((i, len(records)), desc="scoring", unit="calls")
            for s in score_chunk(records[i : i + CHUNK], rubric):
                writer.writerow(s.row)
                f_jsonl.write(s.card_json + "\n")
                builder.add(error=s.error, overall=s.overall, statuses=s.statuses,
                            categories=s.categories, flags=s.flags, turns=s.turns)  # fmt: skip
                rows.append([s.row.get(k, "") for k in keys])
    summary = builder.finish(time.perf_counter() - start)
    (out / "summary.json").write_text(summary.model_dump_json(indent=2), encoding="utf-8")
    overall = [r[4] for r in rows if isinstance(r[4], int | float)]
    rates = [
        (cid, st.pass_rate) for cid, st in summary.criteria.items() if st.pass_rate is not None
    ]
    return (
        rows,
        headers,
        render.histogram(overall, title="Overall scores"),
        render.bar_chart(rates, title="Pass rate per criterion (where it applied)"),
        [str(out / "scores.csv"), str(out / "scorecards.jsonl")],
        _summary_text(summary),
    )


def _summary_text(s: Any) -> str:
    mean = s.overall.get("mean")
    text = (
        f"**{s.n_in}** transcripts: **{s.n_scored}** scored, **{s.n_errored}** error rows. "
        f"Mean overall: {'n/a' if mean is None else f'{mean:.1f}'}. Rubric: {s.rubric_id} "
        f"v{s.rubric_version} ({s.rubric_hash[:10]})."
    )
    if s.errors:
        text += " Errors: " + json.dumps(s.errors, ensure_ascii=False)
    return text


def build_qa_tab(demo: gr.Blocks, ctx: AppContext) -> None:
    """Lay out the QA batch tab inside the current ``gr.Tab`` and wire its events."""
    gr.Markdown(
        f"Upload transcripts (`.jsonl` `.json` `.csv` `.txt`, up to {ctx.max_upload_mb:g} MB "
        "in all) and score them with a rubric. Click a column header to sort."
    )
    with gr.Row():
        files = gr.File(
            label="Transcript files", file_count="multiple", elem_id="qa-files",
            file_types=[".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".txt", ".gz"],
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
    table = gr.Dataframe(label="Results", interactive=False, wrap=True, elem_id="qa-table")
    with gr.Row():
        hist = gr.HTML(elem_id="qa-histogram")
        rates = gr.HTML(elem_id="qa-pass-rates")
    downloads = gr.File(label="Download CSV / JSONL", file_count="multiple", elem_id="qa-out")

    def _score(
        f: list[str] | None,
        c: str | None,
        u: str | None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio's progress hook
    ) -> tuple:
        import pandas as pd

        rows, headers, h, r, outs, text = score_files(ctx, f, c, u, progress)
        return pd.DataFrame(rows, columns=headers), h, r, outs, text

    go.click(
        _score, [files, choice, upload], [table, hist, rates, downloads, summary],
        api_name="score_files", concurrency_limit=1, concurrency_id="qa",
    )  # fmt: skip
