"""Hybrid retrieval: exact statute references first, then stemmed-word, trigram and dense results
fused by weighted reciprocal rank; plus the evidence measure the refusal decision rests on."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from assistant import analysis
from assistant.glossary import Glossary
from assistant.legalref import LegalReference, find_references
from assistant.settings import Settings
from assistant.store import ChunkStore
from assistant.types import Chunk, Passage

RRF_K = 60


@dataclass
class Query:
    """A question prepared for search."""

    text: str
    language: str
    terms: list[str]  # Swedish-side content terms: what lexical search and the evidence gate use
    references: list[LegalReference] = field(default_factory=list)
    expansions: list[str] = field(default_factory=list)
    search_terms: list[str] = field(default_factory=list)  # terms + compound parts + synonyms
    # What the evidence gate weighs: for an English question, its Swedish translation only, since
    # English words left untranslated cannot appear in Swedish passages.
    gate_terms: list[str] = field(default_factory=list)

    @property
    def search_text(self) -> str:
        return " ".join([self.text, *self.expansions])


class Retriever:
    def __init__(self, store: ChunkStore, settings: Settings, *, glossary: Glossary | None = None) -> None:
        self.store = store
        self.settings = settings
        self.glossary = glossary if glossary is not None else Glossary.load(settings.glossary_path)

    def analyze(self, question: str, *, expansions: list[str] | None = None) -> Query:
        """Language, content terms and statute references of ``question``.

        ``expansions`` are Swedish search terms from elsewhere (an LLM translation); without them an
        English question is expanded through the glossary.
        """
        language = analysis.detect_language(question)
        extra = list(expansions or [])
        terms = analysis.content_terms(question)
        gate_terms: list[str] | None = None
        if language == "en":
            glossary_terms, rest = self.glossary.expand(question)
            extra += [t for t in glossary_terms if t not in extra]
            # English words the glossary did not translate cannot match Swedish text; keep them only
            # as a fallback for English documents.
            swedish = [w for t in extra for w in analysis.content_terms(t)]
            numbers = [w for w in analysis.content_terms(rest) if analysis.is_number(w)]
            terms = swedish + analysis.content_terms(rest)
            if swedish:
                gate_terms = list(dict.fromkeys(swedish + numbers))
        else:
            terms += [w for t in extra for w in analysis.content_terms(t) if w not in terms]
        synonyms = self.glossary.synonyms_for(" ".join([question, *extra]))
        lexical_terms = list(dict.fromkeys(terms + self.store.lexical.decompound(terms)))
        return Query(
            text=question,
            language=language,
            terms=list(dict.fromkeys(terms)),
            references=find_references(question),
            expansions=extra,
            search_terms=lexical_terms + [w for t in synonyms for w in analysis.content_terms(t)],
            gate_terms=gate_terms or list(dict.fromkeys(terms)),
        )

    def search(self, query: Query, k: int | None = None) -> list[Passage]:
        k = k or self.settings.top_k
        n = max(self.settings.candidates, k)
        ranked: dict[str, dict[str, float]] = {}
        fused: dict[str, float] = {}

        def add(name: str, hits: list[tuple[str, float]], weight: float) -> None:
            for rank, (chunk_id, score) in enumerate(hits, start=1):
                ranked.setdefault(chunk_id, {})[name] = score
                fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (RRF_K + rank)

        s = self.settings
        if s.weight_words:
            add(
                "words", self.store.lexical.search_words(query.search_terms or query.terms, n), s.weight_words
            )
        if s.weight_trigram:
            add(
                "trigram",
                self.store.lexical.search_trigrams(query.search_terms or query.terms, n),
                s.weight_trigram,
            )
        if s.weight_dense:
            add("dense", self.store.search_dense(query.search_text, n), s.weight_dense)

        exact = self._exact(query.references)
        order = [c.id for c in exact] + sorted(
            (i for i in fused if i not in {c.id for c in exact}), key=lambda i: -fused[i]
        )
        chunks = {c.id: c for c in exact} | self.store.lexical.get_chunks(
            i for i in order[:k] if i not in {c.id for c in exact}
        )
        passages: list[Passage] = []
        for chunk_id in order[:k]:
            chunk = chunks.get(chunk_id)
            if chunk is None:  # a vector whose lexical row is being rewritten right now
                continue
            passages.append(
                Passage(
                    chunk=chunk,
                    rank=len(passages) + 1,
                    score=fused.get(chunk_id, 1.0),
                    scores=ranked.get(chunk_id, {}),
                    exact_reference=chunk_id not in fused or any(c.id == chunk_id for c in exact),
                )
            )
        return passages

    def _exact(self, references: list[LegalReference]) -> list[Chunk]:
        found: list[Chunk] = []
        for ref in references:
            found.extend(self.store.lexical.find_sections(ref.chapter, ref.paragraph, ref.law)[:3])
        return found

    def evidence(self, query: Query, passages: list[Passage], top: int = 3) -> float:
        """How much of the question the best passages speak to, 0–1, weighting rare terms higher.

        A term absent from the whole corpus (a café, a year the documents never mention) weighs the
        most, so a question about something the documents do not cover scores low.
        """
        if any(p.exact_reference for p in passages):
            return 1.0
        terms = query.gate_terms or query.terms
        if not terms or not passages:
            return 0.0
        text = analysis.normalize(
            " ".join(f"{p.chunk.title} {' '.join(p.chunk.heading_path)} {p.text}" for p in passages[:top])
        )
        docs = max(self.store.counts()[1], 1)
        total = covered = 0.0
        for term in terms:
            df = self.store.lexical.term_frequency(term)
            weight = math.log(1 + docs / (1 + df))
            if analysis.is_number(term) and len(term) == 4:
                weight *= 2  # a year the passages do not mention is a question they cannot answer
            total += weight
            alternatives = [term, *self.glossary.synonyms_for(term)]
            if any(
                all(analysis.mentions(text, w) for w in analysis.content_terms(alt) or [alt])
                for alt in alternatives
            ):
                covered += weight
        return covered / total if total else 0.0
