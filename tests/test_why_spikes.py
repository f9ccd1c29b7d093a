"""Claims made on the "Why spikes" page."""

import re
from pathlib import Path

import pytest
import torch

from helpers import exercise_solutions

ROOT = Path(__file__).resolve().parent.parent
PAGES = {"ko": ROOT / "docs" / "why-spikes.md", "en": ROOT / "docs" / "why-spikes.en.md"}
SECTIONS = [
    "spikes",
    "sparsity",
    "multiply",
    "suppression",
    "exercise_1",
    "exercise_2",
    "exercise_3",
]
FIGURES = {"spikes": "spikes.png", "suppression": "suppression.png", "exercise_3": "exercise_3.png"}


def test_spike_matrix_is_binary_time_first(run_snippet):
    run = run_snippet("why_spikes.py")
    spikes = run.ns["spikes"]
    assert spikes.shape == (run.ns["num_steps"], run.ns["num_neurons"])
    assert set(spikes.unique().tolist()) == {0.0, 1.0}
    assert run.files("spikes") == ["spikes.png"]


# ------------------------------------------------------------------ spikes


def test_sizes_quoted_on_the_page(run_snippet):
    # "20 neurons over 50 time steps"; the output shows that shape.
    run = run_snippet("why_spikes.py")
    assert (run.ns["num_steps"], run.ns["num_neurons"]) == (50, 20)
    assert run.out("spikes").splitlines()[0] == "torch.Size([50, 20])"
    assert run.out("spikes").splitlines()[1] == "tensor([0., 1.])"


def test_snntorch_is_time_first_too():
    # "spikegen.rate returns a tensor of shape [num_steps, ...]"
    from snntorch import spikegen

    rates = torch.full((20,), 0.1)
    assert spikegen.rate(rates, num_steps=50).shape == (50, 20)


# ---------------------------------------------------------------- sparsity


def test_share_of_zeros_is_about_90_percent(run_snippet):
    run = run_snippet("why_spikes.py")
    spikes = run.ns["spikes"]
    zeros = float((spikes == 0).sum()) / spikes.numel()
    assert abs(zeros - 0.9) < 0.02  # "about 90% of the entries are zero"
    assert run.ns["num_spikes"] == int(spikes.sum())
    assert f"spikes: {run.ns['num_spikes']} of {spikes.numel()} entries" in run.out("sparsity")
    assert "(90% zeros)" in run.out("sparsity")


def _printed_bytes(out: str, label: str) -> int:
    match = re.search(rf"^{label}:\s+(\d+) bytes$", out, re.M)
    assert match, f"no '{label}' line in:\n{out}"
    return int(match[1])


def test_printed_byte_counts_are_numel_times_itemsize(run_snippet):
    run = run_snippet("why_spikes.py")
    spikes, out = run.ns["spikes"], run.out("sparsity")
    as_float = spikes.to(torch.float32)
    as_bool = spikes.bool()
    spike_list = spikes.nonzero().to(torch.int16)
    assert _printed_bytes(out, "dense float32") == as_float.numel() * as_float.element_size()
    assert _printed_bytes(out, "dense bool") == as_bool.numel() * as_bool.element_size()
    assert _printed_bytes(out, "spike list") == spike_list.numel() * spike_list.element_size()
    # "4 bytes per entry", "1 byte per entry (not a bit)", "4 bytes per spike"
    assert as_float.element_size() == 4 and as_bool.element_size() == 1
    assert spike_list.shape == (run.ns["num_spikes"], 2)
    assert spike_list.shape[1] * spike_list.element_size() == 4
    # the list holds exactly the spike positions, (time, neuron) per row
    rebuilt = torch.zeros_like(spikes)
    rebuilt[spike_list[:, 0].long(), spike_list[:, 1].long()] = 1
    assert torch.equal(rebuilt, spikes)


def test_spike_list_is_smaller_here(run_snippet):
    run = run_snippet("why_spikes.py")
    out = run.out("sparsity")
    f32, b, lst = (_printed_bytes(out, k) for k in ("dense float32", "dense bool", "spike list"))
    assert lst * 10 == pytest.approx(f32, rel=0.1)  # "a tenth of the float32 matrix"
    assert lst < b / 2  # "less than half the bool matrix"


def test_break_even_with_bool_is_25_percent(run_snippet):
    run = run_snippet("why_spikes.py")
    spike_list = run.ns["spike_list"]
    bytes_per_spike = spike_list.shape[1] * spike_list.element_size()
    bool_bytes_per_entry = torch.ones(1, dtype=torch.bool).element_size()
    assert bool_bytes_per_entry / bytes_per_spike == 0.25

    # Real matrices on either side of 25%: the list wins below, loses above.
    def sizes(share):
        matrix = torch.zeros(100, 100)
        matrix.view(-1)[: int(share * matrix.numel())] = 1
        listed = matrix.nonzero().to(torch.int16)
        return listed.numel() * listed.element_size(), matrix.bool().numel()

    below, above = sizes(0.24), sizes(0.26)
    assert below[0] < below[1]
    assert above[0] > above[1]
    exactly = sizes(0.25)
    assert exactly[0] == exactly[1]


def test_bit_packed_matrix_beats_the_list_at_10_percent(run_snippet):
    # "p < 1/32, about 3%"; "at this example's 10%, a bit-packed matrix is smaller"
    run = run_snippet("why_spikes.py")
    spikes, spike_list = run.ns["spikes"], run.ns["spike_list"]
    bytes_per_spike = spike_list.shape[1] * spike_list.element_size()
    assert (1 / 8) / bytes_per_spike == 1 / 32
    assert round(100 / 32) == 3
    packed_bytes = spikes.numel() / 8
    assert packed_bytes < spike_list.numel() * spike_list.element_size()


# ---------------------------------------------------------------- multiply


def test_event_driven_sum_equals_dense_product(run_snippet):
    run = run_snippet("why_spikes.py")
    ns = run.ns
    assert torch.allclose(ns["dense_out"], ns["event_out"], atol=1e-6)
    assert torch.allclose(ns["event_out"], ns["spikes"] @ ns["weights"].T, atol=1e-6)
    assert "same result: True" in run.out("multiply")
    # y_t = sum of the weight columns of the neurons that fired at t
    t = int(ns["spikes"].sum(1).argmax())
    fired = ns["spikes"][t].nonzero().flatten()
    assert len(fired) > 1
    assert torch.allclose(ns["event_out"][t], ns["weights"][:, fired].sum(1), atol=1e-6)


def test_operation_counts(run_snippet):
    run = run_snippet("why_spikes.py")
    ns = run.ns
    assert ns["dense_mults"] == ns["num_steps"] * ns["num_neurons"] * ns["num_outputs"]
    assert ns["event_adds"] == int(ns["spikes"].sum()) * ns["num_outputs"]
    assert f"dense:  {ns['dense_mults']} multiply-adds" in run.out("multiply")
    assert f"events: {ns['event_adds']} additions, 0 multiplications" in run.out("multiply")
    # "a tenth of the operations"
    assert ns["event_adds"] / ns["dense_mults"] == pytest.approx(0.1, abs=0.01)


# ------------------------------------------------------------- suppression


def test_brightness_steps_as_described(run_snippet):
    # "sits at 0.5, jumps to 0.9 at step 40, drops to 0.2 at step 70", 100 steps
    b = run_snippet("why_spikes.py").ns["brightness"]
    assert b.shape == (100,)
    assert torch.all(b[:40] == 0.5)
    assert torch.allclose(b[40:70], torch.tensor(0.9))
    assert torch.allclose(b[70:], torch.tensor(0.2))


def test_changes_give_two_events_every_step_gives_dozens(run_snippet):
    run = run_snippet("why_spikes.py")
    every_step, events = run.ns["every_step"], run.ns["events"]
    assert set(every_step.unique().tolist()) <= {0.0, 1.0}
    n_spikes = int(every_step.sum())
    assert 24 <= n_spikes < 100  # "dozens of spikes"
    assert int(events.abs().sum()) == 2  # "exactly two events"
    assert events.nonzero().flatten().tolist() == [40, 70]
    assert events[40] == 1 and events[70] == -1  # on when brighter, off when darker
    assert f"signal every step: {n_spikes} spikes" in run.out("suppression")
    assert "signal changes:    2 events" in run.out("suppression")
    assert run.files("suppression") == ["suppression.png"]


def test_adding_the_events_up_does_not_recover_the_brightness(run_snippet):
    """ "a rise of 0.4 and a drop of 0.7 are one spike each": 0.1 per spike
    added to the first brightness ends at 0.5, not at the last one (0.2)."""
    run = run_snippet("why_spikes.py")
    b, rebuilt = run.ns["brightness"], run.ns["rebuilt"]
    assert abs(float(b[40] - b[39]) - 0.4) < 1e-6 and abs(float(b[70] - b[69]) + 0.7) < 1e-6
    assert float(rebuilt) == float(b[0]) == 0.5
    assert abs(float(rebuilt - b[-1])) > 0.25
    assert "last brightness 0.2, rebuilt from events 0.5" in run.out("suppression")
    # Compared with the value at the last spike instead, the same threshold
    # gives one spike per 0.1 of change, and adding them up does recover it.
    reference, spikes = float(b[0]), []
    for value in b.tolist():
        step = 0
        while value - reference >= 0.1 - 1e-6:
            reference, step = reference + 0.1, step + 1
        while reference - value >= 0.1 - 1e-6:
            reference, step = reference - 0.1, step - 1
        spikes.append(step)
    assert sum(abs(s) for s in spikes) == 4 + 7
    assert abs(float(b[0]) + 0.1 * sum(spikes) - float(b[-1])) < 1e-6


def test_every_step_spikes_keep_coming_and_track_brightness(run_snippet):
    e = run_snippet("why_spikes.py").ns["every_step"]
    # "keeps firing even while the input holds still": spikes in every flat stretch
    assert e[:40].sum() > 0 and e[41:70].sum() > 0 and e[71:].sum() > 0
    # "spikes crowd together while the pixel is bright"
    assert e[40:70].mean() > e[:40].mean() > e[70:].mean()


def test_spikegen_delta_applies_the_same_rule(run_snippet):
    from snntorch import spikegen

    ns = run_snippet("why_spikes.py").ns
    b, events = ns["brightness"], ns["events"]
    same = spikegen.delta(b, threshold=0.1, padding=True, off_spike=True)
    assert torch.equal(same, events)
    # "leave out padding=True ... an extra on-spike at step 0"
    unpadded = spikegen.delta(b, threshold=0.1, off_spike=True)
    assert unpadded[0] == 1
    assert torch.equal(unpadded[1:], events[1:])


def test_slow_drift_below_threshold_is_never_signalled():
    from snntorch import spikegen

    # rises from 0 to 0.95 in steps of 0.05: a big change, no event
    drift = torch.arange(20) * 0.05
    assert drift[-1] - drift[0] > 0.9
    assert not spikegen.delta(drift, threshold=0.1, padding=True, off_spike=True).any()


# ------------------------------------------------------------------ pages


def _page(lang):
    return PAGES[lang].read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", PAGES)
def test_page_includes_every_section_in_order_with_its_figure(lang):
    from tutorial.runner import SNIPPETS_DIR, parse_sections  # conftest puts hooks/ on the path

    text = _page(lang)
    assert [s.name for s in parse_sections(SNIPPETS_DIR / "why_spikes.py")] == SECTIONS
    # exercise solutions sit indented inside collapsed "??? success" blocks
    from tutorial.includes import fences

    blocks = [fence for fence in fences(text) if fence.includes]
    assert [(f.indent, f.info) for f in blocks] == [
        ("" if not s.startswith("exercise") else "    ", "python") for s in SECTIONS
    ]
    assert [(i.file, i.section) for f in blocks for i in f.includes] == [
        ("why_spikes.py", s) for s in SECTIONS
    ]
    starts = [text.index(f'--8<-- "why_spikes.py:{s}"') for s in SECTIONS] + [len(text)]
    for section, figure in FIGURES.items():
        k = SECTIONS.index(section)
        where = text.index(f"](figures/why_spikes/{figure})")
        assert starts[k] < where < starts[k + 1], f"{figure} is not right after '{section}'"
    assert text.count("](figures/why_spikes/") == len(FIGURES)


def test_headings_and_links_match_between_languages():
    ids = {}
    for lang in PAGES:
        text = _page(lang)
        title = re.search(r"^# .*$", text, re.M)[0]  # the first heading, after the front matter
        assert title == ("# Why spikes" if lang == "en" else "# 왜 스파이크인가")
        headings = re.findall(r"^##+ .*$", text, re.M)
        assert all(re.search(r"\{ #[\w-]+ \}$", h) for h in headings), headings
        ids[lang] = [(h.split(" ")[0], re.search(r"#([\w-]+) \}$", h)[1]) for h in headings]
        for target in ("mnist.md", "rate-coding.md"):
            assert f"]({target})" in text
    assert ids["ko"] == ids["en"]
    assert [i for _, i in ids["en"]] == [
        "spikes",
        "sparsity",
        "memory",
        "skip-multiplications",
        "static-suppression",
        "next-steps",
        "exercises",
        "exercise-1",
        "exercise-2",
        "exercise-3",
    ]


@pytest.mark.parametrize("lang", PAGES)
def test_percentages_in_prose_are_the_ones_tested(lang):
    # Numbers the prose quotes: 90% zeros, 10% spikes, 25% and ~3% break-evens.
    quoted = set(re.findall(r"(\d+)\\?%", _page(lang)))
    assert quoted == {"90", "10", "25", "3"}


# --------------------------------------------------------------- exercises

EXERCISE_LINE = re.compile(
    r"^p=(\d\.\d\d) \(measured (\d\.\d+)\): spike list (\d+), bool (\d+), "
    r"bits (\d+) bytes -> smallest: (.+)$",
    re.M,
)


def test_exercise_1_storage_sizes_follow_the_break_even_points(run_snippet):
    run = run_snippet("why_spikes.py")
    rows = EXERCISE_LINE.findall(run.out("exercise_1"))
    assert [row[0] for row in rows] == ["0.02", "0.10", "0.30"]
    entries = 1000 * 100
    for prob, share, list_b, bool_b, bits_b, smallest in rows:
        prob, share = float(prob), float(share)
        list_b, bool_b, bits_b = int(list_b), int(bool_b), int(bits_b)
        # "100,000 bytes" and "12,500 bytes" whatever the spikes
        assert (bool_b, bits_b) == (100_000, 12_500)
        # 4 bytes per spike: the list holds the measured share of spikes
        assert list_b % 4 == 0
        assert abs(list_b / 4 / entries - share) <= 0.0005 + 1e-9
        # "the measured share is close to the probability": 5 binomial std
        assert abs(share - prob) < 5 * (prob * (1 - prob) / entries) ** 0.5 + 0.0005
        # the smallest storage is what the break-even points say
        sizes = {"spike list": list_b, "bool": bool_b, "bits": bits_b}
        assert smallest == min(sizes, key=sizes.get)
        assert (list_b < bool_b) == (share < 0.25)
        assert (list_b < bits_b) == (share < 1 / 32)
    assert [row[5] for row in rows] == ["spike list", "bits", "bits"]
    # "at 0.1 the list still beats bool"; "at 0.3 larger than even bool"
    assert int(rows[1][2]) < int(rows[1][3]) and int(rows[2][2]) > int(rows[2][3])


def test_exercise_2_the_unchanged_loop_ignores_the_sign(run_snippet):
    run = run_snippet("why_spikes.py")
    ns = run.ns
    signed, spikes, weights = ns["signed"], ns["spikes"], ns["weights"]
    assert set(signed.unique().tolist()) == {-1.0, 0.0, 1.0}
    assert torch.equal(signed.abs(), spikes)  # same spikes, some negated
    off = (signed == -1).float()
    # "about half": 5 binomial std around num_spikes / 2
    n = ns["num_spikes"]
    assert abs(off.sum().item() - n / 2) < 5 * (n / 4) ** 0.5
    assert f"off events: {int(off.sum())} of {n} spikes" in run.out("exercise_2")
    # the unchanged loop is wrong by two weight columns per off event
    assert not torch.allclose(ns["naive_out"], ns["dense_signed"], atol=1e-6)
    assert torch.allclose(ns["naive_out"] - ns["dense_signed"], 2 * off @ weights.T, atol=1e-5)
    assert torch.allclose(ns["fixed_out"], ns["dense_signed"], atol=1e-6)
    assert "unchanged loop, same result: False" in run.out("exercise_2")
    assert "fixed loop, same result:     True" in run.out("exercise_2")


def _erfc_prediction(threshold, noise_std=0.05):
    import math

    return math.erfc(threshold / (2 * noise_std))


def test_exercise_3_hint_numbers():
    # "erfc(1) ~ 0.157", "erfc(2) ~ 0.005"; "one step in six", "one in 200"
    assert round(_erfc_prediction(0.1), 3) == 0.157
    assert round(_erfc_prediction(0.2), 3) == 0.005
    assert round(1 / _erfc_prediction(0.1)) == 6
    assert 150 < 1 / _erfc_prediction(0.2) < 250
    # "a threshold of 0.1 is only 1.4 times the std of the change (about 0.07)"
    assert round(0.05 * 2**0.5, 2) == 0.07
    assert round(0.1 / (0.05 * 2**0.5), 1) == 1.4
    # a difference of two independent N(0, 0.05^2) readings, checked by sampling
    torch.manual_seed(1)
    change = torch.diff(0.05 * torch.randn(200_001))
    assert abs(change.std().item() - 0.05 * 2**0.5) < 0.001


def test_exercise_3_noise_events_match_the_prediction(run_snippet):
    run = run_snippet("why_spikes.py")
    change = run.ns["still_change"]
    assert tuple(change.shape) == (99, 1000)
    out = run.out("exercise_3")
    for threshold in (0.1, 0.2):
        measured = (change.abs() >= threshold).float().mean().item()
        predicted = _erfc_prediction(threshold)
        # neighbouring changes share a reading, so allow 5 std with a margin of 2
        bound = 2 * 5 * (predicted * (1 - predicted) / change.numel()) ** 0.5
        assert abs(measured - predicted) < bound, (threshold, measured, predicted)
        assert (
            f"threshold {threshold}: events per step {measured:.4f} (predicted {predicted:.4f})"
        ) in out


def test_exercise_3_real_changes_survive_a_higher_threshold(run_snippet):
    run = run_snippet("why_spikes.py")
    ns, out = run.ns, run.out("exercise_3")
    noisy, change = ns["noisy"], ns["noisy_change"]
    noise = noisy - ns["brightness"]  # "the same noise": std 0.05
    assert abs(noise.std().item() - 0.05) < 5 * 0.05 / (2 * 100) ** 0.5
    counts = {}
    for threshold in (0.1, 0.2):
        on = (change >= threshold).nonzero().flatten().tolist()
        off = (change <= -threshold).nonzero().flatten().tolist()
        assert f"threshold {threshold}: on events at {on}, off events at {off}" in out
        # the real changes: +0.4 at step 40, -0.7 at step 70
        assert 40 in on and 70 in off
        counts[threshold] = len(on) + len(off) - 2  # noise events
    # Noise events, from the 97 changes that are noise only:
    # about 97 * 0.157 = 15 at 0.1 and 97 * 0.005 = 0.5 at 0.2.
    expected = {t: 97 * _erfc_prediction(t) for t in counts}
    assert abs(counts[0.1] - expected[0.1]) < 5 * expected[0.1] ** 0.5
    assert counts[0.2] <= 3  # "nearly vanish"
    assert counts[0.1] > counts[0.2]
    assert run.files("exercise_3") == ["exercise_3.png"]
    # the figure has the noisy input and one event row per threshold
    axes = ns["axes"]
    assert len(axes) == 3 and [ax.get_ylabel() for ax in axes[1:]] == [
        "threshold\n0.1",
        "threshold\n0.2",
    ]


@pytest.mark.parametrize("lang", PAGES)
def test_exercises_end_the_page_with_collapsed_solutions(lang):
    exercise_solutions(PAGES[lang], "why_spikes.py")
