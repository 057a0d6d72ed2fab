"""Anti-gaming: decide which signal hits earn credit, and flag gaming patterns.

Applied before any rule is evaluated:

1. Only the right speaker earns a signal: agent signals count on agent turns,
   customer signals on customer turns. Text in customer turns never earns the
   agent credit.
2. The same phrase repeated counts once: an agent sentence that (normalised:
   lower case, letters and digits only) was already said earlier in the call
   earns nothing. Three or more such repeats flag ``repeated_phrases``.
3. Keyword stuffing: an agent turn showing many distinct positive signals
   (ritual ones such as ``greets`` and ``closes`` aside)
   (``stuffing_min_signals``) packed into few words (fewer than
   ``stuffing_min_words_per_signal`` words per signal), or simply very many
   (``stuffing_max_signals``), or one sentence showing
   ``stuffing_sentence_signals`` of them, keeps only its ``stuffing_credit`` strongest
   positive hits; the call is flagged ``keyword_stuffing`` and its overall
   score capped.
4. Empathy pasted into the closing only: empathy hits in the closing (from the
   first of the last ``closing_turns`` agent turns that shows a closing signal)
   earn nothing when no empathy came earlier (``empathy_in_closing_only``).
5. Empathy without action: empathy but no action signal (next step,
   resolution, escalation) anywhere, in a call of at least
   ``empathy_without_action_min_turns`` agent turns, flags ``empathy_without_action`` and caps
   the overall score. A concrete dated action (``actions.py``) always counts
   as action, and a call ended under the abuse policy is never flagged
   (:meth:`GamingResult.for_outcome`).
6. Scripted empathy: feelings acknowledged in ``scripted_empathy_turns`` or more
   agent turns, and in at least ``scripted_empathy_share`` of them, is a formula
   pasted into every reply, not empathy: ``scripted_empathy`` caps the overall score
   (``scripted_empathy_cap``). No decent call of the ranked sets acknowledges in three
   turns; every stuffed and warm-but-useless one that does is marked 44 or less.
   Apologies are not counted: a nervous trainee's "sorry" is hesitancy, not gaming.
   A call already flagged ``empathy_without_action`` is not flagged again (the two
   caps would stack for one fault): this catches the formula on a call that did act.

Thresholds live in the rubric's ``gaming:`` section (:class:`GamingPolicy`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from trainer.scoring.actions import DATED_ACTION, OWNED_ACTION
from trainer.scoring.call_view import Hit

FLAG_TITLES: dict[str, str] = {
    "keyword_stuffing": "Keyword stuffing",
    "empathy_without_action": "Empathy without action",
    "empathy_in_closing_only": "Empathy only in the closing",
    "repeated_phrases": "Repeated phrases",
    "scripted_empathy": "Scripted empathy",
}
"""What a person reads for each gaming flag (the ids stay in the JSON)."""


def flag_title(flag: str) -> str:
    """The title of a flag id (an unknown id de-snaked)."""
    return FLAG_TITLES.get(flag, flag.replace("_", " ").capitalize())


class GamingPolicy(BaseModel):
    """The rubric's ``gaming:`` section: thresholds of the anti-gaming filter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stuffing_min_signals: int = Field(4, ge=2, description="distinct positive signals in a turn")
    stuffing_min_words_per_signal: float = Field(6.0, ge=0)
    stuffing_max_signals: int = Field(8, ge=2, description="flagged whatever the length")
    stuffing_sentence_signals: int = Field(
        4,
        ge=2,
        description="distinct positive signals in one sentence: stuffed whatever the length",
    )
    stuffing_credit: int = Field(1, ge=0, description="positive hits a stuffed turn keeps")
    stuffing_overall_cap: float = Field(60.0, ge=0, le=100)
    stuffing_ignores: list[str] = Field(
        default_factory=lambda: ["greets", "introduces_self", "offers_further_help", "closes"],
        description="ritual opening/closing signals: never counted or capped as stuffing",
    )
    repeat_flag_at: int = Field(3, ge=1, description="repeated signal sentences to flag")
    empathy_signals: list[str] = Field(
        default_factory=lambda: ["acknowledges_feelings", "apologises"]
    )
    action_signals: list[str] = Field(
        default_factory=lambda: [
            "gives_clear_next_step",
            "offers_resolution",
            "offers_escalation",
            "transfers_to_supervisor",
            DATED_ACTION,
        ]
    )
    empathy_without_action_cap: float = Field(60.0, ge=0, le=100)
    empathy_without_action_min_turns: int = Field(
        1, ge=1, description="agent turns before empathy without action is flagged"
    )
    scripted_empathy_signals: list[str] = Field(default_factory=lambda: ["acknowledges_feelings"])
    scripted_empathy_turns: int = Field(
        3, ge=2, description="agent turns acknowledging feelings before it is a formula"
    )
    scripted_empathy_share: float = Field(
        0.5, ge=0, le=1, description="... and at least this share of the agent turns"
    )
    scripted_empathy_cap: float = Field(55.0, ge=0, le=100)
    closing_signals: list[str] = Field(default_factory=lambda: ["closes", "offers_further_help"])
    closing_turns: int = Field(2, ge=1, description="agent turns at the end searched for a close")

    def signal_names(self) -> list[str]:
        """Every signal the policy names (checked against the rubric's signals)."""
        return [
            *self.empathy_signals,
            *self.scripted_empathy_signals,
            *self.action_signals,
            *self.closing_signals,
            *self.stuffing_ignores,
        ]


class DetectionLike(Protocol):
    signal: str
    sentence: str
    score: float


@dataclass
class GamingResult:
    """The credited hits, the gaming flags and the overall cap they imply."""

    hits: list[Hit]
    flags: list[str] = field(default_factory=list)
    overall_cap: float | None = None
    stuffed_turns: list[int] = field(default_factory=list)
    caps: dict[str, float] = field(default_factory=dict)
    """Each capping flag and its cap (``overall_cap`` is the lowest)."""

    def for_outcome(self, outcome: str | None) -> GamingResult:
        """The result for a call that ended with ``outcome``: a call ended under the abuse
        policy (warned, then ended) had no moment for a fix, and ending it by the book is
        the action, so it is never ``empathy_without_action``."""
        if outcome != "ended_for_abuse" or "empathy_without_action" not in self.flags:
            return self
        caps = {f: c for f, c in self.caps.items() if f != "empathy_without_action"}
        flags = [f for f in self.flags if f != "empathy_without_action"]
        cap = min(caps.values()) if caps else None
        return GamingResult(self.hits, flags, cap, self.stuffed_turns, caps)


_WORD = re.compile(r"[a-z0-9']+")


def normalise(sentence: str) -> str:
    """Lower case, letters and digits only, single spaces."""
    return " ".join(_WORD.findall(sentence.lower()))


def filter_hits(
    speakers: Sequence[str],
    texts: Sequence[str],
    detections: Sequence[Sequence[DetectionLike]],
    signal_speakers: Mapping[str, str],
    positive: set[str],
    policy: GamingPolicy,
) -> GamingResult:
    """Apply the anti-gaming rules to per-turn detections (one list per turn)."""
    flags: set[str] = set()
    hits: list[Hit] = []
    said: set[str] = set()
    repeats = 0
    for turn, (speaker, found) in enumerate(zip(speakers, detections, strict=True)):
        turn_hits: list[Hit] = []
        in_turn: set[tuple[str, str]] = set()
        for d in found:
            if signal_speakers.get(d.signal) != speaker:
                continue  # only the right speaker earns a signal
            key = normalise(d.sentence)
            if speaker == "agent":
                if key in said or (key, d.signal) in in_turn:
                    repeats += 1  # said before: earns nothing again
                    continue
                in_turn.add((key, d.signal))
            turn_hits.append(Hit(turn, speaker, d.signal, d.sentence, float(d.score)))
        said |= {key for key, _ in in_turn}
        hits += turn_hits
    if repeats >= policy.repeat_flag_at:
        flags.add("repeated_phrases")
    hits, stuffed = _cap_stuffing(hits, texts, positive, policy)
    if stuffed:
        flags.add("keyword_stuffing")
    hits = _drop_closing_empathy(hits, speakers, policy, flags)
    caps = {"keyword_stuffing": policy.stuffing_overall_cap} if stuffed else {}
    empathy = any(h.signal in policy.empathy_signals for h in hits)
    # a concrete dated action is action whatever the policy lists
    action = any(h.signal in policy.action_signals or h.signal == DATED_ACTION for h in hits)
    agent_turns = sum(1 for s in speakers if s == "agent")
    if empathy and not action and agent_turns >= policy.empathy_without_action_min_turns:
        flags.add("empathy_without_action")
        caps["empathy_without_action"] = policy.empathy_without_action_cap
    if "empathy_without_action" not in flags and _scripted_empathy(speakers, detections, policy):
        flags.add("scripted_empathy")
        caps["scripted_empathy"] = policy.scripted_empathy_cap
    cap = min(caps.values()) if caps else None
    return GamingResult(hits, sorted(flags), cap, stuffed, caps)


def _scripted_empathy(
    speakers: Sequence[str], detections: Sequence[Sequence[DetectionLike]], policy: GamingPolicy
) -> bool:
    """Feelings acknowledged in most agent turns, repeats included: a formula."""
    agent = [
        found for speaker, found in zip(speakers, detections, strict=True) if speaker == "agent"
    ]
    wanted = set(policy.scripted_empathy_signals)
    turns = sum(1 for found in agent if any(d.signal in wanted for d in found))
    return turns >= policy.scripted_empathy_turns and turns >= policy.scripted_empathy_share * len(
        agent
    )


def is_stuffed(
    turn_hits: Sequence[Hit], text: str, positive: set[str], policy: GamingPolicy
) -> bool:
    """Does one agent turn pack too many positive signals into too few words?"""
    counted = positive - set(policy.stuffing_ignores) - {DATED_ACTION, OWNED_ACTION}
    distinct = {h.signal for h in turn_hits if h.signal in counted}
    if len(distinct) >= policy.stuffing_max_signals:
        return True
    by_sentence: dict[str, set[str]] = {}
    for h in turn_hits:
        if h.signal in counted:
            by_sentence.setdefault(normalise(h.sentence), set()).add(h.signal)
    if any(len(s) >= policy.stuffing_sentence_signals for s in by_sentence.values()):
        return True
    if len(distinct) < policy.stuffing_min_signals:
        return False
    words = len(_WORD.findall(text.lower()))
    return words / len(distinct) < policy.stuffing_min_words_per_signal


def _cap_stuffing(
    hits: list[Hit], texts: Sequence[str], positive: set[str], policy: GamingPolicy
) -> tuple[list[Hit], list[int]]:
    by_turn: dict[int, list[Hit]] = {}
    for h in hits:
        by_turn.setdefault(h.turn, []).append(h)
    kept: list[Hit] = []
    stuffed: list[int] = []
    for turn, turn_hits in sorted(by_turn.items()):
        if turn_hits[0].speaker != "agent" or not is_stuffed(
            turn_hits, texts[turn], positive, policy
        ):
            kept += turn_hits
            continue
        stuffed.append(turn)
        counted = positive - set(policy.stuffing_ignores) - {DATED_ACTION, OWNED_ACTION}
        good = sorted(
            (h for h in turn_hits if h.signal in counted), key=lambda h: (-h.score, h.signal)
        )
        credited = {h.signal for h in good[: policy.stuffing_credit]}
        kept += [h for h in turn_hits if h.signal not in counted or h.signal in credited]
    return kept, stuffed


def _closing_turns(hits: list[Hit], speakers: Sequence[str], policy: GamingPolicy) -> set[int]:
    agent = [i for i, s in enumerate(speakers) if s == "agent"]
    if len(agent) < 3:
        return set()
    tail = agent[-policy.closing_turns :]
    closing = [h.turn for h in hits if h.turn in tail and h.signal in policy.closing_signals]
    if not closing:
        return set()  # the call never closed (a cut-off transcript): no closing to paste into
    return {t for t in agent if t >= min(closing)}


def _drop_closing_empathy(
    hits: list[Hit], speakers: Sequence[str], policy: GamingPolicy, flags: set[str]
) -> list[Hit]:
    closing = _closing_turns(hits, speakers, policy)
    empathy = [h for h in hits if h.signal in policy.empathy_signals]
    if not closing or not empathy or any(h.turn not in closing for h in empathy):
        return hits
    flags.add("empathy_in_closing_only")
    return [h for h in hits if not (h.signal in policy.empathy_signals and h.turn in closing)]
