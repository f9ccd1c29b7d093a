"""Run and cache the snippets: each ``snippets/*.py`` runs at most once per
build, and not at all while it and what it depends on are unchanged.

A snippet's hash covers its source and what every snippet depends on (the
runner and this module, ``requirements.txt``, the MNIST sample). A result
in memory (:data:`STATE.results`) or in ``.cache/snippets/<name>-<hash>/``
is reused once verified (readable, every file matching its digest); the
others run in one subprocess (:mod:`tutorial.runner`), two at a time.
Under `mkdocs serve` that subprocess stays up between rebuilds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from mkdocs.exceptions import PluginError

from tutorial.runner import (
    CACHE_DIR,
    MNIST_MODE,
    MNIST_SAMPLE_DIR,
    ROOT,
    SNIPPETS_DIR,
    DataError,
    SnippetError,
    clean_leftovers,
    data_root,
    file_digest,
    mnist_sample_digest,
    parse_sections,
)
from tutorial.state import STATE

log = logging.getLogger("mkdocs.hooks.snippets")

RUNNER = Path(__file__).with_name("runner.py")
RESULTS_DIR = CACHE_DIR / "snippets"
SERVE_LOG = CACHE_DIR / "serve-runner.log"  # the warm runner's stderr under `mkdocs serve`


def _dependency_digest() -> str:
    """What every snippet depends on besides itself: this folder's code,
    requirements.txt and the MNIST sample. Re-hashed only when a file changes,
    not for every snippet of every language's build."""
    files = [RUNNER, Path(__file__), ROOT / "requirements.txt"]
    stats = (
        tuple((f, f.stat().st_mtime_ns, f.stat().st_size) for f in files)
        + (MNIST_MODE,)
        + tuple((f.name, f.stat().st_mtime_ns) for f in sorted(MNIST_SAMPLE_DIR.glob("*.gz")))
    )
    if stats != STATE.dependencies[0]:
        digest = hashlib.sha256()
        for dependency in files:
            digest.update(dependency.read_bytes())
        digest.update(MNIST_MODE.encode())
        digest.update(mnist_sample_digest().encode())
        STATE.dependencies = (stats, digest.hexdigest())
    return STATE.dependencies[1]


def snippet_hash(path: Path, source: bytes | None = None) -> str:
    digest = hashlib.sha256(path.read_bytes() if source is None else source)
    digest.update(_dependency_digest().encode())
    return digest.hexdigest()[:16]


def snippet_result(stem: str) -> tuple[dict, Path]:
    """This build's result of a snippet and the folder with its files."""
    _, result, out = STATE.results[stem]
    return result, out


class DamagedCache(Exception):
    """A cached result that does not hold what it says it holds."""


def _load(out: Path) -> dict:
    """A snippet's result from its folder, verified: a folder with an error
    fails the build; one whose result.json is unreadable, or whose files are
    missing or differ from their digests, raises DamagedCache (run it again)."""
    error = out / "error.json"
    if error.exists():
        info = json.loads(error.read_text())
        raise PluginError(
            f"Snippet failed at {info['location']} (section '{info['section']}'):\n"
            f"{info['traceback'] or info['message']}\n"
            f"{info['location']}: {info['message']}"
        )
    try:
        result = json.loads((out / "result.json").read_text(encoding="utf-8"))
        digests = result["digests"]
        names = [name for section in result["sections"].values() for name in section["files"]]
    except (OSError, ValueError, KeyError, AttributeError, TypeError) as err:
        raise DamagedCache(f"result.json is unreadable ({type(err).__name__})") from None
    for name in names:
        path = out / name
        if name not in digests or not path.is_file():
            raise DamagedCache(f"{name} is missing")
        if file_digest(path) != digests[name]:
            raise DamagedCache(f"{name} differs from the file the snippet saved")
    return result


def run_all_snippets() -> dict[str, tuple[str, dict, Path]]:
    """Bring every snippet's results up to date; run only what changed."""
    paths = sorted(SNIPPETS_DIR.glob("*.py"))
    for _attempt in range(3):
        if not _update(paths):
            break
    else:
        raise PluginError("Snippets keep changing while they run; build again.")
    return STATE.results


def _update(paths: list[Path]) -> bool:
    """Run what is stale; True if a file changed while it ran (try again)."""
    stale: list[tuple[Path, str, Path, str]] = []  # path, hash, out dir, source sha
    from_cache = 0
    for path in paths:
        source = path.read_bytes()
        try:
            parse_sections(path, source.decode("utf-8"))  # fail early, with file and line
        except SnippetError as err:
            raise PluginError(str(err)) from None
        digest = snippet_hash(path, source)
        out = RESULTS_DIR / f"{path.stem}-{digest}"
        if STATE.results.get(path.stem, ("",))[0] == digest:
            continue
        if (out / "error.json").exists():  # not a result: left by a crash, judge it again
            shutil.rmtree(out, ignore_errors=True)
        if out.is_dir():
            try:
                STATE.results[path.stem] = (digest, _load(out), out)
                from_cache += 1
                continue
            except DamagedCache as damage:
                log.info(
                    f"Snippets: the cached result of {path.name} is damaged ({damage}); "
                    "running it again"
                )
                shutil.rmtree(out, ignore_errors=True)
        stale.append((path, digest, out, hashlib.sha256(source).hexdigest()))
    for name in set(STATE.results) - {p.stem for p in paths}:
        del STATE.results[name]

    if stale:
        started = time.perf_counter()
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        for leftover in clean_leftovers():
            log.info(f"Snippets: removed {leftover}, left by a run that was killed")
        try:
            data_root()  # the MNIST data the snippets load: checked (or downloaded) first
        except DataError as err:
            raise PluginError(f"MNIST data: {err}") from None
        log.info(f"Snippets: running {len(stale)} ({', '.join(p.name for p, *_ in stale)})")
        runner_output = _run_runner([(str(p), str(out)) for p, _, out, _ in stale])
        changed = False
        for path, digest, out, source_sha in stale:
            if not out.is_dir():
                raise PluginError(
                    f"Snippet runner crashed on {path.relative_to(ROOT)}:\n{runner_output}"
                )
            try:
                result = _load(out)
            except DamagedCache as damage:
                raise PluginError(
                    f"Snippet runner left a damaged result for "
                    f"{path.relative_to(ROOT)} ({damage}):\n{runner_output}"
                ) from None
            except PluginError:
                shutil.rmtree(out)  # an error is not a result to keep
                STATE.results.pop(path.stem, None)
                if hashlib.sha256(path.read_bytes()).hexdigest() != source_sha:
                    changed = True  # it failed on a newer edit; judge that one next
                    continue
                raise
            if result.get("source_sha256") != source_sha:
                shutil.rmtree(out)  # edited while it ran: not the version we hashed
                changed = True
                continue
            STATE.results[path.stem] = (digest, result, out)
            _prune(path.stem, keep=out)
            for section, written in result.get("written_outside", []):
                log.warning(
                    f"snippets/{path.name} (section '{section}') wrote {written}, outside "
                    "its scratch folder, into the repository; write only into the "
                    "current folder (the page shows what is saved there)"
                )
        seconds = time.perf_counter() - started
        log.info(
            f"Snippets: {len(stale)} run ({seconds:.1f} s: "
            + ", ".join(
                f"{p.name} {STATE.results[p.stem][1]['seconds']} s"
                for p, *_ in stale
                if p.stem in STATE.results
            )
            + f"), {from_cache} from cache"
        )
        return changed
    if from_cache:
        log.info(f"Snippets: 0 run, {from_cache} from cache")
    return False


def _run_runner(jobs: list[tuple[str, str]]) -> str:
    """Run snippet jobs, (snippet, result folder) pairs; return the runner's output.
    Paths travel as separate arguments (or JSON), never joined by a character
    that a checkout's path could contain.

    Under `mkdocs serve` one runner process stays up with torch imported, so an
    edited snippet starts at once; if it is gone, a one-shot runner is used.
    """
    if STATE.serving:
        try:
            if STATE.warm_runner is None or STATE.warm_runner.poll() is not None:
                SERVE_LOG.parent.mkdir(parents=True, exist_ok=True)
                with SERVE_LOG.open("w") as errors:  # what it says when it dies
                    STATE.warm_runner = subprocess.Popen(
                        [sys.executable, str(RUNNER), "--serve"],
                        cwd=ROOT,
                        env=runner_env(),
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                        stderr=errors,
                        text=True,
                    )
            STATE.warm_runner.stdin.write(json.dumps(jobs) + "\n")
            STATE.warm_runner.stdin.flush()
            for line in STATE.warm_runner.stdout:
                if line.startswith("__snippet_runner_done__"):
                    return ""
            raise OSError("the warm snippet runner stopped")
        except OSError as err:
            said = SERVE_LOG.read_text(errors="replace")[-3000:] if SERVE_LOG.exists() else ""
            log.warning(
                f"Warm snippet runner unavailable ({err}); starting a fresh one."
                + (f" It said:\n{said}" if said.strip() else "")
            )
            stop_warm_runner()
    process = subprocess.run(
        [sys.executable, str(RUNNER), *(p for job in jobs for p in job)],
        cwd=ROOT,
        env=runner_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if process.stdout.strip():
        log.debug(process.stdout)
    return process.stdout


def stop_warm_runner() -> None:
    if STATE.warm_runner is not None:
        STATE.warm_runner.kill()
        STATE.warm_runner.wait()
        STATE.warm_runner = None


def runner_env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    # Two snippets run side by side; one thread each keeps them from fighting
    # over two cores and keeps torch's reductions in a fixed order.
    env.update(MPLBACKEND="Agg", OMP_NUM_THREADS="1", PYTHONHASHSEED="0")
    return env


def _prune(stem: str, keep: Path, versions: int = 3) -> None:
    """Keep the newest few results of a snippet, so undoing an edit is instant."""
    old = [
        d
        for d in RESULTS_DIR.glob(f"{stem}-*")
        if d != keep and re.fullmatch(rf"{re.escape(stem)}-[0-9a-f]{{16}}", d.name)
    ]
    old.sort(key=lambda d: d.stat().st_mtime, reverse=True)
    for stale in old[versions - 1 :]:
        shutil.rmtree(stale, ignore_errors=True)
