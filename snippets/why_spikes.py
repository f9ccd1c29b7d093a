# --8<-- [start:spikes]
import torch
import matplotlib.pyplot as plt

torch.manual_seed(0)  # the same "random" spikes on every run

num_steps, num_neurons = 50, 20
# Each neuron fires at a given time step with probability 0.1.
spikes = (torch.rand(num_steps, num_neurons) < 0.1).float()

print(spikes.shape)
print(spikes.unique())

fig, ax = plt.subplots(figsize=(8, 3))
ax.imshow(spikes.T, cmap="Greys", aspect="auto", interpolation="nearest")
ax.set_xlabel("time step")
ax.set_ylabel("neuron")
ax.set_yticks(range(0, num_neurons, 5))
ax.set_title("1 = spike (black), 0 = silent (white)")
plt.show()
# --8<-- [end:spikes]

# --8<-- [start:sparsity]
num_spikes = int(spikes.sum())
print(f"spikes: {num_spikes} of {spikes.numel()} entries "
      f"({1 - num_spikes / spikes.numel():.0%} zeros)")

# Memory: every entry as float32 (4 bytes), every entry as bool (1 byte),
# or only where the spikes are: one (time, neuron) row of int16 per spike.
spikes_bool = spikes.bool()
spike_list = spikes.nonzero().to(torch.int16)
dense_float32 = spikes.numel() * spikes.element_size()
dense_bool = spikes_bool.numel() * spikes_bool.element_size()
list_bytes = spike_list.numel() * spike_list.element_size()
print(f"dense float32: {dense_float32} bytes")
print(f"dense bool:    {dense_bool} bytes")
print(f"spike list:    {list_bytes} bytes")
# --8<-- [end:sparsity]

# --8<-- [start:multiply]
num_outputs = 10
weights = torch.randn(num_outputs, num_neurons)

# A conventional layer multiplies every input by every weight at every step.
dense_out = spikes @ weights.T
dense_mults = num_steps * num_neurons * num_outputs

# A spiking layer only adds up the weight columns of the neurons that fired:
# a spike is 1, so there is nothing to multiply, and a 0 contributes nothing.
event_out = torch.zeros(num_steps, num_outputs)
for t, i in spikes.nonzero().tolist():
    event_out[t] += weights[:, i]
event_adds = num_spikes * num_outputs

print(f"same result: {torch.allclose(dense_out, event_out, atol=1e-6)}")
print(f"dense:  {dense_mults} multiply-adds")
print(f"events: {event_adds} additions, 0 multiplications")
# --8<-- [end:multiply]

# --8<-- [start:suppression]
# One pixel's brightness over 100 time steps: steady, then two changes.
brightness = torch.full((100,), 0.5)
brightness[40:] = 0.9
brightness[70:] = 0.2

# Signalling the value at every step: the spike rate follows the brightness.
every_step = torch.bernoulli(brightness)

# Signalling only changes: +1 when it gets brighter, -1 when it gets darker.
change = torch.diff(brightness, prepend=brightness[:1])
events = torch.zeros(100)
events[change >= 0.1] = 1
events[change <= -0.1] = -1

print(f"signal every step: {int(every_step.sum())} spikes")
print(f"signal changes:    {int(events.abs().sum())} events")

# An event only says "changed by at least 0.1", not by how much:
# adding the events up to the first brightness does not give the last one.
rebuilt = brightness[0] + 0.1 * events.sum()
print(f"last brightness {brightness[-1]:.1f}, "
      f"rebuilt from events {rebuilt:.1f}")

fig, axes = plt.subplots(3, 1, figsize=(8, 4), sharex=True)
axes[0].plot(brightness, color="tab:orange", drawstyle="steps-post")
axes[0].set_ylabel("input")
axes[1].eventplot(every_step.nonzero().flatten(), color="black")
axes[1].set_ylabel("every\nstep")
axes[2].eventplot(events.eq(1).nonzero().flatten(), color="tab:blue",
                  lineoffsets=0.5, label="on (+1)")
axes[2].eventplot(events.eq(-1).nonzero().flatten(), color="tab:red",
                  lineoffsets=-0.5, label="off (-1)")
axes[2].legend(loc="upper left", fontsize="small")
axes[2].set_ylabel("changes\n(on/off)")
axes[2].set_xlabel("time step")
for ax in axes[1:]:
    ax.set_yticks([])
plt.show()
# --8<-- [end:suppression]

# --8<-- [start:exercise_1]
# 100,000 entries at three spike probabilities: which storage is smallest?
for prob in (0.02, 0.1, 0.3):
    trial = torch.rand(1000, 100) < prob  # a bool matrix, True = spike
    positions = trial.nonzero().to(torch.int16)
    sizes = {
        "spike list": positions.numel() * positions.element_size(),
        "bool": trial.numel() * trial.element_size(),
        "bits": trial.numel() // 8,  # packed, one bit per entry
    }
    print(f"p={prob:.2f} (measured {trial.float().mean():.3f}): "
          + ", ".join(f"{name} {size}" for name, size in sizes.items())
          + f" bytes -> smallest: {min(sizes, key=sizes.get)}")
# --8<-- [end:exercise_1]

# --8<-- [start:exercise_2]
# Give about half of the spikes a minus sign, like off events.
signs = torch.where(torch.rand(num_steps, num_neurons) < 0.5, -1.0, 1.0)
signed = spikes * signs
dense_signed = signed @ weights.T

# The loop from "Skipping multiplications", unchanged
naive_out = torch.zeros(num_steps, num_outputs)
for t, i in signed.nonzero().tolist():
    naive_out[t] += weights[:, i]

# Fixed: add the column for +1, subtract it for -1 (still no multiplication)
fixed_out = torch.zeros(num_steps, num_outputs)
for t, i in signed.nonzero().tolist():
    if signed[t, i] > 0:
        fixed_out[t] += weights[:, i]
    else:
        fixed_out[t] -= weights[:, i]

print(f"off events: {int((signed == -1).sum())} of {num_spikes} spikes")
print(f"unchanged loop, same result: "
      f"{torch.allclose(naive_out, dense_signed, atol=1e-6)}")
print(f"fixed loop, same result:     "
      f"{torch.allclose(fixed_out, dense_signed, atol=1e-6)}")
# --8<-- [end:exercise_2]

# --8<-- [start:exercise_3]
import math

# A still scene seen by a noisy sensor: 1,000 pixels stay at brightness 0.5,
# but every reading is off by random noise (standard deviation 0.05).
noise_std = 0.05
still = 0.5 + noise_std * torch.randn(100, 1000)  # [time step, pixel]
still_change = torch.diff(still, dim=0)
for threshold in (0.1, 0.2):
    measured = (still_change.abs() >= threshold).float().mean()
    # a change is the difference of two noisy readings: std 0.05 * sqrt(2)
    predicted = math.erfc(threshold / (2 * noise_std))
    print(f"threshold {threshold}: events per step {measured:.4f} "
          f"(predicted {predicted:.4f})")

# The pixel from "Static suppression", read with the same noise
noisy = brightness + noise_std * torch.randn(100)
noisy_change = torch.diff(noisy, prepend=noisy[:1])

fig, axes = plt.subplots(3, 1, figsize=(8, 4), sharex=True)
axes[0].plot(noisy, color="tab:orange", drawstyle="steps-post")
axes[0].set_ylabel("noisy\ninput")
for ax, threshold in zip(axes[1:], (0.1, 0.2)):
    on = (noisy_change >= threshold).nonzero().flatten()
    off = (noisy_change <= -threshold).nonzero().flatten()
    print(f"threshold {threshold}: on events at {on.tolist()}, "
          f"off events at {off.tolist()}")
    ax.eventplot(on, color="tab:blue", lineoffsets=0.5)
    ax.eventplot(off, color="tab:red", lineoffsets=-0.5)
    ax.set_ylabel(f"threshold\n{threshold}")
    ax.set_yticks([])
axes[2].set_xlabel("time step")
plt.show()
# --8<-- [end:exercise_3]
