"""Claims made on the "From encoding to the network" page."""

from __future__ import annotations

import pytest
import torch

from helpers import DOCS, exercise_solutions

PAGES = [DOCS / "into-the-network.md", DOCS / "into-the-network.en.md"]


@pytest.fixture(scope="module")
def run(run_snippet):
    return run_snippet("into_the_network.py")


def lines(run, section: str) -> list[str]:
    return run.out(section).splitlines()


def intervals(train: torch.Tensor) -> torch.Tensor:
    return train.nonzero().flatten().diff()


# ------------------------------------------------- do I have to encode at all?


def test_both_inputs_and_outputs_are_time_first(run):
    shape = (100, 128, 1, 28, 28)
    for name in ("static_in", "spk_in", "spk_direct", "spk_rate"):
        assert tuple(run.ns[name].shape) == shape, name
    assert lines(run, "first_layer")[:2] == [
        f"input shapes:  {shape} and {shape}",
        f"output shapes: {shape} and {shape}",
    ]


def test_expand_repeats_the_image_without_copying(run):
    static_in, data = run.ns["static_in"], run.ns["data_it"]
    assert static_in.stride(0) == 0
    assert static_in.data_ptr() == data.data_ptr()
    assert all(torch.equal(static_in[t], data) for t in (0, 50, 99))


def test_leaky_follows_the_equation_on_the_page(run):
    """U[t] = beta U[t-1] + I[t] - S[t-1] U_thr, S[t] = (U[t] > U_thr)."""
    lif, data = run.ns["lif"], run.ns["data_it"]
    assert float(lif.beta) == pytest.approx(0.9) and float(lif.threshold) == 1.0
    assert lif.reset_mechanism == "subtract"
    beta, thr = lif.beta, lif.threshold
    mem = torch.zeros_like(data)
    spk = torch.zeros_like(data)
    spikes = []
    for _ in range(run.ns["num_steps"]):
        mem = beta * mem + data - spk * thr
        spk = (mem > thr).float()
        spikes.append(spk)
    assert torch.equal(torch.stack(spikes), run.ns["spk_direct"])


def test_both_give_about_as_many_spikes(run):
    direct, rate = run.ns["spk_direct"].sum().item(), run.ns["spk_rate"].sum().item()
    assert 0.9 < rate / direct < 1.1
    assert lines(run, "first_layer")[2] == f"output spikes: direct {int(direct)}, rate {int(rate)}"


def test_direct_intervals_take_two_neighboring_values_rate_ones_vary(run):
    data, num_steps = run.ns["data_it"], run.ns["num_steps"]
    mid = run.ns["mid"]
    assert mid == int((data[0].flatten() - 0.5).abs().argmin())
    assert abs(data[0].flatten()[mid].item() - 0.5) < 0.05
    direct = run.ns["spk_direct"][:, 0].reshape(num_steps, -1)
    rate = run.ns["spk_rate"][:, 0].reshape(num_steps, -1)
    gaps_direct = set(intervals(direct[:, mid]).tolist())
    gaps_rate = set(intervals(rate[:, mid]).tolist())
    assert len(gaps_direct) == 2 and max(gaps_direct) - min(gaps_direct) == 1
    assert len(gaps_rate) > 2
    out = lines(run, "one_pixel")
    assert out[2] == f"       gaps between them: {sorted(gaps_direct)}"
    assert out[4] == f"       gaps between them: {sorted(gaps_rate)}"
    # ... and for every neuron of the first image that fires often enough
    spreads = [
        int(g.max() - g.min()) for g in (intervals(direct[:, n]) for n in range(784)) if len(g) >= 2
    ]
    assert len(spreads) > 50 and max(spreads) <= 1


def test_raster_shows_ten_pixels_from_dim_to_bright(run):
    assert run.files("raster") == ["raster.png"]
    image, picks, num_steps = run.ns["image"], run.ns["picks"], run.ns["num_steps"]
    values = [image[i].item() for i in picks]
    assert values == sorted(values) and len(set(picks)) == 10
    direct = run.ns["spk_direct"][:, 0].reshape(num_steps, -1)[:, picks]
    rate = run.ns["spk_rate"][:, 0].reshape(num_steps, -1)[:, picks]
    # the dimmest row is empty with direct input, not with rate coding
    assert values[0] <= 0.1 and direct[:, 0].sum() == 0 and rate[:, 0].sum() > 0
    # every other direct row is regular
    for n in range(1, 10):
        gaps = intervals(direct[:, n])
        assert gaps.max() - gaps.min() <= 1
    # the alt text names the range of intensities
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        assert f"{values[0]:.2f}" in text and f"{values[-1]:.2f}" in text


def test_direct_input_is_deterministic_rate_coding_is_not(run):
    ns = run.ns
    assert torch.equal(ns["spk_direct"], ns["spk_direct_again"])
    assert not torch.equal(ns["spk_rate"], ns["spk_rate_again"])
    changed = int((ns["spk_rate"] != ns["spk_rate_again"]).sum())
    assert ns["spk_rate"].numel() == 10_035_200  # "about 10 million"
    assert 100_000 < changed < 1_000_000  # "hundreds of thousands"
    assert lines(run, "repeat") == [
        "direct, same output again: True",
        "rate,   same output again: False",
        f"rate,   output entries that changed: {changed}",
    ]


def test_direct_spike_count_is_a_function_of_intensity(run):
    ns = run.ns
    intensity, direct = ns["intensity"], ns["count_direct"]
    assert ns["spread_direct"] == 1
    assert ns["spread_rate"] > 20  # "more than twenty values"
    # a staircase: never decreasing with intensity
    order = intensity.argsort(stable=True)
    assert torch.all(direct[order].diff() >= 0)
    assert lines(run, "counts")[0] == (
        f"{len(ns['levels'])} pixel values; different counts for one value: "
        f"direct at most 1, rate up to {ns['spread_rate']}"
    )
    assert run.files("counts") == ["counts.png"]


def test_direct_input_filters_pixels_up_to_one_minus_beta(run):
    ns = run.ns
    intensity, direct, rate = ns["intensity"], ns["count_direct"], ns["count_rate"]
    silent = direct == 0
    cutoff = (1 - 0.9) * 1.0
    assert intensity[silent].max() <= cutoff < intensity[~silent].min() < 0.11
    # the potential under a constant current approaches I / (1 - beta) = 10 I
    lif = ns["lif"]
    mem = lif.init_leaky()
    current = torch.tensor([0.05, 0.08])
    for _ in range(200):
        _, mem = lif(current, mem)
    assert torch.allclose(mem, 10 * current, rtol=1e-3)
    # dim pixels: silent with direct input, firing now and then with rate coding
    dim = (intensity > 0) & (intensity <= 0.1)
    assert dim.sum() > 0 and direct[dim].sum() == 0 and rate[dim].sum() > 0
    assert lines(run, "counts")[2] == (
        f"pixels in (0, 0.1]: {int(dim.sum())}; their spikes: direct 0, rate {int(rate[dim].sum())}"
    )


def test_rate_coded_output_spikes_need_an_input_spike_and_some_leftover(run):
    """'A single input spike lifts the potential by 1: with some potential
    left from an earlier spike, the next one crosses the threshold.'"""
    spk_in, spk_rate = run.ns["spk_in"], run.ns["spk_rate"]
    assert torch.all(spk_rate <= spk_in)  # no output spike without input
    # the first input spike of a neuron (from rest, U = 0 -> 1) never fires
    first = spk_in.cumsum(dim=0) == 1
    first_spike = first & (spk_in == 1)
    assert first_spike.any() and spk_rate[first_spike].sum() == 0


def test_rate_coded_input_is_100_times_larger(run):
    data, spk_in = run.ns["data_it"], run.ns["spk_in"]
    assert spk_in.numel() == 100 * data.numel()
    assert spk_in.dtype == torch.float32
    assert round(spk_in.numel() * 4 / 1e6) == 40
    assert lines(run, "cost") == [
        f"direct input: {data.numel():,} values, reused at every step",
        f"rate input:   {spk_in.numel():,} values (100 times as many), 40 MB as torch.float32",
    ]


# ---------------------------------------------------------------- shapes


def test_axes_diagram(run):
    assert run.files("axes") == ["axes.png"]
    rows = {title: dims for title, dims, _ in run.ns["rows"]}
    assert rows == {
        "time first (snnTorch)": "TBCHW",
        "batch first (DataLoader)": "BTCHW",
        "time series": "TBF",
    }
    # what x[step] gives: the shape without the first axis
    for _title, dims, note in run.ns["rows"]:
        assert note.startswith("[" + ", ".join(dims[1:]) + "]"), note
    assert run.ns["names"]["T"] == "time step"


def test_batch_first_series_fails_in_the_loop_and_transpose_fixes_it(run):
    series, series_tf = run.ns["series"], run.ns["series_tf"]
    assert tuple(series.shape) == (16, 100, 2)
    assert tuple(series_tf.shape) == (100, 16, 2)
    assert torch.equal(series_tf[5, 3], series[3, 5])
    assert tuple(run.ns["spk_series"].shape) == (100, 16, 2)
    out = lines(run, "batch_first")
    assert out == [
        "from the DataLoader: (16, 100, 2)  [B, T, F]",
        "IndexError: index 16 is out of bounds for dimension 0 with size 16",
        "after transpose(0, 1): (100, 16, 2) -> (100, 16, 2)",
    ]


def test_a_batch_larger_than_the_steps_runs_silently_wrong(run):
    """'Had the batch been larger than the number of steps, no error.'"""
    import snntorch as snn

    batch_first = torch.rand(120, run.ns["num_steps"], 2)
    out = run.ns["run_layer"](snn.Leaky(beta=0.9), batch_first)
    # ran to the end, treating recordings as steps and steps as samples
    assert tuple(out.shape) == (100, 100, 2)


def test_delta_on_batch_first_compares_recordings(run):
    series, series_tf = run.ns["series"], run.ns["series_tf"]
    wrong, right = run.ns["wrong"], run.ns["right"]
    assert tuple(wrong.shape) == (16, 100, 2) and tuple(right.shape) == (100, 16, 2)
    # wrong: along the batch axis; right: along time
    previous = torch.cat([torch.zeros_like(series[:1]), series[:-1]])
    assert torch.equal(wrong, (series - previous >= 0.1).float())
    previous_tf = torch.cat([torch.zeros_like(series_tf[:1]), series_tf[:-1]])
    assert torch.equal(right, (series_tf - previous_tf >= 0.1).float())
    # "far from the right count"
    assert abs(wrong.sum() - right.sum()) > 0.5 * right.sum()
    assert lines(run, "delta") == [
        f"on batch first: (16, 100, 2), {int(wrong.sum())} spikes",
        f"on time first:  (100, 16, 2), {int(right.sum())} spikes",
        "wrong[1] is recording 1 minus recording 0: True",
    ]


def test_rgb_rate_coding_gives_each_channel_its_own_train(run):
    rgb, spk_rgb = run.ns["rgb"], run.ns["spk_rgb"]
    assert tuple(rgb.shape) == (128, 3, 28, 28)
    assert tuple(spk_rgb.shape) == (100, 128, 3, 28, 28)
    error = run.ns["error"].item()
    assert error < 0.05
    # the three channels of a digit differ, and so do their firing rates
    rates = spk_rgb[:, 0].mean(dim=(0, 2, 3))
    assert len(set(run.ns["colors"][0].flatten().tolist())) == 3
    assert torch.allclose(rates, rgb[0].mean(dim=(1, 2)), atol=0.01)
    assert lines(run, "rgb")[:2] == [
        "RGB batch (128, 3, 28, 28) -> spikes (100, 128, 3, 28, 28)",
        f"firing rate vs intensity, mean error per entry: {error:.3f}",
    ]


def test_linear_needs_flattened_channels(run):
    out = lines(run, "rgb")
    rows = 128 * 3 * 28
    assert rows == 10752  # the page explains the 10752x28
    assert out[2] == (
        f"RuntimeError: mat1 and mat2 shapes cannot be multiplied ({rows}x28 and 2352x10)"
    )
    assert out[3] == "flatten(1): (128, 2352) -> (128, 10)"
    assert tuple(run.ns["cur"].shape) == (128, 10)


def test_delta_on_a_static_rgb_batch_compares_images(run):
    rgb, delta_rgb = run.ns["rgb"], run.ns["delta_rgb"]
    assert delta_rgb.shape == rgb.shape  # no time axis added, T is not 1
    assert torch.equal(delta_rgb[1], (rgb[1] - rgb[0] >= 0.1).float())
    assert torch.equal(delta_rgb[0], (rgb[0] >= 0.1).float())  # image 0 against zeros
    assert lines(run, "rgb")[4] == (
        "delta on the RGB batch: (128, 3, 28, 28); image 1 against image 0: True"
    )


def test_pixel_210_is_often_background_and_then_never_fires(run):
    ns = run.ns
    background, spikes = ns["background"], ns["spikes_idx"]
    assert ns["idx"] == 210
    fraction = background.float().mean().item()
    assert 0.25 < fraction < 0.42  # "about one image in three"
    assert torch.all(spikes[background] == 0)  # background: never fires
    assert lines(run, "one_neuron")[0] == (
        f"pixel 210: background in {int(background.sum())} of 128 images, "
        f"no spikes in {int((spikes == 0).sum())}"
    )


def test_raster_draws_the_same_dots_for_t_and_t_by_1(run):
    ns = run.ns
    assert tuple(ns["train"].shape) == (100,)
    assert ns["train"].sum() > 0
    assert (ns["dots_1d"] == ns["dots_2d"]).all()
    assert len(ns["dots_1d"]) == int(ns["train"].sum())
    assert lines(run, "one_neuron")[1] == "(100,) and (100, 1): same dots True"
    assert run.files("one_neuron") == []  # the figure is closed, not shown


# ---------------------------------------------------------------- exercises


def test_exercise_1_slower_leak_moves_the_cutoff_to_0_05(run):
    ns = run.ns
    intensity, count_slow = ns["intensity"], ns["count_slow"]
    fires = count_slow > 0
    assert intensity[~fires].max() <= 0.05 < intensity[fires].min()
    assert fires.sum() > (ns["count_direct"] > 0).sum()  # more pixels fire
    out = lines(run, "exercise_1")
    assert out[0] == "beta=0.95: predicted cutoff (1 - beta) x threshold = 0.05"
    assert out[1] == (
        f"brightest pixel that never fires {intensity[~fires].max():.3f}, "
        f"dimmest that fires {intensity[fires].min():.3f}"
    )


def test_exercise_2_frames_become_one_time_axis(run):
    ns = run.ns
    assert tuple(ns["frames"].shape) == (16, 5, 1, 28, 28)
    assert tuple(ns["extra"].shape) == (100, 16, 5, 1, 28, 28)
    assert tuple(ns["spk_frames"].shape) == (100, 16, 1, 28, 28)
    per_step, frames = ns["per_step"], ns["frames"]
    for f in range(5):  # 20 steps per frame, in order
        assert torch.equal(per_step[20 * f : 20 * (f + 1)], frames[:, f].expand(20, -1, -1, -1, -1))
    # the moving frames really move one pixel right per frame
    assert torch.equal(frames[:, 1], frames[:, 0].roll(1, dims=-1))
    # time_var_input=True is one Bernoulli draw per entry, no axis added
    spikes = ns["spk_frames"]
    assert set(spikes.unique().tolist()) <= {0.0, 1.0}
    assert spikes[per_step == 0].sum() == 0 and spikes[per_step == 1].min() == 1
    assert ns["active"].tolist() == [0, 20, 40, 60, 80]
    assert lines(run, "exercise_2")[-1] == "delta: steps with spikes [0, 20, 40, 60, 80]"


def test_exercise_3_linear_layer_in_front(run):
    ns = run.ns
    assert torch.equal(ns["out_direct"], ns["out_again"])
    assert not torch.equal(ns["out_rate"], ns["out_rate2"])
    assert torch.equal(ns["fc1"](ns["flat"]), ns["cur_direct"])  # same every time
    direct, rate = ns["out_direct"].sum().item(), ns["out_rate"].sum().item()
    assert abs(rate - direct) < 0.15 * direct  # "similar"
    counts_1 = ns["out_rate"].sum(dim=0)
    counts_2 = ns["out_rate2"].sum(dim=0)
    assert (counts_1 != counts_2).any()
    assert (counts_1 - counts_2).abs().float().mean() < 0.1 * counts_1.float().mean()
    out = lines(run, "exercise_3")
    assert out[:2] == ["direct: same output again: True", "rate:   same output again: False"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_exercises_end_the_page_with_collapsed_solutions(page):
    exercise_solutions(page, "into_the_network.py")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_issue_links_and_tutorial_links(page):
    text = page.read_text(encoding="utf-8")
    for number in (133, 262, 294, 376):
        assert f"https://github.com/jeshraghian/snntorch/issues/{number}" in text
    for number in (2, 3, 5, 7):
        assert f"https://snntorch.readthedocs.io/en/latest/tutorials/tutorial_{number}.html" in text
    assert "https://snntorch.readthedocs.io/en/latest/tutorials/index.html" in text
    # the issues that also ask whether to encode are named, not linked
    assert "#119" in text and "#373" in text
