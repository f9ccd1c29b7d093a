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

# --8<-- [start:on_spikes]
# One input over 16 time steps, say a pixel's brightness. Time comes first.
signal = torch.tensor([0.0, 0.0, 0.5, 0.5, 0.5, 1.0, 1.0, 1.0,
                       0.875, 0.75, 0.75, 0.25, 0.25, 0.25, 0.75, 0.75])
threshold = 0.25

on_spikes = spikegen.delta(signal, threshold=threshold)
print(on_spikes)
print(on_spikes.shape, on_spikes.dtype)
# --8<-- [end:on_spikes]

# --8<-- [start:on_plot]
# What delta compares: each value minus the one before (0 before step 0)
change = torch.diff(signal, prepend=torch.zeros(1))
steps = range(len(signal))

fig, axes = plt.subplots(3, 1, figsize=(8, 4.5), sharex=True)
axes[0].plot(steps, signal, marker="o", color="tab:orange")
axes[0].set_ylabel("input x[t]")
axes[1].bar(steps, change, color="gray")
axes[1].axhline(threshold, color="tab:blue", linestyle="--",
                label="+threshold")
axes[1].axhline(-threshold, color="tab:red", linestyle="--",
                label="-threshold")
axes[1].set_ylabel("x[t] - x[t-1]")
axes[1].legend(loc="lower left", fontsize="small")
axes[2].eventplot(on_spikes.nonzero().flatten(), color="tab:blue")
axes[2].set_ylabel("on-spikes")
axes[2].set_yticks([])
axes[2].set_xlabel("time step")
axes[2].set_xticks(steps)
plt.tight_layout()
plt.show()
# --8<-- [end:on_plot]

# --8<-- [start:off_spikes]
events = spikegen.delta(signal, threshold=threshold, off_spike=True)
print(events)
print(f"on-spikes:  {(events == 1).nonzero().flatten().tolist()}")
print(f"off-spikes: {(events == -1).nonzero().flatten().tolist()}")
# --8<-- [end:off_spikes]

# --8<-- [start:raster_pitfall]
fig, axes = plt.subplots(2, 1, figsize=(8, 2.6), sharex=True)

# spikeplot.raster draws every nonzero entry: a -1 looks just like a +1.
splt.raster(events, axes[0], c="black")
axes[0].set_title("splt.raster(events): on and off look the same")

# Draw each sign on its own, in its own color and marker.
splt.raster((events == 1).float(), axes[1], c="tab:blue", marker="^",
            label="on (+1)")
splt.raster((events == -1).float(), axes[1], c="tab:red", marker="v",
            label="off (-1)")
axes[1].set_title("on and off drawn separately")
axes[1].legend(loc="center left", bbox_to_anchor=(1.01, 0.5),
               fontsize="small")
axes[1].set_xlabel("time step")
axes[1].set_xticks(steps)
for ax in axes:
    ax.set_yticks([])
plt.tight_layout()
plt.show()
# --8<-- [end:raster_pitfall]

# --8<-- [start:equal_threshold]
# Changes of exactly +0.25, +0.25 and +0.125: all exact in float32.
exact = torch.tensor([0.0, 0.25, 0.5, 0.625])
print(spikegen.delta(exact, threshold=0.25))

# Changes of "0.1" are not exact: 0.1 has no float32 representation.
tenths = torch.tensor([0.2, 0.3, 0.6, 0.7])
print([f"{d:.8f}" for d in torch.diff(tenths).tolist()])
print(spikegen.delta(tenths, threshold=0.1, padding=True))
# --8<-- [end:equal_threshold]

# --8<-- [start:padding]
# A signal that starts high and stays there until step 3.
starts_high = torch.tensor([0.75, 0.75, 0.75, 0.25, 0.25])
print(spikegen.delta(starts_high, threshold=0.25, off_spike=True))
print(spikegen.delta(starts_high, threshold=0.25, off_spike=True,
                     padding=True))
# --8<-- [end:padding]

# --8<-- [start:integers]
# Raw 8-bit pixels (0..255), as in mnist_train.data or a decoded video.
pixel = torch.tensor([0, 200, 0, 0], dtype=torch.uint8)
print(pixel[2] - pixel[1])  # uint8 has no negative numbers: wraps around
print(spikegen.delta(pixel, threshold=50))
print(spikegen.delta(pixel, threshold=50, off_spike=True))

# Convert to float first: the fall becomes an off-spike.
print(spikegen.delta(pixel.float() / 255, threshold=0.2, off_spike=True))
# --8<-- [end:integers]

# --8<-- [start:moving]
digit = data_it[0, 0]  # [28, 28]
print(f"label: {targets_it[0]}")

# Still for 4 frames, 1 pixel right per frame for 4, still for 4,
# back left for 4, still for 4: 20 frames in all.
shifts = [0] * 4 + [1, 2, 3, 4] + [4] * 4 + [3, 2, 1, 0] + [0] * 4
frames = torch.stack([torch.roll(digit, s, dims=-1) for s in shifts])
frames = frames.unsqueeze(1)  # [time, channel, height, width]
num_frames = len(frames)
print(frames.shape)

dvs = spikegen.delta(frames, threshold=0.25, padding=True, off_spike=True)
print(f"on-spikes: {int((dvs == 1).sum())}, "
      f"off-spikes: {int((dvs == -1).sum())}")
per_frame = dvs.abs().sum(dim=(1, 2, 3)).int()
print(f"events per frame: {per_frame.tolist()}")

# The same frames batch-first by mistake: [1, time, 28, 28].
wrong = spikegen.delta(frames.transpose(0, 1), threshold=0.25,
                       padding=True, off_spike=True)
print(f"batch-first by mistake: {int(wrong.abs().sum())} events")
# --8<-- [end:moving]

# --8<-- [start:moving_frames]
shown = [3, 4, 8, 12]  # still, moving right, still again, moving left
fig, axes = plt.subplots(2, len(shown), figsize=(8, 4.2))
for col, t in enumerate(shown):
    axes[0, col].imshow(frames[t, 0], cmap="gray", vmin=0, vmax=1)
    axes[0, col].set_title(f"frame {t}")
    # bwr_r: on (+1) blue, off (-1) red, no event white
    axes[1, col].imshow(dvs[t, 0], cmap="bwr_r", vmin=-1, vmax=1)
    axes[1, col].set_title(f"{int(dvs[t].abs().sum())} events")
for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
axes[0, 0].set_ylabel("input")
axes[1, 0].set_ylabel("delta (on blue, off red)")
plt.tight_layout(h_pad=1.5)
plt.show()
# --8<-- [end:moving_frames]

# --8<-- [start:event_raster]
dvs_flat = dvs.view(num_frames, -1)  # [20, 784]: time x neuron
row = 14  # one row of pixels through the middle of the digit: 28 neurons
fig, axes = plt.subplots(1, 2, figsize=(8, 4),
                         gridspec_kw={"width_ratios": [3, 2]})
for ax, spikes in ((axes[0], dvs_flat), (axes[1], dvs[:, 0, row])):
    splt.raster((spikes == 1).float(), ax, s=8, c="tab:blue", marker="^",
                label="on (+1)")
    splt.raster((spikes == -1).float(), ax, s=8, c="tab:red", marker="v",
                label="off (-1)")
    ax.set_xlim(-0.5, num_frames - 0.5)
    ax.set_xticks(range(0, num_frames, 4))
    ax.set_xlabel("frame (time step)")
axes[0].set_title("all 784 input neurons")
axes[0].set_ylabel("neuron (pixel) index")
axes[1].set_title(f"pixel row {row} only")
axes[1].set_ylabel("pixel column")
axes[1].set_ylim(-0.5, 27.5)
axes[1].legend(loc="upper right", fontsize="small")
plt.tight_layout()
plt.show()
# --8<-- [end:event_raster]

# --8<-- [start:versus_rate]
# Rate coding the same frames: one Bernoulli draw per pixel per frame.
rated = spikegen.rate(frames, time_var_input=True)
rate_per_frame = rated.sum(dim=(1, 2, 3)).int()
print(f"rate coding:      {int(rated.sum())} spikes")
print(f"delta modulation: {int(dvs.abs().sum())} events "
      f"({dvs.abs().sum() / rated.sum():.2f} of rate coding)")
moving = per_frame > 0
print(f"frames with motion: {int(moving.sum())} of {num_frames}")
print(f"per moving frame: rate {rate_per_frame[moving].float().mean():.0f}"
      f", delta {per_frame[moving].float().mean():.0f}")

fig, ax = plt.subplots(figsize=(8, 3))
ax.plot(rate_per_frame, marker="o", color="gray", label="rate coding")
ax.bar(range(num_frames), per_frame, color="tab:purple", alpha=0.7,
       label="delta modulation (on + off)")
ax.set_xticks(range(0, num_frames, 2))
ax.set_xlabel("frame (time step)")
ax.set_ylabel("spikes per frame")
ax.set_ylim(0, 140)  # room for the legend above the curves
ax.legend(loc="upper center", ncols=2, fontsize="small")
plt.show()
# --8<-- [end:versus_rate]

# --8<-- [start:absolute_level]
# The same steps at two brightness levels give the same events.
dim = torch.tensor([0.25, 0.25, 0.5, 0.5, 0.25])
bright = dim + 0.5
print(spikegen.delta(dim, threshold=0.25, padding=True, off_spike=True))
print(spikegen.delta(bright, threshold=0.25, padding=True, off_spike=True))

# A small and a large jump both give one +1: the size is lost too.
print(spikegen.delta(torch.tensor([0.0, 0.25]), threshold=0.25))
print(spikegen.delta(torch.tensor([0.0, 1.0]), threshold=0.25))
# --8<-- [end:absolute_level]

# --8<-- [start:slow_drift]
# A pixel brightening slowly: from 0 to 1 in 32 steps of 1/32.
ramp = torch.arange(33) / 32
drift = spikegen.delta(ramp, threshold=0.25, padding=True, off_spike=True)
print(f"spikegen.delta: {int(drift.abs().sum())} events")

# The same ramp sampled 8 times less often: each step now changes 0.25.
coarse = spikegen.delta(ramp[::8], threshold=0.25, padding=True)
print(f"every 8th sample: {int(coarse.sum())} events")


# An event camera pixel compares with its value at the last event instead.
def delta_from_reference(x, threshold):
    out = torch.zeros_like(x)
    reference = x[0]
    for t in range(1, len(x)):
        if x[t] - reference >= threshold:
            out[t], reference = 1, x[t]
        elif x[t] - reference <= -threshold:
            out[t], reference = -1, x[t]
    return out


tracked = delta_from_reference(ramp, threshold=0.25)
print(f"compared with the last event: {int(tracked.abs().sum())} events "
      f"at steps {tracked.nonzero().flatten().tolist()}")

fig, axes = plt.subplots(3, 1, figsize=(8, 3.6), sharex=True)
axes[0].plot(ramp, marker=".", color="tab:orange")
# Each on-event means "up by the threshold": add them up to rebuild.
axes[0].step(range(len(ramp)), ramp[0] + 0.25 * tracked.cumsum(0),
             where="post", color="tab:blue", label="rebuilt from events")
axes[0].set_ylabel("input")
axes[0].legend(loc="upper left", fontsize="small")
axes[1].eventplot(drift.nonzero().flatten(), color="tab:blue")
axes[1].set_ylabel("spikegen\n.delta")
axes[2].eventplot(tracked.nonzero().flatten(), color="tab:blue")
axes[2].set_ylabel("last-event\nreference")
axes[2].set_xlabel("time step")
for ax in axes[1:]:
    ax.set_yticks([])
plt.tight_layout()
plt.show()
# --8<-- [end:slow_drift]

# --8<-- [start:exercise_1]
x = torch.tensor([0.5, 0.5, 0.75, 0.625, 0.5, 0.5, 0.0, 0.25])
print(spikegen.delta(x, threshold=0.25))
print(spikegen.delta(x, threshold=0.25, off_spike=True, padding=True))
# --8<-- [end:exercise_1]

# --8<-- [start:exercise_2]
# Between two whole-pixel positions, blend the two images.
def shifted(s):
    whole, part = int(s), s - int(s)
    return ((1 - part) * torch.roll(digit, whole, dims=-1)
            + part * torch.roll(digit, whole + 1, dims=-1))


# 4 pixels to the right, filmed at 1, 2 and 4 frames per pixel.
for per_pixel in (1, 2, 4):
    video = torch.stack([shifted(i / per_pixel)
                         for i in range(4 * per_pixel + 1)])
    video_events = spikegen.delta(video, threshold=0.25, padding=True,
                                  off_spike=True)
    print(f"{per_pixel} frame(s) per pixel: {len(video) - 1} moving "
          f"frames, {int(video_events.abs().sum())} events")

# A frame changes each pixel by 1 / per_pixel of a one-pixel shift.
one_pixel = torch.roll(digit, 1, dims=-1) - digit
for per_pixel in (1, 2, 4):
    big = int((one_pixel.abs() >= 0.25 * per_pixel).sum())
    print(f"|one-pixel change| >= {0.25 * per_pixel}: {big} pixels")
# --8<-- [end:exercise_2]

# --8<-- [start:exercise_3]
import math

torch.manual_seed(0)
sigma = 0.05  # sensor noise: standard deviation of each reading
still = digit.expand(20, 28, 28)  # the digit, not moving, 20 frames
noisy = still + sigma * torch.randn(20, 28, 28)

for theta in (0.1, 0.25):
    noise_events = spikegen.delta(noisy, threshold=theta, padding=True,
                                  off_spike=True)
    # a difference of two noisy readings has std sigma * sqrt(2)
    p = math.erfc(theta / (2 * sigma))  # P(|difference| >= theta)
    print(f"threshold {theta}: {int(noise_events.abs().sum())} events, "
          f"expected {19 * 784 * p:.0f}")
# --8<-- [end:exercise_3]
