"""The one pydantic-error translator: every problem on the field and line as written."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from trainer.yamlfiles.problems import fail, got, problems_from_validation, rules
from trainer.yamlfiles.source import load_yaml


def _no_shout(value: str) -> str:
    if value.isupper():
        raise fail("shout", f"no shouting (got {got(value)})")
    return value


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, dict) else value


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    signal: str | list[str]
    within: int = Field(1, gt=0)


class Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, AfterValidator(_no_shout)] = Field(description="who it is")
    requires: Annotated[list[Rule], BeforeValidator(_as_list)] = Field(default_factory=list)
    weight: float = 1.0


def problems(text: str, model: type[BaseModel] = Doc) -> list[str]:
    doc = load_yaml(text)
    try:
        model.model_validate(doc.data)
    except ValidationError as err:
        return [str(p) for p in problems_from_validation(err, doc, "x.yaml", model)]
    return []


def test_missing_field_says_what_it_is() -> None:
    assert problems("weight: 2\n") == ["x.yaml:1: name: required field is missing (who it is)"]


def test_unknown_field_offers_the_closest_and_lists_the_allowed() -> None:
    assert problems("name: a\nwieght: 2\n") == [
        "x.yaml:2: wieght: unknown field 'wieght'. Did you mean: weight?"
        " Allowed: name, requires, weight"
    ]


def test_a_rule_given_as_one_mapping_is_located_as_written() -> None:
    found = problems("name: a\nrequires:\n  signal: greets\n  within: 0\n  sometimes: 1\n")
    assert "x.yaml:4: requires.within: must be > 0 (got 0)" in found
    assert any(p.startswith("x.yaml:5: requires.sometimes: unknown field") for p in found)
    assert all("requires[0]" not in p for p in found), found


def test_union_branches_that_all_failed_read_as_one_message() -> None:
    assert problems("name: a\nrequires: [{signal: 3}]\n") == [
        "x.yaml:2: requires[0].signal: must be a name or a list of names (got 3)"
    ]


def test_final_messages_are_kept_and_values_quoted() -> None:
    assert problems("name: LOUD\nweight: lots\n") == [
        "x.yaml:1: name: no shouting (got 'LOUD')",
        "x.yaml:2: weight: must be a number (got 'lots')",
    ]


def test_text_fields_given_a_yes_say_to_quote_it() -> None:
    assert problems("name: yes\n") == [
        "x.yaml:1: name: must be text (got true; put text in quotes)"
    ]


class Span(BaseModel):
    low: int
    high: int

    @model_validator(mode="after")
    def _order(self) -> Span:
        if self.low > self.high:
            raise rules([(("low",), "must be <= high"), (("high",), "must be >= low")])
        return self


def test_cross_field_rules_land_on_each_field() -> None:
    assert problems("low: 5\nhigh: 2\n", Span) == [
        "x.yaml:1: low: must be <= high",
        "x.yaml:2: high: must be >= low",
    ]
