"""The advisors' pages over HTTP: sign-in with server-side sessions, CSRF on every form, rate-limited
failures, sign-out, and the documents page (upload with status, disable, delete)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from records.accounts import Accounts, token_hash
from records.models import SessionRow
from tests.admin.conftest import PASSWORD, Tokens, wait_final
from tests.admin.test_documents_api import NOTE, found

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def session_cookie(response: Any) -> str:
    (cookie,) = [c for c in response.headers.get_list("set-cookie") if c.startswith("advisor_session=")]
    return cookie


def sign_in(client: TestClient, name: str = "anna", password: str = PASSWORD, **extra: str) -> Any:
    form = client.get("/admin/login")
    assert form.status_code == 200
    data = {"name": name, "password": password, "csrf": csrf_of(form.text), **extra}
    return client.post("/admin/login", data=data, follow_redirects=False)


def signed_in(client: TestClient) -> str:
    """Sign anna in; the documents page's CSRF token."""
    response = sign_in(client)
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    page = client.get("/admin")
    assert page.status_code == 200
    return csrf_of(page.text)


def test_a_page_without_a_session_leads_to_the_sign_in(client: TestClient) -> None:
    response = client.get("/admin", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/login?notice=session_needed&next=/admin"
    page = client.get("/admin", follow_redirects=True)
    assert "Logga in för att nå rådgivarnas sidor." in page.text and '<html lang="sv">' in page.text


def test_signing_in_sets_an_httponly_lax_cookie_kept_hashed(client: TestClient, tokens: Tokens) -> None:
    response = sign_in(client)
    assert response.status_code == 303
    cookie = session_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP here; over HTTPS see below
    raw = client.cookies["advisor_session"]
    accounts: Accounts = client.app.state.accounts
    with accounts.engine.connect() as db:
        stored = list(db.execute(select(SessionRow.token_hash)).scalars())
    assert stored == [token_hash(raw)]
    page = client.get("/admin")
    assert page.status_code == 200 and "Inloggad som" in page.text and "anna" in page.text
    assert accounts.audit_log()[0]["action"] == "session.sign_in"


def test_over_https_the_cookie_is_secure(core_settings: Any, tokens: Tokens) -> None:
    from web.main import create_app

    with TestClient(create_app(core_settings), base_url="https://testserver") as client:
        response = sign_in(client)
        assert response.status_code == 303 and "Secure" in session_cookie(response)


def test_a_wrong_password_is_refused_and_repeated_failures_are_limited(client: TestClient) -> None:
    response = sign_in(client, password="fel-lösenord")
    assert response.status_code == 401 and "Fel användarnamn eller lösenord." in response.text
    assert "advisor_session" not in client.cookies
    for _ in range(4):
        assert sign_in(client, password="fel-lösenord").status_code == 401
    limited = sign_in(client)  # the right password, after five failures
    assert limited.status_code == 429 and "För många misslyckade inloggningar" in limited.text
    assert "advisor_session" not in client.cookies


def test_the_sign_in_form_needs_its_own_csrf_token(client: TestClient) -> None:
    client.get("/admin/login")
    response = client.post(
        "/admin/login", data={"name": "anna", "password": PASSWORD, "csrf": "gissad"}, follow_redirects=False
    )
    assert response.status_code == 403 and "advisor_session" not in client.cookies


def test_after_sign_in_only_a_local_page_is_followed(client: TestClient) -> None:
    response = sign_in(client, next="https://evil.example/admin")
    assert response.headers["location"] == "/admin"


def test_a_procurer_is_sent_back_to_the_sign_in_and_refused_by_the_api(client: TestClient) -> None:
    assert sign_in(client, name="petra").status_code == 303
    response = client.get("/admin", follow_redirects=False)
    assert response.status_code == 303 and "notice=not_advisor" in response.headers["location"]
    api = client.get("/api/documents")
    assert api.status_code == 403 and api.json()["key"] == "forbidden"


def test_a_disabled_user_cannot_sign_in(client: TestClient) -> None:
    assert sign_in(client, name="dora").status_code == 401


def test_an_expired_session_leads_to_the_sign_in(client: TestClient, tokens: Tokens) -> None:
    accounts: Accounts = Accounts.from_url(client.app.state.settings.sql_url)
    try:
        user = accounts.user("anna")
        assert user is not None
        expired = accounts.create_session(user.id, timedelta(seconds=-1))
    finally:
        accounts.dispose()
    client.cookies.set("advisor_session", expired)
    assert client.get("/admin", follow_redirects=False).status_code == 303
    assert client.get("/api/documents").status_code == 401


def test_signing_out_ends_the_session_for_good(client: TestClient) -> None:
    csrf = signed_in(client)
    raw = client.cookies["advisor_session"]
    refused = client.post("/admin/logout", data={"csrf": "fel"}, follow_redirects=False)
    assert "csrf_failed" in refused.headers["location"]
    assert client.get("/admin", follow_redirects=False).status_code == 200, "a bad logout changes nothing"
    response = client.post("/admin/logout", data={"csrf": csrf}, follow_redirects=False)
    assert response.headers["location"] == "/admin/login?notice=signed_out"
    client.cookies.set("advisor_session", raw)  # the old cookie, replayed
    assert client.get("/admin", follow_redirects=False).status_code == 303


# --- the documents page -------------------------------------------------------------------------


def test_the_page_lists_every_document_with_its_actions(client: TestClient) -> None:
    signed_in(client)
    page = client.get("/admin").text
    assert "Tidig dialog med marknaden" in page and "Lag om offentlig upphandling (LOU)" in page
    assert page.count('action="/admin/documents/') == 6  # enable/disable, re-index and delete for each
    assert "Indexerad" in page


@pytest.mark.parametrize("csrf", [None, "fel"], ids=["missing", "wrong"])
def test_a_form_without_the_sessions_csrf_token_changes_nothing(client: TestClient, csrf: str | None) -> None:
    signed_in(client)
    doc = client.get("/api/documents").json()["documents"][0]
    data = {"enabled": "false"} | ({"csrf": csrf} if csrf else {})
    response = client.post(f"/admin/documents/{doc['id']}/enabled", data=data, follow_redirects=False)
    assert response.status_code in (303, 422)
    assert client.get(f"/api/documents/{doc['id']}").json()["enabled"] is True
    response = client.post(f"/admin/documents/{doc['id']}/delete", data=data, follow_redirects=False)
    assert client.get(f"/api/documents/{doc['id']}").status_code == 200


def test_the_api_takes_a_session_but_state_changes_need_its_csrf_header(client: TestClient) -> None:
    csrf = signed_in(client)
    doc = client.get("/api/documents").json()["documents"][0]
    refused = client.patch(f"/api/documents/{doc['id']}", json={"enabled": False})
    assert refused.status_code == 403 and refused.json()["key"] == "csrf"
    accepted = client.patch(
        f"/api/documents/{doc['id']}", json={"enabled": False}, headers={"X-CSRF-Token": csrf}
    )
    assert accepted.status_code == 200 and accepted.json()["enabled"] is False


def test_upload_follow_disable_and_delete_from_the_page(client: TestClient) -> None:
    csrf = signed_in(client)
    response = client.post(
        "/api/documents/form",
        data={"csrf": csrf},
        files=[("files", ("plogar.md", NOTE.encode(), "text/markdown"))],
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"].startswith("/admin?uploads=")
    upload_id = response.headers["location"].split("=", 1)[1]
    page = client.get(response.headers["location"]).text
    assert f'data-upload="{upload_id}"' in page and "plogar.md" in page
    status = wait_final(client, upload_id, {})
    assert status["status"] == "indexed"
    doc_id = status["document_id"]
    assert found(client, doc_id)

    disabled = client.post(f"/admin/documents/{doc_id}/enabled", data={"csrf": csrf, "enabled": "false"})
    assert "Dokumentet är avstängt." in disabled.text and "Avstängt – används inte i svar" in disabled.text
    assert not found(client, doc_id)

    deleted = client.post(f"/admin/documents/{doc_id}/delete", data={"csrf": csrf})
    assert "Dokumentet är borttaget." in deleted.text and "Snöröjning" not in deleted.text
    actions = [e["action"] for e in client.app.state.accounts.audit_log()]
    assert actions[:4] == ["document.delete", "document.disable", "document.upload", "session.sign_in"]


def test_text_from_documents_is_escaped(client: TestClient) -> None:
    csrf = signed_in(client)
    note = NOTE.replace("title: Snöröjning med eldrivna plogar", 'title: "<img src=x onerror=alert(1)>"')
    response = client.post(
        "/api/documents/form",
        data={"csrf": csrf},
        files=[("files", ("x.md", note.encode(), "text/markdown"))],
    )
    upload_id = str(response.url).split("uploads=", 1)[1]
    assert wait_final(client, upload_id, {})["status"] == "indexed"
    page = client.get("/admin").text
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_pages_switch_to_english(client: TestClient) -> None:
    signed_in(client)
    response = client.get("/admin/language?to=en&next=/admin")
    assert '<html lang="en">' in response.text and "All documents" in response.text
    assert "På svenska" in response.text


def test_a_document_is_indexed_again_from_the_page(client: TestClient) -> None:
    csrf = signed_in(client)
    doc = client.get("/api/documents").json()["documents"][0]
    response = client.post(
        f"/admin/documents/{doc['id']}/reindex", data={"csrf": csrf}, follow_redirects=False
    )
    assert response.status_code == 303 and "uploads=" in response.headers["location"]
    upload_id = response.headers["location"].split("uploads=", 1)[1]
    assert wait_final(client, upload_id, {})["status"] == "indexed"
    refused = client.post(
        f"/admin/documents/{doc['id']}/reindex", data={"csrf": "fel"}, follow_redirects=False
    )
    assert "csrf_failed" in refused.headers["location"]


def test_signing_in_again_ends_the_session_before(client: TestClient) -> None:
    signed_in(client)
    before = client.cookies["advisor_session"]
    assert sign_in(client).status_code == 303
    assert client.cookies["advisor_session"] != before
    assert client.app.state.accounts.session_user(before) is None


def test_the_documents_page_resumes_uploads_a_stopped_server_left(client: TestClient) -> None:
    import io

    signed_in(client)
    documents = client.app.state.documents
    client.app.state.ingest_worker.stop()
    client.app.state.ingest_worker = None
    left = documents.accept("plogar.md", io.BytesIO(NOTE.encode()), "anna")
    assert documents.uploads.get(left.id).status == "queued"
    client.get("/admin")
    assert wait_final(client, left.id, {})["status"] == "indexed"


def test_a_documents_page_shows_its_chunks_and_edits_title_and_tags(client: TestClient) -> None:
    csrf = signed_in(client)
    listed = client.get("/api/documents").json()["documents"]
    statute = next(d for d in listed if d["title"] == "Lag om offentlig upphandling (LOU)")
    page = client.get(f"/admin/documents/{statute['id']}").text
    assert "LOU 6 kap. 31 a §" in page and "Myndigheten får avsluta partnerskapet" in page
    assert page.count('class="chunk"') == statute["chunks"]
    response = client.post(
        f"/admin/documents/{statute['id']}/edit",
        data={"csrf": csrf, "title": "LOU", "tags": "lag, upphandling"},
    )
    assert response.status_code == 200 and "Sparat." in response.text
    after = client.get(f"/api/documents/{statute['id']}").json()
    assert after["title"] == "LOU" and after["tags"] == ["lag", "upphandling"]
    client.post(f"/admin/documents/{statute['id']}/edit", data={"csrf": "fel", "title": "Annat"})
    assert client.get(f"/api/documents/{statute['id']}").json()["title"] == "LOU"
    assert client.get("/admin/documents/okänd").status_code == 404


def test_the_page_takes_a_file_larger_than_other_forms_may_be(client: TestClient) -> None:
    csrf = signed_in(client)
    limit = client.app.state.settings.max_body_bytes
    big = ("Upphandling av plogtjänster. " * (limit // 20)).encode()
    assert len(big) > limit
    response = client.post(
        "/api/documents/form",
        data={"csrf": csrf},
        files=[("files", ("stor.txt", big, "text/plain"))],
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    upload_id = response.headers["location"].split("uploads=", 1)[1]
    assert wait_final(client, upload_id, {})["status"] in ("indexed", "failed")
    assert client.app.state.documents.uploads.get(upload_id).size == len(big)
