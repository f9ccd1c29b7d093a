"""MkDocs hook: every chapter as a Jupyter notebook, made from the page itself.

For each page that includes snippet sections, in each language, this builds
`notebooks/<page>.ipynb` next to the page's language root (so `/notebooks/`
and `/en/notebooks/`): the page's prose as Markdown cells, each included
section as a code cell, in page order, carrying the outputs the build already
has for it (printed text and figures from the snippet cache) - nothing runs
again. A first code cell installs snnTorch, which Colab lacks. The page gets a
download link under its title. Listed after run_snippets.py in mkdocs.yml: it
reads the results that hook holds for this build.
"""

from __future__ import annotations

import base64
import re
import textwrap
from pathlib import Path

import nbformat
from mkdocs.plugins import event_priority

from snippet_runner import SNIPPETS_DIR, parse_sections

NOTEBOOK_DIR = "notebooks"
INSTALL = "%pip install --quiet snntorch==1.0.0  # Colab has torch, torchvision, pandas, matplotlib"
DOWNLOAD = {"ko": "이 장을 Jupyter 노트북으로 받기", "en": "Download this chapter as a Jupyter notebook"}
INCLUDE = re.compile(r'^\s*--8<--\s+"([^":]+):([\w-]+)"\s*$')
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")

_notebooks: dict[str, dict] = {}  # page stem -> notebook, for the language being built


def _section_code(name: str, section: str, parsed: dict) -> str:
    """A section's code as the page shows it; each file is parsed once per notebook."""
    if name not in parsed:
        parsed[name] = {s.name: textwrap.dedent(s.code).strip("\n")
                        for s in parse_sections(SNIPPETS_DIR / name)}
    return parsed[name][section]


def _outputs(name: str, section: str) -> list:
    """What the section printed and drew, from this build's snippet results."""
    import run_snippets  # the hook module itself, as registered for this build

    result, out = run_snippets.snippet_result(Path(name).stem)
    result = result["sections"][section]
    outputs = []
    if result["stdout"]:
        outputs.append(nbformat.v4.new_output("stream", name="stdout", text=result["stdout"]))
    for file in result["files"]:
        mime = {".png": "image/png", ".gif": "image/gif"}.get(Path(file).suffix)
        if mime:
            data = base64.b64encode((out / file).read_bytes()).decode("ascii")
            outputs.append(nbformat.v4.new_output("display_data", data={mime: data}))
    return outputs


def _prose(lines: list[str], site_url: str, prefix: str) -> str:
    text = "\n".join(lines)
    text = re.sub(r"\s*\{ #[\w-]+ \}", "", text)  # heading ids
    # The figure is the previous cell's output; keep its caption as a line of text.
    text = re.sub(r'<figure markdown="span">.*?<figcaption[^>]*>(.*?)</figcaption>\s*</figure>',
                  lambda m: f"*{m.group(1).strip()}*", text, flags=re.DOTALL)
    # Links to other pages point at the published site.
    text = re.sub(r"\]\(([\w-]+)\.md(#[\w-]+)?\)",
                  lambda m: f"]({site_url}{prefix}{'' if m.group(1) == 'index' else m.group(1) + '/'}"
                            f"{m.group(2) or ''})", text)
    # Admonition and collapsible-block headers become bold lines.
    text = re.sub(r'^[!?]{3}\+? *\w+(?: "([^"]*)")?\s*$', lambda m: f"**{m.group(1) or ''}**",
                  text, flags=re.MULTILINE)
    return text.strip()


def build_notebook(markdown: str, title_url: str, site_url: str, prefix: str) -> dict | None:
    cells, prose, counter, parsed = [], [], 0, {}
    lines = markdown.splitlines()
    i = 0
    in_block = False  # inside an admonition or collapsible block

    def flush_prose() -> None:
        text = _prose(prose, site_url, prefix)
        if text:
            cells.append(nbformat.v4.new_markdown_cell(text))
        prose.clear()

    while i < len(lines):
        fence = FENCE.match(lines[i])
        if fence:
            indent, marks = fence.group(1), fence.group(2)
            body, j = [], i + 1
            while j < len(lines) and not re.match(rf"^{re.escape(indent)}{marks}\s*$", lines[j]):
                body.append(lines[j])
                j += 1
            includes = [INCLUDE.match(line) for line in body if line.strip()]
            if includes and all(includes):
                flush_prose()
                counter += 1
                code = "\n\n".join(_section_code(*m.groups(), parsed) for m in includes)
                outputs = [o for m in includes for o in _outputs(*m.groups())]
                cells.append(nbformat.v4.new_code_cell(code, outputs=outputs, execution_count=counter))
            else:
                prose.extend(textwrap.dedent("\n".join([lines[i], *body, lines[min(j, len(lines) - 1)]]))
                             .splitlines())
            i = j + 1
            continue
        line = lines[i]
        if re.match(r"^[!?]{3}", line):
            in_block = True
        elif in_block and line.strip() and not line.startswith("    "):
            in_block = False
        prose.append(line[4:] if in_block and line.startswith("    ") else line)
        i += 1
    if not counter:
        return None
    flush_prose()
    # Title cell first, then the install cell.
    first = cells[0]
    cells[0:1] = [first, nbformat.v4.new_code_cell(INSTALL)] if first.cell_type == "markdown" \
        else [nbformat.v4.new_code_cell(INSTALL), first]
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "source": title_url,
    })
    nbformat.validate(notebook)
    return notebook


@event_priority(100)  # before run_snippets adds outputs to the page
def on_page_markdown(markdown, page, config, files):
    from run_snippets import build_language

    language = build_language(config)
    prefix = "" if language == "ko" else f"{language}/"
    site_url = config.site_url or ""
    stem = Path(page.file.src_uri).name.split(".")[0]
    page_url = f"{site_url}{prefix}{'' if stem == 'index' else stem + '/'}"
    try:
        notebook = build_notebook(markdown, page_url, site_url, prefix)
    except (KeyError, OSError):
        # A missing snippet file or section: run_snippets.py (next) fails the
        # build with the page and line; no notebook for a broken page.
        return markdown
    if notebook is None:
        return markdown
    _notebooks[stem] = notebook
    link = f"../{NOTEBOOK_DIR}/{stem}.ipynb"
    button = (f'<p class="notebook-links"><a class="md-button" href="{link}" download>'
              f"{DOWNLOAD.get(language, DOWNLOAD['en'])}</a></p>")
    # Right under the page title.
    return re.sub(r"^(# .*\n)", lambda m: f"{m.group(1)}\n{button}\n", markdown, count=1,
                  flags=re.MULTILINE)


def on_post_build(config):
    # mkdocs-static-i18n keeps site_dir and builds the other language's pages under en/.
    from run_snippets import build_language

    language = build_language(config)
    target = Path(config.site_dir) / ("" if language == "ko" else language) / NOTEBOOK_DIR
    target.mkdir(parents=True, exist_ok=True)
    for stem, notebook in _notebooks.items():
        nbformat.write(notebook, target / f"{stem}.ipynb")
    _notebooks.clear()
