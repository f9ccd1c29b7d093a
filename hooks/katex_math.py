"""MkDocs hook: math typeset at build time.

pymdownx.arithmatex (``generic: true``) leaves each formula in the page as
``<span class="arithmatex">\\(...\\)</span>`` (inline) or
``<div class="arithmatex">\\[...\\]</div>`` (display). This hook gives each
one to the vendored KaTeX (``hooks/katex/katex.min.js``) running in V8
(mini-racer) and puts KaTeX's HTML, with MathML for screen readers, in its
place. The pages load KaTeX's stylesheet and fonts, and no script: on a slow
phone the math no longer waits for 270 KB of JavaScript and a second layout.
A formula KaTeX cannot read fails the build, naming the page and formula.

Search sees each formula once, as drawn: the MathML copy (symbols and TeX)
is marked ``data-search-exclude``, which Material's search skips; without
that the index read "I_{in}" as "IinI_{in}Iin". (The drawing cannot be the
part skipped: Material matches the end of a skipped element by its tag name,
so a skipped ``<span>`` ends at the first ``</span>`` inside it, and the
MathML holds no ``<span>``.)

Typesetting every formula takes about half a second, so what a build typeset
is kept in ``.cache/katex/`` for the next, under a digest of KaTeX and this
file, with the digest of its contents beside it; a file that does not match
is not used.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from tutorial.cache_files import read_checked, remove_checked, remove_partials, write_checked
from tutorial.languages import build_starts, every_language_built
from tutorial.runner import CACHE_DIR
from tutorial.state import STATE

KATEX = Path(__file__).with_name("katex") / "katex.min.js"
KATEX_CACHE = CACHE_DIR / "katex"
FORMULA = re.compile(r'<(span|div) class="arithmatex">\s*\\([(\[])(.*?)\\[)\]]\s*</\1>', re.DOTALL)
# KaTeX's output: MathML (for screen readers), then the drawing.
MATHML = '<span class="katex-mathml">'


def _katex():
    if STATE.katex is None:
        from py_mini_racer import MiniRacer

        STATE.katex = MiniRacer()
        STATE.katex.eval(KATEX.read_text(encoding="utf-8"))
    return STATE.katex


def cache_path() -> Path:
    """Where this KaTeX, called as this file calls it, keeps what it typeset."""
    key = hashlib.sha256(KATEX.read_bytes() + Path(__file__).read_bytes())
    return KATEX_CACHE / f"{key.hexdigest()[:24]}.json"


def saved_formulas(path: Path) -> dict[str, str]:
    """What an earlier build saved in ``path``, if it is whole and unchanged
    (it matches the digest written beside it); otherwise nothing."""
    saved = read_checked(path)
    return json.loads(saved) if saved is not None else {}


def typeset(tex: str, display: bool) -> str:
    """KaTeX's HTML for ``tex`` (ValueError with KaTeX's message if it cannot)."""
    if STATE.formulas is None:  # the first formula this process typesets
        STATE.formulas_saved = saved_formulas(cache_path())
        STATE.formulas = dict(STATE.formulas_saved)
    key = f"{'display' if display else 'inline'}:{tex}"
    STATE.formulas_shown.add(key)
    if key not in STATE.formulas:
        from py_mini_racer import JSEvalException

        try:
            rendered = _katex().call(
                "katex.renderToString", tex, {"displayMode": display, "throwOnError": True}
            )
        except JSEvalException as error:
            message = str(error).splitlines()[0].removeprefix("<anonymous>:1: ")
            raise ValueError(message) from None
        STATE.formulas[key] = rendered.replace(MATHML, MATHML[:-1] + " data-search-exclude>", 1)
    return STATE.formulas[key]


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


def on_pre_build(config):
    if build_starts(config):
        STATE.formulas_shown.clear()


@event_priority(-200)  # after mkdocs-static-i18n (-100) has built the other languages
def on_post_build(config):
    """Keep the formulas this build showed, in every language, for the next."""
    if not every_language_built(config) or STATE.formulas is None:
        return
    shown = {key: STATE.formulas[key] for key in sorted(STATE.formulas_shown)}
    if shown == STATE.formulas_saved:
        return
    path = cache_path()
    write_checked(path, json.dumps(shown).encode())
    STATE.formulas_saved = shown
    for old in KATEX_CACHE.glob("*.json"):  # another KaTeX's, or another version of this file's
        if old != path:
            remove_checked(old)
    remove_partials(KATEX_CACHE)
