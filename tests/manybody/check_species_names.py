"""manybody_species_names: where the sample file names its species, -potential_elements cannot
swap them. An extended XYZ file numbers its species alphabetically (C = type 1, Si = type 2), the
opposite of the LAMMPS data file of the same a-SiC configuration (Si = 1, C = 2):
- `-potential_elements Si,C` on the XYZ file (LAMMPS order, wrong here) is one error line naming the
  file's order, on 1 and 2 ranks, and writes nothing (before, it silently computed Si where C is);
- without -potential_elements the XYZ file's names are used, and with the right order `C,Si`: the
  per-atom energies are the same (bitwise) and equal those of the data file with `Si,C`, atom for
  atom, to round-off, and LAMMPS's;
- a data file without names: -potential_elements is required, the message suggesting the elements
  the masses match."""
import os
import sys
import numpy as np
import mbtools as mb

mb.make_sample("sic.data", "diamond", 4.36, 3, ["Si", "C"], [0.5, 0.5], 0.05, 5)
lines = open("sic.data").read().splitlines()
box = float(next(l for l in lines if l.endswith("xlo xhi")).split()[1])
atoms = [l.split() for l in lines[lines.index("Atoms # atomic") + 2:] if l.strip()]
with open("sic.xyz", "w") as f:
    f.write("%d\nLattice=\"%r 0 0 0 %r 0 0 0 %r\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n" % (len(atoms), box, box, box))
    for a in atoms:
        f.write("%s %s %s %s\n" % ({"1": "Si", "2": "C"}[a[1]], a[2], a[3], a[4]))

failed = False
for nranks in (1, 2):
    out = mb.run(mb.mpirun(nranks) + [os.environ["VITRUM"], "energy", "-sample", "sic.xyz", "-o", "swapped.h5"]
                 + mb.potential_options("tersoff", "SiC.tersoff", ["Si", "C"]), expect_fail=True)
    errors = [l for l in out.stderr.splitlines() if l.startswith("vitrum: error:")]
    ok = (out.returncode == 1 and len(errors) == 1 and not os.path.exists("swapped.h5")
          and "-potential_elements Si,C: atom type 1 of sic.xyz is C, not Si (its types in order: C,Si): give -potential_elements C,Si" in errors[0])
    print("%s %d ranks, -potential_elements Si,C on the XYZ file: %s" % ("ok    " if ok else "FAILED", nranks, errors[0] if errors else out.stderr[-400:]))
    failed |= not ok

# the data file names no species: -potential_elements is needed, and the message suggests the
# elements its masses match (a hint, never applied)
out = mb.run(mb.mpirun(2) + [os.environ["VITRUM"], "energy", "-sample", "sic.data", "-potential", "tersoff", "-potential_file",
                             mb.potential_path("SiC.tersoff"), "-o", "unnamed.h5"], expect_fail=True)
errors = [l for l in out.stderr.splitlines() if l.startswith("vitrum: error:")]
ok = len(errors) == 1 and "needs -potential_elements (element of each of the sample's 2 atom types, in type order, e.g. Si,C going by its masses)" in errors[0]
print("%s unnamed types: %s" % ("ok    " if ok else "FAILED", errors[0] if errors else out.stderr[-300:]))
failed |= not ok

e_data, f_data, _ = mb.vitrum_energy("sic.data", "tersoff", "SiC.tersoff", ["Si", "C"], 2, "data.h5")
e_lmp, f_lmp, _ = mb.lammps_reference("sic.data", "tersoff", "SiC.tersoff", ["Si", "C"])
e_xyz, f_xyz, _ = mb.vitrum_energy("sic.xyz", "tersoff", "SiC.tersoff", ["C", "Si"], 2, "xyz.h5")
mb.run(mb.mpirun(2) + [os.environ["VITRUM"], "energy", "-sample", "sic.xyz", "-potential", "tersoff", "-potential_file",
                       mb.potential_path("SiC.tersoff"), "-o", "names.h5"])
import h5py  # noqa: E402
with h5py.File("names.h5", "r") as h5:
    e_names = h5["/energy/per_atom"][...]
# XYZ with and without the option: the same run (bitwise); against the data file, whose type
# numbers differ (another order of the per-type tables and neighbour lists), round-off (~1e-13)
ok = np.array_equal(e_names, e_xyz) and np.abs(e_xyz - e_data).max() < 1e-12 and np.abs(e_data - e_lmp).max() < 1e-9
print("%s XYZ without -potential_elements = XYZ with C,Si (bitwise) = data file with Si,C (max |de| %.1e eV); LAMMPS max |de| %.1e eV"
      % ("ok    " if ok else "FAILED", np.abs(e_xyz - e_data).max(), np.abs(e_data - e_lmp).max()))
failed |= not ok
sys.exit(1 if failed else 0)
