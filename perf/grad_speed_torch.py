#!/usr/bin/env python3
"""PyTorch twin of perf/grad-speed.ts: one forward + backward pass of a ResNet-20-style
network on [256, 1, 28, 28] with torch autograd, timed on this machine.

    /usr/bin/python3 perf/grad_speed_torch.py --onnx perf/out/resnet20.onnx [--batch 256] [--threads 2] [--runs 10]

Builds the network (CIFAR ResNet-20 layout: conv3x3 16, three stages of three BasicBlocks
with 16/32/64 channels, stride 2 at the start of stages 2 and 3 with a 1x1 conv shortcut,
global average pool, Linear 10), seeded, with BatchNorm folded into the convolutions
(torch.nn.utils.fusion.fuse_conv_bn_eval), so that PyTorch and the exported ONNX graph compute
exactly the same function: Conv(+bias), Relu, Add, GlobalAveragePool, Gemm. Writes that ONNX
file and the batch (<onnx>-images.npy, <onnx>-labels.npy, so both sides see the same data), then times loss = cross_entropy(model(x), y); loss.backward() (gradients of every
parameter, not of the input): warm-up runs, then the median of --runs runs. Prints one JSON
line: {"seconds", "runs", "threads", "batch", "maxrss_mb", "loss", "torch"}.
"""
import argparse
import json
import resource
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.fusion import fuse_conv_bn_eval


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.short is None else self.short(x)))

    def fused(self):
        self.conv1 = fuse_conv_bn_eval(self.conv1, self.bn1)
        self.conv2 = fuse_conv_bn_eval(self.conv2, self.bn2)
        self.bn1 = nn.Identity()
        self.bn2 = nn.Identity()
        if self.short is not None:
            self.short = fuse_conv_bn_eval(self.short[0], self.short[1])
        return self


class ResNet20(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 16, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        blocks, cin = [], 16
        for cout, stride in ((16, 1), (32, 2), (64, 2)):
            for i in range(3):
                blocks.append(Block(cin, cout, stride if i == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        x = self.blocks(x)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

    def fused(self):
        self.conv = fuse_conv_bn_eval(self.conv, self.bn)
        self.bn = nn.Identity()
        for b in self.blocks:
            b.fused()
        return self


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--onnx", required=True)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    args = p.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    model = ResNet20()
    with torch.no_grad():  # non-trivial BatchNorm statistics before folding
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.1, 0.1)
    model = model.eval().fused()
    x = torch.randn(args.batch, 1, 28, 28)
    y = torch.randint(0, 10, (args.batch,))
    base = args.onnx[:-5] if args.onnx.endswith(".onnx") else args.onnx
    np.save(base + "-images.npy", x.numpy())
    np.save(base + "-labels.npy", y.numpy())
    torch.onnx.export(model, x[:2], args.onnx, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, opset_version=13)

    def step():
        for q in model.parameters():
            q.grad = None
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        return loss

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        loss = step()
        times.append(time.perf_counter() - t)
    print(json.dumps({
        "seconds": statistics.median(times),
        "runs": args.runs,
        "threads": torch.get_num_threads(),
        "batch": args.batch,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "loss": float(loss),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
