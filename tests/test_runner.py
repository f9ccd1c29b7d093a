"""The snippet runner on small throwaway snippet files (no build, no torch):
what it refuses, and where it runs."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from tutorial.runner import CACHE_DIR, MAX_PRINTED, SnippetError, run_file


def snippet(tmp_path: Path, sections: dict[str, str]) -> Path:
    path = tmp_path / "example.py"
    path.write_text(
        "".join(
            f"# --8<-- [start:{name}]\n{textwrap.dedent(code).strip()}\n# --8<-- [end:{name}]\n"
            for name, code in sections.items()
        ),
        encoding="utf-8",
    )
    return path


def test_two_sections_saving_the_same_file_name_is_an_error(tmp_path):
    """Before, the second file was dropped silently and the page showed the
    first section's animation under the second section."""
    path = snippet(
        tmp_path,
        {
            "first": 'open("anim.gif", "w").write("first")',
            "second": 'open("anim.gif", "w").write("second")',
        },
    )
    with pytest.raises(SnippetError) as err:
        run_file(path, tmp_path / "out", tmp_path / "work")
    assert err.value.section == "second"
    assert err.value.location.endswith("example.py:5")  # the second section's first line
    assert "anim.gif" in str(err.value) and "'first'" in str(err.value)


def test_a_file_named_like_a_later_figure_is_an_error(tmp_path):
    path = snippet(
        tmp_path,
        {
            "first": 'open("second.png", "w").write("not a figure")',
            "second": "import matplotlib.pyplot as plt\nplt.plot([0, 1])",
        },
    )
    with pytest.raises(SnippetError, match="second.png, a name section 'first' already used"):
        run_file(path, tmp_path / "out", tmp_path / "work")


def test_a_file_kept_unchanged_by_later_sections_is_fine(tmp_path):
    path = snippet(
        tmp_path,
        {
            "first": 'open("data.txt", "w").write("1 2 3")',
            "second": 'print(open("data.txt").read())',
        },
    )
    result = run_file(path, tmp_path / "out", tmp_path / "work")
    assert result["sections"]["first"]["files"] == ["data.txt"]
    assert result["sections"]["second"] == {"stdout": "1 2 3\n", "files": []}


def test_runaway_output_fails_with_its_size(tmp_path):
    path = snippet(tmp_path, {"flood": f'print("x" * {MAX_PRINTED + 1})'})
    with pytest.raises(SnippetError) as err:
        run_file(path, tmp_path / "out", tmp_path / "work")
    assert err.value.section == "flood"
    assert f"printed {MAX_PRINTED + 2:,} characters" in err.value.message
    assert "print a summary" in err.value.message


def test_each_run_without_a_workdir_gets_its_own_scratch_folder(tmp_path):
    """Two runs of one snippet (a build and a test session, say) once shared
    .cache/work/<stem> and deleted each other's files mid-run."""
    path = snippet(tmp_path, {"where": "import os\nprint(os.getcwd())"})
    first = run_file(path)["sections"]["where"]["stdout"].strip()
    second = run_file(path)["sections"]["where"]["stdout"].strip()
    assert first != second
    for folder in (first, second):
        assert Path(folder).parent == (CACHE_DIR / "work").resolve()
        assert not Path(folder).exists()  # removed after the run


def test_the_runner_refuses_an_odd_list_of_paths():
    """Jobs are SNIPPET OUTDIR pairs; a lone path is a usage error, not a
    silently skipped snippet."""
    import subprocess
    import sys

    from tutorial.runner import ROOT

    process = subprocess.run(
        [sys.executable, str(ROOT / "hooks" / "tutorial" / "runner.py"), "snippets/why_spikes.py"],
        capture_output=True,
        text=True,
    )
    assert process.returncode == 2
    assert "usage: runner.py SNIPPET OUTDIR" in process.stderr


# ---------------------------------------------------------------- data and leftovers


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """The runner's .cache/ moved into a temporary folder."""
    from tutorial import runner

    monkeypatch.setattr(runner, "CACHE_DIR", tmp_path / "cache")
    return tmp_path / "cache"


def test_a_damaged_unpacked_mnist_is_unpacked_again(cache):
    """Before, a truncated file in the unpacked copy failed every build at
    mnist.py:22 with a shape error until .cache was deleted by hand."""
    from tutorial.runner import MNIST_FILES, data_root

    raw = data_root() / "mnist" / "MNIST" / "raw"
    whole = (raw / MNIST_FILES[0]).read_bytes()
    (raw / MNIST_FILES[0]).write_bytes(whole[:1000])
    assert (data_root() / "mnist" / "MNIST" / "raw" / MNIST_FILES[0]).read_bytes() == whole


@pytest.mark.parametrize(
    "damage,message",
    [
        ("missing", "data/mnist-sample/train-labels-idx1-ubyte.gz is missing"),
        ("truncated", "data/mnist-sample/train-labels-idx1-ubyte.gz is damaged"),
        ("short", "data/mnist-sample/train-labels-idx1-ubyte.gz is not a whole MNIST file"),
    ],
)
def test_a_bad_sample_file_is_named_with_the_fix(cache, tmp_path, monkeypatch, damage, message):
    """Before: a download error, or an EOFError blamed on a chapter."""
    import gzip
    import shutil

    from tutorial import runner

    sample = tmp_path / "data" / "mnist-sample"
    shutil.copytree(runner.MNIST_SAMPLE_DIR, sample)
    monkeypatch.setattr(runner, "MNIST_SAMPLE_DIR", sample)
    monkeypatch.setattr(runner, "ROOT", tmp_path)
    labels = sample / "train-labels-idx1-ubyte.gz"
    if damage == "missing":
        labels.unlink()
    elif damage == "truncated":
        labels.write_bytes(labels.read_bytes()[:500])
    else:  # a whole gzip of half the file
        labels.write_bytes(gzip.compress(gzip.decompress(labels.read_bytes())[:2000]))
    with pytest.raises(runner.DataError) as err:
        runner.data_root()
    assert str(err.value).startswith(message)
    assert "git checkout -- data/mnist-sample" in str(err.value)


def test_a_failed_full_download_says_what_to_do(cache, monkeypatch, capsys):
    """Before, with SPIKE_TUTORIAL_MNIST=full and a network that drops packets,
    the build sat silent for minutes. Now it says it is downloading, every
    network wait has a time limit, and a failure says what to do."""
    import socket

    from torchvision import datasets

    from tutorial import runner

    timeouts = []

    def download(self):  # torchvision's download, on a network that drops packets
        timeouts.append(socket.getdefaulttimeout())
        raise TimeoutError("timed out")

    monkeypatch.setattr(runner, "MNIST_MODE", "full")
    monkeypatch.setattr(datasets.MNIST, "download", download)
    with pytest.raises(runner.DataError) as err:
        runner.data_root()
    assert "Downloading the full MNIST into" in capsys.readouterr().err
    assert timeouts == [runner.DOWNLOAD_TIMEOUT]
    assert str(err.value) == (
        "downloading the full MNIST failed (TimeoutError: timed out); check the network, or "
        "unset SPIKE_TUTORIAL_MNIST to build with the sample in data/mnist-sample"
    )
    assert socket.getdefaulttimeout() is None  # put back


def test_leftovers_of_dead_processes_are_removed_and_live_ones_kept(cache):
    import subprocess
    import sys

    from tutorial.runner import clean_leftovers

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    live = str(os.getpid())
    made = [
        "work/rate_coding-{}",
        "work/rate_coding-{}-k2j4x",
        "snippets/mnist-0123abcd.tmp{}",
        "tmp-data-{}",
    ]
    for pattern in made:
        for pid in (dead, live):
            (cache / pattern.format(pid)).mkdir(parents=True)
    (cache / "snippets" / "mnist-0123abcd").mkdir()  # a result: never touched
    removed = clean_leftovers()
    assert sorted(removed) == sorted(str(cache / p.format(dead)) for p in made)
    assert all((cache / p.format(live)).exists() for p in made)
    assert (cache / "snippets" / "mnist-0123abcd").exists()


def test_a_run_without_folders_keeps_the_digests_of_what_it_saved(tmp_path):
    """The digests the build verifies are taken before the scratch folder goes."""
    import hashlib

    path = snippet(tmp_path, {"draw": "import matplotlib.pyplot as plt\nplt.plot([0, 1])"})
    out = tmp_path / "out"
    kept = run_file(path, out)
    assert kept["sections"]["draw"]["files"] == ["draw.png"]
    assert kept["digests"] == {
        "draw.png": hashlib.sha256((out / "draw.png").read_bytes()).hexdigest()
    }
    assert list(run_file(path)["digests"]) == ["draw.png"]  # no outdir: a scratch one


def test_a_warm_runner_that_dies_under_serve_says_why(tmp_path, monkeypatch, caplog):
    """Before, under `mkdocs serve` the runner's stderr was discarded, so a
    runner that died (torch failing to import, say) left an empty message.
    The jobs then go to a one-shot runner, whose own words end the build."""
    from mkdocs.exceptions import PluginError

    from tutorial import results
    from tutorial.state import STATE

    dying = tmp_path / "runner.py"
    dying.write_text(
        "import sys\nsys.stderr.write('ImportError: libtorch_cpu.so\\n')\nsys.exit(1)\n"
    )
    snippet = tmp_path / "x.py"
    snippet.write_text('print("x")\n')
    monkeypatch.setattr(results, "RUNNER", dying)
    monkeypatch.setattr(results, "SERVE_LOG", tmp_path / "serve-runner.log")
    monkeypatch.setattr(STATE, "serving", True)
    for name, empty in [("warm_runner", None), ("runner", None), ("pending", {}), ("batch", ())]:
        monkeypatch.setattr(STATE, name, empty)
    job = results.Job(snippet, "0" * 16, tmp_path / "out", "")
    with caplog.at_level("WARNING", logger="mkdocs.hooks.snippets"):
        results._launch([job])
        with pytest.raises(PluginError) as error:
            results.snippet_result("x")
    assert "Warm snippet runner unavailable" in caplog.text
    assert "It said:\nImportError: libtorch_cpu.so" in caplog.text
    assert STATE.warm_runner is None and not STATE.pending
    assert (
        str(error.value) == f"Snippet runner crashed on {snippet}:\nImportError: libtorch_cpu.so\n"
    )


def test_the_runner_reports_each_snippet_as_soon_as_it_has_run(tmp_path):
    """The build renders a page as soon as its snippets are done, while the
    others still run: the runner says which job finished when it finishes.
    Here the slow snippet waits until the fast one has been reported; a
    runner that reported only at the end would make it give up and fail."""
    import subprocess
    import sys

    from tutorial.results import RUNNER, runner_env
    from tutorial.runner import FINISHED

    released = tmp_path / "released"
    slow = snippet(
        tmp_path,
        {
            "wait": f"""
            import pathlib, time
            for _ in range(600):
                if pathlib.Path({str(released)!r}).exists():
                    break
                time.sleep(0.05)
            else:
                raise TimeoutError("the fast snippet's result was not reported on time")
            """
        },
    )
    fast = slow.with_name("fast.py")
    fast.write_text('# --8<-- [start:main]\nprint("fast")\n# --8<-- [end:main]\n')
    runner = subprocess.Popen(
        [
            sys.executable,
            str(RUNNER),
            str(slow),
            str(tmp_path / "slow"),
            str(fast),
            str(tmp_path / "fast"),
        ],
        env=runner_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    finished = []
    for line in runner.stdout:
        if line.startswith(FINISHED):
            finished.append(Path(json.loads(line.split(" ", 1)[1])).name)
            released.touch()
    assert runner.wait() == 0
    assert finished == ["fast", "slow"]
    assert (tmp_path / "slow" / "result.json").is_file()


def test_the_slowest_snippet_starts_first_and_the_rest_in_page_order(tmp_path, monkeypatch):
    """Two run at a time: the slowest (its last run's time, or a guess from
    its length if it never ran) must not be left to finish alone at the end;
    the others go in name order, the order MkDocs renders their pages in."""
    from tutorial import results

    monkeypatch.setattr(results, "RESULTS_DIR", tmp_path / "results")
    snippets = tmp_path / "snippets"
    snippets.mkdir()
    for name, lines in {"a": 10, "b": 300, "c": 20, "d": 200}.items():
        (snippets / f"{name}.py").write_text("x = 1\n" * lines)

    def order():
        jobs = [results.Job(p, "", tmp_path, "") for p in sorted(snippets.glob("*.py"))]
        return [job.path.stem for job in results._running_order(jobs)]

    assert order() == ["b", "a", "c", "d"]  # never run: the longest file first
    for name, seconds in {"a": 1.0, "b": 2.0, "c": 9.5, "d": 3.0}.items():
        (tmp_path / "results" / f"{name}-0123456789abcdef").mkdir(parents=True)
        (tmp_path / "results" / f"{name}-0123456789abcdef" / "result.json").write_text(
            json.dumps({"seconds": seconds})
        )
    assert order() == ["c", "a", "b", "d"]  # c took longest last time


@pytest.mark.parametrize(
    "text,line,message",
    [
        ("# --8<-- [start:a]\nx = 1\n# --8<-- [end:a]\ny = 2\n", 4, "code outside any section"),
        ("y = 2\n# --8<-- [start:a]\nx = 1\n# --8<-- [end:a]\n", 1, "code outside any section"),
        ("# --8<-- [start:a]\nx = 1\n# --8<-- [start:b]\n", 3, "section 'b' starts inside 'a'"),
        ("# --8<-- [start:a]\nx = 1\n", None, "section 'a' is never closed"),
    ],
    ids=["after a section", "before the first", "nested", "never closed"],
)
def test_a_badly_cut_snippet_is_named_by_its_file_and_line(tmp_path, text, line, message):
    """Before, every error after the first section named the section
    ("a:4") where the file belongs ("snippets/x.py:4")."""
    from tutorial.runner import parse_sections

    path = tmp_path / "x.py"
    path.write_text(text)
    with pytest.raises(SnippetError) as error:
        parse_sections(path)
    assert error.value.location == (str(path) if line is None else f"{path}:{line}")
    assert message in error.value.message


@pytest.mark.slow  # the warm runner imports torch
def test_under_serve_a_failed_build_leaves_the_warm_runner_ready_for_the_fix(
    tmp_path, monkeypatch, caplog
):
    """`mkdocs serve`: a snippet fails, the build stops while the other one
    may still run; the contributor fixes it and the next build must work,
    on the same warm runner (no new torch import), with the other result
    reused."""
    from mkdocs.exceptions import PluginError

    from tutorial import results
    from tutorial.state import STATE

    snippets = tmp_path / "snippets"
    snippets.mkdir()
    monkeypatch.setattr(results, "SNIPPETS_DIR", snippets)
    monkeypatch.setattr(results, "RESULTS_DIR", tmp_path / "results")
    monkeypatch.setattr(results, "SERVE_LOG", tmp_path / "serve-runner.log")
    monkeypatch.setattr(STATE, "serving", True)
    for name, empty in [("warm_runner", None), ("runner", None), ("pending", {}), ("batch", ())]:
        monkeypatch.setattr(STATE, name, empty)
    monkeypatch.setattr(STATE, "results", {})
    section = "# --8<-- [start:main]\n{}\n# --8<-- [end:main]\n"
    (snippets / "good.py").write_text(section.format('print("good")'))
    # It fails last: the end of its batch is still to be read when the build stops.
    (snippets / "bad.py").write_text(section.format("import time\ntime.sleep(1)\n1 / 0"))
    try:
        results.start_snippets()
        with pytest.raises(PluginError, match="ZeroDivisionError"):
            results.wait_for_all()
        results.drain()  # what the hook does on a build error
        warm = STATE.warm_runner.pid

        (snippets / "bad.py").write_text(section.format('print("fixed")'))
        with caplog.at_level("INFO", logger="mkdocs.hooks.snippets"):
            results.start_snippets()
            results.wait_for_all()
        assert "Snippets: running 1 (bad.py)" in caplog.text
        assert "Snippets: 1 run" in caplog.text
        assert results.snippet_result("bad")[0]["sections"]["main"]["stdout"] == "fixed\n"
        assert results.snippet_result("good")[0]["sections"]["main"]["stdout"] == "good\n"
        assert STATE.warm_runner.pid == warm and STATE.warm_runner.poll() is None
    finally:
        results.stop_warm_runner()
