#!/usr/bin/env python3
"""Speed baseline for `safer budget quant` (measured costs, refined): a plain PyTorch CPU loop doing the same measurements.

    /usr/bin/python3 perf/budget_torch.py --model resnet20 --evaluations E --rounds R --final F
        [--calibration 512] [--threads 2] [--batch 250] [--json OUT.json]

The net is rebuilt from the model's train.py with the ONNX weights, as perf/sweep_torch.py does (checked
against model.onnx). The counts E, R and F are those of safer's own run of the same command (perf/budget-speed.sh
reads them from its output), so that both do the same number of passes over the same images:

  base      the unperturbed model's loss on the calibration images, the selection images and the evaluation images
  costs     every weight layer x bits 2, 3, 4, 5, 6, 8: the layer quantized per channel (quantc), mean
            cross-entropy on the calibration images (a full pass: no graph cut here)
  traces    Hessian traces for the HAWQ-V2 baseline as safer estimates them: 32 Hutchinson samples, each a
            Hessian-vector product by central gradient differences, i.e. 2 gradients of the mean loss over the
            calibration images (in batches of 32)
  refine    E joint evaluations on the selection images: every layer at a plan's bits (the plans are drawn at
            random; the work does not depend on which)
  context   R rounds: every layer x bits again with the other layers at a plan's bits (calibration images),
            then one joint evaluation (selection images)
  final     F plans evaluated on the evaluation images (the chosen one and the baselines, each distinct plan
            once), and the chosen plan's additivity on the calibration images (1 pass)

Prints the seconds of each stage; `import` and `load` (module, images, check) are apart from the loop.
"""
import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

T_IMPORTED = time.perf_counter()

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sweep_torch  # noqa: E402  (the model rebuild and the per-channel quantizer)

DATA = "/usr/share/datasets/fashion-mnist"
BITS = [2, 3, 4, 5, 6, 8]


def idx_images(path, count):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    n, rows, cols = (int.from_bytes(raw[i:i + 4], "big") for i in (4, 8, 12))
    x = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, 1, rows, cols)[:count]
    return torch.from_numpy(x.astype(np.float32) / 255.0)


def idx_labels(path, count):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    return torch.from_numpy(np.frombuffer(raw, dtype=np.uint8, offset=8)[:count].astype(np.int64))


def mean_loss(net, images, labels, batch):
    total = 0.0
    for i in range(0, len(images), batch):
        total += float(F.cross_entropy(net(images[i:i + batch]), labels[i:i + batch], reduction="sum"))
    return total / len(images)


def set_plan(layers, originals, plan):
    """Every layer at its bits (None: float32), weights in the module's own layout."""
    for layer, w, bits in zip(layers, originals, plan):
        onnx_view = w.t() if layer["transposed"] else w
        q = onnx_view if bits is None else sweep_torch.perturbed(onnx_view.clone(), f"quantc:{bits}", layer["axis"])
        layer["param"].copy_(q.t() if layer["transposed"] else q)


def gradient(net, layers, images, labels, batch):
    grads = [torch.zeros_like(layer["param"]) for layer in layers]
    for i in range(0, len(images), batch):
        net.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(images[i:i + batch]), labels[i:i + batch], reduction="sum") / len(images)
        loss.backward()
        for g, layer in zip(grads, layers):
            g += layer["param"].grad
    return grads


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="resnet20")
    ap.add_argument("--evaluations", type=int, required=True, help="joint evaluations of safer's first refinement stage")
    ap.add_argument("--rounds", type=int, required=True, help="rounds of safer's refinement in context")
    ap.add_argument("--final", type=int, required=True, help="distinct plans safer evaluated on the evaluation images")
    ap.add_argument("--calibration", type=int, default=512)
    ap.add_argument("--samples", type=int, default=32, help="Hutchinson samples of the HAWQ-V2 traces")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=250)
    ap.add_argument("--images", default=os.path.join(sweep_torch.ZOO, "bundled", "images.npy"))
    ap.add_argument("--labels", default=os.path.join(sweep_torch.ZOO, "bundled", "labels.npy"))
    ap.add_argument("--json", help="write the timings here")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    t_load = time.perf_counter()
    n = args.calibration
    train_x = idx_images(f"{DATA}/train-images-idx3-ubyte.gz", 2 * n)
    train_y = idx_labels(f"{DATA}/train-labels-idx1-ubyte.gz", 2 * n)
    cal_x, cal_y, sel_x, sel_y = train_x[:n], train_y[:n], train_x[n:], train_y[n:]
    eval_x = torch.from_numpy(np.ascontiguousarray(np.load(args.images), dtype=np.float32))
    eval_y = torch.from_numpy(np.load(args.labels).astype(np.int64))
    net, layers = sweep_torch.build(args.model)
    check = sweep_torch.check_against_onnx(args.model, net, eval_x)
    originals = [layer["param"].detach().clone() for layer in layers]
    rng = random.Random(0)
    stages = {}
    t0 = time.perf_counter()

    def stage(name, started):
        stages[name] = round(time.perf_counter() - started, 3)
        return time.perf_counter()

    with torch.no_grad():
        for x, y in ((cal_x, cal_y), (sel_x, sel_y), (eval_x, eval_y)):
            mean_loss(net, x, y, args.batch)
        t = stage("base", t0)

        def curves(context):
            for i in range(len(layers)):
                for bits in BITS:
                    plan = list(context)
                    plan[i] = bits
                    set_plan(layers, originals, plan)
                    mean_loss(net, cal_x, cal_y, args.batch)
            set_plan(layers, originals, [None] * len(layers))

        curves([None] * len(layers))
        t = stage("costs", t)

    # Traces: per sample, H·v by central differences of two gradients (the weights at w ± h·v).
    h = 0.1
    for _ in range(args.samples):
        v = [torch.randint(0, 2, w.shape, dtype=torch.float32).mul_(2).sub_(1).mul_(w.pow(2).mean().sqrt()) for w in originals]
        for sign in (1, -1):
            with torch.no_grad():
                for layer, w, vl in zip(layers, originals, v):
                    layer["param"].copy_(w + sign * h * vl)  # both in the module's layout
            gradient(net, layers, cal_x, cal_y, 32)
    with torch.no_grad():
        set_plan(layers, originals, [None] * len(layers))
    t = stage("traces", t)

    with torch.no_grad():
        def random_plan():
            return [rng.choice(BITS) for _ in layers]

        for _ in range(args.evaluations):
            set_plan(layers, originals, random_plan())
            mean_loss(net, sel_x, sel_y, args.batch)
        t = stage("refine", t)
        for _ in range(args.rounds):
            plan = random_plan()
            curves(plan)
            set_plan(layers, originals, plan)
            mean_loss(net, sel_x, sel_y, args.batch)
        t = stage("context", t)
        for _ in range(args.final):
            set_plan(layers, originals, random_plan())
            mean_loss(net, eval_x, eval_y, args.batch)
        mean_loss(net, cal_x, cal_y, args.batch)
        stage("final", t)
    t_end = time.perf_counter()

    result = {
        "model": args.model, "torch": torch.__version__, "threads": torch.get_num_threads(), "layers": len(layers),
        "calibration": n, "evaluations": args.evaluations, "rounds": args.rounds, "final": args.final,
        "module_vs_onnx_max_abs_logit_diff": check, "import_s": round(T_IMPORTED - T_START, 3),
        "load_s": round(t0 - t_load, 3), "loop_s": round(t_end - t0, 3), "stages_s": stages,
    }
    print(f"{args.model}: {len(layers)} layers; loop {result['loop_s']} s "
          f"({', '.join(f'{k} {v} s' for k, v in stages.items())}); import {result['import_s']} s, load {result['load_s']} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
