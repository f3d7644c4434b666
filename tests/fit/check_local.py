"""Local (per-atom) models of <omega^2>: rows = atoms. The target -features_atom_target omega2 is
<omega^2>_i = Tr(H_ii)/d of the atom's diagonal block of the mass-weighted Hessian, exact:
(1) it equals the diagonal blocks of the dense Hessian written by `vitrum hessian` (1e-12), and
the atoms' mean is the sample's Tr(H)/(dN); (2) it equals the trace identity computed here in numpy
from the positions, sum_j [phi_ab''(r_ij) + (d-1) phi_ab'(r_ij)/r_ij] / (d m_i) for the KA pair
potential (minimum image, 1e-10): the local identity a linear model of the atom's local g_i(r)
can learn. (3) fit splits a per-atom dataset by sample (all atoms of a held-out sample are held
out; folds by sample), and the local model predicts the held-out atoms and, as the mean of its
atoms' predictions, the held-out samples' <omega^2>; `predict -sample` with the local model
recomputes the atoms' features and gives that mean (1 and 3 ranks); the model records the training
samples' density range, and a sample 27x less dense (lengths x 3) is refused in one line. (4) -features_atom_target
energy: the atom's potential energy, (1/2) sum_j phi_ab(r_ij) for the KA pair potential (numpy,
1e-10), summing to `vitrum energy`'s total."""
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.environ["SRC"], "tests", "spectrum"))
import spectrumlib as sl  # noqa: E402

from fitlib import read_model, run  # noqa: E402

KA = {(1, 1): (1.0, 1.0), (1, 2): (1.5, 0.8), (2, 2): (0.5, 0.88)}  # epsilon, sigma; cutoff 2.5 sigma
# five 216-atom KA glasses of different seeds, four of them the shared ones other tests make anyway
# (fit_count_omega and the spectrum tests, fit_local_vdos, fit_targets: the same protocol), so that
# a fresh build runs LAMMPS for one of them here, not five (about 4 CPU-s each)
samples = [sl.make_ka_glass("ka216.data"), sl.make_ka_glass("ka216_lvdos.data", seed=21), sl.make_ka_glass("ka216_lvdos2.data", seed=22),
           sl.make_ka_glass("ka216_targets.data", seed=31), sl.make_ka_glass("ka216_local11.data", seed=11)]
args = ["-samples"] + samples + ["-features_per_atom", "-features_atom_target", "omega2", "-potential", "ka3d",
                                 "-features_atom_sigma", 0.03, "-features_atom_dr", 0.02, "-features_rmin", 0.7, "-features_rmax", 2.5]
run("features", args + ["-o", "local.h5"], 2)
with h5py.File("local.h5", "r") as f:
    X, y, row_sample = f["/dataset/X"][()], f["/dataset/Y"][()].ravel(), f["/dataset/row_sample"][()].astype(int)
    assert f["/dataset/target_names"][0].decode() == "omega2_atom"


def ka_pairs(data):
    """(i, type of i, r_ij, epsilon, sigma) for every neighbour j within 2.5 sigma_ab (minimum image)."""
    L = np.diag(data["cell"])
    pos, types = data["pos"], data["types"]
    for i in range(len(pos)):
        d = pos - pos[i]
        d -= L * np.round(d / L)
        r = np.sqrt((d ** 2).sum(1))
        for j in np.nonzero(r > 0)[0]:
            eps, sig = KA[tuple(sorted((types[i], types[j])))]
            if r[j] < 2.5 * sig:
                yield i, types[i], r[j], eps, sig


def trace_identity(data):
    """sum_j [phi'' + 2 phi'/r] / (3 m_i) over the neighbours."""
    masses = np.array(data["masses"])
    out = np.zeros(len(data["pos"]))
    for i, ti, r, eps, sig in ka_pairs(data):
        s6 = (sig / r) ** 6
        d1 = 24 * eps / r * (s6 - 2 * s6 ** 2)
        d2 = 24 * eps / r ** 2 * (26 * s6 ** 2 - 7 * s6)
        out[i] += (d2 + 2 * d1 / r) / (3 * masses[ti - 1])
    return out


sample_mean = []
for k, path in enumerate(samples):
    mine = y[row_sample == k]
    H = sl.hessian_dense(path)
    blocks = np.einsum("iaa->i", H.reshape(len(mine), 3, len(mine), 3).transpose(0, 2, 1, 3)[np.arange(len(mine)), np.arange(len(mine))]) / 3
    d_hess = np.abs(mine - blocks).max() / np.abs(blocks).max()
    d_numpy = np.abs(mine - trace_identity(sl.read_data(path))).max() / np.abs(mine).max()
    print(f"{os.path.basename(path)}: <omega^2> = {mine.mean():.6f} = Tr(H)/(dN) {np.trace(H) / H.shape[0]:.6f}; per atom vs Hessian blocks {d_hess:.1e}, vs numpy trace identity {d_numpy:.1e}")
    assert d_hess < 1e-12 and abs(mine.mean() - np.trace(H) / H.shape[0]) < 1e-12 * mine.mean() and d_numpy < 1e-10, (d_hess, d_numpy)
    sample_mean.append(mine.mean())

# the local model: split by sample, prediction of a sample = mean of its atoms' predictions
proc = run("fit", ["-data", "local.h5", "-o", "local.model.h5", "-fit_test_fraction", 0.4, "-fit_cv", 3, "-fit_lambda_min", 1e-6], 2)
print(proc.stdout)
m = read_model("local.model.h5")
held = np.unique(row_sample[m["row_fold"] < 0])
assert len(held) == 2, held
for k in range(len(samples)):
    folds = np.unique(m["row_fold"][row_sample == k])
    assert len(folds) == 1, (k, folds)  # every atom of a sample in the same fold (or held out)
pred = X @ m["W"][0] + m["b"][0]
test = m["row_fold"] < 0
r2 = 1 - ((y[test] - pred[test]) ** 2).sum() / ((y[test] - y[test].mean()) ** 2).sum()
assert abs(r2 - m["metrics/test/r2"][0]) < 1e-10
for k in held:
    est = pred[row_sample == k].mean()
    print(f"held-out sample {os.path.basename(samples[k])}: <omega^2> {sample_mean[k]:.4f}, mean of its atoms' predictions {est:.4f} ({(est / sample_mean[k] - 1) * 100:+.2f}%)")
    assert abs(est / sample_mean[k] - 1) < 0.02, (est, sample_mean[k])
# predict -sample with the local model: the mean of its atoms' predictions (features recomputed)
for nranks in (1, 3):
    proc = run("predict", ["-model", "local.model.h5", "-sample", ",".join(samples[k] for k in held)], nranks)
    got = [float(l.split()[1]) for l in proc.stdout.splitlines() if l and not l.startswith("#")]
    want = [pred[row_sample == k].mean() for k in held]
    assert np.allclose(got, want, rtol=1e-9), (got, want)
print(f"predict -sample with the local model = mean of the atoms' predictions {np.round(want, 4)}: ok")
proc = run("predict", ["-model", "local.model.h5", "-rdf", "any.txt"], 2, check=False)
assert proc.returncode == 1 and "local (per-atom) model" in proc.stderr, proc.stderr
# the training density range travels into the local model too: a sample in other length units
# (the same glass with lengths x 3, as if in A) is refused in one line instead of predicted
m_h5 = h5py.File("local.model.h5", "r")
dens = [sl.read_data(s)["pos"].shape[0] / np.prod(np.diag(sl.read_data(s)["cell"])) for s in samples]
assert np.allclose(m_h5["/model/density_range"][()], [min(dens), max(dens)], rtol=1e-12) and m_h5["/model/dim"][()] == 3, m_h5["/model/density_range"][()]
m_h5.close()
sl.write_deformed(samples[0], "stretched.data", strain=(-1, -1, 2.0))
proc = run("predict", ["-model", "local.model.h5", "-sample", "stretched.data"], 2, check=False)
errors = [l for l in proc.stderr.splitlines() if "error" in l]
assert proc.returncode == 1 and len(errors) == 1 and "more than 2x outside" in errors[0], proc.stderr
print("local model: density range %s recorded; a sample 27x less dense refused: ok" % np.round([min(dens), max(dens)], 4))
print(f"held-out atoms: R^2 {r2:.4f}")
assert r2 > 0.9, r2


# (4) per-atom energy (-features_atom_target energy): e_i = (1/2) sum_j phi_ab(r_ij), phi shifted to
# zero at 2.5 sigma_ab (ka3d), against numpy; the atoms' sum is the energy `vitrum energy` reports
def pair_energy(data):
    out = np.zeros(len(data["pos"]))
    for i, _, r, eps, sig in ka_pairs(data):
        out[i] += 2 * eps * ((sig / r) ** 12 - (sig / r) ** 6 - 2.5 ** -12 + 2.5 ** -6)
    return out


run("features", ["-samples"] + samples[:2] + ["-features_per_atom", "-features_atom_target", "energy", "-potential", "ka3d",
                                              "-features_atom_sigma", 0.03, "-features_atom_dr", 0.02, "-features_rmin", 0.7,
                                              "-features_rmax", 2.5, "-o", "energy_atoms.h5"], 2)
with h5py.File("energy_atoms.h5", "r") as f:
    e, row_sample = f["/dataset/Y"][()].ravel(), f["/dataset/row_sample"][()].astype(int)
    assert f["/dataset/target_names"][0].decode() == "energy_atom"
for k, path in enumerate(samples[:2]):
    mine = e[row_sample == k]
    d_numpy = np.abs(mine - pair_energy(sl.read_data(path))).max() / np.abs(mine).max()
    run("energy", ["-sample", path, "-potential", "ka3d", "-o", "e.h5"], 1)
    with h5py.File("e.h5", "r") as f:
        total = f["/energy/total"][0]
    print(f"{os.path.basename(path)}: per-atom energy vs numpy (1/2) sum_j phi(r_ij) {d_numpy:.1e}; atoms' sum {mine.sum():.10f} = vitrum energy {total:.10f}")
    assert d_numpy < 1e-10 and abs(mine.sum() - total) < 1e-10 * abs(total), (d_numpy, mine.sum(), total)
print("ok")
