#!/usr/bin/python3
"""PyTorch peer for the reference benchmark: the same net, data, optimiser and thread count as
`convexcnn train --arch reference`. Run with Debian's python3-torch (/usr/bin/python3).

Prints one JSON line: epoch seconds, test accuracy, torch version and thread count.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    if magic == 2051:
        n, h, w = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
        return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, 1, h, w)
    if magic == 2049:
        n = int.from_bytes(data[4:8], "big")
        return np.frombuffer(data, dtype=np.uint8, offset=8).astype(np.int64)
    raise ValueError(f"{path}: bad IDX magic {magic}")


def find(folder, stem):
    for name in (stem, stem + ".gz"):
        p = os.path.join(folder, name)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(os.path.join(folder, stem))


class Reference(nn.Module):
    """conv5x5(16)-ReLU-maxpool2-conv5x5(32)-ReLU-maxpool2-linear(512->10)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 5)
        self.conv2 = nn.Conv2d(16, 32, 5)
        self.fc = nn.Linear(512, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(torch.flatten(x, 1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="folder with the four IDX files (raw or .gz)")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    xtr = read_idx(find(a.data, "train-images-idx3-ubyte")).astype(np.float32) / 255
    ytr = read_idx(find(a.data, "train-labels-idx1-ubyte"))
    xte = read_idx(find(a.data, "t10k-images-idx3-ubyte")).astype(np.float32) / 255
    yte = read_idx(find(a.data, "t10k-labels-idx1-ubyte"))
    # The same normalisation as ConvexCNN: the training split's mean and std.
    mean, std = float(xtr.mean(dtype=np.float64)), float(xtr.std(dtype=np.float64))
    xtr = torch.from_numpy((xtr - mean) / std)
    xte = torch.from_numpy((xte - mean) / std)
    ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)

    model = Reference()
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum)
    n = xtr.shape[0]
    epoch_seconds = []
    for _ in range(a.epochs):
        t0 = time.perf_counter()
        order = torch.randperm(n)
        model.train()
        for i in range(0, n, a.batch_size):
            idx = order[i:i + a.batch_size]
            opt.zero_grad()
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
        epoch_seconds.append(time.perf_counter() - t0)
    model.eval()
    with torch.no_grad():
        correct = sum(int((model(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum()) for i in range(0, len(yte), 1000))
    print(json.dumps({
        "peer": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(),
        "epochSeconds": epoch_seconds, "meanEpochSeconds": sum(epoch_seconds) / len(epoch_seconds),
        "testAccuracy": correct / len(yte), "seed": a.seed,
    }))


if __name__ == "__main__":
    main()
