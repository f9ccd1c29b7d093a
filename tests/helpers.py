"""Small helpers the tests share: building the site, reading its HTML."""

from __future__ import annotations

import functools
import html
import http.server
import os
import re
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
LANGUAGES = {"ko": "", "en": "en/"}  # language -> URL prefix


@functools.cache
def mkdocs_config():
    """mkdocs.yml as MkDocs itself reads it (defaults filled in, plugins and
    hooks loaded), once per test process."""
    from mkdocs.config import load_config

    return load_config(str(ROOT / "mkdocs.yml"))


def mkdocs_setting(key: str):
    """A setting of mkdocs.yml (site_url, repo_url, remote_branch ...), with
    MkDocs' default where the file sets none."""
    return mkdocs_config()[key]


# The path part of site_url: where the site is published, e.g. "/spike-encoding/".
SITE_PATH = "/" + mkdocs_setting("site_url").split("/", 3)[3]


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a built site under its site_url path, as it is published
    (the browser tests' server; tests/benchmark.py adds gzip)."""

    def translate_path(self, path):
        path = urlsplit(path).path
        if path.startswith(SITE_PATH):
            path = "/" + path[len(SITE_PATH) :]
        return super().translate_path(path)

    def log_message(self, *args):
        pass


def includes(md: Path) -> list[tuple[str, str]]:
    """(snippet file, section) a page includes, in page order (the build's
    own parser, hooks/includes.py)."""
    from tutorial.includes import includes as page_includes

    text = md.read_text(encoding="utf-8")
    return [(i.file, i.section) for i in page_includes(text, md.relative_to(ROOT).as_posix())]


def included_code(md: Path) -> list[str]:
    """The code of each section a page includes, dedented as the page shows it."""
    from tutorial.runner import SNIPPETS_DIR, parse_sections

    code = {
        (name, s.name): textwrap.dedent(s.code).strip("\n")
        for name in {name for name, _ in includes(md)}
        for s in parse_sections(SNIPPETS_DIR / name)
    }
    return [code[key] for key in includes(md)]


def nav_pages() -> list[Path]:
    """The pages in the order of mkdocs.yml's nav (the reading order)."""

    def walk(items):
        for item in items:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            yield from walk(value) if isinstance(value, list) else [DOCS / value]

    return list(walk(mkdocs_config()["nav"]))


def prose(markdown: str) -> str:
    """What a page says in words: Markdown without code (fenced or inline),
    math, link targets, HTML tags and comments. Line breaks are kept, so line
    numbers still match the file."""

    def blank(match: re.Match) -> str:
        return "\n" * match.group(0).count("\n")

    text = re.sub(r"^([ \t]*)(`{3,}|~{3,}).*?^\1\2[ \t]*$", blank, markdown, flags=re.M | re.S)
    text = re.sub(r"<!--.*?-->", blank, text, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$", blank, text, flags=re.S)
    text = re.sub(r"\$[^$\n]+\$", " ", text)
    text = re.sub(r"`[^`\n]+`|<code>.*?</code>", " ", text)
    text = re.sub(r"\]\([^)\s]*\)", "]", text)  # [text](target) -> [text]
    text = re.sub(r"\{ #[\w-]+ \}", "", text)
    return re.sub(r"</?[a-z][^>\n]*>", " ", text)


def line_of(text: str, match: re.Match) -> int:
    """The 1-based line of ``text`` where ``match`` starts."""
    return text.count("\n", 0, match.start()) + 1


def korean_pages() -> list[Path]:
    """The Korean (default-language) pages: docs/**/page.md without a suffix."""
    return sorted(p for p in DOCS.rglob("*.md") if not re.search(r"\.[a-z]{2}\.md$", p.name))


def page_url(md: Path) -> str:
    """docs/rate-coding.md -> 'rate-coding/', docs/index.md -> ''."""
    rel = md.relative_to(DOCS).with_suffix("")
    return "" if rel.name == "index" else f"{rel.as_posix()}/"


def visits() -> list[tuple[Path, str, bool]]:
    """(page, language, notebook view?) for every page in both languages and
    every chapter's notebook view (notebooks/<chapter>/)."""
    pages = korean_pages()
    return [(md, lang, False) for md in pages for lang in LANGUAGES] + [
        (md, lang, True) for md in pages if includes(md) for lang in LANGUAGES
    ]


def visit_url(md: Path, view: bool) -> str:
    """The page's URL below a language root."""
    return f"notebooks/{md.stem}/" if view else page_url(md)


def visit_id(visit) -> str:
    md, lang, view = visit
    return f"{lang}-{'notebook-' if view else ''}{md.stem}"


def built_page(site: Path, md: Path, language: str) -> Path:
    return site / LANGUAGES[language] / page_url(md) / "index.html"


def mkdocs_build(project: Path, site: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """``mkdocs build --strict`` of ``project`` into ``site``; output captured."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
    )


class _CodeBlocks(HTMLParser):
    """Collect the text of <code> inside <div class="language-X highlight">."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, set[str], str]] = []  # (language, div classes, text)
        self._div_stack: list[set[str] | None] = []
        self._current: list[str] | None = None
        self._classes: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div":
            classes = set((attrs.get("class") or "").split())
            self._div_stack.append(classes if "highlight" in classes else None)
        elif tag == "code" and self._div_stack and self._div_stack[-1] is not None:
            self._current, self._classes = [], self._div_stack[-1]

    def handle_endtag(self, tag):
        if tag == "code" and self._current is not None:
            language = next((c[9:] for c in self._classes if c.startswith("language-")), "")
            self.blocks.append((language, self._classes, "".join(self._current)))
            self._current = None
        elif tag == "div" and self._div_stack:
            self._div_stack.pop()

    def handle_data(self, data):
        if self._current is not None:
            self._current.append(data)


def code_blocks(page: Path) -> list[tuple[str, set[str], str]]:
    """(language, classes, text) of every highlighted block, in page order."""
    parser = _CodeBlocks()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.blocks


def python_blocks(page: Path) -> list[str]:
    return [
        text
        for language, classes, text in code_blocks(page)
        if language == "python" and "snippet-output" not in classes
    ]


def heading_ids(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    article = text[text.find("<article") : text.find("</article>")]
    return re.findall(r'<h[2-6] id="([^"]+)"', article)  # h1 is the title


def image_sources(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    article = text[text.find("<article") : text.find("</article>")]
    return [html.unescape(s) for s in re.findall(r'<img [^>]*src="([^"]+)"', article)]


def image_alts(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    article = text[text.find("<article") : text.find("</article>")]
    return [html.unescape(s) for s in re.findall(r'<img [^>]*alt="([^"]*)"', article)]


def exercise_solutions(page: Path, snippet: str) -> list[str]:
    """Check that a page ends with three exercises, each an H3 whose worked
    solution is a collapsed block including the snippet's exercise_N section
    (and no code in the question); return the three solutions' text."""
    text = page.read_text(encoding="utf-8")
    assert re.findall(r"^## .*\{ #([\w-]+) \}$", text, re.M)[-1] == "exercises"
    tail = text[text.index("{ #exercises }") :]
    label = "Solution" if page.name.endswith(".en.md") else "풀이"
    parts = re.split(r"^### .*\{ #exercise-\d \}$", tail, flags=re.M)[1:]
    assert len(parts) == 3
    solutions = []
    for k, part in enumerate(parts, 1):
        question, _, solution = part.partition(f'??? success "{label}"')
        assert solution, f"exercise {k} has no collapsed solution"
        assert "--8<--" not in question  # the code is only in the solution
        assert f'    ```python\n    --8<-- "{snippet}:exercise_{k}"\n    ```' in solution
        solutions.append(solution)
    return solutions
