"""MkDocs hook: each chapter's notebook, its view and the buttons to them
(what they hold: :mod:`tutorial.notebooks`)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import nbformat
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, InclusionLevel
from mkdocs.utils.meta import get_data

from tutorial.includes import IncludeError, fences
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


@dataclass
class Notebook:
    """A chapter's notebook and view for the language being built. Their
    files are added to the site at once; what they hold needs the chapter's
    snippet results, so it is filled in (:func:`_fill`) when the view page is
    read or at ``on_env``, whichever comes first, while other pages render."""

    markdown: str  # the chapter page's Markdown
    page_url: str
    notebook: File  # notebooks/<stem>.ipynb
    view: File  # notebooks/<stem>.md
    front: str  # the view's front matter
    filled: bool = False


@event_priority(-300)  # after mkdocs-static-i18n has sorted the files by language
def on_files(files, config):
    language = build_language(config)
    prefix = language_prefix(config, language)
    site_url = config.site_url or ""
    STATE.notebooks.clear()
    for file in list(files.documentation_pages()):
        markdown, meta = get_data(file.content_string)  # without the front matter
        stem = Path(file.src_uri).name.split(".")[0]
        try:
            if not any(fence.includes for fence in fences(markdown)):
                continue  # no code, no notebook
        except IncludeError:
            # hooks/snippets.py fails the build on that page with its line
            continue
        notebook = File.generated(config, f"{prefix}{NOTEBOOK_DIR}/{stem}.ipynb", content="")
        files.append(notebook)
        title = re.search(r"^# (.+)$", markdown, re.MULTILINE)[1]
        title = LABELS.get(language, LABELS["en"])["title"].format(title)
        front = (
            f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n"
            f"description: {json.dumps(meta.get('description', ''), ensure_ascii=False)}\n"
            "search:\n  exclude: true\n---\n\n"
        )
        # The view: generated Markdown that MkDocs renders like any page.
        view = File.generated(
            config,
            f"{prefix}{NOTEBOOK_DIR}/{stem}.md",
            inclusion=InclusionLevel.NOT_IN_NAV,
            content=front,
        )
        view.notebook_view = True  # written in the language being built: no fallback notice
        view.edit_uri = file.edit_uri  # its source is the chapter's (hooks/page_facts.py)
        view.chapter_markdown = markdown  # so is its code
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
        page_url = f"{site_url}{prefix}{'' if stem == 'index' else stem + '/'}"
        STATE.notebooks[stem] = Notebook(markdown, page_url, notebook, view, front)
    return files


def _fill(stem: str, config) -> None:
    """Write the notebook and its view, from the chapter's snippet results
    (waiting for them if they are still running)."""
    entry = STATE.notebooks[stem]
    if entry.filled:
        return
    language = build_language(config)
    prefix = language_prefix(config, language)
    figures: list[str] = []
    notebook = build_notebook(
        entry.markdown, entry.page_url, config.site_url or "", prefix, figures
    )
    entry.notebook.content_string = nbformat.writes(notebook)
    view_url = f"{prefix}{NOTEBOOK_DIR}/{stem}/"
    content = view_markdown(
        entry.markdown,
        figures,
        FIGURE_ALT.findall(entry.markdown),
        to_root="../" * (view_url.count("/") - 1),
    )
    links = links_row(config, language, stem, path_to_root(view_url), on_view=True)
    content = re.sub(
        r"^(# .*\n)",
        lambda m: f"{m.group(1)}\n{links}\n",
        content,
        count=1,
        flags=re.MULTILINE,
    )  # the buttons under the title
    entry.view.content_string = entry.front + content
    entry.filled = True


def on_pre_page(page, config, files):
    stem = _view_stem(page)
    if stem in STATE.notebooks:
        _fill(stem, config)  # before MkDocs reads the view's Markdown
    return page


def on_env(env, config, files):
    for stem in STATE.notebooks:
        _fill(stem, config)  # before MkDocs copies the .ipynb files
    return env


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
