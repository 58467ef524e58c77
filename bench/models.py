"""The benchmark's fixed model set, as PyTorch modules (shared by generate_models.py and pytorch_step.py).

Each entry: name -> (constructor, input shape of one sample). All take float32 inputs and end in 10 logits.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 0
CLASSES = 10


class LeNet5(nn.Module):
    """models/lenet5-fashion.onnx's architecture: conv 5x5 (6, pad 2), pool, conv 5x5 (16), pool, 120, 84, 10."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, CLASSES)

    def forward(self, x):
        x = F.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = F.max_pool2d(torch.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)


class Vgg6(nn.Module):
    """Six 3x3 convolutions (32-32-pool-64-64-pool-128-128-pool) with ReLU, then a linear head; 3x32x32 input."""

    def __init__(self):
        super().__init__()
        widths = [3, 32, 32, 64, 64, 128, 128]
        self.convs = nn.ModuleList(nn.Conv2d(widths[i], widths[i + 1], 3, padding=1) for i in range(6))
        self.head = nn.Linear(128 * 4 * 4, CLASSES)

    def forward(self, x):
        for i, conv in enumerate(self.convs):
            x = torch.relu(conv(x))
            if i % 2 == 1:
                x = F.max_pool2d(x, 2)
        return self.head(torch.flatten(x, 1))


class RowReader(nn.Module):
    """An image read row by row: 28 steps of 28 features, hidden 128, batch-first, Linear head on the last state."""

    def __init__(self, cell):
        super().__init__()
        self.recurrent = cell(28, 128, batch_first=True)
        self.head = nn.Linear(128, CLASSES)

    def forward(self, x):
        _, state = self.recurrent(x)
        h_n = state[0] if isinstance(state, tuple) else state
        return self.head(h_n[-1])


class ResidualMlp(nn.Module):
    """784 -> 256, three residual blocks h + relu(W h + b), then 256 -> 10."""

    def __init__(self, blocks=3):
        super().__init__()
        self.fc_in = nn.Linear(784, 256)
        self.blocks = nn.ModuleList(nn.Linear(256, 256) for _ in range(blocks))
        self.fc_out = nn.Linear(256, CLASSES)

    def forward(self, x):
        h = torch.relu(self.fc_in(x))
        for block in self.blocks:
            h = h + torch.relu(block(h))
        return self.fc_out(h)


MODELS = {
    "lenet5": (LeNet5, (1, 28, 28)),
    "vgg6": (Vgg6, (3, 32, 32)),
    "rnn": (lambda: RowReader(nn.RNN), (28, 28)),
    "lstm": (lambda: RowReader(nn.LSTM), (28, 28)),
    "gru": (lambda: RowReader(nn.GRU), (28, 28)),
    "resmlp": (ResidualMlp, (784,)),
}


def build(name):
    """The model with the weights generate_models.py exported (the same seed per model)."""
    torch.manual_seed(SEED)
    constructor, shape = MODELS[name]
    return constructor(), shape
