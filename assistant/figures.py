"""The figures of Swedish excerpts, said in English for a reader who asked in English.

Without a language model the answer is the law's own Swedish words, and what usually answers a
procurer is a figure in them: "fem år", "tio dagar", "700 000 kronor". An English reader gets those
figures glossed under the excerpts ("fem år = five years"); the quotes themselves stay as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NUMBER_WORDS = {
    "en": "one",
    "ett": "one",
    "två": "two",
    "tre": "three",
    "fyra": "four",
    "fem": "five",
    "sex": "six",
    "sju": "seven",
    "åtta": "eight",
    "nio": "nine",
    "tio": "ten",
    "elva": "eleven",
    "tolv": "twelve",
    "femton": "fifteen",
    "tjugo": "twenty",
    "trettio": "thirty",
    "fyrtio": "forty",
    "femtio": "fifty",
    "sextio": "sixty",
    "nittio": "ninety",
}
# Swedish units, in each of their forms, → English singular and plural.
UNIT_FORMS = {
    ("år",): ("year", "years"),
    ("dag", "dagar"): ("day", "days"),
    ("arbetsdag", "arbetsdagar"): ("working day", "working days"),
    ("vecka", "veckor"): ("week", "weeks"),
    ("månad", "månader"): ("month", "months"),
    ("timme", "timmar"): ("hour", "hours"),
    ("procent",): ("percent", "percent"),
}
UNITS = {form: english for forms, english in UNIT_FORMS.items() for form in forms}
CURRENCIES = {"kronor": "SEK", "kr": "SEK", "euro": "EUR"}
FIGURE = re.compile(
    r"(?<![\w,])(\d{1,3}(?:[ \u00a0]\d{3})+|\d+(?:,\d+)?|"
    + "|".join(NUMBER_WORDS)
    + r")\s+("
    + "|".join(sorted([*UNITS, *CURRENCIES], key=len, reverse=True))
    + r")(?!\w)",
    re.IGNORECASE,
)
MAX_FIGURES = 6


def gloss(texts: Iterable[str]) -> list[tuple[str, str]]:
    """Each figure the texts give, as written and in English, in the order they first give it."""
    found: dict[str, str] = {}
    for text in texts:
        for match in FIGURE.finditer(text):
            number, unit = match.group(1), match.group(2).lower()
            written = " ".join(match.group(0).split())
            if written.lower() in found or len(found) >= MAX_FIGURES:
                continue
            found[written.lower()] = _english(number.lower(), unit)
    return list(found.items())


def _english(number: str, unit: str) -> str:
    if unit in CURRENCIES:
        return f"{CURRENCIES[unit]} {number}"
    singular, plural = UNITS[unit]
    one = number in ("en", "ett", "1")
    return f"{NUMBER_WORDS.get(number, number)} {singular if one else plural}"
