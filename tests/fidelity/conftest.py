"""Fixtures for the fidelity harness: a small persona, a keyword analyser, crafted calls."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from trainer.fidelity.run import CallRun
from trainer.personas.loading import Persona, parse_persona
from trainer.simulation import CallState, TurnRecord
from trainer.transcripts.transcript import Turn

PERSONA_YAML = """\
id: test-caller
name: Dana Price
summary: Router keeps dropping; second call this week.
difficulty: hard
company: Northwind Broadband
style: Short sentences. Impatient.
background: |
  Your router drops every evening. You called on Monday and nothing changed.
facts:
  account number: NB-55555
  postcode:
    value: LS6 3HF
    asked_by: ['\\bpost ?code\\b']
goal: A technician visit or a replacement router.
opening: My internet keeps dropping and this is my second call.
mood: {start: 6, hang_up_at: 10, satisfied_at: 3, patience: 1}
reactions:
  acknowledges_feelings: -2
  takes_ownership: -1
  gives_clear_next_step: -2
  offers_resolution: -1
  blames_customer: 3
  says_calm_down: 3
  profanity: 3
beats:
  - id: supervisor
    when: {mood_at_least: 9}
    say: ["Get me your supervisor. Now."]
  - id: calm-down
    when: {signal: says_calm_down}
    say: ["Don't tell me to calm down."]
lines:
  calm: ["OK, that sounds fine.", "Right, thanks.", "Fine. Go on."]
  annoyed: ["I've heard that before.", "And how long will that take?", "Get on with it."]
  angry: ["This is ridiculous.", "Just fix it.", "Unbelievable."]
resolution: {needs: [offers_resolution, gives_clear_next_step]}
max_reply_words: 30
"""


@pytest.fixture()
def persona() -> Persona:
    return parse_persona(PERSONA_YAML, "test-caller.yaml")


@dataclass(frozen=True)
class _Detection:
    signal: str
    turn: int
    sentence: str
    score: float = 1.0
    method: str = "pattern"


_RULES = {
    "agent": {
        "greets": r"\b(hello|hi|good (morning|afternoon))\b",
        "acknowledges_feelings": r"\b(frustrat|understand|upset|stressful)",
        "takes_ownership": r"\b(take ownership|leave this with me|my responsibility|"
        r"take care of it|full responsibility)",
        "offers_resolution": r"\b(what i can do|i can (arrange|send|book)|like to offer)\b",
        "gives_clear_next_step": r"\bwithin the hour\b|\bby 5pm\b",
        "blames_customer": r"\b(your fault|set it up wrong|on you)\b",
        "says_calm_down": r"\bcalm down\b|\brelax\b",
        "profanity": r"\b(idiot|moron|hell|pathetic|stupid)\b|f\*\*\*",
        "closes": r"\b(thanks for calling|have a (good|lovely|nice) day|take care|goodbye)\b",
    },
    "customer": {
        "curses": r"\b(bloody|damn|hell)\b",
        "insults_agent": r"\b(idiot|useless)\b",
        "demands_supervisor": r"\bsupervisor\b",
    },
}


class KeywordAnalyzer:
    """A fast stand-in for SignalAnalyzer: one regex per signal, no embeddings."""

    def analyse_turn(
        self, text: str, speaker: str, turn: int = 0, context: str = ""
    ) -> list[_Detection]:
        return [
            _Detection(name, turn, text)
            for name, pattern in _RULES[speaker].items()
            if re.search(pattern, text, re.IGNORECASE)
        ]


@pytest.fixture()
def keyword_analyzer() -> KeywordAnalyzer:
    return KeywordAnalyzer()


def crafted_run(
    persona: Persona,
    turns: list[tuple[str, str, dict]],
    *,
    outcome: str = "ongoing",
    strategy: str = "good",
    injections: list[bool] | None = None,
    seconds: float = 0.5,
) -> CallRun:
    """A finished call built by hand: ``turns`` is ``(agent, reply, TurnRecord fields)``.

    Record fields default to no signals, mood unchanged, source ``model``.
    """
    transcript = [Turn(speaker="customer", text=persona.opening)]
    records = []
    mood = persona.mood.start
    curve = [mood]
    revealed: list[str] = []
    for i, (agent, reply, fields) in enumerate(turns):
        fields = {"signals": (), "mood_before": mood, "mood_after": mood, **fields}
        record = TurnRecord(turn=i + 1, source=fields.pop("source", "model"), **fields)
        mood = record.mood_after
        curve.append(mood)
        revealed.extend(record.revealed)
        records.append(record)
        transcript += [Turn(speaker="agent", text=agent), Turn(speaker="customer", text=reply)]
    state = CallState(
        call_id="crafted",
        persona_id=persona.id,
        mood=mood,
        turn=len(turns),
        transcript=tuple(transcript),
        revealed_facts=tuple(revealed),
        outcome=outcome,
        mood_curve=tuple(curve),
        records=tuple(records),
    )
    n = len(turns)
    return CallRun(
        persona_id=persona.id,
        strategy=strategy,
        seed=0,
        state=state,
        phases=["x"] * n,
        injections=injections or [False] * n,
        reply_seconds=[seconds] * n,
        first_piece_seconds=[seconds / 2] * n,
        reply_signals=[()] * n,
        beat_signals=[()] * n,
    )


@pytest.fixture()
def craft():
    """:func:`crafted_run`, for building finished calls by hand."""
    return crafted_run


@pytest.fixture()
def persona_yaml() -> str:
    """The YAML text of the ``persona`` fixture."""
    return PERSONA_YAML
