"""Terminal practice: ``python -m trainer chat PERSONA``.

Interactive on a terminal: the caller's opening, a prompt for your line, the
reply streamed, and the mood after each turn; ``/end`` ends the call, ``/quit``
leaves. With stdin not a terminal it reads one agent line per input line,
prints one ``customer:`` line per reply, then one JSON line with the transcript
and outcome, so calls can be scripted.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from trainer.paths import default_personas_dir
from trainer.personas.loading import Persona, PersonaError, find_persona
from trainer.runtime import make_backend, make_simulator
from trainer.simulation import CallState, Simulator, end_by_agent


def chat_main(args: argparse.Namespace) -> int:
    """Run one practice call in the terminal."""
    folder = args.personas or default_personas_dir()
    try:
        persona = find_persona(args.persona, folder)
    except (PersonaError, LookupError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    backend = make_backend(
        args.backend, args.model, base_url=args.base_url, no_model=args.no_model,
        strategy=args.strategy,
    )  # fmt: skip
    sim = make_simulator(backend, args.strategy)
    if sys.stdin.isatty():
        return _interactive(sim, persona, args.seed, sys.stdin, sys.stdout)
    return _scripted(sim, persona, args.seed, sys.stdin, sys.stdout)


def _mood_line(persona: Persona, state: CallState) -> str:
    return f"[mood {state.mood}/10 {persona.band(state.mood)}]"


def _call_id(persona: Persona, seed: int) -> str:
    """The same persona and seed give the same call id, so a piped call repeats exactly."""
    return f"chat-{persona.id}-{seed}"


def _interactive(sim: Simulator, persona: Persona, seed: int, inp: TextIO, out: TextIO) -> int:
    state = sim.start(persona, call_id=_call_id(persona, seed), seed=seed)
    print(
        f"{persona.name} — {persona.summary}  (type /end to end the call, /quit to leave)", file=out
    )
    print(f"customer: {persona.opening}  {_mood_line(persona, state)}", file=out)
    while not state.ended:
        out.write("you> ")
        out.flush()
        line = inp.readline()
        if not line or line.strip() == "/quit":
            return 0
        if line.strip() == "/end":
            state = end_by_agent(state)
            break
        stream = sim.reply(persona, state, line.strip())
        out.write("customer: ")
        for piece in stream:
            out.write(piece)
            out.flush()
        state = stream.finish()
        if stream.revised:  # the guard took back part of what was shown
            out.write(f"\r\033[Kcustomer: {stream.text}")
        print(f"  {_mood_line(persona, state)}", file=out)
    print(f"call ended: {state.outcome}", file=out)
    return 0


def _scripted(sim: Simulator, persona: Persona, seed: int, inp: TextIO, out: TextIO) -> int:
    state = sim.start(persona, call_id=_call_id(persona, seed), seed=seed)
    for line in inp:
        text = line.rstrip("\n")
        if text.strip() == "/quit":
            break
        if text.strip() == "/end":
            state = end_by_agent(state)
            break
        stream = sim.reply(persona, state, text)
        state = stream.finish()
        print(f"customer: {stream.text}", file=out, flush=True)
        if state.ended:
            break
    result = {
        "transcript": state.to_transcript().model_dump(),
        "outcome": state.outcome,
        "mood_curve": list(state.mood_curve),
        "backend": sim.backend.name,
    }
    print(json.dumps(result, ensure_ascii=False), file=out)
    return 0
