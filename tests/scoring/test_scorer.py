"""score_transcript: scorecard contents, not-applicable handling, feedback quotes, determinism,
error rows, CSV rows, and the counterfactual suite (names and dialect change no criterion)."""

from __future__ import annotations

import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from scoring_helpers import GOOD_CALL, A, C, call, needs_minilm, scripted

from trainer.paths import default_rubric_path
from trainer.rubric.model import load_rubric, parse_rubric, with_requirements
from trainer.scoring import scorer
from trainer.scoring.scorecard import Scorecard, row_columns
from trainer.scoring.scorer import score_transcript

NOT_APPLICABLE = {"escalation_offered_when_asked", "abuse_protocol"}


def score(lines, rubric=None, **kwargs) -> Scorecard:
    transcript, detections = scripted(*lines)
    return score_transcript(transcript, rubric or load_rubric(), detections=detections, **kwargs)


def test_a_good_call_passes_everything_that_applies():
    card = score(GOOD_CALL, outcome="resolved", mood_curve=[7, 5, 3], model_id="fake/model")
    status = {r.id: r.status for r in card.criteria}
    assert {i for i, s in status.items() if s == "not_applicable"} == NOT_APPLICABLE
    assert {s for i, s in status.items() if i not in NOT_APPLICABLE} == {"passed"}
    assert card.overall == 100.0
    assert card.categories == {
        "empathy": 1.0, "resolution": 1.0, "protocol": 1.0, "professionalism": 1.0
    }  # fmt: skip
    assert (card.outcome, card.mood_curve, card.model_id) == ("resolved", [7, 5, 3], "fake/model")
    rubric = load_rubric()
    assert (card.rubric_id, card.rubric_version, card.rubric_hash) == ("default", 1, rubric.hash)
    assert card.error is None and card.flags == []


def test_not_applicable_is_none_and_left_out_of_the_category():
    card = score(GOOD_CALL)
    escalation = card.criterion("escalation_offered_when_asked")
    assert (escalation.score, escalation.evidence) == (None, [])
    assert escalation.feedback == "Not applicable - the caller never asked for a supervisor."


def test_evidence_quotes_the_agent_and_feedback_says_what_went_well():
    result = score(GOOD_CALL).criterion("clear_next_step")
    (evidence,) = result.evidence
    assert (evidence.turn, evidence.speaker, evidence.signal) == (
        6,
        "agent",
        "gives_clear_next_step",
    )
    assert evidence.quote.startswith("I've booked a technician for tomorrow between 8 and 12")
    assert evidence.turn_number == 4 and evidence.where == "You (turn 4)"
    # the quote is shown once, as evidence; the feedback says what went well
    assert result.feedback == "The caller knows what happens next and when."
    assert result.title == "Gives a clear next step"


MIXED = [
    (A, "Northwind.", {}),
    (C, "I want a manager. This is ridiculous.", {"demands_supervisor": "I want a manager."}),
    (A, "Calm down, sir. Hello, my name is Sam.",
     {"says_calm_down": "Calm down, sir.", "greets": "Hello, my name is Sam.",
      "introduces_self": "Hello, my name is Sam."}),
    (C, "Unbelievable. It's my broadband account, again.", {}),
    (A, "I'm sorry. A technician will come tomorrow morning.",
     {"apologises": "I'm sorry.",
      "gives_clear_next_step": "A technician will come tomorrow morning."}),
]  # fmt: skip


def test_failed_feedback_quotes_what_went_wrong():
    card = score(MIXED)
    calm = card.criterion("no_calm_down")
    assert [(e.quote, e.where) for e in calm.evidence] == [("Calm down, sir.", "You (turn 2)")]
    assert calm.feedback == (
        "Never tell a caller to calm down; acknowledge the feeling instead. Here, for example: "
        '"I can hear how frustrated you are, and I want to fix this."'
    )
    escalation = card.criterion("escalation_offered_when_asked")
    assert [(e.quote, e.where) for e in escalation.evidence] == [
        ("I want a manager.", "Customer (turn 1)")
    ]
    # the greeting is judged on the first agent turn, and that is the turn quoted
    greeting = card.criterion("greets_with_name_and_company")
    assert [(e.turn, e.quote, e.signal) for e in greeting.evidence] == [(0, "Northwind.", None)]
    assert greeting.feedback.startswith("Open with a greeting, your name and the company")
    assert greeting.feedback.endswith(
        '"Good morning, [your company], this is Sam. How can I help?"'
    )
    assert greeting.score == 0.0
    # no quote at all: the reply to the upset caller is the line it was about
    explores = card.criterion("explores_situation")
    assert [e.quote for e in explores.evidence] == ["Calm down, sir."]
    assert explores.feedback.startswith(
        "Ask at least one open question about the caller's situation before offering a fix."
    )


def test_category_and_overall_are_weighted_means_of_applicable_criteria():
    card = score(MIXED)
    rubric = load_rubric()
    weights = {c.id: c.weight for c in rubric.criteria}
    critical = {c.id for c in rubric.criteria if c.critical}
    for name in rubric.categories:
        live = [r for r in card.criteria if r.category == name and r.score is not None]
        mean = sum(weights[r.id] * r.score for r in live) / sum(weights[r.id] for r in live)
        if any(r.id in critical and r.status == "failed" for r in live):
            mean = 0.0  # a critical error ("calm down", no verification) fails its category
        assert card.categories[name] == pytest.approx(mean, abs=1e-4)
    assert card.categories["professionalism"] == 0.0 and card.categories["protocol"] == 0.0
    expected = (
        100
        * sum(rubric.categories[n].weight * s for n, s in card.categories.items())
        / sum(c.weight for c in rubric.categories.values())
    )
    # "calm down" caps at 50, no verification at 60: the lowest, 10 lower for the second
    assert card.caps == ['failed: No "calm down" (cap 50)', "failed: Verifies identity (cap 60)"]
    assert card.overall == pytest.approx(min(expected, 40.0), abs=0.06)
    # apology applies here: the customer asked for a manager.
    assert card.criterion("apologises_when_warranted").status == "passed"


def test_deterministic():
    first = score(MIXED).model_dump_json()
    assert score(MIXED).model_dump_json() == first
    fresh = parse_rubric(default_rubric_path().read_text(encoding="utf-8"), "again.yaml")
    assert score(MIXED, rubric=fresh).model_dump_json() == first


def test_no_agent_turns_is_an_error_row():
    card = score_transcript(call((C, "Hello?"), (A, "   ")), load_rubric())
    assert card.error == "no agent turns: nothing to score"
    assert (card.criteria, card.overall, card.categories) == ([], None, {})


def test_detections_must_match_the_turns():
    transcript, detections = scripted(*GOOD_CALL)
    with pytest.raises(ValueError, match="detections has 10 lists for 11 turns"):
        score_transcript(transcript, load_rubric(), detections=detections[:-1])


def test_persona_requirements_are_graded():
    rubric = parse_rubric(
        default_rubric_path()
        .read_text(encoding="utf-8")
        .replace(
            "  - id: no_repeat_questions\n", "  - id: no_repeat_questions\n    optional: true\n"
        )
    )
    assert "no_repeat_questions" not in {r.id for r in score(GOOD_CALL, rubric).criteria}
    required = with_requirements(rubric, ["no_repeat_questions"])
    card = score(GOOD_CALL, required)
    assert card.criterion("no_repeat_questions").status == "passed"
    assert card.rubric_hash == required.hash != rubric.hash


def test_csv_row_has_one_column_per_criterion_even_on_error_rows():
    rubric = load_rubric()
    ids = [c.id for c in rubric.graded()]
    columns = row_columns(ids, list(rubric.categories))
    row = score(MIXED).to_row(ids, list(rubric.categories))
    assert list(row) == columns
    assert row["no_calm_down"] == 0.0 and row["abuse_protocol"] is None
    assert row["flags"] == "" and row["error"] == "" and row["category.empathy"] is not None
    error = Scorecard.for_error("bad-1", "no agent turns", rubric_id="default", rubric_version=1,
                                rubric_hash=rubric.hash)  # fmt: skip
    error_row = error.to_row(ids, list(rubric.categories))
    assert list(error_row) == columns
    assert error_row["error"] == "no agent turns" and error_row["overall"] is None


def test_criterion_lookup_names_the_known_ids():
    with pytest.raises(KeyError, match="no criterion 'nope'"):
        score(GOOD_CALL).criterion("nope")


# ------------------------------------------------------------------ counterfactual suite

COUNTERFACTUAL = [
    (
        A,
        "Good morning, thank you for calling Northwind Broadband, my name is {agent}. "
        "How can I help you today?",
    ),
    (
        C,
        "{hello} it's {customer} here. My internet's been down since Monday{tag} and I work "
        "from home.",
    ),
    (
        A,
        "I'm so sorry to hear that, {customer_first}, that must be really stressful when you work "
        "from home. Can I take your account number so I can look into it?",
    ),
    (C, "{yes} it's NB-20417{tag}."),
    (
        A,
        "Thank you. So if I've understood correctly, your internet has been down since Monday? "
        "What lights can you see on the router right now?",
    ),
    (C, "Just the red one{tag}. I want to speak to your manager."),
    (
        A,
        "I understand. I can transfer you to my supervisor, or I can book a technician for "
        "tomorrow between 8 and 12. I'll make sure it happens.",
    ),
    (C, "{yes} the technician then{tag}."),
    (
        A,
        "Great, you'll get a text confirming the visit within the hour. Is there anything else "
        "I can help you with today?",
    ),
    (C, "No, that's it{tag}. Cheers."),
    (A, "Thank you for calling, {customer_first}. Have a good day, goodbye."),
]
VARIANTS = [
    dict(agent="Sam", customer="Derek Walsh", customer_first="Derek", hello="Hello,", yes="Yes,",
         tag=""),
    dict(agent="Oluwaseun", customer="Aisha Okafor", customer_first="Aisha", hello="Hiya,",
         yes="Aye,", tag=", like"),
    dict(agent="Nguyen", customer="Priya Venkataraman", customer_first="Priya",
         hello="Hello ji,", yes="Yes yes,", tag=", na"),
    dict(agent="Siobhan", customer="Jamal Washington", customer_first="Jamal", hello="Yo,",
         yes="Yeah,", tag=", y'all"),
    dict(agent="José", customer="Mary-Kate O'Brien", customer_first="Mary-Kate", hello="Howya,",
         yes="Grand,", tag=", so it is"),
]  # fmt: skip


@pytest.mark.minilm
@needs_minilm
def test_deterministic_with_the_real_analyser():
    rubric = load_rubric()
    transcript = call(*((s, t.format(**VARIANTS[0])) for s, t in COUNTERFACTUAL))
    first = score_transcript(transcript, rubric).model_dump_json()
    assert score_transcript(transcript, rubric).model_dump_json() == first


@pytest.mark.minilm
@needs_minilm
def test_names_and_dialect_change_no_criterion():
    rubric = load_rubric()
    outcomes = []
    for variant in VARIANTS:
        transcript = call(*((s, t.format(**variant)) for s, t in COUNTERFACTUAL))
        card = score_transcript(transcript, rubric)
        outcomes.append({r.id: r.status for r in card.criteria} | {"epitome": card.empathy["call"]})
    for variant, outcome in zip(VARIANTS[1:], outcomes[1:], strict=True):
        changed = {k: (outcomes[0][k], v) for k, v in outcome.items() if v != outcomes[0][k]}
        assert not changed, (variant["agent"], variant["customer"], changed)
    assert outcomes[0]["escalation_offered_when_asked"] == "passed"  # the suite grades something


class _CountingAnalyzer:
    """Stands in for SignalAnalyzer: counts how many are built (slowly, to invite races)."""

    built: list[object] = []

    def __init__(self, specs: object) -> None:
        time.sleep(0.02)
        self.specs = specs
        _CountingAnalyzer.built.append(specs)

    @classmethod
    def default(cls) -> SimpleNamespace:
        return SimpleNamespace(specs="the default rubric's signals")


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    monkeypatch.setattr(scorer, "SignalAnalyzer", _CountingAnalyzer)
    monkeypatch.setattr(scorer, "_ANALYZERS", OrderedDict())
    _CountingAnalyzer.built = []
    return _CountingAnalyzer.built


def _rubric(n: int) -> SimpleNamespace:
    return SimpleNamespace(hash=f"hash-{n}", signals={"signal": n}, heads_file=lambda: None)


def test_the_analyser_cache_is_bounded_least_recently_used_first(counting, monkeypatch):
    monkeypatch.setattr(scorer, "MAX_ANALYZERS", 2)
    first = scorer.analyzer_for(_rubric(1))
    scorer.analyzer_for(_rubric(2))
    assert scorer.analyzer_for(_rubric(1)) is first  # 1 is now the most recent
    scorer.analyzer_for(_rubric(3))  # evicts 2
    assert list(scorer._ANALYZERS) == ["hash-1", "hash-3"]
    scorer.analyzer_for(_rubric(2))
    assert len(counting) == 4 and len(scorer._ANALYZERS) == 2


def test_threads_asking_for_one_rubric_build_one_analyser(counting):
    with ThreadPoolExecutor(max_workers=4) as pool:
        found = list(pool.map(lambda _: scorer.analyzer_for(_rubric(9)), range(8)))
    assert len(counting) == 1 and all(a is found[0] for a in found)
