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
