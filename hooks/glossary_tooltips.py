"""MkDocs hook: hover a glossary term on a chapter to see what it means.

The glossary pages are the only source: each row of ``docs/glossary.md``
(Korean) and ``docs/glossary.en.md`` (English) gives a term, its twin in the
other language, a one-line meaning and the page where the term first
appears. On every other page, the first occurrence of each term the reader
has already met (introduced on this page or an earlier one in the nav)
becomes ``<abbr title="...">``, which Material shows as a tooltip
(``content.tooltips``). Korean titles lead with the English term.

Why not Python-Markdown's ``abbr`` extension with a generated glossary: it
marks every occurrence (a page full of dotted 스파이크), and it wants a word
boundary after the term, which a Korean particle never gives (레이트 코딩은).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from pathlib import Path

from markdown import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString
from mkdocs.plugins import event_priority

# | term | its twin in the other language | meaning | [page title](page.md#anchor) |
ROW = re.compile(r"^\| ([^|]+?) \| ([^|]+?) \| ([^|]+?) \| \[[^\]]+\]\(([^)]+)\) \|$", re.M)
SKIP_TAGS = {
    "a",
    "abbr",
    "code",
    "pre",
    "script",
    "style",
    "summary",
    "svg",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
}


@dataclass
class Term:
    words: list[str]  # what the page may say: "spiking neural network", "SNN"
    title: str  # the tooltip
    first_page: str  # "rate-coding.md": where the glossary says it first appears


@dataclass
class Tooltips:
    """What the hook shares with the Markdown extension: the terms to mark on
    the page being rendered (set per page, read by the tree processor)."""

    glossaries: dict[str, list[Term]] = field(default_factory=dict)  # language -> terms
    page_terms: dict[str, str] = field(default_factory=dict)  # word -> title
    pattern: re.Pattern | None = None


# ------------------------------------------------------------ the glossary


def plain(markdown: str) -> str:
    """A glossary meaning as tooltip text: no code marks, links or TeX."""
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", markdown).replace("`", "").replace("**", "")
    for tex, char in (
        (r"\,", "·"),
        (r"\Delta ", "Δ"),
        (r"\Delta", "Δ"),
        (r"\tau", "τ"),
        (r"\times", "×"),
        ("{", ""),
        ("}", ""),
        ("$", ""),
    ):
        text = text.replace(tex, char)
    return text


def glossary_rows(path: Path) -> list[tuple[str, str, str, str]]:
    """(term, twin, meaning, link) of every row of a glossary page; the page's
    own language comes first. A project without one (the build tests) has none."""
    return ROW.findall(path.read_text(encoding="utf-8")) if path.is_file() else []


def read_glossary(path: Path, language: str) -> list[Term]:
    terms = []
    for own, other, meaning, link in glossary_rows(path):
        words = [w.strip() for w in own.split(",")]
        title = f"{other}: {plain(meaning)}" if language == "ko" else plain(meaning)
        terms.append(Term(words, title, link.split("#")[0]))
    return terms


def reading_order(nav) -> list[str]:
    """The page files of mkdocs.yml's nav, in order."""
    order = []
    for item in nav or []:
        if isinstance(item, str):
            order.append(item)
        elif isinstance(item, dict):
            for value in item.values():
                order.extend(reading_order(value) if isinstance(value, list) else [value])
    return order


def terms_met_by(page: str, terms: list[Term], order: list[str]) -> dict[str, str]:
    """word -> title for every term first met on ``page`` or before it."""
    if page not in order:
        return {}
    here = order.index(page)
    return {
        word: term.title
        for term in terms
        if term.first_page in order and order.index(term.first_page) <= here
        for word in term.words
    }


def word_pattern(words) -> re.Pattern:
    """Longest first; a Korean term may be followed by a particle, an English
    one by a plural ending."""
    alternatives = []
    for word in sorted(words, key=len, reverse=True):
        tail = r"(?:s|es)?\b" if re.search(r"[A-Za-z]$", word) else ""
        alternatives.append(re.escape(word) + tail)
    return re.compile(r"(?<![\w-])(" + "|".join(alternatives) + ")", re.IGNORECASE)


# ------------------------------------------------------------ marking the page


class _MarkFirstUse(Treeprocessor):
    def __init__(self, md, state: Tooltips):
        super().__init__(md)
        self.state = state

    def run(self, root):
        if self.state.pattern is not None:
            self._walk(root, set())

    def _split(self, text: str, seen: set[str]) -> tuple[str, list[etree.Element]]:
        """``text`` before the first unmarked term, and <abbr> elements
        (each carrying the text after it as its tail)."""
        marks = []
        rest, start = text, 0
        for match in self.state.pattern.finditer(text):
            word = self._word(match.group(1))
            title = self.state.page_terms.get(word)
            if title is None or title in seen:  # a term's other names share its title
                continue
            seen.add(title)
            abbr = etree.Element("abbr", {"title": title})
            abbr.text = AtomicString(match.group(1))
            if marks:
                marks[-1].tail = text[start : match.start()]
            else:
                rest = text[: match.start()]
            marks.append(abbr)
            start = match.end()
        if marks:
            marks[-1].tail = text[start:]
        return rest, marks

    def _word(self, matched: str) -> str | None:
        """The glossary word a match stands for ("Spikes" -> "spike")."""
        low = matched.lower()
        return next(
            (
                word
                for word in self.state.page_terms
                if low in (word.lower(), word.lower() + "s", word.lower() + "es")
            ),
            None,
        )

    def _walk(self, el: etree.Element, seen: set[str]) -> None:
        if el.tag in SKIP_TAGS or "arithmatex" in (el.get("class") or ""):
            return
        children = list(el)
        if el.text and not isinstance(el.text, AtomicString):
            el.text, marks = self._split(el.text, seen)
            for i, mark in enumerate(marks):
                el.insert(i, mark)
        for child in children:
            self._walk(child, seen)
            if child.tail and not isinstance(child.tail, AtomicString):
                child.tail, marks = self._split(child.tail, seen)
                at = list(el).index(child) + 1
                for i, mark in enumerate(marks):
                    el.insert(at + i, mark)


class GlossaryTooltips(Extension):
    def __init__(self, state: Tooltips):
        super().__init__()
        self.state = state

    def extendMarkdown(self, md):
        md.treeprocessors.register(_MarkFirstUse(md, self.state), "glossary_tooltips", 6)


# ------------------------------------------------------------ MkDocs events

_state = Tooltips()


def on_config(config):
    docs = Path(config.docs_dir)
    _state.glossaries = {
        "ko": read_glossary(docs / "glossary.md", "ko"),
        "en": read_glossary(docs / "glossary.en.md", "en"),
    }
    config.markdown_extensions.append(GlossaryTooltips(_state))
    return config


@event_priority(-100)  # after the snippet and notebook hooks have read the page
def on_page_markdown(markdown, page, config, files):
    src = page.file.src_uri
    language = "en" if src.endswith(".en.md") else "ko"
    stem = re.sub(r"\.en\.md$", ".md", src)
    terms = (
        {}
        if stem == "glossary.md"
        else terms_met_by(stem, _state.glossaries.get(language, []), reading_order(config.nav))
    )
    _state.page_terms = terms
    _state.pattern = word_pattern(terms) if terms else None
    return markdown
