"""Low modes by several factorisation-free methods side by side on one sample (docs/BENCHMARKS.md,
"Two-level preconditioned LOBPCG in vitrum"). Run in a work directory (its files go there):

    /usr/bin/python3 REPO/bench/modes/compare_methods.py BUILD_DIR SAMPLE [--np N] [--nev K]
        [--methods twolevel,chebyshev] [-- extra vitrum options, e.g. -potential ka3d]

For each method: `vitrum spectrum -spectrum_method METHOD -spectrum_nev K -spectrum_kpm 0
-spectrum_inertia 0` under /usr/bin/time, with -info for the solver's summary line. Prints one
markdown row per method: iterations, block products with H, wall seconds of the whole command,
peak resident memory of one rank, and the largest relative difference of its eigenvalues from the
first method's. `uptime` is printed first: timings on a shared machine are not comparable."""
import argparse
import os
import re
import subprocess
import sys

import h5py
import numpy as np

cli = argparse.ArgumentParser(description="factorisation-free low-mode methods side by side")
cli.add_argument("build", help="vitrum's build directory")
cli.add_argument("sample", help="relaxed sample file")
cli.add_argument("--np", type=int, default=1, help="MPI ranks")
cli.add_argument("--nev", type=int, default=20, help="lowest non-zero modes")
cli.add_argument("--methods", default="twolevel,chebyshev", help="comma-separated -spectrum_method values")
argv = sys.argv[1:]
cut = argv.index("--") if "--" in argv else len(argv)
o, extra = cli.parse_args(argv[:cut]), argv[cut + 1:]  # vitrum's own options after --
vitrum = os.path.join(os.path.abspath(o.build), "vitrum")
stem = os.path.splitext(os.path.basename(o.sample))[0]
print(subprocess.run(["uptime"], stdout=subprocess.PIPE, text=True).stdout.strip())
print("| method | ranks | iterations | block products | wall (s) | peak per rank (MB) | max rel. difference from %s |" % o.methods.split(",")[0])
print("|---|---|---|---|---|---|---|")
first = None
for method in o.methods.split(","):
    out = "%s.%s.np%d.h5" % (stem, method, o.np)
    cmd = ["/usr/bin/time", "-f", "TIME %e %M", "mpirun", "--allow-run-as-root", "--oversubscribe", "-n", str(o.np), vitrum, "spectrum",
           "-sample", o.sample, "-spectrum_method", method, "-spectrum_nev", str(o.nev), "-spectrum_kpm", "0", "-spectrum_inertia", "0",
           "-vdos_exact_max_dof", "0", "-info", ":sys", "-o", out] + extra
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=True)
    summary = re.search(r"%s: (\d+) iterations, (\d+) block products" % method, p.stdout)
    wall, rss = re.search(r"TIME (\S+) (\d+)", p.stdout).groups()
    lam = h5py.File(out, "r")["/spectrum/modes/eigenvalues"][()]
    first = lam if first is None else first
    k = min(len(lam), len(first))
    diff = np.max(np.abs(lam[:k] - first[:k]) / np.abs(first[:k]))
    print("| %s | %d | %s | %s | %.1f | %.0f | %.1e |" % (method, o.np, summary.group(1) if summary else "-", summary.group(2) if summary else "-",
                                                       float(wall), int(rss) / 1024, diff))
