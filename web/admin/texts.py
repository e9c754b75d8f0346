"""The advisors' pages' words, Swedish first, English when the advisor switches."""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("sv", "en")

TEXTS: Final[dict[str, dict[str, str]]] = {
    "brand": {"sv": "Rådgivare för innovationsupphandling", "en": "Innovation procurement advisor"},
    "area": {"sv": "Rådgivarnas sidor", "en": "Advisors' area"},
    "skip": {"sv": "Hoppa till innehållet", "en": "Skip to content"},
    "switch": {"sv": "In English", "en": "På svenska"},
    "nav": {"sv": "Rådgivarnas meny", "en": "Advisors' menu"},
    "nav_documents": {"sv": "Dokument", "en": "Documents"},
    "nav_chat": {"sv": "Till chatten", "en": "To the chat"},
    "logout": {"sv": "Logga ut", "en": "Sign out"},
    "signed_in_as": {"sv": "Inloggad som", "en": "Signed in as"},
    # sign-in
    "login_title": {"sv": "Logga in", "en": "Sign in"},
    "login_lead": {
        "sv": "För rådgivare som förvaltar dokumenten och granskar svaren.",
        "en": "For advisors who look after the documents and review the answers.",
    },
    "name": {"sv": "Användarnamn", "en": "User name"},
    "password": {"sv": "Lösenord", "en": "Password"},
    "login_button": {"sv": "Logga in", "en": "Sign in"},
    "login_failed": {
        "sv": "Fel användarnamn eller lösenord.",
        "en": "Wrong user name or password.",
    },
    "login_limited": {
        "sv": "För många misslyckade inloggningar. Vänta en stund och försök igen.",
        "en": "Too many failed sign-ins. Wait a while and try again.",
    },
    "signed_out": {"sv": "Du är utloggad.", "en": "You are signed out."},
    "session_needed": {
        "sv": "Logga in för att nå rådgivarnas sidor.",
        "en": "Sign in to reach the advisors' area.",
    },
    "not_advisor": {
        "sv": "Ditt konto har inte behörighet till rådgivarnas sidor. Logga in med ett rådgivarkonto.",
        "en": "Your account may not use the advisors' area. Sign in with an advisor's account.",
    },
    "csrf_failed": {
        "sv": "Formuläret hade gått ut. Ladda om sidan och försök igen.",
        "en": "The form had expired. Reload the page and try again.",
    },
    # documents
    "documents_title": {"sv": "Dokument", "en": "Documents"},
    "documents_lead": {
        "sv": "Allt assistenten kan svara utifrån: uppladdade filer och dokumenten i corpus/.",
        "en": "Everything the assistant answers from: uploaded files and the documents in corpus/.",
    },
    "upload_heading": {"sv": "Ladda upp dokument", "en": "Upload documents"},
    "upload_label": {
        "sv": "Filer (PDF, DOCX, HTML, Markdown eller text)",
        "en": "Files (PDF, DOCX, HTML, Markdown or text)",
    },
    "upload_button": {"sv": "Ladda upp", "en": "Upload"},
    "uploads_heading": {"sv": "Dina uppladdningar", "en": "Your uploads"},
    "reload_list": {"sv": "Visa den uppdaterade listan", "en": "Show the updated list"},
    "list_heading": {"sv": "Alla dokument", "en": "All documents"},
    "list_region": {
        "sv": "Dokumentlistan (kan rullas i sidled)",
        "en": "The document list (scrolls sideways)",
    },
    "col_title": {"sv": "Titel", "en": "Title"},
    "col_source": {"sv": "Källa", "en": "Source"},
    "col_status": {"sv": "Status", "en": "Status"},
    "col_chunks": {"sv": "Avsnitt", "en": "Passages"},
    "col_updated": {"sv": "Uppdaterad", "en": "Updated"},
    "col_by": {"sv": "Uppladdad av", "en": "Uploaded by"},
    "col_actions": {"sv": "Åtgärder", "en": "Actions"},
    "file": {"sv": "Fil", "en": "File"},
    "enabled": {"sv": "Används", "en": "In use"},
    "disabled": {"sv": "Avstängt – används inte i svar", "en": "Disabled – not used in answers"},
    "disable": {"sv": "Stäng av", "en": "Disable"},
    "enable": {"sv": "Slå på", "en": "Enable"},
    "delete": {"sv": "Ta bort", "en": "Delete"},
    "download": {"sv": "Ladda ner originalet", "en": "Download the original"},
    "delete_confirm": {
        "sv": "Ta bort dokumentet ur båda indexen och originalfilen från servern?",
        "en": "Remove the document from both indexes and its original file from the server?",
    },
    "for_document": {"sv": "för", "en": "for"},
    "empty": {"sv": "Inga dokument är indexerade än.", "en": "No documents are indexed yet."},
    "done_enabled": {"sv": "Dokumentet används igen.", "en": "The document is in use again."},
    "done_disabled": {"sv": "Dokumentet är avstängt.", "en": "The document is disabled."},
    "done_deleted": {"sv": "Dokumentet är borttaget.", "en": "The document is deleted."},
    "status_queued": {"sv": "I kö", "en": "Queued"},
    "status_parsing": {"sv": "Tolkas", "en": "Parsing"},
    "status_embedding": {"sv": "Bäddas in", "en": "Embedding"},
    "status_indexed": {"sv": "Indexerad", "en": "Indexed"},
    "status_failed": {"sv": "Misslyckades", "en": "Failed"},
    "status_unchanged": {"sv": "Oförändrad", "en": "Unchanged"},
}


def texts_for(language: str) -> dict[str, str]:
    """Every text in ``language`` (Swedish when it is not one we have)."""
    lang = language if language in LANGUAGES else "sv"
    return {key: entry[lang] for key, entry in TEXTS.items()}
