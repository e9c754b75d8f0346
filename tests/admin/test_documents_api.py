"""``/api/documents`` over the real core: access, upload with status, listing, chunks, edit, disable,
delete from both indexes, and downloads that never render."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app as cli
from tests.admin.conftest import PASSWORD, Tokens, wait_final

NOTE = """---
title: Snöröjning med eldrivna plogar
updated: 2026-11-20
language: sv
tags: [fordon]
---

# Snöröjning med eldrivna plogar

## Upphandla plogtjänster

Kommunen kan ställa krav på att plogbilarna drivs med el och att laddning ordnas vid depån.
"""
QUERY = "eldrivna plogbilar laddning vid depån"


def upload(client: TestClient, tokens: Tokens, *files: tuple[str, bytes, str], who: str = "advisor") -> Any:
    response = client.post(
        "/api/documents",
        files=[("files", f) for f in files],
        headers=tokens.header(who),
    )
    return response


def upload_note(client: TestClient, tokens: Tokens) -> dict[str, Any]:
    response = upload(client, tokens, ("plogar.md", NOTE.encode(), "text/markdown"))
    assert response.status_code == 202, response.text
    (entry,) = response.json()["files"]
    assert entry["status"] == "queued" and entry["filename"] == "plogar.md"
    return wait_final(client, entry["id"], tokens.header())


def found(client: TestClient, doc_id: str) -> bool:
    response = client.post("/api/search", json={"query": QUERY, "k": 10})
    assert response.status_code == 200, response.text
    return any(
        r["chunk_id"].startswith(doc_id) or r["title"].startswith("Snöröjning")
        for r in response.json()["results"]
    )


# --- access -------------------------------------------------------------------------------------

ROUTES = [
    ("get", "/api/documents"),
    ("get", "/api/documents/x"),
    ("get", "/api/documents/x/chunks"),
    ("patch", "/api/documents/x"),
    ("delete", "/api/documents/x"),
    ("get", "/api/documents/x/original"),
    ("post", "/api/documents"),
    ("post", "/api/documents/x/reindex"),
    ("post", "/api/documents/reindex"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize(
    ("headers", "code", "key"),
    [
        ({}, 401, "not_authenticated"),
        ({"Authorization": "Bearer adv_not-a-token"}, 401, "not_authenticated"),
        ({"Authorization": "Basic YW5uYTp4"}, 401, "not_authenticated"),
        ("procurer", 403, "forbidden"),
        ("disabled", 403, "forbidden"),
    ],
    ids=["no token", "wrong token", "other scheme", "procurer", "disabled user"],
)
def test_every_route_needs_an_advisors_token(
    bare: tuple[TestClient, Tokens], method: str, path: str, headers: Any, code: int, key: str
) -> None:
    client, tokens = bare
    sent = tokens.header(headers) if isinstance(headers, str) else headers
    extra: dict[str, Any] = {}
    if method == "patch":
        extra["json"] = {"enabled": False}
    if method == "post":
        extra["files"] = [("files", ("a.md", b"# A\n\nText.", "text/markdown"))]
    response = client.request(method.upper(), path, headers=sent, **extra)
    assert response.status_code == code, response.text
    body = response.json()
    assert body["key"] == key and " / " in body["detail"]
    if code == 401:
        assert response.headers["www-authenticate"] == "Bearer"


def test_an_admin_may_do_what_an_advisor_does(client: TestClient, tokens: Tokens) -> None:
    assert client.get("/api/documents", headers=tokens.header("admin")).status_code == 200


def test_the_cli_gives_an_advisor_a_token_the_api_takes(client: TestClient) -> None:
    runner = CliRunner()
    added = runner.invoke(
        cli, ["users", "add", "rut", "--role", "advisor", "--password-stdin"], input=PASSWORD
    )
    assert added.exit_code == 0, added.output
    made = runner.invoke(cli, ["tokens", "create", "rut"])
    assert made.exit_code == 0
    headers = {"Authorization": f"Bearer {made.stdout.strip()}"}
    files = [("files", ("plogar.md", NOTE.encode(), "text/markdown"))]
    assert client.post("/api/documents", files=files).status_code == 401
    response = client.post("/api/documents", files=files, headers=headers)
    assert response.status_code == 202
    assert wait_final(client, response.json()["files"][0]["id"], headers)["status"] == "indexed"
    assert found(client, "")


# --- upload and status --------------------------------------------------------------------------


def test_an_uploaded_markdown_file_is_indexed_and_then_found(client: TestClient, tokens: Tokens) -> None:
    doc_id_before = [
        d["id"] for d in client.get("/api/documents", headers=tokens.header()).json()["documents"]
    ]
    status = upload_note(client, tokens)
    assert status["status"] == "indexed", status
    doc_id = status["document_id"]
    assert doc_id not in doc_id_before and status["document"]["chunks"] >= 1
    assert found(client, doc_id)

    listed = client.get("/api/documents", headers=tokens.header()).json()["documents"]
    note = next(d for d in listed if d["id"] == doc_id)
    assert note["title"] == "Snöröjning med eldrivna plogar" and note["origin"] == "upload"
    assert note["uploaded_by"] == "anna" and note["enabled"] is True and note["tags"] == ["fordon"]
    assert note["size"] == len(NOTE.encode()) and note["language"] == "sv"
    # The documents indexed from a folder (corpus/, the CLI) are in the same list.
    assert {"Tidig dialog med marknaden", "Lag om offentlig upphandling (LOU)"} <= {
        d["title"] for d in listed
    }
    assert all(d["status"] == "indexed" for d in listed)


def test_the_same_content_again_is_reported_unchanged(client: TestClient, tokens: Tokens) -> None:
    first = upload_note(client, tokens)
    response = upload(client, tokens, ("kopia-av-plogar.md", NOTE.encode(), "text/markdown"))
    (entry,) = response.json()["files"]
    again = wait_final(client, entry["id"], tokens.header())
    assert again["status"] == "unchanged" and again["document_id"] == first["document_id"]
    assert "Snöröjning med eldrivna plogar" in again["reason"]
    titles = [d["title"] for d in client.get("/api/documents", headers=tokens.header()).json()["documents"]]
    assert titles.count("Snöröjning med eldrivna plogar") == 1


def test_a_file_that_cannot_be_read_fails_with_one_line_and_the_rest_is_indexed(
    client: TestClient, tokens: Tokens
) -> None:
    response = upload(
        client,
        tokens,
        ("trasig.pdf", b"%PDF-1.7 this is not a PDF", "application/pdf"),
        ("program.exe", b"MZ", "application/octet-stream"),
        ("plogar.md", NOTE.encode(), "text/markdown"),
    )
    assert response.status_code == 202
    broken, refused, good = response.json()["files"]
    assert refused["status"] == "failed" and ".exe" in refused["reason"]
    failed = wait_final(client, broken["id"], tokens.header())
    assert failed["status"] == "failed" and failed["reason"] and "\n" not in failed["reason"]
    assert "Traceback" not in failed["reason"]
    assert wait_final(client, good["id"], tokens.header())["status"] == "indexed"


def test_a_file_over_the_limit_is_refused_while_received(client: TestClient, tokens: Tokens) -> None:
    client.app.state.settings = client.app.state.settings.model_copy(update={"upload_max_mb": 1})
    response = upload(client, tokens, ("stor.txt", b"a" * (1024 * 1024 + 1), "text/plain"))
    (entry,) = response.json()["files"]
    assert entry["status"] == "failed" and "1 MB" in entry["reason"]


def test_an_upload_is_never_allowed_more_than_ingest_takes(client: TestClient, tokens: Tokens) -> None:
    # Unset, the upload limit is ingest's; set higher, ingest's still caps it (ingest would refuse).
    for update in ({"ingest_max_file_mb": 1}, {"ingest_max_file_mb": 1, "upload_max_mb": 50}):
        client.app.state.settings = client.app.state.settings.model_copy(update=update)
        response = upload(client, tokens, ("stor.txt", b"a" * (1024 * 1024 + 1), "text/plain"))
        (entry,) = response.json()["files"]
        assert entry["status"] == "failed" and "1 MB" in entry["reason"], update


def test_too_many_files_at_once_are_refused(client: TestClient, tokens: Tokens) -> None:
    client.app.state.settings = client.app.state.settings.model_copy(update={"max_upload_files": 2})
    files = [(f"{n}.md", b"# A\n\nText.", "text/markdown") for n in range(3)]
    response = upload(client, tokens, *files)
    assert response.status_code == 422 and response.json()["key"] == "too_many_files"
    assert client.get("/api/documents", headers=tokens.header()).json()["documents"][0]["origin"] == "ingest"


def test_status_of_an_unknown_id_is_404(client: TestClient, tokens: Tokens) -> None:
    response = client.get("/api/documents/okänd", headers=tokens.header())
    assert response.status_code == 404 and response.json()["key"] == "document_not_found"


# --- chunks, edit, disable, delete, download -----------------------------------------------------


def test_chunks_show_heading_path_and_paragraph(client: TestClient, tokens: Tokens) -> None:
    listed = client.get("/api/documents", headers=tokens.header()).json()["documents"]
    statute = next(d for d in listed if d["title"] == "Lag om offentlig upphandling (LOU)")
    chunks = client.get(f"/api/documents/{statute['id']}/chunks", headers=tokens.header()).json()["chunks"]
    assert len(chunks) == statute["chunks"]
    refs = [c["section_ref"] for c in chunks]
    assert "LOU 6 kap. 31 a §" in refs
    paragraph = chunks[refs.index("LOU 6 kap. 31 a §")]
    assert paragraph["heading_path"][-1] == "Innovationspartnerskap"
    assert "avsluta partnerskapet" in paragraph["text"]


def test_a_disabled_document_is_no_longer_found_and_comes_back_when_enabled(
    client: TestClient, tokens: Tokens
) -> None:
    doc_id = upload_note(client, tokens)["document_id"]
    assert found(client, doc_id)
    response = client.patch(f"/api/documents/{doc_id}", json={"enabled": False}, headers=tokens.header())
    assert response.status_code == 200 and response.json()["enabled"] is False
    assert not found(client, doc_id)
    client.patch(f"/api/documents/{doc_id}", json={"enabled": True}, headers=tokens.header())
    assert found(client, doc_id)


def test_title_and_tags_are_edited(client: TestClient, tokens: Tokens) -> None:
    doc_id = upload_note(client, tokens)["document_id"]
    response = client.patch(
        f"/api/documents/{doc_id}",
        json={"title": "Eldrivna plogar", "tags": ["el", "fordon"]},
        headers=tokens.header(),
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Eldrivna plogar" and response.json()["tags"] == ["el", "fordon"]
    results = client.post("/api/search", json={"query": QUERY, "k": 10}).json()["results"]
    assert "Eldrivna plogar" in {r["title"] for r in results}


def test_delete_leaves_no_chunk_in_either_index_and_no_file(client: TestClient, tokens: Tokens) -> None:
    doc_id = upload_note(client, tokens)["document_id"]
    store = client.app.state.assistant.store
    original = next(p for p in (store.settings.data_dir / "uploads").iterdir() if p.name == "plogar.md")
    assert store.lexical.chunk_ids(doc_id) and store.collection.get(where={"doc_id": doc_id})["ids"]

    response = client.delete(f"/api/documents/{doc_id}", headers=tokens.header())
    assert response.status_code == 204
    assert store.lexical.chunk_ids(doc_id) == [] and store.lexical.document(doc_id) is None
    assert store.collection.get(where={"doc_id": doc_id})["ids"] == []
    rows = store.lexical.db.execute("SELECT count(*) FROM chunks_words").fetchone()[0]
    assert rows == store.lexical.db.execute("SELECT count(*) FROM chunks").fetchone()[0]
    assert not original.exists()
    assert not found(client, doc_id)
    assert client.get(f"/api/documents/{doc_id}", headers=tokens.header()).status_code == 404
    assert client.delete(f"/api/documents/{doc_id}", headers=tokens.header()).status_code == 404


def test_deleting_a_folder_document_leaves_its_file_alone(
    client: TestClient, tokens: Tokens, docs: Any
) -> None:
    listed = client.get("/api/documents", headers=tokens.header()).json()["documents"]
    guide = next(d for d in listed if d["title"] == "Tidig dialog med marknaden")
    assert client.delete(f"/api/documents/{guide['id']}", headers=tokens.header()).status_code == 204
    assert (docs / "dialog.md").exists()


def test_an_uploaded_html_file_is_only_ever_a_download(client: TestClient, tokens: Tokens) -> None:
    page = (
        "<html><head><title>Plogar</title></head><body><h1>Plogar</h1>"
        "<p>Eldrivna plogar och laddning vid depån.</p><script>alert(1)</script></body></html>"
    ).encode()
    (entry,) = upload(client, tokens, ("plogar.html", page, "text/html")).json()["files"]
    status = wait_final(client, entry["id"], tokens.header())
    assert status["status"] == "indexed", status
    response = client.get(f"/api/documents/{status['document_id']}/original", headers=tokens.header())
    assert response.status_code == 200 and response.content == page
    assert response.headers["content-disposition"].startswith("attachment;")
    assert 'filename="plogar.html"' in response.headers["content-disposition"]
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]


def test_every_action_is_in_the_audit_log(client: TestClient, tokens: Tokens) -> None:
    doc_id = upload_note(client, tokens)["document_id"]
    client.patch(
        f"/api/documents/{doc_id}", json={"enabled": False, "comment": "inaktuell"}, headers=tokens.header()
    )
    client.delete(f"/api/documents/{doc_id}", headers=tokens.header())
    log = client.app.state.accounts.audit_log()
    assert [(e["actor"], e["action"]) for e in log][:3] == [
        ("anna", "document.delete"),
        ("anna", "document.disable"),
        ("anna", "document.upload"),
    ]
    assert log[1]["comment"] == "inaktuell" and log[0]["details"]["title"] == "Snöröjning med eldrivna plogar"


def test_a_document_is_indexed_again_from_its_file(client: TestClient, tokens: Tokens, docs: Any) -> None:
    listed = client.get("/api/documents", headers=tokens.header()).json()["documents"]
    guide = next(d for d in listed if d["title"] == "Tidig dialog med marknaden")
    path = docs / "dialog.md"
    path.write_text(
        path.read_text(encoding="utf-8") + "\n## Isbrytare\n\nKommunen köper isbrytartjänster.\n",
        encoding="utf-8",
    )
    response = client.post(f"/api/documents/{guide['id']}/reindex", headers=tokens.header())
    assert response.status_code == 202 and response.json()["status"] == "queued"
    done = wait_final(client, response.json()["id"], tokens.header())
    assert done["status"] == "indexed" and done["document_id"] == guide["id"]
    results = client.post("/api/search", json={"query": "isbrytartjänster", "k": 3}).json()["results"]
    assert "isbrytartjänster" in results[0]["text"]
    assert client.post("/api/documents/okänd/reindex", headers=tokens.header()).status_code == 404


def test_every_document_can_be_indexed_again(client: TestClient, tokens: Tokens) -> None:
    response = client.post("/api/documents/reindex", headers=tokens.header())
    assert response.status_code == 202
    entries = response.json()["files"]
    assert len(entries) == 2
    assert {wait_final(client, e["id"], tokens.header())["status"] for e in entries} == {"indexed"}
    actions = [e["action"] for e in client.app.state.accounts.audit_log()]
    assert actions.count("document.reindex") == 2
