"""The batch summary: counts, pass rates, score distribution; as text, JSON and HTML.

:class:`SummaryBuilder` folds scored rows in one at a time (it keeps only the overall scores,
8 bytes per call, for the quantiles); :func:`format_summary` prints it for the terminal and
:func:`write_html_report` writes a self-contained page (charts embedded as base64 PNGs) that
a QA lead opens in a browser.
"""

from __future__ import annotations

import base64
import html
import io
import re
from array import array
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from trainer.scoring.gaming import flag_title

QUANTILES = {
    "min": 0.0,
    "p10": 0.1,
    "p25": 0.25,
    "median": 0.5,
    "p75": 0.75,
    "p90": 0.9,
    "max": 1.0,
}
BINS = list(range(0, 101, 10))


class CriterionStats(BaseModel):
    """How often one criterion passed; ``pass_rate`` is over the calls where it applied."""

    passed: int = 0
    failed: int = 0
    not_applicable: int = 0
    pass_rate: float | None = None


class BatchSummary(BaseModel):
    """What a batch run did: written to ``summary.json`` and printed."""

    rubric_id: str
    rubric_version: int | str
    rubric_hash: str
    inputs: list[str]
    n_in: int = 0
    n_scored: int = 0
    n_errored: int = 0
    n_turns: int = 0
    errors: dict[str, int] = Field(default_factory=dict, description="error kind -> count")
    criteria: dict[str, CriterionStats] = Field(default_factory=dict)
    titles: dict[str, str] = Field(
        default_factory=dict, description="criterion id -> title (what a person reads)"
    )
    categories: dict[str, float | None] = Field(default_factory=dict, description="mean, 0..1")
    overall: dict[str, float | None] = Field(default_factory=dict, description="mean, quantiles")
    histogram: dict[str, int] = Field(default_factory=dict, description="overall bin -> calls")
    flags: dict[str, int] = Field(default_factory=dict)
    elapsed_s: float = 0.0
    transcripts_per_s: float = 0.0
    outputs: dict[str, str] = Field(default_factory=dict)


def error_kind(reason: str) -> str:
    """The kind of an error reason, for counting: "unknown speaker labels: 'bot'" -> its head."""
    first = reason.split(";")[0]
    first = re.sub(r"^(line|turn) \d+: ", "", first)
    return re.split(r"[:(]", first)[0].strip() or "error"


class SummaryBuilder:
    """Accumulates per-call results into a :class:`BatchSummary` in constant memory."""

    def __init__(self, summary: BatchSummary, criterion_ids: list[str], category_ids: list[str]):
        self.summary = summary
        self.criteria = {cid: CriterionStats() for cid in criterion_ids}
        self._category_sums = {c: [0.0, 0] for c in category_ids}
        self._overall = array("d")
        self._errors: Counter[str] = Counter()
        self._flags: Counter[str] = Counter()

    def add(
        self,
        *,
        error: str | None,
        overall: float | None,
        statuses: dict[str, str],
        categories: dict[str, float | None],
        flags: list[str],
        turns: int,
    ) -> None:
        """Fold in one call (scored, or an error row)."""
        s = self.summary
        s.n_in += 1
        s.n_turns += turns
        if error is not None:
            s.n_errored += 1
            self._errors[error_kind(error)] += 1
            return
        s.n_scored += 1
        if overall is not None:
            self._overall.append(overall)
        for cid, status in statuses.items():
            stats = self.criteria.setdefault(cid, CriterionStats())
            setattr(stats, status, getattr(stats, status) + 1)
        for name, value in categories.items():
            if value is not None:
                acc = self._category_sums.setdefault(name, [0.0, 0])
                acc[0] += value
                acc[1] += 1
        self._flags.update(flags)

    def finish(self, elapsed_s: float) -> BatchSummary:
        """Compute rates and quantiles; returns the summary."""
        import numpy as np

        s = self.summary
        for stats in self.criteria.values():
            applied = stats.passed + stats.failed
            stats.pass_rate = round(stats.passed / applied, 4) if applied else None
        s.criteria = self.criteria
        s.categories = {
            k: round(v / n, 4) if n else None for k, (v, n) in self._category_sums.items()
        }
        s.errors = dict(self._errors.most_common())
        s.flags = dict(self._flags.most_common())
        scores = np.frombuffer(self._overall, dtype=np.float64) if self._overall else None
        s.overall = {"mean": None, **dict.fromkeys(QUANTILES)}
        counts = [0] * (len(BINS) - 1)
        if scores is not None:
            s.overall["mean"] = round(float(scores.mean()), 2)
            for name, q in QUANTILES.items():
                s.overall[name] = round(float(np.quantile(scores, q)), 2)
            counts = np.histogram(np.clip(scores, 0, 100), bins=BINS)[0].tolist()
        s.histogram = {
            f"{lo}-{hi}": int(c) for lo, hi, c in zip(BINS[:-1], BINS[1:], counts, strict=True)
        }
        s.elapsed_s = round(elapsed_s, 3)
        s.transcripts_per_s = round(s.n_in / elapsed_s, 2) if elapsed_s > 0 else 0.0
        return s


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def format_summary(s: BatchSummary) -> str:
    """The summary as plain text for the terminal."""
    out = [
        f"Rubric {s.rubric_id} v{s.rubric_version} ({s.rubric_hash[:12]})",
        f"Transcripts in: {s.n_in}  scored: {s.n_scored}  errored: {s.n_errored}"
        f"  ({s.elapsed_s:.1f} s, {s.transcripts_per_s:.1f}/s)",
    ]
    if s.errors:
        out.append("Errors: " + ", ".join(f"{k} ({n})" for k, n in s.errors.items()))
    o = s.overall
    out.append(
        "Overall (0-100): " + "  ".join(f"{k} {_num(o.get(k))}" for k in ("mean", *QUANTILES))
    )
    top = max(s.histogram.values(), default=0) or 1
    for label, count in s.histogram.items():
        out.append(f"  {label:>7} | {'#' * round(30 * count / top):<30} {count}")
    if s.categories:
        out.append("Categories: " + "  ".join(f"{k} {_pct(v)}" for k, v in s.categories.items()))
    width = max((len(c) for c in s.criteria), default=9)
    out.append(f"{'criterion':<{width}}  pass rate  passed  failed  n/a")
    for cid, st in s.criteria.items():
        out.append(
            f"{cid:<{width}}  {_pct(st.pass_rate):>9}  {st.passed:>6}  {st.failed:>6}"
            f"  {st.not_applicable:>4}"
        )
    if s.flags:
        out.append("Flags: " + ", ".join(f"{k} ({n})" for k, n in s.flags.items()))
    return "\n".join(out)


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _charts(s: BatchSummary) -> tuple[str, str]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(7, 3.2))
    ax = fig.subplots()
    ax.bar(list(s.histogram), list(s.histogram.values()), color="#3b6ea5")
    ax.set_xlabel("overall score")
    ax.set_ylabel("calls")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # calls are whole numbers
    ax.set_title(f"Score distribution ({s.n_scored} scored calls)")
    ax.tick_params(axis="x", labelsize=8)
    histogram = _png(fig)
    rated = [
        (s.titles.get(cid, cid), st.pass_rate)
        for cid, st in s.criteria.items()
        if st.pass_rate is not None
    ]
    fig = Figure(figsize=(7, 0.8 + 0.28 * max(len(rated), 1)))
    ax = fig.subplots()
    bars = ax.barh([c for c, _ in rated][::-1], [100 * r for _, r in rated][::-1], color="#5a9e6f")
    ax.bar_label(bars, fmt="%.0f%%", padding=2, fontsize=7)
    ax.set_xlim(0, 110)
    ax.set_xlabel("pass rate (%) where applicable")
    ax.set_title("Pass rate per criterion")
    ax.tick_params(axis="y", labelsize=8)
    return histogram, _png(fig)


def write_html_report(s: BatchSummary, path: str | Path) -> Path:
    """Write a self-contained HTML report (no external files) and return its path."""
    histogram, pass_rates = _charts(s)
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(s.titles.get(cid, cid))}</td><td>{_pct(st.pass_rate)}</td><td>{st.passed}</td>"
        f"<td>{st.failed}</td><td>{st.not_applicable}</td></tr>"
        for cid, st in s.criteria.items()
    )
    errors = "".join(f"<li>{e(k)}: {n}</li>" for k, n in s.errors.items()) or "<li>none</li>"
    flags = (
        "".join(f"<li>{e(flag_title(k))}: {n}</li>" for k, n in s.flags.items()) or "<li>none</li>"
    )
    stats = (
        "".join(f"<th>{e(k)}</th>" for k in s.overall),
        "".join(f"<td>{_num(v)}</td>" for v in s.overall.values()),
    )
    cats = "".join(f"<li>{e(k)}: {_pct(v)}</li>" for k, v in s.categories.items())
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Frontline QA report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
td, th {{ border: 1px solid #ccc; padding: .25em .6em; text-align: right; }}
td:first-child {{ text-align: left; }}
img {{ max-width: 100%; }}
</style></head><body>
<h1>Frontline QA report</h1>
<p>Rubric <b>{e(s.rubric_id)}</b> version {e(str(s.rubric_version))}
(<code>{e(s.rubric_hash[:12])}</code>) &middot; inputs: {e(", ".join(s.inputs))}</p>
<p><b>{s.n_in}</b> transcripts in, <b>{s.n_scored}</b> scored,
<b>{s.n_errored}</b> errored ({s.elapsed_s:.1f} s).</p>
<h2>Overall score (0&ndash;100)</h2>
<table><tr>{stats[0]}</tr><tr>{stats[1]}</tr></table>
<img alt="score histogram" src="data:image/png;base64,{histogram}">
<h2>Categories (mean)</h2><ul>{cats}</ul>
<h2>Criteria</h2>
<img alt="pass rate per criterion" src="data:image/png;base64,{pass_rates}">
<table><tr><th>criterion</th><th>pass rate</th><th>passed</th><th>failed</th>
<th>not applicable</th></tr>{rows}</table>
<h2>Errors</h2><ul>{errors}</ul>
<h2>Gaming flags</h2><ul>{flags}</ul>
</body></html>
"""
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    return path
