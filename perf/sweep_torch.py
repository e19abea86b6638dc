#!/usr/bin/env python3
"""Speed baseline for `safer sweep`: a plain, fair PyTorch CPU loop doing the same work.

    /usr/bin/python3 perf/sweep_torch.py --model bundled|<zoo name> [--perturb LIST] [--threads 2]
        [--batch 500] [--json OUT.json] [--quiet]

The trained network is rebuilt as a plain nn.Module from the model's train.py (zoo/bundled or
zoo/models/<name>) with every BatchNorm that the export folded into a Conv replaced by Identity,
the Conv/Linear weights and biases set to the ONNX initializers (BN already folded in) and the
other parameters (LayerNorm, embeddings, unfolded BatchNorm) loaded by name, so it computes what
model.onnx computes (checked against tools/onnx_torch.py on the first batch). Then, for every weight layer
(in ONNX graph order) and perturbation: copy the weight, perturb it (torch ops, design.md's
definitions), evaluate the 2,000 bundled images in batches of 500 under torch.no_grad() with
torch.set_num_threads(2), compute accuracy, loss, KL to the unperturbed softmax and the fraction
of unchanged predictions (what safer writes per row), restore the weight.

Reported separately: `import` (import torch, numpy, onnx), `load` (build the module, read the
ONNX file and the images, check), `sweep` (the base evaluation plus all jobs: what safer
spends its time on). Run it with OpenBLAS (Debian's torch links libblas.so.3 -> OpenBLAS
pthread) and, for the fair variant, with glibc malloc thresholds raised, e.g.
MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=1073741824 (see perf/sweep-speed.sh).
"""
import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from onnx import numpy_helper  # noqa: E402

T_IMPORTED = time.perf_counter()

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ZOO = os.path.join(REPO, "zoo")
DEFAULT_PERTURB = "prune:0.5,prune:0.9,quant:4,quant:2,quantc:4"


# ---- model ------------------------------------------------------------------------------------

def model_dir(name):
    return os.path.join(ZOO, "bundled") if name == "bundled" else os.path.join(ZOO, "models", name)


def import_train_py(directory):
    sys.path.insert(0, ZOO)
    spec = importlib.util.spec_from_file_location("zoo_train_" + os.path.basename(directory),
                                                  os.path.join(directory, "train.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def module_class(train_module):
    if hasattr(train_module, "Net"):
        return train_module.Net
    if hasattr(train_module, "SmallCNN"):
        return train_module.SmallCNN
    raise RuntimeError(f"{train_module.__file__}: no Net or SmallCNN class")


def module_of_node(node_name, names):
    """'/layer1/layer1.0/conv1/Conv' -> 'layer1.0.conv1' (torch 1.13 export scopes)."""
    cur = ""
    for seg in node_name.strip("/").split("/")[:-1]:
        if cur and seg.startswith(cur + "."):
            cur = seg
        elif cur:
            cur = cur + "." + seg
        else:
            cur = seg
    return cur if cur in names else None


def strip_batchnorm(net, inits, prefix=""):
    """Replaces the BatchNorms that the export folded into a Conv (their statistics are not
    initializers) by Identity; BatchNorms kept as ONNX nodes (DenseNet's) stay."""
    for name, child in list(net.named_children()):
        full = prefix + name
        if isinstance(child, (nn.BatchNorm1d, nn.BatchNorm2d)):
            if full + ".running_mean" not in inits:
                setattr(net, name, nn.Identity())
        else:
            strip_batchnorm(child, inits, full + ".")


def weight_layers(graph):
    """[(node, weight initializer, bias initializer or None, channel axis)] in graph order,
    like `safer inspect` (Conv axis 0, Gemm transB=1 axis 0, MatMul [in, out] axis 1)."""
    inits = {i.name: i for i in graph.initializer}
    producer = {o: n for n in graph.node for o in n.output}

    def resolve(name):
        while name not in inits and name in producer and producer[name].op_type == "Identity":
            name = producer[name].input[0]
        return name if name in inits else None

    out, seen = [], set()
    for n in graph.node:
        if n.op_type not in ("Conv", "Gemm", "MatMul"):
            continue
        w = resolve(n.input[1])
        if w is None or w in seen:
            continue
        seen.add(w)
        b = resolve(n.input[2]) if len(n.input) > 2 and n.input[2] else None
        if n.op_type == "Gemm":
            trans_b = next((a.i for a in n.attribute if a.name == "transB"), 0)
            if not trans_b:
                raise NotImplementedError(f"{n.name}: Gemm with transB=0")
        axis = 1 if n.op_type == "MatMul" else 0
        out.append((n, w, b, axis))
    return out, inits


def build(name):
    """The trained net as a plain nn.Module whose weights are the ONNX initializers."""
    directory = model_dir(name)
    net = module_class(import_train_py(directory))()
    graph = onnx.load(os.path.join(directory, "model.onnx")).graph
    layers, inits = weight_layers(graph)
    strip_batchnorm(net, inits)
    net.eval()
    modules = dict(net.named_modules())
    result = []
    for node, w_name, b_name, axis in layers:
        mod_name = w_name[:-len(".weight")] if w_name.endswith(".weight") else None
        if mod_name not in modules:
            mod_name = module_of_node(node.name, modules)
        mod = modules.get(mod_name)
        if not isinstance(mod, (nn.Conv2d, nn.Linear)):
            raise RuntimeError(f"{name}: no Conv2d/Linear module for ONNX layer {w_name} ({node.name})")
        w = torch.from_numpy(np.array(numpy_helper.to_array(inits[w_name]), dtype=np.float32))
        transposed = node.op_type == "MatMul"
        with torch.no_grad():
            mod.weight.copy_(w.t() if transposed else w)
            if b_name is not None:
                b = torch.from_numpy(np.array(numpy_helper.to_array(inits[b_name]), dtype=np.float32))
                if mod.bias is None:
                    mod.bias = nn.Parameter(b)
                else:
                    mod.bias.copy_(b)
        result.append({"name": w_name, "module": mod_name, "param": mod.weight, "transposed": transposed,
                       "axis": axis, "set": [mod_name + ".weight"] + ([mod_name + ".bias"] if b_name else [])})
    # Other parameters kept under their module names (LayerNorm, position embeddings, ...).
    done = {key for layer in result for key in layer["set"]}
    with torch.no_grad():
        for key, value in net.state_dict().items():
            if key not in done and key in inits and tuple(inits[key].dims) == tuple(value.shape):
                value.copy_(torch.from_numpy(np.array(numpy_helper.to_array(inits[key]), dtype=np.float32)))
    return net, result


def check_against_onnx(name, net, images):
    sys.path.insert(0, os.path.join(REPO, "tools"))
    from onnx_torch import load_onnx_as_torch
    ref = load_onnx_as_torch(os.path.join(model_dir(name), "model.onnx"))
    with torch.no_grad():
        diff = (net(images[:500]) - ref(images[:500])).abs().max().item()
    if not diff < 1e-3:
        raise RuntimeError(f"{name}: rebuilt module differs from model.onnx by {diff}")
    return diff


# ---- perturbations (design.md) ------------------------------------------------------------------

def perturbed(w, spec, axis):
    kind, _, arg = spec.partition(":")
    if kind == "prune":
        flat = w.flatten()
        count = int(float(arg) * flat.numel())
        order = torch.sort(flat.abs(), stable=True).indices
        flat[order[:count]] = 0.0
        return flat.view_as(w)
    if kind in ("quant", "quantc"):
        qmax = 2 ** (int(arg) - 1) - 1
        if kind == "quant":
            s = w.abs().max() / qmax
        else:
            s = w.abs().amax(dim=[d for d in range(w.dim()) if d != axis], keepdim=True) / qmax
        return torch.where(s == 0, w, torch.round(w / s).clamp(-qmax, qmax) * s)
    raise ValueError(f"unsupported perturbation {spec}")


# ---- evaluation ---------------------------------------------------------------------------------

def evaluate(net, images, labels, batch, base_logp=None):
    correct, loss, kl, unchanged = 0, 0.0, 0.0, 0
    logps = []
    for i in range(0, len(images), batch):
        logits = net(images[i:i + batch])
        y = labels[i:i + batch]
        logp = F.log_softmax(logits.double(), dim=1)
        pred = logits.argmax(1)
        correct += int((pred == y).sum())
        loss += float(-logp.gather(1, y[:, None]).sum())
        if base_logp is None:
            logps.append(logp)
        else:
            ref = base_logp[i:i + batch]
            kl += float((logp.exp() * (logp - ref)).sum())
            unchanged += int((pred == ref.argmax(1)).sum())
    n = len(labels)
    out = {"accuracy": correct / n, "loss": loss / n}
    if base_logp is None:
        return out, torch.cat(logps)
    out.update(kl=kl / n, unchanged=unchanged / n)
    return out, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="bundled", help="bundled, or a zoo model name (zoo/models/<name>)")
    ap.add_argument("--perturb", default=DEFAULT_PERTURB)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--images", default=os.path.join(ZOO, "bundled", "images.npy"))
    ap.add_argument("--labels", default=os.path.join(ZOO, "bundled", "labels.npy"))
    ap.add_argument("--json", help="write the timings here")
    ap.add_argument("--quiet", action="store_true", help="no per-job lines")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    t_load = time.perf_counter()
    images = torch.from_numpy(np.ascontiguousarray(np.load(args.images), dtype=np.float32))
    labels = torch.from_numpy(np.load(args.labels).astype(np.int64))
    net, layers = build(args.model)
    check = check_against_onnx(args.model, net, images)
    perturbations = [p for p in args.perturb.split(",") if p]
    t_sweep = time.perf_counter()

    with torch.no_grad():
        base, base_logp = evaluate(net, images, labels, args.batch)
        t_base = time.perf_counter()
        rows = []
        for layer in layers:
            param = layer["param"]
            original = param.detach().clone()
            onnx_view = original.t() if layer["transposed"] else original
            for spec in perturbations:
                t0 = time.perf_counter()
                w = perturbed(onnx_view.clone(), spec, layer["axis"])
                param.copy_(w.t() if layer["transposed"] else w)
                t1 = time.perf_counter()
                m, _ = evaluate(net, images, labels, args.batch, base_logp)
                param.copy_(original)
                t2 = time.perf_counter()
                rows.append({"layer": layer["name"], "perturbation": spec, **m,
                             "perturb_ms": (t1 - t0) * 1e3, "eval_ms": (t2 - t1) * 1e3})
                if not args.quiet:
                    print(f"{layer['name']:<36} {spec:<10} acc {m['accuracy']:.4f}  "
                          f"perturb {rows[-1]['perturb_ms']:7.1f} ms  eval {rows[-1]['eval_ms']:8.1f} ms",
                          flush=True)
    t_end = time.perf_counter()

    result = {
        "model": args.model, "torch": torch.__version__, "threads": torch.get_num_threads(),
        "malloc_env": {k: os.environ[k] for k in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")
                       if k in os.environ},
        "images": int(len(labels)), "layers": len(layers), "jobs": len(rows),
        "base_accuracy": base["accuracy"], "module_vs_onnx_max_abs_logit_diff": check,
        "import_s": round(T_IMPORTED - T_START, 3), "load_s": round(t_sweep - t_load, 3),
        "base_s": round(t_base - t_sweep, 3), "sweep_s": round(t_end - t_sweep, 3),
        "per_job_ms": round((t_end - t_base) * 1e3 / max(1, len(rows)), 1),
        "perturb_total_s": round(sum(r["perturb_ms"] for r in rows) / 1e3, 3),
    }
    print(f"{args.model}: {len(layers)} layers x {len(perturbations)} perturbations = {len(rows)} jobs on "
          f"{len(labels)} images; import {result['import_s']} s, load {result['load_s']} s, "
          f"sweep {result['sweep_s']} s (base {result['base_s']} s, {result['per_job_ms']} ms/job, "
          f"perturbation {result['perturb_total_s']} s in all)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({**result, "rows": rows}, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
