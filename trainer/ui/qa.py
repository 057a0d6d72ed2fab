"""The QA analyst's page: upload transcripts, choose a rubric, score, read and download.

The same run as ``python -m trainer score``: :func:`trainer.scoring.batch.score_batch`
writes the downloads and the summary, and its ``on_progress`` callback feeds the page's
progress bar and table chunk by chunk. Every input record gives one row; error rows stay
in the table with their reason.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import gradio as gr

from trainer.ui import render
from trainer.ui.context import AppContext

DEFAULT_RUBRIC = "default (bundled)"
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
    """Score the uploads: (table rows, headers, histogram, pass rates, downloads, summary).

    The same run as ``python -m trainer score`` (:func:`~trainer.scoring.batch.score_batch`,
    in chunks of ``CHUNK``); ``progress`` (Gradio's hook) hears of each chunk.
    """
    from trainer.scoring.batch import LEAD_COLUMNS, BatchProgress, score_batch
    from trainer.transcripts.io import iter_records

    paths = [str(f) for f in files or []]
    if not paths:
        raise gr.Error("Upload one or more transcript files first (.jsonl .json .csv .txt).")
    check_upload(paths, ctx.max_upload_mb)
    rubric = load_chosen_rubric(ctx, choice, upload)
    progress(0, desc="reading files")
    try:
        total = sum(1 for _ in iter_records(paths))  # for the progress bar
    except (OSError, ValueError) as err:
        raise gr.Error(f"Could not read the upload: {err}") from None
    keys = [*LEAD_COLUMNS, *(f"category.{c}" for c in rubric.categories), "flags", "error"]
    rows: list[list[Any]] = []

    def on_progress(p: BatchProgress) -> None:
        rows.extend([s.row.get(k, "") for k in keys] for s in p.chunk)
        progress((p.n_done, total), desc="scoring", unit="calls")

    out = ctx.work_dir / f"qa-{uuid.uuid4().hex[:12]}"
    out.mkdir(parents=True)
    progress((0, total), desc="scoring", unit="calls")
    # Sources as the uploaded files' own names, never the server's temp paths.
    summary = score_batch(
        paths, rubric, out, formats=("csv", "jsonl"), progress=False, chunk_size=CHUNK,
        on_progress=on_progress, file_names_only=True,
    )  # fmt: skip
    at = keys.index("overall")
    overall = [r[at] for r in rows if isinstance(r[at], int | float)]
    rates = [
        (cid, st.pass_rate) for cid, st in summary.criteria.items() if st.pass_rate is not None
    ]
    return (
        rows,
        [k.removeprefix("category.") for k in keys],
        render.histogram(overall, title="Overall scores"),
        render.bar_chart(rates, title="Pass rate per criterion (where it applied)"),
        [summary.outputs["csv"], summary.outputs["jsonl"]],
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
