#!/usr/bin/env python3
"""Record float64 PyTorch reference scores of safer's deterministic layer-importance criteria.

    nice -n 10 /usr/bin/python3 tools/make-criteria-reference.py \
        [--model zoo/bundled/model.onnx] [--images zoo/bundled/images.npy] \
        [--labels zoo/bundled/labels.npy] [--count 64] [--gradient-batch 24] \
        [--integration-steps 4] [--hutchinson-samples 96] [--out tests/fixtures/reference/criteria-<name>.json]

The fixtures in tests/fixtures/reference/ were regenerated with exactly (from the repo root):

    nice -n 10 /usr/bin/python3 tools/make-criteria-reference.py
    nice -n 10 /usr/bin/python3 tools/make-criteria-reference.py --model tests/fixtures/models/resnet-mini.onnx

and are checked by tests/criteria/torch-reference.test.ts, which runs safer's `scoreModel` on the
same model, the same first N images and the same settings.

Settings (recorded in the fixture's "settings"; the test passes them to safer explicitly): the
first N = 64 images, --gradient-batch 24 (mini-batches of 24, 24 and 16 images, so the size
weighting of the last, smaller mini-batch is exercised), --integration-steps 4 (the documented
trapezoid rule with m = 4 instead of the default 16, to keep the test fast), seed 0.

What it computes, independently of safer's TypeScript: the model is rebuilt as torch ops by
tools/onnx_torch.py (a generic node-by-node ONNX interpreter) in float64, with the float32
initializers converted exactly; losses, gradients and logits are float64 autograd. Every score
follows docs/criteria/<id>.md; the perturbations follow ../shared/design.md ("Exact definitions")
and are computed on the float32 weights, bit-exact with safer (the same code as
tools/make-sweep-reference.py: numpy stable argsort for prune, torch float32 round-half-even for
quant), before the result is converted to float64.

  param-count          n(W) + n(b)
  depth                i / (L - 1)
  l1-norm, l2-norm, mean-abs, weight-std   over the weight tensor, bias excluded
  quant-error          ||Q(W) - W||^2, quant:4 (default) and quantc:3
  quant-error-relative ||Q(W) - W||^2 / ||W||^2, quant:4
  prune-error          ||P(W) - W||^2, prune:0.5
  synflow              sum over W and b of theta * dR/dtheta, R = sum of the logits of one all-ones
                       image with every float initializer replaced by its absolute value (autograd,
                       no finite differences)
  grad-norm            ||dL/dW||, L = mean cross-entropy over the N images
  taylor-first-order   |sum g w|
  snip                 sum |g w|
  fisher               sum_i sum_b (n_b / N) g_{b,i}^2 over consecutive mini-batches of
                       --gradient-batch images (the last one smaller)
  fisher-obd           1/2 sum_i F_i w_i^2
  integrated-gradients-perturbation (quant:4) and integrated-gradients-removal:
                       -sum (W - S) . integral_0^1 grad L(S + a (W - S)) da, trapezoid rule on
                       a = k/m, k = 0..m (endpoint weights 1/2m, others 1/m); S = Q(W) resp. 0
  output-kl            mean over images of KL(softmax(f(x; P(W))) || softmax(f(x; W))), quant:4 and prune:0.5
  output-mse           mean over images and classes of (f(x; P(W)) - f(x; W))^2, quant:4 and prune:0.5

The integrated-gradients criteria also get, per layer, "measured_loss_increase" L(S) - L(W) (safer
reports it in the details) and a "precision_allowance": |score in float64 - the same computation
by the float32 torch model at float32 points|. It is 1e-7 to 1e-6 relative (5e-4 for a layer whose
loss change is only -3e-6, resnet-mini's fifth conv), except where a trapezoid point sits on a
kink of the loss, where the float32 and float64 evaluations legitimately pick different
subgradients. That happens at the alpha = 0 end of integrated-gradients-perturbation for the first
layer of the bundled CNN: pixels are k/255 and quant:4 codes are small integers, so conv1 outputs
tie exactly inside some max-pool windows, the tie is broken by rounding, and the gradient routed
through the pool (to different input patches) differs between float32 and float64 by ~1% there
(5e-3 of the score with m = 4). The test widens the tolerance by twice the allowance.

Stochastic criteria are not reproduced sample by sample (safer draws from xoshiro128**):
random, hutchinson-trace and hawq-v2 are skipped. ggn-trace and hawq-v2-ggn draw labels from the
model's softmax with that generator; for them this script records the exact expectation of safer's
estimator instead ("expected"), which the test compares with safer's estimate within its reported
standard error (the test runs them with --hutchinson-samples as recorded in "settings": 96
mini-batch estimates rather than the default 32, because the per-batch estimates are heavy-tailed
for a confident model, so 32 of them can sit 2-3 standard errors low; with 600 they agree with
the expectation to a few percent on both fixture models):
  ggn-trace            E = (1/N) sum_x sum_y p(y|x) ||d l(x, y)/dW||^2, per-image gradients, float64
                       (= E[n_b ||g_b||^2] for one sampled label per image, because E_y grad l = 0
                       makes the per-image gradients of a mini-batch uncorrelated)
  hawq-v2-ggn          E / n * ||Q(W) - W||^2 with quant:4

Details the criterion pages leave open, taken from safer's source (src/criteria/):
  * layers: every Conv/ConvTranspose/Gemm/MatMul whose weight operand is an initializer, in graph
    order (tools/onnx_torch.py weight_layers; src/layers/discover.ts), named by the weight
    initializer; the bias is the node's third input (Conv/Gemm) [discover.ts].
  * quantc channel axis: 0 for Conv and Gemm transB=1, 1 for Gemm transB=0, MatMul and
    ConvTranspose (design.md; discover.ts channelAxis).
  * the calibration batch is the first N images in file order (context.ts `calibration`).
  * fisher mini-batches: consecutive ranges [0, B), [B, 2B), ... of the calibration batch, the last
    one smaller, each gradient of the *mean* loss over its mini-batch, weighted by n_b / N
    (gradients.ts `statistics`). The mean gradient of grad-norm / taylor / snip is the same
    weighted sum, i.e. the full-batch mean gradient.
  * integrated gradients: the path moves only the layer's weight (bias kept, quant does not touch
    it); a = k/m with points S + a (W - S) (integrated-gradients.ts). safer evaluates the gradients at
    float32 points; here the points are float64.
  * output-kl is clamped at 0 by safer (max(0, ·)); irrelevant for finite positive KLs.
  * synflow: every float initializer is made absolute, not only the layers (synflow.ts
    `absoluteModel`); the input is one all-ones image of the data's sample shape.
"""
import argparse
import json
import os
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
from onnx_torch import load_onnx_as_torch, weight_layers  # noqa: E402
from reference_common import prune, quantize, rel, sha256_of  # noqa: E402

torch.set_num_threads(1)
DTYPE = torch.float64




# ---- layers -----------------------------------------------------------------------------------

def layers_of(model):
    """weight_layers() plus the quantc channel axis of design.md. Weights behind Transpose nodes
    would move that axis; the fixture models have none, so refuse them rather than guess."""
    inits = {i.name for i in model.graph.initializer}
    out = []
    for i, layer in enumerate(weight_layers(model)):
        node = next(n for n in model.graph.node if n.name == layer["node"])
        if layer["name"] not in node.input:
            raise NotImplementedError(f"{layer['name']}: weight reached through Identity/Transpose")
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if layer["op"] == "Conv":
            axis = 0
        elif layer["op"] == "Gemm":
            axis = 0 if attrs.get("transB", 0) == 1 else 1
        else:  # MatMul [in, out], ConvTranspose [in, out/groups, kh, kw]
            axis = 1
        assert layer["bias"] is None or layer["bias"] in inits
        out.append({**layer, "index": i, "channelAxis": axis})
    return out


# ---- perturbations (design.md "Exact definitions"; as tools/make-sweep-reference.py) ------------



def perturb(spec, layer, w):
    kind, _, arg = spec.partition(":")
    if kind == "prune":
        return prune(w, float(arg))
    if kind == "quant":
        return quantize(w, int(arg))
    if kind == "quantc":
        return quantize(w, int(arg), layer["channelAxis"])
    raise ValueError(f"unsupported perturbation {spec!r}")


def energy(a, b):
    d = a.astype(np.float64) - b.astype(np.float64)
    return float((d * d).sum())


# ---- model evaluation -------------------------------------------------------------------------

class Reference:
    def __init__(self, model_path, images, labels, dtype=DTYPE):
        self.dtype = dtype
        self.fn = load_onnx_as_torch(model_path, dtype=dtype)
        for p in self.fn.parameters():
            p.requires_grad_(False)
        self.x = torch.from_numpy(images).to(dtype)
        self.y = torch.from_numpy(labels)

    def param(self, name):
        return self.fn.param(name)

    def logits(self, values=None):
        """Logits with `values` ({initializer: float64 tensor}) in place of stored initializers."""
        saved = {}
        try:
            for name, v in (values or {}).items():
                saved[name] = self.param(name).data.clone()
                self.param(name).data.copy_(v)
            with torch.no_grad():
                return self.fn(self.x)
        finally:
            for name, v in saved.items():
                self.param(name).data.copy_(v)

    def loss_and_grad(self, names, start=0, end=None, values=None):
        """Mean cross-entropy over images [start, end) and its gradient w.r.t. `names`."""
        saved = {}
        try:
            for name, v in (values or {}).items():
                saved[name] = self.param(name).data.clone()
                self.param(name).data.copy_(v)
            params = [self.param(n) for n in names]
            for p in params:
                p.requires_grad_(True)
            loss = F.cross_entropy(self.fn(self.x[start:end]), self.y[start:end])
            grads = torch.autograd.grad(loss, params)
            return float(loss), {n: g.detach().clone() for n, g in zip(names, grads)}
        finally:
            for name in names:
                self.param(name).requires_grad_(False)
            for name, v in saved.items():
                self.param(name).data.copy_(v)


# ---- criteria ---------------------------------------------------------------------------------

def data_free(layers, weights, biases):
    L = len(layers)
    out = {k: {} for k in ["param-count", "depth", "l1-norm", "l2-norm", "mean-abs", "weight-std",
                           "quant-error", "quant-error@quantc:3", "quant-error-relative", "prune-error"]}
    for layer in layers:
        name = layer["name"]
        w = weights[name]
        w64 = w.astype(np.float64)
        b = biases.get(name)
        out["param-count"][name] = int(w.size + (b.size if b is not None else 0))
        out["depth"][name] = layer["index"] / max(1, L - 1)
        out["l1-norm"][name] = float(np.abs(w64).sum())
        out["l2-norm"][name] = float(np.sqrt((w64 * w64).sum()))
        out["mean-abs"][name] = float(np.abs(w64).sum() / w.size) if w.size else 0.0
        out["weight-std"][name] = float(np.sqrt(((w64 - w64.mean()) ** 2).sum() / w.size)) if w.size else 0.0
        q4 = energy(perturb("quant:4", layer, w), w)
        out["quant-error"][name] = q4
        out["quant-error@quantc:3"][name] = energy(perturb("quantc:3", layer, w), w)
        total = float((w64 * w64).sum())
        out["quant-error-relative"][name] = q4 / total if total > 0 else 0.0
        out["prune-error"][name] = energy(perturb("prune:0.5", layer, w), w)
    return out


def synflow(model_path, layers, sample_shape):
    fn = load_onnx_as_torch(model_path, dtype=DTYPE)
    with torch.no_grad():
        for p in fn.parameters():
            p.abs_()
    ones = torch.ones((1, *sample_shape), dtype=DTYPE)
    R = fn(ones).sum()
    params = list(fn.parameters())
    grads = dict(zip([id(p) for p in params], torch.autograd.grad(R, params)))
    scores = {}
    for layer in layers:
        s = 0.0
        for name in [layer["name"], layer["bias"]]:
            if name:
                p = fn.param(name)
                s += float((p.detach() * grads[id(p)]).sum())
        scores[layer["name"]] = s
    return scores, float(R)


def first_order(ref, layers, weights, count, batch):
    names = [l["name"] for l in layers]
    mean = {n: torch.zeros_like(ref.param(n), dtype=DTYPE) for n in names}
    fisher = {n: torch.zeros_like(ref.param(n), dtype=DTYPE) for n in names}
    for start in range(0, count, batch):
        end = min(count, start + batch)
        nb = end - start
        _, g = ref.loss_and_grad(names, start, end)
        for n in names:
            mean[n] += nb / count * g[n]
            fisher[n] += nb / count * g[n] ** 2
    full_loss, full = ref.loss_and_grad(names)
    for n in names:  # the size-weighted mean of mini-batch gradients is the full-batch gradient
        assert torch.allclose(mean[n], full[n], rtol=1e-10, atol=1e-15), n
    out = {k: {} for k in ["grad-norm", "taylor-first-order", "snip", "fisher", "fisher-obd"]}
    for n in names:
        g, w = full[n], torch.from_numpy(weights[n].astype(np.float64))
        out["grad-norm"][n] = float(torch.sqrt((g * g).sum()))
        out["taylor-first-order"][n] = float(abs((g * w).sum()))
        out["snip"][n] = float((g * w).abs().sum())
        out["fisher"][n] = float(fisher[n].sum())
        out["fisher-obd"][n] = float((fisher[n] * w * w).sum() / 2)
    return out, full_loss, full


def integrated_gradients(ref, name, w, start, steps):
    """-sum (W - S) . trapezoid integral of grad L along S + a (W - S), and L(S) - L(W), for the
    layer weight `name` (w, start: float32 arrays). The points are formed in the model's dtype (in
    float32 as safer forms them, when `ref` is a float32 model); the dot products in float64."""
    dt = ref.dtype
    w_t = torch.from_numpy(np.asarray(w)).to(dt)
    s_t = torch.from_numpy(np.asarray(start)).to(dt)
    d = w_t - s_t
    if not bool((d != 0).any()):
        return 0.0, 0.0
    ig, losses = 0.0, {}
    for k in range(steps + 1):
        a = k / steps
        wk = 1 / (2 * steps) if k in (0, steps) else 1 / steps
        loss, grads = ref.loss_and_grad([name], values={name: w_t if k == steps else s_t + a * d})
        losses[k] = loss
        ig += wk * float((d.double() * grads[name].double()).sum())
    return -ig, losses[0] - losses[steps]


def output_divergences(ref, layers, weights, spec):
    base = ref.logits()
    lq = F.log_softmax(base, dim=1)
    kl, mse = {}, {}
    for layer in layers:
        name = layer["name"]
        p = ref.logits({name: torch.from_numpy(perturb(spec, layer, weights[name]).astype(np.float64))})
        lp = F.log_softmax(p, dim=1)
        kl[name] = float((lp.exp() * (lp - lq)).sum(dim=1).mean())
        mse[name] = float(((p - base) ** 2).mean())
    return kl, mse


def ggn_expected(ref, layers, count):
    """(1/N) sum_x sum_y p(y|x) ||grad_W l(x, y)||^2 from per-image logit Jacobians:
    grad l(x, y) = J^T (p - e_y), so sum_y p_y ||J^T (p - e_y)||^2 = sum_y p_y ||J_y||^2 - ||J^T p||^2."""
    names = [l["name"] for l in layers]
    params = [ref.param(n) for n in names]
    total = {n: 0.0 for n in names}
    for p in params:
        p.requires_grad_(True)
    try:
        for i in range(count):
            z = ref.fn(ref.x[i:i + 1])[0]
            prob = torch.softmax(z.detach(), dim=0)
            rows = []
            for c in range(z.numel()):
                rows.append(torch.autograd.grad(z[c], params, retain_graph=True))
            for k, n in enumerate(names):
                J = torch.stack([r[k].reshape(-1) for r in rows])  # classes x n
                sq = (J * J).sum(dim=1)
                jp = prob @ J
                total[n] += float((prob * sq).sum() - (jp * jp).sum())
    finally:
        for p in params:
            p.requires_grad_(False)
    return {n: total[n] / count for n in names}


# ---- main -------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="zoo/bundled/model.onnx")
    ap.add_argument("--images", default="zoo/bundled/images.npy")
    ap.add_argument("--labels", default="zoo/bundled/labels.npy")
    ap.add_argument("--count", type=int, default=64, help="calibration images: the first N (default 64)")
    ap.add_argument("--gradient-batch", type=int, default=24,
                    help="fisher mini-batch size (default 24: 64 images make batches of 24, 24 and 16)")
    ap.add_argument("--integration-steps", type=int, default=4, help="trapezoid intervals m (default 4)")
    ap.add_argument("--hutchinson-samples", type=int, default=96,
                    help="recorded for the test only: mini-batch estimates safer's ggn-trace averages (default 96)")
    ap.add_argument("--out", default=None, help="default tests/fixtures/reference/criteria-<name>.json")
    args = ap.parse_args()

    os.chdir(REPO)
    base_name = os.path.splitext(os.path.basename(args.model))[0]
    name = os.path.basename(os.path.dirname(os.path.abspath(args.model))) if base_name == "model" else base_name
    out_path = args.out or os.path.join("tests", "fixtures", "reference", f"criteria-{name}.json")

    started = time.time()
    model = onnx.load(args.model)
    layers = layers_of(model)
    inits = {i.name: np.array(numpy_helper.to_array(i)) for i in model.graph.initializer}
    weights = {l["name"]: inits[l["name"]].astype(np.float32) for l in layers}
    biases = {l["name"]: inits[l["bias"]].astype(np.float32) for l in layers if l["bias"]}
    images = np.array(np.load(args.images, mmap_mode="r")[:args.count], dtype=np.float32)  # a writable copy
    labels = np.asarray(np.load(args.labels)[:args.count], dtype=np.int64)
    count = len(labels)
    ref = Reference(args.model, images, labels)

    criteria = data_free(layers, weights, biases)
    criteria["synflow"], flow = synflow(args.model, layers, images.shape[1:])
    first, base_loss, _ = first_order(ref, layers, weights, count, args.gradient_batch)
    criteria.update(first)

    # Integrated gradients in float64, and once more in float32 for the precision allowance (see the header).
    ref32 = Reference(args.model, images, labels, dtype=torch.float32)
    measured = {"integrated-gradients-perturbation": {}, "integrated-gradients-removal": {}}
    allowance = {"integrated-gradients-perturbation": {}, "integrated-gradients-removal": {}}
    for c in measured:
        criteria[c] = {}
    for layer in layers:
        n = layer["name"]
        w = weights[n]
        starts = {"integrated-gradients-perturbation": perturb("quant:4", layer, w),
                  "integrated-gradients-removal": np.zeros_like(w)}
        for c, start in starts.items():
            criteria[c][n], measured[c][n] = integrated_gradients(ref, n, w, start, args.integration_steps)
            allowance[c][n] = abs(integrated_gradients(ref32, n, w, start, args.integration_steps)[0] - criteria[c][n])

    for spec, suffix in [("quant:4", ""), ("prune:0.5", "@prune:0.5")]:
        kl, mse = output_divergences(ref, layers, weights, spec)
        criteria["output-kl" + suffix] = kl
        criteria["output-mse" + suffix] = mse

    ggn = ggn_expected(ref, layers, count)
    expected = {
        "ggn-trace": ggn,
        "hawq-v2-ggn": {l["name"]: ggn[l["name"]] / weights[l["name"]].size * criteria["quant-error"][l["name"]]
                        for l in layers},
    }

    out = {
        "generator": "tools/make-criteria-reference.py",
        "evaluator": "tools/onnx_torch.py (generic ONNX -> torch interpreter), float64, autograd",
        "torch_version": torch.__version__,
        "model": rel(args.model),
        "model_sha256": sha256_of(args.model),
        "data": {"images": rel(args.images), "labels": rel(args.labels), "first": count},
        "count": count,
        "settings": {"calibration": count, "gradient_batch": args.gradient_batch,
                     "integration_steps": args.integration_steps, "hutchinson_samples": args.hutchinson_samples,
                     "seed": 0},
        "layers": [l["name"] for l in layers],
        "weight_counts": {l["name"]: int(weights[l["name"]].size) for l in layers},
        "base_loss": base_loss,
        "synflow_flow": flow,
        "criteria": criteria,
        "measured_loss_increase": measured,
        "precision_allowance": allowance,
        "expected": expected,
        "seconds": round(time.time() - started, 1),
    }
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with open(out_path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {len(criteria)} criteria x {len(layers)} layers (+ {len(expected)} expectations) to {out_path} "
          f"in {out['seconds']} s")


if __name__ == "__main__":
    main()
