"""``SentenceVectorStore``: passage-sentence vectors kept on disk beside the index, so a restart does not
embed them all again.

The extractive answer ranks the retrieved passages' sentences by meaning, and embedding those sentences
was most of a cold turn's time (20-60 ms with MiniLM), paid again by every new process. This is a small
SQLite file in the index folder, ``<index_dir>/<collection>.sentence-vectors.sqlite3``:

- one row a text: the key is the sha256 of the embedder's name and the text (no text is stored), the value
  the vector as little-endian float16 (768 bytes for MiniLM's 384 dimensions);
- bounded: past ``max_rows`` the oldest rows (by insertion) are dropped, so the file stays near
  ``max_rows`` x ~0.9 KB for MiniLM (200,000 rows: about 180 MB);
- shared: WAL mode and a short busy timeout let the workers of one machine read and write it at once;
  each call opens its own short-lived connection, so threads and forked workers never share one;
- a few bookkeeping ``notes`` beside them (which version of the index was primed, see ``agent.sentence_priming``);
- only a cache: a read or write that fails (locked past the timeout, disk full, a damaged or read-only
  file) is logged at WARNING once, the store is left alone for ``retry_after_s``, and the caller embeds
  in memory as if it were empty. Deleting the file is always safe.

Vectors go through float16 on the way in (``as_stored``); callers that mix stored and fresh vectors round
the fresh ones the same way, so a ranking never depends on where a vector came from.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Mapping, Sequence

import numpy as np

if TYPE_CHECKING:
    from knowledge.base import KnowledgeBase

log = logging.getLogger("tactful.knowledge")

#: About 0.9 KB a MiniLM row with its key, its index entry and SQLite's overhead (measured): some 180 MB at most.
DEFAULT_MAX_ROWS = 200_000
#: How long a call waits for another process's write before giving up (a turn must not wait long on a cache).
DEFAULT_BUSY_TIMEOUT_S = 0.25
#: After a failure the store is not tried again for this long: a full disk or a damaged file fails fast
#: anyway, but a long-held lock would cost every turn the busy timeout.
DEFAULT_RETRY_AFTER_S = 60.0
#: Keys per ``IN (...)`` list: well under SQLite's bound-parameter limit on every version.
_KEYS_PER_QUERY = 500
_STORED_DTYPE = np.dtype("<f2")

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS sentence_vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS notes (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
)


def sentence_vectors_path(index_dir: Path, collection: str) -> Path:
    """Where a collection's sentence vectors live: beside its manifest and keyword index."""
    return Path(index_dir) / f"{collection}.sentence-vectors.sqlite3"


def as_stored(vectors: np.ndarray) -> np.ndarray:
    """``vectors`` as they come back from the store (through float16), as float32.

    For unit-length embeddings a cosine moves by about 1e-3 at most; what matters is that a fresh vector
    and a stored one are then bit for bit the same.
    """
    return np.asarray(vectors, dtype=np.float32).astype(_STORED_DTYPE).astype(np.float32)


class SentenceVectorStore:
    """Vectors of one embedder by text, in a SQLite file several processes may share; never raises on I/O."""

    def __init__(self, path: Path, embedder_name: str, dimension: int | None = None, *,
                 max_rows: int = DEFAULT_MAX_ROWS, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
                 retry_after_s: float = DEFAULT_RETRY_AFTER_S) -> None:
        if max_rows < 1:
            raise ValueError(f"max_rows must be 1 or more, got {max_rows}")
        if not embedder_name:
            raise ValueError("a sentence-vector store needs the embedder's name: vectors of two models must not mix")
        self.path = Path(path)
        self.embedder_name = embedder_name
        self.dimension = dimension
        self.max_rows = max_rows
        self.busy_timeout_s = busy_timeout_s
        self.retry_after_s = retry_after_s
        self._prefix = embedder_name.encode("utf-8") + b"\x00"
        self._lock = threading.Lock()  # guards the fields below, never held during I/O
        self._ready = False  # the schema is known to exist
        self._paused_until = 0.0
        self._warned = False

    @classmethod
    def beside(cls, knowledge: "KnowledgeBase", **options) -> "SentenceVectorStore":
        """The store for ``knowledge``'s collection and embedder, in its index folder."""
        embedder = knowledge.embedder
        return cls(sentence_vectors_path(knowledge.index_dir, knowledge.collection), embedder.name,
                   getattr(embedder, "dimension", None), **options)

    # -- reading --------------------------------------------------------------------------------
    def read(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of those ``texts`` that have one (float32, see ``as_stored``); {} on failure."""
        keys = self._keys(texts)
        found = self._guarded("read", lambda conn: dict(self._select(conn, list(keys), with_vectors=True)), {})
        width = self.dimension * _STORED_DTYPE.itemsize if self.dimension else None
        out = {}
        for key, blob in found.items():
            if width is None or len(blob) == width:  # a row of another size is not this embedder's: a miss
                out[keys[key]] = np.frombuffer(blob, dtype=_STORED_DTYPE).astype(np.float32)
        return out

    def missing(self, texts: Sequence[str]) -> list[str]:
        """Those of ``texts`` with no stored vector, in order, once each (all of them when the store fails)."""
        keys = self._keys(texts)
        present = self._guarded("read", lambda conn: {k for k, _ in self._select(conn, list(keys))}, set())
        return [text for key, text in keys.items() if key not in present]

    def count(self) -> int:
        """Rows in the file, every embedder's (0 when it cannot be read)."""
        counted = self._guarded("count", lambda conn: conn.execute("SELECT count(*) FROM sentence_vectors").fetchone(),
                                None)
        return counted[0] if counted else 0

    def note(self, name: str) -> str | None:
        """A small bookkeeping value kept in the file (e.g. which index version was primed); None if unset."""
        row = self._guarded("read", lambda conn: conn.execute("SELECT value FROM notes WHERE name = ?",
                                                              (name,)).fetchone(), None)
        return row[0] if row else None

    # -- writing --------------------------------------------------------------------------------
    def write(self, vectors: Mapping[str, np.ndarray]) -> bool:
        """Store ``vectors`` (text -> vector) in one transaction, then drop the oldest rows over ``max_rows``.

        Texts already stored keep their row (and their age). False when the write failed (already logged).
        """
        if not vectors:
            return True
        rows = [(self._key(text), as_stored(vector).astype(_STORED_DTYPE).tobytes())
                for text, vector in vectors.items()]

        def insert(conn: sqlite3.Connection) -> bool:
            with conn:  # one transaction: every row or none
                conn.executemany("INSERT OR IGNORE INTO sentence_vectors (key, vector) VALUES (?, ?)", rows)
                # Rows are only ever deleted oldest first, so rowids stay contiguous and this keeps the newest
                # max_rows without counting the table.
                conn.execute("DELETE FROM sentence_vectors WHERE rowid <= "
                             "(SELECT max(rowid) FROM sentence_vectors) - ?", (self.max_rows,))
            return True

        return self._guarded("write", insert, False)

    def set_note(self, name: str, value: str) -> bool:
        """Keep ``value`` under ``name`` (replacing it); False when the write failed (already logged)."""
        def put(conn: sqlite3.Connection) -> bool:
            with conn:
                conn.execute("INSERT OR REPLACE INTO notes (name, value) VALUES (?, ?)", (name, value))
            return True

        return self._guarded("write", put, False)

    # -- the file -------------------------------------------------------------------------------------
    def _key(self, text: str) -> bytes:
        return hashlib.sha256(self._prefix + text.encode("utf-8", "surrogatepass")).digest()

    def _keys(self, texts: Sequence[str]) -> dict[bytes, str]:
        return {self._key(text): text for text in dict.fromkeys(texts)}

    def _select(self, conn: sqlite3.Connection, keys: list[bytes],
                with_vectors: bool = False) -> Iterator[tuple[bytes, bytes | None]]:
        columns = "key, vector" if with_vectors else "key, NULL"
        for start in range(0, len(keys), _KEYS_PER_QUERY):
            part = keys[start:start + _KEYS_PER_QUERY]
            marks = ",".join("?" * len(part))
            yield from conn.execute(f"SELECT {columns} FROM sentence_vectors WHERE key IN ({marks})", part)

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # Python's default transaction handling: ``with conn`` wraps the writes in one transaction, reads autocommit.
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout_s)
        try:
            if not self._ready:
                conn.execute("PRAGMA journal_mode=WAL")  # kept by the file: readers never wait for a writer
                for statement in _SCHEMA:
                    conn.execute(statement)
                self._ready = True
            conn.execute("PRAGMA synchronous=NORMAL")  # a cache: losing the last write in a power cut is fine
        except BaseException:
            conn.close()
            raise
        return conn

    def _guarded(self, what: str, action, failed):
        """``action(connection)``, or ``failed`` when the file cannot be used now (logged once a process)."""
        with self._lock:
            if time.monotonic() < self._paused_until:
                return failed
        try:
            with closing(self._connect()) as conn:
                return action(conn)
        except (sqlite3.Error, OSError) as exc:
            with self._lock:
                self._paused_until = time.monotonic() + self.retry_after_s
                self._ready = False  # the file may have been replaced: check the schema again next time
                first, self._warned = not self._warned, True
            (log.warning if first else log.debug)(
                "could not %s the sentence-vector cache %s (%s: %s). Answers are unaffected, but passage sentences "
                "are embedded again instead of read from it. It is only a cache: if the file is damaged, delete it; "
                "if the disk is full or the folder read-only, free space or fix its permissions. Trying it again "
                "in %.0f s.", what, self.path, type(exc).__name__, exc, self.retry_after_s)
            return failed
