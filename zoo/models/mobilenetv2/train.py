"""Zoo model 'mobilenetv2': small MobileNetV2 (inverted residuals, depthwise 3x3 convs,
ReLU6, linear bottlenecks, BatchNorm folded at export and renamed after modules) on
Fashion-MNIST.

    nice -n 10 /usr/bin/python3 zoo/models/mobilenetv2/train.py
"""
import os
import sys

import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
import common  # noqa: E402

SEED = 105
EPOCHS = 10
# (expansion t, output channels c, repeats n, first stride s) -- as in the MobileNetV2 paper
SETTINGS = [(1, 16, 1, 1), (4, 24, 2, 2), (4, 32, 3, 2), (4, 64, 2, 1), (4, 96, 1, 1)]
TRAIN = dict(lr=0.05, batch_size=128, optimizer="sgd", weight_decay=4e-5, augment=True,
             max_shift=2, flip=True)


def conv_bn(cin, cout, k, stride, groups=1, act=True):
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
              nn.BatchNorm2d(cout)]
    if act:
        layers.append(nn.ReLU6(inplace=True))
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, t):
        super().__init__()
        hidden = cin * t
        self.use_res = stride == 1 and cin == cout
        layers = []
        if t != 1:
            layers.append(conv_bn(cin, hidden, 1, 1))                      # expand 1x1
        layers.append(conv_bn(hidden, hidden, 3, stride, groups=hidden))   # depthwise 3x3
        layers.append(conv_bn(hidden, cout, 1, 1, act=False))              # project 1x1 (linear)
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.conv(x) if self.use_res else self.conv(x)


class Net(nn.Module):
    def __init__(self, stem=16, last=256):
        super().__init__()
        layers = [conv_bn(1, stem, 3, 2)]          # stride-2 stem: 28x28 -> 14x14
        cin = stem
        for t, c, n, s in SETTINGS:
            for i in range(n):
                layers.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        layers.append(conv_bn(cin, last, 1, 1))
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(last, 10))

    def forward(self, x):
        return self.classifier(self.pool(self.features(x)).flatten(1))


def main():
    common.set_seed(SEED)
    common.run_zoo_model("mobilenetv2", Net(), HERE, epochs=EPOCHS, seed=SEED, rename=True,
                         description="MobileNetV2-style, stem 3x3/2 16, settings "
                                     f"{SETTINGS}, last 1x1 conv 256, ReLU6, BN folded at export",
                         train_kwargs=TRAIN)


if __name__ == "__main__":
    main()
