"""The snippet runner on small throwaway snippet files (no build, no torch):
what it refuses, and where it runs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from snippet_runner import CACHE_DIR, MAX_PRINTED, SnippetError, run_file


def snippet(tmp_path: Path, sections: dict[str, str]) -> Path:
    path = tmp_path / "example.py"
    path.write_text("".join(f"# --8<-- [start:{name}]\n{textwrap.dedent(code).strip()}\n"
                            f"# --8<-- [end:{name}]\n" for name, code in sections.items()),
                    encoding="utf-8")
    return path


def test_two_sections_saving_the_same_file_name_is_an_error(tmp_path):
    """Before, the second file was dropped silently and the page showed the
    first section's animation under the second section."""
    path = snippet(tmp_path, {
        "first": 'open("anim.gif", "w").write("first")',
        "second": 'open("anim.gif", "w").write("second")',
    })
    with pytest.raises(SnippetError) as err:
        run_file(path, tmp_path / "out", tmp_path / "work")
    assert err.value.section == "second"
    assert err.value.location.endswith("example.py:5")  # the second section's first line
    assert "anim.gif" in str(err.value) and "'first'" in str(err.value)


def test_a_file_named_like_a_later_figure_is_an_error(tmp_path):
    path = snippet(tmp_path, {
        "first": 'open("second.png", "w").write("not a figure")',
        "second": "import matplotlib.pyplot as plt\nplt.plot([0, 1])",
    })
    with pytest.raises(SnippetError, match="second.png, a name section 'first' already used"):
        run_file(path, tmp_path / "out", tmp_path / "work")


def test_a_file_kept_unchanged_by_later_sections_is_fine(tmp_path):
    path = snippet(tmp_path, {
        "first": 'open("data.txt", "w").write("1 2 3")',
        "second": 'print(open("data.txt").read())',
    })
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

    from snippet_runner import ROOT

    process = subprocess.run([sys.executable, str(ROOT / "hooks" / "snippet_runner.py"),
                              "snippets/why_spikes.py"], capture_output=True, text=True)
    assert process.returncode == 2
    assert "usage: snippet_runner.py SNIPPET OUTDIR" in process.stderr
