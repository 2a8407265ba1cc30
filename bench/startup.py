"""From `streamlit run` to the first page a visitor sees, next to a hello-world Streamlit script.

    python -m bench.startup [--rounds 3]

Each start is timed from the moment ``streamlit run`` is launched until Chromium (Playwright,
already open on a blank tab, so the browser's own start is not counted) shows the page's heading:
the health endpoint must answer, the page load, the WebSocket open and the first script run deliver
the heading. Three starts, in alternation, per round:

- baseline: a script that only calls ``st.title("Hello")``, started the same way;
- Formwork on a fresh SQLite database under a temporary folder: the app creates the file and runs
  every migration on its first script run, then shows the set-up page ("Set up Formwork");
- Formwork on an existing demo database: migrations are checked (nothing to do) and the catalogue
  ("City services online") is shown to an anonymous visitor.

The best start of each kind over the rounds is kept (the machine is shared). Target: each Formwork
start within 2.5x the hello-world start.

Where the extra time went (Dec 2026, 2 shared cores, before and after in one alternating run, best of
5: hello 0.84 s; fresh 2.74 -> 1.74 s, ratio 3.27 -> 2.08; demo 3.11 -> 2.06 s, ratio 3.71 -> 2.46;
a plain 5-round run of this benchmark after: fresh 1.87 s, demo 2.16 s, hello 1.00 s). Almost all is
imports on the first script run, plus the first queries:

- removed from the first page: streamlit-authenticator's cookie component, built on every run, made
  Streamlit import pandas, numpy and pyarrow (``is_dataframe_like`` on its ``default={}``), 0.35-0.45 s.
  app.py now builds it only when sign-in touches it (a cookie to check, a change to write), and not
  at all before the first account exists; Alembic (import, script directory, env.py), ~0.15 s on a
  current database, is skipped when ``alembic_version`` already holds the head revisions
  (storage/migrate.py); the purge and mail threads (with the insights use cases), ~0.15 s, start
  after the page has run.
- what remains, on the demo database: SQLAlchemy, SQLModel and storage.models (its ~20 table
  classes build pydantic schemas; it also imports the PostgreSQL dialect for JSONB) ~0.45 s;
  streamlit-authenticator and PyJWT, imported by ui/signin.py at module level, ~0.2 s;
  builder.usecases.forms importing builder.lint and so jsonschema for the catalogue, ~0.06 s.
  On the fresh database: Alembic and the two migrations, ~0.25 s. Next steps, outside the start
  path's own modules: import streamlit_authenticator inside ui/signin.py's functions, and lint
  lazily in builder/usecases/forms.py.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from bench.report import Result, emit

ROOT = Path(__file__).resolve().parents[1]
PORTS = range(8800, 8820)
TARGET = 2.5
SECRET_KEY = "bench-only-cookie-key-4b1d8e2f6a9c3e5d7f0a2c4e6b8d0f1a"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"ports {PORTS.start}-{PORTS.stop - 1} are all busy")


def _healthy(base: str, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode} before serving")
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"{base} did not answer within {timeout:.0f} s")


def time_start(page: Page, script: Path, heading: str, env: dict[str, str], log: Path) -> float:
    """Seconds from launching `streamlit run script` to ``heading`` being visible in the browser."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("ab") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            _healthy(base, process)
            page.goto(base)
            page.get_by_role("heading", name=heading).wait_for(state="visible", timeout=120_000)
            return time.perf_counter() - started
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            page.goto("about:blank")


def demo_database(folder: Path) -> str:
    from storage.demo import load_demo
    from storage.engine import make_engine
    from storage.migrate import upgrade

    url = f"sqlite:///{folder / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    load_demo(engine, rounds=4)
    engine.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as name, sync_playwright() as playwright:
        folder = Path(name)
        hello = folder / "hello.py"
        hello.write_text('import streamlit as st\nst.title("Hello")\n')
        demo_url = demo_database(folder)
        base_env = {**os.environ, "FORMWORK_SECRET_KEY": SECRET_KEY}
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        log = folder / "streamlit.log"
        starts: dict[str, Callable[[int], float]] = {
            "hello": lambda n: time_start(page, hello, "Hello", base_env, log),
            "fresh": lambda n: time_start(page, ROOT / "app.py", "Set up Formwork", {
                **base_env, "FORMWORK_DATABASE_URL": f"sqlite:///{folder / f'fresh-{n}' / 'formwork.db'}"}, log),
            "demo": lambda n: time_start(page, ROOT / "app.py", "City services online",
                                         {**base_env, "FORMWORK_DATABASE_URL": demo_url}, log),
        }
        best = {kind: float("inf") for kind in starts}
        for number in range(arguments.rounds):
            for kind, start in starts.items():
                seconds = start(number)
                print(f"round {number + 1}: {kind:6} {seconds:6.2f} s", flush=True)
                best[kind] = min(best[kind], seconds)
        browser.close()
    hello_s = best["hello"]
    emit([Result("startup", label, f"{best[kind]:.2f} s", f"{hello_s:.2f} s (hello world)", best[kind] / hello_s,
                 f"time ratio <= {TARGET}", best[kind] / hello_s <= TARGET)
          for kind, label in (("fresh", "app start to first page: fresh database, migrations, set-up page"),
                              ("demo", "app start to first page: demo database, catalogue"))])


if __name__ == "__main__":
    main()
