"""PostgreSQL restarted while the app runs: the next request works.

The server restarted is a private PostgreSQL cluster this test creates (initdb, ~2 s) on a port of
its own (8790-8799), not the shared test server: restarting that one would cut the connections of
every other test running at the same time under pytest-xdist. The app side is the real one: the
engine from ``storage.engine.make_engine`` and the use cases.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from builder.errors import StorageUnavailable
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.conftest import POSTGRES_URL
from tests.faults.test_disk_faults import TRY_AGAIN, _approve, _submit
from tests.load.workload import Outcome, prepare, stored_problems

PORTS = range(8790, 8800)


class PrivateServer:
    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.port = port
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        _as_postgres(_binary("pg_ctl"), "-D", str(self.folder / "data"), "-l", str(self.folder / "log"),
                     "-w", "-o", options, *args)


def _binary(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    assert found, f"{name} not found: the PostgreSQL server binaries are needed for this test"
    return found


def _as_postgres(*command: str) -> None:
    # initdb and pg_ctl refuse to run as root.
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, capture_output=True, text=True, timeout=60)


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise AssertionError(f"no free port in {PORTS}")


@pytest.fixture
def private_server() -> Iterator[PrivateServer]:
    if not POSTGRES_URL:
        pytest.skip("FORMWORK_TEST_POSTGRES_URL is not set: PostgreSQL run skipped")
    folder = Path(tempfile.mkdtemp(prefix="formwork-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    server = PrivateServer(folder, _free_port())
    _as_postgres(_binary("initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", "postgres", "--no-sync")
    server.ctl("start")
    try:
        yield server
    finally:
        server.ctl("-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def app_engine(private_server: PrivateServer) -> Iterator[Engine]:
    engine = make_engine(private_server.url)
    upgrade(engine)
    prepare(engine)
    yield engine
    engine.dispose()


@pytest.mark.faults
def test_the_next_request_after_a_restart_works(private_server: PrivateServer, app_engine: Engine) -> None:
    outcome = Outcome()
    first = _submit(app_engine, "before", outcome)  # the pool now holds connections to the old server
    private_server.ctl("-m", "fast", "restart")
    second = _submit(app_engine, "after-restart", outcome)
    _approve(app_engine, first, outcome)
    assert stored_problems(app_engine, outcome) == []
    assert second.endswith("-00002")


@pytest.mark.faults
def test_a_request_cut_by_a_crash_gets_a_clear_message_and_the_retry_works(
        private_server: PrivateServer, app_engine: Engine) -> None:
    """The server dies (immediate shutdown, as in a crash) in the middle of a transaction."""
    outcome = Outcome()
    first = _submit(app_engine, "before", outcome)
    uow = SqlUnitOfWork(app_engine)
    with pytest.raises(StorageUnavailable, match=TRY_AGAIN):
        with uow:
            assert uow.requests.get(first) is not None
            private_server.ctl("-m", "immediate", "restart")
            uow.requests.get(first)
    _approve(app_engine, first, outcome)  # the next request, on the same engine
    assert _submit(app_engine, "after-crash", outcome).endswith("-00002")
    assert stored_problems(app_engine, outcome) == []
