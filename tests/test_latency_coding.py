"""Claims made on the "Latency coding" page."""

from __future__ import annotations

import math

import pytest
import torch
from PIL import Image, ImageSequence
from snntorch import spikegen

TAU, THRESHOLD, EPS, T = 5, 0.01, 1e-7, 100


@pytest.fixture(scope="module")
def run(run_snippet):
    return run_snippet("latency_coding.py")


def first_steps(spikes: torch.Tensor) -> torch.Tensor:
    """Step of each input's spike, -1 where it never fires."""
    return torch.where(spikes.sum(dim=0) > 0, spikes.argmax(dim=0), -1)


def latency(x, **options):
    return spikegen.latency(x, num_steps=options.pop("num_steps", T), **options)


# ---------------------------------------------------------------- the RC model


def test_spike_time_is_the_rc_charging_time(run):
    spike_time = run.ns["spike_time"]
    for i_in in (1.0, 0.5, 0.1, 0.02, 0.011):
        t = spike_time(i_in).item()
        # V(t) = I_in R (1 - e^{-t/tau}) reaches the threshold exactly at t
        assert i_in * (1 - math.exp(-t / TAU)) == pytest.approx(THRESHOLD, rel=1e-9)
        assert t == pytest.approx(TAU * math.log(i_in / (i_in - THRESHOLD)))
    # no spike at or below the threshold
    assert math.isinf(spike_time(0.01).item()) and math.isinf(spike_time(0.005).item())
    assert round(spike_time(1.0).item(), 2) == 0.05  # "0.05 of a time step"
    out = run.out("spike_time")
    assert "I_in = 0.01   spike time    inf" in out
    assert f"I_in = 1.0    spike time {spike_time(1.0):6.2f}" in out


def test_stronger_input_fires_earlier(run):
    spike_time = run.ns["spike_time"]
    x = torch.linspace(0.011, 1, 200, dtype=torch.float64)
    t = spike_time(x)
    assert torch.all(t[1:] < t[:-1])


def test_charge_figure_marks_three_crossings(run):
    spike_time, v_thr = run.ns["spike_time"], run.ns["v_thr"]
    assert v_thr == 0.5
    crossing = {i: spike_time(i, tau=5.0, v_thr=v_thr).item() for i in (1.0, 0.8, 0.6, 0.4)}
    assert math.isinf(crossing[0.4])  # I_in R = 0.4 <= V_thr: never
    assert crossing[1.0] < crossing[0.8] < crossing[0.6] < 20  # all inside the plotted 0..20
    assert run.files("charge") == ["charge.png"]


# ---------------------------------------------------------------- agreement


def test_snntorch_step_is_the_rounded_spike_time_above_threshold(run):
    inputs, steps, spikes = run.ns["inputs"], run.ns["grid_steps"], run.ns["grid_spikes"]
    assert tuple(spikes.shape) == (T, 50)  # time first
    assert torch.all(spikes.sum(dim=0) == 1)  # each input fires exactly once
    spike_time = run.ns["spike_time"]
    above = inputs > THRESHOLD
    assert above.sum() > 20 and (~above).sum() > 10
    assert torch.equal(steps[above], spike_time(inputs[above], TAU, THRESHOLD).round().long())
    out = run.out("compare")
    assert "above threshold, step == round(spike_time): True" in out
    assert "spikes per input: [1.0]" in out


def test_below_threshold_gets_the_time_of_threshold_plus_epsilon(run):
    inputs, steps = run.ns["inputs"], run.ns["grid_steps"]
    cap = TAU * math.log((THRESHOLD + EPS) / EPS)
    assert round(cap) == 58
    assert steps[inputs < THRESHOLD].unique().tolist() == [58]
    assert f"spike_time(threshold + 1e-7) = {cap:.2f}" in run.out("compare")
    assert "below threshold, steps: [58]" in run.out("compare")


def test_snntorch_step_is_round_of_the_clamped_formula():
    """round(tau ln(X' / (X' - threshold))) with X' = max(X, threshold + eps)."""
    import inspect

    assert inspect.signature(spikegen.latency).parameters["epsilon"].default == EPS
    x = torch.cat([torch.arange(256) / 255, torch.logspace(-3, 0, 50)])
    clamped = torch.clamp(x.double(), min=THRESHOLD + EPS)
    expected = (TAU * torch.log(clamped / (clamped - THRESHOLD))).round().long()
    assert torch.equal(first_steps(latency(x, tau=TAU, threshold=THRESHOLD)), expected)


def test_snntorch_caps_inputs_just_above_threshold_at_the_same_time():
    """snnTorch clamps x up to threshold + epsilon: an input within epsilon of the
    threshold gets the capped time, not the (longer) exact one."""
    x = torch.tensor([THRESHOLD + 2e-9], dtype=torch.float64)
    exact = TAU * math.log(x.item() / (x.item() - THRESHOLD))
    assert exact > 70
    assert first_steps(latency(x, tau=TAU, threshold=THRESHOLD)).item() == 58


# ---------------------------------------------------------------- MNIST


def test_default_encoding_fires_every_pixel_once(run):
    spikes, data = run.ns["spike_data"], run.ns["data_it"]
    assert tuple(spikes.shape) == (T, 128, 1, 28, 28)
    assert spikes.dtype == torch.float32
    assert torch.all(spikes.sum(dim=0) == 1)
    assert "spikes per pixel: [1.0]" in run.out("encode")
    # the page's numbers for the first image: ink in steps 0..9, background at 58
    per_step = run.ns["spikes_per_step"](spikes)
    assert str(per_step) in run.out("encode")
    assert max(per_step) == 58 and per_step[58] == int((data[0] < THRESHOLD).sum())
    assert max(s for s in per_step if s != 58) <= 9
    # "most of the ink fires at step 0"
    ink = int((data[0] >= THRESHOLD).sum())
    assert per_step[0] > 0.75 * ink


def test_brightest_distinguishable_input_is_about_0_105(run):
    bound = THRESHOLD / (1 - math.exp(-0.5 / TAU))
    assert f"step 0 for every x above {bound:.3f}" in run.out("encode")
    assert f"{bound:.3f}" == "0.105"
    x = torch.tensor([bound * 0.99, bound * 1.01, 0.2, 0.5, 1.0])
    assert first_steps(latency(x, tau=TAU, threshold=THRESHOLD)).tolist() == [1, 0, 0, 0, 0]


def test_mnist_ink_fires_within_the_first_ten_steps_with_tau_5(run):
    """MNIST pixels are k/255; the faintest at or above 0.01 is 3/255."""
    faintest = 3 / 255
    assert 2 / 255 < THRESHOLD < faintest
    assert f"{TAU * math.log(faintest / (faintest - THRESHOLD)):.2f}" == "9.49"
    data, steps = run.ns["data_it"], first_steps(run.ns["spike_data"])
    assert steps[data >= THRESHOLD].max() <= 9


def test_rasters_are_drawn(run):
    for section in ("raster", "linear", "normalize", "clip", "combined"):
        assert run.files(section) == [f"{section}.png"]


def test_linear_squeezes_everything_into_steps_0_to_5(run):
    spikes, data = run.ns["spike_linear"], run.ns["data_it"]
    steps = first_steps(spikes)
    assert steps.max() == round(TAU * (1 - THRESHOLD)) == 5
    # t = tau (1 - x), rounded
    assert torch.equal(
        steps[data >= THRESHOLD], (TAU * (1 - data[data >= THRESHOLD])).round().long()
    )
    # ink below 0.1 (5 (1 - x) >= 4.5) shares step 5 with the background
    faint = (data >= THRESHOLD) & (data < 0.1)
    assert faint.any() and torch.all(steps[faint] == 5)
    assert torch.all(steps[data > 0.1] < 5)
    per_step = run.ns["spikes_per_step"](spikes)
    assert per_step[5] > int((data[0] < THRESHOLD).sum())
    assert str(per_step) in run.out("linear")


def test_normalize_puts_the_background_on_the_last_step(run):
    spikes, data = run.ns["spike_normalize"], run.ns["data_it"]
    steps = first_steps(spikes)
    assert steps[data < THRESHOLD].unique().tolist() == [T - 1]
    assert steps[data >= THRESHOLD].max() == 16
    assert str(run.ns["spikes_per_step"](spikes)) in run.out("normalize")


def test_normalize_scales_by_the_largest_time_in_the_tensor(run):
    assert run.ns["two"].argmax(dim=0).tolist() == [99, 49]
    assert "[0.5, 1.0] alone -> steps [99, 49]" in run.out("normalize")
    # on its own, 1.0 has the same step as in any other tensor without normalize
    alone = latency(torch.tensor([0.5, 1.0]), tau=TAU, threshold=THRESHOLD)
    assert first_steps(alone).tolist() == [0, 0]


def test_normalize_makes_tau_irrelevant():
    x = torch.rand(5000, generator=torch.Generator().manual_seed(1))
    for linear in (False, True):
        a = latency(x, tau=5, normalize=True, linear=linear)
        b = latency(x, tau=1, normalize=True, linear=linear)
        assert torch.equal(a, b)


def test_clip_removes_only_the_pixels_below_threshold(run):
    clip, default, data = run.ns["spike_clip"], run.ns["spike_data"], run.ns["data_it"]
    dark = (data < THRESHOLD).expand_as(clip)
    assert clip[dark].sum() == 0
    assert torch.equal(clip[~dark], default[~dark])
    per_step = run.ns["spikes_per_step"](clip)
    assert 58 not in per_step and str(per_step) in run.out("clip")


def test_combined_options_spread_the_ink_over_the_whole_run(run):
    spikes, data = run.ns["spike_tuned"], run.ns["data_it"]
    steps = first_steps(spikes)
    ink = data >= THRESHOLD
    assert torch.all(steps[~ink] == -1)
    assert steps[ink].min() == 0 and steps[ink].max() == T - 2
    assert torch.equal(steps[ink], ((T - 1) * (1 - data[ink])).round().long())


# ---------------------------------------------------------------- below threshold


def test_where_pixels_below_threshold_land(run):
    landing, data = run.ns["landing"], run.ns["data_it"]
    assert landing == {
        "tau=5": [58],
        "tau=1 (default)": [12],
        "tau=5, linear": [5],
        "tau=5, normalize": [T - 1],
        "tau=5, normalize, linear": [T - 2],
        "tau=5, clip": [],
    }
    out = run.out("landing")
    assert "tau=5, clip               below threshold -> no spike" in out
    assert "tau=5: round(spike_time(threshold + 1e-7)) = 58" in out
    assert "tau=1: round(spike_time(threshold + 1e-7)) = 12" in out
    # the background volley outnumbers the ink's spikes on every image,
    # and is usually several times larger
    dark_per_image = (data < THRESHOLD).sum(dim=(1, 2, 3)).float()
    ratio = dark_per_image / (784 - dark_per_image)
    assert ratio.min() > 1 and ratio.median() > 3
    # "about four pixels in five are below the threshold"
    dark = (data < THRESHOLD).float().mean().item()
    assert 0.7 < dark < 0.9
    assert f"pixels below threshold: {dark:.1%}" in out


def test_with_normalize_and_linear_faint_ink_joins_the_background(run):
    data = run.ns["data_it"]
    steps = first_steps(latency(data, tau=TAU, threshold=THRESHOLD, normalize=True, linear=True))
    faintest = (data - 3 / 255).abs() < 1e-6  # the faintest ink MNIST has
    assert faintest.any()
    assert torch.all(steps[faintest] == T - 2)
    assert torch.all(steps[(data >= THRESHOLD) & ~faintest] < T - 2)


def test_exactly_threshold_is_not_clipped():
    """(Mentioned in the report, not on the page: clip uses a strict x < threshold.)"""
    x = torch.tensor([0.0, THRESHOLD])
    assert first_steps(latency(x, tau=TAU, threshold=THRESHOLD, clip=True)).tolist() == [-1, 58]


# ---------------------------------------------------------------- errors


def test_standardized_input_is_rejected(run):
    out = run.out("out_of_range")
    assert "after Normalize: -0.42 .. 2.82" in out
    assert "Exception: Elements of ``data`` must be between [0, 1], but input is [-0.42" in out
    with pytest.raises(Exception) as info:
        latency(torch.tensor([-0.1, 0.5]))
    assert type(info.value) is Exception  # not a ValueError


def test_ten_steps_raise_even_with_clip(run):
    out = run.out("few_steps")
    message = "The maximum value in ``spike_time`` [12] is out of bounds for ``num_steps`` [10-1]."
    assert f"default: Exception: {message}" in out
    assert f"clip=True: Exception: {message}" in out
    assert "To bypass this error, set ``bypass=True``." in out


def test_bypass_silently_drops_the_late_spikes(run):
    bypass, data = run.ns["spike_bypass"], run.ns["data_it"]
    assert tuple(bypass.shape) == (10, 128, 1, 28, 28)
    # exactly the pixels clip=True would remove are gone (tau=1: they sit at step 12)
    clipped = latency(data, num_steps=13, clip=True)
    assert torch.equal(bypass, clipped[:10])
    ink = int((data[0] >= THRESHOLD).sum())
    assert f"{ink} of 784 pixels spike" in run.out("few_steps")


def test_bypass_drops_faint_ink_when_tau_is_large(run):
    data = run.ns["data_it"]
    full = first_steps(latency(data, tau=TAU, threshold=THRESHOLD, clip=True))
    short = spikegen.latency(data, num_steps=5, tau=TAU, threshold=THRESHOLD, bypass=True)
    late_ink = (data >= THRESHOLD) & (full >= 5)
    assert late_ink.any()
    assert short.sum(dim=0)[late_ink].sum() == 0


@pytest.mark.parametrize("tau, enough", [(1, 13), (5, 59)])
def test_enough_steps_for_the_below_threshold_spike(tau, enough):
    x = torch.tensor([0.0, 0.5, 1.0])
    assert latency(x, num_steps=enough, tau=tau).shape[0] == enough
    with pytest.raises(Exception, match="out of bounds"):
        latency(x, num_steps=enough - 1, tau=tau)


def test_normalize_fits_any_num_steps(run):
    spikes = latency(run.ns["data_it"], num_steps=10, normalize=True, clip=True)
    assert spikes.shape[0] == 10


def test_argument_checks():
    x = torch.tensor([0.0, 0.5, 1.0])
    with pytest.raises(Exception, match="num_steps"):
        spikegen.latency(x)  # no num_steps and no bypass
    for bad in (0, 1):
        with pytest.raises(Exception, match="[Tt]hreshold"):
            latency(x, threshold=bad)


def test_output_is_float32_at_most_one_spike(run):
    for name in (
        "spike_data",
        "spike_linear",
        "spike_normalize",
        "spike_clip",
        "spike_tuned",
        "spike_bypass",
    ):
        spikes = run.ns[name]
        assert spikes.dtype == torch.float32, name
        assert spikes.sum(dim=0).max() <= 1, name


def test_bypass_without_num_steps_picks_the_length():
    x = torch.tensor([0.0, 0.5, 1.0])
    spikes = spikegen.latency(x, tau=TAU, bypass=True)
    assert spikes.shape[0] == 59  # round(57.56) + 1


def test_first_spike_time_shifts_the_code():
    x = torch.tensor([0.0, 0.05, 0.5, 1.0])
    plain = first_steps(latency(x, tau=TAU))
    shifted = first_steps(latency(x, tau=TAU, first_spike_time=10))
    assert torch.equal(shifted, plain + 10) and shifted[-1] == 10  # x = 1 fires at step 10
    for linear in (False, True):
        steps = first_steps(latency(x, tau=TAU, first_spike_time=10, normalize=True, linear=linear))
        assert steps.min() == 10 and steps.max() <= T - 1


# ---------------------------------------------------------------- animation, counts


def test_animation_is_a_small_gif_of_the_tuned_code(run):
    assert run.files("animate") == ["latency_mnist.gif"]
    path = run.outdir / "latency_mnist.gif"
    assert path.stat().st_size < 150_000
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.size[0] <= 400
        # pillow merges identical frames; the durations still add up to 100 steps
        total = sum(frame.info["duration"] for frame in ImageSequence.Iterator(gif))
    assert total == T * 50  # 20 frames per second
    assert f"label: {run.ns['targets_it'][0]}" in run.out("animate")
    frames = run.ns["frames"]
    assert frames.max() == 1.0 and tuple(frames.shape) == (T, 28, 28)


def test_spikes_per_image_latency_against_rate(run):
    data = run.ns["data_it"]
    per_image = run.ns["per_image"]
    assert per_image["latency"] == 784
    ink = (data >= THRESHOLD).sum(dim=(1, 2, 3)).float().mean().item()
    assert per_image["latency, clip=True"] == pytest.approx(ink)
    # rate coding: expected num_steps x total intensity, binomial spread
    expected = T * data.sum().item() / len(data)
    std = math.sqrt(T * (data * (1 - data)).sum().item()) / len(data)
    assert abs(per_image["rate"] - expected) < 5 * std
    assert 5_000 < per_image["rate"] < 15_000  # "around ten thousand"
    ratio = per_image["rate"] / per_image["latency, clip=True"]
    assert 50 < ratio < 90  # "dozens of times fewer"
    out = run.out("count")
    assert "at most 100 per pixel" in out
    assert "latency                784.0 spikes per image, at most 1 per pixel" in out
    assert f"rate / latency with clip: {ratio:.0f}x" in out


def test_spike_times_give_the_image_back(run):
    decoded, data = run.ns["decoded"], run.ns["data_it"]
    error = (decoded - data).abs()
    ink = data >= THRESHOLD
    assert error[ink].max() <= 0.5 / (T - 1) + 1e-6  # rounding only
    assert error.max() < THRESHOLD  # dropped pixels were below 0.01
    assert error[~ink].max() > error[ink].max()  # the largest error: a clipped pixel
    assert f"max error {error.max():.4f}" in run.out("count")


# ---------------------------------------------------------------- exercises


def test_exercise_1_needs_one_step_more_than_the_background_step(run):
    tau, threshold = 2, 0.05
    late = tau * math.log((threshold + EPS) / EPS)
    assert f"{late:.2f}" == "26.24" and round(late) == 26
    out = run.out("exercise_1")
    assert "predicted: below threshold -> step 26, so num_steps >= 27" in out
    assert (
        "num_steps=26: Exception: The maximum value in ``spike_time`` [26] is out of "
        "bounds for ``num_steps`` [26-1]."
    ) in out
    assert "num_steps=27: works, below threshold -> step [26]" in out
    data = run.ns["data_it"]
    with pytest.raises(Exception, match="out of bounds"):
        spikegen.latency(data, num_steps=26, tau=tau, threshold=threshold)
    steps = first_steps(spikegen.latency(data, num_steps=27, tau=tau, threshold=threshold))
    # faint ink between 0.01 and 0.05 now fires with the background
    faint = (data >= 0.01) & (data < threshold)
    assert faint.any() and torch.all(steps[faint] == 26)
    assert torch.all(steps[data >= threshold] < 26)


def test_exercise_1_the_log_term_grows_slowly_with_the_threshold():
    """ "from just 11.5 to 13.1"; the default (tau=1, threshold=0.01) gives 12."""
    assert f"{math.log((0.01 + EPS) / EPS):.1f}" == "11.5"
    assert f"{math.log((0.05 + EPS) / EPS):.1f}" == "13.1"
    x = torch.tensor([0.0, 1.0])
    assert first_steps(latency(x))[0] == 12
    # the doubled tau is most of the change from 12 to 26
    assert first_steps(latency(x, tau=2))[0] == 23


def test_exercise_2_bypass_loses_exactly_the_ink_below_the_derived_limit(run):
    data, lost = run.ns["data_it"], run.ns["lost"]
    limit = THRESHOLD / (1 - math.exp(-4.5 / TAU))
    assert f"{limit:.4f}" == "0.0169"
    assert run.ns["faint"] == [3, 4]
    ink = data >= THRESHOLD
    assert torch.equal(lost, ink & (data < limit))
    assert lost[0].any()  # "the first image already loses a few"
    assert sorted((data[lost] * 255).round().unique().long().tolist()) == [3, 4]
    out = run.out("exercise_2")
    assert "predicted: ink below 0.0169 is lost, k / 255 for k in [3, 4]" in out
    assert f"first image: {int(lost[0].sum())} of {int(ink[0].sum())} ink pixels lost" in out
    assert f"whole batch: {int(lost.sum())} lost, k / 255 for k in [3, 4]" in out
    # without bypass these settings raise (the background's step 58 is checked)
    with pytest.raises(Exception, match="out of bounds"):
        spikegen.latency(data, num_steps=5, tau=TAU, threshold=THRESHOLD, clip=True)
    # the safe choices keep every ink pixel
    for options in ({"num_steps": 59}, {"num_steps": 5, "normalize": True}):
        spikes = spikegen.latency(data, tau=TAU, threshold=THRESHOLD, clip=True, **options)
        assert torch.all(spikes.sum(dim=0)[ink] == 1)
    with pytest.raises(Exception, match="out of bounds"):
        spikegen.latency(data, num_steps=58, tau=TAU, threshold=THRESHOLD, clip=True)


def test_exercise_3_log_code_has_seven_levels_the_tuned_code_99(run):
    data = run.ns["data_it"]
    ink = data >= THRESHOLD
    levels = torch.arange(3, 256) / 255
    log_steps = first_steps(latency(levels, tau=TAU, threshold=THRESHOLD, clip=True))
    assert log_steps.unique().tolist() == [0, 1, 2, 3, 4, 5, 9]
    assert first_steps(
        latency(torch.tensor([3 / 255, 4 / 255]), tau=TAU, threshold=THRESHOLD)
    ).tolist() == [9, 5]
    tuned = first_steps(
        latency(levels, threshold=THRESHOLD, clip=True, normalize=True, linear=True)
    )
    assert tuned.unique().tolist() == list(range(99))
    # the predictions the solution prints are snnTorch's steps
    assert run.ns["log_steps"].long().tolist() == [0, 1, 2, 3, 4, 5, 9]
    assert run.ns["tuned_steps"].long().tolist() == list(range(99))
    out = run.out("exercise_3")
    assert "predicted: log code 7 steps [0, 1, 2, 3, 4, 5, 9], all options 99 steps" in out
    # measured on the batch
    log_used = first_steps(run.ns["spike_clip"])[ink]
    tuned_used = first_steps(run.ns["spike_tuned"])[ink]
    assert log_used.unique().tolist() == [0, 1, 2, 3, 4, 5, 9]
    assert tuned_used.unique().numel() == 99
    # step 0: everything above 0.105 in the log code ("most of the ink")...
    log_zero = (log_used == 0).float().mean().item()
    assert log_zero == pytest.approx((data[ink] > 0.105).float().mean().item())
    assert log_zero > 0.75
    # ...only 254/255 and 255/255 with all options, a share that is not zero
    tuned_zero = (tuned_used == 0).float().mean().item()
    assert tuned_zero == pytest.approx((data[ink] >= 254 / 255 - 1e-6).float().mean().item())
    assert 0 < tuned_zero < log_zero
    assert f"log code   :  7 steps used, {log_zero:.0%} of the ink at step 0" in out
    assert f"all options: 99 steps used, {tuned_zero:.0%} of the ink at step 0" in out
    # the same number of spikes in both codes
    assert run.ns["spike_clip"].sum() == run.ns["spike_tuned"].sum() == ink.sum()


def test_exercise_2_bypass_drops_faint_ink_without_a_warning():
    """ "no error and no warning": bypass=True drops 3/255 and 4/255 silently."""
    import warnings

    x = torch.tensor([0.0, 3 / 255, 4 / 255, 5 / 255, 1.0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        spikes = spikegen.latency(
            x, num_steps=5, tau=TAU, threshold=THRESHOLD, clip=True, bypass=True
        )
    assert caught == []
    assert spikes.sum(dim=0).tolist() == [0.0, 0.0, 0.0, 1.0, 1.0]
