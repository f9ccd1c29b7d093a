"""Print the @font-face rules that draw Latin text in Arial until Pretendard arrives.

extra.css holds their output. Each character is drawn as wide as
Pretendard draws it only if Arial is scaled by that character's own ratio
(0.76 for "_", 0.90 for a space, 1.30 for "-"), and size-adjust applies to a
whole face. So the characters are sorted by that ratio and split into four
groups, each a face with the mean ratio of its characters, weighted by how
often the pages use them. The split is the one with the smallest weighted
error. Characters past ASCII (but the no-break space) go to the group
nearest 1.

Every face keeps Pretendard's line metrics, divided by its size-adjust
because the overrides are scaled by it.

Run it by hand after changing the font or much of the text:
``python data/fonts/fallback_faces.py`` (needs Liberation Sans, Arial's
metric twin: Debian's fonts-liberation).
"""

import re
from collections import Counter
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fontTools.varLib.instancer import instantiateVariableFont

ROOT = Path(__file__).resolve().parents[2]
PRETENDARD = ROOT / "data/fonts/PretendardVariable.woff2"
LIBERATION = Path("/usr/share/fonts/truetype/liberation")
FACES = [  # Pretendard's weight, the face's CSS weights, Arial's twin, Arial's local() names
    (
        400,
        "100 599",
        "LiberationSans-Regular.ttf",
        ["Arial", "ArialMT", "Liberation Sans", "LiberationSans"],
    ),
    (
        700,
        "600 900",
        "LiberationSans-Bold.ttf",
        ["Arial Bold", "Arial-BoldMT", "Liberation Sans Bold", "LiberationSans-Bold"],
    ),
]
GROUPS = 4
CHARACTERS = [chr(c) for c in range(0x20, 0x7F)] + ["\u00a0"]
REST = "U+0000-001F, U+007F-009F, U+00A1-024F, U+2000-206F"  # the rest of Latin and punctuation


def advances(font):
    """Each character's advance width, in em."""
    units, cmap, hmtx = font["head"].unitsPerEm, font.getBestCmap(), font["hmtx"]
    return {c: hmtx[cmap[ord(c)]][0] / units for c in CHARACTERS}


def text_of_the_pages():
    """How often each character appears in the prose (not code, not math) of both languages."""
    counts = Counter()
    for page in (ROOT / "docs").rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        text = re.sub(r"```.*?```|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]*\$|<[^>]+>", " ", text, flags=re.S)
        counts.update(text)
    return counts


def best_split(ratios, weights):
    """Split the characters, sorted by ratio, into GROUPS runs with the least weighted squared error."""
    chars = sorted(ratios, key=ratios.get)

    @cache
    def error(i, j):
        run = chars[i:j]
        total = sum(weights[c] for c in run)
        mean = sum(weights[c] * ratios[c] for c in run) / total
        return sum(weights[c] * (ratios[c] - mean) ** 2 for c in run), mean

    best = {(0, 0): (0.0, [])}  # (groups, characters taken): (error, [(mean, run), ...])
    for groups in range(1, GROUPS + 1):
        for j in range(groups, len(chars) + 1):
            options = []
            for i in range(groups - 1, j):
                if (groups - 1, i) in best:
                    run_error, mean = error(i, j)
                    previous_error, previous = best[groups - 1, i]
                    options.append((previous_error + run_error, previous + [(mean, chars[i:j])]))
            best[groups, j] = min(options, key=lambda option: option[0])
    return best[GROUPS, len(chars)][1]


def unicode_range(chars):
    codes = sorted(ord(c) for c in chars)
    runs = []
    for code in codes:
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return ", ".join(f"U+{a:04X}" if a == b else f"U+{a:04X}-{b:04X}" for a, b in runs)


def main():
    counts = text_of_the_pages()
    source = TTFont(PRETENDARD)  # its line metrics, in em (0.9521 and 0.2412)
    ascent = round(source["hhea"].ascent / source["head"].unitsPerEm, 4)
    descent = round(-source["hhea"].descent / source["head"].unitsPerEm, 4)
    for weight, css_weights, file, names in FACES:
        pretendard = advances(instantiateVariableFont(TTFont(PRETENDARD), {"wght": weight}))
        arial = advances(TTFont(LIBERATION / file))
        ratios = {c: pretendard[c] / arial[c] for c in CHARACTERS}
        groups = best_split(ratios, {c: counts[c] + 0.5 for c in CHARACTERS})
        nearest_one = min(range(GROUPS), key=lambda g: abs(groups[g][0] - 1))
        for g, (mean, chars) in enumerate(groups):
            rest = ", " + REST if g == nearest_one else ""
            print("@font-face {")
            print('  font-family: "Tutorial Sans Fallback";')
            print("  src: " + ", ".join(f'local("{name}")' for name in names) + ";")
            print(f"  font-weight: {css_weights};")
            print(f"  size-adjust: {mean:.2%};")
            print(f"  ascent-override: {ascent / mean:.2%};")
            print(f"  descent-override: {descent / mean:.2%};")
            print("  line-gap-override: 0%;")
            print(f"  unicode-range: {unicode_range(chars)}{rest};")
            print("}")


if __name__ == "__main__":
    main()
