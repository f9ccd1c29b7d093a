"""A second run of each chapter's program draws the site's figures and
animations again, byte for byte.

The second run is the one the chapter's own tests inspect (``run_snippet``,
in this test process, after whatever other chapters ran here before): if a
figure depended on anything but the program's own seeds, the two would differ.
"""

from __future__ import annotations

import pytest

from conftest import CHAPTERS, chapter_group


@pytest.mark.parametrize("stem", [pytest.param(s, marks=chapter_group(s)) for s in CHAPTERS])
def test_a_second_run_draws_the_built_figures_byte_for_byte(site, run_snippet, stem):
    built = (
        sorted((site.path / "figures" / stem).glob("*.*"))
        if (site.path / "figures" / stem).is_dir()
        else []
    )
    run = run_snippet(f"{stem}.py")
    saved = sorted(p.name for p in run.outdir.iterdir())
    assert saved == [f.name for f in built], "the two runs saved different files"
    for figure in built:
        assert (run.outdir / figure.name).read_bytes() == figure.read_bytes(), (
            f"figures/{stem}/{figure.name} differs between two runs"
        )


def test_the_site_has_figures_and_animations(site):
    built = list((site.path / "figures").rglob("*.*"))
    assert any(f.suffix == ".gif" for f in built) and any(f.suffix == ".png" for f in built)
