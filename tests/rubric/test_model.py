"""Rubric schema and loading: the default rubric, exact error messages, persona requirements."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trainer.paths import default_rubric_path
from trainer.rubric.model import (
    RubricError,
    load_rubric,
    parse_rubric,
    with_requirements,
)

HEAD = """\
id: mini
version: 2
signals:
  greets: {speaker: agent, description: Greets., threshold: 0.6, patterns: ['^hello']}
  introduces_self: {speaker: agent, description: Name., threshold: 0.6, patterns: ['my name']}
  says_calm_down: {speaker: agent, description: Calm., threshold: 0.6, patterns: ['calm down']}
  curses: {speaker: customer, description: Swears., threshold: 0.6, patterns: ['damn']}
categories:
  protocol: {weight: 1}
criteria:
"""
GREETING = """\
  - id: greeting
    category: protocol
    description: Greets.
    requires: {signal: greets, within_first: 1}
    feedback: {pass: Good opening., fail: Greet the caller.}
"""


def problems(criteria: str, head: str = HEAD) -> list[str]:
    with pytest.raises(RubricError) as info:
        parse_rubric(head + criteria, "rubrics/x.yaml")
    return [str(p) for p in info.value.problems]


def test_default_rubric_covers_the_issue_and_persona_criteria():
    rubric = load_rubric()
    assert set(rubric.categories) == {"empathy", "resolution", "protocol", "professionalism"}
    ids = {c.id for c in rubric.criteria}
    assert {
        "greets_with_name_and_company", "verifies_identity", "acknowledges_feelings",
        "restates_issue", "explores_situation", "apologises_when_warranted", "takes_ownership",
        "clear_next_step", "offers_resolution", "confirms_resolution", "offers_further_help",
        "closes_call", "no_blame", "no_calm_down", "no_dismissive_language", "no_jargon",
        "no_profanity", "no_over_promising", "escalation_offered_when_asked", "abuse_protocol",
    } <= ids  # fmt: skip
    assert re.fullmatch(r"[0-9a-f]{64}", rubric.hash)
    assert load_rubric() is load_rubric()  # the default is parsed once per process


def test_a_small_valid_rubric():
    rubric = parse_rubric(HEAD + GREETING, "rubrics/x.yaml")
    assert (rubric.id, rubric.version, rubric.source) == ("mini", 2, "rubrics/x.yaml")
    (criterion,) = rubric.criteria
    assert criterion.requires[0].within_first == 1  # a single mapping is a one-rule list
    assert criterion.feedback.passed == "Good opening."
    assert rubric.signal_speakers()["curses"] == "customer"


def test_a_list_inside_patterns_is_spliced_in_so_a_yaml_anchor_can_be_shared_and_extended():
    head = HEAD.replace(
        "  curses: {speaker: customer, description: Swears., threshold: 0.6, patterns: ['damn']}",
        "  curses: {speaker: customer, description: Swears., threshold: 0.6,\n"
        "           patterns: [&swear ['damn', 'blast']]}\n"
        "  says_calm_down2: {speaker: agent, description: Calm., threshold: 0.6,\n"
        "                    patterns: [*swear, 'calm down']}",
    )
    rubric = parse_rubric(head + GREETING, "rubrics/x.yaml")
    assert rubric.signals["curses"].patterns == ["damn", "blast"]
    assert rubric.signals["says_calm_down2"].patterns == ["damn", "blast", "calm down"]
    # the default rubric: the agent's talking-down patterns are not the caller's insults
    default = load_rubric().signals
    shared = set(default["insults_agent"].patterns)
    assert shared < set(default["insults_customer"].patterns)
    assert not any("already" in p for p in shared)


def test_hash_ignores_layout_and_comments_but_not_content():
    base = parse_rubric(HEAD + GREETING).hash
    assert (
        parse_rubric(
            "# a comment\n" + HEAD + GREETING.replace("category: protocol", "category:    protocol")
        ).hash
        == base
    )
    assert parse_rubric(HEAD + GREETING.replace("within_first: 1", "within_first: 2")).hash != base


def test_unknown_signal_did_you_mean():
    assert problems(GREETING.replace("signal: greets", "signal: greet")) == [
        "rubrics/x.yaml:14: criteria[0].requires.signal: unknown signal 'greet'. "
        "Did you mean: greets?"
    ]


def test_unknown_signal_without_a_close_name_lists_the_choices():
    assert problems(GREETING.replace("signal: greets", "signal: waves")) == [
        "rubrics/x.yaml:14: criteria[0].requires.signal: unknown signal 'waves'. "
        "Agent signals: greets, introduces_self, says_calm_down, dated_action, owned_action, "
        "cuts_off_caller, account_discussed, emergency_call"
    ]


def test_signal_of_the_wrong_speaker():
    text = GREETING.replace(
        "requires: {signal: greets, within_first: 1}", "forbids: {signal: curses}"
    )
    assert problems(text) == [
        "rubrics/x.yaml:14: criteria[0].forbids.signal: 'curses' is a customer signal; "
        "use an agent signal here"
    ]


def test_unknown_key_did_you_mean_and_allowed():
    text = GREETING.replace("within_first: 1}", "within_frist: 1}")
    assert problems(text) == [
        "rubrics/x.yaml:14: criteria[0].requires.within_frist: unknown field 'within_frist'. "
        "Did you mean: within_first? "
        "Allowed: signal, min_count, within_first, within_last, before, after"
    ]


def test_rules_as_a_list_are_located_by_index():
    text = GREETING.replace(
        "    requires: {signal: greets, within_first: 1}\n",
        "    requires:\n      - signal: greets\n"
        "      - signal: [introduces_self, introduce_self]\n",
    )
    assert problems(text) == [
        "rubrics/x.yaml:16: criteria[0].requires[1].signal[1]: unknown signal 'introduce_self'. "
        "Did you mean: introduces_self?"
    ]


def test_every_problem_is_reported_in_line_order():
    text = """\
  - id: Greeting
    category: protocl
    weight: -1
    description: Greets.
    requires: {signal: 5, within_first: first}
    feedback: {pass: ok, fail: no}
    optinal: true
  - id: calm
    category: protocol
    description: Never says calm down.
    when: {customer_signal: curses, then: says_calm_down, within: 0}
    feedback: {pass: ok}
  - id: calm
    category: protocol
    description: Nothing to check.
    feedback: {pass: ok, fail: not ok}
"""
    assert problems(text) == [
        "rubrics/x.yaml:11: criteria[0].id: must be like 'greets_caller': a-z, 0-9, underscores "
        "(got 'Greeting')",
        "rubrics/x.yaml:12: criteria[0].category: unknown category 'protocl'. Did you mean: "
        "protocol? Available: protocol",
        "rubrics/x.yaml:13: criteria[0].weight: must be > 0.0 (got -1)",
        "rubrics/x.yaml:15: criteria[0].requires.signal: must be a name or a list of names (got 5)",
        "rubrics/x.yaml:15: criteria[0].requires.within_first: must be a whole number "
        "(got 'first')",
        "rubrics/x.yaml:16: criteria[0].feedback.fail: must be text (got false; put text in "
        "quotes)",
        "rubrics/x.yaml:17: criteria[0].optinal: unknown field 'optinal'. Did you mean: optional? "
        "Allowed: id, title, category, weight, description, feedback, requires, forbids, when, "
        "applies_when, optional, fail_cap, critical",
        "rubrics/x.yaml:21: criteria[1].when.within: must be >= 1 (got 0)",
        "rubrics/x.yaml:22: criteria[1].feedback.fail: required field is missing",
        "rubrics/x.yaml:23: criteria[2].id: duplicate id 'calm' (first at line 18)",
        "rubrics/x.yaml:23: criteria[2]: needs at least one rule: requires, forbids or when",
    ]


def test_signal_spec_problems_are_located_too():
    head = HEAD.replace(
        "signals:\n",
        "signals:\n  bad: {speaker: robot, description: d, patterns: [x], treshold: 2}\n",
    )
    assert problems(GREETING, head) == [
        "rubrics/x.yaml:4: signals.bad.speaker: must be one of agent, customer (got 'robot')",
        "rubrics/x.yaml:4: signals.bad.threshold: required field is missing",
        "rubrics/x.yaml:4: signals.bad.treshold: unknown field 'treshold'. "
        "Did you mean: threshold? "
        "Allowed: speaker, description, patterns, examples, counter_examples, vetoes, threshold, "
        "classifier",
    ]


def test_gaming_section_signals_and_keys_are_checked():
    text = GREETING + "gaming:\n  empathy_signals: [greet]\n  stuffing_cap: 50\n"
    assert problems(text) == [
        "rubrics/x.yaml:17: gaming.empathy_signals[0]: unknown signal 'greet'. "
        "Did you mean: greets?",
        "rubrics/x.yaml:18: gaming.stuffing_cap: unknown field 'stuffing_cap'. "
        "Did you mean: stuffing_overall_cap? Allowed: stuffing_min_signals, "
        "stuffing_min_words_per_signal, stuffing_max_signals, stuffing_sentence_signals, "
        "stuffing_credit, stuffing_overall_cap, stuffing_ignores, repeat_flag_at, "
        "empathy_signals, action_signals, empathy_without_action_cap, "
        "empathy_without_action_min_turns, scripted_empathy_signals, scripted_empathy_turns, "
        "scripted_empathy_share, scripted_empathy_cap, closing_signals, closing_turns",
    ]


def test_yaml_problems():
    with pytest.raises(RubricError) as info:
        parse_rubric("id: [\n", "r.yaml")
    assert str(info.value).startswith("r.yaml:2: invalid YAML: ")
    with pytest.raises(RubricError, match=r"^r.yaml:1: a rubric must be a YAML mapping$"):
        parse_rubric("- a\n", "r.yaml")
    with pytest.raises(RubricError, match=r"r.yaml:2: id: given twice \(first at line 1\)"):
        parse_rubric("id: a\nid: b\n" + HEAD[9:] + GREETING, "r.yaml")


def test_missing_file(tmp_path: Path):
    with pytest.raises(RubricError, match=r"nope.yaml: cannot read the file"):
        load_rubric(tmp_path / "nope.yaml")


def test_default_file_is_the_package_file():
    assert load_rubric(default_rubric_path()).hash == load_rubric().hash


OPTIONAL = (
    GREETING
    + """\
  - id: no_calm_down
    category: protocol
    description: Never says calm down.
    optional: true
    forbids: {signal: says_calm_down}
    feedback: {pass: ok, fail: Do not.}
"""
)


def test_with_requirements_turns_optional_criteria_on():
    rubric = parse_rubric(HEAD + OPTIONAL)
    assert [c.id for c in rubric.graded()] == ["greeting"]
    required = with_requirements(rubric, ["no_calm_down"])
    assert [c.id for c in required.graded()] == ["greeting", "no_calm_down"]
    assert required.hash != rubric.hash
    assert with_requirements(rubric, ["greeting"]).hash == rubric.hash  # already graded


def test_with_requirements_unknown_id():
    rubric = parse_rubric(HEAD + OPTIONAL, "rubrics/x.yaml")
    with pytest.raises(RubricError) as info:
        with_requirements(rubric, ["no_calm"])
    assert str(info.value) == (
        "rubrics/x.yaml: requires: unknown criterion 'no_calm'. Did you mean: no_calm_down? "
        "Available: greeting, no_calm_down"
    )


def test_persona_criterion_ids_exist_in_the_default_rubric():
    ids = ["escalation_offered_when_asked", "abuse_protocol", "verifies_identity"]
    rubric = with_requirements(load_rubric(), ids)
    assert {c.id for c in rubric.graded()} >= set(ids)


def test_every_bundled_persona_requirement_is_a_default_criterion():
    from trainer.paths import default_personas_dir
    from trainer.personas.loading import load_personas

    loaded = load_personas(default_personas_dir())
    assert loaded.personas, "no bundled personas found"
    for persona in loaded.personas.values():
        with_requirements(load_rubric(), persona.requires)  # raises on an unknown id
