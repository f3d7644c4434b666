"""io_extxyz_pbc: the spellings of an extended XYZ pbc that ASE reads, and messages that say what to give.

* pbc="1 1 1", pbc=[T, T, T], pbc="True True True", pbc=[1, 1, 1] give the sample of pbc="T T T"
  (positions and box as written, against numpy), and pbc="1 1 0" that of pbc="T T F";
* a value that is not a logical value is one error line naming it;
* a left-handed Lattice is one error line that asks for a right-handed cell;
* -frame beyond the one frame of a file: "has 1 frame" (extended XYZ and H5MD)."""
import sys

import numpy as np

from vitio import check, frac, h5md_frac, periodic_close, read_h5md, run

nranks = int(sys.argv[1]) if len(sys.argv) > 1 else 2
rng = np.random.default_rng(4)
N = 30
cell = np.array([[6.0, 0, 0], [0.8, 5.5, 0], [-0.4, 0.3, 7.0]])
x = rng.uniform(0, 1, size=(N, 3)) @ cell


def write(path, pbc, lattice=cell):
    with open(path, "w") as f:
        f.write("%d\nLattice=\"%s\" Properties=species:S:1:pos:R:3 pbc=%s\n" % (N, " ".join(repr(v) for v in np.ravel(lattice)), pbc))
        f.write("".join("Cu %r %r %r\n" % tuple(p) for p in x))


def sample(path, extra=()):
    run(["convert", "-sample", path, "-o", path + ".h5"] + list(extra), nranks)
    return read_h5md(path + ".h5")


write("ttt.xyz", '"T T T"')
ref = sample("ttt.xyz")
check(np.allclose(ref["cell"], cell, rtol=0, atol=1e-14) and periodic_close(h5md_frac(ref), frac(x, np.zeros(3), cell), 1e-12),
      'pbc="T T T": the box and positions as written')
for k, pbc in enumerate(('"1 1 1"', "[T, T, T]", '"True True True"', "[1, 1, 1]", "{T T T}")):
    write("p%d.xyz" % k, pbc)
    h = sample("p%d.xyz" % k)
    check(h["dim"] == 3 and np.array_equal(h["cell"], ref["cell"]) and np.array_equal(h["x"], ref["x"]), "pbc=%s: the sample of pbc=\"T T T\", bitwise" % pbc)
write("ttf.xyz", '"T T F"')
write("110.xyz", '"1 1 0"')
sheet = sample("ttf.xyz", ["-sample_dimension", "3"])
h = sample("110.xyz", ["-sample_dimension", "3"])
check(np.array_equal(h["x"], sheet["x"]) and np.array_equal(h["cell"], sheet["cell"]), 'pbc="1 1 0": the sheet of pbc="T T F"')

write("bad.xyz", '"T T X"')
err = [l for l in run(["info", "-sample", "bad.xyz"], nranks, expect=1).splitlines() if "error" in l]
check(len(err) == 1 and "bad.xyz:2: pbc value 'X' is not a logical value: give T or F" in err[0], "pbc value X: %s" % err)
write("left.xyz", '"T T T"', lattice=-cell)
err = [l for l in run(["info", "-sample", "left.xyz"], nranks, expect=1).splitlines() if "error" in l]
check(len(err) == 1 and "left.xyz:2: Lattice vectors are left-handed (a . (b x c) = %.6g < 0): give a right-handed cell" % np.linalg.det(-cell) in err[0],
      "left-handed Lattice: %s" % err)
for path, what in (("ttt.xyz", "the file"), ("ttt.xyz.h5", "/particles/all/position/value")):
    err = [l for l in run(["info", "-sample", path, "-frame", "3"], nranks, expect=1).splitlines() if "error" in l]
    check(len(err) == 1 and "-frame 3 is out of range: %s has 1 frame (0, or -1 for the last)" % what in err[0], "%s -frame 3: %s" % (path, err))
sys.exit(0)
