"""The code is linted and formatted with ruff (settings in ruff.toml); the
snippets, which are the pages' code, are linted but laid out by hand."""

from __future__ import annotations

import subprocess
import sys

import pytest

from helpers import ROOT


@pytest.mark.parametrize(
    "command", [["check"], ["format", "--check", "--diff"]], ids=["lint", "format"]
)
def test_ruff_finds_nothing(command):
    process = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "."], cwd=ROOT, capture_output=True, text=True
    )
    assert process.returncode == 0, process.stdout[-5000:] + process.stderr[-2000:]
