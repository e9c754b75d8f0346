"""Recognises questions that try to rewrite the assistant's instructions instead of asking."""

from __future__ import annotations

import re

PATTERNS = [
    r"\b(glöm|ignorera|strunta i|bortse från)\b.{0,40}\b(instruktion|regler|tidigare|ovan|allt)",
    r"\b(ignore|forget|disregard)\b.{0,40}\b(instruction|rules|previous|above|prompt)",
    r"\b(system ?prompt|systemprompt|dina instruktioner|your instructions)\b",
    r"\b(låtsas|pretend|act as|agera som)\b.{0,30}\b(att du|you are|om du)",
    r"\b(vilka|which)\b.{0,30}\b(dokument|documents)\b.{0,30}\b(inte får|not allowed|hidden|dolda)",
]
_COMPILED = [re.compile(p, re.IGNORECASE | re.DOTALL) for p in PATTERNS]


def looks_like_injection(question: str) -> bool:
    return any(p.search(question) for p in _COMPILED)
