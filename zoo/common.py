"""Shared helpers for training the safer zoo (PyTorch, Fashion-MNIST).

Conventions for every exported model:
  input  `input`  float32 [N,1,28,28], pixel/255 (no other normalisation outside the model)
  output `logits` float32 [N,10]
  dynamic batch axis, opset 13, eval mode, do_constant_folding=True.

Run with Debian's PyTorch: /usr/bin/python3 (torch 1.13).
"""
import gzip
import json
import os
import platform
import random
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA_DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
ZOO_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(ZOO_DIR)

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def read_idx(path):
    """Read an IDX file (optionally .gz) into a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    assert zero == 0 and dtype_code == 0x08, "only unsigned-byte IDX files are supported"
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    return arr.reshape(dims).copy()


def load_fashion_mnist(split):
    """Return (images uint8 [N,28,28], labels int64 [N]) for split 'train' or 't10k'/'test'."""
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(os.path.join(DATA_DIR, f"{prefix}-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(DATA_DIR, f"{prefix}-labels-idx1-ubyte.gz")).astype(np.int64)
    return x, y


def to_tensor_images(x_uint8):
    """uint8 [N,28,28] -> float32 [N,1,28,28] scaled to [0,1]."""
    return torch.from_numpy(x_uint8.astype(np.float32) / np.float32(255.0)).unsqueeze(1).contiguous()


def set_seed(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def setup_threads(n=None):
    """Intra-op threads: SAFER_TRAIN_THREADS, default 1. On this shared 2-core machine one
    thread trains faster than two (OpenMP threads spin and wait on each other when the
    cores are busy with other work: 44 vs 67-689 s/epoch measured for the ViT)."""
    if n is None:
        n = int(os.environ.get("SAFER_TRAIN_THREADS", "1"))
    torch.set_num_threads(n)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass


@torch.no_grad()
def evaluate(model, x, y, batch_size=500):
    """Return (accuracy, mean cross-entropy, correct) of model on tensors x, y."""
    model.eval()
    correct = 0
    loss_sum = 0.0
    for i in range(0, len(x), batch_size):
        xb, yb = x[i:i + batch_size], y[i:i + batch_size]
        out = model(xb)
        loss_sum += F.cross_entropy(out.double(), yb, reduction="sum").item()
        correct += (out.argmax(1) == yb).sum().item()
    return correct / len(x), loss_sum / len(x), correct


def random_shift_flip(xb, gen, max_shift=2, flip=True):
    """Cheap seeded augmentation: random horizontal flip and random translation (zero padded)."""
    n = xb.shape[0]
    if flip:
        mask = torch.rand(n, generator=gen) < 0.5
        xb = torch.where(mask[:, None, None, None], xb.flip(3), xb)
    if max_shift > 0:
        p = max_shift
        padded = F.pad(xb, (p, p, p, p))
        dx = torch.randint(0, 2 * p + 1, (n,), generator=gen)
        dy = torch.randint(0, 2 * p + 1, (n,), generator=gen)
        # gather shifted crops with one index per sample
        rows = (dy[:, None] + torch.arange(28)[None, :])  # [n,28]
        cols = (dx[:, None] + torch.arange(28)[None, :])
        idx_n = torch.arange(n)[:, None, None]
        xb = padded[idx_n, 0, rows[:, :, None], cols[:, None, :]].unsqueeze(1)
    return xb


class Logger:
    def __init__(self, path):
        self.path = path
        self.f = open(path, "w")

    def __call__(self, *args):
        msg = " ".join(str(a) for a in args)
        print(msg, flush=True)
        self.f.write(msg + "\n")
        self.f.flush()

    def close(self):
        self.f.close()


def train(model, *, epochs, seed, log, lr=1e-3, weight_decay=0.0, batch_size=128,
          optimizer="adam", augment=False, label_smoothing=0.0, max_shift=2, flip=True,
          x_test=None, y_test=None, eval_every=1):
    """Train on the full Fashion-MNIST training set with a seeded data order.

    Cosine learning-rate schedule over all steps. Logs per-epoch mean train loss and
    test accuracy/loss on all 10,000 test images. Returns dict with history and seconds.
    """
    x_train_u8, y_train_np = load_fashion_mnist("train")
    x_train = to_tensor_images(x_train_u8)
    y_train = torch.from_numpy(y_train_np)
    if x_test is None:
        xt, yt = load_fashion_mnist("test")
        x_test, y_test = to_tensor_images(xt), torch.from_numpy(yt)
    gen = torch.Generator().manual_seed(seed)
    aug_gen = torch.Generator().manual_seed(seed + 1)
    n = len(x_train)
    steps_per_epoch = (n + batch_size - 1) // batch_size
    total = epochs * steps_per_epoch
    if optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    elif optimizer == "adamw":
        opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    elif optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True,
                              weight_decay=weight_decay)
    else:
        raise ValueError(optimizer)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=total,
                                                pct_start=0.15, anneal_strategy="cos",
                                                div_factor=10.0, final_div_factor=100.0)
    history = []
    t0 = time.time()
    for epoch in range(1, epochs + 1):
        model.train()
        perm = torch.randperm(n, generator=gen)
        loss_sum = 0.0
        correct = 0
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            xb, yb = x_train[idx], y_train[idx]
            if augment:
                xb = random_shift_flip(xb, aug_gen, max_shift=max_shift, flip=flip)
            out = model(xb)
            loss = F.cross_entropy(out, yb, label_smoothing=label_smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(idx)
            correct += (out.argmax(1) == yb).sum().item()
        rec = {"epoch": epoch, "train_loss": loss_sum / n, "train_accuracy": correct / n,
               "seconds": round(time.time() - t0, 1)}
        if epoch % eval_every == 0 or epoch == epochs:
            acc, tl, _ = evaluate(model, x_test, y_test)
            rec.update({"test_accuracy": acc, "test_loss": tl})
            log(f"epoch {epoch:3d}  train_loss {rec['train_loss']:.4f}  train_acc {rec['train_accuracy']:.4f}"
                f"  test_loss {tl:.4f}  test_acc {acc:.4f}  elapsed {rec['seconds']:.1f}s")
        else:
            log(f"epoch {epoch:3d}  train_loss {rec['train_loss']:.4f}  train_acc {rec['train_accuracy']:.4f}"
                f"  elapsed {rec['seconds']:.1f}s")
        history.append(rec)
    model.eval()
    return {"history": history, "seconds": time.time() - t0, "x_test": x_test, "y_test": y_test}


def export_onnx(model, path, rename=False):
    """Export in eval mode with the zoo conventions; optionally rename folded initializers."""
    import onnx
    model.eval()
    dummy = torch.zeros(2, 1, 28, 28)
    torch.onnx.export(model, dummy, path, input_names=["input"], output_names=["logits"],
                      opset_version=13, do_constant_folding=True,
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
    m = onnx.load(path)
    if rename:
        rename_initializers_by_module(m, model)
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return m


def module_name_from_node(node_name, module_names):
    """Map a scoped ONNX node name such as '/layer1/layer1.0/conv1/Conv' to 'layer1.0.conv1'.

    torch 1.13 scopes each node by the chain of modules that called it. A scope segment is
    the module's attribute name, prefixed by its parent's attribute name when the parent is
    a container ('layer1.0', 'downsample.0', 'conv.0.0'), so consecutive segments can overlap
    by one or more dotted components. Candidates are checked against model.named_modules().
    """
    segs = node_name.strip("/").split("/")[:-1]
    cur = ""
    for seg in segs:
        parts = seg.split(".")
        cands = []
        # overlap: the first j dotted parts of seg repeat the last j components of cur
        for j in range(len(parts) - 1, 0, -1):
            head = ".".join(parts[:j])
            if cur == head or cur.endswith("." + head):
                cands.append(cur + "." + ".".join(parts[j:]))
        cands.append((cur + "." if cur else "") + seg)
        cands.append(seg)
        nxt = next((c for c in cands if c in module_names), None)
        if nxt is None:
            return None
        cur = nxt
    return cur if cur in module_names else None


def rename_initializers_by_module(m, model):
    """Rename exporter-generated initializers (onnx::Conv_123, ...) after the PyTorch module
    that owns the weight, e.g. layer1.0.conv1.weight / .bias. Only Conv, ConvTranspose,
    Gemm and MatMul weight/bias operands with generated names ('onnx::...') are renamed.
    For MatMul the weight keeps the ONNX [in, out] layout (the transpose of PyTorch's)."""
    g = m.graph
    module_names = set(n for n, _ in model.named_modules())
    inits = {i.name: i for i in g.initializer}
    taken = set(inits)
    # producers of each tensor (to follow Identity)
    producer = {o: n for n in g.node for o in n.output}
    renames = {}

    def resolve(name):
        while name not in inits and name in producer and producer[name].op_type == "Identity":
            name = producer[name].input[0]
        return name

    def want(old, new):
        if old not in inits or not old.startswith("onnx::") or old in renames:
            return
        if new in taken:
            return
        renames[old] = new
        taken.add(new)

    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    for n in g.node:
        if n.op_type not in ("Conv", "ConvTranspose", "Gemm", "MatMul"):
            continue
        mod = module_name_from_node(n.name, module_names)
        if mod is None:
            continue
        if n.op_type == "MatMul":
            w = resolve(n.input[1])
            want(w, mod + ".weight")
            for c in consumers.get(n.output[0], []):
                if c.op_type == "Add":
                    for i in c.input:
                        b = resolve(i)
                        if b in inits:
                            want(b, mod + ".bias")
            continue
        want(resolve(n.input[1]), mod + ".weight")
        if len(n.input) > 2 and n.input[2]:
            want(resolve(n.input[2]), mod + ".bias")
    for init in g.initializer:
        if init.name in renames:
            init.name = renames[init.name]
    for n in g.node:
        for k, i in enumerate(n.input):
            if i in renames:
                n.input[k] = renames[i]
    for vi in list(g.input) + list(g.value_info):
        if vi.name in renames:
            vi.name = renames[vi.name]
    return renames


def count_params(model):
    return sum(p.numel() for p in model.parameters())


def env_info():
    return {"torch_version": torch.__version__, "python": platform.python_version(),
            "numpy_version": np.__version__, "threads": torch.get_num_threads()}


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def check_onnx_matches(model, onnx_path, x, y, log):
    """Evaluate the exported ONNX with the generic ONNX->torch evaluator (tools/onnx_torch.py)
    and compare with the nn.Module. Returns a dict with both accuracies and max |logit diff|."""
    sys.path.insert(0, os.path.join(REPO_DIR, "tools"))
    from onnx_torch import load_onnx_as_torch
    ref = load_onnx_as_torch(onnx_path)
    model.eval()
    maxdiff = 0.0
    correct_m = correct_o = 0
    with torch.no_grad():
        for i in range(0, len(x), 500):
            a = model(x[i:i + 500])
            b = ref(x[i:i + 500])
            maxdiff = max(maxdiff, (a - b).abs().max().item())
            correct_m += (a.argmax(1) == y[i:i + 500]).sum().item()
            correct_o += (b.argmax(1) == y[i:i + 500]).sum().item()
    res = {"module_accuracy": correct_m / len(x), "onnx_accuracy": correct_o / len(x),
           "max_abs_logit_diff": maxdiff}
    log(f"onnx check: module acc {res['module_accuracy']:.4f}  onnx (torch evaluator) acc "
        f"{res['onnx_accuracy']:.4f}  max|dlogit| {maxdiff:.3g}")
    return res


def run_zoo_model(name, model, here, *, epochs, seed, rename=False, description="",
                  train_kwargs=None):
    """Train `model`, export it to here/model.onnx, verify the ONNX file with the generic
    ONNX->torch evaluator, and write train-log.txt and meta.json."""
    setup_threads()
    train_kwargs = dict(train_kwargs or {})
    log = Logger(os.path.join(here, "train-log.txt"))
    env = env_info()
    nparams = count_params(model)
    log(f"safer zoo model '{name}': {description}")
    log(f"seed {seed}  torch {env['torch_version']}  numpy {env['numpy_version']}  "
        f"python {env['python']}  threads {env['threads']}")
    log(f"params {nparams}  epochs {epochs}  train settings {json.dumps(train_kwargs, sort_keys=True)}")
    res = train(model, epochs=epochs, seed=seed, log=log, **train_kwargs)
    acc, loss, correct = evaluate(model, res["x_test"], res["y_test"])
    log(f"final test accuracy {acc:.4f} ({correct}/10000)  test loss {loss:.4f}  "
        f"train seconds {res['seconds']:.1f}")
    onnx_path = os.path.join(here, "model.onnx")
    m = export_onnx(model, onnx_path, rename=rename)
    chk = check_onnx_matches(model, onnx_path, res["x_test"], res["y_test"], log)
    left = [i.name for i in m.graph.initializer if i.name.startswith("onnx::")]
    if left:
        log(f"initializers with exporter-generated names: {left}")
    onnx_params = int(sum(int(np.prod(i.dims)) for i in m.graph.initializer
                          if i.data_type == 1))
    log(f"onnx: {os.path.getsize(onnx_path)} bytes, {len(m.graph.node)} nodes, "
        f"{len(m.graph.initializer)} initializers, {onnx_params} float parameters")
    meta = {"name": name, "description": description, "test_accuracy": acc, "test_loss": loss,
            "params": nparams, "onnx_float_params": onnx_params, "epochs": epochs,
            "train_seconds": round(res["seconds"], 1), "seed": seed,
            "torch_version": env["torch_version"], "train_settings": train_kwargs,
            "onnx_check": chk, "onnx_bytes": os.path.getsize(onnx_path),
            "history": [{k: (round(v, 5) if isinstance(v, float) else v) for k, v in h.items()}
                        for h in res["history"]]}
    write_json(os.path.join(here, "meta.json"), meta)
    log.close()
    return meta
