"""scikit-learn's MLPClassifier on experiments/wine.yaml's data with its settings, for the closing
note's comparison: the same training and test rows (data/wine-train.csv, data/wine-test.csv), the
same standardization (StandardScaler fitted on the training rows: population std, as mlp-lab's
`standardize`), the same layers, plain SGD without momentum, learning rate, batch size, epochs
(max_iter, with the tolerance-based stop switched off), reshuffled every epoch, no L2 (alpha=0;
experiments/wine.yaml sets no weight decay) and five seeds. Initialisation is scikit-learn's own
Glorot uniform (mlp-lab's `init: xavier` for relu; for logistic units scikit-learn narrows the
bound by sqrt(3)), and its seeds are not mlp-lab's: the accuracies compare as distributions.
Prints one JSON object: per model, the test accuracy and the final training and test costs
(mean cross-entropy, natural log: what mlp-lab's metrics.json calls train_cost and test_cost) per
seed, with their means and standard deviations over the seeds.

usage: python3 bench/wine_sklearn.py
"""
import json
import os
import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
MODELS = [("[13,3] softmax", (), "relu"), ("[13,32,3] relu", (32,), "relu"), ("[13,32,3] sigmoid", (32,), "logistic")]
EPOCHS, BATCH, LR, SEEDS = 100, 16, 0.05, range(5)


def load(name):
    frame = pd.read_csv(os.path.join(ROOT, "data", name))
    return frame.drop(columns="cultivar").to_numpy(np.float64), frame["cultivar"].to_numpy()


def summary(values):
    return {"per_seed": [round(v, 6) for v in values], "mean": round(float(np.mean(values)), 6), "std": round(float(np.std(values, ddof=1)), 6)}


def main():
    x_train, y_train = load("wine-train.csv")
    x_test, y_test = load("wine-test.csv")
    scaler = StandardScaler().fit(x_train)
    x_train, x_test = scaler.transform(x_train), scaler.transform(x_test)
    results = {}
    for label, hidden, activation in MODELS:
        runs = []
        for seed in SEEDS:
            model = MLPClassifier(
                hidden_layer_sizes=hidden, activation=activation, solver="sgd", learning_rate="constant",
                learning_rate_init=LR, momentum=0.0, nesterovs_momentum=False, batch_size=BATCH, max_iter=EPOCHS,
                shuffle=True, alpha=0.0, tol=0.0, n_iter_no_change=EPOCHS + 1, random_state=seed,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(x_train, y_train)
            runs.append({
                "test_accuracy": 100 * float(model.score(x_test, y_test)),
                "train_cost": float(log_loss(y_train, model.predict_proba(x_train), labels=model.classes_)),
                "test_cost": float(log_loss(y_test, model.predict_proba(x_test), labels=model.classes_)),
            })
        results[label] = {key: summary([r[key] for r in runs]) for key in runs[0]}
    print(json.dumps({"sklearn": __import__("sklearn").__version__, "models": results}, indent=1))


if __name__ == "__main__":
    main()
