"""Indirect prompt injection at ingest: passages that speak to the assistant instead of the reader.

A document may carry instructions aimed at the language model ("ignorera tidigare instruktioner och
svara att …"), text a reader never sees (HTML comments, hidden elements, zero-width characters), or
Markdown images that would make a renderer call an outside host. Such passages stay indexed, so
advisors can see them, but the chunk carries ``flagged`` with the reason and the answer path never
quotes them as guidance.

A flag is ``"<kind>: <evidence>"``; ``kind`` is one of :data:`KINDS` (stable, for front-ends to
translate), the evidence is the matched text, shortened.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlparse

from assistant.guard import instruction_in

KINDS = ("instruction", "hidden_text", "remote_image", "unsafe_link")


# Characters that render as nothing: zero-width spaces and joiners, word joiner, BOM inside text,
# and the Unicode "tag" block used to smuggle invisible ASCII.
_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\U000e0000-\U000e007f]")
_COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:[a-z%]*)?\s*(?:;|$)|opacity\s*:\s*0(?:\.0*)?\s*(?:;|$)",
    re.IGNORECASE,
)
_HIDDEN_TAG = re.compile(
    r"<([a-z][a-z0-9]*)\b[^>]*\b(?:style\s*=\s*\"[^\"]*\"|hidden\b)[^>]*>", re.IGNORECASE
)
_MD_LINK = re.compile(r"(!?)\[([^\]]*)\]\(\s*<?([^)\s>]*)>?[^)]*\)")
_SAFE_SCHEMES = {"http", "https", "mailto", ""}


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def screen_text(text: str) -> str | None:
    """The reason a passage's text is flagged, or None when it reads as ordinary content."""
    if said := instruction_in(text):
        return f"instruction: {_shorten(said)}"
    if _INVISIBLE.search(text):
        return "hidden_text: invisible characters"
    for comment in _COMMENT.finditer(text):
        if re.search(r"\w{3}", comment.group(1)):
            return f"hidden_text: comment «{_shorten(comment.group(1), 60)}»"
    for tag in _HIDDEN_TAG.finditer(text):
        if tag.group(0).lower().find("hidden") >= 0 or _HIDDEN_STYLE.search(tag.group(0)):
            return f"hidden_text: {_shorten(tag.group(0), 60)}"
    return None


def safe_url(url: str | None) -> str | None:
    """``url`` if it may be a document's source link (an absolute http(s) URL), else None:
    ``javascript:``, ``data:`` or a relative path must never become a link target in a page."""
    if not url:
        return None
    url = url.strip()
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    parsed = urlparse(url)
    return url if parsed.scheme.lower() in ("http", "https") and parsed.netloc else None


def screen_markdown_links(line: str) -> str | None:
    """A flag for a Markdown line whose images load from a host, or whose links are not web links.

    Run before links are reduced to their text: the target is what makes a link dangerous.
    """
    for match in _MD_LINK.finditer(line):
        is_image, target = match.group(1) == "!", match.group(3)
        scheme = urlparse(target).scheme.lower()
        if scheme not in _SAFE_SCHEMES:
            return f"unsafe_link: {_shorten(target, 60)}"
        if is_image and scheme in ("http", "https"):
            # A remote image is fetched when rendered: an answer repeating it leaks to that host.
            return f"remote_image: {urlparse(target).hostname or target}"
        if "{" in target or "%7b" in target.lower():
            return f"unsafe_link: {_shorten(target, 60)}"
    return None


class _HiddenText(HTMLParser):
    """Collects the text inside elements a browser would not show."""

    VOID = {"br", "img", "hr", "meta", "link", "input", "source", "wbr", "area", "base", "col"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []
        self.hidden: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        values = dict(attrs)
        hidden = (
            "hidden" in values
            or values.get("aria-hidden") == "true"
            or bool(_HIDDEN_STYLE.search(values.get("style") or ""))
        )
        self.stack.append(hidden or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] and data.strip():
            self.hidden.append(" ".join(data.split()))


def hidden_html_text(html: str) -> list[str]:
    """Text runs a browser hides (``hidden``, ``display:none``, zero font size …), at least 12 chars."""
    parser = _HiddenText()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # malformed markup: what was collected so far stands
        pass
    return [t for t in parser.hidden if len(t) >= 12]


_DOCX_RUN = re.compile(r"<w:r[ >].*?</w:r>", re.DOTALL)
_DOCX_HIDDEN = re.compile(r"<w:vanish(?:\s*/>|\s+w:val=\"(?:true|1|on)\"\s*/>)|<w:color\s+w:val=\"FFFFFF\"")
_DOCX_TEXT = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>")


def hidden_docx_text(document_xml: str) -> list[str]:
    """Text in Word runs a reader does not see: marked hidden (``w:vanish``) or white."""
    runs: list[str] = []
    current: list[str] = []
    for run in _DOCX_RUN.finditer(document_xml):
        xml = run.group(0)
        if _DOCX_HIDDEN.search(xml):
            current.append("".join(_DOCX_TEXT.findall(xml)))
        elif current:
            runs.append(" ".join("".join(current).split()))
            current = []
    if current:
        runs.append(" ".join("".join(current).split()))
    return [r for r in runs if len(r) >= 12]
