"""The kinds of customer detail (account number, postcode, date of birth, ...), one table
read by the simulated caller (which fact an agent asks for) and by the scorecard (whether
the agent asks again for a detail the caller already gave)."""

from __future__ import annotations

import re

from trainer.details.circumstances import CIRCUMSTANCE_KINDS, DATE_REQUEST, event_pattern
from trainer.details.kind import HAS_ID, ID, DetailKind, compiled
from trainer.details.numbers import NUMBER_KINDS
from trainer.details.personal import PERSONAL_KINDS

__all__ = [
    "DATE_REQUEST",
    "DETAIL_KINDS",
    "FACT_KINDS",
    "GENERIC_REQUEST",
    "HAS_ID",
    "ID",
    "KINDS",
    "DetailKind",
    "compiled",
    "event_pattern",
    "kind_of",
]

KINDS: tuple[DetailKind, ...] = (*PERSONAL_KINDS, *NUMBER_KINDS, *CIRCUMSTANCE_KINDS)
"""Every kind, each once."""
_FACT_ORDER = (  # first kind whose ``fact`` matches a fact's name wins
    "birth", "postcode", "email", "address", "phone", "policy", "claim", "contents",
    "tracking", "order", "card", "serial", "confirmation", "reference", "account", "amount",
    "previous_call", "retailer", "model", "when",
)  # fmt: skip
_BY_NAME = {k.name: k for k in KINDS}
FACT_KINDS: tuple[DetailKind, ...] = tuple(_BY_NAME[n] for n in _FACT_ORDER)
"""The kinds a persona's fact can be, in order of precedence."""
DETAIL_KINDS: tuple[DetailKind, ...] = tuple(k for k in KINDS if k.asked is not None)
"""The kinds the scorecard reads requests and values of."""
GENERIC_REQUEST = re.compile(
    r"\b(the|that|this|a|any|some) (long |big |whole |full |reference )?(number|code|digits|ref)\b"
    r"|\bwhat (does|did) (it|that) say\b|\bread (it|that|them) (out|off|to me)\b",
    re.IGNORECASE,
)
"""A request for "the number" or "the code" that does not say which."""


def kind_of(name: str) -> DetailKind | None:
    """The kind of a persona fact, from its name; None for a detail no kind covers."""
    return next((k for k in FACT_KINDS if re.search(k.fact, name, re.IGNORECASE)), None)
