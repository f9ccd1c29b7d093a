"""Build benchmark: python tests/benchmark.py [--no-tests] [--no-lighthouse] [--lighthouse-only]

Measures, on a copy of the working tree with an empty snippet cache:
  cold build, warm rebuild, rebuild after editing one snippet, MkDocs
  rendering alone (the same pages, hooks off), each snippet's run time,
  the test suite, each page's weight (HTML + its own images/animations), and
  Lighthouse (mobile and desktop presets, every page in both languages; it
  installs lighthouse@12.2.3 from npm into .cache/lighthouse the first time).
Prints a Markdown report and writes it to BENCHMARK.md. It is a measurement,
not a test: nothing here passes or fails.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
ROUNDS = 3  # times each build is measured; the report gives the median
# the browser the tests use (conftest.py): Debian's chromium unless CHROMIUM_PATH says
CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"


def timing(times: float | list[float]) -> str:
    """'20.1' for one measurement; the median and the range for several."""
    if isinstance(times, float):
        return f"{times:.1f}"
    return f"{statistics.median(times):.1f} ({min(times):.1f}-{max(times):.1f})"


def build(project: Path, config: str = "mkdocs.yml", strict: bool = True) -> tuple[float, str]:
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "-q" if not strict else "--strict",
        "-f",
        config,
        "-d",
        str(project / "site"),
    ]
    started = time.perf_counter()
    process = subprocess.run(command, cwd=project, env=ENV, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if strict and process.returncode:
        sys.exit(f"build failed:\n{process.stderr[-3000:]}")
    return seconds, process.stderr


def snippets_line(log: str) -> str:
    match = re.search(r"Snippets: (\d+) run", log)
    return f"{match.group(1)} snippet(s) ran" if match else "?"


def page_weights(site: Path) -> list[tuple[str, int, int, int]]:
    rows = []
    for page in sorted(site.rglob("index.html")):
        text = page.read_text(encoding="utf-8")
        own = {
            (page.parent / src).resolve()
            for src in re.findall(r'<img [^>]*src="([^"]+)"', text)
            if "figures/" in src
        }
        media = sum(f.stat().st_size for f in own if f.is_file())
        html = page.stat().st_size
        name = page.parent.relative_to(site).as_posix()
        rows.append(({".": "(home)", "en": "en (home)"}.get(name, name), html, media, html + media))
    return rows


DUMP_HOOK = """\
# Benchmark only: write each page's Markdown as the build renders it (after
# every hook has changed it) and the files the hooks add, as a plain docs folder.
import shutil
from pathlib import Path

import yaml
from mkdocs.plugins import event_priority

DUMP = Path(__file__).resolve().parent.parent / "rendered-docs"


@event_priority(-1000)
def on_page_markdown(markdown, page, config, files):
    src = page.file.src_uri
    if src.startswith("en/"):  # a generated English page: the suffix layout
        src = src[3:-3] + ".en.md"
    target = DUMP / src
    target.parent.mkdir(parents=True, exist_ok=True)
    meta = f"---\\n{yaml.safe_dump(page.meta, allow_unicode=True)}---\\n\\n" if page.meta else ""
    target.write_text(meta + markdown, encoding="utf-8")
    return markdown


def on_post_build(config):
    site = Path(config.site_dir)
    if (site / "figures").is_dir() and not (DUMP / "figures").exists():
        shutil.copytree(site / "figures", DUMP / "figures")
    for notebook in site.glob("**/notebooks/*.ipynb"):
        name = notebook.name if notebook.parent.parent == site else notebook.stem + ".en.ipynb"
        (DUMP / "notebooks").mkdir(parents=True, exist_ok=True)
        shutil.copy(notebook, DUMP / "notebooks" / name)
"""


def render_alone(project: Path) -> tuple[list[float], int, int]:
    """MkDocs rendering alone, like for like: the pages the warm build
    renders (chapters with their outputs, notebook views, glossary
    tooltips), taken from a warm build as Markdown and built again by MkDocs
    with the project's hooks off. Returns its seconds and the page counts."""
    config = (project / "mkdocs.yml").read_text()
    hooks = re.search(r"\nhooks:\n((?:  - .*\n)+)", config)
    shutil.copytree(project / "docs", project / "rendered-docs")
    (project / "hooks" / "bench_dump.py").write_text(DUMP_HOOK)
    (project / "dump.yml").write_text(
        config.replace(hooks[0], hooks[0] + "  - hooks/bench_dump.py\n")
    )
    build(project, "dump.yml")
    (project / "render-only.yml").write_text(
        config.replace(hooks[0], "\n") + "docs_dir: rendered-docs\n"
    )
    times = []
    for _ in range(ROUNDS):
        shutil.rmtree(project / "site")
        times.append(build(project, "render-only.yml", strict=False)[0])
    rendered = len(list((project / "site").rglob("index.html")))
    shutil.rmtree(project / "site")
    build(project)
    return times, len(list((project / "site").rglob("index.html"))), rendered


class SiteServer:
    """The built site served as GitHub Pages serves it: under site_url's
    path, text files gzip-compressed. ``with SiteServer(site) as base:``"""

    TEXT = (".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt")

    def __init__(self, site: Path):
        import functools
        import gzip
        import http.server
        import io

        sys.path.insert(0, str(ROOT / "tests"))
        from helpers import SITE_PATH, SiteHandler

        class Handler(SiteHandler):
            def send_head(self):
                path = Path(self.translate_path(self.path))
                path = path / "index.html" if path.is_dir() else path
                gzipped = "gzip" in self.headers.get("Accept-Encoding", "")
                if not (gzipped and path.suffix in SiteServer.TEXT and path.is_file()):
                    return super().send_head()
                data = gzip.compress(path.read_bytes(), 6)
                self.send_response(200)
                self.send_header("Content-Type", self.guess_type(str(path)))
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                return io.BytesIO(data)

        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=str(site))
        )
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}{SITE_PATH}"

    def __enter__(self) -> str:
        import threading

        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self.base

    def __exit__(self, *exc):
        self.httpd.shutdown()


# Lighthouse, pinned, from npm (Node as installed); Chromium as the tests use it.
LIGHTHOUSE = "lighthouse@12.2.3"
LIGHTHOUSE_DIR = ROOT / ".cache" / "lighthouse"
METRICS = {  # audit id -> column
    "first-contentful-paint": "FCP s",
    "largest-contentful-paint": "LCP s",
    "total-blocking-time": "TBT ms",
    "cumulative-layout-shift": "CLS",
    "total-byte-weight": "KiB",
}


def lighthouse_pages(preset: str) -> list[str]:
    """The home page, every chapter (and the playground) in both languages;
    on a phone (issue 14 judges the site there), every chapter's notebook
    view too."""
    sys.path.insert(0, str(ROOT / "tests"))
    from helpers import LANGUAGES, visit_url, visits

    shown = [visit for visit in visits() if preset == "mobile" or not visit[2]]
    return [
        LANGUAGES[language] + visit_url(md, view)
        for language in LANGUAGES  # Korean pages first, as before
        for md, lang, view in shown
        if lang == language
    ]


def lighthouse_scores(site: Path, runs: int = ROUNDS) -> dict[str, list[tuple]]:
    """preset -> rows (page, performance, accessibility, best practices,
    SEO, FCP, LCP, TBT, CLS, weight), each the median of ``runs``."""
    binary = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", LIGHTHOUSE_DIR, LIGHTHOUSE],
            check=True,
            capture_output=True,
        )
    flags = "--headless=new --no-sandbox --disable-gpu --disable-background-networking"
    tables = {}

    def run(url: str, preset: str) -> dict:
        command = [
            binary,
            url,
            "--quiet",
            "--output=json",
            "--output-path=stdout",
            f"--chrome-flags={flags}",
        ]
        if preset == "desktop":
            command.append("--preset=desktop")
        out = subprocess.run(
            command, capture_output=True, text=True, env={**ENV, "CHROME_PATH": CHROMIUM}
        )
        try:
            report = json.loads(out.stdout)
            failed = [c["id"] for c in report["categories"].values() if c["score"] is None]
        except (json.JSONDecodeError, KeyError) as error:
            failed = [f"no report ({error})"]
            report = {}
        if out.returncode or failed:
            problem = report.get("runtimeError", {}).get("message") or out.stderr.strip()[-800:]
            raise SystemExit(
                f"Lighthouse ({preset}) failed on {url}: exit status {out.returncode}, "
                f"unscored: {', '.join(failed) or 'none'}\n{problem}"
            )
        return report

    with SiteServer(site) as base:
        # A warm-up run, thrown away (Chromium, Node and the site cold on
        # disk): in the run of 2026-12-03 11:09 the first two pages measured
        # were the lowest, 80 and 83, and 93 and 91 right after that run.
        run(base, "mobile")
        for preset in ("mobile", "desktop"):
            pages = lighthouse_pages(preset)
            results = {page: [] for page in pages}
            # Every page once, then every page again: a slow minute of the
            # machine then spoils one of a page's runs, which the median
            # drops, not all of them, as it did when they were back to back.
            for _ in range(runs):
                for page in pages:
                    report = run(base + page, preset)
                    scores = [round(c["score"] * 100) for c in report["categories"].values()]
                    values = [report["audits"][audit]["numericValue"] for audit in METRICS]
                    results[page].append(scores + values)
            tables[preset] = [
                (page or "(home)", *[statistics.median(col) for col in zip(*results[page])])
                for page in pages
            ]
    tables["runs"] = runs
    return tables


def last_report() -> str:
    """BENCHMARK.md as the last run left it ("" before the first)."""
    report = ROOT / "BENCHMARK.md"
    return report.read_text() if report.exists() else ""


def measured() -> tuple[str, str]:
    """Now, and the commit being measured."""
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return when, commit


# One row per Lighthouse run, kept from report to report (the tables below it
# keep only this run and the one before).
HISTORY = "## Every Lighthouse run so far"
HISTORY_HEAD = [
    HISTORY,
    "",
    "Performance per run (each page the median of its runs), and the lowest "
    "accessibility, best-practices or SEO score of any page. The first row is "
    "where issue 14 started (chapter pages only, no notebook views yet).",
    "",
    "| Measured | Commit | Mobile: pages | lowest | median | at 90+ "
    "| Desktop: lowest | median | A11y, best pr., SEO: lowest |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|",
]


def with_history(old: str, tables: dict) -> tuple[str, list[str]]:
    """The old report without its history section, and that section with
    this run's row added."""
    before, found, rest = old.partition(f"\n{HISTORY}\n")
    section, _, after = rest.partition("\n## ")
    rows = [line for line in section.splitlines() if line.startswith("| 20")]
    mobile, desktop = ([row[1] for row in tables[preset]] for preset in ("mobile", "desktop"))
    others = min(min(row[2:5]) for preset in ("mobile", "desktop") for row in tables[preset])
    when, commit = measured()
    rows.append(
        f"| {when} | {commit} | {len(mobile)} | {min(mobile):.0f} "
        f"| {statistics.median(mobile):.0f} | {sum(p >= 90 for p in mobile)} "
        f"| {min(desktop):.0f} | {statistics.median(desktop):.0f} | {others:.0f} |"
    )
    rest_of_report = before + ("\n## " + after if found and after else "")
    return rest_of_report, ["", *HISTORY_HEAD, *rows]


def lighthouse_lines(tables: dict) -> list[str]:
    lines = []
    runs = tables.pop("runs")
    when, commit = measured()
    for preset, rows in tables.items():
        lines += [
            "",
            f"## Lighthouse {LIGHTHOUSE.split('@')[1]}, {preset} preset "
            f"(median of {runs} runs per page; served with gzip under site_url's path)",
            "",
            f"Measured {when}, commit {commit}.",
            "",
            "| Page | Perf. | A11y | Best pr. | SEO | FCP s | LCP s | TBT ms | CLS | KiB |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for page, perf, a11y, bp, seo, fcp, lcp, tbt, cls, weight in rows:
            lines.append(
                f"| {page} | {perf:.0f} | {a11y:.0f} | {bp:.0f} | {seo:.0f} | {fcp / 1000:.1f} "
                f"| {lcp / 1000:.1f} | {tbt:.0f} | {cls:.3f} | {weight / 1024:.0f} |"
            )
        perf = [row[1] for row in rows]
        lines += [
            "",
            f"Performance: lowest {min(perf):.0f}, median {statistics.median(perf):.0f}"
            + (" (target: at least 90 on every page)." if preset == "mobile" else "."),
        ]
    return lines


# The playground's encode + draw, in Chromium: settings -> milliseconds per
# update (encode, decode, raster, frame, numbers), median of RUNS.
PLAYGROUND_CASES = {
    "rate, 784 pixels x 200 steps": "?encoder=rate&num_steps=200&gain=1&seed=0",
    "latency, 784 x 200": "?encoder=latency&num_steps=200&tau=5&threshold=0.01",
    "delta, moving digit, 784 x 20 frames": "?encoder=delta&threshold=0.1&off_spike=1",
    "population, 784 x 8 neurons x 100 steps": "?encoder=population&num_steps=100",
    "rank order, 784 x 784 steps": "?encoder=rank_order&num_steps=784",
}


def playground_times(site: Path, runs: int = 60) -> list[tuple[str, float, float]]:
    from playwright.sync_api import sync_playwright

    measure = """(runs) => {
      const times = [];
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        window.playground.update();
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      return [times[Math.floor(runs / 2)], times[Math.floor(runs * 0.9)]];
    }"""
    rows = []
    with SiteServer(site) as root, sync_playwright() as playwright:
        base = f"{root}en/playground/"
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for name, query in PLAYGROUND_CASES.items():
            page.goto(base + query)
            page.wait_for_function("window.playground && window.playground.result")
            median, p90 = page.evaluate(measure, runs)
            rows.append((name, median, p90))
        browser.close()
    return rows


def lighthouse_only() -> None:
    """--lighthouse-only: build once, run Lighthouse, replace BENCHMARK.md's
    Lighthouse sections (the rest of the report stays as it was)."""
    work = Path(tempfile.mkdtemp(prefix="spike-bench-"))
    site = work / "site"
    process = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
    )
    if process.returncode:
        sys.exit(f"build failed:\n{process.stderr[-3000:]}")
    tables = lighthouse_scores(site)
    old = last_report()
    old, history = with_history(old, tables)
    lines = lighthouse_lines(tables) + history
    kept, found, previous = old.partition("\n## Lighthouse")
    report = kept.rstrip("\n") + "\n" + "\n".join(lines) + "\n"
    if found:  # the run before this one stays, below, to compare with
        previous = ("## Lighthouse" + previous).split("\n## Before:")[0].strip("\n")
        report += (
            "\n## Before: the previous Lighthouse run\n\n"
            + previous.replace("## Lighthouse", "### Lighthouse")
            + "\n"
        )
    (ROOT / "BENCHMARK.md").write_text(report)
    print("\n".join(lines))
    shutil.rmtree(work, ignore_errors=True)


def copy_of_working_tree(target: Path, with_git: bool = False) -> Path:
    """The working tree without what builds and tests leave behind (.cache above all)."""
    left_out = [".cache", "site", "test-artifacts", "__pycache__", ".pytest_cache"]
    shutil.copytree(
        ROOT, target, ignore=shutil.ignore_patterns(*left_out, *([] if with_git else [".git"]))
    )
    return target


def yardstick() -> tuple[float, float]:
    """How fast this machine is right now, to compare reports from different
    days (the VM's CPU and its neighbours change): seconds for a fixed
    pure-Python loop, and for a fresh Python to import torch, torchvision
    and matplotlib (each the best of 3)."""
    loop = (
        "import time; t = time.perf_counter(); s = 0\n"
        "for i in range(10_000_000): s += i\n"
        "print(time.perf_counter() - t)"
    )
    imports = (
        "import time; t = time.perf_counter()\n"
        "import torch, torchvision, matplotlib.pyplot\n"
        "print(time.perf_counter() - t)"
    )
    times = [
        min(
            float(
                subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
            )
            for _ in range(3)
        )
        for code in (loop, imports)
    ]
    return times[0], times[1]


def main() -> None:
    if "--lighthouse-only" in sys.argv:
        return lighthouse_only()
    run_tests = "--no-tests" not in sys.argv
    work = Path(tempfile.mkdtemp(prefix="spike-bench-"))
    project = copy_of_working_tree(work / "project")
    rows = []
    speed_before = yardstick()

    # The machine's speed drifts (a VM's neighbours): each build is timed
    # ROUNDS times, interleaved, and the median reported with the range.
    cold, warm, edited, logs = [], [], [], {}
    snippet = project / "snippets" / "why_spikes.py"
    for round_ in range(ROUNDS):
        shutil.rmtree(project / ".cache", ignore_errors=True)
        seconds, logs["cold"] = build(project)
        cold.append(seconds)
        seconds, logs["warm"] = build(project)
        warm.append(seconds)
        snippet.write_text(snippet.read_text() + f"# edited {round_}\n")
        seconds, logs["edited"] = build(project)
        edited.append(seconds)
    rows.append(
        (
            "Cold build (empty cache, both languages, every snippet run)",
            cold,
            snippets_line(logs["cold"]),
        )
    )
    rows.append(("Warm rebuild (nothing changed)", warm, snippets_line(logs["warm"])))
    rows.append(
        (
            "Rebuild after editing one snippet (why_spikes.py)",
            edited,
            snippets_line(logs["edited"]),
        )
    )

    render, pages, rendered_pages = render_alone(project)
    rows.append(
        (
            "MkDocs rendering alone (the same pages as the warm build, hooks off)",
            render,
            f"{rendered_pages} pages; the warm build wrote {pages}",
        )
    )

    latest = {}  # the newest result of each snippet (older versions are kept for undo)
    for result in sorted(
        (project / ".cache" / "snippets").glob("*/result.json"), key=lambda p: p.stat().st_mtime
    ):
        latest[result.parent.name.rsplit("-", 1)[0]] = json.loads(result.read_text())["seconds"]
    snippet_times = sorted(latest.items())
    edited_run = latest["why_spikes"]

    if run_tests:
        # As CI runs it: with an empty cache, so the suite's first build is
        # cold (and with .git, which some tests read).
        checkout = copy_of_working_tree(work / "checkout", with_git=True)
        started = time.perf_counter()
        tests = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=checkout,
            env=ENV,
            capture_output=True,
            text=True,
        )
        summary = tests.stdout.strip().splitlines()[-1] if tests.stdout.strip() else "?"
        rows.append(
            (
                "Test suite (python -m pytest, in a copy with an empty cache, as CI runs it)",
                time.perf_counter() - started,
                summary,
            )
        )

    build(project)  # the site as published, for the page weights
    weights = page_weights(project / "site")
    playground = playground_times(project / "site")
    old = last_report()
    if "--no-lighthouse" in sys.argv:  # the last Lighthouse run stays, with its own date
        _, found, kept = old.partition("\n## Lighthouse")
        lighthouse = ["", (found + kept).strip("\n")] if found else []
    else:
        tables = lighthouse_scores(project / "site")
        lighthouse = lighthouse_lines(tables) + with_history(old, tables)[1]

    speed_after = yardstick()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    lines = [
        "# Build benchmark",
        "",
        f"Measured {date.today().isoformat()} on {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}, by `python tests/benchmark.py`.",
        "",
        "The machine's speed (it differs from day to day on a VM; compare reports by it): "
        f"a fixed pure-Python loop took {speed_before[0]:.2f} s before the measurements and "
        f"{speed_after[0]:.2f} s after; importing torch, torchvision and matplotlib "
        f"{speed_before[1]:.2f} s and {speed_after[1]:.2f} s.",
        "",
        f"| What | Seconds: median of {ROUNDS} (range) | Notes |",
        "|---|---:|---|",
        *[f"| {name} | {timing(seconds)} | {note} |" for name, seconds, note in rows],
        "",
        "Warm rebuild / rendering alone (medians): "
        f"{statistics.median(warm) / statistics.median(render):.2f}x (target: at most 1.3x).",
        "Editing one snippet costs (medians) "
        f"{statistics.median(edited) - statistics.median(warm):.1f} s over a warm rebuild; "
        f"its own run is {edited_run} s (target: at most its run + 2 s).",
        "",
        "## Snippets (seconds inside the runner, excluding the one-off ~4 s torch import)",
        "",
        "| Snippet | Seconds |",
        "|---|---:|",
        *[f"| {name}.py | {seconds:.2f} |" for name, seconds in snippet_times],
        "",
        "## Encoding playground: encode + draw per update, in Chromium "
        "(target: median at most 16 ms, one animation frame)",
        "",
        "| Settings | Median ms | 90th percentile ms |",
        "|---|---:|---:|",
        *[f"| {name} | {median:.1f} | {p90:.1f} |" for name, median, p90 in playground],
        "",
        "## Page weight (HTML + the page's own figures and animations)",
        "",
        "| Page | HTML KB | Figures KB | Total KB |",
        "|---|---:|---:|---:|",
        *[
            f"| {page} | {h / 1024:.0f} | {m / 1024:.0f} | {t / 1024:.0f} |"
            for page, h, m, t in weights
        ],
        "",
        f"Heaviest page: {max(weights, key=lambda r: r[3])[0]} "
        f"({max(r[3] for r in weights) / 1024:.0f} KB; target: under 1,536 KB). "
        "Shared assets (theme, KaTeX, the text font of the page's language) come on "
        "top and are cached across pages.",
        *lighthouse,
        "",
    ]
    report = "\n".join(lines)
    (ROOT / "BENCHMARK.md").write_text(report)
    print(report)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
