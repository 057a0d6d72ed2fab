"""Anti-gaming: credit only for the agent, repeats once, stuffing capped, empathy needs action.

The gaming suite scores four gamed calls against a genuinely good one; each must
score at least 20 points lower. It runs twice: on hand-built detections (what
the rules do, no model) and on the real MiniLM analyser (what a trainee would get).
"""

from __future__ import annotations

import pytest
from scoring_helpers import GOOD_CALL, A, C, call, needs_minilm, scripted

from trainer.rubric.model import load_rubric
from trainer.scoring.call_view import Hit
from trainer.scoring.gaming import GamingPolicy, filter_hits, is_stuffed, normalise
from trainer.scoring.scorer import score_transcript
from trainer.scoring.signals import Detection

POLICY = GamingPolicy()
RITUAL = ["greets", "closes", "offers_further_help"]
SUBSTANTIVE = ["acknowledges_feelings", "apologises", "takes_ownership", "gives_clear_next_step",
               "offers_resolution", "explores", "restates_issue",
               "confirms_resolution"]  # fmt: skip
POSITIVE = set(RITUAL + SUBSTANTIVE)
SPEAKERS = {s: "agent" for s in POSITIVE} | {"demands_supervisor": "customer"}


def d(signal: str, sentence: str, score: float = 1.0) -> Detection:
    return Detection(signal, 0, sentence, score, "pattern")


def run(speakers, texts, detections, policy=POLICY):
    return filter_hits(speakers, texts, detections, SPEAKERS, POSITIVE, policy)


def test_customer_text_never_earns_agent_credit():
    result = run(
        ["customer", "agent"],
        ["I'm sorry, I understand.", "Hello."],
        [[d("apologises", "I'm sorry, I understand.")], [d("greets", "Hello.")]],
    )
    assert [(h.turn, h.signal) for h in result.hits] == [(1, "greets")]


def test_customer_signals_count_only_on_customer_turns():
    result = run(
        ["agent", "customer"],
        ["Do you want a supervisor?", "Get me a manager."],
        [[d("demands_supervisor", "Do you want a supervisor?")],
         [d("demands_supervisor", "Get me a manager.")]],
    )  # fmt: skip
    assert [(h.turn, h.speaker) for h in result.hits] == [(1, "customer")]


def test_the_same_phrase_repeated_counts_once():
    said = "I understand how frustrating that must be."
    speakers = ["agent", "customer"] * 4
    texts = [said, "x"] * 4
    detections = [[d("acknowledges_feelings", said)], []] * 4
    result = run(speakers, texts, detections)
    assert [h.turn for h in result.hits] == [0]
    assert "repeated_phrases" in result.flags
    # Normalisation: case, punctuation and spacing do not make a phrase new.
    assert normalise("I understand  how FRUSTRATING that must be!") == normalise(said)


def test_a_phrase_repeated_inside_one_turn_counts_once():
    said = "I understand how frustrating that must be."
    text = " ".join([said] * 4)
    result = run(["agent"], [text], [[d("acknowledges_feelings", said)] * 4])
    assert len(result.hits) == 1 and "repeated_phrases" in result.flags


def test_one_sentence_may_show_several_signals():
    said = "I'm sorry, I'll fix this for you today."
    result = run(["agent"], [said], [[d("apologises", said), d("takes_ownership", said)]])
    assert [h.signal for h in result.hits] == ["apologises", "takes_ownership"]
    assert "repeated_phrases" not in result.flags


def test_two_repeats_are_deduplicated_but_not_flagged():
    said = "I'm sorry."
    result = run(["agent"] * 3, [said] * 3, [[d("apologises", said)]] * 3)
    assert len(result.hits) == 1 and result.flags == ["empathy_without_action"]


STUFFED = (
    "I understand your frustration. I'm so sorry. I'll own this. "
    "Here is the fix. The next step is clear."
)
STUFFED_HITS = [
    d("acknowledges_feelings", "I understand your frustration.", 0.9),
    d("apologises", "I'm so sorry.", 0.95),
    d("takes_ownership", "I'll own this.", 0.8),
    d("offers_resolution", "Here is the fix.", 0.7),
    d("gives_clear_next_step", "The next step is clear.", 0.75),
]
# Five signals in 63 words: a dense but genuine turn.
GENUINE = (
    "I'm so sorry your internet has been down since Monday, I can hear how frustrating that "
    "has been while you work from home. I'll take care of this myself. I've booked a "
    "technician for tomorrow between eight and twelve, and you'll get a text confirming it "
    "within the hour. I'm also adding a credit for the three days to your next bill."
)


def test_stuffing_detection():
    hits = [Hit(0, "agent", x.signal, x.sentence, x.score) for x in STUFFED_HITS]
    assert is_stuffed(hits, STUFFED, POSITIVE, POLICY)
    assert not is_stuffed(hits, GENUINE, POSITIVE, POLICY)
    assert not is_stuffed(hits[:3], STUFFED, POSITIVE, POLICY)  # three signals: fine
    eight = [Hit(0, "agent", s, "x", 1.0) for s in SUBSTANTIVE]
    assert is_stuffed(eight, GENUINE * 3, POSITIVE, POLICY)  # very many, whatever the length
    # Ritual opening/closing phrases are short by nature and never count as stuffing.
    ritual = [Hit(0, "agent", s, "x", 1.0) for s in RITUAL + SUBSTANTIVE[:3]]
    assert not is_stuffed(
        ritual, "Hi. Sorry. I hear you. I'll fix it. Anything else? Bye.", POSITIVE, POLICY
    )


def test_a_stuffed_turn_keeps_only_its_strongest_signal_and_caps_the_call():
    result = run(["agent"], [STUFFED], [STUFFED_HITS])
    assert [h.signal for h in result.hits] == ["apologises"]  # highest score
    assert result.flags == ["empathy_without_action", "keyword_stuffing"]
    assert result.stuffed_turns == [0]
    assert result.overall_cap == 60.0
    generous = GamingPolicy(stuffing_credit=2, stuffing_overall_cap=70)
    result = run(["agent"], [STUFFED], [STUFFED_HITS], generous)
    assert [h.signal for h in result.hits] == ["acknowledges_feelings", "apologises"]
    assert result.overall_cap == 60.0  # still no action credited: the lower cap wins


def test_negative_signals_in_a_stuffed_turn_are_kept():
    positive = STUFFED_HITS + [d("blames_customer", "It's your fault.")]
    speakers = SPEAKERS | {"blames_customer": "agent"}
    result = filter_hits(["agent"], [STUFFED], [positive], speakers, POSITIVE, POLICY)
    assert "blames_customer" in {h.signal for h in result.hits}


def test_empathy_without_action_is_flagged_and_capped():
    result = run(["agent"], ["I'm sorry."], [[d("apologises", "I'm sorry.")]])
    assert result.flags == ["empathy_without_action"] and result.overall_cap == 60.0
    with_action = run(
        ["agent"],
        ["I'm sorry. A technician comes tomorrow."],
        [
            [
                d("apologises", "I'm sorry."),
                d("gives_clear_next_step", "A technician comes tomorrow."),
            ]
        ],
    )
    assert with_action.flags == [] and with_action.overall_cap is None


def test_feelings_acknowledged_in_most_replies_are_scripted_empathy_and_cap_the_call():
    """The formula in three of four replies, with a fix: capped. Once or twice is not,
    a nervous trainee's many apologies are not, and a call that never acted is already
    ``empathy_without_action`` (one cap for one fault)."""
    feel = "I completely understand how frustrating that is."
    fix = "I've refunded the order."
    speakers = ["agent", "customer"] * 4
    texts = [feel, "x", feel + " " + fix, "x", feel, "x", "Goodbye.", "x"]
    found = [[d("acknowledges_feelings", feel)], [],
             [d("acknowledges_feelings", feel), d("offers_resolution", fix)], [],
             [d("acknowledges_feelings", feel)], [], [d("closes", "Goodbye.")], []]  # fmt: skip
    result = run(speakers, texts, found)
    assert "scripted_empathy" in result.flags
    assert result.caps["scripted_empathy"] == POLICY.scripted_empathy_cap == 55.0
    twice = [*found[:4], [], [], found[6], []]
    assert "scripted_empathy" not in run(speakers, texts, twice).flags
    sorry = [[d("apologises", "Sorry.")] if f and f[0].signal == "acknowledges_feelings" else f
             for f in found]  # fmt: skip
    sorry[2].append(d("offers_resolution", fix))
    assert "scripted_empathy" not in run(speakers, texts, sorry).flags
    no_fix = [[h for h in f if h.signal != "offers_resolution"] for f in found]
    flags = run(speakers, texts, no_fix).flags
    assert "empathy_without_action" in flags and "scripted_empathy" not in flags


def test_empathy_pasted_into_the_closing_earns_nothing():
    speakers = ["agent", "customer", "agent", "customer", "agent"]
    texts = ["Hello.", "x", "A technician comes tomorrow.", "ok", "I'm so sorry. Goodbye."]
    detections = [
        [d("greets", "Hello.")], [], [d("gives_clear_next_step", "A technician comes tomorrow.")],
        [], [d("apologises", "I'm so sorry."), d("closes", "Goodbye.")],
    ]  # fmt: skip
    result = run(speakers, texts, detections)
    assert "apologises" not in {h.signal for h in result.hits}
    assert result.flags == ["empathy_in_closing_only"]
    # Empathy earlier in the call keeps the closing's too.
    texts[2] = "I'm sorry about that. A technician comes tomorrow."
    detections[2] = [d("apologises", "I'm sorry about that.")] + detections[2]
    result = run(speakers, texts, detections)
    assert [h.turn for h in result.hits if h.signal == "apologises"] == [2, 4]
    assert result.flags == []


# ------------------------------------------------------------------ the gaming suite

KEYWORD_STUFFED = [
    (A, "Hello, my name is Sam.",
     {"greets": "Hello, my name is Sam.", "introduces_self": "Hello, my name is Sam."}),
    (C, "My internet has been dead since Monday and nobody came.", None),
    (A, "I understand your frustration. I'm so sorry. I'll own this. Let me fix it. "
        "The next step is a technician. Is that solved?",
     {"acknowledges_feelings": "I understand your frustration.", "apologises": "I'm so sorry.",
      "takes_ownership": "I'll own this.", "offers_resolution": "Let me fix it.",
      "gives_clear_next_step": "The next step is a technician.",
      "confirms_resolution": "Is that solved?"}),
    (C, "What? When is the technician coming?", None),
    (A, "I hear you, that's frustrating. I apologise. I'll fix this. Anything else? So the "
        "line is down. What happened?",
     {"acknowledges_feelings": "I hear you, that's frustrating.", "apologises": "I apologise.",
      "takes_ownership": "I'll fix this.", "offers_further_help": "Anything else?",
      "restates_issue": "So the line is down.", "explores": "What happened?"}),
    (C, "This is useless.", None),
    (A, "Thanks for calling, goodbye.", {"closes": "Thanks for calling, goodbye."}),
]  # fmt: skip
PADDED = [
    (A, "Hello, thank you for calling Northwind Broadband, my name is Sam.",
     {"greets": "Hello, thank you for calling Northwind Broadband, my name is Sam.",
      "introduces_self": "Hello, thank you for calling Northwind Broadband, my name is Sam."}),
    (C, "My internet has been dead since Monday and nobody came.", None),
    (A, "I understand how frustrating that must be. Okay, right, let me just have a look.",
     {"acknowledges_feelings": "I understand how frustrating that must be."}),
    (C, "Well?", None),
    (A, "I understand how frustrating that must be. Okay so yeah, let me just see.",
     {"acknowledges_feelings": "I understand how frustrating that must be."}),
    (C, "Are you still there?", None),
    (A, "I understand how frustrating that must be. We'll look into it at some point.",
     {"acknowledges_feelings": "I understand how frustrating that must be."}),
    (C, "Fine.", None),
    (A, "I understand how frustrating that must be. Thank you for calling, goodbye.",
     {"acknowledges_feelings": "I understand how frustrating that must be.",
      "closes": "Thank you for calling, goodbye."}),
]  # fmt: skip
SCRIPTED_EMPATHY = [
    (A, "Hello, thank you for calling Northwind Broadband, my name is Sam.",
     {"greets": "Hello, thank you for calling Northwind Broadband, my name is Sam.",
      "introduces_self": "Hello, thank you for calling Northwind Broadband, my name is Sam."}),
    (C, "My internet has been dead since Monday and nobody came.", None),
    (A, "I completely understand how frustrating that must be. I'm so sorry to hear that.",
     {"acknowledges_feelings": "I completely understand how frustrating that must be.",
      "apologises": "I'm so sorry to hear that."}),
    (C, "So what are you going to do about it?", None),
    (A, "I really do understand your frustration. Can you tell me more about it?",
     {"acknowledges_feelings": "I really do understand your frustration.",
      "explores": "Can you tell me more about it?"}),
    (C, "I just did. When will it be fixed?", None),
    (A, "I hear you, and I'm truly sorry you've had this experience.",
     {"acknowledges_feelings": "I hear you, and I'm truly sorry you've had this experience.",
      "apologises": "I hear you, and I'm truly sorry you've had this experience."}),
    (C, "Forget it.", None),
    (A, "Is there anything else? Thank you for calling, goodbye.",
     {"offers_further_help": "Is there anything else?",
      "closes": "Thank you for calling, goodbye."}),
]  # fmt: skip
CLOSING_EMPATHY = [
    (A, "Northwind Broadband, Sam speaking.",
     {"introduces_self": "Northwind Broadband, Sam speaking."}),
    (C, "My internet has been dead since Monday and nobody came.", None),
    (A, "Account number.", {"asks_verification": "Account number."}),
    (C, "NB-20417.", None),
    (A, "A technician is booked for tomorrow between 8 and 12.",
     {"gives_clear_next_step": "A technician is booked for tomorrow between 8 and 12."}),
    (C, "Okay.", None),
    (A, "Anything else? I completely understand how frustrating this has been and I'm so "
        "sorry. Goodbye.",
     {"offers_further_help": "Anything else?",
      "acknowledges_feelings": "I completely understand how frustrating this has been and "
                               "I'm so sorry.",
      "apologises": "I completely understand how frustrating this has been and I'm so sorry.",
      "closes": "Goodbye."}),
]  # fmt: skip
GAMED = {
    "keyword_stuffed": (KEYWORD_STUFFED, "keyword_stuffing"),
    "padded": (PADDED, "repeated_phrases"),
    "scripted_empathy": (SCRIPTED_EMPATHY, "empathy_without_action"),
    "closing_empathy": (CLOSING_EMPATHY, "empathy_in_closing_only"),
}


def _score(lines, rubric):
    transcript, detections = scripted(*lines)
    return score_transcript(transcript, rubric, detections=detections)


@pytest.mark.parametrize("name", list(GAMED))
def test_gamed_calls_score_well_below_a_good_call(name):
    rubric = load_rubric()
    good = _score(GOOD_CALL, rubric)
    lines, flag = GAMED[name]
    gamed = _score(lines, rubric)
    assert good.overall == 100.0 and good.flags == []
    assert gamed.overall is not None
    assert good.overall - gamed.overall >= 20, (good.overall, gamed.overall)
    assert flag in gamed.flags


def _text_only(lines):
    return call(*((speaker, text) for speaker, text, _ in lines))


@pytest.mark.parametrize("name", list(GAMED))
@pytest.mark.minilm
@needs_minilm
def test_gamed_calls_with_the_real_analyser(name):
    rubric = load_rubric()
    good = score_transcript(_text_only(GOOD_CALL), rubric)
    gamed = score_transcript(_text_only(GAMED[name][0]), rubric)
    assert good.overall - gamed.overall >= 20, (good.overall, gamed.overall, gamed.flags)
