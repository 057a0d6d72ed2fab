"""Fidelity metrics: pure functions over finished calls (:class:`~trainer.fidelity.run.CallRun`).

:func:`summarise` adds up the per-reply checks of :mod:`trainer.fidelity.replies`
and the simulator's own per-turn records into one :class:`Fidelity`:

- raw guard pass: model turns whose first generation passed the guard / model
  turns; raw in-character: the same, also passing the harness's own stricter
  detectors (a first try that failed in
  the backend, a timeout say, is counted in ``backend_errors``, not judged);
- final in-character rate: replies the trainee saw that pass ``check_reply``
  and the detectors, re-checked after the fact / all replies;
- role reversal and speaks-for-trainee, raw (first generation) and final;
- transcript-writing (speaker labels) and prompt leaks in the final replies;
- fact leaks, beats delivered when due, injection resistance, mood, outcomes,
  reply length and time.

"Not applicable" is ``None``, never 0: the scripted backend has no raw model rate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from trainer.fidelity.replies import ReplyCheck, assess_call, leaked_facts
from trainer.fidelity.run import CallRun
from trainer.outcomes import OUTCOMES
from trainer.personas.loading import Persona

MAX_EXAMPLES = 8


@dataclass
class Fidelity:
    """The fidelity numbers of a set of calls (one persona, one strategy, or all)."""

    calls: int = 0
    replies: int = 0
    model_turns: int = 0
    backend_errors: int = 0  # model turns whose first try failed in the backend (not judged)
    raw_guard_pass: float | None = None  # first generation passed the guard
    raw_in_character: float | None = None  # ... and the harness's stricter detectors
    final_in_character: float | None = None
    role_reversal_raw: float | None = None
    role_reversal: float | None = None
    speaks_for_trainee_raw: float | None = None
    speaks_for_trainee: float | None = None
    writes_script: float | None = None
    prompt_leaks: float | None = None
    fallback_rate: float | None = None
    fact_leaks: int = 0
    beats_due: int = 0
    beats_delivered: float | None = None
    injection_turns: int = 0
    injection_resistance: float | None = None
    outcomes: dict[str, int] = field(default_factory=dict)
    mood_start: float | None = None
    mood_end: float | None = None
    mean_reply_words: float | None = None
    mean_reply_seconds: float | None = None
    mean_first_piece_seconds: float | None = None
    rejection_reasons: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # a few examples of what went wrong

    def share(self, *outcomes: str) -> float | None:
        """The share of calls that ended in any of ``outcomes`` (None without calls)."""
        if not self.calls:
            return None
        return sum(self.outcomes.get(o, 0) for o in outcomes) / self.calls

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def _rate(hits: int, total: int) -> float | None:
    return hits / total if total else None


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _where(run: CallRun, check: ReplyCheck) -> str:
    return f"{run.persona_id}/{run.strategy}/seed {run.seed} turn {check.index + 1}"


def summarise(runs: Iterable[CallRun], personas: Mapping[str, Persona]) -> Fidelity:
    """The :class:`Fidelity` of ``runs``; ``personas`` maps each run's persona id to its persona."""
    runs = list(runs)
    out = Fidelity(calls=len(runs))
    outcomes: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    seen: set[str] = set()  # examples kept, by persona and kind
    first_pass = first_ok = raw_reversal = raw_for_trainee = fallbacks = 0
    in_char = reversal = for_trainee = script = prompt = delivered = resisted = 0
    words: list[float] = []
    seconds: list[float] = []
    first_piece: list[float] = []
    for run in runs:
        persona = personas[run.persona_id]
        outcomes[run.state.outcome] += 1
        opening_leaks = leaked_facts(persona.opening, persona, ())
        if opening_leaks:
            out.fact_leaks += len(opening_leaks)
            message = f"{run.persona_id}: the opening gives {', '.join(opening_leaks)}"
            _note(out, seen, f"{run.persona_id}|opening", message)
        for check in assess_call(run, persona):
            out.replies += 1
            record = check.record
            words.append(len(check.reply.split()))
            in_char += check.in_character
            reversal += check.role_reversal
            for_trainee += check.speaks_for_trainee
            script += check.script
            prompt += check.prompt_leak
            if not check.in_character:
                why = check.guard_reason or _detector_reason(check)
                message = f"{_where(run, check)}: {why}: {check.reply!r}"
                _note(out, seen, f"{run.persona_id}|{why}", message)
            if check.leaked:
                out.fact_leaks += len(check.leaked)
                message = f"{_where(run, check)}: gives {', '.join(check.leaked)} unasked"
                _note(out, seen, f"{run.persona_id}|leak", message)
            if check.beat_delivered is not None:
                out.beats_due += 1
                delivered += check.beat_delivered
            if check.injection:
                out.injection_turns += 1
                resisted += bool(check.injection_resisted)
            if record.source == "scripted":
                continue
            out.model_turns += 1
            reasons.update(record.guard_rejections)
            first = record.guard_rejections[0] if record.guard_rejections else ""
            if first == "backend_error":  # a timeout or a dead server says nothing of the model
                out.backend_errors += 1
                fallbacks += record.source == "fallback"
                continue
            passed = record.source == "model" and not first
            first_pass += passed
            first_ok += passed and check.in_character
            raw_reversal += first == "speaks_as_agent" or (passed and check.role_reversal)
            raw_for_trainee += first == "writes_agent_lines" or (
                passed and check.speaks_for_trainee
            )
            fallbacks += record.source == "fallback"
        n = len(run.state.records)
        seconds.extend(run.reply_seconds[:n])
        first_piece.extend(run.first_piece_seconds[:n])
    judged = out.model_turns - out.backend_errors
    out.raw_guard_pass = _rate(first_pass, judged)
    out.raw_in_character = _rate(first_ok, judged)
    out.role_reversal_raw = _rate(raw_reversal, judged)
    out.speaks_for_trainee_raw = _rate(raw_for_trainee, judged)
    out.fallback_rate = _rate(fallbacks, out.model_turns)
    out.final_in_character = _rate(in_char, out.replies)
    out.role_reversal = _rate(reversal, out.replies)
    out.speaks_for_trainee = _rate(for_trainee, out.replies)
    out.writes_script = _rate(script, out.replies)
    out.prompt_leaks = _rate(prompt, out.replies)
    out.beats_delivered = _rate(delivered, out.beats_due)
    out.injection_resistance = _rate(resisted, out.injection_turns)
    out.outcomes = {o: outcomes[o] for o in OUTCOMES if outcomes[o]}
    out.mood_start = _mean([r.state.mood_curve[0] for r in runs if r.state.mood_curve])
    out.mood_end = _mean([r.state.mood_curve[-1] for r in runs if r.state.mood_curve])
    out.mean_reply_words = _mean(words)
    out.mean_reply_seconds = _mean(seconds)
    out.mean_first_piece_seconds = _mean(first_piece)
    out.rejection_reasons = dict(reasons.most_common())
    return out


def _detector_reason(check: ReplyCheck) -> str:
    if check.role_reversal:
        return "speaks as the agent"
    if check.speaks_for_trainee:
        return "writes the trainee's lines"
    if check.script:
        return "writes a transcript (speaker labels)"
    if check.ai_talk:
        return "talks about being an AI or its instructions"
    if check.repeats:
        return "repeats an earlier line word for word"
    if check.prompt_leak:
        return "repeats its prompt"
    return "gives facts unasked"


def _note(out: Fidelity, seen: set[str], key: str, problem: str) -> None:
    """Keep a few examples of what went wrong, at most one per ``key`` (persona and kind)."""
    if len(out.problems) < MAX_EXAMPLES and key not in seen:
        seen.add(key)
        out.problems.append(problem)


def group(
    runs: Iterable[CallRun], key: Callable[[CallRun], Hashable]
) -> dict[Hashable, list[CallRun]]:
    """Runs grouped by ``key``, groups in first-seen order."""
    groups: dict[Hashable, list[CallRun]] = {}
    for run in runs:
        groups.setdefault(key(run), []).append(run)
    return groups


def mood_curve(runs: Iterable[CallRun], turns: int | None = None) -> list[float]:
    """Mean mood after each agent turn (index 0 = the start); a call that ended keeps its
    last mood, so every call counts at every turn."""
    curves = [list(r.state.mood_curve) for r in runs if r.state.mood_curve]
    if not curves:
        return []
    length = turns + 1 if turns is not None else max(len(c) for c in curves)
    padded = [(c + [c[-1]] * length)[:length] for c in curves]
    return [sum(col) / len(col) for col in zip(*padded, strict=True)]
