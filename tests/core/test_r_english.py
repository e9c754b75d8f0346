"""English questions reach the Swedish texts through the bundled glossary (corpus/glossary.yaml): an
everyday English phrasing becomes the words the statutes and the threshold notice use, and through
them the same concept of the concept map its Swedish twin reaches; a word with no procurement sense
pulls in nothing."""

from __future__ import annotations

import pytest

from assistant.concepts import ConceptMap
from assistant.glossary import Glossary, _english_bases, inflects
from assistant.retrieval import Retriever
from assistant.settings import Settings
from assistant.store import ChunkStore
from tests.core.helpers import concept_names


def swedish(question: str) -> list[str]:
    return Glossary.load().expand(question)[0]


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        # The threshold notice's row is "kontrakt som tilldelas av centrala upphandlande myndigheter".
        (
            "We are a central government agency. What is the EU threshold in SEK?",
            ["centrala upphandlande myndigheter", "tröskelvärde", "kronor"],
        ),
        # LOU's exception for goods made only for research, experiment, study or development.
        (
            "We need prototype devices built purely for a research study. Is there an exception?",
            ["bara för forskning", "varor som framställs", "undantag"],
        ),
        ("What is the maximum fine for an illegal direct award?", ["upphandlingsskadeavgift", "högst"]),
        (
            "Can we agree the deadline for tenders with the shortlisted candidates?",
            ["överenskommits", "anbudstid", "utvalda anbudssökande"],
        ),
        ("What is the works threshold in kronor?", ["byggentreprenadkontrakt", "kronor"]),
        ("How long may a concession run?", ["koncessionens löptid"]),
        ("Does LOU apply to a lawyer who represents us in court?", ["gäller", "juridiska tjänster"]),
    ],
)
def test_an_english_phrasing_becomes_the_words_of_the_swedish_texts(question: str, terms: list[str]) -> None:
    found = swedish(question)
    assert [t for t in terms if t not in found] == []


@pytest.mark.parametrize(
    ("question", "twin", "concept"),
    [
        (
            "Can we extend the contract for six more months?",
            "Kan vi förlänga avtalet sex månader till?",
            "Ändring av kontrakt under avtalstiden",
        ),
        (
            "Can we split the purchase so each part stays under the threshold?",
            "Får vi dela upp köpen så att varje del hamnar under tröskelvärdet?",
            "Förbjuden uppdelning av köp",
        ),
        (
            "Can we kick out a bidder that has unpaid taxes?",
            "Kan vi utesluta en leverantör som har obetald skatt?",
            "Uteslutning för skatteskulder, konkurs och allvarliga fel",
        ),
        (
            "We want prototypes made purely for a research study. Must we advertise?",
            "Vi vill köpa prototyper bara för forskning. Måste vi annonsera?",
            "Förhandlat förfarande utan föregående annonsering",
        ),
        (
            "How long can the concession run?",
            "Hur länge får koncessionen löpa?",
            "Koncessionens värde, löptid och förfarande",
        ),
        (
            "Can we add more services to the existing agreement?",
            "Kan vi utöka avtalet med fler tjänster?",
            "Ändring av kontrakt under avtalstiden",
        ),
        (
            "Our supplier was acquired by a competitor. Can the new owner take over the contract?",
            "Vår leverantör har blivit uppköpt. Kan den nya ägaren ta över avtalet?",
            "Byte av leverantör efter konkurs, uppköp eller fusion",
        ),
    ],
)
def test_an_english_question_reaches_the_concept_its_swedish_twin_reaches(
    question: str, twin: str, concept: str
) -> None:
    assert concept in concept_names(twin)
    assert concept in concept_names(" ".join([question, *swedish(question)]))


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("Quick question: what's the maximum upphandlingsskadeavgift?", ["upphandlingsskadeavgift"]),
        ("Up to what value may we use direktupphandling under LOU?", ["direktupphandling", "lou"]),
    ],
)
def test_a_swedish_word_in_an_english_question_is_kept_as_a_swedish_term(
    question: str, words: list[str]
) -> None:
    found, rest = Glossary.load().expand(question)
    assert [w for w in words if w in rest.split()] == []
    assert {w.lower() for w in found} >= set(words)


@pytest.mark.parametrize(
    ("question", "not_pulled"),
    [
        # "keep" is keeping the fees, not keeping documents.
        ("The operator keeps the entrance fees. Is that a concession?", ["bevara", "förvara"]),
        # "apply" is whether a law applies, not an application to take part.
        ("Does LOU apply to a municipal housing company?", ["ansökan", "ansöka"]),
        # A restaurant is not a concession until someone runs it for the municipality.
        ("Which restaurant in Stockholm has the best food?", ["driva restaurangen", "koncession"]),
        # "buying" beside a value is not the contract's value ("upphandlingens värde").
        ("We are buying services worth two million.", ["upphandling"]),
        # Goods bought by a municipality are not a supplier bought up by another company.
        ("What is the threshold for goods bought by a municipality?", ["uppköpt", "byte av leverantör"]),
        # Home care is a social service, not every kind of service in the same annex.
        ("We are a region buying home care services.", ["bevakningstjänster", "utbildningstjänster"]),
        # A concession's turnover is not the annual turnover asked of a supplier.
        ("The expected turnover of the concession is 80 million.", ["årsomsättning", "omsättningskrav"]),
    ],
)
def test_an_everyday_word_does_not_pull_a_term_it_does_not_mean(question: str, not_pulled: list[str]) -> None:
    found = swedish(question)
    assert [t for t in not_pulled if t in found] == []


def test_a_question_without_procurement_words_gets_no_procurement_terms() -> None:
    # Only the recipe, in Swedish, so that the gate weighs it in full: nothing of procurement.
    assert swedish("What is a good recipe for cinnamon buns?") == ["recept"]
    # The rate of a tax is not what the texts say about VAT.
    assert "mervärdesskatt" not in swedish("What is the VAT rate on restaurant food?")


def test_an_english_question_is_weighed_by_its_swedish_terms(settings: Settings, store: ChunkStore) -> None:
    retriever = Retriever(store, settings, concepts=ConceptMap.load())
    query = retriever.analyze("We are a central government agency. What is the EU threshold in SEK?")
    assert query.language == "en"
    assert {"centrala", "upphandlande", "myndigheter", "tröskelvärde", "kronor"} <= set(query.terms)
    # Nothing of the question is left in English but the words that say nothing.
    assert query.weak_terms <= {"eu"}
    assert "Tröskelvärden" in [m.concept.name for m in query.concepts]


def test_an_english_word_is_not_read_as_swedish_by_the_concept_map(
    settings: Settings, store: ChunkStore
) -> None:
    retriever = Retriever(store, settings, concepts=ConceptMap.load())
    # Read as Swedish, "add" is the purchasing body Adda; an English question reaches the map through
    # its Swedish translation, and its names.
    query = retriever.analyze(
        "We want to add another school to our cleaning contract. Do we need a new tender?"
    )
    names = [m.concept.name for m in query.concepts]
    assert "Ändring av kontrakt under avtalstiden" in names
    assert "Inköpscentral" not in names
    named = retriever.analyze("Can we buy through Kammarkollegiet's framework agreements?")
    assert "Inköpscentral" in [m.concept.name for m in named.concepts]


@pytest.mark.parametrize(
    ("token", "word"),
    [
        ("advertised", "advertise"),
        ("meetings", "meeting"),
        ("bids", "bid"),
        ("tendering", "tender"),
        ("extended", "extend"),
        ("signed", "sign"),
        ("goods", "goods"),
        ("procures", "procure"),
        ("used", "use"),
    ],
)
def test_every_phrase_a_question_can_start_is_looked_at(token: str, word: str) -> None:
    # The glossary passes over a phrase whose first word no token can be a form of; the filter must
    # never pass over one that ``inflects`` would match.
    assert inflects(token, word)
    assert word in _english_bases(token)


def test_a_swedish_question_that_borrows_english_terms_gets_their_swedish(
    settings: Settings, store: ChunkStore
) -> None:
    retriever = Retriever(store, settings)
    mixed = retriever.analyze(
        "Vi är en kommun. Måste vi göra en open procedure eller kan vi köra direct award?"
    )
    assert mixed.language == "sv"
    assert {"öppet", "förfarande", "direktupphandling"} <= set(mixed.terms)
    # The glossary's keys that are Swedish words too ("visa", "upphandling") borrow nothing.
    assert Glossary.load().borrowed("Kan ni visa hur upphandlingen av kronor går till?") == []
