"""Every chapter as a Jupyter notebook, made from the page itself.

For each page that includes snippet sections, in each language:

* ``notebooks/<page>.ipynb`` (``/en/notebooks/`` for English): the page's
  prose as Markdown cells, each included section as a code cell, in page
  order, carrying the outputs the build already has for it (printed text and
  figures from this build's snippet results) - nothing runs again. A first
  code cell installs snnTorch, which Colab lacks.
* ``notebooks/<page>/``: the same notebook rendered as a page of the site.
* On the chapter page, under its title: download, "Open in Colab" (from
  ``repo_url`` and the branch ``mkdocs gh-deploy`` publishes to) and the
  rendered view.

The view is Markdown generated here (``view_markdown``) and rendered by
MkDocs like any page: its code blocks include the same snippet sections, so
the snippet hook adds their printed output under them, and Material gives
the headings, copy buttons, math and images exactly as on the chapter page.

Why not mkdocs-jupyter for the rendered view: under mkdocs-static-i18n its
pages come out as the raw notebook file (GUIDE section 5,
ultrabug/mkdocs-static-i18n#198), and its converter's HTML loads MathJax and
Mermaid from CDNs and inlines ~600 KB of CSS into every page. (Rendering with
nbconvert, as this hook once did, took 6 s of a cold build and needed regular
expressions to repair its headings, copy buttons and images.)
"""

from __future__ import annotations

import base64
import re
import textwrap
from pathlib import Path

import nbformat

from tutorial.includes import fences
from tutorial.languages import language_prefix
from tutorial.results import snippet_result
from tutorial.runner import ROOT, SNIPPETS_DIR, parse_sections

NOTEBOOK_DIR = "notebooks"
# The snnTorch the outputs were made with (requirements.txt pins it); Colab lacks it.
SNNTORCH_PIN = re.search(
    r"^snntorch==\S+", (ROOT / "requirements.txt").read_text(encoding="utf-8"), re.MULTILINE
)[0]
INSTALL = f"%pip install --quiet {SNNTORCH_PIN}  # Colab has torch, torchvision, pandas, matplotlib"
LABELS = {
    "ko": {
        "download": "노트북 내려받기",
        "colab": "Colab에서 열기",
        "view": "노트북으로 보기",
        "page": "본문으로 돌아가기",
        "title": "{} - 노트북",
    },
    "en": {
        "download": "Download the notebook",
        "colab": "Open in Colab",
        "view": "View as a notebook",
        "page": "Back to the chapter",
        "title": "{} - notebook",
    },
}
FIGURE_ALT = re.compile(r"!\[([^\]]*)\]\((?:\.\./)*figures/")
PROMPT = '<div class="nb-prompt">In&nbsp;[{}]:</div>'  # as Jupyter labels a code cell
GITHUB = re.compile(r"^https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?$")


def _node(**fields) -> nbformat.NotebookNode:
    """A notebook part, built directly: nbformat.v4.new_* validate every
    part on creation, which cost more than the rest of this hook together."""
    return nbformat.from_dict(fields)


def _code_cell(source: str, outputs: list, count: int | None) -> nbformat.NotebookNode:
    return _node(
        cell_type="code", id="", metadata={}, execution_count=count, source=source, outputs=outputs
    )


def _section_code(name: str, section: str, parsed: dict) -> str:
    """A section's code as the page shows it; each file is parsed once per notebook."""
    if name not in parsed:
        parsed[name] = {
            s.name: textwrap.dedent(s.code).strip("\n") for s in parse_sections(SNIPPETS_DIR / name)
        }
    return parsed[name][section]


def _outputs(name: str, section: str, figures: list | None = None) -> list:
    """What the section printed and drew, from this build's snippet results;
    the site path of each figure is appended to `figures`."""
    result, out = snippet_result(Path(name).stem)
    result = result["sections"][section]
    outputs = []
    if result["stdout"]:
        outputs.append(_node(output_type="stream", name="stdout", text=result["stdout"]))
    for file in result["files"]:
        mime = {".png": "image/png", ".gif": "image/gif"}.get(Path(file).suffix)
        if mime:
            data = base64.b64encode((out / file).read_bytes()).decode("ascii")
            outputs.append(_node(output_type="display_data", data={mime: data}, metadata={}))
            if figures is not None:
                figures.append(f"figures/{Path(name).stem}/{file}")
    return outputs


def _prose(lines: list[str], link, keep_ids: bool = False) -> str:
    """A stretch of the page's prose as a notebook's Markdown: ``link(page,
    anchor)`` is where a link to another page goes; ``keep_ids`` keeps the
    headings' ``{ #id }`` (the view, rendered by MkDocs) instead of turning
    them into anchors Jupyter and Colab understand (the notebook)."""
    text = "\n".join(lines)
    if not keep_ids:  # the page's links to #moving-digit still work in the notebook
        text = re.sub(r"\s*\{ #([\w-]+) \}", r' <a id="\1"></a>', text)
    # The figure is the previous cell's output; keep its caption as a line of text.
    text = re.sub(
        r'<figure markdown="span">.*?<figcaption[^>]*>(.*?)</figcaption>\s*</figure>',
        lambda m: f"*{m.group(1).strip()}*",
        text,
        flags=re.DOTALL,
    )
    # A figure without a caption: the output shows it already.
    text = re.sub(
        r"^[ \t]*!\[[^\]]*\]\((?:\.\./)*figures/[^)]*\)[ \t]*$(?!\n/// caption)",
        "",
        text,
        flags=re.MULTILINE,
    )
    # The same for a figure inside a collapsed block (pymdownx.blocks.caption).
    text = re.sub(
        r"!\[[^\]]*\]\((?:\.\./)*figures/[^)]*\)\s*\n/// caption\s*\n(.*?)\n///",
        lambda m: f"*{m.group(1).strip()}*",
        text,
        flags=re.DOTALL,
    )
    # a link to another page, with a query (the playground's presets) and an anchor
    text = re.sub(
        r"\]\(([\w-]+)\.md((?:\?[^)#\s]*)?(?:#[\w-]+)?)\)",
        lambda m: f"]({link(m.group(1), m.group(2))})",
        text,
    )
    # A link to a file a snippet wrote (not an image: those were handled above)
    text = re.sub(r"\]\((figures/[\w./-]+)\)", lambda m: f"]({link(m.group(1), '')})", text)
    # Admonition and collapsible-block headers become bold lines.
    text = re.sub(
        r'^[!?]{3}\+? *\w+(?: "([^"]*)")?\s*$',
        lambda m: f"**{m.group(1) or ''}**",
        text,
        flags=re.MULTILINE,
    )
    return text.strip()


def _parts(markdown: str) -> list[tuple[str, object]]:
    """The page cut into what becomes cells, in order: ("prose", lines) and
    ("code", the includes of one code block)."""
    parts: list[tuple[str, object]] = []
    prose: list[str] = []
    lines = markdown.split("\n")
    blocks = {fence.line - 1: fence for fence in fences(markdown)}  # by 0-based line
    i = 0
    in_block = False  # inside an admonition or collapsible block
    while i < len(lines):
        fence = blocks.get(i)
        if fence:
            if fence.includes:
                parts.append(("prose", prose))
                parts.append(("code", fence.includes))
                prose = []
            else:
                prose.extend(textwrap.dedent("\n".join(lines[i : fence.end])).splitlines())
            i = fence.end
            continue
        line = lines[i]
        if re.match(r"^[!?]{3}", line):
            in_block = True
        elif in_block and line.strip() and not line.startswith("    "):
            in_block = False
        prose.append(line[4:] if in_block and line.startswith("    ") else line)
        i += 1
    parts.append(("prose", prose))
    return parts


def build_notebook(
    markdown: str, title_url: str, site_url: str, prefix: str, figures: list | None = None
) -> dict | None:
    """The page as a notebook; the site path of each figure output goes to `figures`."""
    cells, counter, parsed = [], 0, {}

    def published(page: str, anchor: str) -> str:  # links lead to the published site
        if page.startswith("figures/"):  # one copy for both languages, at the root
            return f"{site_url}{page}"
        return f"{site_url}{prefix}{'' if page == 'index' else page + '/'}{anchor}"

    for kind, part in _parts(markdown):
        if kind == "prose":
            text = _prose(part, published)
            if text:
                cells.append(_node(cell_type="markdown", id="", metadata={}, source=text))
        else:
            counter += 1
            code = "\n\n".join(_section_code(n.file, n.section, parsed) for n in part)
            outputs = [o for n in part for o in _outputs(n.file, n.section, figures)]
            cells.append(_code_cell(code, outputs, counter))
    if not counter:
        return None
    # Title cell first, then the install cell.
    first = cells[0]
    cells[0:1] = (
        [first, _code_cell(INSTALL, [], None)]
        if first.cell_type == "markdown"
        else [_code_cell(INSTALL, [], None), first]
    )
    for number, cell in enumerate(cells):
        cell.id = f"cell-{number}"  # nbformat's default ids are random: two builds would differ
    notebook = nbformat.v4.new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
            "source": title_url,
        },
    )
    nbformat.validate(notebook)  # once, for the whole notebook
    return notebook


def view_markdown(markdown: str, figures: list[str], alts: list[str], to_root: str) -> str:
    """The notebook of a page as a page of the site, in Markdown for MkDocs:
    the notebook's prose, each code cell with its prompt as a code block
    that includes the same snippet sections (so the build adds what they
    printed under it, as on the chapter page), then its figures with the
    chapter's alt text, then the install cell where the notebook has it.
    ``to_root`` leads from the view's file to the docs root."""
    out: list[str] = []
    figures, alts, counter = iter(figures), iter(alts), 0
    install = f"{PROMPT.format(' ')}\n\n```python\n{INSTALL}\n```\n"

    def in_site(page: str, anchor: str) -> str:
        return f"{to_root}{page}" if page.startswith("figures/") else f"{to_root}{page}.md{anchor}"

    for kind, part in _parts(markdown):
        if kind == "prose":
            text = _prose(part, in_site, keep_ids=True)
            if text:
                out.append(text + "\n")
        else:
            if counter == 0:  # the notebook's install cell: after the title cell
                out.insert(1 if out else 0, install)
            counter += 1
            includes = "\n\n".join(f'--8<-- "{n.file}:{n.section}"' for n in part)
            out.append(f"{PROMPT.format(counter)}\n\n```python\n{includes}\n```\n")
            for n in part:
                result, _ = snippet_result(Path(n.file).stem)
                for file in result["sections"][n.section]["files"]:
                    if Path(file).suffix in (".png", ".gif"):
                        out.append(f"![{next(alts, '')}]({to_root}{next(figures)})\n")
    return "\n".join(out)


def colab_url(config, language: str, stem: str) -> str | None:
    """Colab opens a notebook from a GitHub path: the published branch's copy."""
    match = GITHUB.match(config.repo_url or "")
    if not match:
        return None
    prefix = language_prefix(config, language)
    return (
        f"https://colab.research.google.com/github/{match[1]}/{match[2]}/blob/"
        f"{config.remote_branch}/{prefix}{NOTEBOOK_DIR}/{stem}.ipynb"
    )


def links_row(config, language: str, stem: str, to_root: str, on_view: bool) -> str:
    """The row of buttons: chapter page or notebook view, download, Colab."""
    labels = LABELS.get(language, LABELS["en"])
    prefix = language_prefix(config, language)
    base = f"{to_root}{prefix}"
    links = (
        [(f"{base}{stem}/", labels["page"], "")]
        if on_view
        else [(f"{base}{NOTEBOOK_DIR}/{stem}/", labels["view"], "")]
    )
    links.append((f"{base}{NOTEBOOK_DIR}/{stem}.ipynb", labels["download"], " download"))
    colab = colab_url(config, language, stem)
    if colab:
        links.append((colab, labels["colab"], ""))
    buttons = "".join(
        f'<a class="md-button" href="{href}"{extra}>{text}</a>' for href, text, extra in links
    )
    # not in search: every chapter's first result would begin with the buttons' labels
    return f'<p class="notebook-links" data-search-exclude>{buttons}</p>'


def path_to_root(url: str) -> str:
    """From a page's URL ('en/rate-coding/') back to the site root ('../../')."""
    return "../" * url.strip("/").count("/") + ("../" if url.strip("/") else "")
