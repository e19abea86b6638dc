#!/usr/bin/env python3
"""Write the tiny ONNX test models in tests/fixtures/models/ and their reference files.

    nice -n 10 /usr/bin/python3 tools/make-tiny-models.py

  resnet-mini.onnx        ResNet-style: BasicBlocks with BatchNorm (random init, eval mode,
                          non-trivial running stats) folded into Conv by the exporter
                          (initializers named onnx::Conv_NNN), a 1x1 downsample shortcut,
                          global average pool, final Linear (Gemm). Untrained.
  mlp-matmul.onnx         nn.Linear applied to a 3-D tensor [N,28,28] -> MatMul with an
                          [in,out] initializer plus Add; then Flatten and a Linear (Gemm).
                          Briefly trained (a few hundred steps).
  tiny-convtranspose.onnx Conv (stride 2) -> ConvTranspose (stride 2, output_padding 1) ->
                          MaxPool -> Gemm. Briefly trained.

For each model also <name>.layers.json (weight layers derived from the ONNX graph by
tools/onnx_torch.weight_layers) and, in tests/fixtures/reference/, <name>-eval.json (PyTorch
evaluation of the ONNX file on the first 256 images of zoo/bundled/images.npy, cross-checked
against the original nn.Module).
"""
import importlib.util
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "zoo"))
import common  # noqa: E402
from onnx_torch import weight_layers  # noqa: E402

OUT = os.path.join(REPO, "tests", "fixtures", "models")
REF = os.path.join(REPO, "tests", "fixtures", "reference")
SEED = 7


def _load_ref_script():
    s = importlib.util.spec_from_file_location("make_eval_reference",
                                               os.path.join(HERE, "make-eval-reference.py"))
    m = importlib.util.module_from_spec(s)
    s.loader.exec_module(m)
    return m


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
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


class ResNetMini(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.layer1 = BasicBlock(8, 8)
        self.layer2 = BasicBlock(8, 16, stride=2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer2(self.layer1(x))
        return self.fc(torch.flatten(self.pool(x), 1))


class MlpMatMul(nn.Module):
    def __init__(self):
        super().__init__()
        self.row = nn.Linear(28, 32)      # applied to [N,28,28] -> MatMul + Add
        self.fc = nn.Linear(28 * 32, 10)  # 2-D -> Gemm

    def forward(self, x):
        x = x.reshape(x.shape[0], 28, 28)
        x = F.relu(self.row(x))
        return self.fc(torch.flatten(x, 1))


class TinyConvTranspose(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, stride=2, padding=1)                     # 8x14x14
        self.deconv = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)  # 4x28x28
        self.pool = nn.MaxPool2d(4)                                               # 4x7x7
        self.fc = nn.Linear(4 * 7 * 7, 10)

    def forward(self, x):
        x = F.relu(self.conv(x))
        x = F.relu(self.deconv(x))
        return self.fc(torch.flatten(self.pool(x), 1))


def randomize_bn(model, gen):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            with torch.no_grad():
                m.weight.copy_(0.5 + torch.rand(c, generator=gen))
                m.bias.copy_(0.2 * torch.randn(c, generator=gen))
                m.running_mean.copy_(0.2 * torch.randn(c, generator=gen))
                m.running_var.copy_(0.25 + 1.5 * torch.rand(c, generator=gen))


def quick_train(model, steps, seed):
    x, y = common.load_fashion_mnist("train")
    x, y = common.to_tensor_images(x), torch.from_numpy(y)
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for s in range(steps):
        idx = torch.randint(0, len(x), (128,), generator=gen)
        loss = F.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    return loss.item()


def main():
    common.setup_threads(2)
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(REF, exist_ok=True)
    ref = _load_ref_script()
    images = np.load(os.path.join(REPO, "zoo", "bundled", "images.npy"))
    labels = np.load(os.path.join(REPO, "zoo", "bundled", "labels.npy"))

    specs = [("resnet-mini", ResNetMini, 0), ("mlp-matmul", MlpMatMul, 300),
             ("tiny-convtranspose", TinyConvTranspose, 300)]
    for name, cls, steps in specs:
        common.set_seed(SEED)
        model = cls()
        if name == "resnet-mini":
            randomize_bn(model, torch.Generator().manual_seed(SEED + 1))
        if steps:
            quick_train(model, steps, SEED)
        model.eval()
        path = os.path.join(OUT, name + ".onnx")
        common.export_onnx(model, path)
        layers = weight_layers(path)
        with open(os.path.join(OUT, name + ".layers.json"), "w") as f:
            json.dump(layers, f, indent=2)
            f.write("\n")
        res = ref.make_reference(path, images, labels, module=model, count=256,
                                 data={"images": "zoo/bundled/images.npy",
                                       "labels": "zoo/bundled/labels.npy", "first": 256})
        res["model"] = os.path.relpath(path, REPO)
        res["trained_steps"] = steps
        with open(os.path.join(REF, name + "-eval.json"), "w") as f:
            json.dump(res, f, indent=2)
            f.write("\n")
        print(f"{name}: {os.path.getsize(path)} bytes, {len(layers)} weight layers, "
              f"acc {res['accuracy']:.4f} loss {res['loss']:.6f}, "
              f"max|dlogit| vs module {res['module_check']['max_abs_logit_diff_float32']:.3g}")
        for l in layers:
            print("   ", l["op"], l["name"], l["shape"], l["params"], l["bias"])


if __name__ == "__main__":
    main()
