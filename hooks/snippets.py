"""MkDocs hook: every snippet's output on the pages.

* ``on_files``: bring every snippet's results up to date
  (:mod:`tutorial.results`) and add the figures and files they saved to the
  site as ``figures/<name>/<file>``, so a page shows one with
  ``![alt text](figures/rate_coding/raster.png)``. mkdocs-static-i18n calls
  the whole build again for each extra language; the results kept in
  :data:`tutorial.state.STATE` make sure nothing runs twice. This runs after
  MkDocs has emptied the site folder, so a failing snippet leaves no stale
  figure behind in the site.
* ``on_page_markdown``: each code block that includes snippet sections is
  followed by what they printed (:mod:`tutorial.outputs`); a page shown in a
  language it lacks gets a notice (:mod:`tutorial.languages`).
"""

from __future__ import annotations

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from tutorial.languages import build_language, with_untranslated_notice
from tutorial.outputs import with_outputs
from tutorial.results import run_all_snippets, stop_warm_runner
from tutorial.state import STATE

FIGURES_URI = "figures"


def on_startup(command, dirty):
    STATE.serving = command == "serve"


def on_shutdown():
    stop_warm_runner()


@event_priority(-200)  # after mkdocs-static-i18n has sorted the files by language
def on_files(files, config):
    for stem, (_, result, out) in run_all_snippets().items():
        for section in result["sections"].values():
            for name in section["files"]:
                uri = f"{FIGURES_URI}/{stem}/{name}"
                if files.get_file_from_path(uri) is None:
                    files.append(File.generated(config, uri, abs_src_path=str(out / name)))
    return files


def on_page_markdown(markdown, page, config, files):
    language = build_language(config)
    markdown = with_outputs(markdown, page.file.src_uri, language)
    return with_untranslated_notice(markdown, page, language)
