"""Second hops: a procurer's phrasing reaches the paragraph its concept rests on, and a guide that
answers brings in the paragraph it cites — even when the question shares no word with the law."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from assistant import retrieval
from assistant.concepts import ConceptMap
from assistant.retrieval import Retriever, concept_paragraphs
from assistant.settings import Settings
from assistant.store import ChunkStore
from tests.core.helpers import concept_map_of, indexed
from tests.fakes import STATUTE

CONCEPTS = """
concepts:
  - name: Avsluta ett innovationspartnerskap
    when: [bryta samarbetet, kliva av]
    terms: [avsluta partnerskapet]
    paragraphs: ["LOU 6 kap. 31 a §"]
"""

# Our own guide, in a procurer's words, citing the paragraph the way the corpus/ guides do.
GUIDE = """---
title: Att lämna ett pågående utvecklingsprojekt
summary: När en kommun vill kliva ur ett projekt med en leverantör.
updated: 2026-11-26
language: sv
---

# Att lämna ett pågående utvecklingsprojekt

## Kan vi kliva ur projektet om leverantören inte levererar?

Ja, om ni skrev in det från början: efter varje etapp kan ni gå vidare eller sluta (LOU 6 kap. 31 a §).
"""

QUESTION = "Kan vi bryta samarbetet med leverantören om prototypen blir sämre än väntat?"


@pytest.fixture
def store(settings: Settings, tmp_path: Path, store: ChunkStore) -> ChunkStore:
    return indexed(store, tmp_path / "docs", {"lou.md": STATUTE, "guide.md": GUIDE})


def concept_map(tmp_path: Path) -> ConceptMap:
    return concept_map_of(CONCEPTS, tmp_path)


def ids_and_scores(retriever: Retriever, question: str) -> tuple[list[str | None], list[dict[str, float]]]:
    passages = retriever.search(retriever.analyze(question))
    return [p.chunk.section_ref for p in passages], [p.scores for p in passages]


def test_a_concept_brings_in_its_paragraph_and_counts_in_the_gate(
    store: ChunkStore, settings: Settings, tmp_path: Path
) -> None:
    # Only the dense side (every chunk of this tiny index) finds the paragraph without the map.
    plain = Retriever(store, settings.model_copy(update={"weight_cited": 0.0}))
    refs, scores = ids_and_scores(plain, QUESTION)
    before = refs.index("LOU 6 kap. 31 a §")
    assert "concept" not in scores[before]

    mapped = Retriever(
        store, settings.model_copy(update={"weight_cited": 0.0}), concepts=concept_map(tmp_path)
    )
    refs, scores = ids_and_scores(mapped, QUESTION)
    assert refs.index("LOU 6 kap. 31 a §") == 0 < before
    assert scores[0]["concept"] == 1.0

    # The gate: "bryta samarbetet" is spoken to by a passage saying "avsluta partnerskapet".
    query = mapped.analyze(QUESTION)
    statute = [p for p in mapped.search(query) if p.chunk.section_ref == "LOU 6 kap. 31 a §"]
    without = plain.evidence(plain.analyze(QUESTION), statute)
    assert mapped.evidence(query, statute) > without


def test_a_guide_that_matches_brings_in_the_paragraph_it_cites(store: ChunkStore, settings: Settings) -> None:
    question = "Kan vi kliva ur projektet om leverantören inte levererar?"
    off = Retriever(store, settings.model_copy(update={"weight_cited": 0.0}))
    refs, scores = ids_and_scores(off, question)
    before = refs.index("LOU 6 kap. 31 a §")
    assert "cited" not in scores[before]

    on = Retriever(store, settings)
    refs, scores = ids_and_scores(on, question)
    assert refs[0] is None  # the guide itself still answers first
    assert refs.index("LOU 6 kap. 31 a §") == 1 < before
    assert scores[1]["cited"] == 1.0
    statutes = [r for r in refs if r]
    assert len(statutes) == len(set(statutes))  # the cited paragraph is not listed twice


def test_every_matched_concept_brings_its_central_paragraph_first(tmp_path: Path) -> None:
    path = tmp_path / "concepts.yaml"
    path.write_text(
        """
concepts:
  - name: Direktupphandling
    when: [direktupphandla]
    paragraphs: ["LOU 19 a kap. 2 §", "LOU 19 a kap. 1 §", "LOU 19 a kap. 8 §"]
  - name: Direktupphandling enligt LUF
    when: [enligt luf]
    paragraphs: ["LUF 19 a kap. 2 §"]
""",
        encoding="utf-8",
    )
    matches = ConceptMap.load(path).match("Hur mycket får vi direktupphandla för enligt LUF?")
    # The concept matched by more of the question's words ("enligt LUF") leads.
    assert [str(r) for r in concept_paragraphs(matches)] == [
        "LUF 19 a kap. 2 §",
        "LOU 19 a kap. 2 §",
        "LOU 19 a kap. 1 §",
        "LOU 19 a kap. 8 §",
    ]
    matches = ConceptMap.load(path).match("Får vi direktupphandla?")
    assert [str(r) for r in concept_paragraphs(matches)][:1] == ["LOU 19 a kap. 2 §"]


def test_a_concept_asked_about_and_found_is_not_refused_for_the_situations_words(
    store: ChunkStore, settings: Settings, tmp_path: Path
) -> None:
    mapped = Retriever(store, settings, concepts=concept_map(tmp_path))
    plain = Retriever(store, settings, concepts=ConceptMap())
    asked = (
        "Vi har ett projekt om trygghetslarm, hemtjänstbilar, rullatorer, duschpallar, hörapparater,"
        " gånghjälpmedel och matlådor med en leverantör. Kan vi bryta samarbetet?"
    )
    query = mapped.analyze(asked)
    passages = mapped.search(query)
    assert "LOU 6 kap. 31 a §" in [p.chunk.section_ref for p in passages[:5]]
    assert plain.evidence(plain.analyze(asked), passages) < settings.min_coverage
    assert mapped.evidence(query, passages) >= settings.min_coverage
    unfloored = mapped.evidence(replace(query, concepts=[]), passages)
    assert unfloored < settings.min_coverage

    # The concept only in the situation: the question asks something else, the gate weighs as before.
    situation = (
        "Vi ville bryta samarbetet om trygghetslarm och hemtjänstbilar. Vad kostar matlådorna per portion?"
    )
    query = mapped.analyze(situation)
    passages = mapped.search(query)
    assert "LOU 6 kap. 31 a §" in [p.chunk.section_ref for p in passages[:5]]
    assert mapped.evidence(query, passages) < settings.min_coverage


NOTICE = """---
title: Tillkännagivande om beloppsgränser
---

# Tillkännagivande om beloppsgränser

## Upphandling enligt lagen (2016:1145) om offentlig upphandling

Följande gränser gäller vid tillämpning av 19 a kap. 2 §:

| Vad köpet gäller | i euro | i svenska kronor |
|---|---|---|
| Köp av varor | 60 000 | 700 000 |

## Upphandling enligt lagen (2016:1146) om upphandling inom försörjningssektorerna

Följande gränser gäller vid tillämpning av 19 a kap. 2 §:

| Vad köpet gäller | i euro | i svenska kronor |
|---|---|---|
| Köp av varor | 100 000 | 1 100 000 |
"""

LIMIT = """
concepts:
  - name: Direktupphandlingsgräns
    when: [hur mycket får vi handla]
    terms: [direktupphandling]
    paragraphs: ["LOU 19 a kap. 2 §"]
"""


@pytest.mark.parametrize(
    ("question", "law"),
    [
        ("Hur mycket får vi handla för utan annons?", "2016:1145"),
        ("Vi är ett energibolag. Hur mycket får vi handla för utan annons?", "2016:1146"),
    ],
)
def test_a_paragraph_that_leaves_its_amounts_to_a_notice_brings_that_laws_rows_only_when_missing(
    settings: Settings,
    tmp_path: Path,
    store: ChunkStore,
    monkeypatch: pytest.MonkeyPatch,
    question: str,
    law: str,
) -> None:
    indexed(store, tmp_path / "notice", {"lou.md": STATUTE, "notice.md": NOTICE})
    mapped = Retriever(
        store, settings.model_copy(update={"weight_cited": 0.0}), concepts=concept_map_of(LIMIT, tmp_path)
    )

    def brought(retriever: Retriever) -> list[str]:
        passages = retriever.search(retriever.analyze(question))
        return [p.chunk.heading_path[0] for p in passages if p.chunk.law is None and "concept" in p.scores]

    # In so small an index the searches find the rows themselves: the paragraph brings none.
    assert brought(mapped) == []
    # Where the searches missed them, it brings the rows of the law asked about, not another's.
    monkeypatch.setattr(retrieval, "ROWS_FOUND_WITHIN", 0)
    rows = brought(mapped)
    assert rows and all(law in heading for heading in rows)
