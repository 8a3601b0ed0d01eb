"""``guardrails`` stands alone: it never imports the agent, the knowledge base or the evals."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_guardrails_import_nothing_else_of_tactful():
    code = ("import sys, guardrails, guardrails.grounding, guardrails.pii, guardrails.text_hygiene, "
            "guardrails.disclosure, guardrails.injection, guardrails.sensitive, guardrails.tone, "
            "guardrails.pii_vault, guardrails.pipeline\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('agent', 'knowledge', 'evals'))\n"
            "print(','.join(bad))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                            env={"PYTHONPATH": str(REPO)}, check=True)
    assert result.stdout.strip() == ""


def test_public_api():
    import guardrails

    for name in ["redact_pii", "Redaction", "PiiRail", "GroundingRail", "clean_text", "split_sentences",
                 "best_supported_sentences", "Verdict", "Span"]:
        assert hasattr(guardrails, name), name
