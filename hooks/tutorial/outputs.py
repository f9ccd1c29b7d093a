"""Show a snippet's printed output on the page, under the code that printed it."""

from __future__ import annotations

import re

from mkdocs.exceptions import PluginError

from tutorial.includes import IncludeError, escape_notation, fences
from tutorial.results import snippet_result
from tutorial.runner import SNIPPETS_DIR

OUTPUT_TITLE = {"ko": "출력", "en": "Output"}


def with_outputs(markdown: str, src: str, language: str) -> str:
    """The page with what each included block printed shown right under it;
    a missing snippet file or section fails with the page's file and line."""
    try:
        blocks = [fence for fence in fences(markdown, f"docs/{src}") if fence.includes]
    except IncludeError as err:
        raise PluginError(str(err)) from None

    lines = markdown.split("\n")
    for fence in reversed(blocks):  # from the end, so earlier line numbers stay valid
        printed = []
        for include in fence.includes:
            where = f"docs/{src}:{include.line}"
            path = SNIPPETS_DIR / include.file
            if not path.is_file():
                raise PluginError(f"{where}: snippet file '{include.file}' not found in snippets/")
            sections = snippet_result(path.stem)[0]["sections"]  # once it has run
            if include.section not in sections:
                raise PluginError(
                    f"{where}: snippet '{include.file}' has no section '{include.section}'"
                )
            printed.append(sections[include.section]["stdout"])
        text = escape_notation("".join(printed))
        if not text.strip():
            continue
        indent = fence.indent
        fence_marks = "`" * max(3, max((len(r) + 1 for r in re.findall(r"`+", text)), default=0))
        title = OUTPUT_TITLE.get(language, OUTPUT_TITLE["en"])
        output = [
            "",
            f'{indent}{fence_marks} {{ .text .snippet-output title="{title}" }}',
            *(f"{indent}{row}" for row in text.rstrip("\n").split("\n")),
            f"{indent}{fence_marks}",
        ]
        lines[fence.end : fence.end] = output
    markdown = "\n".join(lines)
    return markdown
