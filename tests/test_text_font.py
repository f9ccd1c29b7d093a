"""The text font: Pretendard cut to what each language's pages show
(hooks/text_font.py)."""

from __future__ import annotations

import functools
import hashlib
import re

import pytest
from fontTools.ttLib import TTFont
from text_font import (
    ASCII,
    FONTS_CACHE,
    SOURCE,
    WEIGHTS,
    cut_font,
    font_path,
    shown_characters,
)

from helpers import LANGUAGES, SITE_PATH


@functools.cache
def source_cmap() -> dict[int, str]:
    return TTFont(SOURCE, lazy=True).getBestCmap()


def pages_of(site, language: str):
    """The built pages of one language (another language's live under its URL prefix)."""
    own = site.path / LANGUAGES[language]
    nested = [site.path / p for p in LANGUAGES.values() if p and p != LANGUAGES[language]]
    return [page for page in own.rglob("*.html") if not any(page.is_relative_to(n) for n in nested)]


@pytest.fixture(scope="module")
def fonts(site):
    return {language: TTFont(font_path(site.path, language)) for language in LANGUAGES}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_font_holds_every_character_its_languages_pages_show(site, fonts, language):
    cmap = fonts[language].getBestCmap()
    for page in pages_of(site, language):
        shown = shown_characters(page.read_text(encoding="utf-8"))
        missing = {c for c in shown if ord(c) not in cmap and c.isprintable() and not c.isspace()}
        # not what Pretendard itself lacks (symbols that fall back to other fonts)
        missing = {c for c in missing if ord(c) in source_cmap()}
        assert not missing, f"{page.relative_to(site.path)}: {''.join(sorted(missing))}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_font_is_small_variable_and_renamed_as_the_licence_asks(site, fonts, language):
    font = fonts[language]
    assert font_path(site.path, language).read_bytes()[:4] == b"wOF2"
    # WOFF2's glyph transform, the smaller file (not the source's packing)
    assert font.flavorData.transformedTables == {"glyf", "loca"}
    assert font_path(site.path, language).stat().st_size < 130_000
    # regular to bold only, the weights extra.css declares (and the pages use)
    assert [(a.axisTag, a.minValue, a.maxValue) for a in font["fvar"].axes] == [("wght", *WEIGHTS)]
    css = (site.path / "assets/stylesheets/extra.css").read_text(encoding="utf-8")
    face = re.search(rf'url\("../fonts/tutorial-sans-{language}.woff2"\)[^}}]*', css)[0]
    assert f"font-weight: {WEIGHTS[0]} {WEIGHTS[1]};" in face, face
    names = {(r.nameID, r.toUnicode()) for r in font["name"].names}
    # Reserved Font Name "Pretendard": only in the copyright, trademark, credits, licence
    assert all("Pretendard" not in text for number, text in names if number not in {0, 7, 9, 13}), (
        names
    )
    assert (1, "Tutorial Sans") in names
    assert any(number == 0 and "Kil Hyung-jin" in text for number, text in names)
    assert "Reserved Font Name Pretendard" in (site.path / "assets/fonts/LICENSE.txt").read_text()


def test_korean_pages_and_english_pages_each_use_their_own_file(site):
    css = (site.path / "assets/stylesheets/extra.css").read_text(encoding="utf-8")
    assert 'url("../fonts/tutorial-sans-ko.woff2")' in css
    assert 'url("../fonts/tutorial-sans-en.woff2")' in css
    assert not list(site.path.rglob("*subset*")), "Pretendard's own subsets are published"


def test_english_pages_ask_for_their_font_with_the_stylesheets_korean_pages_do_not(site):
    """overrides/main.html preloads the English font (38 KB) on English
    pages, with crossorigin as fonts always are, or the browser would fetch
    it twice; the Korean font (about 110 KB) is not preloaded, since it held
    a phone's largest paint back (the template's comment has the numbers)."""
    preload = re.compile(r"<link rel=\"preload\"[^>]*>")
    for page in site.path.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        if "<article" not in html:  # a redirect
            continue
        language = re.search(r'<html lang="([a-z]+)"', html)[1]
        links = preload.findall(html)
        where = page.relative_to(site.path)
        if language == "ko":
            assert links == [], f"{where}: {links}"
            continue
        assert len(links) == 1, f"{where}: {links}"
        assert ' as="font" type="font/woff2" crossorigin>' in links[0], f"{where}: {links[0]}"
        href = re.search(r'href="([^"]+)"', links[0])[1]
        if href.startswith("/"):  # the 404 page: its links are absolute, under site_url
            target = site.path / href.removeprefix(SITE_PATH)
        else:
            target = page.parent / href
        assert target.resolve() == font_path(site.path, language), f"{where}: {href}"
        assert html.index(links[0]) < html.index("extra.css"), f"{where}: after the stylesheets"


@pytest.mark.slow
def test_a_damaged_cached_font_is_made_again(site):
    korean = set(ASCII)  # as the hook adds it
    for page in pages_of(site, "ko"):
        korean |= shown_characters(page.read_text(encoding="utf-8"))
    # the build cut it in a process of its own, while it built the English pages
    built = font_path(site.path, "ko").read_bytes()
    cached = cut_font(korean)
    assert cached.parent == FONTS_CACHE and cached.read_bytes() == built
    cached.write_bytes(built[: len(built) // 5])  # truncated
    again = cut_font(korean)  # cut here, in the test's own process: the same bytes
    assert hashlib.sha256(again.read_bytes()).digest() == hashlib.sha256(built).digest()


def test_the_source_font_is_pretendard_packed_to_be_read_glyph_by_glyph():
    """data/fonts/README.md: the release's tables without WOFF2's glyph
    transform, which fontTools undoes for every glyph at every read."""
    font = TTFont(SOURCE, lazy=True)
    assert font.flavor == "woff2" and font.flavorData.transformedTables == set()
    assert font["name"].getDebugName(1) == "Pretendard Variable"
    assert len(font.getGlyphOrder()) == 14_757
