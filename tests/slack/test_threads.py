"""Conversations in Slack: follow-ups in a thread carry the thread as history, direct messages,
untagged replies (behind the setting), refusals and excerpt-only answers."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.events import Done, Error, Sources, Token
from assistant.settings import Settings
from assistant.types import Turn
from tests.slack.conftest import SECRET, with_slack
from tests.slack.fake_slack import BOT_USER, FakeSlack, SlackUser
from tests.slack.helpers import block_text, buttons, reference
from tests.web.helpers import FakeAssistant, answer_events
from web.main import create_app

CHANNEL = "C0PUBLIC"


def answers(slack: FakeSlack, count: int) -> list[dict]:
    assert slack.wait_for(lambda: len(slack.calls_to("reactions.remove")) >= count), slack.methods()
    return slack.posts()


def test_a_follow_up_in_the_thread_is_answered_with_the_thread_as_history(
    app: FastAPI, user: SlackUser, slack: FakeSlack, core: FakeAssistant
) -> None:
    core.enqueue(*answer_events("Ja, i **etapper** [1]."))
    first, _ = user.mention("Får ett innovationspartnerskap delas in i etapper?")
    (answer,) = answers(slack, 1)
    # Someone else says something in the thread, then the asker follows up, tagging the bot again.
    slack.add_message(CHANNEL, "Bra fråga &amp; bra svar", user="U0COLLEAGUE", thread_ts=first["ts"])
    follow, _ = user.mention("Hur många etapper?", thread_ts=first["ts"])
    posts = answers(slack, 2)

    assert core.calls[1].question == "Hur många etapper?"
    assert core.calls[1].history == [
        Turn("user", "Får ett innovationspartnerskap delas in i etapper?"),
        Turn("assistant", "Ja, i *etapper* [1]."),
        Turn("user", "Bra fråga & bra svar"),
    ]
    assert posts[1]["thread_ts"] == first["ts"], "the follow-up is answered in the same thread"
    # One conversation in the records, holding both exchanges.
    assert reference(posts[1]["blocks"])["c"] == reference(answer["blocks"])["c"]
    stored = app.state.conversations.conversation(reference(answer["blocks"])["c"])
    assert [m["content"] for m in stored["messages"] if m["role"] == "user"] == [
        "Får ett innovationspartnerskap delas in i etapper?",
        "Hur många etapper?",
    ]
    assert follow["thread_ts"] == first["ts"]


def test_the_stored_history_is_used_when_slack_cannot_give_the_thread(
    user: SlackUser, slack: FakeSlack, core: FakeAssistant
) -> None:
    first, _ = user.mention("Får ett innovationspartnerskap delas in i etapper?")
    answers(slack, 1)
    slack.fail("conversations.replies", 200, error="ratelimited")
    user.mention("Hur många etapper?", thread_ts=first["ts"])
    answers(slack, 2)
    assert [t.role for t in core.calls[1].history] == ["user", "assistant"]
    assert core.calls[1].history[0].content == "Får ett innovationspartnerskap delas in i etapper?"


def test_an_untagged_reply_in_a_thread_the_bot_answers_in_is_answered(
    user: SlackUser, slack: FakeSlack, core: FakeAssistant
) -> None:
    first, _ = user.mention("Får ett innovationspartnerskap delas in i etapper?")
    answers(slack, 1)
    reply = slack.add_message(CHANNEL, "Och hur många etapper får det vara?", thread_ts=first["ts"])
    user.message_event(reply)
    posts = answers(slack, 2)
    assert posts[1]["thread_ts"] == first["ts"]
    assert core.calls[1].question == "Och hur många etapper får det vara?"
    assert len(core.calls[1].history) == 2


def test_untagged_messages_elsewhere_are_not_answered(
    user: SlackUser, slack: FakeSlack, core: FakeAssistant
) -> None:
    # A thread the bot never answered in, and a top-level message: people talking among themselves.
    root = slack.add_message(CHANNEL, "Lunch?")
    user.message_event(slack.add_message(CHANNEL, "Gärna", user="U0OTHER", thread_ts=root["ts"]))
    user.message_event(slack.add_message(CHANNEL, "Vad gäller för direktupphandling?"))
    slack.wait_quiet()
    assert slack.posts() == [] and core.calls == []


def test_untagged_replies_are_left_alone_when_the_setting_is_off(
    settings: Settings, slack: FakeSlack, core: FakeAssistant
) -> None:
    app = create_app(with_slack(settings, slack, slack_thread_replies=False))
    app.state.assistant = core
    with TestClient(app) as client:
        user = SlackUser(client, slack, SECRET)
        first, _ = user.mention("Får ett innovationspartnerskap delas in i etapper?")
        answers(slack, 1)
        user.message_event(slack.add_message(CHANNEL, "Och hur många?", thread_ts=first["ts"]))
        slack.wait_quiet()
        assert len(slack.posts()) == 1 and len(core.calls) == 1
        user.mention("Och hur många?", thread_ts=first["ts"])  # tagged, it is answered
        answers(slack, 2)


def test_a_direct_message_is_answered_in_a_thread(
    user: SlackUser, slack: FakeSlack, core: FakeAssistant
) -> None:
    message = slack.add_message("D0DIRECT", "Vad är ett innovationspartnerskap?")
    user.message_event(message, channel_type="im")
    (post,) = answers(slack, 1)
    assert (post["channel"], post["thread_ts"]) == ("D0DIRECT", message["ts"])
    assert core.calls[0].question == "Vad är ett innovationspartnerskap?"


def test_a_refusal_says_so_and_offers_an_advisor(
    user: SlackUser, slack: FakeSlack, core: FakeAssistant
) -> None:
    refusal = "Jag hittar inget stöd för det i underlaget, så jag vill inte gissa."
    # The core may have streamed tokens before it refused: only the refusal is posted.
    core.enqueue(
        Token("Det beror "),
        Token(refusal),
        Sources([]),
        Done(refused=True, mode="llm", answer=refusal, language="sv"),
    )
    user.mention("Vad kostar en kaffe i Paris?")
    (post,) = answers(slack, 1)
    text = block_text(post["blocks"])
    assert refusal in text and "Det beror" not in text
    assert "Vill du att en rådgivare tittar på frågan?" in text
    assert "[1]" not in text, "a refusal cites nothing"
    assert buttons(post["blocks"])["escalate"]["style"] == "primary"


def test_an_excerpt_only_answer_says_it_is_excerpts(
    user: SlackUser, slack: FakeSlack, core: FakeAssistant
) -> None:
    intro = (
        "Utdrag ur underlaget (ingen språkmodell är ansluten, så detta är citat, inte ett sammanfattat svar):"
    )
    core.enqueue(
        *answer_events(f"{intro}\n\n> Ett partnerskap får delas in i etapper [1].", mode="extractive")
    )
    user.mention("Får partnerskap delas in i etapper?")
    (post,) = answers(slack, 1)
    assert intro in block_text(post["blocks"])


def test_a_question_the_core_will_not_take_gets_its_one_line_reason(
    user: SlackUser, slack: FakeSlack, core: FakeAssistant
) -> None:
    core.enqueue(Error("empty_question", "Skriv en fråga först."))
    user.mention("")  # only the mention: nothing asked
    assert slack.wait_for(lambda: slack.calls_to("reactions.remove"))
    (post,) = slack.posts()
    assert post["text"] == "Skriv en fråga först." and "blocks" not in post
    assert core.calls and core.calls[0].question == ""


def test_a_failing_core_gets_a_clear_message_and_the_bot_goes_on(
    user: SlackUser, slack: FakeSlack, core: FakeAssistant, client: TestClient
) -> None:
    from tests.web.helpers import Raise

    core.enqueue(Raise(RuntimeError("boom")))
    user.mention("Första frågan?")
    assert slack.wait_for(lambda: slack.posts())
    assert slack.posts()[0]["text"] == (
        "Något gick fel hos oss. Försök igen om en stund. / Something went wrong on our side. Please try again shortly."
    )
    assert slack.wait_for(lambda: slack.calls_to("reactions.remove")), "👀 is taken away even then"
    user.mention("Andra frågan?")
    assert slack.wait_for(lambda: len(slack.posts()) == 2)
    assert "answer:" in slack.posts()[1]["blocks"][0]["block_id"]
    assert client.get("/api/health").status_code == 200


def test_the_mention_of_the_bot_is_not_part_of_the_question(
    user: SlackUser, slack: FakeSlack, core: FakeAssistant
) -> None:
    message = slack.add_message(CHANNEL, f"Hej <@{BOT_USER}>, vad gäller för <https://x.se|LOU> &amp; LUF?")
    user.event({**message, "type": "app_mention"})
    answers(slack, 1)
    assert core.calls[0].question == "Hej , vad gäller för LOU & LUF?"


def test_the_bots_notes_are_not_history_only_its_answers(
    user: SlackUser, slack: FakeSlack, core: FakeAssistant
) -> None:
    core.enqueue(Error("llm_unavailable", "Språkmodellen svarar inte just nu. Försök igen om en stund."))
    first, _ = user.mention("Får ett innovationspartnerskap delas in i etapper?")
    assert slack.wait_for(lambda: slack.posts())
    assert slack.posts()[0]["text"].startswith("Språkmodellen svarar inte")
    user.mention("Får ett innovationspartnerskap delas in i etapper?", thread_ts=first["ts"])
    answers(slack, 2)
    assert core.calls[1].history == [Turn("user", "Får ett innovationspartnerskap delas in i etapper?")]
