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

# --8<-- [start:first_layer]
import snntorch as snn

num_steps = 100
lif = snn.Leaky(beta=0.9)  # threshold 1; one neuron per pixel


def run_layer(layer, inputs):
    """Feed inputs[step] to the layer at each step; return its spikes."""
    mem = layer.init_leaky()
    spk_rec = []
    for step in range(num_steps):
        spk, mem = layer(inputs[step], mem)
        spk_rec.append(spk)
    return torch.stack(spk_rec)  # time first, like the inputs


# (a) direct input: the image itself is the input current at every step
static_in = data_it.expand(num_steps, -1, -1, -1, -1)  # a view, no copy
spk_direct = run_layer(lif, static_in)

# (b) rate coding: spikes in, through the same layer
spk_in = spikegen.rate(data_it, num_steps=num_steps)
spk_rate = run_layer(lif, spk_in)

print(f"input shapes:  {tuple(static_in.shape)} and {tuple(spk_in.shape)}")
print(f"output shapes: {tuple(spk_direct.shape)} and "
      f"{tuple(spk_rate.shape)}")
print(f"output spikes: direct {int(spk_direct.sum())}, "
      f"rate {int(spk_rate.sum())}")
# --8<-- [end:first_layer]

# --8<-- [start:one_pixel]
# The pixel of the first image closest to 0.5
mid = int((data_it[0].flatten() - 0.5).abs().argmin())
print(f"pixel {mid}, intensity {data_it[0].flatten()[mid]:.2f}")
for name, spikes in (("direct", spk_direct), ("rate", spk_rate)):
    train = spikes[:, 0].reshape(num_steps, -1)[:, mid]
    times = train.nonzero().flatten()
    print(f"{name:6s} {len(times)} spikes, first at steps "
          f"{times[:10].tolist()}")
    print(f"       gaps between them: {sorted(set(times.diff().tolist()))}")
# --8<-- [end:one_pixel]

# --8<-- [start:raster]
# Ten pixels of the first image, from dim to bright
image = data_it[0].flatten()
picks = [int((image - v).abs().argmin()) for v in torch.linspace(0.1, 1, 10)]

fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True)
for ax, (name, spikes) in zip(axes, (("direct input", spk_direct),
                                     ("rate-coded input", spk_rate))):
    trains = spikes[:, 0].reshape(num_steps, -1)[:, picks]  # [100, 10]
    splt.raster(trains, ax, s=25, c="black", marker="|")
    ax.set_title(f"first layer, {name}")
    ax.set_xlabel("time step")
axes[0].set_yticks(range(10), [f"{image[i]:.2f}" for i in picks])
axes[0].set_ylabel("pixel intensity")
plt.tight_layout()
plt.show()
# --8<-- [end:raster]

# --8<-- [start:repeat]
# Run both again: the same image, the same layer
spk_direct_again = run_layer(lif, static_in)
spk_in_again = spikegen.rate(data_it, num_steps=num_steps)
spk_rate_again = run_layer(lif, spk_in_again)
print(f"direct, same output again: "
      f"{torch.equal(spk_direct, spk_direct_again)}")
print(f"rate,   same output again: {torch.equal(spk_rate, spk_rate_again)}")
changed = (spk_rate != spk_rate_again).sum()
print(f"rate,   output entries that changed: {int(changed)}")
# --8<-- [end:repeat]

# --8<-- [start:counts]
intensity = data_it.flatten()
count_direct = spk_direct.sum(dim=0).flatten()
count_rate = spk_rate.sum(dim=0).flatten()

# Pixel values are k/255: how many different counts per value?
levels = intensity.unique()
spread_direct = max(len(count_direct[intensity == v].unique())
                    for v in levels)
spread_rate = max(len(count_rate[intensity == v].unique()) for v in levels)
print(f"{len(levels)} pixel values; different counts for one value: "
      f"direct at most {spread_direct}, rate up to {spread_rate}")

silent = count_direct == 0
print(f"direct: brightest pixel that never fires "
      f"{intensity[silent].max():.3f}, dimmest that fires "
      f"{intensity[~silent].min():.3f}")
dim = (intensity > 0) & (intensity <= 0.1)
print(f"pixels in (0, 0.1]: {int(dim.sum())}; their spikes: direct "
      f"{int(count_direct[dim].sum())}, rate {int(count_rate[dim].sum())}")

fig, ax = plt.subplots(figsize=(7, 3.5))
ink = intensity > 0
ax.scatter(intensity[ink], count_rate[ink], s=4, alpha=0.3,
           label="rate-coded input", color="tab:orange")
ax.scatter(intensity[ink], count_direct[ink], s=4,
           label="direct input", color="tab:blue")
ax.set_xlabel("pixel intensity")
ax.set_ylabel(f"output spikes in {num_steps} steps")
ax.legend()
plt.show()
# --8<-- [end:counts]

# --8<-- [start:cost]
print(f"direct input: {data_it.numel():,} values, reused at every step")
print(f"rate input:   {spk_in.numel():,} values "
      f"({spk_in.numel() // data_it.numel()} times as many), "
      f"{spk_in.numel() * spk_in.element_size() / 1e6:.0f} MB "
      f"as {spk_in.dtype}")
# --8<-- [end:cost]

# --8<-- [start:axes]
rows = [
    ("time first (snnTorch)", "TBCHW", "[B, C, H, W]: one step, all samples"),
    ("batch first (DataLoader)", "BTCHW",
     "[T, C, H, W]: one sample, all steps"),
    ("time series", "TBF", "[B, F]: one step, all series"),
]
names = {"T": "time step", "B": "batch", "C": "channel",
         "H": "height", "W": "width", "F": "feature"}
box_colors = {"T": "tab:orange", "B": "tab:blue"}

fig, ax = plt.subplots(figsize=(10, 2.8))
for row, (title, dims, note) in enumerate(rows):
    y = 2 - row
    ax.text(-0.2, y + 0.4, title, ha="right", va="center")
    for col, dim in enumerate(dims):
        ax.add_patch(plt.Rectangle(
            (col, y), 0.9, 0.8, facecolor=box_colors.get(dim, "0.85"),
            edgecolor="black", linewidth=3 if col == 0 else 1))
        ax.text(col + 0.45, y + 0.45, dim, ha="center", fontsize=14)
        ax.text(col + 0.45, y + 0.1, names[dim], ha="center", fontsize=6.5)
    ax.text(5.2, y + 0.4, note, va="center", fontsize=9)
ax.text(5.2, 3.15, "x[step] gives", fontsize=9, weight="bold")
ax.text(0, -0.35, "thick box: the axis that x[step] indexes", fontsize=8)
ax.set_xlim(-3.4, 10)
ax.set_ylim(-0.5, 3.4)
ax.axis("off")
plt.show()
# --8<-- [end:axes]

# --8<-- [start:batch_first]
from torch.utils.data import TensorDataset

# 64 recordings of two sensors, 100 steps each: [64, 100, 2]
phase = torch.rand(64, 1, 1) * 2 * torch.pi
freq = torch.tensor([0.02, 0.05])  # cycles per step, one per sensor
steps = torch.arange(num_steps).reshape(1, -1, 1)
recordings = 0.5 + 0.5 * torch.sin(2 * torch.pi * freq * steps + phase)
series_loader = DataLoader(TensorDataset(recordings), batch_size=16)
(series,) = next(iter(series_loader))
print(f"from the DataLoader: {tuple(series.shape)}  [B, T, F]")

lif_series = snn.Leaky(beta=0.9)
try:
    spk_series = run_layer(lif_series, series)  # series[step]: wrong axis
except IndexError as err:
    print(f"{type(err).__name__}: {err}")

series_tf = series.transpose(0, 1)  # [T, B, F]
spk_series = run_layer(lif_series, series_tf)
print(f"after transpose(0, 1): {tuple(series_tf.shape)} -> "
      f"{tuple(spk_series.shape)}")
# --8<-- [end:batch_first]

# --8<-- [start:delta]
wrong = spikegen.delta(series, threshold=0.1)     # [B, T, F]: no error
right = spikegen.delta(series_tf, threshold=0.1)  # [T, B, F]
print(f"on batch first: {tuple(wrong.shape)}, {int(wrong.sum())} spikes")
print(f"on time first:  {tuple(right.shape)}, {int(right.sum())} spikes")
# What the wrong one compared: recording 1 against recording 0
print("wrong[1] is recording 1 minus recording 0: "
      f"{torch.equal(wrong[1], (series[1] - series[0] >= 0.1).float())}")
# --8<-- [end:delta]

# --8<-- [start:rgb]
from torch import nn

colors = torch.rand(len(data_it), 3, 1, 1)  # one random color per digit
rgb = data_it * colors                      # [128, 3, 28, 28]
spk_rgb = spikegen.rate(rgb, num_steps=num_steps)
print(f"RGB batch {tuple(rgb.shape)} -> spikes {tuple(spk_rgb.shape)}")
ink_rgb = rgb > 0
error = (spk_rgb.mean(dim=0) - rgb)[ink_rgb].abs().mean()
print(f"firing rate vs intensity, mean error per entry: {error:.3f}")

fc = nn.Linear(3 * 28 * 28, 10)
try:
    cur = fc(spk_rgb[0])
except RuntimeError as err:
    print(f"{type(err).__name__}: {err}")
cur = fc(spk_rgb[0].flatten(1))  # [128, 3, 28, 28] -> [128, 2352]
print(f"flatten(1): {tuple(spk_rgb[0].flatten(1).shape)} -> "
      f"{tuple(cur.shape)}")

# spikegen.delta adds no time axis: on [B, C, H, W] it compares images
delta_rgb = spikegen.delta(rgb)
image_1_vs_0 = (rgb[1] - rgb[0] >= 0.1).float()
print(f"delta on the RGB batch: {tuple(delta_rgb.shape)}; image 1 against "
      f"image 0: {torch.equal(delta_rgb[1], image_1_vs_0)}")
# --8<-- [end:rgb]

# --8<-- [start:one_neuron]
idx = 210  # the neuron snnTorch's Tutorial 1 plots
background = data_it.flatten(1)[:, idx] == 0
spikes_idx = spk_in.flatten(2)[:, :, idx].sum(dim=0)  # one count per image
print(f"pixel {idx}: background in {int(background.sum())} "
      f"of {len(data_it)} images, no spikes in {int((spikes_idx == 0).sum())}")

# One neuron's train: [T] and [T, 1] give the same dots
train = spk_in[:, 0].flatten(1)[:, mid]  # [100]
fig, ax = plt.subplots()
dots_1d = splt.raster(train, ax).get_offsets()
dots_2d = splt.raster(train.unsqueeze(1), ax).get_offsets()
plt.close(fig)
print(f"{tuple(train.shape)} and {tuple(train.unsqueeze(1).shape)}: "
      f"same dots {(dots_1d == dots_2d).all()}")
# --8<-- [end:one_neuron]

# --8<-- [start:exercise_1]
lif_slow = snn.Leaky(beta=0.95)
count_slow = run_layer(lif_slow, static_in).sum(dim=0).flatten()
fires = count_slow > 0
print(f"beta=0.95: predicted cutoff (1 - beta) x threshold = "
      f"{(1 - 0.95) * 1:.2f}")
print(f"brightest pixel that never fires {intensity[~fires].max():.3f}, "
      f"dimmest that fires {intensity[fires].min():.3f}")
print(f"pixels that fire: beta=0.9 {int((count_direct > 0).sum())}, "
      f"beta=0.95 {int(fires.sum())}")
# --8<-- [end:exercise_1]

# --8<-- [start:exercise_2]
# Five frames of each digit, moving one pixel right per frame
frames = torch.stack([data_it[:16].roll(shift, dims=-1)
                      for shift in range(5)], dim=1)
print(f"frames: {tuple(frames.shape)}  [B, frames, C, H, W]")

extra = spikegen.rate(frames, num_steps=num_steps)
print(f"rate with num_steps: {tuple(extra.shape)}  (one axis too many)")

frames_tf = frames.transpose(0, 1)                 # [5, 16, 1, 28, 28]
per_step = frames_tf.repeat_interleave(20, dim=0)  # 20 steps per frame
spk_frames = spikegen.rate(per_step, time_var_input=True)
print(f"time first, 20 steps per frame: {tuple(spk_frames.shape)}")
same = torch.equal(per_step[20:40], frames_tf[1].expand(20, -1, -1, -1, -1))
print(f"steps 20-39 show frame 1: {same}")

delta_frames = spikegen.delta(per_step)  # time first now: compares steps
active = delta_frames.sum(dim=(1, 2, 3, 4)).nonzero().flatten()
print(f"delta: steps with spikes {active.tolist()}")
# --8<-- [end:exercise_2]

# --8<-- [start:exercise_3]
torch.manual_seed(0)
fc1 = nn.Linear(28 * 28, 10)
lif1 = snn.Leaky(beta=0.9)

flat = data_it.flatten(1)           # [128, 784]
cur_direct = fc1(flat)              # the same current at every step
out_direct = run_layer(lif1, cur_direct.expand(num_steps, -1, -1))
out_again = run_layer(lif1, fc1(flat).expand(num_steps, -1, -1))

out_rate = run_layer(lif1, fc1(spk_in.flatten(2)))
out_rate2 = run_layer(lif1, fc1(spk_in_again.flatten(2)))

print(f"direct: same output again: {torch.equal(out_direct, out_again)}")
print(f"rate:   same output again: {torch.equal(out_rate, out_rate2)}")
print(f"spike counts of image 0, direct: "
      f"{out_direct[:, 0].sum(dim=0).int().tolist()}")
print(f"spike counts of image 0, rate:   "
      f"{out_rate[:, 0].sum(dim=0).int().tolist()}")
print(f"spike counts of image 0, rate 2: "
      f"{out_rate2[:, 0].sum(dim=0).int().tolist()}")
# --8<-- [end:exercise_3]
