"""manybody_ energy tests: `vitrum energy` with an EAM, Tersoff or Stillinger-Weber potential against LAMMPS (`lmp`)
on the same LAMMPS data file and potential file: energy per atom (relative 1e-10), forces
(absolute 1e-8 eV/A), total energy and the virial (LAMMPS pressure tensor), on 1 and 3 ranks."""
import argparse
import sys
import numpy as np
import mbtools as mb

NKTV2P = 1.6021765e6  # LAMMPS metal units: bar per eV/A^3

p = argparse.ArgumentParser()
p.add_argument("--style", required=True, help="LAMMPS pair_style")
p.add_argument("--potential", required=True, help="vitrum -potential")
mb.add_sample_arguments(p)
p.add_argument("--jitter", type=float, default=0.12)
p.add_argument("--tilt", type=float, default=0.0)
p.add_argument("--relax", action="store_true", help="compare on the sample relaxed by LAMMPS")
p.add_argument("--bare-name", action="store_true", help="give vitrum the file's bare name with $LAMMPS_POTENTIALS unset (found in the repository's potentials/ or Debian's folder)")
p.add_argument("--melt", type=float, default=0.0, help="with --relax: melt at this temperature (K) first, then quench")
o = p.parse_args()
elements = o.elements.split(",")
if o.file == "smooth-fs":
    o.file = "smooth.eam.fs"
    mb.write_smooth_fs(o.file, elements)
n = mb.make_sample("unrelaxed.data" if o.relax else "sample.data", o.lattice, o.a, o.reps, elements, [float(f) for f in o.fractions.split(",")], o.jitter, 11, o.tilt)
if o.relax:
    mb.lammps_relax("unrelaxed.data", o.style, o.file, elements, "sample.data", melt=o.melt)
e_ref, f_ref, thermo = mb.lammps_reference("sample.data", o.style, o.file, elements)
volume = thermo[8]
print("%s %s %s: N = %d, LAMMPS energy %.12f eV" % (o.style, o.file, o.elements, n, e_ref.sum()))
failed = False
for nranks in (1, 3):
    e, f, w = mb.vitrum_energy("sample.data", o.potential, o.file, elements, nranks, "energy%d.h5" % nranks, o.bare_name)
    checks = {
        "energy per atom (max relative difference)": (np.max(np.abs(e - e_ref) / np.abs(e_ref)), 1e-10),
        "total energy (relative difference)": (abs(e.sum() - e_ref.sum()) / abs(e_ref.sum()), 1e-10),
        "forces (max absolute difference, eV/A)": (np.abs(f - f_ref).max(), 1e-8),
        "virial vs LAMMPS pressure tensor (relative)": (np.abs(w / volume * NKTV2P - thermo[2:8]).max() / np.abs(thermo[2:8]).max(), 1e-9),
    }
    for name, (value, tol) in checks.items():
        ok = value <= tol
        failed |= not ok
        print("  %d rank(s): %-45s %.3e (tolerance %.0e) %s" % (nranks, name, value, tol, "ok" if ok else "FAILED"))
sys.exit(1 if failed else 0)
