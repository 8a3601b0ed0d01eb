"""The lexical index: BM25 (bm25s) with English stopwords and the Snowball stemmer.

Saved beside the dense index under a label naming the content it was built from (the knowledge
base uses the index's version stamp), so a copy is loaded only for exactly that content: a stale
copy is never used, however similar its chunk ids.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import uuid
from pathlib import Path
from typing import Sequence

from knowledge.documents import Chunk

STAMP = "tactful-bm25.json"
_LABEL = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_WRITING = ".writing-"


class BM25Index:
    def __init__(self) -> None:
        import bm25s  # noqa: F401  (imported first: it sets its own logger to DEBUG on import)
        import Stemmer

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        self._stemmer = Stemmer.Stemmer("english")
        self._retriever = None
        self.chunk_ids: list[str] = []
        self._vocab: dict[str, int] = {}

    def _tokens(self, texts: list[str]) -> list[list[str]]:
        import bm25s

        return bm25s.tokenize(texts, stopwords="en", stemmer=self._stemmer, return_ids=False, show_progress=False)

    def build(self, chunks: Sequence[Chunk]) -> None:
        import bm25s

        self.chunk_ids = [c.chunk_id for c in chunks]
        if not chunks:
            self._retriever = None
            return
        retriever = bm25s.BM25()
        retriever.index(self._tokens([c.text for c in chunks]), show_progress=False)
        self._retriever = retriever
        self._vocab = retriever.vocab_dict

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        if self._retriever is None or k <= 0:
            return []
        tokens = [t for t in self._tokens([query])[0] if t in self._vocab]
        if not tokens:
            return []
        k = min(k, len(self.chunk_ids))
        docs, scores = self._retriever.retrieve([tokens], k=k, show_progress=False, n_threads=1)
        return [(self.chunk_ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    def save(self, folder: Path, label: str) -> None:
        """Save as ``folder/label`` and remove the copies saved under other labels.

        Several processes may share the folder: the copy is written aside and renamed into place, so a
        reader finds it whole or not at all; when two write the same label, the first one stays.
        """
        _check_label(label)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / label
        if not target.exists():
            scratch = folder / f"{_WRITING}{uuid.uuid4().hex}"
            try:
                scratch.mkdir()
                if self._retriever is not None:
                    self._retriever.save(str(scratch), show_progress=False)
                (scratch / STAMP).write_text(json.dumps({"label": label, "chunk_ids": self.chunk_ids}),
                                             encoding="utf-8")
                scratch.rename(target)
            except OSError:
                if not target.exists():
                    raise
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
        _remove_other_copies(folder, keep=label)

    @classmethod
    def load(cls, folder: Path, label: str) -> "BM25Index | None":
        """The copy saved under ``label``, or None when there is none or it is unreadable."""
        import bm25s

        _check_label(label)
        copy = folder / label
        try:
            meta = json.loads((copy / STAMP).read_text(encoding="utf-8"))
            if meta.get("label") != label:
                return None
            index = cls()
            index.chunk_ids = list(meta["chunk_ids"])
            if index.chunk_ids:
                index._retriever = bm25s.BM25.load(str(copy), show_progress=False, verbosity=0)
                index._vocab = index._retriever.vocab_dict
            return index
        except (OSError, ValueError, KeyError, TypeError):
            return None


def _check_label(label: str) -> None:
    if not _LABEL.match(label or ""):
        raise ValueError(f"a BM25 copy's label must be 1-128 letters, digits, '_' or '-', not {label!r}")


def _remove_other_copies(folder: Path, keep: str) -> None:
    """Older copies (and files of the layout before labels) are of no use to anyone any more.

    Copies still being written by another process are left alone; a reader loading an old copy while it
    goes gets None and rebuilds.
    """
    for entry in folder.iterdir():
        if entry.name == keep or entry.name.startswith(_WRITING):
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
