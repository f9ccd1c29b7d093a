"""The glossary lists every site-wide term once, in both languages, and the
Korean pages use its terms consistently."""

from __future__ import annotations

import re

import pytest

from helpers import DOCS, korean_pages

ROW = re.compile(r"^\| ([^|]+?) \| ([^|]+?) \| [^|]+ \| \[[^\]]+\]\(([^)]+)\) \|$", re.MULTILINE)


def rows(page: str) -> list[tuple[str, str, str]]:
    return ROW.findall((DOCS / page).read_text(encoding="utf-8"))


KOREAN = rows("glossary.md")  # (korean, english, link)
TERMS = {english: korean for korean, english, _ in KOREAN}


def test_glossary_has_the_same_terms_and_links_in_both_languages():
    assert len(KOREAN) >= 30
    assert [(k, e, link) for k, e, link in KOREAN] == \
           [(k, e, link) for e, k, link in rows("glossary.en.md")]
    assert len(TERMS) == len(KOREAN), "a term is listed twice"


@pytest.mark.parametrize("korean,english,link", KOREAN, ids=[e for _, e, _ in KOREAN])
def test_term_is_introduced_where_the_glossary_says(korean, english, link):
    page = link.split("#")[0]
    text = (DOCS / page).read_text(encoding="utf-8")
    assert re.search(rf"{re.escape(korean)}(\*\*)?\({re.escape(english)}\)", text), (
        f"{page} should introduce {korean}({english})")
    english_page = (DOCS / page.replace(".md", ".en.md")).read_text(encoding="utf-8")
    stem = english.split(",")[0].split()[0].lower()[:-2]  # "dependency" ~ "dependencies"
    assert stem in english_page.lower(), f"{page.replace('.md', '.en.md')} never mentions {english}"


@pytest.mark.parametrize("md", [p for p in korean_pages() if p.name != "glossary.md"],
                         ids=lambda p: p.name)
def test_korean_pages_use_the_glossary_terms(md):
    """Wherever a page gives a glossary term's English in parentheses, the
    Korean right before it is the glossary's Korean term."""
    text = md.read_text(encoding="utf-8")
    wrong = []
    for match in re.finditer(r"\(([^()\n]+)\)", text):
        english = match.group(1)
        if english in TERMS:
            before = text[:match.start()].removesuffix("**")
            before = re.sub(r"\[([^\]]+)\]\([^)]*\)$", r"\1", before)  # [레이트 코딩](x.md)(rate coding)
            if not before.endswith(TERMS[english]):
                wrong.append(f"...{before[-12:]}({english}) should be {TERMS[english]}({english})")
    assert not wrong, f"{md.name}: " + "; ".join(wrong)
