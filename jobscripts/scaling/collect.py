#!/usr/bin/python3
"""Collect a scaling series: per-stage times from PETSc logs into one CSV and a plot.

Each run of the series leaves RUN_DIR/log_P.csv, written by vitrum with
`-log_view :log_P.csv:ascii_csv` (one row per stage, event and rank; the row "STAGE,summary,RANK"
holds the stage's time on that rank), and RUN_DIR/atoms_P.txt (the number of atoms of that run).
For every run and stage this writes the time of the slowest rank (what the user waits for), the
mean over ranks (load balance), speed-up and parallel efficiency against the smallest run:
strong series (fixed N):  speed-up S = T(P0) P0 / T(P), efficiency E = T(P0) P0 / (T(P) P);
weak series (N/P fixed):  E = T(P0) / T(P).

    /usr/bin/python3 jobscripts/scaling/collect.py RUN_DIR --mode strong|weak [--plot scaling.png]
"""
import argparse
import csv
import glob
import os
import re
import sys
from collections import defaultdict

STAGE_ORDER = ["Read", "Structure", "Hessian", "Spectrum", "Modes", "Fit", "Main Stage"]


def read_log(path):
    """{stage: [time on rank 0, rank 1, ...]} from one PETSc ascii_csv log."""
    per_rank = defaultdict(dict)
    with open(path, newline="") as f:
        for row in csv.reader(f):
            if len(row) < 5 or row[1] != "summary":
                continue
            try:
                per_rank[row[0]][int(row[2])] = float(row[4])
            except ValueError:
                continue
    if not per_rank:
        sys.exit(f"collect.py: {path}: no stage summary rows (was the run made with -log_view :FILE:ascii_csv?)")
    return {stage: [t[r] for r in sorted(t)] for stage, t in per_rank.items()}


def collect(run_dir, mode):
    rows = []
    logs = sorted(glob.glob(os.path.join(run_dir, "log_*.csv")), key=lambda p: int(re.findall(r"log_(\d+)\.csv", p)[0]))
    if not logs:
        sys.exit(f"collect.py: {run_dir}: no log_P.csv files")
    base = {}
    for path in logs:
        ranks = int(re.findall(r"log_(\d+)\.csv", path)[0])
        atoms_file = os.path.join(run_dir, f"atoms_{ranks}.txt")
        atoms = int(open(atoms_file).read().split()[0]) if os.path.exists(atoms_file) else 0
        stages = read_log(path)
        for stage in sorted(stages, key=lambda s: STAGE_ORDER.index(s) if s in STAGE_ORDER else len(STAGE_ORDER)):
            times = stages[stage]
            tmax, tmean = max(times), sum(times) / len(times)
            if tmax <= 0:
                continue
            if stage not in base:
                base[stage] = (ranks, tmax)
            p0, t0 = base[stage]
            speedup = t0 / tmax * (p0 if mode == "strong" else 1)
            efficiency = t0 * p0 / (tmax * ranks) if mode == "strong" else t0 / tmax
            rows.append(dict(mode=mode, ranks=ranks, atoms=atoms, stage=stage, time_max=tmax, time_mean=tmean,
                             imbalance=tmax / tmean if tmean > 0 else 1.0, speedup=speedup, efficiency=efficiency))
    return rows


def write_csv(rows, path):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})


def plot(rows, path, mode):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    stages = [s for s in STAGE_ORDER if any(r["stage"] == s for r in rows)]
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for s in stages:
        sel = [r for r in rows if r["stage"] == s]
        p = [r["ranks"] for r in sel]
        axes[0].loglog(p, [r["time_max"] for r in sel], "o-", label=s)
        axes[1].loglog(p, [r["speedup"] for r in sel], "o-", label=s)
        axes[2].semilogx(p, [r["efficiency"] for r in sel], "o-", label=s)
    pmax = max(r["ranks"] for r in rows)
    if mode == "strong":
        axes[1].loglog([1, pmax], [1, pmax], "k--", lw=0.8, label="ideal")
    axes[0].set(xlabel="MPI ranks", ylabel="time of slowest rank (s)", title=f"{mode} scaling: time per stage")
    axes[1].set(xlabel="MPI ranks", ylabel="speed-up", title="speed-up")
    axes[2].set(xlabel="MPI ranks", ylabel="parallel efficiency", title="efficiency", ylim=(0, 1.2))
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run_dir")
    ap.add_argument("--mode", choices=["strong", "weak"], required=True)
    ap.add_argument("--csv", help="output CSV (default RUN_DIR/scaling.csv)")
    ap.add_argument("--plot", help="output PNG (default RUN_DIR/scaling.png; 'none' to skip)")
    a = ap.parse_args()
    rows = collect(a.run_dir, a.mode)
    out_csv = a.csv or os.path.join(a.run_dir, "scaling.csv")
    write_csv(rows, out_csv)
    print(f"collect.py: {len(rows)} rows -> {out_csv}")
    if a.plot != "none":
        out_png = a.plot or os.path.join(a.run_dir, "scaling.png")
        plot(rows, out_png, a.mode)
        print(f"collect.py: plot -> {out_png}")


if __name__ == "__main__":
    main()
