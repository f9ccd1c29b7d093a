"""Claims made on the "Troubleshooting" page (docs/troubleshooting.md, .en.md).

Every error the page shows is reproduced here independently of the snippet,
and the snippet must have printed exactly that message.

The snippet's first section shows that ``import snntorch`` does not import
``snntorch.spikegen``. That only holds in a process where nothing imported
``spikegen`` before, as in the build (each snippet file runs in a fresh
process) but not in this pytest process, where other test modules import
snnTorch. So what the page prints is checked on a run made exactly as the
build made it (the site build's own run, read from its cache: ``fresh``);
the in-process ``run_snippet`` run only serves to inspect the program's objects.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.metadata
import inspect
import logging
import math
import re
import shutil
import site
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib
import pytest
import torch
from matplotlib import animation
from PIL import Image
from torch.utils.data import random_split
from torchvision import datasets, transforms

from helpers import includes
from tutorial.runner import (
    MNIST_MODE,
    MNIST_SAMPLE_DIR,
    ROOT,
    SNIPPETS_DIR,
    data_root,
    parse_sections,
)

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from snntorch import spikegen, utils  # noqa: E402
from snntorch import spikeplot as splt  # noqa: E402

SNIPPET = SNIPPETS_DIR / "troubleshooting.py"
PAGES = [ROOT / "docs" / "troubleshooting.md", ROOT / "docs" / "troubleshooting.en.md"]
FULL = MNIST_MODE == "full"
TRAIN_SIZE = 60_000 if FULL else 8_000
DEAD_MIRROR = "http://127.0.0.1:9/"
DEFAULT_MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
]
TUTORIAL_TRANSFORM = transforms.Compose(
    [
        transforms.Resize((28, 28)),
        transforms.Grayscale(),
        transforms.ToTensor(),
        transforms.Normalize((0,), (1,)),
    ]
)


def message(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"


@pytest.fixture(scope="module")
def fresh(site):
    """The site build's run of the snippet, in a process of its own."""
    return site.snippet_run("troubleshooting")


@pytest.fixture(scope="module")
def run(run_snippet):
    return run_snippet("troubleshooting.py")


@pytest.fixture(scope="module")
def image():
    """The image the snippet uses: the first training image, values in [0, 1]."""
    dataset = datasets.MNIST(
        data_root() / "mnist", train=True, download=True, transform=TUTORIAL_TRANSFORM
    )
    return dataset[0][0]


def python(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args, "-c", code], capture_output=True, text=True)


# ---------------------------------------------------------------- snn.spikegen

ATTRIBUTE_ERROR = "AttributeError: module 'snntorch' has no attribute 'spikegen'"


def test_import_snntorch_does_not_import_its_submodules():
    child = python(
        "import snntorch as snn\n"
        "for name in ('spikegen', 'spikeplot', 'utils'):\n"
        "    try:\n"
        "        getattr(snn, name)\n"
        "        print(name, 'present')\n"
        "    except AttributeError as err:\n"
        "        print(f'{type(err).__name__}: {err}')\n"
        "print(hasattr(snn, 'Leaky'))\n"
        "from snntorch import spikegen\n"
        "print(snn.spikegen is spikegen)\n"
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.splitlines() == [
        ATTRIBUTE_ERROR,
        "AttributeError: module 'snntorch' has no attribute 'spikeplot'",
        "AttributeError: module 'snntorch' has no attribute 'utils'",
        "True",  # the neuron models are there
        "True",  # after importing the submodule, the attribute exists
    ]


def test_snippet_shows_the_attribute_error_and_the_fix(fresh):
    assert fresh.out("attribute") == f"{ATTRIBUTE_ERROR}\ntorch.Size([5, 3])\nTrue\n"


def test_attribute_section_comes_first_and_nothing_before_imports_snntorch():
    sections = parse_sections(SNIPPET)
    assert sections[0].name == "attribute"
    first = sections[0].code
    assert first.index("import snntorch as snn") < first.index("from snntorch import")


# ---------------------------------------------------------------- pandas

SIMULATED_PANDAS = "ModuleNotFoundError: import of pandas halted; None in sys.modules"
REAL_PANDAS = "ModuleNotFoundError: No module named 'pandas'"


def _python_without(tmp_path: Path, package: str) -> list[str]:
    """A `python -S` whose path holds every installed package except one:
    a real "not installed", without touching the installation."""
    paths = []
    for number, directory in enumerate(site.getsitepackages() + [site.getusersitepackages()]):
        directory = Path(directory)
        if not directory.is_dir():
            continue
        farm = tmp_path / f"site{number}"
        farm.mkdir()
        for entry in directory.iterdir():
            if entry.name == package or entry.name.startswith(f"{package}-"):
                continue
            (farm / entry.name).symlink_to(entry)
        paths.append(str(farm))
    return paths


@pytest.fixture(scope="module")
def really_missing_pandas(tmp_path_factory):
    paths = _python_without(tmp_path_factory.mktemp("no-pandas"), "pandas")
    child = python(f"import sys; sys.path.extend({paths!r})\nfrom snntorch import spikeplot", "-S")
    assert child.returncode != 0
    return child.stderr


def test_without_pandas_spikeplot_fails_with_no_module_named_pandas(really_missing_pandas):
    assert really_missing_pandas.strip().splitlines()[-1] == REAL_PANDAS
    assert "import pandas as pd" in really_missing_pandas  # spikeplot's own line


def test_snippet_simulates_missing_pandas(fresh):
    assert fresh.out("pandas") == f"{SIMULATED_PANDAS}\nsnntorch.spikeplot\n"
    child = python("import sys; sys.modules['pandas'] = None\nfrom snntorch import spikeplot")
    assert child.stderr.strip().splitlines()[-1] == SIMULATED_PANDAS
    assert "import pandas as pd" in child.stderr  # the same failing line as for real


def test_snntorch_declares_no_dependencies_though_its_readme_says_otherwise():
    assert not importlib.metadata.requires("snntorch")
    readme = importlib.metadata.metadata("snntorch").get_payload()
    assert "The following packages are automatically installed if using the pip command" in readme
    assert "* pandas" in readme and "* numpy" in readme


def test_spikeplot_imports_pandas_then_matplotlib_at_the_top():
    lines = inspect.getsource(splt).splitlines()
    assert lines[1] == "import pandas as pd"
    assert lines[2] == "import matplotlib.pyplot as plt"
    # raster and animator never use pandas
    for function in (splt.raster, splt.animator):
        assert "pd." not in inspect.getsource(function)


def test_missing_matplotlib_fails_the_same_way(tmp_path):
    paths = _python_without(tmp_path, "matplotlib")
    child = python(
        f"import sys; sys.path.extend({paths!r})\nimport snntorch\nfrom snntorch import spikeplot",
        "-S",
    )
    assert child.returncode != 0
    assert child.stderr.strip().splitlines()[-1] == (
        "ModuleNotFoundError: No module named 'matplotlib'"
    )
    assert "import matplotlib.pyplot as plt" in child.stderr  # spikeplot's third line


# ---------------------------------------------------------------- MNIST offline

NOT_FOUND = "RuntimeError: Dataset not found. You can use download=True to download it"
DOWNLOAD_ERROR = "RuntimeError: Error downloading train-images-idx3-ubyte.gz:"


def _mnist_error(root: Path, **kwargs) -> str:
    with pytest.raises(RuntimeError) as info:
        datasets.MNIST(root, train=True, **kwargs)
    return message(info.value)


def test_missing_mnist_messages(fresh, tmp_path, monkeypatch):
    assert _mnist_error(tmp_path / "empty", download=False) == NOT_FOUND
    monkeypatch.setattr(datasets.MNIST, "mirrors", [DEAD_MIRROR])
    failed = _mnist_error(tmp_path / "empty", download=True)
    lines = failed.splitlines()
    assert lines[:2] == [DOWNLOAD_ERROR, f"Tried {DEAD_MIRROR}, got:"]
    assert "Connection refused" in lines[2]

    printed = fresh.out("mnist_missing").splitlines()
    assert printed[0] == NOT_FOUND
    assert printed[1:3] == [DOWNLOAD_ERROR, f"Tried {DEAD_MIRROR}, got:"]
    assert "Connection refused" in printed[3]


def test_torchvision_tries_every_mirror_and_lists_each(tmp_path, monkeypatch):
    assert datasets.MNIST.mirrors == DEFAULT_MIRRORS  # two mirrors by default
    monkeypatch.setattr(datasets.MNIST, "mirrors", [DEAD_MIRROR, DEAD_MIRROR + "b/"])
    failed = _mnist_error(tmp_path, download=True)
    assert failed.startswith(DOWNLOAD_ERROR)
    assert re.findall(r"^Tried (\S+), got:$", failed, re.MULTILINE) == [
        DEAD_MIRROR,
        DEAD_MIRROR + "b/",
    ]


def test_snippet_puts_the_mirrors_back(run):
    assert datasets.MNIST.mirrors == DEFAULT_MIRRORS
    assert run.ns["real_mirrors"] == DEFAULT_MIRRORS


def _raw_files() -> list[Path]:
    return sorted((data_root() / "mnist" / "MNIST" / "raw").iterdir())


def test_snippet_lists_the_raw_folder_and_loads_it(fresh):
    lines = fresh.out("mnist_local").splitlines()
    assert lines[:-1] == [f"data/mnist/MNIST/raw/{p.name}" for p in _raw_files()]
    if not FULL:
        assert lines[:-1] == [
            f"data/mnist/MNIST/raw/{name}"
            for name in (
                "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte",
                "train-images-idx3-ubyte",
                "train-labels-idx1-ubyte",
            )
        ]
    assert lines[-1] == str(TRAIN_SIZE)


def _copy_raw(target: Path, rename=lambda name: name, skip=()) -> Path:
    raw = target / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for path in _raw_files():
        if path.suffix != ".gz" and path.name not in skip:
            shutil.copyfile(path, raw / rename(path.name))
    return target


def test_four_files_under_root_mnist_raw_load_without_download(tmp_path):
    root = _copy_raw(tmp_path / "copy")
    assert len(datasets.MNIST(root, train=True, download=False)) == TRAIN_SIZE
    # root is the folder above MNIST/, not the raw folder itself
    assert _mnist_error(root / "MNIST" / "raw", download=False) == NOT_FOUND


def test_all_four_files_are_needed_even_for_the_training_set(tmp_path):
    root = _copy_raw(tmp_path / "three", skip={"t10k-labels-idx1-ubyte"})
    assert _mnist_error(root, download=False) == NOT_FOUND


def test_names_with_a_dot_are_not_found(tmp_path):
    root = _copy_raw(tmp_path / "dotted", rename=lambda n: n.replace("-idx", ".idx"))
    assert (root / "MNIST" / "raw" / "train-images.idx3-ubyte").is_file()
    assert _mnist_error(root, download=False) == NOT_FOUND


def test_gz_files_are_unpacked_by_download_true_if_their_md5_matches(tmp_path, monkeypatch):
    raw = tmp_path / "gz" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for gz in MNIST_SAMPLE_DIR.glob("*.gz"):
        shutil.copyfile(gz, raw / gz.name)
    monkeypatch.setattr(datasets.MNIST, "mirrors", [DEAD_MIRROR])  # no network at all

    # download=False never unpacks
    assert _mnist_error(tmp_path / "gz", download=False) == NOT_FOUND
    # the official checksums do not match these files: torchvision downloads
    assert _mnist_error(tmp_path / "gz", download=True).startswith(DOWNLOAD_ERROR)

    # with matching checksums it unpacks in place, without the network
    checksums = [
        (name, hashlib.md5((raw / name).read_bytes()).hexdigest())
        for name, _ in datasets.MNIST.resources
    ]
    monkeypatch.setattr(datasets.MNIST, "resources", checksums)
    loaded = datasets.MNIST(tmp_path / "gz", train=True, download=True)
    sample = gzip.decompress((MNIST_SAMPLE_DIR / "train-labels-idx1-ubyte.gz").read_bytes())
    assert len(loaded) == int.from_bytes(sample[4:8], "big")
    # the .gz files stay beside the unpacked ones
    names = sorted(p.name for p in raw.iterdir())
    assert names == sorted([n for n, _ in checksums] + [n[:-3] for n, _ in checksums])


# ---------------------------------------------------------------- Subset

SUBSET_ERROR = "AttributeError: 'Subset' object has no attribute 'data'"


def test_data_subset_refuses_a_subset():
    dataset = datasets.MNIST(data_root() / "mnist", train=True, download=True)
    with pytest.raises(AttributeError) as info:
        utils.data_subset(random_split(dataset, [0.9, 0.1])[0], 10)
    assert message(info.value) == SUBSET_ERROR


def test_snippet_shows_the_subset_error_and_both_fixes(fresh):
    train, _ = random_split(range(TRAIN_SIZE), [0.9, 0.1])
    reduced_train, reduced_val = random_split(range(TRAIN_SIZE // 10), [0.9, 0.1])
    assert fresh.out("subset") == (
        f"Subset {len(train)}\n{SUBSET_ERROR}\n{len(train) // 10}\n"
        f"{len(reduced_train)} {len(reduced_val)}\n"
    )


def test_first_tenth_of_a_random_split_is_a_random_sample(run):
    small = run.ns["small_train"]
    split = small.dataset  # the Subset made by random_split
    assert list(small.indices) == list(range(len(split) // 10))
    picked = [split.indices[i] for i in small.indices]
    assert picked != sorted(picked)  # shuffled ...
    assert max(picked) > 5 * len(picked)  # ... and from the whole dataset


def test_data_subset_shrank_the_dataset_in_place(run):
    assert len(run.ns["mnist_train"]) == TRAIN_SIZE // 10


# ---------------------------------------------------------------- ffmpeg

MP4_ERROR = "ValueError: unknown file extension: .mp4"
VIDEO_ERROR = "RuntimeError: Requested MovieWriter (ffmpeg) not available"
FALLBACK_WARNING = "MovieWriter ffmpeg unavailable; using Pillow instead."


def _animation():
    fig, ax = plt.subplots(figsize=(2, 2))
    anim = splt.animator(torch.rand(4, 5, 5), fig, ax)
    plt.close(fig)
    return anim


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def without_ffmpeg(tmp_path_factory):
    """What saving and showing an animation do where there is no ffmpeg
    (forced by pointing matplotlib at a missing ffmpeg, so it holds on any machine)."""
    folder = tmp_path_factory.mktemp("no-ffmpeg")
    records = _Records()
    logger = logging.getLogger("matplotlib.animation")
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(matplotlib.rcParams, "animation.ffmpeg_path", str(folder / "nothing"))
        available = animation.writers.is_available("ffmpeg")
        anim = _animation()
        logger.addHandler(records)
        try:
            with pytest.raises(ValueError) as saving:
                anim.save(folder / "spike_mnist.mp4")
        finally:
            logger.removeHandler(records)
        with pytest.raises(RuntimeError) as showing:
            anim.to_html5_video()
    return {
        "available": available,
        "save": message(saving.value),
        "video": message(showing.value),
        "warnings": records.messages,
        "leftover": (folder / "spike_mnist.mp4").exists(),
    }


def test_without_ffmpeg_mp4_and_html5_video_fail(without_ffmpeg):
    assert without_ffmpeg["available"] is False
    assert without_ffmpeg["save"] == MP4_ERROR
    assert without_ffmpeg["warnings"] == [FALLBACK_WARNING]  # logged before the error
    assert not without_ffmpeg["leftover"]
    assert without_ffmpeg["video"] == VIDEO_ERROR


def test_ffmpeg_path_setting_is_where_matplotlib_looks(tmp_path, monkeypatch):
    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setitem(matplotlib.rcParams, "animation.ffmpeg_path", str(fake))
    assert animation.writers.is_available("ffmpeg")


def test_snippet_reports_ffmpeg_and_its_errors(fresh):
    available = animation.writers.is_available("ffmpeg")
    lines = fresh.out("ffmpeg").splitlines()
    assert lines[0] == f"ffmpeg available: {available}"
    if available:
        assert lines[1:] == ["anim.save('spike_mnist.mp4') worked", "anim.to_html5_video() worked"]
    else:
        assert lines[1:] == [MP4_ERROR, VIDEO_ERROR]
    assert fresh.files("ffmpeg") == []  # no still image, no mp4 left behind


def test_gif_and_jshtml_need_no_ffmpeg(fresh, tmp_path, monkeypatch):
    assert fresh.files("animation_fix") == ["spike_mnist.gif"]
    gif_path = fresh.outdir / "spike_mnist.gif"
    with Image.open(gif_path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 50
    assert gif_path.stat().st_size < 150_000
    assert re.fullmatch(r"to_jshtml\(\): \d+ characters of HTML\n", fresh.out("animation_fix"))

    monkeypatch.setitem(matplotlib.rcParams, "animation.ffmpeg_path", str(tmp_path / "nothing"))
    anim = _animation()
    anim.save(tmp_path / "x.gif", writer="pillow")
    assert "<script" in anim.to_jshtml()


def test_pillow_is_installed_with_matplotlib():
    assert any(
        re.match(r"pillow\b", r, re.IGNORECASE) for r in importlib.metadata.requires("matplotlib")
    )


def test_animator_docstring_shows_html5_video():
    assert "HTML(anim.to_html5_video())" in inspect.getdoc(splt.animator)


# ---------------------------------------------------------------- raster

RASTER_ERROR = "TypeError: Axes.scatter() got multiple values for argument 's'"


def test_raster_of_a_3d_tensor_with_s_raises():
    fig, ax = plt.subplots()
    with pytest.raises(TypeError) as info:
        splt.raster(torch.ones(5, 4, 3), ax, s=1.5, c="black")
    plt.close(fig)
    assert message(info.value) == RASTER_ERROR


def test_raster_docstring_example_is_such_a_call():
    doc = inspect.getdoc(splt.raster)
    assert "torch.Size([100, 28, 28])" in doc
    assert 'splt.raster(spike_data_sample, ax, s=1.5, c="black")' in doc


def test_snippet_shows_the_raster_error(fresh):
    assert fresh.out("raster_error") == f"torch.Size([50, 28, 28])\n{RASTER_ERROR}\n"
    assert fresh.files("raster_error") == []


def test_without_s_rows_become_neurons_and_columns_dot_sizes(run):
    sample = run.ns["spike_sample"]
    time, row, column = torch.where(sample)
    dots = run.ns["axes"][0].collections[0]
    offsets = dots.get_offsets()
    assert (offsets[:, 0] == time.numpy()).all()
    assert (offsets[:, 1] == row.numpy()).all()
    assert (dots.get_sizes() == column.numpy()).all()
    assert offsets[:, 1].max() <= 27
    assert run.ns["axes"][0].get_ylim() == (-1, 28)


def test_flattened_raster_has_one_row_per_pixel(run, fresh):
    flat = run.ns["spike_flat"]
    assert tuple(flat.shape) == (50, 784)
    assert fresh.out("raster_fix") == "torch.Size([50, 784])\n"
    time, neuron = torch.where(flat)
    offsets = run.ns["axes"][1].collections[0].get_offsets()
    assert (offsets[:, 0] == time.numpy()).all() and (offsets[:, 1] == neuron.numpy()).all()
    assert fresh.files("raster_fix") == ["raster_fix.png"]


# ---------------------------------------------------------------- latency range

REAL_NORMALIZE = transforms.Normalize((0.1307,), (0.3081,))


def _latency_error(data, **kwargs) -> BaseException:
    with pytest.raises(Exception) as info:
        spikegen.latency(data, **kwargs)
    return info.value


def test_latency_refuses_normalized_input_with_a_plain_exception(fresh, image):
    normalized = REAL_NORMALIZE(image)
    err = _latency_error(normalized, num_steps=100)
    assert type(err) is Exception  # not ValueError: `except Exception` is needed
    expected = (
        f"Exception: Elements of ``data`` must be between [0, 1], but input is "
        f"[{torch.min(normalized)}, {torch.max(normalized)}]"
    )
    assert message(err) == expected
    assert fresh.out("latency_range") == (
        f"normalized: {normalized.min():.2f} to {normalized.max():.2f}\n{expected}\n"
        "torch.Size([100, 1, 28, 28])\nrescaled: 0.00 to 1.00\n"
    )


def test_normalization_sends_0_and_1_to_about_minus_042_and_282(image):
    assert image.min() == 0 and image.max() == 1
    normalized = REAL_NORMALIZE(image)
    assert round(normalized.min().item(), 2) == -0.42
    assert round(normalized.max().item(), 2) == 2.82


def test_rate_takes_normalized_input_silently(image):
    spikes = spikegen.rate(REAL_NORMALIZE(image), num_steps=20)
    assert set(spikes.unique().tolist()) <= {0.0, 1.0}


def test_rescaling_gives_back_the_image(run, image):
    rescaled = run.ns["rescaled"]
    assert rescaled.min() == 0 and rescaled.max() == 1
    assert (rescaled - image).abs().max() < 1e-6


# ---------------------------------------------------------------- latency num_steps


def _out_of_bounds(time: int, num_steps: int) -> str:
    return (
        f"Exception: The maximum value in ``spike_time`` [{time}] is out of bounds for "
        f"``num_steps`` [{num_steps}-1].\n To bypass this error, set ``bypass=True``.\n"
        " Alternatively, constrain ``spike_time`` within the range of ``num_steps`` by "
        "either decreasing ``tau`` or ``setting normalize=True``."
    )


def test_ten_steps_raise_even_with_clip(image):
    for clip in (False, True):
        assert message(_latency_error(image, num_steps=10, clip=clip)) == _out_of_bounds(12, 10)


def test_background_time_is_tau_log_threshold_over_epsilon():
    for tau, expected in ((1, 12), (5, 58)):
        exact = tau * math.log((0.01 + 1e-7) / 1e-7)
        assert round(exact) == expected
    assert f"{math.log((0.01 + 1e-7) / 1e-7):.2f}" == "11.51"


@pytest.mark.parametrize("tau, enough", [(1, 13), (5, 59)])
def test_minimum_number_of_steps(image, tau, enough):
    assert message(_latency_error(image, num_steps=enough - 1, tau=tau)) == _out_of_bounds(
        enough - 1, enough - 1
    )
    spikes = spikegen.latency(image, num_steps=enough, tau=tau)
    background = image == 0
    # the background is the latest spike of all: at step 12 (58), the last one here
    assert spikes[enough - 1][background].all()
    assert spikes[: enough - 1].sum(0)[background].sum() == 0


def test_below_threshold_fires_at_12_not_at_the_final_step(image):
    doc = " ".join(inspect.getdoc(spikegen.latency).split())
    assert "below the threhold will fire at the final time step unless ``clip=True``" in doc
    spikes = spikegen.latency(image, num_steps=100)
    background = image == 0
    assert spikes[12][background].all()
    assert spikes[99].sum() == 0
    assert spikegen.latency(image, num_steps=100, tau=5)[58][background].all()


BACKGROUND_OPTIONS = (
    {},
    {"tau": 5},
    {"linear": True},
    {"normalize": True},
    {"normalize": True, "linear": True},
)


def _background_step(image, **kwargs) -> int:
    """The one time step at which the background pixels fire (all of them)."""
    spikes = spikegen.latency(image, **kwargs)
    background = (image == 0).expand_as(spikes)
    steps = spikes.mul(background).sum(dim=(1, 2, 3)).nonzero().flatten().tolist()
    assert len(steps) == 1
    return steps[0]


def test_background_lands_where_the_settings_put_it(image):
    """The page's list: 12 (58) with the log code and normalize=False, whatever
    num_steps; 1 with linear alone; the last step with normalize; T-2 with
    normalize and linear at T=100, but the last step again for T <= 51."""
    for num_steps in (13, 20, 100, 300):
        assert _background_step(image, num_steps=num_steps) == 12
        assert _background_step(image, num_steps=num_steps, linear=True) == 1
    for num_steps in (59, 100, 300):
        assert _background_step(image, num_steps=num_steps, tau=5) == 58
    for num_steps in (2, 10, 100, 300):
        assert _background_step(image, num_steps=num_steps, normalize=True) == num_steps - 1
    both = {
        T: _background_step(image, num_steps=T, normalize=True, linear=True) for T in range(2, 101)
    }
    assert both[100] == 98 and 99 * 0.99 == pytest.approx(98.01)
    assert all(both[T] == T - 1 for T in range(2, 52))
    assert all(both[T] == T - 2 for T in range(52, 101))
    # the docstring's claim, for the record
    doc = " ".join(inspect.getdoc(spikegen.latency).split())
    assert "below the threhold will fire at the final time step" in doc


def test_snippet_prints_where_the_background_lands(fresh, image):
    expected = [
        f"{options}: step {_background_step(image, num_steps=100, **options)}"
        for options in BACKGROUND_OPTIONS
    ]
    expected.append(
        f"num_steps=10: step {_background_step(image, num_steps=10, normalize=True, linear=True)}"
    )
    assert fresh.out("latency_background").splitlines() == expected
    assert [line.rsplit(" ", 1)[1] for line in expected] == ["12", "58", "1", "99", "98", "9"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_states_the_condition_of_step_12(page):
    text = page.read_text(encoding="utf-8").split("{ #latency-num-steps }")[1]
    text = text.split("{ #exercises }")[0]
    for claim in (
        "`linear=False`",
        "`normalize=False`",
        "`linear=True`",
        "`normalize=True`",
        "`normalize=True, linear=True`",
        "99",
        "98",
        "98.01",
        "$T-2$",
        "$T-1$",
        "51",
        "12",
        "58",
    ):
        assert claim in text, claim


def test_other_fixes_normalize_smaller_tau_bypass(image):
    background = image == 0
    ink = int((image >= 0.01).sum())
    normalized = spikegen.latency(image, num_steps=10, normalize=True)
    assert normalized[9][background].all()  # the latest lands on num_steps - 1
    small_tau = spikegen.latency(image, num_steps=10, tau=0.5)
    assert round(0.5 * math.log((0.01 + 1e-7) / 1e-7)) == 6
    assert small_tau[6][background].all()
    bypassed = spikegen.latency(image, num_steps=10, bypass=True)  # no error ...
    assert int(bypassed.sum()) == ink  # ... the late background spikes are just dropped


def test_snippet_shows_the_error_and_where_the_spikes_land(fresh, image):
    expected = [_out_of_bounds(12, 10), "11.51"]
    per_option = {}
    for options in (
        {"num_steps": 13},
        {"num_steps": 10, "normalize": True},
        {"num_steps": 10, "normalize": True, "linear": True},
    ):
        spikes = spikegen.latency(image, clip=True, **options)
        per_step = spikes.sum(dim=(1, 2, 3)).int().tolist()
        per_option[len(per_option)] = per_step
        expected.append(f"{options}\n  spikes per step: {per_step}")
    assert fresh.out("latency_steps") == "\n".join(expected) + "\n"

    ink = int((image >= 0.01).sum())
    for per_step in per_option.values():
        assert sum(per_step) == ink  # clip=True: one spike per pixel of the digit
    # "almost every pixel of the digit fires at step 0" with the log code
    for option in (0, 1):
        assert per_option[option][0] >= 0.9 * ink
    # linear + normalize: spikes on all ten steps
    assert all(count > 0 for count in per_option[2]) and len(per_option[2]) == 10


# ---------------------------------------------------------------- pages


def _table_messages(page: Path) -> list[tuple[str, str]]:
    rows = []
    for line in page.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| (`+)(.+?)\1 \| \[[^\]]+\]\(#([a-z0-9-]+)\) \|$", line)
        if match:
            rows.append((match.group(2), match.group(3)))
    return rows


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_table_quotes_real_messages_and_links_to_their_sections(
    page, fresh, really_missing_pandas, without_ffmpeg
):
    shown = "\n".join(fresh.out(s.name) for s in parse_sections(SNIPPET))
    real = "\n".join(
        [shown, really_missing_pandas, without_ffmpeg["save"], without_ffmpeg["video"]]
    )
    rows = _table_messages(page)
    assert len(rows) == 11
    ids = re.findall(r"\{ #([a-z0-9-]+) \}", page.read_text(encoding="utf-8"))
    for quoted, anchor in rows:
        assert re.search(rf"^{re.escape(quoted)}", real, re.MULTILINE), quoted
        assert anchor in ids, anchor
    # a symptom without an error message has its own row, in words
    symptom = re.findall(
        r"^\| [^`|][^|]*−0\.055[^|]*0\.055[^|]* \| \[[^\]]+\]\(#raster-silent\) \|$",
        page.read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    assert len(symptom) == 1


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_includes_every_section_in_order(page):
    included = [section for name, section in includes(page) if name == "troubleshooting.py"]
    assert included == [s.name for s in parse_sections(SNIPPET)]


def test_pages_have_the_same_heading_ids():
    ids = [
        re.findall(r"^#{2,3} .+ \{ #([a-z0-9-]+) \}$", p.read_text(encoding="utf-8"), re.MULTILINE)
        for p in PAGES
    ]
    assert ids[0] == ids[1] and len(ids[0]) == 14 + 4  # + exercises and its three


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_links_shows_figures_and_states_numbers(page):
    text = page.read_text(encoding="utf-8")
    for link in (
        "(mnist.md#install)",
        "(mnist.md#subset)",
        "(rate-coding.md#animation)",
        "(rate-coding.md#raster-plot)",
        "(latency-coding.md)",
        "(glossary.md)",
        "(visualization.md#raster-single)",
        "(https://github.com/jeshraghian/snntorch/issues/294)",
    ):
        assert link in text, link
    for figure in (
        "figures/troubleshooting/spike_mnist.gif",
        "figures/troubleshooting/raster_fix.png",
        "figures/troubleshooting/raster_silent.png",
        "figures/troubleshooting/raster_silent_fix.png",
    ):
        assert f"]({figure})" in text
    for number in ("`8000`", "`60000`", "11.51", "13", "59", "58", "`tau=0.5`", "127.0.0.1"):
        assert number in text, number
    assert DEAD_MIRROR in text and all(mirror in text for mirror in DEFAULT_MIRRORS)
    assert FALLBACK_WARNING in text


# ---------------------------------------------------------------- exercises


def _exercise_messages(page: Path) -> list[str]:
    """The error lines the exercises give the reader, in ```text blocks."""
    text = page.read_text(encoding="utf-8").split("{ #exercises }")[1]
    return re.findall(r"^```text\n(.+?)\n```$", text, re.MULTILINE)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_exercises_quote_the_messages_their_solutions_print(page, fresh):
    quoted = _exercise_messages(page)
    assert len(quoted) == 2  # exercise 2 starts from a result, not an error
    for section, line in zip(("exercise_1", "exercise_3"), quoted):
        assert line in fresh.out(section).splitlines(), (section, line)
    # each exercise sits under its own heading, its solution in a collapsed block
    text = page.read_text(encoding="utf-8")
    exercises = text.split("{ #exercises }")[1]
    assert "\n## " not in exercises  # the exercises end the page
    for number in (1, 2, 3):
        assert f"{{ #exercise-{number} }}" in exercises
    summary = "Solution" if page.name.endswith(".en.md") else "풀이"
    assert exercises.count(f'??? success "{summary}"') == 3
    assert re.findall(
        r'^    --8<-- "troubleshooting\.py:(exercise_\d)"$', exercises, re.MULTILINE
    ) == ["exercise_1", "exercise_2", "exercise_3"]


SCATTER_MARKER_WARNING = "Passing the marker parameter of scatter() positionally is deprecated"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_exercise_1_page_quotes_the_marker_warning(page):
    text = page.read_text(encoding="utf-8").split("{ #exercise-1 }")[1]
    assert f"`MatplotlibDeprecationWarning: {SCATTER_MARKER_WARNING}`" in text


def test_exercise_1_five_dimensions_fill_scatters_parameters(fresh):
    from matplotlib.axes import Axes

    assert fresh.out("exercise_1") == (
        "torch.Size([50, 4, 1, 28, 28])\n" + RASTER_ERROR + "\n"
        "TypeError: Axes.scatter() got multiple values for argument 'c'\n"
        "torch.Size([50, 784])\n"
    )
    assert fresh.files("exercise_1") == []
    # x, y, s, c, marker: the order the five index arrays fill
    assert list(inspect.signature(Axes.scatter).parameters)[1:6] == ["x", "y", "s", "c", "marker"]
    spikes = torch.ones(3, 2, 1, 4, 4)
    fig, ax = plt.subplots()
    try:
        for options, name in (({"s": 1.5, "c": "black"}, "s"), ({"c": "black"}, "c")):
            with pytest.raises(TypeError) as info:
                splt.raster(spikes, ax, **options)
            assert message(info.value) == (
                f"TypeError: Axes.scatter() got multiple values for argument '{name}'"
            )
        with pytest.raises(ValueError, match="marker"):  # the fifth array became the marker
            splt.raster(spikes, ax)
        # the warning readers see above the error, even when it is a TypeError
        with pytest.warns(
            matplotlib.MatplotlibDeprecationWarning, match=re.escape(SCATTER_MARKER_WARNING)
        ):
            with pytest.raises(TypeError):
                splt.raster(spikes, ax, s=1.5, c="black")
        with warnings.catch_warnings():  # a [time, neurons] tensor: no warning
            warnings.simplefilter("error")
            splt.raster(spikes[:, 0].reshape(3, -1), ax, s=1.5, c="black")
    finally:
        plt.close(fig)


def test_exercise_1_fix_takes_one_sample_or_stacks_the_batch(run):
    batch, num_steps = run.ns["batch_spikes"], run.ns["num_steps"]
    assert num_steps == 50 and tuple(run.ns["images"].shape) == (4, 1, 28, 28)
    assert tuple(batch.shape) == (50, 4, 1, 28, 28)
    assert tuple(batch[:, 0].shape) == (50, 1, 28, 28)
    assert torch.equal(run.ns["first_sample"], batch[:, 0].reshape(50, 784))
    # the first image of the (unshuffled) loader is mnist_train[0]
    assert torch.equal(run.ns["images"][0], run.ns["mnist_train"][0][0])
    whole = batch.reshape(num_steps, -1)
    assert tuple(whole.shape) == (50, 3136)
    assert torch.equal(whole[:, :784], batch[:, 0].reshape(50, -1))
    assert torch.equal(whole[:, 784:1568], batch[:, 1].reshape(50, -1))


Z_TS = 5  # standard errors allowed for a random quantity
BYTE_ERROR = "NotImplementedError: \"bernoulli_tensor_cpu_p_\" not implemented for 'Byte'"


def test_byte_error_comes_from_torch_bernoulli_on_raw_uint8(run, fresh):
    raw = run.ns["raw"]
    assert torch.equal(raw, run.ns["mnist_train"].data[0])
    assert raw.dtype == torch.uint8 and (raw.min(), raw.max()) == (0, 255)
    with pytest.raises(NotImplementedError) as info:
        torch.bernoulli(raw)
    assert message(info.value) == BYTE_ERROR
    assert "snntorch" not in BYTE_ERROR.lower()
    with pytest.raises(NotImplementedError) as info:
        spikegen.rate(raw, num_steps=3)
    assert message(info.value) == BYTE_ERROR
    # latency refuses the same image with its range message instead
    assert message(_latency_error(raw, num_steps=100)) == (
        "Exception: Elements of ``data`` must be between [0, 1], but input is [0, 255]"
    )
    # the dataset's transform runs on indexing only; .float() / 255 is exactly ToTensor()
    indexed = run.ns["mnist_train"][0][0]
    assert indexed.dtype == torch.float32 and indexed.max() == 1
    assert torch.equal(run.ns["scaled"], indexed[0])
    assert torch.equal(run.ns["scaled"], TUTORIAL_TRANSFORM(Image.fromarray(raw.numpy()))[0])
    assert fresh.out("byte_data").splitlines() == [
        BYTE_ERROR,
        "torch.uint8 0 255",
        "torch.float32 1.0",
        "True",
        "torch.Size([100, 28, 28])",
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_byte_entry_links_the_exercise_and_the_latency_error(page):
    text = page.read_text(encoding="utf-8").split("{ #byte-data }")[1].split("\n## ")[0]
    for claim in (
        "`torch.uint8`",
        "`raw.float() / 255`",
        "`mnist_train[0]`",
        "`ToTensor()`",
        "`torch.bernoulli`",
        "(#exercise-2)",
        "(#latency-range)",
        "`[0, 255]`",
    ):
        assert claim in text, claim


def test_exercise_2_float_fires_every_step_and_255_restores_brightness(run, fresh):
    raw, ink = run.ns["raw"], run.ns["ink"]
    wrong, fixed, scaled = run.ns["wrong"], run.ns["fixed"], run.ns["scaled"]
    assert torch.equal(ink, raw > 0)
    # float(): values up to 255 are clamped to 1, every ink pixel fires every step,
    # the faintest included
    assert raw[ink].min() < 10
    assert wrong[:, ink].min() == 1 and wrong[:, ~ink].max() == 0
    # the ink fires on a fraction of steps equal to its mean brightness
    trials = int(ink.sum()) * 100
    rate, brightness = fixed.mean(dim=0)[ink].mean().item(), scaled[ink].mean().item()
    assert abs(rate - brightness) < Z_TS * math.sqrt(0.25 / trials)
    assert fresh.out("exercise_2").splitlines() == [
        "float():       ink fires on 100% of the steps",
        f"float() / 255: ink fires on {rate:.0%} of the steps, mean ink intensity {brightness:.2f}",
    ]


# ---------------------------------------------------------------- empty raster


def test_a_neuron_that_never_fires_gives_an_empty_plot_near_zero(run, fresh):
    flat, image = run.ns["spike_flat"], run.ns["image"]
    assert image.flatten()[0] == 0 and flat[:, 0].sum() == 0  # the corner is background
    # in every training image of this dataset the corner pixel is 0
    assert (run.ns["mnist_train"].data[:, 0, 0] == 0).all()
    fig, ax = plt.subplots(figsize=(8, 1.2))
    try:
        dots = splt.raster(flat[:, 0].unsqueeze(1), ax, s=100, c="black", marker="|")
        assert len(dots.get_offsets()) == 0
        low, high = ax.get_xlim()
        assert low == pytest.approx(-0.055) and high == pytest.approx(0.055)
        fig.canvas.draw()
        ticks = [
            t.get_position()[0] for t in ax.get_xticklabels() if low <= t.get_position()[0] <= high
        ]
        assert min(ticks) == pytest.approx(-0.04) and max(ticks) == pytest.approx(0.04)
    finally:
        plt.close(fig)
    assert fresh.out("raster_silent") == "spikes of neuron 0: 0\nx-axis from -0.055 to 0.055\n"
    assert fresh.files("raster_silent") == ["raster_silent.png"]


def test_issue_294_neuron_210_is_row_7_column_14():
    assert divmod(210, 28) == (7, 14)


def test_the_fix_counts_picks_a_firing_neuron_and_shows_the_whole_time_axis(run, fresh):
    flat, num_steps = run.ns["spike_flat"], run.ns["num_steps"]
    counts = flat.sum(dim=0)
    assert torch.equal(run.ns["counts"], counts)
    silent = int((counts == 0).sum())
    assert silent > len(counts) / 2  # "most neurons never fire"
    idx = run.ns["idx"]
    assert 0 < counts[idx] < num_steps
    assert abs(counts[idx] - num_steps / 2) == (counts - num_steps / 2).abs().min()
    fig, ax = plt.subplots(figsize=(8, 1.2))
    try:
        dots = splt.raster(flat[:, idx].unsqueeze(1), ax, s=100, c="black", marker="|")
        ax.set_xlim(-0.5, num_steps - 0.5)
        assert len(dots.get_offsets()) == counts[idx]
    finally:
        plt.close(fig)
    # the build's own run draws its own spikes: check what it printed by its form
    printed = fresh.out("raster_silent_fix").splitlines()
    assert len(printed) == 3 and printed[1] == "neuron 0: row 0, column 0, intensity 0.00"
    never = re.fullmatch(r"neurons that never spike: (\d+) of 784", printed[0])
    assert never and int(never[1]) > 784 / 2
    picked = re.fullmatch(r"neuron (\d+): (\d+) spikes in 50 steps", printed[2])
    assert picked and 0 < int(picked[2]) < 50
    assert fresh.files("raster_silent_fix") == ["raster_silent_fix.png"]


def test_exercise_3_tau_from_the_spike_time(image, fresh):
    late = math.log((0.01 + 1e-7) / 1e-7)
    # every tau in the printed range rounds to 35, just outside it does not
    low, high = 34.5 / late, 35.5 / late
    # (snnTorch works in float32: its background time is 11.507, not 11.513,
    # which moves the edges in the third decimal, as the page says)
    float32_late = spikegen.latency_code(torch.tensor([0.0]), num_steps=100)[0].item()
    assert float32_late == pytest.approx(11.507, abs=5e-4)
    for tau in (low + 5e-3, 3, high - 5e-3):
        assert round(tau * late) == 35
        assert message(_latency_error(image, num_steps=25, tau=tau)) == _out_of_bounds(35, 25)
    assert message(_latency_error(image, num_steps=25, tau=low - 5e-3)) == _out_of_bounds(34, 25)
    assert message(_latency_error(image, num_steps=25, tau=high + 5e-3)) == _out_of_bounds(36, 25)
    assert message(_latency_error(image, num_steps=25, tau=3)).splitlines()[0] == (
        "Exception: The maximum value in ``spike_time`` [35] is out of bounds for "
        "``num_steps`` [25-1]."
    )
    background = image == 0
    # tau=3: 35 steps are too few, 36 are enough, the background fires last
    assert message(_latency_error(image, num_steps=35, tau=3)) == _out_of_bounds(35, 35)
    assert spikegen.latency(image, num_steps=36, tau=3)[35][background].all()
    # num_steps=25: tau below 24.5 / late
    assert spikegen.latency(image, num_steps=25, tau=2.12)[24][background].all()
    assert message(_latency_error(image, num_steps=25, tau=2.13)) == _out_of_bounds(25, 25)
    assert 2.12 < 24.5 / late < 2.13 and 2.12 < 24.5 / float32_late < 2.13
    # normalize=True puts the background on the last step whatever tau is
    for tau in (2.13, 3, 5):
        assert spikegen.latency(image, num_steps=25, tau=tau, normalize=True)[24][background].all()

    assert (
        fresh.out("exercise_3")
        == "\n".join(
            [
                f"tau between {low:.3f} and {high:.3f}",
                _out_of_bounds(35, 25),
                "tau=3 needs num_steps >= 36",
                f"num_steps=25 needs round(tau * 11.51) <= 24, so tau < {24.5 / late:.3f}",
                "tau=2.12: background fires at step 24",
                "tau=2.13: " + _out_of_bounds(25, 25).split("\n")[0].removeprefix("Exception: "),
            ]
        )
        + "\n"
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_exercise_pages_state_the_derived_numbers(page):
    late = math.log((0.01 + 1e-7) / 1e-7)
    text = page.read_text(encoding="utf-8").split("{ #exercises }")[1]
    for number in (
        f"{34.5 / late:.3f}",
        f"{35.5 / late:.3f}",
        f"{24.5 / late:.3f}",
        f"{3 * late:.2f}",
        "`tau=3`",
        "36",
        "`tau=2.12`",
        "`tau=2.13`",
        "11.507",
        "[50, 4, 1, 28, 28]",
        "[50, 784]",
        "[50, 3136]",
        "1567",
        "`100%`",
        "(rate-coding.md#encode-mnist)",
        "(random-spike-trains.md#saturation)",
        "(#raster-shape)",
        "(#byte-data)",
        "(#latency-num-steps)",
    ):
        assert number in text, number
    assert f"{late:.2f}" == "11.51" and f"{3 * late:.2f}" == "34.54"
    assert 1567 == 2 * 784 - 1
