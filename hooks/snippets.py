"""MkDocs hook: every snippet's output on the pages.

* ``on_config``: start bringing every snippet's results up to date
  (:mod:`tutorial.results`). Snippets that changed run in the background
  while MkDocs reads and renders the pages; mkdocs-static-i18n calls the
  whole build again for each extra language, and the results kept in
  :data:`tutorial.state.STATE` make sure nothing runs twice.
* ``on_page_markdown``: a page waits for the snippets it shows. Each code
  block that includes snippet sections is followed by what they printed
  (:mod:`tutorial.outputs`), and the figures and files the page links to
  (``![alt text](figures/rate_coding/raster.png)``) are added to the site
  as ``figures/<name>/<file>``. A page shown in a language it lacks gets a
  notice (:mod:`tutorial.languages`).
* ``on_env``: every snippet has run, and all their files are in the site,
  before MkDocs copies them. The site folder was emptied before, so a
  failing snippet leaves no stale figure behind.
"""

from __future__ import annotations

import re

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from tutorial.languages import build_language, with_untranslated_notice
from tutorial.outputs import with_outputs
from tutorial.results import (
    drain,
    snippet_result,
    start_snippets,
    stop_runner,
    stop_warm_runner,
    wait_for_all,
)
from tutorial.state import STATE

FIGURES_URI = "figures"
FIGURE_LINK = re.compile(rf"\b{FIGURES_URI}/(\w+)/")


def on_startup(command, dirty):
    STATE.serving = command == "serve"


def on_config(config):
    start_snippets()


def on_shutdown():
    stop_runner()
    stop_warm_runner()


def on_build_error(error):
    drain()


def _add_figures(stem, files, config):
    result, out = snippet_result(stem)
    for section in result["sections"].values():
        for name in section["files"]:
            uri = f"{FIGURES_URI}/{stem}/{name}"
            if files.get_file_from_path(uri) is None:
                files.append(File.generated(config, uri, abs_src_path=str(out / name)))


@event_priority(-200)  # after mkdocs-static-i18n has sorted the files by language
def on_files(files, config):
    for stem in STATE.results:
        if stem not in STATE.pending:  # those still running: added when a page needs them
            _add_figures(stem, files, config)
    return files


def on_page_markdown(markdown, page, config, files):
    for stem in dict.fromkeys(FIGURE_LINK.findall(markdown)):
        if stem in STATE.results or stem in STATE.pending:
            _add_figures(stem, files, config)
    language = build_language(config)
    markdown = with_outputs(markdown, page.file.src_uri, language)
    return with_untranslated_notice(markdown, page, language)


def on_env(env, config, files):
    wait_for_all()
    for stem in STATE.results:
        _add_figures(stem, files, config)
    return env
