"""A reader who copies a chapter's Python blocks top to bottom gets a program that runs."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers import built_page, korean_pages, python_blocks
from snippet_runner import data_root

CHAPTERS = [md for md in korean_pages() if '--8<-- "' in md.read_text(encoding="utf-8")]


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_code_runs_in_a_fresh_python(site, md, tmp_path):
    blocks = {lang: python_blocks(built_page(site.path, md, lang)) for lang in ("ko", "en")}
    assert blocks["ko"] and blocks["ko"] == blocks["en"], "the two languages show different code"
    program = "\n\n".join(blocks["ko"])

    # A reader's working folder: the program and, as after a first download,
    # MNIST in data/mnist (here the repository's sample).
    (tmp_path / "data").symlink_to(data_root(), target_is_directory=True)
    (tmp_path / "chapter.py").write_text(program, encoding="utf-8")
    process = subprocess.run(
        [sys.executable, "chapter.py"], cwd=tmp_path, capture_output=True, text=True,
        timeout=300, env={**os.environ, "MPLBACKEND": "Agg"})
    assert process.returncode == 0, f"{md.name}:\n{process.stderr[-3000:]}"
