"""Names a persona refers to (signals, criteria), checked against the rubric it is given."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationInfo

from trainer.rubric.model import Rubric, load_rubric
from trainer.yamlfiles.problems import did_you_mean, fail, got


def checking_rubric(info: ValidationInfo) -> Rubric:
    """The rubric a persona's names are checked against: ``context={"rubric": r}``, else the
    bundled one (``Persona.model_validate(data, context=...)``; the loaders pass it)."""
    given = (info.context or {}).get("rubric")
    return given if given is not None else load_rubric()


def _criterion(value: str, info: ValidationInfo) -> str:
    known = checking_rubric(info).criterion_ids()
    if value not in known:
        hint = did_you_mean(value, known) or f" Criteria: {', '.join(sorted(known))}"
        raise fail("unknown_criterion", f"unknown rubric criterion {got(value)}.{hint}")
    return value


def _signal(speaker: Literal["agent", "customer"]) -> Any:
    def check(value: str, info: ValidationInfo) -> str:
        rubric = checking_rubric(info)
        mine = rubric.signal_names(speaker)
        other = rubric.signal_names("customer" if speaker == "agent" else "agent")
        if value in mine:
            return value
        if value in other:
            kinds = ("a customer", "an agent") if speaker == "agent" else ("an agent", "a customer")
            raise fail(
                "wrong_speaker", f"{got(value)} is {kinds[0]} signal; use {kinds[1]} signal here"
            )
        hint = did_you_mean(value, mine) or f" {speaker.title()} signals: {', '.join(sorted(mine))}"
        raise fail("unknown_signal", f"unknown signal {got(value)}.{hint}")

    return Annotated[str, AfterValidator(check)]


AgentSignal = _signal("agent")
CustomerSignal = _signal("customer")
CriterionId = Annotated[str, Field(min_length=1), AfterValidator(_criterion)]
