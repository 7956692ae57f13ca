"""The numpy twin of the job mlp-lab users run: experiments/report.yaml's three models, trained as
the report did (report init, SGD lr 0.01, batch 30, shuffled once) for EPOCHS epochs, with a history
record every 400 iterations (cost and accuracy on all 10,000 test images, cost and accuracy on all
60,000 training images) and a final evaluation of both sets. float32, one thread (run it with
OPENBLAS_NUM_THREADS=1, pinned like mlp-lab). Timed inside Python, data loaded and converted first.
Prints one JSON object: seconds per repetition (wall, and CPU of the process), and each model's final
test accuracy.

With --charts DIR it also draws the seed's six figures with matplotlib, as the course code did: per
model, its training history (two panels: train and test cost, train and test accuracy, against
iterations) and its first layer's weights as 28x28 images (all 10 output units of [784,10], the
first 16 hidden units of the others, as mlp-lab's weight charts), each saved as a PNG at 100 dpi in
DIR. The import of matplotlib is inside the timing (of the first repetition: run one per process).

usage: python3 bench/numpy_job.py MNIST_DATA_DIR EPOCHS REPETITIONS [--charts DIR]
"""
import json
import os
import sys
import time

import numpy as np

MODELS = [([784, 10], []), ([784, 128, 64, 10], ["relu", "relu"]), ([784, 128, 64, 10], ["sigmoid", "sigmoid"])]
BATCH = 30
LR = np.float32(0.01)
EVERY = 400
CHUNK = 256


def load(data_dir, prefix):
    with open(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte"), "rb") as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    with open(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte"), "rb") as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8).astype(np.int64)
    return images.astype(np.float32) / np.float32(255), labels


def init(layers):
    params = []
    for n_in, n_out in zip(layers[:-1], layers[1:]):
        rng = np.random.RandomState(42)
        W = (rng.random_sample((n_in, n_out)) * 0.01).astype(np.float32)
        b = (rng.random_sample(n_out) * np.sqrt(1.0 / n_in)).astype(np.float32)
        params.append([W, b])
    return params


def activate(A, kind):
    if kind == "relu":
        np.maximum(A, 0, out=A)
    else:
        np.negative(A, out=A)
        np.exp(A, out=A)
        A += 1
        np.reciprocal(A, out=A)


def forward(params, hidden, X):
    activations = [X]
    A = X
    for i, (W, b) in enumerate(params):
        A = A @ W
        A += b
        if i < len(hidden):
            activate(A, hidden[i])
        activations.append(A)
    return activations


def softmax_xent(Z, y):
    Z = Z - Z.max(axis=1, keepdims=True)
    logsum = np.log(np.exp(Z).sum(axis=1))
    loss = float((logsum - Z[np.arange(len(y)), y]).sum())
    return Z, logsum, loss


def evaluate(params, hidden, images, labels):
    loss, correct = 0.0, 0
    for start in range(0, len(images), CHUNK):
        Z = forward(params, hidden, images[start:start + CHUNK])[-1]
        y = labels[start:start + CHUNK]
        correct += int((Z.argmax(axis=1) == y).sum())
        loss += softmax_xent(Z, y)[2]
    return loss / len(images), 100.0 * correct / len(images)


def train(layers, hidden, train_x, train_y, test_x, test_y, order, epochs):
    params = init(layers)
    n = len(order)
    iteration = 0
    history = []
    for _ in range(epochs):
        for start in range(0, n, BATCH):
            idx = order[start:start + BATCH]
            X, y = train_x[idx], train_y[idx]
            rows = len(y)
            acts = forward(params, hidden, X)
            Z, logsum, _ = softmax_xent(acts[-1], y)
            dZ = np.exp(Z - logsum[:, None])
            dZ[np.arange(rows), y] -= 1
            dZ /= np.float32(rows)
            for l in range(len(params) - 1, -1, -1):
                W, b = params[l]
                dW = acts[l].T @ dZ
                db = dZ.sum(axis=0)
                if l > 0:
                    dZ = dZ @ W.T
                    A = acts[l]
                    dZ *= (A > 0) if hidden[l - 1] == "relu" else A * (1 - A)
                W -= LR * dW
                b -= LR * db
            iteration += 1
            if iteration % EVERY == 0:
                history.append((iteration, evaluate(params, hidden, test_x, test_y), evaluate(params, hidden, train_x, train_y)))
    train_final = evaluate(params, hidden, train_x, train_y)
    return evaluate(params, hidden, test_x, test_y)[1], train_final, history, params


def draw(plt, out_dir, name, history, params):
    """The seed's two figures of one model, saved at 100 dpi."""
    iterations = [h[0] for h in history]
    fig, (cost, accuracy) = plt.subplots(1, 2, figsize=(12, 4.5))
    cost.plot(iterations, [h[2][0] for h in history], label="train")
    cost.plot(iterations, [h[1][0] for h in history], label="test")
    cost.set_xlabel("iteration")
    cost.set_ylabel("cost")
    cost.legend()
    accuracy.plot(iterations, [h[2][1] for h in history], label="train")
    accuracy.plot(iterations, [h[1][1] for h in history], label="test")
    accuracy.set_xlabel("iteration")
    accuracy.set_ylabel("accuracy (%)")
    accuracy.legend()
    fig.suptitle(f"{name}: training history")
    fig.savefig(os.path.join(out_dir, f"{name}-history.png"), dpi=100)
    plt.close(fig)

    W = params[0][0]
    units = W.shape[1] if len(params) == 1 else min(16, W.shape[1])
    columns = units if units <= 10 else 8
    rows = -(-units // columns)
    limit = float(np.percentile(np.abs(W[:, :units]), 99)) or 1.0
    fig, axes = plt.subplots(rows, columns, figsize=(1.2 * columns, 1.4 * rows + 0.6), squeeze=False)
    for j, ax in enumerate(axes.flat):
        ax.axis("off")
        if j < units:
            ax.imshow(W[:, j].reshape(28, 28), cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
            ax.set_title(f"{'class' if len(params) == 1 else 'unit'} {j}", fontsize=8)
    fig.suptitle(f"{name}: first-layer weights")
    fig.savefig(os.path.join(out_dir, f"{name}-weights.png"), dpi=100)
    plt.close(fig)


def main():
    data_dir, epochs, repetitions = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    charts = sys.argv[sys.argv.index("--charts") + 1] if "--charts" in sys.argv else None
    train_x, train_y = load(data_dir, "train")
    test_x, test_y = load(data_dir, "t10k")
    order = np.random.default_rng(42).permutation(len(train_x))
    seconds, cpu_seconds, accuracies, figures = [], [], [], []
    for _ in range(repetitions):
        start = time.perf_counter()
        cpu_start = time.process_time()
        plt = None
        if charts is not None:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        accuracies = []
        for layers, hidden in MODELS:
            accuracy, _, history, params = train(layers, hidden, train_x, train_y, test_x, test_y, order, epochs)
            accuracies.append(accuracy)
            if plt is not None:
                draw(plt, charts, "-".join(["softmax"] if not hidden else hidden[:1]), history, params)
        seconds.append(time.perf_counter() - start)
        cpu_seconds.append(time.process_time() - cpu_start)
        if charts is not None:
            figures = sorted(f for f in os.listdir(charts) if f.endswith(".png"))
    result = {"numpy": np.__version__, "seconds": seconds, "cpuSeconds": cpu_seconds, "testAccuracies": accuracies}
    if charts is not None:
        import matplotlib

        result["matplotlib"] = matplotlib.__version__
        result["figures"] = figures
    print(json.dumps(result))


if __name__ == "__main__":
    main()
