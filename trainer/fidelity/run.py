"""Running scripted trainees against personas: persona x strategy x seeds, one call each.

The runner only plays calls and records what happened (the final
:class:`~trainer.simulation.CallState`, the phase of every agent line, reply times
and the caller-side signals); :mod:`trainer.fidelity.metrics` turns the records
into numbers.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from trainer.fidelity.strategies import AGENT_NAMES, AgentContext, TraineeStrategy
from trainer.personas.loading import Persona
from trainer.simulation import CallState, Simulator
from trainer.simulation.state import end_by_agent

DEFAULT_TURNS = 8
"""Agent turns per call unless the call ends first."""


@dataclass
class CallRun:
    """One finished (or cut-off) call of a scripted trainee, with what the metrics need.

    Lists are per agent turn, in order: ``phases[i]`` is the phase of agent line ``i``,
    ``injections[i]`` whether it was an injection attempt, ``reply_seconds[i]`` the
    wall time of the caller's reply, ``reply_signals[i]`` the customer signals found
    in it (analysed only for a trainee that reacts to them, or when a beat was due),
    ``beat_signals[i]`` the customer signals of the scripted lines of the beat due
    that turn (empty when none was due).
    """

    persona_id: str
    strategy: str
    seed: int
    state: CallState
    phases: list[str] = field(default_factory=list)
    injections: list[bool] = field(default_factory=list)
    reply_seconds: list[float] = field(default_factory=list)
    first_piece_seconds: list[float] = field(default_factory=list)
    reply_signals: list[tuple[str, ...]] = field(default_factory=list)
    beat_signals: list[tuple[str, ...]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the state as its pydantic dump)."""
        return {
            "persona_id": self.persona_id,
            "strategy": self.strategy,
            "seed": self.seed,
            "state": self.state.model_dump(mode="json"),
            "phases": self.phases,
            "injections": self.injections,
            "reply_seconds": self.reply_seconds,
            "first_piece_seconds": self.first_piece_seconds,
            "reply_signals": [list(s) for s in self.reply_signals],
            "beat_signals": [list(s) for s in self.beat_signals],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallRun:
        """The inverse of :meth:`to_dict`."""
        data = dict(data)
        data["state"] = CallState.model_validate(data["state"])
        data["reply_signals"] = [tuple(s) for s in data.get("reply_signals", [])]
        data["beat_signals"] = [tuple(s) for s in data.get("beat_signals", [])]
        return cls(**data)


def _customer_signals(sim: Simulator, text: str, turn: int) -> tuple[str, ...]:
    detections = sim.analyzer.analyse_turn(text, "customer", turn)
    return tuple(sorted({d.signal for d in detections}))


def run_call(
    sim: Simulator,
    persona: Persona,
    strategy: TraineeStrategy,
    seed: int,
    turns: int = DEFAULT_TURNS,
) -> CallRun:
    """Play one call: ``strategy`` talks to ``persona`` for up to ``turns`` agent turns;
    then, if the call is still going, the trainee presses End."""
    rng = random.Random(f"{strategy.name}:{persona.id}:{seed}")
    call_id = f"{persona.id}--{strategy.name}--{seed}"
    state = sim.start(persona, call_id=call_id, seed=seed)
    run = CallRun(persona.id, strategy.name, seed, state)
    agent_name = rng.choice(AGENT_NAMES)
    said: list[str] = []
    last_signals = _customer_signals(sim, persona.opening, 0) if strategy.reactive else ()
    beat_cache: dict[str, tuple[str, ...]] = {}
    for turn in range(1, turns + 1):
        if state.ended:
            break
        ctx = AgentContext(
            persona=persona,
            turn=turn,
            phases=tuple(run.phases),
            said=tuple(said),
            customer_signals=frozenset(last_signals),
            agent_name=agent_name,
        )
        line = strategy.next_line(ctx, rng)
        said.append(line.template)
        started = time.perf_counter()
        first: float | None = None
        stream = sim.reply(persona, state, line.text)
        for _ in stream:
            if first is None:
                first = time.perf_counter() - started
        state = stream.finish()
        elapsed = time.perf_counter() - started
        beat_id = state.records[-1].beat
        last_signals: tuple[str, ...] = ()
        if strategy.reactive or beat_id is not None:  # analysing every reply costs time
            last_signals = _customer_signals(sim, stream.text, len(state.transcript) - 1)
        if beat_id is not None and beat_id not in beat_cache:
            beat = next(b for b in persona.beats if b.id == beat_id)
            found = {s for text in beat.say for s in _customer_signals(sim, text, 0)}
            beat_cache[beat_id] = tuple(sorted(found))
        run.phases.append(line.phase)
        run.injections.append(line.injection)
        run.reply_seconds.append(elapsed)
        run.first_piece_seconds.append(elapsed if first is None else first)
        run.reply_signals.append(last_signals)
        run.beat_signals.append(beat_cache.get(beat_id, ()) if beat_id else ())
    run.state = end_by_agent(state)  # the trainee presses End (resolved if satisfied)
    return run


def run_matrix(
    sim: Simulator,
    personas: Iterable[Persona],
    strategies: Iterable[TraineeStrategy],
    seeds: Iterable[int],
    turns: int = DEFAULT_TURNS,
    progress: Callable[[CallRun], None] | None = None,
) -> list[CallRun]:
    """Every persona x strategy x seed, in that order; ``progress`` sees each finished call."""
    runs = []
    strategies, seeds = list(strategies), list(seeds)
    for persona in personas:
        for strategy in strategies:
            for seed in seeds:
                run = run_call(sim, persona, strategy, seed, turns)
                runs.append(run)
                if progress is not None:
                    progress(run)
    return runs
