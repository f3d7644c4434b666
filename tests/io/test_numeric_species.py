"""io_numeric_species: species named by numbers (an extended XYZ species column, a dump's element
column holding LAMMPS type numbers) are numbered types, as a data file's or a dump's type column:

* in increasing value: 11 species "1".."11" are types 1..11 (not 1, 10, 11, 2, ...), whatever
  order the atoms come in;
* `-potential_elements Cu,Zr` names them in that order, so `energy -potential eam/alloy` on the XYZ
  file and on the dump gives the energies of the data file with types 1 = Cu, 2 = Zr, bitwise
  (before, the option had to name the species "1", "2", which the potential file does not know)."""
import sys

import h5py
import numpy as np

from vitio import check, jittered_cubic, read_h5md, run

nranks = int(sys.argv[1]) if len(sys.argv) > 1 else 2
rng = np.random.default_rng(17)
n_side, a = 4, 2.7
L = n_side * a
x = jittered_cubic(n_side, a, rng)
types = rng.integers(1, 3, size=len(x))
types[:2] = (2, 1)  # the first atom is of type 2


def write_xyz(path, species):
    with open(path, "w") as f:
        f.write("%d\nLattice=\"%r 0 0 0 %r 0 0 0 %r\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n" % (len(x), L, L, L))
        f.write("".join("%s %r %r %r\n" % (s, *p) for s, p in zip(species, x)))


with open("cuzr.data", "w") as f:
    f.write("typed\n\n%d atoms\n2 atom types\n\n" % len(x) + "".join("0 %r %slo %shi\n" % (L, d, d) for d in "xyz"))
    f.write("\nMasses\n\n1 63.546\n2 91.224\n\nAtoms # atomic\n\n")
    f.write("".join("%d %d %r %r %r\n" % (k + 1, t, *p) for k, (t, p) in enumerate(zip(types, x))))
write_xyz("num.xyz", [str(t) for t in types])
with open("num.dump", "w") as f:
    f.write("ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n%d\nITEM: BOX BOUNDS pp pp pp\n" % len(x) + ("0 %r\n" % L) * 3)
    f.write("ITEM: ATOMS id element x y z\n" + "".join("%d %d %r %r %r\n" % (k + 1, t, *p) for k, (t, p) in enumerate(zip(types, x))))

EAM = ["-potential", "eam/alloy", "-potential_file", "ZrCuAl2011.eam.alloy", "-potential_elements", "Cu,Zr"]


def energy(path):
    out = path.replace(".", "_") + ".energy.h5"
    run(["energy", "-sample", path, "-o", out] + EAM, nranks)
    with h5py.File(out, "r") as h5:
        return h5["/energy/total"][()], h5["/energy/per_atom"][()]


ref_total, ref_atoms = energy("cuzr.data")
for path in ("num.xyz", "num.dump"):
    total, atoms = energy(path)
    check(total == ref_total and np.array_equal(atoms, ref_atoms), "%s with -potential_elements Cu,Zr: the typed data file's energies, bitwise (%.15g)" % (path, total))

# 11 numeric species: numeric order, types by value, the first atom of species 11
eleven = np.concatenate([[11], rng.integers(1, 12, size=len(x) - 12), np.arange(1, 12)])
write_xyz("eleven.xyz", [str(t) for t in eleven])
run(["convert", "-sample", "eleven.xyz", "-o", "eleven.h5"], nranks)
h = read_h5md("eleven.h5")
check(h["names"] == [str(t) for t in range(1, 12)], "11 numeric species in numeric order: %s" % h["names"])
check(np.array_equal(h["types"] + 1, eleven), "species k is type k")
sys.exit(0)
