"""vitrum predict: predictions in original units round-trip through the model file: a profile
given as text columns (on the model's grid or on a finer grid containing it) or as an HDF5 rdf
output (pairs in another order) gives W x + b computed here from /model/W and /model/b; the
-o file holds the same numbers as the stdout table; a measured range that does not cover the
model's, or a wrong number of columns, is a clear error."""
import h5py
import numpy as np

from fitlib import correlated_data, read_model, rel_diff, run, strings, write_dataset

PAIRS = ["1-1", "1-2", "2-2"]
r = 0.9 + 0.04 * np.arange(40)
names = [f"g_{p}(r={x:.10g})" for p in PAIRS for x in r]
X, Y = correlated_data(80, len(names), 2, seed=9)
write_dataset("pred.h5", X, Y, feature_names=names, target_names=["omega2_mean", "D(omega=1)"])
run("fit", ["-data", "pred.h5", "-o", "pred.model.h5", "-fit_lambda", 0.01, "-fit_standardize", "-fit_test_fraction", 0], 2)
m = read_model("pred.model.h5")


def predict(args, nranks=2):
    proc = run("predict", ["-model", "pred.model.h5"] + args, nranks)
    rows = [l.split() for l in proc.stdout.splitlines() if l and not l.startswith("#")]
    return {row[0]: np.array(row[1:], float) for row in rows}


def write_text(path, grid, profiles):
    np.savetxt(path, np.column_stack([grid] + list(profiles)), header="r " + " ".join(PAIRS))


results = {}
for i in (0, 17):
    x = X[i].reshape(3, -1)
    expect = m["W"] @ X[i] + m["b"]
    write_text(f"same_{i}.txt", r, x)
    fine = np.linspace(r[0], r[-1], 4 * (r.size - 1) + 1)
    write_text(f"fine_{i}.txt", np.concatenate([[0.5], fine, [3.0]]), [np.concatenate([[0], np.interp(fine, r, p), [1]]) for p in x])
    order = [2, 0, 1]
    with h5py.File(f"rdf_{i}.h5", "w") as f:
        f["/structure/rdf/r"] = r
        f["/structure/rdf/g"] = x[order]
        f["/structure/rdf/pairs"] = strings([PAIRS[k] for k in order])
    got = predict(["-rdf", f"same_{i}.txt,fine_{i}.txt,rdf_{i}.h5", "-o", f"out_{i}.h5"])
    for source, value in got.items():
        d = rel_diff(value, expect)
        print(f"sample {i} from {source}: rel diff {d:.2e}")
        assert d < 1e-9, d
    with h5py.File(f"out_{i}.h5", "r") as f:
        assert rel_diff(f["/prediction/Y"][()], np.array(list(got.values()))) < 1e-9  # stdout: 10 digits
        for row in f["/prediction/Y"][()]:
            assert rel_diff(row, expect) < 1e-12, rel_diff(row, expect)
        assert [s.decode() for s in f["/prediction/target_names"][()]] == ["omega2_mean", "D(omega=1)"]
    # and the model reproduces the training fit in original units
    assert rel_diff(expect, X[i] @ m["W"].T + m["b"]) < 1e-14

write_text("short.txt", r[:-3], X[0].reshape(3, -1)[:, :-3])
proc = run("predict", ["-model", "pred.model.h5", "-rdf", "short.txt"], 2, check=False)
assert proc.returncode == 1 and "does not cover" in proc.stderr, proc.stderr
np.savetxt("two.txt", np.column_stack([r, X[0][:40]]))
proc = run("predict", ["-model", "pred.model.h5", "-rdf", "two.txt"], 2, check=False)
assert proc.returncode == 1 and "3 partials" in proc.stderr, proc.stderr
proc = run("predict", ["-model", "pred.model.h5"], 1, check=False)
assert proc.returncode == 1 and "-rdf" in proc.stderr, proc.stderr
print("ok")
