"""Claims made on the "Visualizing spike trains" page."""

from __future__ import annotations

import logging
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib import animation  # noqa: E402
from PIL import Image  # noqa: E402
from snntorch import spikeplot as splt  # noqa: E402

# Tests that only inspect an animation's frames never render it.
pytestmark = pytest.mark.filterwarnings("ignore:Animation was deleted without rendering")

NO_FFMPEG = "/nonexistent/ffmpeg"  # an ffmpeg_path that makes ffmpeg unavailable


@pytest.fixture(scope="module")
def run(run_snippet):
    return run_snippet("visualization.py")


@pytest.fixture
def small_anim():
    """A tiny animator() animation, closed after the test."""
    torch.manual_seed(0)
    data = (torch.rand(5, 4, 4) < 0.5).float()
    fig, ax = plt.subplots(figsize=(1, 1))
    anim = splt.animator(data, fig, ax)
    yield anim
    plt.close(fig)


def binomial_bound(p: torch.Tensor, n: int) -> torch.Tensor:
    """Five standard deviations of a Binomial(n, p) count."""
    return 5 * torch.sqrt(n * p * (1 - p))


# ---------------------------------------------------------------- the data


def test_both_codes_are_time_first_with_the_batch_shape(run):
    for name in ("rate_data", "latency_data"):
        assert tuple(run.ns[name].shape) == (100, 128, 1, 28, 28)
    assert run.out("encode").count("torch.Size([100, 128, 1, 28, 28])") == 2
    assert f"label: {run.ns['targets_it'][0]}" in run.out("encode")


def test_rate_count_is_steps_times_total_intensity(run):
    digit, sample = run.ns["digit"], run.ns["rate_sample"]
    count = int(sample.sum())
    assert f"rate coding:    {count} spikes" in run.out("encode")
    expected = 100 * digit.sum()
    assert abs(count - expected) < binomial_bound(digit, 100).pow(2).sum().sqrt()


def test_spikeplot_has_exactly_the_four_tools():
    import inspect

    public = {
        name
        for name, obj in vars(splt).items()
        if inspect.isfunction(obj) and obj.__module__ == splt.__name__ and not name.startswith("_")
    }
    assert public == {"animator", "raster", "spike_count", "traces"}


def test_latency_gives_at_most_one_spike_per_pixel_above_threshold(run):
    digit, sample = run.ns["digit"], run.ns["latency_sample"]
    assert sample.sum(dim=0).max() == 1
    # clip=True: pixels below threshold=0.01 (the background too) never spike
    fired = sample.sum(dim=0) == 1
    assert torch.equal(fired, digit >= 0.01)
    assert f"latency coding: {int(fired.sum())} spikes" in run.out("encode")
    # far fewer spikes than rate coding: about one rate-coded step's worth
    ratio = run.ns["rate_sample"].sum() / sample.sum()
    assert 20 < ratio < 100  # "tens of times fewer"


# ---------------------------------------------------------------- animator


def test_animator_returns_an_artist_animation(run):
    assert isinstance(run.ns["anim"], animation.ArtistAnimation)
    assert "<class 'matplotlib.animation.ArtistAnimation'>" in run.out("animator")


def test_gif_has_num_steps_frames_at_interval_ms_and_is_small(run):
    assert tuple(run.ns["pair"].shape) == (100, 28, 58)
    assert run.files("animator") == ["rate_vs_latency.gif"]
    path = run.outdir / "rate_vs_latency.gif"
    with Image.open(path) as gif:
        assert gif.n_frames == 50  # num_steps=50 of the 100 steps
        assert gif.info["duration"] == 80  # interval=80 ms sets the GIF speed
        assert gif.size == (400, 220)  # figsize (4, 2.2) at 100 dpi
    assert path.stat().st_size < 150_000


def test_gif_shows_the_latency_digit_only_in_the_first_steps(run):
    pair = run.ns["pair"]
    latency_half = pair[:, :, 30:]
    steps_with_spikes = latency_half.sum(dim=(1, 2)).nonzero().flatten()
    assert steps_with_spikes.max() < 10
    # the rate-coded half flickers in every frame
    assert (pair[:50, :, :28].sum(dim=(1, 2)) > 0).all()


def test_animator_docstring_promises_a_funcanimation():
    assert ":rtype: FuncAnimation" in splt.animator.__doc__
    assert 'anim.save("spike_mnist.gif")' in splt.animator.__doc__  # no writer
    assert not issubclass(animation.ArtistAnimation, animation.FuncAnimation)


def test_pillow_comes_with_matplotlib_but_ffmpeg_with_nothing():
    from importlib.metadata import requires

    assert any(req.lower().startswith("pillow") for req in requires("matplotlib"))
    assert not any("ffmpeg" in req.lower() for req in requires("matplotlib"))
    assert not requires("snntorch")  # snnTorch declares no dependencies at all


def test_animator_scales_colours_by_the_data_range(run):
    image = run.ns["anim"]._framedata[0][0]
    assert image.get_clim() == (0.0, 1.0)
    assert image.get_cmap().name == "gray"


def test_title_stays_but_text_drawn_before_animator_is_frame_zero_only():
    data = torch.ones(4, 3, 3)
    fig, ax = plt.subplots()
    ax.set_title("stays")
    label = ax.text(0, 0, "only in frame 0")
    anim = splt.animator(data, fig, ax)
    frames = anim._framedata
    assert [label in frame for frame in frames] == [True, False, False, False]
    assert not any(ax.title in frame for frame in frames)  # drawn in every frame
    plt.close(fig)


def test_animator_hides_the_current_axes_not_necessarily_ax():
    fig, (left, right) = plt.subplots(1, 2)
    anim = splt.animator(torch.ones(2, 3, 3), fig, left)  # noqa: F841
    assert left.axison and not right.axison
    plt.close(fig)


# ---------------------------------------------------------------- ffmpeg


def test_ffmpeg_output_matches_this_machine(run):
    out = run.out("ffmpeg")
    has_ffmpeg = animation.writers.is_available("ffmpeg")
    assert run.ns["has_ffmpeg"] == has_ffmpeg
    assert f"ffmpeg available: {has_ffmpeg}" in out
    if has_ffmpeg:
        assert "to_html5_video(): " in out and "characters of HTML" in out
        assert "<video" in run.ns["video"]
        assert "save('rate_vs_latency.mp4')" not in out
    else:
        assert (
            "to_html5_video(): RuntimeError: Requested MovieWriter (ffmpeg) not available"
        ) in out
        assert ("save('rate_vs_latency.mp4'): ValueError: unknown file extension: .mp4") in out
    # no video file is left behind in either case
    assert run.files("ffmpeg") == []


def test_without_ffmpeg_video_fails_and_mp4_falls_back_to_pillow(
    small_anim, tmp_path, monkeypatch, caplog
):
    """The page's 'no ffmpeg' case, forced even where ffmpeg is installed."""
    monkeypatch.setitem(matplotlib.rcParams, "animation.ffmpeg_path", NO_FFMPEG)
    assert not animation.writers.is_available("ffmpeg")
    with pytest.raises(RuntimeError, match=r"Requested MovieWriter \(ffmpeg\) not available"):
        small_anim.to_html5_video()
    with caplog.at_level(logging.WARNING, logger="matplotlib.animation"):
        with pytest.raises(ValueError, match="unknown file extension: .mp4"):
            small_anim.save(tmp_path / "x.mp4")
    assert "MovieWriter ffmpeg unavailable; using Pillow instead." in caplog.text
    assert not (tmp_path / "x.mp4").exists()


def test_gif_without_a_writer_falls_back_to_pillow_with_a_warning(
    small_anim, tmp_path, monkeypatch, caplog
):
    monkeypatch.setitem(matplotlib.rcParams, "animation.ffmpeg_path", NO_FFMPEG)
    with caplog.at_level(logging.WARNING, logger="matplotlib.animation"):
        small_anim.save(tmp_path / "a.gif")
    assert "MovieWriter ffmpeg unavailable; using Pillow instead." in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="matplotlib.animation"):
        small_anim.save(tmp_path / "b.gif", writer="pillow")
    assert "unavailable" not in caplog.text
    for name in ("a.gif", "b.gif"):
        with Image.open(tmp_path / name) as gif:
            assert gif.format == "GIF" and gif.n_frames == 5


def test_jshtml_needs_no_ffmpeg(run, small_anim, monkeypatch):
    html = run.ns["html"]
    assert "<script" in html and "data:image/png;base64" in html
    assert f"to_jshtml(): {len(html):,} characters of HTML" in run.out("ffmpeg")
    monkeypatch.setitem(matplotlib.rcParams, "animation.ffmpeg_path", NO_FFMPEG)
    assert "<script" in small_anim.to_jshtml()
    # In Jupyter, this setting makes an animation display itself as jshtml.
    monkeypatch.setitem(matplotlib.rcParams, "animation.html", "jshtml")
    assert "<script" in small_anim._repr_html_()


# ---------------------------------------------------------------- raster


def test_flatten_keeps_time_and_flattens_the_rest(run):
    rate_flat, rate_data = run.ns["rate_flat"], run.ns["rate_data"]
    assert tuple(rate_flat.shape) == (100, 784)
    assert torch.equal(rate_flat, rate_data[:, 0].view(100, -1))
    # the same call works on a [T, 28, 28] sample
    assert torch.equal(run.ns["rate_sample"].flatten(start_dim=1), rate_flat)
    assert "torch.Size([100, 784]) torch.Size([100, 784])" in run.out("raster")


def test_raster_draws_one_dot_per_spike(run):
    out = run.out("raster")
    assert f"rate: {int(run.ns['rate_flat'].sum())} dots" in out
    assert f"latency: {int(run.ns['latency_flat'].sum())} dots" in out
    assert run.files("raster") == ["raster.png"]


def test_raster_returns_the_scatter_and_draws_off_spikes_like_on_spikes():
    from matplotlib.collections import PathCollection

    data = torch.tensor([[1.0, 0.0], [0.0, -1.0], [0.0, 0.0]])
    fig, ax = plt.subplots()
    dots = splt.raster(data, ax, c="black")
    assert isinstance(dots, PathCollection)
    assert sorted(map(tuple, dots.get_offsets().tolist())) == [(0, 0), (1, 1)]
    assert len(set(map(tuple, dots.get_facecolors().tolist()))) == 1
    plt.close(fig)


def test_a_three_dimensional_sample_is_not_a_raster():
    data = torch.ones(3, 2, 2)
    fig, ax = plt.subplots()
    with pytest.raises(TypeError, match="multiple values for argument 's'"):
        splt.raster(data, ax, s=1)
    plt.close(fig)


def test_latency_spikes_all_come_early_bright_pixels_at_step_zero(run):
    latency_flat, data = run.ns["latency_flat"], run.ns["data_it"]
    assert latency_flat[10:].sum() == 0
    # over the whole batch: every pixel brighter than about 0.1 fires at step 0
    whole = run.ns["latency_data"]
    bright = (data > 0.11).expand_as(whole[0])
    assert torch.all(whole[0][bright] == 1)
    # 5 * ln(x / (x - 0.01)) < 0.5 exactly when x > 0.01 / (1 - exp(-0.1))
    assert 0.01 / (1 - math.exp(-0.1)) < 0.11
    first = int(latency_flat[0].sum())
    assert first / latency_flat.sum() > 0.8  # "most of them"


def test_spike_time_is_tau_log_rounded_to_a_step(run):
    data, spikes = run.ns["data_it"], run.ns["latency_data"]
    fired = data >= 0.01
    times = spikes.argmax(dim=0)  # the step of each pixel's single spike
    x = data[fired]
    expected = torch.round(5 * torch.log(x / (x - 0.01))).long()
    assert torch.equal(times[fired], expected)
    assert torch.all(spikes.sum(dim=0)[~fired] == 0)


def test_several_neurons_from_dim_to_bright(run):
    neurons, pixels = run.ns["neurons"], run.ns["pixels"]
    assert len(set(neurons)) == 9
    intensities = pixels[neurons]
    assert torch.all(intensities[1:] > intensities[:-1])
    # "closest to 0.1, 0.2, ..., 0.9"
    targets = torch.arange(1, 10) / 10
    assert torch.allclose(run.ns["targets"], targets)
    assert torch.all((intensities - targets).abs() < 0.05)
    counts = run.ns["rate_flat"][:, neurons].sum(dim=0)
    assert torch.all((counts - 100 * intensities).abs() < binomial_bound(intensities, 100))
    for n, count in zip(neurons, counts):
        assert f"neuron {n:3d}: intensity {pixels[n]:.2f}, {int(count):2d} spikes" in run.out(
            "raster_neurons"
        )


def test_raster_puts_column_k_at_height_k(run):
    sample = run.ns["rate_flat"][:, run.ns["neurons"]]
    fig, ax = plt.subplots()
    dots = splt.raster(sample, ax)
    heights = torch.tensor(dots.get_offsets()[:, 1])
    assert set(heights.int().tolist()) == set(range(9))
    assert len(heights) == int(sample.sum())
    plt.close(fig)


def test_a_one_dimensional_train_is_one_neuron_at_height_zero(run):
    train = run.ns["rate_flat"][:, run.ns["bright"]]
    fig, ax = plt.subplots()
    dots = splt.raster(train, ax)
    offsets = torch.tensor(dots.get_offsets())
    assert len(offsets) == int(train.sum()) > 0
    assert torch.all(offsets[:, 1] == 0)
    assert torch.equal(offsets[:, 0].long(), train.nonzero().flatten())
    plt.close(fig)


def test_a_silent_neuron_gives_an_empty_plot_with_tiny_axes(run):
    assert run.ns["rate_flat"][:, run.ns["silent"]].sum() == 0
    assert run.ns["digit"].flatten()[run.ns["silent"]] == 0
    assert "neuron 0: 0 dots, x from -0.055 to 0.055" in run.out("raster_single")
    assert run.files("raster_single") == ["raster_single.png"]


# ---------------------------------------------------------------- firing rate


def test_rate_coded_population_rate_is_flat_at_the_mean_intensity(run):
    digit, pop = run.ns["digit"], run.ns["rate_pop"]
    n = digit.numel()
    mean = digit.mean()
    # one step: a sum of n Bernoulli trials divided by n
    std_step = torch.sqrt((digit * (1 - digit)).sum()) / n
    assert torch.all((pop - mean).abs() < 5 * std_step)
    assert abs(pop.mean() - mean) < 5 * std_step / math.sqrt(100)
    out = run.out("population")
    assert f"mean pixel intensity:   {mean:.3f}" in out
    assert (
        f"rate coding, per step:  {pop.mean():.3f} on average "
        f"(min {pop.min():.3f}, max {pop.max():.3f})"
    ) in out


def test_rate_coded_population_rate_wobbles_by_the_binomial_std(run):
    digit, pop = run.ns["digit"], run.ns["rate_pop"]
    theory = torch.sqrt((digit * (1 - digit)).sum()) / digit.numel()
    # a sample std over 100 steps is off by about theory / sqrt(2 * 99)
    assert abs(pop.std() - theory) < 5 * theory / math.sqrt(2 * 99)


def test_latency_population_rate_is_an_early_burst(run):
    pop, digit = run.ns["latency_pop"], run.ns["digit"]
    steps = pop.nonzero().flatten().tolist()
    assert f"latency coding, steps with spikes: {steps}" in run.out("population")
    assert max(steps) < 10 and steps[0] == 0
    assert pop.argmax() == 0
    # the burst at step 0 is higher than the rate-coded level
    assert pop[0] > run.ns["rate_pop"].max()
    # summed over time: each pixel above threshold once
    assert pop.sum() * digit.numel() == pytest.approx(float((digit >= 0.01).sum()))
    assert run.files("population") == ["population.png"]


def test_moving_average_is_the_rate_over_the_last_window(run):
    moving, spikes, window = run.ns["moving"], run.ns["rate_flat"], run.ns["window"]
    assert window == 10  # the page's "10-step moving average"
    assert tuple(moving.shape) == (100, 784)
    for t in (0, 5, 9, 10, 50, 99):
        start = max(0, t - window + 1)
        # before step 9 the missing steps count as silent: a ramp from 0
        expected = spikes[start : t + 1].sum(dim=0) / window
        assert torch.allclose(moving[t], expected)
    tenths = moving * window
    assert torch.allclose(tenths, tenths.round(), atol=1e-5)
    assert moving.min() >= 0 and moving.max() <= 1 + 1e-6


def test_a_ten_step_rate_is_off_by_sqrt_p_one_minus_p_over_ten(run):
    moving, pixels, window = run.ns["moving"], run.ns["pixels"], run.ns["window"]
    inside = (pixels > 0.05) & (pixels < 0.95)  # neurons that really vary
    full = moving[window - 1 :, inside]  # full windows only
    n = full.shape[0]
    theory = pixels[inside] * (1 - pixels[inside]) / window
    ratio = (full.var(dim=0).sum() / theory.sum()).item()
    # Overlapping windows are correlated (rho_k = 1 - k/window), which lowers
    # the expected sample variance by about window/n and leaves about
    # n / (1 + 2 sum rho_k^2) independent values per neuron.
    rho_sq = sum((1 - k / window) ** 2 for k in range(1, window))
    effective = inside.sum().item() * n / (1 + 2 * rho_sq)
    assert abs(ratio - (1 - window / n)) < 5 * math.sqrt(2 / effective)


def test_running_estimate_is_slow_to_follow_a_change():
    """The page's warning, on an input that jumps from 0.2 to 0.8 at step 50."""
    torch.manual_seed(0)
    p = torch.cat([torch.full((50,), 0.2), torch.full((50,), 0.8)])
    spikes = torch.bernoulli(p.expand(200, 100)).T  # [100 steps, 200 neurons]
    window = 10
    kernel = torch.ones(1, 1, window) / window
    padded = torch.nn.functional.pad(spikes.T.unsqueeze(1), (window - 1, 0))
    moving = torch.nn.functional.conv1d(padded, kernel).squeeze(1).T
    running = spikes.cumsum(dim=0) / torch.arange(1, 101)[:, None]
    t = 69  # 20 steps after the change
    # expected: moving average 0.8, running estimate (50*0.2 + 20*0.8) / 70
    assert abs(moving[t].mean() - 0.8) < 5 * math.sqrt(0.16 / 10 / 200)
    assert abs(running[t].mean() - 26 / 70) < 5 * math.sqrt(0.16 * 70 / 70**2 / 200)


def test_running_estimate_ends_at_the_count_over_the_steps(run):
    running, spikes = run.ns["running"], run.ns["rate_flat"]
    assert torch.allclose(running[-1], spikes.sum(dim=0) / 100)
    assert torch.allclose(running[0], spikes[0])


def test_the_chosen_neuron_and_its_two_estimates(run):
    n, pixels, moving, running = (run.ns[k] for k in ("n", "pixels", "moving", "running"))
    window = run.ns["window"]
    x = pixels[n].item()
    assert abs(x - 0.5) < 0.05
    # the running estimate ends within 5 std of the intensity
    assert abs(running[-1, n].item() - x) < 5 * math.sqrt(x * (1 - x) / 100)
    # the moving average keeps swinging; the running estimate settles
    assert running[50:, n].std() < moving[50:, n].std() / 2
    assert moving[window - 1 :, n].max() - moving[window - 1 :, n].min() >= 0.3
    assert (
        f"neuron {n}: intensity {x:.2f}, moving average between "
        f"{moving[window - 1 :, n].min():.1f} and {moving[window - 1 :, n].max():.1f}, "
        f"running estimate at the end {running[-1, n]:.2f}"
    ) in run.out("smoothing")
    assert run.files("smoothing") == ["smoothing.png"]


# ---------------------------------------------------------------- spike_count


def test_spike_count_page_figure_and_rc_context(run):
    counts = run.ns["counts"]
    assert counts.int().tolist() == run.ns["rate_flat"][:, run.ns["neurons"]].sum(0).int().tolist()
    out = run.out("spike_count")
    assert "inside:  ['#333F4B', '#333F4B', '#333F4B']" in out
    assert "after:   ['black', 'black', 'black']" in out
    assert run.files("spike_count") == ["spike_count.png"]


def test_spike_count_returns_none_draws_counts_and_labels_them_time_step():
    data = torch.eye(4).repeat(3, 1)  # [12, 4]: every neuron spikes 3 times
    data[:, 0] = 1  # neuron 0 spikes 12 times
    with plt.rc_context():
        fig, ax = plt.subplots()
        result = splt.spike_count(data, fig, ax, labels=list("abcd"), num_steps=12)
        assert result is None
        bars = ax.collections[0].get_segments()  # plt.hlines, one per label
        assert [seg[1][0] for seg in bars] == [12, 3, 3, 3]
        assert ax.get_xlabel() == "Time Step"
        assert ax.get_xlim() == (0, 12)
        plt.close(fig)


def test_spike_count_changes_global_style_without_rc_context():
    with plt.rc_context():  # the test's own guard
        default = plt.rcParams["text.color"]
        fig, ax = plt.subplots()
        splt.spike_count(torch.ones(3, 2), fig, ax, labels=["a", "b"])
        assert plt.rcParams["text.color"] == "#333F4B" != default
        plt.close(fig)
    assert plt.rcParams["text.color"] == default


def test_spike_count_draws_on_the_current_axes_not_on_ax():
    with plt.rc_context():
        fig, (left, right) = plt.subplots(1, 2)  # `right` is current
        splt.spike_count(torch.ones(3, 2), fig, left, labels=["a", "b"])
        assert len(left.lines) == 0 and len(right.lines) == 1
        assert left.get_xlabel() == "Time Step"  # the labels do go on ax
        plt.close(fig)


def test_spike_count_animate_returns_an_artist_animation():
    with plt.rc_context():
        fig, ax = plt.subplots()
        anim = splt.spike_count(
            torch.ones(4, 2), fig, ax, labels=["a", "b"], animate=True, interpolate=2
        )
        assert isinstance(anim, animation.ArtistAnimation)
        assert len(anim._framedata) == 4 * 2
        # an orange time line moves by 1/interpolate of a step per frame
        from matplotlib.lines import Line2D

        positions = [
            a.get_xdata()[0]
            for frame in anim._framedata
            for a in frame
            if isinstance(a, Line2D) and a.get_color() == "tab:orange"
        ]
        assert positions == [i / 2 for i in range(8)]
        plt.close(fig)


def test_spike_count_grey_bands_come_from_gridshader():
    with plt.rc_context():
        for shade in (True, False):
            fig, ax = plt.subplots()
            splt.spike_count(torch.ones(3, 2), fig, ax, labels=["a", "b"], gridshader=shade)
            assert bool(ax.patches) == shade  # axvspan rectangles
            plt.close(fig)


def test_plain_barh_draws_the_same_counts(run):
    assert run.files("barh") == ["barh.png"]
    fig, ax = plt.subplots()
    bars = ax.barh([str(n) for n in run.ns["neurons"]], run.ns["counts"].tolist())
    assert [b.get_width() for b in bars] == run.ns["counts"].tolist()
    plt.close(fig)


# ---------------------------------------------------------------- traces


def test_traces_fills_the_current_figure_without_axes(run):
    assert run.files("traces") == ["traces.png"]
    data = torch.rand(20, 9)
    fig = plt.figure()
    assert splt.traces(data, dim=(3, 3)) is None
    assert len(fig.axes) == 9
    assert not any(ax.axison for ax in fig.axes)
    # one shared y scale, so the levels can be compared
    assert len({ax.get_ylim() for ax in fig.axes}) == 1
    plt.close(fig)


def test_traces_dim_is_the_grid_not_the_figure_size():
    fig = plt.figure(figsize=(4, 4))
    splt.traces(torch.rand(20, 6), dim=(2, 3))
    assert len(fig.axes) == 6
    assert fig.axes[0].get_subplotspec().get_geometry()[:2] == (2, 3)
    assert tuple(fig.get_size_inches()) == (4, 4)
    plt.close(fig)


def test_traces_needs_at_least_rows_times_columns_neurons():
    fig = plt.figure()
    with pytest.raises(IndexError, match="index 4 is out of bounds for axis 1 with size 4"):
        splt.traces(torch.rand(20, 4), dim=(3, 3))
    plt.close(fig)


def test_traces_adds_spikes_of_spk_height_to_the_trace():
    data = torch.rand(20, 1)
    spk = (torch.rand(20, 1) < 0.3).float()
    fig = plt.figure()
    splt.traces(data, spk=spk, dim=(1, 1), spk_height=5)
    line = fig.axes[0].lines[0].get_ydata()
    assert torch.allclose(torch.tensor(line), (data + 5 * spk)[:, 0])
    plt.close(fig)


# ---------------------------------------------------------------- exercises


def test_exercise_1_without_clip_the_background_bursts_at_step_58(run):
    pop_all, pop_clip, digit = run.ns["pop_all"], run.ns["latency_pop"], run.ns["digit"]
    dark = (digit < 0.01).float().mean()
    # 58 = round(5 ln((0.01 + eps) / eps)), the step of every pixel below the threshold
    assert round(5 * math.log((0.01 + 1e-7) / 1e-7)) == 58
    # the first steps are exactly the clipped code's; the only new burst is at 58
    assert torch.equal(pop_all[:58], pop_clip[:58])
    assert pop_clip[58:].sum() == 0 and pop_all[59:].sum() == 0
    assert pop_all.nonzero().flatten().tolist() == pop_clip.nonzero().flatten().tolist() + [58]
    assert pop_all[58] == pytest.approx(dark.item())
    assert pop_all[58] > 3 * pop_all[0]  # "several times higher than the ink's first burst"
    assert pop_all.sum() == pytest.approx(1.0)  # every pixel exactly once
    assert pop_clip.sum() == pytest.approx((digit >= 0.01).float().mean().item())
    out = run.out("exercise_1").splitlines()
    assert out[0] == str({t: round(r, 3) for t, r in enumerate(pop_all.tolist()) if r > 0})
    assert out[1] == f"pixels below 0.01: {dark:.3f}"
    assert out[2] == "sum over all steps: 1.000"
    assert run.files("exercise_1") == ["exercise_1.png"]


def test_exercise_2_noise_follows_the_binomial_std(run):
    out = run.out("exercise_2").splitlines()
    moving_average, trains = run.ns["moving_average"], run.ns["jump_trains"]
    assert tuple(trains.shape) == (100, 1000)
    # the helper is the chapter's moving average
    assert torch.allclose(moving_average(run.ns["rate_flat"], 10), run.ns["moving"])
    noise = {}
    for line, w in zip(out, (10, 40)):
        avg = moving_average(trains, w)
        p = 0.2
        theory = math.sqrt(p * (1 - p) / w)
        noise[w] = avg[49].std().item()
        # sample std of n values: sd ~ sigma sqrt((2 + excess kurtosis) / (4 n))
        excess = (1 - 6 * p * (1 - p)) / (w * p * (1 - p))
        bound = 5 * theory * math.sqrt((2 + excess) / (4 * 1000))
        assert abs(noise[w] - theory) < bound
        assert line.startswith(
            f"window {w}: noise {noise[w]:.3f} (sqrt(0.2 * 0.8 / {w}) = {theory:.3f})"
        )
    # four times the window, about half the noise
    assert 1.7 < noise[10] / noise[40] < 2.3


def test_exercise_2_delay_is_half_the_window(run):
    out = run.out("exercise_2").splitlines()
    moving_average, trains, jump = run.ns["moving_average"], run.ns["jump_trains"], run.ns["jump"]
    assert jump[:50].eq(0.2).all() and jump[50:].eq(0.8).all()
    for line, w in zip(out, (10, 40)):
        mean = moving_average(trains, w).mean(dim=1)
        # expected: the window's average intensity (zeros before step 0)
        padded = torch.cat([torch.zeros(w - 1), jump])
        expected = padded.unfold(0, w, 1).mean(dim=1)
        std = math.sqrt(0.16 / w / 1000)  # per-neuron variance 0.16 / w, 1000 neurons
        assert torch.all((mean[w - 1 :] - expected[w - 1 :]).abs() < 5 * std)
        # halfway exactly at 49 + w / 2, so the measured step is w / 2 or one more
        assert expected[49 + w // 2] == pytest.approx(0.5)
        reached = int((mean[50:] >= 0.5).nonzero()[0]) + 1
        assert reached in (w // 2, w // 2 + 1)
        assert line.endswith(f"average reaches 0.5 after {reached} steps")
        if w == 40:  # "only reaches 0.8 at step 89"
            assert expected[89] == pytest.approx(0.8) and expected[88] < 0.79
    assert run.files("exercise_2") == ["exercise_2.png"]


def test_exercise_3_spike_count_lands_on_the_current_axes_until_sca(run):
    out = run.out("exercise_3").splitlines()
    assert out == [
        "fix=False: spike count dots on ax_count 0, on ax_raster 1",
        "fix=True: spike count dots on ax_count 1, on ax_raster 0",
    ]
    assert run.files("exercise_3") == ["exercise_3.png", "exercise_3-2.png"]
    # after the fix: bars, dots and labels on ax_count; the raster alone on the right
    ax_count, ax_raster = run.ns["ax_count"], run.ns["ax_raster"]
    labels = [str(n) for n in run.ns["neurons"]]
    assert [t.get_text() for t in ax_count.get_yticklabels()] == labels
    assert len(ax_raster.lines) == 0 and len(ax_raster.collections) == 1


def test_exercise_3_what_goes_where_before_the_fix(run):
    spikes, neurons = run.ns["rate_flat"][:, run.ns["neurons"]], run.ns["neurons"]
    labels = [str(n) for n in neurons]
    with plt.rc_context():
        fig, (ax_count, ax_raster) = plt.subplots(1, 2)
        assert plt.gca() is ax_raster  # the last axes made is the current one
        dots = splt.raster(spikes, ax_raster, s=2)
        splt.spike_count(spikes, fig, ax_count, labels=labels, num_steps=100)
        # bars (hlines), end dots (plot) and neuron labels (yticks): current axes
        bars = [c for c in ax_raster.collections if c is not dots]
        assert len(bars) == 1 and len(ax_raster.lines) == 1
        assert [t.get_text() for t in ax_raster.get_yticklabels()] == labels
        # axis labels, x range and grey bands: ax
        assert ax_count.get_xlabel() == "Time Step" and ax_count.get_ylabel() == "Labels"
        assert ax_count.get_xlim() == (0, 100) and ax_count.patches
        assert not ax_count.lines and not ax_count.collections
        # bars at heights 1..9, raster rows at 0..8: off by one row
        heights = [seg[0][1] for seg in bars[0].get_segments()]
        assert heights == list(range(1, 10))
        assert sorted(set(dots.get_offsets()[:, 1].tolist())) == list(range(9))
        plt.close(fig)
