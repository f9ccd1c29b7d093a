"""The built site in a real browser (Debian's Chromium driven by Playwright).

Every page of both languages is visited once at desktop width and once at
phone width; what the browser saw is collected, screenshots are written to
test-artifacts/screenshots/, and the tests below assert on it.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from helpers import (
    LANGUAGES,
    ROOT,
    built_page,
    included_code,
    korean_pages,
    mkdocs_setting,
    visit_id,
    visit_url,
    visits,
)

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PAGES = korean_pages()
# Every page, and every chapter's notebook view (notebooks/<chapter>/).
VISITS = visits()
PHONE = {"width": 390, "height": 844}
SITE_URL = mkdocs_setting("site_url")
INSTALL_CELL = "%pip install --quiet snntorch==1.0.0"


# A page and its notebook view are visited on the same xdist worker (one test
# compares them); the visits are spread over the workers.
VISIT_PARAMS = [
    pytest.param(
        v,
        id=visit_id(v),
        marks=pytest.mark.xdist_group(f"visit-{v[1]}-{v[0].stem}"),
    )
    for v in VISITS
]


def axe_checked(visit) -> bool:
    """axe runs on every page, but on one chapter's notebook view per
    language: the views share their markup (prompts, output blocks, the
    buttons row) and repeat their chapter's content, which axe checks on the
    chapter page; about 1-3 s of axe per view."""
    md, lang, view = visit
    return not view or md.stem == "rate-coding"


# The Python code blocks, in page order, as code_contrast_blocks and the browser find them.
CODE_BLOCK = 'div[class^="language-python highlight"]'


@functools.cache
def code_contrast_blocks(site: Path) -> dict[str, frozenset[int]]:
    """The code blocks on Korean chapter pages whose text axe checks for
    colour contrast (about 1 s per thousand tokens), as {page stem: block
    numbers in page order}: the fewest blocks, chosen greedily, that between
    them hold every Pygments token class the built site's code uses, in any
    language or view. A token's colours come from one stylesheet and its
    block's background is the same everywhere, so each class needs checking
    once; a new class joins the set by itself."""
    token = re.compile(r'<span class="(\w+)"')
    block = re.compile(r'<div class="language-python highlight.*?</code></pre></div>', re.S)

    def blocks(html_file: Path) -> list[set[str]]:
        html = html_file.read_text(encoding="utf-8")
        return [set(token.findall(code)) for code in block.findall(html)]

    needed = set().union(*(c for f in site.rglob("index.html") for c in blocks(f)))
    candidates = {
        (md.stem, number): classes
        for md in PAGES
        if included_code(md)
        for number, classes in enumerate(blocks(built_page(site, md, "ko")))
    }
    chosen: dict[str, set[int]] = {}
    while needed:  # the block adding the most classes (then the shorter one)
        best = max(candidates, key=lambda b: (len(candidates[b] & needed), -len(candidates[b])))
        assert candidates[best] & needed, f"token classes on no Korean chapter page: {needed}"
        chosen.setdefault(best[0], set()).add(best[1])
        needed -= candidates.pop(best)
    return {stem: frozenset(numbers) for stem, numbers in chosen.items()}


# The formulas whose drawing axe checks (see the visit): marked in the page.
FORMULAS_TO_CHECK = """(() => {
  const all = [...document.querySelectorAll('article .arithmatex')];
  const display = all.find(m => m.querySelector('.katex-display'));
  const inline = all.find(m => !m.querySelector('.katex-display'));
  all.filter(m => m === display || m === inline || m.querySelector('.katex-html [style*="color"]'))
     .forEach(m => m.setAttribute('data-contrast-checked', ''));
})()"""


# What scrolls a display equation sideways, the equation or (on a narrow
# screen, Material's CSS) the box around it, as a reader finds each on the
# screen: [wider than it (so it scrolls), a Tab stop]. (A block far from the
# screen is not laid out, extra.css, and its width not known until it nears.)
EQUATION_STOPS = """async () => {
  const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const stops = [];
  for (const box of document.querySelectorAll('article div.arithmatex, article .katex-display')) {
    box.scrollIntoView({block: 'center'});
    await frames();
    stops.push([box.scrollWidth > box.clientWidth, box.getAttribute('tabindex') === '0']);
  }
  scrollTo(0, 0);
  return stops;
}"""


def equation_stops(page) -> list[list[bool]]:
    """EQUATION_STOPS, once every wide equation (and no other) is a Tab
    stop, or as they are after 5 s if that never happens."""
    for _ in range(10):
        stops = page.evaluate(EQUATION_STOPS)
        if all(wide == stop for wide, stop in stops):
            break
        page.wait_for_timeout(500)
    return stops


# What Material copies for a code block's button: the text of the button's
# target, with [data-md-copying] set (its CSS hides annotations), trimmed.
# A block far from the screen is not laid out (content-visibility, extra.css)
# and has no innerText until it comes near; a reader's click is always on a
# block on the screen, so each block is read as drawn there.
COPY_TEXT = """[...document.querySelectorAll(
    'article div.language-python:not(.snippet-output) button.md-code__button')].map(b => {
  const code = document.querySelector(b.dataset.clipboardTarget);
  const block = code.closest('article > *');
  block.style.contentVisibility = 'visible';
  code.setAttribute('data-md-copying', '');
  const text = code.innerText;
  code.removeAttribute('data-md-copying');
  block.style.contentVisibility = '';
  return text.trimEnd();
})"""


@pytest.fixture(scope="session")
def seen(browser, server, site):
    """``seen(visit)``: what the browser saw on that page (visited once per
    worker, at desktop and at phone width; the first call visits)."""
    from axe_playwright_python.sync_playwright import Axe

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    axe = Axe()
    results = {}
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, permissions=["clipboard-read", "clipboard-write"]
    )

    def visit_page(visit):
        md, lang, view = visit
        url = f"{server}{LANGUAGES[lang]}{visit_url(md, view)}"
        page = context.new_page()
        facts = {"console": [], "hosts": set(), "failed": []}
        page.on(
            "console", lambda m, f=facts: f["console"].append(m.text) if m.type == "error" else None
        )
        page.on("pageerror", lambda e, f=facts: f["console"].append(str(e)))
        page.on("request", lambda r, f=facts: f["hosts"].add(urlsplit(r.url).netloc))
        page.on(
            "response", lambda r, f=facts: f["failed"].append(r.url) if r.status >= 400 else None
        )
        page.goto(url, wait_until="load")
        facts["lazy"] = page.evaluate(
            "[...document.querySelectorAll('article img')].map(i => i.loading === 'lazy')"
        )
        facts["buttons_at_load"] = page.evaluate(
            "document.querySelectorAll('article div.highlight button.md-code__button').length"
        )
        # content.lazy (mkdocs.yml): Material sets up a code block, copy button
        # and all, when it scrolls into view; so the page is scrolled through
        # (a tall viewport, a few frames per half screen), with every collapsed
        # block open, before it is looked at. Each step starts from where the
        # page really is: blocks laid out only near the screen (extra.css)
        # change height as they come, and the browser keeps the view steady.
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        page.set_viewport_size({"width": 1280, "height": 4000})
        page.evaluate("""async () => {
          const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
          scrollTo(0, 0);
          await frames();
          for (let last = -1; scrollY !== last; ) {  // until the end stops it
            last = scrollY;
            scrollBy(0, innerHeight / 2);
            await frames();
          }
          scrollTo(0, 0);
        }""")
        page.set_viewport_size({"width": 1280, "height": 900})
        facts.update(
            page.evaluate("""document.fonts.ready.then(async () => ({
          // (lazy images: asked for now, as if the reader had scrolled to them)
          images: await Promise.all([...document.querySelectorAll('article img')].map(i => {
            i.loading = 'eager';
            return i.decode().then(() => i.naturalWidth > 0, () => false)
              .then(ok => ({src: i.getAttribute('src'), ok}));
          })),
          math: [...document.querySelectorAll('.arithmatex')].map(m =>
            !!m.querySelector('.katex') && !m.querySelector('.katex-error')),
          katex: [document.querySelectorAll('article .katex').length,
                  document.querySelectorAll('article .katex-error').length],
          code_blocks: [...document.querySelectorAll('article div.highlight')].map(d =>
            ({lang: [...d.classList].find(c => c.startsWith('language-')) || '',
              output: d.classList.contains('snippet-output'),
              button: !!d.querySelector('button.md-code__button, button.md-clipboard')})),
          font: {family: getComputedStyle(document.querySelector('article h1')).fontFamily,
                 loaded: [...document.fonts].filter(f => f.status === 'loaded')
                          .map(f => f.family).filter(f => /^Tutorial Sans [A-Z]+$/.test(f)),
                 // every request for it: an English page's preload and the stylesheet's must be one
                 files: performance.getEntriesByType('resource').map(e => e.name)
                          .filter(n => n.includes('/assets/fonts/')).map(n => n.split('/').pop())},
          switch: [...document.querySelectorAll('a.md-select__link')].map(a =>
            [a.hreflang, a.href]),
          // each table in Material's scrolling wrapper, once (hooks/fewer_restyles.py
          // writes it at build time; Material must not wrap the table again)
          tables: [...document.querySelectorAll('article table:not([class])')].map(t =>
            t.parentElement === t.closest('.md-typeset__scrollwrap > .md-typeset__table') &&
            t.closest('.md-typeset__scrollwrap').querySelectorAll('.md-typeset__scrollwrap').length === 0 &&
            !t.closest('.md-typeset__scrollwrap').parentElement.closest('.md-typeset__scrollwrap')),
        }))""")
        )
        # The link preview's picture (og:image, absolute from site_url), loaded
        # from this server: it must decode, at a size a large card can use.
        image = page.evaluate("document.querySelector('meta[property=\"og:image\"]').content")
        facts["preview"] = page.evaluate(
            """async (url) => { const img = new Image(); img.src = url; await img.decode();
                 return [img.naturalWidth, img.naturalHeight]; }""",
            server + image.removeprefix(SITE_URL),
        )
        facts["copy_text"] = page.evaluate(COPY_TEXT)
        if axe_checked(visit):
            # Code blocks hold half a chapter's elements and most of axe's time
            # (colour contrast of every token). Their colours are the same on
            # every page, so axe checks the text of the few blocks that hold
            # every token class between them (code_contrast_blocks) and skips
            # the rest of the code (not the buttons). Colour contrast is most
            # of the rest, and the same CSS in both languages: it is checked
            # on the Korean pages, as is the other rule about colours (a link
            # told apart from the text around it: 1.6 s of the 2.9 s axe took
            # on the English encoding lab without colour contrast).
            chosen = (
                code_contrast_blocks(site.path).get(md.stem, ())
                if lang == "ko" and not view
                else ()
            )
            marked = page.evaluate(
                """([selector, chosen]) => [...document.querySelectorAll(selector)].filter((b, n) =>
                     chosen.includes(n) && !b.setAttribute('data-contrast-checked', '')).length""",
                [CODE_BLOCK, sorted(chosen)],
            )
            assert marked == len(chosen), f"{visit_id(visit)}: blocks {sorted(chosen)} not found"
            exclude = [[".highlight:not([data-contrast-checked]) code"]]
            if lang == "ko":
                # The same for formulas: KaTeX's drawing (hidden from screen
                # readers, who read the MathML beside it) is a dozen spans per
                # formula, coloured by the text around it, which axe checks.
                # So axe checks the drawing of the first inline and the first
                # display formula, and of any that sets its own colour (\color).
                page.evaluate(FORMULAS_TO_CHECK)
                exclude.append([".arithmatex:not([data-contrast-checked]) .katex-html"])
            violations = axe.run(
                page,
                context={"exclude": exclude},
                options={
                    "resultTypes": ["violations"],
                    "rules": {
                        "color-contrast": {"enabled": lang == "ko"},
                        "link-in-text-block": {"enabled": lang == "ko"},
                    },
                },
            ).response["violations"]
            facts["axe"] = [
                (v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3])
                for v in violations
                if v["impact"] in ("serious", "critical")
            ]
        # For people to look at (nothing asserts on them): the whole Korean
        # chapter page, the first screen of the rest (an English page has the
        # same layout, a notebook view repeats its chapter, and a full-page
        # shot of a long page takes about 2 s).
        page.screenshot(
            path=SCREENSHOTS / f"{visit_id(visit)}.jpg",
            full_page=lang == "ko" and not view,
            type="jpeg",
            quality=70,
        )

        # Phone width: the same page, narrowed (media queries, not the device, lay it out).
        page.set_viewport_size(PHONE)
        facts["phone_overflow"] = page.evaluate(
            "document.documentElement.scrollWidth - window.innerWidth"
        )
        # how far down the page each image is, in phone screens (null: hidden)
        facts["phone_screens"] = page.evaluate("""[...document.querySelectorAll('article img')]
          .map(i => i.getClientRects().length ? (i.getBoundingClientRect().top + scrollY) / innerHeight : null)""")
        page.screenshot(path=SCREENSHOTS / f"{visit_id(visit)}-phone.jpg", type="jpeg", quality=70)
        # One real click per page: the button puts exactly that text on the clipboard.
        buttons = page.query_selector_all(
            "article div.language-python:not(.snippet-output) button.md-code__button"
        )
        facts["clicked"] = None
        if buttons:
            buttons[-1].scroll_into_view_if_needed()
            buttons[-1].click(timeout=5000)
            facts["clicked"] = page.evaluate("navigator.clipboard.readText()")
        # Long since reached (axe took seconds): nothing the page asks for,
        # however late, escapes the request and console records above.
        page.wait_for_load_state("networkidle")
        page.close()
        return facts

    def get(visit):
        if visit not in results:
            results[visit] = visit_page(visit)
        return results[visit]

    yield get
    context.close()


@pytest.mark.parametrize("visit", VISIT_PARAMS)
def test_no_console_errors_and_nothing_from_other_hosts(seen, server, visit):
    facts = seen(visit)
    assert facts["console"] == [], facts["console"]
    assert facts["failed"] == [], f"failed requests: {facts['failed']}"
    assert facts["hosts"] == {urlsplit(server).netloc}, facts["hosts"]


@pytest.mark.parametrize("visit", VISIT_PARAMS)
def test_every_image_decodes_and_every_formula_is_typeset(seen, visit):
    facts = seen(visit)
    broken = [i["src"] for i in facts["images"] if not i["ok"]]
    assert not broken, f"images that did not decode: {broken}"
    assert all(facts["math"]), "formulas left untypeset by KaTeX"
    assert facts["katex"][1] == 0, "KaTeX could not typeset a formula"


@pytest.mark.parametrize("visit", [v for v in VISIT_PARAMS if v.values[0][2]])
def test_notebook_view_typesets_the_same_math_as_its_chapter(seen, visit):
    md, lang, _ = visit
    assert seen(visit)["katex"][0] == seen((md, lang, False))["katex"][0]


@pytest.mark.parametrize("visit", VISIT_PARAMS)
def test_every_code_block_has_a_copy_button_that_copies_the_snippet(seen, visit):
    md, lang, view = visit
    facts = seen(visit)
    assert all(block["button"] for block in facts["code_blocks"]), (
        "a code block lacks a copy button"
    )
    if len(facts["code_blocks"]) > 10:  # content.lazy: not all set up while the page starts
        assert facts["buttons_at_load"] < len(facts["code_blocks"]), (
            "Material set up every code block at once: does it still know content.lazy?"
        )
    copied = facts["copy_text"]
    if view:  # the notebook's first cell installs snnTorch (for Colab)
        assert copied[0].startswith(INSTALL_CELL)
        copied = copied[1:]
    assert [c.strip() for c in copied] == [c.strip() for c in included_code(md)]
    if facts["copy_text"]:  # and a real click copies just that
        assert facts["clicked"] == facts["copy_text"][-1]


@pytest.mark.parametrize("visit", VISIT_PARAMS)
def test_each_table_is_wrapped_once_so_a_wide_one_scrolls(seen, site, visit):
    """hooks/fewer_restyles.py writes each table in Material's scrolling
    wrapper; it must be there, once, around every table, and Material must
    not have wrapped a table again."""
    md, lang, view = visit
    page = site.path / LANGUAGES[lang] / visit_url(md, view) / "index.html"
    html = page.read_text(encoding="utf-8")
    tables = seen(visit)["tables"]
    assert len(tables) == html.count('<div class="md-typeset__scrollwrap">')
    assert all(tables), tables


@pytest.mark.parametrize("visit", VISIT_PARAMS)
def test_language_switcher_leads_to_the_same_page(seen, server, visit):
    md, lang, view = visit
    links = dict(seen(visit)["switch"])
    for other, prefix in LANGUAGES.items():
        # (the playground adds its settings as a query: test_playground.py)
        assert links[other].split("?")[0] == f"{server}{prefix}{visit_url(md, view)}"


@pytest.mark.parametrize("visit", [v for v in VISIT_PARAMS if axe_checked(v.values[0])])
def test_no_serious_accessibility_violations(seen, visit):
    assert seen(visit)["axe"] == []


@pytest.mark.parametrize("visit", VISIT_PARAMS)
def test_the_link_preview_picture_loads_at_a_size_a_large_card_can_use(seen, visit):
    """summary_large_image wants at least 300 x 157 pixels (tests/test_page_facts.py
    checks which picture it is)."""
    width, height = seen(visit)["preview"]
    assert width >= 300 and height >= 157, (width, height)


@pytest.mark.parametrize("visit", VISIT_PARAMS)
def test_fits_a_phone_screen_without_sideways_scrolling(seen, visit):
    assert seen(visit)["phone_overflow"] <= 0, f"{seen(visit)['phone_overflow']} px too wide"


@pytest.mark.parametrize("visit", VISIT_PARAMS)
def test_an_image_on_a_phones_first_screen_loads_with_the_page_and_one_far_below_waits(seen, visit):
    """hooks/figures.py guesses from the text before an image whether a phone
    shows it first; here is where each image really is, on a phone (every
    block laid out): one on the first screen is not lazy, one more than two
    screens down is (a slow phone fetches it only when the reader comes near)."""
    wrong = [
        (k + 1, round(screens, 1), lazy)
        for k, (lazy, screens) in enumerate(zip(seen(visit)["lazy"], seen(visit)["phone_screens"]))
        if screens is not None and (screens < 1 and lazy or screens > 2 and not lazy)
    ]
    assert not wrong, f"(image, screens down, lazy): {wrong}"


@pytest.mark.parametrize("visit", VISIT_PARAMS)
def test_text_is_drawn_with_the_self_hosted_font_of_the_pages_language(seen, visit):
    """Pretendard, cut to each language's characters (hooks/text_font.py):
    a page loads its own language's file, once (an English page preloads
    it), and not the other's."""
    family = f"Tutorial Sans {visit[1].upper()}"
    font = seen(visit)["font"]
    assert font["family"].startswith(f'"{family}"'), font
    assert font["loaded"] == [family], font
    assert font["files"] == [f"tutorial-sans-{visit[1]}.woff2"], font


@pytest.mark.parametrize(
    "language,query,expected",
    [
        ("ko", "베르누이", "rate-coding/"),  # Korean: matched by word prefix (lunr.ko)
        ("en", "Bernoulli", "en/rate-coding/"),
        ("ko", "파노", "random-spike-trains/"),
        ("en", "inter-spike", "en/random-spike-trains/"),
        ("ko", "Fano", "random-spike-trains/"),  # on English pages too, not listed here
    ],
)
def test_search_finds_the_page_in_each_language(browser, server, language, query, expected):
    """Search finds the page, and lists only pages in the reader's language
    (each language has its own index: hooks/search_languages.py)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}{LANGUAGES[language]}", wait_until="networkidle")
    page.keyboard.press("s")  # Material's search shortcut
    page.fill(".md-search__input", query)
    page.keyboard.press("End")  # a key event makes Material run the query
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    hrefs = page.evaluate(
        "[...document.querySelectorAll('.md-search-result__item > a')]"
        ".map(a => a.href.split('?')[0])"
    )
    page.close()
    assert hrefs and hrefs[0] == f"{server}{expected}", hrefs[:3]
    others = tuple(f"{server}{p}" for p in LANGUAGES.values() if p and p != LANGUAGES[language])
    assert [h for h in hrefs if h.startswith(others)] == []


@pytest.mark.parametrize("language,width", [("ko", 1280), ("en", 1280), ("ko", 390)])
def test_a_glossary_term_shows_its_meaning_on_hover_or_tap(browser, server, language, width):
    """The glossary tooltips (hooks/glossary_tooltips.py) are drawn by
    Material: hovering with a mouse, or tapping on a phone, shows the title."""
    phone = width < 600
    context = browser.new_context(
        viewport={"width": width, "height": 844}, is_mobile=phone, has_touch=phone
    )
    page = context.new_page()
    page.goto(f"{server}{LANGUAGES[language]}rate-coding/", wait_until="networkidle")
    term = page.locator(
        "article abbr", has_text="베르누이 시행" if language == "ko" else "Bernoulli trial"
    ).first
    term.scroll_into_view_if_needed()
    title = page.evaluate(
        "(el) => el.getAttribute('title') || "
        "document.getElementById(el.getAttribute('aria-describedby'))"
        ".innerText",
        term.element_handle(),
    )
    term.tap() if phone else term.hover()
    tooltip = page.locator(".md-tooltip2--active[role=tooltip]")
    tooltip.wait_for(timeout=5000)
    shown = tooltip.inner_text()
    page.wait_for_timeout(600)  # the fade-in is over
    from axe_playwright_python.sync_playwright import Axe

    at_rest = Axe().run(page, context=".md-tooltip2--active").response["violations"]
    context.close()
    assert [v["id"] for v in at_rest if v["impact"] in ("serious", "critical")] == []
    assert shown.strip() == title.strip()
    assert shown.startswith("Bernoulli trial: " if language == "ko" else "A single random trial")


@pytest.mark.parametrize("language,width", [("ko", 1280), ("en", 390)])
def test_a_figure_opens_full_size_from_the_keyboard_and_closes_again(
    browser, server, language, width
):
    """hooks/figures.py and figure-zoom.js: Tab to a figure, Enter opens
    it in a modal dialog at the image's own resolution once pressed, axe
    finds nothing, Escape closes it and the focus is back on the figure."""
    from axe_playwright_python.sync_playwright import Axe

    phone = width < 600
    context = browser.new_context(
        viewport={"width": width, "height": 844}, is_mobile=phone, has_touch=phone
    )
    page = context.new_page()
    page.goto(f"{server}{LANGUAGES[language]}rate-coding/", wait_until="load")
    figure = page.locator("article a.figure-zoom").first
    alt = figure.locator("img").get_attribute("alt")
    figure.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("dialog.figure-zoom-dialog[open]")
    dialog.wait_for(timeout=5000)
    shown = dialog.locator("img")
    assert shown.get_attribute("alt") == alt
    # (the figure is lazy: Tab scrolled it into view just now, so its file may still be on its way)
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=shown.element_handle(), timeout=5000
    )
    assert dialog.get_attribute("aria-label") == alt
    fitted = shown.bounding_box()
    assert fitted["width"] <= width  # first fitted to the screen
    page.keyboard.press("Tab")  # the focus stays inside the modal dialog
    assert page.evaluate("document.activeElement.closest('dialog') !== null")
    violations = Axe().run(page, context="dialog.figure-zoom-dialog").response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
    # pressing the image shows it at its own size
    natural = page.evaluate("(img) => img.naturalWidth", shown.element_handle())
    shown.tap() if phone else shown.click()
    assert dialog.locator(".figure-zoom-toggle").get_attribute("aria-pressed") == "true"
    assert shown.bounding_box()["width"] == pytest.approx(natural, abs=1)
    page.keyboard.press("Escape")
    page.locator("dialog.figure-zoom-dialog").wait_for(state="hidden", timeout=5000)
    focused = page.evaluate("document.activeElement.classList.contains('figure-zoom')")
    context.close()
    assert focused, "the focus did not return to the figure"


def test_the_page_turns_dark_with_the_palette_without_a_color_scheme_meta(browser, server):
    """hooks/fewer_restyles.py keeps Material's <meta name="color-scheme"> out
    of the page (adding it restyled every element as the page started);
    extra.css gives the page's root the palette's colour scheme instead, so
    the page's own scrollbar still turns dark with the palette, from the
    reader's system setting and from the toggle. Material's theme-color meta
    (a phone's address bar) is still written."""
    state = """() => [getComputedStyle(document.documentElement).colorScheme,
      document.querySelectorAll('meta[name=color-scheme]').length,
      document.querySelector('meta[name=theme-color]').content]"""
    for preferred, first, toggled in (("dark", "dark", "normal"), ("light", "normal", "dark")):
        context = browser.new_context(color_scheme=preferred)
        page = context.new_page()
        page.goto(f"{server}rate-coding/", wait_until="load")
        seen = [page.evaluate(state)]
        page.click("form[data-md-component=palette] label:not([hidden])")
        page.wait_for_timeout(100)
        seen.append(page.evaluate(state))
        context.close()
        assert seen == [[first, 0, "#4051b5"], [toggled, 0, "#4051b5"]], preferred


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_long_chapter_lays_out_only_what_is_near_the_screen_and_links_land_on_their_heading(
    browser, server, language
):
    """extra.css: on a phone, the blocks of a chapter far below the screen
    are not laid out while the page loads (content-visibility), the first
    screen is; and a link to any section, from the top of the page, still
    puts its heading right under the header (its scroll margin), however
    many blocks above it were never drawn."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    url = f"{server}{LANGUAGES[language]}latency-coding/"
    page.goto(url, wait_until="load")
    drawn = page.evaluate("""[...document.querySelectorAll('article.md-content__inner > *')]
      .filter(block => block.firstElementChild)
      .map(block => block.firstElementChild.checkVisibility({contentVisibilityAuto: true}))""")
    headings = page.evaluate("[...document.querySelectorAll('article h2[id]')].map(h => h.id)")
    landed = {}
    for heading in headings[1:-2]:  # (the last ones cannot scroll up to the top)
        page.goto(url, wait_until="load")
        page.evaluate("(id) => { location.hash = id; }", heading)
        page.wait_for_timeout(100)
        landed[heading] = page.evaluate(
            """(id) => { const h = document.getElementById(id);
                 return h.getBoundingClientRect().top - parseFloat(getComputedStyle(h).scrollMarginTop); }""",
            heading,
        )
    context.close()
    assert drawn[0] and drawn[-1] is False, drawn
    assert len(landed) >= 5
    assert {h: round(top) for h, top in landed.items() if abs(top) > 1} == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_display_equation_too_wide_for_the_screen_is_a_tab_stop_to_scroll_it(
    browser, server, language
):
    """a11y.js: on a phone, every display equation of the encoding lab that
    is wider than the text, and so scrolls sideways, can be reached with Tab
    to scroll it from the keyboard, and no other equation is a Tab stop.
    Widened to a desktop, the equations that now fit stop being one."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{server}{LANGUAGES[language]}encoding-lab/", wait_until="load")
    on_phone = equation_stops(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    on_desktop = equation_stops(page)
    context.close()
    for stops in (on_phone, on_desktop):
        assert [n for n, (wide, stop) in enumerate(stops) if wide != stop] == [], stops
    wide = [sum(wide for wide, _ in stops) for stops in (on_phone, on_desktop)]
    assert wide[0] > wide[1] > 0, wide


def drawn_with(page, selector: str) -> set[str]:
    """The fonts Chromium really drew an element's own text with (DevTools
    protocol), not the font-family the stylesheet asks for."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return {font["familyName"] for font in fonts}


LATE = [(lang, md) for lang in LANGUAGES for md in ("rate-coding", "playground")]


@pytest.mark.parametrize("language,md", LATE, ids=["-".join(p) for p in LATE])
def test_nothing_moves_when_the_font_and_the_playground_arrive_late(browser, server, language, md):
    """On a phone whose network holds back the text font (and the
    playground's digits), the page is first drawn with the Korean system font
    made as wide as Pretendard ("Tutorial Sans Fallback", extra.css) and with
    the playground's room kept (playground.css); when they arrive, the text is
    redrawn in the text font and nothing on the screen moves (layout shift)."""
    context = browser.new_context(viewport={"width": 412, "height": 823}, is_mobile=True)
    page = context.new_page()
    page.add_init_script("""window.shifted = 0;
      new PerformanceObserver((list) => {
        for (const shift of list.getEntries()) window.shifted += shift.value;
      }).observe({type: 'layout-shift', buffered: true});""")
    held = []
    late = re.compile(r"\.woff2$|playground_digits\.json$")
    page.route(late, lambda route: held.append(route))
    page.goto(f"{server}{LANGUAGES[language]}{md}/", wait_until="domcontentloaded")
    page.wait_for_timeout(500)  # drawn without them
    first = drawn_with(page, "article h1")
    assert held, "nothing was held back"
    for route in held:
        route.continue_()
    page.unroute(late)
    page.evaluate("document.fonts.ready.then(() => true)")
    if md == "playground":
        page.wait_for_function("window.playground && window.playground.result")
    page.wait_for_timeout(300)  # a frame or two after
    after = drawn_with(page, "article h1")
    shifted = page.evaluate("window.shifted")
    context.close()

    if language == "ko":  # English titles have no Hangul
        assert "Noto Sans CJK KR" in first, (
            f"the Korean title was first drawn in {first}, not in Noto Sans CJK KR: "
            "is fonts-noto-cjk installed (the README's test command installs it)?"
        )
    assert "Tutorial Sans" not in first, first
    assert "Tutorial Sans" in after, after
    # Hangul is matched exactly (every syllable is as wide in both fonts);
    # Latin only on average (letters differ one by one: a word can slide
    # along its line, English rate coding 0.012), so English gets a margin.
    # Without the matched fallbacks: 0.36 (Korean), 0.24 (English latency).
    limit = 0.01 if language == "ko" else 0.03
    assert shifted < limit, f"layout shift {shifted:.3f}"


PRINTED = [(lang, md) for lang in LANGUAGES for md in ("rate-coding", "latency-coding")]


@pytest.mark.parametrize("language,chapter", PRINTED, ids=["-".join(p) for p in PRINTED])
def test_a_chapter_prints_to_pdf_without_chrome_with_its_text_figures_and_font(
    browser, server, language, chapter
):
    """Printed (or saved as PDF) from the browser: no navigation, header,
    footer or notebook buttons; collapsed blocks printed open; no figure or
    code block split across pages; code wrapped, not cut off; and the PDF
    holds the page's text, every figure and, for Korean, the text font."""
    import io

    from pypdf import PdfReader

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}{LANGUAGES[language]}{chapter}/", wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    # a code block set up (content.lazy: when it is first seen), copy button and all
    page.locator("article div.highlight:visible").first.scroll_into_view_if_needed()
    page.locator(".md-code__nav").first.wait_for(state="attached", timeout=5000)
    page.emulate_media(media="print")
    layout = page.evaluate("""({
      chrome: ['.md-header', '.md-sidebar--primary', '.md-sidebar--secondary', '.md-footer',
               '.notebook-links', '.md-content__button', '.md-code__nav']
        .map(s => [s, getComputedStyle(document.querySelector(s)).display]),
      closed: [...document.querySelectorAll('article details:not([open])')]
        .map(d => d.lastElementChild.getBoundingClientRect().height),
      unsplit: [...document.querySelectorAll('article figure, article .highlight')]
        .map(e => getComputedStyle(e).breakInside),
      cut: [...document.querySelectorAll('article pre')]
        .filter(p => p.scrollWidth > p.clientWidth + 1).length,
      title: document.querySelector('article h1').innerText,
      first: document.querySelector('article h1 ~ p:not(.notebook-links)').innerText,
      figures: document.querySelectorAll('article img').length,
    })""")
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    page.close()

    assert all(display == "none" for _, display in layout["chrome"]), layout["chrome"]
    assert layout["closed"] and all(height > 0 for height in layout["closed"])
    assert set(layout["unsplit"]) == {"avoid"}
    assert layout["cut"] == 0, "a code block is cut off at the page edge"

    def squeeze(text: str) -> str:  # the PDF's text, spaced by glyph
        return re.sub(r"\s+", "", text)

    text = squeeze("".join(p.extract_text() for p in pdf.pages))
    assert squeeze(layout["title"]) in text and squeeze(layout["first"])[:60] in text
    images = sum(
        x.get_object()["/Subtype"] == "/Image"
        for p in pdf.pages
        for x in (p["/Resources"].get("/XObject") or {}).values()
    )
    assert images == layout["figures"]
    families = {
        str(f.get_object()["/FontDescriptor"].get("/FontFamily"))
        for p in pdf.pages
        for f in (p["/Resources"].get("/Font") or {}).values()
        if "/FontDescriptor" in f.get_object()
    }
    if language == "ko":
        assert "Tutorial Sans" in families, families
