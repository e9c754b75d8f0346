"""The chat page in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

The app runs under uvicorn on loopback with the real core, the project's corpus, and the LLM stub
for chat and embeddings. Screenshots go to test-artifacts/ for a reviewer to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant.prompts import REFUSAL_MARKER
from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.pipeline import sync
from records import ConversationStore
from tests.support.llm_stub import LLMStub
from tests.web.helpers import LiveServer, stubbed_settings
from web.main import create_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
ARTIFACTS = ROOT / "test-artifacts"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
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
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}

ANSWER = (
    "Innovationspartnerskap får användas när myndighetens behov inte kan tillgodoses genom att köpa "
    "lösningar som redan finns på marknaden [1]. Partnerskapet delas in i etapper med delmål, och "
    "myndigheten kan avsluta det efter varje etapp [1][2]. Läs mer om förfarandet i vägledningen [2]."
)


@dataclass
class Site:
    url: str
    llm: LLMStub
    settings: Settings


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    data = tmp_path_factory.mktemp("browser") / "data"
    with LLMStub() as llm:
        base = Settings(_env_file=None, data_dir=data)  # type: ignore[call-arg]
        settings = stubbed_settings(base, llm).model_copy(update={"chroma_url": None, "database_url": None})
        report = sync([CORPUS], ChunkStore(settings))
        assert report.ok, report.failed
        with LiveServer(create_app(settings)) as server:
            yield Site(server.url, llm, settings)


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    site.llm.reset()
    # bypass_csp only so the test can inject axe-core; the page itself needs no exception.
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True, locale="sv-SE")
    page = context.new_page()
    errors: list[str] = []
    elsewhere: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda r: None if r.url.startswith((site.url, "data:")) else elsewhere.append(r.url))
    page.goto(site.url + "/")
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"
    assert elsewhere == [], f"the page fetched from other hosts: {elsewhere}"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def ask(page: Any, question: str) -> None:
    box = page.locator("#question")
    box.fill(question)
    box.press("Enter")


def wait_for_answer(page: Any, count: int = 1) -> Any:
    answer = page.locator(".turn--assistant").nth(count - 1)
    answer.locator('.answer__body[aria-busy="false"]').wait_for(timeout=20_000)
    return answer


def axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


# --- tests -------------------------------------------------------------------------------------------


def test_the_answer_streams_in_and_a_citation_opens_its_passage(page: Any, site: Site) -> None:
    assert page.locator("html").get_attribute("lang") == "sv"
    examples = page.locator(".example")
    assert examples.count() == 3 and "innovationspartnerskap" in examples.first.inner_text()
    shot(page, "desktop-empty")

    site.llm.delay = 0.08
    site.llm.enqueue(ANSWER)
    examples.first.click()
    body = page.locator(".turn--assistant .answer__body").first
    page.wait_for_function(
        """() => {
            const b = document.querySelector('.turn--assistant .answer__body');
            return b && b.getAttribute('aria-busy') === 'true' && b.textContent.trim().split(/\\s+/).length >= 3;
        }""",
        timeout=20_000,
    )
    partial = body.inner_text()
    assert body.get_attribute("aria-live") == "polite"
    assert 0 < len(partial) < len(ANSWER) - 20, "part of the answer is shown before it is done"

    answer = wait_for_answer(page)
    assert "efter varje etapp" in answer.locator(".answer__body").inner_text()
    citations = answer.locator(".answer__body button.cite")
    assert citations.count() == 4
    assert answer.locator(".sources li").count() == 2

    citations.first.click()
    panel = page.locator("#passage-panel")
    panel.wait_for(state="visible")
    assert page.evaluate("document.activeElement.id") == "panel-title"
    assert "Källa 1" in panel.locator("#panel-title").inner_text()
    assert panel.locator("#panel-doc").inner_text().strip()
    assert panel.locator("#panel-text").inner_text().strip()
    assert citations.first.get_attribute("aria-expanded") == "true"

    page.keyboard.press("Escape")
    assert panel.is_hidden()
    assert page.evaluate("document.activeElement.classList.contains('cite')"), "focus returns to the citation"
    page.keyboard.press("Enter")
    panel.wait_for(state="visible")
    shot(page, "desktop-answer-with-passage")


def test_feedback_with_a_comment_is_stored(page: Any, site: Site) -> None:
    ask(page, "Vad är direktupphandlingsgränsen?")
    answer = wait_for_answer(page)
    answer.get_by_role("button", name="Nej", exact=True).click()
    answer.get_by_label("Vad kunde ha varit bättre? (valfritt)").fill("Beloppet saknas i svaret.")
    answer.get_by_role("button", name="Skicka kommentar").click()
    answer.get_by_text("Tack, kommentaren är sparad.").wait_for()
    assert answer.get_by_role("button", name="Nej", exact=True).get_attribute("aria-pressed") == "true"

    conversation_id = page.evaluate("localStorage.getItem('advisor.conversation')")
    store = ConversationStore.from_url(site.settings.sql_url)
    try:
        feedback = store.feedback(conversation_id)
    finally:
        store.dispose()
    assert [(f["rating"], f["comment"]) for f in feedback] == [("down", "Beloppet saknas i svaret.")]


def test_a_reload_restores_the_conversation(page: Any, site: Site) -> None:
    site.llm.enqueue(ANSWER)
    ask(page, "När får man använda innovationspartnerskap?")
    wait_for_answer(page)
    site.llm.enqueue("Ja, etapperna har delmål [1].")
    ask(page, "Och etapperna?")
    wait_for_answer(page, 2)

    page.reload()
    second = wait_for_answer(page, 2)
    questions = page.locator(".turn--user .question").all_inner_texts()
    assert questions == ["När får man använda innovationspartnerskap?", "Och etapperna?"]
    assert second.locator("button.cite").count() == 1
    assert page.locator("#examples").is_hidden()

    page.get_by_role("button", name="Ny konversation").click()
    assert page.locator(".turn").count() == 0
    assert page.evaluate("localStorage.getItem('advisor.conversation')") is None
    assert page.evaluate("document.activeElement.id") == "question"


def test_english_can_be_switched_on(page: Any, site: Site) -> None:
    page.get_by_role("button", name="In English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_label("Your question").is_visible()
    assert "innovation partnership" in page.locator(".example").first.inner_text()
    # An English question is first rewritten into Swedish search terms, then answered.
    site.llm.enqueue(
        "När får man använda innovationspartnerskap",
        "An innovation partnership may be used when no solution exists on the market [1].",
    )
    ask(page, "When may an innovation partnership be used?")
    answer = wait_for_answer(page)
    assert "innovation partnership" in answer.locator(".answer__body").inner_text()
    assert answer.get_by_role("button", name="Yes", exact=True).is_visible()

    page.reload()
    assert page.locator("html").get_attribute("lang") == "en", "the choice survives a reload"
    page.get_by_role("button", name="På svenska").click()
    assert page.locator("html").get_attribute("lang") == "sv"


def test_a_phone_gets_no_horizontal_scroll_and_the_passage_below_the_answer(page: Any, site: Site) -> None:
    page.set_viewport_size(PHONE)
    shot(page, "phone-empty")
    site.llm.enqueue(ANSWER)
    ask(page, "När får man använda innovationspartnerskap?")
    answer = wait_for_answer(page)
    answer.locator("button.cite").first.click()
    panel = page.locator("#passage-panel")
    panel.wait_for(state="visible")
    answer_box = answer.locator("article").bounding_box()
    panel_box = panel.bounding_box()
    assert panel_box["y"] >= answer_box["y"] + answer_box["height"] - 1, "the passage is below its answer"
    shot(page, "phone-answer-with-passage")

    for width in (375, 320):
        page.set_viewport_size({"width": width, "height": 640})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"horizontal scroll of {overflow}px at {width}px"


def test_the_models_refusal_shows_the_refusal_note(page: Any, site: Site) -> None:
    # A question the evidence gate lets through, so it is the model that declines.
    question = "När får man använda innovationspartnerskap?"
    site.llm.enqueue(REFUSAL_MARKER)
    ask(page, question)
    answer = wait_for_answer(page)
    note = answer.locator(".note--refused")
    assert note.is_visible() and "avstår" in note.inner_text()
    assert answer.locator(".sources li").count() == 0
    assert REFUSAL_MARKER not in answer.inner_text()
    (request,) = site.llm.chat_requests
    assert request["messages"][-1]["content"] == question


def test_no_serious_accessibility_violations(page: Any, site: Site) -> None:
    assert axe_violations(page) == []
    site.llm.enqueue(ANSWER)
    ask(page, "När får man använda innovationspartnerskap?")
    answer = wait_for_answer(page)
    answer.get_by_role("button", name="Ja", exact=True).click()
    answer.locator("button.cite").first.click()
    page.locator("#passage-panel").wait_for(state="visible")
    assert axe_violations(page) == []
    page.get_by_role("button", name="In English").click()
    assert answer.locator("button.cite").first.get_attribute("aria-label").startswith("Source 1:")
    assert axe_violations(page) == []


def test_keyboard_alone_reaches_the_question_and_sends_it(page: Any, site: Site) -> None:
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Hoppa till frågan"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "question"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "focus is visible"
    page.keyboard.press("Enter")
    assert page.get_by_text("Skriv en fråga först.").is_visible()
    # The text box takes no more than the server does (issue 12, item 14).
    page.locator("#question").fill("Lång fråga " * 200)
    assert len(page.locator("#question").input_value()) == site.settings.max_question_chars
    assert page.locator(".turn").count() == 0
    page.locator("#question").fill("")
    page.keyboard.type("Gäller LOU för forsknings- och utvecklingstjänster?")
    page.keyboard.press("Enter")
    wait_for_answer(page)
    assert page.locator(".turn--user .question").first.inner_text().startswith("Gäller LOU")


@pytest.fixture
def extractive_site(site: Site) -> Iterator[str]:
    offline = site.settings.model_copy(update={"llm_provider": "none", "max_question_chars": 120})
    with LiveServer(create_app(offline)) as server:
        yield server.url


def test_without_a_language_model_the_page_says_answers_are_excerpts(
    browser: Any, extractive_site: str
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto(extractive_site + "/")
        page.locator("#llm-notice").wait_for(state="visible")
        # The text box follows the server's limit, not the page's default.
        page.locator("#question").fill("Lång fråga " * 50)
        assert len(page.locator("#question").input_value()) == 120
        ask(page, "När får man använda innovationspartnerskap?")
        answer = wait_for_answer(page)
        # Said once in the answer (its first line, the same in every channel), not again under it.
        text = answer.inner_text()
        assert text.count("Utdrag ur underlaget") == 1 and "inte ett sammanfattat svar" in text
        assert answer.locator(".note--extractive").count() == 0
        assert answer.locator("blockquote").count() >= 1
        shot(page, "desktop-extractive")
    finally:
        context.close()


def test_the_api_docs_render_without_a_cdn(page: Any, site: Site) -> None:
    page.goto(site.url + "/docs")
    page.locator(".swagger-ui .info .title").wait_for(timeout=20_000)
    assert "Rådgivare för innovationsupphandling" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.get_by_text("/api/chat").first.is_visible()
