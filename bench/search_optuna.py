"""Optuna's TPESampler on the functions of bench/search-functions.ts, for `npm run bench`.

Usage: python3 search_optuna.py BUDGET SEEDS. Prints JSON: Optuna's version and, per function,
the median over seeds 0..SEEDS-1 of the best value found in BUDGET trials (minimised), with
TPESampler(seed=s) and every other setting at its default. The definitions must stay those of
search-functions.ts (same bounds, same choices, same formulas).
"""
import json
import math
import statistics
import sys

import optuna


def branin(trial):
    x1 = trial.suggest_float("x1", -5, 10)
    x2 = trial.suggest_float("x2", 0, 15)
    b = 5.1 / (4 * math.pi ** 2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


H6_ALPHA = [1.0, 1.2, 3.0, 3.2]
H6_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
H6_P = [[v * 1e-4 for v in row] for row in [
    [1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
    [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]]


def hartmann6(trial):
    x = [trial.suggest_float(f"x{j + 1}", 0, 1) for j in range(6)]
    return -sum(H6_ALPHA[i] * math.exp(-sum(H6_A[i][j] * (x[j] - H6_P[i][j]) ** 2 for j in range(6))) for i in range(4))


OPTIMIZER_COST = {"sgd": 0.9, "momentum": 0.35, "nesterov": 0.3, "adam": 0, "rmsprop": 0.15, "adagrad": 0.6}


def mixed(trial):
    learning_rate = trial.suggest_float("learning_rate", 1e-4, 1, log=True)
    batch_size = trial.suggest_categorical("batch_size", [16, 32, 64, 128, 256])
    width = trial.suggest_int("width", 1, 32)
    optimizer = trial.suggest_categorical("optimizer", list(OPTIMIZER_COST))
    rate = trial.suggest_float("rate", 0, 1)
    return ((math.log10(learning_rate) + 2) ** 2 / 2 + (math.log2(batch_size) - 6) ** 2 / 4
            + ((width - 20) / 10) ** 2 + OPTIMIZER_COST[optimizer] + 2 * (rate - 0.3) ** 2)


def main():
    budget, seeds = int(sys.argv[1]), int(sys.argv[2])
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    medians = {}
    for name, objective in [("branin", branin), ("hartmann6", hartmann6), ("mixed", mixed)]:
        bests = []
        for seed in range(seeds):
            study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed), direction="minimize")
            study.optimize(objective, n_trials=budget)
            bests.append(study.best_value)
        medians[name] = statistics.median(bests)
    print(json.dumps({"version": optuna.__version__, "medians": medians}))


if __name__ == "__main__":
    main()
