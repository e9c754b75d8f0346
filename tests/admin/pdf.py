"""A PDF with a text layer, written by hand for tests (no PDF library writes one offline)."""

from __future__ import annotations


def text_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF with a text layer (Helvetica, WinAnsi), written by hand."""

    def esc(s: str) -> str:
        out = []
        for ch in s:
            b = ch.encode("cp1252")[0]
            if ch in "()\\":
                out.append("\\" + ch)
            elif b > 126:
                out.append(f"\\{b:03o}")
            else:
                out.append(ch)
        return "".join(out)

    body = ["BT", "/F1 18 Tf", "72 760 Td", f"({esc(title)}) Tj", "/F1 11 Tf", "0 -28 Td"]
    for line in lines:
        body += [f"({esc(line)}) Tj", "0 -16 Td"]
    body.append("ET")
    stream = "\n".join(body).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
