"""Every link and anchor inside the built site resolves; external links are
listed here, so none slips in unnoticed."""

from __future__ import annotations

import html
import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote, urlsplit

from helpers import SITE_PATH, mkdocs_setting

# Every external link a reader can follow, and where it comes from.
REPO_URL = mkdocs_setting("repo_url")
EXTERNAL_LINKS = {
    "https://snntorch.readthedocs.io/",  # home page, both languages
    "https://squidfunk.github.io/mkdocs-material/",  # Material's "Made with" footer
    REPO_URL,  # the header's repository link
    # snnTorch issues where readers met what a page explains
    # (into-the-network: shapes; troubleshooting: the empty raster, #294)
    *(f"https://github.com/jeshraghian/snntorch/issues/{n}" for n in (133, 262, 294, 376)),
    # into-the-network's "where to go next"
    "https://snntorch.readthedocs.io/en/latest/tutorials/index.html",
    *(
        f"https://snntorch.readthedocs.io/en/latest/tutorials/tutorial_{n}.html"
        for n in (2, 3, 5, 7)
    ),
}
# "Open in Colab" on each chapter and notebook view; where they lead is
# checked by tests/test_notebooks.py.
COLAB = "https://colab.research.google.com/github/"
# Each page's "edit", source, code and "report a problem" links, into the
# repository; where they lead is checked by tests/test_page_facts.py.
INTO_REPO = (
    f"{REPO_URL}/edit/",
    f"{REPO_URL}/blob/",
    f"{REPO_URL}/issues/new?",
)

LINK = re.compile(r'<(a|img|link|script|source)\b[^>]*?\b(href|src)="([^"]*)"[^>]*>')


def _ids(page: Path, cache: dict) -> set[str]:
    if page not in cache:
        cache[page] = set(re.findall(r'\bid="([^"]+)"', page.read_text(encoding="utf-8")))
    return cache[page]


def _target(site: Path, page: Path, url: str) -> Path:
    path = unquote(urlsplit(url).path)
    if path.startswith("/"):
        base, path = site, path[len(SITE_PATH) :] if path.startswith(SITE_PATH) else path[1:]
    else:
        base = page.parent
    target = (base / path) if path else page
    return target / "index.html" if target.is_dir() else target


def test_every_internal_link_and_anchor_resolves(site):
    ids: dict = {}
    broken = []
    pages = sorted(site.path.rglob("*.html"))
    for page in pages:
        for tag, _attr, raw in LINK.findall(page.read_text(encoding="utf-8")):
            url = html.unescape(raw)
            if not url or url.startswith(("http://", "https://", "mailto:", "data:", "//")):
                continue
            if tag == "link" and "canonical" in url:
                continue
            target = _target(site.path, page, url)
            anchor = urlsplit(url).fragment
            if not target.resolve().is_file():
                broken.append(f"{page.relative_to(site.path)}: {url}")
            elif anchor and target.suffix == ".html" and anchor not in _ids(target, ids):
                broken.append(f"{page.relative_to(site.path)}: {url} (no #{anchor})")
    assert len(pages) >= 20
    assert not broken, "\n".join(broken[:30])


def test_external_links_are_the_listed_ones(site):
    found = defaultdict(set)
    for page in site.path.rglob("*.html"):
        for url in re.findall(
            r'<a\b[^>]*\bhref="(https?://[^"]+)"', page.read_text(encoding="utf-8")
        ):
            found[html.unescape(url)].add(str(page.relative_to(site.path)))
    unlisted = {
        url: sorted(pages)[:3]
        for url, pages in found.items()
        if url not in EXTERNAL_LINKS and not url.startswith((COLAB, *INTO_REPO))
    }
    assert not unlisted, f"new external links (add them to EXTERNAL_LINKS if intended): {unlisted}"
    assert EXTERNAL_LINKS <= set(found), f"listed but gone: {EXTERNAL_LINKS - set(found)}"
