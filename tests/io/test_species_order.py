"""io_species_order: one type order for an ensemble of mixed formats and compositions.

The same 3D configuration of Zr and Cu atoms as a LAMMPS data file (Zr = type 1, Cu = 2, named by
Masses comments), an extended XYZ file (numbered alphabetically: Cu = 1, Zr = 2) and a dump with an
element column and no type column; and the same positions with every atom Cu (XYZ). With
`-potential_elements Zr,Cu` (on 1 and 2 ranks):
* `vitrum rdf` on the data, XYZ and dump files gives the same pairs Zr-Zr, Zr-Cu, Cu-Cu and the same
  partial g(r), bitwise;
* on the all-Cu file: type counts (0, N), the Zr partials 0, Cu-Cu bitwise that of the file read
  without the option (one species);
* `vitrum features` over the data file, the XYZ file and the all-Cu file writes one set of partials
  (without the option the all-Cu sample has other species: one error line);
* a species the option does not name: one error line naming it."""
import os
import re
import sys

import h5py
import numpy as np

from vitrum_testlib import check, random_sample, run, write_lammps_data

n_atoms, box = 60, 10.0
cell = np.diag([box, box, box])
pos, types = random_sample(n_atoms, cell, fractions=(0.4, 0.6), seed=11)
types = np.asarray(types)  # 1 = Zr, 2 = Cu
names = {1: "Zr", 2: "Cu"}
write_lammps_data("zrcu.data", cell, [0, 0, 0], types, pos, masses=[91.224, 63.546])
text = re.sub(r"^([12]) (\S+)$", lambda m: "%s %s # %s" % (m[1], m[2], names[int(m[1])]), open("zrcu.data").read(), flags=re.M)  # Masses lines
open("zrcu.data", "w").write(text)


def write_xyz(path, species):
    with open(path, "w") as f:
        f.write("%d\nLattice=\"%r 0 0 0 %r 0 0 0 %r\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n" % (n_atoms, box, box, box))
        for s, p in zip(species, pos):
            f.write("%s %r %r %r\n" % (s, *p))


write_xyz("zrcu.xyz", [names[t] for t in types])
write_xyz("cu.xyz", ["Cu"] * n_atoms)
write_xyz("bad.xyz", ["Al" if i == 0 else names[t] for i, t in enumerate(types)])
with open("zrcu.dump", "w") as f:
    f.write("ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n%d\nITEM: BOX BOUNDS pp pp pp\n" % n_atoms + ("0 %r\n" % box) * 3)
    f.write("ITEM: ATOMS id element x y z\n")
    for i, (t, p) in enumerate(zip(types, pos)):
        f.write("%d %s %r %r %r\n" % (i + 1, names[t], *p))

ELEMENTS = ["-potential_elements", "Zr,Cu"]
GRID = ["-rdf_rmax", "4.5", "-rdf_dr", "0.05"]


def rdf(sample, n, extra=ELEMENTS):
    out = "rdf_%s_%d.h5" % (sample.replace(".", "_"), n)
    run(["rdf", "-sample", sample, "-o", out] + GRID + extra, n)
    with h5py.File(out, "r") as h5:
        return [s.decode() for s in h5["/structure/rdf/pairs"][...]], h5["/structure/rdf/g"][...], h5["/structure/rdf/type_counts"][...]


for n in (1, 2):
    tag = "[%d ranks] " % n
    ref_pairs, ref_g, ref_counts = rdf("zrcu.data", n)
    check(ref_pairs == ["Zr-Zr", "Zr-Cu", "Cu-Cu"], tag + "data file: pairs %s" % ref_pairs)
    for sample in ("zrcu.xyz", "zrcu.dump"):
        pairs, g, counts = rdf(sample, n)
        check(pairs == ref_pairs and np.array_equal(g, ref_g) and np.array_equal(counts, ref_counts),
              tag + "%s with -potential_elements Zr,Cu: the data file's pairs and g(r), bitwise" % sample)
    pairs, g, counts = rdf("cu.xyz", n)
    _, g_alone, _ = rdf("cu.xyz", n, extra=[])
    check(pairs == ref_pairs and list(counts) == [0, n_atoms] and not g[:2].any() and np.array_equal(g[2], g_alone[0]),
          tag + "all-Cu XYZ: type counts %s, Zr partials 0, Cu-Cu bitwise its own" % list(counts))
    p = run(["rdf", "-sample", "bad.xyz", "-o", "bad.h5"] + ELEMENTS, n, expect_fail=True)
    err = [l for l in p.stderr.splitlines() if "error" in l]
    check(p.returncode == 1 and len(err) == 1 and "bad.xyz has species Al, which -potential_elements Zr,Cu does not name" in err[0]
          and not os.path.exists("bad.h5"), tag + "a species the option does not name: %s" % err)

run(["features", "-samples", "zrcu.data", "zrcu.xyz", "cu.xyz", "-features_targets", "none", "-o", "ds.h5"] + GRID + ELEMENTS, 2)
with h5py.File("ds.h5", "r") as h5:
    check("/dataset/X" in h5 and h5["/dataset/X"].shape[0] == 3, "features over data, XYZ and all-Cu samples: one table of 3 rows")
p = run(["features", "-samples", "zrcu.data", "cu.xyz", "-features_targets", "none", "-features_cache", "cache2", "-o", "ds2.h5"] + GRID, 2, expect_fail=True)
err = [l for l in p.stderr.splitlines() if "error" in l]
check(p.returncode == 1 and len(err) == 1 and "-potential_elements" in err[0], "features without the option on samples of other species: one error naming -potential_elements (%s)" % err)
sys.exit(0)
