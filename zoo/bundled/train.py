"""Train safer's bundled default model: a small CNN on Fashion-MNIST.

    nice -n 10 /usr/bin/python3 zoo/bundled/train.py

Writes (next to this file): model.onnx, model.pt (state_dict), train-log.txt, meta.json,
and the evaluation subset images.npy / labels.npy / indices.npy (2,000 test images,
200 per class, chosen with a fixed seed).
"""
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402

SEED = 20240601
SUBSET_SEED = 1234
EPOCHS = 10


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(64 * 3 * 3, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))   # 16x14x14
        x = self.pool(torch.relu(self.conv2(x)))   # 32x7x7
        x = self.pool(torch.relu(self.conv3(x)))   # 64x3x3
        x = torch.flatten(x, 1)
        x = torch.relu(self.fc1(x))
        return self.fc2(x)


def make_subset(seed=SUBSET_SEED, per_class=200):
    x, y = common.load_fashion_mnist("test")
    rng = np.random.RandomState(seed)
    idx = []
    for c in range(10):
        cls = np.flatnonzero(y == c)
        idx.append(rng.choice(cls, per_class, replace=False))
    idx = np.sort(np.concatenate(idx)).astype(np.int64)
    images = (x[idx].astype(np.float32) / np.float32(255.0))[:, None, :, :]
    images = np.ascontiguousarray(images, dtype=np.float32)
    labels = y[idx].astype(np.int64)
    for name, arr in (("images", images), ("labels", labels), ("indices", idx)):
        with open(os.path.join(HERE, name + ".npy"), "wb") as f:
            np.lib.format.write_array(f, arr, version=(1, 0))
    return images, labels, idx


def main():
    common.setup_threads(2)
    common.set_seed(SEED)
    log = common.Logger(os.path.join(HERE, "train-log.txt"))
    env = common.env_info()
    log(f"safer bundled model: SmallCNN on Fashion-MNIST")
    log(f"seed {SEED}  torch {env['torch_version']}  numpy {env['numpy_version']}  "
        f"python {env['python']}  threads {env['threads']}")
    model = SmallCNN()
    nparams = common.count_params(model)
    log(f"params {nparams}  epochs {EPOCHS}  batch 128  Adam(lr 2e-3, one-cycle cosine)  "
        f"augment: none")
    t0 = time.time()
    res = common.train(model, epochs=EPOCHS, seed=SEED, log=log, lr=2e-3, batch_size=128)
    acc, loss, correct = common.evaluate(model, res["x_test"], res["y_test"])
    log(f"final test accuracy {acc:.4f} ({correct}/10000)  test loss {loss:.4f}  "
        f"train seconds {res['seconds']:.1f}")
    torch.save(model.state_dict(), os.path.join(HERE, "model.pt"))
    onnx_path = os.path.join(HERE, "model.onnx")
    common.export_onnx(model, onnx_path)
    chk = common.check_onnx_matches(model, onnx_path, res["x_test"], res["y_test"], log)
    images, labels, idx = make_subset()
    sub_acc, sub_loss, sub_correct = common.evaluate(model, torch.from_numpy(images),
                                                     torch.from_numpy(labels))
    log(f"eval subset: {len(labels)} test images (200/class, seed {SUBSET_SEED})  "
        f"accuracy {sub_acc:.4f}  loss {sub_loss:.4f}")
    log(f"elapsed seconds (total) {time.time() - t0:.1f}")
    common.write_json(os.path.join(HERE, "meta.json"), {
        "name": "bundled", "architecture": "SmallCNN (3 conv + 2 linear, ReLU, MaxPool, no BN)",
        "test_accuracy": acc, "test_loss": loss, "params": nparams, "epochs": EPOCHS,
        "train_seconds": round(res["seconds"], 1), "seed": SEED,
        "torch_version": env["torch_version"], "onnx_check": chk,
        "subset": {"count": int(len(labels)), "seed": SUBSET_SEED, "accuracy": sub_acc,
                   "loss": sub_loss},
    })
    log.close()


if __name__ == "__main__":
    main()
