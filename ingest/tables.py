"""Tables, read row by row: each row becomes a passage that carries its headers and the table's caption.

An amount asked by authority type and contract type ("statliga myndigheter", "varor och tjänster")
lives in a cell whose meaning is in the column and row headers. Chunked as prose, a table is one long
run of cells, and a question's words meet the headers far from the number; read by row, each passage
says "Varukontrakt, centrala myndigheter; i kronor: 1 546 202 kronor", and the words that ask
and the number that answers stand together.

Markdown pipe tables are found in any section's text; HTML and DOCX tables (unstructured's Table
elements, through their ``text_as_html``) are written as pipe tables by the loaders first, so one rule
serves all three. Tables that a PDF conversion left as tab-aligned text (the threshold notice: a header
line "Vad upphandlingen  Tröskelvärdet … i euro  i svenska kronor", then a line per row) are written as
pipe tables too. A PDF's own text layer keeps no table structure; its tables stay prose.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
# A caption: the short line that introduces the table ("Tröskelvärden från 1 januari 2024:"), not the
# end of a paragraph.
CAPTION_CHARS = 100


# Cells of a tab-aligned text row: split at tabs and at runs of two or more spaces.
TEXT_CELL_GAP = re.compile(r"\s*\t\s*|\s{2,}")
# Only tables of amounts are read this way: each row has a cell after its label that is a number
# ("143 000", "1 546 202 kr"). Tab-indented lists and code tables (CPV codes) stay prose.
AMOUNT_CELL = re.compile(r"^\d{1,3}(?:[ \u00a0]\d{3})*(?:,\d+)?(?: ?(?:kr|kronor|euro|EUR|SEK|%|procent))?$")
# A column whose header is only a unit ("i svenska kronor", "Euro", "Belopp i kr"): its bare numbers are
# written with the unit too, "i svenska kronor: 2 389 585 kronor", as an amount is said and asked for.
UNIT_COLUMN = re.compile(
    r"^(?:belopp\s+)?(?:i\s+)?(?:svenska\s+)?(kronor|kr|sek|euro|eur|procent)$", re.IGNORECASE
)
BARE_NUMBER = re.compile(r"^\d[\d \u00a0]*(?:,\d+)?$")


def cells(line: str) -> list[str]:
    inner = line.strip().removeprefix("|").removesuffix("|")
    return [" ".join(c.split()) for c in inner.split("|")]


def from_text(text: str) -> str:
    """``text`` with each run of two or more tab-aligned rows of amounts (blank lines between them
    allowed, a header line above them) written as a pipe table. A first line without digits is the
    header; when it has more cells than the rows (a header wrapped over two levels), its last cells
    name the rows' value columns and the first column goes unnamed."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        run: list[int] = []
        j = i
        while j < len(lines) and ("\t" in lines[j] or (run and not lines[j].strip())):
            if lines[j].strip():
                run.append(j)
            j += 1
        rows = [_text_cells(lines[k]) for k in run]
        headed = bool(rows) and not any(ch.isdigit() for ch in "".join(rows[0]))
        body = rows[1:] if headed else rows
        if len(body) < 2 or not all(any(AMOUNT_CELL.match(c) for c in r[1:]) for r in body):
            out.append(lines[i])
            i += 1
            continue
        out.extend(_pipe_table(rows[0] if headed else None, body))
        # A blank line after the run stays: it parts the table from the prose that follows.
        i = run[-1] + 1
    return "\n".join(out)


def _text_cells(line: str) -> list[str]:
    return [c for c in TEXT_CELL_GAP.split(line.strip().lstrip("#").strip()) if c]


def _pipe_table(header: list[str] | None, body: list[list[str]]) -> list[str]:
    width = max(len(r) for r in body)
    if header is not None and len(header) > width:
        header = ["", *header[len(header) - width + 1 :]]
    table = [f"| {' | '.join(r + [''] * (width - len(r)))} |" for r in body]
    head = [f"| {' | '.join(header + [''] * (width - len(header)))} |"] if header else []
    return [*head, "|" + "---|" * width, *table]


def split_blocks(text: str) -> list[tuple[str, bool]]:
    """``text`` as alternating prose and table blocks, in order: (block, is_table)."""
    blocks: list[tuple[str, bool]] = []
    current: list[str] = []
    in_table = False
    text = from_text(text) if "\t" in text else text
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
            unit = UNIT_COLUMN.match(name)
            if unit and BARE_NUMBER.match(value):
                value = f"{value} {unit.group(1).lower()}"
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
