"""Every sentence a user may see from the core, in Swedish and English.

Front-ends map error keys to these texts; nothing else shows exception text to a user.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "refusal": {
        "sv": (
            "Jag hittar inget stöd för det i underlaget, så jag vill inte gissa. "
            "Formulera gärna frågan på ett annat sätt, eller kontakta en upphandlingsrådgivare."
        ),
        "en": (
            "I cannot find support for that in the documents, so I will not guess. "
            "Try rephrasing the question, or contact a procurement advisor."
        ),
    },
    "injection": {
        "sv": (
            "Jag svarar bara på frågor om upphandling utifrån underlaget och kan inte ändra mina "
            "instruktioner. Ställ gärna en fråga om upphandling."
        ),
        "en": (
            "I only answer questions about procurement from the documents and cannot change my "
            "instructions. Please ask a question about procurement."
        ),
    },
    "extractive_intro": {
        "sv": "Utdrag ur underlaget (ingen språkmodell är ansluten, så detta är citat, inte ett sammanfattat svar):",
        "en": "Excerpts from the documents (no language model is connected, so these are quotes, not a summary):",
    },
    "figures_gloss": {
        "sv": "Siffrorna i citaten på engelska:",
        "en": "The figures in these quotes, in English:",
    },
    "llm_fallback": {
        "sv": "Språkmodellen svarar inte just nu, så här är utdrag ur underlaget i stället (citat, inte ett sammanfattat svar):",
        "en": "The language model is not responding right now, so here are excerpts from the documents instead (quotes, not a summary):",
    },
    "answer_withheld": {
        "sv": "Språkmodellens svar hölls tillbaka eftersom det bröt mot reglerna för källor. Här är utdrag ur underlaget i stället:",
        "en": "The language model's answer was withheld because it broke the rules for sources. Here are excerpts from the documents instead:",
    },
    "internal": {
        "sv": "Något gick fel hos oss. Försök igen om en stund.",
        "en": "Something went wrong on our side. Please try again shortly.",
    },
    "configuration": {
        "sv": "Inställningarna är ogiltiga: {detail}",
        "en": "The settings are invalid: {detail}",
    },
    "embedding_mismatch": {
        "sv": (
            "Indexet byggdes med embeddingmodellen {stored} men inställningen är {configured}. "
            "Indexera om: `advisor ingest --reindex SÖKVÄG`."
        ),
        "en": (
            "The index was built with embedding model {stored} but the setting is {configured}. "
            "Re-index with `advisor ingest --reindex PATH`."
        ),
    },
    "store_unavailable": {
        "sv": "Dokumentindexet går inte att nå just nu ({detail}).",
        "en": "The document index cannot be reached right now ({detail}).",
    },
    "llm_unavailable": {
        "sv": "Språkmodellen svarar inte just nu. Försök igen om en stund.",
        "en": "The language model is not responding right now. Please try again shortly.",
    },
    "unsupported_file": {
        "sv": "Filtypen {suffix} stöds inte (PDF, DOCX, HTML, Markdown och text går bra).",
        "en": "File type {suffix} is not supported (PDF, DOCX, HTML, Markdown and text are).",
    },
    "document_load": {
        "sv": "Filen kunde inte läsas: {detail}",
        "en": "The file could not be read: {detail}",
    },
    "invalid_input": {
        "sv": "Ogiltig indata: {detail}",
        "en": "Invalid input: {detail}",
    },
    "empty_question": {
        "sv": "Skriv en fråga först.",
        "en": "Please write a question first.",
    },
    "question_too_long": {
        "sv": "Frågan är för lång (högst {limit} tecken).",
        "en": "The question is too long (at most {limit} characters).",
    },
    "conversation_not_found": {
        "sv": "Konversationen finns inte (längre). Börja en ny konversation.",
        "en": "The conversation does not exist (any more). Start a new conversation.",
    },
    "message_not_found": {
        "sv": "Svaret finns inte i den konversationen.",
        "en": "That answer is not part of the conversation.",
    },
    "workers_need_chroma_server": {
        "sv": (
            "--workers {workers} kräver en Chroma-server (ADVISOR_CHROMA_URL, t.ex. från `chroma run`): "
            "den inbäddade Chroma-databasen tål inte flera processer. Kör med --workers 1 eller ange servern."
        ),
        "en": (
            "--workers {workers} needs a Chroma server (ADVISOR_CHROMA_URL, e.g. from `chroma run`): "
            "the embedded Chroma database is not safe for several processes. Use --workers 1 or set the server."
        ),
    },
    "empty_index": {
        "sv": "Inga dokument är indexerade ännu. Kör `advisor ingest corpus/` först.",
        "en": "No documents are indexed yet. Run `advisor ingest corpus/` first.",
    },
}


def message(key: str, language: str = "sv", **params: object) -> str:
    """The user-facing text for ``key`` in ``language`` (Swedish when unknown)."""
    texts = MESSAGES.get(key) or MESSAGES["internal"]
    text = texts.get(language) or texts["sv"]
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text
