"""Tuning jobs against plain Optuna, one run, side by side.

    python benchmarks/tuning.py [--trials 30] [--seeds 5] [--overhead-trials 20] [--parallel-seeds 100]
    python benchmarks/tuning.py --parallel-only      # section 3 alone, about 15 minutes on one core

1. Per-trial overhead: a tuning job (one training job at a time) on a trivial objective,
   against a plain Optuna loop calling the same objective in-process. Target: under 0.3 s.
2. Search quality: the best validation accuracy after N trials tuning scikit-learn's
   HistGradientBoostingClassifier on the digits data set (ships with scikit-learn), for
   our Bayesian and Random strategies and plain Optuna TPE, mean over the seeds. Target:
   Bayesian at least as good as Random and as plain Optuna. Jobs run two at a time, one
   thread each. Early stopping is off (so no pruner rule is involved).
3. Parallel search quality, simulated (no jobs): the strategy objects the tuning program
   uses (jupyter_ext.tuning.search.Search, asked and told as run_tuning.py does) in an
   asynchronous loop where up to P trials are pending at once and end after seeded random
   durations, on a cheap 3-parameter objective (Branin in x1, x2 plus a log-scaled x3).
   Regret (value found minus the known optimum) after 10/20/30 trials for P = 1, 2, 4, 8:
   our Bayesian (a Gaussian process with the constant liar and a start-up that counts
   pending trials), Optuna's GPSampler as is (its own q-batch expected improvement over
   running trials), our Bayesian with strategy_config {"sampler": "tpe"} (TPE, pending-aware),
   Optuna's TPE with its defaults, and Random, against sequential plain Optuna TPE in the
   same run. Mean, spread (sd and 10th-90th percentile over the seeds) and the ratio of means
   with its bootstrap standard error. Target: our Bayesian within 10% of sequential TPE's
   mean regret at every P. 100 seeds by default (a ratio known to about ±0.1).
The machine's load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import heapq
import io
import math
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

TRIVIAL = """import argparse
p = argparse.ArgumentParser(); p.add_argument("-x", type=float); a = p.parse_args()
print(f"score: {-(a.x - 3) ** 2}")
"""

HGB = """import argparse
from sklearn.datasets import load_digits
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import train_test_split


def score(learning_rate, max_leaf_nodes, l2_regularization):
    X, y = load_digits(return_X_y=True)
    X_train, X_valid, y_train, y_valid = train_test_split(X, y, test_size=0.3, random_state=0)
    model = HistGradientBoostingClassifier(learning_rate=learning_rate, max_leaf_nodes=max_leaf_nodes,
                                           l2_regularization=l2_regularization, max_iter=30, random_state=0)
    return model.fit(X_train, y_train).score(X_valid, y_valid)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--learning_rate", type=float)
    p.add_argument("--max_leaf_nodes", type=int)
    p.add_argument("--l2_regularization", type=float)
    a = p.parse_args()
    print(f"accuracy: {score(a.learning_rate, a.max_leaf_nodes, a.l2_regularization)}")
"""


def _quiet(function, *args, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()):
        return function(*args, **kwargs)


def overhead(folder: Path, trials: int) -> tuple[float, float]:
    """Seconds per trial: (tuning job, plain Optuna in-process)."""
    import optuna

    from jupyter_ext import ContinuousParameter, Estimator, HyperparameterTuner

    (folder / "trivial.py").write_text(TRIVIAL)
    est = Estimator(str(folder / "trivial.py"), metric_definitions=[{"Name": "score", "Regex": "score: (\\S+)"}])
    tuner = HyperparameterTuner(est, "score", {"x": ContinuousParameter(0, 10)}, strategy="Random",
                                max_jobs=trials, random_seed=0)
    start = time.perf_counter()
    _quiet(tuner.fit, logs=False)
    ours = (time.perf_counter() - start) / trials
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=0))
    start = time.perf_counter()
    study.optimize(lambda t: -(t.suggest_float("x", 0, 10) - 3) ** 2, n_trials=trials)
    return ours, (time.perf_counter() - start) / trials


def quality(folder: Path, trials: int, seeds: int) -> dict[str, list[float]]:
    """Best validation accuracy per seed for each method."""
    import importlib.util

    import optuna

    from jupyter_ext import ContinuousParameter, Estimator, HyperparameterTuner, IntegerParameter

    (folder / "hgb.py").write_text(HGB)
    spec = importlib.util.spec_from_file_location("hgb", folder / "hgb.py")
    hgb = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hgb)
    ranges = {"learning_rate": ContinuousParameter(0.01, 1.0, "Logarithmic"),
              "max_leaf_nodes": IntegerParameter(4, 128, "Logarithmic"),
              "l2_regularization": ContinuousParameter(1e-6, 10.0, "Logarithmic")}
    est = Estimator(str(folder / "hgb.py"), metric_definitions=[{"Name": "accuracy", "Regex": "accuracy: (\\S+)"}])
    results: dict[str, list[float]] = {"Bayesian": [], "Random": [], "plain Optuna TPE": []}
    for seed in range(seeds):
        for strategy in ("Bayesian", "Random"):
            tuner = HyperparameterTuner(est, "accuracy", ranges, strategy=strategy, max_jobs=trials,
                                        max_parallel_jobs=2, random_seed=seed)
            _quiet(tuner.fit, logs=False)
            results[strategy].append(float(tuner.analytics().dataframe()["FinalObjectiveValue"].max()))
        study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
        study.optimize(lambda t: hgb.score(t.suggest_float("learning_rate", 0.01, 1.0, log=True),
                                           t.suggest_int("max_leaf_nodes", 4, 128, log=True),
                                           t.suggest_float("l2_regularization", 1e-6, 10.0, log=True)),
                       n_trials=trials)
        results["plain Optuna TPE"].append(study.best_value)
        print(f"seed {seed}: " + ", ".join(f"{k} {v[-1]:.4f}" for k, v in results.items()), flush=True)
    return results


# -- 3. parallel search quality ------------------------------------------------------
PARALLELISM = (1, 2, 4, 8)
CHECKPOINTS = (10, 20, 30)
BRANIN_MINIMUM = 0.397887  # at (x1, x2) = (-pi, 12.275), (pi, 2.275), (9.42478, 2.475); x3 = 0.2


def branin3(x1: float, x2: float, x3: float) -> float:
    """Branin-Hoo on x1 in [-5, 10], x2 in [0, 15], plus a bowl in log10(x3) centred on x3 = 0.2."""
    bowl = (x2 - 5.1 / (4 * math.pi ** 2) * x1 ** 2 + 5 / math.pi * x1 - 6) ** 2
    return bowl + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10 + 2 * (math.log10(x3) - math.log10(0.2)) ** 2


def branin3_ranges() -> dict:
    """The three ranges, as a user gives them to a HyperparameterTuner."""
    from jupyter_ext import ContinuousParameter

    return {"x1": ContinuousParameter(-5, 10, "Linear"), "x2": ContinuousParameter(0, 15, "Linear"),
            "x3": ContinuousParameter(1e-3, 10, "Logarithmic")}


def simulate(ask, tell, parallel: int, trials: int, seed: int) -> list[float]:
    """Objective values in the order trials end, with up to `parallel` pending at once.

    ask() gives (trial, hyperparameters), tell(trial, value) ends one; each trial lasts a
    seeded log-normal time, so trials end out of order as jobs on a cluster do.
    """
    clock, now = random.Random(f"durations {seed} {parallel}"), 0.0
    pending: list[tuple[float, int, object, float]] = []
    values: list[float] = []
    launched = 0
    while len(values) < trials:
        while launched < trials and len(pending) < parallel:
            trial, hyperparameters = ask()
            launched += 1
            heapq.heappush(pending, (now + clock.lognormvariate(0, 0.6), launched, trial,
                                     branin3(**hyperparameters)))
        now, _, trial, value = heapq.heappop(pending)
        tell(trial, value)
        values.append(value)
    return values


def our_search(strategy: str, config: dict, seed: int):
    """ask and tell of the Search the tuning program builds for a Minimize objective."""
    from jupyter_ext.tuning.search import Search

    search = Search(strategy, branin3_ranges(), seed, config, maximize=False)
    return search.ask, search.tell


def plain_optuna(sampler: str):
    """A maker of ask and tell of a plain Optuna sampler (TPE with its defaults, or the
    GPSampler with our Bayesian's start-up), for the same loop."""
    import optuna

    from jupyter_ext.tuning.strategies import distributions

    def make(seed: int):
        chosen = (optuna.samplers.TPESampler(seed=seed) if sampler == "tpe" else
                  optuna.samplers.GPSampler(seed=seed, n_startup_trials=3, warn_independent_sampling=False))
        study = optuna.create_study(sampler=chosen)
        dists = distributions(branin3_ranges())

        def ask():
            trial = study.ask(dists)
            return trial, dict(trial.params)

        return ask, study.tell

    return make


def sequential_tpe(trials: int, seed: int) -> list[float]:
    """Plain Optuna TPE, one trial at a time (study.optimize)."""
    import optuna

    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(lambda t: branin3(t.suggest_float("x1", -5, 10), t.suggest_float("x2", 0, 15),
                                     t.suggest_float("x3", 1e-3, 10, log=True)), n_trials=trials)
    return [t.value for t in study.trials]


OURS = "Bayesian (GP, pending-aware)"
PARALLEL_METHODS = {
    OURS: lambda seed: our_search("Bayesian", {}, seed),
    "Optuna GPSampler as is": plain_optuna("gp"),
    "Bayesian TPE (sampler tpe)": lambda seed: our_search("Bayesian", {"sampler": "tpe"}, seed),
    "Optuna TPE defaults": plain_optuna("tpe"),
    "Random": lambda seed: our_search("Random", {}, seed),
}


def regrets(values: list[float]) -> list[float]:
    """Regret after each checkpoint's number of trials."""
    return [min(values[:k]) - BRANIN_MINIMUM for k in CHECKPOINTS]


def parallel_quality(seeds: int) -> tuple[dict, list[list[float]], bool, dict]:
    """{(method, P): [regrets per seed]}, sequential TPE's regrets per seed, whether our
    Bayesian at P=1 gave exactly the plain GPSampler's values for every seed, and the
    seconds per suggestion of each method."""
    trials = max(CHECKPOINTS)
    sequential = [sequential_tpe(trials, seed) for seed in range(seeds)]
    cells, runs_at_1, cost = {}, {}, {}
    for name, make in PARALLEL_METHODS.items():
        start = time.perf_counter()
        for parallel in PARALLELISM:
            runs = [simulate(*make(seed), parallel, trials, seed) for seed in range(seeds)]
            runs_at_1.setdefault(name, runs)
            cells[name, parallel] = [regrets(values) for values in runs]
        cost[name] = (time.perf_counter() - start) / (seeds * trials * len(PARALLELISM))
        print(f"  {name}: {cost[name] * 1000:.1f} ms a suggestion", flush=True)
    identical = runs_at_1[OURS] == runs_at_1["Optuna GPSampler as is"]
    return cells, [regrets(values) for values in sequential], identical, cost


def _ratio_error(column: list[float], reference: list[float], draws: int = 2000) -> float:
    """Standard error of mean(column) / mean(reference), by a bootstrap over the seeds."""
    rng, n = random.Random(0), len(column)
    ratios = []
    for _ in range(draws):
        picks = [rng.randrange(n) for _ in range(n)]
        ratios.append(sum(column[i] for i in picks) / max(1e-12, sum(reference[i] for i in picks)))
    return statistics.stdev(ratios)


def _cell(column: list[float], reference: list[float]) -> str:
    deciles = statistics.quantiles(column, n=10, method="inclusive") if len(column) > 1 else [column[0]] * 9
    spread = statistics.stdev(column) if len(column) > 1 else 0.0
    ratio = statistics.mean(column) / statistics.mean(reference)
    error = _ratio_error(column, reference) if len(column) > 1 else 0.0
    return (f"{statistics.mean(column):5.2f} ±{spread:4.2f} [{deciles[0]:4.2f}-{deciles[-1]:5.2f}] "
            f"x{ratio:4.2f}±{error:4.2f}")


def print_parallel(cells: dict, sequential: list[list[float]], identical: bool, cost: dict, seeds: int) -> bool:
    """The table of section 3; True if the target is met."""
    reference = [list(column) for column in zip(*sequential)]
    print(f"\nparallel search quality (simulated), regret over {seeds} seeds: mean ±sd [10th-90th percentile] "
          "x ratio of means to sequential TPE's ±its standard error")
    print(f"{'':36s}" + "".join(f"{f'after {k} trials':40s}" for k in CHECKPOINTS))
    print(f"{'sequential Optuna TPE':36s}" + "".join(f"{_cell(c, c):40s}" for c in reference))
    missed = []
    for (name, parallel), runs in cells.items():
        columns = [list(column) for column in zip(*runs)]
        print(f"{f'{name} P={parallel}':36s}" + "".join(f"{_cell(c, r):40s}" for c, r in zip(columns, reference)))
        if name == OURS:
            missed += [f"P={parallel} after {k}" for k, c, r in zip(CHECKPOINTS, columns, reference)
                       if statistics.mean(c) > 1.1 * statistics.mean(r)]
    print("time a suggestion takes (with the simulated loop): " + ", ".join(f"{name} {1000 * c:.0f} ms" for name, c in cost.items()))
    print(f"our Bayesian at P=1 gives Optuna's GPSampler(seed, n_startup_trials=3) values exactly: "
          f"{'yes' if identical else 'NO'}")
    print(f"target ({OURS} within 10% of sequential TPE at every P) "
          + ("met" if not missed else "missed: " + ", ".join(missed)))
    return not missed and identical


def job_sections(args: argparse.Namespace) -> bool:
    """Sections 1 and 2 (real tuning jobs); True if their targets are met."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        os.environ["JUPYTER_EXT_HOME"] = str(folder / "home")
        os.environ["JUPYTER_EXT_DISPLAY"] = "text"
        ours, plain = overhead(folder, args.overhead_trials)
        results = quality(folder, args.trials, args.seeds)
    print(f"per trial: tuning job {ours:.3f} s, plain Optuna in-process {plain * 1000:.2f} ms; "
          f"overhead {ours - plain:.3f} s a trial (target < 0.3 s)")
    if not args.seeds:
        print("search quality skipped (--seeds 0)")
        return ours - plain < 0.3
    means = {k: statistics.mean(v) for k, v in results.items()}
    print(f"best validation accuracy after {args.trials} trials, mean of {args.seeds} seeds:")
    for name, value in means.items():
        print(f"  {name:18s} {value:.4f}  (ratio to plain Optuna TPE {value / means['plain Optuna TPE']:.4f})")
    return ours - plain < 0.3 and means["Bayesian"] >= means["Random"] and means["Bayesian"] >= means[
        "plain Optuna TPE"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--overhead-trials", type=int, default=20)
    parser.add_argument("--parallel-seeds", type=int, default=100)
    parser.add_argument("--parallel-only", action="store_true", help="only section 3 (no jobs)")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    ok = True if args.parallel_only else job_sections(args)
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} before section 3")
    if args.parallel_seeds:
        ok = print_parallel(*parallel_quality(args.parallel_seeds), args.parallel_seeds) and ok
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("targets met" if ok else "TARGETS MISSED")


if __name__ == "__main__":
    main()
