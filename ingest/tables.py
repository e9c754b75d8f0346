"""Tables, read row by row: each row becomes a passage that carries its headers and the table's caption.

An amount asked by authority type and contract type ("statliga myndigheter", "varor och tjänster")
lives in a cell whose meaning is in the column and row headers. Chunked as prose, a table is one long
run of cells, and a question's words meet the headers far from the number; read by row, each passage
says "Varukontrakt, centrala myndigheter — Tröskelvärde i kronor: 1 546 202", and the words that ask
and the number that answers stand together.

Markdown pipe tables are found in any section's text; HTML and DOCX tables (unstructured's Table
elements, through their ``text_as_html``) are written as pipe tables by the loaders first, so one rule
serves all three. A PDF's text layer keeps no table structure; its tables stay prose.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
# A caption: the short line that introduces the table ("Tröskelvärden från 1 januari 2024:"), not the
# end of a paragraph.
CAPTION_CHARS = 100


def cells(line: str) -> list[str]:
    inner = line.strip().removeprefix("|").removesuffix("|")
    return [" ".join(c.split()) for c in inner.split("|")]


def split_blocks(text: str) -> list[tuple[str, bool]]:
    """``text`` as alternating prose and table blocks, in order: (block, is_table)."""
    blocks: list[tuple[str, bool]] = []
    current: list[str] = []
    in_table = False
    for line in text.splitlines():
        is_row = bool(PIPE_ROW.match(line))
        if is_row != in_table and current:
            blocks.append(("\n".join(current).strip("\n"), in_table))
            current = []
        in_table = is_row
        current.append(line)
    if current:
        blocks.append(("\n".join(current).strip("\n"), in_table))
    # Fewer than two rows is a line with pipes in it, not a table.
    return [(b, t and len(b.splitlines()) >= 2) for b, t in blocks if b.strip()]


def caption_of(prose: str) -> str | None:
    """The last line before a table, when it reads as the table's caption."""
    lines = [line.strip() for line in prose.splitlines() if line.strip()]
    if not lines:
        return None
    last = lines[-1].lstrip("#*_ ").rstrip("*_ ")
    return last if len(last) <= CAPTION_CHARS and not last.endswith(".") else None


def rows(table: str, caption: str | None) -> list[str]:
    """One text per data row: the caption, then each cell under its column header.

    The row above the separator line is the header row (a table that opens with the separator has
    none, and HTML tables get one from their first row). A cell left empty says nothing and is left
    out; a cell whose header is empty keeps the bare value.
    """
    present = [line for line in table.splitlines() if line.strip()]
    # A Markdown header is the row above the separator; a table that opens with the separator has none.
    headed = not SEPARATOR.match(present[0]) if present else False
    lines = [line for line in present if not SEPARATOR.match(line)]
    if len(lines) < (2 if headed else 1):
        return [table]
    header = cells(lines[0]) if headed else []
    lead = caption.rstrip(":") if caption else ""
    texts = []
    for line in lines[1:] if headed else lines:
        values = cells(line)
        pairs = []
        for i, value in enumerate(values):
            if not value or set(value) <= {"-", "–", "—"}:
                continue
            name = header[i] if i < len(header) else ""
            pairs.append(f"{name}: {value}" if name and name != value else value)
        if pairs:
            # Cells under headers read "header: value; …"; bare cells read "LUF – 1 200 000 kronor".
            body = ("; " if any(": " in p for p in pairs) else " – ").join(pairs)
            texts.append(f"{lead}\n{body}." if lead else f"{body}.")
    return texts or [table]


class _TableReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._span = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._span = int(span) if span.isdigit() and 0 < int(span) < 50 else 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            if not self.rows:
                self.rows.append([])
            text = " ".join("".join(self._cell).split()).replace("|", "/")
            # A cell spanning columns heads each of them.
            self.rows[-1].extend([text] * self._span)
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def from_html(html: str) -> str | None:
    """An HTML table as a Markdown pipe table, or None when it has fewer than two rows."""
    reader = _TableReader()
    reader.feed(html)
    found = [r for r in reader.rows if any(r)]
    if len(found) < 2:
        return None
    width = max(len(r) for r in found)
    lines = ["| " + " | ".join(r + [""] * (width - len(r))) + " |" for r in found]
    lines.insert(1, "|" + "---|" * width)
    return "\n".join(lines)
