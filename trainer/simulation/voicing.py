"""Where a caller's line comes from: the persona's own ``responses`` and ``lines``, else the
shared phrasebook (``phrasebook.yaml``, by voice); the facts as a caller says them; and a
choice among lines that is the same for a call and turn, avoiding lines already said and
questions the agent's turn has just answered (``trainer.simulation.answered``)."""

from __future__ import annotations

import random
import re
from functools import cache
from pathlib import Path

import yaml

from trainer.personas.loading import Persona
from trainer.simulation.answered import answered, last_agent_text
from trainer.simulation.state import CallState

PHRASEBOOK = Path(__file__).with_name("phrasebook.yaml")


@cache
def phrasebook() -> dict[str, dict[str, dict[str, list[str]]]]:
    """voice -> act -> band -> lines (plain lists expanded to every band)."""
    raw = yaml.safe_load(PHRASEBOOK.read_text(encoding="utf-8"))
    book: dict[str, dict[str, dict[str, list[str]]]] = {}
    for voice, acts in raw.items():
        book[voice] = {
            act: lines
            if isinstance(lines, dict)
            else dict.fromkeys(("calm", "annoyed", "angry"), lines)
            for act, lines in acts.items()
        }
    return book


def lines_for(persona: Persona, act: str, band: str) -> list[str]:
    """The lines a persona has for ``act`` in mood ``band``: its own, else the phrasebook's."""
    own = persona.responses.get(act)  # type: ignore[call-overload]
    if own is not None:
        lines = getattr(own, band) or own.calm or own.annoyed or own.angry
        if lines:
            return list(lines)
    if act in ("filler", "explain"):  # the persona's own words beat a generic line here
        return persona.lines_for(band)  # type: ignore[arg-type]
    return phrasebook()[persona.phrasebook_voice()][act][band]


def facts_text(persona: Persona, names: tuple[str, ...], own_name: bool = False) -> str:
    """The values asked for, as a caller says them: ``NB-20417``, or ``NB-20417, and the
    postcode is LS6 3HF`` (the first value plain, each further one named). ``own_name``:
    the caller's name comes first ("Derek Walsh, and my postcode's LS6 3HF"). A further value
    that says what it is ("a laptop, worth 649 pounds", "the 12th to the 15th") is said plain;
    a number, code or date is named, as a caller does ("my date of birth's 3 March 1991"), not
    read off a form ("the date of birth is ...")."""
    values = [persona.facts[name].value for name in names]
    if own_name:
        names, values = ("name", *names), [persona.name, *values]
    rest = [_said(name, value) for name, value in zip(names[1:], values[1:], strict=True)]
    if not rest:
        return values[0]
    return ", ".join([values[0], *rest[:-1]]) + f", and {rest[-1]}"


def _said(name: str, value: str) -> str:
    plain = re.match(r"(a|an|the|my|our|from|in|at|on)\b", value, re.I)
    if plain or not re.search(r"[\d@]", value):
        return value  # it says what it is
    verb = " are" if name.endswith("s") and not name.endswith("ss") else "'s"
    return f"my {name}{verb} {value}"


def pick(lines: list[str], state: CallState, salt: str, slots: dict[str, str] | None = None) -> str:
    """A deterministic choice for this call and turn, avoiding lines the caller already said
    and questions the agent's last turn answered."""
    rng = random.Random(f"{state.seed}:{state.call_id}:{state.turn}:{salt}")
    said = " ".join(t.text for t in state.transcript if t.speaker == "customer")
    rendered = [line.format(**slots) if slots else line for line in lines]
    agent = last_agent_text(state)
    rendered = [line for line in rendered if not answered(line, agent)] or rendered
    fresh = [line for line in rendered if line not in said] or rendered
    return rng.choice(fresh)
