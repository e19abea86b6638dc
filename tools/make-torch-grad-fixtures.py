#!/usr/bin/env python3
"""Write whole-model PyTorch float64 reference gradients as test fixtures.

    nice -n 10 /usr/bin/python3 tools/make-torch-grad-fixtures.py [name ...]

For each model in MODELS, tests/fixtures/torch-models/<name>/ receives

  model.onnx   torch.onnx.export of the model in eval mode with do_constant_folding=False and
               training=TrainingMode.PRESERVE, so BatchNormalization stays a node (not folded
               into Conv) and every initializer keeps its PyTorch state_dict name. Input `input`
               [N,C,H,W] float32 (dynamic N), output `logits` [N,10].
  input.npy    float32 [4,C,H,W]
  labels.npy   int64 [4]
  grads.bin    float32 little-endian concatenation of d(mean cross-entropy)/d(initializer)
  grads.json   {torch_version, seed, dtype: "float64", generator, loss, logits (float64),
                logits_float32, gradients: [{name, shape, offset, length}], unmapped,
                no_gradient, opset, checks, ...}

Reference gradients: a float64 copy of the nn.Module (model.double().eval()), on the float64
input, with autograd, w.r.t. the parameter or buffer whose state_dict name equals the ONNX
initializer name. BatchNorm running_mean / running_var are initializers of the exported graph
too, so the float64 copy evaluates BatchNorm with the explicit eval formula
(x - mean) / sqrt(var + eps) * weight + bias (mathematically the same function as
F.batch_norm in eval mode, checked to ~1e-13) on running statistics that require grad: their
gradients are included, and "no_gradient" stays empty.

Checks, recorded in grads.json "checks" and printed:
  * every float ONNX initializer maps by name to a torch tensor with bit-identical float32
    values (any that do not are listed under "unmapped" and left out of grads.bin);
  * BatchNormalization node count equals the number of BatchNorm modules (nothing folded);
  * independent evaluation of the exported ONNX file with tools/onnx_torch.py (a node-by-node
    ONNX interpreter written on torch ops): float32 logits vs. the nn.Module's float32 logits,
    float64 logits and float64 gradients vs. the reference (so the ONNX graph computes the same
    function and the name mapping is right), and batch sizes 1 and 3 (dynamic batch axis).
"""
import copy
import json
import os
import sys
import types

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models.resnet import BasicBlock
from torchvision.models.squeezenet import Fire

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
OUT = os.path.join(REPO, "tests", "fixtures", "torch-models")
GENERATOR = "tools/make-torch-grad-fixtures.py"
N = 4
NUM_CLASSES = 10

torch.set_num_threads(1)


# ---------------------------------------------------------------------------------------------
# models
# ---------------------------------------------------------------------------------------------
class BundledCNN(nn.Module):
    """Same architecture as zoo/bundled/train.py SmallCNN (Conv-ReLU-MaxPool x3, Linear x2)."""

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


class CifarResNet(nn.Module):
    """CIFAR-style ResNet from torchvision BasicBlocks, widths 8/16/32, 1-channel input."""

    def __init__(self, widths=(8, 16, 32), num_classes=NUM_CLASSES):
        super().__init__()
        self.conv1 = nn.Conv2d(1, widths[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        layers, cin = [], widths[0]
        for i, w in enumerate(widths):
            stride = 1 if i == 0 else 2
            down = None
            if stride != 1 or cin != w:
                down = nn.Sequential(nn.Conv2d(cin, w, 1, stride, bias=False), nn.BatchNorm2d(w))
            layers.append(nn.Sequential(BasicBlock(cin, w, stride, down)))
            cin = w
        self.layer1, self.layer2, self.layer3 = layers
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def build_mobilenetv2():
    # width 0.25 with fewer repeats per stage (t, c, n, s), first conv stride 1 for 32x32 input;
    # torchvision hard-codes a 1280-channel last conv, replaced by 128 channels to stay small.
    setting = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 2, 2], [6, 64, 2, 2], [6, 96, 1, 1],
               [6, 160, 2, 2], [6, 320, 1, 1]]
    m = torchvision.models.mobilenet_v2(num_classes=NUM_CLASSES, width_mult=0.25,
                                        inverted_residual_setting=setting)
    m.features[0][0].stride = (1, 1)
    cin = m.features[-1][0].in_channels
    m.features[-1] = torchvision.ops.misc.Conv2dNormActivation(
        cin, 128, kernel_size=1, norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU6)
    m.classifier[1] = nn.Linear(128, NUM_CLASSES)
    m.last_channel = 128
    return m


def build_mobilenetv3_small():
    return torchvision.models.mobilenet_v3_small(num_classes=NUM_CLASSES, width_mult=0.25)


def build_shufflenetv2():
    return torchvision.models.shufflenetv2.ShuffleNetV2(
        stages_repeats=[2, 2, 2], stages_out_channels=[8, 16, 32, 64, 128], num_classes=NUM_CLASSES)


def build_squeezenet():
    # squeezenet1_1 layout with all Fire channels divided by 4 (torchvision's is ~720k params).
    # Used on 3x60x60: the first conv (k3 s2) drops the last row/column (60-3 is odd), and the
    # second ceil_mode MaxPool has a last window hanging off the edge (14 -> 7, floor would be 6).
    m = torchvision.models.squeezenet1_1(num_classes=NUM_CLASSES)
    m.features = nn.Sequential(
        nn.Conv2d(3, 16, kernel_size=3, stride=2),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
        Fire(16, 4, 16, 16),
        Fire(32, 4, 16, 16),
        nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
        Fire(32, 8, 32, 32),
        Fire(64, 8, 32, 32),
        nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
        Fire(64, 12, 48, 48),
        Fire(96, 12, 48, 48),
        Fire(96, 16, 64, 64),
        Fire(128, 16, 64, 64),
    )
    m.classifier[1] = nn.Conv2d(128, NUM_CLASSES, kernel_size=1)
    return m


def build_densenet():
    return torchvision.models.DenseNet(growth_rate=4, block_config=(2, 2), num_init_features=8,
                                       bn_size=2, num_classes=NUM_CLASSES)


def build_vit():
    return torchvision.models.VisionTransformer(image_size=28, patch_size=7, num_layers=2,
                                                num_heads=2, hidden_dim=16, mlp_dim=32,
                                                num_classes=NUM_CLASSES)


# name: (builder, input shape [C,H,W], opset, seed)
MODELS = {
    "bundled-cnn": (BundledCNN, (1, 28, 28), 13, 1001),
    "resnet-basic": (CifarResNet, (1, 28, 28), 13, 1002),
    "mobilenetv2": (build_mobilenetv2, (3, 32, 32), 13, 1003),
    "mobilenetv3-small": (build_mobilenetv3_small, (3, 32, 32), 17, 1004),
    "shufflenetv2": (build_shufflenetv2, (3, 32, 32), 13, 1005),
    "squeezenet": (build_squeezenet, (3, 60, 60), 13, 1006),
    "densenet": (build_densenet, (3, 32, 32), 13, 1007),
    "vit": (build_vit, (3, 28, 28), 13, 1008),
}


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
BN_TYPES = (nn.modules.batchnorm._BatchNorm,)


def randomize_constant_params(model, gen):
    """Default inits leave biases at 0, norm scales at 1, ViT's class token and head weight at 0:
    give every constant-valued float parameter some spread so every gradient is non-trivial."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            flat = p.reshape(-1)
            if flat.numel() and bool((flat == flat[0]).all()):
                base = float(flat[0])
                scale = 0.2 if base != 0.0 else (0.1 if p.dim() <= 1 else 0.05)
                p.copy_(base + scale * torch.randn(p.shape, generator=gen))


def set_running_stats(model, in_shape, gen, batches=3):
    """Non-trivial BN running statistics: a few forward passes in train mode on random data
    (cumulative average), then back to eval mode."""
    bns = [m for m in model.modules() if isinstance(m, BN_TYPES)]
    if not bns:
        return
    saved = [m.momentum for m in bns]
    for m in bns:
        m.momentum = None
        m.reset_running_stats()
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            x = 1.5 * torch.randn((16,) + tuple(in_shape), generator=gen) + 0.3
            model(x)
    for m, mom in zip(bns, saved):
        m.momentum = mom
    model.eval()


def _bn_explicit_forward(self, x):
    shp = [1, -1] + [1] * (x.dim() - 2)
    return ((x - self.running_mean.reshape(shp)) / torch.sqrt(self.running_var.reshape(shp) + self.eps)
            * self.weight.reshape(shp) + self.bias.reshape(shp))


def float64_reference(model):
    """A float64 copy whose every parameter and float buffer (BN running stats) requires grad."""
    ref = copy.deepcopy(model).double().eval()
    for m in ref.modules():
        if isinstance(m, BN_TYPES):
            assert m.affine and m.track_running_stats
            m.forward = types.MethodType(_bn_explicit_forward, m)
    tensors = {}
    for name, p in ref.named_parameters():
        p.requires_grad_(True)
        tensors[name] = p
    for name, b in ref.named_buffers():
        if b.is_floating_point():
            b.requires_grad_(True)
            tensors[name] = b
    return ref, tensors


def onnx_float_inits(model_proto):
    floats, others = [], []
    for init in model_proto.graph.initializer:
        (floats if init.data_type in (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE,
                                      onnx.TensorProto.FLOAT16) else others).append(init)
    return floats, others


def rel_err(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    d = np.abs(a - b).max() if a.size else 0.0
    s = np.abs(b).max() if b.size else 0.0
    return float(d / s) if s > 0 else float(d)


def try_import_interpreter():
    sys.path.insert(0, HERE)
    try:
        from onnx_torch import load_onnx_as_torch  # noqa: WPS433
        return load_onnx_as_torch
    except Exception as e:  # pragma: no cover
        print(f"  (tools/onnx_torch.py unavailable: {e}; ONNX-side checks skipped)")
        return None


# ---------------------------------------------------------------------------------------------
# main work
# ---------------------------------------------------------------------------------------------
def make(name):
    builder, in_shape, opset, seed = MODELS[name]
    out = os.path.join(OUT, name)
    os.makedirs(out, exist_ok=True)
    print(f"== {name}  (opset {opset}, input {list(in_shape)}, seed {seed})")

    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = builder()
    randomize_constant_params(model, gen)
    set_running_stats(model, in_shape, gen)
    model.eval()
    # Parameters keep requires_grad=True: with grad enabled, nn.MultiheadAttention in eval mode
    # does not take its fused fast path (aten::_native_multi_head_attention, not exportable).

    x = torch.randn((N,) + tuple(in_shape), generator=gen)
    labels = torch.randint(0, NUM_CLASSES, (N,), generator=gen)

    with torch.no_grad():
        logits32 = model(x)

    # ---- export ------------------------------------------------------------------------------
    path = os.path.join(out, "model.onnx")
    torch.onnx.export(model, (x,), path, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                      opset_version=opset, do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE, export_params=True)
    mp = onnx.load(path)
    onnx.checker.check_model(mp)
    assert [i.name for i in mp.graph.input] == ["input"], [i.name for i in mp.graph.input]
    assert [o.name for o in mp.graph.output] == ["logits"]
    in_dims = mp.graph.input[0].type.tensor_type.shape.dim
    assert in_dims[0].dim_param and not in_dims[0].dim_value, "batch axis is not dynamic"
    ops = sorted({n.op_type for n in mp.graph.node})
    n_bn_nodes = sum(n.op_type == "BatchNormalization" for n in mp.graph.node)
    n_bn_mods = sum(isinstance(m, BN_TYPES) for m in model.modules())
    assert n_bn_nodes == n_bn_mods, f"BatchNormalization nodes {n_bn_nodes} != BN modules {n_bn_mods}"
    used = {i for n in mp.graph.node for i in n.input}

    # ---- initializer mapping -----------------------------------------------------------------
    ref, tensors = float64_reference(model)
    sd = model.state_dict()
    floats, others = onnx_float_inits(mp)
    mapped, unmapped, unused = [], [], []
    for init in floats:
        arr = numpy_helper.to_array(init)
        if init.name not in used:
            unused.append(init.name)
            continue
        if init.name in tensors and init.name in sd:
            t = sd[init.name].detach().cpu().numpy()
            if t.shape == arr.shape and t.dtype == arr.dtype and np.array_equal(t, arr):
                mapped.append(init)
                continue
            why = f"values/shape differ from torch {init.name} {t.shape}"
        else:
            why = "no torch parameter or buffer of that name"
        unmapped.append({"name": init.name, "shape": list(arr.shape), "reason": why})
    sd_float = {k for k, v in sd.items() if v.is_floating_point()}
    not_exported = sorted(sd_float - {i.name for i in mapped})

    # ---- float64 reference -------------------------------------------------------------------
    x64 = x.double()
    logits64 = ref(x64)
    loss = F.cross_entropy(logits64, labels)
    names = [i.name for i in mapped]
    grads = torch.autograd.grad(loss, [tensors[n] for n in names], allow_unused=True)
    zero_grad = [n for n, g in zip(names, grads) if g is None]
    grads = [torch.zeros_like(tensors[n]) if g is None else g for n, g in zip(names, grads)]
    with torch.no_grad():  # native F.batch_norm path, float64: same function?
        native64 = copy.deepcopy(model).double().eval()(x64)
    bn_formula_err = rel_err(logits64.detach().numpy(), native64.numpy())

    # ---- write -------------------------------------------------------------------------------
    np.save(os.path.join(out, "input.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(out, "labels.npy"), labels.numpy().astype(np.int64))
    entries, chunks, off = [], [], 0
    for n, g in zip(names, grads):
        a = g.detach().numpy().astype("<f4").reshape(-1)
        entries.append({"name": n, "shape": list(g.shape), "offset": off, "length": int(a.size)})
        chunks.append(a)
        off += a.size
    with open(os.path.join(out, "grads.bin"), "wb") as f:
        f.write(np.concatenate(chunks).astype("<f4").tobytes())
    max_grad = max(float(g.abs().max()) for g in grads)

    # ---- independent ONNX-side checks ---------------------------------------------------------
    checks = {
        "initializers_float": len(floats),
        "initializers_mapped": len(mapped),
        "initializers_nonfloat": [i.name for i in others],
        "initializers_unused": unused,
        "torch_float_tensors_not_in_onnx": not_exported,
        "batchnorm_nodes": n_bn_nodes,
        "bn_explicit_vs_native_logits_relerr": bn_formula_err,
        "float64_vs_float32_torch_logits_relerr": rel_err(logits32.numpy(), logits64.detach().numpy()),
    }
    load = try_import_interpreter()
    if load is not None:
        f32 = load(path, dtype=torch.float32)
        with torch.no_grad():
            o32 = f32(x)
        checks["onnx_interp_float32_vs_torch_float32_logits_relerr"] = rel_err(o32.numpy(), logits32.numpy())
        f64 = load(path, dtype=torch.float64)
        o64 = f64(x64)
        checks["onnx_interp_float64_vs_reference_logits_relerr"] = rel_err(o64.detach().numpy(),
                                                                          logits64.detach().numpy())
        l2 = F.cross_entropy(o64, labels)
        w = f64.named_weights()
        g2 = torch.autograd.grad(l2, [w[n] for n in names], allow_unused=True)
        errs = {}
        for n, ga, gb in zip(names, grads, g2):
            gb = torch.zeros_like(ga) if gb is None else gb
            errs[n] = rel_err(gb.detach().numpy(), ga.detach().numpy())
        worst = max(errs, key=errs.get)
        checks["onnx_interp_float64_grads_max_relerr"] = errs[worst]
        checks["onnx_interp_float64_grads_worst"] = worst
        with torch.no_grad():
            for bs in (1, 3):
                ob = f64(x64[:bs])
                checks[f"onnx_interp_batch{bs}_relerr"] = rel_err(ob.numpy(), logits64[:bs].detach().numpy())
    meta = {
        "model": name,
        "torch_version": torch.__version__,
        "torchvision_version": torchvision.__version__,
        "onnx_version": onnx.__version__,
        "seed": seed,
        "dtype": "float64",
        "generator": GENERATOR,
        "opset": opset,
        "input_shape": [N] + list(in_shape),
        "num_classes": NUM_CLASSES,
        "op_types": ops,
        "onnx_nodes": len(mp.graph.node),
        "loss": float(loss),
        "logits": logits64.detach().numpy().tolist(),
        "logits_float32": logits32.numpy().astype(np.float64).tolist(),
        "gradients": entries,
        "unmapped": unmapped,
        "no_gradient": [],
        "zero_gradient_unused_by_loss": zero_grad,
        "checks": checks,
    }
    with open(os.path.join(out, "grads.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")

    size = sum(os.path.getsize(os.path.join(out, fn)) for fn in os.listdir(out))
    print(f"  ONNX nodes: {len(mp.graph.node)}   op types: {' '.join(ops)}")
    print(f"  gradients written: {len(entries)} tensors, {off} elements   max|grad| = {max_grad:.4g}"
          f"   loss = {float(loss):.6f}   dir size = {size / 1e6:.3f} MB")
    print(f"  unmapped float initializers: {unmapped or 'none'}   unused: {unused or 'none'}"
          f"   zero-grad: {zero_grad or 'none'}")
    for k, v in checks.items():
        if k not in ("initializers_nonfloat",):
            print(f"  check {k}: {v}")
    print(f"  non-float initializers: {len(others)}")
    assert not unmapped, unmapped
    assert size < 1.5e6, size
    return meta


def main(argv):
    names = argv or list(MODELS)
    for n in names:
        make(n)


if __name__ == "__main__":
    main(sys.argv[1:])
