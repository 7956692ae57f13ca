"""The benchmark's numpy twin of bench/bench.ts: the same training epoch, evaluation and products in
float32 on one thread (run with OPENBLAS_NUM_THREADS=1). Prints one JSON object on stdout.

usage: python3 bench/numpy_reference.py MNIST_DATA_DIR REPETITIONS
"""
import json
import os
import sys
import time

import numpy as np

LAYERS = [784, 128, 64, 10]
BATCH = 30
LR = np.float32(0.01)


def read_idx(path, header):
    with open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=header)


def load(data_dir, prefix, count_hint=None):
    images = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte"), 16).reshape(-1, 784)
    labels = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte"), 8)
    return (images.astype(np.float32) / np.float32(255)), labels.astype(np.int64)


def init(rng):
    params = []
    for n_in, n_out in zip(LAYERS[:-1], LAYERS[1:]):
        W = (rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)).astype(np.float32)
        params.append([W, np.zeros(n_out, dtype=np.float32)])
    return params


def epoch(params, images, labels, order):
    (W1, b1), (W2, b2), (W3, b3) = params
    n = len(order)
    for start in range(0, n, BATCH):
        idx = order[start:start + BATCH]
        X = images[idx]
        y = labels[idx]
        rows = X.shape[0]
        A1 = X @ W1
        A1 += b1
        np.maximum(A1, 0, out=A1)
        A2 = A1 @ W2
        A2 += b2
        np.maximum(A2, 0, out=A2)
        Z = A2 @ W3
        Z += b3
        Z -= Z.max(axis=1, keepdims=True)
        np.exp(Z, out=Z)
        Z /= Z.sum(axis=1, keepdims=True)
        Z[np.arange(rows), y] -= 1
        Z /= np.float32(rows)
        dW3 = A2.T @ Z
        db3 = Z.sum(axis=0)
        dA2 = Z @ W3.T
        dA2 *= A2 > 0
        dW2 = A1.T @ dA2
        db2 = dA2.sum(axis=0)
        dA1 = dA2 @ W2.T
        dA1 *= A1 > 0
        dW1 = X.T @ dA1
        db1 = dA1.sum(axis=0)
        W1 -= LR * dW1
        b1 -= LR * db1
        W2 -= LR * dW2
        b2 -= LR * db2
        W3 -= LR * dW3
        b3 -= LR * db3


def evaluate(params, images, labels, chunk=256):
    correct = 0
    for start in range(0, len(images), chunk):
        A = images[start:start + chunk]
        for i, (W, b) in enumerate(params):
            A = A @ W + b
            if i < len(params) - 1:
                np.maximum(A, 0, out=A)
        correct += int((A.argmax(axis=1) == labels[start:start + chunk]).sum())
    return 100.0 * correct / len(images)


def gflops(m, n, k, kind, rng, seconds=0.25):
    shapes = {"gemm": ((m, k), (k, n)), "gemmNT": ((m, k), (n, k)), "gemmTN": ((k, m), (k, n))}
    a_shape, b_shape = shapes[kind]
    A = rng.standard_normal(a_shape).astype(np.float32)
    B = rng.standard_normal(b_shape).astype(np.float32)
    op = {"gemm": lambda: A @ B, "gemmNT": lambda: A @ B.T, "gemmTN": lambda: A.T @ B}[kind]
    op()
    reps, start = 0, time.perf_counter()
    while True:
        op()
        reps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return 2.0 * m * n * k * reps / elapsed / 1e9


def blas_kernel():
    """Which BLAS and kernel (core type) numpy runs: threadpoolctl's answer, else OpenBLAS asked directly."""
    try:
        from threadpoolctl import threadpool_info
        return "; ".join(f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')}, {i.get('num_threads')} thread(s) (threadpoolctl)"
                         for i in threadpool_info())
    except ImportError:
        pass
    import ctypes
    libs = sorted({line.split()[-1] for line in open("/proc/self/maps") if "openblas" in line.lower() and ".so" in line})
    for path in libs:
        lib = ctypes.CDLL(path)
        for prefix, suffix in (("scipy_openblas_", "64_"), ("openblas_", ""), ("scipy_openblas_", "")):
            try:
                core = getattr(lib, f"{prefix}get_corename{suffix}")
                config = getattr(lib, f"{prefix}get_config{suffix}")
                threads = getattr(lib, f"{prefix}get_num_threads{suffix}")
            except AttributeError:
                continue
            core.restype = config.restype = ctypes.c_char_p
            return f"{config().decode()}; kernel {core().decode()}, {threads()} thread(s) (asked OpenBLAS; threadpoolctl not installed)"
    return "unknown BLAS (threadpoolctl not installed, no OpenBLAS loaded)"


def main():
    data_dir, repetitions = sys.argv[1], int(sys.argv[2])
    products = json.loads(sys.argv[3])
    train_x, train_y = load(data_dir, "train")
    test_x, test_y = load(data_dir, "t10k")
    rng = np.random.default_rng(1)
    order = rng.permutation(len(train_x))
    epochs, evals, accuracy = [], [], None
    for _ in range(repetitions):
        params = init(np.random.default_rng(42))
        start = time.perf_counter()
        epoch(params, train_x, train_y, order)
        epochs.append(time.perf_counter() - start)
        start = time.perf_counter()
        accuracy = evaluate(params, test_x, test_y)
        evals.append(time.perf_counter() - start)
    peak = max(gflops(1024, 1024, 1024, "gemm", rng, 1.0) for _ in range(3))
    kernel = blas_kernel()
    print(json.dumps({
        "numpy": np.__version__,
        "blas": kernel,
        "epochSeconds": epochs,
        "evalSeconds": evals,
        "testAccuracy": accuracy,
        "products": [gflops(m, n, k, kind, rng) for kind, m, n, k in products],
        "peakGflops": peak,
    }))


if __name__ == "__main__":
    main()
