"""manybody_species_names: species names decide the types, never the other way round. An extended
XYZ file numbers its species alphabetically (C = type 1, Si = type 2), the opposite of the LAMMPS
data file of the same a-SiC configuration (Si = 1, C = 2):
- `-potential_elements Si,C` on the XYZ file renumbers its types in that order (`info`: type 1 is
  Si), and the per-atom energies equal those of the XYZ file read in its own order (bitwise) and
  the data file's (to round-off), on 1 and 2 ranks (before session 18 an error);
- a species the option does not name (`Si,Ge` on the XYZ file) is one error line naming it;
- on the data file, whose Masses comments name type 1 Si, `-potential_elements C,Si` cannot swap the
  types: one error line naming the file's order, nothing written;
- without -potential_elements the XYZ file's names are used, and with `C,Si`: the per-atom energies
  are the same (bitwise) and equal those of the data file with `Si,C`, atom for atom, to round-off,
  and LAMMPS's;
- a data file without names: -potential_elements is required, the message suggesting the elements
  the masses match."""
import os
import re
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

with open("sic.data") as f:  # the same file with its species named by Masses comments (the lines of two words)
    named = re.sub(r"^([12]) (\S+)$", lambda m: "%s %s # %s" % (m[1], m[2], "Si" if m[1] == "1" else "C"), f.read(), flags=re.M)
open("named.data", "w").write(named)
import h5py  # noqa: E402

failed = False


def one_error(args, nranks, words, what):
    out = mb.run(mb.mpirun(nranks) + [os.environ["VITRUM"]] + args + ["-o", "bad.h5"], expect_fail=True)
    errors = [l for l in out.stderr.splitlines() if l.startswith("vitrum: error:")]
    ok = out.returncode == 1 and len(errors) == 1 and not os.path.exists("bad.h5") and all(w in errors[0] for w in words)
    print("%s %d ranks, %s: %s" % ("ok    " if ok else "FAILED", nranks, what, errors[0] if errors else out.stderr[-400:]))
    return ok


e_data, f_data, _ = mb.vitrum_energy("sic.data", "tersoff", "SiC.tersoff", ["Si", "C"], 2, "data.h5")
e_xyz, f_xyz, _ = mb.vitrum_energy("sic.xyz", "tersoff", "SiC.tersoff", ["C", "Si"], 2, "xyz.h5")
for nranks in (1, 2):
    info = mb.run(mb.mpirun(nranks) + [os.environ["VITRUM"], "info", "-sample", "sic.xyz", "-potential_elements", "Si,C"]).stdout
    mb.run(mb.mpirun(nranks) + [os.environ["VITRUM"], "energy", "-sample", "sic.xyz", "-potential", "tersoff", "-o", "renumbered.h5"] + mb.potential_options("tersoff", "SiC.tersoff", ["Si", "C"]))
    with h5py.File("renumbered.h5", "r") as h5:
        e_renumbered = h5["/energy/per_atom"][...]
    ok = "type 1:    Si" in info and np.array_equal(e_renumbered, e_xyz) and np.abs(e_renumbered - e_data).max() < 1e-12
    print("%s %d ranks, -potential_elements Si,C on the XYZ file: type 1 is Si, energies = its own order's bitwise, the data file's to %.1e eV"
          % ("ok    " if ok else "FAILED", nranks, np.abs(e_renumbered - e_data).max()))
    failed |= not ok
    failed |= not one_error(["energy", "-sample", "sic.xyz", "-potential", "tersoff"] + mb.potential_options("tersoff", "SiC.tersoff", ["Si", "Ge"]), nranks,
                            ["sic.xyz has species C, which -potential_elements Si,Ge does not name"], "a species the option does not name")
    failed |= not one_error(["energy", "-sample", "named.data", "-potential", "tersoff"] + mb.potential_options("tersoff", "SiC.tersoff", ["C", "Si"]), nranks,
                            ["-potential_elements C,Si: atom type 1 of named.data is Si, not C (its types in order: Si,C): give -potential_elements Si,C"],
                            "-potential_elements C,Si on the data file naming Si,C")

# the data file names no species: -potential_elements is needed, and the message suggests the
# elements its masses match (a hint, never applied)
out = mb.run(mb.mpirun(2) + [os.environ["VITRUM"], "energy", "-sample", "sic.data", "-potential", "tersoff", "-potential_file",
                             mb.potential_path("SiC.tersoff"), "-o", "unnamed.h5"], expect_fail=True)
errors = [l for l in out.stderr.splitlines() if l.startswith("vitrum: error:")]
ok = len(errors) == 1 and "needs -potential_elements (element of each of the sample's 2 atom types, in type order, e.g. Si,C going by its masses)" in errors[0]
print("%s unnamed types: %s" % ("ok    " if ok else "FAILED", errors[0] if errors else out.stderr[-300:]))
failed |= not ok

e_lmp, f_lmp, _ = mb.lammps_reference("sic.data", "tersoff", "SiC.tersoff", ["Si", "C"])
mb.run(mb.mpirun(2) + [os.environ["VITRUM"], "energy", "-sample", "sic.xyz", "-potential", "tersoff", "-potential_file",
                       mb.potential_path("SiC.tersoff"), "-o", "names.h5"])
with h5py.File("names.h5", "r") as h5:
    e_names = h5["/energy/per_atom"][...]
# XYZ with and without the option: the same run (bitwise); against the data file, whose type
# numbers differ (another order of the per-type tables and neighbour lists), round-off (~1e-13)
ok = np.array_equal(e_names, e_xyz) and np.abs(e_xyz - e_data).max() < 1e-12 and np.abs(e_data - e_lmp).max() < 1e-9
print("%s XYZ without -potential_elements = XYZ with C,Si (bitwise) = data file with Si,C (max |de| %.1e eV); LAMMPS max |de| %.1e eV"
      % ("ok    " if ok else "FAILED", np.abs(e_xyz - e_data).max(), np.abs(e_data - e_lmp).max()))
failed |= not ok
sys.exit(1 if failed else 0)
