"""The advisors' pages in real headless Chromium: sign in → upload a PDF → watch it reach indexed →
ask about it in the chat and see it cited → disable it → no longer cited → find a refused question in
the review list → mark its group resolved → the audit log shows each step. axe on every admin page,
and no horizontal scroll at 320 px. Screenshots go to test-artifacts/ for a reviewer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.pipeline import sync
from records import Answer, ConversationStore
from records.slack import SlackStore
from tests.admin.conftest import PASSWORD, make_tokens
from tests.admin.pdf import text_pdf
from tests.fakes import GUIDE, STATUTE
from tests.support.llm_stub import LLMStub
from tests.web.helpers import LiveServer, stubbed_settings
from tests.web.test_browser import ARTIFACTS, AXE, CHROMIUM, CHROMIUM_ARGS, DESKTOP
from web.main import create_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PDF_TITLE = "plogar"
QUESTION = "Kan kommunen ställa krav på att plogbilarna drivs med el?"
REFUSED = "Vad kostar en kaffe i Kiruna?"
ESCALATED = "Hur räknar vi värdet av ett ramavtal?"


@dataclass
class Site:
    url: str
    settings: Settings


def seed_escalation(settings: Settings) -> None:
    """A question handed to an advisor from Slack, for the queue."""
    conversations = ConversationStore.from_url(settings.sql_url)
    try:
        answer = Answer("Svar [1].", [], False, "extractive", "sv", "ramavtal", [])
        exchange = conversations.record_exchange(None, ESCALATED, answer, channel="slack")
        SlackStore(conversations.engine).open_escalation(
            exchange.conversation_id,
            exchange.message_id,
            requested_by="U123",
            thread_link="https://example.slack.com/archives/C1/p1",
        )
    finally:
        conversations.dispose()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    root = tmp_path_factory.mktemp("admin-browser")
    docs = root / "docs"
    docs.mkdir()
    (docs / "lou.md").write_text(STATUTE, encoding="utf-8")
    (docs / "dialog.md").write_text(GUIDE, encoding="utf-8")
    with LLMStub() as llm:
        base = Settings(_env_file=None, data_dir=root / "data")  # type: ignore[call-arg]
        settings = stubbed_settings(base, llm, with_llm=False).model_copy(
            update={"chroma_url": None, "database_url": None}
        )
        assert sync([docs], ChunkStore(settings)).ok
        make_tokens(settings)
        seed_escalation(settings)
        with LiveServer(create_app(settings)) as server:
            yield Site(server.url, settings)


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
    # bypass_csp only so the test can inject axe-core; the pages themselves need no exception.
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True, locale="sv-SE")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"admin-{name}.png"), full_page=True)


def accessible(page: Any, name: str) -> None:
    """No serious or critical axe violation, and no horizontal scroll at 320 px."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
            return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                .map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }"""
    )
    assert violations == [], f"{name}: {violations}"
    page.set_viewport_size({"width": 320, "height": 640})
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    shot(page, f"{name}-320")
    page.set_viewport_size(DESKTOP)
    assert overflow <= 0, f"{name}: horizontal scroll of {overflow}px at 320px"


def sources_after_asking(page: Any, site: Site, question: str) -> str:
    page.goto(site.url + "/")
    page.evaluate("localStorage.clear()")  # a new conversation, not the one before restored
    page.reload()
    page.locator("#question").fill(question)
    page.locator("#question").press("Enter")
    answer = page.locator(".turn--assistant").first
    answer.locator('.answer__body[aria-busy="false"]').wait_for(timeout=30_000)
    sources = answer.locator(".sources")
    return sources.inner_text() if sources.count() else ""


def test_sign_in_upload_a_pdf_see_it_cited_then_disable_it(page: Any, site: Site, tmp_path: Path) -> None:
    page.goto(site.url + "/admin")
    assert page.url.startswith(site.url + "/admin/login")
    accessible(page, "login")
    page.get_by_label("Användarnamn").fill("anna")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_role("heading", name="Dokument", exact=True).wait_for()
    assert page.locator("tbody tr").count() == 2
    accessible(page, "documents")

    pdf = tmp_path / "plogar.pdf"
    pdf.write_bytes(
        text_pdf(
            "Snöröjning med eldrivna plogar",
            [
                "Kommunen kan ställa krav på att plogbilarna drivs med el",
                "och att laddning ordnas vid depån.",
            ],
        )
    )
    page.get_by_label("Filer (PDF, DOCX, HTML, Markdown eller text)").set_input_files(str(pdf))
    page.get_by_role("button", name="Ladda upp").click()
    upload = page.locator("[data-upload]")
    upload.wait_for()
    # The script follows the status until it is final, without a reload.
    page.locator('[data-upload][data-status="indexed"]').wait_for(timeout=120_000)
    assert upload.locator("[data-role=status]").inner_text() == "Indexerad"
    page.locator("#upload-done a").wait_for()
    shot(page, "uploaded")
    accessible(page, "documents-with-upload")

    assert PDF_TITLE in sources_after_asking(page, site, QUESTION)
    shot(page, "chat-cites-the-upload")

    page.goto(site.url + "/admin")
    row = page.locator("tbody tr", has_text=PDF_TITLE)
    row.get_by_role("button", name=f"Stäng av för {PDF_TITLE}").click()
    page.get_by_text("Dokumentet är avstängt.").wait_for()
    assert "Avstängt" in page.locator("tbody tr", has_text=PDF_TITLE).inner_text()
    shot(page, "disabled")
    page.locator("tbody tr", has_text=PDF_TITLE).get_by_role("link", name=PDF_TITLE, exact=True).click()
    page.locator(".chunk").first.wait_for()
    assert "plogbilarna drivs med el" in page.locator(".chunk__text").first.inner_text()
    accessible(page, "document")

    assert PDF_TITLE not in sources_after_asking(page, site, QUESTION)

    # A question the documents do not cover is refused, and shows up in the review list.
    sources_after_asking(page, site, REFUSED)
    page.goto(site.url + "/admin/review")
    page.get_by_label("Avböjda").select_option("yes")
    page.get_by_role("button", name="Visa").click()
    page.get_by_role("link", name=REFUSED).click()
    page.get_by_role("heading", name=REFUSED).wait_for()
    accessible(page, "review-entry")
    page.goto(site.url + "/admin/review?refused=yes")
    accessible(page, "review")

    page.goto(site.url + "/admin/gaps")
    gap = page.locator("[data-gap]", has_text=REFUSED)
    gap.get_by_label("Åtgärdad").check()
    gap.get_by_label("Anteckning (t.ex. vilket dokument som lades till)").fill("Kaffe hör inte till tjänsten")
    gap.get_by_role("button", name="Spara").click()
    page.get_by_text("Sparat.").wait_for()
    assert "Åtgärdad" in page.locator("[data-gap]", has_text=REFUSED).inner_text()
    shot(page, "gap-resolved")
    accessible(page, "gaps")

    page.goto(site.url + "/admin/bench")
    page.get_by_label("Fråga", exact=True).fill(QUESTION)
    page.get_by_role("button", name="Sök").click()
    page.locator("[data-role=verdict]").wait_for()
    assert page.locator("tbody tr").count() >= 1
    accessible(page, "bench")

    page.goto(site.url + "/admin/vocabulary?kind=synonyms")
    page.locator("#content").wait_for()
    accessible(page, "vocabulary")

    page.goto(site.url + "/admin/escalations")
    item = page.locator("[data-escalation]", has_text=ESCALATED)
    item.locator("form[action$='/take'] button").click()
    page.locator("[data-escalation]", has_text="tagen av anna").wait_for()
    accessible(page, "escalations")

    page.goto(site.url + "/admin/language?to=en&next=/admin")
    page.get_by_role("heading", name="Documents", exact=True).wait_for()
    accessible(page, "documents-english")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You are signed out.").wait_for()

    # An admin reads every step in the audit log.
    page.get_by_label("User name").fill("adam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(site.url + "/admin/audit")
    actions = page.locator("tbody tr [scope=row]").all_inner_texts()
    for step in ("session.sign_in", "document.upload", "document.disable", "gap.resolved", "escalation.take"):
        assert step in actions, (step, actions)
    assert (
        actions.index("gap.resolved") < actions.index("document.disable") < actions.index("document.upload")
    )
    shot(page, "audit")
    accessible(page, "audit")
    page.goto(site.url + "/admin/accounts")
    page.locator("[data-user=anna]").wait_for()
    accessible(page, "accounts")
