"""The QA tab runs the CLI's batch scoring: the same downloads and report, with progress.

``score_files`` is called directly (no server) on uploads in several formats, with error
records and more than one chunk; the CLI scores the same files from their own folder (so
that its ``source`` column holds the same file names).
"""

from __future__ import annotations

import csv
import html
import json
import random
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
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


def _report(path: Path) -> str:
    """``report.html`` without the run's elapsed time (the only part that varies)."""
    return re.sub(r"errored \([0-9.]+ s\)", "errored", path.read_text(encoding="utf-8"))


def test_qa_tab_writes_what_the_cli_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _uploads(tmp_path / "uploads")
    ctx = AppContext(simulator=None, personas_dir=tmp_path, store=None, work_dir=tmp_path / "w")
    (tmp_path / "w").mkdir()
    seen: list[tuple[Any, dict[str, Any]]] = []
    result = qa.score_files(
        ctx, [str(p) for p in files], None, None, lambda *a, **k: seen.append((a[0], k))
    )
    monkeypatch.chdir(files[0].parent)
    cli = tmp_path / "cli"
    score_batch(
        [p.name for p in files], None, cli, formats=("csv", "jsonl", "html"), progress=False
    )
    names = [Path(d).name for d in result.downloads]
    assert names == ["scores.csv", "scorecards.jsonl", "summary.json", "report.html"]
    for download in map(Path, result.downloads[:2]):
        assert download.read_bytes() == (cli / download.name).read_bytes(), download.name
    assert _summary(Path(result.downloads[2])) == _summary(cli / "summary.json")
    assert _report(Path(result.downloads[3])) == _report(cli / "report.html")
    # the page shows the report as written (in an iframe) and the summary as printed
    page = html.unescape(re.search(r'srcdoc="([^"]*)"', result.report)[1])
    assert page == Path(result.downloads[3]).read_text(encoding="utf-8")
    assert "Transcripts in: 26  scored: 23  errored: 3" in result.printed
    assert "pass rate per criterion" in page and "score histogram" in page
    # the table is the CSV's rows, in order, with the error rows kept
    with open(cli / "scores.csv", encoding="utf-8", newline="") as f:
        written = list(csv.DictReader(f))
    rows, headers = result.rows, result.headers
    assert [row[0] for row in rows] == [line["id"] for line in written]
    assert len(rows) == 26 and [row[headers.index("status")] for row in rows].count("error") == 3
    assert "26** transcripts" in result.summary and "3** error rows" in result.summary
    # overall and categories on one 0..100 scale; numbers typed as numbers (they sort so)
    for row, line in zip(rows, written, strict=True):
        for name in ("empathy", "protocol", "professionalism"):
            cell, value = row[headers.index(name)], line[f"category.{name}"]
            assert cell == (round(100 * float(value), 1) if value else None)
    assert max(row[headers.index("empathy")] or 0 for row in rows) > 1
    for name in ("line", "overall", "empathy", "protocol"):  # numbers sort as numbers
        assert all(isinstance(row[headers.index(name)], int | float | None) for row in rows)
    assert any(isinstance(row[headers.index("overall")], float) for row in rows)
    assert headers.index("error") < headers.index("overall")  # readable without scrolling
    # progress: reading, then after every chunk of qa.CHUNK up to the total
    scoring = [p for p, k in seen if k.get("desc") == "scoring"]
    assert seen[0] == (0, {"desc": "reading files"})
    assert scoring == [(0, 26), (16, 26), (26, 26)]


def test_empty_binary_parquet_and_utf16_uploads(tmp_path: Path) -> None:
    folder = tmp_path / "uploads"
    folder.mkdir()
    (folder / "empty.jsonl").write_bytes(b"")
    (folder / "noise.txt").write_bytes(random.Random(5).randbytes(9000))
    utf16 = "conversation_id,speaker,text\nu1,customer,Hi.\nu1,agent,Hello. I am sorry.\n"
    (folder / "utf16.csv").write_bytes(utf16.encode("utf-16"))
    pq.write_table(
        pa.table({"conversation_id": ["p1", "p1"], "speaker": ["customer", "agent"],
                  "text": ["My bill is wrong.", "I'm sorry, I will fix it today."]}),
        folder / "calls.parquet",
    )  # fmt: skip
    ctx = AppContext(simulator=None, personas_dir=tmp_path, store=None, work_dir=tmp_path / "w")
    (tmp_path / "w").mkdir()
    files = sorted(str(p) for p in folder.iterdir())
    result = qa.score_files(ctx, files, None, None, lambda *a, **k: None)
    h = result.headers
    by_source = {row[h.index("source")]: row for row in result.rows}
    assert len(result.rows) == 4  # one row per file, garbage and all
    assert by_source["empty.jsonl"][h.index("error")] == "empty file"
    assert by_source["noise.txt"][h.index("error")].startswith(("binary file", "undecodable"))
    assert by_source["utf16.csv"][h.index("status")] == "scored"  # UTF-16, read as such
    assert by_source["calls.parquet"][h.index("status")] == "scored"
    assert ".parquet" in qa.UPLOAD_TYPES


def test_nothing_scored_says_so(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"")
    ctx = AppContext(simulator=None, personas_dir=tmp_path, store=None, work_dir=tmp_path / "w")
    (tmp_path / "w").mkdir()
    result = qa.score_files(ctx, [str(tmp_path / "empty.jsonl")], None, None, lambda *a, **k: None)
    assert "Nothing could be scored" in result.summary and "empty file (1)" in result.summary
