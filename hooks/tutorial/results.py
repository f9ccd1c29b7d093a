"""Run and cache the snippets: each ``snippets/*.py`` runs at most once per
build, and not at all while it and what it depends on are unchanged.

A snippet's hash covers its source and what every snippet depends on (the
runner and this module, ``requirements.txt``, the MNIST sample). A result
in memory (:data:`STATE.results`) or in ``.cache/snippets/<name>-<hash>/``
is reused once verified (readable, every file matching its digest); the
others run in one subprocess (:mod:`tutorial.runner`), two at a time,
slowest first. The build does not wait for them: it renders pages while they
run, and a page waits only for the snippets it shows
(:func:`snippet_result`). Under `mkdocs serve` that subprocess stays up
between rebuilds.
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
from dataclasses import dataclass
from pathlib import Path

from mkdocs.exceptions import PluginError

from tutorial.environment import package_versions
from tutorial.runner import (
    CACHE_DIR,
    DONE,
    FINISHED,
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
    rel,
)
from tutorial.state import STATE

log = logging.getLogger("mkdocs.hooks.snippets")

RUNNER = Path(__file__).with_name("runner.py")
RESULTS_DIR = CACHE_DIR / "snippets"
SERVE_LOG = CACHE_DIR / "serve-runner.log"  # the warm runner's stderr under `mkdocs serve`


def _dependency_digest() -> str:
    """What every snippet depends on besides itself: this folder's code,
    requirements.txt, the installed versions of the packages it uses (a
    different snnTorch makes new outputs even where requirements.txt is
    unchanged: the drift canary, tests/drift.py) and the MNIST sample. Re-hashed only when a file changes,
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
        digest.update(repr(sorted(package_versions().items())).encode())
        digest.update(mnist_sample_digest().encode())
        STATE.dependencies = (stats, digest.hexdigest())
    return STATE.dependencies[1]


def snippet_hash(path: Path, source: bytes | None = None) -> str:
    digest = hashlib.sha256(path.read_bytes() if source is None else source)
    digest.update(_dependency_digest().encode())
    return digest.hexdigest()[:16]


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


@dataclass
class Job:
    """A snippet to run: its file, the hash it was filed under, its result
    folder, and the SHA-256 of the source that was hashed."""

    path: Path
    digest: str
    out: Path
    source_sha: str
    attempt: int = 1

    @classmethod
    def of(cls, path: Path, source: bytes, attempt: int = 1) -> Job:
        digest = snippet_hash(path, source)
        out = RESULTS_DIR / f"{path.stem}-{digest}"
        return cls(path, digest, out, hashlib.sha256(source).hexdigest(), attempt)


def start_snippets() -> None:
    """Bring every snippet's result up to date without waiting: a cached,
    verified result is used as it is; the others start running in the
    background, longest first. :func:`snippet_result` waits for one,
    :func:`wait_for_all` for all, so pages render while the rest still run."""
    drain()  # (only a build that failed can leave any running)
    paths = sorted(SNIPPETS_DIR.glob("*.py"))
    stale: list[Job] = []
    from_cache = 0
    for path in paths:
        source = path.read_bytes()
        try:
            parse_sections(path, source.decode("utf-8"))  # fail early, with file and line
        except SnippetError as err:
            raise PluginError(str(err)) from None
        job = Job.of(path, source)
        digest, out = job.digest, job.out
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
        stale.append(job)
    for name in set(STATE.results) - {p.stem for p in paths}:
        del STATE.results[name]
    if stale:
        _launch(stale, from_cache)
    elif from_cache:
        log.info(f"Snippets: 0 run, {from_cache} from cache")


def snippet_result(stem: str) -> tuple[dict, Path]:
    """This build's result of ``snippets/<stem>.py`` and the folder with its
    files, once it has run; a snippet that failed fails the build here."""
    while stem in STATE.pending:
        _collect()
    _, result, out = STATE.results[stem]
    return result, out


def wait_for_all() -> None:
    """Every snippet has run (and a failing one has failed the build)."""
    while STATE.pending:
        _collect()


def _expected_seconds(path: Path) -> float:
    """How long the snippet's last run took (any version); never run: a
    guess from its length (a second per 100 lines is about right here)."""
    runs = sorted(RESULTS_DIR.glob(f"{path.stem}-*/result.json"), key=lambda p: p.stat().st_mtime)
    try:
        return float(json.loads(runs[-1].read_text())["seconds"])
    except (IndexError, OSError, ValueError, KeyError, TypeError):
        return path.read_bytes().count(b"\n") / 100


def _running_order(jobs: list[Job]) -> list[Job]:
    """The slowest first, so that it does not finish alone at the end; the
    others in name order, which is the order MkDocs renders their pages in,
    so each page finds its results ready as soon as possible."""
    jobs = sorted(jobs, key=lambda job: job.path.name)
    slowest = max(jobs, key=lambda job: _expected_seconds(job.path))
    return [slowest, *(job for job in jobs if job is not slowest)]


def _launch(jobs: list[Job], from_cache: int = 0, warm: bool = True) -> None:
    """Start a runner on ``jobs`` and return at once; their results are
    picked up by :func:`_collect`. Under `mkdocs serve` the warm runner
    takes them, unless ``warm`` is False."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    for leftover in clean_leftovers():
        log.info(f"Snippets: removed {leftover}, left by a run that was killed")
    try:
        data_root()  # the MNIST data the snippets load: checked (or downloaded) first
    except DataError as err:
        raise PluginError(f"MNIST data: {err}") from None
    jobs = _running_order(jobs)
    log.info(f"Snippets: running {len(jobs)} ({', '.join(j.path.name for j in jobs)})")
    STATE.pending.update({job.path.stem: job for job in jobs})
    if not STATE.batch:  # (not when the same jobs move to a one-shot runner)
        STATE.batch = (time.perf_counter(), jobs, from_cache)
    STATE.runner_output = []
    pairs = [(str(job.path), str(job.out)) for job in jobs]
    # Paths travel as separate arguments (or JSON), never joined by a
    # character that a checkout's path could contain.
    if STATE.serving and warm and _send_to_warm_runner(pairs):
        STATE.runner = STATE.warm_runner
        return
    STATE.runner = _one_shot_runner(pairs)


def _one_shot_runner(pairs: list[tuple[str, str]]) -> subprocess.Popen:
    """A runner for these (snippet, result folder) pairs that ends with them;
    its stdout and stderr come through one pipe."""
    return subprocess.Popen(
        [sys.executable, str(RUNNER), *(p for pair in pairs for p in pair)],
        cwd=ROOT,
        env=runner_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _send_to_warm_runner(pairs: list[tuple[str, str]]) -> bool:
    """Under `mkdocs serve` one runner stays up with torch imported, so an
    edited snippet starts at once. False if it cannot be used."""
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
        STATE.warm_runner.stdin.write(json.dumps(pairs) + "\n")
        STATE.warm_runner.stdin.flush()
        return True
    except OSError as err:
        _warm_runner_gone(err)
        return False


def _warm_runner_gone(why: object) -> None:
    said = SERVE_LOG.read_text(errors="replace")[-3000:] if SERVE_LOG.exists() else ""
    log.warning(
        f"Warm snippet runner unavailable ({why}); starting a fresh one."
        + (f" It said:\n{said}" if said.strip() else "")
    )
    stop_warm_runner()


def _collect() -> None:
    """Wait for the runner to finish one more job and take its result."""
    runner, ended = STATE.runner, True
    for line in runner.stdout:
        if line.startswith(FINISHED):
            out = Path(json.loads(line.split(" ", 1)[1]))
            job = next(job for job in STATE.pending.values() if job.out == out)
            try:
                _finish(job)
            except Exception:
                STATE.batch_failed = True
                raise
            finally:
                if not STATE.pending:  # the last one (even if it failed): end the batch
                    _runner_done(report=not STATE.batch_failed)
            return
        if line.startswith(DONE):
            ended = False
            break
        STATE.runner_output.append(line)
    # The runner stopped, or ended its batch, before reporting every job.
    output = "".join(STATE.runner_output)
    if ended and runner is STATE.warm_runner:
        _warm_runner_gone("it stopped")
        _launch(list(STATE.pending.values()), warm=False)  # the same jobs, one-shot
        return
    _runner_done(report=False)
    job = STATE.pending.popitem()[1]
    STATE.pending.clear()
    raise PluginError(f"Snippet runner crashed on {rel(job.path)}:\n{output}")


def _runner_done(report: bool) -> None:
    """The batch is over: let a one-shot runner end (the warm runner is
    read up to the end of the batch), and log what ran unless one failed."""
    runner, STATE.runner = STATE.runner, None
    if runner is not None and runner is not STATE.warm_runner:
        runner.stdout.read()
        runner.wait()
    elif runner is not None and not STATE.pending:
        for line in runner.stdout:  # what is left of this batch, up to its end
            if line.startswith(DONE):
                break
    if STATE.runner_output:
        log.debug("".join(STATE.runner_output))
    started, jobs, from_cache = STATE.batch
    STATE.batch, STATE.batch_failed = (), False
    if report:
        log.info(
            f"Snippets: {len(jobs)} run ({time.perf_counter() - started:.1f} s: "
            + ", ".join(
                f"{job.path.name} {STATE.results[job.path.stem][1]['seconds']} s"
                for job in jobs
                if job.path.stem in STATE.results
            )
            + f"), {from_cache} from cache"
        )


def _finish(job: Job) -> None:
    """Take the result of a job the runner has finished: verify it and keep
    it; a snippet that failed fails the build, unless it was edited while it
    ran (then the new version runs)."""
    stem = job.path.stem
    del STATE.pending[stem]
    try:
        result = _load(job.out)
    except DamagedCache as damage:
        raise PluginError(
            f"Snippet runner left a damaged result for "
            f"{rel(job.path)} ({damage}):\n{''.join(STATE.runner_output)}"
        ) from None
    except PluginError:
        shutil.rmtree(job.out)  # an error is not a result to keep
        STATE.results.pop(stem, None)
        if _source_sha(job.path) != job.source_sha:
            return _run_again(job)  # it failed on an older version; judge the new one
        raise
    if result.get("source_sha256") != job.source_sha:
        shutil.rmtree(job.out)  # edited while it ran: not the version we hashed
        return _run_again(job)
    STATE.results[stem] = (job.digest, result, job.out)
    _prune(stem, keep=job.out)
    for section, written in result.get("written_outside", []):
        log.warning(
            f"snippets/{job.path.name} (section '{section}') wrote {written}, outside "
            "its scratch folder, into the repository; write only into the "
            "current folder (the page shows what is saved there)"
        )


def _source_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run_again(job: Job) -> None:
    """Run a snippet saved again while it ran, now, on its own runner."""
    if job.attempt >= 3:
        raise PluginError(f"{job.path.name} keeps changing while it runs; build again.")
    again = Job.of(job.path, job.path.read_bytes(), job.attempt + 1)
    shutil.rmtree(again.out, ignore_errors=True)
    output, _ = _one_shot_runner([(str(again.path), str(again.out))]).communicate()
    STATE.runner_output.append(output)
    if not again.out.is_dir():
        raise PluginError(f"Snippet runner crashed on {rel(job.path)}:\n{output}")
    STATE.pending[again.path.stem] = again
    _finish(again)


def drain() -> None:
    """After a failed build: let the other snippets finish, quietly. Their
    results are kept for the next build; their errors will be reported
    then. (No half-done folders are left, and the next build is quick.)"""
    while STATE.pending:
        try:
            _collect()
        except PluginError:
            pass


def stop_runner() -> None:
    """MkDocs is shutting down: stop a runner that is still running."""
    if STATE.runner is not None and STATE.runner is not STATE.warm_runner:
        STATE.runner.kill()
        STATE.runner.wait()
    STATE.runner = None
    STATE.pending.clear()
    STATE.batch, STATE.batch_failed = (), False


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
