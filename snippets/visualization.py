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

# --8<-- [start:encode]
num_steps = 100
rate_data = spikegen.rate(data_it, num_steps=num_steps)
latency_data = spikegen.latency(data_it, num_steps=num_steps, tau=5,
                                threshold=0.01, clip=True)
print(rate_data.size())
print(latency_data.size())

# The first digit of the batch, [100, 28, 28] in each code
digit = data_it[0, 0]
rate_sample = rate_data[:, 0, 0]
latency_sample = latency_data[:, 0, 0]
print(f"label: {targets_it[0]}")
print(f"rate coding:    {int(rate_sample.sum())} spikes")
print(f"latency coding: {int(latency_sample.sum())} spikes")
# --8<-- [end:encode]

# --8<-- [start:animator]
# Both codes side by side in one [100, 28, 58] tensor, a gray bar between
gap = torch.full((num_steps, 28, 2), 0.5)
pair = torch.cat([rate_sample, gap, latency_sample], dim=2)

fig, ax = plt.subplots(figsize=(4, 2.2))
ax.set_title("rate | latency")
anim = splt.animator(pair, fig, ax, num_steps=50, interval=80, cmap="gray")
print(type(anim))
anim.save("rate_vs_latency.gif", writer="pillow")
plt.close(fig)
# --8<-- [end:animator]

# --8<-- [start:ffmpeg]
from matplotlib import animation

has_ffmpeg = animation.writers.is_available("ffmpeg")
print(f"ffmpeg available: {has_ffmpeg}")
try:
    video = anim.to_html5_video()  # an HTML <video> tag with an mp4 inside
    print(f"to_html5_video(): {len(video):,} characters of HTML")
except RuntimeError as err:
    print(f"to_html5_video(): {type(err).__name__}: {err}")
if not has_ffmpeg:  # what saving an mp4 gives without ffmpeg
    try:
        anim.save("rate_vs_latency.mp4")
    except ValueError as err:
        print(f"save('rate_vs_latency.mp4'): {type(err).__name__}: {err}")

html = anim.to_jshtml()  # frames as PNG images plus JavaScript controls
print(f"to_jshtml(): {len(html):,} characters of HTML")
# --8<-- [end:ffmpeg]

# --8<-- [start:raster]
# [100, 1, 28, 28] -> [100, 784]: keep time, flatten everything else
rate_flat = rate_data[:, 0].flatten(start_dim=1)
latency_flat = latency_data[:, 0].flatten(start_dim=1)
print(rate_flat.size(), latency_flat.size())

fig, axes = plt.subplots(1, 2, figsize=(8, 4), sharey=True)
dots = splt.raster(rate_flat, axes[0], s=1, c="black")
print(f"rate: {len(dots.get_offsets())} dots")
dots = splt.raster(latency_flat, axes[1], s=4, c="tab:red", marker="s")
print(f"latency: {len(dots.get_offsets())} dots")
axes[0].set_title("rate coding")
axes[1].set_title("latency coding")
axes[0].set_ylabel("neuron (pixel) index")
for ax in axes:
    ax.set_xlim(-1, num_steps)
    ax.set_xlabel("time step")
plt.tight_layout()
plt.show()
# --8<-- [end:raster]

# --8<-- [start:raster_neurons]
# Nine pixels of the digit, from dim to bright
pixels = digit.flatten()
targets = torch.linspace(0.1, 0.9, 9)
neurons = [int((pixels - q).abs().argmin()) for q in targets]
for n in neurons:
    print(f"neuron {n:3d}: intensity {pixels[n]:.2f}, "
          f"{int(rate_flat[:, n].sum()):2d} spikes")

fig, ax = plt.subplots(figsize=(8, 3))
splt.raster(rate_flat[:, neurons], ax, s=40, c="black", marker="|")
# raster puts column k at height k: label the rows with the real indices
ax.set_yticks(range(len(neurons)))
ax.set_yticklabels([f"{n} ({pixels[n]:.2f})" for n in neurons])
ax.set_xlim(-1, num_steps)
ax.set_xlabel("time step")
ax.set_ylabel("neuron (intensity)")
plt.show()
# --8<-- [end:raster_neurons]

# --8<-- [start:raster_single]
bright = neurons[-1]  # a neuron that spikes
silent = 0            # the top-left pixel: background, never spikes

fig, axes = plt.subplots(2, 1, figsize=(8, 2.6))
# A 1-D spike train works as it is: raster adds the neuron axis itself
splt.raster(rate_flat[:, bright], axes[0], s=100, c="black", marker="|")
dots = splt.raster(rate_flat[:, silent], axes[1], s=100, c="black",
                   marker="|")
axes[0].set_title(f"neuron {bright}")
axes[1].set_title(f"neuron {silent}")
for ax in axes:
    ax.set_yticks([])
plt.tight_layout()
print(f"neuron {silent}: {len(dots.get_offsets())} dots, "
      f"x from {axes[1].get_xlim()[0]:.3f} to {axes[1].get_xlim()[1]:.3f}")
plt.show()
# --8<-- [end:raster_single]

# --8<-- [start:population]
# Population firing rate: the fraction of the 784 neurons spiking per step
rate_pop = rate_flat.mean(dim=1)
latency_pop = latency_flat.mean(dim=1)
print(f"mean pixel intensity:   {digit.mean():.3f}")
print(f"rate coding, per step:  {rate_pop.mean():.3f} on average "
      f"(min {rate_pop.min():.3f}, max {rate_pop.max():.3f})")
print(f"latency coding, steps with spikes: "
      f"{latency_pop.nonzero().flatten().tolist()}")

fig, ax = plt.subplots(figsize=(8, 3.5))
ax.plot(rate_pop, label="rate coding")
ax.plot(latency_pop, label="latency coding")
ax.axhline(digit.mean(), color="gray", linestyle="--",
           label="mean pixel intensity")
ax.set_xlabel("time step")
ax.set_ylabel("fraction of neurons spiking")
ax.legend()
plt.show()
# --8<-- [end:population]

# --8<-- [start:smoothing]
import torch.nn.functional as F

# Firing rate over the last `window` steps, for every neuron at once
window = 10
kernel = torch.ones(1, 1, window) / window
trains = rate_flat.T.unsqueeze(1)             # [784, 1, 100]
padded = F.pad(trains, (window - 1, 0))       # zeros before step 0
moving = F.conv1d(padded, kernel).squeeze(1).T  # [100, 784]
# Running estimate: spikes so far divided by steps so far
running = rate_flat.cumsum(dim=0) / torch.arange(1, num_steps + 1)[:, None]
print(moving.size(), running.size())

n = neurons[4]  # the pixel of intensity closest to 0.5
print(f"neuron {n}: intensity {pixels[n]:.2f}, "
      f"moving average between {moving[window - 1:, n].min():.1f} "
      f"and {moving[window - 1:, n].max():.1f}, "
      f"running estimate at the end {running[-1, n]:.2f}")

fig, (ax0, ax1) = plt.subplots(2, 1, figsize=(8, 4), sharex=True,
                               height_ratios=[1, 4])
splt.raster(rate_flat[:, n], ax0, s=60, c="black", marker="|")
ax0.set_yticks([])
ax0.set_title(f"neuron {n}")
ax1.plot(moving[:, n], label=f"moving average ({window} steps)")
ax1.plot(running[:, n], label="spikes so far / steps so far")
ax1.axhline(pixels[n], color="gray", linestyle="--", label="intensity")
ax1.set_ylim(0, 1.15)
ax1.set_xlabel("time step")
ax1.set_ylabel("firing rate")
ax1.legend(loc="upper center", ncols=3)
plt.show()
# --8<-- [end:smoothing]

# --8<-- [start:spike_count]
counts = rate_flat[:, neurons].sum(dim=0)
print(counts.int().tolist())

style = ["axes.edgecolor", "text.color", "xtick.color"]
# spike_count changes global style settings; rc_context undoes that after
with plt.rc_context():
    fig, ax = plt.subplots(figsize=(6, 3.5))
    splt.spike_count(rate_flat[:, neurons], fig, ax,
                     labels=[str(n) for n in neurons], num_steps=num_steps)
    print("inside: ", [plt.rcParams[key] for key in style])
print("after:  ", [plt.rcParams[key] for key in style])
plt.show()
# --8<-- [end:spike_count]

# --8<-- [start:barh]
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.barh([str(n) for n in neurons], counts.tolist(), color="tab:blue")
ax.set_xlim(0, num_steps)
ax.set_xlabel(f"spikes in {num_steps} steps")
ax.set_ylabel("neuron")
plt.show()
# --8<-- [end:barh]

# --8<-- [start:traces]
fig = plt.figure(figsize=(8, 4))  # traces draws into the current figure
splt.traces(moving[:, neurons], dim=(3, 3),
            titles=[f"neuron {n}" for n in neurons])
plt.tight_layout()
plt.show()
# --8<-- [end:traces]

# --8<-- [start:exercise_1]
# The same digit, latency-coded without clip=True
latency_all = spikegen.latency(data_it, num_steps=num_steps, tau=5,
                               threshold=0.01)
pop_all = latency_all[:, 0].flatten(start_dim=1).mean(dim=1)
print({t: round(r, 3) for t, r in enumerate(pop_all.tolist()) if r > 0})
print(f"pixels below 0.01: {(digit < 0.01).float().mean():.3f}")
print(f"sum over all steps: {pop_all.sum():.3f}")

fig, ax = plt.subplots(figsize=(8, 3))
ax.plot(latency_pop, label="latency, clip=True")
ax.plot(pop_all, linestyle="--", label="latency, no clip")
ax.set_xlabel("time step")
ax.set_ylabel("fraction of neurons spiking")
ax.legend()
plt.show()
# --8<-- [end:exercise_1]

# --8<-- [start:exercise_2]
# 1000 neurons whose intensity jumps from 0.2 to 0.8 at step 50
torch.manual_seed(0)
jump = torch.cat([torch.full((50,), 0.2), torch.full((50,), 0.8)])
jump_trains = spikegen.rate(jump[:, None].expand(100, 1000),
                            time_var_input=True)  # [100, 1000]


def moving_average(spikes, window):
    """Spikes in the last `window` steps / window, for every neuron."""
    kernel = torch.ones(1, 1, window) / window
    padded = F.pad(spikes.T.unsqueeze(1), (window - 1, 0))
    return F.conv1d(padded, kernel).squeeze(1).T


fig, ax = plt.subplots(figsize=(8, 3.5))
for w in (10, 40):
    avg = moving_average(jump_trains, w)
    noise = avg[49].std()  # spread over the neurons, just before the jump
    reached = int((avg[50:].mean(dim=1) >= 0.5).nonzero()[0]) + 1
    print(f"window {w}: noise {noise:.3f} "
          f"(sqrt(0.2 * 0.8 / {w}) = {(0.2 * 0.8 / w) ** 0.5:.3f}), "
          f"average reaches 0.5 after {reached} steps")
    ax.plot(avg[:, 0], label=f"neuron 0, window {w}")
ax.plot(jump, color="gray", linestyle="--", label="intensity")
ax.set_ylim(0, 1.15)
ax.set_xlabel("time step")
ax.set_ylabel("firing rate")
ax.legend(loc="upper left", ncols=3)
plt.show()
# --8<-- [end:exercise_2]

# --8<-- [start:exercise_3]
for fix in (False, True):
    with plt.rc_context():
        fig, (ax_count, ax_raster) = plt.subplots(1, 2, figsize=(8, 3))
        splt.raster(rate_flat[:, neurons], ax_raster, s=2, c="black")
        if fix:
            plt.sca(ax_count)  # make ax_count the current axes
        splt.spike_count(rate_flat[:, neurons], fig, ax_count,
                         labels=[str(n) for n in neurons],
                         num_steps=num_steps)
        ax_raster.set_xlabel("time step")
        fig.suptitle("after plt.sca(ax_count)" if fix else "as it is")
        print(f"fix={fix}: spike count dots on ax_count "
              f"{len(ax_count.lines)}, on ax_raster {len(ax_raster.lines)}")
    plt.show()
# --8<-- [end:exercise_3]
