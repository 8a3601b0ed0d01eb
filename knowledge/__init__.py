"""Tactful's knowledge: load a business's documents, chunk, embed, index (Chroma + BM25), retrieve.

Usable on its own; never imports ``agent``. Importing it is cheap: chromadb, onnxruntime, bm25s, pypdf
and BeautifulSoup are imported only when first used.

    kb = KnowledgeBase.open(Path("var/index"), "bakery", MiniLMEmbedder())
    kb.ingest([Path("knowledge/demo/bakery")])
    for passage in kb.search("Do you have gluten-free bread?"):
        print(passage.relevance, passage.chunk.citation)
"""

from knowledge.base import IngestReport, KnowledgeBase
from knowledge.chunking import chunk_document
from knowledge.documents import Chunk, Document, RetrievedPassage
from knowledge.embeddings import Embedder, HashEmbedder, MiniLMEmbedder
from knowledge.errors import DocumentUnreadable, EmbedderUnavailable, IndexUnavailable, KnowledgeError
from knowledge.lexical_index import BM25Index
from knowledge.loaders import LoadResult, SkippedFile, load_path
from knowledge.retrieval import HybridRetriever
from knowledge.vector_index import ChromaIndex

__all__ = [
    "KnowledgeBase", "IngestReport", "HybridRetriever", "ChromaIndex", "BM25Index",
    "Embedder", "MiniLMEmbedder", "HashEmbedder",
    "Chunk", "Document", "RetrievedPassage", "LoadResult", "SkippedFile", "load_path", "chunk_document",
    "KnowledgeError", "DocumentUnreadable", "IndexUnavailable", "EmbedderUnavailable",
]
