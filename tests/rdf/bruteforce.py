"""RDF of a random three-species sample in a triclinic box against an independent O(N^2) numpy
computation (all periodic images within one box, exact integer pair counts and normalisation).
Also: an ideal gas tends to g = 1."""
import itertools
import sys

import h5py
import numpy as np
from vitrum_testlib import write_lammps_data, random_sample, run, check

np_ranks = int(sys.argv[1]) if len(sys.argv) > 1 else 1
cell = np.array([[9.0, 0, 0], [1.5, 8.0, 0], [-1.0, 0.7, 8.5]])
pos, types = random_sample(900, cell, lo=(-2, 1, 0.5), fractions=(0.5, 0.3, 0.2), seed=7)
write_lammps_data("tri.data", cell, (-2, 1, 0.5), types, pos)

# perpendicular widths: volume / area of the opposite face
vol = abs(np.linalg.det(cell))
widths = [vol / np.linalg.norm(np.cross(cell[(k + 1) % 3], cell[(k + 2) % 3])) for k in range(3)]
rmax, dr = 0.5 * min(widths) * 0.98, 0.02
run(["rdf", "-sample", "tri.data", "-rdf_rmax", rmax, "-rdf_dr", dr, "-o", "tri.h5"], np_ranks)

nbins = int(np.floor(rmax / dr + 1e-9))
ntypes = 3
counts = np.zeros((ntypes, ntypes, nbins), dtype=np.int64)
shifts = np.array(list(itertools.product((-1, 0, 1), repeat=3))) @ cell
t = types - 1
for i in range(len(pos)):
    d = pos[None, :, :] - pos[i][None, None, :] + shifts[:, None, :]  # (27, N, 3)
    r = np.linalg.norm(d, axis=2)
    r[13, i] = np.inf  # the atom itself (zero shift is index 13)
    sel = r < nbins * dr
    for s, j in zip(*np.nonzero(sel)):
        counts[t[i], t[j], int(r[s, j] / dr)] += 1

with h5py.File("tri.h5", "r") as f:
    got_counts = f["/structure/rdf/counts"][:]
    g = f["/structure/rdf/g"][:]
    pairs = [p.decode() if isinstance(p, bytes) else p for p in f["/structure/rdf/pairs"][:]]
    r_centres = f["/structure/rdf/r"][:]
    units = f["/structure/rdf/g"].attrs["units"]

n_a = np.bincount(t, minlength=ntypes)
p = 0
for a in range(ntypes):
    for b in range(a, ntypes):
        expect = counts[a, b] + (counts[b, a] if a != b else 0)
        check(np.array_equal(got_counts[p], expect), "pair %s: integer counts equal the brute-force counts" % pairs[p])
        shell = 4.0 / 3.0 * np.pi * ((np.arange(nbins) + 1) ** 3 - np.arange(nbins) ** 3) * dr ** 3
        ideal = n_a[a] * (n_a[b] - (a == b)) * (1 if a == b else 2) * shell / vol
        check(np.allclose(g[p], expect / ideal, rtol=1e-13, atol=0), "pair %s: normalisation" % pairs[p])
        p += 1
check(pairs[0] == "1-1" and pairs[1] == "1-2" and pairs[3] == "2-2", "pair names in order (got %s)" % pairs)
check(np.allclose(r_centres, (np.arange(nbins) + 0.5) * dr), "bin centres")
check(len(units) > 0, "units attribute present")

# an ideal gas: g -> 1 (averaged over the outer half of the range, within the statistical error)
cube = np.diag([14.0, 14.0, 14.0])
pos, types = random_sample(20000, cube, seed=3)
write_lammps_data("gas.data", cube, (0, 0, 0), types, pos)
run(["rdf", "-sample", "gas.data", "-rdf_rmax", 6.9, "-rdf_dr", 0.05, "-o", "gas.h5"], np_ranks)
with h5py.File("gas.h5", "r") as f:
    g = f["/structure/rdf/g"][0]
    r = f["/structure/rdf/r"][:]
outer = g[r > 3.5]
check(abs(outer.mean() - 1) < 0.005, "ideal gas: mean g over 3.5 < r < 6.9 is 1 (got %.5f)" % outer.mean())
check(np.abs(outer - 1).max() < 0.1, "ideal gas: every outer bin within 0.1 of 1")
