"""MkDocs hook: every chapter as a Jupyter notebook, made from the page itself.

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

Why not mkdocs-jupyter for the rendered view: under mkdocs-static-i18n its
pages come out as the raw notebook file (GUIDE section 5,
ultrabug/mkdocs-static-i18n#198), and its converter's HTML loads MathJax and
Mermaid from CDNs and inlines ~600 KB of CSS into every page. nbconvert's
``basic`` template gives the cells alone; Material styles them, KaTeX typesets
their math, and the result is cached by the notebook's content.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import html as html_lib
import json
import os
import re
import textwrap
from pathlib import Path
from types import SimpleNamespace

import nbformat
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, InclusionLevel

from includes import IncludeError, fences
from snippet_runner import CACHE_DIR, SNIPPETS_DIR, parse_sections

NOTEBOOK_DIR = "notebooks"
VIEWS_DIR = CACHE_DIR / "notebook-views"
VIEW_ROOT = "@@site-root@@/"  # in cached view HTML: the way back to the site root
INSTALL = "%pip install --quiet snntorch==1.0.0  # Colab has torch, torchvision, pandas, matplotlib"
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
GITHUB = re.compile(r"^https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?$")

_exporter = None  # nbconvert's HTMLExporter, made once per process
# For the language being built: page stem -> (notebook, its JSON, alt texts
# of its figures, site paths of its figures).
_notebooks: dict[str, tuple[dict, list[str]]] = {}


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
    import run_snippets  # the hook module itself, as registered for this build

    result, out = run_snippets.snippet_result(Path(name).stem)
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


def _prose(lines: list[str], site_url: str, prefix: str) -> str:
    text = "\n".join(lines)
    # A heading's id becomes an anchor Jupyter and Colab understand, so the
    # page's links to it (#moving-digit) still work in the notebook.
    text = re.sub(r"\s*\{ #([\w-]+) \}", r' <a id="\1"></a>', text)
    # The figure is the previous cell's output; keep its caption as a line of text.
    text = re.sub(
        r'<figure markdown="span">.*?<figcaption[^>]*>(.*?)</figcaption>\s*</figure>',
        lambda m: f"*{m.group(1).strip()}*",
        text,
        flags=re.DOTALL,
    )
    # The same for a figure inside a collapsed block (pymdownx.blocks.caption).
    text = re.sub(
        r"!\[[^\]]*\]\((?:\.\./)*figures/[^)]*\)\s*\n/// caption\s*\n(.*?)\n///",
        lambda m: f"*{m.group(1).strip()}*",
        text,
        flags=re.DOTALL,
    )
    # Links to other pages point at the published site.
    text = re.sub(
        r"\]\(([\w-]+)\.md(#[\w-]+)?\)",
        lambda m: (
            f"]({site_url}{prefix}{'' if m.group(1) == 'index' else m.group(1) + '/'}"
            f"{m.group(2) or ''})"
        ),
        text,
    )
    # Admonition and collapsible-block headers become bold lines.
    text = re.sub(
        r'^[!?]{3}\+? *\w+(?: "([^"]*)")?\s*$',
        lambda m: f"**{m.group(1) or ''}**",
        text,
        flags=re.MULTILINE,
    )
    return text.strip()


def build_notebook(
    markdown: str, title_url: str, site_url: str, prefix: str, figures: list | None = None
) -> dict | None:
    """The page as a notebook; the site path of each figure output goes to `figures`."""
    cells, prose, counter, parsed = [], [], 0, {}
    lines = markdown.split("\n")
    blocks = {fence.line - 1: fence for fence in fences(markdown)}  # by 0-based line
    i = 0
    in_block = False  # inside an admonition or collapsible block

    def flush_prose() -> None:
        text = _prose(prose, site_url, prefix)
        if text:
            cells.append(_node(cell_type="markdown", id="", metadata={}, source=text))
        prose.clear()

    while i < len(lines):
        fence = blocks.get(i)
        if fence:
            if fence.includes:
                flush_prose()
                counter += 1
                code = "\n\n".join(_section_code(n.file, n.section, parsed) for n in fence.includes)
                outputs = [o for n in fence.includes for o in _outputs(n.file, n.section, figures)]
                cells.append(_code_cell(code, outputs, counter))
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
    if not counter:
        return None
    flush_prose()
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


def colab_url(config, language: str, stem: str) -> str | None:
    """Colab opens a notebook from a GitHub path: the published branch's copy."""
    match = GITHUB.match(config.repo_url or "")
    if not match:
        return None
    prefix = "" if language == _default_language(config) else f"{language}/"
    return (
        f"https://colab.research.google.com/github/{match[1]}/{match[2]}/blob/"
        f"{config.remote_branch}/{prefix}{NOTEBOOK_DIR}/{stem}.ipynb"
    )


def _default_language(config) -> str:
    i18n = config.plugins.get("i18n")
    return i18n.default_language if i18n else config.theme.get("language", "en")


def _links(config, language: str, stem: str, to_root: str, on_view: bool) -> str:
    """The row of buttons: chapter page or notebook view, download, Colab."""
    labels = LABELS.get(language, LABELS["en"])
    prefix = "" if language == _default_language(config) else f"{language}/"
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
    return f'<p class="notebook-links">{buttons}</p>'


def _to_root(url: str) -> str:
    """From a page's URL ('en/rate-coding/') back to the site root ('../../')."""
    return "../" * url.strip("/").count("/") + ("../" if url.strip("/") else "")


@event_priority(-300)  # after run_snippets (-200): this build's results are ready
def on_files(files, config):
    from run_snippets import build_language

    language = build_language(config)
    prefix = "" if language == _default_language(config) else f"{language}/"
    site_url = config.site_url or ""
    _notebooks.clear()
    for file in list(files.documentation_pages()):
        markdown = file.content_string
        stem = Path(file.src_uri).name.split(".")[0]
        page_url = f"{site_url}{prefix}{'' if stem == 'index' else stem + '/'}"
        try:
            figures = []
            notebook = build_notebook(markdown, page_url, site_url, prefix, figures)
        except (KeyError, OSError, IncludeError):
            # A missing snippet file or section: run_snippets.py fails the
            # build on that page with its line; no notebook for a broken page.
            continue
        if notebook is None:
            continue
        text = nbformat.writes(notebook)
        _notebooks[stem] = (notebook, text, FIGURE_ALT.findall(markdown), figures)
        files.append(File.generated(config, f"{prefix}{NOTEBOOK_DIR}/{stem}.ipynb", content=text))
        title = re.search(r"^# (.+)$", markdown, re.MULTILINE)[1]
        title = LABELS.get(language, LABELS["en"])["title"].format(title)
        view = File.generated(
            config,
            f"{prefix}{NOTEBOOK_DIR}/{stem}.md",
            inclusion=InclusionLevel.NOT_IN_NAV,
            content=f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n"
            "search:\n  exclude: true\n---\n",
        )
        # What mkdocs-static-i18n sets on the pages it sorted (it ran before
        # these files existed), so the language switcher stays on the view.
        view.locale = view.locale_alternate_of = language
        i18n = config.plugins.get("i18n")
        others = i18n.build_languages if i18n else [language]
        view.alternates = {
            other: SimpleNamespace(
                url=("" if other == _default_language(config) else f"{other}/")
                + f"{NOTEBOOK_DIR}/{stem}/"
            )
            for other in others
        }
        files.append(view)
    return files


def _view_stem(page) -> str | None:
    uri = page.file.src_uri
    parts = uri.split("/")
    if len(parts) >= 2 and parts[-2] == NOTEBOOK_DIR and uri.endswith(".md"):
        return parts[-1][:-3]
    return None


def on_page_markdown(markdown, page, config, files):
    from run_snippets import build_language

    stem = Path(page.file.src_uri).name.split(".")[0]
    if _view_stem(page) or stem not in _notebooks:
        return markdown
    links = _links(config, build_language(config), stem, _to_root(page.url), on_view=False)
    # Right under the page title.
    return re.sub(
        r"^(# .*\n)", lambda m: f"{m.group(1)}\n{links}\n", markdown, count=1, flags=re.MULTILINE
    )


def _nbconvert_html(notebook: dict, text: str, figures: list[str]) -> str:
    """The notebook's cells as HTML (nbconvert, template 'basic'), cached.

    Figures are not inlined as base64: each image points at the file the
    site already has for the chapter page (ROOT/figures/..., ROOT replaced
    per page), so the view stays small and shares the browser's cache."""
    import nbconvert

    key = "\n".join([nbconvert.__version__, text, *figures])
    key = hashlib.sha256(key.encode()).hexdigest()[:16]
    cached = VIEWS_DIR / f"{key}.html"
    if cached.exists():  # first line: the digest of the rest, so a damaged copy is not used
        digest, _, html = cached.read_text(encoding="utf-8").partition("\n")
        if digest == hashlib.sha256(html.encode()).hexdigest():
            return html
    notebook = copy.deepcopy(notebook)
    paths = iter(figures)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/gif" in data:  # no GIF renderer in nbconvert
                output.data = {"text/html": f'<img src="{VIEW_ROOT}{next(paths)}">'}
            elif "image/png" in data:  # how nbconvert's templates link extracted images
                output.metadata["filenames"] = {"image/png": VIEW_ROOT + next(paths)}
    global _exporter
    if _exporter is None:  # loading the templates costs more than rendering
        _exporter = nbconvert.HTMLExporter(template_name="basic")
    html, _ = _exporter.from_notebook_node(notebook)
    VIEWS_DIR.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_name(f"{cached.name}.tmp{os.getpid()}")  # whole, or not at all
    tmp.write_text(f"{hashlib.sha256(html.encode()).hexdigest()}\n{html}", encoding="utf-8")
    tmp.replace(cached)
    return html


def on_page_content(html, page, config, files):
    from run_snippets import build_language

    stem = _view_stem(page)
    if stem is None or stem not in _notebooks:
        return html
    notebook, text, alts, figures = _notebooks[stem]
    view = _nbconvert_html(notebook, text, figures)
    to_root = _to_root(page.url)
    # Headings: nbconvert's ids drop Hangul (id="") and repeat; the page's
    # own table of contents is the chapter's.
    view = re.sub(
        r'<(h\d) id="[^"]*">(.*?)<a class="anchor-link" href="[^"]*">¶</a></\1>',
        r"<\1>\2</\1>",
        view,
    )
    # nbconvert's cell ids ("cell-id=cell-3") are not valid CSS selectors, and
    # Material builds its copy buttons' selectors from the nearest id.
    view = re.sub(r' id="cell-id=[^"]*"', "", view)
    # Code as Material shows it (pre > code gets the copy button).
    # (Code cells are "hl-python"; blocks in the prose carry no language.)
    view = re.sub(
        r'<div class="highlight(?: hl-(\w+))?"><pre><span></span>(.*?)</pre>',
        lambda m: (
            f'<div class="language-{m[1] or "text"} highlight"><pre><code>{m[2]}</code></pre>'
        ),
        view,
        flags=re.DOTALL,
    )
    # Each figure gets the alt text the chapter page gives it (nbconvert's is
    # "No description has been provided for this image").
    alts = iter(alts)
    view = re.sub(
        rf'<img (?:alt="[^"]*" )?src="{VIEW_ROOT}',
        lambda m: f'<img alt="{html_lib.escape(next(alts, ""))}" src="{to_root}',
        view,
    )
    # Links to the published site become links within this site.
    if config.site_url:
        view = view.replace(f'href="{config.site_url}', f'href="{to_root}')
    links = _links(config, build_language(config), stem, to_root, on_view=True)
    view = re.sub(r"(</h1>)", lambda m: m[1] + links, view, count=1)
    return f'<div class="notebook-view">{view}</div>'
