"""io_data_atom_style: an Atoms header without a style comment, as ASE writes it for every atom style.

The columns of the first atom line decide where they fit one style vitrum reads alone: 7 or 10
(image flags) are atom_style full, read with one note; the sample is that of `Atoms # full` (types
and positions against numpy). 6 or 9 columns fit charge and molecular alike: one error line that
asks for the style after the header (`Atoms # full`, the styles vitrum reads)."""
import sys

import numpy as np

from vitio import check, frac, h5md_frac, periodic_close, read_h5md, run

nranks = int(sys.argv[1]) if len(sys.argv) > 1 else 2
rng = np.random.default_rng(9)
N, L = 40, 6.0
x = rng.uniform(0, L, size=(N, 3))
types = rng.integers(1, 3, size=N)
q = np.where(types == 1, 1.2, -0.6)


def write(path, header, columns, images=False):
    """columns: 'full' (id mol type q x y z), 'charge' (id type q x y z)."""
    with open(path, "w") as f:
        f.write("test, written as ASE does\n\n%d atoms\n2 atom types\n" % N)
        f.write("".join("0.0 %r %slo %shi\n" % (L, d, d) for d in "xyz"))
        f.write("\n\n%s\n\n" % header)
        for k in range(N):
            lead = "%d 7 %d %r" % (k + 1, types[k], q[k]) if columns == "full" else "%d %d %r" % (k + 1, types[k], q[k])
            f.write("%s %r %r %r%s\n" % (lead, *x[k], " 0 1 -1" if images else ""))


def sample(path):
    out = run(["convert", "-sample", path, "-o", path + ".h5"], nranks)
    return out, read_h5md(path + ".h5")


write("named.data", "Atoms # full", "full")
_, ref = sample("named.data")
check(np.array_equal(ref["types"] + 1, types) and periodic_close(h5md_frac(ref), frac(x, np.zeros(3), np.diag([L] * 3)), 1e-12),
      "Atoms # full: types and positions")
for path, images in (("bare7.data", False), ("bare10.data", True)):
    write(path, "Atoms", "full", images)
    out, h = sample(path)
    notes = [l for l in out.splitlines() if "no style comment" in l]
    check(len(notes) == 1 and "read as atom_style full" in notes[0] and "'Atoms # full'" in notes[0], "%s: one note: %s" % (path, notes))
    check(np.array_equal(h["types"], ref["types"]) and np.array_equal(h["x"], ref["x"]), "%s: the sample of 'Atoms # full', bitwise" % path)
for path, images in (("bare6.data", False), ("bare9.data", True)):
    write(path, "Atoms", "charge", images)
    out = run(["info", "-sample", path], nranks, expect=1)
    err = [l for l in out.splitlines() if "error" in l]
    line = open(path).read().split("\nAtoms\n")[0].count("\n") + 4  # the first atom line
    check(len(err) == 1 and "%s:%d: Atoms: %d columns and no atom style" % (path, line, 9 if images else 6) in err[0]
          and "'Atoms # charge'" in err[0] and "atomic, charge, bond, angle, molecular and full" in err[0], "%s: one error asking for the style: %s" % (path, err))
sys.exit(0)
