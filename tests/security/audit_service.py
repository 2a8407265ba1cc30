"""What a pip-audit report means for the test suite, and whether its vulnerability service answers here.

pip-audit's default service asks pypi.org about each pinned version (``/pypi/<name>/<version>/json``).
Where that lookup fails, every dependency is reported "not found on PyPI", skipped, and pip-audit still
says "No known vulnerabilities found" and exits 0: a run that audited nothing looks like a clean one.

``python tests/security/audit_service.py`` (run by ``.ci/run`` before the tests) prints a loud banner
when the lookup does not answer, so nobody takes the skipped audit for a passed one.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BANNER = " DEPENDENCIES NOT AUDITED "


def lookup_url(name: str, version: str) -> str:
    """The per-version JSON that pip-audit's PyPI service asks for vulnerabilities."""
    return f"https://pypi.org/pypi/{name}/{version}/json"


def lookup_answer(name: str, version: str, *, timeout: float = 15) -> str:
    """What pypi.org answers to that lookup here: "HTTP 200", "HTTP 404", or the network error."""
    try:
        with urllib.request.urlopen(lookup_url(name, version), timeout=timeout) as response:
            return f"HTTP {response.status}"
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"
    except (urllib.error.URLError, OSError) as error:
        return f"no answer ({getattr(error, 'reason', error)})"


def audit_problem(dependencies: list[dict[str, Any]]) -> str | None:
    """Why the audit fails: a known vulnerability, or a partial audit (some dependencies checked, others
    silently skipped). ``None`` when every dependency was checked and is clean, or none could be checked."""
    vulnerable = {d["name"]: [v["id"] for v in d.get("vulns", [])] for d in dependencies if d.get("vulns")}
    if vulnerable:
        return f"known vulnerabilities: {vulnerable}"
    skipped = not_audited(dependencies)
    if skipped and len(skipped) < len(dependencies):
        return (f"partial audit: {len(dependencies) - len(skipped)} dependencies were audited but these "
                f"{len(skipped)} were skipped: {skipped}")
    return None


def not_audited(dependencies: list[dict[str, Any]]) -> dict[str, str]:
    """The dependencies pip-audit skipped, with its reason for each."""
    return {d["name"]: d["skip_reason"] for d in dependencies if "skip_reason" in d}


def first_pin(requirements: Path) -> tuple[str, str]:
    """The first ``name==version`` of a requirements file, to probe the lookup with."""
    for raw in requirements.read_text().splitlines():
        line = raw.split("#")[0].strip()
        if "==" in line and not line.startswith("-"):
            name, version = line.split("==", 1)
            return name.split("[")[0].strip(), version.strip()
    raise ValueError(f"{requirements} pins nothing")


def main() -> int:
    name, version = first_pin(ROOT / "requirements.txt")
    answer = lookup_answer(name, version)
    if answer == "HTTP 200":
        print(f"pip-audit: pypi.org answers per-version lookups ({lookup_url(name, version)}): dependencies are audited.")
        return 0
    print("!" * 30 + BANNER + "!" * 30)
    print(f"pypi.org answers {answer} to {lookup_url(name, version)}, the per-version lookup pip-audit's PyPI "
          "service uses: pip-audit cannot check any dependency from here, and its test is skipped. Run "
          "`pip-audit -r requirements-dev.txt` where pypi.org answers it before each release.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
