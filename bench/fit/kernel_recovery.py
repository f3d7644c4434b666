"""How many samples does the ridge fit need to recover the exact <omega^2> kernel of a pair
potential? Generates a Kob-Andersen ensemble with LAMMPS (500 atoms, melt at T = 3, quench to
T in 0.3..2.0, one sample per seed), builds the dataset with vitrum features (g on bins of 0.005
up to r = 3, <omega^2> = Tr(H)/(dN)), and fits growing subsets with vitrum fit -potential ka3d,
reporting the correlation of the fitted weights with the exact kernel and the held-out R^2.

    /usr/bin/python3 bench/fit/kernel_recovery.py --vitrum build/vitrum --samples 192 --workdir /tmp/kr
"""
import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "fit"))
from fitlib import KA3D_LIQUID_LAMMPS  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--vitrum", default=os.environ.get("VITRUM", "vitrum"))
ap.add_argument("--samples", type=int, default=192)
ap.add_argument("--ranks", type=int, default=2)
ap.add_argument("--fit_options", default="-fit_smooth 2 -fit_test_fraction 0.25")
ap.add_argument("--workdir", default=".")
args = ap.parse_args()
os.makedirs(args.workdir, exist_ok=True)
os.chdir(args.workdir)
mpirun = os.environ.get("MPIRUN", "mpirun --allow-run-as-root --oversubscribe").split() + ["-n", str(args.ranks), args.vitrum]

os.makedirs("ensemble", exist_ok=True)
open("in.ka", "w").write(KA3D_LIQUID_LAMMPS)
for s in range(args.samples):
    if not os.path.exists(f"ensemble/ka_{s + 1:04d}.data"):
        T = 0.3 + 1.7 * ((s * 0.618034) % 1.0)  # temperatures spread evenly in any prefix of the list
        subprocess.run(["lmp", "-in", "in.ka", "-var", "T", str(T), "-var", "seed", f"{s + 1:04d}", "-log", "none", "-screen", "none"], check=True)
spectrum = ["-potential", "ka3d", "-spectrum_nev", "0", "-spectrum_kpm", "0", "-spectrum_inertia", "0"]
print("| samples | held-out R^2 | correlation of W with the exact kernel | lambda |")
print("|---|---|---|---|")
n = 24
while n <= args.samples:
    open("list.txt", "w").write("".join(f"ensemble/ka_{s + 1:04d}.data\n" for s in range(n)))
    subprocess.run(mpirun + ["features", "-sample_list", "list.txt", "-rdf_rmax", "3", "-rdf_dr", "0.005", "-features_targets", "omega2_mean",
                             "-o", f"lj_{n}.h5"] + spectrum, check=True, capture_output=True)
    out = subprocess.run(mpirun + ["fit", "-data", f"lj_{n}.h5", "-o", f"lj_{n}.model.h5", "-potential", "ka3d"] + args.fit_options.split(),
                         check=True, capture_output=True, text=True).stdout
    corr = re.search(r"exact kernel: ([-0-9.]+)", out).group(1)
    r2 = re.search(r"held-out R\^2 ([-0-9.]+)", out).group(1)
    lam = re.search(r"lambda = ([-0-9.e+]+)", out).group(1)
    print(f"| {n} | {r2} | {corr} | {lam} |", flush=True)
    n *= 2
