"""Every chapter as a notebook: valid, the page's code in page order with the
page's outputs, linked from the page, and runnable top to bottom."""

from __future__ import annotations

import base64
import html
import json
import os
import re
import select
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import nbformat
import pytest

from conftest import chapter_group
from helpers import (
    LANGUAGES,
    ROOT,
    SITE_PATH,
    built_page,
    code_blocks,
    image_alts,
    image_sources,
    korean_pages,
    mkdocs_setting,
    page_url,
    python_blocks,
)
from tutorial.runner import data_root

SITE_URL = mkdocs_setting("site_url")
REPO_URL = mkdocs_setting("repo_url")
FORKED_KERNEL = Path(__file__).with_name("forked_kernel.py")
# Where `mkdocs gh-deploy` publishes: MkDocs' remote_branch, gh-pages unless set.
PUBLISHED_BRANCH = mkdocs_setting("remote_branch")
CHAPTERS = [md for md in korean_pages() if '--8<-- "' in md.read_text(encoding="utf-8")]
VISITS = [(md, lang) for md in CHAPTERS for lang in LANGUAGES]


def notebook_path(site, md, lang):
    return site.path / LANGUAGES[lang] / "notebooks" / f"{md.stem}.ipynb"


def ids(visit):
    return f"{visit[1]}-{visit[0].stem}"


@pytest.mark.parametrize("visit", VISITS, ids=ids)
def test_notebook_holds_the_page_code_and_outputs(site, visit):
    md, lang = visit
    notebook = nbformat.read(notebook_path(site, md, lang), as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    # For Colab, which lacks snnTorch: the version the outputs were made with.
    pin = f"snntorch=={metadata.version('snntorch')}"
    assert re.search(rf"^{re.escape(pin)}$", (ROOT / "requirements.txt").read_text(), re.M)
    assert code[0].source.startswith(f"%pip install --quiet {pin}  # ")
    page = built_page(site.path, md, lang)
    assert [cell.source for cell in code[1:]] == [b.strip("\n") for b in python_blocks(page)]

    printed = [o.text for cell in code for o in cell.outputs if o.output_type == "stream"]
    shown = [text for language, classes, text in code_blocks(page) if "snippet-output" in classes]
    assert [p.strip("\n") for p in printed] == [s.strip("\n") for s in shown]
    images = [o for cell in code for o in cell.outputs if o.output_type == "display_data"]
    figures = page.read_text(encoding="utf-8").count('src="../figures/') + page.read_text(
        encoding="utf-8"
    ).count('src="../../figures/')
    assert len(images) == figures
    for image in images:
        ((mime, data),) = image.data.items()
        assert base64.b64decode(data)[:4] in (b"\x89PNG", b"GIF8")

    # The prose is the page's, in its language, with the headings and math kept.
    prose = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert prose.startswith("# ") and "{ #" not in prose and "--8<--" not in prose
    assert ("$" in prose) == ("arithmatex" in page.read_text(encoding="utf-8"))


def notebook_links(page: Path) -> dict[str, tuple[str, bool]]:
    """The buttons under a page's title: {label: (href, has the download attribute)}."""
    row = re.search(r'<p class="notebook-links"[^>]*>(.*?)</p>', page.read_text(encoding="utf-8"))
    assert row, f"{page}: no notebook buttons"
    return {
        html.unescape(text): (html.unescape(href), bool(download))
        for href, download, text in re.findall(
            r'<a class="md-button" href="([^"]+)"( download)?>'
            r"([^<]+)</a>",
            row[1],
        )
    }


def site_file(site, page_url_path: str, href: str) -> Path:
    """The built file a relative link on the page at page_url_path leads to."""
    path = urlsplit(urljoin(page_url_path, href)).path
    assert path.startswith(SITE_PATH), f"{href} leaves the site"
    path = path[len(SITE_PATH) :]
    return site.path / (path + "index.html" if path.endswith("/") or not path else path)


def colab_target(href: str) -> str:
    """The path in the published branch that an "Open in Colab" link opens."""
    match = re.fullmatch(
        r"https://colab\.research\.google\.com/github/([\w.-]+)/([\w.-]+)"
        r"/blob/([\w.-]+)/(.+\.ipynb)",
        href,
    )
    assert match, href
    owner, repo, branch, path = match.groups()
    # The repository is the site's repo_url; the branch is where `mkdocs
    # gh-deploy` pushes site/ as it is (remote_branch, default gh-pages).
    assert f"https://github.com/{owner}/{repo}" == REPO_URL.rstrip("/").removesuffix(".git")
    assert branch == PUBLISHED_BRANCH
    return path


@pytest.mark.parametrize("visit", VISITS, ids=ids)
def test_page_links_to_its_notebook_its_view_and_colab(site, visit):
    md, lang = visit
    prefix = LANGUAGES[lang]
    links = notebook_links(built_page(site.path, md, lang))
    (view, _), (download, is_download), (colab, _) = links.values()
    here = f"{SITE_PATH}{prefix}{page_url(md)}"
    assert site_file(site, here, download) == notebook_path(site, md, lang) and is_download
    assert notebook_path(site, md, lang).is_file()
    assert site_file(site, here, view) == site.path / prefix / "notebooks" / md.stem / "index.html"
    assert site_file(site, here, view).is_file()
    # Colab opens the published copy of this very notebook (site/ is the branch's root).
    assert colab_target(colab) == f"{prefix}notebooks/{md.stem}.ipynb"
    assert (site.path / colab_target(colab)).is_file()
    labels = {
        "ko": ["노트북으로 보기", "노트북 내려받기", "Colab에서 열기"],
        "en": ["View as a notebook", "Download the notebook", "Open in Colab"],
    }
    assert list(links) == labels[lang]


@pytest.mark.parametrize("visit", VISITS, ids=ids)
def test_notebook_view_shows_the_notebook(site, visit):
    """notebooks/<chapter>/: the notebook as a page of the site (Markdown
    generated by hooks/notebooks.py, rendered by MkDocs)."""
    md, lang = visit
    prefix = LANGUAGES[lang]
    notebook = nbformat.read(notebook_path(site, md, lang), as_version=4)
    view = site.path / prefix / "notebooks" / md.stem / "index.html"
    text = view.read_text(encoding="utf-8")
    page = built_page(site.path, md, lang)

    # Every code cell, install cell included, as a code block with a copy
    # button, under Jupyter's prompt ("In [ ]:" for the install cell, not run).
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [b.strip("\n") for b in python_blocks(view)] == [cell.source for cell in cells]
    prompts = re.findall(r'<div class="nb-prompt">(.*?)</div>', text)
    assert [html.unescape(p) for p in prompts] == [
        f"In\u00a0[{cell.execution_count or ' '}]:" for cell in cells
    ]
    # What each cell printed, in order, as the chapter page shows output.
    printed = ["".join(o.text for o in cell.outputs if o.output_type == "stream") for cell in cells]
    shown = [t for _, classes, t in code_blocks(view) if "snippet-output" in classes]
    assert [t.rstrip("\n") for t in shown] == [p.rstrip("\n") for p in printed if p.strip()]
    # Every figure: the chapter page's own file (not a base64 copy), in the
    # same order, with the alt text the chapter page gives it.
    images = re.findall(r'<img alt="([^"]*)" src="([^"]+)"', text)
    assert len(images) == text.count("<img ") and "data:image" not in text
    shown = [(view.parent / src).resolve() for _, src in images]
    assert shown == [(page.parent / src).resolve() for src in image_sources(page)]
    assert all(path.is_file() for path in shown)
    assert [html.unescape(a) for a, _ in images] == image_alts(page)
    # The prose: headings with ids, math for KaTeX as on the chapter page,
    # links kept inside this site rather than the published one.
    assert text.count("<h1") == 1
    assert 'href="#"' not in text and ' id=""' not in text
    assert text.count('class="arithmatex"') == page.read_text(encoding="utf-8").count(
        'class="arithmatex"'
    )
    assert urlsplit(SITE_URL).netloc not in text.split("<article")[1]
    title = re.search(
        r"^# (.+)$",
        (md.with_suffix(".en.md") if lang == "en" else md).read_text(encoding="utf-8"),
        re.MULTILINE,
    )[1]
    assert f"<title>{html.escape(title, quote=False)} - " in text
    # Back to the chapter, download and Colab from the view too.
    links = notebook_links(view)
    here = f"{SITE_PATH}{prefix}notebooks/{md.stem}/"
    (back, _), (download, is_download), (colab, _) = links.values()
    assert site_file(site, here, back) == page
    assert site_file(site, here, download) == notebook_path(site, md, lang) and is_download
    assert colab_target(colab) == f"{prefix}notebooks/{md.stem}.ipynb"


def test_search_finds_chapters_not_their_notebook_views(site):
    """The views repeat their chapter word for word; search lists the chapter once."""
    for prefix in LANGUAGES.values():  # each language's own index (hooks/search_languages.py)
        index = json.loads((site.path / prefix / "search/search_index.json").read_text("utf-8"))
        locations = [doc["location"] for doc in index["docs"]]
        assert any(loc.startswith("rate-coding/") for loc in locations)
        assert not [loc for loc in locations if "notebooks/" in loc]


def test_notebooks_are_the_same_from_build_to_build(site):
    """nbformat gives new cells random ids; ours are numbered, so two builds
    write the same notebook."""
    for md, lang in VISITS:
        notebook = nbformat.read(notebook_path(site, md, lang), as_version=4)
        assert [cell.id for cell in notebook.cells] == [
            f"cell-{i}" for i in range(len(notebook.cells))
        ]


@pytest.fixture(scope="session")
def kernels(tmp_path_factory):
    """A kernel manager whose "python3" is a fresh kernel forked from a
    process that has imported torch, torchvision and matplotlib
    (tests/forked_kernel.py), rather than one that imports them again (4-5 s
    a chapter)."""
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpecManager
    from traitlets import default

    folder = tmp_path_factory.mktemp("kernels")
    server_socket = folder / "fork.sock"
    server = subprocess.Popen(
        [sys.executable, str(FORKED_KERNEL), "serve", str(server_socket)],
        stdout=subprocess.PIPE,
        text=True,
    )
    # (it imports torch: seconds, a minute on a cold disk; five means it is stuck)
    started = select.select([server.stdout], [], [], 300)[0] and server.stdout.readline()
    if started != "ready\n":
        server.kill()
        pytest.fail("tests/forked_kernel.py did not start (its error is above)")
    spec = folder / "python3"
    spec.mkdir()
    argv = [sys.executable, str(FORKED_KERNEL), str(server_socket), "-f", "{connection_file}"]
    spec_json = {"argv": argv, "display_name": "Python 3", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(spec_json))

    class ForkedKernels(AsyncKernelManager):
        @default("kernel_spec_manager")
        def _kernel_spec_manager_default(self):
            return KernelSpecManager(kernel_dirs=[str(folder)])

    yield ForkedKernels
    server.terminate()
    server.wait()


@pytest.mark.slow
def test_a_forked_kernel_is_as_fresh_as_a_new_one(kernels):
    """What the test below relies on: nothing one kernel did is seen by the
    next, and code that forgets an import fails as in a new Python."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    def run(*cells: str) -> str:
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
        NotebookClient(
            notebook, timeout=60, kernel_name="python3", kernel_manager_class=kernels
        ).execute()
        return "".join(o.get("text", "") for c in notebook.cells for o in c.outputs)

    run("import matplotlib as mpl\nmpl.rcParams['lines.linewidth'] = 9\nleft_behind = 1")
    assert (
        run(
            "import matplotlib as mpl\nprint(mpl.rcParams['lines.linewidth'], 'left_behind' in dir())"
        )
        == "1.5 False\n"
    )
    with pytest.raises(CellExecutionError, match="has no attribute 'spikegen'"):
        run("import snntorch as snn\nsnn.spikegen")  # (the build does not preload it either)


@pytest.mark.slow
@pytest.mark.parametrize(
    "md",
    [pytest.param(md, marks=chapter_group(md.stem.replace("-", "_"))) for md in CHAPTERS],
    ids=lambda p: p.stem,
)
def test_chapter_code_runs_top_to_bottom_in_a_fresh_kernel(site, md, tmp_path, kernels):
    """What a reader runs: the chapter's code blocks, top to bottom, in a fresh
    Python (a Jupyter kernel, as in Colab), in a folder where data/mnist holds
    MNIST as after a first download. This is also the reader who copies every
    block into one file: the notebook's code cells are the page's code blocks
    (test_notebook_holds_the_page_code_and_outputs) and both languages show
    the same code, so one run covers both. The kernel is forked from a process
    that has imported the heavy libraries and run nothing of any chapter
    (``kernels``), as the build's runner does for the snippets."""
    from nbclient import NotebookClient

    notebooks = {
        lang: nbformat.read(notebook_path(site, md, lang), as_version=4) for lang in LANGUAGES
    }
    code = {
        lang: [c.source for c in nb.cells if c.cell_type == "code"]
        for lang, nb in notebooks.items()
    }
    assert code["ko"] == code["en"], "the two languages show different code"
    notebook = notebooks["en"]
    # Not the install cell: pip would take 2 s per kernel to find the pinned
    # snnTorch already installed; test_notebook_holds_the_page_code_and_outputs
    # checks that it pins the installed version.
    assert notebook.cells[1].source.startswith("%pip install")
    del notebook.cells[1]
    (tmp_path / "data").symlink_to(data_root(), target_is_directory=True)
    os.environ.setdefault("MPLBACKEND", "Agg")
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        kernel_manager_class=kernels,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    errors = [
        o
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.outputs
        if o.output_type == "error"
    ]
    assert not errors
