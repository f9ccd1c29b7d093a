"""The text of HTML: what a reader sees of a fragment, for the hooks that
measure or quote it (a page's title, the characters its formulas draw, how
much text comes before a figure)."""

from __future__ import annotations

import html
import re

TAG = re.compile(r"<[^>]+>")


def text(fragment: str) -> str:
    """``fragment`` without its tags, its character references read."""
    return html.unescape(TAG.sub("", fragment))
