"""MkDocs hook: less style work for the browser while a page starts (issue 14).

A Chromium trace of a chapter on a throttled phone (invalidation tracking)
showed the style of every element recomputed five times after the page was
parsed, each 150-400 ms at Lighthouse's 4x CPU, and each costing in
proportion to the number of elements. Two of those restyles came from here,
and a quarter of the elements changed nothing:

* **Material's table wrapping.** Material's JavaScript moves every
  ``table:not([class])`` into ``div.md-typeset__scrollwrap`` (so a wide table
  scrolls). Its stylesheet has a ``table:not([class]) + *`` rule, and moving a
  table under such a rule makes Chromium restyle everything inside the
  table's parent: the whole article. So each table is written inside a plain
  ``<div class="table-host">`` here; Material still wraps it (inside that
  div), and only the div's own subtree is restyled.
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

The other restyles (the first one, and two after Material writes its
``<meta name="color-scheme">``, which Chromium treats as a change of system
colours) are left: a meta of our own before it did not stop them.
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


def on_page_content(html, page, config, files):
    html = PLAIN_TOKEN.sub(r"\1", html)
    return PLAIN_TABLE.sub(lambda m: f'<div class="table-host">{m.group(0)}</div>', html)


@event_priority(-200)  # once, after mkdocs-static-i18n (-100) has built the other languages
def on_post_build(config):
    if not every_language_built(config):
        return
    [built] = Path(config.site_dir, "assets", "stylesheets").glob("palette.*.min.css")
    # Material's own file, not the copy: under `mkdocs serve --dirty` the copy
    # may be the one this hook already wrote.
    theirs = next(
        path
        for folder in config.theme.dirs
        if (path := Path(folder, "assets", "stylesheets", built.name)).is_file()
    )
    css = theirs.read_text(encoding="utf-8")
    if SWITCHING_RULE not in css:
        raise RuntimeError(
            f"{theirs}: Material's [data-md-color-switching] rule has changed; "
            "update SWITCHING_RULE in hooks/fewer_restyles.py (or drop it if it is gone)"
        )
    built.write_text(css.replace(SWITCHING_RULE, " " * len(SWITCHING_RULE)), encoding="utf-8")
