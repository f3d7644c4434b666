#!/usr/bin/python3
"""Side-by-side RDF benchmark: vitrum (1 and 2 ranks) vs ASE (neighbour list + histogram) vs
LAMMPS `compute rdf`, on the same 3D two-species random samples at number density 1.2.
ASE runs in a child process with a memory cap (its neighbour list stores all candidate pairs).

    /usr/bin/python3 bench/rdf/bench_rdf.py --vitrum build/vitrum [--sizes 10000 100000] [--rmax 4 --dr 0.01]

Times are wall-clock seconds of the whole process (reading the sample included) for vitrum and
LAMMPS (both started directly on 1 rank; vitrum under mpirun on 2); for ASE the neighbour list + histogram alone (reading excluded, favouring ASE). The
g(r) of each peer is compared with vitrum's (max |difference| over bins)."""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests"))
from vitrum_testlib import write_lammps_data, random_sample  # noqa: E402

MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe"]


def timed(cmd, cwd):
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - t0


def vitrum_rdf(exe, ranks, data, rmax, dr, cwd):
    out = os.path.join(cwd, "v%d.h5" % ranks)
    launcher = MPIRUN + ["-n", str(ranks)] if ranks > 1 else []  # 1 rank: started directly, like lmp
    t = timed(launcher + [exe, "rdf", "-sample", data, "-rdf_rmax", str(rmax), "-rdf_dr", str(dr), "-o", out], cwd)
    import h5py
    with h5py.File(out, "r") as f:
        return t, f["/structure/rdf/g_total"][:]


def lammps_rdf(data, rmax, dr, cwd):
    nbins = int(round(rmax / dr))
    with open(os.path.join(cwd, "in.rdf"), "w") as f:
        f.write("units lj\natom_style atomic\nread_data %s\nmass * 1.0\n" % data)
        f.write("pair_style zero %g\npair_coeff * *\nneighbor 0.0 bin\n" % rmax)
        f.write("compute g all rdf %d cutoff %g\n" % (nbins, rmax))
        f.write("fix g all ave/time 1 1 1 c_g[*] file rdf.out mode vector\nrun 0\n")
    t = timed(["lmp", "-in", "in.rdf", "-log", "none", "-screen", "none"], cwd)
    rows = [line.split() for line in open(os.path.join(cwd, "rdf.out")) if line.strip() and not line.startswith("#")]
    rows = [r for r in rows if len(r) >= 3]
    return t, np.array([float(r[2]) for r in rows[-nbins:]])


ASE_SCRIPT = """
import resource, sys, time
import numpy as np
from ase import Atoms
from ase.neighborlist import neighbor_list
limit = int(sys.argv[4]) * 2**30
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
pos = np.load(sys.argv[1]); cell = np.load(sys.argv[2]); rmax, dr = map(float, sys.argv[3].split(','))
atoms = Atoms('H%d' % len(pos), positions=pos, cell=cell, pbc=True)
t0 = time.perf_counter()
d = neighbor_list('d', atoms, rmax)
nbins = int(round(rmax / dr))
counts, edges = np.histogram(d, bins=nbins, range=(0, nbins * dr))
shell = 4.0 / 3.0 * np.pi * (edges[1:] ** 3 - edges[:-1] ** 3)
n, vol = len(pos), abs(np.linalg.det(cell))
np.save(sys.argv[5], counts / (n * (n - 1) * shell / vol))
print(time.perf_counter() - t0)
"""


def ase_rdf(pos, cell, rmax, dr, cwd, memory_gib):
    """ASE's neighbour list + histogram in a child process capped at memory_gib (ASE's neighbour
    list holds every candidate pair: it runs out of memory first). Returns (time, g) or (None, None)."""
    np.save(os.path.join(cwd, "pos.npy"), pos)
    np.save(os.path.join(cwd, "cell.npy"), cell)
    out = os.path.join(cwd, "g_ase.npy")
    p = subprocess.run([sys.executable, "-c", ASE_SCRIPT, os.path.join(cwd, "pos.npy"), os.path.join(cwd, "cell.npy"), "%g,%g" % (rmax, dr), str(memory_gib), out],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        return None, None
    return float(p.stdout.split()[-1]), np.load(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vitrum", default="build/vitrum")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    ap.add_argument("--rmax", type=float, default=4.0)
    ap.add_argument("--dr", type=float, default=0.01)
    ap.add_argument("--ase-memory", type=int, default=12, help="memory cap of the ASE child process in GiB")
    args = ap.parse_args()
    exe = os.path.abspath(args.vitrum)
    print("| N | vitrum 1 rank (s) | vitrum 2 ranks (s) | ASE (s) | LAMMPS 1 rank (s) | ASE / vitrum-1 | LAMMPS / vitrum-1 | max abs dg vs LAMMPS | vs ASE |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            side = (n / 1.2) ** (1.0 / 3.0)
            cell = np.diag([side] * 3)
            pos, types = random_sample(n, cell, fractions=(0.8, 0.2), seed=n)
            data = os.path.join(tmp, "s.data")
            write_lammps_data(data, cell, (0, 0, 0), types, pos)
            t1, g1 = vitrum_rdf(exe, 1, data, args.rmax, args.dr, tmp)
            t2, g2 = vitrum_rdf(exe, 2, data, args.rmax, args.dr, tmp)
            assert np.array_equal(g1, g2), "vitrum RDF differs between 1 and 2 ranks"
            ta, ga = ase_rdf(pos, cell, args.rmax, args.dr, tmp, args.ase_memory)
            tl, gl = lammps_rdf(data, args.rmax, args.dr, tmp)
            ase_time = "%.2f" % ta if ta else "out of memory (> %d GiB)" % args.ase_memory
            ase_ratio = "%.2f" % (ta / t1) if ta else "-"
            ase_diff = "%.2g" % np.abs(ga - g1).max() if ta else "-"
            print("| %d | %.2f | %.2f | %s | %.2f | %s | %.2f | %.2g | %s |" % (n, t1, t2, ase_time, tl, ase_ratio, tl / t1, np.abs(gl - g1).max(), ase_diff))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
