"""Blind samples of customer replies for people to rate (``docs/fidelity/RATING.md``).

:func:`blind_rows` plays trainee scripts against a simulator and keeps, for every
customer reply, what a rater sees: the persona card, the transcript up to the agent's
latest line, and the reply. :func:`blind_sample` mixes the rows of several systems,
shuffles them and splits off the key (which system wrote each row), so the rater's file
names no model, no timing and no fallback flag. :func:`score_ratings` turns the
ratings back into good / bad shares per system.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from typing import Any

from trainer.personas.loading import Persona
from trainer.simulation.call import Simulator

CARD_FIELDS = ("name", "company", "style", "background", "summary")


def blind_rows(
    sim: Simulator, personas: Mapping[str, Persona], scripts: Iterable[dict[str, Any]]
) -> list[dict[str, Any]]:
    """One row per customer reply: persona card, transcript so far, the reply."""
    rows = []
    for script in scripts:
        persona = personas[script["persona"]]
        state = sim.start(persona, call_id=f"blind-{script['id']}", seed=0)
        for line in script["lines"]:
            if state.ended:
                break
            before = [{"speaker": t.speaker, "text": t.text} for t in state.transcript]
            state = sim.reply(persona, state, line).finish()
            rows.append(
                {
                    "persona": {f: getattr(persona, f) for f in CARD_FIELDS}
                    | {"facts": {k: f.value for k, f in persona.facts.items()}},
                    "transcript": before + [{"speaker": "agent", "text": line}],
                    "reply": state.transcript[-1].text,
                }
            )
    return rows


def blind_sample(
    by_system: Mapping[str, list[dict[str, Any]]], per_system: int, seed: int = 0
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """``per_system`` rows of each system, shuffled, with ids; and the key id -> system."""
    rng = random.Random(seed)
    mixed = []
    for system, rows in sorted(by_system.items()):
        mixed += [(system, row) for row in rng.sample(rows, min(per_system, len(rows)))]
    rng.shuffle(mixed)
    sample, key = [], {}
    for i, (system, row) in enumerate(mixed, start=1):
        row_id = f"r{i:03d}"
        sample.append({"id": row_id, **row})
        key[row_id] = system
    return sample, key


def is_good(r: Mapping[str, Any]) -> bool:
    """RATING.md: in character, responsive 2, coherent 2, realistic at least 1."""
    return (
        r["in_character"] == 1
        and r["responsive"] == 2
        and r["coherent"] == 2
        and r["realistic"] >= 1
    )


def is_bad(r: Mapping[str, Any]) -> bool:
    """RATING.md: out of character, or incoherent, or not responsive."""
    return r["in_character"] == 0 or r["coherent"] == 0 or r["responsive"] == 0


def score_ratings(
    ratings: Iterable[Mapping[str, Any]], key: Mapping[str, str]
) -> dict[str, dict[str, float]]:
    """system -> {n, good, bad, gave_asked_fact} shares from a rater's ``ratings.jsonl``."""
    out: dict[str, dict[str, Any]] = {}
    for r in ratings:
        s = out.setdefault(key[r["id"]], {"n": 0, "good": 0, "bad": 0, "asked": 0, "gave": 0})
        s["n"] += 1
        s["good"] += is_good(r)
        s["bad"] += is_bad(r)
        if r.get("gave_asked_fact") in (0, 1):
            s["asked"] += 1
            s["gave"] += r["gave_asked_fact"]
    return {
        system: {
            "n": s["n"],
            "good": s["good"] / s["n"],
            "bad": s["bad"] / s["n"],
            "gave_asked_fact": s["gave"] / s["asked"] if s["asked"] else float("nan"),
        }
        for system, s in out.items()
    }
