"""The ranked set: hand-written calls with a QA lead's marks, and how to compare the scorer.

``data/scoring/ranked_calls.jsonl`` (described in ``data/scoring/README.md``) holds
calls graded by a QA lead before they were ever scored; ``kendall_tau_b`` measures
how well the scorer's order agrees with the lead's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from trainer.scoring.scorecard import Scorecard
from trainer.transcripts.transcript import Transcript, Turn


@dataclass(frozen=True)
class RankedCall:
    """One call of the ranked set: the transcript and the QA lead's judgement."""

    transcript: Transcript
    industry: str
    kind: str
    group: str
    outcome: str | None
    qa_score: float
    qa_rank: int
    rationale: str

    @property
    def id(self) -> str:
        return self.transcript.id


def load_ranked_calls(path: Path) -> list[RankedCall]:
    """Read the ranked set; a broken line raises ``ValueError`` naming file and line."""
    calls = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            transcript = Transcript(
                id=row["id"],
                persona=row.get("persona"),
                turns=[Turn(**t) for t in row["turns"]],
            )
            calls.append(
                RankedCall(
                    transcript,
                    row["industry"],
                    row["kind"],
                    row["group"],
                    row.get("outcome"),
                    float(row["qa_score"]),
                    int(row["qa_rank"]),
                    row["rationale"],
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: {exc}") from exc
    return calls


def score_ranked(
    calls: Sequence[RankedCall], start_moods: Mapping[str, int] | None = None
) -> dict[str, Scorecard]:
    """Score every call with the bundled rubric and analyser, as a practice call is.

    ``start_moods`` (persona id -> the persona's starting mood) stands in for the
    mood curve a practice call records; calls without a persona get none.
    """
    from trainer.scoring.scorer import score_transcript

    moods = start_moods or {}
    return {
        c.id: score_transcript(
            c.transcript,
            outcome=c.outcome,
            mood_curve=[moods[c.transcript.persona]] if c.transcript.persona in moods else None,
        )
        for c in calls
    }


def kendall_tau_b(x: Sequence[float], y: Sequence[float]) -> float:
    """Kendall's tau-b of two paired sequences (ties in either count as neither)."""
    if len(x) != len(y):
        raise ValueError(f"{len(x)} values against {len(y)}")
    concordant = discordant = ties_x = ties_y = 0
    n = len(x)
    for i in range(n):
        for j in range(i + 1, n):
            dx, dy = x[i] - x[j], y[i] - y[j]
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                ties_x += 1
            elif dy == 0:
                ties_y += 1
            elif (dx > 0) == (dy > 0):
                concordant += 1
            else:
                discordant += 1
    denominator = ((concordant + discordant + ties_x) * (concordant + discordant + ties_y)) ** 0.5
    return (concordant - discordant) / denominator if denominator else 0.0
