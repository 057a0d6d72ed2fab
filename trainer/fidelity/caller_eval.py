"""Does the caller answer what was asked, and do calls go the way a trainer expects?

Two measurements on data the simulator was not written against (``data/fidelity/``,
written by someone who never saw the code):

- :func:`answer_rate`: agent lines that ask for the persona's details; the caller's very
  next reply must contain each value asked for. Lines that only mention a detail must
  not get an unasked value.
- :func:`script_outcomes`: whole trainee sides of calls (good / poor / nervous), eight
  lines each, said whatever the caller replies; the trainee presses End after the last.

Both also count replies that repeat an earlier customer line, and the acts the planner
chose. ``python scripts/eval_caller.py`` prints them; the tests hold the floors.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainer.personas.loading import Persona
from trainer.simulation.call import Simulator
from trainer.simulation.state import CallState, end_by_agent


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a JSONL file (blank lines skipped)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def value_core(value: str) -> str:
    """The part of a fact's value a reply must contain: before any comma ("0113 496 0728")."""
    return value.split(",")[0].strip().lower()


@dataclass
class AnswerRate:
    """How often the caller gave what the agent asked for, in the same reply."""

    asks: int = 0
    answered: int = 0
    negatives: int = 0
    leaked: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        """Share of asks answered in the same reply (None without asks)."""
        return self.answered / self.asks if self.asks else None


def answer_rate(
    sim: Simulator, personas: Mapping[str, Persona], rows: Iterable[dict[str, Any]]
) -> AnswerRate:
    """Each row's agent line as the first turn of a fresh call; was every asked value given?"""
    result = AnswerRate()
    for row in rows:
        persona = personas[row["persona"]]
        state = sim.start(persona, call_id=f"ask-{row['id']}", seed=0)
        stream = sim.reply(persona, state, row["text"])
        reply = "".join(stream).lower() and stream.text.lower()
        stream.finish()
        wanted = [value_core(persona.facts[name].value) for name in row["asks"]]
        if wanted:
            result.asks += 1
            if all(w in reply for w in wanted):
                result.answered += 1
            else:
                result.misses.append({"id": row["id"], "text": row["text"], "reply": stream.text})
        else:
            result.negatives += 1
            values = [value_core(f.value) for f in persona.facts.values()]
            result.leaked += any(v in reply for v in values)
    return result


@dataclass
class ScriptRun:
    """One trainee script played through: outcome, the agent turn it ended on, repeats."""

    id: str
    persona: str
    kind: str
    outcome: str
    ended_on: int
    repeats: int
    acts: tuple[str, ...]


def play_script(sim: Simulator, persona: Persona, script: dict[str, Any]) -> ScriptRun:
    """Say the script's lines in order until the call ends; then the trainee presses End."""
    state: CallState = sim.start(persona, call_id=f"script-{script['id']}", seed=0)
    ended_on = 0
    for i, line in enumerate(script["lines"], start=1):
        if state.ended:
            break
        state = sim.reply(persona, state, line).finish()
        ended_on = i
    if not state.ended:
        state = end_by_agent(state)
    said = [t.text for t in state.transcript if t.speaker == "customer"]
    repeats = sum(1 for i, text in enumerate(said) if text in said[:i])
    acts = tuple(a for r in state.records for a in r.acts)
    return ScriptRun(
        script["id"], persona.id, script["kind"], state.outcome, ended_on, repeats, acts
    )


def script_outcomes(
    sim: Simulator, personas: Mapping[str, Persona], scripts: Iterable[dict[str, Any]]
) -> list[ScriptRun]:
    """Every script played once (deterministic: seed 0)."""
    return [play_script(sim, personas[s["persona"]], s) for s in scripts]


def outcome_table(runs: list[ScriptRun]) -> dict[str, Counter]:
    """kind -> Counter of outcomes."""
    table: dict[str, Counter] = {}
    for run in runs:
        table.setdefault(run.kind, Counter())[run.outcome] += 1
    return table


def early_hang_ups(runs: list[ScriptRun], before: int = 3) -> list[ScriptRun]:
    """Calls the caller ended before the agent's ``before``-th line (for non-abusive agents)."""
    return [r for r in runs if r.outcome == "hung_up" and r.ended_on < before]
