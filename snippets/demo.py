# --8<-- [start:setup]
import torch
import matplotlib.pyplot as plt

torch.manual_seed(0)
x = torch.rand(3)
print(x)
# --8<-- [end:setup]

# --8<-- [start:plot]
plt.plot(x)
plt.show()
# --8<-- [end:plot]
