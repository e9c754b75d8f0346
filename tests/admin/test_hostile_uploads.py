"""The hardening issue's upload case: a decompression-bomb DOCX, a corrupt PDF and an executable named
``.pdf``, uploaded beside a good Markdown file — the three are refused with a clear line each, the
server stays healthy, and the good file is found."""

from __future__ import annotations

import io
import zipfile

from fastapi.testclient import TestClient

from tests.admin.conftest import Tokens, wait_final
from tests.admin.test_documents_api import NOTE, found, upload

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def bomb_docx(unpacked_mb: int) -> bytes:
    """A small DOCX whose main part unpacks to ``unpacked_mb`` MB (zeros compress about 1000:1)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as docx:
        docx.writestr("[Content_Types].xml", CONTENT_TYPES)
        with docx.open("word/document.xml", "w", force_zip64=True) as part:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(unpacked_mb):
                part.write(chunk)
    return buffer.getvalue()


def test_a_bomb_a_corrupt_pdf_and_an_executable_are_refused_and_the_good_file_is_found(
    client: TestClient, tokens: Tokens
) -> None:
    limit_mb = 5
    client.app.state.settings = client.app.state.settings.model_copy(
        update={"ingest_max_unpacked_mb": limit_mb}
    )
    bomb = bomb_docx(4 * limit_mb)
    assert len(bomb) < 200_000, "small on the wire, large when unpacked"
    response = upload(
        client,
        tokens,
        ("rapport.docx", bomb, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("avtal.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R", "application/pdf"),
        ("faktura.pdf", b"\x7fELF\x02\x01\x01" + b"\0" * 64, "application/pdf"),
        ("plogar.md", NOTE.encode(), "text/markdown"),
    )
    assert response.status_code == 202, response.text
    entries = response.json()["files"]
    final = {e["filename"]: wait_final(client, e["id"], tokens.header()) for e in entries}

    for name in ("rapport.docx", "avtal.pdf", "faktura.pdf"):
        refused = final[name]
        assert refused["status"] == "failed", (name, refused)
        reason = refused["reason"]
        assert reason and "\n" not in reason and "Traceback" not in reason, (name, reason)
    assert final["plogar.md"]["status"] == "indexed", final["plogar.md"]

    assert client.get("/api/health").status_code == 200
    assert found(client, final["plogar.md"]["document_id"])
    # Each says what is wrong with that file.
    assert "bomb" in final["rapport.docx"]["reason"]
    assert "PDF" in final["avtal.pdf"]["reason"]
    assert "executable" in final["faktura.pdf"]["reason"]
