"""The signal and criterion names a persona may refer to, read from the default rubric."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml

from trainer.paths import default_rubric_resource

# Used only while trainer/rubric/default.yaml is missing (the names in docs/ARCHITECTURE.md).
FALLBACK_AGENT_SIGNALS = frozenset(
    {
        "greets", "introduces_self", "asks_verification", "acknowledges_feelings",
        "restates_issue", "explores", "apologises", "takes_ownership", "gives_clear_next_step",
        "offers_resolution", "offers_escalation", "transfers_to_supervisor",
        "confirms_resolution", "offers_further_help", "closes", "blames_customer",
        "says_calm_down", "dismissive", "uses_jargon", "profanity", "over_promises",
        "asks_already_given_info", "warns_about_abuse", "ends_call_for_abuse",
        "insults_customer",
    }
)  # fmt: skip
FALLBACK_CUSTOMER_SIGNALS = frozenset(
    {
        "demands_supervisor", "complains_about_accent", "threatens_to_cancel", "curses",
        "thanks", "insults_agent",
    }
)  # fmt: skip


@dataclass(frozen=True)
class SignalNames:
    """The signal names a persona may use, by speaker."""

    agent: frozenset[str]
    customer: frozenset[str]


@lru_cache(maxsize=1)
def _rubric() -> dict | None:
    resource = default_rubric_resource()
    if not resource.is_file():
        return None
    data = yaml.safe_load(resource.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise RuntimeError(f"{resource}: expected a YAML mapping")
    return data


def reload_rubric() -> None:
    """Forget the cached default rubric (after it changed on disk, or in tests)."""
    _rubric.cache_clear()


def known_signals() -> SignalNames:
    """Signal names from the default rubric's ``signals:`` (``speaker: agent|customer`` each)."""
    data = _rubric()
    if data is None:
        return SignalNames(FALLBACK_AGENT_SIGNALS, FALLBACK_CUSTOMER_SIGNALS)
    signals = data.get("signals")
    if not isinstance(signals, dict) or not signals:
        raise RuntimeError(f"{default_rubric_resource()}: expected a top-level 'signals:' mapping")
    speakers = {name: (spec or {}).get("speaker", "agent") for name, spec in signals.items()}
    return SignalNames(
        frozenset(n for n, s in speakers.items() if s != "customer"),
        frozenset(n for n, s in speakers.items() if s == "customer"),
    )


def known_criteria() -> frozenset[str] | None:
    """Criterion ids of the default rubric's ``criteria:``; None when it has none (yet)."""
    criteria = (_rubric() or {}).get("criteria")
    if not isinstance(criteria, list):
        return None
    ids = {c.get("id") for c in criteria if isinstance(c, dict)}
    return frozenset(i for i in ids if isinstance(i, str)) or None
