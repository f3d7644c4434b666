"""Helpers shared by vitrum's Python tests: sample writers, running vitrum under MPI, reading HDF5."""
import os
import resource
import subprocess
import sys

import numpy as np

VITRUM = os.environ.get("VITRUM", "vitrum")
MPIRUN = os.environ.get("MPIRUN", "mpirun --allow-run-as-root --oversubscribe").split()


def write_lammps_data(path, cell, lo, types, positions, masses=None, dim=3, ntypes=None):
    """Atomic-style LAMMPS data file. cell rows a=(lx,0,0), b=(xy,ly,0), c=(xz,yz,lz); types 1-based;
    ntypes: the atom types declared (default the largest type: more declares types without atoms)."""
    cell = np.asarray(cell, float)
    n = len(types)
    ntypes = int(ntypes or max(types))
    with open(path, "w") as f:
        f.write("vitrum test sample\n\n%d atoms\n%d atom types\n\n" % (n, ntypes))
        f.write("%.17g %.17g xlo xhi\n" % (lo[0], lo[0] + cell[0, 0]))
        f.write("%.17g %.17g ylo yhi\n" % (lo[1], lo[1] + cell[1, 1]))
        if dim == 2:
            f.write("-0.5 0.5 zlo zhi\n")
        else:
            f.write("%.17g %.17g zlo zhi\n" % (lo[2], lo[2] + cell[2, 2]))
        if abs(cell[1, 0]) + abs(cell[2, 0]) + abs(cell[2, 1]) > 0:
            f.write("%.17g %.17g %.17g xy xz yz\n" % (cell[1, 0], cell[2, 0], cell[2, 1]))
        if masses is not None:
            f.write("\nMasses\n\n")
            for t, m in enumerate(masses):
                f.write("%d %.17g\n" % (t + 1, m))
        f.write("\nAtoms # atomic\n\n")
        for i in range(n):
            z = 0.0 if dim == 2 else positions[i][2]
            f.write("%d %d %.17g %.17g %.17g\n" % (i + 1, types[i], positions[i][0], positions[i][1], z))


def write_lj_crystals(rng, count=8, list_path="samples.txt"):
    """count slightly disordered 64-atom simple cubic LJ crystals s0.data ... (a 4 x 4 x 4 grid of
    spacing 1.12, every coordinate moved by a normal of width 0.04, mass 1) and list_path naming
    them by absolute path."""
    grid = np.array([(i, j, k) for i in range(4) for j in range(4) for k in range(4)], float) * 1.12
    with open(list_path, "w") as f:
        for s in range(count):
            write_lammps_data(f"s{s}.data", np.eye(3) * 4.48, (0, 0, 0), [1] * 64, grid + rng.normal(0, 0.04, grid.shape), masses=[1.0])
            f.write(os.path.abspath(f"s{s}.data") + "\n")


def random_sample(n, cell, lo=(0, 0, 0), fractions=(1.0,), seed=1, dim=3):
    """n uniform random atoms in the cell, species drawn with the given fractions (types 1..)."""
    rng = np.random.default_rng(seed)
    cell = np.asarray(cell, float)
    frac = rng.random((n, 3))
    if dim == 2:
        frac[:, 2] = 0.0
    pos = np.asarray(lo, float) + frac @ cell
    types = rng.choice(np.arange(1, len(fractions) + 1), size=n, p=np.asarray(fractions) / np.sum(fractions))
    return pos, types


def run(args, np_ranks=1, expect_fail=False, check=True, address_limit=None):
    """Run vitrum with args under mpirun; return CompletedProcess (stdout+stderr text).
    address_limit: bytes of address space for mpirun and the ranks (ulimit -v)."""
    cmd = MPIRUN + ["-n", str(np_ranks), VITRUM] + [str(a) for a in args]
    limit = (lambda: resource.setrlimit(resource.RLIMIT_AS, (address_limit, address_limit))) if address_limit else None
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=limit)
    if check and not expect_fail and p.returncode != 0:
        sys.stderr.write("command failed: %s\n%s\n%s\n" % (" ".join(cmd), p.stdout, p.stderr))
        raise SystemExit(1)
    if expect_fail and p.returncode == 0:
        sys.stderr.write("command should have failed: %s\n%s\n" % (" ".join(cmd), p.stdout))
        raise SystemExit(1)
    return p


def memory_available():
    """Bytes vitrum's memory checks may count on here (docs/reliability.md, "The memory available"):
    the least of MemAvailable and, for this process's memory cgroup and its ancestors, the limit less
    the usage without the inactive file cache (v1 or v2; "max" or above 2^60: no limit)."""
    least = [int(l.split()[1]) * 1024 for l in open("/proc/meminfo") if l.startswith("MemAvailable:")][0]
    own = {}
    for line in open("/proc/self/cgroup"):
        hid, ctl, path = line.rstrip("\n").split(":", 2)
        own["v1" if "memory" in ctl.split(",") else "v2" if hid == "0" and not ctl else "other"] = path
    for line in open("/proc/self/mountinfo"):
        head, tail = line.split(" - ")
        mroot, point = head.split()[3:5]
        kind, _, opts = tail.split()[:3]
        v = "v1" if kind == "cgroup" and "memory" in opts.split(",") else "v2" if kind == "cgroup2" else None
        if v not in own or ("v1" in own and v == "v2"):
            continue
        rel = own[v][len(mroot):] if mroot != "/" and own[v].startswith(mroot) else own[v]
        folder = point + (rel if rel != "/" else "")
        names = ("memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file") if v == "v1" else ("memory.max", "memory.current", "inactive_file")
        while True:
            try:
                limit, used = (open(os.path.join(folder, f)).read().strip() for f in names[:2])
                stat = dict(l.split() for l in open(os.path.join(folder, "memory.stat"))) if os.path.exists(os.path.join(folder, "memory.stat")) else {}
                if limit != "max" and int(limit) < 2**60:
                    least = min(least, max(int(limit) - (int(used) - int(stat.get(names[2], 0))), 0))
            except (OSError, ValueError):
                pass
            if folder == point or len(os.path.dirname(folder)) < len(point):
                break
            folder = os.path.dirname(folder)
    return least


def check(condition, message):
    """Fail the test with a message (assert is stripped under -O)."""
    if not condition:
        sys.stderr.write("FAILED: %s\n" % message)
        raise SystemExit(1)
    print("ok: %s" % message)
