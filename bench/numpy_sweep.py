"""The numpy twin of bench/sweep.ts's sweep: RUNS runs of [784,32,10] relu/softmax (He init, one seed
each, SGD lr 0.01, batch 30, shuffled once), 1 epoch on the first TRAIN training images, then the
final evaluation of those images and of the first TEST test images. float32, one thread (run it
with OPENBLAS_NUM_THREADS=1, pinned like mlp-lab). Timed inside Python, data loaded first: numpy's
runs pay no bookkeeping at all, so the difference per run is mlp-lab's fixed cost.
Prints one JSON object: seconds (wall and CPU) of all the runs, and the mean test accuracy.

usage: python3 bench/numpy_sweep.py MNIST_DATA_DIR RUNS TRAIN TEST
"""
import json
import sys
import time

import numpy as np

from numpy_job import BATCH, LR, evaluate, forward, load, softmax_xent

LAYERS = [784, 32, 10]
HIDDEN = ["relu"]


def train(seed, train_x, train_y):
    rng = np.random.default_rng(seed)
    params = [
        [(rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)).astype(np.float32), np.zeros(n_out, np.float32)]
        for n_in, n_out in zip(LAYERS[:-1], LAYERS[1:])
    ]
    order = rng.permutation(len(train_x))
    for start in range(0, len(order), BATCH):
        idx = order[start:start + BATCH]
        X, y = train_x[idx], train_y[idx]
        acts = forward(params, HIDDEN, X)
        Z, logsum, _ = softmax_xent(acts[-1], y)
        dZ = np.exp(Z - logsum[:, None])
        dZ[np.arange(len(y)), y] -= 1
        dZ /= np.float32(len(y))
        for l in range(len(params) - 1, -1, -1):
            W, b = params[l]
            dW = acts[l].T @ dZ
            db = dZ.sum(axis=0)
            if l > 0:
                dZ = dZ @ W.T
                dZ *= acts[l] > 0
            W -= LR * dW
            b -= LR * db
    return params


def main():
    data_dir, runs, n_train, n_test = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    train_x, train_y = load(data_dir, "train")
    test_x, test_y = load(data_dir, "t10k")
    train_x, train_y, test_x, test_y = train_x[:n_train], train_y[:n_train], test_x[:n_test], test_y[:n_test]
    start, cpu_start = time.perf_counter(), time.process_time()
    accuracies = []
    for seed in range(1, runs + 1):
        params = train(seed, train_x, train_y)
        evaluate(params, HIDDEN, train_x, train_y)
        accuracies.append(evaluate(params, HIDDEN, test_x, test_y)[1])
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    print(json.dumps({"numpy": np.__version__, "seconds": seconds, "cpuSeconds": cpu, "meanTestAccuracy": sum(accuracies) / runs}))


if __name__ == "__main__":
    main()
