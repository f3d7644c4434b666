"""Scattering-weighted totals (features -features_total neutron|xray; predict from a measured total).

Independent check in numpy: the dataset's features equal the Faber-Ziman total
  sum_{a<=b} (2 - delta_ab) c_a c_b f_a f_b P_ab / (sum_a c_a f_a)^2
of each sample's partials (read from its cached rdf output) with the sample's own fractions and
  neutron: the coherent lengths of Cu and Zr (Rauch and Waschkowski 2003: 7.718 and 7.16 fm) or given overrides;
  X-ray S(q): the Waasmaier-Kirfel form factors, f(k) = c + sum a_i exp(-b_i k^2), k = q/(4 pi),
  whose q = 0 value is close to the atomic number (29, 40).
A model fitted on neutron totals predicts a sample (-sample: its partials weighted alike) and a
measured total given as one text column: both = W x + b computed here. Errors: species without a
tabulated length (lj types 1, 2), X-ray S(q) without lengths in A, -fit_prior kernel on a total.
The neutron table: the lengths of nine elements equal the source docs/fit.md cites, and the strongly
absorbing ones among them are warned about. Runs on 2 ranks."""
import glob

import h5py
import numpy as np

from fitlib import rel_diff, run, strings
from vitrum_testlib import random_sample

CU, ZR = 7.718, 7.16
# Waasmaier & Kirfel (1995) neutral Cu and Zr: a1..a5, c, b1..b5
WK = {"Cu": [14.014192, 4.784577, 5.056806, 1.457971, 6.932996, -3.254477, 3.738280, 0.003744, 13.034982, 72.554794, 0.265666],
      "Zr": [17.859772, 10.911038, 5.821115, 3.512513, 0.746965, 1.124859, 1.310692, 12.319285, 0.104353, 91.777542, 0.104353]}


def write_sample(path, seed, labels):
    """A random binary glass-like sample of 120 atoms, about 40% Zr, with Atom Type Labels."""
    cell = np.diag([13.0, 13.0, 13.0])
    pos, types = random_sample(120, cell, fractions=(0.6 - 0.05 * seed, 0.4 + 0.05 * seed), seed=seed)
    with open(path, "w") as f:
        f.write(f"binary\n\n{len(types)} atoms\n2 atom types\n\n0 13 xlo xhi\n0 13 ylo yhi\n0 13 zlo zhi\n\n")
        f.write("Masses\n\n1 63.546\n2 91.224\n\n")
        if labels:
            f.write("Atom Type Labels\n\n1 Cu\n2 Zr\n\n")
        f.write("Atoms # atomic\n\n")
        for i, (t, x) in enumerate(zip(types, pos)):
            f.write(f"{i + 1} {t} {x[0]:.10f} {x[1]:.10f} {x[2]:.10f}\n")


def wk_factor(coef, q):
    a, c, b = np.array(coef[:5]), coef[5], np.array(coef[6:])
    k2 = (np.asarray(q)[:, None] / (4 * np.pi)) ** 2
    return c + (a * np.exp(-b * k2)).sum(axis=1)


def fz_total(partial, counts, f):
    """partial: 3 x nx (pairs 0-0, 0-1, 1-1); f: 2 x nx scattering factors."""
    c = np.asarray(counts, float) / np.sum(counts)
    mean = c[0] * f[0] + c[1] * f[1]
    w = [c[0] ** 2 * f[0] ** 2, 2 * c[0] * c[1] * f[0] * f[1], c[1] ** 2 * f[1] ** 2]
    return sum(wk * p for wk, p in zip(w, partial)) / mean**2


def dataset(path):
    with h5py.File(path, "r") as f:
        return (f["/dataset/X"][()], [s.decode() for s in f["/dataset/feature_names"][()]],
                [s.decode() for s in f["/dataset/sample_names"][()]],
                f["/dataset/scattering/form_factor"][()] if "/dataset/scattering" in f else None)


def cached_rdf(sample, kind):
    with h5py.File(f"cache/{sample}.rdf.h5", "r") as f:
        x = f["/structure/sq/q" if kind == "sq" else "/structure/rdf/r"][()]
        p = f["/structure/sq/S_partial" if kind == "sq" else "/structure/rdf/g"][()]
        return x, p, f["/structure/rdf/type_counts"][()]


import os
for d in ("cache",):  # cache2 (predict) and cache3 (features) are created by vitrum
    os.makedirs(d, exist_ok=True)
for i in range(4):
    write_sample(f"s{i}.data", i, labels=True)
common = ["-features_targets", "none", "-features_cache", "cache", "-rdf_rmax", 5, "-rdf_dr", 0.1, "-features_drop_constant", 0]
samples = sorted(glob.glob("s*.data"))


def check_features(out, kind, factors):
    X, names, snames, ff = dataset(out)
    prefix = "S_" if kind == "sq" else "g_"
    assert all(n.startswith(prefix + ("xray" if "xray" in out else "neutron") + "(") for n in names), names[:3]
    worst = 0
    for row, s in zip(X, snames):
        x, partial, counts = cached_rdf(s.split("/")[-1], kind)
        expect = fz_total(partial, counts, factors(x))
        worst = max(worst, rel_diff(row, expect))
    print(f"{out}: {X.shape[0]} samples x {X.shape[1]} features, max rel diff vs numpy {worst:.2e}")
    assert worst < 1e-12, worst
    return X, ff


# neutron g(r): tabulated lengths
run("features", ["-samples"] + samples + ["-o", "n.h5", "-features_total", "neutron"] + common, 2)
X, ff = check_features("n.h5", "rdf", lambda x: np.array([np.full(len(x), CU), np.full(len(x), ZR)]))
assert rel_diff(ff[:, 5], np.array([CU, ZR])) < 1e-12 and not ff[:, [0, 1, 2, 3, 4]].any()
# overrides replace the table (a negative length is allowed)
run("features", ["-samples"] + samples + ["-o", "n2.h5", "-features_total", "neutron", "-features_scattering_lengths", "Cu:5,Zr:-3"] + common, 2)
check_features("n2.h5", "rdf", lambda x: np.array([np.full(len(x), 5.0), np.full(len(x), -3.0)]))
# X-ray S(q): q-dependent form factors, f(0) close to Z
run("features", ["-samples"] + samples + ["-o", "xray_sq.h5", "-features_total", "xray", "-features_kind", "sq", "-sq", "-units", "metal"] + common, 2)
_, ff = check_features("xray_sq.h5", "sq", lambda q: np.array([wk_factor(WK["Cu"], q), wk_factor(WK["Zr"], q)]))
# the same samples declaring 'units = metal' in their title (LAMMPS >= 2022): no -units needed, the same features
declared = []
for src in samples:
    declared.append("metal_" + src)
    text = open(src).read().split("\n", 1)
    open(declared[-1], "w").write("binary, units = metal\n" + text[1])
run("features", ["-samples"] + declared + ["-o", "xray_sq_declared.h5", "-features_total", "xray", "-features_kind", "sq", "-sq"] + common, 2)
assert np.array_equal(dataset("xray_sq_declared.h5")[0], dataset("xray_sq.h5")[0])
print("X-ray S(q) of samples that declare metal units: no -units needed, the same features")
assert rel_diff(ff, np.array([WK["Cu"], WK["Zr"]])) < 1e-6, ff
f0 = ff[:, :6].sum(axis=1)
assert abs(f0[0] - 29) < 0.05 and abs(f0[1] - 40) < 0.05, f0
print(f"X-ray f(0): Cu {f0[0]:.3f}, Zr {f0[1]:.3f}")
# X-ray g(r): the q = 0 weights, said in a note
p = run("features", ["-samples"] + samples + ["-o", "xray_g.h5", "-features_total", "xray"] + common, 2)
assert "taken at q = 0" in p.stdout, p.stdout
check_features("xray_g.h5", "rdf", lambda r: np.array([np.full(len(r), f0[0]), np.full(len(r), f0[1])]))

# a model of the neutron total: predict from a sample (weighted alike) and from a measured total
X, names, snames, _ = dataset("n.h5")
rng = np.random.default_rng(3)
Y = X @ rng.normal(size=(X.shape[1], 2)) + 0.01 * rng.normal(size=(X.shape[0], 2))
with h5py.File("n.h5", "a") as f:
    del f["/dataset/Y"], f["/dataset/target_names"]
    f["/dataset/Y"] = Y
    f["/dataset/target_names"] = strings(["omega2_mean", "b"])
run("fit", ["-data", "n.h5", "-o", "n.model.h5", "-fit_lambda", 0.1, "-fit_test_fraction", 0], 2)
with h5py.File("n.model.h5", "r") as f:
    W, b = f["/model/W"][()], f["/model/b"][()]
    assert "/model/scattering/form_factor" in f
write_sample("new.data", 7, labels=True)
p = run("predict", ["-model", "n.model.h5", "-sample", "new.data", "-features_cache", "cache2", "-o", "pred.h5"], 2)
with h5py.File("cache2/new.data.rdf.h5", "r") as f:
    r, partial, counts = f["/structure/rdf/r"][()], f["/structure/rdf/g"][()], f["/structure/rdf/type_counts"][()]
total = fz_total(partial, counts, np.array([np.full(len(r), CU), np.full(len(r), ZR)]))
expect = W @ total + b
with h5py.File("pred.h5", "r") as f:
    got = f["/prediction/Y"][()][0]
print(f"predict -sample: rel diff {rel_diff(got, expect):.2e}")
assert rel_diff(got, expect) < 1e-10
np.savetxt("measured.txt", np.column_stack([r, total]), header="r G_neutron(r)")
p = run("predict", ["-model", "n.model.h5", "-rdf", "measured.txt"], 2)
row = [l.split() for l in p.stdout.splitlines() if l and not l.startswith("#")][0]
assert rel_diff(np.array(row[1:], float), expect) < 1e-9, (row, expect)
print("predict from a measured total (text): ok")


# The neutron table is Rauch and Waschkowski's: H. Rauch and W. Waschkowski, "Neutron scattering
# lengths", ILL Neutron Data Booklet, 2nd ed., A.-J. Dianoux and G. Lander (eds.), Old City Publishing
# (2003), pp. 1.1-1 to 1.1-17, as transcribed in periodictable's nsf.py (bound coherent lengths of the
# elements, fm). Sears 1992 (the NIST table) has other values for each of these: Ti -3.438, V -0.3824,
# C 6.6460, Si 4.1491, Te 5.80, W 4.86, Au 7.63, Gd 6.5, Rh 5.88 (docs/fit.md).
RAUCH = {"Ti": -3.370, "V": -0.443, "C": 6.6484, "Si": 4.15071, "Te": 5.68, "W": 4.755, "Au": 7.90, "Gd": 9.5, "Rh": 5.90}
ABSORBING = {"Gd", "Rh"}  # absorption cross-sections 49700 and 144.8 b there (> 100 b)
names = list(RAUCH)
cell = np.diag([13.0, 13.0, 13.0])
pos, types = random_sample(9 * 12, cell, fractions=(1,) * 9, seed=4)
with open("elements.data", "w") as f:
    f.write(f"nine elements\n\n{len(types)} atoms\n9 atom types\n\n0 13 xlo xhi\n0 13 ylo yhi\n0 13 zlo zhi\n\n")
    f.write("Atom Type Labels\n\n" + "".join(f"{t + 1} {n}\n" for t, n in enumerate(names)) + "\nAtoms # atomic\n\n")
    f.writelines(f"{i + 1} {t} {x[0]:.10f} {x[1]:.10f} {x[2]:.10f}\n" for i, (t, x) in enumerate(zip(types, pos)))
p = run("features", ["-samples", "elements.data", "-o", "elements.h5", "-features_total", "neutron", "-features_targets", "none",
                      "-features_cache", "cache4", "-rdf_rmax", 5, "-rdf_dr", 0.1, "-features_drop_constant", 0], 2)
_, _, _, ff = dataset("elements.h5")
assert np.array_equal(ff[:, 5], [RAUCH[n] for n in names]) and not ff[:, [0, 1, 2, 3, 4]].any(), ff[:, 5]
warned = {n for n in names if f"vitrum: warning: {n} absorbs neutrons strongly" in p.stdout}
assert warned == ABSORBING, (warned, p.stdout)
print("neutron lengths of %s = Rauch and Waschkowski's; absorption warned for %s" % (",".join(names), ",".join(sorted(warned))))


# errors: one line each
def fails(args, fragment):
    p = run("features", args, 2, check=False) if args[0] != "fit" else run("fit", args[1:], 2, check=False)
    lines = [l for l in (p.stdout + p.stderr).splitlines() if "error" in l]
    assert p.returncode == 1 and len(lines) == 1 and fragment in lines[0], (p.returncode, p.stdout, p.stderr)
    print(f"refused: {lines[0]}")


write_sample("lj.data", 1, labels=False)
fails(["-samples", "lj.data", "-o", "e.h5", "-features_total", "neutron", "-features_targets", "none", "-features_cache", "cache3", "-rdf_rmax", 5, "-rdf_dr", 0.1], "-features_scattering_lengths 1:VALUE")
fails(["-samples"] + samples + ["-o", "e.h5", "-features_total", "xray", "-features_kind", "sq", "-sq"] + common, "give -units metal or real")
fails(["-samples"] + samples + ["-o", "e.h5", "-features_total", "neutron", "-features_scattering_lengths", "Cu:x"] + common, "'x' for Cu")
fails(["fit", "-data", "n.h5", "-o", "e.model.h5", "-fit_prior", "kernel", "-potential", "lj"], "need the partial")
