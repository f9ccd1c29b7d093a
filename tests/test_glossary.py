"""The glossary lists every site-wide term once, in both languages, and the
Korean pages use its terms consistently."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from helpers import DOCS, built_page, korean_pages, line_of, nav_pages, prose


def rows(page: str) -> list[tuple[str, str, str]]:
    """(term, twin, link) of each row, read the way the tooltip hook reads them."""
    from glossary_tooltips import glossary_rows

    return [(term, twin, link) for term, twin, _, link in glossary_rows(DOCS / page)]


KOREAN = rows("glossary.md")  # (korean, english, link)
TERMS = {english: korean for korean, english, _ in KOREAN}


def test_glossary_has_the_same_terms_and_links_in_both_languages():
    assert len(KOREAN) >= 30
    assert [(k, e, link) for k, e, link in KOREAN] == [
        (k, e, link) for e, k, link in rows("glossary.en.md")
    ]
    assert len(TERMS) == len(KOREAN), "a term is listed twice"


@pytest.mark.parametrize("korean,english,link", KOREAN, ids=[e for _, e, _ in KOREAN])
def test_term_is_introduced_where_the_glossary_says(korean, english, link):
    page = link.split("#")[0]
    text = (DOCS / page).read_text(encoding="utf-8")
    assert re.search(rf"{re.escape(korean)}(\*\*)?\({re.escape(english)}\)", text), (
        f"{page} should introduce {korean}({english})"
    )
    english_page = (DOCS / page.replace(".md", ".en.md")).read_text(encoding="utf-8")
    stem = english.split(",")[0].split()[0].lower()[:-2]  # "dependency" ~ "dependencies"
    assert stem in english_page.lower(), f"{page.replace('.md', '.en.md')} never mentions {english}"


@pytest.mark.parametrize(
    "md", [p for p in korean_pages() if p.name != "glossary.md"], ids=lambda p: p.name
)
def test_korean_pages_use_the_glossary_terms(md):
    """Wherever a page gives a glossary term's English in parentheses, the
    Korean right before it is the glossary's Korean term."""
    text = md.read_text(encoding="utf-8")
    wrong = []
    for match in re.finditer(r"\(([^()\n]+)\)", text):
        english = match.group(1)
        if english in TERMS:
            before = text[: match.start()].removesuffix("**")
            before = re.sub(
                r"\[([^\]]+)\]\([^)]*\)$", r"\1", before
            )  # [레이트 코딩](x.md)(rate coding)
            if not before.endswith(TERMS[english]):
                wrong.append(f"...{before[-12:]}({english}) should be {TERMS[english]}({english})")
    assert not wrong, f"{md.name}: " + "; ".join(wrong)


# ------------------------------------------------------ where a term first appears


def _sections(md: Path) -> list[tuple[str, str]]:
    """(anchor, prose) of each part of a page in order: "" for the text before
    the first heading, then one part per heading. The home page's table of
    chapters only previews them, so it does not count as an appearance."""
    raw = md.read_text(encoding="utf-8")
    anchors = [""] + re.findall(r"^#{2,6} .*\{ #([\w-]+) \}[ \t]*$", raw, re.M)
    pieces = re.split(r"^(#{2,6} .*)$", prose(raw), flags=re.M)  # text, heading, text, ...
    parts = [pieces[0]] + [h + body for h, body in zip(pieces[1::2], pieces[2::2])]
    assert len(anchors) == len(parts), f"{md.name}: a heading without an explicit id"
    return [
        (a, text)
        for a, text in zip(anchors, parts)
        if not (md.name == "index.md" and a == "chapters")
    ]


def _uses(text: str, term: str) -> bool:
    """The term as a word of its own: not the tail of a longer word (a Korean
    particle may follow it)."""
    return re.search(rf"(?<![\w]){re.escape(term)}", text) is not None


def _first_page(term: str) -> Path | None:
    for md in nav_pages():
        if md.name != "glossary.md" and any(_uses(text, term) for _, text in _sections(md)):
            return md
    return None


@pytest.mark.parametrize("korean,english,link", KOREAN, ids=[e for _, e, _ in KOREAN])
def test_glossary_links_to_where_the_term_first_appears(korean, english, link):
    """In reading order (the nav), the page the glossary's "first appears
    in" column names is the first that uses the term, and its anchor is the
    first section of that page that introduces it as 한국어(English)."""
    first = _first_page(korean)
    assert first is not None and first.name == link.split("#")[0], (
        f"glossary.md says {korean} first appears in {link}, but {first.name} uses it earlier"
    )
    introduced = re.compile(rf"(?<![\w]){re.escape(korean)}(\*\*)?\({re.escape(english)}[,)]")
    where = next((anchor for anchor, text in _sections(first) if introduced.search(text)), None)
    assert where is not None, f"{first.name} never introduces {korean}({english})"
    expected = f"{first.name}#{where}" if where else first.name
    assert link == expected, f"glossary.md links {korean} to {link}; it is introduced at {expected}"


# ------------------------------------------------------ one term per concept

# Other words for a glossary term that crept in, as regular expressions over a
# Korean page's prose. Each says which glossary term to write instead.
VARIANTS = {
    r"문턱(?!값)": "문턱값",
    r"무게": "가중치",
    r"(?<![\w])(on|off|ON|OFF)(/(on|off|ON|OFF))? ?이벤트|온/오프 이벤트|(?<![\w])(온|오프) 이벤트": "온 스파이크 / 오프 스파이크",
    r"(?<![\w])(on|off)[ -]스파이크": "온 스파이크 / 오프 스파이크",
    r"float 텐서": "실수 텐서 (or the dtype in code, `float32`)",
    r"임계값|임계치": "문턱값",
    r"발화 ?빈도|발화 ?속도": "발화율",
    r"스파이크 ?트레인": "스파이크 열",
    r"타임 ?스텝": "시간 단계",
    # 매 시간 / 한 시간 read as "every hour" / "one hour"
    r"(?<![가-힣])(매|한) 시간 단계": "시간 단계 (시간 단계마다, 시간 단계 하나에서)",
}


@pytest.mark.parametrize(
    "md", [p for p in korean_pages() if p.name != "glossary.md"], ids=lambda p: p.name
)
def test_korean_pages_use_one_term_per_concept(md):
    text = prose(md.read_text(encoding="utf-8"))
    found = [
        f"line {line_of(text, m)}: {m.group(0)!r} -> {instead}"
        for pattern, instead in VARIANTS.items()
        for m in re.finditer(pattern, text)
    ]
    assert not found, f"{md.name}: " + "; ".join(found)


def test_every_variant_names_a_glossary_term():
    terms = {korean for korean, _, _ in KOREAN}
    for instead in VARIANTS.values():
        named = instead.split(" (")[0].split(" / ")
        assert set(named) <= terms | {"실수 텐서"}, instead


# ------------------------------------------------------ tooltips from the glossary


class _Article(HTMLParser):
    """The article's text outside code, links, headings and math, and its <abbr>s."""

    SKIP = {
        "a",
        "code",
        "pre",
        "script",
        "style",
        "summary",
        "svg",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.abbrs, self.misplaced = [], [], []
        self._open, self._in_article, self._abbr = [], False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article":
            self._in_article = True
        if not self._in_article or tag in {"br", "img", "hr", "input", "meta", "link", "wbr"}:
            return
        skipped = tag in self.SKIP or "arithmatex" in (attrs.get("class") or "")
        if tag == "abbr":
            if any(self._open):
                self.misplaced.append(attrs.get("title"))
            self._abbr = [attrs.get("title"), ""]
        self._open.append(skipped)

    def handle_endtag(self, tag):
        if tag == "article":
            self._in_article = False
        elif self._in_article and self._open and tag not in {"br", "img", "hr", "input", "wbr"}:
            self._open.pop()
            if tag == "abbr" and self._abbr:
                self.abbrs.append(tuple(self._abbr))
                self._abbr = None

    def handle_data(self, data):
        if self._in_article and not any(self._open):
            self.text.append(data)
            if self._abbr:
                self._abbr[1] += data


def _terms_by_title(language: str) -> dict[str, list[str]]:
    """tooltip title -> the words it stands for, from the glossary itself."""
    from glossary_tooltips import read_glossary

    page = "glossary.md" if language == "ko" else "glossary.en.md"
    return {term.title: term.words for term in read_glossary(DOCS / page, language)}


@pytest.mark.parametrize("language", ["ko", "en"])
def test_glossary_terms_show_their_meaning_on_hover(site, language):
    """On every page but the glossary, the first use of each term met so far
    is an <abbr> whose title (Material's tooltip) is the glossary's meaning,
    led in Korean by the English term; each term is marked once, never
    inside code, links, headings or math, and never before the reader has
    met it (its "first appears in" page comes later in the nav)."""
    from glossary_tooltips import word_pattern

    titles = _terms_by_title(language)
    first_pages = {
        (k if language == "ko" else e.split(",")[0]): link.split("#")[0] for k, e, link in KOREAN
    }
    order = [md.name for md in nav_pages()]
    for md in nav_pages():
        parser = _Article()
        parser.feed(built_page(site.path, md, language).read_text(encoding="utf-8"))
        marked = [title for title, _ in parser.abbrs]
        where = f"{md.name} ({language})"
        if md.name == "glossary.md":
            assert not marked, where
            continue
        assert not parser.misplaced, f"{where}: tooltips inside code/links/headings"
        assert len(marked) == len(set(marked)), f"{where}: a term is marked twice"
        text = "".join(parser.text)
        # What the page uses: the longest term wins ("기울기 과부하" is not a use of 기울기)
        everything = word_pattern([w for words in titles.values() for w in words])
        used_words = {m.group(1).lower() for m in everything.finditer(text)}
        for title, words in titles.items():
            met = order.index(first_pages[words[0]]) <= order.index(md.name)
            used = any(
                w.lower() in used_words
                or w.lower() + "s" in used_words
                or w.lower() + "es" in used_words
                for w in words
            )
            if title in marked:
                assert met, f"{where}: {words[0]} is marked before the page that introduces it"
                text_of = next(t for ti, t in parser.abbrs if ti == title)
                assert word_pattern(words).fullmatch(text_of), (where, words, text_of)
            else:
                assert not (met and used), f"{where}: {words[0]} is used but has no tooltip"
    assert len(titles) == len(KOREAN)
    if language == "ko":
        assert titles and all(": " in title for title in titles)  # "english: meaning"
