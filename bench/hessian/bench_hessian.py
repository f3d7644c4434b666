#!/usr/bin/python3
"""Hessian assembly benchmark: vitrum (BAIJ, SBAIJ, shell) for 3D Kob-Andersen samples of N atoms on 1
and 2 ranks, beside the dense numpy analytic Hessian a user would otherwise build (where it fits).

    bench_hessian.py --vitrum build/vitrum --sizes 10000 100000 --ranks 1 2 [--dense 500 1000 2000]
                     [--update docs/BENCHMARKS.md]

Samples: FCC lattice at number density 1.2 with uniform noise +-0.1 and random 80:20 species (the
Hessian's cost depends on the number of neighbours within the cutoff, as in a KA glass at this
density). Times: the VitHessAssemble event of -log_view (max over ranks: neighbour lists,
preallocation, block insertion, assembly and mass weighting), the time of one MatMult (average of the
checks' products) and the process wall time (including reading the text sample)."""
import argparse
import os
import re
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "potential"))
import vitref as vr  # noqa: E402


def make_sample(n_atoms, path):
    cells = int(round((n_atoms / 4) ** (1 / 3)))
    cell, x, types = vr.lattice_sample((cells,) * 3, 3, 1.2, 0.1, 0.8, seed=1)
    vr.write_data(path, cell, x, types)
    return len(x)


def run_vitrum(exe, sample, ranks, hessian_type):
    mpirun = os.environ.get("MPIRUN", "mpirun --allow-run-as-root --oversubscribe").split()
    argv = (mpirun + ["-n", str(ranks)] if ranks > 1 else []) + [exe, "hessian", "-sample", sample, "-potential", "ka3d",
                                                                "-hessian_type", hessian_type, "-hessian_h5_matrix", "false",
                                                                "-o", "bench.h5", "-log_view", ":bench.log"]
    t0 = time.time()
    out = subprocess.run(argv, capture_output=True, text=True)
    wall = time.time() - t0
    if out.returncode:
        sys.exit(out.stdout + out.stderr)
    log = open("bench.log").read().splitlines()
    assemble = next(float(ln.split()[3]) for ln in log if ln.startswith("VitHessAssemble"))
    mult = next(ln.split() for ln in log if ln.startswith("MatMult "))  # count, max time: per product
    mult_time = float(mult[3]) / int(mult[1])
    per_atom = float(re.search(r"memory .*\(([0-9.]+) bytes per atom\)", out.stdout).group(1))
    nnz = re.search(r"nonzeros +([0-9]+)", out.stdout)
    return assemble, mult_time, wall, per_atom, int(nnz.group(1)) if nnz else None


def dense_numpy(n_atoms):
    cells = int(round((n_atoms / 4) ** (1 / 3)))
    cell, x, types = vr.lattice_sample((cells,) * 3, 3, 1.2, 0.1, 0.8, seed=1)
    eps, sig = np.array(vr.KA["eps"]), np.array(vr.KA["sig"])
    t0 = time.time()
    H = vr.lj_hessian_numpy(x, types, cell, eps, sig, 2.5 * sig, True)
    return len(x), time.time() - t0, H.nbytes / len(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vitrum", required=True)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    ap.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--types", nargs="+", default=["baij", "sbaij", "shell"])
    ap.add_argument("--dense", type=int, nargs="*", default=[500, 1000, 2000])
    ap.add_argument("--update", help="replace the '## Hessian' section of this markdown file")
    a = ap.parse_args()
    rows = ["| N | ranks | type | assembly (s) | MatMult (s) | wall (s) | bytes/atom | nonzeros/atom |", "|---|---|---|---|---|---|---|---|"]
    for n in a.sizes:
        natoms = make_sample(n, "bench.data")
        for ranks in a.ranks:
            for t in a.types:
                assemble, mult, wall, per_atom, nnz = run_vitrum(a.vitrum, "bench.data", ranks, t)
                rows.append("| %d | %d | vitrum %s | %.3f | %.4f | %.2f | %.0f | %s |" % (natoms, ranks, t, assemble, mult, wall, per_atom, "%.1f" % (nnz / natoms) if nnz else "-"))
                print(rows[-1], flush=True)
    for n in a.dense:
        natoms, seconds, per_atom = dense_numpy(n)
        rows.append("| %d | 1 | numpy dense analytic | %.3f | - | - | %.0f | %d |" % (natoms, seconds, per_atom, 9 * natoms))
        print(rows[-1], flush=True)
    table = "\n".join(rows) + "\n"
    if a.update:
        cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
        section = ("## Hessian\n\nMeasured with `bench/hessian/bench_hessian.py` on %s (%d cores, shared with other jobs while"
                   " measured: times are indicative). 3D Kob-Andersen (ka3d, rc = 2.5 sigma_ab), density 1.2.\n"
                   "bytes/atom: stored values + block column indices + row offsets (BAIJ/SBAIJ), neighbour list +"
                   " 2 coefficients per neighbour (shell), 9N doubles (dense).\n\n%s\n" % (cpu, os.cpu_count(), table))
        text = open(a.update).read() if os.path.exists(a.update) else "# Benchmarks\n\n"
        m = re.search(r"^## Hessian\n.*?(?=^## |\Z)", text, flags=re.S | re.M)
        text = text[:m.start()] + section + text[m.end():] if m else text.rstrip("\n") + "\n\n" + section
        open(a.update, "w").write(text)


if __name__ == "__main__":
    main()
