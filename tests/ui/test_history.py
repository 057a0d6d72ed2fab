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
    _, everyone = history.trainer_view(ctx)
    assert {r[2] for r in everyone} == {"Priya Shah", "Old Name", "gone-too"}
