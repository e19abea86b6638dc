"""Zoo model 'vit': a small Vision Transformer on Fashion-MNIST: 4x4 patch embedding (Conv),
class token + learned position embedding, pre-norm encoder blocks (LayerNorm, multi-head
self-attention, GELU MLP), LayerNorm + Linear head on the class token. Exported at opset 13,
so LayerNorm and GELU are decomposed (ReduceMean/Sub/Pow/Sqrt/Div, Erf) and every Linear on
[N, T, D] tensors becomes MatMul with an [in, out] initializer + Add.

    nice -n 10 /usr/bin/python3 zoo/models/vit/train.py
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
import common  # noqa: E402

SEED = 107
EPOCHS = 15
DIM, DEPTH, HEADS, MLP, PATCH = 64, 6, 4, 128, 7
TRAIN = dict(lr=2e-3, batch_size=128, optimizer="adamw", weight_decay=0.05, augment=True,
             max_shift=2, flip=True, label_smoothing=0.1)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        n, t, d = x.shape
        qkv = self.qkv(x).reshape(n, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        att = torch.softmax((q @ k.transpose(-2, -1)) * self.scale, dim=-1)
        out = (att @ v).transpose(1, 2).reshape(n, t, d)
        return self.proj(out)


class Block(nn.Module):
    def __init__(self, dim, heads, mlp):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, mlp)
        self.fc2 = nn.Linear(mlp, dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class Net(nn.Module):
    def __init__(self, dim=DIM, depth=DEPTH, heads=HEADS, mlp=MLP, patch=PATCH):
        super().__init__()
        self.patch_embed = nn.Conv2d(1, dim, patch, patch)
        ntok = (28 // patch) ** 2
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.randn(1, ntok + 1, dim) * 0.02)
        self.blocks = nn.Sequential(*[Block(dim, heads, mlp) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, 10)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.patch_embed(x).flatten(2).transpose(1, 2)        # [N, (28/patch)^2, D]
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], 1) + self.pos_embed
        x = self.norm(self.blocks(x))
        return self.head(x[:, 0])


def main():
    common.set_seed(SEED)
    common.run_zoo_model("vit", Net(), HERE, epochs=EPOCHS, seed=SEED, rename=True,
                         description=f"ViT: patch {PATCH}, dim {DIM}, depth {DEPTH}, heads {HEADS}, "
                                     f"MLP {MLP}, class token, pre-norm, GELU",
                         train_kwargs=TRAIN)


if __name__ == "__main__":
    main()
