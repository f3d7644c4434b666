"""vitrum fit coefficients = scikit-learn Ridge (same centring, same alpha) to 1e-8 relative, for
n >> p and p > n, with and without standardising, on 1, 2 and 4 ranks; the smoothness penalty =
the closed form (X^T X + lambda (I + mu L^T L)) w = X^T y; metrics of the held-out split =
sklearn.metrics on the same rows, and the split does not depend on the rank count."""
import numpy as np
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

from fitlib import correlated_data, read_model, rel_diff, run, write_dataset

TOL = 1e-8


def sklearn_fit(X, Y, alpha, standardize):
    mean, scale = X.mean(0), (X.std(0) if standardize else np.ones(X.shape[1]))
    model = Ridge(alpha=alpha, fit_intercept=True, solver="svd").fit((X - mean) / scale, Y)
    W = model.coef_ / scale
    return W, model.intercept_ - W @ mean


def check_against_sklearn(name, n, p, t, alpha, standardize):
    X, Y = correlated_data(n, p, t, seed=n + p)
    write_dataset(f"{name}.h5", X, Y)
    Wref, bref = sklearn_fit(X, Y, alpha, standardize)
    for nranks in (1, 2, 4):
        out = f"{name}_{nranks}.model.h5"
        run("fit", ["-data", f"{name}.h5", "-o", out, "-fit_lambda", alpha, "-fit_test_fraction", 0] + (["-fit_standardize"] if standardize else []), nranks)
        m = read_model(out)
        assert m["W"].shape == (t, p) and m["b"].shape == (t,)
        dw, db = rel_diff(m["W"], Wref), rel_diff(m["b"], bref)
        print(f"{name}: n={n} p={p} t={t} alpha={alpha} standardize={standardize} ranks={nranks}: rel diff W {dw:.2e} b {db:.2e}")
        assert dw < TOL and db < TOL, (dw, db)


def check_smooth(order, mu=3.0, lam=5.0):
    n, p = 200, 24  # two partials of 12 r values each
    names = [f"g_{pair}(r={1 + 0.1 * k:.3f})" for pair in ("A-A", "A-B") for k in range(12)]
    X, Y = correlated_data(n, p, 2, seed=order)
    write_dataset(f"smooth{order}.h5", X, Y, feature_names=names)
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    stencil = {1: [-1, 1], 2: [1, -2, 1]}[order]
    rows = []
    for g in range(2):
        for k in range(12 - order):
            row = np.zeros(p)
            row[12 * g + k: 12 * g + k + order + 1] = stencil
            rows.append(row)
    L = np.array(rows)
    Wref = np.linalg.solve(Xc.T @ Xc + lam * (np.eye(p) + mu * L.T @ L), Xc.T @ Yc).T
    bref = Y.mean(0) - Wref @ X.mean(0)
    for nranks in (1, 3):
        out = f"smooth{order}_{nranks}.model.h5"
        run("fit", ["-data", f"smooth{order}.h5", "-o", out, "-fit_lambda", lam, "-fit_smooth", order, "-fit_smooth_weight", mu, "-fit_test_fraction", 0], nranks)
        m = read_model(out)
        dw, db = rel_diff(m["W"], Wref), rel_diff(m["b"], bref)
        print(f"smooth order {order} ranks {nranks}: rel diff W {dw:.2e} b {db:.2e}")
        assert dw < TOL and db < TOL, (dw, db)


def check_split_metrics():
    X, Y = correlated_data(300, 10, 3, seed=5, noise=2.0)
    write_dataset("split.h5", X, Y)
    folds = None
    for nranks in (1, 2, 4):
        out = f"split_{nranks}.model.h5"
        run("fit", ["-data", "split.h5", "-o", out, "-fit_lambda", 3.0, "-fit_test_fraction", 0.3, "-fit_seed", 11], nranks)
        m = read_model(out)
        if folds is None:
            folds = m["row_fold"]
        assert np.array_equal(folds, m["row_fold"]), "the split depends on the rank count"
        test = folds < 0
        assert test.sum() == 90, test.sum()
        Wref, bref = sklearn_fit(X[~test], Y[~test], 3.0, False)
        assert rel_diff(m["W"], Wref) < TOL
        for rows, group in ((test, "test"), (~test, "train")):
            pred = X[rows] @ Wref.T + bref
            ref = {"r2": r2_score(Y[rows], pred, multioutput="raw_values"),
                   "rmse": np.sqrt(mean_squared_error(Y[rows], pred, multioutput="raw_values")),
                   "mae": mean_absolute_error(Y[rows], pred, multioutput="raw_values"),
                   "r2_overall": r2_score(Y[rows], pred, multioutput="variance_weighted"),  # pooled: 1 - sum SSE / sum SST
                   "r2_worst": r2_score(Y[rows], pred, multioutput="raw_values").min(),
                   "rmse_overall": np.sqrt(mean_squared_error(Y[rows].ravel(), pred.ravel())),
                   "mae_overall": mean_absolute_error(Y[rows].ravel(), pred.ravel())}
            for key, value in ref.items():
                d = rel_diff(m[f"metrics/{group}/{key}"], value)
                assert d < 1e-8, (group, key, d)
        print(f"split and metrics ranks {nranks}: ok")
    proc = run("fit", ["-data", "split.h5", "-o", "split_seed.model.h5", "-fit_lambda", 3.0, "-fit_test_fraction", 0.3, "-fit_seed", 12], 1)
    assert not np.array_equal(read_model("split_seed.model.h5")["row_fold"], folds), "-fit_seed does not change the split"
    # a held-out score over fewer than 10 samples is called noisy (90 held out: not)
    assert "noisy score" not in proc.stdout, proc.stdout
    proc = run("fit", ["-data", "split.h5", "-o", "split_few.model.h5", "-fit_lambda", 3.0, "-fit_test_fraction", 0.02], 1)
    assert "the held-out R^2 is over 6 samples only, a noisy score" in proc.stdout, proc.stdout


check_against_sklearn("tall", 600, 40, 3, 2.5, False)
check_against_sklearn("tall_std", 600, 40, 3, 7.0, True)
check_against_sklearn("wide", 30, 90, 2, 0.7, False)
check_against_sklearn("wide_std", 30, 90, 2, 0.3, True)
check_smooth(1)
check_smooth(2)
check_split_metrics()
print("ok")
