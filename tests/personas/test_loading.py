"""Persona scripts: the shipped ones validate; broken ones say exactly what is wrong, and where."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from trainer.paths import default_personas_dir, user_cache_dir, user_data_dir
from trainer.personas.loading import (
    Beat,
    Condition,
    Fact,
    Lines,
    Mood,
    Persona,
    PersonaError,
    PersonaNotFoundError,
    Problem,
    Resolution,
    default_asked_by,
    find_persona,
    load_persona,
    load_personas,
    parse_persona,
    validate_paths,
)
from trainer.rubric.model import Rubric, load_rubric, parse_rubric
from trainer.yamlfiles.source import YamlSyntaxError, load_yaml

HERE = Path(__file__).parent
SHIPPED = HERE.parents[1] / "personas"
BAD = (
    "fixtures/personas_bad"  # relative to tests/personas/, so problems read as the CLI prints them
)
SHIPPED_FILES = sorted(SHIPPED.glob("*.yaml"))


@pytest.fixture()
def in_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)


MINIMAL = """\
id: minimal
name: Min Imal
summary: Smallest valid persona.
difficulty: easy
company: Test Co
style: Plain.
background: You want a refund.
goal: A refund.
opening: Hello.
mood: {start: 2}
lines: {calm: [Okay.], annoyed: [Hmm.], angry: [No.]}
"""


# -- the shipped personas -----------------------------------------------------------------------


def test_every_shipped_persona_validates() -> None:
    assert validate_paths([SHIPPED]) == []
    found = load_personas(SHIPPED)
    assert found.problems == []
    assert len(found.personas) >= 8
    required = {
        "accent-complainer",
        "angry-escalation",
        "abusive-curser",
        "product-blamer",
        "queue-waiter",
        "confused-repeat-caller",
        "warm-up",
    }
    assert required <= set(found.personas)
    assert {p.difficulty for p in found.personas.values()} == {"easy", "medium", "hard"}


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda p: p.stem)
def test_shipped_persona_is_a_complete_call(path: Path) -> None:
    persona = load_persona(path)
    assert persona.id == path.stem
    assert 3 <= len(persona.facts) <= 5
    assert 3 <= len(persona.beats) <= 8
    assert all(len(beat.say) >= 2 for beat in persona.beats), "each beat needs variants"
    assert persona.reactions and persona.resolution.needs and persona.requires
    assert persona.mood.start < persona.mood.hang_up_at
    for band in ("calm", "annoyed", "angry"):
        lines = persona.lines_for(band)
        assert len(lines) >= 3
        for line in lines:
            assert len(line.split()) <= 15, f"fallback lines are short: {line!r}"
            # A fallback line may play in any turn: it must not give away a fact.
            for fact in persona.facts.values():
                assert fact.value.split(",")[0] not in line


def test_derek_is_the_design_example() -> None:
    derek = load_persona(SHIPPED / "angry-escalation.yaml")
    assert derek.name == "Derek Walsh"
    assert derek.opening.startswith("Finally. Third time I'm calling.")
    assert derek.facts["account number"].value == "NB-20417"
    supervisor = derek.beat("demand-supervisor")
    assert supervisor is not None and supervisor.when.mood_at_least == 8
    assert "escalation_offered_when_asked" in derek.requires
    assert derek.facts_asked("Can I confirm the address and your ref?") == [
        "postcode",
        "reference number",
    ]
    assert derek.facts_asked("What's your email address?") == []


def test_abusive_curser_follows_the_abuse_protocol() -> None:
    shane = load_persona(SHIPPED / "abusive-curser.yaml")
    hang_ups = [b for b in shane.beats if b.end_call == "hang_up"]
    assert any("dismissive" in (b.when.signal or []) for b in hang_ups)
    assert all((b.when.mood_at_least or 0) >= 7 for b in hang_ups)
    reacts_to = {s for b in shane.beats for s in b.when.signal or []}
    assert {"warns_about_abuse", "ends_call_for_abuse"} <= reacts_to
    assert "abuse_protocol" in shane.requires
    words = " ".join(line for band in ("annoyed", "angry") for line in shane.lines_for(band))
    assert re.search(r"\b(bloody|damn|crap|hell)\b", words)


def test_accent_complainer_asks_for_someone_who_knows_the_language() -> None:
    malcolm = load_persona(SHIPPED / "accent-complainer.yaml")
    first = malcolm.beat("accent-demand")
    assert first is not None and first.when.turn == 1
    assert any("knows the language" in line for line in first.say)


# -- broken files: every problem, exactly -------------------------------------------------------

EXPECTED = {
    "bad-beats.yaml": [
        "10: mood.start: must be below hang_up_at (5) (got 5)",
        "15: beats[0].end_call: must be one of hang_up, escalated (got 'hangup'). "
        "Did you mean: hang_up?",
        "16: beats[1].id: duplicate beat id 'shout' (also beats[0])",
        "17: beats[1].when.after_beat: unknown beat 'shout-louder'. Beats: shout, loop, Bad_Id",
        "20: beats[2].when.customer_signal: 'greets' is an agent signal; "
        "use a customer signal here",
        "20: beats[2].when.after_beat: a beat cannot wait for itself (got 'loop')",
        "21: beats[2].say: must not be empty",
        "22: beats[3].id: must be like 'demand-supervisor': a-z, 0-9, dashes (got 'Bad_Id')",
        "23: beats[3].when.mood_at_most: must be at least mood_at_least (6) (got 4)",
    ],
    "bad-values.yaml": [
        "5: difficulty: must be one of easy, medium, hard (got 'extreme')",
        "11: mood.hang_up_at: must be 0..10 (got 11)",
        "11: mood.patience: must be a whole number (got 'two')",
        "13: reactions.acknowledge_feelings: unknown signal 'acknowledge_feelings'. "
        "Did you mean: acknowledges_feelings?",
        "14: reactions.blames_customer: must be -5..+5 (got 7)",
        "15: reactions.demands_supervisor: 'demands_supervisor' is a customer signal; "
        "use an agent signal here",
        "19: beats[0].when.mood_at_least: must be 0..10 (got 12)",
        "20: beats[0].when.signal[1]: unknown signal 'blame_customer'. "
        "Did you mean: blames_customer?",
        "22: beats[0].once: must be true or false (got 'sometimes')",
        "25: lines.annoyed: must not be empty",
        "27: max_reply_words: must be 10..300 (got 5)",
        "28: requires[0]: unknown rubric criterion 'verifies_identiy'. "
        "Did you mean: verifies_identity?",
    ],
    "duplicate-key.yaml": ["15: mood: duplicate key (first at line 10)"],
    "empty.yaml": [" the file is empty"],  # no line: "empty.yaml: the file is empty"
    "missing-fields.yaml": [
        "1: goal: required field is missing (what would satisfy the caller)",
        "3: summary: must not be empty",
        "12: facts.account number.value: must not be empty",
        "13: facts.account number.asked_by[0]: not a valid regular expression: "
        "missing ), unterminated subpattern at position 0 (got '(account')",
        "14: opening: must be text (got false; put text in quotes)",
        "16: lines.angry: required field is missing (lines for mood 7-10)",
    ],
    "not-a-mapping.yaml": ["1: the file must be a mapping of fields (got a list)"],
    "syntax-error.yaml": [
        "6: invalid YAML: a mapping opened with '{' on line 5 is not closed with '}' "
        "(or a comma is missing)"
    ],
    "unknown-keys.yaml": [
        "10: mod: unknown field 'mod'. Did you mean: mood? Allowed: id, name, summary, "
        "difficulty, company, style, background, facts, goal, opening, mood, reactions, beats, "
        "lines, resolution, agenda, responses, voice, persistence, coaching, requires, "
        "max_reply_words, tags",
        "11: mood.start: required field is missing (mood at the start of the call)",
        "11: mood.strat: unknown field 'strat'. Did you mean: start? "
        "Allowed: start, hang_up_at, satisfied_at, patience",
        "13: beats[0].when: required field is missing (when it fires: turn, turn_at_least, "
        "mood_at_least, mood_at_most, signal, customer_signal, after_beat)",
        "14: beats[0].whn: unknown field 'whn'. Did you mean: when? "
        "Allowed: id, when, say, directive, once, end_call",
    ],
}


def _expected(name: str) -> list[str]:
    return [f"{BAD}/{name}:{rest}" for rest in EXPECTED[name]]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_reports_every_problem_with_its_line(name: str, in_tests: None) -> None:
    with pytest.raises(PersonaError) as info:
        load_persona(f"{BAD}/{name}")
    assert [str(p) for p in info.value.problems] == _expected(name)
    assert str(info.value) == "\n".join(_expected(name))


def test_problem_is_structured(in_tests: None) -> None:
    with pytest.raises(PersonaError) as info:
        load_persona(f"{BAD}/bad-values.yaml")
    assert (
        Problem(
            f"{BAD}/bad-values.yaml", 19, "beats[0].when.mood_at_least", "must be 0..10 (got 12)"
        )
        in info.value.problems
    )


def test_a_bad_file_never_stops_the_others(in_tests: None) -> None:
    found = load_personas(BAD)
    assert list(found.personas) == ["valid-caller"]
    assert found.personas["valid-caller"].name == "Val Id"  # the first file wins
    assert found.sources == {"valid-caller": Path(BAD) / "valid.yaml"}
    duplicate = (
        f"{BAD}/with-duplicate-id.yaml:2: id: duplicate persona id 'valid-caller' "
        f"(also in {BAD}/valid.yaml)"
    )
    expected = [line for name in sorted(EXPECTED) for line in _expected(name)] + [duplicate]
    assert [str(p) for p in found.problems] == expected


def test_validate_paths_takes_files_and_folders(in_tests: None, tmp_path: Path) -> None:
    valid = Path(BAD) / "valid.yaml"
    assert validate_paths([valid]) == []
    assert validate_paths([SHIPPED, SHIPPED / "warm-up.yaml"]) == []  # same file twice is fine
    assert [str(p) for p in validate_paths([valid, Path(BAD) / "empty.yaml"])] == [
        f"{BAD}/empty.yaml: the file is empty"
    ]
    assert validate_paths([Path("nowhere")]) == [
        Problem("nowhere", None, "", "no such file or folder")
    ]
    assert validate_paths([tmp_path]) == [
        Problem(str(tmp_path), None, "", "no persona files (*.yaml)")
    ]


def test_duplicate_ids_across_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "one.yaml").write_text(MINIMAL)
    (tmp_path / "b" / "two.yaml").write_text("# a comment first\n" + MINIMAL)
    problems = validate_paths([tmp_path / "a", tmp_path / "b"])
    assert problems == [
        Problem(
            str(tmp_path / "b" / "two.yaml"),
            2,
            "id",
            f"duplicate persona id 'minimal' (also in {tmp_path / 'a' / 'one.yaml'})",
        )
    ]


def test_unreadable_text_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Zo\xeb\n".encode("latin-1"))
    with pytest.raises(PersonaError) as info:
        load_persona(path)
    assert info.value.problems == [Problem(str(path), None, "", "not UTF-8 text")]


def test_parse_persona_names_its_source() -> None:
    assert parse_persona(MINIMAL, "editor").id == "minimal"
    with pytest.raises(PersonaError) as info:
        parse_persona(MINIMAL.replace("difficulty: easy", "difficulty: hrad"), "editor")
    assert str(info.value) == (
        "editor:4: difficulty: must be one of easy, medium, hard (got 'hrad'). Did you mean: hard?"
    )


def test_rules_hold_for_personas_built_in_python() -> None:
    data = load_yaml(MINIMAL).data
    data["beats"] = [
        {"id": "x", "when": {"turn": 1}, "say": "One."},
        {"id": "x", "when": {"after_beat": "y"}, "say": "Two."},
    ]
    with pytest.raises(ValidationError, match="duplicate beat id 'x'.*unknown beat 'y'"):
        Persona.model_validate(data)


# -- facts, beats, bands ------------------------------------------------------------------------

FACTS = """\
facts:
  account number: NB-1
  pin: 1234
  date of birth: 1950-03-02
  postcode:
    value: LS6 3HF
    asked_by: ['\\bzip\\b', 'post\\s*code']
"""


def test_facts_shorthand_and_full_form() -> None:
    persona = parse_persona(MINIMAL + FACTS)
    facts = persona.facts
    assert facts["account number"] == Fact(value="NB-1", asked_by=[r"\baccount\s+number\b"])
    assert facts["pin"].value == "1234"
    assert facts["date of birth"].value == "1950-03-02"  # YAML's date, back as text
    assert facts["postcode"] == Fact(value="LS6 3HF", asked_by=[r"\bzip\b", r"post\s*code"])
    assert persona.facts_asked("Can I take your ACCOUNT  number and zip?") == [
        "account number",
        "postcode",
    ]
    assert persona.facts_asked("Can I take your date of birth, please?") == ["date of birth"]
    assert not facts["account number"].is_asked("What's the number on your account?")


def test_default_asked_by_is_the_words_of_the_name() -> None:
    assert default_asked_by("account number") == [r"\baccount\s+number\b"]
    assert default_asked_by("Date of Birth") == [r"\bdate\s+of\s+birth\b"]
    assert default_asked_by("e-mail") == [r"\be\s+mail\b"]
    assert default_asked_by("???") == []


def test_beat_defaults_and_shorthand() -> None:
    beat = Beat.model_validate({"id": "hi", "when": {"signal": "greets"}, "say": "Hello there."})
    assert beat.say == ["Hello there."]
    assert beat.when.signal == ["greets"]
    assert beat.directive is None  # the simulator asks for the line it picked
    assert beat.once is True and beat.end_call is None
    own = Beat(id="hi", when=Condition(turn=1), say=["Hi."], directive="Grunt.")
    assert own.directive == "Grunt."
    assert Condition().is_empty() and not Condition(turn=2).is_empty()


@pytest.mark.parametrize(
    ("mood", "band"),
    [(0, "calm"), (3, "calm"), (4, "annoyed"), (6, "annoyed"), (7, "angry"), (10, "angry")],
)
def test_band(mood: int, band: str) -> None:
    persona = parse_persona(MINIMAL)
    assert persona.band(mood) == band


def test_lines_for() -> None:
    persona = parse_persona(MINIMAL)
    assert persona.lines_for("calm") == ["Okay."]
    assert persona.lines_for("angry") == ["No."]
    persona.lines_for("angry").append("changed")
    assert persona.lines_for("angry") == ["No."]
    with pytest.raises(ValueError, match="unknown mood band 'furious'"):
        persona.lines_for("furious")  # type: ignore[arg-type]


def test_defaults_and_resolution_mood() -> None:
    persona = parse_persona(MINIMAL)
    assert persona.mood == Mood(start=2, hang_up_at=10, satisfied_at=3, patience=1)
    assert persona.resolution == Resolution(needs=[], mood_at_most=None)
    assert persona.resolution_mood() == 3
    assert persona.max_reply_words == 60 and persona.requires == [] and persona.tags == []
    tighter = parse_persona(MINIMAL + "resolution: {needs: closes, mood_at_most: 1}\n")
    assert tighter.resolution == Resolution(needs=["closes"], mood_at_most=1)
    assert tighter.resolution_mood() == 1


def test_every_field_is_described() -> None:
    models: list[type[BaseModel]] = [Persona, Mood, Fact, Beat, Condition, Lines, Resolution]
    for model in models:
        for name, info in model.model_fields.items():
            assert info.description, f"{model.__name__}.{name} has no description"
    assert Persona.model_json_schema()["title"] == "Persona"


# -- find_persona -------------------------------------------------------------------------------


def test_find_persona_by_id_or_path() -> None:
    assert find_persona("warm-up", SHIPPED).name == "Priya Shah"
    assert find_persona(str(SHIPPED / "queue-waiter.yaml")).id == "queue-waiter"


def test_find_persona_says_did_you_mean() -> None:
    ids = ", ".join(sorted(p.stem for p in SHIPPED_FILES))
    with pytest.raises(PersonaNotFoundError) as info:
        find_persona("angry-escalaton", SHIPPED)
    assert str(info.value) == (
        f"unknown persona 'angry-escalaton'. Did you mean: angry-escalation? "
        f"Available: {ids} (in {SHIPPED})"
    )
    assert isinstance(info.value, LookupError) and isinstance(info.value, PersonaError)
    with pytest.raises(PersonaNotFoundError, match="Did you mean: angry-escalation\\?"):
        find_persona("angry", SHIPPED)


def test_find_persona_reports_a_broken_file(in_tests: None) -> None:
    with pytest.raises(PersonaError) as info:
        find_persona("bad-values", BAD)
    assert not isinstance(info.value, PersonaNotFoundError)
    assert [str(p) for p in info.value.problems] == _expected("bad-values.yaml")


def test_find_persona_default_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTLINE_PERSONAS", str(HERE / BAD))
    assert find_persona("valid-caller").name == "Val Id"


# -- signals, YAML, paths -----------------------------------------------------------------------


def test_the_bundled_rubric_names_the_signals() -> None:
    rubric = load_rubric()
    agent, customer = rubric.signal_names("agent"), rubric.signal_names("customer")
    assert {"acknowledges_feelings", "dismissive", "ends_call_for_abuse"} <= agent
    assert {"demands_supervisor", "curses"} <= customer
    assert not agent & customer


def _own_rubric(signals: str, criteria: str) -> Rubric:
    """A small rubric standing in for the bundled one."""
    return parse_rubric(
        f"signals:\n{signals}categories: {{protocol: {{}}}}\ncriteria:\n{criteria}", "own.yaml"
    )


def _signal(name: str, speaker: str) -> str:
    return f"  {name}: {{speaker: {speaker}, description: d, patterns: [x], threshold: 0.5}}\n"


def _criterion(cid: str) -> str:
    return (
        f"  - {{id: {cid}, category: protocol, description: d, feedback: {{pass: p, fail: f}},"
        f" requires: {{signal: waves}}}}\n"
    )


def test_personas_are_checked_against_the_rubric_they_are_given() -> None:
    own = _own_rubric(_signal("waves", "agent") + _signal("sighs", "customer"), _criterion("hi"))
    persona = MINIMAL + "reactions: {waves: -1}\n"
    assert parse_persona(persona, rubric=own).reactions == {"waves": -1}
    with pytest.raises(PersonaError, match="unknown signal 'waves'"):
        parse_persona(persona)  # the bundled rubric has no 'waves'
    with pytest.raises(PersonaError, match="'sighs' is a customer signal"):
        parse_persona(persona.replace("waves:", "sighs:"), rubric=own)


def test_requires_names_rubric_criteria() -> None:
    own = _own_rubric(
        _signal("waves", "agent"), _criterion("verifies_identity") + _criterion("abuse_protocol")
    )
    assert parse_persona(MINIMAL + "requires: [abuse_protocol]\n", rubric=own).requires == [
        "abuse_protocol"
    ]
    with pytest.raises(PersonaError) as info:
        parse_persona(MINIMAL + "requires: [verify_identity, greeting]\n", "x.yaml", rubric=own)
    assert [str(p) for p in info.value.problems] == [
        "x.yaml:12: requires[0]: unknown rubric criterion 'verify_identity'. "
        "Did you mean: verifies_identity?",
        "x.yaml:12: requires[1]: unknown rubric criterion 'greeting'. "
        "Criteria: abuse_protocol, verifies_identity",
    ]


def test_shipped_personas_require_real_criteria() -> None:
    criteria = load_rubric().criterion_ids()
    for path in SHIPPED_FILES:
        assert set(load_persona(path).requires) <= criteria, path.stem


def test_yaml_remembers_the_line_of_every_field() -> None:
    doc = load_yaml("# c\nid: x\nbeats:\n  - id: a\n    when:\n      mood_at_least: 12\n")
    assert doc.data == {"id": "x", "beats": [{"id": "a", "when": {"mood_at_least": 12}}]}
    assert doc.line_of(("beats", 0, "when", "mood_at_least")) == 6
    assert doc.line_of(("beats", 0)) == 4
    assert doc.line_of(("beats", 0, "say")) == 4  # missing: its parent's line
    assert doc.line_of(()) == 2


def test_yaml_is_data_never_code() -> None:
    with pytest.raises(YamlSyntaxError) as info:
        load_yaml("id: x\nrun: !!python/object/apply:os.system ['echo hi']\n")
    assert info.value.line == 2
    assert "could not determine a constructor" in info.value.message


def test_yaml_duplicate_keys_are_kept_for_reporting() -> None:
    doc = load_yaml("a: 1\nb:\n  c: 2\n  c: 3\n")
    assert doc.duplicates == [(("b", "c"), 4, 3)]


def test_paths(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("FRONTLINE_PERSONAS", "FRONTLINE_CACHE_DIR", "FRONTLINE_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    assert default_personas_dir() == SHIPPED
    assert user_cache_dir().name == "frontline" and user_data_dir().name == "frontline"
    monkeypatch.setenv("FRONTLINE_PERSONAS", str(tmp_path / "p"))
    monkeypatch.setenv("FRONTLINE_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("FRONTLINE_DATA_DIR", str(tmp_path / "d"))
    assert default_personas_dir() == tmp_path / "p"
    assert user_cache_dir() == tmp_path / "c"
    assert user_data_dir() == tmp_path / "d"
