"""Zoo model 'vgg': small VGG-style network (3x3 conv + BN + ReLU stacks, max pooling,
two-layer classifier) on Fashion-MNIST. BatchNorm is folded into the convolutions at export
and the folded initializers are renamed after their modules (features.0.weight, ...).

    nice -n 10 /usr/bin/python3 zoo/models/vgg/train.py
"""
import os
import sys

import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
import common  # noqa: E402

SEED = 104
EPOCHS = 10
CFG = [24, 24, "M", 48, 48, "M", 96, 96, "M"]
TRAIN = dict(lr=0.05, batch_size=128, optimizer="sgd", weight_decay=5e-4, augment=True,
             max_shift=2, flip=True)


class Net(nn.Module):
    def __init__(self, cfg=CFG):
        super().__init__()
        layers, cin = [], 1
        for v in cfg:
            if v == "M":
                layers.append(nn.MaxPool2d(2))
            else:
                layers += [nn.Conv2d(cin, v, 3, padding=1, bias=False), nn.BatchNorm2d(v),
                           nn.ReLU(inplace=True)]
                cin = v
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(cin * 3 * 3, 256),
                                        nn.ReLU(inplace=True), nn.Dropout(0.3), nn.Linear(256, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def main():
    common.set_seed(SEED)
    common.run_zoo_model("vgg", Net(), HERE, epochs=EPOCHS, seed=SEED, rename=True,
                         description=f"VGG-style: {CFG} conv3x3+BN+ReLU, "
                                     "FC 864-256-10 (BN folded at export)",
                         train_kwargs=TRAIN)


if __name__ == "__main__":
    main()
