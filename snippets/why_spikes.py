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
