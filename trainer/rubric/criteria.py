"""Rubric criteria: structured rules over signals (data, never code).

A criterion belongs to a category, has a weight, a description for trainers,
feedback for the trainee (``pass`` and ``fail`` text) and one or more rules;
all of its rules must hold for it to pass::

    - id: escalation_offered_when_asked
      category: protocol
      description: When the caller asks for a supervisor, offer escalation.
      when: {customer_signal: demands_supervisor,
             then: [offers_escalation, transfers_to_supervisor], within: 2}
      feedback:
        pass: You offered escalation as soon as the caller asked.
        fail: When a caller asks for a supervisor, offer the escalation path.

Rule kinds (each takes one mapping or a list of them):

``requires``
    ``signal`` (a name, or a list: any of them) shown in at least ``min_count``
    agent turns; ``within_first`` / ``within_last`` N agent turns; ``before``
    the first turn showing another signal (no constraint when that one never
    shows); ``after`` it (not applicable when it never shows).
``forbids``
    ``signal`` never shown by the agent.
``when``
    every time the customer shows ``customer_signal``, the agent shows a
    ``then`` signal within the next ``within`` agent turns; not applicable when
    the customer never does.

``applies_when`` makes the whole criterion conditional (``customer_signal``,
``agent_signal``, ``min_agent_turns``, ``unless_signal``, ``caller_upset``,
``unless_outcome``, ``closing_reached``, ``fix_reached``; all given keys must hold): a criterion
whose condition never arose is *not applicable*, not zero, with a note saying
why. ``caller_upset`` holds when the customer showed one of its signals *or* the
caller's mood (the persona's start and the mood after each agent turn) reached
``mood_at_least``; ``closing_reached: true`` holds unless the call ended before
the trainee's closing moment (:func:`trainer.outcomes.ended_before_agent_could_close`);
``fix_reached: true`` holds unless the caller hung up (or the call was abandoned)
while the trainee was still asking about the problem, before any fix was due.
``optional: true`` criteria are graded only for personas that list them in ``requires:``.

``title`` is what a person reads; ``fail_cap`` caps the overall score when the
criterion fails, and ``critical: true`` makes a failure a critical error that leaves
its whole category at 0 (conduct and verification: see ``docs/scoring.md``, and
``trainer/scoring/caps.py`` for the confidence a forbidden signal needs); ``feedback.example``
is the generic phrasing a "next time" line suggests when the persona has none.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from trainer.outcomes import OUTCOMES
from trainer.yamlfiles.problems import did_you_mean, got

SignalRef = Annotated[
    str | list[str], Field(description="a signal name, or a list of names (any of them)")
]


def names(ref: str | list[str] | None) -> list[str]:
    """The signal names of a reference (a name or a list of names)."""
    if ref is None:
        return []
    return [ref] if isinstance(ref, str) else list(ref)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Requires(_Strict):
    """The agent must show ``signal``."""

    signal: SignalRef
    min_count: int = Field(1, ge=1, description="agent turns that must show it")
    within_first: int | None = Field(None, ge=1, description="in the first N agent turns")
    within_last: int | None = Field(None, ge=1, description="in the last N agent turns")
    before: SignalRef | None = Field(None, description="earlier than the first turn showing it")
    after: SignalRef | None = Field(None, description="later than the first turn showing it")


class Forbids(_Strict):
    """The agent must never show ``signal``."""

    signal: SignalRef


class When(_Strict):
    """When the customer shows ``customer_signal``, the agent answers with ``then``."""

    customer_signal: SignalRef
    then: SignalRef
    within: int = Field(2, ge=1, description="agent turns after the customer's")


class CallerUpset(_Strict):
    """The caller is upset: showed one of ``customer_signal``, or mood reached ``mood_at_least``."""

    customer_signal: SignalRef | None = None
    mood_at_least: int | None = Field(None, ge=0, le=10)

    @model_validator(mode="after")
    def _not_empty(self) -> CallerUpset:
        if self.customer_signal is None and self.mood_at_least is None:
            raise ValueError("give customer_signal, mood_at_least or both")
        return self


class AppliesWhen(_Strict):
    """The condition under which a criterion is graded at all."""

    customer_signal: SignalRef | None = Field(None, description="the customer showed one")
    agent_signal: SignalRef | None = Field(None, description="the agent showed one")
    min_agent_turns: int | None = Field(None, ge=1)
    unless_signal: SignalRef | None = Field(
        None, description="not applicable when either speaker showed one (e.g. a transfer)"
    )
    caller_upset: CallerUpset | None = Field(None, description="the caller was upset")
    unless_outcome: list[str] | None = Field(
        None, description="not applicable when the call ended so (e.g. ended_for_abuse)"
    )
    closing_reached: bool | None = Field(
        None, description="true: not applicable when the call ended before the agent could close"
    )
    fix_reached: bool | None = Field(
        None,
        description="true: not applicable when the caller hung up while the agent was still "
        "finding out about the problem (the last agent turn asked a question)",
    )

    @field_validator("unless_outcome", mode="before")
    @classmethod
    def _outcomes(cls, value: Any) -> Any:
        value = [value] if isinstance(value, str) else value
        for name in value or []:
            if name not in OUTCOMES:
                hint = did_you_mean(str(name), OUTCOMES)
                raise ValueError(
                    f"unknown outcome {got(name)}.{hint} Available: {', '.join(OUTCOMES)}"
                )
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> AppliesWhen:
        given = (
            self.customer_signal, self.agent_signal, self.min_agent_turns, self.unless_signal,
            self.caller_upset, self.unless_outcome, self.closing_reached, self.fix_reached,
        )  # fmt: skip
        if all(value is None for value in given):
            raise ValueError(
                "give customer_signal, agent_signal, min_agent_turns, unless_signal, "
                "caller_upset, unless_outcome, closing_reached or fix_reached"
            )
        return self


class Feedback(_Strict):
    """What the trainee reads: ``pass`` when it went well, ``fail`` what to do next time."""

    passed: str = Field(alias="pass", min_length=1)
    fail: str = Field(min_length=1)
    not_applicable: str | None = None
    example: str | None = Field(
        None, description="a generic phrasing to suggest (a persona's own example wins)"
    )


Rule = Requires | Forbids | When


class Criterion(_Strict):
    """One graded behaviour."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field("", description="what a person reads; the id de-snaked when empty")
    category: str
    weight: float = Field(1.0, gt=0)
    description: str = Field(min_length=1)
    feedback: Feedback
    requires: list[Requires] = Field(default_factory=list)
    forbids: list[Forbids] = Field(default_factory=list)
    when: list[When] = Field(default_factory=list)
    applies_when: AppliesWhen | None = None
    optional: bool = Field(False, description="graded only when a persona requires it")
    fail_cap: float | None = Field(
        None, ge=0, le=100, description="failing it caps the overall score at this"
    )
    critical: bool = Field(
        False, description="a critical error: failing it leaves its whole category at 0"
    )

    @property
    def label(self) -> str:
        """The title, or the id in words when the rubric gives none."""
        return self.title or self.id.replace("_", " ").capitalize()

    @field_validator("requires", "forbids", "when", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _has_rule(self) -> Criterion:
        if not (self.requires or self.forbids or self.when):
            raise ValueError("needs at least one rule: requires, forbids or when")
        return self

    def rules(self) -> list[Rule]:
        """Every rule of the criterion, in file order by kind."""
        return [*self.requires, *self.forbids, *self.when]

    def signal_names(self) -> dict[str, list[str]]:
        """Signal names referenced, by role: ``agent``, ``customer``, ``any``."""
        agent: list[str] = []
        customer: list[str] = []
        anyone: list[str] = []
        for r in self.requires:
            agent += names(r.signal)
            anyone += names(r.before) + names(r.after)
        for f in self.forbids:
            agent += names(f.signal)
        for w in self.when:
            customer += names(w.customer_signal)
            agent += names(w.then)
        if self.applies_when is not None:
            customer += names(self.applies_when.customer_signal)
            agent += names(self.applies_when.agent_signal)
            anyone += names(self.applies_when.unless_signal)
            if self.applies_when.caller_upset is not None:
                customer += names(self.applies_when.caller_upset.customer_signal)
        return {"agent": agent, "customer": customer, "any": anyone}
