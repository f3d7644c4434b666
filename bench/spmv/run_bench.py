"""KPM kernel and PETSc MatMult against the roofline (docs/BENCHMARKS.md, "## KPM kernel"), run from
the repository root:

    /usr/bin/python3 bench/spmv/run_bench.py BUILD_DIR WORK_DIR [REPLICAS ...] [--native NATIVE_BUILD_DIR] [--old OLD_BUILD_DIR]

A relaxed 1000-atom 3D KA glass (LAMMPS melt + minimisation, as the spectrum tests make it; box 9.4
sigma) is replicated k x k x k times with LAMMPS `replicate` (default k = 4, 8: N = 64000, 512000). For each
size, BUILD_DIR/bench_spmv runs on 1 and 2 ranks (STREAM triad and FMA peak measured in the same
run); with --native the VITRUM_NATIVE build runs too, and with --old, `vitrum spectrum` of a build
of an older commit and of BUILD_DIR give the time per KPM moment on the same sample (M = 32, R = 16, best of 3 runs
interleaved with the new builds).
Rows are printed as measured; `uptime` before each run shows how loaded the machine was."""
import argparse
import os
import subprocess
import sys

import h5py

here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(here, "..", "..", "tests"), os.path.join(here, "..", "..", "tests", "spectrum")]
ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("build", help="build folder with vitrum and bench_spmv")
ap.add_argument("work", help="work folder (samples, logs)")
ap.add_argument("replicas", nargs="*", type=int, default=[4, 8], help="replicas per direction of the 1000-atom glass (default 4 8)")
ap.add_argument("--native", help="a VITRUM_NATIVE build folder to run too")
ap.add_argument("--old", help="the build folder of an older commit to compare the time per KPM moment with")
a = ap.parse_args()
opts = {"--" + key: os.path.abspath(getattr(a, key)) for key in ("native", "old") if getattr(a, key)}
build, work = os.path.abspath(a.build), os.path.abspath(a.work)
replicas = a.replicas
os.environ["VITRUM"] = os.path.join(build, "vitrum")
import spectrumlib as sl  # noqa: E402

os.makedirs(work, exist_ok=True)
os.chdir(work)
MPI = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-x", "OPENBLAS_NUM_THREADS=1", "-n"]


def replicate(base, k):
    out = os.path.join(work, "ka%d.data" % (1000 * k ** 3))
    if not os.path.exists(out):
        with open("replicate.in", "w") as f:
            f.write('units lj\natom_style atomic\npair_style lj/cut 2.5\nread_data "%s"\nreplicate %d %d %d\nwrite_data "%s"\n' % (base, k, k, k, out))
        subprocess.run(["lmp", "-in", "replicate.in", "-log", "none", "-screen", "none"], check=True)
    return out


def uptime():
    return subprocess.run(["uptime"], stdout=subprocess.PIPE, text=True).stdout.strip()


def time_per_moment(vitrum, sample, n):
    subprocess.run(MPI + [str(n), vitrum, "spectrum", "-sample", sample, "-potential", "ka3d", "-spectrum_nev", "0",
                          "-spectrum_inertia", "0", "-kpm_moments", "32", "-kpm_vectors", "16", "-kpm_lambda_min", "-1",
                          "-kpm_lambda_max", "1700", "-o", "tpm.h5"], check=True, stdout=subprocess.DEVNULL)
    with h5py.File("tpm.h5", "r") as f:
        return float(f["/spectrum/kpm/time_per_moment"][()])


base = sl.make_ka_glass(os.path.join(work, "ka1000.data"), n_side=10, massB=1.0)
for k in replicas:
    sample = replicate(base, k)
    for n in (1, 2):
        for name, b in [("portable", build)] + ([("native", opts["--native"])] if "--native" in opts else []):
            print("\n### N = %d, %d rank(s), %s build (%s)\n" % (1000 * k ** 3, n, name, uptime()), flush=True)
            p = subprocess.run(MPI + [str(n), os.path.join(b, "bench_spmv"), "-sample", sample, "-potential", "ka3d", "-spmv_reps", "5"],
                               stdout=subprocess.PIPE, text=True, check=True)
            print(p.stdout, flush=True)
        if "--old" in opts:
            builds = [("old", opts["--old"]), ("portable", build)] + ([("native", opts["--native"])] if "--native" in opts else [])
            best = {name: min(time_per_moment(os.path.join(b, "vitrum"), sample, n) for _ in range(1))
                    for name, b in builds}
            for _ in range(2):  # interleaved repeats: the machine's load changes from minute to minute
                for name, b in builds:
                    best[name] = min(best[name], time_per_moment(os.path.join(b, "vitrum"), sample, n))
            print("KPM time per moment (M = 32, R = 16, best of 3 interleaved), N = %d, %d rank(s): %s\n"
                  % (1000 * k ** 3, n, ", ".join("%s %.4g s" % (name, best[name]) for name, _ in builds)), flush=True)
