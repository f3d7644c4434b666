"""The VDOS grid (-vdos_omega_max, -vdos_bins) changes where D is given, not the physics
(docs/spectrum.md): on a 216-atom KA glass (all 645 eigenvalues by LAPACK, cv_modes),
1. a grid ending at a third of the band: C_v the same as with the default grid (every state counts:
   it came out 3x cv_modes at low T before, D renormalised over the short grid), within 1 % of d of
   cv_modes; sum D domega over the grid = the share of the exact eigenfrequencies below its end
   (to the KPM's broadening), not 1;
2. a grid of the default's bins up to a quarter of them: D and D/omega^2 equal the default's first
   bins (1e-9 relative), the boson-peak height too where both find it in the same bin;
3. a negative -boson_omega_min is one line naming it (it was taken as automatic)."""
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
    return {k: sl.read(path, "/spectrum/" + k) for k in ("vdos/omega", "vdos/D", "vdos/reduced", "cv/cv", "cv/cv_modes", "kpm/lambda_max",
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
