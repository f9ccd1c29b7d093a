"""MkDocs hook: what every page says about itself.

Under its text (``overrides/partials/source-file.html``): the versions of
snnTorch, PyTorch and matplotlib its outputs were made with and the date of
the commit the site was built from (:mod:`tutorial.environment`), a link to
its source file and to the snippet files its code comes from, and a link
that opens a new GitHub issue about it in ``repo_url``, filled in with the
page's title, language, address and versions. In its head
(``overrides/main.html``): the link preview's title, description and image
(the page's first PNG figure, else ``extra.preview_image``), absolute from
``site_url``. All of it is plain links: nothing is requested until clicked.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from urllib.parse import quote, urlencode, urljoin

from tutorial.environment import package_versions, source_commit
from tutorial.includes import IncludeError, includes
from tutorial.languages import build_language
from tutorial.markup import text

WORDS = {
    "ko": {
        "locale": "ko_KR",
        "language": "한국어",
        "and": ", ",  # the last of the versions: "A, B, C에서"
        "made": "이 페이지의 출력은 {versions}에서 코드를 실행해 만들었습니다",
        "made_site": "이 사이트의 출력은 {versions}에서 코드를 실행해 만들었습니다",
        "commit": " ({date} 커밋 기준)",
        "source": "이 페이지의 원본",
        "code": "코드",
        "report": "이 페이지의 문제 알리기",
        "issue_title": "[페이지 문제] {title}",
        "issue_body": "페이지: {url}\n언어: 한국어\n빌드: {build}\n\n"
        "무엇이 잘못되었나요? (어느 부분인지, 기대한 것과 실제로 본 것)\n\n",
    },
    "en": {
        "locale": "en_US",
        "language": "English",
        "and": " and ",
        "made": "The outputs on this page were made by running its code with {versions}",
        "made_site": "The outputs on this site were made by running its code with {versions}",
        "commit": " (built from the commit of {date})",
        "source": "Source of this page",
        "code": "Code",
        "report": "Report a problem with this page",
        "issue_title": "[Page problem] {title}",
        "issue_body": "Page: {url}\nLanguage: English\nBuild: {build}\n\n"
        "What is wrong? (where on the page, what you expected, what you saw)\n\n",
    },
}
FIGURE = re.compile(r'<img\b[^>]*\bsrc="([^"]+\.png)"')
H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S)


def blob_url(config, path: str) -> str:
    """A file of the repository on GitHub, on the branch edit_uri names
    (``edit/main/docs/`` -> ``<repo_url>/blob/main/<path>``)."""
    branch = config.edit_uri.replace("edit/", "blob/", 1).removesuffix("docs/")
    return urljoin(config.repo_url.rstrip("/") + "/", branch + path)


def html_text(fragment: str) -> str:
    """The text of an HTML fragment (a heading with its permalink removed)."""
    fragment = re.sub(r'<a class="headerlink".*?</a>', "", fragment, flags=re.S)
    return text(fragment).strip()


def _versions(words: dict) -> str:
    found = package_versions()
    names = [
        f"snnTorch {found['snntorch']}",
        f"PyTorch {found['torch']}",
        f"matplotlib {found['matplotlib']}",
    ]
    return ", ".join(names[:-1]) + words["and"] + names[-1]


def on_page_markdown(markdown, page, config, files):
    chapter = getattr(page.file, "chapter_markdown", markdown)  # a notebook view: its chapter
    try:
        page.snippet_files = sorted({i.file for i in includes(chapter, page.file.src_uri)})
    except IncludeError:
        page.snippet_files = []  # hooks/snippets.py fails the build on that page
    return markdown


def on_page_content(content, page, config, files):
    """Everything once the page is rendered (its title comes from its h1)."""
    words = WORDS.get(build_language(config), WORDS["en"])
    h1 = H1.search(content)  # the page's own title (the nav calls the home page "Home")
    title = html_text(h1[1]) if h1 else page.title
    commit = source_commit()
    verified = words["made" if page.snippet_files else "made_site"].format(
        versions=_versions(words)
    )
    if commit:
        verified += words["commit"].format(date=commit[1])
    build = ", ".join(f"{name} {v}" for name, v in package_versions().items())
    if commit:
        build = f"commit {commit[0]} ({commit[1]}); {build}"
    issue = {
        "title": words["issue_title"].format(title=title),
        "body": words["issue_body"].format(url=page.canonical_url, build=build),
    }
    source = page.file.edit_uri  # a notebook view: its chapter's (hooks/notebook_pages.py)
    figure = FIGURE.search(content)
    page.facts = SimpleNamespace(
        title=title,
        locale=words["locale"],
        verified=verified + ".",
        source=(words["source"], blob_url(config, f"docs/{source}")) if source else None,
        code_label=words["code"],
        snippets=[(name, blob_url(config, f"snippets/{name}")) for name in page.snippet_files],
        report=(
            words["report"],
            f"{config.repo_url.rstrip('/')}/issues/new?{urlencode(issue, quote_via=quote)}",
        ),
        # the link preview's picture
        image=urljoin(page.canonical_url, figure[1])
        if figure
        else urljoin(config.site_url, config.extra["preview_image"]),
    )
    return content
