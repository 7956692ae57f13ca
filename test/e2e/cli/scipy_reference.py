"""Independent check of `mlp-lab compare --by activation --baseline sigmoid` on a results store.

Reads every run's config.json and metrics.json under results/<experiment>/runs/, pairs relu and
sigmoid runs by (learning_rate, init, seed) on its own, and prints, per (learning_rate, init) and
over all pairs, what scipy computes: mean difference, 95% t interval, ttest_rel and wilcoxon
p-values (scipy's defaults). Usage: python3 scipy_reference.py RUNS_DIR
"""
import json
import math
import os
import sys

import numpy as np
from scipy import stats


def main(runs_dir):
    runs = {}
    for run_id in sorted(os.listdir(runs_dir)):
        folder = os.path.join(runs_dir, run_id)
        with open(os.path.join(folder, 'config.json')) as f:
            config = json.load(f)
        metrics_file = os.path.join(folder, 'metrics.json')
        if not os.path.exists(metrics_file):
            continue
        with open(metrics_file) as f:
            metrics = json.load(f)
        if metrics['status'] != 'completed':
            continue
        key = (config['learning_rate'], config['init']['scheme'], config['seed'])
        runs.setdefault(key, {})[config['activations'][0]] = metrics['test_accuracy']

    slices = {}
    for (lr, init, seed), by_activation in sorted(runs.items()):
        if 'relu' in by_activation and 'sigmoid' in by_activation:
            slices.setdefault((lr, init), []).append((by_activation['relu'], by_activation['sigmoid']))

    out = []
    every = []
    for (lr, init), pairs in sorted(slices.items()):
        every.extend(pairs)
        out.append(summary(f'learning_rate={lr:g} init={init}', pairs))
    out.append(summary('all', every))
    json.dump({'scipy': __import__('scipy').__version__, 'rows': out}, sys.stdout)


def summary(name, pairs):
    relu = np.array([p[0] for p in pairs])
    sigmoid = np.array([p[1] for p in pairs])
    d = relu - sigmoid
    t = stats.ttest_rel(relu, sigmoid)
    ci = t.confidence_interval(0.95)
    return {
        'slice': name, 'n': len(d), 'mean_diff': float(d.mean()),
        'ci_low': float(ci.low), 'ci_high': float(ci.high),
        'p_t': float(t.pvalue), 'p_wilcoxon': float(stats.wilcoxon(relu, sigmoid).pvalue),
    }


if __name__ == '__main__':
    main(sys.argv[1])
