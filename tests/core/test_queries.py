"""With a language model, a situation described at length is searched through up to three queries the
model writes — the whole question, then the legal concepts that decide it — fused by reciprocal rank
with the question's own ranking; a short question costs no extra model call."""

from __future__ import annotations

from assistant import prompts
from assistant.service import Assistant
from tests.core.helpers import collect, done_of
from tests.support.llm_stub import LLMStub

SCENARIO = (
    "Vi är en mellanstor kommun som funderar på ett samarbete med flera företag kring en ny digital "
    "tjänst för hemtjänsten, vi vet inte om det finns något färdigt på marknaden, och undrar hur "
    "ett sådant samarbete kan läggas upp steg för steg med ersättning efter hand?"
)


def test_a_long_situation_is_searched_through_the_models_queries_fused(
    online: Assistant, llm: LLMStub
) -> None:
    llm.enqueue(
        "1. Hur läggs ett samarbete med företag om en ny digital tjänst upp?\n"
        "2. innovationspartnerskap etapper delmål ersättning\n"
        "3. - avsluta partnerskapet efter etapp\n"
        "4. en fjärde som inte ska användas",
        "Partnerskapet delas in i etapper [1].",
    )
    done = done_of(collect(online, SCENARIO))
    writing = llm.chat_requests[0]["messages"]
    assert writing[0]["content"] == prompts.CONDENSE_SYSTEM
    assert SCENARIO in writing[-1]["content"]
    shown = [p.chunk.location for p in done.retrieved[: online.settings.top_k]]
    assert "LOU 6 kap. 31 §" in shown and "LOU 6 kap. 31 a §" in shown
    assert not done.refused
    # The answer's prompt holds the passages the queries found.
    assert "avsluta partnerskapet efter varje etapp" in llm.chat_requests[1]["messages"][0]["content"]


def test_each_query_is_searched_on_its_own_and_only_three_are_used(online: Assistant, llm: LLMStub) -> None:
    searched: list[str] = []
    search = online.retriever.search

    def spy(query, k):  # type: ignore[no-untyped-def]
        searched.append(" ".join(query.terms))
        return search(query, k)

    online.retriever.search = spy  # type: ignore[method-assign]
    llm.enqueue("- alfa\n- beta\n\n- gamma\n- delta", "Svar [1].")
    collect(online, SCENARIO)
    assert searched[1:] == ["alfa", "beta", "gamma"]


def test_rankings_are_fused_by_reciprocal_rank(online: Assistant, llm: LLMStub) -> None:
    every = online.retriever.search(online.retriever.analyze("innovationspartnerskap forskning dialog"), 20)
    by_place = {p.chunk.location: p for p in every}
    dialog, research, stages = (
        by_place["Varför föra dialog före upphandlingen"],
        by_place["LOU 1 kap. 5 §"],
        by_place["LOU 6 kap. 31 a §"],
    )
    scripted = {"alfa": [stages, research], "beta": [stages, research]}

    def search(query, k):  # type: ignore[no-untyped-def]
        return scripted.get(" ".join(query.terms), [dialog, research])

    online.retriever.search = search  # type: ignore[method-assign]
    online.settings = online.settings.model_copy(update={"top_k": 2})
    llm.enqueue("alfa\nbeta", "Svar [1].")
    done = done_of(collect(online, SCENARIO))
    # Second in all three rankings beats first in two, which beats first in one (the question's own).
    assert [p.chunk.location for p in done.retrieved] == ["LOU 1 kap. 5 §", "LOU 6 kap. 31 a §"]


def test_a_short_question_costs_no_query_writing(online: Assistant, llm: LLMStub) -> None:
    collect(online, "Hur går en förfrågan om information till?")
    assert len(llm.chat_requests) == 1
    assert llm.chat_requests[0]["messages"][0]["content"] != prompts.CONDENSE_SYSTEM
