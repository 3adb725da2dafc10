#!/usr/bin/env python3
"""Top entries of a JFR recording's samples, by the first dev.convexcnn frame (and line) on each stack.

    jfr print --events jdk.ExecutionSample rec.jfr > exec.txt        # Java code running
    jfr print --events jdk.NativeMethodSample rec.jfr > native.txt   # threads in native code (BLAS)
    bench/sgd/jfr_top.py exec.txt 15
"""
import collections
import re
import sys


def main():
    text = open(sys.argv[1]).read()
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    events = re.split(r"jdk\.(?:ExecutionSample|NativeMethodSample)", text)[1:]
    where, threads, n = collections.Counter(), collections.Counter(), 0
    for ev in events:
        frames = re.findall(r"^\s+([\w.$<>]+)\(.*?\)\s+line: (\d+)", ev, re.M)
        if not frames:
            continue
        n += 1
        ours = [f"{f}:{line}" for f, line in frames if "convexcnn" in f][:2]
        # Outside our code (JIT-less Vector API, digests, class loading): the top frame names it.
        where[" <- ".join(ours) if ours else frames[0][0]] += 1
        m = re.search(r'sampledThread = "([^"]+)"', ev)
        threads[m.group(1) if m else "?"] += 1
    print(f"{n} samples")
    for k, v in where.most_common(top):
        print(f"{100 * v / n:5.1f} %  {k}")
    print("by thread: " + ", ".join(f"{k} {100 * v / n:.0f} %" for k, v in threads.most_common(4)))


if __name__ == "__main__":
    main()
