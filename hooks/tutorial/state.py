"""What one MkDocs process keeps between the events of a build, between the
languages mkdocs-static-i18n builds in turn, and between the rebuilds of
`mkdocs serve`: one object, :data:`STATE`, that the hooks share."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class BuildState:
    # snippet stem -> (hash, result dict, folder with its files), for the
    # snippets as they are now: each runs once, whatever the languages
    results: dict[str, tuple[str, dict, Path]] = field(default_factory=dict)
    # (file stats, digest) of what every snippet depends on, last computed
    dependencies: tuple[tuple, str] = ((), "")
    # snippet stem -> its Job, for those started and not yet taken back
    pending: dict = field(default_factory=dict)
    runner: subprocess.Popen | None = None  # the runner running them
    runner_output: list[str] = field(default_factory=list)  # what it said besides results
    batch: tuple = ()  # (started, jobs, how many came from the cache), for the log
    batch_failed: bool = False  # a snippet of this batch failed: no summary in the log
    serving: bool = False  # `mkdocs serve`: keep a warm runner between rebuilds
    warm_runner: subprocess.Popen | None = None
    # for the language being built: page stem -> its notebook and view
    # (hooks/notebook_pages.py)
    notebooks: dict = field(default_factory=dict)
    # language -> every character its pages show, over the whole build
    # (hooks/text_font.py)
    text_characters: dict[str, set[str]] = field(default_factory=dict)
    # language -> the process cutting its font while the next one builds
    font_cuts: dict[str, subprocess.Popen] = field(default_factory=dict)
    # (hooks/katex_math.py) "inline:TeX" / "display:TeX" -> KaTeX's HTML,
    # loaded from .cache/katex/; those the pages of this build show; what
    # .cache/katex/ holds; KaTeX running in V8
    formulas: dict[str, str] | None = None
    formulas_shown: set[str] = field(default_factory=set)
    formulas_saved: dict[str, str] = field(default_factory=dict)
    katex: object = None
    # (hooks/highlight_once.py) (code, lexer, filters, formatter) -> Pygments' HTML
    highlighted: dict[tuple, str] = field(default_factory=dict)


STATE = BuildState()
