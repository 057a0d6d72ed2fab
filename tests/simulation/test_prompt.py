"""The caller's prompt: pure, growing only at its end in a call, told only what was asked."""

from __future__ import annotations

from trainer.personas.loading import Persona
from trainer.simulation import CallState
from trainer.simulation.prompt import chat_prompt, continuation_prefix, continuation_prompt
from trainer.simulation.state import apply_agent_turn, start_state
from trainer.transcripts.transcript import Turn

DIRECTIVE = "Say what is wrong, briefly."


def _agent(persona: Persona, state: CallState, text: str, signals: set[str] = frozenset()):
    state, _ = apply_agent_turn(persona, state, text, set(signals))
    return state


def _customer(state: CallState, text: str) -> CallState:
    return state.model_copy(
        update={"transcript": state.transcript + (Turn(speaker="customer", text=text),)}
    )


def _call(persona: Persona) -> list[CallState]:
    """The state each time the caller is about to answer, over a three-turn call."""
    states = []
    state = start_state(persona, "c1")
    for agent, reply in [
        ("Hello, Northwind Broadband, how can I help?", "  It keeps dropping.  "),
        ("Sorry to hear that. What's your postcode?", "LS6 3HF."),
        ("Thanks. And your account number?", "NB-55555."),
    ]:
        state = _agent(persona, state, agent)
        states.append(state)
        state = _customer(state, reply)
    return states


def test_continuation_is_pure(persona):
    state = _call(persona)[1]
    before = state.model_copy(deep=True)
    first = continuation_prompt(persona, state, DIRECTIVE)
    assert continuation_prompt(persona, state, DIRECTIVE) == first
    assert continuation_prefix(persona, state) == continuation_prefix(persona, state)
    assert state == before


def test_continuation_ends_with_the_directive_then_customer(persona):
    state = _call(persona)[0]
    prompt = continuation_prompt(persona, state, DIRECTIVE)
    *_, direction, last = prompt.split("\n")
    assert last == "Customer:"
    assert direction.startswith("(Dana Price, ") and direction.endswith(DIRECTIVE + ")")
    assert persona.band(state.mood) == "annoyed"  # a greeting that calmed nothing
    assert "annoyed and impatient" in direction
    assert prompt.split("\n")[-3] == "Agent: Hello, Northwind Broadband, how can I help?"


def test_the_prompt_only_grows_at_its_end_within_a_call(persona):
    states = _call(persona)
    prompts = [continuation_prompt(persona, s, DIRECTIVE) for s in states]
    prefixes = [continuation_prefix(persona, s) for s in states]
    for prompt, prefix in zip(prompts, prefixes, strict=True):
        assert prompt.startswith(prefix + "\n")
        assert prompt.count("\n") == prefix.count("\n") + 2  # the stage direction, "Customer:"
    for prefix, later in zip(prefixes, prompts[1:], strict=False):
        assert later.startswith(prefix + "\n")
    assert "\nCustomer: It keeps dropping.\nAgent:" in prompts[1]  # the reply, stripped


def test_facts_appear_only_once_asked(persona):
    first, second, third = _call(persona)
    # The caller's own replies in the transcript are what they said; the facts themselves
    # are told to the model only in the stage direction, after the agent asks.
    assert "LS6 3HF" not in continuation_prompt(persona, first, DIRECTIVE)
    assert "NB-55555" not in continuation_prompt(persona, first, DIRECTIVE)
    asked_postcode = continuation_prompt(persona, second, DIRECTIVE)
    assert "They may give: postcode: LS6 3HF." in asked_postcode
    assert "NB-55555" not in asked_postcode
    assert "account number: NB-55555" in continuation_prompt(persona, third, DIRECTIVE)
    assert "LS6 3HF" not in continuation_prefix(persona, first)


def test_a_detail_the_directive_gives_is_not_listed_again(persona):
    state = _call(persona)[2]  # postcode and account number asked for
    answer = "Give the agent your account number: NB-55555."
    direction = continuation_prompt(persona, state, answer).split("\n")[-2]
    assert direction.count("NB-55555") == 1  # the stage direction is read anew each turn
    assert "They may give: postcode: LS6 3HF." in direction


def test_chat_facts_appear_only_once_asked(persona):
    first, second, _ = _call(persona)
    system = chat_prompt(persona, first, DIRECTIVE)[0]["content"]
    assert "LS6 3HF" not in system and "NB-55555" not in system
    assert "the agent has not asked for any details yet" in system
    system = chat_prompt(persona, second, DIRECTIVE)[0]["content"]
    assert "- postcode: LS6 3HF" in system and "NB-55555" not in system


def test_chat_roles_alternate_and_the_system_ends_with_the_directive(persona):
    state = _call(persona)[2]
    messages = chat_prompt(persona, state, DIRECTIVE)
    assert messages[0]["role"] == "system"
    assert messages[0]["content"].endswith(f"For your next reply: {DIRECTIVE}")
    assert "You are Dana Price, a customer phoning Northwind Broadband." in messages[0]["content"]
    roles = [m["role"] for m in messages[1:]]
    assert roles == ["assistant", "user"] * 3  # opening, then agent/caller turn about
    assert messages[1]["content"] == persona.opening
    assert messages[-1] == {"role": "user", "content": "Thanks. And your account number?"}
    assert [m["content"] for m in messages[1:]] == [t.text for t in state.transcript]
