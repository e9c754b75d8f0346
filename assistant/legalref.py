"""Statute references in a question: "6 kap. 31 § LOU", "19 a kap. 2 §", "LUF 19 a kap 2§"."""

from __future__ import annotations

import re
from dataclasses import dataclass

LAW_NAMES = {
    "lou": "LOU",
    "luf": "LUF",
    "luk": "LUK",
    "lufs": "LUFS",
    "2016:1145": "LOU",
    "2016:1146": "LUF",
    "2016:1147": "LUK",
    "2011:1029": "LUFS",
    "lagen om offentlig upphandling": "LOU",
    "lagen om upphandling inom försörjningssektorerna": "LUF",
    "lagen om upphandling av koncessioner": "LUK",
}
REFERENCE = re.compile(
    r"(?P<chapter>\d{1,2})\s*(?P<cl>[a-z])?\s*(?:kap(?:\.|itlet|itel)?)\s*"
    r"(?P<para>\d{1,3})\s*(?P<pl>[a-z])?\s*(?:§|paragrafen|par\.)",
    re.IGNORECASE,
)
LAW = re.compile(r"\b(lou|lufs|luf|luk|2016:114[567]|2011:1029)\b", re.IGNORECASE)


@dataclass(frozen=True)
class LegalReference:
    chapter: str
    paragraph: str
    law: str | None

    def __str__(self) -> str:
        prefix = f"{self.law} " if self.law else ""
        return f"{prefix}{self.chapter} kap. {self.paragraph} §"


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
