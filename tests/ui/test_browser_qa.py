"""The QA batch page in a real browser (Playwright driving Debian's chromium).

What an analyst sees: one row per file for an empty or binary upload, scores on one 0-100
scale sorted as numbers from the header menu the hint names, error text wrapped in view,
the CLI's report in the page and its four files to download. Screenshots of the page at
1280x720 and 1920x1080 go to ``test-artifacts/``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from ui_helpers import REPO, RunningApp, chromium

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # the report is a sandboxed srcdoc iframe: without these a full-page screenshot
    # leaves it blank (the frame is painted in its own process)
    "--disable-site-isolation-trials",
    "--disable-features=IsolateOrigins,site-per-process",
]
WAIT = 60_000  # scoring runs the real analyser on a loaded 2-core machine
SIZES = [(1280, 720), (1920, 1080)]

if not CHROMIUM.exists():
    pytest.skip(
        "Debian's chromium is not installed at /usr/bin/chromium "
        "(apt-get install chromium; .ci/run does it)",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(CHROMIUM_ARGS, WAIT) as launched:
        yield launched


def _open_qa(browser: Any, app: RunningApp, width: int = 1280, height: int = 720) -> Any:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(WAIT)
    page.goto(app.url)
    page.get_by_role("tab", name="QA batch").click()
    return page


def _score(page: Any, files: list[Path], rubric: Path | None = None) -> Any:
    from playwright.sync_api import expect

    page.locator("#qa-files input[type=file]").set_input_files([str(f) for f in files])
    for f in files:
        expect(page.locator(f"#qa-files a[href*='{f.name}']").first).to_be_attached()
    if rubric is not None:
        page.locator("input[type=file][accept*='.yaml']").set_input_files(str(rubric))
        expect(page.locator(f"a[href*='{rubric.name}']").first).to_be_attached()
    page.locator("#qa-score").click()
    expect(page.locator("#qa-summary")).to_contain_text(" transcripts: ")  # the run finished
    return page.locator("#qa-table")


def _column(table: Any, header: str) -> list[str]:
    """A column's cells top to bottom, as the browser shows them (after any sort)."""
    names = [h.inner_text().strip() for h in table.locator("th[data-testid^=header-]").all()]
    col = names.index(header)
    cells = table.locator(f'[role=gridcell][data-col="{col}"]').all()
    return [c.inner_text().strip() for c in sorted(cells, key=lambda c: c.bounding_box()["y"])]


def _call(id: str, agent: str) -> dict:
    turns = [{"speaker": "customer", "text": "My internet is down."}]
    return {"id": id, "turns": [*turns, {"speaker": "agent", "text": agent}]}


def test_empty_binary_parquet_uploads_report_and_downloads(
    browser: Any, app: RunningApp, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    calls = tmp_path / "calls.jsonl"
    good = _call("browser-good", "I'm sorry, I understand. I will book an engineer for 9am.")
    calls.write_text(json.dumps(good) + "\n{broken line\n", encoding="utf-8")
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "noise.txt").write_bytes(random.Random(3).randbytes(6000))
    pq.write_table(
        pa.table({"conversation_id": ["pq-1", "pq-1"], "speaker": ["customer", "agent"],
                  "text": ["My bill is wrong.", "Sorry about that, I will refund it today."]}),
        tmp_path / "long.parquet",
    )  # fmt: skip
    files = [calls, tmp_path / "empty.jsonl", tmp_path / "noise.txt", tmp_path / "long.parquet"]
    page = _open_qa(browser, app)
    table = _score(page, files)
    expect(page.locator("#qa-summary")).to_contain_text("5 transcripts: 2 scored, 3 error rows")
    ids = _column(table, "id")
    assert sorted(ids) == sorted(["browser-good", "calls:2", "empty", "noise", "pq-1"])
    errors = dict(zip(ids, _column(table, "error"), strict=True))
    assert errors["empty"] == "empty file" and errors["browser-good"] == errors["pq-1"] == ""
    assert errors["noise"].startswith(("binary file", "undecodable file"))
    # the error text is in view at 1280 px and wrapped, not cut off
    cell = table.locator("[role=gridcell]", has_text="malformed JSON").first
    box = cell.bounding_box()
    assert box["x"] + box["width"] <= 1280
    span = cell.locator("span").first
    assert span.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    assert span.inner_text() == errors["calls:2"]
    assert errors["calls:2"].startswith("malformed JSON") and errors["calls:2"].endswith(
        "(column 2)"
    )
    # the report as the CLI writes it, inside the page; the four files to download
    report = page.frame_locator("#qa-report iframe")
    expect(report.locator("h1")).to_have_text("Frontline QA report")
    expect(report.locator("img[alt='score histogram']")).to_be_visible()
    expect(report.locator("img[alt='pass rate per criterion']")).to_be_attached()
    for name in ("scores.csv", "scorecards.jsonl", "summary.json", "report.html"):
        expect(page.locator(f"#qa-out a[href*='{name}']").first).to_be_attached()
    with page.expect_download() as download:
        page.locator("#qa-out a[href*='summary.json']").first.click()
    summary = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert summary["n_in"] == 5 and summary["errors"]["empty file"] == 1
    page.get_by_text("Summary, as `python -m trainer score` prints it").click()
    expect(page.locator("#qa-printed")).to_contain_text("Transcripts in: 5  scored: 2  errored: 3")
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(500)  # let the table re-measure its columns
        page.screenshot(path=str(ARTIFACTS / f"qa-batch-{width}x{height}.png"), full_page=True)
    page.close()


def _two_criteria_rubric(path: Path) -> Path:
    """A rubric where a call scores 0, 50 or 100: greets (protocol), introduces self."""
    signals = yaml.safe_load((REPO / "trainer/rubric/default.yaml").read_text(encoding="utf-8"))
    doc = {
        "id": "sort-test",
        "version": 1,
        "signals": signals["signals"],
        "categories": {"protocol": {"weight": 1.0}, "professionalism": {"weight": 1.0}},
        "criteria": [
            {"id": "greets", "category": "protocol", "description": "Greets.",
             "requires": {"signal": "greets"},
             "feedback": {"pass": "Greeted.", "fail": "Greet."}},
            {"id": "names_self", "category": "professionalism", "description": "Gives a name.",
             "requires": {"signal": "introduces_self"},
             "feedback": {"pass": "Named.", "fail": "Say your name."}},
        ],
    }  # fmt: skip
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_scores_sort_as_numbers_from_the_header_menu(
    browser: Any, app: RunningApp, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    calls = [
        _call("both", "Good morning, thank you for calling Northwind, my name is Sam."),
        _call("neither", "Okay."),
        _call("greets-only", "Good morning."),
    ]
    upload = tmp_path / "sort.jsonl"
    upload.write_text("".join(json.dumps(c) + "\n" for c in calls), encoding="utf-8")
    page = _open_qa(browser, app)
    expect(page.locator("#qa-hint")).to_contain_text("⋮ menu in its header")
    table = _score(page, [upload], _two_criteria_rubric(tmp_path / "sort-rubric.yaml"))
    expect(table).to_contain_text("greets-only")
    before = dict(zip(_column(table, "id"), map(float, _column(table, "overall")), strict=True))
    assert before == {"both": 100.0, "neither": 0.0, "greets-only": 50.0}
    assert {float(v) for v in _column(table, "protocol")} == {0.0, 100.0}  # 0-100, like overall
    header = table.locator("th[data-testid^=header-]", has_text="overall").first
    header.click()  # a click on the header itself does not sort (the hint does not say so)
    assert _column(table, "id") == ["both", "neither", "greets-only"]
    header.locator("button[aria-label='Open cell menu']").click()
    page.get_by_text("Sort ascending").click()
    expect(table.locator("[role=gridcell]").first).to_be_visible()
    page.wait_for_timeout(300)
    assert _column(table, "overall") == ["0", "50", "100"]  # as text this would be 0, 100, 50
    assert _column(table, "id") == ["neither", "greets-only", "both"]
    page.close()
