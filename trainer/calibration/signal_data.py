"""Labelled turns for the signal detectors: the JSONL format of ``data/signals/``.

One JSON object per line (``data/signals/LABELS.md`` defines every label)::

    {"id": "wa-0001", "speaker": "agent", "text": "So the line's been dead since Monday?",
     "context": "My broadband's been down since Monday.", "signals": ["restates_issue"],
     "industry": "telecom", "style": "uk-spoken", "source": "authored:writer-a"}

Required: ``speaker`` (agent | customer), ``text`` and ``signals`` (every signal the
turn shows, possibly ``[]``). Optional: ``id``, ``context`` (the customer's line just
before an agent turn), ``industry``, ``style``, ``source``. A bad line becomes a
problem naming its file and line; the other lines still load.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from trainer.yamlfiles.problems import did_you_mean, got

MAX_TEXT = 2000
"""Longer texts are refused (a labelled turn is one to three sentences)."""
MAX_LINE = 20_000
MAX_ROWS = 200_000


@dataclass(frozen=True)
class LabelledTurn:
    """One labelled turn: what was said, by whom, and the signals it shows."""

    speaker: str
    text: str
    signals: frozenset[str]
    context: str = ""
    id: str = ""
    industry: str = ""
    style: str = ""
    source: str = ""
    where: str = ""
    """``file:line`` it came from."""

    @property
    def author(self) -> str:
        """Who wrote it: the ``source`` up to its first ``:`` part after ``authored``."""
        return self.source.removeprefix("authored:") or "unknown"


class SignalDataError(ValueError):
    """A labels file could not be used; ``problems`` lists every bad line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:20] + (
            [f"... and {len(problems) - 20} more"] if len(problems) > 20 else []
        )
        super().__init__("\n".join(shown))


def read_labelled_turns(
    paths: Iterable[str | Path], known: dict[str, str]
) -> tuple[list[LabelledTurn], list[str]]:
    """Rows of every file (``known``: signal name -> speaker), and one problem per bad line."""
    rows: list[LabelledTurn] = []
    problems: list[str] = []
    for path in paths:
        path = Path(path)
        try:
            handle = path.open(encoding="utf-8")
        except OSError as exc:
            problems.append(f"{path}: cannot read ({exc.strerror})")
            continue
        with handle:
            for number, line in enumerate(handle, start=1):
                if len(rows) >= MAX_ROWS:
                    problems.append(f"{path}:{number}: more than {MAX_ROWS} rows; the rest ignored")
                    break
                if not line.strip():
                    continue
                row, problem = _parse(line, f"{path}:{number}", known)
                if problem:
                    problems.append(problem)
                elif row is not None:
                    rows.append(row)
    return rows, problems


def _parse(line: str, where: str, known: dict[str, str]) -> tuple[LabelledTurn | None, str]:
    if len(line) > MAX_LINE:
        return None, f"{where}: line longer than {MAX_LINE} characters"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"{where}: not JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(data, dict):
        return None, f"{where}: a row must be a JSON object (got {got(data)})"
    speaker, text, signals = data.get("speaker"), data.get("text"), data.get("signals")
    if speaker not in ("agent", "customer"):
        return None, f"{where}: speaker: must be agent or customer (got {got(speaker)})"
    if not isinstance(text, str) or not text.strip():
        return None, f"{where}: text: must be non-empty text"
    if len(text) > MAX_TEXT:
        return None, f"{where}: text: longer than {MAX_TEXT} characters"
    if not isinstance(signals, list) or not all(isinstance(s, str) for s in signals):
        return None, f"{where}: signals: must be a list of signal names (got {got(signals)})"
    for name in signals:
        if name not in known:
            hint = did_you_mean(name, known)
            return None, f"{where}: signals: unknown signal {got(name)}.{hint}"
        if known[name] != speaker:
            return None, f"{where}: signals: {got(name)} is a {known[name]} signal, not {speaker}"
    extra = {k: data.get(k, "") for k in ("context", "id", "industry", "style", "source")}
    if not all(isinstance(v, str) for v in extra.values()):
        return None, f"{where}: context, id, industry, style and source must be text"
    return LabelledTurn(speaker, text.strip(), frozenset(signals), where=where, **extra), ""
