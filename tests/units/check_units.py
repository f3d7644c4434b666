"""Units, masses and species names (docs/units.md), checked against values derived by hand from
CODATA constants in SI:

  dimer    two LJ atoms at r0 = 2^(1/6) sigma: the stretch mode has k = phi''(r0) = 72 eps / (2^(1/3) sigma^2)
           and omega^2 = 2 k / m. `-units metal` (eV, A, amu) and `-units real` (kcal/mol, A, g/mol) must
           report nu = omega / 2 pi in THz and cm^-1 as computed here in SI, C_v(T) with T in K as the
           Einstein sum over the written eigenvalues in SI.
  masses   from the Masses section; from the potential file (eam/fs CuZr_mm carries them): the same
           Tr(H)/(dN) as with a Masses section; an eam funcfl file's mass; from element names (-potential_elements, Atom Type
           Labels); none in metal units: an error naming what to give; lj units: 1.
  names    rdf pairs say Cu-Zr with -potential_elements Cu,Zr.
  defaults eam/fs gives metal units (THz), lj presets lj units."""
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.environ["SRC"], "tests"))
sys.path.insert(0, os.path.join(os.environ["SRC"], "tests", "manybody"))
from vitrum_testlib import check, run  # noqa: E402
import mbtools  # noqa: E402

# CODATA 2018 (SI)
E, KB, HBAR, U, C, NA = 1.602176634e-19, 1.380649e-23, 1.054571817e-34, 1.66053906660e-27, 299792458.0, 6.02214076e23
EPS, SIG, MASS = 0.4, 2.3, 63.546
R0 = 2 ** (1 / 6) * SIG


def dimer(path, masses=True, labels=None):
    with open(path, "w") as f:
        f.write("dimer\n\n2 atoms\n1 atom types\n\n0 20 xlo xhi\n0 20 ylo yhi\n0 20 zlo zhi\n")
        if masses:
            f.write("\nMasses\n\n1 %.17g\n" % MASS)
        if labels:
            f.write("\nAtom Type Labels\n\n1 %s\n" % labels)
        f.write("\nAtoms # atomic\n\n1 1 10 10 10\n2 1 %.17g 10 10\n" % (10 + R0))


def spectrum(data, out, *extra):
    run(["spectrum", "-sample", data, "-potential", "lj", "-lj_epsilon", EPS, "-lj_sigma", SIG, "-lj_cutoff_sigma", 2.5, "-spectrum_method", "dense",
         "-spectrum_inertia", 0, "-kpm_vectors", 2, "-kpm_moments", 32, "-o", out] + list(extra))
    return h5py.File(out, "r")


def attr(ds):
    u = ds.attrs["units"]
    return u.decode() if isinstance(u, bytes) else u


# ---- dimer: frequencies in THz / cm^-1, C_v(T) in K --------------------------------------------
dimer("dimer.data")
for style, energy_J, mass_kg in (("metal", E, U), ("real", 4184.0 / NA, 1e-3 / NA)):
    eps = EPS if style == "metal" else EPS * E * NA / 4184.0  # the same dimer: eps in kcal/mol
    k_si = 72 * eps * energy_J / (2 ** (1 / 3) * (SIG * 1e-10) ** 2)  # N/m
    nu_thz = np.sqrt(2 * k_si / (MASS * mass_kg)) / (2 * np.pi) / 1e12
    with spectrum("dimer.data", "dimer_%s.h5" % style, "-units", style, "-lj_epsilon", eps) as h:
        nu = h["/spectrum/modes/omega"][-1]
        check(attr(h["/spectrum/modes/omega"]) == "THz" and abs(nu / nu_thz - 1) < 1e-9,
              "%s: stretch nu = %.9g THz (SI by hand: %.9g)" % (style, nu, nu_thz))
        wn = h["/spectrum/modes/wavenumber"][-1]
        check(abs(wn / (nu_thz * 1e12 / (100 * C)) - 1) < 1e-9, "%s: %.6g cm^-1" % (style, wn))
        lam = h["/spectrum/modes/eigenvalues"][...]
        unit_j = energy_J / (1e-20 * mass_kg)  # eigenvalue unit in 1/s^2
        T = h["/spectrum/cv/T"][...]
        w = np.sqrt(np.maximum(lam, 0) * unit_j)  # rad/s
        x = HBAR * w[None, :] / (KB * T[:, None])
        with np.errstate(over="ignore", invalid="ignore"):
            c = np.where(x < 1e-8, 1.0, x ** 2 * np.exp(-x) / np.expm1(-x) ** 2)
        cv = c.sum(axis=1) / 2
        check(attr(h["/spectrum/cv/T"]) == "K" and np.allclose(h["/spectrum/cv/cv_modes"][...], cv, rtol=1e-9, atol=1e-6),  # zero modes: 1 - e^-x loses digits
              "%s: C_v(T) with T in K = Einstein sum in SI (max |diff| %.1e)" % (style, np.max(np.abs(h["/spectrum/cv/cv_modes"][...] - cv))))
        D, om = h["/spectrum/vdos/D"][...], h["/spectrum/vdos/omega"][...]
        check(abs(np.sum(D) * (om[1] - om[0]) - 1) < 1e-9 and attr(h["/spectrum/vdos/D"]) == "1/(THz)",
              "%s: the VDOS integrates to 1 over nu in THz" % style)

# ---- masses ---------------------------------------------------------------------------------------
dimer("nomass.data", masses=False)
with spectrum("nomass.data", "names.h5", "-units", "metal", "-potential_elements", "Cu") as h:
    check(abs(h["/spectrum/modes/omega"][-1] / h5py.File("dimer_metal.h5")["/spectrum/modes/omega"][-1] - 1) < 1e-5,
          "metal: Cu from -potential_elements gives the standard atomic weight (63.546)")
dimer("label.data", masses=False, labels="Cu")
with spectrum("label.data", "label.h5", "-units", "metal") as h:
    check(abs(h["/spectrum/modes/omega"][-1] / h5py.File("dimer_metal.h5")["/spectrum/modes/omega"][-1] - 1) < 1e-5,
          "metal: Cu from Atom Type Labels gives the standard atomic weight")
p = run(["spectrum", "-sample", "nomass.data", "-potential", "lj", "-units", "metal", "-o", "x.h5"], expect_fail=True)
msg = [line for line in (p.stdout + p.stderr).splitlines() if line.startswith("vitrum: error")][0]
check("no mass for atom type 1" in msg and "Masses section" in msg and "-potential_elements" in msg and not os.path.exists("x.h5"),
      "metal units without masses: error naming Masses / -potential_elements: " + msg)
with spectrum("nomass.data", "lj.h5") as h:
    lam = h["/spectrum/modes/eigenvalues"][-1]
    check(abs(lam / (2 * 72 * EPS / (2 ** (1 / 3) * SIG ** 2)) - 1) < 1e-9 and attr(h["/spectrum/modes/omega"]).startswith("1/tau"),
          "lj units (default for lj): mass 1, frequencies in 1/tau")

# CuZr eam/fs: masses from the potential file = the Masses section; default units metal
mbtools.make_sample("cuzr_m.data", "fcc", 3.8, 5, ["Cu", "Zr"], [0.5, 0.5], 0.05, 3)
lines = open("cuzr_m.data").read()
open("cuzr.data", "w").write(lines[:lines.index("Masses")] + lines[lines.index("Atoms"):])
common = ["-potential", "eam/fs", "-potential_file", mbtools.potential_path("CuZr_mm.eam.fs"), "-potential_elements", "Cu,Zr",
          "-spectrum_nev", 0, "-spectrum_inertia", 0, "-spectrum_kpm", 0]
w2 = {}
for name in ("cuzr_m", "cuzr"):
    run(["spectrum", "-sample", name + ".data", "-o", name + ".h5"] + common, 2)
    with h5py.File(name + ".h5", "r") as h:
        w2[name] = h["/spectrum/scalars/omega2_mean"][()]
        units = attr(h["/spectrum/cv/T"]), attr(h["/spectrum/scalars/omega2_mean"])
check(abs(w2["cuzr"] / w2["cuzr_m"] - 1) < 1e-12 and units == ("K", "eV/(A^2 amu)"),
      "CuZr eam/fs: masses from the potential file, <omega^2> = %.6g eV/(A^2 amu) as with Masses (%.6g), metal units by default" % (w2["cuzr"], w2["cuzr_m"]))

# eam (funcfl): the file's one mass (line 2 of Cu_u3.eam: 63.550) for a sample without Masses, not the
# standard atomic weight 63.546 (docs/units.md lists funcfl files among the mass sources)
mbtools.make_sample("cu_m.data", "fcc", 3.615, 3, ["Cu"], [1.0], 0.02, 5)
lines = open("cu_m.data").read()
open("cu_nomass.data", "w").write(lines[:lines.index("Masses")] + lines[lines.index("Atoms"):])
run(["minimize", "-sample", "cu_nomass.data", "-potential", "eam", "-potential_file", mbtools.potential_path("Cu_u3.eam"), "-o", "cu_min.data"])
masses = open("cu_min.data").read().split("Masses")[1].split("Atoms")[0].split()
check(abs(float(masses[1]) - 63.55) < 1e-12, "eam funcfl: the potential file's mass 63.55 (its line 2), not the standard weight (%s)" % masses[1])

# ---- species names ----------------------------------------------------------------------------------
run(["rdf", "-sample", "cuzr.data", "-potential_elements", "Cu,Zr", "-rdf_rmax", 5, "-o", "cuzr.rdf.h5"])
with h5py.File("cuzr.rdf.h5", "r") as h:
    pairs = [p.decode() for p in h["/structure/rdf/pairs"][...]]
check(pairs == ["Cu-Cu", "Cu-Zr", "Zr-Zr"], "rdf pairs named by -potential_elements: %s" % pairs)

# ---- minimize keeps the real masses; response's dipole range scales with the sample ---------------
pot = common[:6]
# no saddle check (a Hessian and an eigensolve): this sample relaxes to a minimum (the check finds 0 negative
# curvatures and escapes nowhere), so cuzr_min.data is bitwise the same file
run(["minimize", "-sample", "cuzr.data", "-o", "cuzr_min.data", "-minimize_saddle_escapes", 0] + pot)
masses = open("cuzr_min.data").read().split("Masses")[1].split("Atoms")[0].split()
check(abs(float(masses[1]) - 63.546) < 1e-9 and abs(float(masses[5]) - 91.224) < 1e-9,
      "minimize writes the potential file's masses (%s, %s), not 1" % (masses[1], masses[5]))
run(["response", "-sample", "cuzr_min.data", "-response_nev", 0, "-response_dipole_pairs", 3, "-o", "resp.h5"] + pot, 2)
with h5py.File("resp.h5", "r") as h:
    dist = h["/response/dipole/distance"][...]
    kunits = attr(h["/response/dipole/kappa"])
a = (19.0 ** 3 / 500) ** (1 / 3)
check(len(dist) == 3 and np.all(dist < 1.6 * a) and kunits == "A^2/eV",
      "CuZr response: dipoles on pairs closer than 1.6 (V/N)^(1/3) = %.3f A (%s), kappa in A^2/eV" % (1.6 * a, np.round(dist, 3)))

# ---- boson peak: a maximum on the bound of the search is refined (more moments), flagged, warned about ----
kpm = pot + ["-spectrum_nev", 0, "-spectrum_inertia", 0, "-kpm_vectors", 4, "-kpm_moments", 256]  # fixed: the refinement is what is tested


def boson(name, *extra):
    p = run(["spectrum", "-sample", "cuzr_min.data", "-o", name] + kpm + list(extra))
    with h5py.File(name, "r") as h:
        s = {k: h["/spectrum/scalars/boson_peak_" + k][()] for k in ("omega", "height", "at_bound", "search_min", "moments")}
        s["omega_grid"], s["reduced"] = h["/spectrum/vdos/omega"][...], h["/spectrum/vdos/reduced"][...]
    s["warned"] = "sits on a bound" in p.stdout
    return s


s = boson("bp0.h5")
first = np.argmax(s["omega_grid"] >= s["search_min"])
check(s["at_bound"] == 0 and not s["warned"] and s["moments"] == 256 and s["omega"] == s["omega_grid"][first + np.argmax(s["reduced"][first:])],
      "boson peak %.3f THz = maximum of the reduced VDOS above %.3f THz, inside the search" % (s["omega"], s["search_min"]))
# the grid ends at 1.6 THz: with 256 moments the maximum is the first bin of the search
s = boson("bp1.h5", "-vdos_omega_max", 1.6, "-boson_max_moments", 256)
check(s["at_bound"] == 1 and s["warned"], "no refinement allowed: peak %.3f THz on the bound %.3f THz: flagged and warned" % (s["omega"], s["search_min"]))
s = boson("bp2.h5", "-vdos_omega_max", 1.6)
r = boson("bp3.h5", "-vdos_omega_max", 1.6, "-kpm_moments", int(s["moments"]), "-boson_max_moments", int(s["moments"]))
check(s["moments"] > 256 and s["at_bound"] == 0 and not s["warned"] and all(s[k] == r[k] for k in ("omega", "height", "search_min")),
      "refined to %d moments: peak %.3f THz inside the search, bitwise as a run with -kpm_moments %d" % (s["moments"], s["omega"], s["moments"]))
