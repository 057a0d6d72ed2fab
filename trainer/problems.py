"""Pydantic validation errors as ``Problem``s a person can act on: file, line, field, message.

Works for any model loaded from YAML with ``trainer.yamlsource`` (personas, rubrics)::

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
from datetime import date
from types import NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from trainer.yamlsource import KeyPath, Problem, YamlDocument, format_path

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
    """One ``Problem`` per error in ``err`` (validating ``doc.data`` as ``model``)."""
    problems = []
    for error in err.errors(include_url=False):
        loc = tuple(step for step in error["loc"] if step != "[key]")
        ctx = error.get("ctx") or {}
        if error["type"] == "rules":
            for path, message in ctx["problems"]:
                problems.append(located(doc, file, (*loc, *path), message))
            continue
        loc = _as_written(loc, doc.data)
        problems.append(located(doc, file, loc, _message(error, loc, model)))
    return problems


def located(doc: YamlDocument, file: str, path: KeyPath, message: str) -> Problem:
    """A problem at ``path`` of ``doc``, on the line of the path (or of its nearest parent)."""
    return Problem(file, doc.line_of(path), format_path(path), message)


def _as_written(loc: KeyPath, data: Any) -> KeyPath:
    """Cut the steps that shorthand added: ``say: "x"`` is read as ``say: ["x"]``."""
    node = data
    for i, step in enumerate(loc):
        found = isinstance(node, dict) and step in node
        if found or (isinstance(node, list) and isinstance(step, int) and step < len(node)):
            node = node[step]
        else:
            return loc if isinstance(node, dict) else loc[:i]
    return loc


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
    if kind in _PLAIN:
        quoted = kind == "string_type" and isinstance(value, bool | date)
        return f"{_PLAIN[kind]} (got {got(value)}{'; put text in quotes' if quoted else ''})"
    return f"{error['msg'][:1].lower()}{error['msg'][1:]} (got {got(value)})"


def fields_of(model: type[BaseModel], loc: KeyPath) -> dict[str, Any]:
    """The fields (name -> FieldInfo) of the model found at ``loc`` inside ``model``, or {}."""
    annotation: Any = model
    for step in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            info = annotation.model_fields.get(str(step))
            annotation = info.annotation if info else None
        elif get_origin(annotation) in (list, dict):
            annotation = get_args(annotation)[-1]
        else:
            return {}
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return dict(annotation.model_fields)
    return {}


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            annotation = next(a for a in get_args(annotation) if a is not NoneType)
        else:
            return annotation
