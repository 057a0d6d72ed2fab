"""The practice page on a 1280x720 laptop: the call fits, the cards pick, one clear message.

Playwright driving Debian's chromium, as in test_browser.py; bounding boxes are measured
in the viewport without scrolling.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_browser import ARTIFACTS, CHROMIUM_ARGS, EMPATHY, WAIT, _say
from test_browser_qa import SIZES
from ui_helpers import RunningApp, chromium, pick_customer

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1280, 720


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(CHROMIUM_ARGS, WAIT) as launched:
        yield launched


@pytest.fixture(scope="module")
def page(browser: Any, app: RunningApp) -> Iterator[Any]:
    tab = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    tab.set_default_timeout(WAIT)
    tab.goto(app.url)
    tab.locator("#persona-cards .fl-card", has_text="Derek Walsh").wait_for()
    yield tab
    tab.close()


def _in_view(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not on the page"
    assert box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT, f"{selector} below the fold"
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, f"{selector} off to the side"
    return box


def test_starting_without_a_name_shows_one_message(page: Any) -> None:
    from playwright.sync_api import expect

    page.locator("#start-call").click()
    message = page.locator("#start-message")
    expect(message).to_contain_text("Enter your name at the top first")
    page.wait_for_timeout(500)  # an error would mark the outputs by now
    assert page.get_by_text("Error", exact=True).count() == 0  # no pill, no toast
    expect(page.locator("#call-status")).to_contain_text("Pick a customer")
    page.screenshot(path=str(ARTIFACTS / "practice-no-name-1280x720.png"))


def test_a_card_click_picks_the_customer(page: Any) -> None:
    from playwright.sync_api import expect

    radios = page.locator("#persona-picker")
    box = radios.bounding_box()
    assert box is None or box["width"] <= 1 and box["height"] <= 1  # visually hidden
    assert radios.locator("input[type=radio]").count() >= 8  # kept for keyboard users
    card = page.locator("#persona-cards .fl-card", has_text="Derek Walsh")
    card.click()
    expect(card).to_have_class("fl-card fl-picked")
    expect(card).to_have_attribute("aria-pressed", "true")
    expect(radios.locator('input[value="angry-escalation"]')).to_be_checked()
    other = page.locator("#persona-cards .fl-card", has_text="Priya Shah")
    other.focus()
    page.keyboard.press("Enter")  # a card also picks from the keyboard
    expect(radios.locator('input[value="warm-up"]')).to_be_checked()
    expect(card).not_to_have_class("fl-card fl-picked")
    card.click()


def test_during_a_call_the_chat_box_and_meter_fit_a_laptop_screen(page: Any) -> None:
    from playwright.sync_api import expect

    page.locator("#trainee-name input, #trainee-name textarea").first.fill("Layout Lee")
    page.locator("#start-call").click()
    chat = page.locator("#call-chat")
    chat.get_by_text("Third time I'm calling").wait_for()
    expect(page.locator("#start-message")).not_to_contain_text("Enter your name")
    expect(page.locator("#persona-cards")).to_be_hidden()  # folded away for the call
    expect(page.locator("#pick-customer")).to_contain_text("Derek Walsh")
    _say(page, EMPATHY, 1)
    assert page.evaluate("window.scrollY") == 0
    for selector in ("#call-chat", "#agent-line textarea", "#mood-meter", "#call-status"):
        _in_view(page, selector)
    assert _in_view(page, "#call-chat")["height"] >= 240  # a chat, not a sliver
    page.screenshot(path=str(ARTIFACTS / "practice-call-1280x720.png"))

    # The chat's Clear (trash) icon cannot wipe the call.
    expect(chat.locator('button[aria-label="Clear"]')).to_have_count(1)
    expect(chat.locator('button[aria-label="Clear"]')).to_be_hidden()
    chat.locator('button[aria-label="Clear"]').dispatch_event("click")  # even if pressed
    expect(chat.get_by_text(EMPATHY)).to_be_visible()
    expect(chat.locator('[data-testid="bot"]')).to_have_count(2)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_practice_pages_at_laptop_and_desktop_sizes(
    browser: Any, app: RunningApp, width: int, height: int
) -> None:
    """Screenshots of the practice page (pick, call, scorecard) at each size; the call fits."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(WAIT)
    page.goto(app.url)
    page.locator("#persona-cards .fl-card", has_text="Priya Shah").wait_for()
    expect(page.locator(".pending")).to_have_count(0)  # the page load's refresh has settled
    name = page.locator("#trainee-name input, #trainee-name textarea").first
    name.fill(f"Sizes {width}")
    expect(name).to_have_value(f"Sizes {width}")
    pick_customer(page, "Priya Shah")
    expect(page.locator("#persona-cards .fl-card.fl-picked")).to_contain_text("Priya Shah")
    page.screenshot(path=str(ARTIFACTS / f"practice-pick-{width}x{height}.png"))
    page.locator("#start-call").click()
    # the call before this one is still being scored on the shared app: allow for its queue
    page.locator("#call-chat").get_by_text("moving house next month").wait_for(timeout=3 * WAIT)
    _say(page, "Hello, thanks for calling Brightwater, how can I help today?", 1)
    for selector in ("#call-chat", "#agent-line textarea", "#mood-meter"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["y"] + box["height"] <= height, selector
    page.screenshot(path=str(ARTIFACTS / f"practice-call-{width}x{height}.png"))
    page.locator("#end-call").click()
    expect(page.locator("#scorecard")).to_contain_text("/100")
    page.screenshot(
        path=str(ARTIFACTS / f"practice-scorecard-{width}x{height}.png"), full_page=True
    )
    page.close()
