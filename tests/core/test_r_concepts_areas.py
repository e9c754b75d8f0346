"""The area maps under corpus/concepts/ (LOU 19–21 kap., LUF, LUK): a procurer's everyday wording of a
situation reaches the concept for its provision, a nearby ordinary question does not, and a phrasing brings
its paragraph into the candidates even when the question shares no word with the law."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.concepts import BUNDLED_DIR, ConceptMap
from assistant.retrieval import Retriever
from assistant.settings import Settings
from assistant.store import ChunkStore
from tests.core.helpers import concept_names, indexed


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        # LUF: which activities
        (
            "Vi driver fjärrvärmenätet, vilka regler gäller?",
            "Försörjningsverksamhet inom el, gas, värme och dricksvatten (LUF)",
        ),
        ("Bolaget kör spårvägen i staden", "Transport, hamnar, flygplatser och post (LUF)"),
        ("Vi är bolaget som driver hamnen i staden", "Transport, hamnar, flygplatser och post (LUF)"),
        (
            "Vi köper el för att sälja vidare till kunderna",
            "Inköp för vidareförsäljning och inköp av energi eller bränsle (LUF)",
        ),
        # LUK: running a facility against user charges
        ("Får en förening driva kiosken vid badet?", "Koncessionshavarens risk och ersättning (LUK)"),
        ("Arrendatorn tar betalt av badgästerna", "Koncessionshavarens risk och ersättning (LUK)"),
        ("Kan vi byta koncessionshavare mitt i avtalet?", "Ändring av en koncession under löptiden (LUK)"),
        # LOU 19 kap.
        ("Hur lång anbudstid krävs under tröskelvärdet?", "Tid för anbud under tröskelvärdet"),
        ("Hur länge måste vi spara handlingarna?", "Bevarande av handlingar och tillgång till kontraktet"),
        (
            "Räcker det att annonsera på vår egen hemsida?",
            "Var annonser under tröskelvärdet ska publiceras (registrerade annonsdatabaser)",
        ),
        # LOU 19 a kap.
        ("Vi fick inga anbud alls, vad gör vi nu?", "Direktupphandling när inga lämpliga anbud kom in"),
        (
            "Upphandlingen är överprövad och det gamla avtalet tar slut",
            "Direktupphandling medan upphandlingen överprövas",
        ),
        # LOU 20 kap.
        ("En leverantör hotar att stämma oss", "Skadestånd och frist för talan"),
        ("Kan avtalet angripas i efterhand?", "Frister för talan om ogiltighet"),
        ("Domstolen har fattat ett interimistiskt beslut", "Förlängd avtalsspärr och interimistiskt beslut"),
        ("Vilken domstol ska leverantören vända sig till?", "Vilken domstol prövar upphandlingen"),
        # LOU 21 kap.
        (
            "Konkurrensverket har skickat ett föreläggande till oss",
            "Tillsynsmyndighetens granskning och föreläggande",
        ),
        ("Hur stor avgift kan vi få?", "Upphandlingsskadeavgiftens storlek och tidsfrist"),
        # everyday wording of the same situations
        ("Kan leverantören överpröva avtalet vi tecknade i våras?", "Frister för talan om ogiltighet"),
        ("Den förlorande firman hotar med skadestånd", "Skadestånd och frist för talan"),
        (
            "Vi står utan avtal medan domstolen prövar saken",
            "Direktupphandling medan upphandlingen överprövas",
        ),
        (
            "Ett bolag ska driva campingen och ta betalt av gästerna",
            "Koncessionshavarens risk och ersättning (LUK)",
        ),
        ("Har energibolaget en högre gräns för direktupphandling?", "Direktupphandling enligt LUF"),
        # how long a concession may run, and earning back what the operator invests
        ("Hur länge får koncessionen löpa?", "Koncessionens löptid (LUK)"),
        ("Operatören vill tjäna tillbaka investeringen i badhuset", "Koncessionens löptid (LUK)"),
        # water and sewage, and a utility's framework agreement
        ("Vi är ett avloppsbolag, vilken lag gäller?", "När gäller LUF (försörjningssektorerna)"),
        ("Får energibolaget ha ett ramavtal längre än åtta år?", "Ramavtal enligt LUF"),
        ("Vi vill ha en lista över godkända entreprenörer", "Kvalificeringssystem enligt LUF"),
        ("Kan vi få prövningstillstånd i kammarrätten?", "Vilken domstol prövar upphandlingen"),
        # LUK: letting out a venue, and what the operator takes in is the concession's value
        ("Vi vill upplåta serveringen vid badet i fem år", "Koncessionshavarens risk och ersättning (LUK)"),
        ("Parken har ett strandcafé som ska få ny driftare", "Koncessionshavarens risk och ersättning (LUK)"),
        ("Kioskens omsättning är kanske 300 000 per år", "Koncessionens värde, löptid och förfarande"),
        ("Får vi direktupphandla gästhamnen?", "Direktupphandling av koncession (LUK)"),
        ("Leverantören hotar att stämma kommunen", "Skadestånd och frist för talan"),
        ("Kan vi förlänga koncessionsavtalet för caféet?", "Ändring av en koncession under löptiden (LUK)"),
        ("Vårt energibolag vill ha en lista med godkända entreprenörer", "Kvalificeringssystem enligt LUF"),
    ],
)
def test_an_everyday_phrasing_reaches_its_provision(question: str, concept: str) -> None:
    assert concept in concept_names(question)


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        # an ordinary question near each concept, which must not evoke it
        (
            "Vi ska köpa el till våra kontor",
            "Inköp för vidareförsäljning och inköp av energi eller bränsle (LUF)",
        ),
        ("Vi ska köpa in glass till kiosken", "Koncessionshavarens risk och ersättning (LUK)"),
        ("Får vi förlänga avtalet sex månader?", "Frister för talan om ogiltighet"),
        ("Hur länge gäller ett ramavtal?", "Frister för att begära överprövning"),
        ("Vi fick många anbud, hur utvärderar vi?", "Direktupphandling när inga lämpliga anbud kom in"),
        (
            "Vi vill sätta upp ett inköpssystem och ta ut en avgift",
            "Koncessionshavarens risk och ersättning (LUK)",
        ),
        ("Vilket tröskelvärde gällde under 2020?", "Annonspliktig upphandling under tröskelvärdet"),
        (
            "Vad betyder leverantörens avgift för fakturor?",
            "Upphandlingsskadeavgiftens storlek och tidsfrist",
        ),
        (
            "Vi bor nära hamnen och vill köpa stolar",
            "Försörjningsverksamhet inom el, gas, värme och dricksvatten (LUF)",
        ),
        # "hamnar" is also the everyday verb ("ends up"), and shares its stem with "hamnen".
        (
            "Hamnar vi över tröskelvärdet om vi räknar med optionen?",
            "Transport, hamnar, flygplatser och post (LUF)",
        ),
        # six years is a question for LOU too; only a utility's words make it LUF's
        ("Kan vi ha ett ramavtal i sex år?", "Ramavtal enligt LUF"),
        ("Hur länge gäller anbuden?", "Koncessionens löptid (LUK)"),
        # a turnover requirement on the supplier is no concession's value
        (
            "Vi kräver en omsättning på minst tio miljoner av anbudsgivaren",
            "Koncessionens värde, löptid och förfarande",
        ),
        # "stämmer det för oss" is "is that right for us", and "bestämmer" ends in "stämmer"
        ("Inköpschefen säger fyra år. Stämmer det för oss?", "Skadestånd och frist för talan"),
        ("Vi vill testa innan vi bestämmer oss", "Skadestånd och frist för talan"),
    ],
)
def test_a_nearby_ordinary_question_does_not(question: str, concept: str) -> None:
    assert concept not in concept_names(question)


def test_the_area_maps_are_read_and_cite_their_own_laws() -> None:
    maps = ConceptMap.load(BUNDLED_DIR)
    laws = {ref.law for concept in maps.concepts for ref in concept.paragraphs}
    assert {"LOU", "LUF", "LUK"} <= laws
    assert all(concept.when and (concept.paragraphs or concept.terms) for concept in maps.concepts)


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        (
            "Vem ger stöd för innovationsupphandling?",
            "Stöd till innovationsupphandling (Upphandlingsmyndigheten och Vinnova)",
        ),
        ("Kan vi söka en innovationscheck?", "Innovationscheckar"),
        ("Finns det checkar för företag som behöver rådgivning?", "Innovationscheckar"),
        (
            "Vilka mål har den nationella upphandlingsstrategin?",
            "Nationella upphandlingsstrategin och färdplanen för offentliga affärer",
        ),
    ],
)
def test_a_policy_question_reaches_the_government_pages_words(question: str, concept: str) -> None:
    matched = [m.concept for m in ConceptMap.load().match(question) if m.concept.name == concept]
    assert matched and matched[0].terms


@pytest.mark.parametrize(
    "question",
    [
        "Vem kan hjälpa oss att välja leverantör?",
        "Vilka mål ska leverantören nå i kontraktet?",
        "Får vi avropa från Kammarkollegiets ramavtal?",
    ],
)
def test_an_ordinary_question_evokes_no_policy_concept(question: str) -> None:
    policy = {c.name for c in ConceptMap.load(BUNDLED_DIR / "stod-och-politik.yaml").concepts}
    assert not policy & set(concept_names(question))


# A concessions act in miniature, in our own words: the question below shares no content word with it.
LUK = """---
beteckning: 2016:1147
rubrik: Lag om upphandling av koncessioner
---

# Lag om upphandling av koncessioner

## 1 kap. Lagens innehåll

### Definitioner

#### 13 §

En koncession är ett kontrakt där ersättningen är en rätt att utnyttja det som upphandlats.

## 16 kap. Avtalsspärr

### Allmänna bestämmelser om avtalsspärr

#### 1 §

Efter beslut om tilldelning gäller en avtalsspärr om tio dagar.
"""

QUESTION = "Kan vi låta en förening driva kiosken på stranden under sommaren?"


def test_a_phrasing_brings_its_paragraph_into_the_candidates(
    store: ChunkStore, settings: Settings, tmp_path: Path
) -> None:
    store = indexed(store, tmp_path / "docs", {"luk.md": LUK})

    def scores(retriever: Retriever) -> dict[str | None, dict[str, float]]:
        return {p.chunk.section_ref: p.scores for p in retriever.search(retriever.analyze(QUESTION))}

    plain = scores(Retriever(store, settings))
    mapped = scores(Retriever(store, settings, concepts=ConceptMap.load(BUNDLED_DIR)))
    assert "concept" not in plain.get("LUK 1 kap. 13 §", {})
    assert mapped["LUK 1 kap. 13 §"]["concept"] > 0
    assert "concept" not in mapped.get("LUK 16 kap. 1 §", {})
