""" "Öppna i webbläsaren": ``/c/{conversation_id}`` opens a conversation held in Slack in the web chat,
restored from the server; a follow-up asked there continues the same conversation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.settings import Settings
from records import Answer, ConversationStore
from tests.web.helpers import FakeAssistant, LiveServer, answer_events
from web.main import create_app

CHROMIUM = Path("/usr/bin/chromium")


def slack_conversation(settings: Settings) -> str:
    store = ConversationStore.from_url(settings.sql_url)
    try:
        answer = Answer(
            "Ja, i etapper [1].", [], refused=False, mode="llm", language="sv", query="", top_chunk_ids=[]
        )
        return store.record_exchange(
            None, "Får partnerskapet delas in i etapper?", answer, channel="slack"
        ).conversation_id
    finally:
        store.dispose()


def test_the_link_serves_the_chat_page_and_only_for_an_id(settings: Settings) -> None:
    conversation_id = slack_conversation(settings)
    with TestClient(create_app(settings)) as client:
        page = client.get(f"/c/{conversation_id}")
        assert page.status_code == 200 and page.text == client.get("/").text
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        assert client.get("/c/..%2Fstatic").status_code in (404, 422)
        assert client.get("/c/not-an-id").status_code == 422


@pytest.fixture
def browser_page(settings: Settings) -> Iterator[tuple[Any, str, FakeAssistant]]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    app = create_app(settings)
    fake = FakeAssistant()
    app.state.assistant = fake
    with LiveServer(app) as server, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        page = chromium.new_page()
        yield page, server.url, fake
        chromium.close()


@pytest.mark.slow
@pytest.mark.browser
def test_a_slack_conversation_opens_in_the_web_chat_and_continues_there(
    browser_page: tuple[Any, str, FakeAssistant], settings: Settings
) -> None:
    page, url, fake = browser_page
    conversation_id = slack_conversation(settings)
    page.goto(f"{url}/c/{conversation_id}")
    page.locator(".turn--assistant").first.wait_for(timeout=20_000)
    assert page.locator(".turn--user .question").all_inner_texts() == [
        "Får partnerskapet delas in i etapper?"
    ]
    assert page.evaluate("location.pathname") == "/", "the address is the chat's again"
    assert page.evaluate("localStorage.getItem('advisor.conversation')") == conversation_id

    fake.enqueue(*answer_events("Tre etapper [1]."))
    box = page.locator("#question")
    box.fill("Hur många etapper?")
    box.press("Enter")
    page.locator('.turn--assistant .answer__body[aria-busy="false"]').nth(1).wait_for(timeout=20_000)
    assert [turn.role for turn in fake.calls[0].history] == ["user", "assistant"]
    store = ConversationStore.from_url(settings.sql_url)
    try:
        stored = store.conversation(conversation_id)
    finally:
        store.dispose()
    assert stored is not None and len(stored["messages"]) == 4
