"""Sentence splitting: the unit a signal fires on and quotes as evidence."""

from __future__ import annotations

import pytest

from trainer.scoring.sentences import MAX_CHARS, MAX_SENTENCES, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello Mr. Smith. How are you?", ["Hello Mr. Smith.", "How are you?"]),
        ("We can do e.g. a refund. Or a credit.", ["We can do e.g. a refund.", "Or a credit."]),
        ("Dr. Patel saw it, i.e. the engineer.", ["Dr. Patel saw it, i.e. the engineer."]),
        ("It costs £3.50. OK?! Yes.", ["It costs £3.50.", "OK?!", "Yes."]),
        ("Email help@acme.co.uk. Done.", ["Email help@acme.co.uk.", "Done."]),
        ("Call at 9 a.m. tomorrow. Thanks!", ["Call at 9 a.m. tomorrow.", "Thanks!"]),
        (
            "It's item No. 5 on the bill. No. I won't.",
            ["It's item No. 5 on the bill.", "No.", "I won't."],
        ),
        ("J. Smith is the holder. Fine.", ["J. Smith is the holder.", "Fine."]),
        ('"I am sorry." He said it twice.', ['"I am sorry."', "He said it twice."]),
    ],
)
def test_splits_at_sentence_ends_not_abbreviations(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_ellipsis_is_a_pause_unless_a_new_sentence_starts() -> None:
    assert split_sentences("I checked... nothing there. Well... I see. OK... It works.") == [
        "I checked... nothing there.",
        "Well... I see.",
        "OK...",
        "It works.",
    ]
    assert split_sentences("hmm… let me look") == ["hmm… let me look"]


def test_lower_case_asr_text_and_no_punctuation() -> None:
    assert split_sentences("i understand. let me check that for you") == [
        "i understand.",
        "let me check that for you",
    ]
    assert split_sentences("no punctuation at all here") == ["no punctuation at all here"]


def test_newlines_separate_sentences() -> None:
    assert split_sentences("Right\nlet me look\n\n  ") == ["Right", "let me look"]


@pytest.mark.parametrize("text", ["", "   ", "...", "- ?", "\n\n"])
def test_empty_or_punctuation_only_gives_nothing(text: str) -> None:
    assert split_sentences(text) == []


def test_non_latin_text() -> None:
    assert split_sentences("Je suis désolé. 申し訳ありません。ありがとう") == [
        "Je suis désolé.",
        "申し訳ありません。",
        "ありがとう",
    ]


def test_long_sentence_is_cut_at_a_comma_or_space() -> None:
    clause = "and then the engineer said he would come back on Tuesday"
    sentences = split_sentences(", ".join([clause] * 20))
    assert len(sentences) > 1
    assert all(len(s) <= MAX_CHARS for s in sentences)
    assert all(not s.startswith(",") for s in sentences)
    assert split_sentences("x" * 1000, max_chars=100) == ["x" * 100] * 10


def test_ten_thousand_character_turn_is_bounded() -> None:
    # Speed is measured in scripts/tune_signals.py --latency; here: the caps hold.
    for text in ("word " * 2000, "Sorry about that, let me check. " * 400, "y" * 10_000):
        sentences = split_sentences(text)
        assert 0 < len(sentences) <= MAX_SENTENCES
        assert all(len(s) <= MAX_CHARS for s in sentences)
    assert len(split_sentences("Okay. " * 200_000)) == MAX_SENTENCES


def test_limits_are_parameters() -> None:
    assert split_sentences("One. Two. Three. Four.", max_sentences=2) == ["One.", "Two."]
    with pytest.raises(ValueError):
        split_sentences("x", max_chars=5)
    with pytest.raises(ValueError):
        split_sentences("x", max_sentences=0)
