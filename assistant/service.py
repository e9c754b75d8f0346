"""The transport-agnostic core: one async entry point that answers a question as a stream of events."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

from assistant import analysis, extractive, figures, privacy
from assistant.citations import citation, cited_sources
from assistant.errors import (
    AdvisorError,
    EmptyIndexError,
    EmptyQuestionError,
    QuestionTooLongError,
)
from assistant.events import Done, Error, Event, Sources, Token
from assistant.guard import AnswerGuard, host_of, looks_like_injection, planted_instruction, safe_cut
from assistant.llm import build_chat_model
from assistant.messages import message
from assistant.prompts import (
    ANSWER_SYSTEM,
    CONDENSE_SYSTEM,
    LANGUAGE_NAMES,
    REFUSAL_MARKER,
    format_passage,
)
from assistant.retrieval import Query, Retriever
from assistant.settings import Settings
from assistant.store import ChunkStore
from assistant.types import Language, Passage, Turn

log = logging.getLogger(__name__)

# A question that leans on the one before: it opens with a continuation ("Och om …", "What about …")
# or refers back with a pronoun while naming little of its own.
CONTINUES = re.compile(
    r"^(och|men|samt|också|även|and|but|what about|how about|vad gäller|hur är det med)\b", re.IGNORECASE
)
REFERS_BACK = re.compile(
    r"\b(det|den|dessa|detta|denna|där|då|sådan|sådana|it|that|this|those|them|they)\b", re.IGNORECASE
)
HISTORY_TURNS = 6
# With a language model, a question this long (in content words) is a situation: the model writes up
# to MAX_QUERIES search queries for it, fused with the question's own ranking (FUSION_K: the usual
# reciprocal-rank constant).
LONG_QUESTION_TERMS = 12
MAX_QUERIES = 3
FUSION_K = 60
QUERY_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")
RETRY_BACKOFF_S = 0.5  # before the first retry of a failed model call; doubles each time
# Answers that another attempt will not change (a bad request, a wrong key or model).
PERMANENT_STATUSES = frozenset({400, 401, 403, 404, 422})


@dataclass
class Retrieval:
    """What retrieval found for a question: the query it settled on and the ranked passages."""

    query: Query
    passages: list[Passage]  # at least top_k of them, best first
    coverage: float
    top_k: int  # how many of them the answer rests on
    ms: float  # analysis, search and evidence; not the LLM rewrite before them

    @property
    def shown(self) -> list[Passage]:
        return self.passages[: self.top_k]


class Assistant:
    def __init__(
        self,
        settings: Settings,
        *,
        store: ChunkStore | None = None,
        retriever: Retriever | None = None,
        llm: Any = None,
    ) -> None:
        self.settings = settings
        self.store = store or ChunkStore(settings)
        self.retriever = retriever or Retriever(self.store, settings)
        self.llm = llm if llm is not None else build_chat_model(settings)

    @property
    def mode(self) -> str:
        return "llm" if self.llm is not None else "extractive"

    # --- the entry point ------------------------------------------------------------------------

    async def answer(
        self,
        question: str,
        history: list[Turn] | None = None,
        language: str | None = None,
        *,
        k: int | None = None,
    ) -> AsyncGenerator[Event, None]:
        """Yield Token*, Sources, Done for ``question``; or Error with a user-facing message.

        ``k`` asks retrieval for at least that many passages, carried in ``Done.retrieved`` (an
        evaluation scores them); the answer itself still rests on the first ``top_k``, the same
        passages a plain call gets.
        """
        question = (question or "").strip()
        asked_in = analysis.detect_language(question)
        language = language or asked_in
        try:
            check_question(question, self.settings)
        except AdvisorError as exc:
            yield Error(exc.key, message(exc.key, language, **exc.params))
            return
        if looks_like_injection(question):
            async for event in self._decline("injection", language, privacy.mask(question)):
                yield event
            return
        # Personal data the asker pasted (a personnummer, an e-mail address, their name) is nobody's
        # business downstream: retrieval, the model and the log see the question without the person.
        question = privacy.mask(question)
        history = [Turn(t.role, privacy.mask(t.content)) for t in history or []]
        try:
            found = await self._retrieve(question, asked_in, history, max(k or 0, self.settings.top_k))
            if found.coverage < self.settings.min_coverage:
                async for event in self._decline("refusal", language, found.query.text, found):
                    yield event
                return
            if self.llm is None:
                async for event in self._extractive(found, language):
                    yield event
            else:
                async for event in self._generate(question, found, history, language):
                    yield event
        except AdvisorError as exc:
            yield Error(exc.key, message(exc.key, language, detail=exc.detail, **exc.params))

    # --- retrieval helpers ------------------------------------------------------------------------

    def search(self, query: str, k: int = 10) -> list[Passage]:
        """The ``k`` best passages for ``query``; the same rules for what may be asked as answer()."""
        query = check_question(query, self.settings)
        return self.retriever.search(self.retriever.analyze(query), k)

    async def _retrieve(self, question: str, asked_in: Language, history: list[Turn], k: int) -> Retrieval:
        """Passages for the question as retrieval should see it, and how well they cover it.

        With a language model, a question in a conversation (or in English) is rewritten into a
        standalone Swedish search query. Without one, a question that clearly leans on the previous
        one is merged with it; any other is searched alone first, and merged only if alone it finds
        too little — so a new topic in a conversation is not dragged back to the old one.
        """
        previous = [t.content for t in history if t.role == "user"]
        rewritten: list[str] = []
        long = len(analysis.content_terms(question)) >= LONG_QUESTION_TERMS
        if self.llm is not None and (previous or asked_in == "en" or long):
            rewritten = await self._condense(question, history)
        # SQLite and Chroma calls block: they run in a worker thread so the event loop keeps streaming.
        last = previous[-1] if previous else None
        return await asyncio.to_thread(
            self._search_candidates,
            _searchable(question),
            asked_in,
            _searchable(last) if last else None,
            rewritten,
            k,
        )

    def _search_candidates(
        self, question: str, asked_in: Language, previous: str | None, rewritten: list[str], k: int
    ) -> Retrieval:
        """The best covered of the candidate queries; blocking, so called in a worker thread."""
        started = time.perf_counter()
        candidates: list[Query] = []
        if rewritten:
            query = self.retriever.analyze(question, expansions=rewritten, language=asked_in)
            passages = self._fused(query, rewritten, k)
            if not passages and self.store.counts()[1] == 0:
                raise EmptyIndexError()
            coverage = self.retriever.evidence(query, passages)
            return Retrieval(
                query, passages, coverage, self.settings.top_k, (time.perf_counter() - started) * 1000
            )
        elif previous:
            merged = self.retriever.analyze(f"{previous} {question}")
            merged.text = question
            # The previous question is what this one is about, not a situation to weigh less.
            merged.context_terms = set()
            leans_back = CONTINUES.search(question) is not None or (
                REFERS_BACK.search(question) is not None and len(analysis.content_terms(question)) <= 3
            )
            candidates = (
                [merged] if leans_back else [self.retriever.analyze(question, language=asked_in), merged]
            )
        else:
            candidates.append(self.retriever.analyze(question, language=asked_in))

        best: tuple[Query, list[Passage], float] | None = None
        for query in candidates:
            passages = [p for p in self.retriever.search(query, k) if not _planted(p)]
            coverage = self.retriever.evidence(query, passages)
            if best is None or coverage > best[2]:
                best = (query, passages, coverage)
            if coverage >= self.settings.min_coverage:
                break
        assert best is not None
        if not best[1] and self.store.counts()[1] == 0:
            raise EmptyIndexError()
        query, passages, coverage = best
        return Retrieval(
            query, passages, coverage, self.settings.top_k, (time.perf_counter() - started) * 1000
        )

    def _fused(self, query: Query, rewritten: list[str], k: int) -> list[Passage]:
        """The question (with the model's queries as expansions) and each of the model's queries
        searched on its own, fused by reciprocal rank: a scenario's separate legal questions each get
        their own ranking instead of sharing one."""
        rankings = [self.retriever.search(query, k)]
        if len(rewritten) > 1:
            rankings += [
                self.retriever.search(self.retriever.analyze(q, language="sv"), k) for q in rewritten
            ]
        fused: dict[str, float] = {}
        found: dict[str, Passage] = {}
        for ranking in rankings:
            for rank, passage in enumerate(ranking, start=1):
                if _planted(passage):
                    continue
                fused[passage.chunk.id] = fused.get(passage.chunk.id, 0.0) + 1.0 / (FUSION_K + rank)
                found.setdefault(passage.chunk.id, passage)
        ordered = sorted(fused, key=lambda i: -fused[i])[: max(k, self.settings.top_k)]
        return [replace(found[i], rank=n, score=fused[i]) for n, i in enumerate(ordered, start=1)]

    async def _condense(self, question: str, history: list[Turn]) -> list[str]:
        from langchain_core.messages import HumanMessage, SystemMessage

        convo = "\n".join(f"{t.role}: {t.content}" for t in history[-HISTORY_TURNS:])
        prompt = f"Samtal:\n{convo}\n\nSenaste fråga: {question}" if convo else f"Fråga: {question}"
        try:
            reply = await self.llm.ainvoke([SystemMessage(CONDENSE_SYSTEM), HumanMessage(prompt)])
        except Exception as exc:  # a failed rewrite degrades to the plain question, never to an error
            # The type says what went wrong; the question stays out of the log (it may be personal).
            log.warning("query rewrite failed (%s); searching the question as asked", type(exc).__name__)
            return []
        lines = (QUERY_BULLET.sub("", line).strip() for line in str(reply.content).splitlines())
        return [line[:300] for line in lines if line][:MAX_QUERIES]

    # --- answers --------------------------------------------------------------------------------

    async def _decline(
        self, key: str, language: str, query: str, found: Retrieval | None = None
    ) -> AsyncIterator[Event]:
        text = message(key, language)
        yield Token(text)
        yield Sources([])
        outcome = "injection" if key == "injection" else "no_evidence"
        yield _done(True, self.mode, text, language, query, found, outcome)

    async def _extractive(self, found: Retrieval, language: str) -> AsyncIterator[Event]:
        excerpts = self._excerpts(found)
        text = extractive.render(excerpts, message("extractive_intro", language)) + _figures(
            excerpts, language
        )
        for line in text.splitlines(keepends=True):
            yield Token(line)
        yield Sources([citation(ex.n, ex.passage, " ".join(ex.sentences)) for ex in excerpts])
        yield _done(False, "extractive", text, language, found.query.text, found)

    def _excerpts(self, found: Retrieval) -> list[extractive.Excerpt]:
        """The quoted sentences; a synonym of a question's word ("moms" for "mervärdesskatt") counts as
        that word. A concept's words do not: they stand for a whole phrasing, and a sentence that
        shares one of them ("byte av leverantör" for "gått i konkurs") rarely answers."""
        query = found.query
        synonyms = {t: self.retriever.glossary.synonyms_for(t) for t in query.terms}
        return extractive.select(
            found.shown, query.terms, query.text, alternatives=synonyms, situation=query.context_terms
        )

    async def _generate(
        self, question: str, found: Retrieval, history: list[Turn], language: str
    ) -> AsyncIterator[Event]:
        """The model's answer, streamed through the answer guard.

        Text reaches the user only once the guard has seen what follows it (``guard.safe_cut``), so
        neither the instructions nor a link to a foreign host is ever shown. A model that fails before
        its first word is retried with backoff; one that keeps failing, is cut off, or breaks the
        rules gives way to cited excerpts with a note saying so — never a hang or a bare error.
        """
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        passages = found.shown
        numbered = "\n\n".join(
            format_passage(n, p.chunk.title, p.chunk.location, p.chunk.page, p.text)
            for n, p in enumerate(passages, start=1)
        )
        canary = secrets.token_hex(8)
        instructions = ANSWER_SYSTEM.split("{passages}", 1)[0].format(
            canary=canary, marker=REFUSAL_MARKER, language=LANGUAGE_NAMES.get(language, "svenska")
        )
        system = instructions + numbered
        hosts = {h for p in passages for h in (host_of(p.chunk.url), host_of(p.chunk.source)) if h}
        guard = AnswerGuard(canary, instructions, hosts)
        messages: list[Any] = [SystemMessage(system)]
        for turn in history[-HISTORY_TURNS:]:
            messages.append(HumanMessage(turn.content) if turn.role == "user" else AIMessage(turn.content))
        messages.append(HumanMessage(question))

        answer = ""  # what the model wrote
        shown = ""  # what the user has seen of it, cleaned
        cut = 0  # how much of ``answer`` is behind ``shown``
        attempt = 0
        fallback: str | None = None
        while True:
            try:
                async for chunk in self.llm.astream(messages):
                    answer += str(chunk.content or "")
                    if guard.leaked(answer):
                        fallback = "answer_withheld"
                        break
                    if answer.lstrip().startswith(REFUSAL_MARKER) or REFUSAL_MARKER.startswith(
                        answer.strip()
                    ):
                        continue
                    ready = safe_cut(answer)
                    if ready > cut:
                        piece = guard.clean(answer[cut:ready])
                        cut = ready
                        shown += piece
                        if piece:
                            yield Token(piece)
            except AdvisorError:
                raise
            except Exception as exc:  # openai/httpx raise many types; all mean the endpoint failed us
                log.warning("LLM call failed (%s), attempt %d", type(exc).__name__, attempt + 1)
                transient = getattr(exc, "status_code", None) not in PERMANENT_STATUSES
                if transient and not shown and attempt < self.settings.llm_retries:
                    attempt += 1
                    answer, cut = "", 0
                    await asyncio.sleep(RETRY_BACKOFF_S * 2 ** (attempt - 1))
                    continue
                fallback = "llm_fallback"
            break

        if fallback is None and (answer.strip().startswith(REFUSAL_MARKER) or not answer.strip()):
            async for event in self._decline("refusal", language, found.query.text, found):
                yield event
            return
        if fallback is not None:
            async for event in self._fall_back(found, language, fallback, shown):
                yield event
            return
        rest = guard.clean(answer[cut:])
        if rest:
            yield Token(rest)
        answer = shown + rest
        yield Sources(cited_sources(answer, passages))
        yield _done(False, "llm", answer, language, found.query.text, found)

    async def _fall_back(self, found: Retrieval, language: str, why: str, shown: str) -> AsyncIterator[Event]:
        """Cited excerpts after the model failed or was withheld, under a note that says which.

        Text the user has already seen stays; the excerpts are numbered by their passage's place, the
        numbers that text cites by, so one list of sources serves both.
        """
        log.warning("answering with excerpts instead of the model (%s)", why)
        passages = found.shown
        excerpts = [
            replace(ex, n=passages.index(ex.passage) + 1) if shown else ex for ex in self._excerpts(found)
        ]
        text = ("\n\n" if shown else "") + extractive.render(excerpts, message(why, language))
        text += _figures(excerpts, language)
        yield Token(text)
        citations = {c.n: c for c in cited_sources(shown, passages)} if shown else {}
        for ex in excerpts:
            citations.setdefault(ex.n, citation(ex.n, ex.passage, " ".join(ex.sentences)))
        yield Sources([citations[n] for n in sorted(citations)])
        yield _done(False, "extractive", shown + text, language, found.query.text, found)

    # --- status ---------------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        documents, chunks = self.store.counts()
        return {
            "documents": documents,
            "chunks": chunks,
            "embedding_model": self.store.embedder.name,
            "llm_model": self.settings.llm_model if self.llm is not None else None,
            "mode": self.mode,
            "vector_store": self.settings.chroma_url or str(self.settings.chroma_dir),
        }


_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in privacy.PLACEHOLDERS.values()))


def _figures(excerpts: list[extractive.Excerpt], language: str) -> str:
    """For an English reader, the figures of the Swedish quotes in English ("fem år = five years")."""
    pairs = figures.gloss(s for ex in excerpts for s in ex.sentences) if language == "en" else []
    if not pairs:
        return ""
    glossed = "; ".join(f"{swedish} = {english}" for swedish, english in pairs)
    return f"\n{message('figures_gloss', language)} {glossed}.\n"


def _searchable(text: str) -> str:
    """A masked text without its placeholders: «namn» is not a word the documents should match."""
    return " ".join(_PLACEHOLDER.sub(" ", text).split())


def _planted(passage: Passage) -> bool:
    """A passage that addresses the assistant (flagged at ingest, or recognised now in an index built
    before flagging existed) is data, never guidance: it is neither weighed, nor given, nor quoted."""
    chunk = passage.chunk
    if getattr(chunk, "flagged", None):
        return True
    return planted_instruction(chunk.text, host_of(chunk.url) or host_of(chunk.source)) is not None


def _done(
    refused: bool,
    mode: str,
    answer: str,
    language: str,
    query: str,
    found: Retrieval | None,
    outcome: str = "answered",
) -> Done:
    return Done(
        refused=refused,
        mode=mode,
        answer=answer,
        language=language,
        query=query,
        top_chunk_ids=[p.chunk.id for p in found.shown] if found else [],
        retrieved=list(found.passages) if found else [],
        retrieval_ms=round(found.ms, 1) if found else None,
        evidence=round(found.coverage, 3) if found else None,
        outcome=outcome,
    )


def check_question(question: str, settings: Settings) -> str:
    """The question stripped, or the error that says why it cannot be taken (empty, too long)."""
    question = (question or "").strip()
    if not question:
        raise EmptyQuestionError()
    if len(question) > settings.max_question_chars:
        raise QuestionTooLongError(limit=settings.max_question_chars)
    return question


def build_assistant(settings: Settings) -> Assistant:
    return Assistant(settings)
