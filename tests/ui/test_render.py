"""The pure HTML helpers: escaping of every user text, meters, charts."""

from __future__ import annotations

from types import SimpleNamespace

from trainer.ui import cards, render

EVIL = '<script>alert("x")</script>'


def test_scorecard_escapes_the_trainees_words_and_feedback() -> None:
    card = {
        "overall": 61.5,
        "outcome": "resolved",
        "categories": {"empathy": 0.5, "protocol": None},
        "flags": [EVIL],
        "criteria": [
            {
                "id": "acknowledges_feelings",
                "category": "empathy",
                "status": "passed",
                "evidence": [{"turn": 1, "speaker": "agent", "quote": EVIL}],
                "feedback": EVIL,
            },
            {"id": "closes_call", "category": "protocol", "status": "failed",
             "evidence": [], "feedback": "Thank the caller."},
            {"id": "abuse_protocol", "category": "protocol", "status": "not_applicable",
             "evidence": [], "feedback": "n/a"},
        ],
    }  # fmt: skip
    html = render.scorecard_html(card)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "62</span>/100" in html and "resolved" in html
    assert "You (turn 1)" in html
    assert "Next time: Thank the caller." in html
    assert ">pass<" in html and ">fail<" in html and ">n/a<" in html
    assert "width:50%" in html  # the empathy bar
    # Quotes are numbered by the trainee's own turns when the speakers are known.
    card["criteria"][0]["evidence"][0]["turn"] = 3
    numbered = render.scorecard_html(card, ["customer", "agent", "customer", "agent"])
    assert "You (turn 2)" in numbered
    assert render.scorecard_html({"error": EVIL}).count("&lt;script&gt;") == 1
    assert render.scorecard_html(None) == ""


def test_persona_cards_escape_and_hide_facts() -> None:
    p = SimpleNamespace(
        id="x", name=EVIL, summary="a & b", difficulty="hard", company="Co",
        facts={"account number": "SECRET-1"},
    )  # fmt: skip
    html = cards.persona_cards([p])
    assert "<script>" not in html and "a &amp; b" in html and "SECRET-1" not in html
    assert "No personas" in cards.persona_cards([])
    q = SimpleNamespace(id="y", name="Y", summary="s", difficulty="easy", company="Co")
    picked = cards.persona_cards([p, q], picked="y")
    assert picked.count("fl-picked") == 1 and picked.index("fl-picked") > picked.index('"x"')
    assert 'aria-pressed="true"' in picked and 'role="button"' in picked


def test_mood_meter_bands_and_colours() -> None:
    assert 'data-band="calm"' in render.mood_meter(2)
    assert 'data-band="annoyed"' in render.mood_meter(5)
    angry = render.mood_meter(9)
    assert 'data-band="angry"' in angry and angry.count(render.BAND_COLOURS["angry"]) == 10
    assert "no call yet" in render.mood_meter(None)


def test_timer_and_charts() -> None:
    assert "--:--" in render.call_timer(None)
    assert ">01:05<" in render.call_timer(100.0, ended=165.0)
    chart = render.line_chart([7, None, 3], y_max=10, title=EVIL)
    assert chart.count("<circle") == 2 and "<script>" not in chart
    assert "No data yet" in render.line_chart([], y_max=10, title="t")


def test_problems_show_their_lines() -> None:
    problem = SimpleNamespace(line=14, field="mood.start", message="must be 0..10 (got 12)")
    html = render.problems_html([problem])
    assert "line 14: mood.start: must be 0..10 (got 12)" in html
    assert "Valid persona" in render.problems_html([])
