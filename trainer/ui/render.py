"""Pure HTML rendering for the app: mood meter, timer, scorecard, the mood chart.

Every function takes plain values and returns an HTML string; all user text
(persona fields, the trainee's words, file names) is escaped here, once.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from trainer.ui.cards import CARDS_CSS  # the persona cards live in trainer.ui.cards

BAND_COLOURS = {"calm": "#2e7d32", "annoyed": "#ef8f00", "angry": "#c62828"}
STATUS_LABELS = {"passed": "pass", "failed": "fail", "not_applicable": "n/a"}

STYLE = (
    """<style>
.fl-meter{font:14px system-ui,sans-serif}.fl-meter .track{display:flex;gap:3px;margin:4px 0}
.fl-meter .cell{flex:1;height:18px;border-radius:3px;background:#e0e0e0}
.fl-score{font:14px system-ui,sans-serif}.fl-score .overall{font-size:28px;font-weight:700}
.fl-bar{background:#e0e0e0;border-radius:4px;height:12px;width:100%}
.fl-bar>div{height:12px;border-radius:4px;background:#1565c0}
.fl-crit{border-left:4px solid #999;padding:4px 10px;margin:8px 0}
.fl-crit.passed{border-color:#2e7d32}.fl-crit.failed{border-color:#c62828}
.fl-st{font-weight:700;text-transform:uppercase;font-size:12px}
.fl-crit.passed .fl-st{color:#2e7d32}.fl-crit.failed .fl-st{color:#c62828}
.fl-quote{margin:4px 0;padding-left:8px;border-left:2px solid #bbb;font-style:italic}
.fl-problem{color:#c62828;font-family:monospace;margin:2px 0}.fl-ok{color:#2e7d32}
.fl-timer{font:600 20px monospace}.fl-chart{font:11px system-ui,sans-serif}
.fl-warn{color:#7a4a00;background:#fff4e0;border-radius:4px;padding:2px 8px;margin:0}
"""
    + CARDS_CSS
    + """</style>"""
)

TIMER_JS = """
const tick = () => {
  element.querySelectorAll('[data-started]').forEach((el) => {
    const started = Number(el.dataset.started);
    if (!started) return;
    const end = Number(el.dataset.ended) || Date.now();
    const s = Math.max(0, Math.floor((end - started) / 1000));
    el.textContent = String(Math.floor(s / 60)).padStart(2, '0') + ':' +
                     String(s % 60).padStart(2, '0');
  });
};
tick();
setInterval(tick, 1000);
"""
"""Runs in the browser (``gr.HTML(js_on_load=...)``): ticks every ``data-started`` timer."""


def band_for(mood: int) -> str:
    """The mood band of the persona schema: calm 0-3, annoyed 4-6, angry 7-10."""
    return "calm" if mood <= 3 else "annoyed" if mood <= 6 else "angry"


def mood_meter(mood: int | None, band: str | None = None) -> str:
    """A 0..10 meter, colour-coded by band; empty before a call starts."""
    if mood is None:
        return '<div class="fl-meter">Mood: no call yet</div>'
    band = band or band_for(mood)
    colour = BAND_COLOURS.get(band, "#616161")
    cells = "".join(
        f'<div class="cell" style="background:{colour if i < mood else "#e0e0e0"}"></div>'
        for i in range(10)
    )
    return (
        f'<div class="fl-meter" data-mood="{mood}" data-band="{escape(band)}">'
        f'<b>Mood {mood}/10</b> · <span style="color:{colour}">{escape(band)}</span>'
        f'<div class="track">{cells}</div><small>0 calm … 10 furious</small></div>'
    )


def call_timer(started: float | None, ended: float | None = None) -> str:
    """The call timer (mm:ss); the browser keeps it ticking until ``ended`` is set."""
    if started is None:
        return '<div class="fl-timer">--:--</div>'
    seconds = int((ended or time.time()) - started)
    stop = f"{ended * 1000:.0f}" if ended else ""
    return (
        f'<div class="fl-timer"><span data-started="{started * 1000:.0f}" data-ended="{stop}">'
        f"{seconds // 60:02d}:{seconds % 60:02d}</span></div>"
    )


def _pct_bar(fraction: float | None) -> str:
    width = 0 if fraction is None else round(max(0.0, min(1.0, fraction)) * 100)
    return f'<div class="fl-bar"><div style="width:{width}%"></div></div>'


def _own_turn(index: int, speaker: str, speakers: Sequence[str] | None) -> int:
    """Transcript index -> that speaker's own turn number (1-based), as the rewind list counts."""
    if not speakers:
        return index
    return sum(1 for s in speakers[: index + 1] if s == speaker) or index


def _title(item: Mapping[str, Any]) -> str:
    """A criterion's title (older saved scorecards have only the id)."""
    return str(item.get("title") or str(item.get("id", "")).replace("_", " ").capitalize())


def _quote_line(ev: Mapping[str, Any], speakers: Sequence[str] | None) -> str:
    speaker = str(ev.get("speaker") or "agent")
    number = ev.get("turn_number") or _own_turn(int(ev.get("turn") or 0), speaker, speakers)
    who = "You" if speaker == "agent" else "Customer"
    return (
        f'<div class="fl-quote">{who} (turn {number}): “{escape(str(ev.get("quote", "")))}”</div>'
    )


def scorecard_html(card: Mapping[str, Any] | None, speakers: Sequence[str] | None = None) -> str:
    """The scorecard: overall, category bars, each criterion with quotes and advice.

    Titles, not ids: criterion and flag titles, the outcome in words, the persona's
    name. Quotes carry the turn numbers the JSON download has (``turn_number``);
    ``speakers`` (the transcript's speaker per turn) numbers older scorecards' quotes.
    """
    if not card:
        return ""
    if card.get("error"):
        error = escape(str(card["error"]))
        return f'<div class="fl-score"><p class="fl-problem">Not scored: {error}</p></div>'
    overall = card.get("overall")
    head = "n/a" if overall is None else f"{overall:.0f}"
    outcome = card.get("outcome_title") or str(card.get("outcome") or "n/a").replace("_", " ")
    who = (
        f" · caller: <b>{escape(str(card['persona_name']))}</b>" if card.get("persona_name") else ""
    )
    parts = [
        '<div class="fl-score">',
        f'<div><span class="overall">{head}</span>/100 · outcome: <b>{escape(str(outcome))}</b>'
        f"{who}</div>",
    ]
    if card.get("flags"):
        titles = card.get("flag_titles") or {}
        shown = [str(titles.get(f) or str(f).replace("_", " ").capitalize()) for f in card["flags"]]
        parts.append(f'<p class="fl-problem">Flags: {escape(", ".join(shown))}</p>')
    for why in card.get("caps") or []:
        parts.append(f'<p class="fl-problem">Score capped - {escape(str(why))}</p>')
    parts.append('<table style="width:100%;max-width:520px">')
    for name, value in (card.get("categories") or {}).items():
        shown = "n/a" if value is None else f"{value * 100:.0f}%"
        parts.append(
            f"<tr><td>{escape(name.capitalize())}</td><td style='width:60%'>{_pct_bar(value)}</td>"
            f"<td>{shown}</td></tr>"
        )
    parts.append("</table>")
    for crit in card.get("criteria") or []:
        status = str(crit.get("status"))
        parts.append(
            f'<div class="fl-crit {escape(status)}" data-criterion="{escape(str(crit["id"]))}">'
            f'<span class="fl-st">{STATUS_LABELS.get(status, escape(status))}</span> '
            f"<b>{escape(_title(crit))}</b> "
            f"<small>({escape(str(crit.get('category', '')))})</small>"
        )
        seen: set[tuple[Any, Any]] = set()
        for ev in crit.get("evidence") or []:
            key = (ev.get("turn"), ev.get("quote"))
            if key not in seen:  # one quote per sentence
                seen.add(key)
                parts.append(_quote_line(ev, speakers))
        if crit.get("feedback"):
            label = "Next time" if status == "failed" else "Note"
            parts.append(f"<div>{label}: {escape(str(crit['feedback']))}</div>")
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def problems_html(problems: Sequence[Any], editor_id: str | None = None) -> str:
    """Validation problems, one per line, each with its line number and field.

    With ``editor_id`` (a ``gr.Code``'s elem_id) the lines with problems are also
    marked in that editor: tinted, a red line number, and the first message at
    the end of the line.
    """
    if not problems:
        return '<p class="fl-ok">✓ Valid persona</p>'
    rows = []
    for p in problems:
        line = f"line {p.line}" if getattr(p, "line", None) else "line ?"
        field = f"{p.field}: " if getattr(p, "field", "") else ""
        rows.append(f'<div class="fl-problem">{line}: {escape(field + str(p.message))}</div>')
    marks = _editor_marks(problems, editor_id) if editor_id else ""
    return f"<div>{marks}{len(problems)} problem(s):{''.join(rows)}</div>"


def _css_text(text: str) -> str:
    """``text`` as a CSS string (quotes, backslashes, newlines and ``<`` escaped)."""
    return "".join(ch if ch.isalnum() or ch in " .,:;'()-_=" else f"\\{ord(ch):x} " for ch in text)


def _editor_marks(problems: Sequence[Any], editor_id: str) -> str:
    """A ``<style>`` marking each problem's line in CodeMirror (one ``.cm-line`` per line;
    the line-number gutter starts with one hidden sizing element)."""
    first: dict[int, str] = {}
    for p in problems:
        line = getattr(p, "line", None)
        if isinstance(line, int) and line > 0:
            field = f"{p.field}: " if getattr(p, "field", "") else ""
            first.setdefault(line, field + str(p.message))
    rules = []
    for line, message in sorted(first.items()):
        editor = f"#{editor_id} .cm-content > .cm-line:nth-child({line})"
        gutter = f"#{editor_id} .cm-lineNumbers > .cm-gutterElement:nth-child({line + 1})"
        rules.append(
            f"{editor}{{background:#fdecea}}"
            f'{editor}::after{{content:"  \\26a0  {_css_text(message[:120])}";color:#c62828;'
            "font-style:italic}"
            f"{gutter}{{background:#c62828;color:#fff}}"
        )
    return f'<style class="fl-marks">{"".join(rules)}</style>' if rules else ""


def line_chart(
    values: Sequence[float | None],
    *,
    y_max: float,
    title: str,
    x_label: str = "turn",
    width: int = 420,
    height: int = 180,
) -> str:
    """A small SVG line chart (points at x = 0, 1, 2, ...); ``None`` values are skipped."""
    pts = [(i, v) for i, v in enumerate(values) if v is not None]
    if not pts:
        return f'<div class="fl-chart"><b>{escape(title)}</b><p>No data yet.</p></div>'
    left, bottom, top, right = 30, 24, 10, 10
    span = max(1, len(values) - 1)

    def xy(i: float, v: float) -> tuple[float, float]:
        x = left + (width - left - right) * i / span
        y = top + (height - top - bottom) * (1 - v / y_max)
        return round(x, 1), round(y, 1)

    path = " ".join(f"{x},{y}" for x, y in (xy(i, v) for i, v in pts))
    dots = "".join(
        f'<circle cx="{x}" cy="{y}" r="3" fill="#1565c0"><title>{v:g}</title></circle>'
        for (x, y), (_, v) in ((xy(i, v), (i, v)) for i, v in pts)
    )
    grid = "".join(
        f'<line x1="{left}" x2="{width - right}" y1="{xy(0, g)[1]}" y2="{xy(0, g)[1]}" '
        f'stroke="#eee"/><text x="2" y="{xy(0, g)[1] + 4}">{g:g}</text>'
        for g in (0, y_max / 2, y_max)
    )
    return (
        f'<div class="fl-chart"><b>{escape(title)}</b><br><svg width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}">{grid}'
        f'<polyline fill="none" stroke="#1565c0" stroke-width="2" points="{path}"/>{dots}'
        f'<text x="{width // 2}" y="{height - 4}">{escape(x_label)}</text></svg></div>'
    )


def notice(message: str, kind: str = "info") -> str:
    """A one-line status message (``info``, ``ok``, ``warn`` or ``error``)."""
    cls = {"error": "fl-problem", "ok": "fl-ok", "warn": "fl-warn"}.get(kind, "")
    return f'<p class="{cls}">{escape(message)}</p>'
