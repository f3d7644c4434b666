"""vitrum predict: predictions in original units round-trip through the model file: a profile
given as text columns (on the model's grid, or on a longer range of the same grid) or as an HDF5
rdf output (pairs in another order) gives W x + b computed here from /model/W and /model/b; the
-o file holds the same numbers as the stdout table. A header line naming the text columns ("# r
2-2 1-1 2-1", commas allowed) matches them by name; a header column the model does not use (an extra
pair 3-3) is refused, and so is a pair of an HDF5 rdf output the model does not use (it was dropped
without a word), or an HDF5 rdf output on another r grid. A profile on another grid (a finer one) is an
error, and with -predict_regrid it is re-binned: = W (numpy averages weighted by shell volume) + b,
refused by a model that does not record the samples' dimension. A measured range
that does not cover the model's, a wrong number of columns, a NaN in the text file (line named) or
in /model/W (entry named), or a model with no features are clear errors, never NaN predictions
or a crash. A model fitted on a dataset with its composition keeps the training samples' density
range; an rdf output whose density (type counts over volume) is more than 2x outside it (another
unit system or material) or of another dimension is refused with one line, one inside it is
predicted as any other."""
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
    longer = np.concatenate([r[0] - 0.04 * np.arange(5, 0, -1), r, r[-1] + 0.04 * np.arange(1, 4)])
    write_text(f"long_{i}.txt", longer, [np.concatenate([np.zeros(5), p, np.ones(3)]) for p in x])
    order = [2, 0, 1]
    with h5py.File(f"rdf_{i}.h5", "w") as f:
        f["/structure/rdf/r"] = r
        f["/structure/rdf/g"] = x[order]
        f["/structure/rdf/pairs"] = strings([PAIRS[k] for k in order])
    got = predict(["-rdf", f"same_{i}.txt,long_{i}.txt,rdf_{i}.h5", "-o", f"out_{i}.h5"])
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


# 300 profiles in one comma list: 300 rows (PETSc's array read kept the first 256 and dropped the
# rest without a word until session 21)
proc = run("predict", ["-model", "pred.model.h5", "-rdf", ",".join(["same_0.txt", "same_17.txt"] * 150)], 1)
rows = [l.split() for l in proc.stdout.splitlines() if l and not l.startswith("#")]
assert [row[0] for row in rows] == ["same_0.txt", "same_17.txt"] * 150, len(rows)
assert all(row[1:] == rows[k % 2][1:] for k, row in enumerate(rows))
print("predict -rdf with 300 comma-separated inputs: 300 predictions: ok")

# a header line naming the columns is read: permuted columns, a pair in either order, "g_" labels
# and commas give the same prediction; a header naming none of the model's profiles keeps the
# model's order with a note; a profile named twice or missing is an error
x0, expect0 = X[0].reshape(3, -1), m["W"] @ X[0] + m["b"]
np.savetxt("perm.txt", np.column_stack([r, x0[2], x0[0], x0[1]]), header="r 2-2 1-1 2-1")
np.savetxt("perm.csv", np.column_stack([r, x0[1], x0[2], x0[0]]), header="r,g_1-2,g_2-2,g_1-1", delimiter=",")
np.savetxt("other.txt", np.column_stack([r] + list(x0)), header="r g11 g12 g22")
with h5py.File("reversed.h5", "w") as f:  # an rdf output of another tool, pairs as "2-1"
    f["/structure/rdf/r"] = r
    f["/structure/rdf/g"] = x0
    f["/structure/rdf/pairs"] = strings(["1-1", "2-1", "2-2"])
got = predict(["-rdf", "perm.txt,perm.csv,other.txt,reversed.h5"])
for source in ("perm.txt", "perm.csv", "other.txt", "reversed.h5"):
    d = rel_diff(got[source], expect0)
    print(f"{source}: rel diff {d:.2e}")
    assert d < 1e-9, d
proc = run("predict", ["-model", "pred.model.h5", "-rdf", "other.txt"], 2)
assert "header names none of the model's profiles" in proc.stdout, proc.stdout
# a column of a pair the model does not know is refused, also beside all of the model's (until this
# release such a 3-3 column was dropped without a word)
for name, header, message in (("twice.txt", "r 1-2 2-1 1-1", "names g_1-2 twice"), ("missing.txt", "r 1-2 2-2 3-3", "column 4 '3-3', which the model pred.model.h5 does not use"),
                              ("extra.txt", "r 1-1 1-2 2-2 3-3", "column 5 '3-3', which the model pred.model.h5 does not use (its profiles: g_1-1, g_1-2, g_2-2)")):
    np.savetxt(name, np.column_stack([r] + list(x0) + ([x0[0]] if name == "extra.txt" else [])), header=header)
    proc = run("predict", ["-model", "pred.model.h5", "-rdf", name], 2, check=False)
    assert proc.returncode == 1 and message in proc.stderr, proc.stderr

# the same for an HDF5 rdf output (the rdf command's .h5): a pair the model does not use, also
# beside all of the model's (until this release dropped without a word), a pair named twice, a pair
# missing; and its r grid is compared as a text file's: shifted by 1% of a bin, or one point moved,
# it is refused (no interpolation). One line, once, on 1 and 2 ranks.
def write_rdf(path, grid, pairs, profiles):
    with h5py.File(path, "w") as f:
        f["/structure/rdf/r"] = grid
        f["/structure/rdf/g"] = np.array(profiles)
        f["/structure/rdf/pairs"] = strings(pairs)


write_rdf("extra.h5", r, PAIRS + ["3-3"], list(x0) + [x0[0]])
write_rdf("extra_first.h5", r, ["1-3"] + PAIRS, [x0[0]] + list(x0))
write_rdf("twice.h5", r, ["1-2", "2-1", "1-1"], [x0[1], x0[1], x0[0]])
write_rdf("missing.h5", r, ["1-1", "1-2"], x0[:2])
wider = 0.86 + 0.04 * np.arange(42)  # covers the model's bins, its points 1% of a bin off theirs
write_rdf("shifted.h5", wider + 0.0004, PAIRS, [np.concatenate([[p[0]], p, [p[-1]]]) for p in x0])
moved = r.copy()
moved[20] += 0.01
write_rdf("moved.h5", moved, PAIRS, x0)
for name, message in (("extra.h5", "extra.h5: /structure/rdf/pairs names pair 4 '3-3', which the model pred.model.h5 does not use (its profiles: g_1-1, g_1-2, g_2-2)"),
                      ("extra_first.h5", "extra_first.h5: /structure/rdf/pairs names pair 1 '1-3', which the model pred.model.h5 does not use"),
                      ("twice.h5", "twice.h5: /structure/rdf/pairs names g_1-2 twice (pairs 1 and 2)"), ("missing.h5", "missing.h5: has no profile g_2-2"),
                      ("shifted.h5", "shifted.h5: the grid of g_1-1"), ("moved.h5", "moved.h5: the grid of g_1-1")):
    for nranks in (1, 2):
        proc = run("predict", ["-model", "pred.model.h5", "-rdf", name], nranks, check=False)
        errors = [l for l in proc.stderr.splitlines() if l.startswith("vitrum")]
        print(name, nranks, errors)
        assert proc.returncode == 1 and len(errors) == 1 and message in errors[0] and "PETSC ERROR" not in proc.stderr, proc.stderr

# a finer grid: refused, and with -predict_regrid refused too by a model that does not record the
# samples' dimension (the shells' volumes need it; re-binned below with dens.model.h5)
def rebin(x, g, centres, h, dim=3):
    """numpy: the fine bins' average over each model bin weighted by the shell volume of the overlap."""
    edges = np.concatenate([[x[0] - (x[1] - x[0]) / 2], (x[1:] + x[:-1]) / 2, [x[-1] + (x[-1] - x[-2]) / 2]])
    out = []
    for c in centres:
        a, b = np.maximum(c - h / 2, edges[:-1]), np.minimum(c + h / 2, edges[1:])
        shell = np.where(b > a, b ** dim - a ** dim, 0)
        out.append((shell * g).sum() / shell.sum())
    return np.array(out)


fine = np.concatenate([[0.8], r[0] - 0.02 + 0.01 * np.arange(4 * r.size + 1), [2.9]])  # bins of 0.01, plus wide end bins
fine = np.unique(np.round(np.concatenate([fine, [0.853]]), 10))  # one irregular point
profiles = [np.cos(3 * fine + k) + 1.5 for k in range(3)]
write_text("fine.txt", fine, profiles)
proc = run("predict", ["-model", "pred.model.h5", "-rdf", "fine.txt"], 2, check=False)
assert proc.returncode == 1 and "is not the model's" in proc.stderr and "-predict_regrid" in proc.stderr, proc.stderr
proc = run("predict", ["-model", "pred.model.h5", "-rdf", "fine.txt", "-predict_regrid"], 2, check=False)
assert proc.returncode == 1 and "records none" in proc.stderr, proc.stderr

# NaN in a text profile, in /model/W; a model without features
text = open("same_0.txt").read().splitlines()
text[7] = text[7].split()[0] + " nan " + " ".join(text[7].split()[2:])
open("nan.txt", "w").write("\n".join(text) + "\n")
proc = run("predict", ["-model", "pred.model.h5", "-rdf", "nan.txt"], 2, check=False)
assert proc.returncode == 1 and "nan.txt:8: column 2 is not a finite number" in proc.stderr, proc.stderr
import shutil  # noqa: E402
shutil.copy("pred.model.h5", "nanw.model.h5")
with h5py.File("nanw.model.h5", "a") as f:
    W = f["/model/W"][()]
    W[1, 5] = np.nan
    f["/model/W"][...] = W
proc = run("predict", ["-model", "nanw.model.h5", "-rdf", "same_0.txt"], 2, check=False)
assert proc.returncode == 1 and "/model/W[1][5]" in proc.stderr and "D(omega=1)" in proc.stderr, proc.stderr
with h5py.File("empty.model.h5", "w") as f:
    f["/model/W"] = np.zeros((1, 0))
    f["/model/b"] = np.zeros(1)
    f["/model/feature_names"] = np.array([], dtype="S1")
    f["/model/target_names"] = strings(["omega2_mean"])
proc = run("predict", ["-model", "empty.model.h5", "-rdf", "same_0.txt"], 2, check=False)
assert proc.returncode == 1 and "0 features" in proc.stderr, (proc.returncode, proc.stderr)

write_text("short.txt", r[:-3], X[0].reshape(3, -1)[:, :-3])
proc = run("predict", ["-model", "pred.model.h5", "-rdf", "short.txt"], 2, check=False)
assert proc.returncode == 1 and "does not cover" in proc.stderr, proc.stderr
np.savetxt("two.txt", np.column_stack([r, X[0][:40]]))
proc = run("predict", ["-model", "pred.model.h5", "-rdf", "two.txt"], 2, check=False)
assert proc.returncode == 1 and "3 partials" in proc.stderr, proc.stderr
proc = run("predict", ["-model", "pred.model.h5"], 1, check=False)
assert proc.returncode == 1 and "-rdf" in proc.stderr, proc.stderr
# the training density range travels into the model; samples far from it are refused
shutil.copy("pred.h5", "dens.h5")
with h5py.File("dens.h5", "a") as f:
    f["/dataset/structure/dim"] = [3.0]
    f["/dataset/structure/density"] = [1.2]
    f["/dataset/structure/density_range"] = [1.15, 1.25]
    f["/dataset/structure/type_fraction"] = [0.8, 0.2]
    f["/dataset/structure/type_names"] = strings(["1", "2"])
run("fit", ["-data", "dens.h5", "-o", "dens.model.h5", "-fit_lambda", 0.01, "-fit_standardize", "-fit_test_fraction", 0], 2)
with h5py.File("dens.model.h5", "r") as f:
    assert list(f["/model/density_range"][()]) == [1.15, 1.25] and f["/model/dim"][()] == 3, f["/model/density_range"][()]
    dens_expect = f["/model/W"][()] @ X[0] + f["/model/b"][()]


def rdf_at_density(path, volume, area=False):
    with h5py.File(path, "w") as f:
        f["/structure/rdf/r"] = r
        f["/structure/rdf/g"] = X[0].reshape(3, -1)
        f["/structure/rdf/pairs"] = strings(PAIRS)
        f["/structure/rdf/type_counts"] = np.array([800, 200])
        f["/structure/rdf/volume"] = [volume]
        f["/structure/rdf/volume"].attrs["units"] = np.bytes_("sigma^2" if area else "sigma^3")


rdf_at_density("inside.h5", 1000 / 1.3)  # 1.3: above the range, within 2x
proc = run("predict", ["-model", "dens.model.h5", "-rdf", "inside.h5"], 2)
got = np.array([l.split()[1:] for l in proc.stdout.splitlines() if l.startswith("inside.h5")][0], float)
assert rel_diff(got, dens_expect) < 1e-9, (got, dens_expect)
rdf_at_density("metal.h5", 1000 / 0.06)  # a KA glass in A: 20x less dense than in sigma
proc = run("predict", ["-model", "dens.model.h5", "-rdf", "metal.h5"], 2, check=False)
assert proc.returncode == 1 and "0.06 atoms per length^3, more than 2x outside the training samples' 1.15 to 1.25" in proc.stderr and proc.stderr.count("vitrum: error") == 1, proc.stderr
rdf_at_density("sheet.h5", 1000 / 1.2, area=True)
proc = run("predict", ["-model", "dens.model.h5", "-rdf", "sheet.h5"], 2, check=False)
assert proc.returncode == 1 and "a 2D sample, but the model dens.model.h5 was fitted on 3D samples" in proc.stderr, proc.stderr
# -predict_regrid with a model of 3D samples: the shell-volume average of the fine bins (numpy)
proc = run("predict", ["-model", "dens.model.h5", "-rdf", "fine.txt", "-predict_regrid", "-o", "regrid.h5"], 2)
assert "re-binned" in proc.stdout, proc.stdout
with h5py.File("dens.model.h5", "r") as f, h5py.File("regrid.h5", "r") as g:
    x = np.concatenate([rebin(fine, p, r, 0.04) for p in profiles])
    d = rel_diff(g["/prediction/Y"][()][0], f["/model/W"][()] @ x + f["/model/b"][()])
print(f"re-binned finer grid: rel diff {d:.2e}")
assert d < 1e-12, d
print("ok")
