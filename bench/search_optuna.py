"""Optuna's TPESampler on the functions of bench/search-functions.ts, for `npm run bench`.

Usage: python3 search_optuna.py BUDGET SEEDS [BATCH]. Prints JSON: Optuna's version and, per
function, the best value found in BUDGET trials (minimised) for each seed 0..SEEDS-1, with
TPESampler(seed=s) and every other setting at its default. BATCH 1 (the default) is
study.optimize, one trial at a time; BATCH b asks b trials, evaluates them and tells their values
before asking the next b, the rounds mlp-lab's TPE proposes in (the trials asked and not yet told
are RUNNING: the constant liar, on by default, counts them as bad). The definitions must stay
those of search-functions.ts (same bounds, same choices, same formulas).
"""
import json
import math
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


def best_found(objective, seed, budget, batch):
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed), direction="minimize")
    if batch == 1:
        study.optimize(objective, n_trials=budget)
    else:
        for start in range(0, budget, batch):
            trials = [study.ask() for _ in range(min(batch, budget - start))]
            values = [objective(trial) for trial in trials]
            for trial, value in zip(trials, values):
                study.tell(trial, value)
    return study.best_value


def main():
    budget, seeds = int(sys.argv[1]), int(sys.argv[2])
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    bests = {
        name: [best_found(objective, seed, budget, batch) for seed in range(seeds)]
        for name, objective in [("branin", branin), ("hartmann6", hartmann6), ("mixed", mixed)]
    }
    print(json.dumps({"version": optuna.__version__, "bests": bests}))


if __name__ == "__main__":
    main()
