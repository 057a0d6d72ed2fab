"""Split a turn into sentences: the unit a signal fires on and quotes as evidence.

Regex only (no model), tolerant of what transcripts look like: titles and
abbreviations ("Mr.", "e.g."), ellipses used as pauses, numbers and e-mail
addresses, lower-case ASR output and text with no punctuation at all. Work is
bounded: a sentence longer than ``max_chars`` is cut at a comma or a space, and
at most ``max_sentences`` sentences come back, so a 10,000-character turn stays
fast to split and to embed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MAX_CHARS = 300
"""Longest sentence returned (about 70 MiniLM tokens)."""
MAX_SENTENCES = 64
"""Most sentences returned for one turn."""

# Lower-case words that end with a dot without ending the sentence.
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "st", "mt", "jr", "sr", "vs", "e.g", "i.e", "eg", "ie"}
    | {"approx", "dept", "est", "fig", "mins", "hrs", "cf", "u.s", "u.k", "a.k.a"}
)
# Abbreviations that end a sentence unless a lower-case word follows.
_AMBIGUOUS = frozenset(["etc", "a.m", "p.m", "am", "pm", "inc", "ltd", "co", "corp"])
# Abbreviations only before a number: "No. 5", but "No. I won't."
_BEFORE_NUMBER = frozenset(["no", "nos", "ref", "acct", "tel", "ext"])

_BOUNDARY = re.compile(r"""([.!?…]+)(["'”’)\]]*)\s+|([。！？]+)()""")
_LAST_WORD = re.compile(r"([\w.]+)$")
_HAS_WORD = re.compile(r"\w")
_CUT = re.compile(r"[,;:]\s|\s[-–—]\s")


def split_sentences(
    text: str, *, max_chars: int = MAX_CHARS, max_sentences: int = MAX_SENTENCES
) -> list[str]:
    """Split ``text`` into at most ``max_sentences`` stripped sentences.

    Fragments without a letter or digit ("...", "-") are dropped, so empty or
    punctuation-only text gives ``[]``.
    """
    if max_chars < 20 or max_sentences < 1:
        raise ValueError("max_chars must be >= 20 and max_sentences >= 1")
    text = text[: max_chars * max_sentences * 2]  # bound the work on huge input
    sentences: list[str] = []
    for line in text.splitlines():
        for sentence in _split_line(line):
            for piece in _cap_length(sentence, max_chars):
                if _HAS_WORD.search(piece):
                    sentences.append(piece)
                    if len(sentences) == max_sentences:
                        return sentences
    return sentences


def _split_line(line: str) -> Iterator[str]:
    """Split one line at sentence-final punctuation followed by whitespace (lazily)."""
    start = 0
    for match in _BOUNDARY.finditer(line):
        if _is_boundary(line, match):
            end = match.end(2) if match.group(1) else match.end()
            if piece := line[start:end].strip():
                yield piece
            start = match.end()
    if piece := line[start:].strip():
        yield piece


def _is_boundary(line: str, match: re.Match[str]) -> bool:
    """Whether the punctuation in ``match`` ends a sentence."""
    punct = match.group(1)
    if punct is None:  # CJK full stop: no space follows it
        return True
    following = line[match.end() : match.end() + 2]
    if punct.startswith("..") or punct == "…":
        # An ellipsis is a pause unless a new capitalised sentence follows ("I" is no sign).
        return following[:1].isupper() and not re.match(r"I\b", following)
    if punct != ".":
        return True
    following = following[:1]
    word_match = _LAST_WORD.search(line, max(0, match.start() - 12), match.start())
    word = word_match.group(1) if word_match else ""
    lower = word.lower().rstrip(".")
    if lower in _ABBREVIATIONS:
        return False
    if lower in _AMBIGUOUS:
        return not following.islower()
    if lower in _BEFORE_NUMBER:
        return not following.isdigit()
    # A single capital letter is an initial ("J. Smith"); "I." and "A." are words.
    return not (len(word) == 1 and word.isupper() and word not in "IA")


def _cap_length(sentence: str, max_chars: int) -> list[str]:
    """Cut a sentence longer than ``max_chars`` at a comma, dash or space."""
    pieces: list[str] = []
    while len(sentence) > max_chars:
        window = sentence[:max_chars]
        cuts = [m.start() + 1 for m in _CUT.finditer(window)]
        cut = cuts[-1] if cuts and cuts[-1] > max_chars // 3 else window.rfind(" ")
        if cut <= max_chars // 3:
            cut = max_chars  # one very long word: cut it anywhere
        pieces.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    if sentence:
        pieces.append(sentence)
    return pieces
