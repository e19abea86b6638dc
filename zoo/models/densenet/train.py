"""Zoo model 'densenet': small DenseNet (pre-activation BN-ReLU-Conv dense layers joined by
Concat, transitions BN-ReLU-Conv1x1 + AveragePool) on Fashion-MNIST. The pre-activation
BatchNorms follow Concat/ReLU, not a Conv, so they stay as BatchNormalization nodes in the ONNX
graph (their parameters keep PyTorch's names, e.g. block1.layer0.norm.weight).

    nice -n 10 /usr/bin/python3 zoo/models/densenet/train.py
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
import common  # noqa: E402

SEED = 106
EPOCHS = 10
GROWTH = 12
LAYERS = (4, 4, 4)
TRAIN = dict(lr=0.05, batch_size=128, optimizer="sgd", weight_decay=1e-4, augment=True,
             max_shift=2, flip=True)


class DenseLayer(nn.Module):
    def __init__(self, cin, growth):
        super().__init__()
        self.norm = nn.BatchNorm2d(cin)
        self.conv = nn.Conv2d(cin, growth, 3, padding=1, bias=False)

    def forward(self, x):
        return torch.cat([x, self.conv(F.relu(self.norm(x)))], 1)


class Transition(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.norm = nn.BatchNorm2d(cin)
        self.conv = nn.Conv2d(cin, cout, 1, bias=False)
        self.pool = nn.AvgPool2d(2)

    def forward(self, x):
        return self.pool(self.conv(F.relu(self.norm(x))))


class Net(nn.Module):
    def __init__(self, growth=GROWTH, layers=LAYERS, stem=24):
        super().__init__()
        self.conv0 = nn.Conv2d(1, stem, 3, padding=1, bias=False)
        self.pool0 = nn.MaxPool2d(2)                                    # 28x28 -> 14x14
        c = stem
        for b, n in enumerate(layers):
            block = nn.Sequential()
            for i in range(n):
                block.add_module(f"layer{i}", DenseLayer(c, growth))
                c += growth
            setattr(self, f"block{b + 1}", block)
            if b != len(layers) - 1:
                setattr(self, f"trans{b + 1}", Transition(c, c // 2))
                c //= 2
        self.norm_final = nn.BatchNorm2d(c)
        self.fc = nn.Linear(c, 10)
        self.nblocks = len(layers)

    def forward(self, x):
        x = self.pool0(self.conv0(x))
        for b in range(1, self.nblocks + 1):
            x = getattr(self, f"block{b}")(x)
            if b != self.nblocks:
                x = getattr(self, f"trans{b}")(x)
        x = F.relu(self.norm_final(x))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def main():
    common.set_seed(SEED)
    common.run_zoo_model("densenet", Net(), HERE, epochs=EPOCHS, seed=SEED, rename=True,
                         description=f"DenseNet-style, growth {GROWTH}, dense layers {LAYERS}, "
                                     "stem conv3x3 24 + MaxPool, compression 0.5, AvgPool transitions "
                                     "(dense blocks at 14x14, 7x7, 3x3)",
                         train_kwargs=TRAIN)


if __name__ == "__main__":
    main()
