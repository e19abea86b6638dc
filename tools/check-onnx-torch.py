#!/usr/bin/env python3
"""Conformance check of tools/onnx_torch.py against the ONNX backend test data shipped by
Debian's libonnx-testdata (node tests and PyTorch-converted single-module models).

    /usr/bin/python3 tools/check-onnx-torch.py [--dir /usr/share/libonnx-testdata/data] [-v]

Runs every test case whose operators are all implemented by onnx_torch (others are counted as
skipped), in float32 (and float64 where the reference is float64), and compares every output
with numpy.testing-style tolerances (rtol 1e-3, atol 1e-5 by default).
"""
import argparse
import glob
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_torch import OnnxModule  # noqa: E402


def load_pb(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def read_dataset(ds):
    def files(prefix):
        return sorted(glob.glob(os.path.join(ds, prefix + "_*.pb")),
                      key=lambda p: int(p.rsplit("_", 1)[1][:-3]))
    return [load_pb(p) for p in files("input")], [load_pb(p) for p in files("output")]


def run_case(case_dir, rtol, atol):
    model = onnx.load(os.path.join(case_dir, "model.onnx"))
    if any(o.domain not in ("", "ai.onnx") for o in model.opset_import if o.version) and \
            any(n.domain not in ("", "ai.onnx") for n in model.graph.node):
        return "skip", "non-default domain"
    missing = sorted({n.op_type for n in model.graph.node if not hasattr(OnnxModule, "op_" + n.op_type)})
    if missing:
        return "skip", ",".join(missing)
    results = []
    for ds in sorted(glob.glob(os.path.join(case_dir, "test_data_set_*"))):
        try:
            ins, outs = read_dataset(ds)
        except Exception as e:  # noqa: BLE001 (tensor types numpy_helper cannot read)
            return "skip", f"unreadable test data: {type(e).__name__}"
        ok = (np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8, np.bool_)
        if any(a.dtype.type not in ok for a in ins + outs):
            return "skip", "dtype"
        fdt = torch.float64 if any(a.dtype == np.float64 for a in ins + outs) else torch.float32
        try:
            m = OnnxModule(model, dtype=fdt)
            with torch.no_grad():
                got = m(*[torch.from_numpy(np.array(a)) for a in ins])
        except NotImplementedError as e:
            return "skip", str(e)
        except Exception as e:  # noqa: BLE001
            return "fail", f"{type(e).__name__}: {e}"
        if not isinstance(got, tuple):
            got = (got,)
        for g, ref in zip(got, outs):
            g = g.detach().numpy()
            if g.shape != ref.shape:
                return "fail", f"shape {g.shape} != {ref.shape}"
            if ref.dtype.kind == "f":
                if not np.allclose(g.astype(np.float64), ref.astype(np.float64), rtol=rtol, atol=atol,
                                   equal_nan=True):
                    d = np.nanmax(np.abs(g.astype(np.float64) - ref))
                    return "fail", f"max abs diff {d:.3g}"
            elif not np.array_equal(g, ref):
                return "fail", "values differ"
        results.append(ds)
    return "pass", f"{len(results)} data sets"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="/usr/share/libonnx-testdata/data")
    ap.add_argument("--rtol", type=float, default=1e-3)
    ap.add_argument("--atol", type=float, default=1e-5)
    ap.add_argument("-v", action="store_true")
    ap.add_argument("filter", nargs="?", default="")
    a = ap.parse_args()
    torch.set_num_threads(1)
    counts = {"pass": 0, "fail": 0, "skip": 0}
    fails = []
    for sub in ("node", "pytorch-converted", "pytorch-operator"):
        for case in sorted(glob.glob(os.path.join(a.dir, sub, "test_*"))):
            if a.filter not in case:
                continue
            status, why = run_case(case, a.rtol, a.atol)
            counts[status] += 1
            if status == "fail":
                fails.append((case, why))
            if a.v or status == "fail":
                print(f"{status:4s} {os.path.relpath(case, a.dir)}: {why}")
    print(counts)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
