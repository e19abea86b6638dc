#!/usr/bin/env python3
"""Write the small recurrent and embedding ONNX test models in tests/fixtures/models/.

    nice -n 10 /usr/bin/python3 tools/make-recurrent-models.py

All take Fashion-MNIST images [N,1,28,28] (zoo/bundled/images.npy), read as 28 time steps of one
row each, and are briefly trained so that perturbing a layer changes the accuracy:

  lstm-rows.onnx    rows -> bidirectional LSTM(28 -> 12) -> last step -> Linear(24 -> 10).
                    ONNX LSTM with W [2, 48, 28], R [2, 48, 12], B [2, 96] initializers.
  gru-rows.onnx     rows -> GRU(28 -> 16) -> last step -> Linear(16 -> 10).
                    ONNX GRU with W [1, 48, 28], R [1, 48, 16].
  embed-rnn.onnx    pixels rounded to 8 grey levels (token ids, Cast to int64 in the graph)
                    -> Embedding(8, 3) (an ONNX Gather on a [8, 3] table) -> [N, 28, 84]
                    -> RNN(84 -> 16, tanh) -> last step -> Linear(16 -> 10).

Written with opset 14 (the first whose LSTM/GRU/RNN take the `layout` attribute is 14; torch
1.13 still writes layout 0 and a Transpose). <name>.layers.json lists, per model, what a user
expects safer to treat as weight layers (name, op, node, shape, params, bias), read from the ONNX
graph here, independently of safer's discovery.
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "zoo"))
import common  # noqa: E402

OUT = os.path.join(REPO, "tests", "fixtures", "models")
SEED = 11


class LstmRows(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 12, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(24, 10)

    def forward(self, x):
        out, _ = self.lstm(x.reshape(x.shape[0], 28, 28))
        return self.fc(out[:, -1, :])


class GruRows(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(28, 16, batch_first=True)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        out, _ = self.gru(x.reshape(x.shape[0], 28, 28))
        return self.fc(out[:, -1, :])


class EmbedRnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(8, 3)
        self.rnn = nn.RNN(84, 16, batch_first=True)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        tokens = torch.round(x.reshape(x.shape[0], 28, 28) * 7).long()
        e = self.embed(tokens).reshape(x.shape[0], 28, 84)
        out, _ = self.rnn(e)
        return self.fc(out[:, -1, :])


def quick_train(model, steps, seed):
    x, y = common.load_fashion_mnist("train")
    x, y = common.to_tensor_images(x), torch.from_numpy(y)
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for _ in range(steps):
        idx = torch.randint(0, len(x), (128,), generator=gen)
        loss = F.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    return loss.item()


def export(model, path):
    model.eval()
    torch.onnx.export(model, torch.zeros(2, 1, 28, 28), path, input_names=["input"], output_names=["logits"],
                      opset_version=14, do_constant_folding=True,
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
    m = onnx.load(path)
    onnx.checker.check_model(m)
    return m


def expected_layers(m):
    """Weight initializers a user expects as layers: Gemm/MatMul/Conv weights, Gather tables, LSTM/GRU/RNN W and R."""
    inits = {i.name: list(i.dims) for i in m.graph.initializer}
    layers = []
    for n in m.graph.node:
        wanted = {"Gemm": [1], "MatMul": [1], "Conv": [1], "Gather": [0], "LSTM": [1, 2], "GRU": [1, 2], "RNN": [1, 2]}.get(n.op_type, [])
        for i in wanted:
            if i < len(n.input) and n.input[i] in inits:
                # Only Conv/Gemm biases are per output channel; a recurrent B packs both biases of every gate.
                bias = n.input[2] if n.op_type in ("Gemm", "Conv") and len(n.input) > 2 and n.input[2] in inits else None
                params = int(np.prod(inits[n.input[i]])) + (int(np.prod(inits[bias])) if bias else 0)
                layers.append({"name": n.input[i], "op": n.op_type, "node": n.name, "shape": inits[n.input[i]],
                               "params": params, "bias": bias})
    return layers


def main():
    common.setup_threads(2)
    images = torch.from_numpy(np.load(os.path.join(REPO, "zoo", "bundled", "images.npy"))[:500])
    labels = torch.from_numpy(np.load(os.path.join(REPO, "zoo", "bundled", "labels.npy"))[:500])
    for name, cls, steps in [("lstm-rows", LstmRows, 300), ("gru-rows", GruRows, 300), ("embed-rnn", EmbedRnn, 300)]:
        common.set_seed(SEED)
        model = cls()
        loss = quick_train(model, steps, SEED)
        path = os.path.join(OUT, name + ".onnx")
        m = export(model, path)
        with torch.no_grad():
            acc = (model(images).argmax(1) == labels).float().mean().item()
        layers = expected_layers(m)
        with open(os.path.join(OUT, name + ".layers.json"), "w") as f:
            json.dump({"generator": "tools/make-recurrent-models.py", "torch": torch.__version__, "seed": SEED,
                       "accuracy_first_500": round(acc, 4), "layers": layers}, f, indent=2)
            f.write("\n")
        print(f"{name}: {os.path.getsize(path)} bytes, train loss {loss:.3f}, accuracy on 500 {acc:.3f}")
        for l in layers:
            print("   ", l["op"], l["name"], l["shape"], l["node"])


if __name__ == "__main__":
    main()
