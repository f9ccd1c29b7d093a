# --8<-- [start:setup]
import torch
import matplotlib.pyplot as plt
from snntorch import spikegen
from snntorch import spikeplot as splt

torch.manual_seed(0)
# --8<-- [end:setup]

# --8<-- [start:rate_conv]
spike_prob = torch.tensor([0.0, 0.25, 0.5, 0.75, 1.0])
draw = spikegen.rate_conv(spike_prob)  # one Bernoulli draw per element
print(f"input:     {tuple(spike_prob.shape)}")
print(f"rate_conv: {tuple(draw.shape)} {draw.tolist()}")
print(f"rate:      {tuple(spikegen.rate(spike_prob, num_steps=8).shape)}")
# --8<-- [end:rate_conv]

# --8<-- [start:train]
num_steps = 200
rates = torch.tensor([0.02, 0.05, 0.1, 0.2, 0.5])  # per neuron, per step
probs = rates.repeat(num_steps, 1)  # [200, 5]: one row per time step
spike_train = spikegen.rate_conv(probs)
print(f"probs {tuple(probs.shape)} -> spike_train "
      f"{tuple(spike_train.shape)}")
for n, measured in enumerate(spike_train.mean(dim=0)):
    print(f"neuron {n}: p = {rates[n]:.2f}, measured {measured:.3f}")

fig, ax = plt.subplots(figsize=(8, 2.5))
splt.raster(spike_train, ax, s=40, c="black", marker="|")
ax.set_yticks(range(len(rates)), [f"p = {r:.2f}" for r in rates])
ax.set_xlim(-1, num_steps)
ax.set_xlabel("time step")
plt.show()
# --8<-- [end:train]

# --8<-- [start:hertz]
dt = 1e-3  # one time step = 1 ms
duration = 10.0  # seconds
steps_hz = round(duration / dt)  # 10,000 steps
rates_hz = torch.tensor([5.0, 20.0, 50.0, 100.0])
p_step = rates_hz * dt  # spike probability per step
spikes_hz = spikegen.rate_conv(p_step.repeat(steps_hz, 1))
measured_hz = spikes_hz.sum(dim=0) / duration
for hz, prob, got in zip(rates_hz, p_step, measured_hz):
    print(f"{hz:5.0f} Hz: p = {prob:.3f} per step, measured {got:5.0f} Hz")
# --8<-- [end:hertz]

# --8<-- [start:saturation]
clipped = spikegen.rate_conv(torch.tensor([-0.5, 1.5, 3.0]))
print(clipped)  # no error, no warning: clipped to [0, 1]

asked_hz = torch.tensor([200.0, 500.0, 1000.0, 2000.0, 5000.0])
got_hz = {}
for step in (1e-3, 1e-4):  # 1 ms, then 0.1 ms
    n = round(duration / step)
    spikes = spikegen.rate_conv((asked_hz * step).repeat(n, 1))
    got_hz[step] = spikes.sum(dim=0) / duration
    print(f"dt = {step * 1e3:.1f} ms, max rate 1/dt = {1 / step:.0f} Hz")
    for hz, got in zip(asked_hz, got_hz[step]):
        print(f"  asked {hz:5.0f} Hz (rate*dt = {hz * step:4.2f})"
              f" -> got {got:5.0f} Hz")
# --8<-- [end:saturation]

# --8<-- [start:count]
p = 0.2
T = 100  # time steps per spike train
num_trials = 20_000
# num_trials independent spike trains of T steps, side by side
trials = spikegen.rate_conv(torch.full((T, num_trials), p))
counts = trials.sum(dim=0)  # spikes per train
print(f"mean count {counts.mean():.2f}  theory T*p = {T * p:.2f}")
print(f"variance   {counts.var():.2f}  "
      f"theory T*p*(1-p) = {T * p * (1 - p):.2f}")

k = torch.arange(T + 1)
binomial = torch.distributions.Binomial(T, torch.tensor(p))
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.hist(counts, bins=torch.arange(-0.5, T + 1.5).tolist(),
        density=True, color="tab:blue", alpha=0.6, label="measured")
ax.plot(k, binomial.log_prob(k.float()).exp(), "k.-",
        label="Binomial(T, p)")
ax.set_xlim(0, 45)
ax.set_xlabel("spike count in T = 100 steps")
ax.set_ylabel("probability")
ax.legend()
plt.show()
# --8<-- [end:count]

# --8<-- [start:isi]
long_train = spikegen.rate_conv(torch.full((100_000,), p))
spike_times = long_train.nonzero().flatten()
isi = spike_times.diff()  # steps from one spike to the next
print(f"{len(isi)} intervals, mean ISI {isi.float().mean():.3f} steps, "
      f"theory 1/p = {1 / p:.3f}")
print(f"shortest {isi.min()}, longest {isi.max()}, "
      f"most common {isi.mode().values}")

k = torch.arange(1, int(isi.max()) + 1)  # every interval that occurred
geometric = (1 - p) ** (k - 1) * p
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.hist(isi, bins=(k - 0.5).tolist() + [k[-1] + 0.5], density=True,
        color="tab:blue", alpha=0.6, label="measured")
ax.plot(k, geometric, "k.-", label="(1-p)^(k-1) p")
ax.set_yscale("log")
ax.set_xlabel("inter-spike interval k (steps)")
ax.set_ylabel("probability")
ax.legend()
plt.show()
# --8<-- [end:isi]

# --8<-- [start:fano]
ps = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 0.8, 0.95]
fanos = []
for prob in ps:
    trains = spikegen.rate_conv(torch.full((T, num_trials), prob))
    c = trains.sum(dim=0)
    fanos.append((c.var() / c.mean()).item())
    print(f"p = {prob:4.2f}: Fano factor {fanos[-1]:.3f}, "
          f"theory 1-p = {1 - prob:.3f}")

fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot([0, 1], [1, 0], color="gray", label="theory 1 - p")
ax.axhline(1, color="tab:red", linestyle="--", label="Poisson (F = 1)")
ax.plot(ps, fanos, "o", color="tab:blue", label="measured")
ax.set_xlabel("spike probability per step p")
ax.set_ylabel("Fano factor var / mean")
ax.set_ylim(0, 1.1)
ax.legend()
plt.show()
# --8<-- [end:fano]

# --8<-- [start:targets_rate]
targets = torch.tensor([3, 0, 7])  # class labels of three samples
num_classes = 10
one_hot = spikegen.targets_rate(targets, num_classes=num_classes)
print(f"default:            {tuple(one_hot.shape)}")
print(one_hot[0])
same = spikegen.targets_rate(targets, num_classes=num_classes,
                             num_steps=20)
print(f"num_steps=20:       {tuple(same.shape)}")
delayed = spikegen.targets_rate(targets, num_classes=num_classes,
                                num_steps=20, first_spike_time=5)
print(f"first_spike_time=5: {tuple(delayed.shape)}")
print(delayed[:, 0, targets[0]])  # the correct class of sample 0


def plot_targets(ax, spikes, label, title):
    """Raster of one sample's [T, classes] targets, correct class shaded."""
    ax.axhspan(label - 0.4, label + 0.4, color="tab:orange", alpha=0.3)
    splt.raster(spikes, ax, s=40, c="black", marker="|")
    ax.set_yticks(range(spikes.shape[1]))
    ax.set_ylim(-0.6, spikes.shape[1] - 0.4)
    ax.set_xlim(-0.5, spikes.shape[0] - 0.5)
    ax.set_title(title)
    ax.set_xlabel("time step")
    ax.set_ylabel("class")


fig, ax = plt.subplots(figsize=(6, 3))
plot_targets(ax, delayed[:, 0], targets[0],
             f"targets_rate, label {targets[0]}, first_spike_time=5")
plt.show()
# --8<-- [end:targets_rate]

# --8<-- [start:targets_rate_error]
try:
    spikegen.targets_rate(targets, num_classes=num_classes, num_steps=20,
                          correct_rate=0.8, incorrect_rate=0.1)
except RuntimeError as err:
    print(f"{type(err).__name__}: {err}")

odd = spikegen.targets_rate(targets, num_classes=num_classes,
                            num_steps=10, correct_rate=0.8,
                            incorrect_rate=0.1)
print(f"num_steps=10: {tuple(odd.shape)}")
# --8<-- [end:targets_rate_error]

# --8<-- [start:rate_targets]
correct_rate, incorrect_rate = 0.8, 0.1
label_one_hot = spikegen.to_one_hot(targets, num_classes)  # [3, 10]
target_probs = (label_one_hot * correct_rate
                + (1 - label_one_hot) * incorrect_rate)
rate_targets = spikegen.rate(target_probs, num_steps=50)  # [50, 3, 10]
print(f"rate_targets: {tuple(rate_targets.shape)}")
is_correct = label_one_hot.bool().expand_as(rate_targets)
print(f"correct classes fire at {rate_targets[is_correct].mean():.2f}, "
      f"incorrect at {rate_targets[~is_correct].mean():.2f}")

fig, ax = plt.subplots(figsize=(7, 3))
plot_targets(ax, rate_targets[:, 0], targets[0],
             f"rate targets, label {targets[0]}: 0.8 vs 0.1")
plt.show()
# --8<-- [end:rate_targets]

# --8<-- [start:targets_latency]
settings = {"default": {}, "normalize=True": {"normalize": True},
            "clip=True": {"clip": True}}
latency_targets = {}
for name, options in settings.items():
    spikes = spikegen.targets_latency(targets, num_classes=num_classes,
                                      num_steps=20, **options)
    latency_targets[name] = spikes
    first = [spikes[:, 0, c].nonzero().flatten().tolist()
             for c in range(num_classes)]
    print(f"{name:15s} {tuple(spikes.shape)} spike times {first}")

fig, axes = plt.subplots(1, 2, figsize=(8, 3))
for ax, name in zip(axes, ["default", "normalize=True"]):
    plot_targets(ax, latency_targets[name][:, 0], targets[0],
                 f"targets_latency, {name}")
plt.tight_layout()
plt.show()
# --8<-- [end:targets_latency]

# --8<-- [start:latency_steps]
try:
    spikegen.targets_latency(targets, num_classes=num_classes,
                             num_steps=10)
except Exception as err:
    print(f"{type(err).__name__}: {err}")
# --8<-- [end:latency_steps]

# --8<-- [start:exercise_1]
p_target = 0.05  # 50 Hz at dt = 1 ms
# About 95% of measurements fall within 2 standard deviations:
# 2 * sqrt(p * (1 - p) / T) <= 0.1 * p  ->  T >= 400 * (1 - p) / p
T_needed = round(400 * (1 - p_target) / p_target)
print(f"T needed: {T_needed} steps ({T_needed * dt:.1f} s at 1 ms)")

num_trains = 2000
for T_try in (200, T_needed):
    trains_try = spikegen.rate_conv(torch.full((T_try, num_trains),
                                               p_target))
    spike_counts = trains_try.sum(dim=0)  # one count per train
    expected = T_try * p_target
    within = ((spike_counts - expected).abs() <= 0.1 * expected)
    print(f"T = {T_try:4d}: {within.float().mean():.1%} of trains "
          f"within 10% of p")

# How the estimate settles: running spike rate of 20 long trains
steps = torch.arange(1, T_needed + 1).unsqueeze(1)  # [T, 1]
running = trains_try[:, :20].cumsum(dim=0) / steps  # [T, 20]
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.axhspan(0.9 * p_target, 1.1 * p_target, color="gray", alpha=0.3,
           label="p +- 10%")
ax.plot(steps, running, color="tab:blue", linewidth=0.8, alpha=0.6)
ax.axvline(200, color="tab:orange", linestyle="--", label="T = 200")
ax.axvline(T_needed, color="black", linestyle="--",
           label=f"T = {T_needed}")
ax.set_xscale("log")
ax.set_ylim(0, 0.15)
ax.set_xlabel("time steps so far")
ax.set_ylabel("measured spike probability")
ax.legend(loc="upper right")
plt.show()
# --8<-- [end:exercise_1]

# --8<-- [start:exercise_2]
for p_isi in (0.5, 0.2, 0.05, 0.01):
    train_isi = spikegen.rate_conv(torch.full((200_000,), p_isi))
    gaps = train_isi.nonzero().flatten().diff()  # inter-spike intervals
    shorter = (gaps < 1 / p_isi).float().mean()
    theory = 1 - (1 - p_isi) ** (1 / p_isi - 1)
    print(f"p = {p_isi:4.2f}: mean ISI {gaps.float().mean():6.2f}, "
          f"shorter than 1/p: {shorter:.1%} (theory {theory:.1%})")
# --8<-- [end:exercise_2]

# --8<-- [start:exercise_3]
rate_w, window = 200.0, 0.1  # 200 Hz, spikes counted in 100 ms windows
num_windows = 10_000
for dt_w in (1e-3, 1e-4):  # 1 ms, then 0.1 ms
    steps_w = round(window / dt_w)
    p_w = rate_w * dt_w
    counts_w = spikegen.rate_conv(torch.full((steps_w, num_windows),
                                             p_w)).sum(dim=0)
    fano_w = counts_w.var() / counts_w.mean()
    print(f"dt = {dt_w * 1e3:.1f} ms, p = {p_w:.2f}: "
          f"mean {counts_w.mean():5.2f}, variance {counts_w.var():5.2f}, "
          f"Fano {fano_w:.3f} (theory {1 - p_w:.2f})")
# --8<-- [end:exercise_3]
