"""Score one transcript against a rubric: the scorecard trainees and QA analysts read.

``score_transcript`` is deterministic: the same transcript, rubric and
detections give the same scorecard, byte for byte once serialised. Steps:

1. signals for every turn (the analyser, or ``detections=`` given by batch/tests);
2. the anti-gaming filter decides which hits earn credit (``gaming.py``);
3. each graded criterion's rules are evaluated (``rules.py``);
4. a category's score is the weighted mean of its applicable criteria; the
   overall score is the weighted mean of the categories that had any, times
   100, capped when a gaming flag says so;
5. feedback quotes the trainee's own words; EPITOME empathy levels are added.

A persona's ``requires:`` criteria are graded when the caller passes
``with_requirements(rubric, persona.requires)`` as the rubric.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from trainer.paths import default_rubric_path
from trainer.rubric.criteria import Criterion, Requires
from trainer.rubric.model import Rubric, load_rubric
from trainer.scoring.empathy import epitome
from trainer.scoring.gaming import filter_hits
from trainer.scoring.rules import CallView, Hit, RuleOutcome, evaluate_criterion
from trainer.scoring.scorecard import CriterionResult, Evidence, Scorecard
from trainer.scoring.sentences import split_sentences
from trainer.scoring.signal_heads import SignalHeads, heads_path_for
from trainer.scoring.signals import Detection, SignalAnalyzer
from trainer.transcripts.transcript import Transcript

QUOTE_CHARS = 140
"""Longest quote in a feedback sentence (longer ones are cut with an ellipsis)."""

MAX_ANALYZERS = 8
"""Analysers kept for recently scored rubrics (each holds its example vectors)."""

_ANALYZERS: OrderedDict[str, SignalAnalyzer] = OrderedDict()
_ANALYZERS_LOCK = threading.Lock()


def analyzer_for(rubric: Rubric) -> SignalAnalyzer:
    """The analyser of a rubric's signals (shared embedder; one per rubric hash).

    The last ``MAX_ANALYZERS`` rubrics' analysers are kept (least recently used goes
    first); safe to call from several threads.
    """
    key = rubric.hash
    with _ANALYZERS_LOCK:
        found = _ANALYZERS.get(key)
        if found is None:
            default = SignalAnalyzer.default()
            same = default.specs == rubric.signals
            own = rubric.heads_file()  # a rubric's own heads, beside its file
            if own is not None and own != heads_path_for(default_rubric_path()):
                found = SignalAnalyzer(rubric.signals, heads=SignalHeads.load(own))
            else:
                found = default if same else SignalAnalyzer(rubric.signals)
            _ANALYZERS[key] = found
        _ANALYZERS.move_to_end(key)
        while len(_ANALYZERS) > MAX_ANALYZERS:
            _ANALYZERS.popitem(last=False)
        return found


def score_transcript(
    transcript: Transcript,
    rubric: Rubric | None = None,
    analyzer: SignalAnalyzer | None = None,
    *,
    detections: Sequence[Sequence[Detection]] | None = None,
    outcome: str | None = None,
    mood_curve: Sequence[int] | None = None,
    model_id: str | None = None,
) -> Scorecard:
    """Grade one call.

    ``detections`` (one list per turn, as ``SignalAnalyzer.analyse_turns`` gives)
    skips the analyser: batch scoring embeds many transcripts at once and passes
    them here. A transcript with no agent turn gives an error scorecard.
    """
    rubric = rubric if rubric is not None else load_rubric()
    header = {
        "transcript_id": transcript.id,
        "persona": transcript.persona,
        "rubric_id": rubric.id,
        "rubric_version": rubric.version,
        "rubric_hash": rubric.hash,
        "model_id": model_id,
    }
    speakers = [t.speaker for t in transcript.turns]
    texts = [t.text for t in transcript.turns]
    if "agent" not in speakers or not any(
        t.text.strip() for t in transcript.turns if t.speaker == "agent"
    ):
        return Scorecard(**header, error="no agent turns: nothing to score")
    if detections is None:
        analyzer = analyzer if analyzer is not None else analyzer_for(rubric)
        detections = analyzer.analyse_turns(list(zip(speakers, texts, strict=True)))
    if len(detections) != len(speakers):
        raise ValueError(
            f"detections has {len(detections)} lists for {len(speakers)} turns in {transcript.id!r}"
        )
    gaming = filter_hits(
        speakers, texts, detections, rubric.signal_speakers(), rubric.positive_signals(),
        rubric.gaming,
    )  # fmt: skip
    view = CallView(speakers, texts, gaming.hits)
    results = [_result(c, evaluate_criterion(c, view), view) for c in rubric.graded()]
    categories = _category_scores(rubric, results)
    overall = _overall(rubric, categories, gaming.overall_cap)
    return Scorecard(
        **header,
        criteria=results,
        categories=categories,
        overall=overall,
        flags=gaming.flags,
        empathy=epitome(speakers, texts, gaming.hits),
        outcome=outcome,
        mood_curve=list(mood_curve or []),
    )


def _category_scores(rubric: Rubric, results: list[CriterionResult]) -> dict[str, float | None]:
    weights = {c.id: c.weight for c in rubric.criteria}
    scores: dict[str, float | None] = {}
    for name in rubric.categories:
        live = [r for r in results if r.category == name and r.score is not None]
        total = sum(weights[r.id] for r in live)
        mean = sum(weights[r.id] * (r.score or 0.0) for r in live) / total if live else None
        scores[name] = None if mean is None else round(mean, 4)
    return scores


def _overall(
    rubric: Rubric, categories: dict[str, float | None], cap: float | None
) -> float | None:
    live = {n: s for n, s in categories.items() if s is not None}
    if not live:
        return None
    total = sum(rubric.categories[n].weight for n in live)
    overall = 100.0 * sum(rubric.categories[n].weight * s for n, s in live.items()) / total
    if cap is not None:
        overall = min(overall, cap)
    return round(overall, 1)


def quote(text: str) -> str:
    """A sentence as feedback quotes it: one line, at most ``QUOTE_CHARS`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def _evidence(hit: Hit) -> Evidence:
    return Evidence(
        turn=hit.turn,
        speaker=hit.speaker,  # type: ignore[arg-type]
        quote=hit.sentence,
        signal=hit.signal,
        score=round(hit.score, 3),
    )


def _result(criterion: Criterion, outcome: RuleOutcome, view: CallView) -> CriterionResult:
    return CriterionResult(
        id=criterion.id,
        category=criterion.category,
        status=outcome.status,
        score=outcome.score,
        evidence=[_evidence(h) for h in outcome.evidence],
        feedback=feedback(criterion, outcome, view),
    )


def feedback(criterion: Criterion, outcome: RuleOutcome, view: CallView) -> str:
    """One or two sentences for the trainee, quoting their own words where there are any.

    Passed: ``You said: '…' — <pass text>``. Failed: the offending or misplaced
    sentence, else the customer's unanswered request, else the opening or
    closing line the rule looked at, then the ``fail`` text (what to do next time).
    """
    text = criterion.feedback
    if outcome.status == "not_applicable":
        return text.not_applicable or f"Not applicable: {outcome.reason}."
    agent = [h for h in outcome.evidence if h.speaker == "agent"]
    customer = [h for h in outcome.evidence if h.speaker == "customer"]
    if outcome.status == "passed":
        if agent:
            return f"You said: '{quote(agent[0].sentence)}' — {text.passed}"
        return _capitalised(text.passed)
    if customer:
        return f"The customer said: '{quote(customer[0].sentence)}' — {text.fail}"
    if agent:
        why = f" ({outcome.reason})" if outcome.reason else ""
        return f"You said: '{quote(agent[0].sentence)}'{why} — {text.fail}"
    opening = _context_line(criterion, view)
    return f"{opening} — {text.fail}" if opening else text.fail


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _context_line(criterion: Criterion, view: CallView) -> str | None:
    """'You opened with: …' / 'You closed with: …' for rules bound to the start or the end."""
    agent_turns = [i for i, s in enumerate(view.speakers) if s == "agent"]
    rules = [r for r in criterion.rules() if isinstance(r, Requires)]
    if any(r.within_first for r in rules):
        turn, lead = agent_turns[0], "You opened with"
    elif any(r.within_last for r in rules):
        turn, lead = agent_turns[-1], "You closed with"
    else:
        return None
    sentences = split_sentences(view.texts[turn])
    if not sentences:
        return None
    line = sentences[0] if lead == "You opened with" else sentences[-1]
    return f"{lead}: '{quote(line)}'"
