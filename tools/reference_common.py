"""Shared by the fixture scripts in tools/: repository paths, file hashes, and the reference
(NumPy/PyTorch) implementations of the deterministic perturbations of design.md that the
fixtures are measured under."""
import hashlib
import os

import numpy as np
import torch

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rel(p):
    """A path relative to the repository when it lies inside it, else absolute."""
    p = os.path.abspath(p)
    return os.path.relpath(p, REPO) if p.startswith(REPO + os.sep) else p


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def prune(w, ratio):
    """Magnitude pruning: zero the floor(ratio * n) smallest |w| (stable order on ties)."""
    flat = w.reshape(-1).copy()
    count = int(ratio * flat.size)  # floor of the float64 product, ratio >= 0
    order = np.argsort(np.abs(flat), kind="stable")
    flat[order[:count]] = 0.0
    return flat.reshape(w.shape)


def quantize(w, bits, axis=None):
    """Symmetric uniform quantization in float32 (torch.round is round-half-to-even), per tensor
    or per slice along `axis`; an all-zero tensor or slice stays as it is."""
    t = torch.from_numpy(np.ascontiguousarray(w, dtype=np.float32))
    qmax = 2 ** (bits - 1) - 1
    if axis is None:
        s = t.abs().max() / qmax
    else:
        dims = [d for d in range(t.dim()) if d != axis]
        s = t.abs().amax(dim=dims, keepdim=True) / qmax
    q = torch.round(t / s).clamp(-qmax, qmax) * s
    return torch.where(s == 0, t, q).numpy()
