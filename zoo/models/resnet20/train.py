"""Zoo model 'resnet20': CIFAR-style ResNet-20 (16/32/64 channels, 3x3 BasicBlocks, BatchNorm)
on Fashion-MNIST. Downsampling shortcuts are 1x1 conv + BN (option B). BatchNorm is folded
into the convolutions at export; the folded initializers are renamed after their modules
(layer1.0.conv1.weight, ...).

    nice -n 10 /usr/bin/python3 zoo/models/resnet20/train.py
"""
import os
import sys

import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
import common  # noqa: E402

SEED = 103
EPOCHS = 8
TRAIN = dict(lr=0.1, batch_size=128, optimizer="sgd", weight_decay=5e-4, augment=True,
             max_shift=2, flip=True)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                            nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        sc = x if self.downsample is None else self.downsample(x)
        return F.relu(out + sc)


class Net(nn.Module):
    def __init__(self, blocks=3, widths=(16, 32, 64)):
        super().__init__()
        self.conv1 = nn.Conv2d(1, widths[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        cin = widths[0]
        for i, w in enumerate(widths):
            layers = []
            for b in range(blocks):
                layers.append(BasicBlock(cin, w, 2 if (b == 0 and i > 0) else 1))
                cin = w
            setattr(self, f"layer{i + 1}", nn.Sequential(*layers))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, 10)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        x = self.avgpool(x).flatten(1)
        return self.fc(x)


def main():
    common.set_seed(SEED)
    common.run_zoo_model("resnet20", Net(), HERE, epochs=EPOCHS, seed=SEED, rename=True,
                         description="CIFAR-style ResNet-20 (3x3 blocks, 16/32/64, BN folded at export)",
                         train_kwargs=TRAIN)


if __name__ == "__main__":
    main()
