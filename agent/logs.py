"""Tactful's logs: one JSON object a line (or plain text), personal data redacted from every record.

Redaction happens in the formatter, so a careless ``log.info("... %s", customer_text)`` anywhere still
writes ``<EMAIL_ADDRESS>``, never the address. A conversation id given as ``extra={"conversation_id":
...}`` becomes a field; ``scrub_log_files`` removes every line of erased conversations from the log
file and its rotations (the file handler reopens a file that was replaced, so a running server keeps
logging).
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from guardrails import redact_pii

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
#: Extra fields written as they are (ids, not text a person wrote).
_IDENTIFIERS = {"conversation_id", "ticket_id", "business"}


class RedactingFormatter(logging.Formatter):
    """Formats a record as JSON (or text) with personal data redacted from the message and any traceback."""

    def __init__(self, as_json: bool = True) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        message = redact_pii(record.getMessage()).text
        error = redact_pii(self.formatException(record.exc_info)).text if record.exc_info else None
        if not self.as_json:
            return f"{record.levelname} {record.name}: {message}" + (f"\n{error}" if error else "")
        entry = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": message}
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = redact_pii(value).text if isinstance(value, str) and key not in _IDENTIFIERS else value
        if error:
            entry["error"] = error
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "WARNING", *, as_json: bool = True, file: Path | None = None) -> None:
    """Tactful's handlers on the root logger: standard error, and ``file`` when given (replacing earlier ones)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_tactful", False)]:
        root.removeHandler(handler)
        handler.close()
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if file is not None:
        Path(file).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.handlers.WatchedFileHandler(file, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(RedactingFormatter(as_json))
        handler._tactful = True  # noqa: SLF001 (ours to replace on the next call)
        root.addHandler(handler)
    root.setLevel(level)


def scrub_log_files(file: Path, conversation_ids: Iterable[str]) -> int:
    """Remove every line naming one of ``conversation_ids`` from ``file`` and its rotations; returns how many."""
    ids = [i for i in conversation_ids if i]
    if not ids:
        return 0
    removed = 0
    file = Path(file)
    for path in sorted(file.parent.glob(file.name + "*")):
        if not path.is_file():
            continue
        kept, dropped = [], 0
        with path.open(encoding="utf-8", errors="surrogateescape") as handle:
            for line in handle:
                if any(i in line for i in ids):
                    dropped += 1
                else:
                    kept.append(line)
        if dropped:
            handle_fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
            with os.fdopen(handle_fd, "w", encoding="utf-8", errors="surrogateescape") as out:
                out.writelines(kept)
            os.replace(tmp, path)
            removed += dropped
    return removed
