"""Local VDOS per atom (spectrum -kpm_local, features -features_atom_target vdos|cumvdos).

(1) The local KPM moments mu_n^(i) = (1/R) sum_k <r_k restricted to atom i, T_n(Hs) r_k> use the
    random vectors of the global KPM: their sum over the atoms equals the global moments
    (/spectrum/kpm/mu averaged over the vectors) to round-off, and they are bitwise the same on 1
    and 2 ranks.
(2) Against the exact local moments from the eigenvectors of the dense Hessian (numpy),
    mu_n^(i) = sum_modes |e_k,i|^2 T_n(x_k) (translations excluded, as the deflated vectors do):
    the local VDOS from the random-vector moments approaches the one from the exact moments (same
    Jackson kernel, numpy) as 1/sqrt(R): the relative error over all atoms and bins falls from
    R = 16 to R = 256 by about 4 and is below 0.2 at R = 256 (a single atom's local density from
    R vectors is a noisy estimate: its error does not shrink with N). The cumulative local count
    also approaches the unbroadened exact eigenvector-weight count sum_{omega_k < omega} |e_k,i|^2.
(3) features -features_per_atom -features_atom_target vdos / cumvdos / counts: the targets equal numpy's
    Jackson-kernel evaluation of the local moments on the grid of -features_atom_vdos_omega_max /
    -features_atom_vdos_bins; the atoms' mean equals the sample's KPM VDOS on that grid (from the
    global moments); the atoms' shares of the modes below each -spectrum_count_omega (counts) sum to
    the KPM counts /spectrum/counts/kpm; 1 and 2 ranks give the same dataset; a local model fitted
    on them predicts a sample's VDOS as the mean of its atoms' predictions."""
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.environ["SRC"], "tests", "spectrum"))
import spectrumlib as sl  # noqa: E402

from fitlib import run  # noqa: E402

M = 64
OMEGA_MAX, BINS = 40.0, 20
sample = sl.make_ka_glass("ka216_lvdos.data", seed=21)
spec = ["-potential", "ka3d", "-kpm_moments", M, "-boson_max_moments", M, "-spectrum_nev", 0, "-spectrum_inertia", 0, "-kpm_local"]


def spectrum(R, nranks, out):
    run("spectrum", ["-sample", sample, "-kpm_vectors", R, "-o", out] + spec, nranks)
    with h5py.File(out, "r") as f:
        return {k: f["/spectrum/kpm/" + k][()] for k in ("local_mu", "mu", "lambda_min", "lambda_max", "omega_scale")}


def jackson(M):
    n, q = np.arange(M), np.pi / (M + 1)
    return ((M - n + 1) * np.cos(q * n) + np.sin(q * n) / np.tan(q)) / (M + 1)


def counts(mu, lo, hi, lam):
    """Jackson-damped count of states below each lam, rows of moments mu (rows x M)."""
    a, b = 0.5 * (hi + lo), 0.5 * (hi - lo)
    theta = np.arccos(np.clip((lam - a) / b, -1, 1))
    n = np.arange(1, mu.shape[1])
    g = jackson(mu.shape[1])
    w = np.empty((len(lam), mu.shape[1]))
    w[:, 0] = g[0] * (np.pi - theta) / np.pi
    w[:, 1:] = -2 * g[1:] * np.sin(np.outer(theta, n)) / (n * np.pi)
    return mu @ w.T  # rows x len(lam)


def local_vdos(mu, lo, hi, freq, cumulative=False):
    """D_i on the grid (normalised by the grid's states per atom), or the cumulative share."""
    edges = np.linspace(0, OMEGA_MAX, BINS + 1)
    c = counts(mu, lo, hi, (edges / freq) ** 2)
    norm = (c[:, -1] - c[:, 0]).mean()
    if cumulative:
        return (c[:, 1:] - c[:, [0]]) / norm
    return np.diff(c, axis=1) / (edges[1] * norm)


# (1) sum over atoms = global moments; bitwise on 1 and 2 ranks
s16 = spectrum(16, 1, "s16.h5")
s16b = spectrum(16, 2, "s16_np2.h5")
assert s16["local_mu"].shape == (216, M)
assert np.array_equal(s16["local_mu"], s16b["local_mu"]), "local moments differ on 1 and 2 ranks"
glob = s16["mu"].mean(0)
d_sum = np.abs(s16["local_mu"].sum(0) - glob).max() / np.abs(glob).max()
print(f"sum over atoms of the local moments vs global moments: max rel diff {d_sum:.1e}; 1 and 2 ranks bitwise equal")
assert d_sum < 1e-12, d_sum

# (2) exact local moments from the eigenvectors
H = sl.hessian_dense(sample)
lam, E = np.linalg.eigh(H)
modes = np.arange(3, len(lam))  # the three translations (lambda ~ 0) are deflated
assert np.abs(lam[:3]).max() < 1e-8 * lam[-1] and lam[3] > 1e-4 * lam[-1]
lo, hi, freq = s16["lambda_min"][0], s16["lambda_max"][0], s16["omega_scale"][0]
weights = (E[:, modes] ** 2).reshape(216, 3, len(modes)).sum(1)  # |e_k,i|^2, atoms x modes
x = (lam[modes] - 0.5 * (hi + lo)) / (0.5 * (hi - lo))
mu_exact = weights @ np.cos(np.outer(np.arccos(np.clip(x, -1, 1)), np.arange(M)))
D_exact = local_vdos(mu_exact, lo, hi, freq)
s256 = spectrum(256, 2, "s256.h5")
err = {}
for R, s in ((16, s16), (256, s256)):
    assert s["lambda_min"][0] == lo and s["lambda_max"][0] == hi
    D = local_vdos(s["local_mu"], lo, hi, freq)
    err[R] = np.linalg.norm(D - D_exact) / np.linalg.norm(D_exact)
    err_mean = np.abs(D.mean(0) - D_exact.mean(0)).max() / D_exact.mean(0).max()
    print(f"R = {R}: local VDOS vs exact local moments, relative error over atoms and bins {err[R]:.3f}; atoms' mean {err_mean:.4f}")
assert err[256] < 0.2 and err[256] < err[16] / 2.5, err
# cumulative count against the unbroadened eigenvector weights at the bin edges
edges = np.linspace(0, OMEGA_MAX, BINS + 1)[1:]
omega_k = np.sqrt(lam[modes]) * freq
exact_cum = np.stack([weights[:, omega_k < w].sum(1) for w in edges], 1) / weights.sum(1).mean()
cum = local_vdos(s256["local_mu"], lo, hi, freq, cumulative=True)
d_cum = np.abs(cum - exact_cum)
print(f"cumulative local count (R = 256, M = {M}) vs exact eigenvector weights: mean |diff| {d_cum.mean():.3f}, max {d_cum.max():.3f} (Jackson broadening and noise)")
assert d_cum.mean() < 0.05, d_cum.mean()

# (3) per-atom targets of features
other = sl.make_ka_glass("ka216_lvdos2.data", seed=22)
base = ["-samples", sample, other, "-features_per_atom", "-features_atom_sigma", 0.05, "-features_atom_dr", 0.05,
        "-features_rmin", 0.7, "-features_rmax", 2.5, "-features_atom_vdos_omega_max", OMEGA_MAX,
        "-features_atom_vdos_bins", BINS, "-kpm_vectors", 16, "-spectrum_count_omega", "5,10,20"] + spec[:-1]
for nranks in (1, 2):
    os.makedirs(f"cache{nranks}", exist_ok=True)
    for target in ("vdos", "cumvdos", "counts"):
        run("features", base + ["-features_atom_target", target, "-features_cache", f"cache{nranks}", "-o", f"{target}{nranks}.h5"], nranks)
for target in ("vdos", "cumvdos", "counts"):
    with h5py.File(f"{target}1.h5", "r") as f1, h5py.File(f"{target}2.h5", "r") as f2:
        Y, rows = f1["/dataset/Y"][()], f1["/dataset/row_sample"][()].astype(int)
        names = [n.decode() for n in f1["/dataset/target_names"][()]]
        assert np.array_equal(Y, f2["/dataset/Y"][()]), f"{target}: 1 and 2 ranks differ"
    if target == "counts":
        assert Y.shape == (432, 3) and names == ["count_atom(omega=5)", "count_atom(omega=10)", "count_atom(omega=20)"], (Y.shape, names)
        for k, path in enumerate((sample, other)):
            with h5py.File(f"cache1/{os.path.basename(path)}.spectrum.h5", "r") as f:
                s = {n: f["/spectrum/kpm/" + n][()] for n in ("local_mu", "lambda_min", "lambda_max", "omega_scale")}
                kpm_counts = f["/spectrum/counts/kpm"][()]
            c = counts(s["local_mu"], s["lambda_min"][0], s["lambda_max"][0], (np.array([0, 5, 10, 20]) / s["omega_scale"][0]) ** 2)
            d_np = np.abs(Y[rows == k] - (c[:, 1:] - c[:, [0]])).max()
            d_sum = np.abs(Y[rows == k].sum(0) - kpm_counts).max() / kpm_counts.max()
            print(f"counts {os.path.basename(path)}: atoms' shares of the modes below 5, 10, 20 vs numpy {d_np:.1e}; their sum {np.round(Y[rows == k].sum(0), 2)} vs /spectrum/counts/kpm {np.round(kpm_counts, 2)} ({d_sum:.1e})")
            assert d_np < 1e-10 and d_sum < 1e-10, (d_np, d_sum)
        continue
    assert Y.shape == (432, BINS) and names[0] == ("D_atom(omega=1)" if target == "vdos" else "cumvdos_atom(omega=2)"), (Y.shape, names[:2])
    for k, path in enumerate((sample, other)):
        with h5py.File(f"cache1/{os.path.basename(path)}.spectrum.h5", "r") as f:
            s = {n: f["/spectrum/kpm/" + n][()] for n in ("local_mu", "mu", "lambda_min", "lambda_max", "omega_scale")}
        args = (s["lambda_min"][0], s["lambda_max"][0], s["omega_scale"][0], target == "cumvdos")
        want = local_vdos(s["local_mu"], *args)
        glob = local_vdos(s["mu"].mean(0, keepdims=True), *args)[0]  # the sample's VDOS from the global moments
        d_np = np.abs(Y[rows == k] - want).max() / np.abs(want).max()
        d_mean = np.abs(Y[rows == k].mean(0) - glob).max() / np.abs(glob).max()
        print(f"{target} {os.path.basename(path)}: targets vs numpy {d_np:.1e}, atoms' mean vs the global KPM VDOS {d_mean:.1e}")
        assert d_np < 1e-10 and d_mean < 1e-10, (d_np, d_mean)
        if target == "cumvdos":
            assert abs(Y[rows == k, -1].mean() - 1) < 1e-12

# -features_atom_vdos_exact: the same targets from the eigenvectors of all modes (dense), unbroadened
edges_all = np.linspace(0, OMEGA_MAX, BINS + 1)
n_exact = np.stack([weights[:, omega_k < w].sum(1) for w in edges_all], 1)  # atoms x edges
c_exact = (n_exact[:, -1] - n_exact[:, 0]).mean()
want = {"vdos": np.diff(n_exact, axis=1) / (edges_all[1] * c_exact), "cumvdos": (n_exact[:, 1:] - n_exact[:, [0]]) / c_exact}
for target in ("vdos", "cumvdos"):
    got = []
    for nranks in (1, 2):
        os.makedirs(f"cache_exact{nranks}", exist_ok=True)
        run("features", base[:2] + base[3:] + ["-features_atom_target", target, "-features_atom_vdos_exact", "-features_cache", f"cache_exact{nranks}", "-o", f"exact{nranks}.h5"], nranks)
        with h5py.File(f"exact{nranks}.h5", "r") as f:
            got.append(f["/dataset/Y"][()])
    d_exact = np.abs(got[0] - want[target]).max() / np.abs(want[target]).max()
    d_kpm = np.abs(local_vdos(s256["local_mu"], lo, hi, freq, target == "cumvdos") - want[target]).max() / np.abs(want[target]).max()
    print(f"-features_atom_vdos_exact {target}: vs numpy eigenvector weights {d_exact:.1e}, 1 vs 2 ranks {np.abs(got[0] - got[1]).max():.1e}; (the KPM version at R = 256, M = {M} differs by {d_kpm:.2f} of the largest value)")
    assert d_exact < 1e-8 and np.allclose(got[0], got[1], rtol=0, atol=1e-12 * np.abs(got[0]).max()), d_exact

# a local model of the VDOS: the sample's prediction is the mean of its atoms' predictions
run("fit", ["-data", "vdos1.h5", "-o", "vdos.model.h5", "-fit_test_fraction", 0, "-fit_lambda", 1.0], 1)
with h5py.File("vdos.model.h5", "r") as f, h5py.File("vdos1.h5", "r") as d:
    W, b, X = f["/model/W"][()], f["/model/b"][()], d["/dataset/X"][()]
    rows = d["/dataset/row_sample"][()].astype(int)
proc = run("predict", ["-model", "vdos.model.h5", "-sample", other], 2)
got = np.array([float(v) for v in [l for l in proc.stdout.splitlines() if l and not l.startswith("#")][0].split()[1:]])
want = (X[rows == 1] @ W.T + b).mean(0)
assert np.allclose(got, want, rtol=1e-8, atol=1e-12), (got, want)
print("predict -sample with the local VDOS model = mean of its atoms' predictions: ok")

# errors: one line naming the option, exit status 1, no output file
os.makedirs("cache_err", exist_ok=True)
plain = ["-samples", sample, "-features_per_atom", "-features_cache", "cache_err", "-kpm_vectors", 4, "-o", "err.h5"] + spec[:-1]
for extra, what in ((["-features_atom_target", "vdos"], "-features_atom_vdos_omega_max"),
                    (["-features_atom_target", "cumvdos", "-features_atom_vdos_omega_max", 40, "-features_atom_vdos_bins", 0], "-features_atom_vdos_bins 0"),
                    (["-features_atom_target", "counts"], "-spectrum_count_omega")):
    proc = run("features", plain + extra, 2, check=False)
    lines = [l for l in proc.stderr.splitlines() if l.startswith("vitrum: error:")]
    assert proc.returncode == 1 and len(lines) == 1 and what in lines[0] and not os.path.exists("err.h5"), (proc.returncode, proc.stderr)
    print(lines[0])
# a grid far below the top of the band (~40 here): the targets are normalised over the grid, so
# they are 1/share times the local VDOS: a warning, once, giving the share of the states (numpy's
# modes below 5, to the KPM's broadening) and the spectrum's top frequency (silent until this release)
proc = run("features", plain + ["-features_atom_target", "vdos", "-features_atom_vdos_omega_max", 5, "-features_atom_vdos_bins", 10], 2)
warn = [l for l in proc.stdout.splitlines() if "warning: per-atom vdos" in l]
share = np.mean(omega_k < 5) * 100
got = float(warn[0].split(" holds ")[1].split(" %")[0]) if warn else -1
top = float(warn[0].split("spectrum reaches ")[1].split(":")[0]) if warn else -1
assert len(warn) == 1 and abs(got - share) < 2 and abs(top - np.sqrt(hi) * freq) < 1e-3 * top, (proc.stdout, share)
print(warn[0])
assert not any("warning: per-atom" in l for l in run("features", plain + ["-features_atom_target", "vdos", "-features_atom_vdos_omega_max", OMEGA_MAX], 1).stdout.splitlines())
proc = run("features", plain + ["-features_atom_target", "vdos", "-features_atom_vdos_omega_max", -5], 2, check=False)
lines = [l for l in proc.stderr.splitlines() if l.startswith("vitrum: error:")]
assert proc.returncode == 1 and len(lines) == 1 and "-features_atom_vdos_omega_max -5" in lines[0], (proc.returncode, proc.stderr)
print(lines[0])
print("ok")
