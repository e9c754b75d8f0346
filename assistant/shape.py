"""The shape of a question — an amount, a time, a permission, a definition, a list — and whether a
sentence has that shape, so the answer can lead with the sentence that actually answers."""

from __future__ import annotations

import re
from enum import Enum

from assistant import analysis


class Shape(Enum):
    AMOUNT = "amount"
    COUNT = "count"
    CONDITION = "condition"
    DURATION = "duration"
    PERMISSION = "permission"
    DEFINITION = "definition"
    LIST = "list"
    OTHER = "other"


# The question's wording that asks for each shape, Swedish and English; first match wins.
ASKS = [
    (
        Shape.AMOUNT,
        r"\b(hur (mycket|stort?|höga?)|vilket (belopp|värde|tröskelvärde)|tröskelvärde\w*|beloppsgräns\w*|"
        r"\w*gräns(en)?\b|kronor|how much|threshold|limit|amount|value)",
    ),
    (Shape.COUNT, r"\b(hur (många|få)|how many|minsta antal\w*|antalet)\b"),
    # "När kan vi tidigast skriva på?", "Hinner de överpröva?", "Är det för sent?", "Är domen för gammal?"
    # ask for a time, though "när kan" alone asks for the conditions.
    (
        Shape.DURATION,
        r"\b(tidigast|för sent|hinner|hur kort tid|hur lång tid|hur snart|för gammal\w*|hur gammal\w*|"
        r"för länge sedan|hur långt tillbaka|too late|how soon|at the earliest|too old|how old|how far back)\b",
    ),
    (
        Shape.CONDITION,
        r"\b(när (får|kan|är det|gäller|bör)|i vilka (fall|lägen|situationer)|under vilka "
        r"(förutsättningar|omständigheter|villkor)|vilka (villkor|förutsättningar)|"
        r"in (which|what) (cases|situations)|under what (conditions|circumstances)|when (may|can|is it))\b",
    ),
    (
        Shape.DURATION,
        r"\b(hur (länge|långt?|snabbt|fort|tidigt)|när (måste|ska|senast)|senast|tidsfrist\w*|frist\w*|"
        r"how (long|soon|quickly|early)|deadline|time limit|earliest|latest|"
        r"\w*längd(en)?\b|löptid\w*|varaktighet\w*|duration|length)",
    ),
    # "What is the maximum fine?", "Vilken är den högsta avgiften?": a bound is an amount, unless it is
    # a bound in time (read as a duration above).
    (
        Shape.AMOUNT,
        r"\b(maximum|minimum|max|maximal\w*|minimal\w*|som (mest|högst)|(högsta|lägsta) "
        r"(belopp|avgift|summa|värde|ersättning|böter)\w*)\b",
    ),
    (Shape.DEFINITION, r"\b(vad (är|menas|avses|innebär|betyder)|what (is|are|does .* mean)|define)"),
    (Shape.LIST, r"\b(vilka|which|what are the)\b"),
    (
        Shape.PERMISSION,
        r"\b(får (vi|man|en|myndigheten|kommunen|regionen|de|jag)|kan (vi|man|jag)|måste|behöver|ska (vi|man)|"
        r"krävs|tillåtet|may (we|i|a)|can (we|i|a)|must|allowed|required|do we need)\b",
    ),
]
_ASKS = [(shape, re.compile(pattern, re.IGNORECASE)) for shape, pattern in ASKS]

# Numbers written as words, from two up (Swedish, then English).
_TWO_AND_UP = (
    "två|tre|fyra|fem|sex|sju|åtta|nio|tio|femton|tjugo|trettio"
    "|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty"
)
_NUMBER = rf"(\d[\d  ]*(,\d+)?|en|ett|one|{_TWO_AND_UP})"
# What a sentence of each shape says.
HAS = {
    Shape.AMOUNT: re.compile(
        # A figure with its unit, or a number in thousands as a table's cell gives it under a header
        # that names the unit ("Byggentreprenadkontrakt 5 538 000 59 880 179").
        r"\b\d[\d  ]*(,\d+)?\s*(kronor|kr|euro|procent|%|miljoner|sek)\b|\b\d{1,3}(?:[  ]\d{3})+\b",
        re.IGNORECASE,
    ),
    Shape.DURATION: re.compile(
        rf"\b{_NUMBER}\s+(arbets)?(dagar|dag|veckor|vecka|månader|månad|år|timmar|days|months|years)\b",
        re.IGNORECASE,
    ),
    Shape.COUNT: re.compile(
        r"\b(\d+|två|tre|fyra|fem|sex|sju|åtta|nio|tio|elva|tolv|femton|tjugo)\b(?!\s*(kap\b|§|st\b))",
        re.IGNORECASE,
    ),
    Shape.CONDITION: re.compile(
        r"\b(får|kan|ska|skall|gäller)\b.*\b(om|förutsatt att|under förutsättning att)\b|"
        r"\b(endast|bara) om\b",
        re.IGNORECASE,
    ),
    Shape.PERMISSION: re.compile(r"\b(får|ska|skall|måste|behöver inte|krävs|är tillåtet)\b", re.IGNORECASE),
    Shape.DEFINITION: re.compile(
        r"\b(avses|menas|innebär|definieras|är ett förfarande|är en)\b", re.IGNORECASE
    ),
    Shape.LIST: re.compile(r":\s*$"),
}


# A time a question states: "sex år", "40 år", "sju år sedan" — not "ett år till", which asks to extend.
OWN_TIME = re.compile(
    rf"\b(\d+|{_TWO_AND_UP})\s+(arbets)?(dagar|veckor|månader|år|days|weeks|months|years)\b",
    re.IGNORECASE,
)


def shape_of(question: str) -> Shape:
    """What kind of answer ``question`` asks for: read in the sentence that asks first, so the situation
    before it ("Vi måste köpa …. När får vi …?") does not decide."""
    asking = next((s for s in reversed(analysis.sentences(question)) if s.endswith("?")), None)
    shape = next(
        (
            shape
            for text in (asking, question)
            if text
            for shape, pattern in _ASKS
            if pattern.search(analysis.normalize(text))
        ),
        Shape.OTHER,
    )
    # "Får ramavtalet löpa i sex år?", "… en vd dömd för sju år sedan?": a question that states a time of
    # its own where it asks is asking for the law's time.
    if shape in (Shape.PERMISSION, Shape.OTHER) and OWN_TIME.search(asking or question):
        return Shape.DURATION
    return shape


def fits(sentence: str, shape: Shape) -> bool:
    """Whether ``sentence`` has the asked shape: an amount with its unit, a time with its unit, a rule
    saying what may or must be done, a definition, a lead-in to a list."""
    pattern = HAS.get(shape)
    return pattern is not None and pattern.search(sentence) is not None
