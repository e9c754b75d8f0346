"""Every sentence a user of the advisors' area may see, in Swedish and English.

The CLI, the pages and the API show these; nothing shows exception text to a user.
"""

from __future__ import annotations

from typing import Any, Final

MESSAGES: Final[dict[str, dict[str, str]]] = {
    "account_bad_name": {
        "sv": "Ogiltigt användarnamn: 1–64 tecken, bokstäver, siffror och . _ @ + -.",
        "en": "Invalid user name: 1–64 characters, letters, digits and . _ @ + -.",
    },
    "account_bad_role": {
        "sv": "Okänd roll; välj en av {roles}.",
        "en": "Unknown role; choose one of {roles}.",
    },
    "account_short_password": {
        "sv": "Lösenordet måste ha minst {minimum} tecken.",
        "en": "The password must be at least {minimum} characters long.",
    },
    "account_exists": {
        "sv": "Användaren {name} finns redan.",
        "en": "The user {name} already exists.",
    },
    "account_not_found": {
        "sv": "Användaren {name} finns inte.",
        "en": "The user {name} does not exist.",
    },
    "password_mismatch": {
        "sv": "Lösenorden stämmer inte överens.",
        "en": "The passwords do not match.",
    },
    "account_self": {
        "sv": "Du kan inte stänga av ditt eget konto.",
        "en": "You cannot disable your own account.",
    },
    "vocabulary_invalid": {
        "sv": "Texten kunde inte sparas: {detail}",
        "en": "The text could not be saved: {detail}",
    },
    "not_authenticated": {
        "sv": "Logga in eller ange en giltig API-nyckel (Authorization: Bearer …).",
        "en": "Sign in or give a valid API token (Authorization: Bearer …).",
    },
    "forbidden": {
        "sv": "Ditt konto har inte behörighet till rådgivarnas del.",
        "en": "Your account may not use the advisors' area.",
    },
    "csrf": {
        "sv": "CSRF-token saknas eller stämmer inte (X-CSRF-Token); ladda om sidan.",
        "en": "The CSRF token is missing or wrong (X-CSRF-Token); reload the page.",
    },
    "entry_not_found": {
        "sv": "Posten finns inte.",
        "en": "The entry does not exist.",
    },
    "admins_only": {
        "sv": "Bara administratörer får se det här.",
        "en": "Only admins may see this.",
    },
    "document_not_found": {
        "sv": "Dokumentet finns inte.",
        "en": "The document does not exist.",
    },
    "upload_not_found": {
        "sv": "Uppladdningen finns inte.",
        "en": "The upload does not exist.",
    },
    "no_files": {
        "sv": "Välj minst en fil att ladda upp.",
        "en": "Choose at least one file to upload.",
    },
    "too_many_files": {
        "sv": "Ladda upp högst {limit} filer åt gången.",
        "en": "Upload at most {limit} files at a time.",
    },
    "file_too_large": {
        "sv": "Filen {name} är större än {limit} MB.",
        "en": "The file {name} is larger than {limit} MB.",
    },
    "bad_filename": {
        "sv": "Filnamnet {name} kan inte användas.",
        "en": "The file name {name} cannot be used.",
    },
    "unsupported_upload": {
        "sv": "Filtypen {suffix} stöds inte (PDF, DOCX, HTML, Markdown eller text).",
        "en": "The file type {suffix} is not supported (PDF, DOCX, HTML, Markdown or text).",
    },
    "original_missing": {
        "sv": "Originalfilen finns inte kvar på servern.",
        "en": "The original file is no longer on the server.",
    },
    "same_content": {
        "sv": "Samma innehåll som «{title}», som redan är indexerat.",
        "en": "The same content as «{title}», which is already indexed.",
    },
    "ingest_failed": {
        "sv": "Filen kunde inte indexeras: {detail}",
        "en": "The file could not be indexed: {detail}",
    },
}


def text(key: str, language: str | None = None, **params: Any) -> str:
    """The text for ``key`` in ``language``, or Swedish / English when it is None."""
    if language is None:
        return f"{text(key, 'sv', **params)} / {text(key, 'en', **params)}"
    entry = MESSAGES[key]
    return (entry.get(language) or entry["sv"]).format(**params)
