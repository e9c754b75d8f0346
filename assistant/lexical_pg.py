"""The lexical index in PostgreSQL, for several machines sharing one index.

The same contract as ``LexicalIndex`` (chunk rows, the document journal, a word search and a
substring search, the vocabulary for decompounding), over PostgreSQL's own Swedish full-text search
(``to_tsvector('swedish', …)``, GIN) and ``pg_trgm`` (a GIN ``gin_trgm_ops`` index answering
``LIKE '%stem%'``: a stem inside a compound).

Both searches score each of the question's terms on its own and weigh it by its rarity in the index
(BM25's idf): ``ts_rank`` and substring counts know nothing of how common a word is, and without the
weight a question's commonest word would rank as high as its rarest. (``word_similarity`` with
``<%`` was tried for the compound side: it ranked no better and cost ten times as much.)

The vocabulary (``known_stem``, ``term_frequency``) is our own Snowball stems (``assistant.analysis``),
kept as a tsvector of lexemes beside each chunk, so decompounding behaves as with SQLite.

``pg_trgm`` counts only letters and digits as parts of words, and which characters are letters
follows the database's ``LC_CTYPE``: under ``C`` it would cut words at å, ä and ö; ``C.UTF-8``,
``sv_SE.UTF-8`` and ``en_US.UTF-8`` all keep them.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from typing import Any

from sqlalchemy import Connection, create_engine, text

from assistant import analysis
from assistant.lexical import DOCUMENT_FIELDS, _chunk_from_row, applies, applying_phrase
from assistant.settings import psql_url
from assistant.types import Chunk

# Distinct from the writer lock's key (ingest.lock) and from the records migrations' key.
SCHEMA_LOCK_KEY = 0x1E8_1CA1
SCHEMA = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE TABLE IF NOT EXISTS lex_documents (
        doc_id TEXT PRIMARY KEY,
        source TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        n_chunks INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL,
        meta TEXT NOT NULL DEFAULT '{}',
        updated_at TEXT NOT NULL,
        enabled BOOLEAN NOT NULL DEFAULT TRUE)""",
    """CREATE TABLE IF NOT EXISTS lex_chunks (
        id TEXT PRIMARY KEY,
        doc_id TEXT NOT NULL,
        ordinal INTEGER NOT NULL,
        law TEXT, chapter TEXT, paragraph TEXT,
        data TEXT NOT NULL,
        words TSVECTOR NOT NULL,
        stems TSVECTOR NOT NULL,
        tri TEXT NOT NULL)
        WITH (toast_tuple_target = 8160)""",  # rows inline: decompressing them per term was most of a search
    "CREATE INDEX IF NOT EXISTS lex_chunks_doc ON lex_chunks (doc_id)",
    "CREATE INDEX IF NOT EXISTS lex_chunks_ref ON lex_chunks (chapter, paragraph)",
    "CREATE INDEX IF NOT EXISTS lex_chunks_words ON lex_chunks USING gin (words)",
    "CREATE INDEX IF NOT EXISTS lex_chunks_stems ON lex_chunks USING gin (stems)",
    "CREATE INDEX IF NOT EXISTS lex_chunks_tri ON lex_chunks USING gin (tri gin_trgm_ops)",
)

# ts_rank's weights for D, C, B, A: body (C), heading (B), title (A), as LexicalIndex's 1 : 2 : 3.
WORD_WEIGHTS = "{0.1, 0.33, 0.67, 1.0}"

NOW = "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
DOCUMENT_COLUMNS = "doc_id, source, title, n_chunks, state, meta, updated_at, enabled"
# Only chunks of documents no advisor has disabled are ever found.
ENABLED = "c.doc_id NOT IN (SELECT doc_id FROM lex_documents WHERE NOT enabled)"

# The index's size without counting it: the planner's row estimate once the table is analysed and
# large, an exact count (bounded) while it is small. A count(*) per search would grow with the index.
SIZE = """
size AS (
    SELECT CASE WHEN reltuples >= :exact_below THEN CAST(reltuples AS float8) ELSE (
        SELECT CAST(count(*) AS float8) FROM (SELECT 1 FROM lex_chunks LIMIT :exact_below) AS few)
    END AS n
    FROM pg_class WHERE oid = CAST('lex_chunks' AS regclass)),
"""
# Each term's matches scored alone, weighed by BM25's idf over the whole index, summed per chunk.
RANKED = """
, df AS (SELECT t, CAST(count(*) AS float8) AS n FROM hits GROUP BY t)
SELECT hits.id, sum(hits.s * ln(1 + greatest(size.n - df.n + 0.5, 0.5) / (df.n + 0.5))) AS score
FROM hits JOIN df ON df.t = hits.t CROSS JOIN size
GROUP BY hits.id ORDER BY score DESC, hits.id LIMIT :limit
"""
# Words: PostgreSQL's Swedish stems, ts_rank with the title above the heading above the text. A
# common term is left out while a rarer one remains; a question of common words only keeps them.
SEARCH_WORDS = (
    "WITH"
    + SIZE
    + """
terms AS (
    SELECT DISTINCT ON (tq::text) tq::text AS t, tq, tq::text = ANY(CAST(:common AS text[])) AS common
    FROM (SELECT plainto_tsquery('swedish', w) AS tq FROM unnest(CAST(:terms AS text[])) AS w) AS x
    WHERE numnode(tq) > 0),
q AS (SELECT t, tq FROM terms WHERE NOT common OR NOT EXISTS (SELECT 1 FROM terms WHERE NOT common)),
hits AS (
    SELECT c.id, q.t, ts_rank(CAST(:weights AS real[]), c.words, q.tq) AS s
    FROM q JOIN lex_chunks c ON c.words @@ q.tq
    WHERE """
    + ENABLED
    + ")"
    + RANKED
)
# Compounds: BM25 over substrings. Each stem is found inside the chunk's normalised text, inflected
# or as part of a compound (gräns in direktupphandlingsgränsen), a LIKE the trigram index answers.
# A common stem (by our own stems) is left to the word search, which weighs it.
SEARCH_TRIGRAMS = (
    "WITH"
    + SIZE
    + """
q AS (
    SELECT DISTINCT t, replace(replace(replace(t, '\\', '\\\\'), '%', '\\%'), '_', '\\_') AS pattern
    FROM unnest(CAST(:terms AS text[])) AS t WHERE t <> ALL(CAST(:common AS text[]))),
mean AS (
    SELECT CAST(greatest(coalesce(
        (SELECT avg_width FROM pg_stats
         WHERE schemaname = current_schema() AND tablename = 'lex_chunks' AND attname = 'tri'),
        (SELECT avg(octet_length(tri)) FROM (SELECT tri FROM lex_chunks LIMIT 1000) AS few)), 1) AS float8) AS n),
hits AS (
    SELECT c.id, q.t, tf * (:k1 + 1) / (tf + :k1 * (1 - :b + :b * octet_length(c.tri) / mean.n)) AS s
    FROM q JOIN lex_chunks c ON c.tri LIKE '%' || q.pattern || '%'
    CROSS JOIN mean
    CROSS JOIN LATERAL (
        SELECT CAST(octet_length(c.tri) - octet_length(replace(c.tri, q.t, '')) AS float8)
               / octet_length(q.t) AS tf) AS x
    WHERE """
    + ENABLED
    + ")"
    + RANKED
)
BM25_K1 = 1.2
BM25_B = 0.75
# A lexeme in at least this share of the chunks (upphandling) tells passages apart hardly at all, yet
# scoring it in every chunk that holds it is most of a search's cost, a cost that grows with the
# index. ANALYZE (autovacuum) keeps each tsvector column's most common lexemes with the share of rows
# holding them, so asking costs the same at any size; they are read again every COMMON_TTL seconds.
# Until the index is analysed and holds COMMON_FROM chunks, no lexeme is common.
COMMON_SHARE = 0.5
COMMON_FROM = 500
COMMON_TTL = 300.0
COMMON_LEXEMES = """
SELECT s.attname, CAST(CAST(s.most_common_elems AS text) AS text[]), s.most_common_elem_freqs
FROM pg_stats s JOIN pg_class c ON c.oid = CAST('lex_chunks' AS regclass)
WHERE s.schemaname = current_schema() AND s.tablename = 'lex_chunks'
  AND s.attname IN ('words', 'stems') AND c.reltuples >= :common_from
"""
EXACT_BELOW = 10_000

_SPLIT = re.compile(r"[^0-9a-zåäöéü]+")


def _substring(term: str) -> str:
    """What the trigram search looks for inside words: the term's stem, or a short stem's whole term."""
    term = analysis.normalize(term)
    found = analysis.stem(term)
    return found if len(found) >= 3 else term


def _tokens(stem: str) -> list[str]:
    """A stem's parts as SQLite's unicode61 tokenizer sees them ("e-post" → e, post)."""
    return [t for t in _SPLIT.split(stem) if t]


def _lexemes(stems: Iterable[str]) -> list[str]:
    # PostgreSQL refuses a lexeme of 2 kB or more; no word that long is one to search for.
    return sorted({t for s in stems for t in _tokens(s) if len(t.encode()) < 2048})


def _tsquery(tokens: list[str], *, prefix: bool = False) -> str:
    """A tsquery in its input syntax, every token quoted, so nothing in it is read as an operator."""
    quoted = [f"'{t}'" for t in tokens]
    if prefix and quoted:
        quoted[-1] += ":*"
    return " & ".join(quoted)


def _document(row: Any) -> dict[str, object]:
    return {
        "doc_id": row[0],
        "source": row[1],
        "title": row[2],
        "chunks": row[3],
        "state": row[4],
        **json.loads(str(row[5])),
        "updated_at": row[6],
        "enabled": bool(row[7]),
    }


class PgLexicalIndex:
    """``LexicalIndex`` in PostgreSQL; every ``advisor serve`` on every machine shares it."""

    def __init__(self, url: str) -> None:
        self._engine = create_engine(psql_url(url), pool_pre_ping=True)
        self._reader = self._engine.execution_options(isolation_level="AUTOCOMMIT")
        self._common: tuple[float, dict[str, list[str]]] = (-COMMON_TTL, {})
        with self._engine.begin() as db:
            # Two processes opening a fresh database at once would race on CREATE … IF NOT EXISTS.
            db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SCHEMA_LOCK_KEY})
            for statement in SCHEMA:
                db.execute(text(statement))

    def dispose(self) -> None:
        """Close the pooled connections."""
        self._engine.dispose()

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        # Each read is one statement: in autocommit it needs no BEGIN and no ROLLBACK, two round trips
        # fewer on the answer path, which reads the index several times a question.
        with self._reader.connect() as db:
            yield db

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self._engine.begin() as db:
            yield db

    # --- documents ------------------------------------------------------------------------------

    def document_hashes(self) -> dict[str, tuple[str, str, str]]:
        """source → (doc_id, content_hash, state) for every known document."""
        with self._reading() as db:
            rows = db.execute(text("SELECT source, doc_id, content_hash, state FROM lex_documents"))
            return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def documents(self) -> list[dict[str, object]]:
        with self._reading() as db:
            rows = db.execute(
                text(f'SELECT {DOCUMENT_COLUMNS} FROM lex_documents ORDER BY source COLLATE "C"')
            )
            return [_document(r) for r in rows]

    def document(self, doc_id: str) -> dict[str, object] | None:
        with self._reading() as db:
            row = db.execute(
                text(f"SELECT {DOCUMENT_COLUMNS} FROM lex_documents WHERE doc_id = :d"), {"d": doc_id}
            ).first()
            return _document(row) if row is not None else None

    def set_enabled(self, doc_id: str, enabled: bool) -> bool:
        """Retire a document from retrieval (or bring it back); False when there is no such document."""
        with self._writing() as db:
            result = db.execute(
                text("UPDATE lex_documents SET enabled = :e WHERE doc_id = :d"), {"e": enabled, "d": doc_id}
            )
            return result.rowcount > 0

    def disabled_documents(self) -> list[str]:
        with self._reading() as db:
            return list(db.execute(text("SELECT doc_id FROM lex_documents WHERE NOT enabled")).scalars())

    def retitle(self, doc_id: str, title: str | None, tags: list[str] | None) -> bool:
        """Change a document's title or tags, in its row and in its chunks (what citations show and the
        title the word search weighs); the content and the vectors stay."""
        document = self.document(doc_id)
        if document is None:
            return False
        meta = {k: v for k, v in document.items() if k not in DOCUMENT_FIELDS}
        if tags is not None:
            meta["tags"] = list(tags)
        chunks = [
            replace(
                c,
                title=title if title is not None else c.title,
                tags=tuple(tags) if tags is not None else c.tags,
            )
            for c in self.document_chunks(doc_id)
        ]
        with self._reading() as db:
            content_hash = db.execute(
                text("SELECT content_hash FROM lex_documents WHERE doc_id = :d"), {"d": doc_id}
            ).scalar_one()
        self.replace_chunks(
            doc_id,
            str(content_hash),
            title if title is not None else str(document["title"]),
            meta,
            chunks,
        )
        return True

    def mark_pending(self, doc_id: str, source: str, title: str, meta: dict[str, object]) -> list[str]:
        """Journal ``doc_id`` as being written. Another document of the same source is displaced,
        its row and its chunks; its ids are returned, so the caller can drop its vectors too."""
        with self._writing() as db:
            displaced = list(
                db.execute(
                    text("DELETE FROM lex_documents WHERE source = :s AND doc_id != :d RETURNING doc_id"),
                    {"s": source, "d": doc_id},
                ).scalars()
            )
            if displaced:
                db.execute(text("DELETE FROM lex_chunks WHERE doc_id = ANY(:ds)"), {"ds": displaced})
            db.execute(
                text(
                    f"""INSERT INTO lex_documents(doc_id, source, title, content_hash, state, meta, updated_at)
                        VALUES (:d, :s, :t, '', 'pending', :m, {NOW})
                        ON CONFLICT (doc_id) DO UPDATE SET state = 'pending'"""
                ),
                {"d": doc_id, "s": source, "t": title, "m": json.dumps(meta, ensure_ascii=False)},
            )
        return displaced

    def pending_documents(self) -> list[str]:
        with self._reading() as db:
            return list(
                db.execute(text("SELECT doc_id FROM lex_documents WHERE state = 'pending'")).scalars()
            )

    def replace_chunks(
        self, doc_id: str, content_hash: str, title: str, meta: dict[str, object], chunks: list[Chunk]
    ) -> None:
        """Swap a document's chunks in one transaction and mark it ready."""
        rows = [_chunk_row(doc_id, chunk) for chunk in chunks]
        with self._writing() as db:
            db.execute(text("DELETE FROM lex_chunks WHERE doc_id = :d"), {"d": doc_id})
            if rows:
                db.execute(
                    text(
                        """INSERT INTO lex_chunks(id, doc_id, ordinal, law, chapter, paragraph, data,
                                                  words, stems, tri)
                           VALUES (:id, :doc_id, :ordinal, :law, :chapter, :paragraph, :data,
                                   setweight(to_tsvector('swedish', :title), 'A')
                                   || setweight(to_tsvector('swedish', :heading), 'B')
                                   || setweight(to_tsvector('swedish', :body), 'C'),
                                   array_to_tsvector(CAST(:stems AS text[])), :tri)"""
                    ),
                    rows,
                )
            db.execute(
                text(
                    f"""UPDATE lex_documents SET state = 'ready', content_hash = :h, n_chunks = :n,
                        title = :t, meta = :m, updated_at = {NOW} WHERE doc_id = :d"""
                ),
                {
                    "h": content_hash,
                    "n": len(chunks),
                    "t": title,
                    "m": json.dumps(meta, ensure_ascii=False),
                    "d": doc_id,
                },
            )

    def delete_document(self, doc_id: str) -> None:
        with self._writing() as db:
            db.execute(text("DELETE FROM lex_chunks WHERE doc_id = :d"), {"d": doc_id})
            db.execute(text("DELETE FROM lex_documents WHERE doc_id = :d"), {"d": doc_id})

    # --- reading --------------------------------------------------------------------------------

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        """A document's chunks in their order, as the assistant sees them."""
        with self._reading() as db:
            rows = db.execute(
                text("SELECT data FROM lex_chunks WHERE doc_id = :d ORDER BY ordinal"), {"d": doc_id}
            )
            return [_chunk_from_row(r[0]) for r in rows]

    def chunk_ids(self, doc_id: str) -> list[str]:
        with self._reading() as db:
            return list(
                db.execute(text("SELECT id FROM lex_chunks WHERE doc_id = :d"), {"d": doc_id}).scalars()
            )

    def get_chunks(self, ids: Iterable[str]) -> dict[str, Chunk]:
        ids = list(ids)
        if not ids:
            return {}
        with self._reading() as db:
            rows = db.execute(
                text("SELECT id, data FROM lex_chunks WHERE id = ANY(CAST(:ids AS text[]))"), {"ids": ids}
            )
            return {r[0]: _chunk_from_row(r[1]) for r in rows}

    def find_sections(self, chapter: str, paragraph: str, law: str | None) -> list[Chunk]:
        sql = f"SELECT data FROM lex_chunks c WHERE chapter = :c AND paragraph = :p AND {ENABLED}"
        params = {"c": chapter, "p": paragraph}
        if law:
            sql += " AND law = :l"
            params["l"] = law
        # As SQLite orders them: LOU first, a chunk without a law last, doc ids byte by byte.
        sql += " ORDER BY (law = 'LOU') DESC NULLS LAST, doc_id COLLATE \"C\", ordinal"
        with self._reading() as db:
            return [_chunk_from_row(r[0]) for r in db.execute(text(sql), params)]

    def applying(self, reference: str) -> list[Chunk]:
        """As ``LexicalIndex.applying``: the trigram index narrows, the phrase decides."""
        pattern = f"%{applying_phrase(reference)}%"  # a reference has no LIKE wildcards
        sql = f"""SELECT data FROM lex_chunks c WHERE tri LIKE :p AND law IS NULL AND {ENABLED}
                  ORDER BY doc_id COLLATE "C", ordinal"""
        with self._reading() as db:
            chunks = [_chunk_from_row(r[0]) for r in db.execute(text(sql), {"p": pattern})]
        return [chunk for chunk in chunks if applies(chunk, reference)]

    def search_words(self, terms: list[str], limit: int) -> list[tuple[str, float]]:
        words = [t for t in terms if len(t) >= 2]
        if not words:
            return []
        # As tsquery prints them: 'upphandling'.
        common = [f"'{lexeme}'" for lexeme in self._common_lexemes().get("words", [])]
        return self._search(
            SEARCH_WORDS, {"terms": words, "weights": WORD_WEIGHTS, "limit": limit, "common": common}
        )

    def search_trigrams(self, terms: list[str], limit: int) -> list[tuple[str, float]]:
        # Numbers are matched whole by the word side; inside other numbers they would match wrongly.
        # A stem of three letters or more narrows the trigram index; a shorter one stays whole (års).
        stems = [_substring(t) for t in terms if len(t) >= 3 and not analysis.is_number(t)]
        if not stems:
            return []
        common = self._common_lexemes().get("stems", [])
        return self._search(
            SEARCH_TRIGRAMS, {"terms": stems, "limit": limit, "k1": BM25_K1, "b": BM25_B, "common": common}
        )

    def _search(self, sql: str, params: dict[str, object]) -> list[tuple[str, float]]:
        with self._reading() as db:
            rows = db.execute(text(sql), {**params, "exact_below": EXACT_BELOW})
            return [(r[0], float(r[1])) for r in rows]

    def _common_lexemes(self) -> dict[str, list[str]]:
        """column → its lexemes in at least COMMON_SHARE of the chunks, by the latest ANALYZE."""
        read_at, common = self._common
        if time.monotonic() - read_at < COMMON_TTL:
            return common
        with self._reading() as db:
            rows = db.execute(text(COMMON_LEXEMES), {"common_from": COMMON_FROM}).all()
        common = {
            column: [e for e, f in zip(elems or [], freqs or [], strict=False) if f >= COMMON_SHARE]
            for column, elems, freqs in rows
        }
        self._common = (time.monotonic(), common)
        return common

    def term_frequency(self, term: str) -> int:
        """In how many chunks ``term`` occurs, by its stem."""
        tokens = _tokens(analysis.stem(analysis.normalize(term)))
        if not tokens:
            return 0
        # A long stem also counts as the head of compounds; a short one only as itself.
        query = _tsquery(tokens, prefix=len(tokens[-1]) >= 5)
        with self._reading() as db:
            count = db.execute(
                text("SELECT count(*) FROM lex_chunks WHERE stems @@ CAST(:q AS tsquery)"), {"q": query}
            ).scalar_one()
            return int(count)

    def known_stem(self, stem: str) -> bool:
        return stem in self._known([stem])

    def _known(self, stems: Iterable[str]) -> set[str]:
        """Which of ``stems`` occur in at least two chunks."""
        candidates = sorted({s for s in stems if s and _tokens(s) == [s]})
        if not candidates:
            return set()
        with self._reading() as db:
            rows = db.execute(
                text(
                    """SELECT s FROM unnest(CAST(:s AS text[])) AS s
                       WHERE (SELECT count(*) FROM (SELECT 1 FROM lex_chunks
                              WHERE stems @@ CAST(quote_literal(s) AS tsquery) LIMIT 2) AS two) = 2"""
                ),
                {"s": candidates},
            )
            return set(rows.scalars())

    def decompound(self, terms: list[str]) -> list[str]:
        """Parts of Swedish compounds the index does not know as whole words but knows the parts
        of: årsomsättning → års, omsättning. A word the index knows is left whole, so
        "annonsering" is never split into "annonse" + "ring"."""
        long = [t for t in terms if len(t) >= 8 and not analysis.is_number(t)]
        # Every stem the search below may ask about, looked up in one round trip.
        asked = {analysis.stem(t) for t in long}
        for term in long:
            for i in range(len(term) - 4, 2, -1):
                head, tail = term[:i], term[i:]
                asked |= {analysis.stem(head), analysis.stem(head[:-1]), analysis.stem(tail)}
        known = self._known(asked)
        parts: list[str] = []
        for term in long:
            if analysis.stem(term) in known:
                continue
            for i in range(len(term) - 4, 2, -1):
                head, tail = term[:i], term[i:]
                if head.endswith("s") and len(head) > 4 and analysis.stem(head) not in known:
                    head = head[:-1]
                tail_stem = analysis.stem(tail)
                if len(tail_stem) >= 4 and analysis.stem(head) in known and tail_stem in known:
                    parts += [head, tail]
                    break
        return parts

    def is_empty(self) -> bool:
        with self._reading() as db:
            return db.execute(text("SELECT 1 FROM lex_chunks LIMIT 1")).first() is None

    def size(self) -> int:
        """How many chunks the index holds, as the searches' idf counts it (``SIZE``)."""
        with self._reading() as db:
            sql = "WITH " + SIZE.strip().rstrip(",") + " SELECT n FROM size"
            return int(db.execute(text(sql), {"exact_below": EXACT_BELOW}).scalar_one())

    def counts(self) -> tuple[int, int]:
        with self._reading() as db:
            row = db.execute(
                text(
                    """SELECT (SELECT count(*) FROM lex_documents WHERE state = 'ready'),
                              (SELECT count(*) FROM lex_chunks)"""
                )
            ).one()
            return int(row[0]), int(row[1])


def _chunk_row(doc_id: str, chunk: Chunk) -> dict[str, object]:
    heading = " ".join(chunk.heading_path)
    return {
        "id": chunk.id,
        "doc_id": doc_id,
        "ordinal": chunk.ordinal,
        "law": chunk.law,
        "chapter": chunk.chapter,
        "paragraph": chunk.paragraph,
        "data": json.dumps(asdict(chunk), ensure_ascii=False),
        "title": chunk.title,
        "heading": heading,
        "body": chunk.text,
        "stems": _lexemes(analysis.stems(" ".join((chunk.title, heading, chunk.text)))),
        "tri": analysis.normalize(" ".join((chunk.title, heading, chunk.text))),
    }
