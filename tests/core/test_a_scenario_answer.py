"""The offline answer to a scenario question: it leads with what is asked, not with the setting;
the asked shape counts only with the asked words; and a part of the question the first excerpts
leave unanswered brings one excerpt more."""

from __future__ import annotations

from assistant import analysis, extractive
from assistant.service import Assistant, Retrieval
from tests.core.helpers import passage

SCENARIO = "Vi är en kommun som köper skolskjuts med buss för skolorna. Får vi förlänga avtalet med ett år?"
SETTING = passage(1, "En kommun som köper skolskjuts med buss ska ställa krav på skolorna.", "Skolskjuts")
ASKED = passage(2, "Ett avtal får förlängas om förlängningen anges i upphandlingsdokumenten.", "Ändring")


def _situation(question: str) -> set[str]:
    sentences = question.split(". ")
    asked = set(analysis.content_terms(sentences[-1]))
    return {t for t in analysis.content_terms(question) if t not in asked}


def test_the_words_of_the_situation_count_less_than_those_of_the_question() -> None:
    terms = analysis.content_terms(SCENARIO)
    plain = extractive.select([SETTING, ASKED], terms, SCENARIO)
    assert plain[0].passage is SETTING  # the setting shares more words
    weighed = extractive.select([SETTING, ASKED], terms, SCENARIO, situation=_situation(SCENARIO))
    assert weighed[0].passage is ASKED


def test_the_asked_shape_does_not_lift_a_sentence_that_speaks_only_to_the_setting() -> None:
    question = (
        "Vi är en statlig myndighet som beställer en studie om tystare vägbeläggningar av ett "
        "forskningsföretag, som står för en del av kostnaden och vill sälja resultaten efteråt. "
        "Behöver vi följa LOU för köpet?"
    )
    setting = passage(1, "En statlig myndighet får använda ett förhandlat förfarande.", "Förfarande")
    answer = passage(2, "Om villkoren inte är uppfyllda gäller inte LOU för köpet.", "Undantag")
    excerpts = extractive.select(
        [setting, answer], analysis.content_terms(question), question, situation=_situation(question)
    )
    assert excerpts[0].passage is answer


def test_a_part_of_the_question_no_quoted_sentence_answers_brings_one_excerpt_more() -> None:
    question = "Får vi betala deltagarna i dialogen, och påverkar det värdet?"
    dialogue = [
        passage(
            n, f"I dialogen får vi betala deltagarna för förslag nummer {n}. Dialogen pågår.", f"Dialog {n}"
        )
        for n in range(1, 4)
    ]
    value = passage(4, "Ersättningen räknas in i värdet. Solen skiner.", "Värde")
    unrelated = passage(5, "Solen skiner över Sundsvall i juni.", "Väder")
    excerpts = extractive.select(
        [*dialogue, value, unrelated], analysis.content_terms(question), question, max_excerpts=3
    )
    assert [ex.passage.chunk.title for ex in excerpts] == ["Dialog 1", "Dialog 2", "Dialog 3", "Värde"]
    assert excerpts[-1].n == 4
    assert excerpts[-1].sentences == ["Ersättningen räknas in i värdet."]


def test_no_excerpt_more_when_the_quoted_ones_speak_to_every_asked_word() -> None:
    question = "Får deltagarna i dialogen lämna förslag?"
    passages = [
        passage(n, f"I dialogen får deltagarna lämna förslag nummer {n}.", f"Dialog {n}") for n in range(1, 5)
    ]
    excerpts = extractive.select(passages, analysis.content_terms(question), question, max_excerpts=3)
    assert len(excerpts) == 3


def test_the_offline_answer_weighs_the_situation_the_question_sets_out_less(offline: Assistant) -> None:
    query = offline.retriever.analyze(SCENARIO)
    assert query.context_terms  # the setting's words, as retrieval reads them
    found = Retrieval(query, [SETTING, ASKED], coverage=1.0, top_k=6, ms=0.0)
    assert offline._excerpts(found)[0].passage is ASKED
