"""What a file must be before it is parsed: inside its folder, within the limits, what its name says.

Every check raises :class:`Refused` with one line, Swedish first then English ("inget textlager –
behöver OCR / no text layer — needs OCR"), so a report over many files stays one line per file.
The type is read from the bytes, never trusted from the extension: an executable or a ZIP named
``.pdf`` is refused, a DOCX must be a Word package, and a package that would unpack past the limit
(a decompression bomb) is refused before any part of it is read.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path


class Refused(Exception):
    """A file that will not be indexed, with the one-line reason a user is shown."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 20 * 1024 * 1024
    max_unpacked_bytes: int = 200 * 1024 * 1024
    max_pdf_pages: int = 2000


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n} B"


def check_path(path: Path, root: Path) -> None:
    """Refuse a symlink loop, a link out of ``root``, and anything that is not a regular file."""
    try:
        resolved = path.resolve(strict=True)
    except RuntimeError as exc:  # Python 3.11 raises this for a symlink loop
        raise Refused("symbolisk länk i en slinga / symlink loop") from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Refused("symbolisk länk i en slinga / symlink loop") from exc
        if path.is_symlink():
            raise Refused("länken pekar på en fil som inte finns / dangling symlink") from exc
        raise Refused("finns inte / not found") from exc
    if not resolved.is_relative_to(root.resolve()):
        raise Refused(
            "länken pekar utanför mappen och följs inte / the link points outside the folder, not followed"
        )
    if not resolved.is_file():
        raise Refused("inte en vanlig fil / not a regular file")


def check_size(path: Path, limits: Limits) -> int:
    size = path.stat().st_size
    if size == 0:
        raise Refused("filen är tom / the file is empty")
    if size > limits.max_file_bytes:
        raise Refused(
            f"filen är för stor ({_mb(size)}, högst {_mb(limits.max_file_bytes)}) / "
            f"the file is too large ({_mb(size)}, at most {_mb(limits.max_file_bytes)})"
        )
    return size


_EXECUTABLE = (b"\x7fELF", b"MZ", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce", b"\xca\xfe\xba\xbe", b"#!")
_ARCHIVES = (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh", b"\xfd7zXZ")


def sniff(head: bytes) -> str:
    """What the first bytes say the file is: pdf, zip, executable, archive, binary or text."""
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(_EXECUTABLE):
        return "executable"
    if head.startswith(_ARCHIVES):
        return "archive"
    if b"%PDF-" in head[:1024]:  # readers accept a header anywhere in the first KB
        return "pdf"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "text"
    if b"\x00" in head:
        return "binary"
    return "text"


_KIND_SV = {
    "pdf": "en PDF",
    "zip": "ett ZIP-arkiv",
    "executable": "ett program",
    "archive": "ett komprimerat arkiv",
    "binary": "binärdata",
    "text": "text",
}
_EXPECTED = {".pdf": {"pdf"}, ".docx": {"zip"}}


def check_type(path: Path) -> str:
    """Refuse a file whose bytes are not what its extension claims; returns the sniffed kind."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    kind = sniff(head)
    suffix = path.suffix.lower()
    expected = _EXPECTED.get(suffix, {"text"})
    if kind not in expected:
        raise Refused(f"innehållet är {_KIND_SV[kind]}, inte {suffix} / the content is {kind}, not {suffix}")
    return kind


def check_docx(path: Path, limits: Limits) -> None:
    """A Word package within the unpack limit; read from the ZIP directory, nothing unpacked."""
    try:
        with zipfile.ZipFile(path) as package:
            infos = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Refused("trasigt Word-dokument / corrupt Word document") from exc
    names = {i.filename for i in infos}
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise Refused("ZIP-arkivet är inget Word-dokument / the ZIP archive is not a Word document")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > limits.max_unpacked_bytes or len(infos) > 10_000:
        raise Refused(
            f"packas upp till {_mb(unpacked)}, högst {_mb(limits.max_unpacked_bytes)} tillåts "
            f"(dekomprimeringsbomb?) / unpacks to {_mb(unpacked)}, over the "
            f"{_mb(limits.max_unpacked_bytes)} limit (decompression bomb?)"
        )


def check_file(path: Path, root: Path, limits: Limits) -> None:
    """All checks that need no parser, cheapest first."""
    check_path(path, root)
    check_size(path, limits)
    check_type(path)
    if path.suffix.lower() == ".docx":
        check_docx(path, limits)


# --- decoding --------------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# WHATWG: the Latin-1 labels mean windows-1252 in a web page.
_WEB_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252"}


def _bom(data: bytes) -> str | None:
    return next((name for bom, name in _BOMS if data.startswith(bom)), None)


def decode_text(data: bytes) -> str:
    """Plain text and Markdown: UTF-8 (a BOM, also UTF-16's, is honoured); anything else is refused,
    since a guess would index garbled words that no question matches."""
    encoding = _bom(data) or "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise Refused(
            "inte UTF-8-text (spara filen som UTF-8) / not UTF-8 text (save the file as UTF-8)"
        ) from exc
    return _without_controls(text)


def decode_html(data: bytes) -> str:
    """A web page by the HTML rule: a BOM; else the charset the page declares (``<meta charset>``,
    ``http-equiv`` or an XML declaration) when it decodes; else UTF-8 when valid; else windows-1252,
    what browsers assume for a Swedish page that declares nothing."""
    if encoding := _bom(data):
        return _without_controls(data.decode(encoding, errors="replace"))
    head = data[:4096]
    declared = _META_CHARSET.search(head) or _XML_DECL.search(head)
    candidates = []
    if declared:
        label = declared.group(1).decode("ascii").lower()
        candidates.append(_WEB_ALIASES.get(label, label))
    candidates += ["utf-8", "cp1252"]
    for encoding in candidates:
        try:
            return _without_controls(data.decode(encoding))
        except (UnicodeDecodeError, LookupError):
            continue
    return _without_controls(data.decode("cp1252", errors="replace"))


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _without_controls(text: str) -> str:
    """Control characters (a stray NUL, form feeds) carry no text and upset the indexes."""
    return _CONTROLS.sub(" ", text)


def read_limited(path: Path, limits: Limits) -> bytes:
    """The file's bytes, refusing it if it grew past the limit since it was checked."""
    with path.open("rb") as fh:
        data = fh.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        raise Refused(f"filen är för stor (över {_mb(limits.max_file_bytes)}) / the file is too large")
    return data


def safe_name(name: str) -> str:
    """A file name from outside (an upload) reduced to its last part: no folders, no ``..``,
    no control characters, no leading dot. Refused if nothing is left."""
    base = os.path.basename(name.replace("\\", "/")).strip()
    base = _CONTROLS.sub("", base).lstrip(".")
    if not base or base in {".", ".."}:
        raise Refused("ogiltigt filnamn / invalid file name")
    return base
