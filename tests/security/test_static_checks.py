"""Checks on the code and configuration, in the spirit of Django's ``check --deploy``:
hardened Streamlit options that Streamlit itself recognises, no personal data in shared caches,
no use of streamlit-authenticator's unsafe widgets, a strong cookie key, and audited dependencies."""

from __future__ import annotations

import ast
import dataclasses
import importlib.metadata
import json
import subprocess
import sys
import tomllib
import typing
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from storage.bootstrap import InsecureConfiguration, cookie_secret, secret_problem
from storage.settings import Settings
from tests.security import audit_service

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".streamlit" / "config.toml"
PRODUCT_CODE = [ROOT / "app.py", *[p for d in ("pages", "ui", "builder", "storage") for p in (ROOT / d).rglob("*.py")]]

HARDENED = {
    "server.enableXsrfProtection": True, "server.enableCORS": True, "server.maxUploadSize": 20,
    "server.maxMessageSize": 50, "server.enableStaticServing": False, "server.runOnSave": False,
    "server.enableAgentApi": False, "server.headless": True, "server.xsrfCookieSameSite": "strict",
    "server.allowedHosts": ["localhost", "127.0.0.1", "::1"], "server.corsAllowedOrigins": [],
    "client.showErrorDetails": "none",
    "client.showErrorLinks": False, "client.toolbarMode": "viewer", "browser.gatherUsageStats": False,
    "runner.magicEnabled": False,
}


def _config_file() -> dict[str, object]:
    raw = tomllib.loads(CONFIG.read_text())
    return {f"{section}.{key}": value for section, options in raw.items() for key, value in options.items()
            if not isinstance(value, dict)}


def test_every_configured_option_is_one_streamlit_knows() -> None:
    from streamlit import config

    known = set(config._config_options_template)  # what `streamlit config show` lists
    unknown = sorted(set(_config_file()) - known)
    assert not unknown, f"Streamlit silently ignores these misspelt options: {unknown}"


def test_hardened_options_are_set_and_take_effect(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit import config

    configured = _config_file()
    wrong = {k: configured.get(k) for k, v in HARDENED.items() if configured.get(k) != v}
    assert not wrong, f"set these in .streamlit/config.toml: {wrong}"
    monkeypatch.chdir(ROOT)
    config.get_config_options(force_reparse=True)
    effective = {k: config.get_option(k) for k in HARDENED}
    assert effective == HARDENED



def test_the_websocket_accepts_only_the_allowed_host_names_and_no_other_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    """What allowedHosts and CORS protection do with the configured values, through Streamlit's own checks:
    a page on another name that resolves here (DNS rebinding) or on another origin cannot open the app."""
    from streamlit import config
    from streamlit.web.server.starlette import starlette_websocket as websocket

    monkeypatch.chdir(ROOT)
    config.get_config_options(force_reparse=True)
    assert websocket.is_host_allowed("127.0.0.1:8501") and websocket.is_host_allowed("localhost")
    assert not websocket.is_host_allowed("rebind.attacker.example") and not websocket.is_host_allowed(None)
    assert websocket._is_origin_allowed("http://127.0.0.1:8501", "127.0.0.1:8501")
    assert not websocket._is_origin_allowed("https://attacker.example", "127.0.0.1:8501")

# ------------------------------------------------------------------ shared caches

# Every cached function, with why it holds no personal data. A new cache must be reviewed and added.
REVIEWED_CACHES = {
    ("app.py", "_engine"): "the database engine and its pool",
    ("app.py", "_retention"): "the retention scheduler thread",
    ("app.py", "_mail"): "the mail thread; holds the engine and the mail settings, no personal data",
    ("app.py", "_figures"): "the dashboard figures thread; holds the engine and the holiday list, no personal data",
    ("pages/dashboard.py", "_figures"): "aggregate counts and durations per form and step",
}
PERSONAL_TYPES = {"RequestRecord", "StatusView", "CaseView", "UserRecord", "ResidentSummary", "InboxPage", "Actor",
                  "SessionRecord", "CommentRecord", "DecisionRecord", "ChainedEvent", "bytes", "Any", "dict", "list",
                  "str", "DataFrame"}


def _cached_functions() -> list[tuple[str, ast.FunctionDef]]:
    found = []
    for path in PRODUCT_CODE:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any("cache_data" in ast.unparse(d) or "cache_resource" in
                                                          ast.unparse(d) for d in node.decorator_list):
                found.append((str(path.relative_to(ROOT)), node))
    return found


def test_shared_caches_are_reviewed_and_return_no_personal_records() -> None:
    cached = _cached_functions()
    assert {(path, node.name) for path, node in cached} <= set(REVIEWED_CACHES), (
        "st.cache_data / st.cache_resource are shared by all users: review the new cache and add it here")
    for path, node in cached:
        returned = ast.unparse(node.returns) if node.returns else "Any"
        assert not set(returned.replace("|", " ").replace("[", " ").replace("]", " ").split()) & PERSONAL_TYPES, (
            f"{path}:{node.name} caches {returned}")


def test_cached_dashboard_figures_hold_no_answers_or_identities() -> None:
    from builder import metrics

    seen: set[type] = set()

    def fields_of(cls: type) -> list[str]:
        if cls in seen or not dataclasses.is_dataclass(cls):
            return []
        seen.add(cls)
        names = []
        for f in dataclasses.fields(cls):
            names.append(f.name)
            hint = typing.get_type_hints(cls).get(f.name)
            for arg in (*typing.get_args(hint), hint):
                for inner in (*typing.get_args(arg), arg):
                    if isinstance(inner, type):
                        names += fields_of(inner)
        return names

    names = set(fields_of(metrics.Dashboard))
    assert names and not names & {"answers", "email", "contact_email", "submitted_by", "username", "display_name",
                                  "comment", "body", "access_code_hash"}


# ------------------------------------------------------------------ streamlit-authenticator's unsafe parts


def test_no_self_service_password_reset_or_remote_authenticator_features() -> None:
    """Its forgot-password replaces a password for anyone knowing a username; its login answers unknown
    users faster; api_key sends data to the author's server. Formwork uses only its cookie."""
    unsafe = {"forgot_password", "forgot_username", "register_user", "reset_password", "update_user_details",
              "login", "send_email", "experimental_guest_login", "guest_login"}
    offenders = []
    for path in PRODUCT_CODE:
        source = path.read_text()
        if "streamlit_authenticator" not in source:
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Attribute) and node.attr in unsafe:
                offenders.append(f"{path.name}: .{node.attr}")
            if isinstance(node, ast.keyword) and node.arg == "api_key":
                offenders.append(f"{path.name}: api_key=")
    assert not offenders


# ------------------------------------------------------------------ the cookie key


@pytest.mark.parametrize("key", ["some_key", "x" * 40, "changeme-please-0123456789-abcdefghij", "short-key"])
def test_weak_or_default_cookie_keys_stop_the_app(key: str, tmp_path: Path) -> None:
    assert secret_problem(key)
    with pytest.raises(InsecureConfiguration):
        cookie_secret(Settings(secret_key=key), tmp_path)


def test_without_a_key_sqlite_generates_a_private_one_and_postgresql_refuses(tmp_path: Path) -> None:
    first = cookie_secret(Settings(database_url="sqlite:///x.db"), tmp_path)
    assert secret_problem(first) is None and first == cookie_secret(Settings(database_url="sqlite:///x.db"), tmp_path)
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0  # readable by the owner only
    with pytest.raises(InsecureConfiguration, match="PostgreSQL"):
        cookie_secret(Settings(database_url="postgresql+psycopg://db/formwork"), tmp_path / "other")


# ------------------------------------------------------------------ dependencies


def _requirement_names(requirements: Path) -> list[str]:
    """The package names a requirements file pins, following ``-r other.txt`` includes."""
    names = []
    for raw in requirements.read_text().splitlines():
        line = raw.split("#")[0].strip()
        if line.startswith(("-r ", "--requirement ")):
            names += _requirement_names(requirements.parent / line.split(None, 1)[1].strip())
        elif line:
            names.append(Requirement(line).name)
    return names


def _installed_closure(*requirements: Path) -> list[str]:
    """``name==version`` of the pinned requirements and everything they pull in, as installed here.

    Auditing this list with ``--no-deps`` checks the same packages as letting pip-audit resolve the files,
    without building a throw-away virtual environment (minutes on two cores).
    """
    wanted = [name for path in requirements for name in _requirement_names(path)]
    seen: dict[str, str] = {}
    while wanted:
        name = canonicalize_name(wanted.pop())
        if name in seen:
            continue
        dist = importlib.metadata.distribution(name)
        seen[name] = dist.version
        for spec in dist.requires or []:
            requirement = Requirement(spec)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                wanted.append(requirement.name)
    return [f"{name}=={version}" for name, version in sorted(seen.items())]


AUDITED = (ROOT / "requirements.txt", ROOT / "requirements-dev.txt")


def test_the_audit_covers_the_runtime_and_the_development_requirements() -> None:
    """The test tools run on developers' and CI machines too: their dependencies are audited as well."""
    audited = {line.split("==")[0] for line in _installed_closure(*AUDITED)}
    for path in AUDITED:
        assert {canonicalize_name(n) for n in _requirement_names(path)} <= audited, path.name
    assert {"streamlit", "pytest", "pip-audit", "playwright", "aiosmtpd"} <= audited


def test_no_known_vulnerabilities_in_the_pinned_requirements(tmp_path: Path) -> None:
    """pip-audit of requirements.txt and requirements-dev.txt (with everything they pull in) against the
    PyPI vulnerability service. It fails on a known vulnerability and on a partial audit; it is skipped only
    when the service answered for none of the dependencies, saying what that service answers here."""
    closure = _installed_closure(*AUDITED)
    pinned = tmp_path / "pinned.txt"
    pinned.write_text("\n".join(closure) + "\n")
    result = subprocess.run([sys.executable, "-m", "pip_audit", "-r", str(pinned), "--no-deps", "--disable-pip",
                             "-f", "json", "--progress-spinner", "off"], capture_output=True, text=True, timeout=600)
    dependencies = json.loads(result.stdout or "{}").get("dependencies", [])
    assert dependencies, f"pip-audit reported no dependencies: {result.stderr[-2000:]}"
    problem = audit_service.audit_problem(dependencies)
    assert problem is None, problem
    skipped = audit_service.not_audited(dependencies)
    if skipped:
        versions = dict(pin.split("==") for pin in closure)
        name = next(iter(skipped))
        version = versions[canonicalize_name(name)]
        answer = audit_service.lookup_answer(name, version)
        assert answer != "HTTP 200", f"pypi.org answers the lookup, yet pip-audit audited nothing: {skipped}"
        pytest.skip(f"DEPENDENCIES NOT AUDITED: {len(skipped)} of {len(dependencies)} dependencies were not "
                    f"audited. pypi.org answers {answer} to the per-version lookups pip-audit's PyPI service "
                    f"uses (measured now: {audit_service.lookup_url(name, version)}), so every dependency is "
                    "reported \"not found\" and skipped. Run pip-audit where pypi.org answers before each release.")
    assert result.returncode == 0, result.stderr[-2000:]


def _dependency(name: str, *vulns: str, skipped: bool = False) -> dict[str, object]:
    if skipped:
        return {"name": name, "skip_reason": f"Dependency not found on PyPI and could not be audited: {name} (1.0)"}
    return {"name": name, "version": "1.0", "vulns": [{"id": v, "fix_versions": []} for v in vulns]}


def test_the_audit_fails_on_a_vulnerability_or_a_partial_audit_and_skips_only_when_nothing_was_audited() -> None:
    """The verdict the test above applies to pip-audit's report, on reports pip-audit writes."""
    vulnerable = [_dependency("streamlit"), _dependency("jinja2", "GHSA-h5c8-rqwp-cp95")]
    assert "jinja2" in audit_service.audit_problem(vulnerable) and "GHSA-h5c8-rqwp-cp95" in audit_service.audit_problem(vulnerable)
    partial = [_dependency("streamlit"), _dependency("bcrypt", skipped=True)]
    assert audit_service.audit_problem(partial) == (
        "partial audit: 1 dependencies were audited but these 1 were skipped: "
        "{'bcrypt': 'Dependency not found on PyPI and could not be audited: bcrypt (1.0)'}")
    # A vulnerability among skipped ones still fails.
    assert audit_service.audit_problem([_dependency("a", skipped=True), _dependency("b", "PYSEC-1")])
    nothing = [_dependency("streamlit", skipped=True), _dependency("bcrypt", skipped=True)]
    assert audit_service.audit_problem(nothing) is None and len(audit_service.not_audited(nothing)) == 2
    clean = [_dependency("streamlit"), _dependency("bcrypt")]
    assert audit_service.audit_problem(clean) is None and not audit_service.not_audited(clean)


def test_the_ci_script_prints_the_audit_banner_before_the_readme_test_command() -> None:
    run = (ROOT / ".ci" / "run").read_text().splitlines()
    readme = (ROOT / "README.md").read_text()
    assert run[-1] in readme and run[-1].endswith("python -m pytest -n 2")
    assert any("tests/security/audit_service.py" in line for line in run[:-1])
