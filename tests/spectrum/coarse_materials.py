"""twolevel's default coarse spaces (src/spectrum/twolevel.c, CoarseBasis) beyond Lennard-Jones glasses,
on the materials users bring, each against dense LAPACK (scipy) of vitrum's written Hessian:
- a Cu-Zr-Al glass in metal units with its real masses (ZrCuAl2011.eam.alloy; a random fcc alloy
  melted 6 ps at 2000 K and relaxed by LAMMPS);
- an amorphous carbon sheet (Tersoff, BNC.tersoff; Stone-Wales moves from graphene, buckled out
  of plane) in a 3D box with vacuum;
- flat graphene (its z spread is round-off, 1e-10 A).
The glass gets the affine space; the sheets (a vacuum gap wider than the cutoff) the quadratic one,
whose functions that involve z (z, xz, yz, zz) graphene cannot carry in any aggregate: four are
dropped per aggregate (-info); the buckled sheet drops them only in the aggregates that are still
flat (fewer), the glass drops none. A sheet compressed away from its minimum: the quadratic space
gives way to the affine one at the first negative Ritz value.
Each: the lowest 20 non-zero eigenvalues to 1e-8 relative, on 2 ranks, with aggregates of 16 atoms
per coarse function (several aggregates per rank).
Usage: coarse_materials.py"""
import os
import subprocess
import sys

import numpy as np
import scipy.linalg

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "manybody"))
import mbtools  # noqa: E402
import spectrumlib as sl  # noqa: E402
import vitrum_testlib as vt  # noqa: E402

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
nev = 20
tersoff = ["-potential", "tersoff", "-potential_file", "/usr/share/lammps/potentials/BNC.tersoff", "-potential_elements", "C"]
eam = ["-potential", "eam/alloy", "-potential_file", os.path.join(REPO, "potentials", "ZrCuAl2011.eam.alloy"), "-potential_elements", "Zr,Cu,Al"]


def sheet(path, kt, moves, seed):
    subprocess.run(["/usr/bin/python3", os.path.join(REPO, "scripts", "stone_wales.py"), "--out", path, "--kt", str(kt), "--moves", str(moves),
                    "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
    return path


def glass(path):
    mbtools.make_sample("alloy.data", "fcc", 4.0, 4, ["Zr", "Cu", "Al"], [0.46, 0.46, 0.08], 0.1, 5)
    mbtools.lammps_relax("alloy.data", "eam/alloy", eam[3], ["Zr", "Cu", "Al"], path, melt=2000.0)
    return path


def z_spread(path):
    return np.ptp(sl.read_data(path)["pos"][:, 2])


# (what, sample, potential, functions dropped as a function of the aggregates, what that means)
samples = [("Cu-Zr-Al glass (eam/alloy, metal units)", glass("cuzral.data"), eam, "affine", lambda nagg, k: k == 0, "none"),
           ("amorphous carbon sheet (tersoff)", sheet("sheet.data", 3.0, 60, 3), tersoff, "quadratic", lambda nagg, k: k < 4 * nagg, "fewer than 4 per aggregate"),
           ("flat graphene (tersoff)", sheet("graphene.data", 1.0, 0, 1), tersoff, "quadratic", lambda nagg, k: k == 4 * nagg, "4 per aggregate")]
vt.check(z_spread("graphene.data") < 1e-8 and z_spread("sheet.data") > 0.1,
         "graphene is flat (z spread %.1e A), the amorphous sheet is buckled (%.2f A)" % (z_spread("graphene.data"), z_spread("sheet.data")))
for what, sample, potential, space, dropped_ok, dropped in samples:
    lam = scipy.linalg.eigh(sl.hessian_dense(sample, potential=potential), eigvals_only=True)
    vt.check(np.all(np.abs(lam[:3]) < 1e-8 * lam[3]), "%s: the reference's 3 lowest are the translations (%s)" % (what, lam[:4]))
    ref = lam[3:3 + nev]
    out = "coarse_%s.h5" % os.path.splitext(sample)[0]
    p = vt.run(["spectrum", "-sample", sample] + potential + ["-spectrum_nev", nev, "-spectrum_kpm", 0, "-spectrum_inertia", 0, "-spectrum_method", "twolevel",
                                                            "-spectrum_twolevel_aggregate", 16, "-info", ":sys", "-o", out], 2)
    got = sl.read(out, "/spectrum/modes/eigenvalues")
    err = np.max(np.abs(got - ref) / ref) if len(got) == nev else np.inf
    vt.check(err < 1e-8, "%s: twolevel's lowest %d eigenvalues = LAPACK's to 1e-8 relative (max %.1e)" % (what, nev, err))
    coarse = sl.twolevel_coarse(p.stdout)
    vt.check(coarse is not None and coarse[2] == space, "%s: -info reports the coarse level, %s (%s)" % (what, space, coarse))
    nagg, ndropped = coarse[0], coarse[3]
    vt.check(nagg >= 4 and dropped_ok(nagg, ndropped),
             "%s: %d aggregates, %d functions dropped (expected %s)" % (what, nagg, ndropped, dropped))

# A sheet away from a minimum (the buckled sheet compressed by 0.5 % in its plane, so that long
# flexural waves buckle it): H is indefinite, where the quadratic space stalls LOBPCG; the first
# negative Ritz value makes it affine (-info), and the lowest 20 eigenvalues, negative ones
# included, are LAPACK's.
s = sl.read_data("sheet.data")
squeeze = np.diag([0.995, 0.995, 1.0])  # (1 %: negative coarse pivots, and twolevel stops before LOBPCG)
vt.write_lammps_data("displaced.data", s["cell"] @ squeeze, s["lo"], s["types"], s["lo"] + (s["pos"] - s["lo"]) @ squeeze, s["masses"])
lam = scipy.linalg.eigh(sl.hessian_dense("displaced.data", potential=tersoff), eigvals_only=True)
translations = np.argsort(np.abs(lam))[:3]
ref = np.delete(lam, translations)[:nev]
vt.check(ref[0] < 0, "the displaced sheet is not at a minimum (LAPACK's lowest %.3e)" % ref[0])
p = vt.run(["spectrum", "-sample", "displaced.data"] + tersoff + ["-spectrum_nev", nev, "-spectrum_kpm", 0, "-spectrum_inertia", 0, "-spectrum_method", "twolevel",
                                                                 "-spectrum_twolevel_aggregate", 16, "-info", ":sys", "-o", "displaced.h5"], 2)
got = sl.read("displaced.h5", "/spectrum/modes/eigenvalues")
err = np.max(np.abs(got - ref) / np.abs(ref)) if len(got) == nev else np.inf
vt.check("the coarse space becomes affine" in p.stdout and err < 1e-8,
         "displaced sheet: the quadratic space gives way to the affine one, the lowest %d = LAPACK's to 1e-8 (max %.1e)" % (nev, err))
