"""Drift canary: python tests/drift.py [--report FILE] [--keep DIR]

Would the site still build, and show the same, with the newest releases?
In a fresh virtual environment it installs the newest snnTorch, torch and
torchvision (a matching pair), matplotlib, numpy and pandas that the package
index serves, with everything else as requirements.txt pins it. Then it
runs every snippet there and here (the pinned versions), and the chapter
tests (the quick tier) there, and reports:

  - the versions, pinned and newest;
  - which snippets fail, and where;
  - which printed outputs changed (a diff against the pinned run);
  - which figures changed (pixels, not bytes: a PNG names its matplotlib);
  - which tests fail.

It prints the report (Markdown), writes it to FILE with --report, and exits
with 1 when anything differs, 0 when nothing does, so the weekly workflow
(.github/workflows/drift.yml) opens or updates one issue only when needed.
It is a measurement, not a test: it needs the package index and several GB.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "hooks" / "tutorial" / "runner.py"
# What the canary moves to the newest release (pip's names).
PACKAGES = ("snntorch", "torch", "torchvision", "matplotlib", "numpy", "pandas")
VERSIONS = (  # a program printing the installed versions of its arguments
    "import importlib.metadata as m, json, sys; "
    "print(json.dumps({p: m.version(p) for p in sys.argv[1:]}))"
)


def run(command: list, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


def newest(package: str) -> list[str]:
    """The releases the package index serves, newest first."""
    out = run([sys.executable, "-m", "pip", "index", "versions", package]).stdout
    found = re.search(r"Available versions: (.+)", out)
    if not found:
        sys.exit(f"the package index lists no release of {package}:\n{out}")
    return [v.strip() for v in found[1].split(",") if "+" not in v]


def matching_torch(torchvision: str, torches: list[str]) -> str:
    """The newest torch that this torchvision is built for: torchvision 0.N
    goes with torch 2.(N-15) (0.24 with 2.9, 0.29 with 2.14; the table in
    torchvision's README). Other pairs fail to import torchvision."""
    minor = int(torchvision.split(".")[1]) - 15
    pair = [v for v in torches if v.startswith(f"2.{minor}.")]
    if not pair:
        sys.exit(f"no torch 2.{minor}.x on the index for torchvision {torchvision}")
    return pair[0]


def requirements(versions: dict[str, str]) -> str:
    """requirements.txt with PACKAGES moved to ``versions``."""
    lines = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        name = re.match(r"([A-Za-z0-9_.-]+)==", line)
        lines.append(f"{name[1]}=={versions[name[1]]}" if name and name[1] in versions else line)
    return "\n".join(lines) + "\n"


def run_snippets(python: Path, out: Path) -> dict[str, dict]:
    """Every snippet run by the build's runner with ``python``: stem -> its
    result.json, or {"error": ...} from error.json."""
    snippets = sorted((ROOT / "snippets").glob("*.py"))
    jobs = [str(arg) for s in snippets for arg in (s, out / s.stem)]
    process = run([python, RUNNER, *jobs], cwd=ROOT)
    results = {}
    for snippet in snippets:
        folder = out / snippet.stem
        if (folder / "error.json").exists():
            results[snippet.stem] = {"error": json.loads((folder / "error.json").read_text())}
        elif (folder / "result.json").exists():
            results[snippet.stem] = json.loads((folder / "result.json").read_text())
        else:
            message = process.stderr[-2000:] or "no result"
            results[snippet.stem] = {
                "error": {"location": snippet.name, "section": "?", "message": message}
            }
    return results


def same_picture(a: Path, b: Path) -> str | None:
    """None if the two images have the same pixels, else how they differ."""
    import numpy as np
    from PIL import Image, ImageSequence

    with Image.open(a) as one, Image.open(b) as two:
        frames = [
            [np.asarray(f.convert("RGBA")) for f in ImageSequence.Iterator(image)]
            for image in (one, two)
        ]
    if len(frames[0]) != len(frames[1]):
        return f"{len(frames[0])} frames -> {len(frames[1])}"
    for k, (x, y) in enumerate(zip(*frames)):
        if x.shape != y.shape:
            return f"size {x.shape[1]}x{x.shape[0]} -> {y.shape[1]}x{y.shape[0]}"
        changed = (x != y).any(axis=-1).mean()
        if changed:
            where = f" (frame {k})" if len(frames[0]) > 1 else ""
            return f"{changed:.2%} of pixels differ{where}"
    return None


def compare(before: dict, after: dict, before_dir: Path, after_dir: Path) -> dict[str, dict]:
    """What differs between two runs of every snippet: failures (stem ->
    where and why), printed outputs ((stem, section) -> diff) and figures
    ((stem, file) -> how)."""
    found: dict[str, dict] = {"failures": {}, "outputs": {}, "figures": {}}
    for stem, result in after.items():
        if "error" in result:
            e = result["error"]
            found["failures"][stem] = (
                f"`{e['location']}` (section `{e['section']}`): {e['message']}"
            )
            continue
        if "error" in before[stem]:
            continue  # fails with the pins too: CI says so already
        for section, now in result["sections"].items():
            old = before[stem]["sections"].get(section, {"stdout": "", "files": []})
            if now["stdout"] != old["stdout"]:
                diff = difflib.unified_diff(
                    old["stdout"].splitlines(),
                    now["stdout"].splitlines(),
                    "pinned",
                    "newest",
                    lineterm="",
                    n=1,
                )
                found["outputs"][stem, section] = "\n".join(diff)
            for name in sorted(set(now["files"]) | set(old["files"])):
                if name not in old["files"] or name not in now["files"]:
                    side = "newest" if name in now["files"] else "pinned"
                    found["figures"][stem, name] = f"made only with the {side} versions"
                elif name.endswith((".png", ".gif")):
                    change = same_picture(before_dir / stem / name, after_dir / stem / name)
                    if change:
                        found["figures"][stem, name] = change
    return found


def masked(one: str, two: str, text: str) -> str:
    """``text`` with the words that differ between two pinned runs ``one``
    and ``two`` (measured times) replaced by "~", where the lines line up."""
    a, b, c = (t.splitlines() for t in (one, two, text))
    if not len(a) == len(b) == len(c):
        return text
    lines = []
    for x, y, z in zip(a, b, c):
        x, y, z = x.split(), y.split(), z.split()
        if len(x) == len(y) == len(z):
            z = ["~" if p != q else w for p, q, w in zip(x, y, z)]
        lines.append(" ".join(z))
    return "\n".join(lines)


def report(pinned: dict, latest: dict, note: str, found: dict, noise: dict, tests: str) -> str:
    lines = ["# Drift canary", "", "| package | pinned | newest |", "|---|---|---|"]
    lines += [
        f"| {p} | {pinned[p]} | {latest[p]}{' (new)' if pinned[p] != latest[p] else ''} |"
        for p in PACKAGES
    ]
    lines += [note] if note else []
    failures, figures = found["failures"], found["figures"]
    lines += ["", f"## Snippets that fail: {len(failures)}"]
    lines += [""] * bool(failures) + [f"- {why}" for why in failures.values()]
    lines += ["", f"## Figures that changed: {len(figures)}"]
    lines += [""] * bool(figures) + [
        f"- `{stem}/{name}`: {how}" for (stem, name), how in figures.items()
    ]
    lines += ["", f"## Printed outputs that changed: {len(found['outputs'])}"]
    for (stem, section), diff in found["outputs"].items():
        lines += ["", f"`{stem}.py`, section `{section}`:", "", "```diff", diff, "```"]
    varies = [f"`{stem}` `{part}`" for kind in noise.values() for stem, part in kind]
    if varies:
        lines += [
            "",
            "These differ between two runs of the pinned versions (measured times), "
            "so they are compared without the words that moved: " + ", ".join(varies) + ".",
        ]
    lines += ["", "## Chapter tests (quick tier) with the newest versions", "", tests]
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report", type=Path, help="also write the report here")
    parser.add_argument("--keep", type=Path, help="make the environment here and keep it")
    args = parser.parse_args()

    releases = {p: newest(p) for p in PACKAGES}
    latest = {p: releases[p][0] for p in PACKAGES}
    latest["torch"] = matching_torch(latest["torchvision"], releases["torch"])
    pinned = json.loads(run([sys.executable, "-c", VERSIONS, *PACKAGES]).stdout)
    note = ""
    if releases["torch"][0] != latest["torch"]:
        note = f"\ntorch {releases['torch'][0]} is out; no torchvision release goes with it yet.\n"

    work = Path(tempfile.mkdtemp(prefix="drift-"))
    venv = args.keep or work / "venv"
    try:
        print(f"newest: {latest}\nmaking {venv} ...", file=sys.stderr)
        run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = venv / "bin" / "python"
        (work / "requirements.txt").write_text(requirements(latest))
        install = run([python, "-m", "pip", "install", "-q", "-r", work / "requirements.txt"])
        if install.returncode:
            text = (
                "# Drift canary\n\nThe newest releases do not install together:\n\n"
                f"```\n{install.stderr[-4000:]}\n```\n"
            )
            return finish(text, args.report, 1)
        got = json.loads(run([python, "-c", VERSIONS, *PACKAGES]).stdout)
        print("running every snippet: pinned (twice), newest ...", file=sys.stderr)
        runs = {name: work / name for name in ("pinned", "again", "newest")}
        old = run_snippets(Path(sys.executable), runs["pinned"])
        again = run_snippets(Path(sys.executable), runs["again"])
        new = run_snippets(python, runs["newest"])
        noise = compare(old, again, runs["pinned"], runs["again"])
        found = compare(old, new, runs["pinned"], runs["newest"])
        for key in noise["figures"]:
            found["figures"].pop(key, None)
        for stem, section in noise["outputs"]:  # compare what stays put
            if (stem, section) in found["outputs"]:
                texts = [r[stem]["sections"][section]["stdout"] for r in (old, again, new)]
                if masked(*texts[:2], texts[0]) == masked(*texts[:2], texts[2]):
                    del found["outputs"][stem, section]
        print("running the chapter tests with the newest versions ...", file=sys.stderr)
        tests = run(
            [
                python,
                "-m",
                "pytest",
                "-q",
                "-m",
                "not browser and not slow",
                "-p",
                "no:cacheprovider",
            ],
            cwd=ROOT,
        )
        failed = re.findall(r"^FAILED (\S+)", tests.stdout, re.M)
        lines = tests.stdout.strip().splitlines() or [tests.stderr[-500:]]
        test_text = "\n".join([lines[-1], ""] + [f"- `{t}`" for t in failed])
        text = report(pinned, got, note, found, noise, test_text)
        return finish(text, args.report, 1 if any(found.values()) or tests.returncode else 0)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def finish(text: str, path: Path | None, code: int) -> int:
    print(text)
    if path:
        path.write_text(text, encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main())
