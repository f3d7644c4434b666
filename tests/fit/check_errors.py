"""Bad input to vitrum fit gives one clear line on stderr and exit status 1 (on 2 ranks): shape
mismatch, NaN (naming the sample and the column), a constant column under -fit_standardize,
lambda <= 0, -fit_lambda with an option of the lambda path, more folds than samples, a missing file. A single held-out row has no R^2: fit
writes NaN and says so instead of sklearn's 0 for a zero sum of squares."""
import numpy as np

from fitlib import correlated_data, read_model, run, write_dataset

X, Y = correlated_data(12, 4, 2, seed=1)
write_dataset("good.h5", X, Y)
write_dataset("mismatch.h5", X, Y[:11], sample_names=[f"s{i}" for i in range(12)])
Xnan = X.copy()
Xnan[7, 2] = np.nan
write_dataset("nan.h5", Xnan, Y, feature_names=["a", "b", "c", "d"], sample_names=[f"glass_{i}.data" for i in range(12)])
Ynan = Y.copy()
Ynan[10, 1] = np.inf
write_dataset("nany.h5", X, Ynan, target_names=["omega2_mean", "boson_peak"], sample_names=[f"glass_{i}.data" for i in range(12)])
Xconst = X.copy()
Xconst[:, 1] = 4.25
write_dataset("const.h5", Xconst, Y, feature_names=["a", "g_A-A(r=1.000)", "c", "d"])

open("binary.bin", "wb").write(bytes(range(1, 256)) * 8)
cases = [
    (["-data", "mismatch.h5"], ["/dataset/X has 12 rows", "/dataset/Y has 11"]),
    (["-data", "nan.h5"], ["row 7", "glass_7.data", "'c'"]),
    (["-data", "nany.h5"], ["/dataset/Y row 10", "glass_10.data", "boson_peak"]),
    (["-data", "const.h5", "-fit_standardize"], ["g_A-A(r=1.000)", "constant"]),
    (["-data", "good.h5", "-fit_lambda", "0"], ["-fit_lambda 0: must be positive and finite"]),
    (["-data", "good.h5", "-fit_lambda", "-2"], ["-fit_lambda -2: must be positive and finite"]),
    # inf was taken (lambda inf, W 0, score nan, exit 0)
    (["-data", "good.h5", "-fit_lambda", "inf"], ["-fit_lambda inf: must be positive and finite"]),
    (["-data", "good.h5", "-fit_lambda_max", "inf"], ["-fit_lambda_max inf: must be positive and finite"]),
    (["-data", "good.h5", "-fit_lambda_min", "nan"], ["-fit_lambda_min nan: must be positive and finite"]),
    (["-data", "good.h5", "-fit_lambda_min", "0"], ["-fit_lambda_min"]),
    (["-data", "good.h5", "-fit_cv", "13", "-fit_test_fraction", "0"], ["-fit_cv 13", "more folds", "12 training"]),
    (["-data", "good.h5", "-fit_cv", "1"], ["-fit_cv 1"]),
    (["-data", "good.h5", "-fit_test_fraction", "1.5"], ["-fit_test_fraction"]),
    (["-data", "missing.h5"], ["missing.h5"]),
    # a binary file given as the list of held-out names (its bytes were listed as 3184 garbage names)
    (["-data", "good.h5", "-fit_test_samples", "binary.bin"], ["-fit_test_samples binary.bin:", "not a line of text"]),
    ([], ["-data"]),
]


def refused(args, expected, nranks=2):
    proc = run("fit", args + ["-o", "bad.model.h5"], nranks=nranks, check=False)
    # mpirun adds its own notice about the exit status; vitrum itself prints one line, no traceback
    lines = [l for l in proc.stderr.splitlines() if l.startswith("vitrum")]
    print(f"{' '.join(args)} on {nranks} rank(s): rc {proc.returncode}: {lines}")
    assert proc.returncode == 1, proc.returncode
    assert "PETSC ERROR" not in proc.stderr + proc.stdout, proc.stderr
    assert len(lines) == 1 and lines[0].startswith("vitrum: error:"), proc.stderr
    for e in expected:
        assert e in lines[0], (e, lines[0])


for args, expected in cases:
    refused(args, expected)
# -fit_lambda is one lambda, no path: an option of the path beside it is refused (it was ignored)
for path_option, value in (("-fit_lambda_count", "5"), ("-fit_lambda_min", "1e-3"), ("-fit_lambda_max", "10")):
    for nranks in (1, 2):
        refused(["-data", "good.h5", "-fit_lambda", "0.5", path_option, value], ["-fit_lambda 0.5", path_option], nranks)
# the constant column is fine without standardising
run("fit", ["-data", "const.h5", "-o", "const.model.h5", "-fit_lambda", "1"], nranks=2)

# one held-out row (3 rows, test fraction 0.2): R^2 undefined, NaN in the model, a warning; the RMSE
# is |y - yhat| of that row
write_dataset("three.h5", X[:3], Y[:3])
proc = run("fit", ["-data", "three.h5", "-o", "three.model.h5"], nranks=2)
print(proc.stdout)
m = read_model("three.model.h5")
held = np.flatnonzero(m["row_fold"] < 0)
assert len(held) == 1, m["row_fold"]
assert np.all(np.isnan(m["metrics/test/r2"])) and np.isnan(m["metrics/test/r2_overall"]), m["metrics/test/r2"]
assert m["metrics/test/worst_target"] == -1, m["metrics/test/worst_target"]
Xh = X[held[0]]
err = np.abs(Y[held[0]] - (m["W"] @ Xh + m["b"]))
assert np.allclose(m["metrics/test/rmse"], err, rtol=1e-10), (m["metrics/test/rmse"], err)
assert "a single held-out row has no R^2" in proc.stdout, proc.stdout
assert "pooled 0." not in proc.stdout and "0.0000 " not in proc.stdout.split("R^2 train")[1].split("\n")[1], proc.stdout
print("ok")
