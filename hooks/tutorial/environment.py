"""What the outputs are made with: the installed versions of the packages the
snippets use, and the commit the site is built from. The versions are part of
every snippet's cache key (:mod:`tutorial.results`), so an output shown with
a version was made with it; each page states them (``hooks/page_facts.py``)."""

from __future__ import annotations

import functools
import subprocess
from importlib.metadata import PackageNotFoundError, version

from tutorial.runner import ROOT

# What a snippet's output can depend on, in the order a page names them.
PACKAGES = ("snntorch", "torch", "torchvision", "matplotlib", "numpy", "pandas", "pillow")


@functools.cache
def package_versions() -> dict[str, str]:
    """Installed version of each of PACKAGES ("missing" where it is not)."""
    found = {}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "missing"
    return found


@functools.cache
def source_commit() -> tuple[str, str] | None:
    """(short hash, ISO date) of the commit being built, or None outside a
    git checkout. The commit's own date, never the clock: two builds of one
    commit say the same."""
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%h %cs"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    return (out[0], out[1]) if len(out) == 2 else None
