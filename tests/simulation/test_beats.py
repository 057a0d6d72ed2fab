from trainer.simulation.beats import choose_beat, condition_holds, plan_turn
from trainer.simulation.state import apply_agent_turn, start_state


def test_signal_beat_fires_on_its_signal(persona):
    state = start_state(persona, "c1")
    state, _ = apply_agent_turn(persona, state, "calm down", {"says_calm_down"})
    plan = plan_turn(persona, state, {"says_calm_down"})
    assert plan.beat is not None and plan.beat.id == "calm-down"
    assert plan.fallback == "Don't tell me to calm down."
    assert "calm down" in plan.directive


def test_first_matching_beat_wins_and_once_beats_do_not_repeat(persona):
    state = start_state(persona, "c1").model_copy(update={"mood": 9})
    assert choose_beat(persona, state, {"says_calm_down"}).id == "calm-down"
    fired = state.model_copy(update={"fired_beats": ("calm-down",)})
    assert choose_beat(persona, fired, {"says_calm_down"}).id == "supervisor"
    assert choose_beat(persona, state, set()).id == "supervisor"


def test_after_beat_condition(persona):
    state = start_state(persona, "c1").model_copy(update={"mood": 5})
    assert choose_beat(persona, state, set()) is None
    after = state.model_copy(update={"fired_beats": ("calm-down",)})
    assert choose_beat(persona, after, set()).id == "warms-up"


def test_empty_condition_never_holds(persona):
    from trainer.personas.loading import Condition

    assert not condition_holds(Condition(), start_state(persona, "c1"), {"greets"})


def test_without_a_beat_the_fallback_comes_from_the_mood_band(persona):
    state = start_state(persona, "c1")  # mood 6: annoyed
    plan = plan_turn(persona, state, set())
    assert plan.beat is None
    assert plan.fallback in persona.lines.annoyed
    calm = state.model_copy(update={"mood": 2})
    assert plan_turn(persona, calm, set()).fallback in persona.lines.calm


def test_fallback_choice_is_deterministic_per_call_and_turn(persona):
    state = start_state(persona, "c1", seed=3)
    assert plan_turn(persona, state, set()).fallback == plan_turn(persona, state, set()).fallback


def test_asked_facts_are_given_first_and_lead_the_reply(persona):
    from trainer.simulation.planner import facts_text

    state = start_state(persona, "c1")
    state, _ = apply_agent_turn(persona, state, "What's your account number?", set())
    plan = plan_turn(persona, state, set())
    assert plan.acts[0] == "answer" and "NB-55555" in plan.fallback
    assert plan.lead and "NB-55555" in plan.lead and plan.fallback.startswith(plan.lead)
    assert "account number" in plan.directive
    both = facts_text(persona, ("account number", "postcode"))
    assert both == "NB-55555, and my postcode's LS6 3HF"


def test_further_values_are_said_as_a_caller_says_them():
    """Not read off a form ("the parcel contents is a laptop"): a value that says what it is
    goes plain, a number or date is named with "my"."""
    from trainer.paths import default_personas_dir
    from trainer.personas.loading import load_personas
    from trainer.simulation.planner import facts_text

    shipped = load_personas(default_personas_dir()).personas
    assert facts_text(shipped["abusive-curser"], ("retailer", "parcel contents")) == (
        "TechHaven, ordered online last week, and a laptop, worth 649 pounds"
    )
    said = facts_text(shipped["warm-up"], ("postcode", "date of birth"))
    assert said.endswith(", and my date of birth's 3 March 1991") and "is" not in said.split()


def test_a_beat_comes_after_the_answer_in_the_same_reply(persona):
    state = start_state(persona, "c1")
    text = "Calm down and give me the postcode."
    state, _ = apply_agent_turn(persona, state, text, {"says_calm_down"})
    plan = plan_turn(persona, state, {"says_calm_down"})
    assert plan.beat is not None and plan.beat.id == "calm-down"
    assert "LS6 3HF" in plan.fallback
    assert plan.fallback.index("LS6 3HF") < plan.fallback.index("Don't tell me to calm down.")
    assert plan.lead == plan.fallback
