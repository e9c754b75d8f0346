"""Every sentence the Slack bot itself says, in Swedish and English.

The answer and the refusal come from the core (``assistant.messages``); these are the bot's own words
around them: buttons, notes, the hand-off to an advisor.
"""

from __future__ import annotations

from typing import Final

from assistant.messages import message

TEXTS: Final[dict[str, dict[str, str]]] = {
    "sources": {"sv": "Källor", "en": "Sources"},
    "page": {"sv": "s.", "en": "p."},
    "helpful": {"sv": "👍 Bra svar", "en": "👍 Helpful"},
    "not_helpful": {"sv": "👎 Inte bra", "en": "👎 Not helpful"},
    "ask_advisor": {"sv": "Fråga en rådgivare", "en": "Ask an advisor"},
    "open_web": {"sv": "Öppna i webbläsaren", "en": "Open in the browser"},
    "share": {"sv": "Dela i kanalen", "en": "Share in the channel"},
    "shared_by": {"sv": "<@{user}> delade ett svar:", "en": "<@{user}> shared an answer:"},
    "asked": {"sv": "Fråga: {question}", "en": "Question: {question}"},
    "refused_hint": {
        "sv": "Underlaget räcker inte för ett svar. Vill du att en rådgivare tittar på frågan?",
        "en": "The documents do not cover this. Would you like an advisor to look at the question?",
    },
    "truncated": {
        "sv": "_Svaret är förkortat här; hela svaret finns i webbläsaren._",
        "en": "_The answer is shortened here; the whole answer is in the browser._",
    },
    "thanks": {"sv": "Tack för din återkoppling!", "en": "Thank you for your feedback!"},
    "comment_title": {"sv": "Vad saknades?", "en": "What was missing?"},
    "comment_label": {"sv": "Kommentar (frivillig)", "en": "Comment (optional)"},
    "comment_submit": {"sv": "Skicka", "en": "Send"},
    "comment_cancel": {"sv": "Avbryt", "en": "Cancel"},
    "escalated": {
        "sv": "Frågan är skickad till en rådgivare. Du får besked här i tråden.",
        "en": "The question has been sent to an advisor. You will hear back here in the thread.",
    },
    "escalated_private": {
        "sv": "Frågan är skickad till en rådgivare, som hör av sig till dig.",
        "en": "The question has been sent to an advisor, who will get back to you.",
    },
    "no_escalation_channel": {
        "sv": "Ingen rådgivarkanal är inställd ännu. Kontakta en upphandlingsrådgivare direkt.",
        "en": "No advisor channel is set up yet. Please contact a procurement advisor directly.",
    },
    "escalation_title": {"sv": "Fråga till en rådgivare", "en": "Question for an advisor"},
    "escalation_from": {
        "sv": "Från <@{user}> · <{link}|Till tråden>",
        "en": "From <@{user}> · <{link}|To the thread>",
    },
    "escalation_from_nolink": {"sv": "Från <@{user}>", "en": "From <@{user}>"},
    "escalation_question": {"sv": "*Fråga*", "en": "*Question*"},
    "escalation_answer": {"sv": "*Assistentens svar*", "en": "*The assistant's answer*"},
    "take": {"sv": "Jag tar den", "en": "I'll take it"},
    "resolve": {"sv": "Markera som löst", "en": "Mark as resolved"},
    "taken": {"sv": "<@{user}> har tagit frågan.", "en": "<@{user}> has taken the question."},
    "resolved": {"sv": "✅ Löst av <@{user}>.", "en": "✅ Resolved by <@{user}>."},
    "resolved_thread": {
        "sv": "En rådgivare (<@{user}>) har markerat frågan som löst.",
        "en": "An advisor (<@{user}>) has marked the question as resolved.",
    },
    "gone": {
        "sv": "Svaret finns inte längre. Ställ frågan igen.",
        "en": "That answer is no longer stored. Please ask again.",
    },
    "slash_usage": {
        "sv": "Skriv frågan efter kommandot, till exempel `/fraga När får man använda innovationspartnerskap?`",
        "en": "Write the question after the command, for example `/fraga When may an innovation partnership be used?`",
    },
}


def t(key: str, language: str = "sv", **params: object) -> str:
    """The bot's text for ``key``; keys it does not know are the core's (``assistant.messages``)."""
    texts = TEXTS.get(key)
    if texts is None:
        return message(key, language, **params)
    text = texts.get(language) or texts["sv"]
    return text.format(**params) if params else text
