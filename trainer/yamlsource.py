"""YAML loading that remembers the line of every field.

``load_yaml(text)`` parses with ``yaml.SafeLoader`` (YAML is data: no tags that
run code) and returns the plain data plus a map from every key path to its
1-based line::

    doc = load_yaml(text)
    doc.data["beats"][0]["when"]["mood_at_least"]     # 12
    doc.line_of(("beats", 0, "when", "mood_at_least"))   # 14

A path step is a mapping key or a sequence index. The line of a mapping entry
is the line of its key; the line of a sequence item is the line where the item
starts. Syntax errors raise ``YamlSyntaxError`` with the line; ``Problem`` is
the one located-error type the loaders built on this module report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

KeyPath = tuple[str | int, ...]
"""A path into the loaded data: mapping keys and sequence indexes."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, located for a human.

    ``str(problem)`` reads ``personas/x.yaml:14: beats[0].when.mood_at_least: must be
    0..10 (got 12)``; the line and the field are left out when unknown.
    """

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


def format_path(path: KeyPath) -> str:
    """``("beats", 0, "when")`` -> ``beats[0].when``."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        else:
            text += f".{step}" if text else str(step)
    return text


@dataclass(frozen=True)
class YamlDocument:
    """Loaded YAML data with the line of every key path (see the module docstring)."""

    data: Any
    lines: Mapping[KeyPath, int] = field(default_factory=dict)
    duplicates: list[tuple[KeyPath, int, int]] = field(default_factory=list)
    """Keys given twice in one mapping: (path, line, line of the first one)."""

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that exists in the file."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


class YamlSyntaxError(ValueError):
    """The text is not valid YAML. ``line`` is 1-based (None when unknown)."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message if line is None else f"line {line}: {message}")
        self.message = message
        self.line = line

    def problem(self, file: str) -> Problem:
        """This error as a ``Problem`` in ``file``."""
        return Problem(file, self.line, "", self.message)


def load_yaml(text: str) -> YamlDocument:
    """Parse one YAML document; raise ``YamlSyntaxError`` (with the line) if it is invalid."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None)
        lines: dict[KeyPath, int] = {}
        duplicates: list[tuple[KeyPath, int, int]] = []
        # Walk before constructing: construction flattens merge keys (<<) in place.
        _walk(loader, node, (), lines, duplicates)
        return YamlDocument(loader.construct_document(node), lines, duplicates)
    except yaml.MarkedYAMLError as err:
        raise _syntax_error(err) from None
    except yaml.YAMLError as err:  # errors without a position (rare: bad stream)
        raise YamlSyntaxError(f"invalid YAML: {err}", None) from None
    finally:
        loader.dispose()


def _syntax_error(err: yaml.MarkedYAMLError) -> YamlSyntaxError:
    mark = err.problem_mark or err.context_mark
    line = mark.line + 1 if mark else None
    context = err.context or ""
    if context and err.context_mark and err.context_mark.line + 1 != line:
        context += f" started at line {err.context_mark.line + 1}"
    context = f" ({context})" if context else ""
    return YamlSyntaxError(f"invalid YAML: {err.problem or 'invalid syntax'}{context}", line)


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _walk(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: KeyPath,
    lines: dict[KeyPath, int],
    duplicates: list[tuple[KeyPath, int, int]],
) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                continue  # merged keys keep no line of their own; their parent's is used
            key = loader.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found unhashable key",
                    key_node.start_mark,
                ) from None
            line = key_node.start_mark.line + 1
            child = (*path, key)
            if key in seen:
                duplicates.append((child, line, seen[key]))
                continue
            seen[key] = line
            lines[child] = line
            _walk(loader, value_node, child, lines, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(loader, item, (*path, index), lines, duplicates)
