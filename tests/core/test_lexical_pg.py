"""One contract for both lexical indexes: SQLite FTS5 (assistant/lexical.py, the default) and
PostgreSQL (assistant/lexical_pg.py, for several machines). Every test runs against both."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from assistant import lexical, lexical_pg
from assistant.lexical import LexicalIndex
from assistant.lexical_pg import PgLexicalIndex
from assistant.types import Chunk
from records import normalize_url
from tests.web.test_postgres import postgres_url  # noqa: F401  (the throwaway cluster, per module)

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.slow)]


def _drop_tables(url: str) -> None:
    engine = create_engine(normalize_url(url))
    with engine.begin() as db:
        db.execute(text("DROP TABLE IF EXISTS lex_chunks, lex_documents"))
    engine.dispose()


def _analyze(url: str) -> None:
    engine = create_engine(normalize_url(url))
    with engine.begin() as db:
        db.execute(text("ANALYZE lex_chunks"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    if request.param == "sqlite":
        yield LexicalIndex(tmp_path / "index.sqlite3")
        return
    url = request.getfixturevalue("postgres_url")
    pg = PgLexicalIndex(url)
    try:
        yield pg
    finally:
        pg.dispose()
        _drop_tables(url)


def chunk(doc: str, n: int, body: str, **fields: Any) -> Chunk:
    values: dict[str, Any] = {
        "id": f"{doc}-{n}",
        "doc_id": doc,
        "text": body,
        "title": f"Dokument {doc}",
        "source": f"{doc}.md",
        "ordinal": n,
    }
    values.update(fields)
    return Chunk(**values)


def add(index: Any, doc: str, *bodies: str, **fields: Any) -> list[Chunk]:
    chunks = [chunk(doc, n, body, **fields) for n, body in enumerate(bodies)]
    index.mark_pending(doc, f"{doc}.md", f"Dokument {doc}", {"tags": ["t"]})
    index.replace_chunks(doc, f"hash-{doc}", f"Dokument {doc}", {"tags": ["t"]}, chunks)
    return chunks


def found(hits: list[tuple[str, float]]) -> list[str]:
    return [chunk_id for chunk_id, _ in hits]


# --- the journal --------------------------------------------------------------------------------


def test_a_document_is_pending_until_its_chunks_are_in_then_ready(index: Any) -> None:
    index.mark_pending("a", "a.md", "Dokument a", {"tags": ["t"], "language": "sv"})
    assert index.pending_documents() == ["a"]
    assert index.document_hashes() == {"a.md": ("a", "", "pending")}
    assert index.counts() == (0, 0)

    index.replace_chunks("a", "h1", "Titel", {"tags": ["t"], "language": "sv"}, [chunk("a", 0, "Text.")])

    assert index.pending_documents() == []
    assert index.document_hashes() == {"a.md": ("a", "h1", "ready")}
    document = index.document("a")
    assert document is not None
    assert {k: document[k] for k in ("doc_id", "source", "title", "chunks", "state", "enabled")} == {
        "doc_id": "a",
        "source": "a.md",
        "title": "Titel",
        "chunks": 1,
        "state": "ready",
        "enabled": True,
    }
    assert document["tags"] == ["t"] and document["language"] == "sv"
    assert isinstance(document["updated_at"], str) and document["updated_at"][:2] == "20"
    assert index.counts() == (1, 1)
    assert index.document("missing") is None


def test_marking_a_ready_document_pending_keeps_its_row_and_chunks(index: Any) -> None:
    add(index, "a", "Text.")
    index.mark_pending("a", "a.md", "Another title", {})
    assert index.pending_documents() == ["a"]
    assert index.document("a")["title"] == "Dokument a"
    assert index.chunk_ids("a") == ["a-0"]


def test_a_new_id_for_the_same_source_replaces_the_old_documents_row_and_chunks(index: Any) -> None:
    add(index, "old", "Text om ramavtal.")
    assert index.mark_pending("new", "old.md", "Dokument new", {}) == ["old"]
    assert index.document("old") is None
    assert index.chunk_ids("old") == [] and index.get_chunks(["old-0"]) == {}
    assert found(index.search_words(["ramavtal"], 5)) == []
    assert index.document_hashes() == {"old.md": ("new", "", "pending")}


def test_documents_are_listed_by_source_byte_order(index: Any) -> None:
    for doc in ("b", "B", "a", "_"):
        add(index, doc, "Text.")
    assert [d["source"] for d in index.documents()] == ["B.md", "_.md", "a.md", "b.md"]


def test_replacing_chunks_swaps_them_whole(index: Any) -> None:
    add(index, "a", "Ett.", "Två.", "Tre.")
    new = [chunk("a", 1, "Nytt två.", heading_path=("Kap", "Del"), tags=("x",)), chunk("a", 0, "Nytt ett.")]
    index.replace_chunks("a", "h2", "Dokument a", {}, new)

    assert sorted(index.chunk_ids("a")) == ["a-0", "a-1"]
    assert index.document_chunks("a") == [new[1], new[0]]
    assert index.get_chunks(["a-1", "a-2", "zz"]) == {"a-1": new[0]}
    assert index.get_chunks([]) == {}
    assert index.document("a")["chunks"] == 2
    assert index.counts() == (1, 2)


def test_a_failed_replacement_leaves_the_old_chunks_and_the_pending_mark(index: Any) -> None:
    add(index, "a", "Gammal text om ramavtal.")
    index.mark_pending("a", "a.md", "Dokument a", {})
    twice = [chunk("a", 0, "Ny."), chunk("a", 0, "Samma id igen.")]
    with pytest.raises(Exception):  # noqa: B017 - sqlite3's or SQLAlchemy's IntegrityError
        index.replace_chunks("a", "h2", "Dokument a", {}, twice)
    assert [c.text for c in index.document_chunks("a")] == ["Gammal text om ramavtal."]
    assert index.pending_documents() == ["a"]


def test_deleting_a_document_removes_it_from_every_path(index: Any) -> None:
    add(index, "a", "Ramavtal enligt 6 kap. 31 §.", chapter="6", paragraph="31", law="LOU")
    add(index, "b", "Något annat helt.")
    index.delete_document("a")
    assert index.document("a") is None
    assert index.document_chunks("a") == [] and index.chunk_ids("a") == []
    assert index.find_sections("6", "31", None) == []
    assert found(index.search_words(["ramavtal"], 10)) == []
    assert found(index.search_trigrams(["ramavtal"], 10)) == []
    assert index.term_frequency("ramavtal") == 0
    assert index.counts() == (1, 1)


def test_retitling_changes_the_row_the_chunks_and_what_the_title_finds(index: Any) -> None:
    add(index, "a", "Text om leveranser.", "Mer text.")
    assert index.retitle("a", "Kvalificeringskrav", ["krav"]) is True
    document = index.document("a")
    assert (document["title"], document["tags"], document["state"]) == (
        "Kvalificeringskrav",
        ["krav"],
        "ready",
    )
    assert {c.title for c in index.document_chunks("a")} == {"Kvalificeringskrav"}
    assert {c.tags for c in index.document_chunks("a")} == {("krav",)}
    assert set(found(index.search_words(["kvalificeringskrav"], 10))) == {"a-0", "a-1"}
    assert index.document_hashes()["a.md"] == ("a", "hash-a", "ready")
    assert index.retitle("missing", "X", None) is False


# --- disabled documents -------------------------------------------------------------------------


def test_a_disabled_document_is_found_by_no_search_until_enabled_again(index: Any) -> None:
    add(index, "a", "Tilldelningsbeslut och avtalsspärr.", chapter="20", paragraph="1", law="LOU")
    add(index, "b", "Annat innehåll utan ämnet.")
    assert index.set_enabled("missing", False) is False
    assert index.set_enabled("a", False) is True

    assert index.disabled_documents() == ["a"]
    assert index.document("a")["enabled"] is False
    assert index.find_sections("20", "1", "LOU") == []
    assert found(index.search_words(["tilldelningsbeslut"], 10)) == []
    assert found(index.search_trigrams(["avtalsspärr"], 10)) == []
    # Still there for the advisors: listed, readable, counted.
    assert index.document_chunks("a")[0].id == "a-0"
    assert index.counts() == (2, 2)

    index.set_enabled("a", True)
    assert index.disabled_documents() == []
    assert found(index.search_words(["tilldelningsbeslut"], 10)) == ["a-0"]
    assert found(index.search_trigrams(["avtalsspärr"], 10)) == ["a-0"]
    assert [c.id for c in index.find_sections("20", "1", "LOU")] == ["a-0"]


# --- statute lookup -----------------------------------------------------------------------------


def test_sections_are_found_by_chapter_and_paragraph_lou_first_without_a_law_last(index: Any) -> None:
    add(index, "z-lufs", "LUF-paragrafen.", chapter="6", paragraph="31", law="LUF")
    add(index, "y-lou", "LOU-paragrafen.", "Fortsättning.", chapter="6", paragraph="31", law="LOU")
    add(index, "x-guide", "Vägledning om paragrafen.", chapter="6", paragraph="31")
    add(index, "w", "En annan paragraf.", chapter="6", paragraph="31 a", law="LOU")

    assert [c.id for c in index.find_sections("6", "31", None)] == [
        "y-lou-0",
        "y-lou-1",
        "z-lufs-0",
        "x-guide-0",
    ]
    assert [c.id for c in index.find_sections("6", "31", "LUF")] == ["z-lufs-0"]
    assert [c.id for c in index.find_sections("6", "31 a", "LOU")] == ["w-0"]
    assert index.find_sections("7", "31", None) == []


def test_passages_that_apply_a_paragraph_are_found_by_it_the_statute_and_a_near_miss_not(index: Any) -> None:
    row = "Följande tröskelvärden gäller vid tillämpning av 5 kap. 1 § Byggentreprenadkontrakt; i euro: 5 538 000 euro."
    add(index, "notice", row, "Följande tröskelvärden gäller vid tillämpning av 15 kap. 1 § Annat; 9 euro.")
    add(index, "plural", "Vid tillämpning av 5 kap. 1 §§ gäller något annat.")
    add(
        index, "lou", "Vid tillämpning av 5 kap. 1 § ska myndigheten …", chapter="5", paragraph="2", law="LOU"
    )
    assert [c.id for c in index.applying("5 kap. 1 §")] == ["notice-0"]
    assert [c.id for c in index.applying("15 kap. 1 §")] == ["notice-1"]
    assert index.applying("6 kap. 1 §") == []
    index.set_enabled("notice", False)
    assert index.applying("5 kap. 1 §") == []
    # A document added or brought back is found at once, whatever was looked up before.
    index.set_enabled("notice", True)
    add(index, "later", "Följande gränser gäller vid tillämpning av 5 kap. 1 § Varor; 700 000 kronor.")
    assert [c.id for c in index.applying("5 kap. 1 §")] == ["later-0", "notice-0"]


# --- the two searches ---------------------------------------------------------------------------


def test_the_word_search_finds_an_inflected_form(index: Any) -> None:
    add(index, "a", "En upphandling ska annonseras.")
    add(index, "b", "Kommunen köper kaffe till personalen.")
    hits = index.search_words(["upphandlingen"], 10)
    assert found(hits) == ["a-0"]
    assert hits[0][1] > 0


def test_the_word_search_ranks_the_chunk_with_more_of_the_question_first(index: Any) -> None:
    add(index, "a", "Ramavtal med en leverantör.", "Ramavtal och förnyad konkurrensutsättning.", "Kaffe.")
    hits = index.search_words(["ramavtal", "konkurrensutsättning"], 10)
    assert found(hits) == ["a-1", "a-0"]
    assert hits[0][1] > hits[1][1]
    assert found(index.search_words(["ramavtal"], 1)) in (["a-0"], ["a-1"])


def test_the_trigram_search_finds_a_word_inside_a_compound(index: Any) -> None:
    add(index, "a", "Direktupphandlingsgränsen räknas om vartannat år.")
    add(index, "b", "Leveranstiden är fyra veckor.")
    # No word of the text is "gräns", so only the trigram side finds it.
    assert found(index.search_words(["gränsen"], 10)) == []
    hits = index.search_trigrams(["gränsen"], 10)
    assert found(hits) == ["a-0"]
    assert hits[0][1] > 0


def test_the_trigram_search_ranks_the_rarer_terms_match_first(index: Any) -> None:
    add(index, "a", "Anbud och anbudsgivare.", "Anbud om fordonsbesiktning.", "Anbud om kontorsmaterial.")
    hits = index.search_trigrams(["anbud", "fordonsbesiktning"], 10)
    assert found(hits)[0] == "a-1"
    assert set(found(hits)) == {"a-0", "a-1", "a-2"}
    assert index.search_trigrams(["ab"], 10) == []


def test_numbers_are_left_to_the_word_search(index: Any) -> None:
    add(index, "a", "Beloppet 12023 kronor gäller sedan 2023.")
    assert found(index.search_words(["2023"], 10)) == ["a-0"]
    assert index.search_trigrams(["2023"], 10) == []


@pytest.mark.parametrize("terms", [["a|b", "!x", "x:*"], ["50%", "o'neill", "a&b"], ["e-post", "_", "\\"]])
def test_query_syntax_in_terms_is_searched_for_not_obeyed(index: Any, terms: list[str]) -> None:
    add(index, "a", "Skicka anbudet per e-post, inte 50 % av tiden.")
    assert isinstance(index.search_words(terms, 10), list)
    assert isinstance(index.search_trigrams(terms, 10), list)
    assert isinstance(index.term_frequency(terms[0]), int)
    assert isinstance(index.decompound(terms), list)


def test_an_empty_question_finds_nothing(index: Any) -> None:
    add(index, "a", "Text.")
    assert index.search_words([], 10) == []
    assert index.search_trigrams([], 10) == []
    assert index.search_words(["x"], 10) == []


# --- the vocabulary -----------------------------------------------------------------------------


def test_term_frequency_counts_chunks_by_stem_and_a_long_stem_as_a_compounds_head(index: Any) -> None:
    add(index, "a", "Ramavtalet gäller.", "Två ramavtal här, ramavtal.", "Ramavtalsperioden.", "Tid.")
    add(index, "b", "En tidsfrist.", "Tiden går.")
    assert index.term_frequency("ramavtal") == 3  # ramavtalet, ramavtal, and the head of the compound
    assert index.term_frequency("Ramavtalen") == 3
    assert index.term_frequency("tid") == 2  # a short stem counts only as itself: not "tidsfrist"
    assert index.term_frequency("okänt") == 0


def test_the_index_knows_when_it_is_empty_and_its_size_while_small(index: Any) -> None:
    assert index.is_empty() and index.size() == 0
    add(index, "a", "Ett.", "Två.", "Tre.")
    assert not index.is_empty() and index.size() == 3
    index.delete_document("a")
    assert index.is_empty()


def test_a_large_sqlite_index_estimates_frequencies_from_a_spread_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lexical, "SAMPLE_ROWS", 40)
    monkeypatch.setattr(lexical, "SAMPLE_RANGES", 8)
    index = LexicalIndex(tmp_path / "index.sqlite3")
    for d in range(10):  # 400 chunks; every 4th holds a compound of "ramavtal", the last doc "ovanlig"
        bodies = [("Ramavtalsperioden" if n % 4 == 0 else "Annat") + f" stycke {n}." for n in range(40)]
        add(index, f"d{d}", *(b + (" Ovanlig." if d == 9 else "") for b in bodies))
    assert 360 <= index.size() <= 440
    assert 70 <= index.term_frequency("ramavtal") <= 130  # the exact count is 100
    assert 20 <= index.term_frequency("ovanlig") <= 70  # only in the last tenth: the sample reaches it
    add(index, "d9", "Ingen.")  # the index's own write is counted at once
    assert index.term_frequency("ovanlig") == 0
    monkeypatch.setattr(lexical, "SAMPLE_ROWS", 4000)
    add(index, "e", "Ovanlig.")
    assert index.term_frequency("ramavtal") == 90 and index.term_frequency("ovanlig") == 1  # exact


def test_a_stem_is_known_from_two_chunks(index: Any) -> None:
    add(index, "a", "Avtal om städning.", "Avtalet gäller.", "Spärr.", "Teknisk spärr.", "Avtalsspärr.")
    assert index.known_stem("avtal") is True
    assert index.known_stem("spärr") is True
    assert index.known_stem("avtalsspärr") is False  # one chunk only
    assert index.known_stem("städning") is False


def test_decompounding_splits_an_unknown_compound_into_known_parts(index: Any) -> None:
    add(index, "a", "Avtal om städning.", "Avtalet gäller.", "Spärr.", "Teknisk spärr.", "Annonsering.")
    add(index, "b", "Annonsering sker.", "Annonsen och en ring.", "Annonser, ring.")
    assert index.decompound(["avtalsspärr"]) == ["avtals", "spärr"]
    assert index.decompound(["avtalsspärren", "städning"]) == ["avtals", "spärren"]
    # A word the index knows whole stays whole, though its pieces are known too.
    assert index.decompound(["annonsering"]) == []
    # Short words, numbers and words without known parts are left alone.
    assert index.decompound(["spärr", "20230101", "xyzxyzxyz"]) == []


def test_sqlite_word_search_leaves_out_common_stems_then_the_commonest_past_a_postings_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lexical, "COMMON_FROM", 1)
    index = LexicalIndex(tmp_path / "index.sqlite3")
    # 20 chunks: "avtal" in 12 (over half), "leverantör" in 8, "anbud" in 4, "tilldelning" in 2, "vite" in 1.
    bodies = []
    for n in range(20):
        words = ["text"]
        words += ["avtal"] if n < 12 else []
        words += ["leverantör"] if n % 20 < 8 else []
        words += ["anbud"] if n % 5 == 0 else []
        words += ["tilldelning"] if n in (3, 13) else []
        words += ["vite"] if n == 19 else []
        bodies.append(" ".join(words) + ".")
    add(index, "a", *bodies)
    question = ["avtal", "leverantör", "anbud", "tilldelning", "vite"]

    def holding(word: str) -> set[str]:
        return {f"a-{n}" for n, b in enumerate(bodies) if word in b}

    # Over half the chunks: "avtal" is left out, so the chunks only it would find are not found.
    assert set(found(index.search_words(question, 50))) == set().union(*(holding(w) for w in question[1:]))
    # A bound of 10 postings keeps the rarest stems while they fit, and at least three.
    monkeypatch.setattr(lexical, "WORD_POSTINGS", 10)
    assert set(found(index.search_words(question, 50))) == holding("vite") | holding("tilldelning") | holding(
        "anbud"
    )
    # A question of common words only still finds them.
    assert set(found(index.search_words(["avtal"], 50))) == holding("avtal")


def test_sqlite_trigram_counts_are_kept_only_while_the_index_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lexical, "COMMON_FROM", 1)
    reader = LexicalIndex(tmp_path / "index.sqlite3")
    add(reader, "a", "Avtalsspärr gäller.", *["Annan text."] * 9)
    # "ann" is in nine chunks of ten, past the common share; "spä" in one.
    assert reader.rare_trigrams(["spä", "ann"]) == ["spä"]
    # Written by this index: counted again at once.
    add(reader, "b", *["Spärr."] * 20)
    assert reader.rare_trigrams(["spä", "ann"]) == []
    # Written by another process: counted again once the index is seen to have changed.
    monkeypatch.setattr(lexical, "SAMPLE_CHECK_S", 0.0)
    writer = LexicalIndex(tmp_path / "index.sqlite3")
    writer.delete_document("b")
    assert reader.rare_trigrams(["spä", "ann"]) == ["spä"]


@pytest.mark.slow
def test_postgres_leaves_out_a_term_most_chunks_hold_while_a_rarer_one_remains(
    postgres_url: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lexical_pg, "COMMON_FROM", 1)
    monkeypatch.setattr(lexical_pg, "COMMON_TTL", 0.0)
    pg = PgLexicalIndex(postgres_url)
    try:
        add(pg, "a", "Upphandlingen.", "Upphandlingar.", "Upphandlingsgränsen.", "Gränsen och upphandlingen.")
        # Before ANALYZE PostgreSQL knows no common lexeme, and every term counts.
        assert set(found(pg.search_trigrams(["upphandlingen", "gränsen"], 10))) == {
            "a-0",
            "a-1",
            "a-2",
            "a-3",
        }
        _analyze(postgres_url)
        question = ["upphandlingen", "gränsen"]
        assert found(pg.search_words(question, 10)) == ["a-3"]
        assert set(found(pg.search_trigrams(question, 10))) == {"a-2", "a-3"}
        # A question of common words only still finds them.
        assert set(found(pg.search_words(["upphandlingen"], 10))) == {"a-0", "a-1", "a-3"}
        monkeypatch.setattr(lexical_pg, "COMMON_FROM", 10)  # four chunks: too few to call a term common
        assert found(pg.search_words(question, 10))[0] == "a-3"
        assert set(found(pg.search_words(question, 10))) == {"a-0", "a-1", "a-3"}
        assert set(found(pg.search_trigrams(question, 10))) == {"a-0", "a-1", "a-2", "a-3"}
    finally:
        pg.dispose()
        _drop_tables(postgres_url)


# --- several processes --------------------------------------------------------------------------


@pytest.mark.slow
def test_processes_opening_a_fresh_database_at_once_all_succeed(postgres_url: str) -> None:  # noqa: F811
    admin = create_engine(normalize_url(postgres_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(text("DROP DATABASE IF EXISTS lex_fresh"))
        db.execute(text("CREATE DATABASE lex_fresh"))
    url = postgres_url.rsplit("/", 1)[0] + "/lex_fresh"
    opened: list[PgLexicalIndex] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_index() -> None:
        start.wait()
        try:
            opened.append(PgLexicalIndex(url))
        except BaseException as exc:  # collected: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=open_index) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        add(opened[0], "a", "Ramavtal.")
        assert found(opened[3].search_words(["ramavtal"], 5)) == ["a-0"]
    finally:
        for pg in opened:
            pg.dispose()
        with admin.connect() as db:
            db.execute(text("DROP DATABASE lex_fresh"))
        admin.dispose()
