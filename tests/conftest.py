"""Shared fixtures: the site built once per test session, each chapter's
program run once per session, and how the tests are spread over processes.

Tiers (markers, see README "Tests"): ``browser`` drives Chromium, ``slow``
builds throwaway projects or starts fresh Jupyter kernels; everything else is
the quick tier, ``pytest -m "not browser and not slow"``.

pytest-xdist spreads the tests over the cores (``-n auto`` in pytest.ini).
A test file's tests stay on one worker (its module fixtures are made once),
and a chapter's tests, wherever they live, share the worker that runs that
chapter's program (group ``chapter-<snippet stem>``), so it runs once.
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import json
import os
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

# One thread per process for torch (read when torch is first imported, so
# before any test module imports it): the workers already use every core,
# and more threads would fight over them. The build's snippet runner does
# the same, and so do the fresh kernels started from here (they inherit it).
os.environ["OMP_NUM_THREADS"] = "1"

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))

from helpers import SITE_PATH, SiteHandler  # noqa: E402
from tutorial.runner import SNIPPETS_DIR, keep_freed_memory, run_file  # noqa: E402

keep_freed_memory()  # as the build's runner does: the chapters run here too

CHAPTERS = sorted(p.stem for p in SNIPPETS_DIR.glob("*.py"))


def chapter_group(stem: str):
    """The xdist group of everything that needs chapter ``stem``'s program."""
    return pytest.mark.xdist_group(f"chapter-{stem}")


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        stem = item.module.__name__.removeprefix("test_")
        item.add_marker(
            chapter_group(stem)
            if stem in CHAPTERS
            else pytest.mark.xdist_group(item.module.__name__)
        )
    items[:] = site_builder_first(items)


def site_builder_first(items: list) -> list:
    """The order xdist hands the groups out in (pytest.ini: --no-loadscope-reorder):
    the largest first, as xdist would order them, except that the second and
    fourth, which go to the second worker at the start, are the longest that
    do not need the built site. So while the first worker builds the site
    (28-64 s from a fresh clone), the second runs tests instead of waiting
    for it on the lock."""
    groups: dict[str, list] = {}
    for item in items:
        mark = item.get_closest_marker("xdist_group")
        groups.setdefault(mark.args[0] if mark.args else mark.kwargs["name"], []).append(item)
    by_size = sorted(groups, key=lambda name: -len(groups[name]))
    free = [g for g in by_size if not any("site" in i.fixturenames for i in groups[g])]
    busy = [g for g in by_size if g not in free]
    # the ones that take long (throwaway builds) first: a count is no measure of time
    free.sort(key=lambda g: not any(i.get_closest_marker("slow") for i in groups[g]))
    first = [g for pair in zip(busy[:2], free[:2]) for g in pair]
    order = first + [g for g in by_size if g not in first]
    return [item for name in order for item in groups[name]]


class Run:
    """A snippet's results: ``out(section)`` what it printed, ``files(section)``
    what it saved, into ``outdir``."""

    def __init__(self, result: dict, outdir: Path):
        self.result, self.outdir = result, outdir

    def out(self, section: str) -> str:
        return self.result["sections"][section]["stdout"]

    def files(self, section: str) -> list[str]:
        return self.result["sections"][section]["files"]


class SnippetRun(Run):
    """A snippet run the way the build runs it, in this process: ``ns`` holds
    the program's variables after its last section."""

    def __init__(self, name: str, tmp: Path):
        self.path = SNIPPETS_DIR / name
        self.ns: dict = {}
        outdir = tmp / "out"
        super().__init__(run_file(self.path, outdir, tmp / "work", namespace=self.ns), outdir)


_runs: dict[str, SnippetRun] = {}


@pytest.fixture(scope="session")
def run_snippet(tmp_path_factory):
    """``run_snippet("rate_coding.py")`` runs that file once per session
    (per worker: the xdist groups keep a chapter's tests on one worker)."""

    def get(name: str) -> SnippetRun:
        if name not in _runs:
            _runs[name] = SnippetRun(name, tmp_path_factory.mktemp(Path(name).stem))
        return _runs[name]

    return get


class BuiltSite:
    """The real project as ``mkdocs build --strict`` builds it."""

    def __init__(self, path: Path, log: str):
        self.path, self.log = path, log

    def snippet_run(self, stem: str) -> Run:
        """This build's run of ``snippets/<stem>.py``, which ran in a process
        of its own: result.json of the cache entry the build used, and the
        site's ``figures/<stem>/``."""
        from tutorial.results import RESULTS_DIR, snippet_hash

        entry = RESULTS_DIR / f"{stem}-{snippet_hash(SNIPPETS_DIR / f'{stem}.py')}"
        result = json.loads((entry / "result.json").read_text(encoding="utf-8"))
        return Run(result, self.path / "figures" / stem)


@contextmanager
def _locked(path: Path):
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> BuiltSite:
    """The real project built with ``mkdocs build --strict`` into a temp
    folder, once per test session however many xdist workers ask for it (the
    snippet cache in .cache/ is shared with ordinary builds)."""
    from helpers import mkdocs_build

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the session's folder, above each worker's own
    target, log, failed = shared / "site", shared / "site.log", shared / "site.failed"
    with _locked(shared / "site.lock"):
        if not log.exists():
            process = mkdocs_build(ROOT, target)
            log.write_text(process.stderr, encoding="utf-8")
            if process.returncode != 0:
                failed.touch()
    assert not failed.exists(), log.read_text(encoding="utf-8")[-5000:]
    return BuiltSite(target, log.read_text(encoding="utf-8"))


# ---- the built site in a browser (tests/test_browser.py, test_playground.py)

# Debian's chromium by default; CHROMIUM_PATH points elsewhere (the GitHub workflow).
CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def server(site):
    handler = functools.partial(SiteHandler, directory=str(site.path))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}{SITE_PATH}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} is missing: install Debian's chromium (see README, test command)"
    )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()
