#!/usr/bin/python3
"""Loads a network exported by `convexcnn export` into PyTorch and checks that its predictions match ours.

Usage: /usr/bin/python3 bench/pytorch_roundtrip.py EXPORT_DIR [--tolerance 1e-4]
EXPORT_DIR holds model.safetensors, model.json and check.safetensors (inputs and our logits).
Reads safetensors with numpy only, so the `safetensors` package is not needed (Debian's PyTorch 1.13 lacks it).
Exit 0 when every prediction agrees and the logits match within the tolerance, 1 otherwise.
"""
import argparse
import json
import re
import struct
import sys

import numpy as np
import torch
from torch import nn


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        if t["dtype"] != "F32":
            raise SystemExit(f"{path}: tensor {name} is {t['dtype']}, expected F32")
        begin, end = t["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[begin:end], dtype="<f4").copy().reshape(t["shape"]))
    return out


def build(arch, tensors):
    """torch.nn.Sequential from the architecture string; parameters taken from layer<i>.weight/bias."""
    h, w, c = arch["input"]
    layers, shape = [], (c, h, w)
    for i, tok in enumerate(arch["spec"].split("-")):
        if m := re.fullmatch(r"conv(\d+)k(\d+)(?:s(\d+))?(?:p(\d+))?", tok):
            f, k, s, p = int(m[1]), int(m[2]), int(m[3] or 1), int(m[4] or 0)
            conv = nn.Conv2d(shape[0], f, k, stride=s, padding=p)
            conv.weight.data.copy_(tensors[f"layer{i}.weight"])
            conv.bias.data.copy_(tensors[f"layer{i}.bias"])
            layers.append(conv)
            shape = (f, (shape[1] + 2 * p - k) // s + 1, (shape[2] + 2 * p - k) // s + 1)
        elif tok == "relu":
            layers.append(nn.ReLU())
        elif m := re.fullmatch(r"(max|avg)pool(\d+)(?:s(\d+))?", tok):
            k, s = int(m[2]), int(m[3] or m[2])
            layers.append(nn.MaxPool2d(k, s) if m[1] == "max" else nn.AvgPool2d(k, s))
            shape = (shape[0], (shape[1] - k) // s + 1, (shape[2] - k) // s + 1)
        elif tok == "flatten":
            layers.append(nn.Flatten())
            shape = (int(np.prod(shape)),)
        elif m := re.fullmatch(r"(?:linear|fc)(\d+)", tok):
            if len(shape) == 3:
                layers.append(nn.Flatten())
                shape = (int(np.prod(shape)),)
            lin = nn.Linear(shape[0], int(m[1]))
            lin.weight.data.copy_(tensors[f"layer{i}.weight"])
            lin.bias.data.copy_(tensors[f"layer{i}.bias"])
            layers.append(lin)
            shape = (int(m[1]),)
        else:
            raise SystemExit(f"unknown token {tok!r} in {arch['spec']!r}")
    return nn.Sequential(*layers).eval()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("export_dir")
    ap.add_argument("--tolerance", type=float, default=1e-4, help="largest |logit difference| / (1 + |logit|)")
    a = ap.parse_args()
    torch.set_num_threads(2)
    arch = json.load(open(f"{a.export_dir}/model.json"))
    net = build(arch, read_safetensors(f"{a.export_dir}/model.safetensors"))
    check = read_safetensors(f"{a.export_dir}/check.safetensors")
    norm = arch["normalization"]
    mean = torch.tensor(norm["mean"]).view(1, 1, 1, -1)
    std = torch.tensor(norm["std"]).view(1, 1, 1, -1)
    x = ((check["inputs"] - mean) / std).permute(0, 3, 1, 2).contiguous()  # NHWC -> NCHW
    with torch.no_grad():
        ours, theirs = check["logits"], net(x)
    diff = ((theirs - ours).abs() / (1 + ours.abs())).max().item()
    agree = (theirs.argmax(1) == ours.argmax(1)).float().mean().item()
    print(f"torch {torch.__version__}: {arch['spec']}, {x.shape[0]} samples, "
          f"predictions agree {100 * agree:.2f} %, max relative logit difference {diff:.2e}")
    ok = agree == 1.0 and diff <= a.tolerance
    print("round trip OK" if ok else "round trip FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
