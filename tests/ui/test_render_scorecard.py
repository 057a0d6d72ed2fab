"""The scorecard on screen: titles, not ids; the turn numbers the JSON download has."""

from __future__ import annotations

import json
import re
import sys
from html import unescape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scoring"))

from scoring_helpers import A, C, scripted  # noqa: E402

from trainer.rubric.model import load_rubric  # noqa: E402
from trainer.scoring.scorer import score_transcript  # noqa: E402
from trainer.ui import render  # noqa: E402

SORRY = "I'm so sorry about that, it sounds awful."
LINES = [
    (C, "Third time I'm calling.", {"upset": "Third time I'm calling."}),
    (A, "Northwind.", None),
    (C, "My internet is dead.", None),
    (A, SORRY + " Calm down, though.",
     {"apologises": SORRY, "acknowledges_feelings": SORRY, "says_calm_down": "Calm down, though."}),
    (C, "And?", None),
    (A, "I really do understand.", None),
]  # fmt: skip


def _card() -> dict:
    transcript, detections = scripted(*LINES)
    card = score_transcript(
        transcript, load_rubric(), detections=detections, outcome="hung_up",
        mood_curve=[7, 8], persona_name="Derek Walsh",
    )  # fmt: skip
    return json.loads(card.model_dump_json())  # what the download holds


def test_people_read_titles_and_the_same_turn_numbers_as_the_download() -> None:
    card = _card()
    html = render.scorecard_html(card)  # no speakers needed: the numbers are in the card
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    assert "Derek Walsh" in text and "Caller hung up" in text
    assert "Flags: Empathy without action" in text
    assert 'No "calm down"' in text
    assert "Score capped - failed: No" in text
    # ids stay in the JSON beside the titles, but no snake_case id reaches the reader
    assert card["flags"] == ["empathy_without_action"]
    assert card["flag_titles"] == {"empathy_without_action": "Empathy without action"}
    assert all(c["title"] and c["id"] for c in card["criteria"])
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), re.findall(r"\b[a-z]+_[a-z_]+\b", text)
    # every quote shows the download's turn number
    for crit in card["criteria"]:
        for ev in crit["evidence"]:
            who = "You" if ev["speaker"] == "agent" else "Customer"
            assert f"{who} (turn {ev['turn_number']})" in text
    calm = next(c for c in card["criteria"] if c["id"] == "no_calm_down")
    assert [(e["turn_number"], e["quote"]) for e in calm["evidence"]] == [(2, "Calm down, though.")]
    # the greeting is judged on, and quotes, the first agent turn
    greet = next(c for c in card["criteria"] if c["id"] == "greets_with_name_and_company")
    assert [(e["turn_number"], e["quote"]) for e in greet["evidence"]] == [(1, "Northwind.")]
    # a sentence showing two signals is quoted once
    ack = next(c for c in card["criteria"] if c["id"] == "acknowledges_feelings")
    assert len(ack["evidence"]) == len({(e["turn"], e["quote"]) for e in ack["evidence"]}) == 1
    assert text.count("“" + SORRY + "”") == 2  # once each: apology and acknowledgement
