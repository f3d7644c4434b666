"""A cubic FCC crystal written in an orthogonal box and in a triclinic box with xy = lx (the
same lattice: b' = b + a). Both must give the same atoms after wrapping, the same info, and,
when `vitrum rdf` is available, the same partial RDFs. LAMMPS refuses |xy| > lx/2 in a data
file, so the triclinic box is an H5MD file (written here with h5py) with edge rows a, b', c."""
import sys

import h5py
import numpy as np

from vitio import check, lammps_cell, parse_info, read_h5md, run, write_data

nranks = int(sys.argv[1]) if len(sys.argv) > 1 else 2
a, n = 1.5, 4
L = a * n
basis = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
cells = np.array([[i, j, k] for i in range(n) for j in range(n) for k in range(n)])
x = ((cells[:, None, :] + basis[None, :, :]).reshape(-1, 3) + 0.1) * a  # off the box faces
N = len(x)
types = 1 + (np.arange(N) % 4 == 0)  # an ordered A3B-like decoration
ids = np.arange(1, N + 1)
lo, hi = np.zeros(3), np.full(3, L)
write_data("ortho.data", ids, types, x, lo, hi, masses=[1.0, 2.0], names=["A", "B"])
with h5py.File("tri_in.h5", "w") as f:
    f["particles/all/position/value"] = x[None]
    f["particles/all/species/value"] = (types - 1)[None]
    f["particles/all/id/value"] = ids[None]
    f["particles/all/box/edges"] = [[L, 0.0, 0.0], [L, L, 0.0], [0.0, 0.0, L]]
    f["parameters/vitrum/type_names"] = np.array(["A", "B"], dtype="S8")
    f["parameters/vitrum/type_mass"] = [1.0, 2.0]

io, it = (parse_info(run(["info", "-sample", f], nranks)) for f in ("ortho.data", "tri_in.h5"))
check(io["atoms"] == it["atoms"] == N and abs(io["volume"] - it["volume"]) < 1e-9 and abs(io["density"] - it["density"]) < 1e-12,
      "same N, volume and density")
check(io["types"] == it["types"], "same species table")
check(np.allclose(it["cell b"], [L, L, 0]), "triclinic cell b = (lx, ly, 0)")

for f, src in (("ortho", "ortho.data"), ("tri", "tri_in.h5")):
    run(["convert", "-sample", src, "-o", f + ".h5"], nranks)
ho, ht = read_h5md("ortho.h5"), read_h5md("tri.h5")
check(np.array_equal(ho["ids"], ht["ids"]) and np.array_equal(ho["types"], ht["types"]), "same ids and species")
# the Cartesian positions, folded into the cube, are the same atoms
fold = lambda p: (p % L + 1e-9) % L
check(np.abs(fold(ho["x"]) - fold(ht["x"])).max() < 1e-9, "same positions folded into the cube")
check(np.abs(fold(ho["x"]) - fold(x)).max() < 1e-9, "positions equal the crystal's")

# partial RDFs (rmax below half the triclinic width L / sqrt(2); no FCC distance on a bin edge)
out = run(["rdf", "-sample", "ortho.data", "-rdf_rmax", 2.0, "-rdf_dr", 0.007, "-o", "ortho_rdf.h5"], nranks, expect=None)
if "not available" in out or "unknown command" in out:
    print("skip: vitrum rdf is not available in this build")
    sys.exit(0)
run(["rdf", "-sample", "tri_in.h5", "-rdf_rmax", 2.0, "-rdf_dr", 0.007, "-o", "tri_rdf.h5"], nranks)
with h5py.File("ortho_rdf.h5") as fo, h5py.File("tri_rdf.h5") as ft:
    go, gt = fo["structure/rdf/g"][()], ft["structure/rdf/g"][()]
    check(go.shape == gt.shape and np.allclose(go, gt, rtol=1e-12, atol=1e-12), "identical partial RDFs")
    check(go.max() > 1, "the RDF has peaks")
