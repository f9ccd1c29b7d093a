# --8<-- [start:setup]
import torch
import matplotlib.pyplot as plt
from torch.utils.data import DataLoader
from torchvision import datasets, transforms
from snntorch import spikegen, utils
from snntorch import spikeplot as splt

torch.manual_seed(0)

transform = transforms.Compose([
    transforms.Resize((28, 28)),
    transforms.Grayscale(),
    transforms.ToTensor(),
    transforms.Normalize((0,), (1,)),
])
mnist_train = datasets.MNIST("data/mnist", train=True, download=True,
                             transform=transform)
utils.data_subset(mnist_train, 10)
train_loader = DataLoader(mnist_train, batch_size=128, shuffle=True)
data_it, targets_it = next(iter(train_loader))
# --8<-- [end:setup]

# --8<-- [start:single]
intensity = torch.tensor(0.7)  # one pixel, 70% bright

spike_trains = {}
for num_steps in (10, 100):
    train = spikegen.rate(intensity, num_steps=num_steps)
    spike_trains[num_steps] = train
    print(f"num_steps={num_steps}: {int(train.sum())} spikes, "
          f"firing rate {train.mean():.2f}")
print(spike_trains[10].int().tolist())
# --8<-- [end:single]

# --8<-- [start:single_plot]
fig, axes = plt.subplots(2, 1, figsize=(8, 2.4))
for ax, (num_steps, spike_train) in zip(axes, spike_trains.items()):
    ax.eventplot(spike_train.nonzero().flatten(), color="black")
    ax.set_xlim(-0.5, num_steps - 0.5)
    ax.set_yticks([])
    ax.set_ylabel(f"T = {num_steps}")
axes[-1].set_xlabel("time step")
plt.tight_layout()
plt.show()
# --8<-- [end:single_plot]

# --8<-- [start:convergence]
p = 0.7
num_trials = 2000
steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
means, spreads = [], []
for num_steps in steps:
    # num_trials independent pixels of intensity p, each rate coded
    trials = spikegen.rate(torch.full((num_trials,), p), num_steps=num_steps)
    rates = trials.mean(dim=0)  # one measured firing rate per trial
    means.append(rates.mean().item())
    spreads.append(rates.std().item())
    theory = (p * (1 - p) / num_steps) ** 0.5
    print(f"T={num_steps:5d}  mean rate {means[-1]:.3f}  "
          f"spread {spreads[-1]:.3f}  theory {theory:.3f}")

steps_t = torch.tensor(steps, dtype=torch.float)
theory = (p * (1 - p) / steps_t) ** 0.5
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.axhline(p, color="gray", linestyle="--", label="intensity p = 0.7")
ax.fill_between(steps, p - theory, p + theory, color="tab:blue", alpha=0.15,
                label="p ± sqrt(p(1-p)/T)")
ax.errorbar(steps, means, yerr=spreads, fmt="o", color="tab:blue", capsize=3,
            label="measured mean ± std")
ax.set_xscale("log")
ax.set_ylim(0, 1.05)  # a firing rate lies between 0 and 1
ax.set_xlabel("num_steps T")
ax.set_ylabel("firing rate")
ax.legend()
plt.show()
# --8<-- [end:convergence]

# --8<-- [start:encode]
num_steps = 100
spike_data = spikegen.rate(data_it, num_steps=num_steps)
print(data_it.size())
print(spike_data.size())
# --8<-- [end:encode]

# --8<-- [start:animate]
# The first digit over time: [100, 28, 28]
spike_data_sample = spike_data[:, 0, 0]
print(spike_data_sample.size())
print(f"label: {targets_it[0]}")

fig, ax = plt.subplots(figsize=(3, 3))
anim = splt.animator(spike_data_sample, fig, ax)
anim.save("spike_mnist.gif", writer="pillow", fps=20)  # no ffmpeg needed
plt.close(fig)
# --8<-- [end:animate]

# --8<-- [start:gain]
spike_data_low = spikegen.rate(data_it, num_steps=num_steps, gain=0.25)
print(f"gain=1:    {int(spike_data.sum())} spikes")
print(f"gain=0.25: {int(spike_data_low.sum())} spikes "
      f"({spike_data_low.sum() / spike_data.sum():.2f} of gain=1)")

fig, axes = plt.subplots(1, 3, figsize=(8, 3))
axes[0].imshow(data_it[0, 0], cmap="gray", vmin=0, vmax=1)
axes[0].set_title("input")
# Averaging the spikes over time rebuilds each pixel's firing rate.
axes[1].imshow(spike_data[:, 0, 0].mean(dim=0), cmap="gray",
               vmin=0, vmax=1)
axes[1].set_title("gain = 1")
axes[2].imshow(spike_data_low[:, 0, 0].mean(dim=0), cmap="gray",
               vmin=0, vmax=1)
axes[2].set_title("gain = 0.25")
for ax in axes:
    ax.axis("off")
plt.show()
# --8<-- [end:gain]

# --8<-- [start:offset]
# P(spike) = clamp(gain * x + offset, 0, 1): formula against measurement
x = torch.tensor([0.0, 0.25, 0.5, 0.75, 1.0])  # five pixel intensities
for gain, offset in ((1, 0), (0.5, 0), (1, 0.2), (1, -0.2), (2, -0.5)):
    prob = (gain * x + offset).clamp(0, 1)
    rate = spikegen.rate(x, num_steps=10_000, gain=gain,
                         offset=offset).mean(dim=0)
    print(f"gain={gain:<3} offset={offset:<4}  P: "
          + " ".join(f"{v:.2f}" for v in prob)
          + "  measured: " + " ".join(f"{v:.2f}" for v in rate))

# An offset on MNIST: the black background starts to fire
spike_data_offset = spikegen.rate(data_it, num_steps=num_steps, offset=0.1)
background = data_it == 0
print(f"offset=0.1: background fires on "
      f"{spike_data_offset.mean(dim=0)[background].mean():.3f} of the steps, "
      f"{spike_data_offset.sum() / spike_data.sum():.2f} times the spikes "
      f"of offset=0")
# --8<-- [end:offset]

# --8<-- [start:raster]
# [100, 784]: one row per time step, one column per input neuron
spike_data_sample2 = spike_data[:, 0].view(num_steps, -1)
print(spike_data_sample2.size())

fig, ax = plt.subplots(figsize=(8, 5))
splt.raster(spike_data_sample2, ax, s=1.5, c="black")
ax.set_title("input layer")
ax.set_xlabel("time step")
ax.set_ylabel("neuron (pixel) index")
plt.show()
# --8<-- [end:raster]

# --8<-- [start:raster_neuron]
# A pixel of middle brightness: it spikes, but not at every step.
idx = int((data_it[0].flatten() - 0.5).abs().argmin())
print(f"neuron {idx}: intensity {data_it[0].flatten()[idx]:.2f}, "
      f"{int(spike_data_sample2[:, idx].sum())} spikes in {num_steps} steps")

fig, ax = plt.subplots(figsize=(8, 1.2))
splt.raster(spike_data_sample2[:, idx].unsqueeze(1), ax,
            s=100, c="black", marker="|")
ax.set_title(f"input neuron {idx}")
ax.set_xlim(-1, num_steps)  # show all 100 steps, silent ones included
ax.set_xlabel("time step")
ax.set_yticks([])
plt.show()
# --8<-- [end:raster_neuron]

# --8<-- [start:cost]
pixels = data_it[0].numel()
spikes_per_image = spike_data.sum(dim=(0, 2, 3, 4))  # one count per image
print(f"spikes per image: {spikes_per_image.mean():.0f} on average "
      f"(min {spikes_per_image.min():.0f}, max {spikes_per_image.max():.0f})")
print(f"entries per image: {num_steps * pixels} "
      f"({pixels} pixels x {num_steps} steps)")
expected = num_steps * data_it.sum() / len(data_it)
print(f"expected: num_steps x total intensity = {expected:.0f}")

# Latency: how well do the first T steps tell each pixel's intensity?
# Background pixels (0) never spike, so only look at the digit itself.
ink = data_it > 0
for T in (1, 5, 10, 25, 50, 100):
    rebuilt = spike_data[:T].mean(dim=0)
    error = (rebuilt - data_it)[ink].abs().mean()
    print(f"first {T:3d} steps: mean error {error:.3f} per inked pixel")
# --8<-- [end:cost]

# --8<-- [start:debate]
# A short glance: two pixels, 0.3 and 0.4 bright, over T steps
repeats = 10_000
for T in (10, 100):
    faint = spikegen.rate(torch.full((repeats,), 0.3), num_steps=T).sum(0)
    brighter = spikegen.rate(torch.full((repeats,), 0.4), num_steps=T).sum(0)
    print(f"T={T:3d}: 0.3 gives {faint.mean():4.1f} ± {faint.std():3.1f} "
          f"spikes (spread {faint.std() / faint.mean():.0%} of the mean); "
          f"0.4 gives more in {(brighter > faint).float().mean():.0%} "
          f"of the trials")
# --8<-- [end:debate]

# --8<-- [start:exercise_1]
# Encode the same batch a second time
spike_data_again = spikegen.rate(data_it, num_steps=num_steps)
print(f"identical: {torch.equal(spike_data_again, spike_data)}")

differ = spike_data_again != spike_data
# two independent draws differ with probability 2X(1 - X)
expected_differ = num_steps * (2 * data_it * (1 - data_it)).sum()
print(f"entries that differ: {int(differ.sum())} of {differ.numel()} "
      f"(expected {expected_differ:.0f})")

# Black (0) and white (1) pixels give the same spikes every time.
certain = (data_it == 0) | (data_it == 1)
print(f"differences at pixels of exactly 0 or 1: "
      f"{int(differ[:, certain].sum())}")
# --8<-- [end:exercise_1]

# --8<-- [start:exercise_2]
spike_data_high = spikegen.rate(data_it, num_steps=num_steps, gain=2)
print(f"gain=2: {int(spike_data_high.sum())} spikes "
      f"({spike_data_high.sum() / spike_data.sum():.2f} of gain=1)")

# rate_conv clips gain x X to [0, 1], so the expected ratio is
expected_ratio = (2 * data_it).clamp(max=1).sum() / data_it.sum()
print(f"expected with clipping: {expected_ratio:.2f}")

# Every pixel at 0.5 or brighter now fires at every step.
bright = data_it >= 0.5
rate_high = spike_data_high.mean(dim=0)
print(f"pixels >= 0.5 firing at every step: "
      f"{(rate_high[bright] == 1).float().mean():.0%}")

fig, axes = plt.subplots(1, 3, figsize=(8, 2.8),
                         gridspec_kw={"width_ratios": [1, 1, 1.4]})
axes[0].imshow(data_it[0, 0], cmap="gray", vmin=0, vmax=1)
axes[0].set_title("input")
axes[1].imshow(rate_high[0, 0], cmap="gray", vmin=0, vmax=1)
axes[1].set_title("gain = 2")
for ax in axes[:2]:
    ax.axis("off")
# Firing rate against intensity, for the pixels of the first image
pixels = data_it[0] > 0
axes[2].scatter(data_it[0][pixels], spike_data[:, 0].mean(dim=0)[pixels],
                s=6, label="gain = 1")
axes[2].scatter(data_it[0][pixels], rate_high[0][pixels], s=6,
                label="gain = 2")
axes[2].set_xlabel("intensity X")
axes[2].set_ylabel("firing rate")
axes[2].legend(fontsize="small")
plt.tight_layout()
plt.show()
# --8<-- [end:exercise_2]

# --8<-- [start:exercise_3]
# White background, black digit: 1 - X
inverted = 1 - data_it
spike_data_inv = spikegen.rate(inverted, num_steps=num_steps)
per_image_inv = spike_data_inv.sum(dim=(0, 2, 3, 4))
expected_inv = num_steps * inverted.sum() / len(inverted)
print(f"inverted: {per_image_inv.mean():.0f} spikes per image "
      f"(expected {expected_inv:.0f})")
print(f"{per_image_inv.mean() / spikes_per_image.mean():.1f} times "
      f"the spikes of the original images")
# --8<-- [end:exercise_3]
