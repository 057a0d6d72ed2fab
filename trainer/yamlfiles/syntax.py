"""PyYAML's syntax errors as sentences a trainer can act on ("a tab is used to indent
this line; YAML needs spaces"), used by ``trainer.yamlfiles.source``."""

from __future__ import annotations


def _indent_of(lines: list[str], number: int | None) -> int | None:
    if number is None or not 1 <= number <= len(lines):
        return None
    row = lines[number - 1]
    return len(row) - len(row.lstrip(" "))


def _line_above(lines: list[str], number: int) -> int | None:
    for above in range(number - 1, 0, -1):
        row = lines[above - 1].strip()
        if row and not row.startswith("#"):
            return above
    return None


def plain_syntax_message(
    problem: str, line: int | None, context_line: int | None, text: str
) -> str:
    """PyYAML's ``problem`` text at ``line`` as a sentence a trainer can act on."""
    lines = text.splitlines()
    opened = f" on line {context_line}" if context_line and context_line != line else ""
    if problem.startswith("mapping values are not allowed"):
        above = _line_above(lines, line or 0)
        mine, theirs = _indent_of(lines, line), _indent_of(lines, above)
        if mine is not None and theirs is not None and mine > theirs:
            return "this line is indented more than the one above"
        return "a second ': ' on one line; put quotes around a value that contains ': '"
    if problem.startswith("could not find expected ':'"):
        where = f"line {context_line}" if opened else "this line"
        return f"{where} has no ':' (each line of a mapping reads 'key: value')"
    if problem.startswith("expected <block end>"):
        if "'-'" in problem:
            return "a list item ('- ') where 'key: value' was expected; check its indent"
        return "this line's indent does not line up with the lines above it"
    if "found character '\\t'" in problem:
        return "a tab is used to indent this line; YAML needs spaces"
    if problem.startswith("found character") and "cannot start any token" in problem:
        char = problem.split("'")[1] if problem.count("'") >= 2 else "this character"
        return f"a value cannot start with '{char}'; put the value in quotes"
    if problem.startswith("found unexpected end of stream"):
        return f"a quote opened{opened or ' here'} is never closed"
    if problem.startswith("expected ',' or ']'"):
        return f"a list opened with '['{opened} is not closed with ']' (or a comma is missing)"
    if problem.startswith("expected ',' or '}'"):
        return f"a mapping opened with '{{'{opened} is not closed with '}}' (or a comma is missing)"
    if problem.startswith("found undefined alias"):
        name = problem.split(" ")[-1].strip("'")
        return f"*{name} is used but no &{name} is set above it"
    if problem.startswith("found unknown escape character"):
        return "an unknown backslash escape inside double quotes; use single quotes instead"
    if problem.startswith("found unhashable key"):
        return "a key must be plain text, not a list or mapping"
    return f"this line is not valid YAML ({problem or 'invalid syntax'})"
