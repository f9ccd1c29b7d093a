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

# --8<-- [start:spike_time]
def spike_time(i_in, tau=5.0, v_thr=0.01):
    """Time an RC neuron (R = 1) needs to charge from 0 up to v_thr.

    An input with i_in <= v_thr never gets there: its time is infinite.
    """
    i_in = torch.as_tensor(i_in, dtype=torch.float64)
    t = tau * torch.log(i_in / (i_in - v_thr))
    return torch.where(i_in > v_thr, t, torch.inf)


for i_in in (1.0, 0.5, 0.1, 0.05, 0.02, 0.011, 0.01, 0.005):
    print(f"I_in = {i_in:<5}  spike time {spike_time(i_in):6.2f}")
# --8<-- [end:spike_time]

# --8<-- [start:charge]
# A large threshold (0.5 instead of 0.01) makes the curves easy to see.
v_thr = 0.5
t = torch.linspace(0, 20, 401)
fig, ax = plt.subplots(figsize=(7, 3.5))
for i_in in (1.0, 0.8, 0.6, 0.4):
    v = i_in * (1 - torch.exp(-t / 5.0))  # V(t) with R = 1, tau = 5
    line, = ax.plot(t, v, label=f"I_in = {i_in}")
    t_spike = spike_time(i_in, tau=5.0, v_thr=v_thr)
    if torch.isfinite(t_spike):
        ax.plot(t_spike, v_thr, "o", color=line.get_color())
ax.axhline(v_thr, color="gray", linestyle="--", label="V_thr = 0.5")
ax.set_xlabel("time t (tau = 5)")
ax.set_ylabel("V(t)")
ax.legend(loc="lower right")
plt.show()
# --8<-- [end:charge]

# --8<-- [start:compare]
tau, threshold, num_steps = 5, 0.01, 100

inputs = torch.logspace(-3, 0, 50)  # 0.001 ... 1, evenly on a log scale
grid_spikes = spikegen.latency(inputs, num_steps=num_steps, tau=tau,
                               threshold=threshold)
print(grid_spikes.size())  # time first: [num_steps, number of inputs]
print(f"spikes per input: {grid_spikes.sum(dim=0).unique().tolist()}")

grid_steps = grid_spikes.argmax(dim=0)  # the step of each input's spike
t_exact = spike_time(inputs, tau, threshold)
above = inputs > threshold
print("above threshold, step == round(spike_time):",
      torch.equal(grid_steps[above], t_exact[above].round().long()))
print(f"below threshold, steps: {grid_steps[~above].unique().tolist()}")
print(f"spike_time(threshold + 1e-7) = "
      f"{spike_time(threshold + 1e-7, tau, threshold):.2f}")

# Dense near the threshold, where the curve shoots up.
curve_x = threshold * (1 + torch.logspace(-9, 2, 1000, dtype=torch.float64))
curve_x = curve_x[curve_x <= 1]
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(curve_x, spike_time(curve_x, tau, threshold), color="tab:blue",
        label="spike_time(x): tau ln(x / (x - threshold))")
ax.plot(inputs[above], grid_steps[above], "o", color="black", markersize=4,
        label="spikegen.latency: step of the spike")
ax.plot(inputs[~above], grid_steps[~above], "x", color="tab:red",
        label="spikegen.latency: below threshold")
ax.axvline(threshold, color="gray", linestyle="--", linewidth=1)
ax.set_xscale("log")
ax.set_ylim(-3, num_steps)
ax.set_xlabel("input x (log scale)")
ax.set_ylabel("spike time (time steps)")
ax.legend()
plt.show()
# --8<-- [end:compare]

# --8<-- [start:encode]
spike_data = spikegen.latency(data_it, num_steps=num_steps, tau=tau,
                              threshold=threshold)
print(spike_data.size())
print(f"spikes per pixel: {spike_data.sum(dim=0).unique().tolist()}")


def spikes_per_step(spikes):
    """{time step: number of spikes} for the first image of the batch."""
    counts = spikes[:, 0].sum(dim=(1, 2, 3))
    return {step: int(n) for step, n in enumerate(counts) if n > 0}


print(spikes_per_step(spike_data))
# Inputs brighter than this give a time below 0.5, which rounds to step 0.
print(f"step 0 for every x above "
      f"{threshold / (1 - torch.exp(torch.tensor(-0.5 / tau))):.3f}")
# --8<-- [end:encode]

# --8<-- [start:raster]
def plot_raster(spikes, title):
    """Raster plot of the first image's 784 input neurons."""
    fig, ax = plt.subplots(figsize=(8, 3.5))
    splt.raster(spikes[:, 0].view(num_steps, -1), ax, s=2, c="black")
    ax.set_xlim(-2, num_steps + 1)
    ax.set_ylim(-10, 794)
    ax.set_title(title)
    ax.set_xlabel("time step")
    ax.set_ylabel("neuron (pixel) index")
    plt.show()


plot_raster(spike_data, "tau=5, threshold=0.01")
# --8<-- [end:raster]

# --8<-- [start:linear]
spike_linear = spikegen.latency(data_it, num_steps=num_steps, tau=tau,
                                threshold=threshold, linear=True)
print(spikes_per_step(spike_linear))
plot_raster(spike_linear, "linear=True")
# --8<-- [end:linear]

# --8<-- [start:normalize]
spike_normalize = spikegen.latency(data_it, num_steps=num_steps, tau=tau,
                                   threshold=threshold, normalize=True)
print(spikes_per_step(spike_normalize))
plot_raster(spike_normalize, "normalize=True")

# The scale comes from the largest spike time in the tensor you pass:
two = spikegen.latency(torch.tensor([0.5, 1.0]), num_steps=num_steps,
                       tau=tau, threshold=threshold, normalize=True)
print(f"[0.5, 1.0] alone -> steps {two.argmax(dim=0).tolist()}")
# --8<-- [end:normalize]

# --8<-- [start:clip]
spike_clip = spikegen.latency(data_it, num_steps=num_steps, tau=tau,
                              threshold=threshold, clip=True)
print(spikes_per_step(spike_clip))
plot_raster(spike_clip, "clip=True")
# --8<-- [end:clip]

# --8<-- [start:combined]
spike_tuned = spikegen.latency(data_it, num_steps=num_steps, tau=tau,
                               threshold=threshold, clip=True,
                               normalize=True, linear=True)
plot_raster(spike_tuned, "clip=True, normalize=True, linear=True")
# --8<-- [end:combined]

# --8<-- [start:landing]
settings = {
    "tau=5": {"tau": 5},
    "tau=1 (default)": {"tau": 1},
    "tau=5, linear": {"tau": 5, "linear": True},
    "tau=5, normalize": {"tau": 5, "normalize": True},
    "tau=5, normalize, linear": {"tau": 5, "normalize": True,
                                 "linear": True},
    "tau=5, clip": {"tau": 5, "clip": True},
}
dark = data_it < threshold  # the background, plus the faintest pixels
print(f"pixels below threshold: {dark.float().mean():.1%}")
landing = {}
for name, options in settings.items():
    spikes = spikegen.latency(data_it, num_steps=num_steps,
                              threshold=threshold, **options)
    fired = spikes.sum(dim=0) > 0
    steps = spikes.argmax(dim=0)
    landing[name] = steps[dark & fired].unique().tolist()
    ink = steps[~dark]
    print(f"{name:25} below threshold -> {landing[name] or 'no spike'}, "
          f"ink -> steps {ink.min()}..{ink.max()}")

for tau_value in (5, 1):
    late = spike_time(threshold + 1e-7, tau_value, threshold)
    print(f"tau={tau_value}: round(spike_time(threshold + 1e-7)) = "
          f"{late.round():.0f}")
# --8<-- [end:landing]

# --8<-- [start:out_of_range]
standardized = transforms.Normalize((0.1307,), (0.3081,))(data_it)
print(f"after Normalize: {standardized.min():.2f} .. "
      f"{standardized.max():.2f}")
try:
    spikegen.latency(standardized, num_steps=num_steps, tau=tau,
                     threshold=threshold)
except Exception as err:  # snnTorch raises a plain Exception
    print(f"{type(err).__name__}: {err}")
# --8<-- [end:out_of_range]

# --8<-- [start:few_steps]
for name, options in {"default": {}, "clip=True": {"clip": True}}.items():
    try:
        spikegen.latency(data_it, num_steps=10, **options)
    except Exception as err:
        print(f"{name}: {type(err).__name__}: {err}")

# bypass=True silences the error and drops what does not fit.
spike_bypass = spikegen.latency(data_it, num_steps=10, bypass=True)
print(f"bypass=True: {spike_bypass.size()}, "
      f"{spike_bypass[:, 0].sum():.0f} of 784 pixels spike")
# --8<-- [end:few_steps]

# --8<-- [start:animate]
spike_data_sample = spike_tuned[:, 0, 0]  # first digit: [100, 28, 28]
print(f"label: {targets_it[0]}")

# New spikes in white; pixels that already fired stay dim gray.
frames = 0.7 * spike_data_sample + 0.3 * spike_data_sample.cumsum(dim=0)
fig, ax = plt.subplots(figsize=(3, 3))
anim = splt.animator(frames, fig, ax, cmap="gray")
anim.save("latency_mnist.gif", writer="pillow", fps=20)
plt.close(fig)
# --8<-- [end:animate]

# --8<-- [start:count]
spike_rate = spikegen.rate(data_it, num_steps=num_steps)
codes = {
    "rate": spike_rate,
    "latency": spike_data,
    "latency, clip=True": spike_clip,
}
per_image = {}
for name, spikes in codes.items():
    per_image[name] = spikes.sum(dim=(0, 2, 3, 4)).mean().item()
    most = spikes.sum(dim=0).max()
    print(f"{name:19} {per_image[name]:8.1f} spikes per image, "
          f"at most {most:.0f} per pixel")
print(f"rate / latency with clip: "
      f"{per_image['rate'] / per_image['latency, clip=True']:.0f}x")

# One spike per pixel is enough to read the image back:
# linear + normalize gives step = round((num_steps - 1) * (1 - x)).
step = spike_tuned.argmax(dim=0)
decoded = torch.where(spike_tuned.sum(dim=0) > 0,
                      1 - step / (num_steps - 1), 0.0)
error = (decoded - data_it).abs()
print(f"decoded from spike times: max error {error.max():.4f}")
# --8<-- [end:count]

# --8<-- [start:exercise_1]
tau_ex, threshold_ex = 2, 0.05

# Below the threshold snnTorch uses the time of threshold + epsilon.
late = spike_time(threshold_ex + 1e-7, tau_ex, threshold_ex).round()
needed = int(late) + 1  # steps are numbered 0 .. num_steps - 1
print(f"predicted: below threshold -> step {late:.0f}, "
      f"so num_steps >= {needed}")

for steps in (needed - 1, needed):
    try:
        spikes = spikegen.latency(data_it, num_steps=steps, tau=tau_ex,
                                  threshold=threshold_ex)
    except Exception as err:
        print(f"num_steps={steps}: {type(err).__name__}: {err}")
    else:
        landed = spikes.argmax(dim=0)[data_it < threshold_ex].unique()
        print(f"num_steps={steps}: works, below threshold -> "
              f"step {landed.tolist()}")
# --8<-- [end:exercise_1]

# --8<-- [start:exercise_2]
# Ink fires after step 4 when its spike time is 4.5 or more, that is
# when x <= threshold / (1 - exp(-4.5 / tau)).
limit = threshold / (1 - torch.exp(torch.tensor(-4.5 / tau)))
faint = [k for k in range(256) if threshold <= k / 255 < limit]
print(f"predicted: ink below {limit:.4f} is lost, k / 255 for k in {faint}")

short = spikegen.latency(data_it, num_steps=5, tau=tau, threshold=threshold,
                         clip=True, bypass=True)
ink = data_it >= threshold
lost = ink & (short.sum(dim=0) == 0)
print(f"first image: {int(lost[0].sum())} of {int(ink[0].sum())} "
      f"ink pixels lost")
print(f"whole batch: {int(lost.sum())} lost, k / 255 for k in "
      f"{(data_it[lost] * 255).round().unique().long().tolist()}")
# --8<-- [end:exercise_2]

# --8<-- [start:exercise_3]
levels = torch.arange(3, 256) / 255  # every ink value MNIST can have
log_steps = spike_time(levels, tau, threshold).round().unique()
tuned_steps = ((num_steps - 1) * (1 - levels)).round().unique()
print(f"predicted: log code {len(log_steps)} steps "
      f"{log_steps.long().tolist()}, all options {len(tuned_steps)} steps")

ink = data_it >= threshold
for name, spikes in (("log code", spike_clip), ("all options", spike_tuned)):
    steps = spikes.argmax(dim=0)[ink]
    print(f"{name:11}: {steps.unique().numel():2} steps used, "
          f"{(steps == 0).float().mean():.0%} of the ink at step 0")
# --8<-- [end:exercise_3]
