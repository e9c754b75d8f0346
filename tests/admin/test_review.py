"""The review pages over HTTP with a real records database: the question log with its filters, a
detail view, CSV export safe from formula injection, gaps grouped and resolved, the audit log for
admins only, and the retrieval test bench."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from curation.gaps import group, safe_cell
from records.review import Review
from tests.admin.test_pages import sign_in, signed_in


def questions(page: str) -> list[str]:
    import re

    return re.findall(r'<th scope="row"><a href="/admin/review/\d+">([^<]+)</a></th>', page)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 8),
        ("refused=yes", 5),
        ("refused=no", 3),
        ("rating=down", 1),
        ("rating=up", 1),
        ("outcome=injection", 1),
        ("outcome=no_evidence", 4),
        ("q=kiruna", 2),
        ("since=2026-01-01&until=2026-01-31", 1),
        ("until=2026-01-04", 0),
        ("since=inte-ett-datum", 8),
    ],
)
def test_the_review_list_filters(client: TestClient, logged: Any, query: str, expected: int) -> None:
    signed_in(client)
    page = client.get(f"/admin/review?{query}")
    assert page.status_code == 200
    heading = page.text.split('id="list-heading">')[1].split("<")[0]
    assert heading == f"{expected} träffar", questions(page.text)
    assert len(questions(page.text)) == expected


def test_the_detail_shows_what_was_stored(client: TestClient, logged: Any) -> None:
    signed_in(client)
    page = client.get("/admin/review?rating=down").text
    entry = int(page.split('href="/admin/review/')[1].split('"')[0])
    detail = client.get(f"/admin/review/{entry}").text
    for shown in (
        "Hur lång är avtalsspärren?",
        "0.820",
        "140",
        "Fel antal dagar",
        "Svar [1].",
        "0.910",
        "citerat",
    ):
        assert shown in detail, shown
    assert client.get("/admin/review/999999").status_code == 404


def test_the_csv_export_cannot_run_a_formula(client: TestClient, logged: Any) -> None:
    signed_in(client)
    response = client.get("/admin/review.csv?refused=yes")
    assert response.status_code == 200 and response.headers["content-disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert len(rows) == 5
    formula = next(r for r in rows if "HYPERLINK" in r["question"])
    assert formula["question"].startswith("'=")
    assert all(not r[c].startswith(("=", "+", "-", "@")) for r in rows for c in r)


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("=1+1", "'=1+1"),
        ("+46", "'+46"),
        ("-2", "'-2"),
        ("@SUM", "'@SUM"),
        ("\tx", "'\tx"),
        ("Fråga", "Fråga"),
        (None, ""),
    ],
)
def test_a_cell_is_sanitised(value: Any, kept: str) -> None:
    assert safe_cell(value) == kept


def test_similar_refusals_are_one_gap_that_an_advisor_resolves(client: TestClient, logged: Any) -> None:
    csrf = signed_in(client)
    page = client.get("/admin/gaps").text
    assert "Grupper (5)" in page  # kaffe ×2, snöskotrar, avtalsspärren (👎), injection, formula
    key = page.split('data-gap="')[1].split('"')[0]  # the largest group comes first
    assert "2 frågor" in page.split(f'data-gap="{key}"')[1].split("</form>")[0]

    response = client.post(
        f"/admin/gaps/{key}", data={"csrf": csrf, "status": "resolved", "note": "La till kaffeguiden"}
    )
    assert response.status_code == 200 and "Sparat." in response.text
    group_html = response.text.split(f'data-gap="{key}"')[1].split("</form>")[0]
    assert "Åtgärdad" in group_html and "La till kaffeguiden" in group_html and "anna" in group_html
    assert 'class="gap gap--resolved"' in response.text.split(f'data-gap="{key}"')[0].rsplit("<li", 1)[1]
    log = client.app.state.accounts.audit_log()
    assert (log[0]["action"], log[0]["target"], log[0]["comment"]) == (
        "gap.resolved",
        key,
        "La till kaffeguiden",
    )


def test_a_gap_verdict_needs_the_csrf_token(client: TestClient, logged: Any) -> None:
    signed_in(client)
    page = client.get("/admin/gaps").text
    key = page.split('data-gap="')[1].split('"')[0]
    client.post(f"/admin/gaps/{key}", data={"csrf": "fel", "status": "resolved"})
    assert client.app.state.review.verdicts() == {}


def test_grouping_keeps_unlike_questions_apart() -> None:
    entries = [
        {"id": n, "question": q, "refused": True, "rating": None, "created_at": f"2026-11-0{n}"}
        for n, q in enumerate(
            ["Kostar kaffe mycket i Kiruna?", "Vad kostar kaffe i Kiruna?", "Regler för snöskotrar?"], 1
        )
    ]
    gaps = group(entries)
    assert [g.count for g in gaps] == [2, 1]
    assert gaps[0].examples == ["Vad kostar kaffe i Kiruna?", "Kostar kaffe mycket i Kiruna?"]
    # The same groups keep their names when asked again (verdicts stay with them).
    assert [g.key for g in group(entries)] == [g.key for g in gaps]


def test_the_weekly_counts(client: TestClient, logged: Any) -> None:
    review = Review.from_url(client.app.state.settings.sql_url)
    weeks = review.weekly()
    assert len(weeks) == 12 and weeks[-1]["questions"] == 7  # the January one is older than 12 weeks
    assert (weeks[-1]["refused"], weeks[-1]["down"]) == (5, 1)
    old = review.weekly(weeks=52)
    review.dispose()
    assert sum(w["questions"] for w in old) == 8


def test_only_admins_see_the_audit_log(client: TestClient) -> None:
    signed_in(client)
    response = client.get("/admin/audit")
    assert response.status_code == 403 and "bara för administratörer" in response.text
    assert "/admin/audit" not in client.get("/admin").text
    client.cookies.clear()
    assert sign_in(client, name="adam").status_code == 303
    page = client.get("/admin/audit")
    assert page.status_code == 200 and 'data-action="session.sign_in"' in page.text and "adam" in page.text


def test_the_bench_shows_ranked_passages_and_the_evidence_that_decides(client: TestClient) -> None:
    signed_in(client)
    page = client.get("/admin/bench", params={"q": "Vad säger LOU 6 kap. 31 a §?"}).text
    assert "Frågan skulle besvaras." in page and "LOU 6 kap. 31 a §" in page
    assert 'data-role="evidence">1.000<' in page  # an exact paragraph reference is full evidence
    refused = client.get("/admin/bench", params={"q": "Vad kostar en kaffe i Kiruna?"}).text
    assert "Frågan skulle avböjas." in refused
    empty = client.get("/admin/bench", params={"q": "   "})
    assert empty.status_code == 200 and 'role="alert"' in empty.text


@pytest.mark.parametrize(
    "path",
    ["/admin/review", "/admin/review/1", "/admin/review.csv", "/admin/gaps", "/admin/bench", "/admin/audit"],
)
def test_review_pages_need_an_advisors_session(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/admin/login")
    assert sign_in(client, name="petra").status_code == 303
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303 and "not_advisor" in response.headers["location"]
