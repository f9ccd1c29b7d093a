"""MkDocs hook: less style work for the browser while a page starts (issue 14).

A Chromium trace of a chapter on a throttled phone (invalidation tracking)
showed the style of every element recomputed five times after the page was
parsed, each 150-400 ms at Lighthouse's 4x CPU, and each costing in
proportion to the number of elements. Most of those restyles came from here,
and a quarter of the elements changed nothing:

* **Material's table wrapping.** Material's JavaScript moves every
  ``table:not([class])`` into ``div.md-typeset__scrollwrap >
  div.md-typeset__table`` (so a wide table scrolls) as the page starts.
  Moving a table restyles it and, under Material's ``table:not([class]) + *``
  rule, everything inside its parent: the whole article. (Each table in a
  div of its own kept that to the table, but the English glossary's five
  tables still took a 90 ms restyle.) So each table is written inside that
  same wrapper here, at build time, and the call that moves tables is
  blanked out of the built bundle: the page has the elements Material would
  have made, and nothing moves.
* **Material's palette switch.** When it starts, and whenever the reader
  switches light/dark, Material sets and then removes
  ``data-md-color-switching`` on ``<body>``; its palette stylesheet's
  ``[data-md-color-switching] *`` rule (no transitions while the colours
  change) makes both changes restyle every element. The rule is blanked out
  of the built stylesheet (with spaces, so its source map still lines up);
  switching palettes then lets the few colour transitions (links, 125 ms)
  run.
* **Pygments' spans that change nothing.** Pygments wraps every name in the
  code in ``<span class="n">`` and runs of spaces in ``<span class="w">``.
  Material colours ``.n`` with ``--md-code-hl-name-color``, which is the
  code's own colour (``--md-code-fg-color``) in both palettes, and gives
  ``.w`` no style at all, so those spans are unwrapped to their text: 14 %
  of all the elements of the site (30,000 of 214,000), the text and its
  colours unchanged.
* **Material's ``<meta name="color-scheme">``.** When it starts, Material's
  palette component adds that meta to the page and writes into it the
  colour scheme of its header ("light" or "dark"). Chromium restyles every
  element whenever such a meta is added or changed, whatever its value
  (``StyleEngine::SetPageColorSchemes``), and Material then reads the
  header's style at once, so on the encoding lab (14,000 elements) that was
  a forced restyle of 85 ms in the middle of its start-up (340 ms on
  Lighthouse's phone), the largest part of its blocking time. The bundle is
  Material's with the one call that adds the meta blanked out, so the meta
  it writes into stays outside the page; ``extra.css`` gives the page the
  same colour scheme instead (``:root:has(> body[data-md-color-scheme=slate])``),
  so the page's own scrollbar still turns dark with the palette.

The first restyle, after the page is parsed, is left: it is the one that
draws the page.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.plugins import event_priority

from tutorial.languages import every_language_built

# A table Material wraps (no class), with everything up to its end tag.
PLAIN_TABLE = re.compile(r"<table(?![^>]*\bclass=)[^>]*>.*?</table>", re.S)
# A Pygments name or space, which Material draws as the text around it.
PLAIN_TOKEN = re.compile(r'<span class="[nw]">([^<]*)</span>')
SWITCHING_RULE = (
    "[data-md-color-switching] *,[data-md-color-switching] :after,"
    "[data-md-color-switching] :before{transition-duration:0s!important}"
)
# Material's wrapper around a table (``Un`` in its bundle), and its call that
# puts every table in one as the page starts.
SCROLLWRAP, TABLE = "md-typeset__scrollwrap", "md-typeset__table"
WRAPPER = (
    f'function Un(e){{return x("div",{{class:"{SCROLLWRAP}"}},x("div",{{class:"{TABLE}"}},e))}}'
)
WRAP_TABLES = '...M("table:not([class])",e).map(i=>ti(i)),'
COLOR_SCHEME_META = 'let o=x("meta",{name:"color-scheme"});document.head.appendChild(o);'
ADDED = "document.head.appendChild(o);"


def on_page_content(html, page, config, files):
    html = PLAIN_TOKEN.sub(r"\1", html)
    return PLAIN_TABLE.sub(
        lambda m: f'<div class="{SCROLLWRAP}"><div class="{TABLE}">{m.group(0)}</div></div>', html
    )


def _blank(config, asset: str, *parts: tuple[str, str]) -> None:
    """Write Material's ``assets/<asset>`` (a glob) into the site with each
    part ``(text, blanked)`` changed: ``blanked``, a piece of ``text``, turned
    into spaces, so that its source map still lines up. ``blanked`` may be
    empty: the text is then only checked to be there, once. Material's own
    file is read, not the site's copy: under ``mkdocs serve --dirty`` the copy
    may be the one this hook already wrote."""
    [built] = Path(config.site_dir, "assets").glob(asset)
    theirs = next(
        path
        for theme_dir in config.theme.dirs
        if (path := Path(theme_dir, "assets", built.parent.name, built.name)).is_file()
    )
    source = theirs.read_text(encoding="utf-8")
    for text, blanked in parts:
        if source.count(text) != 1:
            raise RuntimeError(
                f"{theirs}: Material's code has changed, {text!r} is not in it once; "
                "update hooks/fewer_restyles.py (or drop that part if it is gone)"
            )
        source = source.replace(text, text.replace(blanked, " " * len(blanked)))
    built.write_text(source, encoding="utf-8")


@event_priority(-200)  # once, after mkdocs-static-i18n (-100) has built the other languages
def on_post_build(config):
    if not every_language_built(config):
        return
    _blank(config, "stylesheets/palette.*.min.css", (SWITCHING_RULE, SWITCHING_RULE))
    _blank(
        config,
        "javascripts/bundle.*.min.js",
        (WRAPPER, ""),  # the tables are written in the wrapper this makes
        (WRAP_TABLES, WRAP_TABLES),
        (COLOR_SCHEME_META, ADDED),
    )
