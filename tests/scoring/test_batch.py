"""Batch QA scoring: one row per input record, order kept, outputs and summary consistent.

Uses the real analyser (MiniLM from the package) on a handful of calls, with a small rubric
built from the bundled signals so that these tests do not move with the default criteria.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml

from trainer.paths import default_rubric_path
from trainer.rubric.model import Rubric, load_rubric
from trainer.scoring.batch import (
    BatchProgress,
    add_score_arguments,
    batch_main,
    csv_columns,
    score_batch,
)
from trainer.scoring.scorecard import Scorecard
from trainer.scoring.scorer import score_transcript
from trainer.transcripts.io import iter_records
from trainer.transcripts.transcript import Transcript

CRITERIA = [
    {
        "id": "greets_caller",
        "category": "protocol",
        "description": "Greets the caller.",
        "requires": {"signal": "greets", "within_first": 1},
        "feedback": {"pass": "You greeted the caller.", "fail": "Open with a greeting."},
    },
    {
        "id": "acknowledges",
        "category": "empathy",
        "description": "Acknowledges the caller's feelings or apologises.",
        "requires": {"signal": ["acknowledges_feelings", "apologises"]},
        "feedback": {"pass": "You acknowledged how they felt.", "fail": "Name the feeling."},
    },
    {
        "id": "no_blame",
        "category": "professionalism",
        "description": "Never blames the caller.",
        "forbids": {"signal": "blames_customer"},
        "feedback": {"pass": "No blame.", "fail": "Do not blame the caller."},
    },
    {
        "id": "escalation_when_asked",
        "category": "protocol",
        "description": "Offers escalation when the caller demands a supervisor.",
        "when": {
            "customer_signal": "demands_supervisor",
            "then": ["offers_escalation", "transfers_to_supervisor"],
            "within": 2,
        },
        "feedback": {"pass": "You offered escalation.", "fail": "Offer to escalate."},
    },
]


@pytest.fixture(scope="session")
def rubric_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    signals = yaml.safe_load(default_rubric_path().read_text(encoding="utf-8"))["signals"]
    doc = {
        "id": "batch-test",
        "version": 3,
        "signals": signals,
        "categories": {
            "empathy": {"weight": 1.0},
            "protocol": {"weight": 1.0},
            "professionalism": {"weight": 1.0},
        },
        "criteria": CRITERIA,
    }
    path = tmp_path_factory.mktemp("rubric") / "rubric.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def rubric(rubric_path: Path) -> Rubric:
    return load_rubric(rubric_path)


def _call(id: str, *turns: tuple[str, str]) -> dict:
    return {"id": id, "turns": [{"speaker": s, "text": t} for s, t in turns]}


GOOD = _call(
    "good-1",
    ("agent", "Good morning, thank you for calling Northwind Broadband, this is Sam."),
    ("customer", "My internet has been down since Monday and I work from home."),
    ("agent", "I'm so sorry, that sounds really frustrating when you rely on it for work."),
    ("customer", "I want to speak to your supervisor."),
    ("agent", "Of course, I can transfer you to my supervisor right now."),
)
POOR = _call(
    "poor-1",
    ("customer", "My bill is wrong again."),
    ("agent", "Well, you should have read the contract before signing it."),
    ("customer", "Get me a manager. Now."),
    ("agent", "That's just our policy."),
)


@pytest.fixture()
def calls_folder(tmp_path: Path) -> tuple[Path, int]:
    """A folder in several formats: 7 scorable calls and 4 error records (11 in all)."""
    root = tmp_path / "calls"
    root.mkdir()
    lines = [
        json.dumps(GOOD),
        json.dumps(POOR),
        "{not json",
        json.dumps(_call("cust-only", ("customer", "Hello?"))),
        json.dumps(_call("robot", ("bot", "Beep"), ("agent", "Hello there."))),
        *(json.dumps({**GOOD, "id": f"good-{n}"}) for n in range(2, 5)),
    ]
    (root / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "b.csv").write_bytes(
        b"conversation_id,speaker,text\n"
        b"csv-1,agent,Hello and welcome to Northwind.\n"
        b"csv-1,caller,Hi. My router keeps dropping.\n"
        b"csv-2,agent,caf\xe9\n"
        b"csv-1,rep,I understand how annoying that must be.\n"
    )
    (root / "c.txt").write_text(
        "Agent: Hi, thanks for calling.\nCustomer: I was charged twice.\n"
        "Agent: I'm sorry about that,\nlet me refund the second charge today.\n",
        encoding="utf-8",
    )
    return root, 11


def _csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def test_one_row_per_record_in_input_order(
    calls_folder: tuple[Path, int], rubric: Rubric, tmp_path: Path
) -> None:
    folder, expected = calls_folder
    out = tmp_path / "out"
    summary = score_batch([folder], rubric, out, formats=("csv", "jsonl"), progress=False)
    assert summary.n_in == expected
    assert (summary.n_scored, summary.n_errored) == (7, 4)
    header, rows = _csv_rows(out / "scores.csv")
    cards = [
        Scorecard.model_validate_json(line)
        for line in (out / "scorecards.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    records = list(iter_records([folder]))
    assert len(rows) == len(cards) == len(records) == expected
    assert (
        [r["id"] for r in rows] == [c.transcript_id for c in cards] == [r.item.id for r in records]
    )
    assert [r["status"] for r in rows].count("error") == 4
    errors = {r["id"]: r for r in rows if r["status"] == "error"}
    assert errors["a:3"]["line"] == "3" and errors["a:3"]["error"].startswith("malformed JSON")
    assert errors["a:3"]["source"].endswith("a.jsonl") and errors["a:3"]["overall"] == ""
    assert errors["cust-only"]["error"] == "no agent turns"
    assert "'bot'" in errors["robot"]["error"]
    assert "undecodable" in errors["csv-2"]["error"] and errors["csv-2"]["line"] == "4"
    scored = {r["id"]: r for r in rows if r["status"] == "scored"}
    assert float(scored["good-1"]["overall"]) > float(scored["poor-1"]["overall"])
    assert scored["good-1"]["greets_caller"] == "1.0" and scored["poor-1"]["no_blame"] == "0.0"
    assert scored["c"]["escalation_when_asked"] == ""  # not applicable: empty, never zero


def test_chunked_detections_match_scoring_each_call_alone(
    calls_folder: tuple[Path, int], rubric: Rubric, tmp_path: Path
) -> None:
    folder, _ = calls_folder
    out = tmp_path / "out"
    score_batch([folder], rubric, out, formats=("jsonl",), progress=False, chunk_size=5)
    cards = (out / "scorecards.jsonl").read_text(encoding="utf-8").splitlines()
    for record, line in zip(iter_records([folder]), cards, strict=True):
        if isinstance(record.item, Transcript):
            alone = score_transcript(record.item, rubric)
            assert line == alone.model_dump_json(), record.item.id


def test_on_progress_hears_every_chunk_in_order(
    calls_folder: tuple[Path, int], rubric: Rubric, tmp_path: Path
) -> None:
    seen: list[BatchProgress] = []
    out = tmp_path / "out"
    summary = score_batch(
        [calls_folder[0]], rubric, out, progress=False, chunk_size=4,
        on_progress=seen.append, file_names_only=True,
    )  # fmt: skip
    assert [(p.n_done, p.n_errored, len(p.chunk)) for p in seen] == [
        (4, 2, 4),
        (8, 3, 4),
        (11, 4, 3),
    ]
    _, rows = _csv_rows(out / "scores.csv")
    assert [s.row["id"] for p in seen for s in p.chunk] == [r["id"] for r in rows]
    assert {r["source"] for r in rows} == {"a.jsonl", "b.csv", "c.txt"}  # names, no folders
    assert summary.inputs == ["calls"]


def test_csv_columns(rubric: Rubric, calls_folder: tuple[Path, int], tmp_path: Path) -> None:
    expected = [
        "id",
        "source",
        "line",
        "status",
        "overall",
        "category.empathy",
        "category.protocol",
        "category.professionalism",
        "greets_caller",
        "acknowledges",
        "no_blame",
        "escalation_when_asked",
        "flags",
        "error",
        "persona",
        "outcome",
        "rubric_id",
        "rubric_version",
        "rubric_hash",
    ]
    assert csv_columns(rubric) == expected
    score_batch([calls_folder[0]], rubric, tmp_path / "o", formats=("csv",), progress=False)
    header, rows = _csv_rows(tmp_path / "o" / "scores.csv")
    assert header == expected
    assert {r["rubric_hash"] for r in rows} == {rubric.hash}
    assert not (tmp_path / "o" / "scorecards.jsonl").exists()


def test_summary_counts_and_report(
    calls_folder: tuple[Path, int], rubric: Rubric, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    summary = score_batch(
        [calls_folder[0]], rubric, out, formats=("csv", "jsonl", "html"), progress=False
    )
    on_disk = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert on_disk == json.loads(summary.model_dump_json())
    assert on_disk["n_in"] == on_disk["n_scored"] + on_disk["n_errored"] == 11
    assert on_disk["errors"] == {
        "malformed JSON": 1,
        "no agent turns": 1,
        "unknown speaker labels": 1,
        "undecodable text": 1,
    }
    assert sum(on_disk["histogram"].values()) == 7
    _, rows = _csv_rows(out / "scores.csv")
    for cid in ("greets_caller", "no_blame", "escalation_when_asked"):
        stats = on_disk["criteria"][cid]
        values = [r[cid] for r in rows if r["status"] == "scored"]
        assert stats["not_applicable"] == values.count("")
        assert stats["passed"] + stats["failed"] == len(values) - values.count("")
    # good-1..4 and poor-1 demand a supervisor; only the good calls offer escalation
    assert on_disk["criteria"]["escalation_when_asked"]["passed"] == 4
    assert on_disk["criteria"]["escalation_when_asked"]["pass_rate"] == 0.8
    overall = [float(r["overall"]) for r in rows if r["overall"]]
    assert on_disk["overall"]["min"] == min(overall) and on_disk["overall"]["max"] == max(overall)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 2
    # criteria by title, not id (the summary keeps the ids, with their titles beside them)
    assert on_disk["titles"]["escalation_when_asked"] == "Escalation when asked"
    assert "Escalation when asked" in page and "escalation_when_asked" not in page
    assert "http" not in page.split("<body>")[1]
    assert "<b>11</b> transcripts in" in page


def test_order_preserved_with_two_processes(
    calls_folder: tuple[Path, int], rubric_path: Path, tmp_path: Path
) -> None:
    folder, expected = calls_folder
    one = score_batch([folder], rubric_path, tmp_path / "one", progress=False, chunk_size=2)
    two = score_batch(
        [folder], rubric_path, tmp_path / "two", num_proc=2, progress=False, chunk_size=2
    )
    assert one.n_in == two.n_in == expected
    for name in ("scores.csv", "scorecards.jsonl"):
        assert (tmp_path / "one" / name).read_text() == (tmp_path / "two" / name).read_text()


def test_batch_main_cli(
    calls_folder: tuple[Path, int],
    rubric_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "cli"
    argv = [str(calls_folder[0]), "--rubric", str(rubric_path), "--out", str(out)]
    assert batch_main([*argv, "--format", "csv,html", "--no-progress"]) == 0
    captured = capsys.readouterr()
    printed = captured.out
    assert "Transcripts in: 11  scored: 7  errored: 4" in printed
    assert "4 of 11 transcripts errored" in captured.err and "7 scored" in captured.err
    assert "escalation_when_asked" in printed
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "scores.csv", "summary.json"]
    assert batch_main([str(tmp_path / "missing"), "--out", str(out)]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert batch_main([*argv, "--format", "xlsx"]) == 2


def test_add_score_arguments() -> None:
    import argparse

    args = add_score_arguments(argparse.ArgumentParser()).parse_args(
        ["a.jsonl", "dir/", "--num-proc", "2", "--format", "csv,jsonl,html"]
    )
    assert args.paths == ["a.jsonl", "dir/"] and args.num_proc == 2
    assert args.rubric is None and args.format == "csv,jsonl,html"
