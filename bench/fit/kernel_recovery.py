"""How many samples does the ridge fit need to recover the exact <omega^2> kernel of a pair
potential? Generates a Kob-Andersen ensemble with LAMMPS (500 atoms, melt at T = 3, quench to
T in 0.3..2.0, one sample per seed), builds the dataset with vitrum features (g on bins of 0.005
up to r = 3, <omega^2> = Tr(H)/(dN)), and fits growing subsets with vitrum fit -potential ka3d,
reporting the correlation of the fitted weights with the exact kernel and the held-out R^2.

    /usr/bin/python3 bench/fit/kernel_recovery.py --vitrum build/vitrum --samples 192 --workdir /tmp/kr

Subsets: 24, 48, 96, ... samples (doubling) below --samples, then --samples itself (so --samples
192 gives the rows 24 / 48 / 96 / 192 of docs/fit.md, and --samples 12 one row of 12; at least 8,
so that the default 25% held out is two samples). The fit learns the kernel from the data:
--fit_options always starts with -fit_prior none (fit's default -fit_prior auto would shrink
towards the exact kernel that is being measured); give more options (default -fit_smooth 2
-fit_test_fraction 0.25) after it. The table's numbers are read from each model file: held-out
R^2 /model/metrics/test/r2, the correlation of /model/W with the exact kernel /model/kernel/K
(numpy's corrcoef), lambda /model/lambda. A relative --vitrum is taken from the
folder the script starts in (before --workdir).
"""
import argparse
import os
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "fit"))
from fitlib import KA3D_LIQUID_LAMMPS  # noqa: E402

MIN_SAMPLES = 8  # 25% held out (the default) is two samples: an R^2 needs two


def subset_sizes(total, first=24):
    sizes = []
    n = first
    while n < total:
        sizes.append(n)
        n *= 2
    return sizes + [total]


def run(cmd, what):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode:
        sys.exit(f"kernel_recovery: {what} failed (status {proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-2000:]}")
    return proc.stdout


def model_row(path):
    """Held-out R^2, correlation of W with the exact kernel, lambda: from the model file."""
    with h5py.File(path, "r") as f:
        m = f["/model"]
        if "test" not in m["metrics"]:
            sys.exit(f"kernel_recovery: {path} has no held-out rows: give --fit_options with -fit_test_fraction > 0 or -fit_test_samples")
        if "kernel" not in m:
            sys.exit(f"kernel_recovery: {path} has no exact kernel (/model/kernel/K): fit needs -potential ka3d and the target omega2_mean")
        r2 = m["metrics/test/r2"][0]
        corr = np.corrcoef(m["W"][0], m["kernel/K"][()])[0, 1]
        return r2, corr, m["lambda"][0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vitrum", default=os.environ.get("VITRUM", "vitrum"))
    ap.add_argument("--lmp", default="lmp", help="LAMMPS executable")
    ap.add_argument("--samples", type=int, default=192, help=f"largest subset (>= {MIN_SAMPLES})")
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--fit_options", default="-fit_smooth 2 -fit_test_fraction 0.25",
                    help="options of vitrum fit after -fit_prior none (give them as --fit_options=\"...\")")
    ap.add_argument("--workdir", default=".")
    args = ap.parse_args()
    if args.samples < MIN_SAMPLES:
        ap.error(f"--samples {args.samples}: give at least {MIN_SAMPLES} (with 25% held out, two: an R^2 needs two)")
    for name in ("vitrum", "lmp"):  # a path, not a name looked up on PATH: relative to where the script started
        if os.sep in getattr(args, name):
            setattr(args, name, os.path.abspath(getattr(args, name)))
    os.makedirs(args.workdir, exist_ok=True)
    os.chdir(args.workdir)
    mpirun = os.environ.get("MPIRUN", "mpirun --allow-run-as-root --oversubscribe").split() + ["-n", str(args.ranks), args.vitrum]

    os.makedirs("ensemble", exist_ok=True)
    open("in.ka", "w").write(KA3D_LIQUID_LAMMPS)
    for s in range(args.samples):
        if not os.path.exists(f"ensemble/ka_{s + 1:04d}.data"):
            T = 0.3 + 1.7 * ((s * 0.618034) % 1.0)  # temperatures spread evenly in any prefix of the list
            run([args.lmp, "-in", "in.ka", "-var", "T", str(T), "-var", "seed", f"{s + 1:04d}", "-log", "none", "-screen", "none"], "LAMMPS")
    spectrum = ["-potential", "ka3d", "-spectrum_nev", "0", "-spectrum_kpm", "0", "-spectrum_inertia", "0"]
    fit_options = ["-fit_prior", "none"] + args.fit_options.split()
    print(f"fit options: {' '.join(fit_options)}")
    print("| samples | held-out R^2 | correlation of W with the exact kernel | lambda |")
    print("|---|---|---|---|")
    for n in subset_sizes(args.samples):
        open("list.txt", "w").write("".join(f"ensemble/ka_{s + 1:04d}.data\n" for s in range(n)))
        run(mpirun + ["features", "-sample_list", "list.txt", "-rdf_rmax", "3", "-rdf_dr", "0.005", "-features_targets", "omega2_mean",
                      "-o", f"lj_{n}.h5"] + spectrum, "vitrum features")
        run(mpirun + ["fit", "-data", f"lj_{n}.h5", "-o", f"lj_{n}.model.h5", "-potential", "ka3d"] + fit_options, "vitrum fit")
        r2, corr, lam = model_row(f"lj_{n}.model.h5")
        print(f"| {n} | {r2:.3f} | {corr:.2f} | {lam:.3g} |", flush=True)


if __name__ == "__main__":
    main()
