"""Swedish-aware text analysis shared by the lexical index, retrieval and the evidence gate.

Swedish compounds (direktupphandlingsgräns) and inflection (upphandlingen, upphandlingar) decide
lexical recall, so every query is matched two ways: snowball stems of whole words, and character
trigrams that find a word inside a compound.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from functools import lru_cache

import Stemmer

from assistant.types import Language

WORD_RE = re.compile(r"[0-9a-zåäöéü]+(?:[-:][0-9a-zåäöéü]+)*", re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# A full stop after these does not end a sentence ("6 kap. 31 §", "t.ex. en arena", "2 miljoner exkl.
# moms", "prop. 2015/16:195"), nor after a single capital (an initial).
ABBREVIATIONS = re.compile(
    r"(?:\b(?:kap|t\.ex|bl\.a|s\.k|m\.m|d\.v\.s|dvs|jfr|prop|dir|bet|rskr|nr|st|p|s|ca|resp|art|e\.g|i\.e"
    r"|exkl|inkl|enl|ang|fr\.o\.m|t\.o\.m|ev|vs)|\b[A-ZÅÄÖ])\.$",
    re.IGNORECASE,
)

# Function words and question words that carry no topic. Kept small and explicit on purpose.
STOPWORDS_SV = frozenset(
    """
    och att det som en ett i på av för med till är den de om har inte var jag du vi ni han hon man
    sig så eller men från vid kan ska skall får måste bör vill kunna kunde skulle hade har haft blir
    bli blev blir blivit vara varit vad vilka vilken vilket hur när var varför vem vems där här detta dessa denna
    sin sitt sina sina mitt min mina din ditt dina vår vårt våra er ert era deras dess hans hennes
    också även bara redan nu då sedan efter före under över mellan utan genom mot hos inom enligt
    alla allt andra annan annat någon något några ingen inget inga mycket mer mest många fler flest
    samma egen eget egna varje vilka sådan sådant sådana gäller gälla gällde finns fanns ges ge göra gör
    gjorde tex t.ex ja nej ju väl än inte icke upp ut in ner fram år åren ha få göra stor stort stora
    okej ok egentligen kanske typ ungefär cirka drygt nästan hej tack oss dem mig dig honom henne
    """.split()
)
STOPWORDS_EN = frozenset(
    """
    a an the and or but of to in on at by for with from is are was were be been being do does did
    have has had can could should would may might must shall will what which who whom whose when
    where why how this that these those it its i you we they he she them us our your their there
    here as into about over under between than then so if not no yes any all some more most many
    much such own same each other also only just very please tell me my required
    """.split()
)

_stemmer = Stemmer.Stemmer("swedish")


def normalize(text: str) -> str:
    """Lower-case, NFC, with typographic dashes and quotes folded."""
    text = unicodedata.normalize("NFC", text).lower()
    return text.replace("\u2013", "-").replace("\u2014", "-").replace("\u00a0", " ")


def sentences(text: str, end: re.Pattern[str] = SENTENCE_END) -> list[str]:
    """A text's sentences, each with its closing mark: "Vi är en kommun. Får vi …?" is two, and
    "Vilket stöd ges, t.ex. checkar?" one. A question may start a sentence in lower case; a passage
    passes a stricter ``end``."""
    pieces: list[str] = []
    for piece in end.split(text.strip()):
        if pieces and ABBREVIATIONS.search(pieces[-1]):
            pieces[-1] = f"{pieces[-1]} {piece}"
        elif piece:
            pieces.append(piece)
    return pieces


def words(text: str) -> list[str]:
    return WORD_RE.findall(normalize(text))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def stems(text: str) -> list[str]:
    """Snowball stems of every word, for the word index."""
    return [stem(w) for w in words(text)]


def content_terms(text: str) -> list[str]:
    """The words of a question that carry its topic, in order, without duplicates."""
    seen: dict[str, None] = {}
    for w in words(text):
        if w in STOPWORDS_SV or w in STOPWORDS_EN or len(w) < 2:
            continue
        seen.setdefault(w, None)
    return list(seen)


def trigrams(word: str) -> list[str]:
    return [word[i : i + 3] for i in range(len(word) - 2)]


@lru_cache(maxsize=65536)
def specificity(term: str) -> float:
    """How much a word says about a topic: its rarity in general language (7 − Zipf frequency),
    between 0.5 for the commonest words and 7 for words general text hardly uses. A word counts
    as common if it is common in Swedish or in English, so an English word left untranslated
    weighs by its English frequency."""
    from wordfreq import zipf_frequency

    if is_number(term):
        return 4.0
    zipf = max(zipf_frequency(term, "sv"), zipf_frequency(term, "en"))
    return min(7.0, max(0.5, 7.0 - zipf))


# Another country, or its rules ("de norska reglerna"): written in lower case in Swedish, so not caught
# as a name, yet just as decisive — Swedish law does not answer what Norway's rules say. Svensk and
# engelsk are left out: Swedish law is the topic, and "på engelska" asks about a language.
FOREIGN = re.compile(
    r"^(?:norsk|dansk|finsk|tysk|fransk|brittisk|amerikansk|isländsk|estnisk|lettisk|litauisk|polsk|"
    r"nederländsk|holländsk|belgisk|spansk|italiensk|österrikisk|schweizisk|norge|danmark|finland|tyskland|"
    r"frankrike|storbritannien|usa|island|estland|lettland|litauen|polen|nederländerna|holland|belgien|"
    r"spanien|italien|österrike|schweiz)(?:a|e|t|s)?$"
)


def is_foreign(term: str) -> bool:
    """Whether ``term`` names another country or its people, language or rules."""
    return FOREIGN.match(term) is not None


def proper_nouns(text: str) -> list[str]:
    """Capitalised words that do not open a sentence, lower-cased: names of places, firms, bodies."""
    # The whole word, inner capitals too: "LinkedIn" is one name, not "Linked".
    found = re.findall(r"(?<![.!?]\s)(?<!^)\b([A-ZÅÄÖ][a-zåäöéü]{2,}[A-Za-zåäöéüÅÄÖ]*)", text.strip())
    return [w.lower() for w in found if w.lower() not in STOPWORDS_EN and w.lower() not in STOPWORDS_SV]


def is_year(term: str) -> bool:
    return len(term) == 4 and term.isdigit() and 1900 <= int(term) <= 2099


def years(term: str) -> list[str]:
    """The years a term names: "2024" one, a span such as "2028-2029" each end; none for other terms."""
    parts = term.split("-")
    return parts if len(parts) <= 2 and all(is_year(p) for p in parts) else []


def is_number(term: str) -> bool:
    return term.replace(":", "").replace("-", "").isdigit()


def detect_language(text: str) -> Language:
    """ "sv" or "en", by which language's function words the text uses more."""
    tokens = words(text)
    sv = sum(1 for w in tokens if w in _SV_MARKERS)
    en = sum(1 for w in tokens if w in _EN_MARKERS)
    if any(ch in text.lower() for ch in "åäö"):
        sv += 2
    return "en" if en > sv else "sv"


_SV_MARKERS = frozenset(
    "och att det som är en ett för med till på av inte om hur vad när vilka får kan ska".split()
)
_EN_MARKERS = frozenset("the and of to is are for with what when how which can does do be in on".split())


def mentions(text: str, term: str) -> bool:
    """Whether normalized ``text`` has a word of ``term``'s stem, or for a compound
    (direktupphandlingsgräns, avtalstiden) words of both its parts."""
    if is_number(term):
        return re.search(rf"(?<![0-9]){re.escape(term)}(?![0-9])", text) is not None
    whole, parts = _forms(term)
    for form in whole:
        if _has_word(text, form):
            return True
    for head, tail in parts:
        if _has_word(text, head) and (_has_word(text, tail) or _ends_word(text, tail)):
            return True
    return False


@lru_cache(maxsize=65536)
def _forms(term: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """What ``mentions`` looks for, worked out once per term: the stems that stand for the whole word,
    and for a compound each split into a head's and a tail's stem."""
    s = stem(term)
    whole: list[str] = [s] if len(s) >= 3 else []
    # Snowball cuts some derivations to a short stem ("myndigheten" → "mynd") that then only matches
    # "mynd" plus an inflection; the word without its inflection ("myndighet") still opens its forms.
    base = uninflected(term)
    if len(base) >= 6 and base != s:
        whole.append(base)
    parts: list[tuple[str, str]] = []
    if len(term) >= 8:
        for i in range(4, len(term) - 2):
            head, tail = term[:i], stem(term[i:])
            head = head[:-1] if head.endswith("s") and len(head) > 5 else head
            if len(tail) >= 3:
                parts.append((stem(head), tail))
    return tuple(whole), tuple(dict.fromkeys(parts))


_ENDINGS = (
    "arnas",
    "ernas",
    "ornas",
    "arna",
    "erna",
    "orna",
    "ens",
    "ets",
    "en",
    "et",
    "er",
    "ar",
    "or",
    "na",
)


def uninflected(word: str) -> str:
    """``word`` without a Swedish inflectional ending, if enough of it is left to say what it is."""
    for end in _ENDINGS:
        if word.endswith(end) and len(word) - len(end) >= 6:
            return word[: -len(end)]
    return word


# Swedish inflectional endings: a short stem (bak, tid) must be followed by one of these, not by any
# letters, or "bak" would match "bakom" and "tid" would match "tidning".
INFLECTION = (
    "(?:arnas|ernas|ornas|arna|erna|orna|ande|ende|ades|ade|are|ast|ens|ets|ars|ers|ors|"
    "ar|er|or|en|et|na|ne|as|es|ad|at|de|te|da|ta|a|e|s|t|n)?"
)


_WORD_TAIL = re.compile("[0-9a-zåäöéü]{3}")
_INFLECTED_END = re.compile(INFLECTION + "(?![0-9a-zåäöéü])")


def _ends_word(text: str, stem_: str) -> bool:
    """A compound ending in ``stem_`` plus an inflection: the law writes "forsknings- och
    utvecklingstjänster" for research services and development services, so "utvecklingstjänster"
    carries the "tjänst" of "forskningstjänster"."""
    if len(stem_) < 4:
        return False
    at = text.find(stem_, 3)
    while at != -1:  # str.find, not a regex per stem: this runs for every compound of every passage
        if _WORD_TAIL.fullmatch(text, at - 3, at) and _INFLECTED_END.match(text, at + len(stem_)):
            return True
        at = text.find(stem_, at + 1)
    return False


def _has_word(text: str, stem_: str) -> bool:
    """A word that is ``stem_`` plus an inflection; a long stem may also open a compound."""
    if not _TOKEN_ONLY.fullmatch(stem_):  # "e-post": only the text itself can say
        tail = "[0-9a-zåäöéü]*" if len(stem_) >= 5 else f"{INFLECTION}(?![0-9a-zåäöéü])"
        return re.search(rf"(?<![0-9a-zåäöéü]){re.escape(stem_)}{tail}", text) is not None
    vocabulary = _vocabulary(text)
    # The words that start with the stem are one run of the sorted vocabulary.
    at = bisect.bisect_left(vocabulary, stem_)
    if len(stem_) >= 5:
        return at < len(vocabulary) and vocabulary[at].startswith(stem_)
    for i in range(at, len(vocabulary)):  # by index: a slice would copy the rest of the words
        if not vocabulary[i].startswith(stem_):
            return False
        if vocabulary[i][len(stem_) :] in _ENDINGS_AFTER_SHORT_STEM:
            return True
    return False


_TOKEN_ONLY = re.compile(r"[0-9a-zåäöéü]+")
_ENDINGS_AFTER_SHORT_STEM = frozenset(INFLECTION[3:-2].split("|")) | {""}


@lru_cache(maxsize=4096)
def _vocabulary(text: str) -> tuple[str, ...]:
    """The words of ``text``, sorted and without repeats: the gate and the re-rank ask thousands of
    "is there a word starting with this stem?" per question, and a regex scan of each text for each
    was most of a long question's retrieval time; in a sorted list it is one binary search."""
    return tuple(sorted(set(_TOKEN_ONLY.findall(text))))
