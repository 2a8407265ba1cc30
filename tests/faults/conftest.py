"""A SQLite database on a tiny filesystem of its own, which the tests fill up or make read-only.

Real faults, not simulations: a 4 MB tmpfs is mounted for the database folder, "disk full" is
that filesystem with no byte left (ENOSPC reaches SQLite), and "read-only" is a read-only bind
mount laid over the folder (EROFS; chmod would not stop root). Mounting needs root (CI runs as
root) allowed to mount (a container without CAP_SYS_ADMIN is not); elsewhere these tests are
skipped with that reason.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

SIZE = "4m"


class SmallDisk:
    """The database folder on its own filesystem."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.url = f"sqlite:///{folder / 'formwork.db'}"
        self._read_only = False

    def fill(self, engine: Engine) -> None:
        """Use up every free byte. The WAL is emptied first: a WAL that still has room from earlier
        writes would let the next transaction succeed without asking the filesystem for space."""
        with engine.connect() as connection:
            busy, _frames, _done = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        assert busy == 0, "a reader kept the WAL from being emptied"
        descriptor = os.open(self.folder / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for chunk in (65536, 4096, 1):  # big writes first, then the last partial page
                _write_until_full(descriptor, chunk)
        finally:
            os.close(descriptor)

    def free(self) -> None:
        (self.folder / "filler").unlink()

    def make_read_only(self) -> None:
        _mount("--bind", str(self.folder), str(self.folder))
        _mount("-o", "remount,bind,ro", str(self.folder))
        self._read_only = True

    def make_writable(self) -> None:
        if self._read_only:
            _umount(self.folder)
            self._read_only = False


def _write_until_full(descriptor: int, chunk: int) -> None:
    try:
        while True:
            os.write(descriptor, b"\0" * chunk)
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True, text=True)


def _umount(folder: Path) -> None:
    # Lazy: detach now even if a connection some test left open (the app's cached engine under
    # AppTest) still holds a file there; the kernel frees the filesystem when the last one closes.
    subprocess.run(["umount", "--lazy", str(folder)], check=True, capture_output=True, text=True)


def mount_tmpfs(folder: Path) -> None:
    """A small tmpfs on ``folder``, or a skip that says why this machine cannot mount one."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem for the database needs root (CI runs as root)")
    try:
        _mount("-t", "tmpfs", "-o", f"size={SIZE},mode=0700", "tmpfs", str(folder))
    except FileNotFoundError:
        pytest.skip("mounting a small filesystem for the database needs the `mount` command (util-linux)")
    except subprocess.CalledProcessError as exc:
        # Root in a container without CAP_SYS_ADMIN (docker without --privileged) may not mount.
        reason = (exc.stderr or "").strip() or f"mount exited with {exc.returncode}"
        pytest.skip(f"mounting a small filesystem for the database is not permitted here: {reason}")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    folder = tmp_path / "db"
    folder.mkdir()
    mount_tmpfs(folder)
    disk = SmallDisk(folder)
    try:
        yield disk
    finally:
        disk.make_writable()
        _umount(folder)
