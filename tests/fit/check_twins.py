"""Copies of a sample in a dataset: fit warns (stdout, one line per kind) when rows of X are
bitwise identical or sample names repeat, naming the first pair and the count, and says when such
copies fall on both sides of the train/test split (the held-out score then scores seen samples:
the tester's copies gave R^2 1.0000 without a word). The expected pairs and counts come from numpy
and from the split the model records (/model/row_fold). Copies in different folds of -fit_cv K
(both training) are counted too: the CV score then scores fitted samples and picks too small a
lambda. In a per-atom dataset (rows = atoms, /dataset/row_sample) a row bitwise equal to a row of
another sample is a copy as in the per-sample case (equal rows within one sample are not: atoms of
one sample may share an environment); until this release per-atom rows were not checked at all."""
import h5py
import numpy as np

from fitlib import correlated_data, read_model, run, strings, write_dataset

X, Y = correlated_data(16, 5, 2, seed=5)


def warnings(path, kind, nranks=2, extra=()):
    proc = run("fit", ["-data", path, "-o", "m.h5", "-fit_lambda", "0.1"] + list(extra), nranks=nranks)
    return [l for l in proc.stdout.splitlines() if l.startswith("fit: warning:") and kind in l], read_model("m.h5")["row_fold"]


def expected(keys, held, units=None, fold=None):
    """Plain Python: the copies (a key seen before in another unit: units[i], default every row its
    own), the first pair, the copies on the other side of the split (held), and with fold the
    training copies in another fold than the row they copy."""
    seen, copies, straddle, other_fold = {}, [], [], []
    units = range(len(keys)) if units is None else units
    for i, k in enumerate(keys):
        j = next((j for j in seen.get(k, []) if units[j] != units[i]), None)
        seen.setdefault(k, []).append(i)
        if j is None:
            continue
        copies.append((j, i))
        if held[i] != held[j]:
            straddle.append((j, i))
        if fold is not None and fold[i] >= 0 and fold[j] >= 0 and fold[i] != fold[j]:
            other_fold.append((j, i))
    return (copies, straddle, other_fold) if fold is not None else (copies, straddle)


def check(line, copies, straddle, unit="rows", other_fold=()):
    a, b = copies[0]
    assert line.startswith(f"fit: warning: {len(copies)} "), line
    assert f"(first: {unit} {a} " in line and f" and {b} " in line, (line, a, b)
    if straddle:
        assert f"; {len(straddle)} of them on the other side of the train/test split (first: {unit} {straddle[0][0]} and {straddle[0][1]})" in line, (line, straddle)
    else:
        assert "other side" not in line, line
    if other_fold:
        assert f"; {len(other_fold)} of them in another of the " in line and f" folds of -fit_cv (first: {unit} {other_fold[0][0]} and {other_fold[0][1]})" in line, (line, other_fold)
    else:
        assert "folds of -fit_cv" not in line, line


# distinct samples, distinct rows: no warning
write_dataset("clean.h5", X, Y)
for kind in ("bitwise", "repeat"):
    assert warnings("clean.h5", kind)[0] == []

# copies under other names (rows 3 and 9 copied to the end, in that order): bitwise rows only
Xc, Yc = np.vstack([X, X[[3, 9, 3]]]), np.vstack([Y, Y[[3, 9, 3]]])
names = [f"glass_{i}.data" for i in range(16)] + ["copy_a.data", "copy_b.data", "copy_c.data"]
write_dataset("copies.h5", Xc, Yc, sample_names=names)
for seed in (1, 2, 3):
    lines, fold = warnings("copies.h5", "bitwise", extra=["-fit_seed", seed])
    copies, straddle = expected([r.tobytes() for r in Xc], fold < 0)
    print(seed, lines)
    assert len(lines) == 1 and len(copies) == 3, lines
    check(lines[0], copies, straddle)
    assert "'glass_3.data'" in lines[0] and "'copy_a.data'" in lines[0]
    assert warnings("copies.h5", "repeat", extra=["-fit_seed", seed])[0] == []
# a row that differs in one bit of one value is no copy
Xd = Xc.copy()
Xd[-1, 2] = np.nextafter(Xd[-1, 2], np.inf)
write_dataset("nearly.h5", Xd, Yc, sample_names=names)
lines, fold = warnings("nearly.h5", "bitwise", nranks=3)
assert len(lines) == 1 and lines[0].startswith("fit: warning: 2 "), lines

# the same sample listed twice (its name repeats; here its row too): two lines, one per kind
Xt, Yt = np.vstack([X, X[:8]]), np.vstack([Y, Y[:8]])
tnames = [f"glass_{i}.data" for i in range(16)] + [f"glass_{i}.data" for i in range(8)]
write_dataset("twice.h5", Xt, Yt, sample_names=tnames)
for nranks in (1, 3):
    rows, fold = warnings("twice.h5", "bitwise", nranks=nranks)
    reps, _ = warnings("twice.h5", "repeat", nranks=nranks)
    copies, straddle = expected(tnames, fold < 0)
    assert len(rows) == 1 and len(reps) == 1 and len(copies) == 8 and straddle, (rows, reps)
    check(rows[0], copies, straddle)
    check(reps[0], copies, straddle)
# a name that repeats on different rows (a mislabelled file): the name line only
Xr = np.vstack([X, X[:2] + 1.0])
write_dataset("renamed.h5", Xr, np.vstack([Y, Y[:2]]), sample_names=tnames[:18])
assert warnings("renamed.h5", "bitwise")[0] == []
reps, fold = warnings("renamed.h5", "repeat")
copies, straddle = expected(tnames[:18], fold < 0)
assert len(reps) == 1
check(reps[0], copies, straddle)

# per-atom dataset: the samples are the units (atoms of one sample may share a row: no row check)
write_dataset("atoms.h5", np.vstack([X, X]), np.vstack([Y, Y]))
samples = ["a.data", "b.data", "c.data", "a.data", "d.data", "e.data", "f.data", "g.data"]
with h5py.File("atoms.h5", "a") as f:
    f["/dataset/samples"] = strings(samples)
    f["/dataset/row_sample"] = np.arange(32) % 8
assert warnings("atoms.h5", "bitwise")[0] == []
reps, fold = warnings("atoms.h5", "repeat")
held = np.zeros(8, bool)
held[(np.arange(32) % 8)[fold < 0]] = True
copies, straddle = expected(samples, held)
assert len(reps) == 1 and copies == [(0, 3)], reps
check(reps[0], copies, straddle, unit="samples")

# copies in different K-fold folds (all rows training): the CV score counts them
for nranks in (1, 2):
    lines, fold = warnings("copies.h5", "bitwise", nranks=nranks, extra=["-fit_cv", 4, "-fit_test_fraction", 0])
    copies, straddle, other_fold = expected([r.tobytes() for r in Xc], fold < 0, fold=fold)
    assert len(lines) == 1 and other_fold and not straddle, (lines, fold)
    check(lines[0], copies, straddle, other_fold=other_fold)
    # with a held-out split too: both clauses, counted separately
    lines, fold = warnings("twice.h5", "bitwise", nranks=nranks, extra=["-fit_cv", 3, "-fit_seed", 4])
    copies, straddle, other_fold = expected([r.tobytes() for r in Xt], fold < 0, fold=fold)
    assert len(lines) == 1 and other_fold and straddle, (lines, fold)
    check(lines[0], copies, straddle, other_fold=other_fold)

# per-atom dataset whose samples share a row (the same atom environment in two samples, e.g. one
# sample copied into another file): warned like the per-sample copies, with the split and the folds
# of the samples; equal rows within one sample stay unwarned. 6 samples of 4 atoms; sample 4 holds
# a copy of row 1 (sample 0) and sample 5 a copy of row 6 (sample 1); rows 8 and 9 (sample 2) are equal.
Xa, Ya = correlated_data(24, 5, 2, seed=7)
Xa[17], Xa[22], Xa[9] = Xa[1], Xa[6], Xa[8]
row_sample = np.arange(24) // 4
write_dataset("shared.h5", Xa, Ya)
with h5py.File("shared.h5", "a") as f:
    f["/dataset/samples"] = strings([f"glass_{k}.data" for k in range(6)])
    f["/dataset/row_sample"] = row_sample
for nranks in (1, 2):
    for extra in (["-fit_test_fraction", 0.34, "-fit_seed", 1], ["-fit_test_fraction", 0.34, "-fit_seed", 2], ["-fit_test_fraction", 0, "-fit_cv", 3]):
        lines, fold = warnings("shared.h5", "bitwise", nranks=nranks, extra=extra)
        copies, straddle, other_fold = expected([r.tobytes() for r in Xa], fold < 0, units=row_sample, fold=fold)
        print(nranks, extra, lines)
        assert copies == [(1, 17), (6, 22)] and len(lines) == 1, (copies, lines)
        check(lines[0], copies, straddle, other_fold=other_fold)
        assert "'glass_0.data' and 17 'glass_4.data'" in lines[0] and "another sample" in lines[0], lines[0]
        assert warnings("shared.h5", "repeat", nranks=nranks, extra=extra)[0] == []
print("ok")
