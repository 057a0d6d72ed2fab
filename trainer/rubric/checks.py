"""Rubric references, checked on the raw data and located for a trainer.

Criterion categories, duplicate criterion ids, signal names (well formed, existing,
and of the right speaker). Shape errors are pydantic's, translated by
:mod:`trainer.yamlfiles.problems` like those of every other YAML file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from trainer.rubric.signal_specs import SIGNAL_NAME
from trainer.scoring.account_talk import ACCOUNT
from trainer.scoring.actions import DATED_ACTION, OWNED_ACTION
from trainer.scoring.cut_off import CUT_OFF
from trainer.scoring.emergency import EMERGENCY
from trainer.yamlfiles.problems import did_you_mean, got
from trainer.yamlfiles.source import KeyPath, Problem, format_path

# -- references (raw data) ----------------------------------------------------------------

_ROLES = {
    "requires": {"signal": "agent", "before": "any", "after": "any"},
    "forbids": {"signal": "agent"},
    "when": {"customer_signal": "customer", "then": "agent"},
    "applies_when": {
        "customer_signal": "customer",
        "agent_signal": "agent",
        "unless_signal": "any",
    },
}
DERIVED_SIGNALS = {
    DATED_ACTION: "agent",
    OWNED_ACTION: "agent",
    CUT_OFF: "agent",
    ACCOUNT: "agent",
    EMERGENCY: "agent",
}
"""Signals the scorer derives itself (no detector in ``signals:``); any rubric may name them."""
_GAMING_LISTS = ("empathy_signals", "action_signals", "closing_signals", "stuffing_ignores")


def reference_problems(data: dict[str, Any], line_of: Any, file: str) -> list[Problem]:
    """Unknown categories, duplicate criterion ids, unknown or wrong-speaker signal names."""
    signals = data.get("signals") if isinstance(data.get("signals"), dict) else {}
    speakers = {n: s.get("speaker") for n, s in signals.items() if isinstance(s, dict)}
    speakers = {**speakers, **{n: s for n, s in DERIVED_SIGNALS.items() if n not in speakers}}
    categories = data.get("categories")
    categories = list(categories) if isinstance(categories, dict) else None
    criteria = data.get("criteria") if isinstance(data.get("criteria"), list) else []
    problems: list[Problem] = []

    def problem(path: KeyPath, message: str) -> None:
        problems.append(Problem(file, line_of(path), format_path(path), message))

    for name in signals:
        if not isinstance(name, str) or not SIGNAL_NAME.match(name):
            message = f"a signal name is lower case: a-z, 0-9 and _ (got {got(name)})"
            problem(("signals", str(name)), message)
    seen: dict[str, int] = {}
    for i, raw in enumerate(criteria):
        if not isinstance(raw, dict):
            continue
        cid, category = raw.get("id"), raw.get("category")
        if isinstance(cid, str):
            if cid in seen:
                first = line_of(("criteria", seen[cid], "id"))
                problem(("criteria", i, "id"), f"duplicate id {got(cid)} (first at line {first})")
            seen.setdefault(cid, i)
        if categories is not None and isinstance(category, str) and category not in categories:
            hint = did_you_mean(category, categories)
            message = f"unknown category {got(category)}.{hint} Available: {', '.join(categories)}"
            problem(("criteria", i, "category"), message)
        for path, name, role in _signal_refs(raw, ("criteria", i)):
            message = _signal_message(name, role, speakers)
            if message:
                problem(path, message)
    gaming = data.get("gaming")
    for key in _GAMING_LISTS if isinstance(gaming, dict) else ():
        for j, name in enumerate(
            gaming.get(key) or [] if isinstance(gaming.get(key), list) else []
        ):
            message = _signal_message(str(name), "agent", speakers)
            if message:
                problem(("gaming", key, j), message)
    return problems


def _signal_message(name: str, role: str, speakers: dict[str, Any]) -> str | None:
    if name in speakers:
        if role != "any" and speakers[name] in ("agent", "customer") and speakers[name] != role:
            article = {"agent": "an", "customer": "a"}
            return (
                f"{got(name)} is {article[speakers[name]]} {speakers[name]} signal; "
                f"use {article[role]} {role} signal here"
            )
        return None
    choices = [n for n, s in speakers.items() if role in ("any", s)]
    hint = did_you_mean(name, choices) or f" {role.title()} signals: {', '.join(choices)}"
    return f"unknown signal {got(name)}.{hint}"


def _signal_refs(raw: dict[str, Any], here: KeyPath) -> Iterable[tuple[KeyPath, str, str]]:
    """(path, name, role) of every signal name in one raw criterion mapping."""
    for kind, fields in _ROLES.items():
        value = raw.get(kind)
        if isinstance(value, dict):
            rules: list[tuple[KeyPath, Any]] = [((*here, kind), value)]
        else:
            rules = [((*here, kind, j), r) for j, r in enumerate(value or [])] if isinstance(
                value, list) else []  # fmt: skip
        if kind == "applies_when" and isinstance(value, dict):
            upset = value.get("caller_upset")
            if isinstance(upset, dict):
                rules.append(((*here, kind, "caller_upset"), upset))
        for base, rule in rules:
            if not isinstance(rule, dict):
                continue
            for field, role in fields.items():
                ref = rule.get(field)
                if isinstance(ref, str):
                    yield (*base, field), ref, role
                elif isinstance(ref, list):
                    for k, name in enumerate(ref):
                        if isinstance(name, str):
                            yield (*base, field, k), name, role
