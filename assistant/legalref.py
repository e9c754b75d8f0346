"""Statute references in a question: "6 kap. 31 § LOU", "19 a kap. 2 §", "LUF 19 a kap 2§"."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The statutes a procurer cites by abbreviation, by SFS number: what a statute file's front matter
# (beteckning) and a question may name them by. The one table; ingest reads it too.
LAWS_BY_SFS = {
    "2016:1145": "LOU",
    "2016:1146": "LUF",
    "2016:1147": "LUK",
    "2011:1029": "LUFS",
    "2016:1162": "UF",
}
LAW_NAMES = {abbreviation.lower(): abbreviation for abbreviation in LAWS_BY_SFS.values()} | LAWS_BY_SFS
REFERENCE = re.compile(
    r"(?P<chapter>\d{1,2})\s*(?P<cl>[a-z])?\s*(?:kap(?:\.|itlet|itel)?)\s*"
    r"(?P<para>\d{1,3})\s*(?P<pl>[a-z])?\s*(?:§|paragrafen|par\.)",
    re.IGNORECASE,
)
# Longest first, so "LUFS" is not read as "LUF".
LAW = re.compile(
    r"\b(" + "|".join(re.escape(n) for n in sorted(LAW_NAMES, key=len, reverse=True)) + r")\b", re.IGNORECASE
)


def format_reference(law: str | None, chapter: str | None, paragraph: str) -> str:
    """A paragraph as it is cited: "LOU 6 kap. 31 §", "19 a kap. 2 §", "UF 5 §"."""
    return " ".join(part for part in (law, f"{chapter} kap." if chapter else None, f"{paragraph} §") if part)


@dataclass(frozen=True)
class LegalReference:
    chapter: str
    paragraph: str
    law: str | None

    def __str__(self) -> str:
        return format_reference(self.law, self.chapter, self.paragraph)


def find_references(text: str) -> list[LegalReference]:
    """Every chapter-and-paragraph reference in ``text``, with the law named nearest to it."""
    refs: list[LegalReference] = []
    laws = [(m.start(), LAW_NAMES[m.group(1).lower()]) for m in LAW.finditer(text)]
    for match in REFERENCE.finditer(text):
        chapter = match.group("chapter") + (f" {match.group('cl').lower()}" if match.group("cl") else "")
        para = match.group("para") + (f" {match.group('pl').lower()}" if match.group("pl") else "")
        law = min(laws, key=lambda pos_law: abs(pos_law[0] - match.start()))[1] if laws else None
        ref = LegalReference(chapter=chapter, paragraph=para, law=law)
        if ref not in refs:
            refs.append(ref)
    return refs
