"""Run the tutorial's snippet files and keep what they print and draw.

A snippet file (``snippets/<name>.py``) is a chapter's whole program, cut
into named sections with pymdownx.snippets markers::

    # --8<-- [start:encode]
    spike_data = spikegen.rate(data_it, num_steps=100)
    print(spike_data.size())
    # --8<-- [end:encode]

The pages include the sections in order, so the sections, read top to
bottom, are exactly the program a reader copies. Running a file here means:
execute its sections in order in one fresh namespace, with the current
directory set to a scratch folder where ``data/mnist`` holds MNIST, and after
each section keep

* what it printed (stdout),
* every open matplotlib figure, saved as ``<section>.png`` (``-2``, ``-3``
  for more) and then closed, as a notebook would show and close it,
* every file the code itself wrote into the scratch folder (an animation
  saved with ``anim.save("digit.gif")``, say), under the name it chose.

Results go to ``<out>/result.json`` plus the image files. A failing section
raises :class:`SnippetError` naming the snippet file and line.

The build (:mod:`tutorial.results`) calls this module in a subprocess,
``python hooks/tutorial/runner.py SNIPPET OUTDIR [SNIPPET OUTDIR ...]``, which
imports torch and matplotlib once, then forks one child per snippet (two at a time),
so every snippet starts from a clean interpreter state without paying the
import cost again. The tests import :func:`run_file` directly.
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import gzip
import hashlib
import io
import json
import math
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent  # hooks/tutorial/runner.py
SNIPPETS_DIR = ROOT / "snippets"
CACHE_DIR = ROOT / ".cache"
MNIST_SAMPLE_DIR = ROOT / "data" / "mnist-sample"

# Set SPIKE_TUTORIAL_MNIST=full on a machine with network access to let
# torchvision download the full dataset instead of using the shipped sample.
MNIST_MODE = os.environ.get("SPIKE_TUTORIAL_MNIST", "sample")

SECTION_RE = re.compile(r"^\s*# --8<-- \[(start|end):([\w-]+)\]\s*$")
# What one section may print: the page shows it all, as do the notebook and
# the search index (the largest today is about 1.5 KB).
MAX_PRINTED = 100_000
# Seconds one snippet file may run in the build before it fails (a loop that
# never ends would otherwise hang `mkdocs build` and `serve` without a word).
TIME_LIMIT = int(os.environ.get("SPIKE_TUTORIAL_SNIPPET_TIMEOUT", "300"))


class SnippetError(Exception):
    """A snippet raised. ``location`` is ``snippets/x.py:LINE``."""

    def __init__(self, location: str, section: str, message: str, tb: str = ""):
        super().__init__(f"{location} (section '{section}'): {message}")
        self.location, self.section, self.message, self.tb = location, section, message, tb


@dataclass
class Section:
    name: str
    first_line: int  # 1-based line number of the first code line
    code: str


def rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def parse_sections(path: Path, text: str | None = None) -> list[Section]:
    """Split a snippet file into its named sections, in file order.

    Code outside every section would run at build time without being shown
    on any page (hidden setup), so it is an error, as are unclosed or nested
    sections.
    """
    sections: list[Section] = []
    current: str | None = None
    start = 0
    body: list[str] = []
    if text is None:
        text = Path(path).read_text(encoding="utf-8")
    file = rel(path)  # once: resolving a path for every line cost most of a warm build's hooks
    for number, line in enumerate(text.splitlines(), 1):
        marker = SECTION_RE.match(line)
        where = f"{file}:{number}"
        if marker:
            kind, name = marker.groups()
            if kind == "start":
                if current is not None:
                    raise SnippetError(where, name, f"section '{name}' starts inside '{current}'")
                if any(s.name == name for s in sections):
                    raise SnippetError(where, name, f"section '{name}' appears twice")
                current, start, body = name, number + 1, []
            else:
                if current != name:
                    raise SnippetError(where, name, f"end of '{name}' without its start")
                sections.append(Section(name, start, "\n".join(body) + "\n"))
                current = None
        elif current is not None:
            body.append(line)
        elif line.strip() and not line.lstrip().startswith("#"):
            raise SnippetError(
                where,
                "-",
                "code outside any section would run unseen; put it in a section that a page shows",
            )
    if current is not None:
        raise SnippetError(file, current, f"section '{current}' is never closed")
    return sections


# ---------------------------------------------------------------- data

MNIST_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
SAMPLE_FIX = (
    "restore it with `git checkout -- data/mnist-sample` (or set "
    "SPIKE_TUTORIAL_MNIST=full to download the full dataset instead)"
)
# Seconds a full-MNIST download may wait for the network before it gives up.
DOWNLOAD_TIMEOUT = int(os.environ.get("SPIKE_TUTORIAL_DOWNLOAD_TIMEOUT", "60"))


class DataError(Exception):
    """The MNIST data cannot be used; the message names the file and the fix."""


def mnist_sample_digest() -> str:
    digest = hashlib.sha256()
    for gz in sorted(MNIST_SAMPLE_DIR.glob("*.gz")):
        digest.update(gz.name.encode() + gz.read_bytes())
    return digest.hexdigest()


def _idx_size(data: bytes) -> int:
    """The length an IDX file (MNIST's format) says it has: a 4-byte magic
    number whose last byte counts the dimensions, one 4-byte size each, data."""
    if len(data) < 4 or data[:3] != b"\x00\x00\x08":
        return -1
    ndim = data[3]
    sizes = [int.from_bytes(data[4 + 4 * k : 8 + 4 * k], "big") for k in range(ndim)]
    return 4 + 4 * ndim + math.prod(sizes)


def unpack_mnist_sample() -> dict[str, bytes]:
    """The four files of data/mnist-sample, unpacked and checked whole."""
    unpacked = {}
    for name in MNIST_FILES:
        gz = MNIST_SAMPLE_DIR / f"{name}.gz"
        if not gz.is_file():
            raise DataError(f"{rel(gz)} is missing: {SAMPLE_FIX}")
        try:
            data = gzip.decompress(gz.read_bytes())
        except (OSError, EOFError) as err:
            raise DataError(f"{rel(gz)} is damaged ({err}): {SAMPLE_FIX}") from None
        if _idx_size(data) != len(data):
            raise DataError(
                f"{rel(gz)} is not a whole MNIST file (its header says "
                f"{_idx_size(data)} bytes, it holds {len(data)}): {SAMPLE_FIX}"
            )
        unpacked[name] = data
    return unpacked


def _download_full(root: Path) -> None:
    """torchvision's download of the full MNIST, with a time limit per
    network wait (a network that drops packets would otherwise stall for
    minutes without a word) and a message that says what to do."""
    import socket

    from torchvision import datasets

    print(
        f"Downloading the full MNIST into {rel(root)} (SPIKE_TUTORIAL_MNIST=full) ...",
        file=sys.stderr,
        flush=True,
    )
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT)
    try:
        for train in (True, False):
            datasets.MNIST(root / "mnist", train=train, download=True)
    except Exception as err:  # noqa: BLE001 - any network or file error
        raise DataError(
            f"downloading the full MNIST failed ({type(err).__name__}: {err}); "
            "check the network, or unset SPIKE_TUTORIAL_MNIST to build with the "
            "sample in data/mnist-sample"
        ) from None
    finally:
        socket.setdefaulttimeout(previous)


def data_root() -> Path:
    """A folder whose ``mnist/MNIST/raw`` torchvision will find.

    In the default ``sample`` mode it holds the sample shipped in
    ``data/mnist-sample``, unpacked to the file names torchvision checks, so
    ``datasets.MNIST("data/mnist", download=True)`` loads it and skips the
    download. The unpacked copy is checked against the digests written when
    it was made, and made again if it differs. In ``full`` mode torchvision
    downloads the full dataset into it once (this needs network access).
    Raises :class:`DataError`.
    """
    if MNIST_MODE == "full":
        root = CACHE_DIR / "data-full"
        root.mkdir(parents=True, exist_ok=True)
        # Download once, up front, so that no snippet depends on another one
        # having downloaded it first (troubleshooting.py loads with download=False).
        _download_full(root)
        return root
    root = CACHE_DIR / f"data-sample-{mnist_sample_digest()[:12]}"
    if _unpacked_intact(root):
        return root
    unpacked = unpack_mnist_sample()
    tmp = CACHE_DIR / f"tmp-data-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    raw = tmp / "mnist" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name, data in unpacked.items():
        (raw / name).write_bytes(data)
    (tmp / "digests.json").write_text(
        json.dumps({name: hashlib.sha256(data).hexdigest() for name, data in unpacked.items()})
    )
    if not _unpacked_intact(root):  # (another process may have just made it)
        shutil.rmtree(root, ignore_errors=True)
        try:
            tmp.rename(root)
        except OSError:  # another process unpacked it first
            pass
    shutil.rmtree(tmp, ignore_errors=True)
    return root


def _unpacked_intact(root: Path) -> bool:
    try:
        digests = json.loads((root / "digests.json").read_text())
        raw = root / "mnist" / "MNIST" / "raw"
        return sorted(digests) == sorted(MNIST_FILES) and all(
            file_digest(raw / name) == digest for name, digest in digests.items()
        )
    except (OSError, ValueError):
        return False


def prepare_workdir(workdir: Path) -> Path:
    """An empty scratch folder with ``data`` pointing at the MNIST data."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    (workdir / "data").symlink_to(data_root(), target_is_directory=True)
    return workdir


# ---------------------------------------------------------------- running


def _error_location(path: Path, exc: BaseException) -> str:
    """``snippets/x.py:LINE`` of the innermost frame inside the snippet."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == str(path):
            line = frame.lineno
    if line is None and isinstance(exc, SyntaxError) and exc.filename == str(path):
        line = exc.lineno
    return f"{rel(path)}:{line}" if line else rel(path)


def _save_figures(section: str, outdir: Path) -> list[str]:
    import matplotlib.pyplot as plt

    names = []
    for index, number in enumerate(plt.get_fignums(), 1):
        name = f"{section}.png" if index == 1 else f"{section}-{index}.png"
        # No "Software" metadata: the same figure gives the same bytes.
        plt.figure(number).savefig(
            outdir / name, dpi=100, bbox_inches="tight", metadata={"Software": None}
        )
        names.append(name)
    plt.close("all")
    return names


def _collect_written_files(
    workdir: Path, outdir: Path, saved: dict[str, tuple[str, str]], section: str, where: str
) -> list[str]:
    """Copy the files this section wrote into ``outdir``. ``saved`` maps every
    name kept so far to (the section that saved it, its digest): a file saved
    again under a name already taken would replace what an earlier section's
    page shows, so it is an error."""
    names = []
    for item in sorted(workdir.iterdir()):
        if item.name == "data" or not item.is_file():
            continue
        digest = hashlib.sha256(item.read_bytes()).hexdigest()
        if item.name in saved:
            first, old = saved[item.name]
            if old != digest:
                raise SnippetError(
                    where,
                    section,
                    (
                        f"saves {item.name}, a name section '{first}' already used; the page "
                        "would show only one of them: give each file its own name"
                    ),
                )
            continue
        shutil.copyfile(item, outdir / item.name)
        saved[item.name] = (section, digest)
        names.append(item.name)
    return names


def run_file(
    path: Path,
    outdir: Path | None = None,
    workdir: Path | None = None,
    namespace: dict | None = None,
    on_section=None,
) -> dict:
    """Execute a snippet file section by section; return its results.

    The result maps each section name to ``{"stdout": str, "files": [...]}``.
    With ``outdir`` the figures and written files are kept there. The final
    namespace is left in ``namespace`` (if given) for tests to inspect.
    ``on_section(name)`` is called before each section runs.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path).resolve()
    # Read the file once: what runs is exactly what source_sha256 names, even
    # if an editor saves the file again while it runs.
    source = path.read_bytes()
    sections = parse_sections(path, source.decode("utf-8"))
    own_workdir = workdir is None  # a scratch folder of this run's own, removed after it
    if own_workdir:
        (CACHE_DIR / "work").mkdir(parents=True, exist_ok=True)
        workdir = Path(
            tempfile.mkdtemp(prefix=f"{path.stem}-{os.getpid()}-", dir=CACHE_DIR / "work")
        )
    workdir = prepare_workdir(workdir)
    outdir = Path(outdir) if outdir else workdir / ".outputs"
    outdir.mkdir(parents=True, exist_ok=True)
    ns = namespace if namespace is not None else {}
    ns.update({"__name__": "__main__", "__file__": str(path)})

    results: dict[str, dict] = {}
    saved: dict[str, tuple[str, str]] = {}  # file name -> (section, digest)
    old_cwd = os.getcwd()
    started = time.perf_counter()
    os.chdir(workdir)
    plt.close("all")
    try:
        for section in sections:
            # Pad with blank lines so tracebacks give the file's own line numbers.
            padded = "\n" * (section.first_line - 1) + section.code
            stdout = io.StringIO()
            if on_section:
                on_section(section.name)
            try:
                code = compile(padded, str(path), "exec")
                with contextlib.redirect_stdout(stdout):
                    exec(code, ns)
            # sys.exit() too: a page's code must not end the reader's session
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - report any failure
                plt.close("all")
                message = "".join(traceback.format_exception_only(type(exc), exc)).strip()
                raise SnippetError(
                    _error_location(path, exc), section.name, message, traceback.format_exc()
                ) from exc
            where = f"{rel(path)}:{section.first_line}"
            printed = stdout.getvalue()
            if len(printed) > MAX_PRINTED:
                plt.close("all")
                raise SnippetError(
                    where,
                    section.name,
                    (
                        f"printed {len(printed):,} characters; a page shows at most "
                        f"{MAX_PRINTED:,} per section: print a summary instead"
                    ),
                )
            files = _save_figures(section.name, outdir)
            for name in files:
                if name in saved:  # a file an earlier section wrote, named like this figure
                    raise SnippetError(
                        where,
                        section.name,
                        (
                            f"draws {name}, a name section '{saved[name][0]}' already used "
                            "for a file it saved: give that file another name"
                        ),
                    )
                saved[name] = (section.name, "figure")
            files += _collect_written_files(workdir, outdir, saved, section.name, where)
            results[section.name] = {"stdout": printed, "files": files}
        # what the build checks before it trusts a cached copy of these files
        digests = {
            name: file_digest(outdir / name) for r in results.values() for name in r["files"]
        }
    finally:
        os.chdir(old_cwd)
        if own_workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return {
        "sections": results,
        "seconds": round(time.perf_counter() - started, 2),
        "source_sha256": hashlib.sha256(source).hexdigest(),
        "digests": digests,
    }


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _time_limit(signum, frame):
    raise TimeoutError(
        f"ran longer than {TIME_LIMIT} s, the limit for one snippet file "
        "(set SPIKE_TUTORIAL_SNIPPET_TIMEOUT to change it)"
    )


def _die_with_parent() -> None:
    """Linux: end this process when its parent ends, so that killing mkdocs
    does not leave a runner (or a snippet stuck in a loop) burning CPU."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


LEFTOVER = re.compile(r"(?:.+\.tmp|tmp-data-|.+?-)(\d+)(?:-\w+)?")


def clean_leftovers() -> list[str]:
    """Remove what runs that were killed or crashed left in .cache: scratch
    folders and half-written results and data of processes that are gone
    (``work/<stem>-PID``, ``snippets/<name>.tmpPID``, ``tmp-data-PID``) and
    progress files older than the
    time limit. Returns what it removed."""
    removed = []
    for folder in (CACHE_DIR, CACHE_DIR / "work", CACHE_DIR / "snippets"):
        if not folder.is_dir():
            continue
        for item in folder.iterdir():
            match = LEFTOVER.fullmatch(item.name)
            stale = (
                (
                    folder == CACHE_DIR / "work"
                    or ".tmp" in item.name
                    or item.name.startswith("tmp-data-")
                )
                and match
                and not _alive(int(match[1]))
            )
            if item.suffix in (".section", ".fault"):
                stale = time.time() - item.stat().st_mtime > TIME_LIMIT + 60
            if stale:
                removed.append(rel(item))
                if item.is_dir():
                    shutil.rmtree(item, ignore_errors=True)
                else:
                    item.unlink(missing_ok=True)
    return removed


def _child_workdir(path: Path, pid: int) -> Path:
    """The scratch folder of the forked child ``pid`` running ``path``."""
    return CACHE_DIR / "work" / f"{path.stem}-{pid}"


def _watch_writes(workdir: Path, section: list[str], seen: list[list[str]]) -> None:
    """Record (section, path) for every file this process opens for writing,
    or folder it makes, inside the repository but outside ``workdir``: a
    snippet's ``open("../../x", "w")`` would otherwise land in the checkout
    unnoticed. (An audit hook: it sees every open, whatever library does it.)"""
    # the runner's own: results, and the scratch folder with the folders above it
    inside = (str(CACHE_DIR / "snippets") + os.sep, str(workdir) + os.sep)
    own = {str(CACHE_DIR), str(CACHE_DIR / "work"), str(CACHE_DIR / "snippets"), str(workdir)}

    def hook(event: str, args: tuple) -> None:
        if event == "open":
            path, mode, flags = args
            writing = (mode and any(c in mode for c in "wax+")) or (
                flags and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
            )
        elif event == "os.mkdir":
            path, writing = args[0], True
        else:
            return
        if not writing or not isinstance(path, (str, bytes, os.PathLike)):
            return
        where = os.path.abspath(os.fsdecode(path))
        if (
            where.startswith(str(ROOT) + os.sep)
            and not where.startswith(inside)
            and where not in own
        ):
            entry = [section[0], os.path.relpath(where, ROOT)]
            if entry not in seen:
                seen.append(entry)

    sys.addaudithook(hook)


def _run_one(path: Path, out: Path) -> None:
    """Run one snippet into ``out`` atomically: result.json or error.json.
    A snippet still running after TIME_LIMIT seconds fails where it is."""
    tmp = out.with_name(out.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    signal.signal(signal.SIGALRM, _time_limit)
    signal.alarm(TIME_LIMIT)
    # If the process dies outright (os._exit, a segfault), the runner reads
    # from these which section it was in and the C-level traceback.
    progress = _progress_file(out)
    faulthandler.enable(progress.with_suffix(".fault").open("w"))
    section, outside = ["-"], []

    def on_section(name: str) -> None:
        section[0] = name
        progress.write_text(name)

    _watch_writes(_child_workdir(path, os.getpid()), section, outside)
    try:
        result = run_file(path, tmp, _child_workdir(path, os.getpid()), on_section=on_section)
        result["written_outside"] = outside
    except SnippetError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        (tmp / "error.json").write_text(
            json.dumps(
                {
                    "location": err.location,
                    "section": err.section,
                    "message": err.message,
                    "traceback": err.tb,
                }
            )
        )
        print(err.tb or str(err), file=sys.stderr)
    else:
        (tmp / "result.json").write_text(json.dumps(result, indent=1, ensure_ascii=False))
    finally:
        signal.alarm(0)
        shutil.rmtree(_child_workdir(path, os.getpid()), ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)


# Libraries that take a while to import -> what in a snippet says it needs them.
HEAVY = {
    "numpy": r"numpy",
    "matplotlib": r"matplotlib",
    "torch": r"torch",
    "torchvision": r"torchvision",
    "pandas": r"pandas|snntorch\.spikeplot|snntorch\s+import\s+spikeplot",  # spikeplot needs it
}


def _preload(sources: list[str] | None = None) -> None:
    """Import the heavy libraries once; each forked child inherits them.
    Given the snippets' sources, only those some snippet imports (a build of
    snippets that only draw with matplotlib does not pay for torch).

    snntorch is deliberately not imported here: `import snntorch` does not
    import snntorch.spikegen, and a preloaded submodule would hide that.
    """
    import importlib

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401

    for name, needs in HEAVY.items():
        used = sources is None or any(
            re.search(rf"^\s*(?:import|from)\s+(?:{needs})\b", text, re.MULTILINE)
            for text in sources
        )
        if used:
            importlib.import_module(name)


def keep_freed_memory() -> None:
    """Let glibc's malloc keep freed memory for the next allocation.

    A batch of 128 MNIST digits over 100 steps is a 40 MB tensor. By default
    glibc gives every block that large its own mmap and returns it to the
    kernel when freed, so the next one is faulted in page by page again:
    about a fifth of the snippets' CPU time went to those page faults (system
    time). Raising the mmap and trim thresholds keeps the memory in the heap
    for reuse. Outputs are unchanged; peak memory grows by a few hundred MB.
    Elsewhere than glibc this does nothing."""
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError):
        return
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    for option in (M_MMAP_THRESHOLD, M_TRIM_THRESHOLD):
        mallopt(option, 1 << 30)


def _progress_file(out: Path) -> Path:
    return out.with_name(out.name + ".section")


def _report_crash(snippet: Path, out: Path, status: int, pid: int) -> None:
    """A child that died without writing its result: say so in ``out``, with
    the section it was in, how it ended and faulthandler's traceback, and
    clear away what it left half done."""
    progress = _progress_file(out)
    fault = progress.with_suffix(".fault")
    section = progress.read_text() if progress.exists() else "-"
    dump = fault.read_text(errors="replace").strip() if fault.exists() else ""
    if os.WIFSIGNALED(status):
        how = f"killed by signal {signal.Signals(os.WTERMSIG(status)).name}"
    else:
        how = f"ended with exit status {os.waitstatus_to_exitcode(status)} (os._exit?)"
    if not out.is_dir():
        out.mkdir(parents=True)
        (out / "error.json").write_text(
            json.dumps(
                {
                    "location": rel(snippet),
                    "section": section,
                    "message": f"the process running it was {how}",
                    "traceback": dump,
                }
            )
        )
    for leftover in (progress, fault):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(out.with_name(f"{out.name}.tmp{pid}"), ignore_errors=True)
    shutil.rmtree(_child_workdir(snippet, pid), ignore_errors=True)


def run_jobs(jobs: list[tuple[Path, Path]]) -> int:
    """Run each snippet in a forked child, two at a time; the number that crashed."""
    data_root()  # unpack the data once, before the children race for it
    # The preloaded libraries' objects stay out of the children's garbage
    # collections (each full collection would walk them all again); about 3%
    # of the snippets' time.
    gc.freeze()
    running: dict[int, tuple[Path, Path]] = {}
    failed = 0
    width = max(1, min(len(jobs), os.cpu_count() or 1, 2))

    def reap() -> None:
        nonlocal failed
        pid, status = os.wait()
        snippet, out = running.pop(pid)
        failed += status != 0
        if status != 0 or _progress_file(out).exists():
            _report_crash(snippet, out, status, pid)
        # The build reads this to use the result at once, while others run.
        print(FINISHED, json.dumps(str(out)), flush=True)

    for snippet, out in jobs:
        if len(running) >= width:
            reap()
        pid = os.fork()
        if pid == 0:  # child
            _die_with_parent()
            code = 0
            try:
                _run_one(snippet, out)
            except BaseException:  # noqa: BLE001
                traceback.print_exc()
                code = 2
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        running[pid] = (snippet, out)
    while running:
        reap()
    return failed


FINISHED = "__snippet_finished__"  # then the JSON string of a job's result folder
DONE = "__snippet_runner_done__"  # --serve: every job of the batch has finished


def main(argv: list[str]) -> int:
    """``runner.py SNIPPET OUTDIR [SNIPPET OUTDIR ...]``.

    ``runner.py --serve`` stays up for ``mkdocs serve``: it reads one
    line per rebuild from stdin, a JSON list of [snippet, outdir] pairs, and
    answers with a line ``__snippet_runner_done__ <crashed>``, so an edited
    snippet does not pay for importing torch again.
    """
    if argv != ["--serve"] and (not argv or len(argv) % 2):
        print(
            "usage: runner.py SNIPPET OUTDIR [SNIPPET OUTDIR ...] | --serve",
            file=sys.stderr,
        )
        return 2
    _die_with_parent()
    keep_freed_memory()
    if argv != ["--serve"]:
        jobs = [(Path(snippet), Path(out)) for snippet, out in zip(argv[::2], argv[1::2])]
        _preload([snippet.read_text(encoding="utf-8") for snippet, _ in jobs])
        return 1 if run_jobs(jobs) else 0
    _preload()  # serve: everything, before the first edit asks for it
    for line in sys.stdin:
        crashed = run_jobs([(Path(snippet), Path(out)) for snippet, out in json.loads(line)])
        print(f"{DONE} {crashed}", flush=True)
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # not sys.exit: tearing down torch and matplotlib takes a second
