"""Compare Tactful's PII detection with Microsoft Presidio's pattern recognizers on labelled data.

    python scripts/compare_presidio.py [PATH]   # default: ../shared/data/pii_presidio.jsonl

Presidio runs WITHOUT a named-entity model (none can be downloaded here): its predefined recognizers
that need no spaCy pipeline are called directly, with ``nlp_artifacts=None`` (so no context-word
boost) and Presidio's default score threshold of 0. PERSON and STREET_ADDRESS then have no Presidio
recognizer at all: its PERSON comes from the spaCy NER model. A dev tool: ``pip install presidio-analyzer``
(the ``dev`` extra); it is not imported by the project.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from guardrails.pii import find_pii
from guardrails.pii_measure import load_rows, overall_precision, score

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pii_presidio.jsonl"
TYPES = ["PERSON", "STREET_ADDRESS", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IBAN_CODE",
         "IP_ADDRESS", "DATE_OF_BIRTH", "UK_NINO"]


def presidio_finder():
    """Presidio's model-free predefined recognizers, or None with the reason when it is not installed."""
    try:
        from presidio_analyzer.predefined_recognizers import (CreditCardRecognizer, EmailRecognizer,
                                                              IbanRecognizer, IpRecognizer, PhoneRecognizer,
                                                              UkNinoRecognizer, UsSsnRecognizer)
    except ImportError as error:
        return None, f"presidio-analyzer is not installed ({error}): pip install presidio-analyzer"
    # tldextract (behind EmailRecognizer) tries to fetch the public-suffix list, fails offline and falls
    # back to the snapshot it ships: quiet its traceback.
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    recognizers = [EmailRecognizer(), PhoneRecognizer(), CreditCardRecognizer(), UsSsnRecognizer(),
                   IbanRecognizer(), IpRecognizer(), UkNinoRecognizer()]

    def find(text: str):
        found = []
        for recognizer in recognizers:
            for r in recognizer.analyze(text, recognizer.supported_entities, None) or []:
                found.append((r.entity_type, r.start, r.end))
        return found
    return find, None


def _cell(value: float | None) -> str:
    return "   -" if value is None else f"{value:4.2f}"


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT
    if not path.exists():
        print(f"{path} not found: pass the path of pii_presidio.jsonl", file=sys.stderr)
        return 2
    rows = load_rows(path)
    started = time.perf_counter()
    ours = score(rows, lambda t: [(s.type, s.start, s.end) for s in find_pii(t)], TYPES)
    ours_s = time.perf_counter() - started
    finder, why_not = presidio_finder()
    theirs = None
    if finder is not None:
        started = time.perf_counter()
        theirs = score(rows, finder, TYPES)
        theirs_s = time.perf_counter() - started
    print(f"{len(rows)} texts from {path.name}; a find counts when it overlaps a label of its type")
    print(f"{'type':16} {'labels':>6} | {'ours P':>6} {'ours R':>6} | {'Presidio P':>10} {'Presidio R':>10}")
    for t in TYPES:
        o = ours[t]
        p = theirs[t] if theirs else None
        print(f"{t:16} {o.labelled:6d} | {_cell(o.precision):>6} {_cell(o.recall):>6} | "
              f"{_cell(p.precision if p else None):>10} {_cell(p.recall if p else None):>10}")
    line = f"{'overall precision':23} | {overall_precision(ours):6.2f} {'':6} |"
    if theirs:
        line += f" {overall_precision(theirs):10.2f}"
    print(line)
    print(f"time: ours {ours_s * 1000:.0f} ms" + (f", Presidio {theirs_s * 1000:.0f} ms" if theirs else ""))
    print("DATE_OF_BIRTH is judged against DATE_TIME labels, precision only (the data labels every date).")
    if why_not:
        print(f"Presidio not run: {why_not}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
