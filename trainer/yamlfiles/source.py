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

A file is refused (``YamlLimitError``, a ``YamlSyntaxError`` with the line) past
``YamlLimits``: its size, how deep it nests, how many aliases (``*name``) it uses
and how many values it holds once every alias is expanded, so a few hundred bytes
of nested aliases ("billion laughs") cost milliseconds, not hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from trainer.yamlfiles.syntax import plain_syntax_message

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


@dataclass(frozen=True)
class YamlLimits:
    """How much one YAML file may hold before it is refused (README: "Adversarial input")."""

    max_bytes: int = 2_000_000
    max_depth: int = 20
    """Mappings and lists inside each other, counting through aliases."""
    max_aliases: int = 1_000
    """Uses of an alias (``*name``) in the file."""
    max_nodes: int = 100_000
    """Values in the file once every alias is expanded (each use counts its whole value)."""


class YamlSyntaxError(ValueError):
    """The text is not valid YAML. ``line`` is 1-based (None when unknown)."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message if line is None else f"line {line}: {message}")
        self.message = message
        self.line = line

    def problem(self, file: str) -> Problem:
        """This error as a ``Problem`` in ``file``."""
        return Problem(file, self.line, "", self.message)


class YamlLimitError(YamlSyntaxError):
    """The file is past one of its ``YamlLimits`` (the line where it went past, if known)."""


def too_big(size: int, limit: int) -> str:
    """The message for a file of ``size`` bytes over a ``limit``: ``the file is 2.0 MB; ...``
    (exact byte counts when the rounded sizes would read the same)."""
    shown, most = _bytes(size), _bytes(limit)
    if shown == most:
        shown, most = f"{size:,} bytes", f"{limit:,} bytes"
    return f"the file is {shown}; the limit is {most}"


def _bytes(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1_000_000 else f"{n / 1e3:.0f} KB" if n >= 1000 else f"{n} B"


def load_yaml(text: str, limits: YamlLimits | None = None) -> YamlDocument:
    """Parse one YAML document; raise ``YamlSyntaxError`` (with the line) if it is invalid,
    ``YamlLimitError`` if it is past ``limits`` (default ``YamlLimits()``)."""
    limits = limits or YamlLimits()
    if len(text) > limits.max_bytes // 4:  # only then can the UTF-8 size be past the limit
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > limits.max_bytes:
            raise YamlLimitError(too_big(size, limits.max_bytes), None)
    loader = _BoundedLoader(text, limits)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None)
        lines: dict[KeyPath, int] = {}
        duplicates: list[tuple[KeyPath, int, int]] = []
        # Walk before constructing: construction flattens merge keys (<<) in place.
        _Walk(loader, limits, lines, duplicates).walk(node, (), node.start_mark.line + 1)
        return YamlDocument(loader.construct_document(node), lines, duplicates)
    except yaml.MarkedYAMLError as err:
        raise _syntax_error(err, text) from None
    except yaml.YAMLError as err:  # errors without a position (rare: bad stream)
        raise YamlSyntaxError(f"invalid YAML: {err}", None) from None
    finally:
        loader.dispose()


def _syntax_error(err: yaml.MarkedYAMLError, text: str) -> YamlSyntaxError:
    mark = err.problem_mark or err.context_mark
    line = mark.line + 1 if mark else None
    context_line = err.context_mark.line + 1 if err.context_mark else None
    plain = plain_syntax_message(str(err.problem or ""), line, context_line, text)
    return YamlSyntaxError(f"invalid YAML: {plain}", line)


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _too_deep(limits: YamlLimits) -> str:
    return f"nested more than {limits.max_depth} deep (lists and mappings inside each other)"


class _BoundedLoader(yaml.SafeLoader):
    """``SafeLoader`` that refuses, while composing, files nested or aliased past the limits
    (the composer recurses, so a deep file would otherwise end in ``RecursionError``)."""

    def __init__(self, text: str, limits: YamlLimits) -> None:
        super().__init__(text)
        self.limits = limits
        self.depth = 0
        self.aliases = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        line = self.peek_event().start_mark.line + 1
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > self.limits.max_aliases:
                message = f"more than {self.limits.max_aliases} aliases (*name) in one file"
                raise YamlLimitError(message, line)
        self.depth += 1
        try:
            if self.depth > self.limits.max_depth + 1:  # the document itself is depth 1
                raise YamlLimitError(_too_deep(self.limits), line)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


@dataclass
class _Walk:
    """Records the line of every key path, counting every value it visits: an alias's
    value is walked (and counted) again at each use, as the loaders will see it."""

    loader: yaml.SafeLoader
    limits: YamlLimits
    lines: dict[KeyPath, int]
    duplicates: list[tuple[KeyPath, int, int]]
    nodes: int = 0
    seen: set[int] = field(default_factory=set)
    """Every node walked so far (``id``): meeting one again is an alias."""
    inside: set[int] = field(default_factory=set)
    """The nodes being walked: an alias to one of them is a loop."""

    def walk(self, node: yaml.Node, path: KeyPath, line: int) -> None:
        """Walk ``node`` at ``path``; ``line`` is where it is written (an alias: where used)."""
        self.lines.setdefault(path, line)
        self.nodes += 1
        if self.nodes > self.limits.max_nodes:
            raise YamlLimitError(
                f"more than {self.limits.max_nodes:,} values once aliases are expanded "
                "(an alias of an alias multiplies them; write the values out instead)",
                line,
            )
        if len(path) > self.limits.max_depth:
            raise YamlLimitError(_too_deep(self.limits), line)
        if id(node) in self.inside:
            raise YamlLimitError("an alias (*name) refers to a value that contains it", line)
        self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            self.inside.add(id(node))
            self._mapping(node, path)
            self.inside.discard(id(node))
        elif isinstance(node, yaml.SequenceNode):
            self.inside.add(id(node))
            for index, item in enumerate(node.value):
                at = line if id(item) in self.seen else item.start_mark.line + 1
                self.walk(item, (*path, index), at)
            self.inside.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> None:
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                continue  # merged keys keep no line of their own; their parent's is used
            key = self.loader.construct_object(key_node, deep=True)
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
                self.duplicates.append((child, line, seen[key]))
                continue
            seen[key] = line
            self.lines[child] = line
            self.walk(value_node, child, line)
