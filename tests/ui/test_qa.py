"""The QA tab runs the CLI's batch scoring: the same downloads, byte for byte, with progress.

``score_files`` is called directly (no server) on uploads in several formats, with error
records and more than one chunk; the CLI scores the same files from their own folder (so
that its ``source`` column holds the same file names).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from trainer.scoring.batch import score_batch
from trainer.ui import qa
from trainer.ui.context import AppContext


def _uploads(folder: Path) -> list[Path]:
    folder.mkdir()
    good = {"id": "good-0", "turns": [
        {"speaker": "agent", "text": "Good morning, thanks for calling Northwind, this is Sam."},
        {"speaker": "customer", "text": "My internet is down again and I work from home."},
        {"speaker": "agent", "text": "I'm so sorry, I understand how frustrating that is."},
    ]}  # fmt: skip
    rude = {"id": "rude", "turns": [
        {"speaker": "customer", "text": "Nothing works."},
        {"speaker": "agent", "text": "Calm down. That's not my problem."},
    ]}  # fmt: skip
    lines = [json.dumps(good), json.dumps(rude), "{not json", '{"id": "empty", "turns": []}']
    lines += [json.dumps({**good, "id": f"good-{n}"}) for n in range(1, 20)]
    jsonl = folder / "calls.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    csv = folder / "long.csv"
    csv.write_bytes(
        b"conversation_id,speaker,text\ncsv-1,agent,Hello and welcome.\n"
        b"csv-1,caller,Hi. My router drops.\ncsv-2,agent,caf\xe9\n"
    )
    txt = folder / "call-txt.txt"
    txt.write_text("Customer: Hi, my bill is wrong.\nAgent: Sorry about that.\n", encoding="utf-8")
    return [jsonl, csv, txt]


def _summary(path: Path) -> dict[str, Any]:
    summary = json.loads(path.read_text(encoding="utf-8"))
    for varies in ("elapsed_s", "transcripts_per_s", "outputs"):
        summary.pop(varies)
    return summary


def test_qa_tab_writes_what_the_cli_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _uploads(tmp_path / "uploads")
    ctx = AppContext(simulator=None, personas_dir=tmp_path, store=None, work_dir=tmp_path / "w")
    (tmp_path / "w").mkdir()
    seen: list[tuple[Any, dict[str, Any]]] = []
    rows, headers, hist, rates, downloads, text = qa.score_files(
        ctx, [str(p) for p in files], None, None, lambda *a, **k: seen.append((a[0], k))
    )
    monkeypatch.chdir(files[0].parent)
    cli = tmp_path / "cli"
    score_batch([p.name for p in files], None, cli, progress=False)
    assert sorted(Path(d).name for d in downloads) == ["scorecards.jsonl", "scores.csv"]
    for download in map(Path, downloads):
        assert download.read_bytes() == (cli / download.name).read_bytes(), download.name
    assert _summary(Path(downloads[0]).with_name("summary.json")) == _summary(cli / "summary.json")
    # the table is the CSV's rows, in order, with the error rows kept
    lines = (cli / "scores.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert [row[0] for row in rows] == [line.split(",")[0] for line in lines]
    assert len(rows) == 26 and [row[headers.index("status")] for row in rows].count("error") == 3
    assert "26** transcripts" in text and "3** error rows" in text
    # progress: reading, then after every chunk of qa.CHUNK up to the total
    scoring = [p for p, k in seen if k.get("desc") == "scoring"]
    assert seen[0] == (0, {"desc": "reading files"})
    assert scoring == [(0, 26), (16, 26), (26, 26)]
