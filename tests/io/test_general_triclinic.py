"""General triclinic boxes (LAMMPS >= 7 Feb 2024): a data file of `write_data FILE triclinic/general`
(header lines "ax ay az avec", "bx by bz bvec", "cx cy cz cvec", "ox oy oz abc origin", atoms in that
frame) and a dump of `dump_modify triclinic/general yes` ("ITEM: BOX BOUNDS abc origin pp pp pp" and
lines "ax ay az ox", "bx by bz oy", "cx cy cz oz"). A sample is written in LAMMPS's restricted form and
the same sample turned by a random proper rotation R about the origin into the general forms; LAMMPS
rotates such a box back (Howto triclinic), so vitrum must give the restricted file's volume, density,
cell, g(r), energy and forces, and the general file's positions turned back by R^T. Before, the data
file's box lines were ignored (a 1x1x1 default box, exit 0) and the dump's were refused. Left-handed,
degenerate, incomplete and mixed box lines are one error line each."""
import sys

import h5py
import numpy as np

from vitio import check, frac, lammps_cell, parse_info, periodic_close, read_h5md, run, write_data

nranks = int(sys.argv[1]) if len(sys.argv) > 1 else 2
rng = np.random.default_rng(7)
n = 6  # a perturbed 6^3 lattice in a tilted box: no overlaps, an LJ energy of a liquid
lo, hi, tilt = np.array([1.0, -2.0, 0.5]), np.array([1.0, -2.0, 0.5]) + [6.9, 6.6, 7.2], (0.8, -0.6, 0.5)
cell = lammps_cell(lo, hi, tilt)
grid = np.array([[i, j, k] for i in range(n) for j in range(n) for k in range(n)], float)
s = (grid + 0.5 + rng.uniform(-0.15, 0.15, grid.shape)) / n  # off the faces: no atom wraps
N = len(s)
ids = rng.permutation(np.arange(1, N + 1))
types = 1 + (rng.uniform(size=N) < 0.2)
x = lo + s @ cell

q, r = np.linalg.qr(rng.normal(size=(3, 3)))
R = q * np.sign(np.diag(r))
if np.linalg.det(R) < 0:
    R[:, 0] = -R[:, 0]  # a proper rotation
gcell = cell @ R.T  # rows A, B, C: the restricted rows turned by R
xg = lo + (x - lo) @ R.T  # the atoms turned about the origin with them
check(abs(np.linalg.det(R) - 1) < 1e-12 and abs(gcell[0, 1]) > 0.1 and abs(gcell[0, 2]) > 0.1, "R is a proper rotation that takes A off the x axis")


def general_data(path, rows=gcell, origin=lo, extra=""):
    """As LAMMPS's write_data FILE triclinic/general writes it."""
    with open(path, "w") as f:
        f.write("LAMMPS data file via write_data, version 7 Feb 2024, timestep = 0\n\n")
        f.write(f"{N} atoms\n2 atom types\n\n")
        for k, key in enumerate(("avec", "bvec", "cvec")):
            f.write("%r %r %r %s\n" % (*rows[k], key))
        f.write("%r %r %r abc origin\n%s\nMasses\n\n1 1.0\n2 1.0\n\nAtoms # atomic\n\n" % (*origin, extra))
        for i in range(N):
            f.write("%d %d %r %r %r 0 0 0\n" % (ids[i], types[i], *xg[i]))


def general_dump(path, coords, rows=gcell, origin=lo):
    """As dump custom with dump_modify triclinic/general yes writes it."""
    values = {"x": xg, "xs": s}
    text = f"ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n{N}\nITEM: BOX BOUNDS abc origin pp pp pp\n"
    text += "".join("%r %r %r %r\n" % (*rows[k], origin[k]) for k in range(3))
    text += "ITEM: ATOMS id type " + " ".join(ax + coords[1:] for ax in "xyz") + "\n"
    text += "".join("%d %d %r %r %r\n" % (ids[i], types[i], *values[coords][i]) for i in range(N))
    open(path, "w").write(text)


write_data("restricted.data", ids, types, x, lo, hi, tilt, masses=[1.0, 1.0])
general_data("general.data")
general_dump("general.dump", "x")
general_dump("scaled.dump", "xs")
samples = ("general.data", "general.dump", "scaled.dump")

# info: the box LAMMPS's conversion gives is the restricted one
ref = parse_info(run(["info", "-sample", "restricted.data"], nranks))
for f in samples:
    text = run(["info", "-sample", f], nranks)
    got = parse_info(text)
    check("warning" not in text, f"{f}: no default-box warning (the box is given)")
    check(got["atoms"] == N and abs(got["volume"] / ref["volume"] - 1) < 1e-12 and abs(got["density"] / ref["density"] - 1) < 1e-12
          and abs(got["volume"] / np.linalg.det(gcell) - 1) < 1e-12,
          f"{f}: volume {got['volume']} = det(A, B, C) = the restricted file's {ref['volume']}, same density")
    check(all(np.allclose(got[k], ref[k], rtol=0, atol=1e-9) for k in ("cell a", "cell b", "cell c", "widths")), f"{f}: the restricted cell rows and widths")

# positions: vitrum's, turned back by R^T, are the general file's (and equal the restricted file's)
run(["convert", "-sample", "restricted.data", "-o", "restricted.h5"], nranks)
hr = read_h5md("restricted.h5")
order = np.argsort(ids)
for f in samples:
    run(["convert", "-sample", f, "-o", f + ".h5"], nranks)
    h = read_h5md(f + ".h5")
    check(np.array_equal(h["ids"], hr["ids"]) and np.array_equal(h["types"], hr["types"]), f"{f}: ids and types")
    check(np.allclose(h["lo"], lo, rtol=0, atol=1e-12) and np.allclose(h["cell"], cell, rtol=0, atol=1e-12), f"{f}: origin and restricted cell")
    back = lo + (xg[order] - lo) @ R  # the file's positions turned back by R^T (row vectors)
    check(np.abs(h["x"] - back).max() < 1e-11, f"{f}: the file's positions turned back by R^T (max difference {np.abs(h['x'] - back).max():.1e})")
    check(np.abs(h["x"] - hr["x"]).max() < 1e-11 and periodic_close(frac(h["x"], lo, cell), s[order], 1e-12), f"{f}: the restricted file's positions")

# g(r), energy and forces
run(["rdf", "-sample", "restricted.data", "-rdf_rmax", 2.9, "-rdf_dr", 0.01, "-o", "restricted.rdf.h5"], nranks)
run(["energy", "-sample", "restricted.data", "-potential", "ka3d", "-o", "restricted.e.h5"], nranks)
with h5py.File("restricted.rdf.h5") as a, h5py.File("restricted.e.h5") as b:
    g0, e0, f0 = a["structure/rdf/g"][()], b["/energy/total"][()], b["/forces"][()]
check(g0.max() > 1 and e0 != 0, "the reference has a g(r) and an energy")
for f in samples:
    run(["rdf", "-sample", f, "-rdf_rmax", 2.9, "-rdf_dr", 0.01, "-o", f + ".rdf.h5"], nranks)
    run(["energy", "-sample", f, "-potential", "ka3d", "-o", f + ".e.h5"], nranks)
    with h5py.File(f + ".rdf.h5") as a, h5py.File(f + ".e.h5") as b:
        g, e, force = a["structure/rdf/g"][()], b["/energy/total"][()], b["/forces"][()]
    check(g.shape == g0.shape and np.allclose(g, g0, rtol=1e-12, atol=1e-12), f"{f}: the restricted file's partial g(r)")
    check(abs(e / e0 - 1) < 1e-11 and np.abs(force - f0).max() < 1e-9 * np.abs(f0).max(), f"{f}: energy {e!r} = {e0!r}, the same forces")

# one error line (1 and 2 ranks) for a left-handed, degenerate, incomplete or mixed box
swapped = gcell[[0, 2, 1]]
flat = np.array([gcell[0], gcell[1], gcell[0] + gcell[1]])
general_data("left.data", rows=swapped)
general_data("flat.data", rows=flat)
general_dump("left.dump", "x", rows=swapped)
general_data("mixed.data", extra="0.0 7.0 xlo xhi\n")
open("noorigin.data", "w").write("".join(l for l in open("general.data") if "abc origin" not in l))
cases = [("left.data", "left.data:6: general triclinic box: the edge vectors A, B, C are left-handed ((A x B) . C = -"),
         ("flat.data", "flat.data:6: general triclinic box: the edge vectors A, B, C are degenerate"),
         ("left.dump", "left.dump:6: general triclinic box: the edge vectors A, B, C are left-handed ((A x B) . C = -"),
         ("mixed.data", "mixed.data:10: the box is given both by 'xlo xhi' (line 10) and by the general triclinic 'avec' (line 6)"),
         ("noorigin.data", "noorigin.data:6: general triclinic box without its 'abc origin' line")]
for f, want in cases:
    for np_ in (1, 2):
        out = run(["info", "-sample", f], np_, expect=1)
        errors = [l for l in out.splitlines() if "vitrum: error" in l]
        check(len(errors) == 1 and errors[0].startswith("vitrum: error: " + want), f"{f} on {np_} rank(s): one error line ({errors})")
