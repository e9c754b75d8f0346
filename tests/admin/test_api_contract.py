"""The advisors' API says what it does (the Schemathesis step of .ci/run checks it broadly; these pin
the rules it found broken): every method a path serves is in a 405's Allow, refusals are documented
as ErrorOut, dates are written out, and offsets stay within the database's integers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.admin.conftest import Tokens


def test_a_405_allows_every_method_the_path_serves(bare: tuple[TestClient, Tokens]) -> None:
    client, _ = bare
    listing = client.put("/api/documents")
    assert listing.status_code == 405 and listing.headers["allow"] == "GET, POST"
    one = client.put("/api/documents/abc")
    assert one.status_code == 405 and one.headers["allow"] == "DELETE, GET, PATCH"
    # A literal path beside a template is its own resource.
    assert client.put("/api/documents/reindex").headers["allow"] == "POST"


def test_the_advisors_routes_document_their_refusals(bare: tuple[TestClient, Tokens]) -> None:
    client, _ = bare
    paths = client.get("/openapi.json").json()["paths"]
    for method, operation in paths["/api/documents/{doc_id}"].items():
        for code in ("400", "401", "403", "404", "422"):
            content = operation["responses"][code]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/ErrorOut"}, (method, code)
    upload = client.get("/openapi.json").json()["components"]["schemas"]["Body_upload_api_documents_post"]
    assert (upload["properties"]["files"]["minItems"], upload["properties"]["files"]["maxItems"]) == (1, 20)


def test_review_dates_are_written_out_and_offsets_bounded(bare: tuple[TestClient, Tokens]) -> None:
    client, tokens = bare
    assert client.get("/api/review?until=2024-01-01", headers=tokens.header()).status_code == 200
    assert client.get("/api/review?until=0", headers=tokens.header()).status_code == 422
    assert client.get(f"/api/review?offset={2**63}", headers=tokens.header()).status_code == 422
    assert client.get(f"/api/review/{2**63}", headers=tokens.header()).status_code == 422
