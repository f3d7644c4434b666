"""Units and Lennard-Jones coefficients taken from a LAMMPS data file (docs/units.md, docs/potentials.md),
checked against LAMMPS itself:

  units    LAMMPS's write_data (since 2022) ends the title line with "units = STYLE": that style is the
           default of -units, a contradicting -units is one error line (once, also on 2 ranks), an unknown
           style an error naming line 1; files vitrum writes (data, H5MD) declare the style they know.
  PairIJ   `write_data FILE pair ij` writes every pair's epsilon, sigma, cutoff: -potential lj/cut without
           -lj_* options takes them (a cross pair that is NOT the geometric mix, so a mixed value would
           show), and the energy equals LAMMPS's; options or a ka preset that differ from the file get
           a warning.
  Pair     plain write_data writes per-type coefficients only: with 2 types the cross pair is unknown,
           an error saying what to give.
  defaults -potential lj/cut or ka3d in metal units without epsilon, sigma, cutoff: an error naming them
           (energy, hessian, minimize alike, also when the file declares the style);
           a many-body potential (its file in metal units) in real or lj units: an error (hessian, energy).
  none     a file that declares no units (Debian's LAMMPS) with atomic-looking masses, run in lj units by
           default: one note per run saying so.
  travel   minimize writes the units and the PairIJ section; LAMMPS reads that file back and gets
           vitrum's energy."""
import os
import re
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.environ["SRC"], "tests"))
from vitrum_testlib import check, run  # noqa: E402

LAMMPS = """units metal
atom_style atomic
boundary p p p
lattice fcc 5.6
region box block 0 4 0 4 0 4
create_box 2 box
create_atoms 1 box
set type 1 type/fraction 2 0.3 1234
mass 1 39.948
mass 2 20.18
pair_style lj/cut 8.5
pair_coeff 1 1 0.0104 3.40
pair_coeff 1 2 0.0070 3.05
pair_coeff 2 2 0.0031 2.74
velocity all create 60 4321
fix 1 all nvt temp 60 60 0.1
timestep 0.002
run 300
write_data ij.data pair ij
write_data plain.data
run 0
variable e equal pe
print "EPOT ${e}" file epot.txt
"""
READBACK = """units metal
atom_style atomic
boundary p p p
pair_style lj/cut 8.5
read_data min.data
run 0
variable e equal pe
print "EPOT ${e}" file epot_min.txt
"""
OPTIONS = ["-lj_epsilon", "0.0104,0.0070,0.0031", "-lj_sigma", "3.40,3.05,2.74", "-lj_cutoff", 8.5]


def lammps(script, name):
    with open(name, "w") as f:
        f.write(script)
    subprocess.run(["lmp", "-in", name, "-log", "none", "-screen", "none"], check=True)


def epot(path):
    return float(open(path).read().split()[1])


def energy(p):
    return float(re.search(r"total (\S+)", p.stdout).group(1))


def errors(p):
    return [line for line in (p.stdout + p.stderr).splitlines() if line.startswith("vitrum: error")]


def declare(src, dst, style):
    lines = open(src).read().split("\n")
    lines[0] += ", units = %s" % style  # as LAMMPS >= 2022 writes it (write_data.cpp: "..., timestep = {}, units = {}")
    open(dst, "w").write("\n".join(lines))


lammps(LAMMPS, "make.in")
e_lammps = epot("epot.txt")
declare("ij.data", "ij_metal.data", "metal")

# ---- PairIJ Coeffs: the coefficients, with the cross pair as written (not mixed) --------------------
p = run(["energy", "-sample", "ij_metal.data", "-potential", "lj/cut"])
check(abs(energy(p) / e_lammps - 1) < 1e-10 and "from ij_metal.data (PairIJ Coeffs" in p.stdout,
      "PairIJ Coeffs taken (note printed): energy %.15g = LAMMPS %.15g" % (energy(p), e_lammps))
ENERGY_UNITS = ("/energy/total", "/energy/per_atom", "/forces", "/energy/virial", "/energy/pressure", "/energy/max_force")
with h5py.File("ij_metal.energy.h5", "r") as f:  # once the generic "energy", "energy/length", "energy/length^d"
    got = [f[k].attrs["units"].decode() if isinstance(f[k].attrs["units"], bytes) else f[k].attrs["units"] for k in ENERGY_UNITS]
check(got == ["eV", "eV", "eV/A", "eV", "eV/A^3", "eV/A"], "energy in metal units: units attributes eV, eV/A, eV/A^3 (%s)" % got)
q = run(["energy", "-sample", "ij_metal.data", "-potential", "lj/cut"] + OPTIONS)
check(energy(q) == energy(p) and "warning" not in q.stdout + q.stderr and "note" not in q.stdout,
      "the same coefficients as options: bitwise the same energy, no note, no warning")
w = run(["energy", "-sample", "ij_metal.data", "-potential", "lj/cut", "-lj_epsilon", "0.0104,0.0056,0.0031", "-lj_sigma", "3.40,3.05,2.74", "-lj_cutoff", 8.5])
check(re.findall(r"warning: ij_metal.data: pair \d-\d has \w+ .* in its PairIJ Coeffs", w.stdout + w.stderr) == ["warning: ij_metal.data: pair 1-2 has epsilon 0.007 in its PairIJ Coeffs"] and energy(w) != energy(p),
      "options that differ from the file: one warning naming the pair and the value, the options used")
h = run(["energy", "-sample", "ij_metal.data", "-potential", "lj/cut", "-lj_epsilon", "0.0104,0.0070,0.0031"])
check(energy(h) == energy(p) and "Lennard-Jones sigma, cutoff of the pairs" in h.stdout,
      "-lj_epsilon alone: sigma and cutoff from the file, LAMMPS's energy")
k = run(["energy", "-sample", "ij.data", "-potential", "ka3d"])
check(len(re.findall(r"warning: ij.data: pair \d-\d has (?:epsilon|sigma) .* the Kob-Andersen preset .*: using ka3d", k.stdout + k.stderr)) == 6,
      "a Kob-Andersen preset on a file whose PairIJ Coeffs differ: a warning per pair and value")

# ---- no declared units, masses other than 1: lj units (the pair default) with one note ---------------
NOTE = "vitrum: note: lj units: %s declares no units (LAMMPS before 2022 writes none) and -units is not given, so its masses 39.948, 20.18 are in units of m"
QUICK = ["-spectrum_nev", 0, "-spectrum_inertia", 0, "-kpm_moments", 16, "-kpm_vectors", 2]
u = run(["spectrum", "-sample", "ij.data", "-potential", "lj/cut", "-o", "lj_note.h5"] + QUICK)
check((u.stdout + u.stderr).count(NOTE % "ij.data") == 1
      and "note: lj units" not in run(["spectrum", "-sample", "ij_metal.data", "-potential", "lj/cut", "-o", "lj_none.h5"] + QUICK).stdout
      and "note: lj units" not in run(["spectrum", "-sample", "ij.data", "-potential", "lj/cut", "-units", "lj", "-o", "lj_none.h5"] + QUICK).stdout,
      "undeclared file with masses 39.948, 20.18 in lj units by default: one note; declared or -units given: none")

# ---- units = metal from the title line --------------------------------------------------------------
run(["spectrum", "-sample", "ij_metal.data", "-potential", "lj/cut", "-spectrum_nev", 4, "-kpm_moments", 32, "-kpm_vectors", 2, "-o", "declared.h5"])
run(["spectrum", "-sample", "ij.data", "-potential", "lj/cut", "-units", "metal", "-spectrum_nev", 4, "-kpm_moments", 32, "-kpm_vectors", 2, "-o", "given.h5"] + OPTIONS)
with h5py.File("declared.h5", "r") as a, h5py.File("given.h5", "r") as b:
    unit = a["/spectrum/modes/omega"].attrs["units"]
    unit = unit.decode() if isinstance(unit, bytes) else unit
    check(unit == "THz" and a["/spectrum/scalars/omega2_mean"][()] == b["/spectrum/scalars/omega2_mean"][()]
          and (a["/spectrum/modes/omega"][...] == b["/spectrum/modes/omega"][...]).all(),
          "declared metal = -units metal with the options: THz, the same <omega^2> and modes bitwise")
for n in (1, 2):
    p = run(["spectrum", "-sample", "ij_metal.data", "-potential", "lj/cut", "-units", "lj", "-o", "bad.h5"], n, expect_fail=True)
    check(len(errors(p)) == 1 and "declares 'units = metal'" in errors(p)[0] and not os.path.exists("bad.h5"),
          "%d rank(s): -units lj on a file declaring metal: one error line, no output: %s" % (n, errors(p)))
declare("ij.data", "ij_si.data", "si")
p = run(["info", "-sample", "ij_si.data"], expect_fail=True)
check(len(errors(p)) == 1 and "ij_si.data:1:" in errors(p)[0] and "lj, metal and real" in errors(p)[0],
      "units = si: an error naming line 1 and the styles vitrum knows: %s" % errors(p))

# ---- Pair Coeffs (per type) cannot give a cross pair; no coefficients at all in metal units ----------
p = run(["energy", "-sample", "plain.data", "-potential", "lj/cut"], expect_fail=True)
check(len(errors(p)) == 1 and "write_data FILE pair ij" in errors(p)[0] and "-lj_epsilon" in errors(p)[0],
      "2-type Pair Coeffs without options: an error saying what to give")
check(abs(energy(run(["energy", "-sample", "plain.data", "-potential", "lj/cut"] + OPTIONS)) / e_lammps - 1) < 1e-10,
      "2-type Pair Coeffs with the options: LAMMPS's energy")
with h5py.File("plain.energy.h5", "r") as f:  # undeclared: lj units
    got = [f[k].attrs["units"].decode() if isinstance(f[k].attrs["units"], bytes) else f[k].attrs["units"] for k in ENERGY_UNITS]
check(got == ["epsilon", "epsilon", "epsilon/sigma", "epsilon", "epsilon/sigma^3", "epsilon/sigma"], "energy in lj units: units attributes epsilon, epsilon/sigma (%s)" % got)
body = open("plain.data").read()
open("bare.data", "w").write(re.sub(r"\nPair Coeffs # lj/cut\n\n(?:[^\n]+\n)+", "\n", body))
for stale in ("bare.h5", "eam.h5"):  # left by a failing run of this test in the same folder
    if os.path.exists(stale):
        os.remove(stale)
for pot in ("lj/cut", "ka3d"):
    p = run(["hessian", "-sample", "bare.data", "-potential", pot, "-units", "metal", "-o", "bare.h5"], expect_fail=True)
    check(len(errors(p)) == 1 and "-lj_epsilon, -lj_sigma, -lj_cutoff" in errors(p)[0] and not os.path.exists("bare.h5"),
          "-potential %s in metal units without coefficients: an error naming them" % pot)
declare("bare.data", "bare_metal.data", "metal")
for cmd in ("energy", "hessian", "minimize"):  # energy once ran with the lj-unit defaults (eps = sigma = 1, rc = 2.5)
    for n in (1, 2):
        p = run([cmd, "-sample", "bare_metal.data", "-potential", "lj", "-o", "bare.h5"], n, expect_fail=True)
        check(len(errors(p)) == 1 and "-potential lj in metal units: give -lj_epsilon" in errors(p)[0] and not os.path.exists("bare.h5"),
              "%s on a file declaring metal, lj without coefficients (%d ranks): one error line, no output: %s" % (cmd, n, errors(p)))

# ---- many-body potential files are in metal units, which vitrum does not convert (LAMMPS can): another
# style, declared by the file or given, is an error on 1 and 2 ranks ---------------------------------
declare("ij.data", "ij_real.data", "real")
eam = ["-potential", "eam/alloy", "-potential_file", "/usr/share/lammps/potentials/AlCu.eam.alloy", "-potential_elements", "Al,Cu"]
for cmd in ("hessian", "energy"):  # energy once ran on, ignoring the declared style and -units
    for sample, extra, n in (("ij_real.data", [], 2), ("ij.data", ["-units", "lj"], 1), ("ij.data", ["-units", "real"], 2)):
        p = run([cmd, "-sample", sample, "-o", "eam.h5"] + eam + extra, n, expect_fail=True)
        check(len(errors(p)) == 1 and "its potential file is in metal units" in errors(p)[0] and not os.path.exists("eam.h5"),
              "%s, eam/alloy on %s %s (%d ranks): one error line: %s" % (cmd, sample, " ".join(extra) or "(declared real)", n, errors(p)))

# ---- what vitrum writes declares the units and carries the coefficients: LAMMPS reads it back --------
# a loose -minimize_ftol and no saddle check: the file written is what is tested here, not how relaxed it is
run(["minimize", "-sample", "ij_metal.data", "-potential", "lj/cut", "-minimize_ftol", 1e-3, "-minimize_saddle_escapes", 0, "-o", "min.data"])
check(open("min.data").readline().rstrip().endswith("units = metal") and "PairIJ Coeffs # lj/cut" in open("min.data").read(),
      "minimize writes 'units = metal' and the PairIJ Coeffs")
lammps(READBACK, "readback.in")
e_min = energy(run(["energy", "-sample", "min.data", "-potential", "lj/cut"]))
check(abs(epot("epot_min.txt") / e_min - 1) < 1e-10, "LAMMPS reads vitrum's file: energy %.15g = vitrum's %.15g" % (epot("epot_min.txt"), e_min))
with open("min.data") as src, open("min_plain.data", "w") as dst:  # as Debian's LAMMPS would write it
    dst.write(src.read().replace(", units = metal", "", 1))
f = run(["features", "-samples", "ij.data", "min_plain.data", "-potential", "lj/cut", "-features_targets", "moments", "-features_cache", "cache_lj", "-o", "ds_lj.h5"] + QUICK)
check((f.stdout + f.stderr).count("vitrum: note: lj units:") == 1 and (f.stdout + f.stderr).count("Lennard-Jones epsilon, sigma, cutoff") == 1,
      "features over two undeclared samples: the units note and the coefficients note once each")
for n in (1, 2):  # a declared metal file among undeclared (lj) ones: THz and 1/tau in one column otherwise
    f = run(["features", "-samples", "ij.data", "ij_metal.data", "-potential", "lj/cut", "-features_targets", "moments", "-features_cache", "cache_lj", "-o", "mixed.h5"] + QUICK, n, expect_fail=True)
    # ij.data's outputs are cached: its unit style is what its rdf output records (session 38)
    check(len(errors(f)) == 1 and "ij_metal.data: in metal units (declared by its file), the sample ij.data in lj units" in errors(f)[0] and not os.path.exists("mixed.h5"),
          "features over samples in different unit styles: one error line, no dataset (%d ranks)" % n)
run(["convert", "-sample", "min.data", "-o", "min.h5"])
check("units:       metal" in run(["info", "-sample", "min.h5"]).stdout, "H5MD keeps the declared units")

# ---- features records the potential it used (coefficients from the file) and the masses: fit's exact
# <omega^2> and energy kernels need no -potential and reproduce the targets of these two Ar-Ne samples
# (same composition) to the binning error of g(r); with masses taken as 1 the <omega^2> one would be
# ~30x off --------------------------------------------------------------------------------------------
run(["features", "-samples", "ij_metal.data", "min.data", "-potential", "lj/cut", "-features_targets", "moments,energy_per_atom",
     "-features_drop_constant", 0, "-o", "ds.h5"])
with h5py.File("ds.h5", "r") as f:
    check(f["/dataset/structure/pair_table"].attrs["potential"] in ("lj/cut", b"lj/cut") and np.allclose(f["/dataset/structure/type_mass"][...], [39.948, 20.18]),
          "features records the pair potential on the feature grid and the masses")
run(["fit", "-data", "ds.h5", "-o", "model.h5", "-fit_prior", "kernel", "-fit_test_fraction", 0, "-fit_lambda", 1])
with h5py.File("ds.h5", "r") as f, h5py.File("model.h5", "r") as m:
    X, Y = f["/dataset/X"][...], f["/dataset/Y"][...]
    names = [t.decode() if isinstance(t, bytes) else t for t in f["/dataset/target_names"][...]]
    for name in ("omega2_mean", "energy_per_atom"):
        rel = np.abs(X @ m["/model/kernels/%s/K" % name][...] / Y[:, names.index(name)] - 1).max()
        check(rel < 5e-3, "fit without -potential: X K of the %s kernel = the targets to %.1e" % (name, rel))
