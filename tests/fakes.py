"""Deterministic stand-ins at the boundary: an embedder and small documents we write ourselves."""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant import analysis
from assistant.retrieval import GATE_PASSAGES, Query, Retriever
from assistant.types import Passage


class HashEmbedder:
    """Bag of hashed character trigrams, L2-normalised: similar texts get similar vectors."""

    computes_here = False  # cheap: the searches may run beside it

    def __init__(self, dimension: int = 64, name: str = "test:hash-64") -> None:
        self.name = name
        self._dimension = dimension
        self.calls = 0

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)

    def _vector(self, text: str) -> list[float]:
        v = [0.0] * self._dimension
        for word in analysis.words(text):
            for gram in analysis.trigrams(f" {word} "):
                v[int(hashlib.md5(gram.encode()).hexdigest(), 16) % self._dimension] += 1.0
        norm = math.sqrt(sum(x * x for x in v)) or 1.0
        return [x / norm for x in v]


@dataclass(frozen=True)
class RetrievalCall:
    method: str  # "analyze" | "search" | "evidence"
    terms: tuple[str, ...]  # the query's terms: what was searched for
    thread: int


class RecordingRetriever(Retriever):
    """The real retriever, keeping a record of what it was asked and on which thread."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[RetrievalCall] = []

    def _note(self, method: str, query: Query) -> None:
        self.calls.append(RetrievalCall(method, tuple(query.terms), threading.get_ident()))

    def analyze(self, question: str, **kwargs: Any) -> Query:
        query = super().analyze(question, **kwargs)
        self._note("analyze", query)
        return query

    def search(self, query: Query, k: int | None = None) -> list[Passage]:
        self._note("search", query)
        return super().search(query, k)

    def evidence(self, query: Query, passages: list[Passage], top: int = GATE_PASSAGES) -> float:
        self._note("evidence", query)
        return super().evidence(query, passages, top)

    @property
    def searches(self) -> list[tuple[str, ...]]:
        return [c.terms for c in self.calls if c.method == "search"]


# A made-up statute in the SFS Markdown layout (our own words, not a real law's text).
STATUTE = """---
beteckning: 2016:1145
rubrik: Lag om offentlig upphandling
---

# Lag om offentlig upphandling

## 1 kap. Inledande bestämmelser

### Forskningstjänster

#### 5 §

Lagen tillämpas inte på tjänster för forskning och utveckling om inte båda villkoren i paragrafen är uppfyllda.

## 6 kap. Förfaranden

### Innovationspartnerskap

#### 31 §

Ett partnerskap för innovation får delas in i etapper med delmål och ersättning i omgångar.

#### 31 a §

Myndigheten får avsluta partnerskapet efter varje etapp om delmålen inte nås.

## 19 a kap. Direktupphandling

### Belopp

#### 2 §

Direktupphandling får användas när värdet understiger den beloppsgräns som anges här.
"""

GUIDE = """---
title: Tidig dialog med marknaden
summary: Hur en upphandlare för dialog före annonsering.
sources: ["LOU 4 kap. 1 §"]
updated: 2026-11-26
tags: [dialog, marknadsanalys]
language: sv
---

# Tidig dialog med marknaden

## Varför föra dialog före upphandlingen

En tidig dialog hjälper myndigheten att förstå vad leverantörerna kan erbjuda och vilka nya lösningar
som finns. Dialogen ska vara öppen för alla intresserade leverantörer så att likabehandling säkras.

## Hur en förfrågan om information (RFI) går till

Publicera en förfrågan om information, bjud in till möten och dokumentera vad som sägs. Ge alla
leverantörer samma information samtidigt.
"""
