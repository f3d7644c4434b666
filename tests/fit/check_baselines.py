"""scripts/baselines.py on a tiny run folder made by vitrum fit: it takes the split from
/model/row_fold, scores only the targets fit did not drop, and its linear rows equal scikit-learn
Ridge (the model's given lambda) fitted on the same training rows (all of them, and the nested
subsets of the learning curve) and scored with r2_score(variance_weighted) on the held-out rows;
the local models (rows = atoms, a sample = the mean of its atoms; one per --local ATOMS[:GROUP])
predict sample-level targets that are exactly the atoms' means; kernel ridge rows are finite; CNN rows (a
smaller run of their own: V and --local-self, 2 sizes) are finite and there iff torch imports, else skipped with a note; --splits 3 adds splits 1 and 2 (seeded random splits of the same test size, all other
rows for training), whose linear rows are sklearn Ridge on those rows too; a target constant on the
held-out samples (a count non-zero in one sample) is not scored: NaN, never 0 or 1; --protocols
ENSEMBLE.csv adds the protocol reference, whose rows equal r2_score of the training samples'
per-protocol means (the training mean for a protocol no training sample has), and a table without
the protocol column, or without one of the samples, stops the script with one line; --local-self
scores a per-atom dataset with several targets (one constant) against its atoms' means: every model
scored on the pipeline's split, the local model of exactly local targets near 1, the protocol rows
= per-protocol means of the atoms' means."""
import csv
import os
import subprocess
import sys

import h5py
import numpy as np
from sklearn.linear_model import Ridge
from sklearn.metrics import r2_score

from fitlib import read_model, run, write_dataset

rng = np.random.default_rng(5)
n, nr, natoms, lam = 40, 12, 6, 0.7
pairs = ["A-A", "A-B"]
names = [f"g_{p}(r={1 + 0.05 * k:.10g})" for p in pairs for k in range(nr)]
samples = [f"s_{i:03d}.data" for i in range(n)]
# per-atom features and a per-atom target linear in them; a sample's features and target are the atoms' means
Xa = rng.standard_normal((n * natoms, len(names)))
w = rng.standard_normal(len(names))
ya = Xa @ w + 0.01 * rng.standard_normal(n * natoms)
X = Xa.reshape(n, natoms, -1).mean(1)
omega2 = ya.reshape(n, natoms).mean(1)
ea = Xa @ rng.standard_normal(len(names)) + 0.01 * rng.standard_normal(n * natoms)  # a second per-atom target (group E)
energy = ea.reshape(n, natoms).mean(1)
V = np.column_stack([X @ rng.standard_normal(len(names)) + 0.3 * rng.standard_normal(n), np.full(n, 2.5), X[:, 3] ** 2])

rare = np.zeros(n)
rare[7] = 1.0  # a count that is non-zero in one sample: constant on any held-out set without it
os.makedirs("run/models/omega2_mean", exist_ok=True)
os.makedirs("run/models/V", exist_ok=True)
os.makedirs("run/models/rare", exist_ok=True)
os.makedirs("run/models/E", exist_ok=True)
write_dataset("run/dataset.h5", X, np.column_stack([omega2, V]), feature_names=names, sample_names=samples,
              target_names=["omega2_mean", "V(x=1)", "V(x=2)", "V(x=3)"])
for group, Y, tnames in (("omega2_mean", omega2[:, None], ["omega2_mean"]), ("V", V, ["V(x=1)", "V(x=2)", "V(x=3)"]), ("rare", rare[:, None], ["rare"]),
                         ("E", energy[:, None], ["E"])):
    write_dataset(f"run/models/{group}/dataset.h5", X, Y, feature_names=names, target_names=tnames, sample_names=samples)
    run("fit", ["-data", f"run/models/{group}/dataset.h5", "-o", f"run/models/{group}/model.h5", "-fit_lambda", lam, "-fit_test_fraction", 0.25], 2)
for path, ytarget in (("atoms.h5", ya), ("atoms_e.h5", ea)):
    write_dataset(path, Xa, ytarget[:, None], feature_names=names, target_names=["atom"], sample_names=[f"row {k}" for k in range(len(ya))])
    with h5py.File(path, "a") as f:
        f["/dataset/row_sample"] = np.repeat(np.arange(n), natoms)
        f["/dataset/samples"] = np.array([s.encode() for s in samples])

# make_ensemble.py's table: protocols 0-4 in turn, protocol 5 for one sample only (absent from some training sets)
protocol = np.array([5 if i == 11 else i % 5 for i in range(n)])
with open("ensemble.csv", "w") as f:
    f.write("name,protocol,tpar\n" + "".join(f"{s},{p},1.0\n" for s, p in zip(samples, protocol)))
BASELINES = [sys.executable, os.path.join(os.environ["SRC"], "scripts", "baselines.py"), "--run", "run"]
# several per-atom targets, linear in the atom's features, one of them constant: --local-self
Ya = np.column_stack([Xa @ rng.standard_normal(len(names)) + 0.01 * rng.standard_normal(n * natoms) for _ in range(2)] + [np.full(n * natoms, 0.5)])
write_dataset("atoms_v.h5", Xa, Ya, feature_names=names, target_names=["Dl(omega=1)", "Dl(omega=2)", "Dl(omega=3)"], sample_names=[f"row {k}" for k in range(len(ya))])
with h5py.File("atoms_v.h5", "a") as f:
    f["/dataset/row_sample"] = np.repeat(np.arange(n), natoms)
    f["/dataset/samples"] = np.array([s.encode() for s in samples])
proc = subprocess.run(BASELINES + ["--local", "atoms.h5", "--local", "atoms_e.h5:E", "--protocols", "ensemble.csv", "--local-self", "atoms_v.h5:Dl",
                       "--out", "out/bl", "--repeats", "2", "--sizes", "2", "--label", "tiny", "--splits", "3", "--no-cnn"], capture_output=True, text=True)
print(proc.stdout[-3000:], proc.stderr[-3000:])
assert proc.returncode == 0
rows = list(csv.DictReader(open("out/bl.csv")))
assert os.path.getsize("out/bl.png") > 0
assert not any(r["model"] == "cnn" for r in rows) and "CNN skipped: --no-cnn" in proc.stdout

# the CNN (300 epochs a fit: most of this test's CPU when torch imports, 25 fits in the run above)
# on a smaller run of its own: a group of several targets (V, one dropped) and --local-self, at 2
# training sizes (8 and all), one repeat, the pipeline's split: 4 fits, rows iff torch imports, finite
try:
    import torch  # noqa: F401
    has_torch = True
except Exception:
    has_torch = False
proc = subprocess.run(BASELINES + ["--models", "V", "--protocols", "ensemble.csv", "--local-self", "atoms_v.h5:Dl", "--out", "out/cnn",
                                   "--repeats", "1", "--sizes", "2", "--label", "tiny"], capture_output=True, text=True)
print(proc.stdout[-3000:], proc.stderr[-3000:])
assert proc.returncode == 0
cnn = [r for r in csv.DictReader(open("out/cnn.csv")) if r["model"] == "cnn"]
assert has_torch == bool(cnn) and has_torch == any(r["target"] == "V" for r in cnn) and has_torch == any(r["target"] == "Dl" for r in cnn), cnn
assert has_torch or "CNN skipped" in proc.stdout
assert all(np.isfinite(float(r["r2_heldout"])) for r in cnn) and len({int(r["n_train"]) for r in cnn if r["target"] == "V"}) == (2 if has_torch else 0), cnn

for group, Y in (("omega2_mean", omega2[:, None]), ("V", V)):
    m = read_model(f"run/models/{group}/model.h5")
    test, train = np.flatnonzero(m["row_fold"] < 0), np.flatnonzero(m["row_fold"] >= 0)
    keep = np.flatnonzero(~m["metrics/dropped"].astype(bool))
    assert group != "V" or list(keep) == [0, 2], keep  # the constant target is not scored
    mine = [r for r in rows if r["target"] == group]
    assert all(int(r["n_test"]) == len(test) for r in mine)
    sizes = sorted({int(r["n_train"]) for r in mine})
    assert sizes[-1] == len(train), sizes
    assert sorted({int(r["split"]) for r in mine}) == [0, 1, 2]
    unseen = 0  # protocol rows whose held-out samples include a protocol absent from the training rows
    for r in mine:
        if r["model"] not in ("linear", "protocol"):
            assert np.isfinite(float(r["r2_heldout"])), r
            continue
        k, rep, split = int(r["n_train"]), int(r["repeat"]), int(r["split"])
        if split == 0:
            sub, held = np.sort(np.random.default_rng(rep).permutation(train)[:k]), test
        else:  # the script's seeded split
            perm = np.random.default_rng(1000 + split).permutation(n)
            sub, held = np.sort(perm[len(test):]), np.sort(perm[:len(test)])
            assert k == len(train) and not set(sub) & set(held)
        Ysub = Y[np.ix_(sub, keep)]
        if r["model"] == "linear":
            pred = Ridge(alpha=lam, solver="svd").fit(X[sub], Ysub).predict(X[held]).reshape(len(held), -1)
        else:
            means = {p: Ysub[protocol[sub] == p].mean(0) for p in set(protocol[sub])}
            pred = np.array([means.get(protocol[i], Ysub.mean(0)) for i in held])
            unseen += any(protocol[i] not in means for i in held)
        expected = r2_score(Y[np.ix_(held, keep)], pred, multioutput="variance_weighted")
        assert abs(float(r["r2_heldout"]) - expected) < 1e-6, (group, r["model"], k, rep, split, r["r2_heldout"], expected)
    assert sum(r["model"] == "protocol" for r in mine) == sum(r["model"] == "linear" for r in mine)
    print(f"{group}: linear rows = sklearn Ridge, protocol rows = per-protocol training means ({unseen} rows with an unseen protocol), "
          f"on the same rows, sizes {sizes}, splits 0-2")

# a target constant on the held-out samples is not scored (NaN), on every split where it is
fold = read_model("run/models/rare/model.h5")["row_fold"]
for r in (r for r in rows if r["target"] == "rare"):
    split = int(r["split"])
    held = np.flatnonzero(fold < 0) if split == 0 else np.random.default_rng(1000 + split).permutation(n)[:int(r["n_test"])]
    constant = np.ptp(rare[held]) == 0
    assert np.isnan(float(r["r2_heldout"])) == constant, (r, constant)
print("a target constant on the held-out samples: not scored (NaN)")

# --local-self: the atoms' means as targets, every model, the pipeline's split (the first model file's)
mine = [r for r in rows if r["target"] == "Dl"]
assert {r["model"] for r in mine} == {"linear", "krr", "local", "protocol"}, {r["model"] for r in mine}  # the CNN: out/cnn above
first = read_model("run/models/E/model.h5")["row_fold"]  # models are listed in sorted order: E first
assert all(int(r["n_test"]) == int((first < 0).sum()) for r in mine)
local_full = [float(r["r2_heldout"]) for r in mine if r["model"] == "local" and int(r["n_train"]) == int((first >= 0).sum()) and r["split"] == "0"]
assert local_full and local_full[0] > 0.99, local_full
Ym = Ya.reshape(n, natoms, -1).mean(1)[:, :2]  # the constant target left out
test, train = np.flatnonzero(first < 0), np.flatnonzero(first >= 0)
means = {p: Ym[train][protocol[train] == p].mean(0) for p in set(protocol[train])}
pred = np.array([means.get(protocol[i], Ym[train].mean(0)) for i in test])
expected = r2_score(Ym[test], pred, multioutput="variance_weighted")
got = [float(r["r2_heldout"]) for r in mine if r["model"] == "protocol" and r["split"] == "0" and int(r["n_train"]) == len(train)]
assert abs(got[0] - expected) < 1e-6, (got, expected)  # the CSV keeps 6 decimals
print("--local-self: local model", local_full[0], "; protocol rows = the atoms' means' per-protocol means")

# one local model per --local: omega2_mean (the default group) and E (atoms_e.h5:E), none for V
for group in ("omega2_mean", "E"):
    local = [float(r["r2_heldout"]) for r in rows if r["target"] == group and r["model"] == "local" and int(r["n_train"]) == 30]
    assert local and local[0] > 0.99, (group, local)
    print(f"local model of {group} at n = 30: held-out R^2", local[0])
assert not any(r["model"] == "local" for r in rows if r["target"] not in ("omega2_mean", "E", "Dl"))
# a protocol table that does not fit the run: one line, no traceback
with open("bad.csv", "w") as f:
    f.write("name,tpar\n" + "".join(f"{s},1.0\n" for s in samples))
with open("short.csv", "w") as f:
    f.write("name,protocol\n" + "".join(f"{s},0\n" for s in samples[:-1]))
for table, words in (("bad.csv", "no columns name and protocol"), ("short.csv", "no protocol for 1 of the run's samples (first: s_039.data)")):
    proc = subprocess.run(BASELINES + ["--protocols", table, "--no-cnn", "--out", "out/bad"], capture_output=True, text=True)
    assert proc.returncode != 0 and words in proc.stderr and "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    print("--protocols", table, "->", proc.stderr.strip())
print("ok")
