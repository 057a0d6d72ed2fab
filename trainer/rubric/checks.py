"""Rubric file problems, located and worded for a trainer.

Two kinds, both reported in one go (every problem, each on its own line):

- shape errors from pydantic, translated: union branches merged into one
  message, a rule written as a single mapping located as written (not as
  ``requires[0]``), unknown keys with "Did you mean" and the allowed keys;
- references checked on the raw data: criterion categories, duplicate
  criterion ids, and signal names (existing, and of the right speaker).
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from trainer.problems import did_you_mean, got
from trainer.rubric.signal_specs import SIGNAL_NAME
from trainer.yamlsource import KeyPath, Problem, format_path

# -- shape errors (pydantic) --------------------------------------------------------------

_TAGS = {"str": "a name", "list[str]": "a list of names", "int": "a whole number"}
_PLAIN = {
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "string_type": "must be text",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
}
_BOUNDS = {
    "greater_than": ">",
    "greater_than_equal": ">=",
    "less_than": "<",
    "less_than_equal": "<=",
}


def pydantic_problems(
    exc: ValidationError, data: Any, line_of: Any, file: str, root: type[BaseModel]
) -> list[Problem]:
    """One problem per field of the file that ``root.model_validate(data)`` rejected."""
    by_path: dict[KeyPath, list[dict[str, Any]]] = {}
    for error in exc.errors():
        path, tags = _real_path(data, tuple(error["loc"]))
        by_path.setdefault(path, []).append({**error, "tags": tags})
    problems = []
    for path, errors in by_path.items():
        message = _message(errors[0], path, root)
        if len(errors) > 1 and all(e["tags"] for e in errors):
            wanted = " or ".join(_TAGS.get(e["tags"][-1], e["tags"][-1]) for e in errors)
            message = f"must be {wanted} (got {got(errors[0]['input'])})"
        problems.append(Problem(file, line_of(path), format_path(path), message))
    return problems


def _real_path(data: Any, loc: tuple[Any, ...]) -> tuple[KeyPath, list[str]]:
    """The pydantic location as a path into the file; union tags and wrap indexes dropped."""
    path: list[str | int] = []
    tags: list[str] = []
    node = data
    for step in loc:
        if isinstance(step, int) and isinstance(node, list):
            path.append(step)
            node = node[step] if step < len(node) else None
        elif isinstance(step, str) and isinstance(node, dict):
            path.append(step)
            node = node.get(step)
        elif isinstance(step, int) and isinstance(node, dict):
            continue  # a single mapping given where a list is allowed
        else:
            tags.append(str(step))
    return tuple(path), tags


def _message(error: dict[str, Any], path: KeyPath, root: type[BaseModel]) -> str:
    kind = error["type"]
    value = got(error.get("input"))
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(root, path[:-1])
        hint = did_you_mean(str(path[-1]), allowed)
        return f"unknown field '{path[-1]}'.{hint} Allowed: {', '.join(allowed)}"
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", (error.get("ctx") or {}).get("expected", ""))
        hint = did_you_mean(str(error.get("input")), allowed)
        return f"must be one of {', '.join(allowed)} (got {value}).{hint}".rstrip(".")
    if kind in _BOUNDS:
        bound = next(iter(error.get("ctx", {}).values()), "?")
        return f"must be {_BOUNDS[kind]} {bound} (got {value})"
    if kind == "string_pattern_mismatch" and path and path[-1] == "id":
        return f"must be like 'greets_caller': a-z, 0-9, underscores (got {value})"
    if kind == "string_type" and isinstance(error.get("input"), bool):
        return f"must be text (got {value}; put text in quotes)"
    if kind in _PLAIN:
        return f"{_PLAIN[kind]} (got {value})"
    message = str(error["msg"]).removeprefix("Value error, ").replace("Input should be", "must be")
    if kind not in ("value_error", "assertion_error"):
        message += f" (got {value})"
    return message


def _allowed_keys(root: type[BaseModel], path: KeyPath) -> list[str]:
    """The field names allowed at ``path``, found by walking the models' annotations."""
    annotation: Any = root
    for step in path:
        if isinstance(step, int):
            annotation = _item(annotation, list)
            continue
        model = _single(annotation)
        if model is None:
            annotation = _item(annotation, dict)  # a key of a name -> model mapping
            continue
        field = model.model_fields.get(step)
        if field is None:
            return []
        annotation = field.annotation
    model = _single(annotation)
    return [f.alias or n for n, f in model.model_fields.items()] if model else []


def _single(annotation: Any) -> type[BaseModel] | None:
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


# -- references (raw data) ----------------------------------------------------------------

_ROLES = {
    "requires": {"signal": "agent", "before": "any", "after": "any"},
    "forbids": {"signal": "agent"},
    "when": {"customer_signal": "customer", "then": "agent"},
    "applies_when": {
        "customer_signal": "customer",
        "agent_signal": "agent",
        "unless_signal": "any",
    },
}
_GAMING_LISTS = ("empathy_signals", "action_signals", "closing_signals", "stuffing_ignores")


def reference_problems(data: dict[str, Any], line_of: Any, file: str) -> list[Problem]:
    """Unknown categories, duplicate criterion ids, unknown or wrong-speaker signal names."""
    signals = data.get("signals") if isinstance(data.get("signals"), dict) else {}
    speakers = {n: s.get("speaker") for n, s in signals.items() if isinstance(s, dict)}
    categories = data.get("categories")
    categories = list(categories) if isinstance(categories, dict) else None
    criteria = data.get("criteria") if isinstance(data.get("criteria"), list) else []
    problems: list[Problem] = []

    def problem(path: KeyPath, message: str) -> None:
        problems.append(Problem(file, line_of(path), format_path(path), message))

    for name in signals:
        if not isinstance(name, str) or not SIGNAL_NAME.match(name):
            message = f"a signal name is lower case: a-z, 0-9 and _ (got {got(name)})"
            problem(("signals", str(name)), message)
    seen: dict[str, int] = {}
    for i, raw in enumerate(criteria):
        if not isinstance(raw, dict):
            continue
        cid, category = raw.get("id"), raw.get("category")
        if isinstance(cid, str):
            if cid in seen:
                first = line_of(("criteria", seen[cid], "id"))
                problem(("criteria", i, "id"), f"duplicate id {got(cid)} (first at line {first})")
            seen.setdefault(cid, i)
        if categories is not None and isinstance(category, str) and category not in categories:
            hint = did_you_mean(category, categories)
            message = f"unknown category {got(category)}.{hint} Available: {', '.join(categories)}"
            problem(("criteria", i, "category"), message)
        for path, name, role in _signal_refs(raw, ("criteria", i)):
            message = _signal_message(name, role, speakers)
            if message:
                problem(path, message)
    gaming = data.get("gaming")
    for key in _GAMING_LISTS if isinstance(gaming, dict) else ():
        for j, name in enumerate(
            gaming.get(key) or [] if isinstance(gaming.get(key), list) else []
        ):
            message = _signal_message(str(name), "agent", speakers)
            if message:
                problem(("gaming", key, j), message)
    return problems


def _signal_message(name: str, role: str, speakers: dict[str, Any]) -> str | None:
    if name in speakers:
        if role != "any" and speakers[name] in ("agent", "customer") and speakers[name] != role:
            article = {"agent": "an", "customer": "a"}
            return (
                f"{got(name)} is {article[speakers[name]]} {speakers[name]} signal; "
                f"use {article[role]} {role} signal here"
            )
        return None
    choices = [n for n, s in speakers.items() if role in ("any", s)]
    hint = did_you_mean(name, choices) or f" {role.title()} signals: {', '.join(choices)}"
    return f"unknown signal {got(name)}.{hint}"


def _signal_refs(raw: dict[str, Any], here: KeyPath) -> Iterable[tuple[KeyPath, str, str]]:
    """(path, name, role) of every signal name in one raw criterion mapping."""
    for kind, fields in _ROLES.items():
        value = raw.get(kind)
        if isinstance(value, dict):
            rules: list[tuple[KeyPath, Any]] = [((*here, kind), value)]
        else:
            rules = [((*here, kind, j), r) for j, r in enumerate(value or [])] if isinstance(
                value, list) else []  # fmt: skip
        for base, rule in rules:
            if not isinstance(rule, dict):
                continue
            for field, role in fields.items():
                ref = rule.get(field)
                if isinstance(ref, str):
                    yield (*base, field), ref, role
                elif isinstance(ref, list):
                    for k, name in enumerate(ref):
                        if isinstance(name, str):
                            yield (*base, field, k), name, role
