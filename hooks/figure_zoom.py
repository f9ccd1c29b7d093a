"""MkDocs hook: every figure opens full size (docs/assets/javascripts/figure-zoom.js).

Each figure a snippet drew (an ``<img>`` from ``figures/``) is wrapped in a
link to its own file. Without JavaScript the link opens the image, which a
phone can pinch-zoom; with it, figure-zoom.js shows the image in a modal
``<dialog>`` over the page instead. A figure that is already a link (the
home page's playground picture) is left as it is.

Why not mkdocs-glightbox, Material's suggestion: it puts a 56 KB script,
parser-blocking, into the head of every page (issue 14 budgets a slow
phone), and re-serialises every page's HTML through selectolax. The native
dialog gives the focus trap, Escape and focus return for free.
"""

from __future__ import annotations

import re

# an <img> from figures/, and the <a ...> right before it if there is one
FIGURE = re.compile(r'(<a\b[^>]*>\s*)?(<img\b[^>]*\bsrc="([^"]*\bfigures/[^"]+)"[^>]*>)')


def on_page_content(html, page, config, files):
    def wrap(match: re.Match) -> str:
        if match[1]:
            return match[0]
        return f'<a class="figure-zoom" href="{match[3]}">{match[2]}</a>'

    return FIGURE.sub(wrap, html)
