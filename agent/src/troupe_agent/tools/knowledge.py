"""``search_knowledge_base``: a pluggable interface and a small local default.

The default, ``KeywordKnowledgeBase``, is Okapi BM25 over word tokens of short passages
(documents are split into paragraphs). It finds passages that share words with the query; it
does not understand synonyms or paraphrase. A vector store or hosted RAG service plugs in by
implementing ``KnowledgeBase.search``."""

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

TOKEN = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    "a an and are as at be by for from has have how i in is it of on or that the this to was "
    "what when where which who why will with you your".split()
)
TEXT_SUFFIXES = (".md", ".txt", ".rst")
MAX_PASSAGE_CHARS = 1200


def _stem(token: str) -> str:
    """Plural folding only ("refunds" -> "refund"); no real stemmer."""
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def tokenize(text: str) -> list[str]:
    return [_stem(t) for t in TOKEN.findall(text.lower()) if t not in STOPWORDS]


@dataclass(frozen=True)
class Passage:
    source: str
    text: str


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float


class KnowledgeBase(Protocol):
    def search(self, query: str, *, limit: int = 3) -> list[Hit]: ...


def split_passages(source: str, text: str) -> list[Passage]:
    out: list[Passage] = []
    for block in re.split(r"\n\s*\n", text):
        block = " ".join(block.split())
        while block:
            out.append(Passage(source, block[:MAX_PASSAGE_CHARS]))
            block = block[MAX_PASSAGE_CHARS:]
    return out


class KeywordKnowledgeBase:
    def __init__(
        self, documents: dict[str, str] | None = None, *, k1: float = 1.5, b: float = 0.75
    ) -> None:
        self.k1, self.b = k1, b
        self.passages: list[Passage] = []
        self._tf: list[Counter[str]] = []
        self._df: Counter[str] = Counter()
        for source, text in (documents or {}).items():
            self.add(source, text)

    @classmethod
    def from_folder(cls, folder: Path) -> "KeywordKnowledgeBase":
        kb = cls()
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES:
                    kb.add(str(path.relative_to(folder)), path.read_text(encoding="utf-8"))
        return kb

    def add(self, source: str, text: str) -> None:
        for passage in split_passages(source, text):
            tf = Counter(tokenize(passage.text))
            if not tf:
                continue
            self.passages.append(passage)
            self._tf.append(tf)
            self._df.update(tf.keys())

    def search(self, query: str, *, limit: int = 3) -> list[Hit]:
        terms = set(tokenize(query))
        if not terms or not self.passages:
            return []
        n = len(self.passages)
        avg_len = sum(sum(tf.values()) for tf in self._tf) / n
        hits: list[Hit] = []
        for passage, tf in zip(self.passages, self._tf, strict=True):
            length = sum(tf.values())
            score = 0.0
            for term in terms & tf.keys():
                idf = math.log(1 + (n - self._df[term] + 0.5) / (self._df[term] + 0.5))
                freq = tf[term]
                score += (
                    idf
                    * freq
                    * (self.k1 + 1)
                    / (freq + self.k1 * (1 - self.b + self.b * length / avg_len))
                )
            if score > 0:
                hits.append(Hit(passage, score))
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:limit]
