"""The VDOS grid (-vdos_omega_max, -vdos_bins) changes where D is given, not the physics
(docs/spectrum.md): on a 216-atom KA glass (all 645 eigenvalues by LAPACK, cv_modes),
1. a grid ending at a third of the band: C_v the same as with the default grid (every state counts:
   it came out 3x cv_modes at low T before, D renormalised over the short grid), within 1 % of d of
   cv_modes; sum D domega over the grid = the share of the exact eigenfrequencies below its end
   (to the KPM's broadening), not 1; /spectrum/vdos/fraction is that sum, on the default grid too
   (where it is 1: it was divided by dN - d instead and came out above 1);
2. a grid of the default's bins up to a quarter of them: D and D/omega^2 equal the default's first
   bins (1e-9 relative), the boson-peak height too where both find it in the same bin;
3. a negative -boson_omega_min is one line naming it (it was taken as automatic);
4. a -vdos_omega_max more than 100 times the top of the spectrum (sqrt of the KPM interval's upper
   end) is one line naming it, its value and that top in the frequency unit of -units (1/tau in lj,
   THz in metal units, converted here from CODATA), the top at or above the largest exact frequency
   (1e300 gave bins 5e297 wide); 2 and 99 times the top are grids like any other."""
import re

import numpy as np
import spectrumlib as sl
import vitrum_testlib as vt

sample = sl.make_ka_glass("ka216.data")
ev = np.sort(np.linalg.eigvalsh(sl.hessian_dense(sample)))[3:]
w_exact = np.sqrt(np.clip(ev, 0, None))
M, B = 256, 400
base = ["spectrum", "-sample", sample, "-potential", "ka3d", "-spectrum_nev", 0, "-kpm_moments", M, "-boson_max_moments", M,
        "-cv_temperature_range", "0.01,10", "-cv_temperatures", 12, "-spectrum_inertia", 0]


def vdos(path):
    return {k: sl.read(path, "/spectrum/" + k) for k in ("vdos/omega", "vdos/D", "vdos/reduced", "vdos/fraction", "cv/cv", "cv/cv_modes", "kpm/lambda_max",
                                                         "scalars/boson_peak_height", "scalars/boson_peak_omega", "scalars/boson_peak_at_bound")}


vt.run(base + ["-vdos_bins", B, "-o", "full.h5"], 1)
full = vdos("full.h5")
top = float(np.sqrt(full["kpm/lambda_max"]))
dw = full["vdos/omega"][1] - full["vdos/omega"][0]
# 1. a third of the band, same bins
vt.run(base + ["-vdos_bins", B, "-vdos_omega_max", top / 3, "-o", "third.h5"], 2)
third = vdos("third.h5")
share = np.mean(w_exact < top / 3)
got = third["vdos/D"].sum() * (third["vdos/omega"][1] - third["vdos/omega"][0])
vt.check(np.abs(third["cv/cv"] - full["cv/cv"]).max() < 1e-12 * 3, "-vdos_omega_max top/3: C_v = the default grid's (%.2e)" % np.abs(third["cv/cv"] - full["cv/cv"]).max())
vt.check(np.abs(third["cv/cv"] - third["cv/cv_modes"]).max() < 0.01 * 3, "-vdos_omega_max top/3: C_v within 1 %% of d of cv_modes (%.2e)" % np.abs(third["cv/cv"] - third["cv/cv_modes"]).max())
vt.check(abs(got - share) < 0.02, "-vdos_omega_max top/3: sum D domega = %.4f, the share of the exact eigenfrequencies below it %.4f" % (got, share))
for name, res, cap in (("the default grid", full, 1), ("top/3", third, share + 0.02)):
    total = res["vdos/D"].sum() * (res["vdos/omega"][1] - res["vdos/omega"][0])
    vt.check(abs(res["vdos/fraction"] - total) < 1e-12 and res["vdos/fraction"] <= cap + 1e-12,
             "%s: /spectrum/vdos/fraction %.9f = sum D domega %.9f, at most %.4f" % (name, res["vdos/fraction"], total, cap))
# 2. the default's first B/4 bins
k = B // 4
vt.run(base + ["-vdos_bins", k, "-vdos_omega_max", k * dw, "-o", "quarter.h5"], 1)
quarter = vdos("quarter.h5")
for name in ("vdos/D", "vdos/reduced"):
    err = np.abs(quarter[name] - full[name][:k]).max() / np.abs(full[name][:k]).max()
    vt.check(err < 1e-9, "-vdos_omega_max at bin %d of the default grid: %s = the default's first bins (%.1e)" % (k, name, err))
same_bin = abs(quarter["scalars/boson_peak_omega"] - full["scalars/boson_peak_omega"]) < 1e-9 * top
if same_bin and not quarter["scalars/boson_peak_at_bound"] and not full["scalars/boson_peak_at_bound"]:
    vt.check(abs(quarter["scalars/boson_peak_height"] - full["scalars/boson_peak_height"]) < 1e-9 * full["scalars/boson_peak_height"],
             "boson-peak height %.6g = the default grid's %.6g" % (quarter["scalars/boson_peak_height"], full["scalars/boson_peak_height"]))
# 3. negative -boson_omega_min
p = vt.run(base + ["-boson_omega_min", -1, "-o", "neg.h5"], 2, expect_fail=True)
text = p.stdout + p.stderr
vt.check(p.returncode == 1 and text.count("error:") == 1 and "-boson_omega_min -1" in text, "-boson_omega_min -1: one line naming it")
# 4. -vdos_omega_max far above the top of the spectrum


def refused_top(p):
    """The top frequency and unit named by the one error line of a refused -vdos_omega_max."""
    text = p.stdout + p.stderr
    m = re.search(r"more than 100 times the top of this sample's spectrum, ([0-9.e+-]+) (\S+) ", text)
    vt.check(p.returncode == 1 and text.count("error:") == 1 and m is not None, "a -vdos_omega_max far above the band: one line (%s)" % text.strip())
    return float(m.group(1)), m.group(2)


p = vt.run(base + ["-vdos_omega_max", 1e300, "-o", "huge.h5"], 2, expect_fail=True)
vt.check("-vdos_omega_max 1e+300:" in p.stdout + p.stderr, "the line names -vdos_omega_max and its value 1e+300")
got, unit = refused_top(p)
vt.check(unit == "1/tau" and abs(got - top) <= 1e-3 * top and got >= w_exact.max(),
         "it names the top %.6g %s = sqrt of the KPM upper bound %.6g, at or above the largest exact frequency %.6g" % (got, unit, top, w_exact.max()))
for factor in (2, 99):
    vt.run(base + ["-vdos_bins", 50, "-vdos_omega_max", factor * top, "-o", "x%d.h5" % factor], 1)
    omega = sl.read("x%d.h5" % factor, "/spectrum/vdos/omega")
    vt.check(abs(omega[-1] + 0.5 * (omega[1] - omega[0]) - factor * top) < 1e-9 * factor * top, "-vdos_omega_max %d times the top: a grid up to it" % factor)
# metal units: the same Hessian's numbers in eV/(A^2 amu) (epsilon in eV, sigma in A, masses in amu)
THZ = np.sqrt(1.602176634e-19 / (1e-20 * 1.66053906660e-27)) / (2 * np.pi) / 1e12  # THz per sqrt(eV/(A^2 amu))
metal = ["-units", "metal", "-lj_epsilon", "1,1.5,0.5", "-lj_sigma", "1,0.8,0.88", "-lj_cutoff", "2.5,2.0,2.2"]
p = vt.run(base + metal + ["-vdos_omega_max", 101 * top * THZ, "-o", "metal.h5"], 1, expect_fail=True)
got, unit = refused_top(p)
vt.check(unit == "THz" and abs(got - top * THZ) <= 1e-3 * top * THZ, "metal units: 101 times the top refused, the top %.6g %s = %.6g 1/tau x %.6g THz" % (got, unit, top, THZ))
print("ok")
