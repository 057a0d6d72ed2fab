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
``agent_signal``, ``min_agent_turns``, ``unless_signal``; all given keys must
hold): a criterion whose condition never arose is *not applicable*, not zero. ``optional: true``
criteria are graded only for personas that list them in ``requires:``.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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


class AppliesWhen(_Strict):
    """The condition under which a criterion is graded at all."""

    customer_signal: SignalRef | None = Field(None, description="the customer showed one")
    agent_signal: SignalRef | None = Field(None, description="the agent showed one")
    min_agent_turns: int | None = Field(None, ge=1)
    unless_signal: SignalRef | None = Field(
        None, description="not applicable when either speaker showed one (e.g. a transfer)"
    )

    @model_validator(mode="after")
    def _not_empty(self) -> AppliesWhen:
        given = (self.customer_signal, self.agent_signal, self.min_agent_turns, self.unless_signal)
        if all(value is None for value in given):
            raise ValueError("give customer_signal, agent_signal, min_agent_turns or unless_signal")
        return self


class Feedback(_Strict):
    """What the trainee reads: ``pass`` when it went well, ``fail`` what to do next time."""

    passed: str = Field(alias="pass", min_length=1)
    fail: str = Field(min_length=1)
    not_applicable: str | None = None


Rule = Requires | Forbids | When


class Criterion(_Strict):
    """One graded behaviour."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    category: str
    weight: float = Field(1.0, gt=0)
    description: str = Field(min_length=1)
    feedback: Feedback
    requires: list[Requires] = Field(default_factory=list)
    forbids: list[Forbids] = Field(default_factory=list)
    when: list[When] = Field(default_factory=list)
    applies_when: AppliesWhen | None = None
    optional: bool = Field(False, description="graded only when a persona requires it")

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
        return {"agent": agent, "customer": customer, "any": anyone}
