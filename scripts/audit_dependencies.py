"""Audit the project's installed dependencies for known vulnerabilities (pip-audit, PyPI's advisory data).

    python scripts/audit_dependencies.py PIP_AUDIT SITE_PACKAGES

Fails (exit 1) when a dependency has a known vulnerability that a newer release fixes, naming the
package, the advisory and the fixed versions; a vulnerability with no fix yet is listed as a warning.
Fails (exit 2) when the audit itself cannot run, so a broken audit is never mistaken for a clean one.
"""

from __future__ import annotations

import json
import subprocess
import sys


def main(pip_audit: str, site_packages: str) -> int:
    done = subprocess.run([pip_audit, "--path", site_packages, "--format", "json", "--progress-spinner", "off",
                           "--skip-editable"], capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        print(f"pip-audit could not run (exit {done.returncode}): {done.stderr.strip()[-800:]}", file=sys.stderr)
        return 2
    fixable, unfixed = [], []
    for dependency in report.get("dependencies", []):
        for vuln in dependency.get("vulns", []):
            entry = f"{dependency['name']} {dependency['version']}: {vuln['id']}"
            if vuln.get("fix_versions"):
                fixable.append(f"{entry} (fixed in {', '.join(vuln['fix_versions'])})")
            else:
                unfixed.append(f"{entry} (no fixed release yet)")
    audited = len(report.get("dependencies", []))
    for line in unfixed:
        print(f"warning: {line}")
    for line in fixable:
        print(f"VULNERABLE: {line}")
    print(f"{audited} installed distributions audited: {len(fixable)} with a fix available, "
          f"{len(unfixed)} without one.")
    return 1 if fixable else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
