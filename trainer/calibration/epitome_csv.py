"""EPITOME-format CSVs (Sharma et al., 2020) as a label file for ``calibrate``.

The public EPITOME set ships one CSV per mechanism (``emotional-reactions-reddit.csv``,
``interpretations-reddit.csv``, ``explorations-reddit.csv``) with the columns
``sp_id, rp_id, seeker_post, response_post, level`` (0 / 1 / 2). Each (post,
response) pair becomes one labelled call: the seeker's post as the customer's turn,
the response as the agent's, and one ``epitome:<mechanism>`` label per file.

A pair repeated within a file keeps its label once when the copies agree and
loses that mechanism's label when they conflict; a pair left with no label is
dropped. ``python -m trainer.calibration.epitome_csv CSV... --out labels.jsonl``
writes the label file (keep it out of the repository when the data's licence
says so).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from trainer.scoring.empathy import LEVELS, MECHANISMS


@dataclass(frozen=True)
class Converted:
    """The label-file rows and what was dropped on the way."""

    rows: list[dict]
    repeated: int
    conflicting: dict[str, int]


def mechanism_of(path: Path) -> str:
    """The mechanism a CSV labels, from its file name (``emotional-reactions-...``)."""
    stem = path.name.lower().replace("-", "_")
    for mechanism in MECHANISMS:
        if stem.startswith(mechanism):
            return mechanism
    raise ValueError(f"{path}: the file name names no EPITOME mechanism ({', '.join(MECHANISMS)})")


def convert(paths: Iterable[str | Path]) -> Converted:
    """Read EPITOME CSVs into label-file rows (dict per call), deduplicated."""
    pairs: dict[tuple[str, str], dict] = {}
    labels: dict[tuple[str, str], dict[str, set[int]]] = {}
    copies: dict[tuple[tuple[str, str], str], int] = {}
    for path in map(Path, paths):
        mechanism = mechanism_of(path)
        with path.open(encoding="utf-8", newline="") as f:
            for number, row in enumerate(csv.DictReader(f), start=2):
                try:
                    key = (row["sp_id"], row["rp_id"])
                    level = int(row["level"])
                    post, response = row["seeker_post"].strip(), row["response_post"].strip()
                except (KeyError, ValueError, TypeError, AttributeError):
                    raise ValueError(f"{path}:{number}: needs sp_id, rp_id, seeker_post, "
                                     "response_post and a level 0, 1 or 2") from None  # fmt: skip
                if level not in (0, 1, 2) or not response:
                    raise ValueError(f"{path}:{number}: level must be 0, 1 or 2 and the "
                                     "response not empty")  # fmt: skip
                pairs.setdefault(key, {"post": post, "response": response})
                labels.setdefault(key, {}).setdefault(mechanism, set()).add(level)
                seen = (key, mechanism)
                copies[seen] = copies.get(seen, 0) + 1
    rows, conflicting = [], dict.fromkeys(MECHANISMS, 0)
    for key, pair in pairs.items():
        kept = {}
        for mechanism, levels in labels[key].items():
            if len(levels) > 1:
                conflicting[mechanism] += 1
            else:
                kept[f"epitome:{mechanism}"] = LEVELS[levels.pop()]
        if not kept:
            continue
        turns = [{"speaker": "agent", "text": pair["response"]}]
        if pair["post"]:
            turns.insert(0, {"speaker": "customer", "text": pair["post"]})
        rows.append({"id": f"{key[0]}/{key[1]}", "turns": turns, "labels": kept})
    repeated = len({key for (key, _), n in copies.items() if n > 1})
    return Converted(rows, repeated, conflicting)


def main(argv: list[str] | None = None) -> int:
    """Convert EPITOME CSVs to a label file; print what was deduplicated."""
    parser = argparse.ArgumentParser(prog="python -m trainer.calibration.epitome_csv")
    parser.add_argument("csv", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        converted = convert(args.csv)
    except (OSError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for row in converted.rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(converted.rows)} pairs ({converted.repeated} repeated pairs kept once; "
          f"conflicting labels dropped: {converted.conflicting}) -> {args.out}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
