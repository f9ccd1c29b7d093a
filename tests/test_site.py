"""The built site: both languages, code from snippets/, outputs and figures."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest

from helpers import (
    DOCS,
    LANGUAGES,
    ROOT,
    SITE_PATH,
    built_page,
    code_blocks,
    heading_ids,
    image_alts,
    image_sources,
    included_code,
    includes,
    korean_pages,
    mkdocs_config,
    nav_pages,
)
from tutorial.runner import SNIPPETS_DIR, parse_sections

PAGES = korean_pages()
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def page_id(md: Path) -> str:
    return md.relative_to(DOCS).as_posix()


def english(md: Path) -> Path:
    return md.with_name(md.name[:-3] + ".en.md")


@pytest.mark.parametrize("md", PAGES, ids=page_id)
def test_every_page_has_an_english_translation(md):
    assert english(md).is_file(), f"{page_id(md)} has no English translation ({english(md).name})"


def test_every_english_page_has_a_korean_original():
    orphans = [
        p.name for p in DOCS.rglob("*.en.md") if not p.with_name(p.name[:-6] + ".md").is_file()
    ]
    assert not orphans, f"English pages without a Korean page: {orphans}"


def test_every_page_is_in_the_navigation():
    nav = nav_pages()
    missing = [page_id(md) for md in PAGES if md not in nav]
    assert not missing, f"pages missing from nav in mkdocs.yml: {missing}"


@pytest.mark.parametrize("md", PAGES, ids=page_id)
def test_no_python_is_typed_into_a_page(md):
    """Every Python fence only includes snippet sections (hooks/includes.py
    refuses a fence that mixes includes with other lines)."""
    from tutorial.includes import fences

    for doc in (md, english(md)):
        for fence in fences(doc.read_text(encoding="utf-8"), doc.name):
            if re.match(r"(python|py)\b", fence.info):
                assert fence.includes, (
                    f"{doc.name}:{fence.line}: Python typed into the page instead of included "
                    "from snippets/:\n" + "\n".join(fence.body)
                )


@pytest.mark.parametrize("md", PAGES, ids=page_id)
def test_both_languages_include_the_same_sections(md):
    assert includes(md) == includes(english(md))


@pytest.mark.parametrize("snippet", sorted(SNIPPETS_DIR.glob("*.py")), ids=lambda p: p.name)
def test_every_section_is_shown_in_file_order(snippet):
    """A snippet's sections appear on a page exactly once, in file order:
    nothing runs at build time that a reader does not see."""
    shown = [
        (md, section) for md in PAGES for name, section in includes(md) if name == snippet.name
    ]
    assert shown, f"{snippet.name} is not included by any page"
    assert [s for _, s in shown] == [s.name for s in parse_sections(snippet)]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("md", PAGES, ids=page_id)
def test_page_is_built_with_its_code_outputs_and_figures(site, md, language):
    page = built_page(site.path, md, language)
    assert page.is_file(), f"{page_id(md)} not built for {language}"

    # Python blocks: exactly the included sections' code, each followed by its output.
    blocks = code_blocks(page)
    results = _cached_results()
    position = 0
    for (s_file, name), expected in zip(includes(md), included_code(md)):
        while blocks[position][0] != "python" or "snippet-output" in blocks[position][1]:
            position += 1
        assert blocks[position][2].strip("\n") == expected, f"{s_file}:{name} differs on the page"
        printed = results[Path(s_file).stem]["sections"][name]["stdout"]
        if printed.strip():
            language_, classes, text = blocks[position + 1]
            assert "snippet-output" in classes and language_ == "text", (
                f"output of {s_file}:{name} is not right under its code"
            )
            assert text.strip("\n") == printed.strip("\n")
        position += 1

    # Every image the page shows is in the site.
    for src in image_sources(page):
        if not src.startswith(("data:", "http")):
            assert (page.parent / src).resolve().is_file(), (
                f"{page_id(md)} ({language}): {src} missing"
            )


def _cached_results() -> dict:
    """The results the build used: the cache entry of each snippet's current hash."""
    import json

    from tutorial.results import RESULTS_DIR, snippet_hash

    return {
        path.stem: json.loads(
            (RESULTS_DIR / f"{path.stem}-{snippet_hash(path)}" / "result.json").read_text(
                encoding="utf-8"
            )
        )
        for path in SNIPPETS_DIR.glob("*.py")
    }


def test_every_figure_a_snippet_draws_is_shown_in_both_languages(site):
    shown = {lang: set() for lang in LANGUAGES}
    for md in PAGES:
        for language in LANGUAGES:
            page = built_page(site.path, md, language)
            shown[language] |= {(page.parent / s).resolve() for s in image_sources(page)}
    # images; a data file a snippet writes (the playground's digits) is
    # checked where it is used (tests/test_playground.py)
    figures = sorted(p for p in (site.path / "figures").rglob("*") if p.suffix in (".png", ".gif"))
    assert figures, "no figures were generated"
    for figure in figures:
        for language in LANGUAGES:
            assert figure.resolve() in shown[language], (
                f"{figure.relative_to(site.path)} is drawn but not shown on any {language} page"
            )


@pytest.mark.parametrize("md", PAGES, ids=page_id)
def test_images_have_alt_text_in_the_page_language(site, md):
    for language in LANGUAGES:
        for alt in image_alts(built_page(site.path, md, language)):
            assert len(alt) > 15, f"{page_id(md)} ({language}): alt text too thin: {alt!r}"
            assert bool(HANGUL.search(alt)) == (language == "ko"), (
                f"{page_id(md)} ({language}): alt text not in the page's language: {alt!r}"
            )


@pytest.mark.parametrize("md", PAGES, ids=page_id)
def test_headings_have_the_same_anchors_in_both_languages(site, md):
    ko, en = (heading_ids(built_page(site.path, md, lang)) for lang in ("ko", "en"))
    assert ko == en
    # explicit ids, not slugs of Korean words
    assert all(re.fullmatch(r"[a-z0-9-]+", i) for i in ko), ko


@pytest.mark.parametrize("md", PAGES, ids=page_id)
def test_language_switcher_leads_to_the_same_page(site, md):
    for language, other in (("ko", "en"), ("en", "ko")):
        page = built_page(site.path, md, language)
        links = re.findall(
            rf'<a href="([^"]+)" hreflang="{other}"', page.read_text(encoding="utf-8")
        )
        assert links, f"{page_id(md)} ({language}) has no link to {other}"
        link = links[0]
        if link.startswith("/"):  # absolute: relative to the site_url path
            link = str(site.path) + "/" + link[len(SITE_PATH) :]
        target = (page.parent / link).resolve() / "index.html"
        assert target == built_page(site.path, md, other).resolve()


def test_navigation_titles_are_translated(site):
    for language in LANGUAGES:
        for md in PAGES:
            text = built_page(site.path, md, language).read_text(encoding="utf-8")
            start = text.find('<nav class="md-nav md-nav--primary"')
            nav = text[start : text.find('<div class="md-sidebar md-sidebar--secondary"', start)]
            # the current page's table of contents sits inside; only page titles count
            nav = re.sub(
                r'<nav class="md-nav md-nav--secondary".*?</nav>', "", nav, flags=re.DOTALL
            )
            labels = [
                re.sub(r"<[^>]+>|\s+", " ", label).strip()
                for label in re.findall(r'<span class="md-ellipsis">(.*?)</span>', nav, re.DOTALL)
            ]
            assert len(labels) >= len(PAGES), labels
            for label in labels:
                assert bool(HANGUL.search(label)) == (language == "ko"), (
                    f"{page_id(md)} ({language}): nav title {label!r} not translated"
                )


def test_code_blocks_carry_their_language_and_a_copy_button(site):
    # Material adds the button to every block
    assert "content.code.copy" in mkdocs_config()["theme"]["features"]
    for md in PAGES:
        page = built_page(site.path, md, "ko")
        assert '"content.code.copy"' in page.read_text(encoding="utf-8")
        for language, _classes, _ in code_blocks(page):
            assert language, f"{page_id(md)}: a code block without a language class"


def test_build_log_reports_the_snippet_runs(site):
    assert re.search(r"Snippets: \d+ run", site.log), site.log[-2000:]


@pytest.mark.parametrize("snippet", sorted(SNIPPETS_DIR.glob("*.py")), ids=lambda p: p.name)
def test_snippet_lines_fit_a_code_block_without_scrolling(snippet):
    long = [
        f"{snippet.name}:{n}"
        for n, line in enumerate(snippet.read_text(encoding="utf-8").splitlines(), 1)
        if len(line) > 79
    ]
    assert not long, f"lines over 79 characters scroll sideways on the page: {long}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_previous_and_next_links_walk_through_every_chapter(site, language):
    order = nav_pages()
    assert sorted(order) == sorted(PAGES), "nav and docs/ disagree"
    for index, md in enumerate(order):
        page = built_page(site.path, md, language)
        text = page.read_text(encoding="utf-8")
        for direction, step in (("prev", -1), ("next", 1)):
            links = re.findall(
                rf'<a href="([^"]+)" class="md-footer__link md-footer__link--{direction}"', text
            )
            neighbour = index + step
            if 0 <= neighbour < len(order):
                assert links, f"{page_id(md)} ({language}) has no {direction} link"
                target = (page.parent / links[0]).resolve() / "index.html"
                assert target == built_page(site.path, order[neighbour], language).resolve()
            else:
                assert not links


def search_index(site, language: str) -> list[dict]:
    """A language's search entries (hooks/search_languages.py), located from the site root."""
    prefix = LANGUAGES[language]
    index = json.loads((site.path / prefix / "search/search_index.json").read_text("utf-8"))
    return [{**doc, "location": prefix + doc["location"]} for doc in index["docs"]]


def test_each_language_searches_its_own_pages(site):
    """A Korean reader's search lists Korean sections and an English
    reader's English ones: each language has its own index, which every page
    of that language finds from the base in its __config (Material fetches
    the index, and resolves each result's link, from there)."""
    config = re.compile(r'<script id="__config" type="application/json">(.*?)</script>', re.S)
    for language, prefix in LANGUAGES.items():
        others = tuple(p for p in LANGUAGES.values() if p and p != prefix)
        entries = search_index(site, language)
        assert len(entries) > 100, language
        for entry in entries:
            location = entry["location"]
            assert location.startswith(prefix) and not location.startswith(others), location
            assert (site.path / location.split("#")[0] / "index.html").is_file(), location
        for page in site.path.rglob("index.html"):
            url = page.parent.relative_to(site.path).as_posix().strip(".")
            url = f"{url}/" if url else ""
            if url.startswith(prefix) and not url.startswith(others):  # this language's page
                base = json.loads(config.search(page.read_text("utf-8"))[1])["base"]
                assert urljoin(SITE_PATH + url, base) == SITE_PATH + prefix, f"{url}: {base}"


def test_search_reads_each_formula_once_as_shown_and_not_the_notebook_buttons(site):
    """Search results quote a section's text: a formula as the page draws it
    (not also its MathML letters and TeX, "IinI_{in}Iin"), and no chapter's
    first result begins with the labels of the buttons under its title."""
    from tutorial.notebooks import LABELS

    texts = {doc["location"]: doc["text"] for lang in LANGUAGES for doc in search_index(site, lang)}
    tex = re.compile(r"\\[A-Za-z]+")  # a TeX command such as \tau
    for location, text in texts.items():
        prose = re.sub(r"<pre>.*?</pre>|<code>.*?</code>", "", text, flags=re.S)
        assert not tex.search(prose), f"{location}: {tex.findall(prose)[:5]}"
    for prefix in LANGUAGES.values():
        circuit = texts[f"{prefix}latency-coding/#rc-circuit"]
        assert circuit.count("τ=RC") == 1, circuit
        assert " C" in circuit and "CC" not in circuit
    for labels in LABELS.values():
        row = labels["view"] + labels["download"]
        assert not [where for where, text in texts.items() if row in text]


def test_chapters_that_reuse_the_mnist_setup_use_the_same_code():
    """rate/latency/delta/visualization each repeat the MNIST setup so that a
    chapter runs on its own; the pages say it is the same data loader and the
    same batch as before, so the four copies must stay identical."""
    setups = {}
    for path in sorted(SNIPPETS_DIR.glob("*.py")):
        for section in parse_sections(path):
            if section.name == "setup" and "datasets.MNIST" in section.code:
                setups[path.name] = section.code
    assert len(setups) >= 4, sorted(setups)
    reference = setups["rate_coding.py"]
    assert {name for name, code in setups.items() if code != reference} == set()


def test_no_figure_is_left_inside_a_paragraph(site):
    """Raw <figure markdown> inside an indented (collapsed) block is not
    parsed and comes out as <p><figure ...>: invalid HTML, and Markdown in
    the caption is lost. There, use the image plus a /// caption block."""
    wrapped = [
        str(page.relative_to(site.path))
        for page in site.path.rglob("*.html")
        if "<p><figure" in page.read_text(encoding="utf-8")
    ]
    assert not wrapped, wrapped


def test_no_control_characters_in_pages_or_snippets():
    """A TeX command written into a Python string without r"" (\\tau, \\theta,
    \\big) turns into a tab or a backspace and breaks the formula silently."""
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in [*DOCS.rglob("*.md"), *SNIPPETS_DIR.glob("*.py")]
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"[\x00-\x08\x0b-\x1f\x7f]|\t", line)
    ]
    assert not found, f"control characters (tab, backspace, ...) in: {found}"


def test_every_figure_opens_full_size(site):
    """hooks/figures.py: each figure is a link to its own image (which
    figure-zoom.js opens in a dialog; without JavaScript the link opens the
    image), unless it is a link already (the home page's playground picture)."""
    bare = []
    wrapped = 0
    for page in site.path.rglob("index.html"):
        text = page.read_text(encoding="utf-8")
        for before, src in re.findall(
            r'(<a\b[^>]*>)?\s*<img\b[^>]*\bsrc="([^"]*figures/[^"]+)"', text
        ):
            if f'<a class="figure-zoom" href="{src}">' == before:
                wrapped += 1
            elif not before:
                bare.append(f"{page.relative_to(site.path)}: {src}")
    assert not bare, bare[:5]
    assert wrapped > 100


def test_every_image_has_its_size_and_only_a_first_screen_one_loads_with_the_page(site):
    """hooks/figures.py: width and height are the file's own (the browser
    keeps the room before it arrives: no layout shift), and an image waits
    until the reader scrolls near it (lazy), unless it is on a phone's first
    screen: on this site only the home page's picture and the playground's
    (the picture for readers without JavaScript, which the playground's own
    stylesheet hides otherwise). No image comes back eager after a lazy one.
    The browser tests check the same against where each image really is."""
    from PIL import Image

    checked, eager = 0, set()
    for page in site.path.rglob("*.html"):
        name = page.relative_to(site.path).as_posix()
        images = re.findall(r"<img\b[^>]*>", page.read_text(encoding="utf-8"))
        lazy_before = False
        for k, img in enumerate(images):
            src = re.search(r'src="([^"]+)"', img)[1]
            size = re.search(r'width="(\d+)" height="(\d+)"', img)
            assert size, f"{name}: {img[:120]}"
            with Image.open((page.parent / src).resolve()) as image:
                assert image.size == (int(size[1]), int(size[2])), (page, src)
            lazy = 'loading="lazy"' in img
            assert lazy == ('decoding="async"' in img), f"{name}: image {k + 1} {src}"
            assert lazy or not lazy_before, f"{name}: image {k + 1} {src} is eager after a lazy one"
            lazy_before = lazy
            if not lazy:
                eager.add(name)
            checked += 1
    assert checked > 200
    assert eager == {
        f"{prefix}{where}index.html" for prefix in ("", "en/") for where in ("", "playground/")
    }


def test_every_script_file_runs_after_the_page_is_parsed_without_holding_it_up(site):
    """overrides/main.html defers Material's bundle and extra_javascript (the
    playground's app.js is a module, which is deferred anyway): a browser
    fetches them at low priority, after the stylesheets, fonts and first
    screen, and runs them in order once the page is parsed."""
    scripts = 0
    for page in site.path.rglob("*.html"):
        for tag in re.findall(r"<script\b[^>]*\bsrc=[^>]*>", page.read_text(encoding="utf-8")):
            assert " defer" in tag or 'type="module"' in tag, (
                f"{page.relative_to(site.path)}: {tag}"
            )
            scripts += 1
    assert scripts > 3 * 46


def material_stylesheets() -> Path:
    """Material's own stylesheets, as installed (not the site's copies)."""
    from material import __file__ as material

    return Path(material).parent / "templates" / "assets" / "stylesheets"


def test_material_restyles_neither_the_article_for_a_table_nor_the_page_for_a_palette(site):
    """hooks/fewer_restyles.py. Every table Material wraps (no class) is
    written in Material's scrolling wrapper at build time, once, so nothing
    moves (and the article is not restyled) as the page starts; the built
    palette stylesheet is Material's with the ``[data-md-color-switching] *``
    rule blanked out, column for column (its source map still lines up),
    and nothing else changed; and so is the built bundle, with its call that
    wraps the tables and the one that adds its color-scheme meta to the page
    blanked out (test_browser.py checks the tables and the colour scheme)."""
    wrapper = '<div class="md-typeset__scrollwrap"><div class="md-typeset__table">'
    tables = 0
    for page in site.path.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        plain = re.findall(r"<table(?![^>]*\bclass=)[^>]*>", html)
        wrapped = re.findall(wrapper + r"<table(?![^>]*\bclass=)[^>]*>", html)
        assert len(wrapped) == len(plain), f"{page.relative_to(site.path)}: a table unwrapped"
        assert html.count(wrapper) == len(plain)
        assert html.count("</table></div></div>") >= len(plain)
        tables += len(plain)
    assert tables >= 20  # the glossary, MNIST, the home page, ...

    [built] = (site.path / "assets" / "stylesheets").glob("palette.*.min.css")
    theirs = (material_stylesheets() / built.name).read_text(encoding="utf-8")
    css = built.read_text(encoding="utf-8")
    assert "data-md-color-switching" in theirs and "data-md-color-switching" not in css
    assert len(css) == len(theirs)
    assert re.sub(r" {20,}", "", css) == re.sub(
        r"\[data-md-color-switching\][^{]*\{[^}]*\}", "", theirs
    )

    [built] = (site.path / "assets" / "javascripts").glob("bundle.*.min.js")
    material_js = material_stylesheets().parent / "javascripts"
    theirs = (material_js / built.name).read_text(encoding="utf-8")
    js = built.read_text(encoding="utf-8")
    made, added = 'let o=x("meta",{name:"color-scheme"});', "document.head.appendChild(o);"
    wrap = '...M("table:not([class])",e).map(i=>ti(i)),'
    assert theirs.count(made + added) == 1 and theirs.count(wrap) == 1
    theirs = theirs.replace(made + added, made + " " * len(added))
    assert js == theirs.replace(wrap, " " * len(wrap))


def test_code_keeps_no_pygments_span_that_changes_nothing(site):
    """hooks/fewer_restyles.py unwraps Pygments' name and space spans, which
    Material draws exactly as the code around them; the code's text is
    unchanged (test_page_is_built_with_its_code_outputs_and_figures) and
    every other token keeps its colour. If Material ever gives names or
    spaces a colour of their own, this says so."""
    stylesheets = material_stylesheets()
    [main] = stylesheets.glob("main.*.min.css")
    [palette] = stylesheets.glob("palette.*.min.css")
    css = main.read_text(encoding="utf-8") + palette.read_text(encoding="utf-8")
    assert ".highlight .kc,.highlight .n{color:var(--md-code-hl-name-color)}" in css
    assert set(re.findall(r"--md-code-hl-name-color:([^;}]*)", css)) == {"var(--md-code-fg-color)"}
    assert not re.search(r"\.highlight \.w\b", css)
    ours = (DOCS / "assets" / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    assert "--md-code-hl-name-color" not in ours and not re.search(r"\.[nw]\b", ours)

    keywords = 0
    for page in site.path.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r'<span class="[nw]">', html), page.relative_to(site.path)
        keywords += html.count('<span class="k">')
    assert keywords > 100  # the other tokens are still coloured


def test_code_is_coloured_once_and_reused_only_with_the_same_options(monkeypatch):
    # hooks/highlight_once.py: a block seen before (another language, the
    # notebook view) is not coloured again; one that differs in any option is.
    import highlight_once
    import markdown
    import pygments
    import pymdownx.highlight

    from tutorial.state import STATE

    calls = []
    real = pygments.highlight

    def counted(code, lexer, formatter, outfile=None):
        calls.append(code)
        return real(code, lexer, formatter)

    monkeypatch.setattr(pygments, "highlight", counted)
    # on_config below replaces pymdownx's name; monkeypatch puts it back afterwards
    monkeypatch.setattr(pymdownx.highlight, "highlight", pymdownx.highlight.highlight)
    monkeypatch.setattr(STATE, "highlighted", {})
    highlight_once.on_config(mkdocs_config())

    def page(text, **options):
        config = {"pymdownx.highlight": {"pygments_lang_class": True, **options}}
        extensions = ["pymdownx.highlight", "pymdownx.superfences"]
        return markdown.Markdown(extensions=extensions, extension_configs=config).convert(text)

    fence = "```python\nx = 1  # one\n```\n"
    plain = page(fence)
    assert page(fence) == plain, "the same block, coloured twice, must look the same"
    assert calls == ["x = 1  # one"], "the second page's block was coloured again"
    lit = page('```python hl_lines="1"\nx = 1  # one\n```\n')
    numbered = page(fence, linenums=True)
    as_text = page("```text\nx = 1  # one\n```\n")
    assert '<span class="hll">' in lit and '<span class="hll">' not in plain
    assert "linenos" in numbered and "linenos" not in plain
    assert '<span class="c1">' in plain and '<span class="c1">' not in as_text
    assert len(calls) == 4, "a block with other options must be coloured anew"
