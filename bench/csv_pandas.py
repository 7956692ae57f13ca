"""The pandas twin of bench/csv.ts's reader: pandas.read_csv of the same table, then the same
encoding as mlp-lab's (`standardize: true`, categorical columns one-hot over the training rows'
sorted categories, a stratified 20% test split, float32 rows × inputs in C order). Prints one JSON
object: seconds (read + encode, inside Python; read_csv alone as read_seconds), rows, inputs, the process's peak RSS in MB.

usage: python3 bench/csv_pandas.py TABLE.csv
"""
import json
import resource
import sys
import time

import numpy as np
import pandas as pd


def main(file):
    started = time.perf_counter()
    frame = pd.read_csv(file)
    read_seconds = time.perf_counter() - started
    labels = frame.pop("label").to_numpy()
    categorical = frame.select_dtypes(exclude="number").columns.tolist()
    rng = np.random.default_rng(0)
    test = np.zeros(len(frame), dtype=bool)
    for value in np.unique(labels):
        rows = np.flatnonzero(labels == value)
        test[rng.permutation(rows)[: round(0.2 * len(rows))]] = True
    train = ~test
    numeric = frame.drop(columns=categorical).to_numpy(np.float32)
    mean = numeric[train].mean(axis=0, dtype=np.float64)
    std = numeric[train].std(axis=0, dtype=np.float64)
    numeric = ((numeric - mean) / np.where(std > 0, std, 1)).astype(np.float32)
    onehot = pd.get_dummies(frame[categorical], dtype=np.float32).to_numpy(np.float32)
    x = np.ascontiguousarray(np.hstack([numeric, onehot]))
    x_train, x_test = x[train], x[test]
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "read_seconds": read_seconds, "rows": len(x_train) + len(x_test), "inputs": x.shape[1], "peak_rss_mb": peak, "pandas": pd.__version__}))


if __name__ == "__main__":
    main(sys.argv[1])
