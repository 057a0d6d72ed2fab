"""Smoke tests in a real browser: Playwright driving Debian's chromium.

The app runs the scripted backend and the real analyser. Assertions are on visible
text with Playwright's retrying waits (never ``networkidle``: Gradio keeps a
heartbeat open). A screenshot of each page goes to ``test-artifacts/``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_helpers import REPO, RunningApp, pick_customer

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
]
EMPATHY = "I'm so sorry, I understand how frustrating three days without internet must be."
FIX = "I will call you back by 5pm today with an update on the technician."
WAIT = 30_000

if not CHROMIUM.exists():
    pytest.skip(
        "Debian's chromium is not installed at /usr/bin/chromium "
        "(apt-get install chromium; .ci/run does it)",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def page(app: RunningApp) -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT)  # a loaded CI machine scores slowly; 5 s is too short
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.set_default_timeout(WAIT)
        tab.goto(app.url)
        tab.locator("#persona-cards .fl-card", has_text="Derek Walsh").wait_for()
        yield tab
        browser.close()


def _mood(page: Any) -> int:
    return int(page.locator("#mood-meter [data-mood]").get_attribute("data-mood"))


def _say(page: Any, line: str, replies_before: int) -> None:
    box = page.locator("#agent-line textarea")
    box.fill(line)
    box.press("Enter")
    chat = page.locator("#call-chat")
    chat.get_by_text(line).wait_for()
    bot = chat.locator('[data-testid="bot"]')
    bot.nth(replies_before).wait_for()  # the customer's reply has streamed in


def test_practice_call_scorecard_and_rewind(page: Any) -> None:
    from playwright.sync_api import expect

    page.locator("#trainee-name input, #trainee-name textarea").first.fill("Browser Ben")
    pick_customer(page, "Derek Walsh")
    page.locator("#start-call").click()
    chat = page.locator("#call-chat")
    chat.get_by_text("Third time I'm calling").wait_for()
    expect(page.locator("#mood-meter [data-mood]")).to_have_attribute("data-mood", "7")
    expect(page.locator("#mood-meter")).to_contain_text("angry")

    _say(page, EMPATHY, 1)
    expect(page.locator("#mood-meter [data-mood]")).not_to_have_attribute("data-mood", "7")
    after_one = _mood(page)
    assert after_one < 7
    _say(page, FIX, 2)
    expect(page.locator("#call-status")).to_contain_text("turn 2")
    page.wait_for_timeout(1500)  # let the timer tick in the browser
    assert re.fullmatch(r"\d\d:\d\d", page.locator("#timer [data-started]").inner_text())
    assert page.locator("#timer [data-started]").inner_text() != "00:00"
    page.screenshot(path=str(ARTIFACTS / "practice-call.png"), full_page=True)

    page.locator("#end-call").click()
    card = page.locator("#scorecard")
    expect(card).to_contain_text("/100")
    quote = card.locator(".fl-quote").filter(has_text="You (turn")
    expect(quote.first).to_be_visible()
    said = quote.first.inner_text()
    assert any(part in said for part in (EMPATHY[:20], FIX[:20], "I understand", "I will call"))
    expect(page.locator("#mood-curve svg")).to_be_visible()
    with page.expect_download() as download:
        page.locator("#download").click()
    saved = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [t["text"] for t in saved["transcript"]["turns"]][1::2] == [EMPATHY, FIX]
    assert saved["scorecard"]["overall"] is not None
    page.screenshot(path=str(ARTIFACTS / "practice-scorecard.png"), full_page=True)

    # Rewind one turn: the second line comes back to edit, the customer's mood with it.
    page.locator("#rewind-to input").click()
    page.get_by_role("option", name=re.compile(r"^Turn 2")).click()
    page.locator("#rewind").click()
    expect(page.locator("#agent-line textarea")).to_have_value(FIX)
    expect(chat.get_by_text(FIX)).to_have_count(0)
    expect(chat.locator('[data-testid="bot"]')).to_have_count(2)
    expect(page.locator("#mood-meter [data-mood]")).to_have_attribute("data-mood", str(after_one))
    expect(card).not_to_contain_text("/100")
    page.screenshot(path=str(ARTIFACTS / "practice-rewound.png"), full_page=True)


def test_history_page(page: Any) -> None:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="History").click()
    page.locator("#history-refresh").click()
    expect(page.locator("#my-calls")).to_contain_text("Derek Walsh")  # the name, not the id
    expect(page.locator("#progress-chart")).to_contain_text("call by call")
    page.screenshot(path=str(ARTIFACTS / "history.png"), full_page=True)


BROKEN = """\
id: broken-one
name: Test Person
summary: A persona with a mistake.
difficulty: medium
company: Northwind
style: Short.
background: You are cross.
goal: A fix.
opening: Hello.
mood: {start: 12, hang_up_at: 10, satisfied_at: 3}
lines: {calm: [OK.], annoyed: [Hmm.], angry: [No.]}
"""


def test_studio_shows_errors_with_line_numbers(page: Any) -> None:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Persona studio").click()
    editor = page.locator("#persona-editor .cm-content")
    editor.wait_for()
    expect(page.locator("#persona-problems")).to_contain_text("Valid persona")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(BROKEN)
    problems = page.locator("#persona-problems")
    expect(problems).to_contain_text("line 10: mood.start: must be 0..10 (got 12)")
    page.screenshot(path=str(ARTIFACTS / "studio-invalid.png"), full_page=True)


# The QA batch page has its own module: test_browser_qa.py.
