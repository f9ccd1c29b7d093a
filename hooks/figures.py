"""MkDocs hook: how each figure sits in a page.

* Its size: every ``<img>`` of a file of the site gets the ``width`` and
  ``height`` of that file, so the browser keeps its room before it arrives
  and nothing below it jumps (Lighthouse: layout shift).
* Lazy loading: every image is ``loading="lazy"`` (fetched when the reader
  scrolls near it) and ``decoding="async"``, except one in the first screen
  of a phone: fewer than ``FIRST_SCREEN`` characters of text come before it
  (the home page's picture, after 340-520; a chapter's first figure comes
  after 1,500 or more, two screens down or further). A chapter's first
  figure used to be fetched with the page, beside its stylesheets and fonts
  on a slow network, and Lighthouse's simulated phone counted it as holding
  up the largest paint (Korean delta modulation: LCP 2.6 s; lazy, 2.1 s, the
  same as its first paint).
* Zoom: each figure a snippet drew (from ``figures/``) is wrapped in a link
  to its own file. Without JavaScript the link opens the image, which a
  phone can pinch-zoom; with it, ``docs/assets/javascripts/figure-zoom.js``
  shows it in a modal ``<dialog>`` instead. A figure that is already a link
  (the home page's playground picture) is left as it is.

Why not mkdocs-glightbox, Material's suggestion for zoom: it puts a 56 KB
script, parser-blocking, into the head of every page (issue 14 budgets a
slow phone) and re-serialises every page's HTML through selectolax. The
native dialog gives the focus trap, Escape and focus return for free.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re

from PIL import Image

from tutorial.markup import text

# an <img>, and the <a ...> right before it if there is one
IMG = re.compile(r"(<a\b[^>]*>\s*)?<img\b([^>]*?)\s*/?>")
SRC = re.compile(r'\bsrc="([^"]+)"')
# Characters of text (not counting spaces) a phone's first screen holds,
# 412 px wide: roughly 500 Korean ones or 1,000 English. An image with fewer
# before it is fetched with the page (the browser tests check where each
# image really is).
FIRST_SCREEN = 700


@functools.lru_cache(maxsize=1024)
def _size(path: str, mtime: float) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def in_first_screen(html: str, position: int) -> bool:
    """Whether what starts at ``position`` of a page's HTML is on a phone's
    first screen: fewer than ``FIRST_SCREEN`` characters of text before it."""
    return len("".join(text(html[:position]).split())) < FIRST_SCREEN


def on_page_content(html, page, config, files):
    first_screen = True  # (once an image is below it, every later one is)

    def rewrite(match: re.Match) -> str:
        nonlocal first_screen
        link, attrs = match[1] or "", match[2]
        src = SRC.search(attrs)[1]
        uri = posixpath.normpath(posixpath.join(posixpath.dirname(page.url + "x"), src))
        file = files.get_file_from_path(uri)
        if file and file.abs_src_path and "width=" not in attrs:
            width, height = _size(file.abs_src_path, os.path.getmtime(file.abs_src_path))
            attrs += f' width="{width}" height="{height}"'
        first_screen = first_screen and in_first_screen(html, match.start())
        if not first_screen:
            attrs += ' loading="lazy" decoding="async"'
        img = f"<img{attrs} />"
        if link or "figures/" not in src:
            return link + img
        return f'<a class="figure-zoom" href="{src}">{img}</a>'

    return IMG.sub(rewrite, html)
