"""MkDocs hook: one search index per language.

mkdocs-static-i18n merges every language's pages into the one
``search/search_index.json`` at the site root, and Material fetches it on
every page load (1.1 MB, 275 KB gzipped for both languages). A Korean
reader's search then listed the English sections too, and an English
reader's the Korean ones. At the end of the build this hook moves each
other language's entries into that language's own
``<language>/search/search_index.json`` (their locations made relative to
it), and points that language's pages at it: Material finds the index, and
resolves each result's link, from the ``base`` in the page's ``__config``,
which becomes the language's root instead of the site's.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from mkdocs.plugins import event_priority

from tutorial.languages import (
    MATERIAL_CONFIG,
    build_language,
    default_language,
    every_language_built,
    language_prefix,
)


def on_post_page(output, page, config):
    prefix = language_prefix(config, build_language(config))
    if not prefix:
        return output

    def to_language_root(match: re.Match) -> str:
        settings = json.loads(match[2])
        settings["base"] = f"{settings['base'].rstrip('/')}/{prefix}"  # '../..' -> '../../en/'
        return match[1] + json.dumps(settings, ensure_ascii=False) + match[3]

    return MATERIAL_CONFIG.sub(to_language_root, output, count=1)


@event_priority(-200)  # after mkdocs-static-i18n (-100) has written the merged index
def on_post_build(config):
    i18n = config.plugins.get("i18n")
    if i18n is None or not every_language_built(config):
        return
    merged = Path(config.site_dir) / "search" / "search_index.json"
    if not merged.exists():
        return
    index = json.loads(merged.read_text(encoding="utf-8"))
    default = default_language(config)
    by_language = {language: [] for language in i18n.build_languages}
    for entry in index["docs"]:
        language = entry["location"].split("/", 1)[0]
        if language in by_language and language != default:
            entry["location"] = entry["location"].removeprefix(f"{language}/")
            by_language[language].append(entry)
        else:
            by_language[default].append(entry)
    for language, docs in by_language.items():
        where = Path(config.site_dir) / language_prefix(config, language) / "search"
        _write(where / "search_index.json", index, docs)


def _write(path: Path, index: dict, docs: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({**index, "docs": docs}, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text, encoding="utf-8")
