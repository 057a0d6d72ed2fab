"""A call left in a closed tab, resumed from History in a new tab (Playwright, chromium)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from test_browser import ARTIFACTS, CHROMIUM_ARGS, EMPATHY, WAIT, _say
from ui_helpers import RunningApp, chromium, pick_customer

pytestmark = pytest.mark.browser

NAME = "Resuming Rosa"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(CHROMIUM_ARGS, WAIT) as launched:
        yield launched


def _open(browser: Any, url: str) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.set_default_timeout(WAIT)
    page.goto(url)
    page.locator("#persona-cards .fl-card", has_text="Derek Walsh").wait_for()
    page.locator("#trainee-name input, #trainee-name textarea").first.fill(NAME)
    return page


def test_a_closed_tab_call_resumes_from_history(browser: Any, app: RunningApp) -> None:
    from playwright.sync_api import expect

    first = _open(browser, app.url)
    pick_customer(first, "Derek Walsh")
    first.locator("#start-call").click()
    first.locator("#call-chat").get_by_text("Third time I'm calling").wait_for()
    _say(first, EMPATHY, 1)
    expect(first.locator("#call-status")).to_contain_text("turn 1")
    mood = first.locator("#mood-meter [data-mood]").get_attribute("data-mood")
    first.close()  # the tab is gone; the store has the call, still ongoing

    page = _open(browser, app.url)
    resume = page.locator("#resume-call")
    page.get_by_role("tab", name="History").click()
    expect(page.locator("#my-calls")).to_contain_text("Derek Walsh")
    # The call left unfinished is picked already, ready to resume.
    expect(page.locator("#open-call input")).to_have_value(re.compile("unfinished"))
    expect(page.locator("#history-scorecard")).to_contain_text("Resume it")
    expect(resume).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "history-resume-1280x720.png"))
    resume.click()

    chat = page.locator("#call-chat")
    expect(chat).to_be_visible()  # back on the practice tab
    expect(chat.get_by_text(EMPATHY)).to_be_visible()
    expect(page.locator("#call-status")).to_contain_text("turn 1")
    expect(page.locator("#mood-meter [data-mood]")).to_have_attribute("data-mood", str(mood))
    line = "I will call you back by 5pm today with an update on the technician."
    _say(page, line, 2)
    expect(page.locator("#call-status")).to_contain_text("turn 2")
    calls = app.store.list_calls(NAME)
    assert len(calls) == 1 and calls[0].agent_turns == 2 and calls[0].outcome == "ongoing"
    page.close()
