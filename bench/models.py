"""The benchmark's fixed model set, as PyTorch modules (shared by generate_models.py and pytorch_step.py).

Each entry: name -> (constructor, input shape of one sample). All end in 10 logits. SMALL_MODELS are the original
set, timed with every rule; FINETUNE_MODELS are the architectures people fine-tune (torchvision's, with random
weights, and two torch.nn text classifiers), timed with bp and zil only. The models of TOKEN_VOCABULARY take int64
token ids below their vocabulary size, every other model float32 inputs.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

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


VOCABULARY = 1000
SEQUENCE = 32


class TransformerTextClassifier(nn.Module):
    """Token ids -> embedding + learned positions (64), two post-norm encoder layers (4 heads, feed-forward 128, ReLU,
    no dropout), the mean over the positions, a Linear head."""

    def __init__(self, width=64):
        super().__init__()
        self.embedding = nn.Embedding(VOCABULARY, width)
        self.positions = nn.Parameter(torch.randn(1, SEQUENCE, width) * 0.02)
        layer = nn.TransformerEncoderLayer(width, nhead=4, dim_feedforward=128, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.head = nn.Linear(width, CLASSES)

    def forward(self, ids):
        h = self.encoder(self.embedding(ids) + self.positions)
        return self.head(h.mean(dim=1))


class GruTextClassifier(nn.Module):
    """Token ids -> embedding (64), a batch-first GRU (hidden 128), a Linear head on the last state."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(VOCABULARY, 64)
        self.recurrent = nn.GRU(64, 128, batch_first=True)
        self.head = nn.Linear(128, CLASSES)

    def forward(self, ids):
        _, h_n = self.recurrent(self.embedding(ids))
        return self.head(h_n[-1])


def vit_tiny():
    """torchvision's VisionTransformer, small: 32x32 images in 4x4 patches, 2 layers of 3 heads, width 192, MLP 768."""
    return torchvision.models.VisionTransformer(image_size=32, patch_size=4, num_layers=2, num_heads=3, hidden_dim=192,
                                                mlp_dim=768, num_classes=CLASSES)


SMALL_MODELS = {
    "lenet5": (LeNet5, (1, 28, 28)),
    "vgg6": (Vgg6, (3, 32, 32)),
    "rnn": (lambda: RowReader(nn.RNN), (28, 28)),
    "lstm": (lambda: RowReader(nn.LSTM), (28, 28)),
    "gru": (lambda: RowReader(nn.GRU), (28, 28)),
    "resmlp": (ResidualMlp, (784,)),
}

FINETUNE_MODELS = {
    "resnet18": (lambda: torchvision.models.resnet18(num_classes=CLASSES), (3, 64, 64)),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(num_classes=CLASSES), (3, 64, 64)),
    "squeezenet1_1": (lambda: torchvision.models.squeezenet1_1(num_classes=CLASSES), (3, 64, 64)),
    "shufflenet_v2_x0_5": (lambda: torchvision.models.shufflenet_v2_x0_5(num_classes=CLASSES), (3, 64, 64)),
    "efficientnet_b0": (lambda: torchvision.models.efficientnet_b0(num_classes=CLASSES), (3, 64, 64)),
    "densenet121": (lambda: torchvision.models.densenet121(num_classes=CLASSES), (3, 32, 32)),
    "vit_tiny": (vit_tiny, (3, 32, 32)),
    "transformer_text": (TransformerTextClassifier, (SEQUENCE,)),
    "gru_text": (GruTextClassifier, (SEQUENCE,)),
}

MODELS = {**SMALL_MODELS, **FINETUNE_MODELS}

TOKEN_VOCABULARY = {"transformer_text": VOCABULARY, "gru_text": VOCABULARY}


def build(name):
    """The model with the weights generate_models.py exported (the same seed per model)."""
    torch.manual_seed(SEED)
    constructor, shape = MODELS[name]
    return constructor(), shape


def random_inputs(name, batch_size, generator):
    """A batch for the model: token ids uniform below its vocabulary, or floats uniform in [0, 1)."""
    _, shape = MODELS[name]
    if name in TOKEN_VOCABULARY:
        return torch.randint(0, TOKEN_VOCABULARY[name], (batch_size,) + shape, generator=generator)
    return torch.rand((batch_size,) + shape, generator=generator)
