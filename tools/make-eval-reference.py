#!/usr/bin/env python3
"""Record a PyTorch reference evaluation of an ONNX model on an .npy image/label pair.

    /usr/bin/python3 tools/make-eval-reference.py MODEL.onnx IMAGES.npy LABELS.npy OUT.json
        [--count N] [--module FILE.py:Class --state-dict FILE.pt]

The ONNX file is evaluated by tools/onnx_torch.py (a generic ONNX -> torch interpreter that
reads the initializers with onnx.numpy_helper) in float32 (the main numbers) and in float64
(extra fields). Loss is the mean cross-entropy of the logits against the labels (computed
from logits in the evaluation dtype, accumulated in float64). With --module, the original
nn.Module is rebuilt and its max |logit difference| against the ONNX evaluation is recorded.
"""
import argparse
import importlib.util
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from onnx_torch import load_onnx_as_torch  # noqa: E402
from reference_common import rel  # noqa: E402



@torch.no_grad()
def run(fn, images, batch_size=250):
    outs = []
    for i in range(0, len(images), batch_size):
        outs.append(fn(torch.from_numpy(images[i:i + batch_size])))
    return torch.cat(outs)


def metrics(logits, labels):
    y = torch.from_numpy(labels)
    ce = F.cross_entropy(logits, y, reduction="none").double()
    correct = int((logits.argmax(1) == y).sum().item())
    return {"accuracy": correct / len(labels), "loss": float(ce.mean().item()), "correct": correct}


def make_reference(model_path, images, labels, module=None, data=None, count=None, n_logits=8):
    if count is not None:
        images, labels = images[:count], labels[:count]
    images = np.ascontiguousarray(images, dtype=np.float32)
    labels = np.asarray(labels, dtype=np.int64)
    f32 = load_onnx_as_torch(model_path, dtype=torch.float32)
    f64 = load_onnx_as_torch(model_path, dtype=torch.float64)
    l32 = run(f32, images)
    l64 = run(f64, images)
    m32, m64 = metrics(l32, labels), metrics(l64, labels)
    out = {
        "model": rel(model_path) if isinstance(model_path, str) else "<in memory>",
        "data": data,
        "count": int(len(labels)),
        "accuracy": m32["accuracy"], "loss": m32["loss"], "correct": m32["correct"],
        "torch_version": torch.__version__,
        "dtype": "float32",
        "float64": m64,
        "float32_vs_float64_max_abs_logit_diff": float((l32.double() - l64).abs().max().item()),
        "logits_first": {"count": min(n_logits, len(labels)), "dtype": "float64",
                         "values": l64[:n_logits].tolist()},
        "evaluator": "tools/onnx_torch.py (generic ONNX -> torch interpreter)",
    }
    if module is not None:
        module.eval()
        lm = run(module, images)
        out["module_check"] = {
            "max_abs_logit_diff_float32": float((lm - l32).abs().max().item()),
            "module_accuracy": metrics(lm, labels)["accuracy"],
            "module_loss": metrics(lm, labels)["loss"],
        }
    return out


def load_module(spec, state_dict):
    path, cls = spec.rsplit(":", 1)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    s = importlib.util.spec_from_file_location("_refmod", path)
    mod = importlib.util.module_from_spec(s)
    s.loader.exec_module(mod)
    m = getattr(mod, cls)()
    m.load_state_dict(torch.load(state_dict, map_location="cpu"))
    return m.eval()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("images")
    ap.add_argument("labels")
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=None, help="use only the first N images")
    ap.add_argument("--module", default=None, help="FILE.py:Class of the original nn.Module")
    ap.add_argument("--state-dict", default=None)
    a = ap.parse_args()
    torch.set_num_threads(2)
    images = np.load(a.images)
    labels = np.load(a.labels)
    module = load_module(a.module, a.state_dict) if a.module else None
    res = make_reference(a.model, images, labels, module=module,
                         data={"images": rel(a.images), "labels": rel(a.labels),
                               "first": a.count},
                         count=a.count)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(res, f, indent=2)
        f.write("\n")
    print(f"{res['model']}: float32 acc {res['accuracy']:.4f} loss {res['loss']:.6f}  "
          f"float64 acc {res['float64']['accuracy']:.4f} loss {res['float64']['loss']:.6f}")
    if module is not None:
        print(f"max |logit(module) - logit(onnx via torch)| = "
              f"{res['module_check']['max_abs_logit_diff_float32']:.3g}")


if __name__ == "__main__":
    main()
