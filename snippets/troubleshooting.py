# --8<-- [start:attribute]
import torch
import snntorch as snn

try:
    spikes = snn.spikegen.rate(torch.rand(3), num_steps=5)
except AttributeError as err:
    print(f"{type(err).__name__}: {err}")

from snntorch import spikegen  # the fix: import the submodule by name

torch.manual_seed(0)  # from here on, the same random draws as on this page
spikes = spikegen.rate(torch.rand(3), num_steps=5)
print(spikes.shape)
print(snn.spikegen is spikegen)  # now snn.spikegen exists as well
# --8<-- [end:attribute]

# --8<-- [start:pandas]
import subprocess
import sys

# Another Python process in which pandas is hidden, as if not installed:
# a None entry in sys.modules makes every `import pandas` fail.
child_code = ("import sys; sys.modules['pandas'] = None\n"
              "from snntorch import spikeplot")
child = subprocess.run([sys.executable, "-c", child_code],
                       capture_output=True, text=True)
print(child.stderr.strip().splitlines()[-1])  # the error, last line

# In this process pandas is installed, so the import works.
from snntorch import spikeplot as splt
print(splt.__name__)
# --8<-- [end:pandas]

# --8<-- [start:mnist_missing]
from torchvision import datasets, transforms

try:
    datasets.MNIST("empty_folder", train=True, download=False)
except RuntimeError as err:
    print(f"{type(err).__name__}: {err}")

# No network, simulated: send the download to a port on this computer
# where nothing listens. Put torchvision's real mirrors back afterwards.
real_mirrors = datasets.MNIST.mirrors
datasets.MNIST.mirrors = ["http://127.0.0.1:9/"]
try:
    datasets.MNIST("empty_folder", train=True, download=True)
except RuntimeError as err:
    print(f"{type(err).__name__}: {err}")
finally:
    datasets.MNIST.mirrors = real_mirrors
# --8<-- [end:mnist_missing]

# --8<-- [start:mnist_local]
from pathlib import Path

for path in sorted(Path("data/mnist/MNIST/raw").iterdir()):
    print(path)

transform = transforms.Compose([
    transforms.Resize((28, 28)),
    transforms.Grayscale(),
    transforms.ToTensor(),
    transforms.Normalize((0,), (1,)),
])
mnist_train = datasets.MNIST("data/mnist", train=True, download=False,
                             transform=transform)
print(len(mnist_train))
# --8<-- [end:mnist_local]

# --8<-- [start:subset]
from torch.utils.data import Subset, random_split
from snntorch import utils

# Splitting off a validation set returns Subset objects.
train_set, val_set = random_split(mnist_train, [0.9, 0.1])
print(type(train_set).__name__, len(train_set))
try:
    utils.data_subset(train_set, 10)
except AttributeError as err:
    print(f"{type(err).__name__}: {err}")

# Fix 1: take the first tenth of the Subset with another Subset.
small_train = Subset(train_set, range(len(train_set) // 10))
print(len(small_train))

# Fix 2: shrink the dataset itself first (in place), then split it.
utils.data_subset(mnist_train, 10)
train_set, val_set = random_split(mnist_train, [0.9, 0.1])
print(len(train_set), len(val_set))
# --8<-- [end:subset]

# --8<-- [start:byte_data]
raw = mnist_train.data[0]  # the first image as stored, no transform
try:
    spikegen.rate(raw, num_steps=100)
except NotImplementedError as err:
    print(f"{type(err).__name__}: {err}")
print(raw.dtype, raw.min().item(), raw.max().item())

# Fix 1: index the dataset, so that its transform (ToTensor) runs
print(mnist_train[0][0].dtype, mnist_train[0][0].max().item())

# Fix 2: scale the bytes to [0, 1] yourself, as ToTensor() does
scaled = raw.float() / 255
print(torch.equal(scaled, mnist_train[0][0][0]))
print(spikegen.rate(scaled, num_steps=100).shape)
# --8<-- [end:byte_data]

# --8<-- [start:ffmpeg]
import tempfile
import matplotlib.pyplot as plt
from matplotlib import animation

image, label = mnist_train[0]  # [1, 28, 28], values in [0, 1]
num_steps = 50
spike_sample = spikegen.rate(image[0], num_steps=num_steps)  # [50, 28, 28]

fig, ax = plt.subplots(figsize=(3, 3))
anim = splt.animator(spike_sample, fig, ax)
plt.close(fig)  # the animation keeps working; no still image wanted

print(f"ffmpeg available: {animation.writers.is_available('ffmpeg')}")
with tempfile.TemporaryDirectory() as folder:  # only a test: throw away
    try:
        anim.save(f"{folder}/spike_mnist.mp4")
        print("anim.save('spike_mnist.mp4') worked")
    except ValueError as err:
        print(f"{type(err).__name__}: {err}")
try:
    video = anim.to_html5_video()
    print("anim.to_html5_video() worked")
except RuntimeError as err:
    print(f"{type(err).__name__}: {err}")
# --8<-- [end:ffmpeg]

# --8<-- [start:animation_fix]
anim.save("spike_mnist.gif", writer="pillow", fps=20)  # a GIF file

html = anim.to_jshtml()  # an HTML player, e.g. HTML(html) in a notebook
print(f"to_jshtml(): {len(html)} characters of HTML")
# --8<-- [end:animation_fix]

# --8<-- [start:raster_error]
print(spike_sample.shape)  # [time, height, width]

fig, ax = plt.subplots()
try:
    splt.raster(spike_sample, ax, s=1.5, c="black")
except TypeError as err:
    print(f"{type(err).__name__}: {err}")
plt.close(fig)
# --8<-- [end:raster_error]

# --8<-- [start:raster_fix]
spike_flat = spike_sample.reshape(num_steps, -1)  # [time, neurons]
print(spike_flat.shape)

fig, axes = plt.subplots(1, 2, figsize=(8, 3.5))
splt.raster(spike_sample, axes[0], c="black")  # no error, but wrong
axes[0].set_title("[T, H, W] without s: wrong")
axes[0].set_ylabel("row (not neuron)")
axes[0].set_ylim(-1, 28)  # only 28 rows: H*W neurons squeezed into H
splt.raster(spike_flat, axes[1], s=1.5, c="black")
axes[1].set_title("[T, H*W]: right")
axes[1].set_ylabel("neuron (pixel) index")
for ax in axes:
    ax.set_xlabel("time step")
plt.tight_layout()
plt.show()
# --8<-- [end:raster_fix]

# --8<-- [start:raster_silent]
idx = 0  # the top-left pixel: background in every MNIST digit

fig, ax = plt.subplots(figsize=(8, 1.2))
splt.raster(spike_flat[:, idx].unsqueeze(1), ax, s=100, c="black",
            marker="|")
ax.set_title(f"input neuron {idx}")
ax.set_xlabel("time step")
ax.set_yticks([])
print(f"spikes of neuron {idx}: {int(spike_flat[:, idx].sum())}")
print(f"x-axis from {ax.get_xlim()[0]:.3f} to {ax.get_xlim()[1]:.3f}")
plt.show()
# --8<-- [end:raster_silent]

# --8<-- [start:raster_silent_fix]
counts = spike_flat.sum(dim=0)  # spikes per neuron, over all the steps
print(f"neurons that never spike: {int((counts == 0).sum())} "
      f"of {len(counts)}")
print(f"neuron {idx}: row {idx // 28}, column {idx % 28}, "
      f"intensity {image.flatten()[idx]:.2f}")

# Pick a neuron that spikes, but not at every step
idx = int((counts - num_steps / 2).abs().argmin())
print(f"neuron {idx}: {int(counts[idx])} spikes in {num_steps} steps")

fig, ax = plt.subplots(figsize=(8, 1.2))
splt.raster(spike_flat[:, idx].unsqueeze(1), ax, s=100, c="black",
            marker="|")
ax.set_xlim(-0.5, num_steps - 0.5)  # the whole time axis, silent steps too
ax.set_title(f"input neuron {idx}")
ax.set_xlabel("time step")
ax.set_yticks([])
plt.show()
# --8<-- [end:raster_silent_fix]

# --8<-- [start:latency_range]
normalize = transforms.Normalize((0.1307,), (0.3081,))
normalized = normalize(image)
print(f"normalized: {normalized.min():.2f} to {normalized.max():.2f}")
try:
    spikegen.latency(normalized, num_steps=100)
except Exception as err:  # snnTorch raises a plain Exception
    print(f"{type(err).__name__}: {err}")

# Fix 1: keep Normalize((0,), (1,)), as in this tutorial.
spikes = spikegen.latency(image, num_steps=100)
print(spikes.shape)

# Fix 2: rescale to [0, 1] whatever the earlier transforms did.
low, high = normalized.min(), normalized.max()
rescaled = (normalized - low) / (high - low)
print(f"rescaled: {rescaled.min():.2f} to {rescaled.max():.2f}")
spikes = spikegen.latency(rescaled, num_steps=100)
# --8<-- [end:latency_range]

# --8<-- [start:latency_steps]
import math

try:
    spikegen.latency(image, num_steps=10, clip=True)
except Exception as err:
    print(f"{type(err).__name__}: {err}")

# The spike time snnTorch gives every pixel below the threshold,
# with the defaults tau=1, threshold=0.01, epsilon=1e-7:
print(f"{1 * math.log((0.01 + 1e-7) / 1e-7):.2f}")

for options in ({"num_steps": 13},
                {"num_steps": 10, "normalize": True},
                {"num_steps": 10, "normalize": True, "linear": True}):
    spikes = spikegen.latency(image, clip=True, **options)
    per_step = spikes.sum(dim=(1, 2, 3)).int().tolist()
    print(f"{options}\n  spikes per step: {per_step}")
# --8<-- [end:latency_steps]

# --8<-- [start:latency_background]
# Where the background (0, below the threshold) fires, with 100 steps
for options in ({}, {"tau": 5}, {"linear": True}, {"normalize": True},
                {"normalize": True, "linear": True}):
    spikes = spikegen.latency(image, num_steps=100, **options)
    step = spikes[:, 0, 0, 0].nonzero().item()  # top-left pixel: background
    print(f"{options}: step {step}")

# normalize=True, linear=True again, with 10 steps instead of 100
spikes = spikegen.latency(image, num_steps=10, normalize=True, linear=True)
print(f"num_steps=10: step {spikes[:, 0, 0, 0].nonzero().item()}")
# --8<-- [end:latency_background]

# --8<-- [start:exercise_1]
from torch.utils.data import DataLoader

images, labels = next(iter(DataLoader(mnist_train, batch_size=4)))
batch_spikes = spikegen.rate(images, num_steps=num_steps)
print(batch_spikes.shape)  # [time, batch, channel, height, width]

fig, ax = plt.subplots()
for options in ({"s": 1.5, "c": "black"}, {"c": "black"}):
    try:
        splt.raster(batch_spikes, ax, **options)
    except TypeError as err:
        print(f"{type(err).__name__}: {err}")

# The fix: one sample of the batch, flattened to [time, neurons]
first_sample = batch_spikes[:, 0].reshape(num_steps, -1)
print(first_sample.shape)
splt.raster(first_sample, ax, s=1.5, c="black")  # no error now
plt.close(fig)
# --8<-- [end:exercise_1]

# --8<-- [start:exercise_2]
ink = raw > 0  # pixels of the digit
wrong = spikegen.rate(raw.float(), num_steps=100)  # no error any more
print(f"float():       ink fires on {wrong.mean(dim=0)[ink].mean():.0%} "
      f"of the steps")

fixed = spikegen.rate(scaled, num_steps=100)  # scaled = raw.float() / 255
print(f"float() / 255: ink fires on {fixed.mean(dim=0)[ink].mean():.0%} "
      f"of the steps, mean ink intensity {scaled[ink].mean():.2f}")
# --8<-- [end:exercise_2]

# --8<-- [start:exercise_3]
late = math.log((0.01 + 1e-7) / 1e-7)  # background spike time at tau=1
# Spike times are rounded: 35 means tau * late between 34.5 and 35.5
print(f"tau between {34.5 / late:.3f} and {35.5 / late:.3f}")
try:
    spikegen.latency(image, num_steps=25, tau=3)
except Exception as err:
    print(f"{type(err).__name__}: {err}")

print(f"tau=3 needs num_steps >= {round(3 * late) + 1}")
print(f"num_steps=25 needs round(tau * {late:.2f}) <= 24, "
      f"so tau < {24.5 / late:.3f}")
for tau in (2.12, 2.13):
    try:
        spikes = spikegen.latency(image, num_steps=25, tau=tau)
        background_step = spikes[:, 0, 0, 0].nonzero().item()
        print(f"tau={tau}: background fires at step {background_step}")
    except Exception as err:
        print(f"tau={tau}: {str(err).splitlines()[0]}")
# --8<-- [end:exercise_3]
