"""The drift canary's own judgement (tests/drift.py): which torch goes with
a torchvision, what it installs, and what counts as a changed figure or
output. (Running it needs the package index: see the README.)"""

from __future__ import annotations

from PIL import Image, PngImagePlugin

from drift import compare, masked, matching_torch, requirements


def test_the_canary_pairs_torchvision_with_its_own_torch():
    releases = ["2.15.0", "2.14.1", "2.14.0", "2.13.0"]
    assert matching_torch("0.29.2", releases) == "2.14.1"
    assert matching_torch("0.30.0", releases) == "2.15.0"


def test_the_canary_moves_only_the_watched_packages():
    text = requirements({"torch": "9.9", "snntorch": "8.8"})
    assert "torch==9.9\n" in text and "snntorch==8.8\n" in text
    assert "mkdocs==1.6.1\n" in text  # everything else keeps its pin
    assert "torch==2.14.1" not in text


def _png(path, pixel, software):
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", software)  # matplotlib writes its version here
    image = Image.new("RGB", (100, 100), "white")
    image.putpixel((5, 5), pixel)
    image.save(path, pnginfo=info)


def _result(stdout, files=()):
    return {"sections": {"plot": {"stdout": stdout, "files": list(files)}}}


def test_a_figure_changes_when_its_pixels_do_not_when_its_bytes_do(tmp_path):
    for name, pixel, software in (
        ("pinned", (0, 0, 0), "Matplotlib version3.11.2"),
        ("same", (0, 0, 0), "Matplotlib version3.12.0"),
        ("moved", (255, 0, 0), "Matplotlib version3.12.0"),
    ):
        (tmp_path / name / "c").mkdir(parents=True)
        _png(tmp_path / name / "c" / "f.png", pixel, software)
    pinned = {"c": _result("x = 1\n", ["f.png"])}
    same = compare(
        pinned, {"c": _result("x = 1\n", ["f.png"])}, tmp_path / "pinned", tmp_path / "same"
    )
    assert same == {"failures": {}, "outputs": {}, "figures": {}}
    moved = compare(
        pinned, {"c": _result("x = 2\n", ["f.png"])}, tmp_path / "pinned", tmp_path / "moved"
    )
    assert moved["figures"] == {("c", "f.png"): "0.01% of pixels differ"}
    assert "-x = 1\n+x = 2" in moved["outputs"]["c", "plot"]


def test_a_failing_snippet_is_reported_where_it_fails(tmp_path):
    error = {"error": {"location": "snippets/c.py:3", "section": "plot", "message": "boom"}}
    found = compare({"c": _result("")}, {"c": error}, tmp_path, tmp_path)
    assert found["failures"] == {"c": "`snippets/c.py:3` (section `plot`): boom"}


def test_measured_times_are_not_drift_but_the_numbers_beside_them_are():
    one, two = "rate 4 0.0087 2.7 ms\n", "rate 4 0.0087 3.1 ms\n"
    assert masked(one, two, "rate 4 0.0087 9.9 ms\n") == masked(one, two, one)
    assert masked(one, two, "rate 4 0.0090 2.7 ms\n") != masked(one, two, one)
