"""Errors of the knowledge package; each message says what went wrong, where, and what to do.

    KnowledgeError
    ├── DocumentUnreadable   one file cannot be read (the rest of an ingest goes on)
    ├── IndexUnavailable     the vector index cannot be opened or reached
    └── EmbedderUnavailable  the embedding model is missing or broken
"""

from __future__ import annotations


class KnowledgeError(Exception):
    """Base of the knowledge package's errors."""


class DocumentUnreadable(KnowledgeError):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexUnavailable(KnowledgeError):
    """The Chroma index cannot be opened (wrong version, corrupt folder) or the server is unreachable."""


class EmbedderUnavailable(KnowledgeError):
    """The embedding model files are missing or cannot be loaded."""
