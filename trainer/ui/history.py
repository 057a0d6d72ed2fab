"""History: "My calls" for the trainee, and a trainer view across trainees.

Read-only views of the store. A trainee sees only their own calls (their login
name when logins are on); the trainer view is open to the users the app names
as trainers (everyone when there are no logins).
"""

from __future__ import annotations

from pathlib import Path
from statistics import mean
from typing import Any

import gradio as gr
import yaml

from trainer.outcomes import outcome_title
from trainer.ui import render
from trainer.ui.charts import progress_chart
from trainer.ui.context import AppContext
from trainer.ui.resume import resumable
from trainer.ui.store import CallRecord

MY_HEADERS = ["#", "started (UTC)", "persona", "turns", "outcome", "overall"]
ALL_HEADERS = ["trainee", "started (UTC)", "persona", "turns", "outcome", "overall", "call"]
CRITERIA_HEADERS = ["criterion", "category", "pass rate %", "passed / assessed", "trainees",
                    "lowest trainee"]  # fmt: skip
SUMMARY_HEADERS = ["trainee", "calls", "scored", "mean overall", "best", "last call (UTC)"]


def _when(iso: str) -> str:
    return iso[:16].replace("T", " ")


def _score(record: CallRecord) -> float | str:
    return "" if record.overall is None else round(record.overall, 1)


def persona_names(ctx: AppContext) -> dict[str, str]:
    """Persona id -> the caller's name, read from the personas folder as it is now.

    Only each file's ``id`` and ``name`` are read (no validation: a table label, not
    a persona to run), so listing calls stays cheap under load.
    """
    names: dict[str, str] = {}
    folder = Path(ctx.personas_dir)
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            names[str(data.get("id") or path.stem)] = data["name"]
    return names


def _persona(record: CallRecord, names: dict[str, str]) -> str:
    """The caller's name: as scored, else from the personas folder, else the id."""
    card = record.scorecard or {}
    return str(card.get("persona_name") or names.get(record.persona) or record.persona)


def my_calls(ctx: AppContext, trainee: str) -> tuple[list[list[Any]], str, Any]:
    """(table rows, progress chart, call picker) for one trainee, oldest call first; the
    picker has the last call picked when it is unfinished (it can then be resumed)."""
    calls = ctx.store.list_calls(trainee) if trainee else []
    names = persona_names(ctx) if calls else {}
    rows = [
        [
            i,
            _when(c.started),
            _persona(c, names),
            c.agent_turns,
            outcome_title(c.outcome),
            _score(c),
        ]
        for i, c in enumerate(calls, 1)
    ]
    chart = progress_chart(
        progress_series(calls),
        title="Your scores, call by call (overall and per category)",
        x_label="call number (oldest first)",
        y_label="score (0-100)",
    )
    picks = [
        (f"#{i} {_when(c.started)} {_persona(c, names)}{_unfinished(c)}", c.id)
        for i, c in enumerate(calls, 1)
    ]
    # A call left unfinished (a closed tab, a crash) is picked, ready to resume.
    last = calls[-1] if calls else None
    value = last.id if last is not None and last.outcome == "ongoing" else None
    return rows, chart, gr.update(choices=picks[::-1], value=value)


def _unfinished(record: CallRecord) -> str:
    return " · unfinished, can be resumed" if record.outcome == "ongoing" else ""


def progress_series(calls: list[CallRecord]) -> dict[str, list[float | None]]:
    """Overall and each category's score (0-100) per call, oldest first; None = not scored."""
    series: dict[str, list[float | None]] = {"overall": [c.overall for c in calls]}
    for i, c in enumerate(calls):
        for name, value in ((c.scorecard or {}).get("categories") or {}).items():
            row = series.setdefault(str(name), [None] * len(calls))
            row[i] = None if value is None else round(float(value) * 100, 1)
    return series


def criterion_rates(calls: list[CallRecord]) -> list[list[Any]]:
    """Per criterion across every trainee's scored calls, weakest first: title, category,
    pass rate %, passed / assessed, trainees assessed, the trainee with the lowest rate."""
    seen: dict[str, dict[str, Any]] = {}
    for c in calls:
        for crit in (c.scorecard or {}).get("criteria") or []:
            status = crit.get("status")
            if status not in ("passed", "failed") or not crit.get("id"):
                continue
            row = seen.setdefault(str(crit["id"]), {"crit": crit, "by": {}})
            mine = row["by"].setdefault(c.trainee, [0, 0])
            mine[0] += status == "passed"
            mine[1] += 1
    rows = []
    for row in seen.values():
        passed = sum(p for p, _ in row["by"].values())
        assessed = sum(n for _, n in row["by"].values())
        low = min(row["by"].items(), key=lambda kv: (kv[1][0] / kv[1][1], kv[0]))
        rows.append([
            render._title(row["crit"]), str(row["crit"].get("category", "")),
            round(100 * passed / assessed), f"{passed} / {assessed}", len(row["by"]),
            f"{low[0]} ({100 * low[1][0] / low[1][1]:.0f}%)",
        ])  # fmt: skip
    return sorted(rows, key=lambda r: (r[2], r[0]))


def open_call(ctx: AppContext, trainee: str, call_id: str | None) -> tuple[str, str]:
    """(scorecard HTML, transcript markdown) of one of this trainee's own calls."""
    if not call_id:
        return "", ""
    record = ctx.store.get(call_id, trainee=trainee) if trainee else None
    if record is None:
        return render.notice("Pick one of your calls.", "info"), ""
    lines = [
        f"**{'You' if t.get('speaker') == 'agent' else 'Customer'}:** {_md(t.get('text', ''))}"
        for t in record.transcript.get("turns", [])
    ]
    card = record.scorecard
    head = render.notice(f"Call {record.id}: {outcome_title(record.outcome)}", "info")
    speakers = [t.get("speaker", "") for t in record.transcript.get("turns", [])]
    body = (
        render.scorecard_html(card, speakers)
        if card
        else render.notice(
            "Not scored: the call has not ended. Resume it to go on with the customer."
            if resumable(record)
            else "Not scored (call not ended)."
        )
    )
    return head + body, "\n\n".join(lines)


def _md(text: str) -> str:
    """Markdown-escape the trainee's words (shown as text, never as markup)."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|<>~" else ch for ch in text)


def trainer_view(ctx: AppContext) -> tuple[list[list[Any]], list[list[Any]], list[list[Any]]]:
    """(per-trainee summary rows, every call newest first, per-criterion pass rates
    across trainees with the weakest criteria first)."""
    calls = ctx.store.list_all()
    by_trainee: dict[str, list[CallRecord]] = {}
    for c in calls:
        by_trainee.setdefault(c.trainee, []).append(c)
    summary = []
    for name in sorted(by_trainee):
        mine = by_trainee[name]
        scores = [c.overall for c in mine if c.overall is not None]
        summary.append(
            [
                name,
                len(mine),
                len(scores),
                round(mean(scores), 1) if scores else "",
                round(max(scores), 1) if scores else "",
                _when(max(c.started for c in mine)),
            ]
        )
    names = persona_names(ctx) if calls else {}
    rows = [
        [c.trainee, _when(c.started), _persona(c, names), c.agent_turns, outcome_title(c.outcome),
         _score(c), c.id]
        for c in calls
    ]  # fmt: skip
    return summary, rows, criterion_rates(calls)


def build_history_tab(
    demo: gr.Blocks, ctx: AppContext, name_box: gr.Textbox, tab: gr.Tab
) -> tuple[gr.Dropdown, gr.Button]:
    """Lay out the history tab inside the current ``gr.Tab`` and wire its events; returns
    the call picker and the Resume button (the app wires it to the practice tab)."""
    with gr.Tab("My calls"):
        refresh = gr.Button("Refresh", elem_id="history-refresh")
        mine = gr.Dataframe(headers=MY_HEADERS, interactive=False, elem_id="my-calls")
        chart = gr.HTML(elem_id="progress-chart")
        # The handler checks the call is yours; the choices are only a convenience.
        pick = gr.Dropdown(
            label="Open a call", choices=[], allow_custom_value=True, elem_id="open-call"
        )
        resume = gr.Button(
            "Resume this call in Practice", variant="primary", visible=False, elem_id="resume-call"
        )
        card = gr.HTML(elem_id="history-scorecard")
        transcript = gr.Markdown(elem_id="history-transcript")
    with gr.Tab("Trainer view"):
        t_refresh = gr.Button("Refresh", elem_id="trainer-refresh")
        note = gr.HTML()
        summary = gr.Dataframe(headers=SUMMARY_HEADERS, interactive=False, elem_id="trainees")
        gr.Markdown("**Criteria across trainees**, weakest first (n/a calls not counted)")
        criteria = gr.Dataframe(headers=CRITERIA_HEADERS, interactive=False, elem_id="criteria")
        everyone = gr.Dataframe(headers=ALL_HEADERS, interactive=False, elem_id="all-calls")

    def _mine(name: str, request: gr.Request) -> tuple:
        return my_calls(ctx, ctx.trainee(name, request))

    def _open(name: str, call_id: str | None, request: gr.Request) -> tuple[str, str]:
        return open_call(ctx, ctx.trainee(name, request), call_id)

    def _trainer(request: gr.Request) -> tuple:
        if not ctx.is_trainer(request):
            return render.notice("The trainer view is for trainers only.", "error"), [], [], []
        return "", *trainer_view(ctx)

    refresh.click(_mine, name_box, [mine, chart, pick], api_name="my_calls")
    tab.select(_mine, name_box, [mine, chart, pick], api_visibility="private")

    def _can_resume(name: str, call_id: str | None, request: gr.Request) -> Any:
        trainee = ctx.trainee(name, request)
        record = ctx.store.get(call_id, trainee=trainee) if call_id and trainee else None
        return gr.update(visible=resumable(record))

    pick.change(_open, [name_box, pick], [card, transcript], api_name="open_call")
    pick.change(_can_resume, [name_box, pick], resume, api_visibility="private")
    t_refresh.click(_trainer, None, [note, summary, everyone, criteria], api_name="trainer_view")
    tab.select(_trainer, None, [note, summary, everyone, criteria], api_visibility="private")
    return pick, resume
