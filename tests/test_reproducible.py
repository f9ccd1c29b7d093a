"""Two clean runs of the snippets give byte-identical figures and animations."""

from __future__ import annotations

import subprocess
import sys

from helpers import ROOT
from snippet_runner import SNIPPETS_DIR


def test_a_fresh_run_reproduces_the_built_figures_byte_for_byte(site, tmp_path):
    from run_snippets import _runner_env  # the environment the build runs snippets in

    snippets = sorted(SNIPPETS_DIR.glob("*.py"))
    jobs = [str(p) for path in snippets for p in (path, tmp_path / path.stem)]
    process = subprocess.run([sys.executable, str(ROOT / "hooks" / "snippet_runner.py"), *jobs],
                             cwd=ROOT, env=_runner_env(), capture_output=True, text=True)
    assert process.returncode == 0, process.stderr[-3000:]

    built = sorted((site.path / "figures").rglob("*.*"))
    assert any(f.suffix == ".gif" for f in built) and any(f.suffix == ".png" for f in built)
    for figure in built:
        fresh = tmp_path / figure.relative_to(site.path / "figures")
        assert fresh.is_file(), f"{fresh.name} not produced by a fresh run"
        assert fresh.read_bytes() == figure.read_bytes(), f"{figure.name} differs between runs"
