"""io_data_bonds: a data file with bonds. vitrum reads no bonds and excludes no pair (LAMMPS's default
special_bonds lj 0 0 0 leaves bonded pairs out of the pair sum), and says so: one note per run from
every command that evaluates a potential (energy; minimize, which sets up its domain several times),
none from a command without a potential (rdf) and none for a file without bonds. The energy is the
Lennard-Jones sum over every pair, bonded ones included (numpy)."""
import sys

import numpy as np

from vitio import check, run

nranks = int(sys.argv[1]) if len(sys.argv) > 1 else 2
NOTE = "has 12 bonds: vitrum applies no special_bonds exclusions"

# 64 atoms on a jittered simple cubic lattice, box 6 > 2 rc; chains of bonded neighbours along x
rng = np.random.default_rng(3)
n_side, a = 4, 1.5
L = n_side * a
grid = np.array([(i, j, k) for i in range(n_side) for j in range(n_side) for k in range(n_side)], float)
x = (grid + 0.5) * a + rng.uniform(-0.15, 0.15, size=grid.shape)
bonds = [(k + 1, k + 2) for k in range(0, 48, 4)]  # 12 bonds between x neighbours


def write(path, with_bonds):
    with open(path, "w") as f:
        f.write("bonds test\n\n%d atoms\n1 atom types\n%d bonds\n1 bond types\n\n" % (len(x), len(bonds) if with_bonds else 0))
        f.write("".join("0 %r %slo %shi\n" % (L, d, d) for d in "xyz"))
        f.write("\nMasses\n\n1 1.0\n\nAtoms # bond\n\n")
        f.write("".join("%d 1 1 %r %r %r\n" % (k + 1, *x[k]) for k in range(len(x))))
        if with_bonds:
            f.write("\nBonds\n\n" + "".join("%d 1 %d %d\n" % (b + 1, i, j) for b, (i, j) in enumerate(bonds)))


def lj_all_pairs():
    d = x[:, None, :] - x[None, :, :]
    d -= L * np.round(d / L)
    r = np.linalg.norm(d, axis=2)[np.triu_indices(len(x), 1)]
    r = r[r < 2.5]
    return np.sum(4 * (r ** -12 - r ** -6))


write("bonded.data", True)
write("plain.data", False)
out = run(["energy", "-sample", "bonded.data", "-potential", "lj", "-o", "e.h5"], nranks)
check(sum(NOTE in l for l in out.splitlines()) == 1 and "vitrum: note: bonded.data " + NOTE in out, "energy: one note on the bonds")
total = float(out.split("total")[1].split()[0])
ref = lj_all_pairs()
check(abs(total - ref) <= 1e-10 * abs(ref), "every pair interacts, bonded ones included: %.15g, numpy %.15g" % (total, ref))
out = run(["minimize", "-sample", "bonded.data", "-potential", "lj", "-o", "min.data"], nranks)
check(sum(NOTE in l for l in out.splitlines()) == 1, "minimize: one note on the bonds")
out = run(["energy", "-sample", "plain.data", "-potential", "lj", "-o", "p.h5"], nranks)
check("bonds" not in out and abs(float(out.split("total")[1].split()[0]) - total) <= 1e-12 * abs(total), "no bonds: no note, the same energy")
out = run(["rdf", "-sample", "bonded.data", "-rdf_rmax", "2.5", "-o", "rdf.h5"], nranks)
check("bonds" not in out, "rdf (no potential): no note")
sys.exit(0)
