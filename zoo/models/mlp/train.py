"""Zoo model 'mlp': 784-256-128-10 multilayer perceptron (ReLU, dropout) on Fashion-MNIST.

    nice -n 10 /usr/bin/python3 zoo/models/mlp/train.py
"""
import os
import sys

import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
import common  # noqa: E402

SEED = 101
EPOCHS = 20
TRAIN = dict(lr=1e-3, batch_size=128, optimizer="adam")


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)
        self.act = nn.ReLU()
        self.drop = nn.Dropout(0.2)

    def forward(self, x):
        x = self.flatten(x)
        x = self.drop(self.act(self.fc1(x)))
        x = self.drop(self.act(self.fc2(x)))
        return self.fc3(x)


def main():
    common.set_seed(SEED)
    common.run_zoo_model("mlp", Net(), HERE, epochs=EPOCHS, seed=SEED,
                         description="MLP 784-256-128-10, ReLU, dropout 0.2",
                         train_kwargs=TRAIN)


if __name__ == "__main__":
    main()
