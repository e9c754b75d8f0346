"""The escalation queue: questions handed to an advisor from Slack, taken and resolved from the
advisors' pages (with the CSRF token), audited, with only web links offered as links."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from records import Answer, ConversationStore
from records.slack import SlackStore
from tests.admin.test_pages import sign_in, signed_in

QUESTION = "Hur räknar vi värdet av ett ramavtal?"


@pytest.fixture
def escalated(client: TestClient) -> dict[str, int]:
    conversations = ConversationStore.from_url(client.app.state.settings.sql_url)
    try:
        exchange = conversations.record_exchange(
            None,
            QUESTION,
            Answer("Svar [1].", [], False, "extractive", "sv", "ramavtal värde", []),
            channel="slack",
        )
        slack = SlackStore(conversations.engine)
        first = slack.open_escalation(
            exchange.conversation_id,
            exchange.message_id,
            requested_by="U123",
            thread_link="https://example.slack.com/archives/C1/p1",
        )
        second = slack.open_escalation(
            exchange.conversation_id,
            exchange.message_id,
            requested_by="U456",
            thread_link="javascript:alert(1)",
        )
        return {"first": first.id, "second": second.id}
    finally:
        conversations.dispose()


def item(page: str, escalation_id: int) -> str:
    return page.split(f'data-escalation="{escalation_id}"')[1].split("</li>")[0]


def test_the_queue_shows_each_question_with_its_thread(client: TestClient, escalated: dict[str, int]) -> None:
    signed_in(client)
    page = client.get("/admin/escalations").text
    first = item(page, escalated["first"])
    assert QUESTION in first and "Öppen" in first and "U123" in first
    assert 'href="https://example.slack.com/archives/C1/p1"' in first
    assert "javascript:" not in page


def test_an_advisor_takes_and_resolves_a_question(client: TestClient, escalated: dict[str, int]) -> None:
    csrf = signed_in(client)
    number = escalated["first"]
    client.post(f"/admin/escalations/{number}/take", data={"csrf": csrf})
    assert "tagen av anna" in item(client.get("/admin/escalations").text, number)
    client.post(f"/admin/escalations/{number}/resolve", data={"csrf": csrf, "note": "Svarade i tråden"})
    resolved = client.get("/admin/escalations?status=resolved").text
    assert "löst av anna" in item(resolved, number) and "Svarade i tråden" in item(resolved, number)
    assert f'data-escalation="{escalated["second"]}"' not in resolved
    actions = [(e["action"], e["target"]) for e in client.app.state.accounts.audit_log()][:2]
    assert actions == [("escalation.resolve", str(number)), ("escalation.take", str(number))]


def test_taking_needs_the_csrf_token(client: TestClient, escalated: dict[str, int]) -> None:
    signed_in(client)
    response = client.post(
        f"/admin/escalations/{escalated['first']}/take", data={"csrf": "fel"}, follow_redirects=False
    )
    assert "csrf_failed" in response.headers["location"]
    assert "Öppen" in item(client.get("/admin/escalations").text, escalated["first"])


def test_the_queue_needs_an_advisor(client: TestClient, escalated: Any) -> None:
    assert client.get("/admin/escalations", follow_redirects=False).status_code == 303
    sign_in(client, name="petra")
    response = client.get("/admin/escalations", follow_redirects=False)
    assert "not_advisor" in response.headers["location"]
