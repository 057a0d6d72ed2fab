"""The practice page in a real browser while the customer speaks, and when the model fails.

A gated backend holds each reply until the test opens the gate, so what the page shows
*during* a reply (the box disabled and saying who speaks, the status) can be asserted
without racing a fast reply. Debian's chromium via Playwright, as in test_browser.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_helpers import REPO, RunningApp, launch, pick_customer

from trainer.llm.base import Backend, BackendError, GenerationParams, Message

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
WAIT = 30_000  # ms: a loaded CI machine; Playwright's waits retry until then
REPLIES = [  # a different one each time: the guard rejects a repeated reply
    "Right, thanks for that. So what happens next with my account?",
    "Okay, lovely. And will someone read the meter on the day?",
    "Brilliant, that all sounds fine to me then, thank you.",
    "Great, and is there anything else you need from me today?",
]

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium", allow_module_level=True)


class GatedBackend(Backend):
    """Each reply waits for ``gate``; ``fail`` makes it a backend error; ``down`` an outage."""

    name = "gated"
    model_id = "gated"
    generates = True

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.replies = 0
        self.fail = False
        self.down: str | None = None

    def stream(self, messages: list[Message], params: GenerationParams) -> Iterator[str]:
        return self._play()

    def stream_text(self, prompt: str, params: GenerationParams) -> Iterator[str]:
        return self._play()

    def outage(self) -> str | None:
        return self.down

    def _play(self) -> Iterator[str]:
        if not self.gate.wait(120):
            raise BackendError("the test never opened the gate")
        if self.fail:
            raise BackendError("refused")
        reply = REPLIES[self.replies % len(REPLIES)]
        self.replies += 1
        yield from (word + " " for word in reply.split())


@pytest.fixture(scope="module")
def gated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningApp, GatedBackend]]:
    backend = GatedBackend()
    running = launch(tmp_path_factory.mktemp("gated"), backend=backend)
    yield running, backend
    backend.gate.set()
    running.demo.close()


@pytest.fixture(scope="module")
def page(gated: tuple[RunningApp, GatedBackend]) -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 720})
        tab.set_default_timeout(WAIT)
        tab.goto(gated[0].url)
        tab.locator("#persona-cards .fl-card", has_text="Priya Shah").wait_for()
        yield tab
        browser.close()


def _start(page: Any, name: str) -> None:
    page.locator("#trainee-name input, #trainee-name textarea").first.fill(name)
    pick_customer(page, "Priya Shah")
    page.locator("#start-call").click()
    page.locator("#call-chat").get_by_text("moving house next month").wait_for()


def test_the_box_waits_visibly_while_the_customer_speaks(page: Any, gated) -> None:
    from playwright.sync_api import expect

    _, backend = gated
    backend.gate.clear()
    _start(page, "Browser Bea")
    box = page.locator("#agent-line textarea")
    box.fill("Hello, thanks for calling, how can I help?")
    box.press("Enter")
    # At once, before any word of the reply: the box is disabled and says who speaks.
    expect(box).to_be_disabled()
    expect(box).to_have_attribute("placeholder", "Priya Shah is speaking…")
    expect(page.locator("#call-status")).to_contain_text("Priya Shah is speaking")
    page.screenshot(path=str(ARTIFACTS / "practice-speaking.png"))
    backend.gate.set()
    chat = page.locator("#call-chat")
    expect(chat.get_by_text("So what happens next with my account?")).to_be_visible()
    expect(box).to_be_enabled()
    expect(box).to_have_attribute("placeholder", "Say something to the customer and press Enter")
    expect(page.locator("#call-status")).to_contain_text("turn 1")
    expect(page.locator("#backend-notice")).not_to_contain_text("scripted")
    # The next line goes through: nothing typed was lost.
    box.fill("I can move that for you today.")
    box.press("Enter")
    expect(chat.get_by_text("I can move that for you today.")).to_be_visible()
    expect(chat.locator('[data-testid="bot"]')).to_have_count(3)


def test_the_page_says_when_the_model_fails_or_is_down(page: Any, gated) -> None:
    from playwright.sync_api import expect

    _, backend = gated
    backend.gate.set()
    backend.fail = True
    box = page.locator("#agent-line textarea")
    box.fill("Could you give me your new postcode?")
    box.press("Enter")
    notice = page.locator("#backend-notice")
    expect(notice).to_contain_text("The model did not answer in time")
    expect(box).to_be_enabled()
    backend.down = "The model server is not answering, so the customer speaks scripted lines."
    box.fill("Thank you, one moment please.")
    box.press("Enter")
    expect(notice).to_contain_text("The model server is not answering")
    page.screenshot(path=str(ARTIFACTS / "practice-model-down.png"))
    backend.fail, backend.down = False, None
    box.fill("Right, that is all done for you now.")
    box.press("Enter")
    expect(notice).not_to_contain_text("scripted")  # back to the model: the notice goes


def test_start_during_a_call_asks_and_keeps_or_abandons_it(page: Any, gated) -> None:
    from playwright.sync_api import expect

    running, backend = gated
    backend.gate.set()
    chat = page.locator("#call-chat")
    # the last reply of the test above may still be streaming: count once it is done
    expect(page.locator("#agent-line textarea")).to_be_enabled()
    bots = chat.locator('[data-testid="bot"]').count()
    assert bots >= 2  # the call from the tests above goes on
    row, question = page.locator("#confirm-start-row"), page.locator("#confirm-start-text")
    expect(row).to_be_hidden()
    pick_customer(page, "Derek Walsh")
    page.locator("#start-call").click()
    expect(question).to_contain_text("You are on a call with Priya Shah")
    expect(question).to_contain_text("saved as abandoned")
    page.screenshot(path=str(ARTIFACTS / "practice-confirm-start.png"))
    page.locator("#keep-call").click()
    expect(row).to_be_hidden()
    expect(chat.locator('[data-testid="bot"]')).to_have_count(bots)  # nothing lost
    page.locator("#start-call").click()
    expect(row).to_be_visible()
    page.locator("#confirm-start").click()
    expect(chat.get_by_text("Third time I'm calling")).to_be_visible()
    expect(row).to_be_hidden()
    calls = running.store.list_calls("Browser Bea")
    assert [c.outcome for c in calls] == ["abandoned", "ongoing"]
    assert calls[0].scorecard is not None and calls[0].agent_turns >= 2
