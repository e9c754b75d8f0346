"""Recognises questions that try to rewrite the assistant's instructions instead of asking."""

from __future__ import annotations

import re

PATTERNS = [
    r"\b(glöm|ignorera|strunta i|bortse från)\b.{0,40}\b(instruktion|regler|tidigare|ovan|allt)",
    r"\b(ignore|forget|disregard)\b.{0,40}\b(instruction|rules|previous|above|prompt)",
    # "systemprompten", "system prompts": the word in any form, in either language.
    r"\b(system ?prompt\w*|dina instruktioner|your instructions)\b",
    r"\b(låtsas|pretend|act as|agera som)\b.{0,30}\b(att du|you are|om du)",
    r"\b(vilka|which)\b.{0,30}\b(dokument|documents)\b.{0,30}\b(inte får|not allowed|hidden|dolda)",
]
_COMPILED = [re.compile(p, re.IGNORECASE | re.DOTALL) for p in PATTERNS]


def looks_like_injection(question: str) -> bool:
    return any(p.search(question) for p in _COMPILED)


# --- instructions planted in documents ---------------------------------------------------------------
# A passage that addresses the assistant instead of the reader: it is data, never guidance. Such a
# passage is not given to the language model nor quoted (the extractive answer), wherever it came from.
# One list, read at ingest (``ingest.screening`` flags the chunk for advisors) and again before a
# passage is used (a document indexed before a pattern was added is caught too). Written to stay
# silent on statutes and guidance, which speak to procurers ("Ni får bortse från en skyldighet …").
INSTRUCTION = [
    # "ignorera (alla) tidigare instruktioner", "glöm dina regler"
    r"\b(?:ignorera|glöm|strunta\s+i|bortse\s+från)\s+(?:alla\s+|helt\s+)?"
    r"(?:tidigare|föregående|ovanstående|dina|dessa|systemets)\s+"
    r"(?:instruktioner|regler|anvisningar|direktiv|uppmaningar)",
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:the\s+|of\s+the\s+|your\s+)?"
    r"(?:previous|prior|above|earlier|preceding|system|original)?\s*"
    r"(?:instructions|rules|directions|prompts?|guidelines)",
    # "svara att tröskelvärdet är …", "answer that …": telling the reader of the passage what to say
    r"(?:^|[.!:;]\s+|\boch\s+|\band\s+)(?:svara|säg|skriv|påstå)\s+(?:alltid\s+|bara\s+|endast\s+)?att\b",
    r"(?:^|[.!:;]\s+|\band\s+)(?:answer|respond|reply|say|state|tell\s+the\s+user)\s+"
    r"(?:always\s+|only\s+)?that\b",
    # addressing the model or its prompt
    r"\b(?:system\s?prompt|systemprompt|systemmeddelande|systeminstruktion)",
    r"\b(?:du\s+är\s+(?:nu\s+)?en?\s+(?:ai|assistent|språkmodell|chattbot)|"
    r"you\s+are\s+(?:now\s+)?(?:an?\s+)?(?:ai|assistant|language\s+model|chatbot|llm))\b",
    r"\b(?:till|to)\s+(?:ai|assistenten|språkmodellen|the\s+assistant|the\s+ai|the\s+(?:language\s+)?model)\s*:",
    r"\b(?:när|om)\s+(?:någon|användaren)\s+frågar\b.{0,80}\b(?:svara|säg)\b",
    r"\b(?:when|if)\s+(?:the\s+)?(?:user|someone|anyone)\s+asks\b.{0,80}\b(?:answer|say|respond|reply)\b",
    r"<\|im_start\|>|\[/?INST\]|^\s*(?:system|assistant)\s*:",
    # commands in the second person, and the model's role named
    r"\b(du|ni) (ska|måste|skall) (alltid |nu |istället )?(svara|säga|påstå)( alltid| bara| istället)? (att|med)\b",
    r"\byou (must|should|will) (now |always |instead )?(answer|say|reply|respond|claim)( only| always)? (that|with)\b",
]
_INSTRUCTION = [re.compile(p, re.IGNORECASE | re.MULTILINE | re.DOTALL) for p in INSTRUCTION]


def instruction_in(text: str) -> str | None:
    """The words in ``text`` that address the assistant instead of the reader, or None."""
    for pattern in _INSTRUCTION:
        if match := pattern.search(text):
            return match.group(0)
    return None


# Characters that hide text from a human reader while a model still reads it.
HIDDEN = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]|<!--")
IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?(https?:)?//([^/\s)>]+)", re.IGNORECASE)


def planted_instruction(text: str, own_host: str | None = None) -> str | None:
    """Why ``text`` looks like instructions aimed at the assistant, or None when it reads as guidance.

    ``own_host`` is the host the document itself came from: an image served from there is part of the
    page, one from anywhere else is a way to make a model leak data through an image request.
    """
    if instruction_in(text):
        return "instruction"
    if HIDDEN.search(text):
        return "hidden_text"
    for match in IMAGE.finditer(text):
        host = match.group(2).lower()
        if own_host is None or host.removeprefix("www.") != own_host.lower().removeprefix("www."):
            return "external_image"
    return None


# --- what the model writes ---------------------------------------------------------------------------
_WORD = re.compile(r"\w+", re.UNICODE)
_URL = re.compile(r"(?:https?:)?//([A-Za-z0-9.-]+\.[A-Za-z]{2,}|localhost|\d{1,3}(?:\.\d{1,3}){3})[^\s)\]>]*")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)]*)\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")
SHINGLE = 6  # words of the instructions in a row that count as repeating them


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def host_of(url: str | None) -> str | None:
    if not url or "://" not in url:
        return None
    match = _URL.search(url)
    return match.group(1).lower().removeprefix("www.") if match else None


class AnswerGuard:
    """Checks a model's answer before a user sees it: it must not repeat the instructions it was given
    (a per-request canary opens them, so an echo is caught at its first word), and it may link only to
    the hosts of the passages it was given — an image or a link elsewhere is how an injected instruction
    would carry data out. Images are never shown."""

    def __init__(self, canary: str, instructions: str, hosts: set[str]) -> None:
        self.canary = canary.lower()
        self.instructions = _shingles(_words(instructions))
        self.hosts = {h.removeprefix("www.") for h in hosts}

    def leaked(self, text: str) -> bool:
        if self.canary in text.lower():
            return True
        return not self.instructions.isdisjoint(_shingles(_words(text)))

    def clean(self, text: str) -> str:
        """``text`` without images and without links to hosts not among the passages' sources."""
        text = _MD_IMAGE.sub("", text)
        text = _MD_LINK.sub(lambda m: m.group(0) if self._allowed(m.group(2)) else m.group(1), text)
        return _URL.sub(lambda m: m.group(0) if self._allowed(m.group(0)) else "", text)

    def _allowed(self, target: str) -> bool:
        host = host_of(target if "://" in target else f"https:{target}" if target.startswith("//") else "")
        if host is None:  # a relative target or none at all: nothing leaves the page
            return "://" not in target and not target.strip().startswith("//")
        return host in self.hosts


def safe_cut(text: str, hold_words: int = SHINGLE) -> int:
    """Where ``text`` (a stream so far) can be cut for showing: before its last ``hold_words`` words
    (room for the guard to see a whole repeated instruction or link first) and before any bracket still
    open (a Markdown link whose target has not arrived)."""
    spaces = [m.start() for m in re.finditer(r"\s+", text)]
    if len(spaces) < hold_words:
        return 0
    cut = spaces[-hold_words]
    for opening, closing in (("[", "]"), ("(", ")")):
        depth_at = -1
        depth = 0
        for i, ch in enumerate(text[:cut]):
            if ch == opening:
                if depth == 0:
                    depth_at = i
                depth += 1
            elif ch == closing and depth:
                depth -= 1
        if depth:
            cut = min(cut, depth_at)
    while cut > 0 and not text[cut - 1].isspace() and cut not in spaces:
        cut -= 1
    return cut
