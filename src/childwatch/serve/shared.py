"""Answers shared by the worker processes of one `childwatch serve --workers N`: what one
worker computed, the others serve, so that an answer is computed once per store change
for the whole server rather than once per worker (on 2 cores, the second computation of
a 2 s dashboard was taken from the requests), and a worker that has not answered a
question yet does not make its first askers wait for it.

A folder the parent makes (private to its user, removed when it stops), with per answer
a file (the newest computation: its token, time and bytes, replaced atomically) and a
lock file that the worker computing it holds (`flock`), so that the others leave it to
that worker and keep serving what they have. PostgreSQL's change token is the same in
every process; SQLite's is each process's own, so there another worker's answer is
taken as of the store's state by when its computation began (cache.ReadCache._adopt).

    shared = SharedAnswers(folder)
    lock = shared.claim(key)     # None: another worker is computing it
    ...; shared.save(key, answer); shared.release(lock)
    newer = shared.load(key)     # None unless another worker saved a newer one since
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["SharedAnswers"]


class SharedAnswers:
    """Answers in `folder`, shared by the processes that open it (see the module doc)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._seen: dict[str, int] = {}  # file name -> the version (mtime_ns) last loaded or saved

    @staticmethod
    def _name(key: tuple[Any, ...]) -> str:
        return hashlib.sha256(repr(key).encode()).hexdigest()[:32]

    def claim(self, key: tuple[Any, ...]) -> int | None:
        """The lock of `key`'s computation (a file descriptor), or None while another
        process holds it."""
        fd = os.open(self.folder / f"{self._name(key)}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return fd

    @staticmethod
    def release(fd: int) -> None:
        os.close(fd)  # closing the descriptor releases its flock

    def save(self, key: tuple[Any, ...], answer: Any) -> None:
        name = self._name(key)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{name}.")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(answer, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.folder / name)
        self._seen[name] = os.stat(self.folder / name).st_mtime_ns

    def load(self, key: tuple[Any, ...]) -> Any | None:
        """What another process saved for `key` since this one last looked, or None: a
        stat when nothing changed."""
        name = self._name(key)
        try:
            version = os.stat(self.folder / name).st_mtime_ns
            if self._seen.get(name) == version:
                return None
            with open(self.folder / name, "rb") as f:
                # Written by this server's own workers, in a folder only its user can read.
                answer = pickle.load(f)
        except (FileNotFoundError, EOFError, pickle.UnpicklingError):
            return None
        if len(self._seen) > 100_000:
            self._seen.clear()
        self._seen[name] = version
        return answer
