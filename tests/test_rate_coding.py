"""Claims made on the "Rate coding" page."""

from __future__ import annotations

import math
import re

import pytest
import torch
from PIL import Image

from helpers import DOCS, exercise_solutions


@pytest.fixture(scope="module")
def run(run_snippet):
    return run_snippet("rate_coding.py")


def test_rate_adds_a_time_axis_to_a_single_number(run):
    trains = run.ns["spike_trains"]
    assert trains[10].shape == (10,) and trains[100].shape == (100,)
    for train in trains.values():
        assert set(train.unique().tolist()) <= {0.0, 1.0}
    # "ten steps can only give rates in multiples of 0.1"
    assert (trains[10].mean() * 10).item() == pytest.approx(round((trains[10].mean() * 10).item()))


def test_printed_rates_are_the_spike_counts_over_the_steps(run):
    for num_steps, train in run.ns["spike_trains"].items():
        assert (
            f"num_steps={num_steps}: {int(train.sum())} spikes, firing rate {train.mean():.2f}"
            in run.out("single")
        )


def test_mean_rate_matches_the_intensity_within_the_binomial_bound(run):
    p, trials = run.ns["p"], run.ns["num_trials"]
    for num_steps, mean in zip(run.ns["steps"], run.ns["means"]):
        # The mean of `trials` rates has std sqrt(p(1-p)/(T*trials)); allow 5 of them.
        bound = 5 * math.sqrt(p * (1 - p) / (num_steps * trials))
        assert abs(mean - p) < bound, (num_steps, mean)


def test_spread_shrinks_like_one_over_sqrt_t(run):
    p, trials = run.ns["p"], run.ns["num_trials"]
    for num_steps, spread in zip(run.ns["steps"], run.ns["spreads"]):
        theory = math.sqrt(p * (1 - p) / num_steps)
        # A sample std over n trials is off by about theory/sqrt(2n); allow 5 of those.
        assert abs(spread - theory) < 5 * theory / math.sqrt(2 * trials), (num_steps, spread)
    assert run.ns["spreads"] == sorted(run.ns["spreads"], reverse=True)


def test_mnist_batch_is_encoded_time_first(run):
    assert tuple(run.ns["data_it"].shape) == (128, 1, 28, 28)
    assert tuple(run.ns["spike_data"].shape) == (100, 128, 1, 28, 28)
    assert "torch.Size([100, 128, 1, 28, 28])" in run.out("encode")
    spikes = run.ns["spike_data"]
    assert set(spikes.unique().tolist()) == {0.0, 1.0}
    # background pixels never fire; white pixels always do
    data = run.ns["data_it"].expand_as(spikes)
    assert spikes[data == 0].sum() == 0
    assert spikes[data == 1].min() == 1


def test_animation_is_a_gif_of_one_frame_per_step(run):
    assert run.files("animate") == ["spike_mnist.gif"]
    with Image.open(run.outdir / "spike_mnist.gif") as gif:
        assert gif.format == "GIF"
        assert gif.n_frames == run.ns["num_steps"]
    assert f"label: {run.ns['targets_it'][0]}" in run.out("animate")


def test_gain_quarter_gives_about_a_quarter_of_the_spikes(run):
    data, num_steps = run.ns["data_it"], run.ns["num_steps"]
    high, low = run.ns["spike_data"].sum().item(), run.ns["spike_data_low"].sum().item()
    # Expected counts and the binomial spread of the low count.
    expected_low = (0.25 * data).sum().item() * num_steps
    std_low = math.sqrt(((0.25 * data) * (1 - 0.25 * data)).sum().item() * num_steps)
    std_high = math.sqrt((data * (1 - data)).sum().item() * num_steps)
    assert abs(low - expected_low) < 5 * std_low
    ratio_bound = 5 * (std_low / low + std_high / high) * 0.25
    assert abs(low / high - 0.25) < ratio_bound
    assert "(0.25 of gain=1)" in run.out("gain")
    assert run.files("gain") == ["gain.png"]


def test_raster_input_is_time_by_neurons(run):
    assert tuple(run.ns["spike_data_sample2"].shape) == (100, 784)
    assert run.files("raster") == ["raster.png"]


def test_the_single_raster_neuron_spikes_but_not_always(run):
    idx, sample = run.ns["idx"], run.ns["spike_data_sample2"]
    intensity = run.ns["data_it"][0].flatten()[idx].item()
    count = int(sample[:, idx].sum())
    assert abs(intensity - 0.5) < 0.1
    assert 0 < count < run.ns["num_steps"]
    # "roughly every other step": within 5 binomial std of 50
    assert abs(count - 100 * intensity) < 5 * math.sqrt(100 * intensity * (1 - intensity))
    assert run.files("raster_neuron") == ["raster_neuron.png"]


def test_spike_count_is_steps_times_total_intensity(run):
    data, spikes, num_steps = run.ns["data_it"], run.ns["spike_data"], run.ns["num_steps"]
    per_image = spikes.sum(dim=(0, 2, 3, 4))
    expected = num_steps * data.sum(dim=(1, 2, 3))
    std = torch.sqrt(num_steps * (data * (1 - data)).sum(dim=(1, 2, 3)))
    assert torch.all((per_image - expected).abs() < 5 * std)
    # "around ten thousand spikes per image" (of 78,400 entries)
    assert 5_000 < per_image.mean() < 15_000


def test_reading_brightness_needs_many_steps(run):
    data, spikes = run.ns["data_it"], run.ns["spike_data"]
    ink = data > 0
    errors = {
        T: (spikes[:T].mean(dim=0) - data)[ink].abs().mean().item() for T in (1, 5, 10, 25, 50, 100)
    }
    assert list(errors.values()) == sorted(errors.values(), reverse=True)
    assert 0.15 < errors[1] < 0.25  # "close to 0.2 after one step"
    assert 0.015 < errors[100] < 0.03  # "about 0.02 after 100 steps"
    for T, error in errors.items():
        assert f"first {T:3d} steps: mean error {error:.3f} per inked pixel" in run.out("cost")


# ------------------------------------------------------------------ exercises


def test_exercise_1_a_second_encoding_differs_where_2x1x_says(run):
    data, first, again = run.ns["data_it"], run.ns["spike_data"], run.ns["spike_data_again"]
    assert not torch.equal(first, again)
    assert run.out("exercise_1").splitlines()[0] == "identical: False"
    differ = (first != again).double()
    q = (2 * data * (1 - data)).double().expand_as(differ)  # P(two draws differ)
    expected, std = q.sum().item(), (q * (1 - q)).sum().sqrt().item()
    assert abs(differ.sum().item() - expected) < 5 * std
    assert abs(run.ns["expected_differ"].item() - expected) < 1
    assert run.out("exercise_1").splitlines()[1] == (
        f"entries that differ: {int(differ.sum())} of {differ.numel()} "
        f"(expected {run.ns['expected_differ']:.0f})"
    )
    assert differ.numel() == 10_035_200
    assert 0.03 < differ.mean() < 0.05  # "only about 4% of the entries"
    # pixels of exactly 0 or 1 are certain; the page's hint needs some of each
    certain = ((data == 0) | (data == 1)).expand_as(differ)
    assert (data == 1).any() and (data == 0).any()
    assert differ[certain].sum() == 0
    assert run.out("exercise_1").splitlines()[2] == "differences at pixels of exactly 0 or 1: 0"


def test_exercise_1_pixels_near_half_change_most(run):
    data, first, again = run.ns["data_it"], run.ns["spike_data"], run.ns["spike_data_again"]
    differ = (first != again).float().mean(dim=0)  # per pixel, over 100 steps
    middle = (data - 0.5).abs() < 0.1
    edges = ((data > 0) & (data < 0.1)) | ((data > 0.9) & (data < 1))
    assert differ[middle].mean() > 0.4 > differ[edges].mean()  # 2X(1-X): ~0.5 vs < 0.18


def test_exercise_2_gain_two_is_clipped(run):
    data, high, low = run.ns["data_it"], run.ns["spike_data_high"], run.ns["spike_data"]
    prob = (2 * data).clamp(max=1)
    expected = run.ns["num_steps"] * prob.sum().item()
    std = (run.ns["num_steps"] * (prob * (1 - prob)).sum().item()) ** 0.5
    assert abs(high.sum().item() - expected) < 5 * std
    ratio = high.sum().item() / low.sum().item()
    expected_ratio = prob.sum().item() / data.sum().item()
    assert abs(ratio - expected_ratio) < 0.02
    assert 1.1 < ratio < 1.3  # "not twofold but only about 1.2-fold"
    out = run.out("exercise_2").splitlines()
    assert out[0] == f"gain=2: {int(high.sum())} spikes ({ratio:.2f} of gain=1)"
    assert out[1] == f"expected with clipping: {expected_ratio:.2f}"
    # "every pixel of brightness 0.5 or more fires at every time step"
    rate = high.mean(dim=0)
    assert torch.all(rate[data >= 0.5] == 1)
    assert out[2] == "pixels >= 0.5 firing at every step: 100%"
    # "most pixels of a digit are bright"
    assert (data[data > 0] >= 0.5).float().mean() > 0.5


def test_exercise_2_gain_multiplies_before_rate_conv_clips():
    from snntorch import spikegen

    x = torch.tensor([0.3, 0.5, 0.8])
    torch.manual_seed(0)
    a = spikegen.rate(x, num_steps=50, gain=2)
    torch.manual_seed(0)
    b = spikegen.rate_conv((2 * x).clamp(0, 1).repeat(50, 1))
    assert torch.equal(a, b)


def test_exercise_2_figure(run):
    assert run.files("exercise_2") == ["exercise_2.png"]
    axes = run.ns["axes"]
    assert [ax.get_title() for ax in axes[:2]] == ["input", "gain = 2"]
    # the scatter shows the rates: gain 2 points sit at 1 from 0.5 up
    offsets = axes[2].collections[1].get_offsets()
    assert (offsets[offsets[:, 0] >= 0.5][:, 1] == 1).all()


def test_exercise_3_inverted_images_cost_many_more_spikes(run):
    data, num_steps = run.ns["data_it"], run.ns["num_steps"]
    per_image = run.ns["per_image_inv"]
    inverted = 1 - data
    expected = num_steps * inverted.sum(dim=(1, 2, 3))
    std = torch.sqrt(num_steps * (inverted * (1 - inverted)).sum(dim=(1, 2, 3)))
    assert torch.all((per_image - expected).abs() < 5 * std)
    # expected T (784 - sum X), averaged over the batch
    assert torch.allclose(expected.mean(), num_steps * (784 - data.sum(dim=(1, 2, 3)).mean()))
    assert 100 < data.sum(dim=(1, 2, 3)).mean() < 110  # "a little over 100"
    assert 65_000 < per_image.mean() < 71_000  # "about 68,000"
    ratio = per_image.mean() / run.ns["spikes_per_image"].mean()
    assert 6.3 < ratio < 7  # "close to 7 times"
    out = run.out("exercise_3").splitlines()
    assert out[0] == (
        f"inverted: {per_image.mean():.0f} spikes per image (expected {expected.mean():.0f})"
    )
    assert out[1] == f"{ratio:.1f} times the spikes of the original images"


@pytest.mark.parametrize("page", ["rate-coding.md", "rate-coding.en.md"])
def test_exercises_end_the_page_with_collapsed_solutions(page):
    solutions = exercise_solutions(DOCS / page, "rate_coding.py")
    # the figure of exercise 2 is shown inside its solution
    assert "](figures/rate_coding/exercise_2.png)" in solutions[1]


# ------------------------------------------------------------------ gain and offset


def test_rate_computes_clamp_of_gain_times_x_plus_offset():
    """The page's formula is exactly what spikegen.rate does: the same random
    draws as torch.bernoulli on clamp(gain * x + offset, 0, 1)."""
    import inspect

    from snntorch import spikegen

    x = torch.tensor([0.0, 0.1, 0.3, 0.5, 0.8, 1.0])
    for gain, offset in ((1, 0), (0.25, 0), (2, 0), (1, 0.2), (1, -0.2), (2, -0.5), (0.5, 0.7)):
        torch.manual_seed(3)
        encoded = spikegen.rate(x, num_steps=40, gain=gain, offset=offset)
        torch.manual_seed(3)
        by_hand = torch.bernoulli((gain * x + offset).clamp(0, 1).repeat(40, 1))
        assert torch.equal(encoded, by_hand), (gain, offset)
    # the code itself: multiply, add, then rate_conv clamps to [0, 1]
    source = inspect.getsource(spikegen.rate)
    assert "* gain" in source and "+ offset" in source
    assert "torch.clamp(data, min=0, max=1)" in inspect.getsource(spikegen.rate_conv)
    assert inspect.signature(spikegen.rate).parameters["offset"].default == 0
    assert inspect.signature(spikegen.rate).parameters["gain"].default == 1


def test_time_var_input_ignores_gain_and_offset():
    from snntorch import spikegen

    frames = torch.rand(6, 5)
    torch.manual_seed(4)
    ignored = spikegen.rate(frames, time_var_input=True, gain=0.1, offset=0.5)
    torch.manual_seed(4)
    assert torch.equal(ignored, spikegen.rate_conv(frames))


OFFSET_LINE = re.compile(
    r"gain=(\S+) +offset=(\S+) +P: ((?:\S+ ){4}\S+)  measured: ((?:\S+ ){4}\S+)"
)


def test_offset_table_measured_rates_match_the_formula(run):
    lines = run.out("offset").splitlines()
    table = [OFFSET_LINE.fullmatch(line) for line in lines[:-1]]
    assert len(table) == 5 and all(table)
    x = torch.tensor([0.0, 0.25, 0.5, 0.75, 1.0])
    settings = []
    for match in table:
        gain, offset = float(match[1]), float(match[2])
        settings.append((gain, offset))
        prob = (gain * x + offset).clamp(0, 1)
        assert match[3].split() == [f"{v:.2f}" for v in prob]
        for measured, p in zip(map(float, match[4].split()), prob.tolist()):
            # 10,000 steps: 5 binomial std, plus the rounding to 2 decimals
            assert abs(measured - p) <= 5 * math.sqrt(p * (1 - p) / 10_000) + 0.005
    assert settings == [(1, 0), (0.5, 0), (1, 0.2), (1, -0.2), (2, -0.5)]
    # the clipping the page points out
    assert table[2][3].split()[-1] == "1.00"  # 1 + 0.2 -> 1
    assert table[3][3].split()[0] == "0.00"  # 0 - 0.2 -> 0
    assert table[4][3].split() == ["0.00", "0.00", "0.50", "1.00", "1.00"]


def test_offset_makes_the_mnist_background_fire(run):
    data, spikes = run.ns["data_it"], run.ns["spike_data_offset"]
    background = data == 0
    assert background.float().mean() > 0.5  # "the background covers most of the image"
    rate = spikes.mean(dim=0)[background].mean().item()
    trials = int(background.sum()) * run.ns["num_steps"]
    assert abs(rate - 0.1) < 5 * math.sqrt(0.09 / trials)
    ratio = (spikes.sum() / run.ns["spike_data"].sum()).item()
    assert ratio > 1.5  # "far more spikes than offset=0"
    expected = (data + 0.1).clamp(0, 1).sum() / data.sum()
    assert abs(ratio - expected.item()) < 0.02
    assert run.out("offset").splitlines()[-1] == (
        f"offset=0.1: background fires on {rate:.3f} of the steps, "
        f"{ratio:.2f} times the spikes of offset=0"
    )


# ------------------------------------------------------------------ the debate


def _p_more(T: int, p_high: float, p_low: float) -> float:
    """P(Binomial(T, p_high) > Binomial(T, p_low)), exactly."""

    def pmf(p: float) -> list[float]:
        return [math.comb(T, k) * p**k * (1 - p) ** (T - k) for k in range(T + 1)]

    high, low = pmf(p_high), pmf(p_low)
    return sum(high[i] * low[j] for i in range(T + 1) for j in range(i))


DEBATE_LINE = re.compile(
    r"T= *(\d+): 0\.3 gives +(\S+) ± (\S+) spikes \(spread (\d+)% of the mean\); "
    r"0\.4 gives more in (\d+)% of the trials"
)


def test_a_short_glance_cannot_tell_0_3_from_0_4(run):
    lines = [DEBATE_LINE.fullmatch(line) for line in run.out("debate").splitlines()]
    assert len(lines) == 2 and all(lines)
    repeats = run.ns["repeats"]
    for match, T in zip(lines, (10, 100)):
        assert int(match[1]) == T
        mean, std = float(match[2]), float(match[3])
        assert abs(mean - 0.3 * T) < 5 * math.sqrt(0.21 * T / repeats) + 0.05
        # a count's spread is the binomial one, sqrt(T p (1 - p))
        assert abs(std - math.sqrt(0.21 * T)) < 5 * math.sqrt(0.21 * T / (2 * repeats)) + 0.05
        relative = math.sqrt(0.7 / (0.3 * T))
        assert abs(int(match[4]) / 100 - relative) < 0.03
        exact = _p_more(T, 0.4, 0.3)
        assert abs(int(match[5]) / 100 - exact) < 5 * math.sqrt(0.25 / repeats) + 0.005
    # the page's words: about half the mean and "six times out of ten" at T=10;
    # 15% and "nine times out of ten" at T=100
    assert round(math.sqrt(0.7 / 3), 2) == 0.48 and round(math.sqrt(0.7 / 30), 2) == 0.15
    assert 0.55 < _p_more(10, 0.4, 0.3) < 0.65 and 0.88 < _p_more(100, 0.4, 0.3) < 0.95


REFERENCES = {
    "thorpe": (
        "Thorpe, S., Fize, D., & Marlot, C. (1996)",
        "*Nature*, 381(6582), 520–522",
        "doi:10.1038/381520a0",
    ),
    "vinje": (
        "Vinje, W. E., & Gallant, J. L. (2000)",
        "*Science*, 287(5456), 1273–1276",
        "doi:10.1126/science.287.5456.1273",
    ),
    "olshausen": (
        "Olshausen, B. A., & Field, D. J. (2004)",
        "*Current Opinion in Neurobiology*, 14(4), 481–487",
        "doi:10.1016/j.conb.2004.07.007",
    ),
    "eshraghian": (
        "Eshraghian, J. K., Ward, M., Neftci, E. O.",
        "*Proceedings of the IEEE*, 111(9), 1016–1054",
        "doi:10.1109/JPROC.2023.3308088",
    ),
}


@pytest.mark.parametrize("page", ["rate-coding.md", "rate-coding.en.md"])
def test_pages_state_the_formula_offset_and_debate_with_references(page):
    text = (DOCS / page).read_text(encoding="utf-8")
    assert r"\min\big(\max(\text{gain} \cdot X + \text{offset},\ 0),\ 1\big)" in text
    for anchor in ("{ #offset }", "{ #debate }", "(#offset)", "(#exercise-2)"):
        assert anchor in text, anchor
    assert "`time_var_input=True`" in text.split("{ #offset }")[1].split("{ #raster-plot }")[0]
    debate = text.split("{ #debate }")[1].split("{ #exercises }")[0]
    for key, parts in REFERENCES.items():
        assert f"[^{key}]" in debate and f"[^{key}]:" in debate, key
        definition = re.search(rf"^\[\^{key}\]: (.+)$", debate, re.MULTILINE)[1]
        for part in parts:
            assert part in definition, (key, part)
    for number in ("150", "250", "10 Hz", "15%", "0.48", "85%"):
        assert number in debate, number
