# --8<-- [start:imports]
import torch
import matplotlib.pyplot as plt
from torch.utils.data import DataLoader
from torchvision import datasets, transforms
from snntorch import utils

torch.manual_seed(0)  # the DataLoader shuffles with torch's random generator
# --8<-- [end:imports]

# --8<-- [start:dataset]
batch_size = 128
data_path = "data/mnist"  # where torchvision keeps (or downloads) MNIST

transform = transforms.Compose([
    transforms.Resize((28, 28)),
    transforms.Grayscale(),
    transforms.ToTensor(),
    transforms.Normalize((0,), (1,)),
])

mnist_train = datasets.MNIST(data_path, train=True, download=True,
                             transform=transform)
print(len(mnist_train))
# --8<-- [end:dataset]

# --8<-- [start:transform]
image, label = mnist_train[0]
print(image.shape, image.dtype)
print(f"label {label}, "
      f"pixel values from {image.min():.1f} to {image.max():.1f}")
# --8<-- [end:transform]

# --8<-- [start:subset]
first_labels = mnist_train.targets[:10].clone()

result = utils.data_subset(mnist_train, 10)

print(len(mnist_train))
print(result is mnist_train)
print(torch.equal(mnist_train.targets[:10], first_labels))
# --8<-- [end:subset]

# --8<-- [start:loader]
train_loader = DataLoader(mnist_train, batch_size=batch_size, shuffle=True)

data_it, targets_it = next(iter(train_loader))
print(data_it.shape)
print(targets_it.shape)
print(f"{len(train_loader)} batches per epoch")
# --8<-- [end:loader]

# --8<-- [start:grid]
fig, axes = plt.subplots(2, 8, figsize=(8, 2.6))
for ax, image, label in zip(axes.flat, data_it, targets_it):
    ax.imshow(image[0], cmap="gray")
    ax.set_title(f"label {label.item()}", fontsize=9)
    ax.axis("off")
plt.show()
# --8<-- [end:grid]

# --8<-- [start:exercise_1]
from snntorch import spikegen

raw_transform = transforms.Compose([
    transforms.Resize((28, 28)),
    transforms.Grayscale(),
    transforms.PILToTensor(),  # a tensor, but no division by 255
])
raw_train = datasets.MNIST(data_path, train=True, download=True,
                           transform=raw_transform)
raw_image, _ = raw_train[0]
print(raw_image.dtype, raw_image.min().item(), raw_image.max().item())

try:
    spikegen.rate(raw_image, num_steps=100)
except NotImplementedError as err:
    print(f"{type(err).__name__}: {err}")

# Float, but still 0..255: every pixel of the digit becomes probability 1.
raw_rates = spikegen.rate(raw_image.float(), num_steps=100).mean(dim=0)
raw_ink = raw_image > 0
print(f"digit pixels firing at every step: "
      f"{(raw_rates[raw_ink] == 1).float().mean():.0%}")

# The fix: divide by 255, which is what ToTensor() does.
# (mnist_train[0] is the same first image, loaded with ToTensor().)
print(torch.equal(raw_image.float() / 255, mnist_train[0][0]))
# --8<-- [end:exercise_1]

# --8<-- [start:exercise_2]
normalize = transforms.Normalize((0.1307,), (0.3081,))
normalized = normalize(data_it)
ink = data_it > 0  # pixels of the digits, in the batch from above

# Prediction from the values alone: above 1 always fires, below 0 never.
always = (normalized[ink] >= 1).float().mean()
never = (normalized[ink] <= 0).float().mean()
print(f"predicted: {always:.1%} of digit pixels always fire, "
      f"{never:.1%} never fire")

# Measurement: rate code the normalized batch over 100 steps.
rates = spikegen.rate(normalized, num_steps=100).mean(dim=0)
print(f"measured:  {(rates[ink] == 1).float().mean():.1%} always fired, "
      f"{(rates[ink] == 0).float().mean():.1%} never fired")
# --8<-- [end:exercise_2]

# --8<-- [start:exercise_3]
# (a) a second iter() without seeding again
batch_a = next(iter(train_loader))[1]
# (b) seed again, then iter()
torch.manual_seed(0)
batch_b = next(iter(train_loader))[1]
# (c) seed again, draw one random number, then iter()
torch.manual_seed(0)
torch.rand(1)
batch_c = next(iter(train_loader))[1]

for name, labels in (("a", batch_a), ("b", batch_b), ("c", batch_c)):
    print(f"({name}) same first batch: {torch.equal(labels, targets_it)}")


# A loader with its own random generator ignores other random code.
def own_loader():
    return DataLoader(mnist_train, batch_size=batch_size, shuffle=True,
                      generator=torch.Generator().manual_seed(0))


first_labels_own = next(iter(own_loader()))[1]
torch.rand(1)
print(f"own generator, same first batch: "
      f"{torch.equal(next(iter(own_loader()))[1], first_labels_own)}")
# --8<-- [end:exercise_3]
