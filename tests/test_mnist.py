"""Claims made on the "Setting up MNIST" page (docs/mnist.md, docs/mnist.en.md).

The snippet runs on the MNIST sample (8,000 training images) unless
SPIKE_TUTORIAL_MNIST=full, when torchvision downloads the full 60,000. The
page states both; the tests check whichever this run uses, and check the
full-dataset numbers on a stand-in dataset of the same length.
"""

from __future__ import annotations

import importlib.metadata
import math
import re

import pytest
import torch
from snntorch import spikegen, utils
from torch.utils.data import DataLoader, Dataset, Subset
from torchvision import datasets, transforms

from helpers import exercise_solutions, includes
from tutorial.runner import MNIST_MODE, ROOT, SNIPPETS_DIR, data_root, parse_sections

FULL = MNIST_MODE == "full"
TRAIN_SIZE = 60_000 if FULL else 8_000
SUBSET_SIZE = TRAIN_SIZE // 10
PAGES = [ROOT / "docs" / "mnist.md", ROOT / "docs" / "mnist.en.md"]


@pytest.fixture(scope="module")
def run(run_snippet):
    return run_snippet("mnist.py")


def fresh_mnist(transform=None):
    """An unreduced training set, loaded from the same data the snippet used."""
    return datasets.MNIST(data_root() / "mnist", train=True, download=True, transform=transform)


class StandIn(Dataset):
    """A dataset of a given length with the ``.data``/``.targets`` that
    ``data_subset`` needs: the full MNIST's numbers without downloading it."""

    def __init__(self, n: int):
        self.data = torch.zeros(n, 28, 28, dtype=torch.uint8)
        self.targets = torch.arange(n)

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        return self.data[index], self.targets[index]


# ---------------------------------------------------------------- installing


def test_snntorch_declares_no_dependencies():
    assert importlib.metadata.requires("snntorch") in (None, [])


# The page's reason for pandas (without it `from snntorch import spikeplot`
# fails) is checked in test_troubleshooting.py, in a Python that really lacks
# pandas and in one that blocks it, where the troubleshooting chapter shows it.


def test_requirements_pin_what_the_page_says_to_install():
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==")
            pins[name.strip().lower()] = version.strip()
    for package in ("snntorch", "torch", "torchvision", "pandas", "matplotlib"):
        assert package in pins, package


# ---------------------------------------------------------------- dataset


def test_printed_length_is_the_dataset_length(run):
    assert run.out("dataset") == f"{len(fresh_mnist())}\n"
    assert run.out("dataset") == f"{TRAIN_SIZE}\n"


# ---------------------------------------------------------------- transform


def test_first_image_is_float32_in_0_1_with_one_channel(run):
    image, label = fresh_mnist(run.ns["transform"])[0]
    assert image.shape == (1, 28, 28)
    assert image.dtype == torch.float32
    assert image.min() >= 0 and image.max() <= 1
    assert run.out("transform") == (
        f"{image.shape} {image.dtype}\n"
        f"label {label}, pixel values from {image.min():.1f} to {image.max():.1f}\n"
    )


def test_first_label_depends_on_the_data(run):
    label = int(re.search(r"label (\d+)", run.out("transform")).group(1))
    assert label == int(fresh_mnist().targets[0])
    if FULL:
        assert label == 5  # the full MNIST's first training image is a 5
    else:
        assert label != 5  # the sample is shuffled: its first digit differs


def test_transform_is_bytes_divided_by_255(run):
    raw = fresh_mnist()
    transformed = fresh_mnist(run.ns["transform"])
    for index in range(200):
        image, _ = transformed[index]
        expected = raw.data[index].to(torch.float32).unsqueeze(0) / 255
        assert torch.equal(image, expected), index


def test_resize_and_grayscale_change_nothing_on_mnist():
    raw = fresh_mnist()
    to_tensor = transforms.ToTensor()
    for index in range(50):
        pil, _ = raw[index]
        assert pil.mode == "L" and pil.size == (28, 28)
        before = to_tensor(pil)
        assert torch.equal(to_tensor(transforms.Resize((28, 28))(pil)), before)
        assert torch.equal(to_tensor(transforms.Grayscale()(pil)), before)


def test_resize_and_grayscale_do_work_on_other_images():
    pil, _ = fresh_mnist()[0]
    colour_and_large = pil.convert("RGB").resize((56, 40))
    assert transforms.ToTensor()(colour_and_large).shape == (3, 40, 56)
    pipeline = transforms.Compose(
        [transforms.Resize((28, 28)), transforms.Grayscale(), transforms.ToTensor()]
    )
    assert pipeline(colour_and_large).shape == (1, 28, 28)


def test_normalize_0_1_changes_nothing(run):
    images = torch.stack([fresh_mnist(transforms.ToTensor())[i][0] for i in range(50)])
    assert torch.equal(transforms.Normalize((0,), (1,))(images), images)
    # and the page's whole transform equals ToTensor() alone
    page = fresh_mnist(run.ns["transform"])
    assert torch.equal(torch.stack([page[i][0] for i in range(50)]), images)


# ---------------------------------------------------------------- normalisation

REAL_NORMALIZE = transforms.Normalize((0.1307,), (0.3081,))


def test_real_normalization_leaves_0_1():
    ends = REAL_NORMALIZE(torch.tensor([0.0, 1.0]).view(2, 1, 1)).flatten()
    assert round(ends[0].item(), 2) == -0.42
    assert round(ends[1].item(), 2) == 2.82
    # the brightness that maps to 1 (always spike) and to 0 (never spike)
    assert round(0.1307 + 0.3081, 2) == 0.44
    assert round(0.1307, 2) == 0.13


def test_rate_clips_normalized_values_silently():
    x = fresh_mnist(transforms.ToTensor())[0][0]
    bright = (x > 0.44) & (x < 0.9)
    dim = (x > 0) & (x < 0.13)
    assert bright.any() and dim.any()  # the image has both kinds of pixel

    torch.manual_seed(0)
    rate = spikegen.rate(REAL_NORMALIZE(x), num_steps=50).mean(0)  # no error
    assert torch.all(rate[bright] == 1)  # every step, whatever the brightness
    assert torch.all(rate[dim] == 0)  # never

    torch.manual_seed(0)
    rate = spikegen.rate(x, num_steps=50).mean(0)
    assert not torch.all(rate[bright] == 1)  # unnormalised: brightness still matters
    assert rate[dim].sum() > 0


def test_latency_refuses_normalized_values():
    x = fresh_mnist(transforms.ToTensor())[0][0]
    spikegen.latency(x, num_steps=100)  # values in [0, 1] are fine
    with pytest.raises(Exception, match=r"must be between \[0, 1\]"):
        spikegen.latency(REAL_NORMALIZE(x), num_steps=100)


# ---------------------------------------------------------------- subset


def test_subset_prints_length_identity_and_same_first_labels(run):
    assert run.out("subset") == f"{SUBSET_SIZE}\nTrue\nTrue\n"


def test_subset_changes_the_dataset_in_place(run):
    assert run.ns["result"] is run.ns["mnist_train"]
    assert len(run.ns["mnist_train"]) == SUBSET_SIZE
    assert SUBSET_SIZE == (6_000 if FULL else 800)


def test_subset_keeps_the_first_tenth(run):
    kept = run.ns["mnist_train"]
    full = fresh_mnist()
    assert len(full) == TRAIN_SIZE  # a fresh load is not reduced
    assert torch.equal(kept.targets, full.targets[:SUBSET_SIZE])
    assert torch.equal(kept.data, full.data[:SUBSET_SIZE])


def test_first_tenth_contains_every_digit(run):
    assert set(run.ns["mnist_train"].targets.tolist()) == set(range(10))


def test_subset_twice_shrinks_again():
    dataset = fresh_mnist()
    utils.data_subset(dataset, 10)
    utils.data_subset(dataset, 10)
    assert len(dataset) == TRAIN_SIZE // 100  # 80 with the sample


def test_subset_idx_picks_the_next_block():
    full = fresh_mnist()
    dataset = utils.data_subset(fresh_mnist(), 10, idx=1)
    assert torch.equal(dataset.targets, full.targets[SUBSET_SIZE : 2 * SUBSET_SIZE])


def test_subset_fails_on_torch_subset():
    wrapped = Subset(fresh_mnist(), range(1000))
    with pytest.raises(AttributeError, match=r"'Subset' object has no attribute 'data'"):
        utils.data_subset(wrapped, 10)


# ---------------------------------------------------------------- loader


def test_batch_shapes(run):
    assert run.ns["data_it"].shape == (128, 1, 28, 28)
    assert run.ns["targets_it"].shape == (128,)
    lines = run.out("loader").splitlines()
    assert lines[:2] == ["torch.Size([128, 1, 28, 28])", "torch.Size([128])"]


def test_batches_per_epoch(run):
    loader = run.ns["train_loader"]
    assert len(loader) == math.ceil(SUBSET_SIZE / 128)
    assert run.out("loader").splitlines()[2] == f"{len(loader)} batches per epoch"
    if not FULL:
        assert len(loader) == 7
    sizes = [len(targets) for _, targets in loader]
    assert sizes == [128] * (SUBSET_SIZE // 128) + [SUBSET_SIZE % 128]
    dropped = DataLoader(run.ns["mnist_train"], batch_size=128, shuffle=True, drop_last=True)
    assert len(dropped) == SUBSET_SIZE // 128


@pytest.mark.parametrize(
    "images, reduce, batches, last",
    [
        (8_000, True, 7, 32),  # the sample after data_subset
        (60_000, True, 47, 112),  # full MNIST after data_subset
        (60_000, False, 469, 96),  # full MNIST, not reduced
    ],
)
def test_batch_table(images, reduce, batches, last):
    dataset = StandIn(images)
    if reduce:
        utils.data_subset(dataset, 10)
    loader = DataLoader(dataset, batch_size=128, shuffle=True)
    assert len(loader) == batches
    assert len(list(loader)[-1][1]) == last


def _first_batch(run, before_iter=None):
    dataset = fresh_mnist(run.ns["transform"])
    utils.data_subset(dataset, 10)
    loader = DataLoader(dataset, batch_size=128, shuffle=True)
    if before_iter:
        before_iter()
    return next(iter(loader)), loader


def test_seed_gives_the_same_first_batch(run):
    torch.manual_seed(0)
    (data, targets), loader = _first_batch(run)
    assert torch.equal(targets, run.ns["targets_it"])
    assert torch.equal(data, run.ns["data_it"])
    # the next epoch is shuffled differently
    assert not torch.equal(next(iter(loader))[1], targets)


def test_other_seed_or_random_code_changes_the_batch(run):
    torch.manual_seed(1)
    (_, targets), _ = _first_batch(run)
    assert not torch.equal(targets, run.ns["targets_it"])

    torch.manual_seed(0)
    (_, targets), _ = _first_batch(run, before_iter=lambda: torch.rand(1))
    assert not torch.equal(targets, run.ns["targets_it"])


# ---------------------------------------------------------------- grid


def test_grid_figure(run):
    assert run.files("grid") == ["grid.png"]
    png = run.outdir / "grid.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    axes = list(run.ns["axes"].flat)
    assert len(axes) == 16
    assert [ax.get_title() for ax in axes] == [
        f"label {t}" for t in run.ns["targets_it"][:16].tolist()
    ]
    for ax, image in zip(axes, run.ns["data_it"]):
        assert (ax.images[0].get_array() == image[0].numpy()).all()


# ---------------------------------------------------------------- pages

HEADING_RE = re.compile(r"^(#{2,3}) (.+?)\s*$", re.MULTILINE)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_includes_every_section_in_order(page):
    sections = [s.name for s in parse_sections(SNIPPETS_DIR / "mnist.py")]
    included = [section for name, section in includes(page) if name == "mnist.py"]
    assert included == sections


def _heading_ids(page):
    ids = []
    for _, text in HEADING_RE.findall(page.read_text(encoding="utf-8")):
        match = re.search(r"\{ #([\w-]+) \}$", text)
        assert match, f"{page.name}: heading without an id: {text}"
        ids.append(match.group(1))
    return ids


def test_pages_have_the_same_heading_ids():
    assert _heading_ids(PAGES[0]) == _heading_ids(PAGES[1])


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_states_full_dataset_numbers_and_links(page):
    text = page.read_text(encoding="utf-8")
    for number in ("60,000", "6,000", "8,000", "469", "47", "800"):
        assert re.search(rf"(?<![\d,]){re.escape(number)}(?![\d,])", text), number
    assert "](figures/mnist/grid.png)" in text
    assert "](rate-coding.md)" in text
    assert "](why-spikes.md)" in text
    assert "```sh\npip install snntorch\n```" in text


# ---------------------------------------------------------------- exercises


def test_exercise_1_pil_to_tensor_keeps_bytes(run):
    raw = run.ns["raw_image"]
    assert raw.dtype == torch.uint8 and raw.shape == (1, 28, 28)
    first = fresh_mnist().data[0]
    assert torch.equal(raw[0], first)  # the same image, undivided
    lines = run.out("exercise_1").splitlines()
    assert lines[0] == f"torch.uint8 {int(first.min())} {int(first.max())}"
    assert (int(first.min()), int(first.max())) == (0, 255)  # "0 to 255"


def test_exercise_1_rate_refuses_integer_tensors(run):
    message = "NotImplementedError: \"bernoulli_tensor_cpu_p_\" not implemented for 'Byte'"
    assert run.out("exercise_1").splitlines()[1] == message
    # it is torch.bernoulli, called inside spikegen.rate, that refuses
    with pytest.raises(NotImplementedError, match="'Byte'"):
        torch.bernoulli(torch.zeros(3, dtype=torch.uint8))


def test_exercise_1_float_without_division_saturates_every_digit_pixel(run):
    raw, rates = run.ns["raw_image"], run.ns["raw_rates"]
    assert torch.all(rates[raw > 0] == 1)  # every step, whatever the brightness
    assert torch.all(rates[raw == 0] == 0)
    assert len(raw[raw > 0].unique()) > 10  # there were many brightness levels
    assert run.out("exercise_1").splitlines()[2] == "digit pixels firing at every step: 100%"
    # dividing by 255 is exactly ToTensor()
    assert run.out("exercise_1").splitlines()[3] == "True"
    assert torch.equal(raw.float() / 255, fresh_mnist(transforms.ToTensor())[0][0])


def test_exercise_2_prediction_from_the_normalized_values(run):
    data, normalized = run.ns["data_it"], run.ns["normalized"]
    ink = data > 0
    # "1 or more" is brighter than about 0.44; "0 or less" darker than about 0.13
    assert torch.equal(normalized[ink] >= 1, data[ink] >= 0.1307 + 0.3081)
    assert torch.equal(normalized[ink] <= 0, data[ink] <= 0.1307)
    always = (data[ink] >= 0.1307 + 0.3081).float().mean().item()
    never = (data[ink] <= 0.1307).float().mean().item()
    assert always > 0.5  # "more than half fire at every step"
    assert 0.07 < never < 0.15  # "about one in ten never fires"
    assert run.out("exercise_2").splitlines()[0] == (
        f"predicted: {always:.1%} of digit pixels always fire, {never:.1%} never fire"
    )


def test_exercise_2_measurement_matches_up_to_chance(run):
    data, normalized, rates = run.ns["data_it"], run.ns["normalized"], run.ns["rates"]
    ink = data > 0
    p = normalized[ink].clamp(0, 1).double()
    fired_always = (rates[ink] == 1).double()
    fired_never = (rates[ink] == 0).double()
    # clipped pixels are certain; the rest hit 100 of 100 (or 0 of 100) by chance
    assert torch.all(fired_always[p == 1] == 1) and torch.all(fired_never[p == 0] == 1)
    for measured, certain, chance in (
        (fired_always, p == 1, p**100),
        (fired_never, p == 0, (1 - p) ** 100),
    ):
        extra = measured[~certain].sum().item()
        mean = chance[~certain].sum().item()
        std = (chance[~certain] * (1 - chance[~certain])).sum().item() ** 0.5
        assert extra >= 0 and abs(extra - mean) < 5 * std + 1, (extra, mean)
    line = run.out("exercise_2").splitlines()[1]
    assert line == (
        f"measured:  {fired_always.mean():.1%} always fired, {fired_never.mean():.1%} never fired"
    )
    # "can come out a little above the prediction", never below
    assert fired_always.mean() >= (p == 1).double().mean()
    assert fired_never.mean() >= (p == 0).double().mean()


def test_exercise_3_seeding_again(run):
    assert run.out("exercise_3").splitlines() == [
        "(a) same first batch: False",
        "(b) same first batch: True",
        "(c) same first batch: False",
        "own generator, same first batch: True",
    ]
    assert torch.equal(run.ns["batch_b"], run.ns["targets_it"])


def test_exercise_3_own_generator_ignores_global_random_numbers(run):
    def first(seed_global):
        torch.manual_seed(seed_global)
        loader = DataLoader(
            run.ns["mnist_train"],
            batch_size=128,
            shuffle=True,
            generator=torch.Generator().manual_seed(0),
        )
        return next(iter(loader))[1]

    # whatever the global generator does, the first batch stays the same
    assert torch.equal(first(1), first(2))
    # while a loader on the global generator changes with it
    torch.manual_seed(1)
    a = next(iter(run.ns["train_loader"]))[1]
    torch.manual_seed(2)
    b = next(iter(run.ns["train_loader"]))[1]
    assert not torch.equal(a, b)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_exercises_end_the_page_with_collapsed_solutions(page):
    exercise_solutions(page, "mnist.py")
