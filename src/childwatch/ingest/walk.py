"""Which files a run reads: folders walked in sorted order, hidden names skipped, and
anything that is not a regular file (a pipe, a device, a link to a folder inside a folder)
named and skipped without being opened. `read_path` and the progress line's count
(`ingest.stream`) walk the same way."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from childwatch.errors import InputError

__all__ = ["inputs"]


def inputs(paths: Iterable[Path | str]) -> Iterator[Path | str | InputError]:
    """Files under `paths` in order; URLs (strings starting http:// or https://) as they are."""
    for p in paths:
        if isinstance(p, str) and p.lower().startswith(("http://", "https://")):
            yield p
        else:
            yield from _walk([Path(p)])


def _walk(paths: Iterable[Path]) -> Iterator[Path | InputError]:
    for path in paths:
        if path.is_dir():  # a link to a folder named on the command line is followed
            yield from _walk_dir(path)
        else:
            yield _regular(path, in_folder=False)


def _walk_dir(folder: Path) -> Iterator[Path | InputError]:
    # Sorted, so that runs are reproducible and an interrupted one resumes in the same
    # order; sorting needs every name of the folder at once, so only the names are held
    # (not scandir's entries), which keeps a folder of a million files to tens of MB.
    # Files are yielded one at a time as they are read.
    subfolders: set[str] = set()
    names: list[str] = []
    try:
        with os.scandir(folder) as scan:
            for entry in scan:
                if entry.name.startswith("."):
                    continue
                # Symlinked folders are not followed: they can loop back into the tree.
                if entry.is_dir(follow_symlinks=False):
                    subfolders.add(entry.name)
                names.append(entry.name)
    except OSError as exc:
        yield InputError(str(folder), f"folder cannot be listed: {exc.strerror or exc}")
        return
    names.sort()
    for name in names:
        if name in subfolders:
            yield from _walk_dir(folder / name)
        else:
            yield _regular(folder / name, in_folder=True)


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _regular(path: Path, *, in_folder: bool) -> Path | InputError:
    """`path` if it is a regular file (or a link to one), else why it is skipped.

    Only stat is called, never open: opening a named pipe waits for a writer, forever, and
    a device such as /dev/zero never ends.
    """
    where = str(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if not os.path.islink(path):
            return InputError(where, "no such file or folder", "check the path")
        return InputError(
            where, f"is a broken symbolic link (to {_target(path)}, which does not exist)", "fix or remove the link"
        )
    except OSError as exc:  # a loop of links, a folder on the way that may not be read...
        return InputError(where, f"cannot be read: {exc.strerror or exc}")
    if stat.S_ISREG(mode):
        return path
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    if not os.path.islink(path):
        problem = f"is {kind}"
    elif stat.S_ISDIR(mode):
        return InputError(
            where,
            f"is a symbolic link to {_target(path)}, a folder; links to folders inside a folder are not "
            "followed (they can loop back into the tree)",
            "name the folder itself to read it",
        )
    else:
        problem = f"is a symbolic link to {_target(path)}, {kind}"
    hint = "move it out of the folder" if in_folder else "name a regular file"
    return InputError(where, f"{problem}, not a regular file; only regular files are read", hint)


def _target(link: Path) -> str:
    try:
        return os.readlink(link)
    except OSError:  # replaced since it was looked at
        return "?"
