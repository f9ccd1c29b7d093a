"""MkDocs hook: the text font, cut to the characters each language's pages use.

The pages are set in Pretendard (``data/fonts/``, 2 MB, every Hangul
syllable). At the end of a build this hook writes, for each language, the
font with only the characters that language's pages show (their text, the
titles and labels that tooltips and screen readers read, Material's own
words) to ``assets/fonts/tutorial-sans-<language>.woff2``, which
``extra.css`` names as the text font of ``html[lang=<language>]``. The
Korean pages take one file of about 110 KB, the English ones about 40 KB,
and every later page comes from the browser's cache. Pretendard's own
split into 92 ``unicode-range`` subsets cost a Korean page 12-20 requests
and 300-500 KB, all fetched at top priority before the first paint, which
Lighthouse counted as render-blocking on a slow phone (issue 14).

A character a reader types into the search box that no page holds (a
syllable in the middle of being composed, say) is drawn in the fallback
font; everything the site itself shows is in the file.

The licence: Pretendard is under the SIL Open Font License with the
Reserved Font Name "Pretendard", and a subset is a modified version, which
may not carry that name. So the files are renamed "Tutorial Sans" (the
copyright notice and licence are kept, ``assets/fonts/LICENSE.txt``).

Cutting takes a few seconds of CPU, so each language's font is cut in a
process of its own as soon as that language's pages are written, while
mkdocs-static-i18n builds the next language on the other core; the end of
the build waits for the cuts and copies them into the site. The result is
kept in ``.cache/fonts/`` under a digest of the source font, this file,
fontTools' version and the characters, with the digest of the file it
wrote; a file that does not match is made again, and a cut that the
process of its own did not leave in the cache is made in the build itself
(so a failure is reported there, with its traceback).

The source is WOFF2 without WOFF2's glyph transform (``data/fonts/README.md``
says how it was made from Pretendard's release): fontTools reads a
transformed ``glyf`` table by rebuilding all 14,757 glyphs first (about 4 s
for every read), an untransformed one glyph by glyph as the cut asks.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from mkdocs.plugins import CombinedEvent, event_priority

from tutorial.cache_files import read_checked, remove_checked, remove_partials, write_checked
from tutorial.languages import (
    MATERIAL_CONFIG,
    build_language,
    build_starts,
    every_language_built,
)
from tutorial.runner import CACHE_DIR, ROOT
from tutorial.state import STATE

log = logging.getLogger("mkdocs.hooks.text_font")
SOURCE = ROOT / "data" / "fonts" / "PretendardVariable.woff2"
FONTS_CACHE = CACHE_DIR / "fonts"
FAMILY = "Tutorial Sans"
# The weight axis kept in the cut (Pretendard's runs from 45 to 930):
# regular text, and bold; extra.css declares the same range.
WEIGHTS = (400, 700)
# Name records that name the font (family, full and PostScript names and the
# named instances); the copyright, trademark, designer and licence stay.
KEPT_NAMES = {0, 7, 8, 9, 10, 11, 12, 13, 14}
# Seconds the end of the build waits for a cut running in a process of its
# own (it takes a few) before it stops it and cuts the font itself.
CUT_TIME_LIMIT = 120
# Always in the file: what a reader types into the search box in Latin.
ASCII = {chr(code) for code in range(0x20, 0x7F)}


def font_path(site_dir: Path, language: str) -> Path:
    return Path(site_dir) / "assets" / "fonts" / f"tutorial-sans-{language}.woff2"


def shown_characters(page_html: str) -> set[str]:
    """What a page can show in its text font: every character of its HTML
    (text, and the attributes a tooltip or screen reader shows; tags and
    inline scripts add only ASCII) and Material's words for search and copy,
    which its configuration holds as JSON escapes."""
    config = MATERIAL_CONFIG.search(page_html)
    words = json.loads(config[2]).get("translations", {}) if config else {}
    return set(html.unescape(page_html)) | set("".join(words.values()))


def on_pre_build(config):
    if build_starts(config):
        STATE.text_characters.clear()
        _stop_cuts()  # (a build that failed half way may have left one)


def on_post_page(output, page, config):
    STATE.text_characters.setdefault(build_language(config), set()).update(shown_characters(output))
    return output


@event_priority(-50)  # before mkdocs-static-i18n (-100) builds the next language
def _start_cut(config):
    """This language's pages are written: cut its font in a process of its
    own (unless the cache has it) while the next language is built."""
    language = build_language(config)
    characters = STATE.text_characters.get(language, set()) | ASCII
    if read_checked(_cache_path(characters)) is None:
        cut = subprocess.Popen(
            [sys.executable, __file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # (a cut that fails is made, and reported, in the build)
        )
        try:
            cut.stdin.write(json.dumps(sorted(map(ord, characters))).encode())
            cut.stdin.close()
        except BrokenPipeError:  # it ended at once: the build cuts the font itself
            cut.wait()
            return
        STATE.font_cuts[language] = cut


@event_priority(-200)  # after mkdocs-static-i18n (-100) has built the other languages
def _write_fonts(config):
    if not every_language_built(config):
        return
    root = Path(config.site_dir)
    for language, characters in STATE.text_characters.items():
        cut = STATE.font_cuts.pop(language, None)
        try:
            if cut is not None:
                cut.wait(timeout=CUT_TIME_LIMIT)
        except subprocess.TimeoutExpired:
            cut.kill()
            cut.wait()
            log.warning(
                f"Text font: cutting the {language} font in a process of its own took over "
                f"{CUT_TIME_LIMIT} s; cutting it here"
            )
        target = font_path(root, language)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cut_font(characters | ASCII), target)


on_post_build = CombinedEvent(_start_cut, _write_fonts)


def _stop_cuts() -> None:
    for cut in STATE.font_cuts.values():
        cut.kill()
        cut.wait()
    STATE.font_cuts.clear()


def on_shutdown():
    _stop_cuts()


def _cache_path(characters: set[str]) -> Path:
    import fontTools

    key = hashlib.sha256()
    key.update(hashlib.sha256(SOURCE.read_bytes()).digest())
    key.update(Path(__file__).read_bytes())  # how it is cut
    key.update(fontTools.version.encode())
    key.update("".join(sorted(characters)).encode())
    return FONTS_CACHE / f"{key.hexdigest()[:24]}.woff2"


def cut_font(characters: set[str]) -> Path:
    """Pretendard with only ``characters``, renamed, as WOFF2: from the
    cache when a file made from the same font, fontTools and characters is
    there and still what was written."""
    cached = _cache_path(characters)
    if read_checked(cached) is not None:
        os.utime(cached)  # recently used: kept by the pruning below
        return cached
    write_checked(cached, _subset(characters))
    # keep the last few cuts (both languages, a text edit back and forth),
    # and no half-written file a killed build left
    for old in sorted(FONTS_CACHE.glob("*.woff2"), key=lambda p: p.stat().st_mtime)[:-6]:
        remove_checked(old)
    remove_partials(FONTS_CACHE)
    return cached


def _subset(characters: set[str]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.varLib.instancer import instantiateVariableFont

    font = TTFont(SOURCE, recalcTimestamp=False)  # the same bytes from every build
    options = subset.Options()
    options.name_IDs = ["*"]  # keep the copyright and licence records
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(c) for c in characters})
    subsetter.subset(font)
    # only the weights the pages use, regular to bold (extra.css sets the
    # headings in 400, not Material's 300): the Korean file is 108 KB
    # instead of 150 KB, the English one 38 KB instead of 52 KB
    font = instantiateVariableFont(font, {"wght": WEIGHTS})
    for record in font["name"].names:
        if record.nameID not in KEPT_NAMES:
            name = record.toUnicode()
            name = name.replace("PretendardVariable", FAMILY.replace(" ", ""))
            record.string = name.replace("Pretendard Variable", FAMILY).replace(
                "Pretendard", FAMILY
            )
    font.flavor = "woff2"  # (the Subsetter leaves the format to the caller)
    # not the source's WOFF2 settings (no glyph transform, which makes a
    # file about 4 % larger): WOFF2's defaults
    font.flavorData = None
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


if __name__ == "__main__":
    # A cut of its own (see _start_cut): the characters' code points as JSON
    # on stdin, the font into the cache; it ends with the build that started it.
    from tutorial.runner import _die_with_parent

    _die_with_parent()
    cut_font(set(map(chr, json.load(sys.stdin))))
