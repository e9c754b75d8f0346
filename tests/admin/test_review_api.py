"""The review API: the question log filtered, one entry, gaps and their verdicts, the bench and the
audit log, each behind an advisor's token (the audit log an admin's)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.admin.conftest import Tokens

ROUTES = [
    ("get", "/api/review", None),
    ("get", "/api/review/1", None),
    ("get", "/api/gaps", None),
    ("patch", "/api/gaps/abc", {"status": "resolved"}),
    ("post", "/api/bench", {"query": "avtalsspärr"}),
    ("get", "/api/audit", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
@pytest.mark.parametrize(("who", "code"), [(None, 401), ("wrong", 401), ("procurer", 403), ("disabled", 403)])
def test_every_review_route_needs_an_advisor(
    bare: tuple[TestClient, Tokens], method: str, path: str, body: Any, who: str | None, code: int
) -> None:
    client, tokens = bare
    headers = (
        {} if who is None else {"Authorization": "Bearer adv_wrong"} if who == "wrong" else tokens.header(who)
    )
    response = client.request(method.upper(), path, json=body, headers=headers)
    assert response.status_code == code and response.json()["key"] in ("not_authenticated", "forbidden")


@pytest.mark.parametrize(
    ("query", "total"),
    [("", 8), ("refused=true", 5), ("rating=down", 1), ("outcome=injection", 1), ("q=Kiruna", 2)],
)
def test_the_log_is_filtered(client: TestClient, tokens: Tokens, logged: Any, query: str, total: int) -> None:
    response = client.get(f"/api/review?{query}", headers=tokens.header())
    assert response.status_code == 200 and response.json()["total"] == total


def test_a_bad_filter_is_a_422_in_the_usual_shape(client: TestClient, tokens: Tokens) -> None:
    response = client.get("/api/review?since=igår", headers=tokens.header())
    assert response.status_code == 422 and response.json()["key"] == "invalid_input"


def test_one_entry_and_a_missing_one(client: TestClient, tokens: Tokens, logged: Any) -> None:
    first = client.get("/api/review?rating=down", headers=tokens.header()).json()["entries"][0]
    entry = client.get(f"/api/review/{first['id']}", headers=tokens.header()).json()
    assert entry["question"] == "Hur lång är avtalsspärren?" and entry["answer"] == "Svar [1]."
    assert entry["comment"] == "Fel antal dagar" and entry["evidence"] == 0.82
    missing = client.get("/api/review/999999", headers=tokens.header())
    assert missing.status_code == 404 and missing.json()["key"] == "entry_not_found"


def test_a_gap_is_resolved_through_the_api(client: TestClient, tokens: Tokens, logged: Any) -> None:
    gaps = client.get("/api/gaps", headers=tokens.header()).json()
    assert gaps[0]["count"] == 2 and gaps[0]["status"] == "open"
    response = client.patch(
        f"/api/gaps/{gaps[0]['key']}",
        json={"status": "resolved", "note": "kaffeguide"},
        headers=tokens.header(),
    )
    assert response.status_code == 200
    after = {g["key"]: g for g in client.get("/api/gaps", headers=tokens.header()).json()}
    assert after[gaps[0]["key"]]["status"] == "resolved" and after[gaps[0]["key"]]["updated_by"] == "anna"
    bad = client.patch(f"/api/gaps/{gaps[0]['key']}", json={"status": "klar"}, headers=tokens.header())
    assert bad.status_code == 422


def test_the_bench_returns_passages_and_the_evidence(client: TestClient, tokens: Tokens) -> None:
    body = client.post(
        "/api/bench", json={"query": "Vad säger LOU 6 kap. 31 a §?"}, headers=tokens.header()
    ).json()
    assert body["evidence"] == 1.0 and body["refused"] is False
    assert body["passages"][0]["location"] == "LOU 6 kap. 31 a §"
    empty = client.post("/api/bench", json={"query": "  "}, headers=tokens.header())
    assert empty.status_code == 422 and empty.json()["key"] == "empty_question"


def test_the_audit_log_is_for_admins(client: TestClient, tokens: Tokens) -> None:
    refused = client.get("/api/audit", headers=tokens.header())
    assert refused.status_code == 403 and refused.json()["key"] == "admins_only"
    client.patch("/api/gaps/abc", json={"status": "resolved"}, headers=tokens.header())
    log = client.get("/api/audit", headers=tokens.header("admin")).json()
    assert (log[0]["actor"], log[0]["action"], log[0]["target"]) == ("anna", "gap.resolved", "abc")
