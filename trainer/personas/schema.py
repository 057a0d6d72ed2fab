"""The persona script schema: what a trainer may write in ``personas/*.yaml``.

Pydantic models with ``extra="forbid"``; every field has a description (the field
table in docs/ARCHITECTURE.md). Loading files and reporting problems with their
lines is ``trainer.personas.loading``; this module is only the shape and the rules.

Validators raise ``fail(...)`` with finished, human messages; a rule that spans
fields raises ``rules([...])`` so each problem lands on its own field and line
(see ``trainer.yamlfiles.problems``).

Longer than our ~300-line rule on purpose: every model a trainer writes is here,
so this file reads as the field reference (the README's table is made from it).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    field_validator,
    model_validator,
)

from trainer.outcomes import BeatEnding
from trainer.patterns import compile_pattern
from trainer.personas.asks import facts_asked
from trainer.personas.caller import Need, Persistence, Responses, Voice, check_pattern
from trainer.personas.names import AgentSignal, CriterionId, CustomerSignal
from trainer.yamlfiles.problems import Rule, did_you_mean, fail, got, rules

Band = Literal["calm", "annoyed", "angry"]
BANDS: tuple[Band, ...] = ("calm", "annoyed", "angry")


def _int_range(lo: int, hi: int) -> Any:
    def check(value: int) -> int:
        if not lo <= value <= hi:
            top = f"+{hi}" if lo < 0 else str(hi)
            raise fail("out_of_range", f"must be {lo}..{top} (got {value})")
        return value

    return Annotated[int, Strict(), AfterValidator(check)]


def _slug(example: str, pattern: str = r"[a-z0-9]+(?:-[a-z0-9]+)*", chars: str = "dashes") -> Any:
    def check(value: str) -> str:
        if not re.fullmatch(pattern, value):
            raise fail("slug", f"must be like '{example}': a-z, 0-9, {chars} (got {got(value)})")
        return value

    return Annotated[str, AfterValidator(check)]


def _fact_name(value: str) -> str:
    if not re.search(r"[A-Za-z0-9]", value):
        raise fail("fact_name", f"a fact name needs letters or digits (got {got(value)})")
    return value


def _as_list(value: Any) -> Any:
    """Shorthand: a single string where a list is expected."""
    return [value] if isinstance(value, str) else value


def _as_text(value: Any) -> Any:
    """YAML reads ``1948-04-12`` as a date and ``yes`` as true; facts want the text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value.isoformat() if isinstance(value, date) else value


def _fact_shorthand(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    return {k: v if isinstance(v, dict) else {"value": _as_text(v)} for k, v in value.items()}


def default_asked_by(name: str) -> list[str]:
    r"""Default question patterns of a fact: ``"account number"`` -> ``\baccount\s+number\b``."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    return [r"\b" + r"\s+".join(map(re.escape, words)) + r"\b"] if words else []


def mood_band(mood: int) -> Band:
    """calm 0-3, annoyed 4-6, angry 7-10."""
    return "calm" if mood <= 3 else "annoyed" if mood <= 6 else "angry"


Text = Annotated[str, Field(min_length=1)]
MoodValue = _int_range(0, 10)
TurnNumber = _int_range(1, 1000)
BeatId = _slug("demand-supervisor")
PersonaId = _slug("angry-escalation")
Patience = _int_range(0, 3)
Reaction = _int_range(-5, 5)
WordLimit = _int_range(10, 300)
LineList = Annotated[list[Text], BeforeValidator(_as_list), Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, coerce_numbers_to_str=True
    )


class Fact(_Model):
    """Something the caller knows and tells only when asked."""

    value: Text = Field(description="what the caller answers, e.g. NB-20417")
    asked_by: list[Annotated[str, Field(min_length=1), AfterValidator(check_pattern)]] = Field(
        default_factory=list,
        description="regexes (case-insensitive) that mean the agent asked for it; "
        "default: the words of the fact's name",
    )

    def is_asked(self, text: str) -> bool:
        """Whether ``text`` (an agent turn) asks for this fact."""
        return any(compile_pattern(p).search(text) for p in self.asked_by)


class Mood(_Model):
    """The caller's mood: 0 calm .. 10 furious."""

    start: MoodValue = Field(description="mood at the start of the call")
    hang_up_at: MoodValue = Field(10, description="the caller hangs up at this mood")
    satisfied_at: MoodValue = Field(3, description="at or below this mood the caller is satisfied")
    patience: Patience = Field(1, description="mood added per agent turn with no useful signal")

    @model_validator(mode="after")
    def _order(self) -> Mood:
        _raise_rules(mood_rules(self.model_dump()))
        return self


class Condition(_Model):
    """When a beat fires: every key given must hold. An empty condition never matches."""

    turn: TurnNumber | None = Field(None, description="agent turn number (1-based), exactly")
    turn_at_least: TurnNumber | None = Field(None, description="agent turn number at least")
    mood_at_least: MoodValue | None = Field(None, description="mood at least (0..10)")
    mood_at_most: MoodValue | None = Field(None, description="mood at most (0..10)")
    signal: Annotated[list[AgentSignal] | None, BeforeValidator(_as_list)] = Field(
        None, min_length=1, description="agent signal in this turn (a list: any of them)"
    )
    customer_signal: Annotated[list[CustomerSignal] | None, BeforeValidator(_as_list)] = Field(
        None, min_length=1, description="customer signal (not used by the simulator yet)"
    )
    after_beat: BeatId | None = Field(None, description="id of a beat that has already fired")

    @model_validator(mode="after")
    def _mood_window(self) -> Condition:
        low, high = self.mood_at_least, self.mood_at_most
        if low is not None and high is not None and high < low:
            _raise_rules(
                [(("mood_at_most",), f"must be at least mood_at_least ({low}) (got {high})")]
            )
        return self

    def is_empty(self) -> bool:
        """True when no key is given (such a condition never matches)."""
        return all(getattr(self, name) is None for name in type(self).model_fields)


class Beat(_Model):
    """A scripted moment of the call; the first beat whose ``when`` holds fires."""

    id: BeatId = Field(description="unique id within the persona, e.g. demand-supervisor")
    when: Condition = Field(
        description="when it fires: turn, turn_at_least, mood_at_least, mood_at_most, "
        "signal, customer_signal, after_beat"
    )
    say: LineList = Field(description="one or more lines the caller says (one is picked)")
    directive: Text | None = Field(
        None,
        description="instruction for the model; default: say something like the picked line",
    )
    once: Annotated[bool, Strict()] = Field(True, description="fire at most once per call")
    end_call: BeatEnding | None = Field(
        None, description="hang_up | escalated: the call ends after this line"
    )


class Lines(_Model):
    """Fallback lines by mood band, played when the model cannot stay in character."""

    calm: LineList = Field(description="lines for mood 0-3")
    annoyed: LineList = Field(description="lines for mood 4-6")
    angry: LineList = Field(description="lines for mood 7-10")


class Resolution(_Model):
    """When the call counts as resolved."""

    needs: Annotated[list[AgentSignal], BeforeValidator(_as_list)] = Field(
        default_factory=list, description="agent signals that must all be seen in the call"
    )
    mood_at_most: MoodValue | None = Field(None, description="default: mood.satisfied_at")
    min_turns: TurnNumber = Field(
        1,
        description="agent turns before the caller can be satisfied (a caller let down "
        "before does not take the first good answer)",
    )


def _raise_rules(problems: list[Rule]) -> None:
    if problems:
        raise rules(problems)


def persona_rules(data: Any) -> list[Rule]:
    """The cross-field rules of a persona, on raw YAML data or a model dump.

    Tolerant of malformed input: each rule checks only what it can read, so the
    loader runs them even where pydantic stopped at an invalid field.
    """
    if not isinstance(data, dict):
        return []
    mood = data.get("mood")
    return [(("mood", *path), msg) for path, msg in mood_rules(mood)] + beat_rules(
        data.get("beats")
    )


def mood_rules(mood: Any) -> list[Rule]:
    """``start`` and ``satisfied_at`` below ``hang_up_at`` (paths relative to ``mood``)."""
    if not isinstance(mood, dict):
        return []
    defaults = {name: f.default for name, f in Mood.model_fields.items()}
    values = {k: mood.get(k, defaults.get(k)) for k in ("start", "hang_up_at", "satisfied_at")}
    top = values["hang_up_at"]
    if not _is_mood(top):
        return []
    return [
        ((name,), f"must be below hang_up_at ({top}) (got {values[name]})")
        for name in ("start", "satisfied_at")
        if _is_mood(values[name]) and values[name] >= top
    ]


def _is_mood(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10


def beat_rules(beats: Any) -> list[Rule]:
    """Unique beat ids; ``after_beat`` names another beat (paths relative to the persona)."""
    if not isinstance(beats, list):
        return []
    problems: list[Rule] = []
    first: dict[str, int] = {}
    for i, beat in enumerate(beats):
        beat_id = beat.get("id") if isinstance(beat, dict) else None
        if isinstance(beat_id, str):
            if beat_id in first:
                problems.append(
                    (
                        ("beats", i, "id"),
                        f"duplicate beat id '{beat_id}' (also beats[{first[beat_id]}])",
                    )
                )
            first.setdefault(beat_id, i)
    for i, beat in enumerate(beats):
        when = beat.get("when") if isinstance(beat, dict) else None
        target = when.get("after_beat") if isinstance(when, dict) else None
        if not isinstance(target, str):
            continue
        path = ("beats", i, "when", "after_beat")
        if target == beat.get("id"):
            problems.append((path, f"a beat cannot wait for itself (got '{target}')"))
        elif target not in first:
            hint = did_you_mean(target, first) or f" Beats: {', '.join(first) or 'none'}"
            problems.append((path, f"unknown beat '{target}'.{hint}"))
    return problems


class Persona(_Model):
    """A scripted difficult customer (one ``personas/*.yaml`` file)."""

    id: PersonaId = Field(description="unique id, used on the command line")
    name: Text = Field(description="the caller's name")
    summary: Text = Field(description="one line shown on the persona card")
    difficulty: Literal["easy", "medium", "hard"] = Field(description="easy | medium | hard")
    company: Text = Field(description="the company the trainee works for")
    style: Text = Field(description="how the caller talks")
    background: Text = Field(description='the situation, in second person ("You were promised...")')
    facts: Annotated[
        dict[Annotated[str, AfterValidator(_fact_name)], Fact], BeforeValidator(_fact_shorthand)
    ] = Field(
        default_factory=dict,
        description="name -> value, or name -> {value, asked_by}; given only when asked",
    )
    goal: Text = Field(description="what would satisfy the caller")
    opening: Text = Field(description="the caller's first line")
    mood: Mood = Field(
        description="{start, hang_up_at, satisfied_at, patience}; 0 calm .. 10 furious"
    )
    reactions: dict[AgentSignal, Reaction] = Field(
        default_factory=dict,
        description="agent signal -> mood change (-5..+5) when the agent's turn shows it",
    )
    beats: list[Beat] = Field(
        default_factory=list, description="scripted moments; first match wins"
    )
    lines: Lines = Field(description="fallback lines by mood band: calm, annoyed, angry")
    resolution: Resolution = Field(
        default_factory=Resolution, description="{needs, mood_at_most, min_turns}"
    )
    agenda: list[Need] = Field(
        default_factory=list,
        description="what the caller needs: [{id, need, addressed_by: {signals, phrases}, press}]",
    )
    responses: Responses = Field(
        default_factory=dict,
        description="authored lines by act and mood band (answer, react_empathy, press, ...)",
    )
    voice: Voice | None = Field(
        None, description="blunt | polite | anxious: the shared phrasebook (default by difficulty)"
    )
    persistence: Persistence = Field(
        default_factory=Persistence,
        description="{rude_turns, idle_turns, max_calming, press_after}",
    )
    coaching: dict[CriterionId, Text] = Field(
        default_factory=dict,
        description="criterion id -> an example phrasing for this caller's situation, "
        "shown in the scorecard's 'next time' (default: the rubric's generic example)",
    )
    requires: list[CriterionId] = Field(
        default_factory=list, description="extra rubric criterion ids graded for this call"
    )
    max_reply_words: WordLimit = Field(60, description="the guard rejects longer replies")
    tags: list[Text] = Field(default_factory=list, description="free labels for trainers")

    @field_validator("facts")
    @classmethod
    def _default_asked_by(cls, facts: dict[str, Fact]) -> dict[str, Fact]:
        return {
            name: fact
            if fact.asked_by
            else fact.model_copy(update={"asked_by": default_asked_by(name)})
            for name, fact in facts.items()
        }

    @model_validator(mode="after")
    def _beat_rules(self) -> Persona:
        _raise_rules(beat_rules([beat.model_dump() for beat in self.beats]))
        return self

    def band(self, mood: int) -> Band:
        """The mood band: calm 0-3, annoyed 4-6, angry 7-10."""
        return mood_band(mood)

    def lines_for(self, band: Band) -> list[str]:
        """The fallback lines of a mood band."""
        if band not in BANDS:
            raise ValueError(f"unknown mood band {band!r}; bands: {', '.join(BANDS)}")
        return list(getattr(self.lines, band))

    def resolution_mood(self) -> int:
        """Resolved at or below this mood: ``resolution.mood_at_most``, else ``satisfied_at``."""
        at_most = self.resolution.mood_at_most
        return self.mood.satisfied_at if at_most is None else at_most

    def beat(self, beat_id: str) -> Beat | None:
        """The beat with this id, or None."""
        return next((b for b in self.beats if b.id == beat_id), None)

    def phrasebook_voice(self) -> Voice:
        """The shared phrasebook: ``voice``, else blunt for hard, polite for easy callers."""
        if self.voice is not None:
            return self.voice
        return {"hard": "blunt", "easy": "polite"}.get(self.difficulty, "blunt")

    def max_calming(self) -> int:
        """The most the mood may fall in one agent turn."""
        given = self.persistence.max_calming
        return given if given is not None else {"easy": 4, "medium": 3}.get(self.difficulty, 2)

    def facts_asked(self, text: str, verifying: bool = False) -> list[str]:
        """Names of the facts that an agent turn asks for, in a sentence that asks: by the
        fact's ``asked_by``, its name as agents say it, its kind's other names and
        descriptions ("the long number at the top of your bill"), or the start of its value
        spelled out (``trainer.personas.asks``).

        ``verifying``: the turn asks for verification (a request even without a request
        word); if it names no fact, the caller gives the first one (their main reference).
        """
        return facts_asked(self.facts, text, verifying)
