"""History tables speak to people: persona names and outcome titles, not ids."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from trainer.ui import history
from trainer.ui.store import CallStore


def _ctx(tmp_path: Path, names: dict[str, str]) -> SimpleNamespace:
    folder = tmp_path / "personas"
    folder.mkdir()
    for pid, name in names.items():
        (folder / f"{pid}.yaml").write_text(f"id: {pid}\nname: {name}\n", encoding="utf-8")
    (folder / "broken.yaml").write_text("id: [\n", encoding="utf-8")  # skipped, not fatal
    return SimpleNamespace(store=CallStore(tmp_path / "calls.sqlite3"), personas_dir=folder)


def _save(ctx, call_id: str, persona: str, outcome: str, scorecard=None) -> None:
    turns = [{"speaker": "agent", "text": "Hello, Brightwater Energy."}]
    ctx.store.save(
        call_id=call_id,
        trainee="ana",
        persona=persona,
        state={},
        transcript={"id": call_id, "persona": persona, "turns": turns},
        outcome=outcome,
        scorecard=scorecard,
        overall=(scorecard or {}).get("overall"),
    )


def test_my_calls_and_the_trainer_view_name_the_caller_and_the_outcome(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, {"warm-up": "Priya Shah"})
    _save(ctx, "c1", "warm-up", "ended_for_abuse")
    _save(ctx, "c2", "gone-persona", "hung_up", {"overall": 40.0, "persona_name": "Old Name"})
    _save(ctx, "c3", "gone-too", "abandoned")
    rows, _, picks = history.my_calls(ctx, "ana")
    assert [(r[2], r[4]) for r in rows] == [
        ("Priya Shah", "Ended under the abuse policy"),
        ("Old Name", "Caller hung up"),  # the name the scorecard was saved with
        ("gone-too", "Abandoned"),  # nothing better known: the id
    ]
    assert "Priya Shah" in picks["choices"][-1][0]
    _, everyone, _ = history.trainer_view(ctx)
    assert {r[2] for r in everyone} == {"Priya Shah", "Old Name", "gone-too"}


def _card(overall: float, empathy: float, statuses: dict[str, str]) -> dict:
    criteria = [
        {"id": cid, "title": cid.replace("_", " ").capitalize(), "category": "c", "status": st}
        for cid, st in statuses.items()
    ]
    return {"overall": overall, "categories": {"empathy": empathy}, "criteria": criteria}


def test_progress_chart_is_labelled_per_category_over_calls(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, {"warm-up": "Priya Shah"})
    _save(ctx, "c1", "warm-up", "resolved", _card(40.0, 0.25, {}))
    _save(ctx, "c2", "warm-up", "abandoned")
    _save(ctx, "c3", "warm-up", "resolved", _card(80.0, 0.75, {}))
    assert history.progress_series(ctx.store.list_calls("ana")) == {
        "overall": [40.0, None, 80.0],
        "empathy": [25.0, None, 75.0],
    }
    _, chart, _ = history.my_calls(ctx, "ana")
    for label in ("call number", "score (0-100)", "overall", "empathy"):
        assert label in chart


def test_trainer_view_ranks_criteria_weakest_first_across_trainees(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, {})
    _save(ctx, "a1", "p", "resolved", _card(50, 0.5, {"greets": "passed", "owns_it": "failed"}))
    _save(ctx, "a2", "p", "resolved", _card(60, 0.5, {"greets": "passed", "owns_it": "passed"}))
    ctx.store.save(
        call_id="b1", trainee="ben", persona="p", state={}, transcript={"turns": []},
        outcome="resolved", overall=10.0,
        scorecard=_card(10, 0.1, {"greets": "failed", "owns_it": "failed", "x": "not_applicable"}),
    )  # fmt: skip
    _, _, criteria = history.trainer_view(ctx)
    assert [r[0] for r in criteria] == ["Owns it", "Greets"]  # n/a-only criteria left out
    owns = criteria[0]
    assert owns[2:6] == [33, "1 / 3", 2, "ben (0%)"]
    assert criteria[1][2:4] == [67, "2 / 3"]
