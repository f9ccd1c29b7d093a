"""Where a page includes snippet sections: the one parser of that syntax.

A page shows a section of ``snippets/<file>.py`` with a fenced code block
holding nothing but include lines (several lines show several sections as
one block)::

    ```python
    --8<-- "rate_coding.py:encode"
    ```

pymdownx.snippets does the including when Markdown is rendered. Every other
part of the build (the printed output under each block, the notebook cells,
the tests) needs to know the same includes, and reads them from here. The
include lines are recognised with pymdownx's own pattern, so whatever it
would include is seen here; what it would include but this site cannot
follow fails with the page's file and line: a block form, line ranges or a
whole file instead of a named section, an include outside a code block, or a
code block mixing includes with other lines (that line would be shown as if
it were part of the snippet, which it is not; the block's printed output and
its notebook cell would be lost).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pymdownx.snippets import SnippetPreprocessor

NOTATION = SnippetPreprocessor.RE_ALL_SNIPPETS  # "--8<-- 'file'" lines, as pymdownx reads them
SECTION_MARKER = SnippetPreprocessor.RE_SNIPPET_SECTION  # "--8<-- [start:name]" anywhere in a line
SECTION_NAME = re.compile(r"[a-z][-_0-9a-z]*", re.IGNORECASE)
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<marks>`{3,}|~{3,})(?P<info>.*)$")


class IncludeError(ValueError):
    """A page's include that the build cannot follow; the message starts with
    ``docs/<page>:<line>:``."""


@dataclass(frozen=True)
class Include:
    file: str  # "rate_coding.py"
    section: str  # "encode"
    line: int  # 1-based line of the include in the page


@dataclass(frozen=True)
class Fence:
    """A fenced code block: its opening line's number (1-based), indent,
    info string, body lines and the line number of its closing fence."""

    line: int
    indent: str
    info: str
    body: tuple[str, ...]
    end: int
    includes: tuple[Include, ...]


def fences(markdown: str, page: str = "page") -> list[Fence]:
    """Every fenced code block of a page, with the sections it includes
    (none for an ordinary block). Raises :class:`IncludeError`."""
    lines = markdown.split("\n")
    found: list[Fence] = []
    number = 0
    while number < len(lines):
        opening = FENCE.match(lines[number])
        if not opening:
            _refuse_outside(lines[number], page, number + 1)
            number += 1
            continue
        indent, marks = opening["indent"], opening["marks"]
        closing = re.compile(rf"^{re.escape(indent)}{marks[0]}{{{len(marks)},}}[ \t]*$")
        end = number + 1
        while end < len(lines) and not closing.match(lines[end]):
            end += 1
        body = tuple(lines[number + 1 : end])
        includes = _includes(body, page, number + 2)
        found.append(Fence(number + 1, indent, opening["info"].strip(), body, end + 1, includes))
        number = end + 1
    return found


def includes(markdown: str, page: str = "page") -> list[Include]:
    """The sections a page includes, in page order."""
    return [include for fence in fences(markdown, page) for include in fence.includes]


def _includes(body: tuple[str, ...], page: str, first: int) -> tuple[Include, ...]:
    found, others = [], []
    for number, line in enumerate(body, first):
        match = NOTATION.match(line)
        if match is None or match["escape"]:
            if line.strip():
                others.append((number, line))
            continue
        if not match["inline_marker"]:
            raise IncludeError(
                f"{page}:{number}: the block form of --8<-- is not supported; "
                'write one line per section: --8<-- "file.py:section"'
            )
        target = match["snippet"][1:-1].strip()
        file, _, section = target.rpartition(":")
        if not file or not SECTION_NAME.fullmatch(section):
            raise IncludeError(
                f'{page}:{number}: --8<-- "{target}" includes no named section; '
                'include one, e.g. --8<-- "rate_coding.py:encode"'
            )
        found.append(Include(file, section, number))
    if found and others:
        number, line = others[0]
        raise IncludeError(
            f"{page}:{number}: a code block that includes snippet sections may "
            f"hold nothing else, but has {line.strip()!r}; move that line into "
            "the snippet file (a comment too) or out of the block"
        )
    return tuple(found)


def _refuse_outside(line: str, page: str, number: int) -> None:
    match = NOTATION.match(line)
    if match and not match["escape"]:
        raise IncludeError(
            f"{page}:{number}: --8<-- outside a code block would paste code "
            "into the prose; put it in a ```python block"
        )


def escape_notation(text: str) -> str:
    """Text to show as printed inside a page (a section's output): any line
    pymdownx would read as an include or a section marker gets its escape,
    a ``;`` that pymdownx removes again, so the line is shown, not obeyed."""

    def escape(line: str) -> str:
        match = NOTATION.match(line)
        if match:
            return f"{match['space']};{line[len(match['space']) :]}"
        marker = SECTION_MARKER.match(line) if "8<-" in line else None
        if marker:
            return f"{marker['pre']};{line[len(marker['pre']) :]}"
        return line

    return "\n".join(escape(line) for line in text.split("\n"))
