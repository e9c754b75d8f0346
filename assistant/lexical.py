"""The lexical side of the store: chunk rows, a document journal and two SQLite FTS5 indexes.

``chunks_words`` indexes Swedish snowball stems (inflection); ``chunks_tri`` indexes character
trigrams (compounds). SQLite is the canonical home of chunk text; Chroma holds only vectors.
"""

from __future__ import annotations

import bisect
import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

from assistant import analysis
from assistant.types import Chunk

SCHEMA = """
PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    source TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    n_chunks INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,            -- 'pending' while both indexes are being written, then 'ready'
    meta TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL DEFAULT (datetime('now')),
    enabled INTEGER NOT NULL DEFAULT 1  -- 0: an advisor retired it; never retrieved, kept in place
);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    law TEXT, chapter TEXT, paragraph TEXT,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS chunks_ref ON chunks(chapter, paragraph);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_words USING fts5(
    title, heading, body, tokenize = 'unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_tri USING fts5(
    title, heading, body, tokenize = 'trigram');
CREATE VIRTUAL TABLE IF NOT EXISTS words_vocab USING fts5vocab(chunks_words, 'row');
"""

# Column weights for bm25(): a hit in a title or heading says more than one in running text.
WORD_WEIGHTS = (3.0, 2.0, 1.0)
TRI_WEIGHTS = (2.0, 1.5, 1.0)
MAX_TRIGRAMS = 160
# The trigram side searches only a question's rarer trigrams: one that occurs in a large share of the
# chunks ("upp", "ing") tells passages apart hardly at all, yet its long posting list is what an
# OR-query spends its time merging — at a million chunks, seconds. Rarity is counted in a window of
# the index (every chunk of a small one), which bounds the cost of asking.
COMMON_TRIGRAM_SHARE = 0.15
RARE_TRIGRAMS = 48
DF_WINDOW = 2000
COMMON_FROM = 500  # in a smaller index no trigram is costly, and a share says little
COMMON_STEM_SHARE = 0.5
# At most about this many postings (chunks holding a kept trigram, estimated from the window) are
# merged, whatever the index's size; the rarest trigrams, which tell most, go first.
TRIGRAM_POSTINGS = 60_000
MIN_TRIGRAMS = 3
# The word side's bound, looser: its stems carry the ranking. It binds only past ~10k chunks.
WORD_POSTINGS = 150_000
MIN_WORDS = 3


# How common a stem is (the ranking's idf) is counted in a sample of the chunks: every chunk of an
# index up to SAMPLE_ROWS, else SAMPLE_RANGES runs of consecutive rows spread over the index. FTS5
# materialises a prefix query's whole posting list whatever the rowid range, so counting the head of
# compounds ("upphandl*") in the index itself costs in proportion to its size: 190 ms at a million.
SAMPLE_ROWS = 4000
SAMPLE_RANGES = 8
MAX_COUNTED = 200_000  # window counts kept per index state (a token and its count: ~200 bytes)
SAMPLE_CHECK_S = 1.0  # how often a sample asks whether the index has changed since it was drawn
TOKEN = re.compile(r"[^\W_]+")  # a token as FTS5's unicode61 tokenizer reads one
# Only chunks of documents no advisor has disabled are ever found.
ENABLED = "doc_id NOT IN (SELECT doc_id FROM documents WHERE enabled = 0)"
DOCUMENT_COLUMNS = "doc_id, source, title, n_chunks, state, meta, updated_at, enabled"
DOCUMENT_FIELDS = ("doc_id", "source", "title", "chunks", "state", "updated_at", "enabled")


def _document(row: tuple[object, ...]) -> dict[str, object]:
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


def _chunk_from_row(data: str) -> Chunk:
    raw = json.loads(data)
    raw["heading_path"] = tuple(raw.get("heading_path") or ())
    raw["tags"] = tuple(raw.get("tags") or ())
    return Chunk(**raw)


def _tokens(text: str) -> list[str]:
    """``text`` cut into tokens as the ``unicode61`` tokenizer cuts it: letters and digits, folded."""
    return TOKEN.findall(text.lower())


def question_stems(terms: Iterable[str]) -> list[str]:
    """The stems of ``terms``, sorted, without repeats."""
    return sorted({s for s in (analysis.stem(t) for t in terms if len(t) >= 2) if s and '"' not in s})


def question_trigrams(terms: Iterable[str]) -> list[str]:
    """The character trigrams of ``terms``, in the question's order, without repeats, capped."""
    grams: dict[str, None] = {}
    for term in terms:
        for g in analysis.trigrams(term):
            if '"' not in g:
                grams.setdefault(g, None)
    return list(grams)[:MAX_TRIGRAMS]


def trigram_query(terms: Iterable[str]) -> str:
    """An FTS5 OR-query over the character trigrams of ``terms``, in the question's order, capped."""
    return " OR ".join(f'"{g}"' for g in question_trigrams(terms))


def applying_phrase(reference: str) -> str:
    """How a passage says it applies ``reference``, as the trigram index holds text."""
    return analysis.normalize(f"tillämpning av {reference}")


def applies(chunk: Chunk, reference: str) -> bool:
    """Whether ``chunk`` says it applies ``reference`` itself, not "15 kap. 1 §" or "5 kap. 1 §§"."""
    pattern = re.escape(applying_phrase(reference)) + r"(?![\w§])"
    return re.search(pattern, analysis.normalize(chunk.text)) is not None


class _Window(NamedTuple):
    """The first ``DF_WINDOW`` rowids, how many chunks they hold, and how many chunks of the whole
    index one chunk of the window stands for."""

    low: int
    high: int
    held: int
    scale: float


@dataclass
class _Kept:
    """What is worked out once per index state: the counting window, how many of its chunks hold each
    token counted so far, and the passages that apply each paragraph looked up so far."""

    fingerprint: tuple[object, ...]
    window: _Window | None
    counts: dict[tuple[str, str], int] = field(default_factory=dict)  # (table, token) → chunks
    applying: dict[str, list[str]] = field(default_factory=dict)  # reference → chunk ids


@dataclass
class _Sample:
    """The stems of a sample of chunks, as a small inverted index, and how many chunks the whole
    index holds (exact when the sample is every chunk)."""

    fingerprint: tuple[object, ...]
    size: int
    held: int
    stems: list[str] = field(default_factory=list)  # sorted, for prefix ranges
    rows: dict[str, set[int]] = field(default_factory=dict)  # stem → sample rows holding it
    checked: float = 0.0

    def frequency(self, stem: str, *, prefix: bool) -> int:
        if prefix:
            start = bisect.bisect_left(self.stems, stem)
            end = bisect.bisect_left(self.stems, stem + "\U0010ffff", start)
            holding = set().union(*(self.rows[s] for s in self.stems[start:end]))
        else:
            holding = self.rows.get(stem, set())
        if self.held == self.size:
            return len(holding)
        return round(len(holding) * self.size / max(self.held, 1))


class LexicalIndex:
    """Thread-safe access to the SQLite file; one writer at a time, readers run alongside (WAL)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._sample: _Sample | None = None
        self._sample_lock = threading.Lock()
        self._kept_state: _Kept | None = None
        with self._connect() as db:
            db.executescript(SCHEMA)
            # Index files made before documents could be disabled gain the column, all enabled.
            columns = {row[1] for row in db.execute("PRAGMA table_info(documents)")}
            if "enabled" not in columns:
                db.execute("ALTER TABLE documents ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        db.execute("PRAGMA busy_timeout=30000")
        return db

    @property
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        with self._write_lock:
            db = self.db
            try:
                db.execute("BEGIN IMMEDIATE")
                yield db
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            finally:
                # This process's own change is counted at once, even one in the same second as the
                # state before it (the fingerprint reads the time to the second).
                self._sample = self._kept_state = None

    # --- documents ------------------------------------------------------------------------------

    def document_hashes(self) -> dict[str, tuple[str, str, str]]:
        """source → (doc_id, content_hash, state) for every known document."""
        rows = self.db.execute("SELECT source, doc_id, content_hash, state FROM documents")
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def documents(self) -> list[dict[str, object]]:
        rows = self.db.execute(f"SELECT {DOCUMENT_COLUMNS} FROM documents ORDER BY source")
        return [_document(r) for r in rows]

    def document(self, doc_id: str) -> dict[str, object] | None:
        row = self.db.execute(
            f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        return _document(row) if row is not None else None

    def set_enabled(self, doc_id: str, enabled: bool) -> bool:
        """Retire a document from retrieval (or bring it back); False when there is no such document."""
        with self.writing() as db:
            cur = db.execute("UPDATE documents SET enabled = ? WHERE doc_id = ?", (int(enabled), doc_id))
            return cur.rowcount > 0

    def disabled_documents(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT doc_id FROM documents WHERE enabled = 0")]

    def retitle(self, doc_id: str, title: str | None, tags: list[str] | None) -> bool:
        """Change a document's title or tags, in its row and in its chunks (what citations show and the
        title column the lexical search weighs); the content and the vectors stay."""
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
        self.replace_chunks(
            doc_id,
            str(
                self.db.execute("SELECT content_hash FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()[
                    0
                ]
            ),
            title if title is not None else str(document["title"]),
            meta,
            chunks,
        )
        return True

    def mark_pending(self, doc_id: str, source: str, title: str, meta: dict[str, object]) -> list[str]:
        """Journal ``doc_id`` as being written. Another document of the same source is displaced,
        its row and its chunks; its ids are returned, so the caller can drop its vectors too."""
        with self.writing() as db:
            displaced = [
                r[0]
                for r in db.execute(
                    "SELECT doc_id FROM documents WHERE source = ? AND doc_id != ?", (source, doc_id)
                )
            ]
            for other in displaced:
                self._delete_chunks(db, other)
            db.execute("DELETE FROM documents WHERE source = ? AND doc_id != ?", (source, doc_id))
            db.execute(
                """INSERT INTO documents(doc_id, source, title, content_hash, state, meta)
                   VALUES (?, ?, ?, '', 'pending', ?)
                   ON CONFLICT(doc_id) DO UPDATE SET state = 'pending'""",
                (doc_id, source, title, json.dumps(meta, ensure_ascii=False)),
            )
        return displaced

    def pending_documents(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT doc_id FROM documents WHERE state = 'pending'")]

    def replace_chunks(
        self, doc_id: str, content_hash: str, title: str, meta: dict[str, object], chunks: list[Chunk]
    ) -> None:
        """Swap a document's chunks in one transaction and mark it ready."""
        with self.writing() as db:
            self._delete_chunks(db, doc_id)
            for chunk in chunks:
                cur = db.execute(
                    """INSERT INTO chunks(id, doc_id, ordinal, law, chapter, paragraph, data)
                       VALUES (?, ?, ?, ?, ?, ?, ?)""",
                    (
                        chunk.id,
                        doc_id,
                        chunk.ordinal,
                        chunk.law,
                        chunk.chapter,
                        chunk.paragraph,
                        json.dumps(asdict(chunk), ensure_ascii=False),
                    ),
                )
                rowid = cur.lastrowid
                heading = " ".join(chunk.heading_path)
                db.execute(
                    "INSERT INTO chunks_words(rowid, title, heading, body) VALUES (?, ?, ?, ?)",
                    (
                        rowid,
                        " ".join(analysis.stems(chunk.title)),
                        " ".join(analysis.stems(heading)),
                        " ".join(analysis.stems(chunk.text)),
                    ),
                )
                db.execute(
                    "INSERT INTO chunks_tri(rowid, title, heading, body) VALUES (?, ?, ?, ?)",
                    (
                        rowid,
                        analysis.normalize(chunk.title),
                        analysis.normalize(heading),
                        analysis.normalize(chunk.text),
                    ),
                )
            db.execute(
                """UPDATE documents SET state = 'ready', content_hash = ?, n_chunks = ?, title = ?,
                   meta = ?, updated_at = datetime('now') WHERE doc_id = ?""",
                (content_hash, len(chunks), title, json.dumps(meta, ensure_ascii=False), doc_id),
            )

    def delete_document(self, doc_id: str) -> None:
        with self.writing() as db:
            self._delete_chunks(db, doc_id)
            db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    @staticmethod
    def _delete_chunks(db: sqlite3.Connection, doc_id: str) -> None:
        rowids = [r[0] for r in db.execute("SELECT rowid FROM chunks WHERE doc_id = ?", (doc_id,))]
        for table in ("chunks_words", "chunks_tri"):
            db.executemany(f"DELETE FROM {table} WHERE rowid = ?", [(r,) for r in rowids])
        db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))

    # --- reading --------------------------------------------------------------------------------

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        """A document's chunks in their order, as the assistant sees them."""
        rows = self.db.execute("SELECT data FROM chunks WHERE doc_id = ? ORDER BY ordinal", (doc_id,))
        return [_chunk_from_row(r[0]) for r in rows]

    def chunk_ids(self, doc_id: str) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM chunks WHERE doc_id = ?", (doc_id,))]

    def get_chunks(self, ids: Iterable[str]) -> dict[str, Chunk]:
        ids = list(ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(f"SELECT id, data FROM chunks WHERE id IN ({marks})", ids)
        return {r[0]: _chunk_from_row(r[1]) for r in rows}

    def find_sections(self, chapter: str, paragraph: str, law: str | None) -> list[Chunk]:
        sql = f"SELECT data FROM chunks WHERE chapter = ? AND paragraph = ? AND {ENABLED}"
        params: list[str] = [chapter, paragraph]
        if law:
            sql += " AND law = ?"
            params.append(law)
        sql += " ORDER BY law = 'LOU' DESC, doc_id, ordinal"
        return [_chunk_from_row(r[0]) for r in self.db.execute(sql, params)]

    def applying(self, reference: str) -> list[Chunk]:
        """Passages beside the statute that say they apply ``reference`` ("5 kap. 1 §"): the rows of a
        notice headed "Följande tröskelvärden gäller vid tillämpning av 5 kap. 1 §"."""
        # The phrase search reads the postings of every trigram of "tillämpning av 5 kap. 1 §", several
        # times a question: its ids are kept until the index changes (checked as the sample is).
        kept = self._kept()
        if reference not in kept.applying:
            rows = self.db.execute(
                """SELECT c.id, c.data FROM chunks_tri t JOIN chunks c ON c.rowid = t.rowid
                   WHERE chunks_tri MATCH ? AND c.law IS NULL ORDER BY c.doc_id, c.ordinal""",
                (f'"{applying_phrase(reference)}"',),
            )
            kept.applying[reference] = [r[0] for r in rows if applies(_chunk_from_row(r[1]), reference)]
        ids = kept.applying[reference]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        found = self.db.execute(f"SELECT id, data FROM chunks WHERE id IN ({marks}) AND {ENABLED}", ids)
        chunks = {r[0]: _chunk_from_row(r[1]) for r in found}
        return [chunks[i] for i in ids if i in chunks]

    def search_words(self, terms: list[str], limit: int) -> list[tuple[str, float]]:
        stems = question_stems(terms)
        window = self._window()
        if window is not None and window.held >= COMMON_FROM and len(stems) > 1:
            # A stem in most chunks ("upphandling" in a procurement corpus) weighs nothing in bm25
            # (its idf is zero past half the chunks), but ranking it means scoring nearly every chunk.
            # Past that, the rarest stems go first until about ``WORD_POSTINGS`` chunks would be
            # scored: the common ones left out weigh little, and their postings are the cost.
            counted = sorted((self._count_in("chunks_words", s, window), s) for s in stems)
            kept: list[str] = []
            postings = 0.0
            for n, stem in counted:
                if kept and n > COMMON_STEM_SHARE * window.held:
                    break  # in most chunks, as is every stem after it
                postings += n * window.scale
                if postings > WORD_POSTINGS and len(kept) >= MIN_WORDS:
                    break
                kept.append(stem)
            stems = sorted(kept)
        return self._search("chunks_words", " OR ".join(f'"{s}"' for s in stems), WORD_WEIGHTS, limit)

    def _window(self) -> _Window | None:
        """The rowids of the first ``DF_WINDOW`` chunks and how many chunks it holds: where how common
        a term is gets counted, at the same cost in an index of any size. It and the counts made in it
        are kept until the index changes (checked as the sample is): a long question asks for about
        160 counts, most of them the same trigrams as the questions before it."""
        return self._kept().window

    def _kept(self) -> _Kept:
        """What this index state has had worked out, begun afresh when the index has changed."""
        fingerprint = self._current_sample().fingerprint
        kept = self._kept_state
        if kept is None or kept.fingerprint != fingerprint:
            self._kept_state = kept = _Kept(fingerprint, self._draw_window())
        return kept

    def _draw_window(self) -> _Window | None:
        # Two subqueries: min() and max() in one SELECT make SQLite scan the table (200 ms at 1M).
        first = self.db.execute(
            "SELECT (SELECT min(rowid) FROM chunks), (SELECT max(rowid) FROM chunks)"
        ).fetchone()
        if first[0] is None:
            return None
        low, high = int(first[0]), min(int(first[1]), int(first[0]) + DF_WINDOW - 1)
        held = self.db.execute(
            "SELECT count(*) FROM chunks WHERE rowid BETWEEN ? AND ?", (low, high)
        ).fetchone()
        # Rowids stand in for the chunk count (no count(*)): a window's count times this.
        scale = (int(first[1]) - low + 1) / int(held[0])
        return _Window(low, high, int(held[0]), scale)

    def _count_in(self, table: str, token: str, window: _Window) -> int:
        kept = self._kept_state
        known = kept.counts if kept is not None and kept.window == window else None
        if known is not None and (table, token) in known:
            return known[(table, token)]
        row = self.db.execute(
            f"SELECT count(*) FROM {table} WHERE {table} MATCH ? AND rowid BETWEEN ? AND ?",
            (f'"{token}"', window.low, window.high),
        ).fetchone()
        if known is not None and len(known) < MAX_COUNTED:
            known[(table, token)] = int(row[0])
        return int(row[0])

    def search_trigrams(self, terms: list[str], limit: int) -> list[tuple[str, float]]:
        # Numbers are matched whole by the word side; their trigrams would match other numbers.
        words = (t for t in terms if len(t) >= 3 and not analysis.is_number(t))
        grams = self.rare_trigrams(question_trigrams(words))
        return self._search("chunks_tri", " OR ".join(f'"{g}"' for g in grams), TRI_WEIGHTS, limit)

    def rare_trigrams(self, grams: list[str]) -> list[str]:
        """The rarest of ``grams`` (at most ``RARE_TRIGRAMS``), leaving out those in a large share of
        the chunks; counted in a window of ``DF_WINDOW`` chunks, so asking costs the same at any size."""
        window = self._window()
        if window is None:
            return []
        counted = [(self._count_in("chunks_tri", g, window), order, g) for order, g in enumerate(grams)]
        held = window.held
        common = COMMON_TRIGRAM_SHARE * held if held >= COMMON_FROM else held
        kept: list[tuple[int, int, str]] = []
        postings = 0.0
        for candidate in sorted(c for c in counted if c[0] <= common)[:RARE_TRIGRAMS]:
            postings += candidate[0] * window.scale
            if postings > TRIGRAM_POSTINGS and len(kept) >= MIN_TRIGRAMS:
                break
            kept.append(candidate)
        return [g for _, _, g in sorted(kept, key=lambda c: c[1])]

    def _search(
        self, table: str, query: str, weights: tuple[float, ...], limit: int
    ) -> list[tuple[str, float]]:
        if not query:
            return []
        w = ", ".join(str(x) for x in weights)
        # Rank inside the full-text index first and join the few best: joined row by row, SQLite
        # would look up (and filter) every match before sorting. Chunks of disabled documents are
        # dropped after ranking, so the inner query asks for that many more.
        hidden = self.db.execute(
            "SELECT count(*) FROM chunks WHERE doc_id IN (SELECT doc_id FROM documents WHERE enabled = 0)"
        ).fetchone()[0]
        rows = self.db.execute(
            f"""SELECT c.id, m.score FROM (
                    SELECT rowid, bm25({table}, {w}) AS score FROM {table}
                    WHERE {table} MATCH ? ORDER BY score LIMIT ?) AS m
                JOIN chunks c ON c.rowid = m.rowid
                WHERE c.{ENABLED}
                ORDER BY m.score LIMIT ?""",
            (query, limit + int(hidden), limit),
        )
        # bm25() is lower-is-better; flip it so every retriever's score is higher-is-better.
        return [(r[0], -float(r[1])) for r in rows]

    def term_frequency(self, term: str) -> int:
        """In how many chunks ``term`` occurs, by its stem: counted exactly in an index of up to
        ``SAMPLE_ROWS`` chunks, estimated from a sample of a larger one."""
        stem = analysis.stem(analysis.normalize(term))
        if not stem or '"' in stem:
            return 0
        tokens = _tokens(stem)  # as FTS5 reads it: "e-handel" is two tokens
        if not tokens:
            return 0
        sample = self._current_sample()
        # A long stem also counts as the head of compounds; a short one only as itself. A stem of
        # several tokens is counted by its rarest (an upper bound of the phrase's count).
        return min(sample.frequency(t, prefix=len(stem) >= 5 and t == tokens[-1]) for t in tokens)

    def is_empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM chunks LIMIT 1").fetchone() is None

    def size(self) -> int:
        """How many chunks the index holds: exact up to ``SAMPLE_ROWS``, else an estimate (a count
        reads every row), consistent with ``term_frequency``."""
        return self._current_sample().size

    def _fingerprint(self) -> tuple[object, ...]:
        return tuple(
            self.db.execute(
                "SELECT (SELECT min(rowid) FROM chunks), (SELECT max(rowid) FROM chunks), "
                "count(*), max(updated_at) FROM documents"
            ).fetchone()
        )

    def _current_sample(self) -> _Sample:
        with self._sample_lock:
            sample, now = self._sample, time.monotonic()
            if sample is not None and now - sample.checked < SAMPLE_CHECK_S:
                return sample
            fingerprint = self._fingerprint()
            if sample is None or sample.fingerprint != fingerprint:
                sample = self._sample = self._draw_sample(fingerprint)
            sample.checked = now
            return sample

    def _draw_sample(self, fingerprint: tuple[object, ...]) -> _Sample:
        low, high = fingerprint[0], fingerprint[1]
        if low is None or high is None:
            return _Sample(fingerprint, 0, 0)
        low, high = int(str(low)), int(str(high))
        span = high - low + 1
        if span <= SAMPLE_ROWS:
            ranges = [(low, high)]
        else:
            width = SAMPLE_ROWS // SAMPLE_RANGES
            step = (span - width) / (SAMPLE_RANGES - 1)
            ranges = [
                (low + round(i * step), low + round(i * step) + width - 1) for i in range(SAMPLE_RANGES)
            ]
        rows: dict[str, set[int]] = {}
        held = 0
        for start, end in ranges:
            found = self.db.execute(
                "SELECT rowid, title || ' ' || heading || ' ' || body FROM chunks_words "
                "WHERE rowid BETWEEN ? AND ?",
                (start, end),
            )
            for rowid, text in found:
                held += 1
                for token in set(_tokens(str(text))):
                    rows.setdefault(token, set()).add(int(rowid))
        covered = sum(end - start + 1 for start, end in ranges)
        size = held if span <= SAMPLE_ROWS else round(span * held / covered)
        return _Sample(fingerprint, size, held, sorted(rows), rows)

    def known_stem(self, stem: str) -> bool:
        """Whether at least two chunks hold ``stem``; stops at the second (the vocabulary table would
        count every chunk that holds it, which for a common stem in a large index is slow)."""
        if not stem.isalnum():  # not one token of the index: only the vocabulary can say
            row = self.db.execute("SELECT doc FROM words_vocab WHERE term = ?", (stem,)).fetchone()
            return bool(row and row[0] >= 2)
        phrase = f'"{stem}"'
        rows = self.db.execute(
            "SELECT rowid FROM chunks_words WHERE chunks_words MATCH ? LIMIT 2", (phrase,)
        ).fetchall()
        return len(rows) >= 2

    def decompound(self, terms: list[str]) -> list[str]:
        """Parts of Swedish compounds the index does not know as whole words but knows the parts
        of: årsomsättning → års, omsättning. A word the index knows is left whole, so
        "annonsering" is never split into "annonse" + "ring"."""
        parts: list[str] = []
        for term in terms:
            if len(term) < 8 or analysis.is_number(term) or self.known_stem(analysis.stem(term)):
                continue
            for i in range(len(term) - 4, 2, -1):
                head, tail = term[:i], term[i:]
                if head.endswith("s") and len(head) > 4 and not self.known_stem(analysis.stem(head)):
                    head = head[:-1]
                tail_stem = analysis.stem(tail)
                if (
                    len(tail_stem) >= 4
                    and self.known_stem(analysis.stem(head))
                    and self.known_stem(tail_stem)
                ):
                    parts += [head, tail]
                    break
        return parts

    def counts(self) -> tuple[int, int]:
        docs = self.db.execute("SELECT count(*) FROM documents WHERE state = 'ready'").fetchone()[0]
        chunks = self.db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        return int(docs), int(chunks)
