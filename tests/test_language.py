"""House style that a reader notices: Korean particles that fit the name
before them, 합니다체 throughout, Korean words in Korean prose, and one
spelling convention (American) on the English pages."""

from __future__ import annotations

import re

import pytest

from helpers import DOCS, korean_pages, line_of, prose

KOREAN_PAGES = korean_pages()
ENGLISH_PAGES = sorted(DOCS.rglob("*.en.md"))


# ------------------------------------------------------------------ particles

# How Korean readers say each name, and so which particle follows it: a name
# whose reading ends in a consonant (받침) takes 이/은/을/과/으로, one that ends
# in a vowel takes 가/는/를/와/로. A reading that ends in ㄹ takes 로 too.
READINGS = {
    "matplotlib": "맷플롯립",
    "torchvision": "토치비전",
    "Python": "파이썬",
    "spikegen": "스파이크젠",
    "spikeplot": "스파이크플롯",
    "Colab": "코랩",
    "SNN": "에스엔엔",
    "BindsNET": "바인즈넷",
    "KaTeX": "카텍",
    "Tonic": "토닉",
    "snnTorch": "에스엔엔토치",
    "PyTorch": "파이토치",
    "pandas": "판다스",
    "NumPy": "넘파이",
    "numpy": "넘파이",
    "MNIST": "엠니스트",
    "GPU": "지피유",
    "CPU": "시피유",
    "DVS": "디브이에스",
    "Jupyter": "주피터",
    "GIF": "지아이에프",
    "ffmpeg": "에프에프엠펙",
    "Pillow": "필로",
    "Norse": "노스",
    "SpikingJelly": "스파이킹젤리",
    "Leaky": "리키",
    "MkDocs": "엠케이독스",
    "Material": "머티리얼",
}
AFTER_CONSONANT = {"가": "이", "는": "은", "를": "을", "와": "과", "로": "으로"}
AFTER_VOWEL = {v: k for k, v in AFTER_CONSONANT.items()}


def _final_consonant(reading: str) -> int:
    """0 for none, else the index of the last syllable's 받침 (8 is ㄹ)."""
    return (ord(reading[-1]) - 0xAC00) % 28


def _wrong_particles(text: str) -> list[str]:
    wrong = []
    for name, reading in READINGS.items():
        final = _final_consonant(reading)
        table = AFTER_CONSONANT if final else AFTER_VOWEL
        for particle, right in table.items():
            if particle == "로" and final == 8:  # ㄹ: 로 is right
                continue
            for m in re.finditer(rf"(?<![\w.]){re.escape(name)}(\*\*)?{particle}(?![가-힣])", text):
                wrong.append(
                    f"line {line_of(text, m)}: {name}{particle} ({reading}) -> {name}{right}"
                )
    return wrong


def test_particle_rule_knows_which_readings_end_in_a_consonant():
    assert _wrong_particles(
        "matplotlib가 그립니다. snnTorch은 다릅니다. Material로 만든 사이트"
    ) == [
        "line 1: matplotlib가 (맷플롯립) -> matplotlib이",
        "line 1: snnTorch은 (에스엔엔토치) -> snnTorch는",
    ]
    assert _wrong_particles("matplotlib이 그리고 PyTorch가 계산하며 Python으로 씁니다.") == []


@pytest.mark.parametrize("md", KOREAN_PAGES, ids=lambda p: p.name)
def test_particles_follow_the_korean_reading_of_a_name(md):
    wrong = _wrong_particles(prose(md.read_text(encoding="utf-8")))
    assert not wrong, f"{md.name}: " + "; ".join(wrong)


# ------------------------------------------------------------------ 합니다체

# A sentence that ends in 다 must end in 니다 (합니다, 입니다) or be a
# suggestion (합시다, 봅시다); anything else is 한다체 (있다, 한다).
PLAIN_STYLE = re.compile(r"[가-힣]*(?<![니시])다(?=[.!?]|\s*$|\s*[|\]<])", re.M)


def test_plain_style_rule():
    assert [m.group(0) for m in PLAIN_STYLE.finditer("흩어져 있다. 있습니다. 합시다. 한다]")] == [
        "있다",
        "한다",
    ]


@pytest.mark.parametrize("md", KOREAN_PAGES, ids=lambda p: p.name)
def test_korean_is_written_in_hamnida_style_everywhere(md):
    """Prose, alt text and captions alike."""
    text = prose(md.read_text(encoding="utf-8"))
    found = [
        f"line {line_of(text, m)}: ...{text[max(0, m.start() - 20) : m.end()]}"
        for m in PLAIN_STYLE.finditer(text)
    ]
    assert not found, f"{md.name} has sentences in 한다체: " + "; ".join(found)


# -------------------------------------------------- English words in Korean

# Lowercase English words that may stand in Korean prose: names of programs
# and units. Anything else (`float 텐서`, `on 이벤트`, `clip 없이`) is either
# code that belongs in backticks or a word that has a Korean term.
NAMES = {
    "matplotlib",
    "ffmpeg",
    "snntorch",
    "torchvision",
    "pandas",
    "numpy",
    "pip",
    "conda",
    "apt",
    "ms",
    "mV",
    "spikegen",
    "spikeplot",
}


@pytest.mark.parametrize("md", KOREAN_PAGES, ids=lambda p: p.name)
def test_korean_prose_uses_korean_words_or_code(md):
    text = prose(md.read_text(encoding="utf-8"))
    found = [
        f"line {line_of(text, m)}: {m.group(0)!r}"
        for m in re.finditer(r"(?<![\w/.(\-'\"])([a-z][a-z_]+) [가-힣]+", text)
        if m.group(1) not in NAMES
    ]
    assert not found, (
        f"{md.name}: an English word inside Korean prose; use the Korean "
        "term, or put code in backticks: " + "; ".join(found)
    )


# ------------------------------------------------------------ American English

# British spellings (and their inflections) with the American spelling the
# site uses. Code identifiers are outside the prose, so `normalize=` is safe.
BRITISH = {
    r"visualis": "visualiz",
    r"normalis": "normaliz",
    r"quantis": "quantiz",
    r"recognis": "recogniz",
    r"organis": "organiz",
    r"summaris": "summariz",
    r"characteris": "characteriz",
    r"minimis": "minimiz",
    r"maximis": "maximiz",
    r"randomis": "randomiz",
    r"initialis": "initializ",
    r"optimis": "optimiz",
    r"generalis": "generaliz",
    r"realis(e|ed|es|ing|ation)\b": "realiz",
    r"emphasis(e|ed|es|ing)\b": "emphasiz",
    r"analys(e|ed|es|ing)\b": "analyz",
    r"colour": "color",
    r"behaviour": "behavior",
    r"neighbour": "neighbor",
    r"centre": "center",
    r"favour": "favor",
    r"grey": "gray",
    r"signall": "signal",
    r"modell": "model",
    r"labell": "label",
    r"travell": "travel",
    r"cancell": "cancel",
    r"programme": "program",
    r"licence": "license",
    r"artefact": "artifact",
    r"judgement": "judgment",
    r"whilst": "while",
}


@pytest.mark.parametrize("md", ENGLISH_PAGES, ids=lambda p: p.name)
def test_english_pages_use_american_spelling(md):
    text = prose(md.read_text(encoding="utf-8"))
    found = [
        f"line {line_of(text, m)}: {m.group(0)!r} -> {american}"
        for british, american in BRITISH.items()
        for m in re.finditer(rf"\b\w*{british}\w*", text, re.IGNORECASE)
    ]
    assert not found, f"{md.name}: " + "; ".join(found)
