"""Chunking by structure: blocks under the same headings are packed together up to a size,
a new heading path starts a new chunk, an over-long block is split at sentences, and each chunk
repeats the end of the previous one in the same section (overlap) so an answer that straddles
a boundary is still found whole in one of them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from troupe_api.knowledge.parsing import Block

MAX_CHARS = 900  # ~200 tokens: under the embedding model's 256-token window
OVERLAP_CHARS = 150


@dataclass(frozen=True)
class Chunk:
    text: str
    heading_path: str
    page: int | None


def _split_long(text: str, limit: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    sentences = re.split(r"(?<=[.!?])\s+", text)
    parts: list[str] = []
    current = ""
    for sentence in sentences:
        while len(sentence) > limit:  # a "sentence" with no stops: cut at a space
            cut = sentence.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            if current:
                parts.append(current)
                current = ""
            parts.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if current and len(current) + 1 + len(sentence) > limit:
            parts.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        parts.append(current)
    return parts


def _tail(text: str, size: int) -> str:
    if len(text) <= size:
        return text
    cut = text.find(" ", len(text) - size)
    return text[cut + 1 :] if cut != -1 else text[-size:]


def chunk_blocks(
    blocks: list[Block], *, max_chars: int = MAX_CHARS, overlap_chars: int = OVERLAP_CHARS
) -> list[Chunk]:
    chunks: list[Chunk] = []
    current: list[str] = []
    current_len = 0
    current_path: str | None = None
    current_page: int | None = None

    def emit() -> None:
        nonlocal current, current_len
        if current:
            chunks.append(Chunk(" ".join(current), current_path or "", current_page))
        current, current_len = [], 0

    for block in blocks:
        path = " > ".join(h for h in block.headings if h)
        if path != current_path:
            emit()
            current_path, current_page = path, block.page
        for piece in _split_long(block.text, max_chars - overlap_chars):
            if current and current_len + 1 + len(piece) > max_chars:
                previous = " ".join(current)
                emit()
                overlap = _tail(previous, overlap_chars)
                current, current_len = [overlap], len(overlap)
                current_page = block.page
            if not current:
                current_page = block.page
            current.append(piece)
            current_len += len(piece) + 1
    emit()
    return chunks
