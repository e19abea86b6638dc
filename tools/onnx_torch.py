"""A small, generic ONNX -> PyTorch evaluator (reference implementation for safer).

    from onnx_torch import load_onnx_as_torch
    f = load_onnx_as_torch("model.onnx", weights_override={"conv1.weight": w}, dtype=torch.float64)
    logits = f(x)                       # x: torch.Tensor or numpy array [N,1,28,28]

The returned object is a torch.nn.Module. Every floating-point initializer is an
nn.Parameter (f.param(name) / f.named_weights()), so autograd gives dLoss/dW for the
weights exactly as they are laid out in the ONNX file (e.g. MatMul weights [in, out]).
Integer initializers (shapes, indices) are buffers. Nodes are interpreted one by one in
graph order (ONNX requires a topologically sorted graph), with ONNX semantics: explicit
(possibly asymmetric) pads, auto_pad, ceil_mode, count_include_pad, Gemm alpha/beta/trans,
numpy broadcasting. Float tensors are computed in `dtype` (float32 or float64); Cast to any
float type keeps the working dtype so a float64 evaluation stays float64 throughout.

Only the default ONNX domain is supported (opsets 7..17 semantics for the ops below).
"""
import math

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

_FLOAT_TYPES = {onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE, onnx.TensorProto.FLOAT16,
                onnx.TensorProto.BFLOAT16}
_ONNX_TO_TORCH = {
    onnx.TensorProto.INT64: torch.int64, onnx.TensorProto.INT32: torch.int32,
    onnx.TensorProto.INT16: torch.int16, onnx.TensorProto.INT8: torch.int8,
    onnx.TensorProto.UINT8: torch.uint8, onnx.TensorProto.BOOL: torch.bool,
}


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _s(v):
    return v.decode() if isinstance(v, bytes) else v


class OnnxModule(nn.Module):
    def __init__(self, model, weights_override=None, dtype=torch.float32):
        super().__init__()
        if isinstance(model, (str, bytes)) or hasattr(model, "__fspath__"):
            model = onnx.load(model)
        self.onnx_model = model
        self.graph = model.graph
        self.dtype = dtype
        self.opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 13)
        weights_override = dict(weights_override or {})
        self._params = nn.ParameterList()
        self._param_index = {}
        self._consts = {}
        for init in self.graph.initializer:
            arr = numpy_helper.to_array(init)
            if init.name in weights_override:
                new = np.asarray(weights_override.pop(init.name))
                if tuple(new.shape) != tuple(arr.shape):
                    raise ValueError(f"override {init.name}: shape {new.shape} != {arr.shape}")
                arr = new
            if init.data_type in _FLOAT_TYPES:
                p = nn.Parameter(torch.tensor(np.array(arr, dtype=np.float64), dtype=dtype))
                self._param_index[init.name] = len(self._params)
                self._params.append(p)
            else:
                self._consts[init.name] = torch.from_numpy(np.array(arr))
        if weights_override:
            raise KeyError(f"weights_override names not in the model: {sorted(weights_override)}")
        self.input_names = [i.name for i in self.graph.input
                            if i.name not in self._param_index and i.name not in self._consts]
        self.output_names = [o.name for o in self.graph.output]

    # ---- weights -------------------------------------------------------------------------
    def param(self, name):
        return self._params[self._param_index[name]]

    def named_weights(self):
        return {n: self._params[i] for n, i in self._param_index.items()}

    # ---- evaluation ----------------------------------------------------------------------
    def forward(self, *inputs, return_all=False):
        env = {}
        for n, i in self._param_index.items():
            env[n] = self._params[i]
        env.update(self._consts)
        for name, x in zip(self.input_names, inputs):
            if isinstance(x, np.ndarray):
                x = torch.from_numpy(x)
            if x.is_floating_point():
                x = x.to(self.dtype)
            env[name] = x
        for node in self.graph.node:
            fn = getattr(self, "op_" + node.op_type, None)
            if fn is None or (node.domain not in ("", "ai.onnx")):
                raise NotImplementedError(f"ONNX op {node.domain}:{node.op_type} ({node.name})")
            ins = [env[i] if i else None for i in node.input]
            outs = fn(ins, _attrs(node), node)
            if not isinstance(outs, (tuple, list)):
                outs = (outs,)
            for name, v in zip(node.output, outs):
                if name:
                    env[name] = v
        if return_all:
            return env
        res = [env[n] for n in self.output_names]
        return res[0] if len(res) == 1 else tuple(res)

    # ---- helpers -------------------------------------------------------------------------
    def _pads(self, x, a, kernel, strides, dilations, pad_value=0.0, pool=False):
        """Return (x padded if needed, symmetric padding tuple for torch, explicit pads or None).
        Pads are applied explicitly when asymmetric, or (pool=True) larger than half the
        effective kernel, which torch's pooling functions refuse."""
        nd = len(kernel)
        auto_pad = _s(a.get("auto_pad", "NOTSET"))
        if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            pads_b, pads_e = [], []
            for d in range(nd):
                size = x.shape[2 + d]
                out = -(-size // strides[d])
                total = max(0, (out - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1 - size)
                small, big = total // 2, total - total // 2
                if auto_pad == "SAME_UPPER":
                    pads_b.append(small); pads_e.append(big)
                else:
                    pads_b.append(big); pads_e.append(small)
            pads = pads_b + pads_e
        elif auto_pad == "VALID":
            pads = [0] * (2 * nd)
        else:
            pads = list(a.get("pads", [0] * (2 * nd)))
        b, e = pads[:nd], pads[nd:]
        if b == e and not (pool and any(b[d] > ((kernel[d] - 1) * dilations[d] + 1) // 2
                                        for d in range(nd))):
            return x, tuple(b), None
        pad_arg = []
        for d in reversed(range(nd)):
            pad_arg += [b[d], e[d]]
        return F.pad(x, pad_arg, value=pad_value), (0,) * nd, (b, e)

    # ---- ops -----------------------------------------------------------------------------
    def op_Identity(self, i, a, n): return i[0]
    def op_Dropout(self, i, a, n):
        if (len(i) > 2 and i[2] is not None and bool(i[2])) or a.get("is_test", 1) == 0:
            raise NotImplementedError("Dropout in training mode")
        return (i[0], torch.ones_like(i[0], dtype=torch.bool))
    def op_Relu(self, i, a, n): return F.relu(i[0])
    def op_LeakyRelu(self, i, a, n): return F.leaky_relu(i[0], a.get("alpha", 0.01))
    def op_Elu(self, i, a, n): return F.elu(i[0], a.get("alpha", 1.0))
    def op_Selu(self, i, a, n):
        al, g = a.get("alpha", 1.67326319217681884765625), a.get("gamma", 1.05070102214813232421875)
        return g * torch.where(i[0] > 0, i[0], al * (torch.exp(i[0]) - 1))
    def op_PRelu(self, i, a, n):
        x, slope = i[0], i[1]
        if self.opset < 7 and slope.dim() == 1 and x.dim() > 2:
            slope = slope.reshape([-1] + [1] * (x.dim() - 2))
        return torch.where(x >= 0, x, x * slope)
    def op_Sigmoid(self, i, a, n): return torch.sigmoid(i[0])
    def op_Tanh(self, i, a, n): return torch.tanh(i[0])
    def op_Softplus(self, i, a, n): return F.softplus(i[0])
    def op_Erf(self, i, a, n): return torch.erf(i[0])
    def op_Exp(self, i, a, n): return torch.exp(i[0])
    def op_Log(self, i, a, n): return torch.log(i[0])
    def op_Sqrt(self, i, a, n): return torch.sqrt(i[0])
    def op_Reciprocal(self, i, a, n): return torch.reciprocal(i[0])
    def op_Neg(self, i, a, n): return torch.neg(i[0])
    def op_Abs(self, i, a, n): return torch.abs(i[0])
    def op_Floor(self, i, a, n): return torch.floor(i[0])
    def op_Ceil(self, i, a, n): return torch.ceil(i[0])
    def op_Not(self, i, a, n): return torch.logical_not(i[0])
    def op_Sin(self, i, a, n): return torch.sin(i[0])
    def op_Cos(self, i, a, n): return torch.cos(i[0])
    def op_Tan(self, i, a, n): return torch.tan(i[0])
    def op_Sign(self, i, a, n): return torch.sign(i[0])
    def op_Round(self, i, a, n): return torch.round(i[0])  # half to even, as ONNX
    def op_Softsign(self, i, a, n): return i[0] / (1 + i[0].abs())
    def op_ThresholdedRelu(self, i, a, n): return torch.where(i[0] > a.get("alpha", 1.0), i[0], torch.zeros_like(i[0]))
    def op_And(self, i, a, n): return torch.logical_and(i[0], i[1])
    def op_Or(self, i, a, n): return torch.logical_or(i[0], i[1])
    def op_Xor(self, i, a, n): return torch.logical_xor(i[0], i[1])
    def op_CastLike(self, i, a, n):
        return i[0].to(i[1].dtype)
    def op_Add(self, i, a, n): return i[0] + i[1]
    def op_Sub(self, i, a, n): return i[0] - i[1]
    def op_Mul(self, i, a, n): return i[0] * i[1]
    def op_Div(self, i, a, n):
        if not i[0].is_floating_point() and not i[1].is_floating_point():
            return torch.div(i[0], i[1], rounding_mode="trunc")
        return i[0] / i[1]
    def op_Pow(self, i, a, n): return torch.pow(i[0], i[1].to(i[0].dtype) if i[0].is_floating_point() else i[1])
    def op_Equal(self, i, a, n): return torch.eq(i[0], i[1])
    def op_Less(self, i, a, n): return torch.lt(i[0], i[1])
    def op_Greater(self, i, a, n): return torch.gt(i[0], i[1])
    def op_Where(self, i, a, n): return torch.where(i[0], i[1], i[2])
    def op_Max(self, i, a, n):
        r = i[0]
        for t in i[1:]: r = torch.maximum(r, t)
        return r
    def op_Min(self, i, a, n):
        r = i[0]
        for t in i[1:]: r = torch.minimum(r, t)
        return r
    def op_Sum(self, i, a, n):
        r = i[0]
        for t in i[1:]: r = r + t
        return r
    def op_Mean(self, i, a, n): return self.op_Sum(i, a, n) / len(i)

    def op_Clip(self, i, a, n):
        x = i[0]
        if self.opset < 11:
            lo, hi = a.get("min", None), a.get("max", None)
        else:
            lo = i[1] if len(i) > 1 and i[1] is not None else None
            hi = i[2] if len(i) > 2 and i[2] is not None else None
        if lo is not None: x = torch.maximum(x, torch.as_tensor(lo, dtype=x.dtype))
        if hi is not None: x = torch.minimum(x, torch.as_tensor(hi, dtype=x.dtype))
        return x

    def op_HardSigmoid(self, i, a, n):
        return torch.clamp(a.get("alpha", 0.2) * i[0] + a.get("beta", 0.5), 0, 1)

    def op_HardSwish(self, i, a, n):
        return i[0] * torch.clamp(i[0] / 6 + 0.5, 0, 1)

    def op_Softmax(self, i, a, n):
        axis = a.get("axis", -1 if self.opset >= 13 else 1)
        x = i[0]
        if self.opset >= 13:
            return torch.softmax(x, axis)
        shp = x.shape
        ax = axis % x.dim()
        return torch.softmax(x.reshape(int(np.prod(shp[:ax])), -1), 1).reshape(shp)

    def op_LogSoftmax(self, i, a, n):
        return torch.log_softmax(i[0], a.get("axis", -1 if self.opset >= 13 else 1))

    def op_Conv(self, i, a, n):
        x, w = i[0], i[1]
        b = i[2] if len(i) > 2 else None
        nd = w.dim() - 2
        k = list(a.get("kernel_shape", w.shape[2:]))
        strides = list(a.get("strides", [1] * nd))
        dil = list(a.get("dilations", [1] * nd))
        x, pad, _ = self._pads(x, a, k, strides, dil)
        conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nd]
        return conv(x, w, b, stride=strides, padding=pad, dilation=dil, groups=a.get("group", 1))

    def op_ConvTranspose(self, i, a, n):
        x, w = i[0], i[1]
        b = i[2] if len(i) > 2 else None
        nd = w.dim() - 2
        k = list(a.get("kernel_shape", w.shape[2:]))
        strides = list(a.get("strides", [1] * nd))
        dil = list(a.get("dilations", [1] * nd))
        outpad = list(a.get("output_padding", [0] * nd))
        group = a.get("group", 1)
        pads = list(a.get("pads", [0] * (2 * nd)))
        auto_pad = _s(a.get("auto_pad", "NOTSET"))
        if "output_shape" in a or auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            if "output_shape" in a:
                out_shape = list(a["output_shape"])[-nd:]
            else:
                out_shape = [x.shape[2 + d] * strides[d] for d in range(nd)]
            pads_b, pads_e = [], []
            for d in range(nd):
                total = (strides[d] * (x.shape[2 + d] - 1) + outpad[d] + ((k[d] - 1) * dil[d] + 1)
                         - out_shape[d])
                if total < 0:          # output larger than the full transposed conv: extend the end
                    outpad[d] += -total
                    total = 0
                if auto_pad != "SAME_LOWER":
                    pads_b.append(total // 2); pads_e.append(total - total // 2)
                else:
                    pads_b.append(total - total // 2); pads_e.append(total // 2)
            pads = pads_b + pads_e
        elif auto_pad == "VALID":
            pads = [0] * (2 * nd)
        conv = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[nd]
        y = conv(x, w, b, stride=strides, padding=0, output_padding=outpad, groups=group, dilation=dil)
        sl = [slice(None), slice(None)]
        for d in range(nd):
            sl.append(slice(pads[d], y.shape[2 + d] - pads[nd + d]))
        return y[tuple(sl)]

    def op_Gemm(self, i, a, n):
        A, B = i[0], i[1]
        C = i[2] if len(i) > 2 else None
        if a.get("transA", 0): A = A.t()
        if a.get("transB", 0): B = B.t()
        y = a.get("alpha", 1.0) * (A @ B)
        if C is not None:
            y = y + a.get("beta", 1.0) * C
        return y

    def op_MatMul(self, i, a, n): return torch.matmul(i[0], i[1])

    def op_BatchNormalization(self, i, a, n):
        if a.get("training_mode", 0) or len(n.output) > 1 and any(n.output[1:]):
            raise NotImplementedError("BatchNormalization in training mode")
        x, sc, bi, mean, var = i[:5]
        eps = a.get("epsilon", 1e-5)
        shp = [1, -1] + [1] * (x.dim() - 2)
        return (x - mean.reshape(shp)) / torch.sqrt(var.reshape(shp) + eps) * sc.reshape(shp) + bi.reshape(shp)

    def op_InstanceNormalization(self, i, a, n):
        return F.instance_norm(i[0], weight=i[1], bias=i[2], eps=a.get("epsilon", 1e-5))

    def op_LayerNormalization(self, i, a, n):
        x = i[0]
        axis = a.get("axis", -1) % x.dim()
        dims = tuple(range(axis, x.dim()))
        mean = x.mean(dim=dims, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
        inv = 1.0 / torch.sqrt(var + a.get("epsilon", 1e-5))
        y = (x - mean) * inv
        if len(i) > 1 and i[1] is not None:
            y = y * i[1]
        if len(i) > 2 and i[2] is not None:
            y = y + i[2]
        return (y, mean, inv)

    def _pool(self, x, a, kind):
        k = list(a["kernel_shape"])
        nd = len(k)
        strides = list(a.get("strides", [1] * nd))
        dil = list(a.get("dilations", [1] * nd))
        ceil = bool(a.get("ceil_mode", 0))
        if kind == "max":
            x, pad, asym = self._pads(x, a, k, strides, dil, pad_value=-math.inf, pool=True)
            pool = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}[nd]
            return pool(x, k, strides, pad, dil, ceil_mode=ceil)
        # average
        cip = bool(a.get("count_include_pad", 0))
        pool = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}[nd]
        xp, pad, asym = self._pads(x, a, k, strides, dil, pool=True)
        if asym is None and (cip or all(p == 0 for p in pad)) and not ceil:
            return pool(xp, k, strides, pad, ceil_mode=ceil, count_include_pad=cip)
        # general path: sum pool / count pool (handles asymmetric pads and ceil_mode)
        ones = torch.ones_like(x[:1, :1])
        onesp, _, _ = self._pads(ones, a, k, strides, dil, pool=True)
        s = pool(xp, k, strides, pad, ceil_mode=ceil, count_include_pad=True) * float(np.prod(k))
        if cip:
            # padded positions count, positions beyond the padded input (ceil_mode) do not
            fullp, _, _ = self._pads(torch.ones_like(ones), a, k, strides, dil, pad_value=1.0, pool=True)
            c = pool(fullp, k, strides, pad, ceil_mode=ceil, count_include_pad=True) * float(np.prod(k))
        else:
            c = pool(onesp, k, strides, pad, ceil_mode=ceil, count_include_pad=True) * float(np.prod(k))
        return s / c

    def op_MaxPool(self, i, a, n):
        if a.get("storage_order", 0) or (len(n.output) > 1 and n.output[1]):
            raise NotImplementedError("MaxPool with Indices output / storage_order")
        x = i[0]
        if not x.is_floating_point():
            return self._pool(x.double(), a, "max").to(x.dtype)
        return self._pool(x, a, "max")

    def op_AveragePool(self, i, a, n): return self._pool(i[0], a, "avg")
    def op_GlobalAveragePool(self, i, a, n): return i[0].mean(dim=tuple(range(2, i[0].dim())), keepdim=True)
    def op_GlobalMaxPool(self, i, a, n): return i[0].amax(dim=tuple(range(2, i[0].dim())), keepdim=True)

    def op_Flatten(self, i, a, n):
        x = i[0]
        ax = a.get("axis", 1)
        ax = ax + x.dim() if ax < 0 else ax
        return x.reshape(int(np.prod(x.shape[:ax])), -1) if ax > 0 else x.reshape(1, -1)

    def op_Reshape(self, i, a, n):
        x = i[0]
        shape = [int(s) for s in i[1].tolist()]
        if not a.get("allowzero", 0):
            shape = [x.shape[k] if s == 0 else s for k, s in enumerate(shape)]
        return x.reshape(shape)

    def op_Transpose(self, i, a, n):
        perm = a.get("perm", list(reversed(range(i[0].dim()))))
        return i[0].permute(*perm)

    def op_Concat(self, i, a, n):
        ts = [t for t in i if t is not None]
        if any(t.is_floating_point() for t in ts):
            ts = [t.to(self.dtype) for t in ts]
        return torch.cat(ts, a["axis"])

    def op_Shape(self, i, a, n):
        s = torch.tensor(list(i[0].shape), dtype=torch.int64)
        start, end = a.get("start", 0), a.get("end", None)
        return s[start:end]

    def op_Size(self, i, a, n): return torch.tensor(i[0].numel(), dtype=torch.int64)

    def op_Gather(self, i, a, n):
        x, idx = i[0], i[1].long()
        axis = a.get("axis", 0) % x.dim()
        idx = torch.where(idx < 0, idx + x.shape[axis], idx)
        out = torch.index_select(x, axis, idx.reshape(-1))
        return out.reshape(x.shape[:axis] + idx.shape + x.shape[axis + 1:])

    def _axes(self, i, a, pos=1):
        if self.opset >= 13 and len(i) > pos and i[pos] is not None:
            return [int(v) for v in i[pos].tolist()]
        return list(a["axes"]) if "axes" in a else None

    def op_Unsqueeze(self, i, a, n):
        x = i[0]
        axes = sorted(ax % (x.dim() + len(self._axes(i, a))) for ax in self._axes(i, a))
        for ax in axes:
            x = x.unsqueeze(ax)
        return x

    def op_Squeeze(self, i, a, n):
        x = i[0]
        axes = self._axes(i, a)
        if axes is None:
            return x.squeeze()
        for ax in sorted((ax % x.dim() for ax in axes), reverse=True):
            x = x.squeeze(ax)
        return x

    def op_Slice(self, i, a, n):
        x = i[0]
        if self.opset >= 10:
            starts, ends = i[1].tolist(), i[2].tolist()
            axes = i[3].tolist() if len(i) > 3 and i[3] is not None else list(range(len(starts)))
            steps = i[4].tolist() if len(i) > 4 and i[4] is not None else [1] * len(starts)
        else:
            starts, ends = a["starts"], a["ends"]
            axes = a.get("axes", list(range(len(starts))))
            steps = [1] * len(starts)
        for st, en, ax, sp in zip(starts, ends, axes, steps):
            ax = ax % x.dim()
            dim = x.shape[ax]
            if sp > 0:
                st = max(0, min(dim, st + dim if st < 0 else st))
                en = max(0, min(dim, en + dim if en < 0 else en))
                x = x.narrow(ax, st, max(0, en - st))[(slice(None),) * ax + (slice(None, None, sp),)]
            else:
                st = max(-1, min(dim - 1, st + dim if st < 0 else st))
                en = max(-1, min(dim - 1, en + dim if en < 0 else en))
                idx = torch.arange(st, en, sp, dtype=torch.long)
                x = torch.index_select(x, ax, idx)
        return x

    def op_Split(self, i, a, n):
        x = i[0]
        axis = a.get("axis", 0)
        if self.opset >= 13 and len(i) > 1 and i[1] is not None:
            split = [int(v) for v in i[1].tolist()]
        elif "split" in a:
            split = list(a["split"])
        else:
            k = len(n.output)
            split = [x.shape[axis] // k] * k
        return torch.split(x, split, axis)

    def op_Expand(self, i, a, n):
        shape = [int(s) for s in i[1].tolist()]
        x = i[0]
        out_shape = torch.broadcast_shapes(tuple(x.shape), tuple(shape))
        return x.expand(out_shape)

    def op_Tile(self, i, a, n): return i[0].repeat(*[int(v) for v in i[1].tolist()])

    def _reduce(self, i, a, fn):
        x = i[0]
        axes = self._axes(i, a) if self.opset >= 18 else (list(a["axes"]) if "axes" in a else None)
        keep = bool(a.get("keepdims", 1))
        if axes is None or len(axes) == 0:
            axes = list(range(x.dim()))
        return fn(x, dim=tuple(ax % x.dim() for ax in axes), keepdim=keep)

    def op_ReduceMean(self, i, a, n): return self._reduce(i, a, torch.mean)
    def op_ReduceMax(self, i, a, n): return self._reduce(i, a, torch.amax)
    def op_ReduceMin(self, i, a, n): return self._reduce(i, a, torch.amin)

    def op_ReduceProd(self, i, a, n):
        return self._reduce(i, a, lambda x, dim, keepdim: _reduce_dims(torch.prod, x, dim, keepdim))
    def op_ReduceL1(self, i, a, n): return self._reduce(i, a, lambda x, dim, keepdim: x.abs().sum(dim=dim, keepdim=keepdim))
    def op_ReduceL2(self, i, a, n): return self._reduce(i, a, lambda x, dim, keepdim: torch.sqrt((x * x).sum(dim=dim, keepdim=keepdim)))
    def op_ReduceSumSquare(self, i, a, n): return self._reduce(i, a, lambda x, dim, keepdim: (x * x).sum(dim=dim, keepdim=keepdim))
    def op_ReduceLogSum(self, i, a, n): return self._reduce(i, a, lambda x, dim, keepdim: torch.log(x.sum(dim=dim, keepdim=keepdim)))
    def op_ReduceLogSumExp(self, i, a, n): return self._reduce(i, a, lambda x, dim, keepdim: torch.logsumexp(x, dim=dim, keepdim=keepdim))

    def _arg(self, i, a, fn):
        x = i[0]
        axis = a.get("axis", 0)
        keep = bool(a.get("keepdims", 1))
        if a.get("select_last_index", 0):
            r = x.shape[axis] - 1 - fn(x.flip(axis), dim=axis, keepdim=keep)
        else:
            r = fn(x, dim=axis, keepdim=keep)
        return r.long()
    def op_ArgMax(self, i, a, n): return self._arg(i, a, torch.argmax)
    def op_ArgMin(self, i, a, n): return self._arg(i, a, torch.argmin)

    def op_ReduceSum(self, i, a, n):
        x = i[0]
        axes = self._axes(i, a)
        keep = bool(a.get("keepdims", 1))
        if not axes:
            if a.get("noop_with_empty_axes", 0):
                return x
            axes = list(range(x.dim()))
        return torch.sum(x, dim=tuple(ax % x.dim() for ax in axes), keepdim=keep)

    def op_Constant(self, i, a, n):
        if "value" in a:
            arr = numpy_helper.to_array(a["value"])
        elif "value_float" in a:
            arr = np.array(a["value_float"], dtype=np.float32)
        elif "value_floats" in a:
            arr = np.array(a["value_floats"], dtype=np.float32)
        elif "value_int" in a:
            arr = np.array(a["value_int"], dtype=np.int64)
        elif "value_ints" in a:
            arr = np.array(a["value_ints"], dtype=np.int64)
        else:
            raise NotImplementedError(f"Constant {list(a)}")
        t = torch.from_numpy(np.array(arr))
        return t.to(self.dtype) if t.is_floating_point() else t

    def op_ConstantOfShape(self, i, a, n):
        shape = [int(s) for s in i[0].tolist()]
        if "value" in a:
            v = numpy_helper.to_array(a["value"]).reshape(-1)[0]
            t = torch.full(shape, v.item(), dtype=torch.from_numpy(np.array([v])).dtype)
        else:
            t = torch.zeros(shape, dtype=torch.float32)
        return t.to(self.dtype) if t.is_floating_point() else t

    def op_Cast(self, i, a, n):
        to = a["to"]
        if to in (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE):
            return i[0].to(self.dtype)
        if to not in _ONNX_TO_TORCH:
            raise NotImplementedError(f"Cast to {onnx.TensorProto.DataType.Name(to)}")
        return i[0].to(_ONNX_TO_TORCH[to])

    def op_Range(self, i, a, n):
        return torch.arange(i[0].item(), i[1].item(), i[2].item(), dtype=i[0].dtype)

    def op_Pad(self, i, a, n):
        x = i[0]
        mode = _s(a.get("mode", "constant"))
        if self.opset >= 11:
            pads = [int(v) for v in i[1].tolist()]
            value = i[2].item() if len(i) > 2 and i[2] is not None else 0.0
        else:
            pads, value = list(a["pads"]), a.get("value", 0.0)
        nd = x.dim()
        arg = []
        for d in reversed(range(nd)):
            arg += [pads[d], pads[nd + d]]
        while len(arg) > 2 and arg[-1] == 0 and arg[-2] == 0:
            arg = arg[:-2]
        if mode == "constant":
            return F.pad(x, arg, value=value)
        y = F.pad(x.double() if not x.is_floating_point() else x, arg,
                  mode={"reflect": "reflect", "edge": "replicate"}[mode])
        return y.to(x.dtype)

    def op_Einsum(self, i, a, n): return torch.einsum(_s(a["equation"]), *i)


def _reduce_dims(fn, x, dim, keepdim):
    for d in sorted(dim, reverse=True):
        x = fn(x, dim=d, keepdim=keepdim)
    return x


def load_onnx_as_torch(path, weights_override=None, dtype=torch.float32):
    """Load an ONNX model as a callable torch module evaluating it with ONNX semantics.

    path: file name or onnx.ModelProto. weights_override: {initializer name: np.ndarray}
    replacing those initializers (shape must match). dtype: torch.float32 or torch.float64.
    """
    return OnnxModule(path, weights_override=weights_override, dtype=dtype).eval()


def weight_layers(model):
    """Weight layers as safer sees them: every Conv/ConvTranspose/Gemm/MatMul node whose
    weight operand is an initializer (possibly behind Identity/Transpose nodes), in graph
    (topological) order. Returns a list of dicts {name, op, node, shape, params, bias}.
    For MatMul the bias is the initializer added by an Add that directly consumes the
    MatMul output (the exporter's nn.Linear pattern), if any."""
    if isinstance(model, str):
        model = onnx.load(model)
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    producer = {o: nd for nd in g.node for o in nd.output}
    consumers = {}
    for nd in g.node:
        for i in nd.input:
            consumers.setdefault(i, []).append(nd)

    def resolve(name):
        seen = 0
        while name not in inits and name in producer and producer[name].op_type in ("Identity", "Transpose"):
            name = producer[name].input[0]
            seen += 1
        return name if name in inits else None

    def numel(name):
        return int(np.prod(inits[name].dims)) if name else 0

    layers = []
    for nd in g.node:
        if nd.op_type not in ("Conv", "ConvTranspose", "Gemm", "MatMul"):
            continue
        w = bias = None
        if nd.op_type == "MatMul":
            w = resolve(nd.input[1])
            if w is None:
                w = resolve(nd.input[0])
            if w is None:
                continue
            adds = [c for c in consumers.get(nd.output[0], []) if c.op_type == "Add"]
            if len(consumers.get(nd.output[0], [])) == 1 and adds:
                others = [resolve(x) for x in adds[0].input if x != nd.output[0]]
                if others and others[0] is not None:
                    bias = others[0]
        else:
            w = resolve(nd.input[1])
            if w is None:
                continue
            if len(nd.input) > 2 and nd.input[2]:
                bias = resolve(nd.input[2])
        layers.append({"name": w, "op": nd.op_type, "node": nd.name,
                       "shape": [int(d) for d in inits[w].dims],
                       "params": numel(w) + numel(bias), "bias": bias})
    return layers
