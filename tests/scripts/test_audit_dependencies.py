"""The dependency audit's verdict: fixable vulnerabilities fail, unfixed ones warn, a broken audit never passes.
pip-audit itself is replaced by a script printing its JSON format (the real one runs in `make audit`)."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

from scripts.audit_dependencies import main


def fake_pip_audit(tmp_path: Path, output: str, code: int = 0) -> str:
    tool = tmp_path / "pip-audit"
    tool.write_text(f"#!{sys.executable}\nimport sys\nsys.stdout.write({output!r})\nsys.exit({code})\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    return str(tool)


def report(*vulns: dict) -> str:
    return json.dumps({"dependencies": [{"name": "requests", "version": "2.0.0", "vulns": list(vulns)},
                                        {"name": "numpy", "version": "2.1.0", "vulns": []}]})


def test_a_vulnerability_with_a_fix_fails_the_audit(tmp_path, capsys):
    tool = fake_pip_audit(tmp_path, report({"id": "GHSA-1", "fix_versions": ["2.31.0"]}), code=1)
    assert main(tool, str(tmp_path)) == 1
    assert "VULNERABLE: requests 2.0.0: GHSA-1 (fixed in 2.31.0)" in capsys.readouterr().out


def test_a_vulnerability_without_a_fix_is_a_warning(tmp_path, capsys):
    tool = fake_pip_audit(tmp_path, report({"id": "PYSEC-2", "fix_versions": []}), code=1)
    assert main(tool, str(tmp_path)) == 0
    assert "warning: requests 2.0.0: PYSEC-2 (no fixed release yet)" in capsys.readouterr().out


def test_a_clean_audit_passes_and_an_audit_that_cannot_run_fails(tmp_path, capsys):
    assert main(fake_pip_audit(tmp_path, report()), str(tmp_path)) == 0
    assert "2 installed distributions audited: 0 with a fix available" in capsys.readouterr().out
    broken = tmp_path / "broken"
    broken.mkdir()
    assert main(fake_pip_audit(broken, "ConnectionError: pypi.org unreachable", code=1), str(tmp_path)) == 2
