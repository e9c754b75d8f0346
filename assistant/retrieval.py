"""Hybrid retrieval: exact statute references first, then stemmed-word, trigram and dense results
fused by weighted reciprocal rank; plus the evidence measure the refusal decision rests on."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache

from assistant import analysis
from assistant.concepts import GLUE, ConceptMap, ConceptMatch
from assistant.extractive import LISTING, units
from assistant.glossary import Glossary
from assistant.legalref import LAW, LAW_NAMES, LegalReference, find_references, format_reference
from assistant.settings import Settings
from assistant.shape import Shape, fits, shape_of
from assistant.store import ChunkStore
from assistant.types import Chunk, Language, Passage

RRF_K = 60
RERANK_POOL = 30
# The evidence gate reads this many of the best passages: with the hops, the paragraph that answers a
# scenario question is often 4th or 5th behind the guide and the concept's paragraphs.
GATE_PASSAGES = 5
# The share of the rest of the question a passage must speak to for a name it mentions to count.
ANCHOR_CONTEXT = 0.2
# How many of the best passages may bring in the paragraphs they cite: with our guides, which cite a
# paragraph in nearly every sentence, five let the cited ones crowd out the page that answers.
CITING_PASSAGES = 3
# A paragraph that leaves its figures to a notice (LOU 5 kap. 1 §: the government announces the
# thresholds) brings this many of the notice's rows that apply it, those the question's words favour.
ROWS_PER_PARAGRAPH = 2
ROWS_FOUND_WITHIN = 5
UNCOVERED_ANCHOR = 0.2
# A name counts only with the question's other words within this many sentences of it (a lead-in and
# the first items of its list).
NEAR = 2
# A guide or a page gives at most this many of the best passages before every other document has had
# its turn.
PER_DOCUMENT = 2
CONTEXT_WEIGHT = 0.5
MIN_ASKED_TERMS = 2  # an asking sentence with fewer words of its own leaves the whole question asked
# Words of an asking sentence that only ask, whatever the topic: "Vad säger lagen?", "Stämmer det?",
# "Vem har rätt?", "Hur gör vi då?".
GENERIC_ASKING = frozenset(
    "säger säga lagen lag reglerna regler regeln gäller stämmer rätt fel lagligt tillåtet möjligt går "
    "funkar fungerar gör göra tänka bör borde då isåfall fall law rules say allowed right wrong".split()
)
# A sentence that reports a question: "En politiker undrar om …", "Chefen vill veta hur …".
INDIRECT_QUESTION = re.compile(
    r"\b(?:undrar|undrade|vill veta|ville veta|frågar|frågade|wonders?|wondering|wants? to know|asks?)\b",
    re.I,
)
# In the re-rank, a passage that says something of the asked shape (a definition for "Vad menas med",
# an amount for "hur mycket", a list for "vilka") gains this much over one that only shares words.
SHAPE_WEIGHT = 0.05
# A question that names one of the laws ("vi handlar upp enligt LUF") is not answered by another law's
# paragraph, however alike the words: those lose this much in the re-rank.
OTHER_LAW_PENALTY = 0.1
NAMED_LAW = {
    # A utility says which law it buys under by what it runs: an energy company, the power grid,
    # district heating, water and sewage.
    "LUF": re.compile(
        r"\bluf\b|försörjningssektor|energibolag|\belnät|fjärrvärme|\bva-bolag|vattenbolag|avloppsbolag|"
        r"vatten- och avlopp|dricksvatten"
    ),
    "LUK": re.compile(r"\bluk\b|koncession"),
    "LOU": re.compile(r"\blou\b|lagen om offentlig upphandling"),
}
# Shapes a passage can be told by; nearly every statute paragraph says "får" or "ska", so a
# permission is not one of them.
SHAPED = frozenset({Shape.AMOUNT, Shape.COUNT, Shape.DURATION, Shape.DEFINITION, Shape.LIST, Shape.CONDITION})


# One pool for every retriever in the process: the word, trigram and dense searches of a question.
SEARCHES = ThreadPoolExecutor(max_workers=6, thread_name_prefix="search")


@dataclass
class Query:
    """A question prepared for search."""

    text: str
    language: Language
    # The words the question turns on: what the evidence gate weighs. For an English question, its
    # Swedish translation (glossary or LLM) and the English words left untranslated.
    terms: list[str]
    references: list[LegalReference] = field(default_factory=list)
    expansions: list[str] = field(default_factory=list)
    search_terms: list[str] = field(default_factory=list)  # terms + compound parts + synonyms
    # Years and names the question is about; passages that mention none of one cannot answer it.
    anchors: list[str] = field(default_factory=list)
    # English words left untranslated beside a translation: more often a gap in the glossary than a
    # sign the question is off-topic, so they count half in the evidence gate.
    weak_terms: set[str] = field(default_factory=set)
    # The situation a question sets out before asking ("Vi är en kommun och ska köpa skolskjuts …"):
    # its words count less in the gate than those of the question itself.
    context_terms: set[str] = field(default_factory=set)
    # Legal concepts the question's everyday phrasings stand for (the concept map).
    concepts: list[ConceptMatch] = field(default_factory=list)
    # The one law the question names, if it names exactly one (LOU, LUF or LUK); and every law it names.
    law: str | None = None
    laws: tuple[str, ...] = ()
    # Names only the asker's description of themselves uses ("Vi är en liten kommun i Norrland"):
    # where the asker is, not what is asked about, so a passage need not mention them.
    own_names: set[str] = field(default_factory=set)
    # Other words for the question's words that a phrase of theirs has ("statlig" in "statlig
    # myndighet" is said by a threshold table's "centrala upphandlande myndigheter").
    phrase_synonyms: dict[str, list[str]] = field(default_factory=dict)

    def alternatives(self, term: str) -> list[str]:
        """Words of the concepts a question word belongs to, and of the synonyms of a phrase it is
        part of: a passage saying those speaks to it."""
        return [
            *(t for m in self.concepts if term in m.words for t in m.concept.terms),
            *self.phrase_synonyms.get(term, []),
        ]

    @property
    def search_text(self) -> str:
        return " ".join([self.text, *self.expansions])


class Retriever:
    def __init__(
        self,
        store: ChunkStore,
        settings: Settings,
        *,
        glossary: Glossary | None = None,
        concepts: ConceptMap | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.glossary = glossary if glossary is not None else Glossary.load(settings.glossary_path)
        self.concepts = concepts if concepts is not None else ConceptMap.load(settings.concepts_path)

    def analyze(
        self, question: str, *, expansions: list[str] | None = None, language: Language | None = None
    ) -> Query:
        """Language, content terms and statute references of ``question``.

        ``expansions`` are Swedish search terms from elsewhere (an LLM translation); without them an
        English question is expanded through the glossary. ``language`` is the question's, when the
        caller has already detected it.
        """
        language = language or analysis.detect_language(question)
        extra = list(expansions or [])
        terms = analysis.content_terms(question)
        names = analysis.proper_nouns(question)
        weak: set[str] = set()
        if language == "en":
            glossary_terms, rest = self.glossary.expand(question)
            extra += [t for t in glossary_terms if t not in extra]
            swedish = [w for t in extra for w in analysis.content_terms(t)]
            untranslated = analysis.content_terms(rest)
            # Names (Atea, Sundsvall) read the same in both languages and say what is asked about.
            names = [w for w in names if w in untranslated]
            terms = swedish + untranslated
            if swedish:
                weak = {w for w in untranslated if w not in names and not analysis.is_number(w)}
        else:
            extra += [t for t in self.glossary.borrowed(question) if t not in extra]
            terms += [w for t in extra for w in analysis.content_terms(t) if w not in terms]
        terms = list(dict.fromkeys(terms))
        synonyms = self.glossary.synonyms_for(" ".join([question, *extra]))
        # An English question reaches the map through its Swedish: read as Swedish, its own words
        # mislead ("add" is the purchasing body Adda). Names read the same in both languages.
        concepts = self.concepts.match(" ".join([question, *extra] if language == "sv" else [*extra, *names]))
        synonyms += [t for m in concepts for t in m.concept.terms]
        lexical_terms = list(dict.fromkeys(terms + self.store.lexical.decompound(terms)))
        return Query(
            text=question,
            language=language,
            terms=terms,
            references=find_references(question),
            expansions=extra,
            search_terms=lexical_terms + [w for t in synonyms for w in analysis.content_terms(t)],
            anchors=list(
                dict.fromkeys([t for t in terms if analysis.years(t) or analysis.is_foreign(t)] + names)
            ),
            weak_terms=weak,
            concepts=concepts,
            context_terms=_context_terms(question, terms),
            law=named_law(question),
            laws=named_laws(question),
            # A country is never only where the asker is: "Vi är en kommun i Norge" asks about Norway's rules.
            own_names=_own_names(question, [n for n in names if not analysis.is_foreign(n)]),
            phrase_synonyms=self.glossary.phrase_synonyms(question),
        )

    def search(self, query: Query, k: int | None = None) -> list[Passage]:
        """The ``k`` best passages: exact statute references first, then the fused candidates
        re-ranked by how much of the question each one covers."""
        k = k or self.settings.top_k
        fused, scores = self._fuse(query, max(self.settings.candidates, k))
        self._hop(query, fused, scores)
        exact = self._exact(query.references)
        exact_ids = {c.id for c in exact}
        pool = [i for i in sorted(fused, key=lambda i: -fused[i]) if i not in exact_ids][
            : max(k, RERANK_POOL)
        ]
        chunks = self.store.lexical.get_chunks(pool)  # a vector whose row is being rewritten is skipped
        final = {i: fused[i] for i in pool if i in chunks}
        weight = self.settings.weight_coverage
        if weight and final:
            top = max(final.values())
            terms = self._weighted_terms(query, by_corpus=True)
            shape = shape_of(query.text)
            for chunk_id in final:
                coverage = self._coverage(_searchable(chunks[chunk_id]), terms)
                scores[chunk_id]["coverage"] = coverage
                final[chunk_id] = final[chunk_id] / top + weight * coverage
                if shape in SHAPED and _has_shape(chunks[chunk_id].text, shape):
                    scores[chunk_id]["shape"] = 1.0
                    final[chunk_id] += SHAPE_WEIGHT
                if query.law and chunks[chunk_id].law not in (None, query.law):
                    scores[chunk_id]["other_law"] = 1.0
                    final[chunk_id] -= OTHER_LAW_PENALTY
        ordered = _spread([*exact, *(chunks[i] for i in sorted(final, key=lambda i: -final[i]))])[:k]
        return [
            Passage(
                chunk=chunk,
                rank=rank,
                score=final.get(chunk.id, 1.0),
                scores=scores.get(chunk.id, {}),
                exact_reference=chunk.id in exact_ids,
            )
            for rank, chunk in enumerate(ordered, start=1)
        ]

    def _fuse(self, query: Query, n: int) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
        """Weighted reciprocal-rank fusion of the stem, trigram and dense result lists."""
        s = self.settings
        terms = query.search_terms or query.terms
        lists: list[tuple[str, float, Callable[[], list[tuple[str, float]]]]] = [
            ("words", s.weight_words, lambda: self.store.lexical.search_words(terms, n)),
            ("trigram", s.weight_trigram, lambda: self.store.lexical.search_trigrams(terms, n)),
            ("dense", s.weight_dense, lambda: self.store.search_dense(query.search_text, n)),
        ]
        fused: dict[str, float] = {}
        scores: dict[str, dict[str, float]] = {}
        # Their lists are fused in a fixed order, so running them side by side gives what one by one
        # does. Side by side pays while the embedding waits on a server (SQLite and Chroma release the
        # GIL). A model in this process already keeps every core busy, and the index searches beside it
        # only take turns with it: on two cores, long questions took 65 ms at the median side by side
        # and 55 ms one after another (BENCHMARKS.md).
        if self.store.embedder.computes_here:
            results = [(name, weight, run()) for name, weight, run in lists if weight]
        else:
            running = [(name, weight, SEARCHES.submit(run)) for name, weight, run in lists if weight]
            results = [(name, weight, future.result()) for name, weight, future in running]
        for name, weight, found in results:
            for rank, (chunk_id, score) in enumerate(found, start=1):
                scores.setdefault(chunk_id, {})[name] = score
                fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (RRF_K + rank)
        return fused, scores

    def _hop(self, query: Query, fused: dict[str, float], scores: dict[str, dict[str, float]]) -> None:
        """Bring in paragraphs the question never names: those its concepts stand on, and those the
        best guidance passages cite — a procurer's wording finds the guide, the guide finds the law."""
        cited: list[LegalReference] = []
        if self.settings.weight_cited:
            best = sorted(fused, key=lambda i: -fused[i])[:CITING_PASSAGES]
            citing = self.store.lexical.get_chunks(best)
            cited = [
                ref
                for chunk_id in best
                if chunk_id in citing and citing[chunk_id].law is None
                for ref in find_references(citing[chunk_id].text)
            ]
        conceptual = concept_paragraphs(query.concepts, query.laws)
        for name, weight, refs in (
            ("concept", self.settings.weight_concept, conceptual),
            ("cited", self.settings.weight_cited, cited),
        ):
            if not weight:
                continue
            found = self._exact(list(dict.fromkeys(refs)))
            if name == "concept":
                found += self._applying(query, fused)
            ids = list(dict.fromkeys(c.id for c in found))
            for rank, chunk_id in enumerate(ids, start=1):
                scores.setdefault(chunk_id, {})[name] = 1.0
                fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (RRF_K + rank)

    def _applying(self, query: Query, fused: dict[str, float]) -> list[Chunk]:
        """The rows of a notice that apply the paragraphs the question asks about, in that law: the
        amounts LOU 5 kap. 1 § leaves to the threshold notice. Only where the searches found none of
        them among the candidates the re-rank reads (where they did, the question's words chose better
        than a second guess would); then those that speak to most of the question."""
        pool = set(sorted(fused, key=lambda i: -fused[i])[:ROWS_FOUND_WITHIN])
        applying: dict[str, list[Chunk]] = {}  # LOU's and LUF's 5 kap. 1 § are one lookup
        weighted: list[tuple[float, list[str]]] | None = None
        found: list[Chunk] = []
        for ref in concept_paragraphs(_asked_concepts(query), query.laws):
            if query.laws and ref.law not in query.laws:
                continue  # a LUF question is not answered by LOU's amounts
            where = format_reference(None, ref.chapter, ref.paragraph)
            if where not in applying:
                applying[where] = self.store.lexical.applying(where)
            rows = [row for row in applying[where] if _law_of(row) == ref.law]
            if not rows or any(row.id in pool for row in rows):
                continue
            weighted = weighted if weighted is not None else self._weighted_terms(query)
            rows.sort(key=lambda row: -self._coverage(_searchable(row), weighted))
            found += rows[:ROWS_PER_PARAGRAPH]
        return found

    def _exact(self, references: list[LegalReference], per_reference: int = 3) -> list[Chunk]:
        found: list[Chunk] = []
        for ref in references:
            found.extend(
                self.store.lexical.find_sections(ref.chapter, ref.paragraph, ref.law)[:per_reference]
            )
        return found

    def _weighted_terms(self, query: Query, *, by_corpus: bool = False) -> list[tuple[float, list[str]]]:
        """Each term the question turns on, with its synonyms and a weight.

        For the evidence gate the weight is specificity, rarity in general Swedish: "köra", "via"
        or "stället" say little about what is asked, while "avtalsspärr", "kanelbullar" or "Atea"
        say what the question is about, so passages that miss those do not answer it. For ranking
        it is rarity in the corpus (idf), which is what tells one passage from another.
        """
        docs = max(self.store.lexical.size(), 1) if by_corpus else 1
        weighted = []
        for term in query.terms:
            if by_corpus:
                weight = math.log(1 + docs / (1 + self.store.lexical.term_frequency(term)))
            else:
                weight = analysis.specificity(term) * (0.5 if term in query.weak_terms else 1.0)
                weight *= CONTEXT_WEIGHT if term in query.context_terms else 1.0
            weighted.append((weight, [term, *self.glossary.synonyms_for(term), *query.alternatives(term)]))
        return weighted

    @staticmethod
    def _coverage(text: str, weighted: list[tuple[float, list[str]]]) -> float:
        total = sum(w for w, _ in weighted)
        covered = sum(
            w
            for w, alternatives in weighted
            if any(all(analysis.mentions(text, word) for word in _words_of(alt)) for alt in alternatives)
        )
        return covered / total if total else 0.0

    def _near(self, text: str, names: list[str], asked: list[tuple[float, list[str]]]) -> bool:
        """Whether the sentence that mentions one of ``names``, with the sentences around it, speaks
        to the rest of the question: a news item that lists Norway among the buyers of a vehicle does
        not tell Norway's direct-award limit, however many of the question's words it has elsewhere."""
        pieces = analysis.sentences(text)
        return any(
            any(analysis.mentions(piece, name) for name in names)
            and self._coverage(" ".join(pieces[max(i - NEAR, 0) : i + NEAR + 1]), asked) >= ANCHOR_CONTEXT
            for i, piece in enumerate(pieces)
        )

    def _concept_found(self, query: Query, passages: list[Passage]) -> bool:
        governing = {str(ref) for ref in concept_paragraphs(_asked_concepts(query), query.laws)}
        return any(p.chunk.section_ref in governing for p in passages)

    def evidence(self, query: Query, passages: list[Passage], top: int = GATE_PASSAGES) -> float:
        """How much of the question the best passages speak to, 0–1, specific terms counting most.

        A year or a name the passages never mention caps it low: the documents do not cover that
        time, or that firm, place or body.
        """
        if any(p.exact_reference for p in passages):
            return 1.0
        if not passages:
            return 0.0
        texts = [_searchable(p.chunk) for p in passages[:top]]
        weighted = self._weighted_terms(query)
        coverage = self._coverage(" ".join(texts), weighted)
        if self._concept_found(query, passages[:top]):
            # The question asks, in its own words, about a concept the map knows, and a paragraph
            # that governs it is among the best passages: the words of the situation around it (the
            # product, the place, the amount) do not make that an unanswered question.
            coverage = max(coverage, self.settings.min_coverage)
        # A name counts as mentioned under any of its synonyms (Konkurrensverket is the law's
        # "tillsynsmyndigheten"), and only by a passage that also speaks to the rest of the question:
        # a list of referral bodies that happens to name the region asked about does not cover it.
        rest = [(w, alternatives) for w, alternatives in weighted if alternatives[0] not in query.anchors]
        # Near the name, the words of other names do not count: "Region" in "Region Stockholm" is part
        # of the name, not what is asked about it.
        named = set(analysis.proper_nouns(query.text))
        asked = [(w, alternatives) for w, alternatives in rest if alternatives[0] not in named]

        def covered(anchor: str) -> bool:
            # A span of years ("2028-2029") is covered by a passage that speaks of either end.
            names = [anchor, *analysis.years(anchor), *self.glossary.synonyms_for(anchor)]
            return any(
                any(analysis.mentions(text, name) for name in names)
                and (not rest or self._coverage(text, rest) >= ANCHOR_CONTEXT)
                and (not asked or self._near(text, names, asked))
                for text in texts
            )

        if not all(covered(anchor) for anchor in query.anchors if anchor not in query.own_names):
            coverage = min(coverage, UNCOVERED_ANCHOR)
        return coverage


@lru_cache(maxsize=65536)
def _words_of(alternative: str) -> tuple[str, ...]:
    """The words a passage must mention to mention ``alternative`` ("ekonomisk ställning": both)."""
    return tuple(analysis.content_terms(alternative)) or (alternative,)


def _spread(ordered: list[Chunk]) -> list[Chunk]:
    """The same order, but a guide or a page gives at most PER_DOCUMENT of the best passages before
    every other document has had its turn: five sections of one guide would crowd out the paragraph
    they all rest on. A statute's paragraphs are each their own answer, so they are not held back."""
    seen: dict[str, int] = {}
    first: list[Chunk] = []
    later: list[Chunk] = []
    for chunk in ordered:
        if chunk.law is None:
            seen[chunk.doc_id] = seen.get(chunk.doc_id, 0) + 1
            if seen[chunk.doc_id] > PER_DOCUMENT:
                later.append(chunk)
                continue
        first.append(chunk)
    return first + later


def _asked_concepts(query: Query) -> list[ConceptMatch]:
    """The concepts the asking sentence names, not only the situation before it."""
    return [m for m in query.concepts if any(w not in query.context_terms for w in m.words if w not in GLUE)]


def concept_paragraphs(concepts: list[ConceptMatch], laws: tuple[str, ...] = ()) -> list[LegalReference]:
    """The paragraphs of the matched concepts, each concept's most central first, then each one's
    second …: a question that uses phrasings of several concepts does not leave the last one's
    paragraphs ranked below every other concept's least central one. The concept matched by more of
    the question's words goes first.

    The map cites LOU; a question about LUF or LUK is first given that law's paragraph of the same
    number, where the two laws mirror each other (direct procurement is 19 a kap. 2 § in both). A
    question that sets one law against another ("we buy under LUF rather than LOU") is given both."""
    # The concept the question words most fully leads: "dömdes för sju år sedan" (how old a conviction
    # may be) before "utesluta en leverantör" (exclusion at large).
    lists = [m.concept.paragraphs for m in sorted(concepts, key=lambda m: -len(m.words))]
    longest = max((len(ps) for ps in lists), default=0)
    refs = [ps[i] for i in range(longest) for ps in lists if i < len(ps)]
    mirrored = [law for law in laws if law != "LOU"]
    refs = [
        r
        for ref in refs
        for r in ((*(replace(ref, law=law) for law in mirrored), ref) if ref.law == "LOU" else (ref,))
    ]
    return list(dict.fromkeys(refs))


def named_laws(question: str) -> tuple[str, ...]:
    """The laws ``question`` names, by abbreviation or by the sector or kind of contract only one
    covers."""
    text = analysis.normalize(question)
    return tuple(law for law, pattern in NAMED_LAW.items() if pattern.search(text))


def named_law(question: str) -> str | None:
    """The one law ``question`` names; None if it names none or several."""
    named = named_laws(question)
    return named[0] if len(named) == 1 else None


def _has_shape(text: str, shape: Shape) -> bool:
    """Whether a passage says something of the asked shape: a definition, a list, an amount …"""
    return any(fits(u.text, shape) or (u.leads and shape in LISTING) for u in units(text))


def _context_terms(question: str, terms: list[str]) -> set[str]:
    """Terms only the sentences before the asking one use: the situation, not the question."""
    sentences = analysis.sentences(question)
    if len(sentences) < 2:
        return set()
    # Every sentence that asks is the question ("Får vi betala deltagarna? Påverkar det värdet?"), and
    # so is one that reports a question ("Revisorerna undrar om vi borde ha dokumenterat mer.");
    # without either, the last sentence is.
    asking = [s for s in sentences if s.endswith("?") or INDIRECT_QUESTION.search(s)] or sentences[-1:]
    asked = {t for s in asking for t in analysis.content_terms(s)}
    if len(asked - GENERIC_ASKING) < MIN_ASKED_TERMS:
        return set()  # "Är det okej?", "Vad säger lagen?": the situation is what is asked about
    written = set(analysis.content_terms(question))  # not a translation or an LLM expansion
    return {t for t in terms if t in written and t not in asked}


# A sentence in which the asker says who or where they are: "Vi är en kommun …", "Jag jobbar på …".
SELF_DESCRIPTION = re.compile(r"^(?:hej\W+)?(?:vi|jag)\s+(?:är|jobbar|arbetar)\b|^vi på\b")
# Where the asker read or heard something ("Någon skrev på LinkedIn att …", "jag såg i Dagens Nyheter"):
# the name is the rumour's medium, and what is asked is the claim. Not in a sentence that asks what the
# medium says ("Vad skrev de i Sundsvalls riktlinjer?").
HEARD_IN = re.compile(
    r"\b(?:skrev|skrivit|läste|läst|såg|sett|hörde|hört|read|saw|heard|posted)"
    r"\s+(?:det\s+|it\s+)?(?:på|i|on|in)\s+([\w-]+)"
)
ASKING_WORD = re.compile(r"^(?:vad|vilk\w*|hur|när|var|vem|varför|what|which|how|when|where|who|why)\b")


def _own_names(question: str, names: list[str]) -> set[str]:
    """The names that occur only in sentences where the asker describes themselves, or only as where
    they heard something."""
    sentences = [analysis.normalize(s) for s in analysis.sentences(question)]
    heard = {m.group(1) for s in sentences if not ASKING_WORD.match(s) for m in HEARD_IN.finditer(s)}
    own: set[str] = set()
    for name in names:
        saying = [s for s in sentences if name in analysis.words(s)]
        if name in heard or (saying and all(SELF_DESCRIPTION.match(s) for s in saying)):
            own.add(name)
    return own


def _law_of(row: Chunk) -> str | None:
    """The law a passage outside the statutes is about, by the SFS number its headings name ("Upphandling
    enligt lagen (2016:1145) om offentlig upphandling")."""
    return next((LAW_NAMES[m.group(1).lower()] for h in row.heading_path for m in LAW.finditer(h)), None)


def _searchable(chunk: Chunk) -> str:
    # The file name is metadata too: published pages carry their date there ("…__2023__03__…").
    name = chunk.source.rsplit("/", 1)[-1].replace("_", " ")
    return analysis.normalize(f"{chunk.title} {' '.join(chunk.heading_path)} {chunk.text} {name}")
