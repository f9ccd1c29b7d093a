"""No page loads anything from another host: scripts, styles, fonts, images, media."""

from __future__ import annotations

import re
from html.parser import HTMLParser

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


def test_math_and_fonts_are_served_by_the_site(site):
    page = (site.path / "rate-coding" / "index.html").read_text(encoding="utf-8")
    assert 'class="arithmatex"' in page  # the page has math ...
    for asset in (
        "assets/katex/katex.min.js",
        "assets/katex/contrib/auto-render.min.js",
        "assets/katex/katex.min.css",
        "assets/javascripts/katex.js",
    ):
        assert asset in page and (site.path / asset).is_file()  # ... and KaTeX is local
    css = (site.path / "assets/katex/katex.min.css").read_text(encoding="utf-8")
    for font in re.findall(r"url\((fonts/[^)]+)\)", css):
        assert (site.path / "assets/katex" / font).is_file(), font
    assert "fonts.googleapis" not in page and "fonts.gstatic" not in page
