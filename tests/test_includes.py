"""The one parser of the include syntax (hooks/includes.py): what it accepts
is what pymdownx.snippets includes, what it refuses names the page and line."""

from __future__ import annotations

import html

import markdown
import pytest

from tutorial.includes import Include, IncludeError, escape_notation, fences, includes
from tutorial.runner import SNIPPETS_DIR


def render(text: str) -> str:
    """Markdown as the site renders it: pymdownx.snippets from snippets/."""
    return markdown.markdown(
        text,
        extensions=["pymdownx.superfences", "pymdownx.snippets"],
        extension_configs={
            "pymdownx.snippets": {"base_path": [str(SNIPPETS_DIR)], "check_paths": True}
        },
    )


def test_a_block_of_includes_in_page_order_with_lines():
    page = (
        '# Title\n\n```python\n--8<-- "rate_coding.py:encode"\n'
        "--8<-- 'rate_coding.py:raster'\n```\n\n"
        '??? success "Solution"\n\n    ```python\n    --8<-- "mnist.py:load"\n    ```\n'
    )
    assert includes(page) == [
        Include("rate_coding.py", "encode", 4),
        Include("rate_coding.py", "raster", 5),  # single quotes too
        Include("mnist.py", "load", 11),
    ]
    blocks = [fence for fence in fences(page) if fence.includes]
    assert [(f.line, f.end, f.indent) for f in blocks] == [(3, 6, ""), (10, 12, "    ")]


def test_single_quotes_are_included_by_pymdownx_as_well():
    single = render("```python\n--8<-- 'why_spikes.py:spikes'\n```\n")
    double = render('```python\n--8<-- "why_spikes.py:spikes"\n```\n')
    assert single == double and "torch" in single


@pytest.mark.parametrize(
    "page,line,message",
    [
        # Before, this built with exit code 0: the output vanished from the page,
        # and the notebook cell held the literal --8<-- line.
        (
            '```python\n# the encoder\n--8<-- "rate_coding.py:encode"\n```\n',
            2,
            "may hold nothing else, but has '# the encoder'",
        ),
        (
            "text\n\n```python\n--8<--\nrate_coding.py:encode\n--8<--\n```\n",
            4,
            "the block form of --8<-- is not supported",
        ),
        ('```python\n--8<-- "rate_coding.py"\n```\n', 2, "includes no named section"),
        ('```python\n--8<-- "rate_coding.py:3:9"\n```\n', 2, "includes no named section"),
        ('Some prose.\n--8<-- "rate_coding.py:encode"\n', 2, "outside a code block"),
    ],
    ids=["comment-above", "block-form", "whole-file", "line-range", "in-prose"],
)
def test_what_the_build_cannot_follow_is_refused_with_page_and_line(page, line, message):
    with pytest.raises(IncludeError) as error:
        includes(page, "docs/x.md")
    assert str(error.value).startswith(f"docs/x.md:{line}: ")
    assert message in str(error.value)


def test_an_escaped_include_is_text_not_an_include():
    page = '```text\n;--8<-- "rate_coding.py:encode"\n```\n'
    assert includes(page) == []
    assert '<code>--8<-- "rate_coding.py:encode"\n</code>' in html.unescape(render(page))


def test_printed_lines_that_look_like_notation_are_shown_as_printed():
    """A section may print a line pymdownx would obey (an include, a block
    marker, a section marker); under its code block it is shown as printed."""
    printed = (
        '--8<-- "why_spikes.py:spikes"\n  --8<--\n# --8<-- [start:x]\n'
        "x = 1  # --8<-- [end:x]\nplain line\n"
    )
    page = "```text\n" + escape_notation(printed) + "```\n"
    shown = html.unescape(render(page))
    assert f"<code>{printed}</code>" in shown  # every line, as printed
    assert "torch" not in shown  # nothing was included
