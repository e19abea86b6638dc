"""Zoo model 'lenet5': LeNet-5 (ReLU, max pooling) on Fashion-MNIST.

    nice -n 10 /usr/bin/python3 zoo/models/lenet5/train.py
"""
import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
import common  # noqa: E402

SEED = 102
EPOCHS = 20
TRAIN = dict(lr=2e-3, batch_size=128, optimizer="adam")


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)   # 6x28x28 -> pool 6x14x14
        self.conv2 = nn.Conv2d(6, 16, 5)             # 16x10x10 -> pool 16x5x5
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)


def main():
    common.set_seed(SEED)
    common.run_zoo_model("lenet5", Net(), HERE, epochs=EPOCHS, seed=SEED,
                         description="LeNet-5: conv5x5(6)-pool-conv5x5(16)-pool-120-84-10, ReLU",
                         train_kwargs=TRAIN)


if __name__ == "__main__":
    main()
