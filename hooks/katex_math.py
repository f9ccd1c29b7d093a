"""MkDocs hook: math typeset at build time.

pymdownx.arithmatex (``generic: true``) leaves each formula in the page as
``<span class="arithmatex">\\(...\\)</span>`` (inline) or
``<div class="arithmatex">\\[...\\]</div>`` (display). This hook gives each
one to the vendored KaTeX (``hooks/katex/katex.min.js``) running in V8
(mini-racer) and puts KaTeX's HTML, with MathML for screen readers, in its
place. The pages with a formula load KaTeX's stylesheet (``page.math``
tells overrides/main.html to link it) and fonts, and no script: on a slow
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

KaTeX's fonts are cut, at the end of the build, to the characters the
formulas draw (about ninety: Latin, digits, a few Greek letters and
operators) and the letters FreeType hints by (``HINTING``). The two fonts
nearly every formula needs, KaTeX_Main-Regular and KaTeX_Math-Italic, which
a phone fetches at top priority while it draws the first screen, come to
27 KB instead of 43 KB (all twenty files: 180 KB instead of 260 KB), and
every formula of every page is drawn pixel for pixel as before (compared
in Chromium, formula by formula). A later build whose formulas draw a new
character cuts them anew; cuts are kept in ``.cache/katex/fonts-*/`` like
the formulas. Only the WOFF2 files are cut, which every browser that can
show the site uses; the WOFF and TTF that katex.min.css names after them
stay whole.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import shutil
import string
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from tutorial.cache_files import read_checked, remove_checked, remove_partials, write_checked
from tutorial.languages import build_starts, every_language_built
from tutorial.markup import text
from tutorial.runner import CACHE_DIR
from tutorial.state import STATE

KATEX = Path(__file__).with_name("katex") / "katex.min.js"
KATEX_CACHE = CACHE_DIR / "katex"
# KaTeX's fonts, as vendored (docs/assets/katex/fonts/), and where the build
# puts their cuts: the same names, in the built site
MATH_FONTS = "assets/katex/fonts"
# The drawing of a formula, after its MathML (whose TeX source is not drawn)
DRAWING = '<span class="katex-html"'
# Kept in every cut: the letters FreeType's auto-hinter (Linux, Android)
# measures a font's Latin and Greek by (afblue.dat); without them it hints
# the glyphs kept a pixel differently
HINTING = set(string.ascii_letters + string.digits + "ΓΒΕΖΘΟΩΔΞβθδζλξαειοπστωγημρφχψ")
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

    content, formulas = FORMULA.subn(replace, content)
    page.math = formulas > 0  # (overrides/main.html links KaTeX's stylesheet)
    return content


def on_pre_build(config):
    if build_starts(config):
        STATE.formulas_shown.clear()


@event_priority(-200)  # after mkdocs-static-i18n (-100) has built the other languages
def on_post_build(config):
    """Keep the formulas this build showed, in every language, for the next;
    cut KaTeX's fonts to what they draw."""
    if not every_language_built(config) or STATE.formulas is None:
        return
    shown = {key: STATE.formulas[key] for key in sorted(STATE.formulas_shown)}
    cut_math_fonts(
        Path(config.docs_dir) / MATH_FONTS,
        Path(config.site_dir) / MATH_FONTS,
        drawn_characters(shown.values()),
    )
    if shown == STATE.formulas_saved:
        return
    path = cache_path()
    write_checked(path, json.dumps(shown).encode())
    STATE.formulas_saved = shown
    for old in KATEX_CACHE.glob("*.json"):  # another KaTeX's, or another version of this file's
        if old != path:
            remove_checked(old)
    remove_partials(KATEX_CACHE)


def drawn_characters(formulas) -> set[str]:
    """Every character these formulas (KaTeX's HTML) draw, and those of an
    equation number, which katex.min.css draws as "(" counter ")"."""
    drawings = "".join(formula.split(DRAWING, 1)[1] for formula in formulas)
    return set(text(drawings)) | set("()0123456789") | HINTING


def cut_math_fonts(source: Path, target: Path, characters: set[str]) -> None:
    """Each of KaTeX's WOFF2 fonts in ``source``, cut to ``characters``,
    written to ``target`` under its own name: from ``.cache/katex/fonts-*/``
    when a cut of the same fonts, fontTools and characters is there and
    still what was written."""
    import fontTools

    fonts = sorted(source.glob("*.woff2"))
    key = hashlib.sha256(Path(__file__).read_bytes() + fontTools.version.encode())
    key.update("".join(sorted(characters)).encode())
    for font in fonts:
        key.update(font.name.encode() + hashlib.sha256(font.read_bytes()).digest())
    cache = KATEX_CACHE / f"fonts-{key.hexdigest()[:24]}"
    for font in fonts:
        cut = read_checked(cache / font.name)
        if cut is None:
            cut = _cut(font, characters)
            write_checked(cache / font.name, cut)
        (target / font.name).write_bytes(cut)
    for old in KATEX_CACHE.glob("fonts-*"):  # the cuts for other characters
        if old != cache:
            shutil.rmtree(old, ignore_errors=True)
    remove_partials(cache)


def _cut(font_file: Path, characters: set[str]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(font_file, recalcTimestamp=False)  # the same bytes from every build
    options = subset.Options()
    options.name_IDs = ["*"]  # the copyright and licence records stay
    options.layout_features = ["*"]  # and KaTeX's kerning
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(c) for c in characters})
    subsetter.subset(font)
    font.flavor = "woff2"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
