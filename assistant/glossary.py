"""The bilingual procurement glossary advisors edit (``corpus/glossary.yaml``): English → Swedish."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

from assistant import analysis

BUNDLED = Path(__file__).resolve().parent.parent / "corpus" / "glossary.yaml"
SYNONYMS = "synonyms.yaml"


@dataclass(frozen=True)
class Glossary:
    entries: tuple[tuple[str, tuple[str, ...]], ...]  # English phrase → Swedish terms, longest first
    synonyms: tuple[tuple[str, ...], ...] = ()  # groups of Swedish words that stand for each other

    @classmethod
    def load(cls, path: Path | None = None) -> Glossary:
        path = path or BUNDLED
        data = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}
        pairs: list[tuple[str, tuple[str, ...]]] = []
        for entry in data.get("terms", []):
            sv = tuple(str(t) for t in entry.get("sv", []))
            for en in entry.get("en", []):
                pairs.append((analysis.normalize(str(en)), sv))
        pairs.sort(key=lambda p: -len(p[0]))
        groups: list[tuple[str, ...]] = []
        synonyms_path = path.parent / SYNONYMS
        if synonyms_path.exists():
            raw = yaml.safe_load(synonyms_path.read_text(encoding="utf-8")) or {}
            groups = [tuple(analysis.normalize(str(w)) for w in g) for g in raw.get("groups", []) if g]
        return cls(tuple(pairs), tuple(groups))

    def synonyms_for(self, question: str) -> list[str]:
        """Other words of every synonym group a word (or phrase) of ``question`` belongs to."""
        tokens = analysis.words(question)
        text = " ".join(tokens)
        stems = {analysis.stem(w) for w in tokens}
        bases = {base for t in tokens for base in _uninflected(t)}
        found: list[str] = []
        for group in self.synonyms:
            hit = [
                w
                for w in group
                if (" " in w and w in text) or (" " not in w and (analysis.stem(w) in stems or w in bases))
            ]
            if hit:
                found.extend(w for w in group if w not in hit and w not in found)
        return found

    def phrase_synonyms(self, question: str) -> dict[str, list[str]]:
        """For each word of a several-word group member ``question`` uses ("statlig myndighet"), the
        group's other words: a passage saying those speaks to that word of the question."""
        text = " ".join(analysis.words(question))
        found: dict[str, list[str]] = {}
        for group in self.synonyms:
            for phrase in (w for w in group if " " in w and w in text):
                others = [w for w in group if w != phrase]
                for word in analysis.content_terms(phrase):
                    found.setdefault(word, []).extend(o for o in others if o not in found[word])
        return found

    @cached_property
    def _phrases(self) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
        """The entries' English phrases as words, in the entries' order (longest first)."""
        return tuple((tuple(analysis.words(phrase)), sv) for phrase, sv in self.entries)

    def borrowed(self, question: str) -> list[str]:
        """Swedish terms for the English phrases a Swedish question borrows ("kan vi köra direct
        award?", "en open procedure"): only words far commoner in English than in Swedish count, so
        the glossary's Swedish keys ("upphandling", "visa") add nothing to a Swedish question."""
        english = [token if _english_leaning(token) else "0" for token in analysis.words(question)]
        return self.expand(" ".join(english))[0]

    def expand(self, question: str) -> tuple[list[str], str]:
        """Swedish terms for the English phrases in ``question``, and the words left untranslated.

        Phrases match longest first, each word also in its inflected forms ("advertised" finds
        "advertise", "meetings" finds "meeting"), but never by a looser stem ("good" is not "goods").
        """
        tokens = analysis.words(question)
        # A phrase whose first word no token of the question can be a form of is passed over
        # without scanning the question for it: the glossary has hundreds of phrases.
        firsts = {base for t in tokens for base in _english_bases(t)}
        used = [False] * len(tokens)
        found: list[str] = []
        for target, sv in self._phrases:
            n = len(target)
            if not n or target[0] not in firsts:
                continue
            for i in range(len(tokens) - n + 1):
                window = tokens[i : i + n]
                if not any(used[i : i + n]) and all(map(inflects, window, target)):
                    used[i : i + n] = [True] * n
                    found.extend(t for t in sv if t not in found)
        rest = " ".join(t for t, u in zip(tokens, used, strict=True) if not u)
        return found, rest


# How much commoner in English than in Swedish (Zipf: a factor of ten) a word of a Swedish question must
# be to be read as borrowed English.
BORROWED_MARGIN = 1.0


@lru_cache(maxsize=65536)
def _english_leaning(token: str) -> bool:
    """Whether ``token`` is far commoner in English than in Swedish (a word's frequencies do not
    change, and every Swedish question asks this of each of its words)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(token, "en") >= zipf_frequency(token, "sv") + BORROWED_MARGIN


# Swedish inflectional endings (analysis.INFLECTION's alternatives, longest first).
_ENDINGS = sorted(analysis.INFLECTION[3:-2].split("|"), key=len, reverse=True)


@lru_cache(maxsize=16384)
def _uninflected(token: str) -> frozenset[str]:
    """``token`` and every form of it without a Swedish inflectional ending: Snowball stems "moms" to
    "mom" but "momsen" to "moms", so the stems alone do not tell that they are one word."""
    return frozenset(
        [token, *(token[: -len(e)] for e in _ENDINGS if token.endswith(e) and len(token) > len(e))]
    )


ENGLISH_ENDINGS = ("s", "es", "ed", "ing", "d")


def _english_bases(token: str) -> set[str]:
    """Every word ``token`` may be a form of under ``inflects`` (and a few it is not: a cheap filter)."""
    bases = {token}
    for end in ENGLISH_ENDINGS:
        if token.endswith(end) and len(token) > len(end):
            bases.update((token[: -len(end)], token[: -len(end)] + "e"))
    return bases


def inflects(token: str, word: str) -> bool:
    """Whether ``token`` is ``word`` or a regular English inflection of it."""
    if token == word:
        return True
    stem = word[:-1] if word.endswith("e") else word
    return any(token == stem + end for end in ENGLISH_ENDINGS) or token == word + "s"
