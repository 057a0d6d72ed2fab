"""Score one transcript against a rubric: the scorecard trainees and QA analysts read.

``score_transcript`` is deterministic: the same transcript, rubric and
detections give the same scorecard, byte for byte once serialised. Steps:

1. signals for every turn (the analyser, or ``detections=`` given by batch/tests);
2. the anti-gaming filter decides which hits earn credit (``gaming.py``);
3. each graded criterion's rules are evaluated (``rules.py``);
4. categories, caps and the overall are combined (``caps.py``; ``docs/scoring.md``
   says how): weighted means, a critical error failing its category, caps from
   failed ``fail_cap`` criteria and gaming flags, none from one weak detection;
5. feedback about this call (``feedback.py``); EPITOME empathy levels are added.

The outcome given (the simulator's) is refined from the transcript: an agent
ending after a warning about abuse is ``ended_for_abuse``
(:func:`trainer.outcomes.agent_ending`).

A persona's ``requires:`` criteria are graded when the caller passes
``with_requirements(rubric, persona.requires)`` as the rubric.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from trainer.outcomes import agent_ending, outcome_title
from trainer.paths import default_rubric_path
from trainer.rubric.checks import DERIVED_SIGNALS
from trainer.rubric.criteria import Criterion
from trainer.rubric.model import Rubric, load_rubric
from trainer.scoring.account_talk import account_hit, preverified_hit, volunteered_hit
from trainer.scoring.actions import DATED_ACTION, OWNED_ACTION, is_dated_action, is_owned_action
from trainer.scoring.call_view import CallView, Hit
from trainer.scoring.caps import combine
from trainer.scoring.cut_off import cut_off
from trainer.scoring.emergency import emergency_hit
from trainer.scoring.empathy import epitome
from trainer.scoring.feedback import Coaching, context_hit, feedback, quote
from trainer.scoring.gaming import filter_hits, flag_title
from trainer.scoring.rules import RuleOutcome, evaluate_criterion
from trainer.scoring.scorecard import CriterionResult, Evidence, Scorecard
from trainer.scoring.sentences import split_sentences
from trainer.scoring.signal_heads import SignalHeads, heads_path_for
from trainer.scoring.signals import Detection, SignalAnalyzer
from trainer.transcripts.transcript import Transcript

__all__ = ["Coaching", "analyzer_for", "call_outcome", "quote", "score_transcript"]

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
    persona_name: str | None = None,
    coaching: Coaching | None = None,
) -> Scorecard:
    """Grade one call.

    ``detections`` (one list per turn, as ``SignalAnalyzer.analyse_turns`` gives)
    skips the analyser: batch scoring embeds many transcripts at once and passes
    them here. ``mood_curve`` (the persona's start mood, then the mood after each
    agent turn) tells whether the caller was upset; ``persona_name`` and
    ``coaching`` (the persona's company and example phrasings) make the
    scorecard speak about this caller. A transcript with no agent turn gives an
    error scorecard.
    """
    rubric = rubric if rubric is not None else load_rubric()
    header = {
        "transcript_id": transcript.id,
        "persona": transcript.persona,
        "persona_name": persona_name,
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
    detections = _with_dated_actions(speakers, texts, detections)
    gaming = filter_hits(
        speakers, texts, detections, rubric.scored_signal_speakers(), rubric.positive_signals(),
        rubric.gaming,
    )  # fmt: skip
    outcome = call_outcome(outcome, speakers, gaming.hits)
    gaming = gaming.for_outcome(outcome)
    hits = list(gaming.hits)
    if (avoided := cut_off(speakers, texts, outcome, hits)) is not None:
        hits.append(avoided)
    if (account := account_hit(speakers, texts)) is not None:
        hits.append(account)
    if (emergency := emergency_hit(speakers, texts)) is not None:
        hits.append(emergency)
    if verified := preverified_hit(speakers, texts) or volunteered_hit(speakers, texts):
        hits.append(verified)
    view = CallView(speakers, texts, hits, outcome, list(mood_curve or []))
    results = [_result(c, evaluate_criterion(c, view), view, coaching) for c in rubric.graded()]
    combined = combine(rubric, results, view, gaming.caps)
    for result in results:
        if result.id in combined.uncertain:
            result.feedback += f" {UNCERTAIN}"
        if result.id in combined.unheard:
            result.feedback += " " + UNHEARD.format(share=round(100 * rubric.unheard_credit))
    return Scorecard(
        **header,
        criteria=results,
        categories=combined.categories,
        overall=combined.overall,
        flags=gaming.flags,
        flag_titles={f: flag_title(f) for f in gaming.flags},
        caps=combined.caps,
        empathy=epitome(speakers, texts, gaming.hits, *_epitome_model(rubric, analyzer)),
        outcome=outcome,
        outcome_title=outcome_title(outcome) if outcome else None,
        mood_curve=list(mood_curve or []),
    )


def _epitome_model(rubric: Rubric, analyzer: SignalAnalyzer | None) -> tuple:
    """(fitted EPITOME model, encoder) of a calibrated rubric, else (None, None)."""
    path = rubric.epitome_model_file()
    if path is None or rubric.epitome_model is None:
        return None, None
    from trainer.scoring.empathy_model import load_cached

    encoder = analyzer._encoder() if analyzer is not None else None  # noqa: SLF001
    return load_cached(path, rubric.epitome_model.sha256), encoder


def call_outcome(given: str | None, speakers: Sequence[str], hits: Sequence[Hit]) -> str | None:
    """The outcome as the scorecard states it: an agent ending after a warning about
    abuse is ``ended_for_abuse`` (given ``ended_by_agent``, or no outcome at all)."""
    if given not in (None, "ended_by_agent"):
        return given
    agent_turns = [i for i, s in enumerate(speakers) if s == "agent"]
    shown = [{h.signal for h in hits if h.turn == t} for t in agent_turns]
    ending = agent_ending(shown)
    return ending if ending == "ended_for_abuse" else given


def _with_dated_actions(
    speakers: Sequence[str], texts: Sequence[str], detections: Sequence[Sequence[Detection]]
) -> list[list[Detection]]:
    """The detections plus ``dated_action`` / ``owned_action`` hits for such agent sentences."""
    out = []
    for turn, (speaker, text, found) in enumerate(zip(speakers, texts, detections, strict=True)):
        row = list(found)
        ending = {d.sentence for d in found if d.signal in _NOT_ACTIONS}
        for sentence in split_sentences(text) if speaker == "agent" else []:
            if sentence in ending:
                continue  # "I'm ending this call now" is not an action for the caller
            if is_dated_action(sentence):
                row.append(Detection(DATED_ACTION, turn, sentence, 1.0, "rule"))
            if is_owned_action(sentence):
                row.append(Detection(OWNED_ACTION, turn, sentence, 1.0, "rule"))
        out.append(row)
    return out


_DERIVED = set(DERIVED_SIGNALS)
UNCERTAIN = "(One uncertain detection: it did not cap your score.)"
"""Added to the feedback of a capping criterion failed on one weak detection."""
UNHEARD = "(Counted at {share}% of its weight: the call was cut short before you got there.)"
"""Added to the feedback of a criterion the call was cut short before (``rules.unheard``)."""
_NOT_ACTIONS = {"ends_call_for_abuse", "dismissive", "blames_customer"}


def _evidence(hit: Hit, view: CallView) -> Evidence:
    own = [i for i, s in enumerate(view.speakers) if s == hit.speaker]
    return Evidence(
        turn=hit.turn,
        turn_number=own.index(hit.turn) + 1 if hit.turn in own else hit.turn + 1,
        speaker=hit.speaker,  # type: ignore[arg-type]
        quote=hit.sentence,
        signal=hit.signal or None,
        score=round(hit.score, 3) if hit.signal else None,
    )


def _result(
    criterion: Criterion, outcome: RuleOutcome, view: CallView, coaching: Coaching | None
) -> CriterionResult:
    hits = list(outcome.evidence)
    if outcome.status == "failed" and not [h for h in hits if _decides(h, criterion)]:
        line = context_hit(criterion, view)
        hits = [line] if line is not None else hits
    hits.sort(key=lambda h: (h.turn, h.signal in _DERIVED))  # a detector's name before ours
    seen: set[tuple[int, str]] = set()
    evidence = []
    for h in hits:  # one quote per sentence, however many signals it showed
        if (h.turn, h.sentence) not in seen:
            seen.add((h.turn, h.sentence))
            evidence.append(_evidence(h, view))
    return CriterionResult(
        id=criterion.id,
        title=criterion.label,
        category=criterion.category,
        status=outcome.status,
        score=outcome.score,
        evidence=evidence,
        feedback=feedback(criterion, outcome, view, coaching),
    )


def _decides(hit: Hit, criterion: Criterion) -> bool:
    """Is the hit evidence *for* the failure (a forbidden line, an unanswered caller),
    rather than the signal shown in the wrong place (a turn-4 greeting)?"""
    if hit.speaker == "customer":
        return True
    return bool(criterion.forbids) or bool(criterion.when)
