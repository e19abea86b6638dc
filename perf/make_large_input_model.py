"""A large-input model for the batch-size measurements in docs/benchmarks.md ("Large inputs").

Writes a torchvision ResNet-18 (untrained, seed 0, 10 classes, BatchNorm in eval mode) exported with a
dynamic batch axis, 500 random 3×224×224 images and labels, into OUT (default perf/out/large-input):

    /usr/bin/python3 perf/make_large_input_model.py [OUT]
    node dist/cli/main.js eval perf/out/large-input/resnet18.onnx --data perf/out/large-input/images.npy \
      --labels perf/out/large-input/labels.npy --limit 500 --batch B
"""
import os
import sys

import numpy as np
import torch
import torchvision

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "out", "large-input")
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
model = torchvision.models.resnet18(num_classes=10).eval()
torch.onnx.export(model, torch.randn(2, 3, 224, 224), os.path.join(out, "resnet18.onnx"), input_names=["input"],
                  output_names=["logits"], dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, opset_version=13)
rng = np.random.default_rng(0)
np.save(os.path.join(out, "images.npy"), rng.standard_normal((500, 3, 224, 224)).astype(np.float32))
np.save(os.path.join(out, "labels.npy"), rng.integers(0, 10, 500).astype(np.int64))
print(f"wrote {out}/resnet18.onnx, images.npy, labels.npy")
