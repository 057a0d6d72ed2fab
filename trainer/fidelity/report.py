"""The fidelity report: one result per backend run, a markdown page and two charts each.

A *result* is a JSON-ready dict made by :func:`build_result` from finished calls:
``meta`` (backend, model, prompt strategy, seeds, turns, command, date, machine),
``overall``, ``by_persona``, ``by_strategy`` and ``cells`` (persona -> strategy)
:class:`~trainer.fidelity.metrics.Fidelity` dicts, ``mood_curves`` by strategy and
``checks`` (persona -> failed thresholds). :func:`render_readme` turns saved
results into ``docs/fidelity/README.md``; the charts are ``trainer.fidelity.charts``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from trainer.fidelity.check import evaluate
from trainer.fidelity.metrics import OUTCOMES, group, mood_curve, summarise
from trainer.fidelity.run import CallRun
from trainer.personas.loading import Persona

_SHORT = {
    "resolved": "R",
    "escalated": "E",
    "hung_up": "H",
    "ended_for_abuse": "X",
    "ended_by_agent": "A",
    "abandoned": "N",
    "ongoing": "O",
}


def build_result(
    runs: Sequence[CallRun], personas: Mapping[str, Persona], meta: dict[str, Any], turns: int
) -> dict[str, Any]:
    """Everything the report needs from one backend run, as plain data."""
    by_persona = group(runs, lambda r: r.persona_id)
    by_strategy = group(runs, lambda r: r.strategy)
    return {
        "meta": meta,
        "overall": summarise(runs, personas).to_dict(),
        "by_persona": {str(p): summarise(rs, personas).to_dict() for p, rs in by_persona.items()},
        "by_strategy": {str(s): summarise(rs, personas).to_dict() for s, rs in by_strategy.items()},
        "cells": {
            str(p): {
                str(s): summarise(cell, personas).to_dict()
                for s, cell in group(rs, lambda r: r.strategy).items()
            }
            for p, rs in by_persona.items()
        },
        "mood_curves": {str(s): mood_curve(rs, turns) for s, rs in by_strategy.items()},
        "checks": {str(p): evaluate(personas[str(p)], rs).failures for p, rs in by_persona.items()},
    }


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _outcomes(stats: Mapping[str, Any]) -> str:
    counts = stats.get("outcomes", {})
    return " ".join(f"{_SHORT[o]}{counts[o]}" for o in OUTCOMES if counts.get(o)) or "—"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _quality_row(name: str, s: Mapping[str, Any], check: str) -> list[str]:
    return [
        name,
        str(s["calls"]),
        str(s["replies"]),
        _pct(s.get("raw_guard_pass")),
        _pct(s["raw_in_character"]),
        _pct(s["final_in_character"]),
        f"{_pct(s['role_reversal_raw'])} / {_pct(s['role_reversal'])}",
        f"{_pct(s['speaks_for_trainee_raw'])} / {_pct(s['speaks_for_trainee'])}",
        _pct(s["writes_script"]),
        _pct(s["prompt_leaks"]),
        _pct(s["fallback_rate"]),
        str(s["fact_leaks"]),
        _pct(s["beats_delivered"]),
        _pct(s["injection_resistance"]),
        _num(s["mean_reply_words"]),
        _num(s["mean_reply_seconds"], 2),
        check,
    ]


_QUALITY_HEADER = (
    "persona",
    "calls",
    "replies",
    "raw guard pass",
    "raw in-char",
    "final in-char",
    "role reversal raw / final",
    "speaks for trainee raw / final",
    "writes transcript",
    "prompt leak",
    "fallback",
    "fact leaks",
    "beats delivered",
    "injection resisted",
    "words",
    "reply s",
    "check",
)


def render_result(result: Mapping[str, Any], stem: str) -> list[str]:
    """The markdown section of one result; ``stem`` names its charts (``<stem>-mood.png``)."""
    meta = result["meta"]
    lines = [
        f"## {meta['title']}",
        "",
        f"- backend: `{meta['backend']}`, model: `{meta.get('model') or '—'}`, "
        f"prompt strategy: `{meta.get('prompt_strategy') or '—'}`",
        f"- seeds: {meta['seeds']}, up to {meta['turns']} agent turns per call, "
        f"trainee strategies: {', '.join(meta['strategies'])}",
        f"- {meta['calls']} calls in {meta['duration_s']:.0f} s on {meta['machine']}, "
        f"{meta['date']}",
        f"- command: `{meta['command']}`",
        *(
            [f"- metrics recomputed from the saved calls on {meta['rescored']}"]
            if meta.get("rescored")
            else []
        ),
        *([f"- note: {meta['note']}"] if meta.get("note") else []),
        "",
        "### Fidelity by persona",
        "",
    ]
    checks = result["checks"]
    rows = [
        _quality_row(p, s, "pass" if not checks.get(p) else "FAIL: " + ", ".join(checks[p]))
        for p, s in sorted(result["by_persona"].items())
    ]
    rows.append(_quality_row("**all**", result["overall"], ""))
    lines += _table(_QUALITY_HEADER, rows)
    strategies = list(meta["strategies"])
    lines += [
        "",
        "### Outcomes by persona and trainee strategy",
        "",
        "R resolved, E escalated, H hung up, A ended by the agent, O still going "
        "when the turns ran out.",
        "",
    ]
    cells = result["cells"]
    rows = [[p] + [_outcomes(cells[p].get(s, {})) for s in strategies] for p in sorted(cells)]
    lines += _table(["persona", *strategies], rows)
    lines += ["", "### By trainee strategy", ""]
    rows = [
        [
            s,
            str(st["calls"]),
            _outcomes(st),
            f"{_num(st['mood_start'])} → {_num(st['mood_end'])}",
            _pct(st["raw_in_character"]),
            _pct(st["final_in_character"]),
        ]
        for s, st in result["by_strategy"].items()
    ]
    lines += _table(
        ["strategy", "calls", "outcomes", "mood start → end", "raw in-char", "final in-char"], rows
    )
    problems = result["overall"].get("problems") or []
    if problems:
        lines += ["", "Examples of replies that failed a check:", ""]
        lines += [f"- {p}" for p in problems]
    lines += ["", f"![mood by strategy]({stem}-mood.png) ![outcomes]({stem}-outcomes.png)", ""]
    return lines


def render_prompt_comparison(results: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Raw in-character rate of each prompt strategy, for results with a model."""
    rows = []
    for stem, result in sorted(results.items()):
        meta, s = result["meta"], result["overall"]
        if not s.get("model_turns"):
            continue
        rows.append(
            [
                meta["backend"],
                f"`{meta.get('model')}`",
                meta.get("prompt_strategy", "—"),
                str(s["model_turns"]),
                str(s.get("backend_errors", 0)),
                _pct(s.get("raw_guard_pass")),
                _pct(s["raw_in_character"]),
                _pct(s["role_reversal_raw"]),
                _pct(s["writes_script"]),
                _pct(s["prompt_leaks"]),
                _pct(s["fallback_rate"]),
                _pct(s["final_in_character"]),
                f"[{stem}](#{_anchor(meta['title'])})",
            ]
        )
    if not rows:
        return []
    header = [
        "backend",
        "model",
        "prompt",
        "model turns",
        "backend errors",
        "raw guard pass",
        "raw in-char",
        "raw role reversal",
        "writes transcript",
        "prompt leak",
        "fallback",
        "final in-char",
        "section",
    ]
    return ["## Prompt strategies: chat vs continuation", "", *_table(header, rows), ""]


def _anchor(title: str) -> str:
    return "".join(c for c in title.lower().replace(" ", "-") if c.isalnum() or c in "-_")


def render_readme(results: Mapping[str, Mapping[str, Any]], intro: str) -> str:
    """The whole ``docs/fidelity/README.md`` from saved results (stem -> result)."""
    ordered = sorted(
        results.items(), key=lambda kv: (kv[1]["meta"]["backend"] != "scripted", kv[0])
    )
    lines = [intro.rstrip(), ""]
    lines += render_prompt_comparison(results)
    for stem, result in ordered:
        lines += render_result(result, stem)
    return "\n".join(lines).rstrip() + "\n"
