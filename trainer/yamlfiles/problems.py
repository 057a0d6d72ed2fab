"""Pydantic validation errors as ``Problem``s a person can act on: file, line, field, message.

The one translator for every model loaded from YAML with ``trainer.yamlfiles.source``
(personas, rubrics)::

    try:
        Model.model_validate(doc.data)
    except ValidationError as err:
        problems = problems_from_validation(err, doc, "personas/x.yaml", Model)

Validators that already know the right words raise ``fail(kind, message)``; a rule
across fields raises ``rules([(relative path, message), ...])`` once, and each
pair becomes its own problem on its own line.
"""

from __future__ import annotations

import difflib
import re
import typing
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from trainer.yamlfiles.source import KeyPath, Problem, YamlDocument, format_path

Rule = tuple[KeyPath, str]
"""A cross-field problem: its path (relative to the model that checks it) and message."""


def got(value: Any) -> str:
    """A value as messages quote it: ``'text'``, ``12``, ``true``, ``nothing``, ``a list``."""
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if value is None or isinstance(value, bool):
        return {None: "nothing", True: "true", False: "false"}[value]
    if isinstance(value, dict | list):
        return "a mapping" if isinstance(value, dict) else "a list"
    return str(value)


def did_you_mean(name: str, choices: Any) -> str:
    """``" Did you mean: x?"`` when ``name`` is close to one of ``choices``, else ``""``."""
    close = difflib.get_close_matches(str(name), sorted(choices), n=1, cutoff=0.6)
    return f" Did you mean: {close[0]}?" if close else ""


def fail(kind: str, message: str) -> PydanticCustomError:
    """A validation error whose message is final (reported as written)."""
    return PydanticCustomError(kind, "{message}", {"message": message, "final": True})


def rules(problems: list[Rule]) -> PydanticCustomError:
    """One error carrying several cross-field problems, each placed on its own field."""
    summary = "; ".join(f"{format_path(path)}: {message}" for path, message in problems)
    return PydanticCustomError("rules", "{summary}", {"summary": summary, "problems": problems})


def problems_from_validation(
    err: ValidationError, doc: YamlDocument, file: str, model: type[BaseModel]
) -> list[Problem]:
    """One ``Problem`` per field of ``doc`` that ``model.model_validate(doc.data)`` rejected.

    Errors are placed on the field as written in the file: shorthand (``say: "x"`` read
    as a list, a rule given as one mapping) and union branches are not shown; the
    branches of a union that all failed become one message ("must be a name or a list
    of names").
    """
    by_path: dict[KeyPath, list[tuple[dict[str, Any], list[str]]]] = {}
    problems = []
    for error in err.errors(include_url=False):
        loc = tuple(step for step in error["loc"] if step != "[key]")
        ctx = error.get("ctx") or {}
        if error["type"] == "rules":
            for path, message in ctx["problems"]:
                problems.append(located(doc, file, (*loc, *path), message))
            continue
        path, tags = _as_written(loc, doc.data)
        by_path.setdefault(path, []).append((error, tags))
    for path, errors in by_path.items():
        message = _message(errors[0][0], path, model)
        same = len({e["msg"] for e, _ in errors}) == 1  # shorthand copied (one line, 3 bands)
        if len(errors) > 1 and all(tags for _, tags in errors) and not same:
            wanted = " or ".join(_TAGS.get(tags[-1], tags[-1]) for _, tags in errors)
            message = f"must be {wanted} (got {got(errors[0][0].get('input'))})"
        problems.append(located(doc, file, path, message))
    return problems


def located(doc: YamlDocument, file: str, path: KeyPath, message: str) -> Problem:
    """A problem at ``path`` of ``doc``, on the line of the path (or of its nearest parent)."""
    return Problem(file, doc.line_of(path), format_path(path), message)


def _as_written(loc: tuple[Any, ...], data: Any) -> tuple[KeyPath, list[str]]:
    """The pydantic location as a path into the file, and the union tags it passed."""
    path: list[str | int] = []
    tags: list[str] = []
    node = data
    for i, step in enumerate(loc):
        if isinstance(step, int) and isinstance(node, list) and step < len(node):
            path.append(step)
            node = node[step]
        elif (
            isinstance(step, str) and isinstance(node, dict) and (step in node or i == len(loc) - 1)
        ):
            path.append(step)
            node = node.get(step)
        elif isinstance(step, int):
            continue  # shorthand: one value or mapping given where a list is allowed
        else:
            tags.append(str(step))
    return tuple(path), tags


_TAGS = {"str": "a name", "list[str]": "a list of names", "int": "a whole number"}
_PLAIN = {
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
}
_BOUNDS = {
    "greater_than": ">",
    "greater_than_equal": ">=",
    "less_than": "<",
    "less_than_equal": "<=",
}


def _message(error: Any, loc: KeyPath, model: type[BaseModel]) -> str:
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if ctx.get("final"):
        return error["msg"]
    if kind == "missing":
        info = fields_of(model, loc[:-1]).get(str(loc[-1]))
        described = info is not None and info.description
        return "required field is missing" + (f" ({info.description})" if described else "")
    if kind == "extra_forbidden":
        allowed = list(fields_of(model, loc[:-1]))
        hint = did_you_mean(str(loc[-1]), allowed)
        return f"unknown field '{loc[-1]}'.{hint} Allowed: {', '.join(allowed)}"
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", ctx.get("expected", ""))
        hint = did_you_mean(str(value), allowed)
        return f"must be one of {', '.join(allowed)} (got {got(value)}).{hint}".rstrip(".")
    if kind in ("string_type", "string_too_short", "too_short") and value in (None, "", [], {}):
        return "must not be empty"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        what = "the file must be a mapping of fields" if not loc else "must be a mapping"
        return f"{what} (got {got(value)})"
    if kind in _BOUNDS:
        return f"must be {_BOUNDS[kind]} {next(iter(ctx.values()), '?')} (got {got(value)})"
    if kind == "string_pattern_mismatch" and loc and loc[-1] == "id":
        return f"must be like 'greets_caller': a-z, 0-9, underscores (got {got(value)})"
    if kind in _PLAIN:
        quoted = kind == "string_type" and isinstance(value, bool | date)
        return f"{_PLAIN[kind]} (got {got(value)}{'; put text in quotes' if quoted else ''})"
    message = str(error["msg"]).removeprefix("Value error, ").replace("Input should be", "must be")
    message = message[:1].lower() + message[1:]
    if kind in ("value_error", "assertion_error"):
        return message
    return f"{message} (got {got(value)})"


def fields_of(model: type[BaseModel], loc: KeyPath) -> dict[str, Any]:
    """The fields (name -> FieldInfo) of the model found at ``loc`` inside ``model``, or {}.

    A list index steps into the list's items, a name that is not a field into the
    values of a ``name -> model`` mapping; a union offers the model of any branch.
    """
    annotation: Any = model
    for step in loc:
        if isinstance(step, int):
            annotation = _item(annotation, list)
            continue
        found = _model_of(annotation)
        if found is None:
            annotation = _item(annotation, dict)
            continue
        info = _by_key(found).get(str(step))
        if info is None:
            return {}
        annotation = info.annotation
    found = _model_of(annotation)
    return _by_key(found) if found else {}


def _by_key(model: type[BaseModel]) -> dict[str, Any]:
    return {info.alias or name: info for name, info in model.model_fields.items()}


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model of an annotation, or of its list items (a rule given as one mapping)."""
    return _model_in(annotation) or _model_in(_item(annotation, list))


def _item(annotation: Any, container: type) -> Any:
    """The element type of ``list[X]`` / value type of ``dict[K, X]`` inside an annotation."""
    if typing.get_origin(annotation) is container:
        return typing.get_args(annotation)[-1]
    for arg in typing.get_args(annotation):
        found = _item(arg, container)
        if found is not None:
            return found
    return None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, dict):
        return None
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
