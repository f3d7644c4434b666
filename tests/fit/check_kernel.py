"""Recovered kernel: for a binary Lennard-Jones system (Kob-Andersen parameters, 3D) the first
spectral moment <omega^2> = Tr(H)/(dN) is an exact linear functional of the partial g_ab(r):
    <omega^2> = (1/d) sum_{a<=b} m_ab c_a c_b rho int S_d r^{d-1} g_ab(r) [phi_ab'' + (d-1) phi_ab'/r] dr
(m_ab = 2 for a != b, S_3 = 4 pi, masses 1). Synthetic ensembles of g(r) profiles (a reference
shape plus random smooth bumps and bin noise) and that target plus 1% noise: the weights that
vitrum fit finds (GCV, and K-fold CV with the smoothness penalty) must correlate with the exact
kernel K_ab(r) dr (correlation > 0.99) and predict held-out rows (R^2 > 0.99). The shell analysis
(/model/analysis) is checked against numpy on the fitted weights. With -potential ka3d and the
composition in /dataset/structure, fit computes the kernel itself (/model/kernel/K, through the
potential's pair callback): it must equal the one computed here, and /model/kernel/correlation
the correlation of the fitted weights with it. The same for the energy per atom, the other exact
linear functional of g(r) of a pair potential (/model/kernels/energy_per_atom/K)."""
import h5py
import numpy as np

from fitlib import read_model, run, strings, write_dataset

rng = np.random.default_rng(2024)
d, rho, conc = 3, 1.2, {"A": 0.8, "B": 0.2}
lj = {("A", "A"): (1.0, 1.0), ("A", "B"): (1.5, 0.8), ("B", "B"): (0.5, 0.88)}  # epsilon, sigma
pairs = [("A", "A"), ("A", "B"), ("B", "B")]
dr = 0.02
r = np.arange(0.72, 2.5, dr)


def kernel(a, b):
    eps, sig = lj[(a, b)]
    sr6 = (sig / r) ** 6
    d1 = 24 * eps / r * (sr6 - 2 * sr6 ** 2)             # phi'
    d2 = 24 * eps / r ** 2 * (26 * sr6 ** 2 - 7 * sr6)   # phi''
    cut = r < 2.5 * sig
    m = 1 if a == b else 2
    return m * conc[a] * conc[b] * rho * 4 * np.pi * r ** (d - 1) * (d2 + (d - 1) * d1 / r) * cut / d


def write_structure(path, type_mass=None):
    """/dataset/structure as features writes it: the composition (and the masses, when given)."""
    with h5py.File(path, "a") as f:
        f["/dataset/structure/dim"] = [3.0]
        f["/dataset/structure/density"] = [rho]
        f["/dataset/structure/type_fraction"] = [conc["A"], conc["B"]]
        f["/dataset/structure/type_names"] = strings(["A", "B"])
        if type_mass is not None:
            f["/dataset/structure/type_mass"] = type_mass


K = np.concatenate([kernel(a, b) * dr for a, b in pairs])
n = 400
G = []
for a, b in pairs:
    sig = lj[(a, b)][1]
    base = np.where(r > 0.85 * sig, 1 + 1.5 * np.exp(-((r - 1.1 * sig) / (0.12 * sig)) ** 2), 0.0)
    bumps = np.zeros((n, r.size))
    for _ in range(25):
        c = rng.uniform(r[0], r[-1], (n, 1))
        w = rng.uniform(0.02, 0.1, (n, 1))
        bumps += rng.normal(0, 0.03, (n, 1)) * np.exp(-0.5 * ((r - c) / w) ** 2)
    G.append(np.clip(base + bumps + 0.01 * rng.standard_normal((n, r.size)), 0, None))
X = np.concatenate(G, axis=1)
y = X @ K
y += 1e-2 * y.std() * rng.standard_normal(n)
names = [f"g_{a}-{b}(r={x:.10g})" for a, b in pairs for x in r]
write_dataset("kernel.h5", X, y[:, None], feature_names=names, target_names=["omega2_mean"])
write_structure("kernel.h5")

for label, extra in (("GCV", []), ("5-fold CV, smooth 2", ["-fit_cv", 5, "-fit_smooth", 2, "-fit_smooth_weight", 1])):
    run("fit", ["-data", "kernel.h5", "-o", "kernel.model.h5", "-fit_test_fraction", 0.2, "-fit_lambda_min", 1e-8, "-fit_lambda_max", 1e3,
                "-potential", "ka3d", "-fit_prior", "none"] + extra, 2)  # recovery from the data: no prior
    m = read_model("kernel.model.h5")
    w = m["W"][0]
    corr = np.corrcoef(w, K)[0, 1]
    r2 = m["metrics/test/r2"][0]
    print(f"{label}: lambda {m['lambda']:.3g}, correlation of fitted weights with the exact kernel {corr:.5f}, held-out R^2 {r2:.5f}")
    assert corr > 0.99 and r2 > 0.99, (corr, r2)
    dk = np.abs(m["kernel/K"] - K).max() / np.abs(K).max()
    assert dk < 1e-10, dk
    assert abs(m["kernel/correlation"][0] - corr) < 1e-10, (m["kernel/correlation"], corr)

    # shell analysis = numpy on the fitted weights
    shells = np.unique(np.round(r, 10))
    cum = np.array([np.abs(w[np.tile(r, 3) <= s + 1e-12]).sum() for s in shells]) / np.abs(w).sum()
    assert np.allclose(m["analysis/r"], shells) and np.allclose(m["analysis/cumulative_abs_W"][0], cum, rtol=1e-10, atol=1e-12)
    assert m["W_path"].shape == (len(m["lambda_path"]), 1, X.shape[1])

# -fit_prior kernel: ridge towards the exact kernel = sklearn Ridge on the shifted targets y - X K, plus K
from sklearn.linear_model import Ridge  # noqa: E402
for lam in (1e-3, 10.0):
    run("fit", ["-data", "kernel.h5", "-o", "prior.model.h5", "-fit_test_fraction", 0, "-fit_lambda", lam, "-potential", "ka3d", "-fit_prior", "kernel"], 2)
    m = read_model("prior.model.h5")
    ref = Ridge(alpha=lam, solver="svd").fit(X, y - X @ K)
    dw = np.abs(m["W"][0] - (K + ref.coef_)).max() / np.abs(K + ref.coef_).max()
    db = abs(m["b"][0] - ref.intercept_) / abs(y).max()
    dist = np.linalg.norm(m["W"][0] - K) / np.linalg.norm(K)
    print(f"kernel prior, lambda {lam:g}: rel diff W {dw:.2e}, b {db:.2e}; ||W - K||/||K|| = {m['metrics/prior_distance'][0]:.4f}")
    assert dw < 1e-10 and db < 1e-10, (dw, db)
    assert abs(m["metrics/prior_distance"][0] - dist) < 1e-10 * max(dist, 1)
    assert np.array_equal(m["prior/W0"][0], m["kernel/K"]) and np.abs(m["kernel/K"] - K).max() < 1e-10 * np.abs(K).max()

# -fit_prior auto (the default): the kernel prior with a pair -potential, no prior without -potential
lam = 10.0
proc = run("fit", ["-data", "kernel.h5", "-o", "auto.model.h5", "-fit_test_fraction", 0, "-fit_lambda", lam, "-potential", "ka3d"], 2)
assert "-fit_prior auto" in proc.stdout, proc.stdout
m = read_model("auto.model.h5")
ref = Ridge(alpha=lam, solver="svd").fit(X, y - X @ K)
assert np.abs(m["W"][0] - (K + ref.coef_)).max() < 1e-10 * np.abs(K + ref.coef_).max()
run("fit", ["-data", "kernel.h5", "-o", "auto_none.model.h5", "-fit_test_fraction", 0, "-fit_lambda", lam], 2)
m = read_model("auto_none.model.h5")
ref = Ridge(alpha=lam, solver="svd").fit(X, y)
assert "prior/W0" not in m and np.abs(m["W"][0] - ref.coef_).max() < 1e-10 * np.abs(ref.coef_).max()
# energy_per_atom: E/N = sum_{a<=b} (m_ab/2) c_a c_b rho int S_d r^{d-1} g_ab(r) phi_ab(r) dr, phi
# shifted to zero at the cutoff (ka3d). A dataset with both targets: -fit_prior kernel shrinks each
# towards its own kernel (/model/kernels/NAME/K, equal to numpy's), = sklearn Ridge per target on
# the shifted targets; /model/kernel stays the omega2_mean kernel (the earlier spelling).
def energy_kernel(a, b):
    eps, sig = lj[(a, b)]
    rc = 2.5 * sig
    phi = 4 * eps * ((sig / r) ** 12 - (sig / r) ** 6) - 4 * eps * ((1 / 2.5) ** 12 - (1 / 2.5) ** 6)
    m = 1 if a == b else 2
    return m * conc[a] * conc[b] * rho * 4 * np.pi * r ** (d - 1) * phi * (r < rc) / 2


KE = np.concatenate([energy_kernel(a, b) * dr for a, b in pairs])
e = X @ KE
e += 1e-2 * e.std() * rng.standard_normal(n)
write_dataset("kernel2.h5", X, np.c_[y, e], feature_names=names, target_names=["omega2_mean", "energy_per_atom"])
write_structure("kernel2.h5")
lam = 1.0
proc = run("fit", ["-data", "kernel2.h5", "-o", "two.model.h5", "-fit_test_fraction", 0, "-fit_lambda", lam, "-potential", "ka3d"], 2)
assert "energy_per_atom shrinks towards its exact kernel" in proc.stdout, proc.stdout
m = read_model("two.model.h5")
dke = np.abs(m["kernels/energy_per_atom/K"] - KE).max() / np.abs(KE).max()
dko = np.abs(m["kernels/omega2_mean/K"] - K).max() / np.abs(K).max()
print(f"energy kernel vs numpy: max rel diff {dke:.1e}; <omega^2> kernel {dko:.1e}")
assert dke < 1e-10 and dko < 1e-10 and np.array_equal(m["kernel/K"], m["kernels/omega2_mean/K"]), (dke, dko)
for j, (name, target, kern) in enumerate((("omega2_mean", y, K), ("energy_per_atom", e, KE))):
    ref = Ridge(alpha=lam, solver="svd").fit(X, target - X @ kern)
    dw = np.abs(m["W"][j] - (kern + ref.coef_)).max() / np.abs(kern + ref.coef_).max()
    corr = np.corrcoef(m["W"][j], m[f"kernels/{name}/K"])[0, 1]
    print(f"{name}: W = kernel + sklearn Ridge of the shifted target, rel diff {dw:.1e}; correlation {corr:.5f}")
    assert dw < 1e-10 and np.array_equal(m["prior/W0"][j], m[f"kernels/{name}/K"]), (name, dw)
    assert abs(m[f"kernels/{name}/correlation"][0] - corr) < 1e-10, (name, corr)
print("ok")

# Masses: Tr(M^-1/2 K M^-1/2)/(dN) sums K_ii / M_i, so the <omega^2> kernel weighs the pair a-b by
# (1/M_a + 1/M_b)/2; the energy kernel has no masses. The dataset above with /dataset/structure/type_mass
# (as features writes it): fit's <omega^2> kernel is numpy's mass-weighted one (before session 14 it
# stayed the masses-1 kernel whatever the masses), and a dataset without masses says it takes 1.
assert "records no masses" in proc.stdout, proc.stdout
masses = {"A": 1.0, "B": 2.0}
KM = np.concatenate([kernel(a, b) * (1 / masses[a] + 1 / masses[b]) / 2 * dr for a, b in pairs])
write_dataset("kernel3.h5", X, np.c_[y, e], feature_names=names, target_names=["omega2_mean", "energy_per_atom"])
write_structure("kernel3.h5", [masses["A"], masses["B"]])
proc = run("fit", ["-data", "kernel3.h5", "-o", "mass.model.h5", "-fit_test_fraction", 0, "-fit_lambda", lam, "-potential", "ka3d", "-fit_prior", "kernel"], 2)
m = read_model("mass.model.h5")
dkm = np.abs(m["kernels/omega2_mean/K"] - KM).max() / np.abs(KM).max()
dke = np.abs(m["kernels/energy_per_atom/K"] - KE).max() / np.abs(KE).max()
print(f"masses 1, 2: <omega^2> kernel vs numpy {dkm:.1e} (vs the masses-1 kernel {np.abs(KM - K).max() / np.abs(KM).max():.2f}); energy kernel {dke:.1e}")
assert dkm < 1e-10 and dke < 1e-10 and "records no masses" not in proc.stdout, (dkm, dke)

# The pair potential recorded in the dataset (/dataset/structure/pair_table: phi, phi', phi'' of each
# feature, as features writes it for a pair -potential) replaces -potential: no -potential given, the
# same kernels.
def lj_table(a, b):
    eps, sig = lj[(a, b)]
    sr6 = (sig / r) ** 6
    inside = r < 2.5 * sig
    phi = (4 * eps * (sr6 ** 2 - sr6) - 4 * eps * ((1 / 2.5) ** 12 - (1 / 2.5) ** 6)) * inside
    return phi, 24 * eps / r * (sr6 - 2 * sr6 ** 2) * inside, 24 * eps / r ** 2 * (26 * sr6 ** 2 - 7 * sr6) * inside


tables = [lj_table(a, b) for a, b in pairs]
with h5py.File("kernel3.h5", "a") as f:
    f["/dataset/structure/pair_table"] = np.concatenate([np.concatenate([t[k] for t in tables]) for k in range(3)])
    f["/dataset/structure/pair_table"].attrs["potential"] = "ka3d"
proc = run("fit", ["-data", "kernel3.h5", "-o", "table.model.h5", "-fit_test_fraction", 0, "-fit_lambda", lam, "-fit_prior", "kernel"], 2)
m = read_model("table.model.h5")
dkm = np.abs(m["kernels/omega2_mean/K"] - KM).max() / np.abs(KM).max()
dke = np.abs(m["kernels/energy_per_atom/K"] - KE).max() / np.abs(KE).max()
print(f"pair table of the dataset, no -potential: <omega^2> kernel vs numpy {dkm:.1e}, energy kernel {dke:.1e}")
assert dkm < 1e-10 and dke < 1e-10, (dkm, dke)
print("ok (masses, pair table)")
