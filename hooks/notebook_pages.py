"""MkDocs hook: each chapter's notebook, its view and the buttons to them
(what they hold: :mod:`tutorial.notebooks`)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import nbformat
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, InclusionLevel

from tutorial.includes import IncludeError
from tutorial.languages import build_language, language_prefix
from tutorial.notebooks import (
    FIGURE_ALT,
    LABELS,
    NOTEBOOK_DIR,
    build_notebook,
    links_row,
    path_to_root,
    view_markdown,
)
from tutorial.state import STATE


@event_priority(-300)  # after hooks/snippets.py (-200): this build's results are ready
def on_files(files, config):
    language = build_language(config)
    prefix = language_prefix(config, language)
    site_url = config.site_url or ""
    STATE.notebooks.clear()
    for file in list(files.documentation_pages()):
        markdown = file.content_string
        stem = Path(file.src_uri).name.split(".")[0]
        page_url = f"{site_url}{prefix}{'' if stem == 'index' else stem + '/'}"
        try:
            figures = []
            notebook = build_notebook(markdown, page_url, site_url, prefix, figures)
        except (KeyError, OSError, IncludeError):
            # A missing snippet file or section: hooks/snippets.py fails the
            # build on that page with its line; no notebook for a broken page.
            continue
        if notebook is None:
            continue
        text = nbformat.writes(notebook)
        STATE.notebooks[stem] = notebook
        files.append(File.generated(config, f"{prefix}{NOTEBOOK_DIR}/{stem}.ipynb", content=text))
        title = re.search(r"^# (.+)$", markdown, re.MULTILINE)[1]
        title = LABELS.get(language, LABELS["en"])["title"].format(title)
        # The view: generated Markdown that MkDocs renders like any page.
        view_url = f"{prefix}{NOTEBOOK_DIR}/{stem}/"
        content = view_markdown(
            markdown,
            figures,
            FIGURE_ALT.findall(markdown),
            to_root="../" * (view_url.count("/") - 1),
        )
        links = links_row(config, language, stem, path_to_root(view_url), on_view=True)
        content = re.sub(
            r"^(# .*\n)",
            lambda m, row=links: f"{m.group(1)}\n{row}\n",
            content,
            count=1,
            flags=re.MULTILINE,
        )  # the buttons under the title
        view = File.generated(
            config,
            f"{prefix}{NOTEBOOK_DIR}/{stem}.md",
            inclusion=InclusionLevel.NOT_IN_NAV,
            content=f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n"
            f"search:\n  exclude: true\n---\n\n{content}",
        )
        view.notebook_view = True  # written in the language being built: no fallback notice
        # What mkdocs-static-i18n sets on the pages it sorted (it ran before
        # these files existed), so the language switcher stays on the view.
        view.locale = view.locale_alternate_of = language
        i18n = config.plugins.get("i18n")
        others = i18n.build_languages if i18n else [language]
        view.alternates = {
            other: SimpleNamespace(url=language_prefix(config, other) + f"{NOTEBOOK_DIR}/{stem}/")
            for other in others
        }
        files.append(view)
    return files


def _view_stem(page) -> str | None:
    uri = page.file.src_uri
    parts = uri.split("/")
    if len(parts) >= 2 and parts[-2] == NOTEBOOK_DIR and uri.endswith(".md"):
        return parts[-1][:-3]
    return None


def on_page_markdown(markdown, page, config, files):
    stem = Path(page.file.src_uri).name.split(".")[0]
    if _view_stem(page) or stem not in STATE.notebooks:
        return markdown
    links = links_row(config, build_language(config), stem, path_to_root(page.url), on_view=False)
    # Right under the page title.
    return re.sub(
        r"^(# .*\n)", lambda m: f"{m.group(1)}\n{links}\n", markdown, count=1, flags=re.MULTILINE
    )
