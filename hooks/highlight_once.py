"""MkDocs hook: the same code is coloured by Pygments once per MkDocs process.

Every chapter's code and outputs appear four times (its page and its
notebook view, in both languages), and `mkdocs serve` renders every page
again on each rebuild. Pygments was the largest part of rendering them (a
seventh of a warm build: 1,242 code blocks, most of them seen before).
pymdownx.highlight keeps no cache, so the one Pygments call it makes,
``highlight(code, lexer, formatter)``, is answered here from
``STATE.highlighted`` when the same code was coloured before with the same
lexer and formatter. Pygments' output depends on nothing else: the key holds
each one's class and every option it was given (line numbers, highlighted
lines, the title, the ids of line anchors), so a block that differs in any of
them is coloured anew.
"""

from __future__ import annotations

import pygments
import pymdownx.highlight

from tutorial.state import STATE

MAX_KEPT = 20_000  # code blocks; `mkdocs serve` sessions with many edits start afresh


def _described(obj) -> str:
    """A lexer's or formatter's class and every option it was given."""
    return f"{type(obj).__module__}.{type(obj).__qualname__}{sorted(obj.options.items())!r}"


def _key(code: str, lexer, formatter) -> tuple:
    return code, _described(lexer), repr(lexer.filters), _described(formatter)


def highlight_once(code: str, lexer, formatter, outfile=None):
    if outfile is not None:  # pymdownx never passes one; keep Pygments' own behaviour
        return pygments.highlight(code, lexer, formatter, outfile)
    key = _key(code, lexer, formatter)
    html = STATE.highlighted.get(key)
    if html is None:
        if len(STATE.highlighted) >= MAX_KEPT:
            STATE.highlighted.clear()
        html = STATE.highlighted[key] = pygments.highlight(code, lexer, formatter)
    return html


def on_config(config):
    # pymdownx.highlight calls the name it imported from pygments
    pymdownx.highlight.highlight = highlight_once
