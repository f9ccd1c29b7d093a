"""No page loads anything from another host: scripts, styles, fonts, images, media."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from helpers import ROOT

EXTERNAL = re.compile(r"^(?:https?:)?//", re.IGNORECASE)
LOADING_LINK_RELS = {
    "stylesheet",
    "preload",
    "modulepreload",
    "prefetch",
    "icon",
    "apple-touch-icon",
    "manifest",
    "preconnect",
    "dns-prefetch",
}

# URLs inside third-party JS bundles that are never requested by our pages.
KNOWN_JS_URLS = {
    # Material loads Mermaid only for pages with a mermaid diagram; the test
    # below checks that no page has one.
    "https://unpkg.com/mermaid@11/dist/mermaid.min.js",
    # Source references in comments of Material's and lunr's bundles.
    "https://github.com/nodejs/node/blob/b3fcc245fb25539909ef1d5eaa01dbf92e168633/lib/path.js",
    "https://github.com/umdjs/umd/blob/master/returnExports.js",
}


class _Loads(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and not LOADING_LINK_RELS & set((attrs.get("rel") or "").split()):
            return  # canonical, alternate: addresses, not loads
        for name in ("src", "data", "poster") + (("href",) if tag == "link" else ()):
            if attrs.get(name):
                self.urls.append(attrs[name])
        for srcset in (attrs.get("srcset"), attrs.get("imagesrcset")):
            if srcset:
                self.urls += [part.split()[0] for part in srcset.split(",") if part.strip()]
        if attrs.get("style"):
            self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", attrs["style"])


def test_html_loads_nothing_from_other_hosts(site):
    pages = sorted(site.path.rglob("*.html"))
    assert len(pages) >= 8
    for page in pages:
        parser = _Loads()
        text = page.read_text(encoding="utf-8")
        parser.feed(text)
        inline_css = " ".join(re.findall(r"<style[^>]*>(.*?)</style>", text, re.DOTALL))
        parser.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", inline_css)
        external = [u for u in parser.urls if EXTERNAL.match(u)]
        assert not external, f"{page.relative_to(site.path)} loads {external}"
        assert 'class="mermaid"' not in text


def test_css_loads_nothing_from_other_hosts(site):
    for css in site.path.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", text)
        urls += re.findall(r"@import\s+(?:url\()?\s*['\"]?([^'\"); ]+)", text)
        external = [u for u in urls if EXTERNAL.match(u)]
        assert not external, f"{css.relative_to(site.path)} loads {external}"


def test_javascript_loads_nothing_from_other_hosts(site):
    loadable = re.compile(
        r"(?:https?:)?//[\w.-]+\.[a-z]{2,}/[^\s\"'`)]*?"
        r"\.(?:m?js|css|woff2?|ttf|otf|png|jpe?g|gif|svg|webp|mp4|webm)\b"
    )
    for js in site.path.rglob("*.js"):
        found = set(loadable.findall(js.read_text(encoding="utf-8", errors="replace")))
        unexpected = {u for u in found if u not in KNOWN_JS_URLS}
        assert not unexpected, f"{js.relative_to(site.path)} refers to {sorted(unexpected)}"


def test_math_is_typeset_at_build_time_with_its_fonts_served_by_the_site(site):
    """hooks/katex_math.py: every formula of every page is KaTeX's HTML (with MathML
    for screen readers) when the page arrives; the pages with a formula load
    KaTeX's stylesheet (before extra.css, which may override it) and fonts
    from the site, the others no stylesheet of KaTeX's, and none a math
    script."""
    pages = list(site.path.rglob("*.html"))
    formulas, without = 0, []
    for path in pages:
        page = path.read_text(encoding="utf-8")
        found = re.findall(r'class="arithmatex">(.{0,200})', page)
        for formula in found:
            formulas += 1
            assert formula.startswith(('<span class="katex">', '<span class="katex-display">')), (
                f"{path.relative_to(site.path)}: {formula[:80]}"
            )
        assert not re.search(r"<script[^>]*(katex|auto-render)", page), path
        linked = re.findall(r'<link rel="stylesheet" href="[^"]*(katex.min.css|extra.css)"', page)
        assert linked == (["katex.min.css"] if found else []) + ["extra.css"], path
        without += [] if found else [path.relative_to(site.path).parent.as_posix()]
    assert formulas > 400
    assert {"mnist", "playground", "en/mnist", "en/playground"} <= set(without)
    assert not list(site.path.rglob("katex*.js")) and not list(site.path.rglob("auto-render*"))
    page = (site.path / "rate-coding" / "index.html").read_text(encoding="utf-8")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML">' in page
    assert "assets/katex/katex.min.css" in page
    css = (site.path / "assets/katex/katex.min.css").read_text(encoding="utf-8")
    for font in re.findall(r"url\((fonts/[^)]+)\)", css):
        assert (site.path / "assets/katex" / font).is_file(), font
    assert "fonts.googleapis" not in page and "fonts.gstatic" not in page


def test_a_formula_katex_cannot_read_fails_the_build_naming_page_and_formula():
    from types import SimpleNamespace

    import katex_math as hook
    from mkdocs.exceptions import PluginError

    page = SimpleNamespace(file=SimpleNamespace(src_uri="rate-coding.en.md"))
    good = hook.on_page_content('<span class="arithmatex">\\(x^2\\)</span>', page, None, None)
    assert good.startswith('<span class="arithmatex"><span class="katex">')
    with pytest.raises(PluginError) as failure:
        hook.on_page_content('<div class="arithmatex">\\[\\frac{1}{\\]</div>', page, None, None)
    assert str(failure.value).startswith(
        "docs/rate-coding.en.md: KaTeX cannot typeset '\\\\frac{1}{'"
    )
    assert "ParseError" in str(failure.value)


def test_typeset_math_is_kept_for_the_next_build_and_used_only_while_whole(tmp_path, monkeypatch):
    """hooks/katex_math.py keeps what a build typeset in .cache/katex/: the next
    build shows the same HTML without running KaTeX, and a file changed or cut
    short since it was written is not used."""
    from types import SimpleNamespace

    import katex_math as hook

    from tutorial.state import STATE

    monkeypatch.setattr(hook, "KATEX_CACHE", tmp_path)
    monkeypatch.setattr(STATE, "formulas", None)
    monkeypatch.setattr(STATE, "formulas_shown", set())
    monkeypatch.setattr(STATE, "formulas_saved", {})
    # (no fonts in docs_dir to cut: the font tests below cut them)
    config = SimpleNamespace(plugins={}, docs_dir=tmp_path / "docs", site_dir=tmp_path / "site")
    fresh = hook.typeset("V(t) = I_{in}R", False)
    hook.on_post_build(config)
    (saved,) = tmp_path.glob("*.json")
    assert hook.saved_formulas(saved) == {"inline:V(t) = I_{in}R": fresh}
    written = saved.stat().st_mtime_ns
    hook.on_post_build(config)  # nothing new: not written again
    assert saved.stat().st_mtime_ns == written

    # A new process reads it back (KaTeX not needed for it).
    monkeypatch.setattr(STATE, "formulas", None)
    monkeypatch.setattr(STATE, "katex", "not started")
    assert hook.typeset("V(t) = I_{in}R", False) == fresh

    text = saved.read_text()
    saved.write_text(text.replace("mathnormal", "mathbf"))  # changed, digest not
    assert hook.saved_formulas(saved) == {}
    saved.write_text(text[: len(text) // 2])  # cut short
    assert hook.saved_formulas(saved) == {}
    monkeypatch.setattr(STATE, "formulas", None)
    monkeypatch.setattr(STATE, "katex", None)
    assert hook.typeset("V(t) = I_{in}R", False) == fresh  # typeset again


def _drawn(page: str) -> set[str]:
    """The characters the formulas of a built page draw: the text of each
    ``katex-html`` element (the MathML beside it is not drawn)."""
    drawn = set()
    for start in re.finditer(r'<span class="katex-html"[^>]*>', page):
        depth, at = 1, start.end()
        for tag in re.finditer(r"<(/?)span\b[^>]*>", page[at:]):
            depth += -1 if tag[1] else 1
            if depth == 0:
                drawn |= set(html.unescape(re.sub(r"<[^>]+>", "", page[at : at + tag.start()])))
                break
    return drawn


def test_katex_fonts_are_cut_to_what_the_formulas_draw_and_still_draw_all_of_it(site):
    """hooks/katex_math.py cuts KaTeX's WOFF2 fonts to the characters the
    formulas draw: each file the site serves still has every character any
    page's formulas draw that KaTeX's own file has, and the two nearly
    every formula needs are smaller than KaTeX's."""
    from fontTools.ttLib import TTFont

    drawn = set()
    for path in site.path.rglob("*.html"):
        drawn |= _drawn(path.read_text(encoding="utf-8"))
    assert {"x", "Δ", "≤", "∑"} <= drawn  # (a rate, a change, a bound, a sum)
    vendored = ROOT / "docs/assets/katex/fonts"
    fonts = sorted(vendored.glob("*.woff2"))
    assert len(fonts) == 20
    for font in fonts:
        served = site.path / "assets/katex/fonts" / font.name
        had = set(map(chr, TTFont(font).getBestCmap()))
        has = set(map(chr, TTFont(served).getBestCmap()))
        assert has <= had
        assert not (drawn & had) - has, f"{font.name} lost {sorted((drawn & had) - has)}"
    for name in ("KaTeX_Main-Regular.woff2", "KaTeX_Math-Italic.woff2"):
        before = (vendored / name).stat().st_size
        assert (site.path / "assets/katex/fonts" / name).stat().st_size < before * 0.9, name


def test_katex_font_cuts_are_kept_and_used_only_while_whole(tmp_path, monkeypatch):
    """A cut is kept in .cache/katex/ for the next build, which copies it
    instead of cutting again; a cut changed since it was written is made anew."""
    import shutil

    import katex_math as hook

    monkeypatch.setattr(hook, "KATEX_CACHE", tmp_path / "cache")
    source, target = tmp_path / "fonts", tmp_path / "site"
    source.mkdir()
    target.mkdir()
    shutil.copy(ROOT / "docs/assets/katex/fonts/KaTeX_Main-Regular.woff2", source)
    characters = hook.drawn_characters(['<span class="katex-html">x=1</span>'])
    hook.cut_math_fonts(source, target, characters)
    cut = (target / "KaTeX_Main-Regular.woff2").read_bytes()
    (cached,) = (tmp_path / "cache").glob("fonts-*/KaTeX_Main-Regular.woff2")
    assert cached.read_bytes() == cut

    cut_anew = hook._cut
    monkeypatch.setattr(hook, "_cut", lambda *_: pytest.fail("cut again"))
    hook.cut_math_fonts(source, target, characters)  # from the cache
    cached.write_bytes(cut[:-10])  # cut short: not used
    monkeypatch.setattr(hook, "_cut", cut_anew)
    (target / "KaTeX_Main-Regular.woff2").unlink()
    hook.cut_math_fonts(source, target, characters)
    assert (target / "KaTeX_Main-Regular.woff2").read_bytes() == cut  # the same cut, made anew
