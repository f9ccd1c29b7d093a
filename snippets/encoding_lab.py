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

# --8<-- [start:poisson]
def poisson_encode(x, num_steps, f_max=100.0, dt=1e-3):
    """x in [0, 1] -> spikes [num_steps, *x.shape] at f_max * x Hz."""
    # Spike probability per step. A probability cannot exceed 1: rates
    # above 1 / dt are clamped, and the neuron then fires at every step.
    p = (f_max * dt * x).clamp(0.0, 1.0)
    return (torch.rand(num_steps, *x.shape, device=x.device) < p).float()
# --8<-- [end:poisson]

# --8<-- [start:poisson_rate]
dt = 1e-3                            # 1 ms per time step
num_steps = 1000                     # 1 second
intensity = torch.linspace(0, 1, 11)
x = intensity.repeat(200, 1)         # 200 trains per intensity

measured = {}
for f_max in (100.0, 500.0, 2000.0):
    spikes = poisson_encode(x, num_steps, f_max=f_max, dt=dt)
    # spikes per second, averaged over the 200 trains of each intensity
    measured[f_max] = spikes.sum(dim=0).mean(dim=0) / (num_steps * dt)
    print(f"f_max={f_max:6.0f} Hz: rate at x=0.5 {measured[f_max][5]:6.1f} Hz,"
          f" at x=1 {measured[f_max][10]:6.1f} Hz")

fig, ax = plt.subplots(figsize=(6, 3.5))
for f_max, rate in measured.items():
    ax.plot(intensity, rate, "o-", label=f"f_max = {f_max:.0f} Hz")
ax.axhline(1 / dt, color="gray", linestyle="--", label="1 / dt")
ax.set_xlabel("input x")
ax.set_ylabel("measured rate (Hz)")
ax.legend()
plt.show()
# --8<-- [end:poisson_rate]

# --8<-- [start:poisson_vs_rate]
# spikegen.rate(x, num_steps, gain): probability gain * x, clamped to [0, 1]
pixels = data_it[:4]
for f_max in (200.0, 1000.0, 2000.0):
    gain = f_max * dt                    # 0.2, 1 and 2 with dt = 1 ms
    torch.manual_seed(1)
    ours = poisson_encode(pixels, num_steps=100, f_max=f_max, dt=dt)
    torch.manual_seed(1)
    theirs = spikegen.rate(pixels, num_steps=100, gain=gain)
    print(f"f_max={f_max:5.0f} Hz, gain={gain:.1f}: {int(ours.sum())} and "
          f"{int(theirs.sum())} spikes, same tensor: "
          f"{torch.equal(ours, theirs)}")
print(f"shapes: {tuple(ours.shape)} and {tuple(theirs.shape)}")
# --8<-- [end:poisson_vs_rate]

# --8<-- [start:population]
def population_encode(x, num_steps, num_neurons=8, sigma=None, r_min=0.1):
    """x in [0, 1] -> spikes [num_steps, *x.shape, num_neurons].

    Neuron j has a Gaussian receptive field centered on centers[j]; the
    stronger its response r, the earlier it fires (once). Responses below
    r_min do not fire at all.
    """
    centers = torch.linspace(0, 1, num_neurons, device=x.device)
    if sigma is None:
        sigma = 1 / (num_neurons - 1)    # the spacing of the centers
    r = torch.exp(-(x.unsqueeze(-1) - centers) ** 2 / (2 * sigma ** 2))
    spike_step = torch.round((1 - r) * (num_steps - 1))
    time = torch.arange(num_steps, device=x.device).view(-1, *[1] * r.dim())
    return ((time == spike_step) & (r >= r_min)).float()
# --8<-- [end:population]

# --8<-- [start:population_spikes]
value = torch.tensor(0.3)
pop_spikes = population_encode(value, num_steps=20)     # [20, 8]
print(f"shape: {tuple(pop_spikes.shape)}")
for j in range(8):
    steps = pop_spikes[:, j].nonzero().flatten().tolist()
    print(f"neuron {j} (center {j / 7:.2f}): spike at step {steps}")

grid = torch.linspace(0, 1, 201)
fields = torch.exp(-(grid.unsqueeze(-1) - torch.linspace(0, 1, 8)) ** 2
                   / (2 * (1 / 7) ** 2))
fig, axes = plt.subplots(1, 2, figsize=(8, 3))
axes[0].plot(grid, fields)
axes[0].axvline(value, color="black", linestyle="--")
axes[0].axhline(0.1, color="gray", linestyle=":")
axes[0].set_xlabel("input x")
axes[0].set_ylabel("response r")
axes[0].set_title("receptive fields")
times, neurons = pop_spikes.nonzero(as_tuple=True)
axes[1].scatter(times, neurons, c=[f"C{j}" for j in neurons.tolist()])
axes[1].set_xlim(-0.5, 19.5)
axes[1].set_ylim(-0.5, 7.5)
axes[1].set_xlabel("time step")
axes[1].set_ylabel("neuron")
axes[1].set_title("spikes for x = 0.3")
plt.tight_layout()
plt.show()
# --8<-- [end:population_spikes]

# --8<-- [start:population_decode]
def population_decode(spikes, num_neurons=8, sigma=None):
    """Spikes [num_steps, ..., num_neurons] -> estimate of x [...]."""
    num_steps, device = spikes.shape[0], spikes.device
    centers = torch.linspace(0, 1, num_neurons, device=device)
    if sigma is None:
        sigma = 1 / (num_neurons - 1)
    # Back from spike step to response: step 0 -> r = 1; silent -> r = 0.
    time = torch.arange(num_steps, device=device)
    time = time.view(-1, *[1] * (spikes.dim() - 1))
    step = (spikes * time).sum(dim=0)
    r = torch.where(spikes.sum(dim=0) > 0, 1 - step / (num_steps - 1), 0.0)
    # For two neighboring Gaussians, log(r[j+1] / r[j]) is linear in x.
    # Use the neighboring pair that fired earliest (largest responses).
    left, right = r[..., :-1], r[..., 1:]
    pair = (left * right).argmax(dim=-1, keepdim=True)
    left, right = left.gather(-1, pair), right.gather(-1, pair)
    spacing = centers[1] - centers[0]
    middle = (centers[:-1] + centers[1:]) / 2
    x = middle[pair] + sigma ** 2 * torch.log(right / left) / spacing
    return x.squeeze(-1).clamp(0, 1)
# --8<-- [end:population_decode]

# --8<-- [start:population_error]
x_true = torch.linspace(0, 1, 1001)
x_spikes = population_encode(x_true, num_steps=20)     # [20, 1001, 8]
x_decoded = population_decode(x_spikes)
error = (x_decoded - x_true).abs()

# The simple alternative: center of mass of the recovered responses
step = (x_spikes * torch.arange(20).view(-1, 1, 1)).sum(dim=0)
r_hat = torch.where(x_spikes.sum(dim=0) > 0, 1 - step / 19, 0.0)
centre_of_mass = (r_hat * torch.linspace(0, 1, 8)).sum(-1) / r_hat.sum(-1)
com_error = (centre_of_mass - x_true).abs()
print(f"spikes per value: {int(x_spikes.sum(dim=(0, 2)).min())} "
      f"to {int(x_spikes.sum(dim=(0, 2)).max())}")
print(f"largest error, pair of neighbors: {error.max():.4f}")
print(f"largest error, center of mass:     {com_error.max():.4f}")

fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(x_true, com_error, color="tab:gray", label="center of mass")
ax.plot(x_true, error, color="tab:blue", label="population_decode")
ax.set_xlabel("input x")
ax.set_ylabel("|decoded - x|")
ax.legend()
plt.show()
# --8<-- [end:population_error]

# --8<-- [start:rank_order]
def rank_order_encode(x, num_steps):
    """x [B, N], x >= 0 -> spikes [num_steps, B, N], one spike per input.

    In each sample the largest input fires first, then the next, ...;
    equal values fire in index order, and zeros never fire.
    """
    order = torch.sort(x, dim=-1, descending=True, stable=True).indices
    rank = order.argsort(dim=-1)          # 0 = largest input of the sample
    num_active = (x > 0).sum(dim=-1, keepdim=True).clamp(min=1)
    spike_step = rank * num_steps // num_active   # ranks spread over time
    time = torch.arange(num_steps, device=x.device).view(-1, 1, 1)
    return ((time == spike_step) & (x > 0)).float()
# --8<-- [end:rank_order]

# --8<-- [start:rank_order_decode]
def rank_order_decode(spikes, mod=0.99):
    """Spikes [T, B, N] -> readout [B, N]: mod ** (inputs fired before).

    The readout follows the order of the spikes; it is not pixel values.
    """
    fired = spikes.sum(dim=0) > 0
    spike_step = spikes.argmax(dim=0)             # [B, N]
    per_step = spikes.sum(dim=-1)                 # [T, B]
    before = per_step.cumsum(dim=0) - per_step    # fired at earlier steps
    rank = before.T.gather(1, spike_step)         # [B, N]
    return torch.where(fired, mod ** rank, 0.0)
# --8<-- [end:rank_order_decode]

# --8<-- [start:rank_order_mnist]
images = data_it[:4].view(4, -1)                   # [4, 784]
ro_spikes = rank_order_encode(images, num_steps=300)
print(f"shape: {tuple(ro_spikes.shape)}")
print(f"spikes per image: {ro_spikes.sum(dim=(0, 2)).int().tolist()}")
print(f"inked pixels:     {(images > 0).sum(dim=1).tolist()}")

readout = rank_order_decode(ro_spikes)
spike_step = ro_spikes.argmax(dim=0).float()        # [4, 784]
spike_step[ro_spikes.sum(dim=0) == 0] = float("nan")  # never fired

fig, axes = plt.subplots(1, 3, figsize=(8, 3))
axes[0].imshow(images[0].view(28, 28), cmap="gray")
axes[0].set_title("input")
shown = axes[1].imshow(spike_step[0].view(28, 28), cmap="viridis_r")
fig.colorbar(shown, ax=axes[1], fraction=0.046)
axes[1].set_title("spike step")
axes[2].imshow(readout[0].view(28, 28), cmap="gray")
axes[2].set_title("0.99 ** rank")
for ax in axes:
    ax.axis("off")
plt.tight_layout()
plt.show()
# --8<-- [end:rank_order_mnist]

# --8<-- [start:rank_order_ties]
values = images[0][images[0] > 0]
distinct, counts = values.unique(return_counts=True)
print(f"inked pixels: {len(values)}, distinct values: {len(distinct)}")
print(f"largest group of equal values: {int(counts.max())} pixels "
      f"at {distinct[counts.argmax()]:.3f}")

# Fewer steps than inputs: several inputs share a step
crowded = rank_order_encode(images, num_steps=50)
print(f"most spikes in one step: {int(crowded.sum(dim=-1).max())}")
# --8<-- [end:rank_order_ties]

# --8<-- [start:phase]
def phase_encode(x, num_steps, bits=8):
    """x in [0, 1] -> spikes [num_steps, *x.shape]: its bits, MSB first.

    Step t carries bit number bits - 1 - (t % bits) of round(x * 255)
    (for bits=8), so the pattern repeats every `bits` steps.
    """
    q = torch.round(x * (2 ** bits - 1)).long()     # 0 .. 2**bits - 1
    phase = torch.arange(num_steps, device=x.device) % bits   # k = t mod bits
    shift = (bits - 1 - phase).view(-1, *[1] * x.dim())
    return ((q >> shift) & 1).float()
# --8<-- [end:phase]

# --8<-- [start:phase_decode]
def phase_decode(spikes, bits=8):
    """Spikes [num_steps, ...] -> x [...], read from the first period."""
    # weight of phase k: 2 ** -(k + 1), that is 1/2, 1/4, ..., 1/2**bits
    weights = 2.0 ** -torch.arange(1.0, bits + 1, device=spikes.device)
    weights = weights.view(-1, *[1] * (spikes.dim() - 1))
    value = (spikes[:bits] * weights).sum(dim=0)    # q / 2**bits
    return value * 2 ** bits / (2 ** bits - 1)      # back to [0, 1]
# --8<-- [end:phase_decode]

# --8<-- [start:phase_mnist]
digit = data_it[0, 0]                               # [28, 28]
ph_spikes = phase_encode(digit, num_steps=16)       # two periods
print(f"shape: {tuple(ph_spikes.shape)}")
print(f"repeats after 8 steps: {torch.equal(ph_spikes[:8], ph_spikes[8:])}")
ph_decoded = phase_decode(ph_spikes)
ph_error = (ph_decoded - digit).abs()
print(f"phase, 8 steps: largest error {ph_error.max():.1e}")
rate_decoded = spikegen.rate(digit, num_steps=8).mean(dim=0)
rate_error = (rate_decoded - digit).abs()
ink = digit > 0
print(f"rate,  8 steps: mean error {rate_error[ink].mean():.3f} "
      "on inked pixels")

fig, axes = plt.subplots(2, 5, figsize=(8, 3.6))
for k, ax in enumerate(axes.flat[:8]):
    ax.imshow(ph_spikes[k], cmap="gray", vmin=0, vmax=1)
    ax.set_title(f"step {k}: 1/{2 ** (k + 1)}", fontsize=9)
axes.flat[8].imshow(ph_decoded, cmap="gray", vmin=0, vmax=1)
axes.flat[8].set_title("phase_decode", fontsize=9)
axes.flat[9].imshow(rate_decoded, cmap="gray", vmin=0, vmax=1)
axes.flat[9].set_title("rate, 8 steps", fontsize=9)
for ax in axes.flat:
    ax.axis("off")
plt.tight_layout()
plt.show()
# --8<-- [end:phase_mnist]

# --8<-- [start:phase_pitfalls]
neighbors = torch.tensor([127, 128]) / 255
nb_spikes = phase_encode(neighbors, num_steps=8)
for value, train in zip(neighbors, nb_spikes.T):
    print(f"x = {value:.4f}: {train.int().tolist()}, "
          f"{int(train.sum())} spike(s)")

damaged = nb_spikes.clone()
damaged[0, 1] = 0                    # lose the first spike of x = 128/255
print(f"decoded before: {phase_decode(nb_spikes)[1]:.4f}, "
      f"after losing one spike: {phase_decode(damaged)[1]:.4f}")
# --8<-- [end:phase_pitfalls]

# --8<-- [start:burst]
def burst_encode(x, num_steps, max_spikes=5, max_isi=10, min_isi=2):
    """x in [0, 1] -> spikes [num_steps, *x.shape]: one burst from step 0.

    Stronger inputs fire more spikes (up to max_spikes), closer together
    (from max_isi down to min_isi steps apart). Spikes that would fall
    at or after num_steps are cut off.
    """
    num_spikes = torch.ceil(max_spikes * x)                # 0 .. max_spikes
    isi = torch.round(max_isi - (max_isi - min_isi) * x)   # steps apart
    time = torch.arange(num_steps, device=x.device).view(-1, *[1] * x.dim())
    # spikes at steps 0, isi, 2 * isi, ...: num_spikes of them
    return ((time % isi == 0) & (time // isi < num_spikes)).float()
# --8<-- [end:burst]

# --8<-- [start:burst_decode]
def burst_decode(spikes, max_spikes=5):
    """Spikes [num_steps, ...] -> x [...] from the spike count alone."""
    count = spikes.sum(dim=0)
    # n spikes: max_spikes * x lies in (n - 1, n]; take the middle
    return torch.where(count > 0, (count - 0.5) / max_spikes, 0.0)
# --8<-- [end:burst_decode]

# --8<-- [start:burst_raster]
levels = torch.linspace(0, 1, 11)
bursts = burst_encode(levels, num_steps=20)          # [20, 11]
for value, train in zip(levels, bursts.T):
    steps = train.nonzero().flatten().tolist()
    print(f"x = {value:.1f}: {len(steps)} spike(s) at steps {steps}")

fig, ax = plt.subplots(figsize=(7, 3.5))
ax.eventplot([train.nonzero().flatten() for train in bursts.T],
             color="black", linelengths=0.7)
ax.set_yticks(range(11), [f"{v:.1f}" for v in levels])
ax.axvline(9.5, color="tab:red", linestyle="--", label="end of 10 steps")
ax.set_xlim(-0.5, 19.5)
ax.set_xlabel("time step")
ax.set_ylabel("input x")
ax.legend(loc="lower right")
plt.show()
# --8<-- [end:burst_raster]

# --8<-- [start:burst_cut]
fine = torch.linspace(0, 1, 1001)
last_step = ((torch.ceil(5 * fine) - 1).clamp(min=0)
             * torch.round(10 - 8 * fine))
print(f"steps needed to fit every burst: {int(last_step.max()) + 1}")

for num_steps in (20, 10):
    decoded = burst_decode(burst_encode(levels, num_steps))
    print(f"num_steps={num_steps}: decoded "
          f"{[round(v, 1) for v in decoded.tolist()]}")
# --8<-- [end:burst_cut]

# --8<-- [start:step_forward]
def step_forward_encode(signal, threshold):
    """signal [T, ...] -> (spikes in {-1, 0, +1} [T, ...], start value).

    A base starts at signal[0]. Whenever the signal is more than
    `threshold` above the base, emit +1 and raise the base by threshold;
    more than `threshold` below, emit -1 and lower it by threshold.
    """
    spikes = torch.zeros_like(signal)
    base = signal[0].clone()
    for t in range(1, len(signal)):
        up = signal[t] > base + threshold
        down = signal[t] < base - threshold
        spikes[t] = up.float() - down.float()
        base = base + threshold * spikes[t]
    return spikes, signal[0].clone()
# --8<-- [end:step_forward]

# --8<-- [start:step_forward_decode]
def step_forward_decode(spikes, threshold, start):
    """The base again: start plus threshold times the running sum."""
    return start + threshold * spikes.cumsum(dim=0)
# --8<-- [end:step_forward_decode]

# --8<-- [start:step_forward_signal]
T = 200
t = torch.arange(T)
signal = 0.5 + 0.4 * torch.sin(2 * torch.pi * t / T)   # slow drift
signal[120:140] += 0.35                                 # fast pulse
threshold = 0.1

sf_spikes, start = step_forward_encode(signal, threshold)
sf_rebuilt = step_forward_decode(sf_spikes, threshold, start)
d_spikes = spikegen.delta(signal, threshold=threshold, padding=True,
                          off_spike=True)
d_rebuilt = signal[0] + threshold * d_spikes.cumsum(dim=0)
print(f"spikegen.delta: {int(d_spikes.abs().sum())} events "
      f"at steps {d_spikes.nonzero().flatten().tolist()}")
print(f"step-forward:   {int(sf_spikes.abs().sum())} events")
print(f"largest error, delta:        {(d_rebuilt - signal).abs().max():.3f}")
print(f"largest error, step-forward: {(sf_rebuilt - signal).abs().max():.3f}")

fig, axes = plt.subplots(3, 1, figsize=(8, 4.5), sharex=True,
                         gridspec_kw={"height_ratios": [3, 1, 1]})
axes[0].plot(t, signal, color="black", label="signal")
axes[0].step(t, sf_rebuilt, where="post", color="tab:blue",
             label="step-forward, decoded")
axes[0].step(t, d_rebuilt, where="post", color="tab:orange",
             label="delta, summed")
axes[0].legend(loc="lower left", fontsize="small")
for ax, spikes, name in ((axes[1], sf_spikes, "step-\nforward"),
                         (axes[2], d_spikes, "spikegen\n.delta")):
    ax.eventplot([(spikes == 1).nonzero().flatten(),
                  (spikes == -1).nonzero().flatten()],
                 colors=["tab:blue", "tab:red"], lineoffsets=[1, 0])
    ax.set_yticks([0, 1], ["-1", "+1"])
    ax.set_ylabel(name)
axes[2].set_xlabel("time step")
plt.tight_layout()
plt.show()
# --8<-- [end:step_forward_signal]

# --8<-- [start:compare_data]
import math
import time


def small_images(dataset, count):
    """The first `count` digits, shrunk to 14x14, flattened to 196 values."""
    images = dataset.data[:count].float().unsqueeze(1) / 255  # [N, 1, 28, 28]
    small = torch.nn.functional.avg_pool2d(images, 2)          # [N, 1, 14, 14]
    return small.flatten(1), dataset.targets[:count]


train_set = datasets.MNIST("data/mnist", train=True, download=True)
test_set = datasets.MNIST("data/mnist", train=False, download=True)
x_train, y_train = small_images(train_set, 1000)
x_test, y_test = small_images(test_set, 1000)
steps = (4, 8, 16)  # the numbers of time steps compared
print(f"train {tuple(x_train.shape)}, test {tuple(x_test.shape)}, "
      f"T in {steps}, seed 0 before every encoder")
# --8<-- [end:compare_data]

# --8<-- [start:compare_codecs]
def first_spike_value(spikes):
    """Latency decoding: a spike at step t means 1 - t / (T - 1)."""
    num_steps = spikes.shape[0]
    t = spikes.argmax(dim=0).float()
    fired = spikes.sum(dim=0) > 0
    return torch.where(fired, 1 - t / (num_steps - 1), torch.zeros_like(t))


F_MAX, DT = 200.0, 1e-3  # Poisson: at most 200 spikes/s, 1 ms steps
codecs = {  # name: (encode(x, T), decode(spikes))
    "rate": (lambda x, T: spikegen.rate(x, num_steps=T),
             lambda s: s.mean(dim=0)),
    # the same spikes as spikegen.rate(x, num_steps=T, gain=0.2)
    "poisson": (lambda x, T: poisson_encode(x, T, f_max=F_MAX, dt=DT),
                lambda s: s.mean(dim=0) / (F_MAX * DT)),
    "latency": (lambda x, T: spikegen.latency(x, num_steps=T, linear=True,
                                              normalize=True, clip=True),
                first_spike_value),
    "population": (lambda x, T: population_encode(x, T),
                   lambda s: population_decode(s)),
    "rank_order": (lambda x, T: rank_order_encode(x, T),
                   lambda s: rank_order_decode(s)),
    # phase: 8 bits, or as many as there are steps
    "phase": (lambda x, T: phase_encode(x, T, bits=min(8, T)),
              lambda s: phase_decode(s, bits=min(8, len(s)))),
    "burst": (lambda x, T: burst_encode(x, T), lambda s: burst_decode(s)),
}
# rank_order_decode returns 0.99 ** rank, an order, not pixel values:
# an error against the pixels would measure nothing
NOT_PIXEL_VALUES = {"rank_order"}
# --8<-- [end:compare_codecs]

# --8<-- [start:compare_readout]
def fit_readout(features, labels, ridge=1.0):
    """Linear readout: least squares onto one-hot labels (ridge)."""
    X = torch.cat([features, torch.ones(len(features), 1)], dim=1)
    Y = torch.nn.functional.one_hot(labels, 10).float()
    A = X.T @ X + ridge * torch.eye(X.shape[1])
    return torch.linalg.solve(A, X.T @ Y)


def readout_accuracy(weights, features, labels):
    X = torch.cat([features, torch.ones(len(features), 1)], dim=1)
    return ((X @ weights).argmax(dim=1) == labels).float().mean().item()


def average_ranks(values):
    """Rank of each entry within its row, 1 for the smallest; equal
    entries share the average of their ranks."""
    ordered = values.sort(dim=-1).values
    below = torch.searchsorted(ordered, values)              # smaller
    up_to = torch.searchsorted(ordered, values, right=True)  # or equal
    return (below + up_to + 1) / 2


def spearman(decoded, x):
    """Spearman's rank correlation of decoded and x over the inked pixels
    (x > 0) of each image, averaged over the images."""
    inked = x > 0
    blank = torch.tensor(float("inf"))   # blank pixels rank last: left out
    count = inked.sum(dim=1, keepdim=True)
    ranks = []
    for values in (decoded, x):
        r = average_ranks(torch.where(inked, values, blank))
        mean = (r * inked).sum(dim=1, keepdim=True) / count
        ranks.append(torch.where(inked, r - mean, 0.0))
    a, b = ranks
    # Pearson correlation of the ranks; 0 if a decoded image is flat
    norm = ((a * a).sum(dim=1) * (b * b).sum(dim=1)).sqrt().clamp(min=1e-12)
    return ((a * b).sum(dim=1) / norm).mean().item()


def mse_text(mse):
    return "n/a" if mse is None else f"{mse:.4f}"


def encode_decode(name, x, num_steps, batch=500):
    """Encode x batch by batch, decode, and measure the spikes on the way."""
    encode, decode = codecs[name]
    decoded, counts, first_times, seconds = [], [], [], 0.0
    for chunk in x.split(batch):
        start = time.perf_counter()
        spikes = encode(chunk, num_steps)
        seconds += time.perf_counter() - start
        decoded.append(decode(spikes))
        events = spikes.abs().flatten(2)                     # [T, B, inputs]
        per_input = events.sum(dim=0)                        # [B, inputs]
        counts.append(per_input.sum(dim=1))                  # per image
        # step of each input's first spike: max() returns the first maximum
        first = events.max(dim=0).indices                    # [B, inputs]
        first_times.append(first[per_input > 0].float())
    stats = dict(spikes=torch.cat(counts).mean().item(),
                 first=torch.cat(first_times).mean().item(),
                 ms=1000 * seconds * batch / len(x))
    return torch.cat(decoded), stats


# --8<-- [end:compare_readout]

# --8<-- [start:compare_run]
results = {}
print(f"{'encoder':<11}{'T':>4}{'spikes/img':>11}{'MSE':>8}{'rho':>7}"
      f"{'1st spike':>10}{'ms/500':>8}{'acc':>7}")
for name in codecs:
    for num_steps in steps:
        torch.manual_seed(0)
        train_decoded, _ = encode_decode(name, x_train, num_steps)
        test_decoded, r = encode_decode(name, x_test, num_steps)
        r["weights"] = fit_readout(train_decoded, y_train)
        r["acc"] = readout_accuracy(r["weights"], test_decoded, y_test)
        r["mse"] = (None if name in NOT_PIXEL_VALUES
                    else ((test_decoded - x_test) ** 2).mean().item())
        r["rho"] = spearman(test_decoded, x_test)
        results[name, num_steps] = r
        print(f"{name:<11}{num_steps:>4}{r['spikes']:>11.0f}"
              f"{mse_text(r['mse']):>8}{r['rho']:>7.3f}{r['first']:>10.1f}"
              f"{r['ms']:>8.1f}{r['acc']:>7.3f}")
baseline = readout_accuracy(fit_readout(x_train, y_train), x_test, y_test)
print(f"no encoding (the images themselves): accuracy {baseline:.3f}")
# --8<-- [end:compare_run]

# --8<-- [start:compare_robust]
def drop(spikes, fraction=0.2):
    """Delete each spike with probability `fraction`."""
    return spikes * (torch.rand(spikes.shape) >= fraction)


def jitter(spikes, max_shift=2):
    """Move each spike by a random whole number of steps in +-max_shift.
    Spikes that land on the same step merge; opposite ones cancel."""
    t, *where = spikes.nonzero(as_tuple=True)
    shift = torch.randint(-max_shift, max_shift + 1, t.shape)
    t = (t + shift).clamp(0, spikes.shape[0] - 1)
    moved = torch.zeros_like(spikes)
    moved.index_put_((t, *where), spikes[spikes != 0], accumulate=True)
    return moved.clamp(-1, 1)


num_steps = 16
noises = {"clean": lambda s: s, "drop": drop, "jitter": jitter}
print(f"T={num_steps}; drop: 20% of spikes deleted; jitter: each spike "
      "moved by -2..+2 steps")
print(f"{'encoder':<13}{'accuracy':^24}{'MSE':^27}")
print(f"{'':<13}" + "".join(f"{n:>8}" for n in noises)
      + "".join(f"{n:>9}" for n in noises))
robust = {}
for name, (encode, decode) in codecs.items():
    torch.manual_seed(0)
    spikes = encode(x_test, num_steps)
    weights = results[name, num_steps]["weights"]
    row = {}
    for noise, corrupt in noises.items():
        decoded = decode(corrupt(spikes))
        row[noise] = readout_accuracy(weights, decoded, y_test)
        row[noise + "_mse"] = (None if name in NOT_PIXEL_VALUES
                               else ((decoded - x_test) ** 2).mean().item())
    robust[name] = row
    print(f"{name:<13}" + "".join(f"{row[n]:>8.3f}" for n in noises)
          + "".join(f"{mse_text(row[n + '_mse']):>9}" for n in noises))
# --8<-- [end:compare_robust]

# --8<-- [start:compare_plot]
panels = {"acc": "readout accuracy", "mse": "reconstruction MSE",
          "rho": "rank correlation (Spearman)", "spikes": "spikes per image"}
fig, axes = plt.subplots(2, 2, figsize=(8, 6), layout="constrained")
for ax, (metric, label) in zip(axes.flat, panels.items()):
    for i, name in enumerate(codecs):
        values = [results[name, T][metric] for T in steps]
        if None not in values:  # rank_order has no MSE: not pixel values
            ax.plot(steps, values, marker="o", color=f"C{i}", label=name)
    ax.set_ylabel(label)
    ax.set_xscale("log", base=2)
    ax.set_xticks(steps, [str(T) for T in steps])
    ax.set_xlabel("time steps T")
axes[0, 1].set_yscale("log")
axes[0, 1].text(0.03, 0.03, "rank_order: n/a", fontsize=8, color="C4",
                transform=axes[0, 1].transAxes)  # C4: its color
axes[1, 1].set_yscale("log")
fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center",
           ncols=7, fontsize=8)
plt.show()
# --8<-- [end:compare_plot]

# --8<-- [start:compare_moving]
THRESHOLD = 0.1


def moving_video(x, num_steps):
    """Each 14x14 digit slides 3 pixels right and back over num_steps
    frames, after a blank frame: both encoders start from nothing, and the
    last frame is the digit where it started."""
    images = x.view(-1, 14, 14)
    frames = [torch.zeros_like(images)]
    for t in range(num_steps):
        shift = round(3 * math.sin(math.pi * t / (num_steps - 1)))
        frames.append(torch.roll(images, shifts=shift, dims=-1))
    return torch.stack(frames).flatten(2)  # [1 + T, B, 196]


movers = {  # name: (encode(video), decode(spikes) -> frames)
    # delta keeps only the sign: read each event as one threshold step
    "delta": (lambda v: spikegen.delta(v, threshold=THRESHOLD,
                                       off_spike=True),
              lambda s: (THRESHOLD * s.cumsum(dim=0)).clamp(0, 1)),
    # the video starts blank, so step-forward's start value is 0
    "step_forward": (lambda v: step_forward_encode(v, THRESHOLD)[0],
                     lambda s: step_forward_decode(s, THRESHOLD, 0.0)),
}
moving = {}
print(f"{'encoder':<12}{'T':>3}{'spikes/img':>11}{'MSE':>8}"
      f"{'1st spike':>10}{'ms/500':>8}{'acc':>7}   (moving digit)")
for name, (encode, decode) in movers.items():
    for num_steps in steps:
        last_frames = {}
        for split, x in [("train", x_train), ("test", x_test)]:
            video = moving_video(x, num_steps)
            start = time.perf_counter()
            spikes = encode(video)
            seconds = time.perf_counter() - start
            decoded = decode(spikes)
            last_frames[split] = decoded[-1]  # the digit, reconstructed
        events = spikes.abs()
        r = dict(spikes=events.sum(dim=(0, 2)).mean().item(),
                 mse=((decoded - video) ** 2).mean().item(),
                 first=events.argmax(dim=0)[events.sum(dim=0) > 0]
                 .float().mean().item(),
                 ms=1000 * seconds * 500 / len(x_test))
        r["weights"] = fit_readout(last_frames["train"], y_train)
        r["acc"] = readout_accuracy(r["weights"], last_frames["test"], y_test)
        moving[name, num_steps] = r
        print(f"{name:<12}{num_steps:>3}{r['spikes']:>11.0f}{r['mse']:>8.4f}"
              f"{r['first']:>10.1f}{r['ms']:>8.1f}{r['acc']:>7.3f}")
last_train, last_test = (moving_video(x, 16)[-1] for x in (x_train, x_test))
reference = readout_accuracy(fit_readout(last_train, y_train), last_test,
                             y_test)
print(f"readout on the true last frames: accuracy {reference:.3f}")
# --8<-- [end:compare_moving]

# --8<-- [start:compare_moving_robust]
num_steps = 16
print(f"T={num_steps}, moving digit; the same drop and jitter")
print(f"{'encoder':<13}{'accuracy':^24}{'MSE':^27}")
print(f"{'':<13}" + "".join(f"{n:>8}" for n in noises)
      + "".join(f"{n:>9}" for n in noises))
moving_robust = {}
for name, (encode, decode) in movers.items():
    torch.manual_seed(0)
    video = moving_video(x_test, num_steps)
    spikes = encode(video)
    weights = moving[name, num_steps]["weights"]
    row = {}
    for noise, corrupt in noises.items():
        decoded = decode(corrupt(spikes))
        row[noise] = readout_accuracy(weights, decoded[-1], y_test)
        row[noise + "_mse"] = ((decoded - video) ** 2).mean().item()
        if noise == "clean":
            clean = decoded
        if noise == "drop":  # how far from the clean decoding, per frame
            row["strayed"] = ((decoded - clean) ** 2).mean(dim=(1, 2))
    moving_robust[name] = row
    print(f"{name:<13}" + "".join(f"{row[n]:>8.3f}" for n in noises)
          + "".join(f"{row[n + '_mse']:>9.4f}" for n in noises))
print("drop: squared distance from the clean decoding, frame 1 -> last")
for name, row in moving_robust.items():
    print(f"{name:<13}{row['strayed'][1]:>8.4f} -> {row['strayed'][-1]:.4f}")
# --8<-- [end:compare_moving_robust]

# --8<-- [start:playground_digits]
import hashlib
import json

# The playground's digits: the first two of each class in the first
# batch, in batch order (so the first is data_it[0], the chapters' digit),
# as bytes 0..255. ToTensor made data_it from them as byte / 255 (float32).
picked = sorted(i for label in range(10)
                for i in (targets_it == label).nonzero()[:2, 0].tolist())
pg_digits = data_it[picked, 0]                                # [20, 28, 28]
with open("playground_digits.json", "w") as f:
    json.dump({"labels": targets_it[picked].tolist(),
               "pixels": (pg_digits * 255).round().int().flatten(1).tolist()},
              f)
print(f"batch positions: {picked}")
print(f"labels: {targets_it[picked].tolist()}")
# --8<-- [end:playground_digits]

# --8<-- [start:playground_reference]
PG_SHIFTS = [0] * 4 + [1, 2, 3, 4] + [4] * 4 + [3, 2, 1, 0] + [0] * 4


def pg_moving(x):
    """The delta chapter's moving digit: 20 frames, [20, 28, 28]."""
    return torch.stack([torch.roll(x, s, dims=-1) for s in PG_SHIFTS])


pg_codecs = {  # name: (encode(x, settings), decode(spikes, settings, x))
    "rate": (lambda x, s: spikegen.rate(x, **s),
             lambda spk, s, x: spk.mean(dim=0) / s.get("gain", 1)),
    "latency": (lambda x, s: spikegen.latency(x, **s),
                lambda spk, s, x: first_spike_value(spk)
                if s.get("linear") and s.get("normalize") else None),
    "delta": (lambda x, s: spikegen.delta(pg_moving(x), **s),
              lambda spk, s, x: (s["threshold"] * spk.cumsum(dim=0))
              .clamp(0, 1)),
    "poisson": (lambda x, s: poisson_encode(x, **s),
                lambda spk, s, x: spk.mean(dim=0) / (s["f_max"] * s["dt"])),
    "population": (lambda x, s: population_encode(x, **s),
                   lambda spk, s, x: population_decode(
                       spk, s.get("num_neurons", 8))),
    "rank_order": (lambda x, s: rank_order_encode(x.view(1, -1), **s),
                   lambda spk, s, x: None),   # an order, not pixel values
    "phase": (lambda x, s: phase_encode(x, **s),
              lambda spk, s, x: phase_decode(spk, s.get("bits", 8))
              if len(spk) >= s.get("bits", 8) else None),
    "burst": (lambda x, s: burst_encode(x, **s),
              lambda spk, s, x: burst_decode(spk, s.get("max_spikes", 5))),
    "step_forward": (lambda x, s: step_forward_encode(pg_moving(x), **s)[0],
                     lambda spk, s, x: step_forward_decode(
                         spk, s["threshold"], pg_moving(x)[0])),
}
PG_MOVING, PG_RANDOM = {"delta", "step_forward"}, {"rate", "poisson"}


def reference_case(name, settings, digit, seed):
    """What the playground must show for this digit, encoder and settings."""
    encode, decode = pg_codecs[name]
    x = pg_digits[digit]
    case = dict(encoder=name, settings=settings, digit=digit, seed=seed)
    torch.manual_seed(seed)
    try:
        spikes = encode(x, settings)
    except Exception as err:   # the playground must raise the same
        return dict(case, error=str(err))
    events = spikes.abs().reshape(len(spikes), -1)          # [T, units]
    fired = events.sum(dim=0) > 0
    decoded = decode(spikes, settings, x)
    truth = pg_moving(x) if name in PG_MOVING else x
    return dict(case, steps=events.shape[0], units=events.shape[1],
                count=int(events.sum()),
                first=events.argmax(dim=0)[fired].float().mean().item(),
                mse=None if decoded is None
                else ((decoded - truth) ** 2).mean().item(),
                sha256=hashlib.sha256(
                    spikes.to(torch.int8).numpy().tobytes()).hexdigest())


pg_checks = [  # (encoder, settings), each on digits 0, 1 and 2
    ("rate", {"num_steps": 100}),
    ("rate", {"num_steps": 200, "gain": 0.25}),
    ("latency", {"num_steps": 100, "tau": 5, "threshold": 0.01}),
    ("latency", {"num_steps": 100, "tau": 5, "threshold": 0.01,
                 "linear": True}),
    ("latency", {"num_steps": 100, "linear": True, "normalize": True,
                 "clip": True}),
    ("latency", {"num_steps": 100, "normalize": True}),
    ("latency", {"num_steps": 50, "tau": 3, "threshold": 0.2, "clip": True}),
    ("latency", {"num_steps": 10}),   # raises: its largest step is 12
    ("delta", {"threshold": 0.25, "padding": True, "off_spike": True}),
    ("delta", {"threshold": 0.1, "off_spike": True}),
    ("poisson", {"num_steps": 100, "f_max": 200.0, "dt": 0.001}),
    ("population", {"num_steps": 20}),
    ("population", {"num_steps": 50, "num_neurons": 5}),
    ("rank_order", {"num_steps": 300}),
    ("rank_order", {"num_steps": 50}),
    ("phase", {"num_steps": 16}),
    ("phase", {"num_steps": 12, "bits": 4}),
    ("burst", {"num_steps": 20}),
    ("burst", {"num_steps": 40, "max_spikes": 3, "max_isi": 12,
               "min_isi": 1}),
    ("step_forward", {"threshold": 0.1}),
]
pg_reference = [reference_case(name, settings, digit, seed)
                for name, settings in pg_checks
                for digit in range(3)
                for seed in ((0, 1) if name in PG_RANDOM else (0,))]
# The float32 edge cases of the delta chapter, spike for spike
pg_reference += [
    dict(encoder="delta", settings=settings, signal=signal,
         spikes=spikegen.delta(torch.tensor(signal), **settings).tolist())
    for signal, settings in [([0.0, 0.25, 0.5, 0.625], {"threshold": 0.25}),
                             ([0.2, 0.3, 0.6, 0.7], {"threshold": 0.1,
                                                     "padding": True})]]

with open("playground_reference.json", "w") as f:
    json.dump(pg_reference, f, indent=1)
print(f"{len(pg_reference)} reference outputs, "
      f"{sum('error' in r for r in pg_reference)} of them errors")
# --8<-- [end:playground_reference]

# --8<-- [start:playground_preview]
# What the playground draws for the first digit: a raster of all 784 pixels
# (time across), on-spikes blue and off-spikes orange.
previews = {
    "spikegen.rate(x, num_steps=100)":
        spikegen.rate(pg_digits[0], num_steps=100),
    "spikegen.latency(x, num_steps=100, tau=5)":
        spikegen.latency(pg_digits[0], num_steps=100, tau=5),
    "spikegen.delta(frames, threshold=0.25, padding=True, off_spike=True)":
        spikegen.delta(pg_moving(pg_digits[0]), threshold=0.25, padding=True,
                       off_spike=True),
}
fig, pg_axes = plt.subplots(1, 3, figsize=(9, 3.2), sharey=True)
for ax, (call, events) in zip(pg_axes, previews.items()):
    events = events.flatten(1)                       # [T, 784]
    for sign, color in ((1, "#0072B2"), (-1, "#E69F00")):
        when, pixel = (events == sign).nonzero(as_tuple=True)
        ax.scatter(when, pixel, s=0.5, color=color, marker="s", linewidths=0)
    ax.set_title(call.replace("(", "(\n", 1), fontsize=8)
    ax.set_xlabel("time step")
pg_axes[0].set_ylabel("pixel")
pg_axes[0].invert_yaxis()
plt.tight_layout()
plt.show()
# --8<-- [end:playground_preview]

# --8<-- [start:exercise_1]
dimmer = 0.5 * images            # the same digits, half as bright
steeper = images ** 2            # more contrast
latency_before = spikegen.latency(images, num_steps=100, normalize=True,
                                  linear=True, clip=True)
for name, changed in (("0.5 * x", dimmer), ("x ** 2", steeper)):
    same = torch.equal(rank_order_encode(changed, num_steps=300), ro_spikes)
    latency_after = spikegen.latency(changed, num_steps=100, normalize=True,
                                     linear=True, clip=True)
    moved = (latency_after != latency_before).any(dim=0)
    print(f"{name}: rank order unchanged: {same}; latency: "
          f"{int(moved.sum())} of {int((images > 0).sum())} "
          "inked pixels change")
# --8<-- [end:exercise_1]

# --8<-- [start:exercise_2]
for num_neurons in (4, 8, 16):
    spikes = population_encode(x_true, num_steps=20, num_neurons=num_neurons)
    decoded = population_decode(spikes, num_neurons=num_neurons)
    largest = (decoded - x_true).abs().max()
    per_value = spikes.sum(dim=(0, 2)).mean()
    print(f"{num_neurons:2d} neurons: largest error {largest:.4f}, "
          f"{per_value:.2f} spikes per value on average")
# --8<-- [end:exercise_2]

# --8<-- [start:exercise_3]
wave = 0.5 + 0.4 * torch.sin(2 * torch.pi * torch.arange(400) / 100)
variation = wave.diff().abs().sum()        # total distance traveled
print(f"total variation: {variation:.2f}")
for threshold in (0.05, 0.1, 0.2):
    spikes, start = step_forward_encode(wave, threshold)
    rebuilt = step_forward_decode(spikes, threshold, start)
    print(f"threshold {threshold}: predicted {variation / threshold:5.1f}, "
          f"counted {int(spikes.abs().sum()):3d} events, "
          f"largest error {(rebuilt - wave).abs().max():.3f}")
# --8<-- [end:exercise_3]
