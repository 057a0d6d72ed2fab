"""The persona studio and History in a real browser (Playwright driving Debian's chromium).

What a trainer sees: a YAML syntax error in plain English next to the other problems, the
lines with problems marked in the editor itself; History's labelled progress chart and the
per-criterion pass rates, weakest first. Screenshots at 1280x720 and 1920x1080 go to
``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from test_browser_qa import ARTIFACTS, CHROMIUM_ARGS, SIZES, WAIT
from ui_helpers import RunningApp, chromium

from trainer.ui.studio import TEMPLATE

pytestmark = pytest.mark.browser

RED_GUTTER = "rgb(198, 40, 40)"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(CHROMIUM_ARGS, WAIT) as launched:
        yield launched


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_studio_marks_a_plain_english_syntax_error_and_the_rest(
    browser: Any, app: RunningApp, width: int, height: int
) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(WAIT)
    page.goto(app.url)
    page.get_by_role("tab", name="Persona studio").click()
    editor = page.locator("#persona-editor .cm-content")
    editor.wait_for()
    broken = TEMPLATE.replace("summary: One line", "  summary: One line").replace(
        "difficulty: medium", "difficulty: impossible"
    )
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(broken)
    problems = page.locator("#persona-problems")
    expect(problems).to_contain_text("line 3: invalid YAML: this line is indented more than")
    expect(problems).to_contain_text("line 4: difficulty: must be one of")
    expect(problems).not_to_contain_text("mapping values")
    # marked in the editor: line 3's gutter number is red and the line carries the message
    gutter = page.locator("#persona-editor .cm-lineNumbers .cm-gutterElement", has_text="3")
    expect(gutter.first).to_have_css("background-color", RED_GUTTER)
    line3 = editor.locator(".cm-line").nth(2)
    expect(line3).to_have_text("  summary: One line the trainee sees on the card.")
    after = line3.evaluate("e => getComputedStyle(e, '::after').content")
    assert "indented more than the one above" in after
    clean = editor.locator(".cm-line").nth(0)
    assert clean.evaluate("e => getComputedStyle(e, '::after').content") == "none"
    page.screenshot(path=str(ARTIFACTS / f"studio-syntax-{width}x{height}.png"))
    page.close()


def _card(overall: float, statuses: dict[str, str]) -> dict:
    criteria = [
        {"id": c, "title": c.replace("_", " ").capitalize(), "category": "x", "status": s}
        for c, s in statuses.items()
    ]
    return {"overall": overall, "categories": {"empathy": 1 - overall / 100}, "criteria": criteria}


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_history_chart_is_labelled_and_the_trainer_view_ranks_criteria(
    browser: Any, app: RunningApp, width: int, height: int
) -> None:
    from playwright.sync_api import expect

    who = f"studio-hist-{width}"
    for i, (score, owns) in enumerate([(40.0, "failed"), (70.0, "failed"), (85.0, "passed")]):
        app.store.save(
            call_id=f"{who}-{i}", trainee=who, persona="warm-up", state={},
            transcript={"turns": []}, outcome="resolved", overall=score,
            scorecard=_card(score, {"greets_zz": "passed", "owns_it_zz": owns}),
        )  # fmt: skip
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(WAIT)
    page.goto(app.url)
    page.get_by_label("Your name").fill(who)
    page.get_by_role("tab", name="History").click()
    page.locator("#history-refresh").click()
    name = yaml.safe_load((app.personas_dir / "warm-up.yaml").read_text(encoding="utf-8"))["name"]
    expect(page.locator("#my-calls")).to_contain_text(name)  # the caller's name, not the id
    chart = page.locator("#progress-chart")
    for label in ("call number", "score (0-100)", "overall", "empathy"):
        expect(chart).to_contain_text(label)
    expect(page.locator(".pending")).to_have_count(0)  # the tab-select refresh has settled
    page.screenshot(path=str(ARTIFACTS / f"history-{width}x{height}.png"), full_page=True)
    page.get_by_role("tab", name="Trainer view").click()
    page.locator("#trainer-refresh").click()
    criteria = page.locator("#criteria")
    expect(criteria).to_contain_text("Owns it zz")
    text = criteria.inner_text()
    assert text.index("Owns it zz") < text.index("Greets zz")  # weakest first
    expect(page.locator(".pending")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / f"history-trainer-{width}x{height}.png"), full_page=True)
    page.close()


def test_a_persona_saved_in_the_studio_reaches_the_practice_tab_without_a_reload(
    browser: Any, app: RunningApp
) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.set_default_timeout(WAIT)
    saved = app.personas_dir / "tab-select-caller.yaml"
    try:
        page.goto(app.url)
        picker = page.locator("#persona-cards")
        expect(picker).to_contain_text("Priya Shah")  # the practice tab, as first loaded
        expect(picker).not_to_contain_text("Tabitha Select")
        text = TEMPLATE.replace("id: new-persona", "id: tab-select-caller").replace(
            "name: Sam Carter", "name: Tabitha Select"
        )
        page.get_by_role("tab", name="Persona studio").click()
        editor = page.locator("#persona-editor .cm-content")
        editor.click()
        page.keyboard.press("Control+A")
        page.keyboard.press("Delete")
        page.keyboard.insert_text(text)
        page.locator("#save-persona").click()
        expect(page.locator("#save-message")).to_contain_text("tab-select-caller")
        page.get_by_role("tab", name="Practice").click()  # no page reload
        expect(picker).to_contain_text("Tabitha Select")
    finally:
        saved.unlink(missing_ok=True)
        page.close()
