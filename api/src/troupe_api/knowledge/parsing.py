"""Turning an uploaded file into structured text blocks, or a clear error.

The type is decided from the bytes, not trusted from the name or the declared content type:
a file whose declared type disagrees with its content is refused (``type_mismatch``). Archives
(zip, gzip, Office files) are refused unopened, so a zip bomb is never inflated. Text must be
UTF-8. A PDF must have a text layer (encrypted or scanned PDFs are refused with that reason)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from markdown_it import MarkdownIt
from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError
from selectolax.lexbor import LexborHTMLParser

PDF, MARKDOWN, HTML, TEXT = "pdf", "markdown", "html", "text"

_EXTENSIONS = {
    ".pdf": PDF,
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
    ".html": HTML,
    ".htm": HTML,
    ".txt": TEXT,
    ".text": TEXT,
}
_CONTENT_TYPES = {
    "application/pdf": PDF,
    "text/markdown": MARKDOWN,
    "text/x-markdown": MARKDOWN,
    "text/html": HTML,
    "text/plain": TEXT,
}
_ARCHIVE_MAGIC = {
    b"PK\x03\x04": "a zip archive (or an Office document)",
    b"\x1f\x8b": "a gzip archive",
    b"BZh": "a bzip2 archive",
    b"\xfd7zXZ\x00": "an xz archive",
    b"7z\xbc\xaf\x27\x1c": "a 7z archive",
    b"Rar!": "a rar archive",
}


class DocumentError(Exception):
    """A file that cannot become knowledge; ``code`` is stable, ``message`` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Block:
    """One paragraph-level piece of text, with the headings above it."""

    text: str
    headings: list[str] = field(default_factory=list)
    page: int | None = None


@dataclass
class Parsed:
    kind: str
    blocks: list[Block]
    pages: int


def declared_kind(filename: str, content_type: str | None) -> str | None:
    ext = PurePath(filename).suffix.lower()
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    base = (content_type or "").split(";")[0].strip().lower()
    return _CONTENT_TYPES.get(base)


def sniff(data: bytes) -> str:
    """The kind the bytes are: ``pdf``, ``binary:<what>`` or ``text``."""
    head = data[:1024]
    if head.lstrip()[:5] == b"%PDF-":
        return PDF
    for magic, what in _ARCHIVE_MAGIC.items():
        if head.startswith(magic):
            return f"binary:{what}"
    if b"\x00" in data[:8192]:
        return "binary:a binary file"
    return TEXT


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            "encoding_invalid",
            f"The file is not UTF-8 text (invalid byte at offset {exc.start}). "
            "Save it as UTF-8 and upload it again.",
        ) from exc


def parse(data: bytes, *, filename: str, content_type: str | None, max_pages: int) -> Parsed:
    if not data.strip():
        raise DocumentError("empty_file", "The file is empty.")
    declared = declared_kind(filename, content_type)
    if declared is None:
        raise DocumentError(
            "unsupported_type",
            "Only PDF, Markdown, HTML and plain text files can be added to a knowledge base.",
        )
    actual = sniff(data)
    if actual.startswith("binary:"):
        what = actual.removeprefix("binary:")
        if declared == PDF:
            raise DocumentError("type_mismatch", f"The file is named as a PDF but is {what}.")
        raise DocumentError(
            "unsupported_type" if declared is None else "type_mismatch",
            f"The file is {what}, not a {declared} file; archives are not opened.",
        )
    if declared == PDF and actual != PDF:
        raise DocumentError("type_mismatch", "The file is named as a PDF but is not one.")
    if actual == PDF and declared != PDF:
        raise DocumentError("type_mismatch", f"The file is a PDF but is named as {declared}.")
    if declared == PDF:
        return _parse_pdf(data, max_pages=max_pages)
    text = _decode(data)
    if not text.strip():
        raise DocumentError("empty_file", "The file has no text.")
    if declared == MARKDOWN:
        blocks = parse_markdown(text)
    elif declared == HTML:
        blocks = parse_html(text)
    else:
        blocks = parse_text(text)
    if not blocks:
        raise DocumentError("no_text", "No text was found in the file.")
    return Parsed(kind=declared, blocks=blocks, pages=1)


def _parse_pdf(data: bytes, *, max_pages: int) -> Parsed:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                unlocked = bool(reader.decrypt(""))
            except (PyPdfError, NotImplementedError):
                unlocked = False
            if not unlocked:
                raise DocumentError(
                    "pdf_encrypted",
                    "The PDF is password-protected. Upload a copy without a password.",
                )
        pages = len(reader.pages)
        if pages > max_pages:
            raise DocumentError(
                "too_many_pages", f"The PDF has {pages} pages; the limit is {max_pages}."
            )
        blocks: list[Block] = []
        for number, page in enumerate(reader.pages, start=1):
            for para in _paragraphs(page.extract_text() or ""):
                blocks.append(Block(text=para, page=number))
    except DocumentError:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise DocumentError("pdf_invalid", f"The PDF could not be read ({exc}).") from exc
    if not blocks:
        raise DocumentError(
            "pdf_no_text",
            "The PDF has no text layer (a scanned document?). Text recognition is not "
            "supported: upload a PDF with selectable text.",
        )
    return Parsed(kind=PDF, blocks=blocks, pages=pages)


def _paragraphs(text: str) -> list[str]:
    paras = re.split(r"\n\s*\n", text)
    out = []
    for para in paras:
        clean = re.sub(r"[ \t]+", " ", para.replace("\r", "")).strip()
        # PDF text keeps the line breaks of the layout: join them back into sentences.
        clean = re.sub(r"-\n(?=\w)", "", clean)
        clean = re.sub(r"\s*\n\s*", " ", clean)
        if clean:
            out.append(clean)
    return out


def parse_text(text: str) -> list[Block]:
    return [Block(text=p) for p in _paragraphs(text)]


def parse_markdown(text: str) -> list[Block]:
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    headings: list[tuple[int, str]] = []
    blocks: list[Block] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            level = int(tok.tag[1:])
            title = tokens[i + 1].content.strip() if i + 1 < len(tokens) else ""
            headings = [h for h in headings if h[0] < level] + [(level, title)]
            i += 3
            continue
        if tok.type == "inline" and tok.content.strip():
            blocks.append(
                Block(
                    text=re.sub(r"\s*\n\s*", " ", tok.content.strip()),
                    headings=[h[1] for h in headings],
                )
            )
        elif tok.type in ("fence", "code_block") and tok.content.strip():
            blocks.append(Block(text=tok.content.strip(), headings=[h[1] for h in headings]))
        i += 1
    return blocks


_HTML_BLOCKS = "h1,h2,h3,h4,h5,h6,p,li,pre,blockquote,td,th,dt,dd"


def parse_html(text: str) -> list[Block]:
    tree = LexborHTMLParser(text)
    for node in tree.css("script,style,noscript,nav,footer,template"):
        node.decompose()
    headings: list[tuple[int, str]] = []
    blocks: list[Block] = []
    root = tree.body or tree.root
    if root is None:
        return []
    for node in root.css(_HTML_BLOCKS):
        # A block inside another block (a <p> in an <li>) is read with its parent.
        parent = node.parent
        nested = False
        while parent is not None:
            if parent.tag in {"p", "li", "pre", "blockquote", "td", "th", "dt", "dd"}:
                nested = True
                break
            parent = parent.parent
        if nested:
            continue
        content = re.sub(r"\s+", " ", node.text(separator=" ")).strip()
        if not content:
            continue
        if node.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            level = int(node.tag[1])
            headings = [h for h in headings if h[0] < level] + [(level, content)]
            continue
        blocks.append(Block(text=content, headings=[h[1] for h in headings]))
    return blocks
