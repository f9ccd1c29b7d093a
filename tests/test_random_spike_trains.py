"""Claims made on the "Generating random spike trains" page."""

from __future__ import annotations

import inspect
import math
import re
import warnings

import pytest
import torch
from snntorch import spikegen

# Statistical checks allow this many standard errors (a false alarm is then
# a one-in-a-million event, while real mistakes are far larger).
Z = 5


@pytest.fixture(scope="module")
def run(run_snippet):
    return run_snippet("random_spike_trains.py")


def binomial_bound(p: float, n: int) -> float:
    """Z standard errors of a proportion measured over n Bernoulli trials."""
    return Z * math.sqrt(p * (1 - p) / n)


def variance_bound(mean: float, var: float, excess_kurtosis: float, n: int) -> float:
    """Z standard errors of a sample variance over n samples."""
    return Z * var * math.sqrt(2 / (n - 1) + excess_kurtosis / n)


def binomial_kurtosis(T: int, p: float) -> float:
    return (1 - 6 * p * (1 - p)) / (T * p * (1 - p))


# ---------------------------------------------------------------- rate_conv


def test_rate_conv_keeps_the_shape_and_rate_adds_time(run):
    assert run.ns["draw"].shape == run.ns["spike_prob"].shape == (5,)
    out = run.out("rate_conv")
    assert "input:     (5,)" in out
    assert "rate_conv: (5,)" in out
    assert "rate:      (8, 5)" in out
    # also for a 2-D input: no time dimension is ever added
    assert spikegen.rate_conv(torch.rand(4, 3)).shape == (4, 3)


def test_probability_zero_never_and_one_always_spikes(run):
    draw = run.ns["draw"]
    assert draw[0] == 0 and draw[-1] == 1
    assert set(draw.tolist()) <= {0.0, 1.0}
    many = spikegen.rate_conv(torch.tensor([0.0, 1.0]).repeat(10_000, 1))
    assert many[:, 0].sum() == 0 and many[:, 1].min() == 1


def test_rate_conv_is_clamp_then_bernoulli():
    x = torch.linspace(-1, 2, 301).repeat(20, 1)
    torch.manual_seed(3)
    ours = spikegen.rate_conv(x)
    torch.manual_seed(3)
    expected = torch.bernoulli(torch.clamp(x, 0, 1))
    assert torch.equal(ours, expected)


def test_the_docstring_claims_the_page_corrects():
    doc = spikegen.rate_conv.__doc__
    assert "[num_steps x batch x input_size]" in doc
    assert "Poisson spike trains" in doc


def test_rate_conv_is_a_module_function_that_rate_calls():
    assert spikegen.rate_conv.__qualname__ == "rate_conv"
    assert "rate_conv(" in inspect.getsource(spikegen.rate)


# ---------------------------------------------------------------- [T, N] trains


def test_spike_train_has_the_chosen_rates(run):
    train, rates = run.ns["spike_train"], run.ns["rates"]
    num_steps = run.ns["num_steps"]
    assert num_steps == 200
    assert rates.tolist() == pytest.approx([0.02, 0.05, 0.1, 0.2, 0.5])  # as in the alt text
    assert tuple(run.ns["probs"].shape) == tuple(train.shape) == (200, 5)
    assert set(train.unique().tolist()) <= {0.0, 1.0}
    measured = train.mean(dim=0)
    for p, got in zip(rates.tolist(), measured.tolist()):
        assert abs(got - p) < binomial_bound(p, num_steps), (p, got)
    # "near the chosen probabilities without matching them exactly"
    assert not torch.allclose(measured, rates)
    out = run.out("train")
    assert "probs (200, 5) -> spike_train (200, 5)" in out
    for n, got in enumerate(measured):
        assert f"neuron {n}: p = {rates[n]:.2f}, measured {got:.3f}" in out
    assert run.files("train") == ["train.png"]


def test_higher_probability_gives_more_spikes(run):
    counts = run.ns["spike_train"].sum(dim=0)
    # p = 0.5 against p = 0.02: far apart compared with the spread
    assert counts[-1] > counts[0]
    assert counts[-1] > counts[:-1].max()


def test_rows_may_differ_over_time():
    probs = torch.tensor([[0.0, 1.0], [1.0, 0.0]]).repeat(50, 1)
    assert torch.equal(spikegen.rate_conv(probs), probs)


def test_repeated_rows_are_exactly_spikegen_rate(run):
    rates = run.ns["rates"]
    torch.manual_seed(7)
    by_rate = spikegen.rate(rates, num_steps=200)
    torch.manual_seed(7)
    by_rate_conv = spikegen.rate_conv(rates.repeat(200, 1))
    assert torch.equal(by_rate, by_rate_conv)


def test_tutorial_raster_indexing_keeps_only_one_row():
    num_steps = 7
    spike_rand = spikegen.rate_conv(torch.rand((num_steps, 28, 28)) * 0.5)
    assert spike_rand[:, 0].view(num_steps, -1).shape == (num_steps, 28)
    assert spike_rand.view(num_steps, -1).shape == (num_steps, 784)


# ---------------------------------------------------------------- hertz


def test_rates_in_hertz(run):
    dt, duration = run.ns["dt"], run.ns["duration"]
    assert dt == 1e-3 and duration == 10.0 and run.ns["steps_hz"] == 10_000
    assert torch.allclose(run.ns["p_step"], run.ns["rates_hz"] * dt)
    assert run.ns["p_step"][2].item() == pytest.approx(0.05)  # 50 Hz at 1 ms
    steps = run.ns["steps_hz"]
    out = run.out("hertz")
    for hz, got in zip(run.ns["rates_hz"].tolist(), run.ns["measured_hz"].tolist()):
        p = hz * dt
        bound = binomial_bound(p, steps) * steps / duration  # in Hz
        assert abs(got - hz) < bound, (hz, got)
        assert f"{hz:5.0f} Hz: p = {p:.3f} per step, measured {got:5.0f} Hz" in out


def test_values_outside_zero_one_are_clamped_silently(run):
    assert run.ns["clipped"].tolist() == [0.0, 1.0, 1.0]
    assert "tensor([0., 1., 1.])" in run.out("saturation")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spikegen.rate_conv(torch.tensor([5.0, -2.0]))


def test_rates_above_one_over_dt_stop_at_one_over_dt(run):
    asked, got, duration = run.ns["asked_hz"], run.ns["got_hz"], run.ns["duration"]
    coarse = got[1e-3]
    # 1000, 2000 and 5000 Hz at 1 ms: every single step spikes -> exactly 1000 Hz
    assert coarse[2:].tolist() == [1000.0, 1000.0, 1000.0]
    out = run.out("saturation")
    assert "dt = 1.0 ms, max rate 1/dt = 1000 Hz" in out
    assert "asked  2000 Hz (rate*dt = 2.00) -> got  1000 Hz" in out
    assert "asked  5000 Hz (rate*dt = 5.00) -> got  1000 Hz" in out
    # below the limit, and at 0.1 ms for all of them, the rates come out right
    for step, rates in got.items():
        steps = round(duration / step)
        for hz, measured in zip(asked.tolist(), rates.tolist()):
            p = hz * step
            if p < 1:
                assert abs(measured - hz) < binomial_bound(p, steps) * steps / duration
    assert max(asked.tolist()) * 1e-4 <= 0.5  # "p <= 0.5" at dt = 0.1 ms
    assert "dt = 0.1 ms, max rate 1/dt = 10000 Hz" in out


# ---------------------------------------------------------------- statistics


def test_spike_count_is_binomial(run):
    p, T, n = run.ns["p"], run.ns["T"], run.ns["num_trials"]
    counts = run.ns["counts"]
    assert (p, T, n) == (0.2, 100, 20_000)
    assert tuple(run.ns["trials"].shape) == (T, n)
    mean, var = T * p, T * p * (1 - p)
    assert (mean, var) == pytest.approx((20, 16))
    assert abs(counts.mean().item() - mean) < Z * math.sqrt(var / n)
    assert abs(counts.var().item() - var) < variance_bound(mean, var, binomial_kurtosis(T, p), n)
    out = run.out("count")
    assert f"mean count {counts.mean():.2f}  theory T*p = 20.00" in out
    assert f"variance   {counts.var():.2f}  theory T*p*(1-p) = 16.00" in out
    # the histogram lies on the binomial distribution, bin by bin
    pmf = (
        torch.distributions.Binomial(T, torch.tensor(p)).log_prob(torch.arange(T + 1).float()).exp()
    )
    freq = torch.bincount(counts.long(), minlength=T + 1).float() / n
    for k in range(T + 1):
        assert abs(freq[k] - pmf[k]) < binomial_bound(pmf[k].item(), n) + 1e-4, k
    assert run.files("count") == ["count.png"]


def test_inter_spike_intervals_are_geometric(run):
    p, isi = run.ns["p"], run.ns["isi"]
    n = len(isi)
    assert len(run.ns["long_train"]) == 100_000
    # mean 1/p within Z standard errors of the geometric distribution
    assert abs(isi.float().mean().item() - 1 / p) < Z * math.sqrt((1 - p) / p**2 / n)
    # the histogram against (1-p)^(k-1) p
    freq = torch.bincount(isi).float() / n
    for k in range(1, 41):
        pmf = (1 - p) ** (k - 1) * p
        got = freq[k].item() if k < len(freq) else 0.0
        assert abs(got - pmf) < binomial_bound(pmf, n) + 1e-4, k
    # shortest and most common interval: 1 step
    assert isi.min() == 1
    assert isi.mode().values == 1 and freq[1] == freq.max()
    out = run.out("isi")
    assert f"{n} intervals, mean ISI {isi.float().mean():.3f} steps, theory 1/p = 5.000" in out
    assert "shortest 1" in out and "most common 1" in out
    # a straight line on a log scale: a constant ratio (1 - p) between bins
    geometric = run.ns["geometric"]
    assert torch.allclose(geometric[1:] / geometric[:-1], torch.tensor(1 - p))
    assert run.files("isi") == ["isi.png"]


def test_fano_factor_is_one_minus_p(run):
    T, n = run.ns["T"], run.ns["num_trials"]
    out = run.out("fano")
    for p, fano in zip(run.ns["ps"], run.ns["fanos"]):
        mean, var = T * p, T * p * (1 - p)
        # relative errors of the variance and of the mean add up in the ratio
        rel = (
            variance_bound(mean, var, binomial_kurtosis(T, p), n) / var
            + Z * math.sqrt(var / n) / mean
        )
        assert abs(fano - (1 - p)) < rel * (1 - p), (p, fano)
        assert f"p = {p:4.2f}: Fano factor {fano:.3f}, theory 1-p = {1 - p:.3f}" in out
    # "at p = 0.5 the variance is half that of a Poisson process"
    assert 0.5 in run.ns["ps"]
    assert run.files("fano") == ["fano.png"]


# ---------------------------------------------------------------- targets_rate


def test_targets_rate_signature_matches_the_page():
    defaults = {
        name: param.default
        for name, param in inspect.signature(spikegen.targets_rate).parameters.items()
        if param.default is not inspect.Parameter.empty
    }
    assert defaults == {
        "num_steps": False,
        "first_spike_time": 0,
        "correct_rate": 1,
        "incorrect_rate": 0,
        "on_target": 1,
        "off_target": 0,
        "firing_pattern": "regular",
        "interpolate": False,
        "epsilon": 1e-7,
    }


def test_targets_rate_defaults_are_one_hot_without_time(run):
    targets, C = run.ns["targets"], run.ns["num_classes"]
    assert targets.tolist() == [3, 0, 7] and C == 10
    assert torch.equal(run.ns["one_hot"], spikegen.to_one_hot(targets, C))
    assert tuple(run.ns["one_hot"].shape) == (3, 10)
    assert tuple(run.ns["same"].shape) == (3, 10)  # num_steps alone: no time
    out = run.out("targets_rate")
    assert "default:            (3, 10)" in out
    assert "num_steps=20:       (3, 10)" in out
    assert "first_spike_time=5: (20, 3, 10)" in out


def test_first_spike_time_gives_time_first_targets(run):
    delayed, targets = run.ns["delayed"], run.ns["targets"]
    assert tuple(delayed.shape) == (20, 3, 10)
    assert delayed[:5].sum() == 0  # steps 0 to 4 are silent
    for b, label in enumerate(targets.tolist()):
        assert delayed[5:, b, label].min() == 1  # correct class: every step
        others = [c for c in range(10) if c != label]
        assert delayed[:, b, others].sum() == 0  # the others: never
    assert run.files("targets_rate") == ["targets_rate.png"]


def test_on_and_off_target_replace_one_and_zero(run):
    t = run.ns["targets"]
    out = spikegen.targets_rate(
        t, num_classes=10, num_steps=20, first_spike_time=5, on_target=1.2, off_target=0.5
    )
    assert sorted(out.unique().tolist()) == pytest.approx([0.5, 1.2])


def test_targets_convert_only_dispatches(run):
    t = run.ns["targets"]
    assert torch.equal(
        spikegen.targets_convert(t, num_classes=10, code="rate"),
        spikegen.targets_rate(t, num_classes=10),
    )
    assert torch.equal(
        spikegen.targets_convert(t, num_classes=10, code="latency", num_steps=20),
        spikegen.targets_latency(t, num_classes=10, num_steps=20),
    )


def test_correct_and_incorrect_rate_are_broken_in_1_0_0(run):
    out = run.out("targets_rate_error")
    assert (
        "RuntimeError: The size of tensor a (10) must match the size of tensor b (20) "
        "at non-singleton dimension 2"
    ) in out
    assert tuple(run.ns["odd"].shape) == (10, 3, 10, 3, 10)
    assert "num_steps=10: (10, 3, 10, 3, 10)" in out
    t = run.ns["targets"]
    # "correct_rate not 1 OR incorrect_rate not 0", any firing_pattern, interpolate
    for options in (
        {"correct_rate": 0.8},
        {"incorrect_rate": 0.1, "correct_rate": 1},
        {"correct_rate": 0.8, "firing_pattern": "poisson"},
        {"correct_rate": 0.8, "firing_pattern": "uniform"},
        {"correct_rate": 0.8, "interpolate": True},
    ):
        with pytest.raises(RuntimeError, match="must match the size"):
            spikegen.targets_rate(t, num_classes=10, num_steps=20, **options)


def test_hand_made_rate_targets(run):
    rt, targets = run.ns["rate_targets"], run.ns["targets"]
    assert tuple(rt.shape) == (50, 3, 10)
    assert set(rt.unique().tolist()) <= {0.0, 1.0}
    correct = run.ns["label_one_hot"].bool().expand_as(rt)
    # the probability tensor: correct_rate at the label, incorrect_rate elsewhere
    assert (run.ns["correct_rate"], run.ns["incorrect_rate"]) == (0.8, 0.1)
    probs = run.ns["target_probs"]
    assert torch.allclose(probs[run.ns["label_one_hot"].bool()], torch.tensor(0.8))
    assert torch.allclose(probs[~run.ns["label_one_hot"].bool()], torch.tensor(0.1))
    assert torch.equal(run.ns["label_one_hot"], spikegen.to_one_hot(targets, 10))
    got_c, got_i = rt[correct].mean().item(), rt[~correct].mean().item()
    assert abs(got_c - 0.8) < binomial_bound(0.8, int(correct.sum()))
    assert abs(got_i - 0.1) < binomial_bound(0.1, int((~correct).sum()))
    assert f"correct classes fire at {got_c:.2f}, incorrect at {got_i:.2f}" in run.out(
        "rate_targets"
    )
    assert "rate_targets: (50, 3, 10)" in run.out("rate_targets")
    assert run.files("rate_targets") == ["rate_targets.png"]


# ---------------------------------------------------------------- targets_latency


def spike_steps(spikes: torch.Tensor, b: int, c: int) -> list[int]:
    return spikes[:, b, c].nonzero().flatten().tolist()


@pytest.mark.parametrize(
    "setting, other_step", [("default", 12), ("normalize=True", 19), ("clip=True", None)]
)
def test_targets_latency_spike_times(run, setting, other_step):
    spikes, targets = run.ns["latency_targets"][setting], run.ns["targets"]
    assert tuple(spikes.shape) == (20, 3, 10)
    for b, label in enumerate(targets.tolist()):
        for c in range(10):
            expected = [0] if c == label else ([] if other_step is None else [other_step])
            assert spike_steps(spikes, b, c) == expected, (setting, b, c)
    first = [spike_steps(spikes, 0, c) for c in range(10)]
    assert f"{setting:15s} (20, 3, 10) spike times {first}" in run.out("targets_latency")


def test_targets_latency_is_latency_of_the_one_hot(run):
    t = run.ns["targets"]
    assert torch.equal(
        spikegen.targets_latency(t, num_classes=10, num_steps=20),
        spikegen.latency(spikegen.to_one_hot(t, 10), num_steps=20),
    )
    assert run.files("targets_latency") == ["targets_latency.png"]


def test_the_latency_formula_gives_steps_zero_and_twelve():
    theta, eps = 0.01, 1e-7
    assert round(math.log(1 / (1 - theta))) == 0
    assert math.log(1 / (1 - theta)) == pytest.approx(0.01, abs=1e-3)
    assert math.log((theta + eps) / eps) == pytest.approx(11.5, abs=0.05)
    assert round(math.log((theta + eps) / eps)) == 12


@pytest.mark.parametrize("num_steps", [13, 50])
def test_other_classes_fire_at_twelve_whatever_num_steps(run, num_steps):
    spikes = spikegen.targets_latency(run.ns["targets"], num_classes=10, num_steps=num_steps)
    assert spike_steps(spikes, 0, 0) == [12]
    assert spike_steps(spikes, 0, 3) == [0]


def test_ten_steps_raise_and_what_fixes_it(run):
    out = run.out("latency_steps")
    assert out.startswith(
        "Exception: The maximum value in ``spike_time`` [12] is out of "
        "bounds for ``num_steps`` [10-1]."
    )
    assert "setting normalize=True" in out and "decreasing ``tau``" in out
    t = run.ns["targets"]
    with pytest.raises(Exception, match="out of bounds"):
        spikegen.targets_latency(t, num_classes=10, num_steps=12)  # 13 is the minimum
    # normalize=True: the others move to the last step
    spikes = spikegen.targets_latency(t, num_classes=10, num_steps=10, normalize=True)
    assert spike_steps(spikes, 0, 0) == [9]
    # a smaller tau brings them forward
    spikes = spikegen.targets_latency(t, num_classes=10, num_steps=10, tau=0.5)
    assert spike_steps(spikes, 0, 0) == [6] and spike_steps(spikes, 0, 3) == [0]
    # clip=True does not help: the range is checked first
    with pytest.raises(Exception, match="out of bounds"):
        spikegen.targets_latency(t, num_classes=10, num_steps=10, clip=True)
    # bypass=True: no error, but the other classes' spikes are gone
    spikes = spikegen.targets_latency(t, num_classes=10, num_steps=10, bypass=True)
    assert spikes.sum() == len(t)
    assert all(spike_steps(spikes, b, label) == [0] for b, label in enumerate(t.tolist()))


def test_targets_latency_forwards_latency_arguments():
    ours = set(inspect.signature(spikegen.targets_latency).parameters)
    theirs = set(inspect.signature(spikegen.latency).parameters)
    named = {"threshold", "tau", "normalize", "linear", "clip", "bypass"}
    assert named <= ours and named <= theirs
    source = inspect.getsource(spikegen.targets_latency)
    assert "return latency(" in source and "to_one_hot(targets, num_classes)" in source


# ---------------------------------------------------------------- exercises


def _percent(text: str) -> float:
    return float(text.rstrip("%")) / 100


def test_exercise_1_steps_needed_to_measure_a_rate(run):
    p, n = run.ns["p_target"], run.ns["num_trains"]
    assert (p, n) == (0.05, 2000)
    # 2 * sqrt(p (1 - p) / T) = 0.1 p  ->  T = 400 (1 - p) / p
    T_needed = 400 * (1 - p) / p
    assert 2 * math.sqrt(p * (1 - p) / T_needed) == pytest.approx(0.1 * p)
    assert run.ns["T_needed"] == round(T_needed) == 7600
    out = run.out("exercise_1")
    assert "T needed: 7600 steps (7.6 s at 1 ms)" in out
    exact = {}
    for T in (200, 7600):
        # the exact binomial probability of a count within 10% of T p,
        # over the same counts the snippet's comparison lets in
        counts = torch.arange(T + 1).float()
        inside = (counts - T * p).abs() <= 0.1 * (T * p)
        pmf = (
            torch.distributions.Binomial(T, torch.tensor(p, dtype=torch.float64))
            .log_prob(counts.double())
            .exp()
        )
        exact[T] = pmf[inside].sum().item()
        measured = re.search(rf"T = {T:4d}: ([\d.]+%) of trains within 10% of p", out)
        assert measured, out
        assert abs(_percent(measured[1]) - exact[T]) < binomial_bound(exact[T], n) + 1e-3, T
    # "about 95%" at the derived length, "not even half" at 200 steps
    assert 0.94 < exact[7600] < 0.97
    assert exact[200] < 0.5
    # a 5% tolerance instead of 10% takes four times as many steps
    steps_for = lambda tol: (2 / tol) ** 2 * (1 - p) / p  # noqa: E731
    assert steps_for(0.1) == pytest.approx(7600)
    assert steps_for(0.05) == pytest.approx(4 * steps_for(0.1))


def test_exercise_1_figure_shows_running_estimates(run):
    running, trains, p = run.ns["running"], run.ns["trains_try"], run.ns["p_target"]
    assert tuple(trains.shape) == (7600, 2000)
    assert tuple(running.shape) == (7600, 20)
    # the running estimate is the spike count so far over the steps so far
    assert torch.allclose(running[-1], trains[:, :20].mean(dim=0))
    assert torch.allclose(running[199], trains[:200, :20].mean(dim=0))
    # the lines gather in the +-10% band as the steps add up
    band = lambda row: int(((row - p).abs() <= 0.1 * p + 1e-9).sum())  # noqa: E731
    assert band(running[199]) < band(running[-1])
    assert band(running[199]) <= 15  # many still outside at 200 steps
    assert band(running[-1]) >= 15  # nearly all inside at 7600
    assert run.files("exercise_1") == ["exercise_1.png"]


LINE_2 = re.compile(
    r"p = ([\d.]+): mean ISI +([\d.]+), shorter than 1/p: ([\d.]+%) "
    r"\(theory ([\d.]+%)\)"
)


def test_exercise_2_most_intervals_are_shorter_than_the_mean(run):
    out = run.out("exercise_2")
    rows = LINE_2.findall(out)
    assert [float(r[0]) for r in rows] == [0.5, 0.2, 0.05, 0.01]
    steps = 200_000
    for p_text, mean_isi, shorter, theory in rows:
        p = float(p_text)
        # an ISI shorter than 1/p means a spike in the first 1/p - 1 steps
        expected = 1 - (1 - p) ** (round(1 / p) - 1)
        assert theory == f"{expected:.1%}"
        # fewest intervals the train can plausibly hold
        n = steps * p - Z * math.sqrt(steps * p * (1 - p)) - 1
        assert abs(_percent(shorter) - expected) < binomial_bound(expected, int(n)) + 1e-3, p
        assert abs(float(mean_isi) - 1 / p) < Z * math.sqrt((1 - p) / p**2 / n) + 0.01, p
    # exactly half at p = 0.5, more than half below, rising towards 1 - 1/e
    theories = [1 - (1 - p) ** (round(1 / p) - 1) for p in (0.5, 0.2, 0.05, 0.01)]
    assert theories[0] == 0.5
    assert all(a < b for a, b in zip(theories, theories[1:]))
    assert theories[-1] < 1 - 1 / math.e
    assert 1 - 1 / math.e == pytest.approx(0.632, abs=5e-4)
    assert 1 - (1 - 1e-6) ** (1e6 - 1) == pytest.approx(1 - 1 / math.e, abs=1e-5)
    assert round(1 - 0.8**4, 3) == 0.590  # the page's worked number for p = 0.2


LINE_3 = re.compile(
    r"dt = ([\d.]+) ms, p = ([\d.]+): mean +([\d.]+), variance +([\d.]+), "
    r"Fano ([\d.]+) \(theory ([\d.]+)\)"
)


def test_exercise_3_smaller_steps_bring_the_fano_factor_towards_one(run):
    rate, window, n = run.ns["rate_w"], run.ns["window"], run.ns["num_windows"]
    assert (rate, window, n) == (200.0, 0.1, 10_000)
    rows = LINE_3.findall(run.out("exercise_3"))
    assert [(r[0], r[1]) for r in rows] == [("1.0", "0.20"), ("0.1", "0.02")]
    fanos = []
    for dt_ms, _p, mean, var, fano, theory in rows:
        dt = float(dt_ms) / 1000
        T, p = round(window / dt), rate * dt
        assert T * p == pytest.approx(20)  # the same mean count, r D, for both
        expected_var = T * p * (1 - p)
        assert theory == f"{1 - p:.2f}"
        assert abs(float(mean) - 20) < Z * math.sqrt(expected_var / n) + 0.005
        assert (
            abs(float(var) - expected_var)
            < variance_bound(20, expected_var, binomial_kurtosis(T, p), n) + 0.005
        )
        rel = (
            variance_bound(20, expected_var, binomial_kurtosis(T, p), n) / expected_var
            + Z * math.sqrt(expected_var / n) / 20
        )
        assert abs(float(fano) - (1 - p)) < rel * (1 - p) + 5e-4
        fanos.append(float(fano))
    # the page's predictions: variance 16 -> 19.6, Fano 0.8 -> 0.98, Poisson 20
    assert (100 * 0.2 * 0.8, 1000 * 0.02 * 0.98) == pytest.approx((16, 19.6))
    assert fanos[0] < fanos[1]
