"""A bounded in-process copy of the chunks a search reads, valid for one version stamp of the index.

Every search reads its 20-40 candidate chunks (text, fields and vector) from Chroma to score them:
2-3 ms a turn embedded, a network round trip with a Chroma server, for chunks that are mostly the same
ones turn after turn (a shop's questions keep landing on its opening hours and delivery pages). The
knowledge base keeps the ones it has read here and forgets them all whenever the index's stamp changes
(its own writes at once; another process's within ``knowledge.lexical_refresh_s``, as for BM25).

A read that began before a change is never kept after it: each entry is stored only if the cache's
generation is still the one its read started under.
"""

from __future__ import annotations

from typing import Callable, Generic, Sequence, TypeVar

from knowledge.lru import BoundedLru

Record = TypeVar("Record")

#: About 3 KB a chunk (text and a 384-dimension vector): some 12 MB at most.
DEFAULT_CAPACITY = 4096


class ChunkCache(Generic[Record]):
    """Least recently used chunk records by id; ``read(ids, fetch)`` fetches only the ones it lacks."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._records: BoundedLru[str, Record] = BoundedLru(capacity)

    def read(self, chunk_ids: Sequence[str], fetch: Callable[[list[str]], dict[str, Record]]) -> dict[str, Record]:
        """The records of ``chunk_ids`` that exist: remembered ones, and the rest from ``fetch(missing)``."""
        wanted = list(dict.fromkeys(chunk_ids))
        generation = self._records.generation
        found = self._records.get_many(wanted)
        missing = [cid for cid in wanted if cid not in found]
        if not missing:
            return found
        fresh = fetch(missing)
        self._records.put_many(fresh, generation)
        return {**found, **fresh}

    def clear(self) -> None:
        """Forget everything, and every read still under way: the index changed."""
        self._records.clear()

    def __len__(self) -> int:
        return len(self._records)
