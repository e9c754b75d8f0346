"""The offline answer's quotable units (assistant/extractive.py), tables above all."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant import analysis, extractive
from assistant.extractive import sentences
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.store import ChunkStore
from assistant.types import Chunk, Passage
from ingest.pipeline import sync
from tests.core.helpers import answer_text, collect, done_of, passage


@dataclass(frozen=True)
class Table:
    name: str
    text: str
    units: list[str]


TABLES = [
    Table(
        "a header introduces its rows",
        "| Lag | Gräns |\n|---|---|\n| LOU | 700 000 |",
        ["Lag – Gräns:", "LOU – 700 000"],
    ),
    # A chunk cut between a table's header and its rule line starts at the rule.
    Table("starts at the rule line", "|---|---|\n| LOU | 700 000 |", ["LOU – 700 000"]),
    Table(
        "a rule after prose is no header mark",
        "Beloppen gäller 2024.\n|---|---|\n| LOU | 700 000 |",
        ["Beloppen gäller 2024.", "LOU – 700 000"],
    ),
    Table("rule lines only", "|---|---|\n|---|---|", []),
]


@pytest.mark.parametrize("case", TABLES, ids=lambda c: c.name)
def test_table_units(case: Table) -> None:
    assert sentences(case.text) == case.units


def test_an_offline_answer_from_a_chunk_that_starts_at_a_table_rule(
    store: ChunkStore, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "tabeller"
    folder.mkdir()
    (folder / "belopp.md").write_text(
        "# Beloppsgränser\n\n## Direktupphandlingsgräns per lag\n\n"
        "|---|---|\n| LOU | 700 000 kronor |\n| LUF | 1 200 000 kronor |\n",
        encoding="utf-8",
    )
    sync([folder], store)
    events = collect(Assistant(settings, store=store), "Vilken direktupphandlingsgräns gäller enligt LUF?")
    assert not done_of(events).refused
    assert "LUF – 1 200 000 kronor" in answer_text(events)


def test_the_offline_answer_reads_a_synonym_in_any_inflection(
    store: ChunkStore, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "varde"
    folder.mkdir()
    (folder / "varde.md").write_text(
        "# Värdet av en upphandling\n\n"
        "Värdet räknas på det totala beloppet som ska betalas under hela avtalstiden. "
        "Optioner och förlängningar räknas in i värdet som om de utnyttjas. "
        "Premier till anbudsgivare räknas också in i värdet. "
        "Värdet ska bestämmas exklusive mervärdesskatt.\n",
        encoding="utf-8",
    )
    sync([folder], store)
    # "momsen" stems apart from "moms" (the glossary's word for mervärdesskatt), yet is the same word.
    events = collect(Assistant(settings, store=store), "Räknas värdet med momsen?")
    assert not done_of(events).refused
    quoted = [line for line in answer_text(events).splitlines() if line.startswith("> ")]
    assert quoted[0] == "> Värdet ska bestämmas exklusive mervärdesskatt."


def test_a_long_statute_sentence_is_quoted_whole_up_to_its_condition() -> None:
    rule = (
        "Kommunen ska stänga ute en anbudsgivare från anbudsprocessen, när kommunen vid sin granskning "
        + "eller genom andra kanaler får veta att anbudsgivaren har obetalda avgifter till staten, " * 4
        + "och detta har slagits fast i ett avgörande som har fått laga kraft."
    )
    assert 420 < len(rule) < 700
    assert sentences(rule) == [rule]
    runaway = "Ord " * 400 + "slut."
    (cut,) = sentences(runaway)
    assert cut.endswith(" …") and len(cut) <= 702  # cut at a word, then the mark


def _statute(rank: int, text: str, chapter: str, paragraph: str) -> Passage:
    chunk = Chunk(
        id=f"s{rank}",
        doc_id="lou",
        text=text,
        title="Lag om offentlig upphandling (LOU)",
        source="lou.md",
        section_ref=f"LOU {chapter} kap. {paragraph} §",
        law="LOU",
        chapter=chapter,
        paragraph=paragraph,
    )
    return Passage(chunk=chunk, rank=rank)


def test_a_guide_that_leads_the_answer_brings_the_paragraph_it_cites() -> None:
    question = "Får vi betala deltagarna i en konkurrenspräglad dialog?"
    guide = passage(
        1, "I en konkurrenspräglad dialog får ni betala deltagarna ersättning (6 kap. 29 §).", "Guide"
    )
    others = [
        _statute(2, "En konkurrenspräglad dialog får användas när behovet inte kan mötas annars.", "6", "21"),
        _statute(3, "Vid en konkurrenspräglad dialog får alla leverantörer ansöka om att delta.", "6", "20"),
        _statute(4, "Värdet av en upphandling ska uppskattas utan mervärdesskatt.", "5", "3"),
        _statute(
            5, "Myndigheten får besluta om tävlingspriser eller annan ersättning för deltagande.", "6", "29"
        ),
    ]
    excerpts = extractive.select([guide, *others], analysis.content_terms(question), question, max_excerpts=3)
    assert excerpts[0].passage is guide
    assert excerpts[-1].passage.chunk.section_ref == "LOU 6 kap. 29 §"
    assert [ex.n for ex in excerpts] == list(range(1, len(excerpts) + 1))
    # A statute that leads brings nothing more: it is the law already.
    led_by_law = extractive.select(others, analysis.content_terms(question), question, max_excerpts=3)
    assert all(ex.passage.chunk.law == "LOU" for ex in led_by_law)


def test_a_guide_quoted_after_the_law_still_brings_the_paragraph_it_cites() -> None:
    # The statute that speaks of the dialog leads; the guide that says the answer in our words comes
    # second, and the paragraph it cites follows it.
    question = "Får vi betala de leverantörer som är med i en konkurrenspräglad dialog?"
    law = [
        _statute(
            1, "Vid en konkurrenspräglad dialog får leverantörer som är med ansöka om att delta.", "6", "20"
        ),
        _statute(2, "En konkurrenspräglad dialog får användas när behovet inte kan mötas annars.", "6", "21"),
        _statute(
            4, "Myndigheten får besluta om tävlingspriser eller annan ersättning för deltagande.", "6", "29"
        ),
    ]
    guide = passage(3, "Ni får betala leverantörerna ersättning i dialogen (6 kap. 29 §).", "Guide")
    excerpts = extractive.select([*law[:2], guide, law[2]], analysis.content_terms(question), question)
    refs = [ex.passage.chunk.section_ref for ex in excerpts]
    assert excerpts[0].passage.chunk.law == "LOU" and guide in [ex.passage for ex in excerpts]
    assert refs[-1] == "LOU 6 kap. 29 §" and refs.count("LOU 6 kap. 29 §") == 1
