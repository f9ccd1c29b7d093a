"""What every page says about itself (hooks/page_facts.py): the versions its
outputs were made with and the commit it was built from, links to its source
file and its snippet files, a "report a problem" link that opens a filled-in
GitHub issue, Material's "edit this page" link, and the link preview (Open
Graph and Twitter card tags) in the page's language."""

from __future__ import annotations

import html
import re
import subprocess
from importlib.metadata import version
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from helpers import (
    LANGUAGES,
    ROOT,
    built_page,
    includes,
    mkdocs_setting,
    visit_id,
    visits,
)

REPO_URL = mkdocs_setting("repo_url")
SITE_URL = mkdocs_setting("site_url")
BRANCH = mkdocs_setting("edit_uri").split("/")[1]  # edit/<branch>/docs/
VISITS = visits()


def source(md: Path, lang: str) -> Path:
    """The Markdown file a page is built from (a view: its chapter's)."""
    return md if lang == "ko" else md.with_suffix(f".{lang}.md")


def built(site, visit) -> str:
    md, lang, view = visit
    path = site.path / LANGUAGES[lang] / "notebooks" / md.stem / "index.html"
    return (path if view else built_page(site.path, md, lang)).read_text(encoding="utf-8")


def facts(page_html: str) -> tuple[str, list[tuple[str, str]]]:
    """The page-facts block: its first paragraph's text, and its links."""
    block = re.search(r'<div class="page-facts">(.*?)</div>', page_html, re.S)
    assert block, "no page-facts block under the page"
    verified = re.search(r"<p>(.*?)</p>", block[1], re.S)[1]
    links = re.findall(r'<a href="([^"]+)">(.*?)</a>', block[1], re.S)
    return html.unescape(verified), [(html.unescape(h), html.unescape(t)) for h, t in links]


def title(page_html: str) -> str:
    h1 = re.search(r"<h1\b[^>]*>(.*?)</h1>", page_html, re.S)[1]
    h1 = re.sub(r'<a class="headerlink".*?</a>', "", h1, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", h1)).strip()


def meta(page_html: str, key: str) -> str:
    found = re.findall(rf'<meta (?:property|name)="{key}" content="([^"]*)"', page_html)
    assert len(found) == 1, (key, found)
    return html.unescape(found[0])


@pytest.mark.parametrize("visit", VISITS, ids=visit_id)
def test_the_page_states_the_versions_and_commit_its_outputs_come_from(site, visit):
    md, lang, _ = visit
    verified, _ = facts(built(site, visit))
    for name, package in (
        ("snnTorch", "snntorch"),
        ("PyTorch", "torch"),
        ("matplotlib", "matplotlib"),
    ):
        assert f"{name} {version(package)}" in verified, verified
    # The date of the commit built, never the clock (builds stay reproducible).
    commit_date = subprocess.run(
        ["git", "log", "-1", "--format=%cs"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", commit_date)
    assert commit_date in verified
    opening = {"ko": "이 페이지의 출력은", "en": "The outputs on this page"}[lang]
    assert verified.startswith(opening) == bool(includes(md)), verified


@pytest.mark.parametrize("visit", VISITS, ids=visit_id)
def test_the_page_links_its_source_its_code_and_a_filled_in_issue(site, visit):
    md, lang, view = visit
    page_html = built(site, visit)
    _, links = facts(page_html)
    blob = f"{REPO_URL}/blob/{BRANCH}/"
    page_source = source(md, lang).relative_to(ROOT).as_posix()
    assert links[0][0] == blob + page_source
    code = [href.removeprefix(blob) for href, _ in links[1:-1]]
    assert code == sorted({f"snippets/{file}" for file, _ in includes(md)})
    for path in [page_source, *code]:
        assert (ROOT / path).is_file(), path
    # Material's "edit this page" (content.action.edit), for the same file.
    assert f'<a href="{REPO_URL}/edit/{BRANCH}/{page_source}"' in page_html

    report, label = links[-1]
    assert label == {"ko": "이 페이지의 문제 알리기", "en": "Report a problem with this page"}[lang]
    url = urlsplit(report)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{REPO_URL}/issues/new"
    issue = parse_qs(url.query)
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', page_html)[1]
    assert title(page_html) in issue["title"][0]
    body = issue["body"][0]
    assert canonical in body and {"ko": "언어: 한국어", "en": "Language: English"}[lang] in body
    assert f"snntorch {version('snntorch')}" in body


@pytest.mark.parametrize("visit", VISITS, ids=visit_id)
def test_a_link_to_the_page_previews_with_its_title_description_and_first_figure(site, visit):
    md, lang, _ = visit
    page_html = built(site, visit)
    front = yaml.safe_load(source(md, lang).read_text(encoding="utf-8").split("---\n")[1])
    description = front["description"]
    assert 40 <= len(description) <= 160, (source(md, lang).name, len(description))
    assert meta(page_html, "og:title") == meta(page_html, "twitter:title") == title(page_html)
    assert meta(page_html, "og:description") == meta(page_html, "twitter:description")
    assert meta(page_html, "og:description") == description
    assert meta(page_html, "description") == description
    assert meta(page_html, "og:locale") == {"ko": "ko_KR", "en": "en_US"}[lang]
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', page_html)[1]
    assert meta(page_html, "og:url") == canonical
    assert meta(page_html, "twitter:card") == "summary_large_image"
    # The image: absolute, from site_url, the page's first PNG figure (else
    # the site's preview picture), and a file of the site.
    image = meta(page_html, "og:image")
    assert image == meta(page_html, "twitter:image")
    assert image.startswith(SITE_URL)
    assert (site.path / image.removeprefix(SITE_URL)).is_file(), image
    article = page_html[page_html.index("<article") :]
    first = re.search(r'<img\b[^>]*\bsrc="([^"]+\.png)"', article)
    expected = first[1].lstrip("./") if first else mkdocs_setting("extra")["preview_image"]
    assert image.endswith("/" + expected)


def test_a_snippets_cache_key_holds_the_installed_package_versions(monkeypatch):
    """A newer snnTorch (the drift canary, tests/drift.py) re-runs every
    snippet instead of showing outputs made with the old one."""
    import tutorial.results as results
    from tutorial.state import STATE

    path = ROOT / "snippets" / "why_spikes.py"
    before = results.snippet_hash(path)
    newer = {**results.package_versions(), "snntorch": "99.0"}
    monkeypatch.setattr(results, "package_versions", lambda: newer)
    monkeypatch.setattr(STATE, "dependencies", ((), ""))  # hash the dependencies again
    assert results.snippet_hash(path) != before
