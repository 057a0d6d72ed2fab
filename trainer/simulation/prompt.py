"""Rendering the prompt for the caller's next reply: pure functions, no I/O.

Two strategies:

- ``chat``: chat-template role-play. The persona sheet is the system message;
  the caller's lines are the assistant's, the trainee's are the user's.
- ``continuation``: a transcript to be continued (``...\\nAgent: ...\\nCustomer:``),
  stopped at the next ``Agent:``. Small models stay in character far more often
  this way (see the README for the measured rates), so it is the default.

Only the facts the agent has asked for are in the prompt: the model cannot
leak what it was never told.
"""

from __future__ import annotations

from typing import Literal

from trainer.llm.base import Message
from trainer.personas.loading import Persona
from trainer.simulation.state import CallState

Strategy = Literal["chat", "continuation", "authored"]
STRATEGIES: tuple[Strategy, ...] = ("continuation", "chat", "authored")
"""How the caller's line is written: a model continues the transcript (``continuation``)
or answers chat messages (``chat``), or the planned authored line is said (``authored``)."""
STOP = ("\n", "Agent:", "AGENT:")
"""A reply is one line: the next line of a transcript is somebody else's."""

_MOOD_WORDS = {
    "calm": "calm and reasonable",
    "annoyed": "annoyed and impatient",
    "angry": "angry and fed up",
}


def persona_sheet(persona: Persona, state: CallState) -> str:
    """The character description for this turn: who, why, how they talk, what they know."""
    return (
        f"{persona_profile(persona)}\n{_known_facts(persona, state)}\n{_mood_now(persona, state)}"
    )


def persona_profile(persona: Persona) -> str:
    """The part of the sheet that never changes during a call."""
    return (
        f"You are {persona.name}, a customer phoning {persona.company}.\n"
        f"Situation: {persona.background.strip()}\n"
        f"How you talk: {persona.style.strip()}\n"
        f"What you want: {persona.goal.strip()}"
    )


def _known_facts(persona: Persona, state: CallState) -> str:
    known = [f"- {name}: {persona.facts[name].value}" for name in state.revealed_facts]
    facts = "\n".join(known) if known else "- (the agent has not asked for any details yet)"
    return f"Details you can give because the agent asked:\n{facts}"


def _mood_now(persona: Persona, state: CallState) -> str:
    band = _MOOD_WORDS[persona.band(state.mood)]
    return f"Right now you are {band} (mood {state.mood} out of 10)."


def chat_prompt(persona: Persona, state: CallState, directive: str) -> list[Message]:
    """The ``chat`` strategy: system sheet, then the call as user/assistant turns."""
    system = (
        persona_sheet(persona, state)
        + "\n\nYou are the CUSTOMER on this phone call, never the agent. Speak only as "
        f"{persona.name}, in one to three short sentences, with no labels or narration. "
        f"Never say you are an AI.\nFor your next reply: {directive}"
    )
    messages: list[Message] = [{"role": "system", "content": system}]
    for turn in state.transcript:
        role = "assistant" if turn.speaker == "customer" else "user"
        messages.append({"role": role, "content": turn.text})
    return messages


def continuation_prompt(persona: Persona, state: CallState, directive: str) -> str:
    """The ``continuation`` strategy: a call transcript that ends with ``Customer:``.

    What changes from turn to turn (mood, the details asked for, the directive) sits in
    the stage direction just before ``Customer:``, so within a call each prompt begins
    with the whole of the previous one but its last two lines, and the local engine
    reuses the attention cache of that shared beginning instead of reading it again.
    """
    lines = [continuation_prefix(persona, state)]
    # Short on purpose: this line is new in every prompt, so the engine reads all of it
    # while the trainee waits. A detail the directive already gives is not listed again.
    known = "; ".join(
        f"{name}: {persona.facts[name].value}"
        for name in state.revealed_facts
        if persona.facts[name].value not in directive
    )
    band = _MOOD_WORDS[persona.band(state.mood)]
    lines.append(
        f"({persona.name}, {band}. "
        + (f"They may give: {known}. " if known else "")
        + f"{directive})"
    )
    lines.append("Customer:")
    return "\n".join(lines)


def continuation_prefix(persona: Persona, state: CallState) -> str:
    """The start of every ``continuation`` prompt for this call from now on.

    The profile and the transcript so far; a backend can read it while the trainee is
    still typing (``prepare``), so only the new lines are left when the reply is asked.
    """
    lines = [
        f"Transcript of a phone call to the {persona.company} customer service line.",
        persona_profile(persona).replace("You are ", "The customer is ", 1),
        "",
    ]
    for turn in state.transcript:
        label = "Customer" if turn.speaker == "customer" else "Agent"
        lines.append(f"{label}: {turn.text.strip()}")
    return "\n".join(lines)
