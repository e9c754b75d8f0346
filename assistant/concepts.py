"""The concept map advisors edit (``corpus/concepts.yaml``): everyday phrasings → the legal concept.

Procurers say "förlänga avtalet" where the law says "ändring av kontrakt", and "dela upp köpen"
where it says "uppdelning i syfte att kringgå". Lexical search cannot bridge that, so a question that
uses a phrasing of a concept is also searched for the concept's own words, and the paragraphs that
govern it join the candidates.

A phrasing matches on Snowball stems, in any inflection, its words in any order within a few words
of each other ("förlänga det befintliga avtalet" and "avtalet ska förlängas" match "förlänga avtalet");
each word also matches a compound ending in it ("tjänsteavtalet" for "avtal", "avtalsförlängning" for
"förlängning"). A phrasing in quotes ('"bara en leverantör"') matches only as written, its words in
that order and next to each other: "Kan vi bara skriva ett tillägg med leverantören?" is not it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant import analysis
from assistant.errors import InvalidInputError
from assistant.legalref import LegalReference, find_references

BUNDLED = Path(__file__).resolve().parent.parent / "corpus" / "concepts.yaml"
# Further maps by area (LUF, LUK, review …), so advisors can keep one file per field of law.
BUNDLED_DIR = BUNDLED.parent / "concepts"
MAX_GAP = 3  # other words allowed among a phrasing's words
# Only the barest function words are skipped: "köpa av annan kommun" must keep "annan".
GLUE = frozenset("och att i på av för med till en ett den det de som vi ni man".split())
# Words a situation puts between a phrasing's words without parting them: possessives and auxiliaries
# ("leverantören av vårt lönesystem har blivit uppköpt" is still "leverantören uppköpt").
LIGHT = frozenset(
    "vår vårt våra er ert era min mitt mina sin sitt sina deras dess har hade blir blivit nu redan".split()
)
MIN_COMPOUND_TAIL = 5  # a shorter stem ("avtal" is fine, "lag" is not) inside a compound says too little
# Definite and plural endings: "konsultköpen" ends in "köpen", whose stem "köp" is a compound's last part.
ENDINGS = ("en", "et", "na", "ar", "er", "or", "arna", "erna", "orna")
# Endings that make words rather than join them: a tail that stems to one of these is no last part.
SUFFIXES = ("ing", "het", "lig", "skap", "else", "ande", "ende", "tion", "itet")


@dataclass(frozen=True)
class Phrasing:
    stems: tuple[str, ...]
    exact: bool = False  # the words in this order, next to each other


@dataclass(frozen=True)
class Concept:
    name: str
    when: tuple[Phrasing, ...]
    terms: tuple[str, ...]
    paragraphs: tuple[LegalReference, ...]


@dataclass(frozen=True)
class ConceptMatch:
    concept: Concept
    words: tuple[str, ...]  # the question's words that matched, as written


@dataclass(frozen=True)
class ConceptMap:
    concepts: tuple[Concept, ...] = ()

    @classmethod
    def load(cls, path: Path | None = None) -> ConceptMap:
        """The map in ``path``, a file or a folder of ``*.yaml`` files read in name order (default: the
        bundled ``corpus/concepts.yaml`` and then ``corpus/concepts/``); empty if there is none."""
        paths = _files(path) if path is not None else [BUNDLED, *_files(BUNDLED_DIR)]
        return cls(tuple(concept for p in paths if p.exists() for concept in _read(p)))

    def match(self, question: str) -> list[ConceptMatch]:
        """The concepts whose phrasings ``question`` uses, in the map's order."""
        sentences = [[w for w in analysis.words(s) if w not in GLUE] for s in analysis.sentences(question)]
        tokens = [w for sentence in sentences for w in sentence]
        where = _positions(tokens)
        distance = _distances(sentences)
        found: list[ConceptMatch] = []
        for concept in self.concepts:
            for phrase in concept.when:
                hit = _find(phrase, where, distance)
                if hit is not None:
                    found.append(ConceptMatch(concept, tuple(tokens[i] for i in hit)))
                    break
        return found


def _files(path: Path) -> list[Path]:
    return sorted(path.glob("*.yaml")) if path.is_dir() else [path]


def _read(path: Path) -> tuple[Concept, ...]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return tuple(_concept(entry) for entry in raw.get("concepts") or [])
    except (yaml.YAMLError, AttributeError, TypeError, ValueError, KeyError) as exc:
        raise InvalidInputError(f"{path.name}: {type(exc).__name__}") from exc


def _concept(entry: dict[str, object]) -> Concept:
    when = tuple(_phrase(str(p)) for p in entry.get("when") or [])  # type: ignore[attr-defined]
    paragraphs = tuple(r for p in entry.get("paragraphs") or [] for r in find_references(str(p)))  # type: ignore[attr-defined]
    return Concept(
        name=str(entry["name"]),
        when=tuple(p for p in when if p.stems),
        terms=tuple(str(t) for t in entry.get("terms") or []),  # type: ignore[attr-defined]
        paragraphs=paragraphs,
    )


def _phrase(text: str) -> Phrasing:
    """A phrasing's words as stems; none (never matching) if only one word of several would be left,
    since that one word alone ("göra om upphandlingen" → "upphandling") would match far too much."""
    exact = len(text) > 2 and text.startswith('"') and text.endswith('"')
    written = analysis.words(text)
    kept = [analysis.stem(w) for w in written if w not in GLUE]
    return Phrasing(tuple(kept) if len(kept) > 1 or len(written) == 1 else (), exact)


def _positions(tokens: list[str]) -> dict[str, list[int]]:
    """Where each word a phrasing may name stands in the question: a token's stem, and every tail of
    the token or its stem long enough to be a compound's last part (tjänsteavtalet → avtal)."""
    where: dict[str, list[int]] = {}
    for i, token in enumerate(tokens):
        stem = analysis.stem(token)
        keys = {stem}
        # A proper tail only: the whole token is its stem's business, so "öppen" (stem "öpp") is not
        # taken for the stem of "öppenhet".
        for form in (token, stem):
            keys.update(form[j:] for j in range(1, len(form) - MIN_COMPOUND_TAIL + 1))
        # A last part with a definite or plural ending by its stem too: "konsultköpen" ends in "köpen",
        # which is "köp"; but not a bare one ("tröskelvärde" is no "värde") nor a derivational ending
        # ("anbudsansökningar" does not end in "inga").
        tails = (analysis.stem(token[j:]) for j in range(1, len(token) - MIN_COMPOUND_TAIL + 1))
        keys.update(
            t for t in tails if not t.endswith(SUFFIXES) and token.endswith(tuple(t + e for e in ENDINGS))
        )
        # The whole word with a definite or plural ending, where Snowball leaves it on: "tröskelvärdet"
        # stems to itself, yet it is "tröskelvärde" with "-t".
        keys.update(
            analysis.stem(token[: -len(e)])
            for e in ENDINGS
            if token.endswith(e) and len(token) - len(e) >= MIN_COMPOUND_TAIL
        )
        for key in keys:
            where.setdefault(key, []).append(i)
    return where


def _distances(sentences: list[list[str]]) -> list[int]:
    """Each token's place, light words not counted (they do not part a phrasing's words) except at
    the start of a sentence ("det var bråttom. Nu hör en leverantör av sig" is not "var för sig")."""
    places: list[int] = []
    place = -1
    for sentence in sentences:
        for i, token in enumerate(sentence):
            if token not in LIGHT or i == 0:
                place += 1
            places.append(place)
    return places


def _find(phrase: Phrasing, where: dict[str, list[int]], distance: list[int]) -> list[int] | None:
    """Positions of the phrase's words in the question, within a few content words of each other (an
    exact phrasing's in order, each the next content word); or None."""
    matches = [where.get(word, []) for word in phrase.stems]
    if not all(matches):
        return None
    if phrase.exact:
        for first in matches[0]:
            run = [first]
            for found in matches[1:]:
                at = next((i for i in found if distance[i] == distance[run[-1]] + 1), -1)
                if at == -1:
                    break
                run.append(at)
            else:
                return run
        return None
    span = len(phrase.stems) + MAX_GAP
    for start in sorted({distance[i] for found in matches for i in found}):
        positions: list[int] = []
        for found in matches:
            # Each word of the phrase needs a word of its own: "dela i delar" is not matched by one "del".
            at = next((i for i in found if start <= distance[i] < start + span and i not in positions), -1)
            if at == -1:
                break
            positions.append(at)
        else:
            return sorted(positions)
    return None
