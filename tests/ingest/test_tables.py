"""Tables are read row by row: each row a passage carrying its column headers and the table's caption,
in Markdown, HTML and DOCX alike — so a question naming the headers finds the row with the number."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.service import Assistant
from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest import tables
from ingest.chunking import chunk_document
from ingest.loaders import load
from ingest.pipeline import sync
from tests.core.helpers import collect, done_of

GUIDE = """---
title: Beloppsgränser
---

# Tröskelvärden

Tröskelvärdena avgör vilka regler som gäller för en upphandling.

Tröskelvärden för varor och tjänster:

| Vem upphandlar | Euro | Kronor |
|---|---:|---:|
| Centrala upphandlande myndigheter | 143 000 | 1 546 202 |
| Övriga upphandlande myndigheter | 221 000 | 2 389 585 |
| Försörjningssektorerna | 443 000 | — |

Värdena räknas om vartannat år.
"""

HTML = """<html><head><meta charset="utf-8"><title>Bidrag per län</title></head><body>
<h1>Bidrag per län</h1><p>Så mycket får varje län:</p>
<table><tr><th>Län</th><th>Belopp</th></tr>
<tr><td>Blekinge län</td><td>2 206 225 kr</td></tr>
<tr><td>Gotlands län</td><td>734 451 kr</td></tr></table>
<p>Pengarna betalas ut i juni.</p></body></html>"""


def texts(path: Path) -> list[str]:
    doc = load(path)
    return [
        c.text for c in chunk_document(doc, doc_id="d", source=str(path), content_hash="h", language="sv")
    ]


def test_a_markdown_table_becomes_one_passage_a_row_under_its_headers_and_caption(tmp_path: Path) -> None:
    path = tmp_path / "belopp.md"
    path.write_text(GUIDE, encoding="utf-8")
    chunks = texts(path)
    assert chunks == [
        "Tröskelvärdena avgör vilka regler som gäller för en upphandling.\n\nTröskelvärden för varor och tjänster:",
        "Tröskelvärden för varor och tjänster\n"
        "Vem upphandlar: Centrala upphandlande myndigheter; Euro: 143 000 euro; Kronor: 1 546 202 kronor.",
        "Tröskelvärden för varor och tjänster\n"
        "Vem upphandlar: Övriga upphandlande myndigheter; Euro: 221 000 euro; Kronor: 2 389 585 kronor.",
        # An empty cell ("—") says nothing and is left out.
        "Tröskelvärden för varor och tjänster\nVem upphandlar: Försörjningssektorerna; Euro: 443 000 euro.",
        "Värdena räknas om vartannat år.",
    ]


def test_each_rows_heading_is_its_own_sections_when_short_sections_with_tables_follow_each_other(
    tmp_path: Path,
) -> None:
    # Two short sections, one table each: merged, the second table's rows took the first heading.
    path = tmp_path / "lagar.md"
    path.write_text(
        "# Belopp\n\n## Enligt LOU\n\nGränser:\n\n| Vad | Kronor |\n|---|---|\n| Varor | 700 000 |\n\n"
        "## Enligt LUF\n\nGränser:\n\n| Vad | Kronor |\n|---|---|\n| Varor | 1 100 000 |\n",
        encoding="utf-8",
    )
    assert texts(path) == [
        "Enligt LOU › Gränser\nVad: Varor; Kronor: 700 000 kronor.",
        "Enligt LUF › Gränser\nVad: Varor; Kronor: 1 100 000 kronor.",
    ]


def test_html_and_docx_tables_are_read_the_same_way(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    html = tmp_path / "bidrag.html"
    html.write_text(HTML, encoding="utf-8")
    assert "Så mycket får varje län\nLän: Blekinge län; Belopp: 2 206 225 kr." in texts(html)

    document = docx.Document()
    document.add_heading("Tröskelvärden", 1)
    document.add_paragraph("Tröskelvärden för varor och tjänster:")
    table = document.add_table(rows=3, cols=2)
    for i, (who, amount) in enumerate(
        [("Myndighet", "Kronor"), ("Centrala myndigheter", "1 546 202"), ("Övriga myndigheter", "2 389 585")]
    ):
        table.cell(i, 0).text, table.cell(i, 1).text = who, amount
    document.add_paragraph("Värdena gäller i två år.")
    document.save(str(tmp_path / "belopp.docx"))
    assert (
        "Tröskelvärden för varor och tjänster\nMyndighet: Övriga myndigheter; Kronor: 2 389 585 kronor."
        in texts(tmp_path / "belopp.docx")
    )


def test_a_question_naming_the_headers_finds_the_row_with_the_amount(
    store: ChunkStore, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "guides"
    folder.mkdir()
    (folder / "belopp.md").write_text(GUIDE, encoding="utf-8")
    sync([folder], store)
    done = done_of(
        collect(
            Assistant(settings, store=store),
            "Vad är tröskelvärdet i kronor för övriga upphandlande myndigheter?",
        )
    )
    assert not done.refused
    # The row that answers, not the whole table with every other amount in it.
    assert "2 389 585" in done.retrieved[0].text and "1 546 202" not in done.retrieved[0].text
    assert "2 389 585" in done.answer


def test_html_cells_spanning_columns_head_each_column_and_a_lone_pipe_line_is_prose() -> None:
    html = "<table><tr><th colspan='2'>Belopp</th></tr><tr><td>Euro</td><td>143 000</td></tr></table>"
    assert tables.from_html(html) == "| Belopp | Belopp |\n|---|---|\n| Euro | 143 000 |"
    assert tables.split_blocks("Välj a | b som du vill.") == [("Välj a | b som du vill.", False)]


NOTICE = """---
title: Tillkännagivande om beloppsgränser
---

# Tillkännagivande om beloppsgränser

## Gränser enligt lagen om offentlig upphandling

Följande gränser gäller enligt 5 kap. 1 §:

Vad upphandlingen       Gränsen   Gränsen avser\t      i euro          i svenska kronor

Varukontrakt som tilldelas av centrala myndigheter\t        143 000\t        1 546 202

## Varukontrakt som tilldelas av myndigheter som inte är centrala     \t221 000\t        2 389 585

Gränserna räknas om vartannat år.
"""


def test_a_tab_aligned_table_of_amounts_is_read_by_row_and_a_tabbed_list_stays_prose(tmp_path: Path) -> None:
    # A PDF conversion leaves the threshold notice as tab-aligned text, a header wrapped over two levels
    # and a row even marked as a heading; the value columns keep their headers, the label goes unnamed.
    path = tmp_path / "notice.md"
    path.write_text(NOTICE, encoding="utf-8")
    lead = "Gränser enligt lagen om offentlig upphandling › Följande gränser gäller enligt 5 kap. 1 §\n"
    assert texts(path) == [
        lead + "Varukontrakt som tilldelas av centrala myndigheter; i euro: 143 000 euro; "
        "i svenska kronor: 1 546 202 kronor.",
        lead + "Varukontrakt som tilldelas av myndigheter som inte är centrala; i euro: 221 000 euro; "
        "i svenska kronor: 2 389 585 kronor.",
        "Gränserna räknas om vartannat år.",
    ]
    listing = "I lagen avses med\n\n1.\tstandard: en specifikation\n\n2.\tCPV-kod:\t75200000-8\n"
    assert tables.split_blocks(listing) == [(listing.strip("\n"), False)]
