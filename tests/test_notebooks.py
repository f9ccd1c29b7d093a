"""Every chapter as a notebook: valid, the page's code in page order with the
page's outputs, linked from the page, and runnable top to bottom."""

from __future__ import annotations

import base64
import os

import nbformat
import pytest

from helpers import LANGUAGES, built_page, code_blocks, korean_pages, python_blocks
from snippet_runner import data_root

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
    assert "pip install" in code[0].source and "snntorch" in code[0].source  # for Colab
    page = built_page(site.path, md, lang)
    assert [cell.source for cell in code[1:]] == [b.strip("\n") for b in python_blocks(page)]

    printed = [o.text for cell in code for o in cell.outputs if o.output_type == "stream"]
    shown = [text for language, classes, text in code_blocks(page) if "snippet-output" in classes]
    assert [p.strip("\n") for p in printed] == [s.strip("\n") for s in shown]
    images = [o for cell in code for o in cell.outputs if o.output_type == "display_data"]
    figures = page.read_text(encoding="utf-8").count('src="../figures/') \
        + page.read_text(encoding="utf-8").count('src="../../figures/')
    assert len(images) == figures
    for image in images:
        (mime, data), = image.data.items()
        assert base64.b64decode(data)[:4] in (b"\x89PNG", b"GIF8")

    # The prose is the page's, in its language, with the headings and math kept.
    prose = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert prose.startswith("# ") and "{ #" not in prose and "--8<--" not in prose
    assert ("$" in prose) == ("arithmatex" in page.read_text(encoding="utf-8"))


@pytest.mark.parametrize("visit", VISITS, ids=ids)
def test_page_links_to_its_notebook(site, visit):
    md, lang = visit
    page = built_page(site.path, md, lang)
    assert 'href="../notebooks/' + md.stem + '.ipynb" download' in page.read_text(encoding="utf-8")
    assert notebook_path(site, md, lang).is_file()


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom_in_a_fresh_kernel(site, md, tmp_path):
    """The Korean and English notebooks hold the same code (checked above), so
    running one language's is enough."""
    from nbclient import NotebookClient

    notebook = nbformat.read(notebook_path(site, md, "en"), as_version=4)
    (tmp_path / "data").symlink_to(data_root(), target_is_directory=True)
    os.environ.setdefault("MPLBACKEND", "Agg")
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    errors = [o for cell in notebook.cells if cell.cell_type == "code"
              for o in cell.outputs if o.output_type == "error"]
    assert not errors
