"""Personal data in free text: what counts as it, and how it is masked before anything stores it.

Procurers paste personal data into questions: personnummer, samordningsnummer, e-mail addresses,
phone numbers, their own name ("Jag heter …", "mitt namn är …"). ``mask`` replaces each with a
placeholder naming its kind («personnummer», «e-post» …), so the question log, stored conversations
and retrieval see the question without the person. Pure functions, no I/O.

The rules stay clear of what questions about procurement are made of: statute references
("LOU 19 kap. 7 §"), amounts ("1 200 000 kronor", "2 000 000"), dates ("2024-01-01") and case
numbers ("2023/01234-56") are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = ["PLACEHOLDERS", "Kind", "Span", "find", "introduced_names", "mask"]

Kind = Literal["personnummer", "samordningsnummer", "email", "phone", "name"]

PLACEHOLDERS: dict[Kind, str] = {
    "personnummer": "«personnummer»",
    "samordningsnummer": "«samordningsnummer»",
    "email": "«e-post»",
    "phone": "«telefon»",
    "name": "«namn»",
}


@dataclass(frozen=True)
class Span:
    """One piece of personal data found in a text: where it is and what kind it is."""

    start: int
    end: int
    kind: Kind


# --- personnummer and samordningsnummer -----------------------------------------------------------

# YYMMDD or YYYYMMDD, then "-" or "+" (over 100 years old) or nothing, then four digits. Spaces
# around the separator are tolerated ("850709 - 9805"); a longer digit run is some other number.
_IDENTITY = re.compile(r"(?<![\w/.,-])((?:18|19|20)?\d{6})(?:\s?([-+])\s?|\s)?(\d{4})(?![\w/-])")


def _identity_kind(digits: str) -> Kind | None:
    """Whether YYMMDD / YYYYMMDD is a birth date (personnummer) or one with 60 added to the day."""
    century = digits[:-6] if len(digits) == 8 else ""
    yymmdd = digits[-6:]
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    kind: Kind = "personnummer"
    if day > 60:  # a samordningsnummer is a personnummer with 60 added to the day
        kind, day = "samordningsnummer", day - 60
    if not 1 <= month <= 12:
        return None  # e.g. an organisation number (its third digit pair is 20 or more)
    year = int(century + yymmdd[:2]) if century else 2000 + int(yymmdd[:2])
    try:
        date(year, month, day)
    except ValueError:
        return None
    return kind


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _identities(text: str) -> list[Span]:
    spans = []
    for m in _IDENTITY.finditer(text):
        digits, separator, serial = m.group(1), m.group(2), m.group(3)
        kind = _identity_kind(digits)
        if kind is None:
            continue
        # With "-" or "+", or with the century, the shape says it; ten digits in a row (or six, a
        # space and four, as an amount may be written) must also pass the check digit.
        if separator is None and len(digits) == 6 and not _luhn_ok(digits + serial):
            continue
        spans.append(Span(m.start(), m.end(), kind))
    return spans


# --- e-mail ---------------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])",
    re.UNICODE,
)


def _emails(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), "email") for m in _EMAIL.finditer(text)]


# --- phone numbers --------------------------------------------------------------------------------

# Swedish numbers start with 0 and an area code that does not begin with 0 ("08-123 45 67",
# "070-123 45 67", "031 12 34 56"), international ones with +NN or 00NN ("+46 70 123 45 67",
# "+46 (0)8 123 45 67"). Not after a digit group ("1 050 000 000" is an amount) nor inside a case
# number ("2023/01234-56").
_PHONE = re.compile(
    r"(?<![\w+/.,-])(?<!\d[ \u00a0])"
    r"(?:(?:\+|00)[1-9]\d{0,2}[ \u00a0-]?(?:\(0\)[ \u00a0-]?)?|\(?0(?=[1-9]))"
    r"\d{1,4}\)?(?:[ \u00a0/-]?\d{1,4}){1,5}"
    r"(?![\d,.]\d)(?![\w-])"
)
_DATE_DMY = re.compile(r"\d{1,2}[-/]\d{1,2}[-/]\d{2,4}")


def _phones(text: str) -> list[Span]:
    spans = []
    for m in _PHONE.finditer(text):
        found = m.group(0)
        digits = sum(ch.isdigit() for ch in found)
        if not 8 <= digits <= 15 or _DATE_DMY.fullmatch(found):
            continue
        spans.append(Span(m.start(), m.end(), "phone"))
    return spans


# --- self-introduced names ------------------------------------------------------------------------

# Capitalised words that may follow a name without being part of it.
_NOT_NAME = r"(?!(?:Och|Jag|Vad|Hur|När|Var|Vilka|Vilken|Kan|Får|Ska|Min|And|What|How|When|Can|I)\b)"
_MORE_NAME = r"(?-i:" + _NOT_NAME + r"[A-ZÅÄÖÉÜ][\w'’-]*)"
# "Jag heter Anna Svensson", "mitt namn är anna", "My name is Anna", "I'm called Anna": the name is
# one word (in any case) and up to two more capitalised ones.
_INTRODUCTION = re.compile(
    r"\b(?:jag\s+heter|mitt\s+namn\s+är|namnet\s+är|my\s+name\s+is|i\s+am\s+called|i'm\s+called)[\s:,]+"
    r"(?P<name>(?!(?:inte|alltså|egentligen|not)\b)[^\W\d_][\w'’-]*(?:[ \u00a0]+" + _MORE_NAME + r"){0,2})",
    re.IGNORECASE,
)


def _names(text: str) -> list[Span]:
    return [Span(m.start("name"), m.end("name"), "name") for m in _INTRODUCTION.finditer(text)]


# --- the public functions -------------------------------------------------------------------------


def introduced_names(text: str) -> list[str]:
    """The names ``text`` introduces ("Jag heter Anna Svensson" → ["Anna Svensson", "Anna",
    "Svensson"]), to be masked wherever else they appear, e.g. in an answer that greets the asker."""
    names: list[str] = []
    for span in _names(text):
        whole = text[span.start : span.end]
        for name in (whole, *whole.split()):
            if len(name) > 1 and name not in names:
                names.append(name)
    return names


def _known(text: str, names: list[str]) -> list[Span]:
    if not names:
        return []
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return [Span(m.start(), m.end(), "name") for m in re.finditer(rf"(?<!\w)(?:{alternatives})(?!\w)", text)]


def find(text: str, names: Iterable[str] = ()) -> list[Span]:
    """The personal data in ``text``, in order, without overlaps (identity numbers win over phones);
    ``names`` are names known from elsewhere (``introduced_names`` of the question)."""
    spans: list[Span] = []
    for found in (_identities(text), _emails(text), _phones(text), _names(text), _known(text, list(names))):
        for span in found:
            if all(span.end <= s.start or span.start >= s.end for s in spans):
                spans.append(span)
    return sorted(spans, key=lambda s: s.start)


def mask(text: str, names: Iterable[str] = ()) -> str:
    """``text`` with every piece of personal data replaced by a placeholder naming its kind; ``names``
    (e.g. ``introduced_names`` of the question an answer replies to) are masked wherever they occur."""
    if not text:
        return text
    parts = []
    last = 0
    for span in find(text, names):
        parts.append(text[last : span.start])
        parts.append(PLACEHOLDERS[span.kind])
        last = span.end
    parts.append(text[last:])
    return "".join(parts)
