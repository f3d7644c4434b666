"""Choice of lambda: the GCV score curve (and the degrees of freedom) of vitrum fit = GCV computed
independently with numpy (hat-matrix trace), and its chosen lambda = scikit-learn RidgeCV (efficient leave-one-out, the
same alphas); the K-fold CV curve = sklearn Ridge refitted on every fold (folds read from
/model/row_fold), on 1, 2 and 4 ranks, also for p > n; the lambda path is the log-spaced one asked for,
also over 310 decades (-fit_lambda_min 1e-10 -fit_lambda_max 1e300: max/min overflows, the path
was 1e-10, inf, inf, ... with a nan score).
(Fold fits use the scaling of all training rows, as vitrum documents.)"""
import numpy as np
from sklearn.linear_model import Ridge, RidgeCV

from fitlib import correlated_data, read_model, rel_diff, run, write_dataset


def numpy_gcv(X, Y, lambdas):
    n, t = Y.shape
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    scores, dfs = [], []
    for lam in lambdas:
        A = np.linalg.solve(Xc.T @ Xc + lam * np.eye(X.shape[1]), Xc.T)
        H = Xc @ A
        rss = ((Yc - H @ Yc) ** 2).sum()
        df = np.trace(H)
        scores.append(rss / (n * t) / (1 - (df + 1) / n) ** 2)
        dfs.append(df)
    return np.array(scores), np.array(dfs)


X, Y = correlated_data(400, 25, 3, seed=3, noise=3.0)
write_dataset("cv.h5", X, Y)
lmin, lmax, count = 1e-2, 1e5, 29
lambdas = np.logspace(np.log10(lmin), np.log10(lmax), count)
gcv_ref, df_ref = numpy_gcv(X, Y, lambdas)
alpha_sklearn = RidgeCV(alphas=lambdas, fit_intercept=True).fit(X, Y).alpha_
print(f"numpy GCV choice {lambdas[np.argmin(gcv_ref)]:.6g}, sklearn RidgeCV (LOO) choice {alpha_sklearn:.6g}")
for nranks in (1, 2, 4):
    out = f"gcv_{nranks}.model.h5"
    run("fit", ["-data", "cv.h5", "-o", out, "-fit_lambda_min", lmin, "-fit_lambda_max", lmax, "-fit_lambda_count", count, "-fit_test_fraction", 0], nranks)
    m = read_model(out)
    assert rel_diff(m["lambda_path"], lambdas) < 1e-12
    d = rel_diff(m["cv_score"], gcv_ref)
    print(f"GCV ranks {nranks}: lambda {m['lambda']:.6g}, rel diff of the score curve {d:.2e}")
    assert d < 1e-8 and rel_diff(m["df_path"], df_ref) < 1e-10, (d, rel_diff(m["df_path"], df_ref))
    assert np.isclose(m["lambda"], alpha_sklearn, rtol=1e-12), (m["lambda"], alpha_sklearn)
    # the chosen model is the path's solution at that lambda, = sklearn Ridge
    ref = Ridge(alpha=m["lambda"]).fit(X, Y)
    assert rel_diff(m["W"], ref.coef_) < 1e-8 and rel_diff(m["W_path"][np.argmin(m["cv_score"])], ref.coef_) < 1e-8

# a path wider than the largest double: every lambda finite and log-spaced, the GCV curve numpy's
wide_path = np.logspace(-10, 300, 32)
run("fit", ["-data", "cv.h5", "-o", "widepath.model.h5", "-fit_lambda_min", 1e-10, "-fit_lambda_max", 1e300, "-fit_lambda_count", wide_path.size, "-fit_test_fraction", 0], 1)
m = read_model("widepath.model.h5")
assert np.all(np.isfinite(m["lambda_path"])) and np.abs(m["lambda_path"] / wide_path - 1).max() < 1e-12, m["lambda_path"]
gcv_wide, _ = numpy_gcv(X, Y, wide_path)
assert np.all(np.isfinite(m["cv_score"])) and rel_diff(m["cv_score"], gcv_wide) < 1e-8, (m["cv_score"], gcv_wide)
print(f"path 1e-10 .. 1e300: lambda {m['lambda']:.6g}, rel diff of the score curve {rel_diff(m['cv_score'], gcv_wide):.2e}")

K = 5
for nranks in (1, 2, 4):
    out = f"kfold_{nranks}.model.h5"
    run("fit", ["-data", "cv.h5", "-o", out, "-fit_lambda_min", lmin, "-fit_lambda_max", lmax, "-fit_lambda_count", count,
                "-fit_cv", K, "-fit_seed", 4, "-fit_test_fraction", 0.1], nranks)
    m = read_model(out)
    fold = m["row_fold"]
    train = fold >= 0
    assert sorted(np.bincount(fold[train])) [-1] - sorted(np.bincount(fold[train]))[0] <= 1, "folds are not balanced"
    ref = np.zeros(count)
    for k in range(K):
        fit_rows, val_rows = train & (fold != k), fold == k
        for l, lam in enumerate(lambdas):
            model = Ridge(alpha=lam).fit(X[fit_rows], Y[fit_rows])
            ref[l] += ((Y[val_rows] - model.predict(X[val_rows])) ** 2).sum()
    ref /= train.sum() * Y.shape[1]
    d = rel_diff(m["cv_score"], ref)
    print(f"{K}-fold CV ranks {nranks}: lambda {m['lambda']:.6g}, rel diff of the score curve {d:.2e}")
    assert d < 1e-8, d
    assert np.isclose(m["lambda"], lambdas[np.argmin(ref)], rtol=1e-12), (m["lambda"], lambdas[np.argmin(ref)])
# p > n: trapezoidal fold factors (fewer rows than columns), 4-fold CV with standardising
Xw, Yw = correlated_data(40, 100, 2, seed=8, noise=1.0)
write_dataset("wide.h5", Xw, Yw)
lw = np.logspace(-2, 3, 11)
for nranks in (1, 3):
    run("fit", ["-data", "wide.h5", "-o", f"wide_{nranks}.model.h5", "-fit_lambda_min", lw[0], "-fit_lambda_max", lw[-1], "-fit_lambda_count", lw.size,
                "-fit_cv", 4, "-fit_standardize", "-fit_test_fraction", 0], nranks)
    m = read_model(f"wide_{nranks}.model.h5")
    mean, scale = Xw.mean(0), Xw.std(0)
    Z = (Xw - mean) / scale
    ref = np.zeros(lw.size)
    for k in range(4):
        fit_rows, val_rows = m["row_fold"] != k, m["row_fold"] == k
        for l, lam in enumerate(lw):
            model = Ridge(alpha=lam).fit(Z[fit_rows], Yw[fit_rows])
            ref[l] += ((Yw[val_rows] - model.predict(Z[val_rows])) ** 2).sum()
    ref /= Xw.shape[0] * Yw.shape[1]
    d = rel_diff(m["cv_score"], ref)
    print(f"p > n, 4-fold CV, standardised, ranks {nranks}: rel diff of the score curve {d:.2e}")
    assert d < 1e-8, d
print("ok")
