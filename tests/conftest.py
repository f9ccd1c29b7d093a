"""Shared fixtures: run a snippet file once per test session and keep its state."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))

from snippet_runner import SNIPPETS_DIR, run_file  # noqa: E402


class SnippetRun:
    """A snippet run the way the build runs it: ``ns`` holds the program's
    variables after its last section, ``out`` what each section printed."""

    def __init__(self, name: str, tmp: Path):
        self.path = SNIPPETS_DIR / name
        self.ns: dict = {}
        self.result = run_file(self.path, tmp / "out", tmp / "work", namespace=self.ns)
        self.outdir = tmp / "out"

    def out(self, section: str) -> str:
        return self.result["sections"][section]["stdout"]

    def files(self, section: str) -> list[str]:
        return self.result["sections"][section]["files"]


_runs: dict[str, SnippetRun] = {}


@pytest.fixture(scope="session")
def run_snippet(tmp_path_factory):
    """``run_snippet("rate_coding.py")`` runs that file once per session."""

    def get(name: str) -> SnippetRun:
        if name not in _runs:
            _runs[name] = SnippetRun(name, tmp_path_factory.mktemp(Path(name).stem))
        return _runs[name]

    return get



class BuiltSite:
    def __init__(self, path: Path, log: str):
        self.path, self.log = path, log


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> BuiltSite:
    """The real project built with ``mkdocs build --strict`` into a temp folder
    (the snippet cache in .cache/ is shared with ordinary builds)."""
    from helpers import mkdocs_build

    target = tmp_path_factory.mktemp("site") / "site"
    process = mkdocs_build(ROOT, target)
    assert process.returncode == 0, process.stderr[-5000:]
    return BuiltSite(target, process.stderr)
