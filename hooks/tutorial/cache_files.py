"""Files the hooks keep in ``.cache/`` between builds (the cut text font,
typeset math): written whole or not at all, so that a build killed half
way never leaves a half-written file under the real name, each with the
digest of what was written beside it (``x.woff2`` and ``x.sha256``), so
that a file changed or cut short since is noticed and not used."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

PARTIAL_AGE = 3600  # seconds: a partial file older than this has no writer left


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a partial file of this process's
    own, renamed into place when complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.tmp{os.getpid()}")
    partial.write_bytes(data)
    os.replace(partial, path)


def write_checked(path: Path, data: bytes) -> None:
    """``data`` in ``path``, and its digest beside it."""
    write_whole(path, data)
    write_whole(path.with_suffix(".sha256"), hashlib.sha256(data).hexdigest().encode())


def read_checked(path: Path) -> bytes | None:
    """What :func:`write_checked` wrote in ``path``, if it is still that."""
    try:
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() == path.with_suffix(".sha256").read_text().strip():
            return data
    except OSError:
        pass
    return None


def remove_checked(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.with_suffix(".sha256").unlink(missing_ok=True)


def remove_partials(folder: Path) -> None:
    """Remove the partial files a killed build left in ``folder``; only old
    ones, since another build may be writing its own right now."""
    for partial in folder.glob("*.tmp*"):
        try:
            if time.time() - partial.stat().st_mtime > PARTIAL_AGE:
                partial.unlink()
        except OSError:  # (removed by another build meanwhile)
            pass
