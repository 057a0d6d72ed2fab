"""Signal detectors: the default rubric's signals with the real MiniLM (and the semantic rule)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest

from trainer.calibration.fixture_check import confusion, load_cases
from trainer.rubric.model import load_rubric
from trainer.rubric.signal_specs import Classifier
from trainer.scoring import Detection, SignalAnalyzer, SignalSpec
from trainer.scoring.embeddings import Embedder

AGENT = {
    "greets", "introduces_self", "asks_verification", "acknowledges_feelings", "restates_issue",
    "explores", "apologises", "takes_ownership", "gives_clear_next_step", "offers_resolution",
    "offers_escalation", "transfers_to_supervisor", "confirms_resolution", "offers_further_help",
    "closes", "blames_customer", "says_calm_down", "dismissive", "uses_jargon", "profanity",
    "over_promises", "asks_already_given_info", "warns_about_abuse", "ends_call_for_abuse",
    "insults_customer",
}  # fmt: skip
CUSTOMER = {
    "demands_supervisor", "complains_about_accent", "threatens_to_cancel", "curses", "thanks",
    "insults_agent", "upset",
}  # fmt: skip


@pytest.fixture(scope="module")
def analyzer() -> SignalAnalyzer:
    return SignalAnalyzer.default()


# ------------------------------------------------------------------ the default rubric


def test_default_rubric_has_every_documented_signal(analyzer: SignalAnalyzer) -> None:
    assert analyzer.names("agent") == AGENT
    assert analyzer.names("customer") == CUSTOMER
    assert analyzer.names() == AGENT | CUSTOMER
    for spec in analyzer.specs.values():
        assert 6 <= len(spec.examples) <= 15 and spec.patterns and spec.description


def test_fixture_labels_name_real_signals_for_the_right_speaker() -> None:
    cases = load_cases()
    assert len(cases) >= 150
    for case in cases:
        allowed = AGENT if case["speaker"] == "agent" else CUSTOMER
        assert set(case["signals"]) <= allowed, case


def test_precision_and_recall_per_signal(analyzer: SignalAnalyzer) -> None:
    """Floors met on all 390 labelled cases (6-17 positives per signal).

    These are the team's own sentences, written while the patterns were tuned: they
    guard against regressions, not measure generalisation (``data/signals/`` and
    ``python -m trainer signals eval`` do that). ``upset`` is newer than them and is
    not labelled here.
    """
    counts = {name: (c.tp, c.fp, c.fn) for name, c in confusion(analyzer, load_cases()).items()}
    counts.pop("upset")
    failures = []
    for name, (tp, fp, fn) in sorted(counts.items()):
        precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        if tp + fn < 6 or precision < 0.8 or recall < 0.85:
            failures.append(f"{name}: P={precision:.2f} R={recall:.2f} ({tp}/{fp}/{fn})")
    assert not failures
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    assert tp / (tp + fp) >= 0.95 and tp / (tp + fn) >= 0.97


@pytest.mark.parametrize(
    ("text", "speaker", "present", "absent"),
    [
        # the phone answered with the company's name is the greeting
        ("Westway Telecom, Ryan speaking.", "agent", {"greets", "introduces_self"}, set()),
        ("Swiftline Parcels, you're through to Amira, how can I help?", "agent",
         {"greets", "introduces_self"}, set()),  # fmt: skip
        ("Coastal Water, Priya here, what can I do for you?", "agent",
         {"greets", "introduces_self"}, set()),  # fmt: skip
        ("Hi, you're chatting with Ravi from MunchDash.", "agent",
         {"greets", "introduces_self"}, set()),  # fmt: skip
        ("Thank you for banking with us.", "agent", {"closes"}, set()),
        ("Enjoy your dinner!", "agent", {"closes"}, set()),
        ("You can enjoy your meal knowing the refund is done.", "agent", set(), {"closes"}),
        # security already done counts as the check: the phone menu, a code
        ("Thank you, you're verified.", "agent", {"asks_verification"}, set()),
        # this file's own wording of the stop-25 patterns (a fix said as done, a colleague's
        # fix, a check already done, the company's fault, a feeling named, a goodbye)
        ("The refund has now been approved.", "agent", {"offers_resolution"}, set()),
        ("Your card's working again now.", "agent", {"offers_resolution"}, set()),
        ("I can unlock the account for you while we talk.", "agent", {"offers_resolution"},
         set()),  # fmt: skip
        ("If the fee has been refunded you'll see it on Friday.", "agent", set(),
         {"offers_resolution"}),  # fmt: skip
        ("The team will credit your account tonight.", "agent",
         {"gives_clear_next_step"}, set()),  # fmt: skip
        ("You're in the app already, so there's no need to verify anything.", "agent",
         {"asks_verification"}, set()),  # fmt: skip
        ("The website should have warned you about that.", "agent", {"takes_ownership"}, set()),
        ("That's the last thing you need before a flight.", "agent", {"acknowledges_feelings"},
         set()),  # fmt: skip
        ("Cheers Sam, ride safe.", "agent", {"closes"}, set()),
        ("I can see you entered your card number in the phone menu, so that's security done.",
         "agent", {"asks_verification"}, set()),  # fmt: skip
        ("What's the address of the flat with the leak?", "agent", set(), {"asks_verification"}),
        ("How can I help with the bill?", "agent", set(), {"greets"}),
        ("Is there anything else I can help you with today?", "agent", set(), {"greets"}),
        ("Right, okay, bear with me here.", "agent", set(), {"greets", "introduces_self"}),
        ("I'm not going to blame you for this.", "agent", set(), {"blames_customer"}),
        ("Nobody is saying it's your fault.", "agent", set(), {"blames_customer"}),
        ("That's your fault, not ours.", "agent", {"blames_customer"}, set()),
        ("I can't say sorry enough.", "agent", {"apologises"}, set()),
        ("I'm not going to apologise for that.", "agent", set(), {"apologises"}),
        ("There's no need to apologise.", "agent", set(), {"apologises"}),
        ("I can't offer you a refund.", "agent", set(), {"offers_resolution"}),
        ("I can offer you a refund.", "agent", {"offers_resolution"}, set()),
        ("I'm not going to tell you to calm down.", "agent", set(), {"says_calm_down"}),
        ("If you keep swearing I'll end the call.", "agent", {"warns_about_abuse"},
         {"ends_call_for_abuse"}),
        ("I don't want to cancel, I want it fixed.", "customer", set(), {"threatens_to_cancel"}),
        ("I don't need a manager.", "customer", set(), {"demands_supervisor"}),
        ("Thanks for nothing.", "customer", set(), {"thanks"}),
        ("Thanks a bunch for wasting my whole afternoon.", "customer", set(), {"thanks"}),
        ("Cheers for keeping me on hold for an hour.", "customer", set(), {"thanks"}),
        ("Thanks so much for sorting that out.", "customer", {"thanks"}, set()),
    ],
)  # fmt: skip
def test_negation(
    analyzer: SignalAnalyzer, text: str, speaker: str, present: set[str], absent: set[str]
) -> None:
    found = {d.signal for d in analyzer.analyse_turn(text, speaker)}
    assert present <= found
    assert not absent & found


# ------------------------------------------------------------------ detections and evidence


def test_evidence_is_the_sentence_with_turn_and_score(analyzer: SignalAnalyzer) -> None:
    text = "Right, let me look. I'm so sorry about the wait. Is there anything else?"
    found = analyzer.analyse_turn(text, "agent", turn=7)
    by_signal = {d.signal: d for d in found}
    assert by_signal["apologises"] == Detection(
        "apologises", 7, "I'm so sorry about the wait.", 1.0, "pattern"
    )
    assert by_signal["offers_further_help"].sentence == "Is there anything else?"
    assert all(d.turn == 7 and 0 < d.score <= 1 for d in found)


def test_semantic_detections_carry_their_cosine() -> None:
    analyzer = SignalAnalyzer(load_rubric().signals, heads=None)  # examples, not heads
    found = analyzer.analyse_turn("Has the page loaded properly this time?", "agent")
    semantic = [d for d in found if d.method == "semantic"]
    assert [d.signal for d in semantic] == ["confirms_resolution"]
    threshold = analyzer.specs["confirms_resolution"].threshold
    assert threshold <= semantic[0].score < 1.0


def test_one_detection_per_signal_per_sentence(analyzer: SignalAnalyzer) -> None:
    text = "I'm sorry, I'm really sorry, I apologise. Sorry again."
    found = analyzer.analyse_turn(text, "agent")
    keys = [(d.sentence, d.signal) for d in found]
    assert len(keys) == len(set(keys))
    assert [d.sentence for d in found if d.signal == "apologises"] == [
        "I'm sorry, I'm really sorry, I apologise.",
        "Sorry again.",
    ]


def test_speakers_are_separate(analyzer: SignalAnalyzer) -> None:
    agent_text = "I'm so sorry. Leave it with me. Is there anything else I can help with?"
    customer_text = "Get me your manager. I'm cancelling. This is bloody useless."
    assert {d.signal for d in analyzer.analyse_turn(agent_text, "customer")} <= CUSTOMER
    assert {d.signal for d in analyzer.analyse_turn(customer_text, "agent")} <= AGENT
    turns = analyzer.analyse_turns([("customer", customer_text), ("agent", agent_text)])
    assert {d.signal for d in turns[0]} == {
        "demands_supervisor",
        "threatens_to_cancel",
        "curses",
        "upset",
    }
    assert {"apologises", "takes_ownership", "offers_further_help"} <= {d.signal for d in turns[1]}
    assert [d.turn for d in turns[0]] == [0] * len(turns[0])
    assert {d.turn for d in turns[1]} == {1}


def test_analyse_turns_matches_analyse_turn(analyzer: SignalAnalyzer) -> None:
    turns = [
        ("customer", "My internet's been down since Monday."),
        ("agent", "I'm sorry to hear that. Can I take your postcode?"),
        ("customer", "LS6 3HF. And I want a manager."),
        ("agent", "I understand how frustrating that is. I'll book an engineer for Thursday."),
    ]
    batched = analyzer.analyse_turns(turns)
    single = [
        analyzer.analyse_turn(text, speaker, turn=i) for i, (speaker, text) in enumerate(turns)
    ]
    assert batched == single


class CountingEncoder:
    """Wraps an encoder and records each call's size."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.calls = inner, []

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        self.calls.append(len(sentences))
        return self.inner.encode(sentences)


def test_batch_analysis_embeds_every_sentence_in_one_call() -> None:
    counting = CountingEncoder(Embedder.shared())
    analyzer = SignalAnalyzer(load_rubric().signals, counting)
    analyzer.analyse_turns([("agent", "Hello."), ("customer", "Hi.")])  # builds example banks
    counting.calls.clear()
    turns = [("agent", f"Sentence {i}. Another {i}.") for i in range(30)]
    analyzer.analyse_turns(turns + [("customer", "Thanks. Bye.")])
    # every sentence once, in one batch
    assert counting.calls == [62]


def test_repeated_sentences_hit_the_cache_not_the_model() -> None:
    embedder = Embedder()
    analyzer = SignalAnalyzer(load_rubric().signals, embedder)
    text = "Thanks for calling, how can I help? Let me pull up the account."
    first = analyzer.analyse_turn(text, "agent")
    calls = embedder.model_calls
    batch = analyzer.analyse_turns([("agent", text)] * 50)
    assert [[replace(d, turn=0) for d in turn] for turn in batch] == [first] * 50
    assert [turn[0].turn for turn in batch] == list(range(50))
    assert embedder.model_calls == calls


@pytest.mark.parametrize("text", ["", "   ", "...", "\n"])
def test_empty_turns_give_nothing(analyzer: SignalAnalyzer, text: str) -> None:
    assert analyzer.analyse_turn(text, "agent") == []
    assert analyzer.analyse_turns([("agent", text), ("customer", text)]) == [[], []]
    assert analyzer.analyse_turns([]) == []


def test_ten_thousand_character_turn(analyzer: SignalAnalyzer) -> None:
    text = ("I'm sorry about the delay, the engineer will ring you by five tomorrow. " * 140)[
        :10_000
    ]
    found = analyzer.analyse_turn(text, "agent")
    assert len({d.sentence for d in found}) <= 64  # capped: a huge turn costs at most 64 sentences
    assert {"apologises", "gives_clear_next_step"} <= {d.signal for d in found}
    assert analyzer.analyse_turn("x" * 10_000, "agent") == []


@pytest.mark.parametrize(
    "text",
    ["Je suis vraiment désolé pour le retard.", "申し訳ございません。", "Вы меня слышите?", "🙂🙂"],
)
def test_non_english_text_does_not_crash(analyzer: SignalAnalyzer, text: str) -> None:
    for detection in analyzer.analyse_turn(text, "agent"):
        assert detection.signal in AGENT


def test_unknown_speaker_is_an_error(analyzer: SignalAnalyzer) -> None:
    with pytest.raises(ValueError, match="unknown speaker 'rep'"):
        analyzer.analyse_turn("Hello", "rep")
    with pytest.raises(ValueError, match="unknown speaker"):
        analyzer.names("caller")


def test_default_is_cached_per_process() -> None:
    assert SignalAnalyzer.default() is SignalAnalyzer.default()


# ------------------------------------------------------------------ semantic rule


class FakeEncoder:
    """Maps each known text to a fixed unit vector (unknown text: a vector of its own)."""

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        self.vectors = {
            k: np.array(v, dtype=np.float32) / np.linalg.norm(v) for k, v in vectors.items()
        }

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        return np.stack([self.vectors.get(s, np.array([0, 0, 1], np.float32)) for s in sentences])


def test_semantic_match_needs_threshold_and_to_beat_counter_examples() -> None:
    spec = SignalSpec(
        speaker="agent", description="d", examples=["yes"], counter_examples=["no"], threshold=0.8
    )
    encoder = FakeEncoder(
        {
            "yes": [1, 0, 0],
            "no": [0, 1, 0],
            "Close.": [1, 0.1, 0],
            "Between.": [1, 1, 0],
            "Nearer no.": [0.9, 1, 0],
        }  # fmt: skip
    )
    analyzer = SignalAnalyzer({"s": spec}, encoder)
    assert [d.method for d in analyzer.analyse_turn("Close.", "agent")] == ["semantic"]
    assert analyzer.analyse_turn("Between.", "agent") == []  # cosine 0.71 < 0.8
    assert analyzer.analyse_turn("Nearer no.", "agent") == []
    assert analyzer.analyse_turn("Far.", "agent") == []
    assert analyzer.analyse_turn("Close.", "customer") == []


def test_a_calibrated_classifier_replaces_the_cosine_rule() -> None:
    encoder = FakeEncoder({"yes": [1, 0, 0], "Close.": [1, 0.1, 0], "Other.": [0, 1, 0]})
    plain = SignalSpec(speaker="agent", description="d", examples=["yes"], threshold=0.8)
    # The classifier fires on the second axis, whatever the examples say.
    clf = {"weights": [-5.0, 5.0, 0.0], "bias": -1.0, "threshold": 0.6}
    calibrated = plain.model_copy(update={"classifier": Classifier(**clf)})
    before = SignalAnalyzer({"s": plain}, encoder)
    after = SignalAnalyzer({"s": calibrated}, encoder)
    assert [d.signal for d in before.analyse_turn("Close.", "agent")] == ["s"]
    assert before.analyse_turn("Other.", "agent") == []
    assert after.analyse_turn("Close.", "agent") == []
    (hit,) = after.analyse_turn("Other.", "agent")
    assert hit.method == "semantic" and hit.score == pytest.approx(1 / (1 + np.exp(-4)), abs=1e-4)
    wrong = plain.model_copy(update={"classifier": Classifier(weights=[1.0], bias=0.0)})
    with pytest.raises(ValueError, match="1 weights; the embedding model gives 3"):
        SignalAnalyzer({"s": wrong}, encoder).analyse_turn("Other.", "agent")


# The families a review outside the team found missed or wrongly credited (issue 10).
@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("I've added a £30 credit to the account.", {"offers_resolution"}, set()),
        ("I have applied a $25 goodwill credit.", {"offers_resolution"}, set()),
        ("can u pls send ur claim ref so i can check", {"asks_verification"}, set()),
        ("whats ur account number pls?", {"asks_verification"}, set()),
        ("Could I have your policy number please?", {"asks_verification"}, set()),
        ("What's your sort code?", {"asks_verification"}, set()),
        ("Okay mate, what name's the booking under?", {"asks_verification"}, set()),
        ("Can I just check the phone number on Margaret's account?", {"asks_verification"},
         set()),  # fmt: skip
        ("Could you check the postcode we have for you, is it still SE4 1LP?",
         {"asks_verification"}, set()),  # fmt: skip
        ("hey, relax, I'll sort it.", {"says_calm_down"}, {"greets"}),
        ("I'll deal with it myself from here.", {"takes_ownership"}, {"dismissive"}),
        ("This time I'm taking ownership of it myself.", {"takes_ownership"}, set()),
        ('My colleague told you to "just relax", that was wrong.', set(), {"says_calm_down"}),
        ("I see someone told you nothing could be done.", set(), {"dismissive"}),
        ("On the speaker it's under 'Calm Down Routine'.", set(), {"says_calm_down"}),
        ("I'm not going to tell you to calm down.", set(), {"says_calm_down"}),
        ("Thanks for bearing with me, nearly there.", set(), {"closes"}),
        ("That's what happens when you leave it in a cupboard.", {"blames_customer"}, {"explores"}),
        ("That one's down to you, I'm afraid.", {"blames_customer"}, set()),
        ("You're the one who picked the cheaper plan.", {"blames_customer"}, set()),
        ("If you'd done that, you wouldn't be ringing me now.", {"blames_customer"}, set()),
        ("If you'd been told properly, you wouldn't have had to ring.", set(), {"blames_customer"}),
        ("Company policy, I can't change it.", {"dismissive"}, set()),
        ("It's behaving as designed.", {"dismissive"}, set()),
        ("If I follow you correctly, the payment went out twice.", {"restates_issue"}, set()),
        ("What I'm getting is the parcel never arrived.", {"restates_issue"}, set()),
        ("so ur telling me the app crashed? just checking i got it", {"restates_issue"}, set()),
        ("It's probably your router, have you tried turning it off?", set(), {"restates_issue"}),
        ("What do you want?", set(), {"explores"}),
        ("What has this meant for you day to day?", {"explores"}, set()),
        ("Is the heating back on now?", {"confirms_resolution"}, set()),
        ("All fixed?", {"confirms_resolution"}, set()),
        ("Roaming charges aren't my job.", {"dismissive"}, set()),
        ("Your excess applies under the subrogation clause.", {"uses_jargon"}, set()),
        ("Your MPAN, that's the long number on your bill, is wrong.", set(), {"uses_jargon"}),
        ("Keep it civil or I'm hanging up.", {"warns_about_abuse"}, {"ends_call_for_abuse"}),
    ],
)  # fmt: skip
def test_phrasing_from_outside_the_team(
    analyzer: SignalAnalyzer, text: str, present: set[str], absent: set[str]
) -> None:
    found = {d.signal for d in analyzer.analyse_turn(text, "agent")}
    assert present <= found, found
    assert not absent & found, found


@pytest.mark.parametrize(
    ("text", "upset"),
    [
        ("This is the third time I've called about this.", True),
        ("I'm really worried, my mum relies on that phone.", True),
        ("Thanks a bunch for wasting my afternoon.", True),
        ("Okay, that's fine.", False),
        ("My account number is 12345678.", False),
    ],
)
def test_an_upset_customer_is_seen_without_swearing(
    analyzer: SignalAnalyzer, text: str, upset: bool
) -> None:
    assert ("upset" in {d.signal for d in analyzer.analyse_turn(text, "customer")}) is upset
