"""Claims made on the "Why spikes" page."""

import torch


def test_spike_matrix_is_binary_time_first(run_snippet):
    run = run_snippet("why_spikes.py")
    spikes = run.ns["spikes"]
    assert spikes.shape == (run.ns["num_steps"], run.ns["num_neurons"])
    assert set(spikes.unique().tolist()) == {0.0, 1.0}
    assert run.files("spikes") == ["spikes.png"]
