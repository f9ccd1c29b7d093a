"""Claims made on the "Delta modulation" page."""

from __future__ import annotations

import inspect
import math

import pytest
import torch
from snntorch import spikegen


@pytest.fixture(scope="module")
def run(run_snippet):
    return run_snippet("delta_modulation.py")


def positions(spikes: torch.Tensor, value: int) -> list[int]:
    return (spikes == value).nonzero().flatten().tolist()


# ---------------------------------------------------------------- the rule


def test_delta_compares_with_the_previous_step_using_greater_or_equal():
    """The page's formula is what snnTorch 1.0.0's code does (read from the
    source: >= for on-spikes, <= -threshold for off-spikes)."""
    source = inspect.getsource(spikegen.delta)
    assert "(data - data_offset) >= threshold" in source
    assert "(data - data_offset) <= -threshold" in source
    assert inspect.signature(spikegen.delta).parameters["threshold"].default == 0.1
    # and its docstring says "greater than", which the page points out
    assert "greater than the thresold" in spikegen.delta.__doc__


def test_the_tutorials_example_cannot_tell_greater_from_greater_or_equal():
    """snnTorch's Tutorial 1 says "greater than" first and "greater than or
    equal to" after its example (data below, threshold=4); the page says the
    example's changes are 6, 40 and 5, so both readings agree on it."""
    data = torch.tensor([0.0, 1, 0, 2, 8, -20, 20, -5, 0, 1, 0])
    change = torch.diff(data, prepend=torch.zeros(1))
    on = spikegen.delta(data, threshold=4)
    assert positions(on, 1) == [4, 6, 8]  # "three on-spikes"
    assert change[[4, 6, 8]].tolist() == [6, 40, 5]
    assert torch.equal(on, (change > 4).float())  # strict: the same here
    assert torch.equal(on, (change >= 4).float())
    assert not (change == 4).any()
    # the tutorial's printed tensor with off_spike=True
    assert spikegen.delta(data, threshold=4, off_spike=True).tolist() == [
        0,
        0,
        0,
        0,
        1,
        -1,
        1,
        -1,
        1,
        0,
        0,
    ]
    # where they differ, the code follows >=
    assert spikegen.delta(torch.tensor([0.0, 4.0]), threshold=4).tolist() == [0, 1]


@pytest.mark.parametrize("page", ["delta-modulation.md", "delta-modulation.en.md"])
def test_page_quotes_both_descriptions_and_says_which_the_code_follows(page):
    from helpers import DOCS

    text = (DOCS / page).read_text(encoding="utf-8")
    section = text.split("{ #equal-threshold }")[1].split("```python")[0]
    for quoted in (
        "greater than",
        "positive and greater than the threshold",
        "greater than or equal to",
        "`>=`",
        "6, 40",
        "5",
    ):
        assert quoted in section, quoted


def test_on_spikes_where_the_signal_rises_by_the_threshold(run):
    signal, threshold = run.ns["signal"], run.ns["threshold"]
    on = run.ns["on_spikes"]
    assert signal.shape == (16,) and on.shape == signal.shape
    assert on.dtype == signal.dtype == torch.float32  # "same shape and dtype"
    assert positions(on, 1) == [2, 5, 14]
    assert positions(on, -1) == []
    # "each where the value jumped by 0.5"
    assert torch.diff(signal, prepend=torch.zeros(1))[[2, 5, 14]].tolist() == [0.5] * 3
    # the drop of 0.5 at step 11 gives no spike without off_spike
    assert signal[11] - signal[10] == -0.5 and on[11] == 0
    # the dips at 8 and 9 are 0.125 each
    assert torch.diff(signal)[[7, 8]].tolist() == [-0.125, -0.125]
    assert threshold == 0.25
    out = run.out("on_spikes")
    assert "torch.Size([16]) torch.float32" in out


def test_on_plot_shows_the_change_that_delta_compares(run):
    change = run.ns["change"]
    # the plotted change is exactly what delta thresholds (default padding)
    expected = spikegen.delta(run.ns["signal"], threshold=run.ns["threshold"])
    assert torch.equal((change >= run.ns["threshold"]).float(), expected)
    assert run.files("on_plot") == ["on_plot.png"]


def test_off_spike_adds_minus_one_where_the_signal_falls(run):
    events = run.ns["events"]
    assert positions(events, 1) == [2, 5, 14]
    assert positions(events, -1) == [11]
    assert set(events.unique().tolist()) == {-1.0, 0.0, 1.0}
    # the two small dips add up to a full threshold, yet never spike
    signal = run.ns["signal"]
    assert signal[7] - signal[9] == run.ns["threshold"]
    assert events[8] == events[9] == 0
    assert "on-spikes:  [2, 5, 14]" in run.out("off_spikes")
    assert "off-spikes: [11]" in run.out("off_spikes")


def test_raster_draws_minus_one_like_plus_one():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from snntorch import spikeplot

    events = torch.tensor([0.0, 1.0, 0.0, -1.0])
    fig, ax = plt.subplots()
    dots = spikeplot.raster(events, ax, c="black")
    offsets = dots.get_offsets().tolist()
    plt.close(fig)
    # both the +1 and the -1 become an identical dot at y = 0
    assert offsets == [[1.0, 0.0], [3.0, 0.0]]
    assert len(set(map(tuple, dots.get_facecolors().tolist()))) == 1


def test_pitfall_figure_is_drawn(run):
    assert run.files("raster_pitfall") == ["raster_pitfall.png"]


# ---------------------------------------------------------------- edge cases


def test_a_change_equal_to_the_threshold_spikes(run):
    exact = run.ns["exact"]
    # the values are exact in float32, so the changes are exactly 0.25, 0.25, 0.125
    assert torch.diff(exact).tolist() == [0.25, 0.25, 0.125]
    out = run.out("equal_threshold").splitlines()
    assert out[0] == "tensor([0., 1., 1., 0.])"


def test_tenths_are_not_exact_in_float32(run):
    tenths = run.ns["tenths"]
    diffs = torch.diff(tenths)
    assert diffs[0] > 0.1 > diffs[2]  # "a hair above" and "a hair below"
    assert abs(diffs[0] - 0.1) < 1e-6 and abs(diffs[2] - 0.1) < 1e-6
    out = run.out("equal_threshold").splitlines()
    assert out[1] == "['0.10000001', '0.30000001', '0.09999996']"
    assert out[2] == "tensor([0., 1., 1., 0.])"  # only one of the two "0.1" steps spikes


def test_step_zero_is_compared_with_zero_unless_padding(run):
    out = run.out("padding").splitlines()
    assert out == ["tensor([ 1.,  0.,  0., -1.,  0.])", "tensor([ 0.,  0.,  0., -1.,  0.])"]
    # "padding adds no time steps"
    x = run.ns["starts_high"]
    assert spikegen.delta(x, threshold=0.25, padding=True).shape == x.shape


def test_output_keeps_the_input_dtype_and_uint8_wraps_round(run):
    out = run.out("integers").splitlines()
    assert out[0] == "tensor(56, dtype=torch.uint8)"
    # the fall at step 2 shows up as an on-spike
    assert out[1] == "tensor([0, 1, 1, 0], dtype=torch.uint8)"
    # with off_spike: nonsense with 255s, no error
    assert out[2] == "tensor([255,   0,   0, 255], dtype=torch.uint8)"
    assert out[3] == "tensor([ 0.,  1., -1.,  0.])"
    assert spikegen.delta(torch.tensor([0, 3, 1]), threshold=2).dtype == torch.int64
    assert spikegen.delta(torch.zeros(3, dtype=torch.float64), 1).dtype == torch.float64


def test_raw_mnist_pixels_are_uint8_and_totensor_gives_float(run):
    from torchvision import datasets

    from tutorial.runner import data_root

    raw = datasets.MNIST(data_root() / "mnist", train=True, download=True)
    assert raw.data.dtype == torch.uint8
    data = run.ns["data_it"]
    assert data.dtype == torch.float32 and 0 <= data.min() and data.max() <= 1


# ---------------------------------------------------------------- moving digit


def test_frames_are_time_first_and_the_digit_never_wraps(run):
    frames, digit = run.ns["frames"], run.ns["digit"]
    assert tuple(frames.shape) == (20, 1, 28, 28)
    assert "torch.Size([20, 1, 28, 28])" in run.out("moving")
    assert f"label: {run.ns['targets_it'][0]}" in run.out("moving")
    shifts = run.ns["shifts"]
    assert max(shifts) == 4
    # "a four-pixel shift never pushes it over the edge": the columns that
    # roll round are empty, so every frame holds the whole digit
    assert digit[:, -max(shifts) :].sum() == 0
    assert torch.allclose(frames.sum(dim=(1, 2, 3)), digit.sum().expand(20))
    # still 4, right 4, still 4, back 4, still 4
    moves = [b - a for a, b in zip([0] + shifts, shifts)]
    assert moves == [0] * 4 + [1] * 4 + [0] * 4 + [-1] * 4 + [0] * 4


def test_events_only_where_the_digit_moves(run):
    dvs, shifts = run.ns["dvs"], run.ns["shifts"]
    per_frame = run.ns["per_frame"]
    frames = run.ns["frames"]
    # delta is exactly the thresholded frame difference (padding=True)
    change = torch.diff(frames, dim=0, prepend=frames[:1])
    expected = (change >= 0.25).float() - (change <= -0.25).float()
    assert torch.equal(dvs, expected)
    moved = [t > 0 and shifts[t] != shifts[t - 1] for t in range(20)]
    for t in range(20):
        assert (per_frame[t] > 0) == moved[t], t
    # "86 in each frame where it moves"
    assert set(per_frame[torch.tensor(moved)].tolist()) == {86}
    assert f"events per frame: {per_frame.tolist()}" in run.out("moving")


def test_without_padding_frame_zero_sends_the_whole_digit(run):
    frames, digit = run.ns["frames"], run.ns["digit"]
    unpadded = spikegen.delta(frames, threshold=0.25, off_spike=True)
    assert torch.equal(unpadded[0, 0], (digit >= 0.25).float())
    assert torch.equal(unpadded[1:], run.ns["dvs"][1:])


def test_batch_first_by_mistake_gives_no_events_and_no_error(run):
    assert tuple(run.ns["wrong"].shape) == (1, 20, 28, 28)
    assert run.ns["wrong"].abs().sum() == 0
    assert "batch-first by mistake: 0 events" in run.out("moving")


def test_on_at_the_leading_edge_off_at_the_trailing_edge(run):
    dvs, frames = run.ns["dvs"], run.ns["frames"]
    on, off = dvs[4, 0] == 1, dvs[4, 0] == -1
    # moving right: on-spikes where ink arrives, off-spikes where it leaves
    assert torch.all(frames[4, 0][on] > frames[3, 0][on])
    assert torch.all(frames[4, 0][off] < frames[3, 0][off])
    # on-spikes sit on the right edges of the strokes, off-spikes on the left
    cols_on = on.nonzero()[:, 1].float().mean()
    cols_off = off.nonzero()[:, 1].float().mean()
    assert cols_on > cols_off
    # moving back (frame 12), the sides swap: frame 12 is frame 4's
    # events negated and shifted by three pixels
    assert torch.equal(dvs[12, 0], -torch.roll(dvs[4, 0], 3, dims=-1))
    assert run.files("moving_frames") == ["moving_frames.png"]


def test_row_raster_edges_step_one_column_per_frame(run):
    dvs, row = run.ns["dvs"], run.ns["row"]
    assert tuple(run.ns["dvs_flat"].shape) == (20, 784)
    cols = {t: set((dvs[t, 0, row] != 0).nonzero().flatten().tolist()) for t in range(20)}
    assert cols[4]  # the row crosses the digit
    for t in (4, 5, 6):  # moving right: up one column per frame
        assert {c + 1 for c in cols[t]} == cols[t + 1]
    for t in (12, 13, 14):  # moving back: down one column per frame
        assert {c - 1 for c in cols[t]} == cols[t + 1]
    assert run.files("event_raster") == ["event_raster.png"]


def test_rate_coding_the_frames_costs_about_three_times_as_much(run):
    frames, rated, dvs = run.ns["frames"], run.ns["rated"], run.ns["dvs"]
    assert rated.shape == frames.shape  # time_var_input: no new time axis
    assert set(rated.unique().tolist()) <= {0.0, 1.0}
    assert rated[frames.expand_as(rated) == 0].sum() == 0
    # expected count and its binomial spread
    expected = frames.sum().item()
    std = math.sqrt((frames * (1 - frames)).sum().item())
    assert abs(rated.sum().item() - expected) < 5 * std
    # "a little over a third": the expected ratio, and the measured one
    events = dvs.abs().sum().item()
    assert 1 / 3 < events / expected < 0.4
    ratio_bound = events / (expected - 5 * std) - events / expected
    assert abs(events / rated.sum().item() - events / expected) < ratio_bound
    assert 1 / 3 < events / rated.sum().item() < 0.4
    out = run.out("versus_rate")
    assert f"({events / rated.sum().item():.2f} of rate coding)" in out
    assert "frames with motion: 8 of 20" in out


def test_per_moving_frame_rate_and_delta_are_close(run):
    frames, per_frame = run.ns["frames"], run.ns["per_frame"]
    # rate coding: sum of intensities per frame, "close to 100"
    per_frame_expected = frames[0].sum().item()
    assert 90 < per_frame_expected < 100
    rate_per_frame = run.ns["rate_per_frame"]
    std = math.sqrt((frames[0] * (1 - frames[0])).sum().item())
    assert torch.all((rate_per_frame - per_frame_expected).abs() < 5 * std)
    # delta: 86 per moving frame, "not far from rate coding" (within 15%)
    assert 0.85 < 86 / per_frame_expected < 1.0
    mean_rate = rate_per_frame[per_frame > 0].float().mean().item()
    assert f"per moving frame: rate {mean_rate:.0f}, delta 86" in run.out("versus_rate")
    assert run.files("versus_rate") == ["versus_rate.png"]


def test_time_var_input_with_num_steps_raises(run):
    with pytest.raises(Exception, match="should not be specified"):
        spikegen.rate(run.ns["frames"], num_steps=5, time_var_input=True)


# ---------------------------------------------------------------- losses


def test_absolute_level_and_size_of_change_are_lost(run):
    out = run.out("absolute_level").splitlines()
    assert out[0] == out[1] == "tensor([ 0.,  0.,  1.,  0., -1.])"
    assert torch.equal(run.ns["bright"] - run.ns["dim"], torch.full((5,), 0.5))
    assert out[2] == out[3] == "tensor([0., 1.])"


def test_slow_drift_is_invisible_to_delta_but_not_to_a_reference(run):
    ramp = run.ns["ramp"]
    assert ramp[0] == 0 and ramp[-1] == 1 and len(ramp) == 33
    assert torch.all(torch.diff(ramp) == 1 / 32)
    assert run.ns["drift"].abs().sum() == 0
    # sampled 8 times less often: an on-spike at every step after step 0
    assert run.ns["coarse"].tolist() == [0.0, 1.0, 1.0, 1.0, 1.0]
    tracked = run.ns["tracked"]
    assert positions(tracked, 1) == [8, 16, 24, 32] and positions(tracked, -1) == []
    # the staircase rebuilt from the events meets the input at every event
    rebuilt = ramp[0] + 0.25 * tracked.cumsum(0)
    assert torch.equal(rebuilt[[8, 16, 24, 32]], ramp[[8, 16, 24, 32]])
    assert torch.all(rebuilt <= ramp)
    out = run.out("slow_drift")
    assert "spikegen.delta: 0 events" in out
    assert "every 8th sample: 4 events" in out
    assert "compared with the last event: 4 events at steps [8, 16, 24, 32]" in out
    assert run.files("slow_drift") == ["slow_drift.png"]


def test_reference_encoder_tracks_falls_too(run):
    encode = run.ns["delta_from_reference"]
    down = torch.tensor([1.0, 0.875, 0.75, 0.625, 0.5])
    assert encode(down, 0.25).tolist() == [0.0, 0.0, -1.0, 0.0, -1.0]


def test_spikegen_delta_has_no_last_event_option():
    assert list(inspect.signature(spikegen.delta).parameters) == [
        "data",
        "threshold",
        "padding",
        "off_spike",
    ]


def test_a_repeated_still_image_gives_events_at_step_zero_only(run):
    image = run.ns["digit"]
    still = image.repeat(10, 1, 1)  # the same image at 10 time steps
    assert spikegen.delta(still, threshold=0.25, padding=True, off_spike=True).abs().sum() == 0
    default = spikegen.delta(still, threshold=0.25, off_spike=True)
    assert default[1:].abs().sum() == 0 and default[0].sum() > 0


def test_every_figure_is_drawn_once(run):
    drawn = [f for section in run.result["sections"].values() for f in section["files"]]
    assert drawn == [
        "on_plot.png",
        "raster_pitfall.png",
        "moving_frames.png",
        "event_raster.png",
        "versus_rate.png",
        "slow_drift.png",
    ]


# ---------------------------------------------------------------- exercises


def test_exercise_1_every_rule_at_once(run):
    x = run.ns["x"]
    assert torch.diff(x, prepend=torch.zeros(1)).tolist() == [
        0.5,
        0.0,
        0.25,
        -0.125,
        -0.125,
        0.0,
        -0.5,
        0.25,
    ]
    plain = spikegen.delta(x, threshold=0.25)
    assert positions(plain, 1) == [0, 2, 7] and positions(plain, -1) == []
    both = spikegen.delta(x, threshold=0.25, off_spike=True, padding=True)
    assert positions(both, 1) == [2, 7] and positions(both, -1) == [6]
    # the two small falls add up to the threshold but give nothing
    assert x[2] - x[4] == 0.25 and plain[3:5].abs().sum() == both[3:5].abs().sum() == 0
    out = run.out("exercise_1").splitlines()
    assert out == [
        "tensor([1., 0., 1., 0., 0., 0., 0., 1.])",
        "tensor([ 0.,  0.,  1.,  0.,  0.,  0., -1.,  1.])",
    ]


def _filmed(run, per_pixel):
    shifted = run.ns["shifted"]
    video = torch.stack([shifted(i / per_pixel) for i in range(4 * per_pixel + 1)])
    return video, spikegen.delta(video, threshold=0.25, padding=True, off_spike=True)


def test_exercise_2_blended_frames_are_the_digit_in_between(run):
    shifted, digit = run.ns["shifted"], run.ns["digit"]
    for s in range(5):  # whole pixels: the rolled digit, as in the chapter
        assert torch.equal(shifted(s), torch.roll(digit, s, dims=-1))
    assert torch.allclose(shifted(1.5), (torch.roll(digit, 1, -1) + torch.roll(digit, 2, -1)) / 2)
    # the digit stays inside the frame (the chapter's own check)
    assert digit[:, -5:].sum() == 0


def test_exercise_2_events_follow_the_one_pixel_change_over_m(run):
    one_pixel = run.ns["one_pixel"]
    out = run.out("exercise_2")
    totals = {}
    for m in (1, 2, 4):
        video, events = _filmed(run, m)
        assert len(video) - 1 == 4 * m
        big = int((one_pixel.abs() >= 0.25 * m).sum())
        per_frame = events.abs().sum(dim=(1, 2)).int().tolist()
        # no event in frame 0 (padding); each moving frame has `big` events
        assert per_frame == [0] + [big] * (4 * m)
        totals[m] = int(events.abs().sum())
        assert totals[m] == 4 * m * big
        assert f"{m} frame(s) per pixel: {4 * m} moving frames, {totals[m]} events" in out
        assert f"|one-pixel change| >= {0.25 * m}: {big} pixels" in out
    # the chapter's moving digit: 86 per moving frame
    assert int((one_pixel.abs() >= 0.25).sum()) == 86
    # twice as often: "almost half" per frame, yet more in total for this digit
    big2 = int((one_pixel.abs() >= 0.5).sum())
    assert 86 / 2 < big2 < 86
    assert totals[2] > totals[1]
    # four times as often: nothing, because no |change| reaches 1
    assert totals[4] == 0 and one_pixel.abs().max() < 1


def test_exercise_3_false_events_match_the_erfc_prediction(run):
    sigma, noisy, still = run.ns["sigma"], run.ns["noisy"], run.ns["still"]
    assert tuple(noisy.shape) == (20, 28, 28)
    assert torch.equal(still[0], run.ns["digit"]) and torch.equal(still[19], still[0])
    noise = noisy - still
    # the noise really has standard deviation sigma (20 x 784 samples)
    assert abs(noise.std().item() - sigma) < 5 * sigma / math.sqrt(2 * noise.numel())
    out = run.out("exercise_3")
    moving_events = int(run.ns["dvs"].abs().sum())
    for theta in (0.1, 0.25):
        events = spikegen.delta(noisy, threshold=theta, padding=True, off_spike=True)
        assert events[0].abs().sum() == 0  # padding: nothing at step 0
        n = 19 * 784
        p = math.erfc(theta / (2 * sigma))
        # the erfc formula is P(|N(0, 2 sigma^2)| >= theta)
        z = theta / (sigma * math.sqrt(2))
        assert p == pytest.approx(2 * (1 - 0.5 * (1 + math.erf(z / math.sqrt(2)))))
        count = int(events.abs().sum())
        # a count of n nearly independent trials: within 5 binomial std
        # (neighbouring differences share a frame, so allow twice the variance)
        assert abs(count - n * p) < 5 * math.sqrt(2 * n * p * (1 - p)) + 1
        assert f"threshold {theta}: {count} events, expected {n * p:.0f}" in out
        if theta == 0.1:
            # "about one comparison in six", "over two thousand",
            # "several times more than the real motion"
            assert 1 / 7 < p < 1 / 6 and count > 2000 and count > 3 * moving_events
            assert f"{theta / (sigma * math.sqrt(2)):.1f}" == "1.4"
        else:
            assert count < 20  # "a handful"
            assert f"{theta / (sigma * math.sqrt(2)):.1f}" == "3.5"
    assert f"{sigma * math.sqrt(2):.3f}" == "0.071"


def test_exercises_keep_the_chapter_variables(run):
    """The solutions use their own names: the chapter's `events` survives."""
    assert torch.equal(
        run.ns["events"], spikegen.delta(run.ns["signal"], threshold=0.25, off_spike=True)
    )
