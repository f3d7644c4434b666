"""A fit that cannot fool its user (docs/fit.md, "What fit reports"):
* by default 20% of the rows are held out (seeded, the same for 1 and 2 ranks);
* targets constant over the training rows (a VDOS bin beyond the band edge: all zero; a constant
  scalar) are dropped with a note: W row 0, b = the value, R^2 NaN, left out of every summary;
* the pooled R^2 is 1 - sum SSE / sum SST over the fitted targets (= sklearn's
  r2_score(multioutput="variance_weighted")) and the worst per-target R^2 (and which target) is
  reported next to it; the fitted weights = sklearn Ridge on the training rows;
* warnings when GCV picks an end of the lambda path and when n_train < p without a smoothness
  penalty or a prior;
* -fit_test_samples (comma list or file) holds out exactly the named samples; unknown names are an
  error naming them;
* -fit_prior FILE: W = W0 + sklearn Ridge on the shifted targets Y - X W0^T (to 1e-10), with and
  without standardising, prior rows matched by target name and columns by feature name."""
import h5py
import numpy as np
from sklearn.linear_model import Ridge
from sklearn.metrics import r2_score

from fitlib import correlated_data, read_model, rel_diff, run, strings, write_dataset

n, p = 100, 6
X, Y = correlated_data(n, p, 2, seed=21, noise=0.2)
rng = np.random.default_rng(5)
Y[:, 1] = 0.1 * X[:, 0] + 0.5 * rng.standard_normal(n)  # a poorly predictable target of small variance
Yall = np.c_[Y, np.zeros(n), np.full(n, 5.0)]
names = ["good", "noisy", "D(omega=9.5)", "const"]
samples = [f"glass_{i:03d}.data" for i in range(n)]
write_dataset("rep.h5", X, Yall, target_names=names, sample_names=samples)

# 1. default split, dropped targets, pooled and worst R^2
folds = None
for nranks in (1, 2):
    proc = run("fit", ["-data", "rep.h5", "-o", f"rep_{nranks}.model.h5"], nranks)
    m = read_model(f"rep_{nranks}.model.h5")
    folds = m["row_fold"] if folds is None else folds
    assert np.array_equal(folds, m["row_fold"]), "split depends on the rank count"
test = m["row_fold"] < 0
assert test.sum() == 20, test.sum()
print(proc.stdout)
assert list(m["metrics/dropped"]) == [0, 0, 1, 1], m["metrics/dropped"]
assert np.all(m["W"][2:] == 0) and m["b"][2] == 0 and abs(m["b"][3] - 5.0) < 1e-14, (m["W"][2:], m["b"])
ref = Ridge(alpha=m["lambda"]).fit(X[~test], Y[~test])
assert rel_diff(m["W"][:2], ref.coef_) < 1e-8 and rel_diff(m["b"][:2], ref.intercept_) < 1e-8
pred = X[test] @ ref.coef_.T + ref.intercept_
r2 = r2_score(Y[test], pred, multioutput="raw_values")
pooled = r2_score(Y[test], pred, multioutput="variance_weighted")
assert np.all(np.isnan(m["metrics/test/r2"][2:])) and np.allclose(m["metrics/test/r2"][:2], r2, rtol=1e-9)
assert abs(m["metrics/test/r2_overall"][0] - pooled) < 1e-9, (m["metrics/test/r2_overall"], pooled)
assert abs(m["metrics/test/r2_worst"][0] - r2.min()) < 1e-9 and m["metrics/test/worst_target"][0] == np.argmin(r2)
assert r2.min() < 0.5 < pooled, (r2, pooled)  # the pooled number alone would hide the noisy target
assert "dropped" in proc.stdout and "D(omega=9.5)" in proc.stdout and "worst" in proc.stdout and "(noisy)" in proc.stdout
assert 0 < m["lambda_index"][0] < len(m["lambda_path"]) - 1
print(f"default split: pooled held-out R^2 {pooled:.4f}, worst {r2.min():.4f}: ok")

# 1b. several target groups (VDOS bins and a scalar): one pooled R^2 per group (= sklearn's
# variance-weighted R^2 over the group's columns), none over all groups (they have other units)
Xg, Yg = correlated_data(100, 6, 4, seed=8, noise=0.3)
Yg[:, 3] *= 1e3  # a scalar of much larger variance would dominate a pooled R^2 over everything
write_dataset("groups.h5", Xg, Yg, target_names=["D(omega=1)", "D(omega=2)", "D(omega=3)", "omega2_mean"])
proc = run("fit", ["-data", "groups.h5", "-o", "groups.model.h5"], 2)
mg = read_model("groups.model.h5")
tg = mg["row_fold"] < 0
predg = Xg[tg] @ mg["W"].T + mg["b"]
line = [l for l in proc.stdout.splitlines() if "R^2 of D (3 targets)" in l][0]
pooled_d = r2_score(Yg[tg][:, :3], predg[:, :3], multioutput="variance_weighted")
assert abs(float(line.split("pooled ")[1].split(",")[0]) - pooled_d) < 1e-6, (line, pooled_d)
assert "R^2 of omega2_mean (1 target)" in proc.stdout and "not pooled over all targets" in proc.stdout, proc.stdout
print(f"target groups: D pooled {pooled_d:.4f} (sklearn), no pooled R^2 over all groups: ok")

# 2. warnings: lambda at the lower end of the path; n_train < p without penalty or prior
proc = run("fit", ["-data", "rep.h5", "-o", "end.model.h5", "-fit_lambda_min", 1e3, "-fit_lambda_max", 1e6], 1)
assert "warning" in proc.stdout and "lower end" in proc.stdout, proc.stdout
Xw, Yw = correlated_data(30, 50, 1, seed=3)
write_dataset("wide.h5", Xw, Yw)
proc = run("fit", ["-data", "wide.h5", "-o", "wide.model.h5"], 1)
assert "24 training rows for 50 features" in proc.stdout, proc.stdout
proc = run("fit", ["-data", "wide.h5", "-o", "wide.model.h5", "-fit_smooth", 2], 1)
assert "training rows for" not in proc.stdout, proc.stdout
print("warnings: ok")

# 3. -fit_test_samples: a list and a file; unknown names
chosen = [samples[i] for i in (3, 17, 42, 99)]
run("fit", ["-data", "rep.h5", "-o", "named.model.h5", "-fit_test_samples", ",".join(chosen), "-fit_cv", 3], 2)
m = read_model("named.model.h5")
assert list(np.flatnonzero(m["row_fold"] < 0)) == [3, 17, 42, 99], np.flatnonzero(m["row_fold"] < 0)
assert sorted(np.bincount(m["row_fold"][m["row_fold"] >= 0])) == [32, 32, 32]
with open("test_samples.txt", "w") as f:
    f.write("# published split\n" + "\n".join(chosen[:2]) + "\n")
run("fit", ["-data", "rep.h5", "-o", "named2.model.h5", "-fit_test_samples", "test_samples.txt"], 1)
assert list(np.flatnonzero(read_model("named2.model.h5")["row_fold"] < 0)) == [3, 17]
proc = run("fit", ["-data", "rep.h5", "-o", "bad.model.h5", "-fit_test_samples", f"{samples[5]},nosuch.data,other.data"], 2, check=False)
err = [l for l in proc.stderr.splitlines() if l.startswith("vitrum")]
assert proc.returncode == 1 and len(err) == 1 and "'nosuch.data', 'other.data'" in err[0] and "2 name(s)" in err[0], proc.stderr
print("-fit_test_samples: ok")

# 4. -fit_prior FILE = W0 + sklearn Ridge on the shifted targets
W0 = rng.standard_normal((2, p))
fnames = [f"x{j}" for j in range(p)]
perm = rng.permutation(p)
with h5py.File("prior.h5", "w") as f:  # rows in another order, an extra target, columns permuted
    f["/model/W"] = np.r_[W0[1:2], rng.standard_normal((1, p)), W0[0:1]][:, perm]
    f["/model/feature_names"] = strings([fnames[j] for j in perm])
    f["/model/target_names"] = strings(["noisy", "unused", "good"])
for lam, standardize in ((0.5, False), (30.0, False), (2.0, True)):
    for nranks in (1, 2):
        run("fit", ["-data", "rep.h5", "-o", "prior.model.h5", "-fit_test_fraction", 0, "-fit_lambda", lam, "-fit_prior", "prior.h5"]
            + (["-fit_standardize"] if standardize else []), nranks)
        m = read_model("prior.model.h5")
        mean, scale = X.mean(0), (X.std(0) if standardize else np.ones(p))
        ref = Ridge(alpha=lam, solver="svd").fit((X - mean) / scale, Y - X @ W0.T)
        W = W0 + ref.coef_ / scale
        dw, db = rel_diff(m["W"][:2], W), rel_diff(m["b"][:2], ref.intercept_ - (ref.coef_ / scale) @ mean)
        assert dw < 1e-10 and db < 1e-10, (lam, standardize, dw, db)
        dist = np.linalg.norm(W - W0, axis=1) / np.linalg.norm(W0, axis=1)
        assert np.allclose(m["metrics/prior_distance"][:2], dist, rtol=1e-9) and np.all(np.isnan(m["metrics/prior_distance"][2:]))
    print(f"prior file, lambda {lam}, standardize {standardize}: rel diff W {dw:.1e} b {db:.1e}, ||W-W0||/||W0|| {dist.round(3)}")
with h5py.File("prior_bad.h5", "w") as f:
    f["/model/W"] = W0[:, :-1]
    f["/model/feature_names"] = strings(fnames[:-1])
    f["/model/target_names"] = strings(["good", "noisy"])
proc = run("fit", ["-data", "rep.h5", "-o", "bad.model.h5", "-fit_prior", "prior_bad.h5"], 2, check=False)
assert proc.returncode == 1 and "feature 'x5'" in proc.stderr, proc.stderr
print("ok")
