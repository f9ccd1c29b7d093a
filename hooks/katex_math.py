"""MkDocs hook: math typeset at build time.

pymdownx.arithmatex (``generic: true``) leaves each formula in the page as
``<span class="arithmatex">\\(...\\)</span>`` (inline) or
``<div class="arithmatex">\\[...\\]</div>`` (display). This hook gives each
one to the vendored KaTeX (``hooks/katex/katex.min.js``) running in V8
(mini-racer) and puts KaTeX's HTML, with MathML for screen readers, in its
place. The pages load KaTeX's stylesheet and fonts, and no script: on a slow
phone the math no longer waits for 270 KB of JavaScript and a second layout.
A formula KaTeX cannot read fails the build, naming the page and formula.
"""

from __future__ import annotations

import functools
import html
import re
from pathlib import Path

from mkdocs.exceptions import PluginError

KATEX = Path(__file__).with_name("katex") / "katex.min.js"
FORMULA = re.compile(r'<(span|div) class="arithmatex">\s*\\([(\[])(.*?)\\[)\]]\s*</\1>', re.DOTALL)


@functools.cache
def _katex():
    from py_mini_racer import MiniRacer

    context = MiniRacer()
    context.eval(KATEX.read_text(encoding="utf-8"))
    return context


@functools.cache  # the same formulas in both languages and the views
def typeset(tex: str, display: bool) -> str:
    """KaTeX's HTML for ``tex`` (ValueError with KaTeX's message if it cannot)."""
    from py_mini_racer import JSEvalException

    try:
        return _katex().call(
            "katex.renderToString", tex, {"displayMode": display, "throwOnError": True}
        )
    except JSEvalException as error:
        message = str(error).splitlines()[0].removeprefix("<anonymous>:1: ")
        raise ValueError(message) from None


def on_page_content(content, page, config, files):
    def replace(match: re.Match) -> str:
        tag, opening, tex = match[1], match[2], html.unescape(match[3]).strip()
        display = opening == "["
        try:
            rendered = typeset(tex, display)
        except ValueError as error:
            raise PluginError(
                f"docs/{page.file.src_uri}: KaTeX cannot typeset {tex!r}: {error}"
            ) from None
        return f'<{tag} class="arithmatex">{rendered}</{tag}>'

    return FORMULA.sub(replace, content)
