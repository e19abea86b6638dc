#!/usr/bin/env python3
"""Record PyTorch accuracies of a one-layer-at-a-time perturbation sweep (reference for `safer sweep`).

    /usr/bin/python3 tools/make-sweep-reference.py MODEL.onnx IMAGES.npy LABELS.npy \
        --out tests/fixtures/reference/sweep-NAME.json [--count N] \
        [--perturb prune:0.5,prune:0.9,quant:4,quant:2,quantc:4,quantc:2,prunec:0.5]

The layer list (initializer name, channelAxis, bias) comes from `node dist/cli/main.js inspect
MODEL --json`, so that safer and this script perturb the same tensors (run `npm run build` first).
Every perturbation is implemented here independently, in numpy / torch, exactly as in
../shared/design.md ("Exact definitions"):

    prune:r   stable sort by |w| (float32 magnitudes, ties in flat order), zero the first
              int(r * n) entries (floor of the float64 product).
    quant:b   s = max|w| / (2^(b-1) - 1); w' = clamp(round_half_even(w / s)) * s, float32 tensors
              (the same torch code as tests/perturb/fixtures/make-quant-fixtures.py, which is
              bit-exact with safer); max|w| = 0 leaves the tensor unchanged.
    quantc:b  the same with one scale per slice along the layer's channelAxis.
    prunec:r  rank the channels (along channelAxis) by L2 norm computed in float64, stable on ties;
              zero the int(r * C) smallest, weights and the matching bias entries.

The perturbed model is evaluated by tools/onnx_torch.py (generic ONNX -> torch interpreter) in
float32, in batches of 500. Accuracy is top-1 (first index on ties); loss is the mean
cross-entropy of the float32 logits, computed in float64.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from onnx_torch import load_onnx_as_torch  # noqa: E402
from reference_common import prune, quantize, rel, sha256_of  # noqa: E402

DEFAULT_PERTURB = "prune:0.5,prune:0.9,quant:4,quant:2,quantc:4,quantc:2,prunec:0.5"
BATCH = 500




def safer_layers(model_path):
    out = subprocess.run(["node", os.path.join(REPO, "dist", "cli", "main.js"), "inspect", model_path, "--json"],
                         check=True, capture_output=True, text=True, cwd=REPO)
    return json.loads(out.stdout)["layers"]


# ---- perturbations (design.md, "Exact definitions") ---------------------------------------



def prunec(w, bias, ratio, axis):
    channels = w.shape[axis]
    moved = np.moveaxis(w.astype(np.float64), axis, 0).reshape(channels, -1)
    norms = np.sqrt((moved * moved).sum(axis=1))
    count = int(ratio * channels)
    pruned = np.argsort(norms, kind="stable")[:count]
    out = np.moveaxis(w.copy(), axis, 0)
    out[pruned] = 0.0
    out = np.moveaxis(out, 0, axis)
    new_bias = None
    if bias is not None:
        new_bias = bias.copy()
        new_bias[pruned] = 0.0
    return out, new_bias


def perturb(spec, layer, w, bias):
    """Returns {initializer name: new value} for one (layer, perturbation)."""
    kind, _, arg = spec.partition(":")
    value = float(arg)
    if kind == "prune":
        return {layer["name"]: prune(w, value)}
    if kind == "quant":
        return {layer["name"]: quantize(w, int(value))}
    if kind == "quantc":
        return {layer["name"]: quantize(w, int(value), layer["channelAxis"])}
    if kind == "prunec":
        new_w, new_b = prunec(w, bias, value, layer["channelAxis"])
        out = {layer["name"]: new_w}
        if new_b is not None:
            out[layer["bias"]] = new_b
        return out
    raise ValueError(f"unsupported perturbation {spec!r} (deterministic ones only)")


# ---- evaluation -----------------------------------------------------------------------------

@torch.no_grad()
def evaluate(fn, images, labels):
    correct, loss_sum = 0, 0.0
    for i in range(0, len(images), BATCH):
        logits = fn(torch.from_numpy(images[i:i + BATCH]))
        y = torch.from_numpy(labels[i:i + BATCH])
        correct += int((logits.argmax(1) == y).sum().item())
        loss_sum += float(F.cross_entropy(logits.double(), y, reduction="sum").item())
    n = len(labels)
    return {"accuracy": correct / n, "correct": correct, "loss": loss_sum / n, "count": n}


@torch.no_grad()
def sweep(model_path, images, labels, perturbations, log=print):
    layers = safer_layers(model_path)
    inits = {i.name: np.array(numpy_helper.to_array(i)) for i in onnx.load(model_path).graph.initializer}
    fn = load_onnx_as_torch(model_path, dtype=torch.float32)
    fn.eval()
    base = evaluate(fn, images, labels)
    log(f"base accuracy {base['accuracy']:.4f} loss {base['loss']:.4f} on {base['count']} images")
    rows = []
    for layer in layers:
        w = inits[layer["name"]].astype(np.float32)
        bias = inits[layer["bias"]].astype(np.float32) if layer.get("bias") else None
        for spec in perturbations:
            changed = perturb(spec, layer, w, bias)
            for name, value in changed.items():
                fn.param(name).data.copy_(torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32)))
            m = evaluate(fn, images, labels)
            for name in changed:
                fn.param(name).data.copy_(torch.from_numpy(np.ascontiguousarray(inits[name], dtype=np.float32)))
            rows.append({"layer": layer["name"], "perturbation": spec, **m})
            log(f"{layer['name']:<40} {spec:<12} acc {m['accuracy']:.4f} loss {m['loss']:.4f}")
    check = evaluate(fn, images, labels)
    if check != base:
        raise RuntimeError("weights were not restored: base evaluation changed")
    return layers, base, rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("images")
    ap.add_argument("labels")
    ap.add_argument("--out", required=True)
    ap.add_argument("--count", type=int, default=None, help="use only the first N images")
    ap.add_argument("--perturb", default=DEFAULT_PERTURB)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    images = np.load(args.images)
    labels = np.load(args.labels)
    if args.count is not None:
        images, labels = images[:args.count], labels[:args.count]
    images = np.ascontiguousarray(images, dtype=np.float32)
    labels = np.asarray(labels, dtype=np.int64)
    perturbations = [p.strip() for p in args.perturb.split(",") if p.strip()]

    started = time.time()
    layers, base, rows = sweep(args.model, images, labels, perturbations)
    out = {
        "generator": "tools/make-sweep-reference.py",
        "evaluator": "tools/onnx_torch.py (generic ONNX -> torch interpreter), float32, batches of %d" % BATCH,
        "torch_version": torch.__version__,
        "model": rel(args.model),
        "model_sha256": sha256_of(args.model),
        "images": rel(args.images),
        "labels": rel(args.labels),
        "count": int(len(labels)),
        "perturbations": perturbations,
        "layers": [layer["name"] for layer in layers],
        "base": base,
        "seconds": round(time.time() - started, 1),
        "rows": rows,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("{\n")
        items = list(out.items())
        for k, (key, value) in enumerate(items):
            if key == "rows":
                f.write('  "rows": [\n')
                f.write(",\n".join("    " + json.dumps(r, separators=(",", ":")) for r in value))
                f.write("\n  ]")
            else:
                f.write(f"  {json.dumps(key)}: {json.dumps(value)}")
            f.write(",\n" if k < len(items) - 1 else "\n")
        f.write("}\n")
    print(f"wrote {len(rows)} rows to {args.out} in {out['seconds']} s")


if __name__ == "__main__":
    main()
