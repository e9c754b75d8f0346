"""A question that names one law (LUF, LUK, LOU) is answered from that law: the concept map's LOU
paragraphs are looked up in it too, and another law's paragraph ranks below it."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.concepts import ConceptMap
from assistant.retrieval import Retriever, concept_paragraphs, named_law, named_laws
from assistant.settings import Settings
from assistant.store import ChunkStore
from tests.core.helpers import concept_map_of, indexed
from tests.fakes import STATUTE

# The utilities law in the same layout, with its own amount (our own words, not the law's text).
LUF = """---
beteckning: 2016:1146
rubrik: Lag om upphandling inom försörjningssektorerna
---

# Lag om upphandling inom försörjningssektorerna

## 19 a kap. Direktupphandling

### Belopp

#### 2 §

En enhet får direktupphandla när värdet understiger den högre beloppsgräns som gäller för enheter.
"""

CONCEPTS = """
concepts:
  - name: Direktupphandlingsgränsen
    when: [gränsen för direktupphandling]
    terms: [direktupphandling, beloppsgräns]
    paragraphs: ["LOU 19 a kap. 2 §"]
"""


@pytest.mark.parametrize(
    ("question", "law"),
    [
        ("Vi handlar upp enligt LUF. Vad gäller?", "LUF"),
        ("Vi är ett energibolag inom försörjningssektorerna", "LUF"),
        # What a utility runs names its law.
        ("Vi är ett kommunägt energibolag med elnät. Vilken gräns gäller för direktupphandling?", "LUF"),
        ("Vårt VA-bolag ska köpa pumpar.", "LUF"),
        ("Vi driver fjärrvärmen i stan.", "LUF"),
        ("Var hamnar vi om vi köper för en miljon?", None),
        ("Hur länge får en koncession löpa?", "LUK"),
        ("Vad säger LOU om ramavtal?", "LOU"),
        ("Skiljer sig LOU och LUF åt här?", None),  # two laws: neither is the one asked about
        ("Vad är ett ramavtal?", None),
    ],
)
def test_the_law_a_question_names(question: str, law: str | None) -> None:
    assert named_law(question) == law


@pytest.fixture
def store(settings: Settings, tmp_path: Path, store: ChunkStore) -> ChunkStore:
    return indexed(store, tmp_path / "docs", {"lou.md": STATUTE, "luf.md": LUF})


def retriever(store: ChunkStore, settings: Settings, tmp_path: Path) -> Retriever:
    return Retriever(store, settings, concepts=concept_map_of(CONCEPTS, tmp_path))


def test_a_concept_cited_in_lou_brings_the_named_laws_paragraph_first(tmp_path: Path) -> None:
    matches = concept_map_of(CONCEPTS, tmp_path).match("Vad är gränsen för direktupphandling?")
    assert [str(r) for r in concept_paragraphs(matches, ("LUF",))] == [
        "LUF 19 a kap. 2 §",
        "LOU 19 a kap. 2 §",
    ]
    assert [str(r) for r in concept_paragraphs(matches, ("LOU",))] == ["LOU 19 a kap. 2 §"]
    assert [str(r) for r in concept_paragraphs(matches)] == ["LOU 19 a kap. 2 §"]
    # "Under LUF rather than LOU": both laws' paragraphs, the mirrored one first.
    both = named_laws("Vi köper enligt LUF och inte LOU. Vad är gränsen för direktupphandling?")
    assert both == ("LUF", "LOU") and named_law("Vi köper enligt LUF och inte LOU.") is None
    assert [str(r) for r in concept_paragraphs(matches, both)] == ["LUF 19 a kap. 2 §", "LOU 19 a kap. 2 §"]


def test_another_laws_paragraph_ranks_below_the_named_laws(
    store: ChunkStore, settings: Settings, tmp_path: Path
) -> None:
    search = retriever(store, settings, tmp_path)

    def statutes(question: str) -> list[str | None]:
        passages = search.search(search.analyze(question))
        return [p.chunk.section_ref for p in passages if p.chunk.law]

    assert statutes("Vad är gränsen för direktupphandling för oss som följer LUF?")[0] == "LUF 19 a kap. 2 §"
    assert statutes("Vad är gränsen för direktupphandling för oss som följer LOU?")[0] == "LOU 19 a kap. 2 §"


def test_without_a_concept_the_named_law_still_ranks_first(store: ChunkStore, settings: Settings) -> None:
    search = Retriever(store, settings, concepts=ConceptMap())
    question = "När får man direktupphandling användas enligt LUF, vilken beloppsgräns?"
    passages = [p for p in search.search(search.analyze(question)) if p.chunk.law]
    assert passages[0].chunk.section_ref == "LUF 19 a kap. 2 §"
    assert all(p.scores.get("other_law") == 1.0 for p in passages if p.chunk.law == "LOU")
