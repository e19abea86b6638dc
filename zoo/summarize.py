#!/usr/bin/env python3
"""Print the zoo table (Markdown) from zoo/*/meta.json: name, params, accuracy, epochs, time,
ONNX size, weight layers (as found by tools/onnx_torch.weight_layers)."""
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))
from onnx_torch import weight_layers  # noqa: E402

ORDER = ["bundled", "mlp", "lenet5", "resnet20", "vgg", "mobilenetv2", "densenet", "vit"]


def main():
    rows = []
    for p in glob.glob(os.path.join(HERE, "bundled", "meta.json")) + \
            glob.glob(os.path.join(HERE, "models", "*", "meta.json")):
        meta = json.load(open(p))
        d = os.path.dirname(p)
        layers = weight_layers(os.path.join(d, "model.onnx"))
        ops = {}
        for l in layers:
            ops[l["op"]] = ops.get(l["op"], 0) + 1
        rows.append((ORDER.index(meta["name"]) if meta["name"] in ORDER else 99, meta, layers, ops, d))
    rows.sort(key=lambda r: r[0])
    print("| model | params | test acc. (10k) | epochs | train time | ONNX | weight layers |")
    print("|---|---:|---:|---:|---:|---:|---|")
    total = 0
    for _, meta, layers, ops, d in rows:
        size = os.path.getsize(os.path.join(d, "model.onnx"))
        total += size
        print(f"| {meta['name']} | {meta['params']:,} | {100 * meta['test_accuracy']:.2f}% | "
              f"{meta['epochs']} | {meta['train_seconds'] / 60:.1f} min | {size / 1e6:.2f} MB | "
              f"{len(layers)} ({', '.join(f'{v} {k}' for k, v in ops.items())}) |")
    print(f"\nTotal ONNX size {total / 1e6:.1f} MB; total training time "
          f"{sum(r[1]['train_seconds'] for r in rows) / 60:.0f} min.")


if __name__ == "__main__":
    main()
