"""How the build treats snippets, on a small throwaway copy of the project:
it runs each snippet once per build for both languages, reuses unchanged
results, and fails loudly, naming file and line, on bad code or includes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from helpers import ROOT, code_blocks, mkdocs_build

pytestmark = pytest.mark.slow

SNIPPET = """\
# --8<-- [start:main]
import os
import matplotlib.pyplot as plt

with open(os.environ["RUN_LOG"], "a") as log:
    log.write("{name}\\n")
print("{message}")
plt.plot([0, 1], [1, 0])
plt.show()
# --8<-- [end:main]
"""

# a space, Hangul and '=' (see make_project)
PROJECT_NAME = "my project=2 복사본"

PAGE = """\
# {title}

```python
--8<-- "{name}.py:main"
```

![{alt}](figures/{name}/main.png)
"""


@pytest.fixture(scope="module")
def font_cache(tmp_path_factory):
    """One ``.cache/fonts`` for every throwaway project of this file: the
    text font (hooks/text_font.py) is cut once for all of them rather than
    in each (about 1.5 s a project); these tests are about snippets."""
    return tmp_path_factory.mktemp("fonts")


@pytest.fixture
def project(tmp_path, font_cache):
    return make_project(tmp_path, font_cache)


def make_project(folder: Path, font_cache: Path) -> Path:
    """A copy of the project with one page (two languages) and two snippets,
    in a folder whose name has a space, Hangul and '=' (jobs once reached the
    runner as SNIPPET=OUT, so a checkout path with '=' broke every snippet)."""
    copy = folder / PROJECT_NAME
    (copy / ".cache").mkdir(parents=True)
    (copy / ".cache" / "fonts").symlink_to(font_cache, target_is_directory=True)
    for item in ("hooks", "overrides", "data", "requirements.txt", "docs/assets"):
        source = ROOT / item
        if source.is_dir():
            shutil.copytree(source, copy / item, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (copy / item).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, copy / item)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = re.sub(r"\nnav:\n(?:  - .*\n)+", "\nnav:\n  - index.md\n  - second.md\n", config)
    (copy / "mkdocs.yml").write_text(config, encoding="utf-8")
    (copy / "snippets").mkdir()
    for name in ("first", "second"):
        write_snippet(copy, name, f"hello from {name}")
    pages = {"index": "first", "second": "second"}
    for page, name in pages.items():
        (copy / "docs" / f"{page}.md").write_text(
            PAGE.format(title="시험 페이지", name=name, alt="선 하나가 그려진 그림")
        )
        (copy / "docs" / f"{page}.en.md").write_text(
            PAGE.format(title="Test page", name=name, alt="A figure with one line")
        )
    return copy


def write_snippet(project: Path, name: str, message: str) -> None:
    (project / "snippets" / f"{name}.py").write_text(SNIPPET.format(name=name, message=message))


def build(project: Path, site: Path):
    run_log = project.parent / "runs.log"  # outside the project: snippets write only into
    # their scratch folder (the build names any file written elsewhere in the project)
    process = mkdocs_build(project, site, env={"RUN_LOG": str(run_log)})
    runs = run_log.read_text().split() if run_log.exists() else []
    return process, runs


def test_each_snippet_runs_once_for_both_languages_and_only_when_changed(project, tmp_path):
    site = tmp_path / "site"
    process, runs = build(project, site)
    assert process.returncode == 0, process.stderr
    assert sorted(runs) == ["first", "second"]  # once each, though two languages were built
    assert "Snippets: 2 run" in process.stderr
    for language in ("", "en/"):
        assert "hello from first" in (site / language / "index.html").read_text()
    assert (site / "figures/first/main.png").is_file()

    # Nothing changed: nothing runs, everything comes from the cache.
    process, runs = build(project, site)
    assert process.returncode == 0, process.stderr
    assert sorted(runs) == ["first", "second"]
    assert "Snippets: 0 run, 2 from cache" in process.stderr

    # One snippet edited: only that one runs again, and the pages show its new output.
    write_snippet(project, "second", "changed output")
    process, runs = build(project, site)
    assert process.returncode == 0, process.stderr
    assert sorted(runs) == ["first", "second", "second"]
    assert "Snippets: 1 run" in process.stderr and "1 from cache" in process.stderr
    for language in ("", "en/"):
        assert "changed output" in (site / language / "second" / "index.html").read_text()


def test_a_failing_snippet_fails_the_build_with_file_and_line_and_leaves_no_stale_figure(
    project, tmp_path
):
    site = tmp_path / "site"
    assert build(project, site)[0].returncode == 0
    assert (site / "figures/second/main.png").is_file()

    snippet = project / "snippets" / "second.py"
    lines = snippet.read_text().splitlines()
    lines.insert(7, "ratio = 1 / 0")  # becomes line 8 of the file
    snippet.write_text("\n".join(lines) + "\n")

    process, _ = build(project, site)
    assert process.returncode != 0
    assert "snippets/second.py:8" in process.stderr
    assert "ZeroDivisionError: division by zero" in process.stderr
    assert not (site / "figures/second/main.png").exists(), "a stale figure survived"
    assert not (site / "second" / "index.html").exists()


def test_a_failing_snippet_that_no_page_shows_yet_still_fails_the_build(project, tmp_path):
    """Pages wait only for the snippets they show; the build as a whole
    still waits for every snippet (a chapter being written has its code
    checked before its page exists)."""
    (project / "snippets" / "draft.py").write_text(
        "# --8<-- [start:main]\nimport os\n\nraise ValueError('not finished')\n"
        "# --8<-- [end:main]\n"
    )
    process, runs = build(project, tmp_path / "site")
    assert process.returncode != 0
    assert "snippets/draft.py:4 (section 'main')" in process.stderr
    assert "ValueError: not finished" in process.stderr
    assert sorted(runs) == ["first", "second"]  # the others ran to the end, and are cached
    process, runs = build(project, tmp_path / "site")
    assert "Snippets: running 1 (draft.py)" in process.stderr  # an error is never cached
    assert sorted(runs) == ["first", "second"]


def test_a_snippet_that_never_ends_fails_the_build_where_it_loops(project, tmp_path):
    """Before, `mkdocs build` waited forever without a word."""
    snippet = project / "snippets" / "second.py"
    lines = snippet.read_text().splitlines()
    lines.insert(7, "while True: pass")  # becomes line 8 of the file
    snippet.write_text("\n".join(lines) + "\n")
    process = mkdocs_build(
        project,
        tmp_path / "site",
        env={"RUN_LOG": str(project.parent / "runs.log"), "SPIKE_TUTORIAL_SNIPPET_TIMEOUT": "3"},
    )
    assert process.returncode != 0
    assert "Snippets: running 2 (" in process.stderr
    assert "snippets/second.py:8 (section 'main')" in process.stderr
    assert "TimeoutError: ran longer than 3 s" in process.stderr
    assert "SPIKE_TUTORIAL_SNIPPET_TIMEOUT" in process.stderr


@pytest.mark.parametrize(
    "line,expected",
    [
        ("import sys; sys.exit(3)", "SystemExit: 3"),
        ("import os; os._exit(3)", "the process running it was ended with exit status 3"),
        (
            "import ctypes; ctypes.string_at(0)",
            "the process running it was killed by signal SIGSEGV",
        ),
    ],
    ids=["sys.exit", "os._exit", "segfault"],
)
def test_a_snippet_that_ends_its_process_fails_the_build_naming_the_section(
    project, tmp_path, line, expected
):
    """Before, these gave "Snippet runner crashed on snippets/x.py:" and a
    blank line (and under `mkdocs serve`, not even that)."""
    snippet = project / "snippets" / "second.py"
    lines = snippet.read_text().splitlines()
    lines.insert(7, line)
    snippet.write_text("\n".join(lines) + "\n")
    process, _ = build(project, tmp_path / "site")
    assert process.returncode != 0
    assert "snippets/second.py" in process.stderr and "(section 'main')" in process.stderr
    assert expected in process.stderr
    if "SIGSEGV" in expected:  # faulthandler's traceback points at the line
        assert "Fatal Python error: Segmentation fault" in process.stderr
        assert 'second.py", line 8' in process.stderr
    leftovers = [
        p.name
        for p in (project / ".cache" / "snippets").iterdir()
        if ".tmp" in p.name or p.suffix in (".section", ".fault")
    ]
    assert not leftovers


def test_code_outside_every_section_fails_the_build(project, tmp_path):
    snippet = project / "snippets" / "first.py"
    snippet.write_text("import os  # hidden setup\n" + snippet.read_text())
    process, runs = build(project, tmp_path / "site")
    assert process.returncode != 0
    assert "snippets/first.py:1" in process.stderr and "outside any section" in process.stderr
    assert runs == []


def test_a_missing_section_fails_the_build_naming_the_page_and_line(project, tmp_path):
    page = project / "docs" / "second.en.md"
    page.write_text(page.read_text().replace("second.py:main", "second.py:nowhere"))
    process, _ = build(project, tmp_path / "site")
    assert process.returncode != 0
    assert "docs/second.en.md:4: snippet 'second.py' has no section 'nowhere'" in process.stderr


def test_a_missing_snippet_file_fails_the_build(project, tmp_path):
    page = project / "docs" / "index.md"
    page.write_text(page.read_text().replace("first.py:main", "gone.py:main"))
    process, _ = build(project, tmp_path / "site")
    assert process.returncode != 0
    assert "docs/index.md:4: snippet file 'gone.py' not found" in process.stderr


def test_a_comment_above_an_include_fails_the_build_naming_page_and_line(project, tmp_path):
    """Before, the build passed, the section's output vanished from the page
    and the notebook's cell held the literal --8<-- line."""
    page = project / "docs" / "second.md"
    page.write_text(page.read_text().replace("```python\n", "```python\n# 두 번째 예제\n"))
    process, runs = build(project, tmp_path / "site")
    assert process.returncode != 0
    assert (
        "docs/second.md:4: a code block that includes snippet sections may hold nothing "
        "else, but has '# 두 번째 예제'"
    ) in process.stderr


def test_printed_include_lines_are_shown_as_printed(project, tmp_path):
    """A section printing a line pymdownx would obey is shown as printed, in
    the page and in the notebook; nothing is included in its place."""
    printed = ['--8<-- "first.py:main"', "# --8<-- [start:main]"]
    snippet = project / "snippets" / "second.py"
    snippet.write_text(
        snippet.read_text().replace(
            'print("hello from second")', "".join(f"print({line!r})\n" for line in printed)
        )
    )
    site = tmp_path / "site"
    process, _ = build(project, site)
    assert process.returncode == 0, process.stderr
    output = [
        text
        for _, classes, text in code_blocks(site / "en" / "second" / "index.html")
        if "snippet-output" in classes
    ]
    assert output == ["\n".join(printed) + "\n"]
    notebook = json.loads((site / "en" / "notebooks" / "second.ipynb").read_text())
    streams = [
        o["text"]
        for c in notebook["cells"]
        for o in c.get("outputs", [])
        if o["output_type"] == "stream"
    ]
    assert ["".join(text) for text in streams] == ["\n".join(printed) + "\n"]


def test_a_missing_translation_shows_the_korean_page_with_a_notice(project, tmp_path):
    (project / "docs" / "second.en.md").unlink()
    site = tmp_path / "site"
    process, _ = build(project, site)
    assert process.returncode == 0, process.stderr
    english = (site / "en" / "second" / "index.html").read_text()
    assert "Not translated yet" in english and "시험 페이지" in english
    assert "Not translated yet" not in (site / "en" / "index.html").read_text()


def test_a_broken_link_or_anchor_fails_the_build(project, tmp_path):
    page = project / "docs" / "index.en.md"
    page.write_text(page.read_text() + "\nSee [the second page](second.md#no-such-heading).\n")
    process, _ = build(project, tmp_path / "site")
    assert process.returncode != 0
    assert "index.en.md" in process.stderr and "#no-such-heading" in process.stderr

    page.write_text(page.read_text().replace("second.md#no-such-heading", "third.md"))
    process, _ = build(project, tmp_path / "site")
    assert process.returncode != 0
    assert "index.en.md" in process.stderr and "third.md" in process.stderr


def test_a_snippet_edited_after_hashing_is_not_cached_under_the_old_hash(project, tmp_path):
    """The hook hashes every file, then the runner reads them. A file saved in
    between must not have its new output filed under the old hash."""
    import hashlib
    import json

    from tutorial.results import snippet_hash

    # The runner runs two snippets at a time: third starts once first (which
    # edits it) or second (which waits long enough for that) has finished.
    write_snippet(project, "third", "hello from third")
    second = project / "snippets" / "second.py"
    second.write_text(
        second.read_text().replace("import os\n", "import os\nimport time\n\ntime.sleep(1.5)\n")
    )
    snippet = project / "snippets" / "first.py"
    snippet.write_text(
        snippet.read_text().replace(
            'print("hello from first")',
            'print("hello from first")\n'
            'if open(os.environ["RUN_LOG"]).read().count("first") == 1:\n'
            "    import subprocess, sys\n"
            '    third = os.path.join(os.path.dirname(__file__), "third.py")\n'
            '    subprocess.run([sys.executable, "-c",  # an editor, another process, saves third.py\n'
            "                    f\"open({third!r}, 'a').write('# saved again\\\\n')\"])",
        )
    )
    process, runs = build(project, tmp_path / "site")
    assert process.returncode == 0, process.stderr
    assert runs.count("first") == 1 and runs.count("third") == 2  # third ran again
    third = project / "snippets" / "third.py"
    current = hashlib.sha256(third.read_bytes()).hexdigest()
    cached = list((project / ".cache" / "snippets").glob("third-*/result.json"))
    assert [p.parent.name for p in cached] == [f"third-{snippet_hash(third)}"]
    assert json.loads(cached[0].read_text())["source_sha256"] == current


@pytest.fixture(scope="module")
def built_project(tmp_path_factory, font_cache):
    """A project built once (its folder, with the project and its site), for
    tests that each damage a copy of it."""
    folder = tmp_path_factory.mktemp("built")
    process, _ = build(make_project(folder, font_cache), folder / "site")
    assert process.returncode == 0, process.stderr
    return folder


@pytest.mark.parametrize(
    "damage",
    [
        "truncated result",
        "emptied result",
        "figure deleted",
        "figure overwritten",
    ],
)
def test_a_damaged_cache_is_noticed_and_made_again(built_project, tmp_path, damage):
    """Before, a damaged result.json or a deleted figure failed every build
    with a raw traceback until .cache was deleted by hand, a cached PNG
    overwritten with garbage was published. (A truncated notebook-view cache
    file was published at a fraction of its size; the views are now rendered
    by MkDocs with the pages, so there is no such cache left to damage.)"""
    shutil.copytree(built_project, tmp_path / "copy", symlinks=True)
    project, site = tmp_path / "copy" / PROJECT_NAME, tmp_path / "copy" / "site"
    figure = (site / "figures/second/main.png").read_bytes()
    view = (site / "en/notebooks/second/index.html").read_text()

    entry = next((project / ".cache" / "snippets").glob("second-*"))
    if damage == "truncated result":
        (entry / "result.json").write_text((entry / "result.json").read_text()[:40])
    elif damage == "emptied result":
        (entry / "result.json").write_text("")
    elif damage == "figure deleted":
        (entry / "main.png").unlink()
    else:
        (entry / "main.png").write_bytes(b"\x89PNG garbage")

    process, runs = build(project, site)
    assert process.returncode == 0, process.stderr
    assert sorted(runs) == ["first", "second", "second"]  # the damaged one ran again
    assert "Snippets: the cached result of second.py is damaged" in process.stderr
    assert (site / "figures/second/main.png").read_bytes() == figure
    assert (site / "en/notebooks/second/index.html").read_text() == view


def test_a_file_written_outside_the_scratch_folder_is_named(project, tmp_path):
    """Before, a snippet's open("../../x", "w") landed in the checkout unnoticed."""
    snippet = project / "snippets" / "second.py"
    snippet.write_text(
        snippet.read_text().replace(
            'print("hello from second")',
            'print("hello from second")\nwith open("../../../stray.txt", "w") as f:\n'
            '    f.write("oops")',
        )
    )
    process, _ = build(project, tmp_path / "site")
    assert (project / "stray.txt").exists()
    assert (
        "snippets/second.py (section 'main') wrote stray.txt, outside its scratch folder, "
        "into the repository"
    ) in process.stderr
    assert process.returncode != 0  # a warning: --strict stops the build
