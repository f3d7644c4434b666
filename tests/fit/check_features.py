"""vitrum features: the dataset equals the per-sample outputs it was built from (g(r) rows, with
the Gaussian smoothing recomputed in numpy, names, scalar and VDOS targets; S(q) features), for -samples GLOB
and -sample_list, on 1 rank and on 4 ranks with -ranks_per_sample 2; cached outputs are reused
when fresh and recomputed (here by the rdf code) when older than the sample; inconsistent
samples give clear errors, and a listed sample that cannot be opened is named with the list's file
and line (and, for a relative path, the current folder it was taken in). Then fit + predict on the cached rdf output of a sample reproduce the
model applied to the dataset row (the smoothing of features and predict agree), also for a profile
on the same grid over a wider range (predict cuts it to the training range before smoothing)."""
import os
import shutil
import time

import h5py
import numpy as np

from fitlib import read_model, rel_diff, run, strings

rng = np.random.default_rng(7)
PAIRS = ["1-1", "1-2", "2-2"]
r = (np.arange(60) + 0.5) * 0.05
nsamples = 12


q = np.linspace(0.5, 12, 40)


def write_outputs(folder, name, g, scalars, omega, D):
    with h5py.File(f"{folder}/{name}.rdf.h5", "w") as f:
        f["/structure/rdf/r"] = r
        f["/structure/rdf/g"] = g
        f["/structure/rdf/pairs"] = strings(PAIRS)
        f["/structure/sq/q"] = q
        f["/structure/sq/S_partial"] = 1 + np.sin(q[None, :] * g[:, 30:31])  # any numbers that differ per sample
    with h5py.File(f"{folder}/{name}.spectrum.h5", "w") as f:
        for k, v in scalars.items():
            f[f"/spectrum/scalars/{k}"] = np.array([v])
        f["/spectrum/vdos/omega"] = omega
        f["/spectrum/vdos/D"] = D


def smooth(g, sigma):
    w = np.exp(-0.5 * ((r[:, None] - r[None, :]) / sigma) ** 2) * (np.abs(r[:, None] - r[None, :]) <= 8 * sigma)
    return g @ w.T / w.sum(1)


for d in ("samples", "cache", "vitrum_cache"):
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
G, S, V = [], [], []
omega = np.linspace(0.1, 3.0, 5)
past = time.time() - 3600
for i in range(nsamples):
    name = f"glass_{i:02d}.data"
    open(f"samples/{name}", "w").write("placeholder: the cached outputs are fresh, so it is not read\n")
    os.utime(f"samples/{name}", (past, past))
    g = np.where(r < 0.8, 0.0, 1 + 0.5 * np.sin(3 * r[None, :] + rng.uniform(0, 1, (3, 1))) * np.exp(-(r - 0.8)) + 0.05 * rng.standard_normal((3, r.size)))
    scalars = {"omega2_mean": rng.uniform(10, 20), "boson_peak": rng.uniform(0.5, 1)}
    D = rng.uniform(0, 1, omega.size)
    write_outputs("vitrum_cache", name, g, scalars, omega, D)  # the default cache folder
    G.append(g), S.append(scalars), V.append(D)
G, V = np.array(G), np.array(V)
keep = r >= 0.8  # below 0.8 every g is 0: dropped as constant
names = [f"g_{p}(r={x:.10g})" for p in PAIRS for x in r[keep]]


def check_dataset(path, order, sigma=0.0):
    with h5py.File(path, "r") as f:
        X, Y = f["/dataset/X"][()], f["/dataset/Y"][()]
        fn = [s.decode() for s in f["/dataset/feature_names"][()]]
        tn = [s.decode() for s in f["/dataset/target_names"][()]]
        sn = [s.decode() for s in f["/dataset/sample_names"][()]]
    Gs = smooth(G.reshape(-1, r.size), sigma).reshape(G.shape) if sigma else G
    Xref = Gs[order][:, :, keep if not sigma else slice(None)].reshape(len(order), -1)
    assert sn == [f"samples/glass_{i:02d}.data" for i in order], sn
    assert tn == ["boson_peak", "omega2_mean"] + [f"D(omega={w:.10g})" for w in omega], tn
    if not sigma:
        assert fn == names, fn[:5]
    assert X.shape == Xref.shape and rel_diff(X, Xref) < 1e-12, rel_diff(X, Xref)
    Yref = np.array([[S[i]["boson_peak"], S[i]["omega2_mean"], *V[i]] for i in order])
    assert rel_diff(Y, Yref) < 1e-14
    return X


targets = ["-features_targets", "scalars,vdos"]
check_dataset(run("features", ["-samples", "samples/*.data", "-o", "ds1.h5"] + targets, 1) and "ds1.h5", list(range(nsamples)))
order = [5, 2, 11, 0, 7]
open("list.txt", "w").write("# a subset\n" + "\n".join(f"samples/glass_{i:02d}.data" for i in order) + "\n")
check_dataset(run("features", ["-sample_list", "list.txt", "-o", "ds2.h5"] + targets, 2) and "ds2.h5", order)
sigma = 0.07
X4 = check_dataset(run("features", ["-samples", "samples/*.data", "-o", "ds4.h5", "-ranks_per_sample", 2, "-features_smooth", sigma,
                                    "-features_drop_constant", 0] + targets, 4) and "ds4.h5", list(range(nsamples)), sigma)
# S(q) features: the partial S_ab(q) rows, named S_A-B(q=...)
run("features", ["-samples", "samples/*.data", "-o", "dsq.h5", "-features_kind", "sq"] + targets, 2)
with h5py.File("dsq.h5", "r") as f:
    Xq = f["/dataset/X"][()]
    fq = [s.decode() for s in f["/dataset/feature_names"][()]]
Sref = np.array([(1 + np.sin(q[None, :] * g[:, 30:31])).ravel() for g in G])
assert rel_diff(Xq, Sref) < 1e-14 and fq[0] == f"S_1-1(q={q[0]:.10g})" and fq[-1] == f"S_2-2(q={q[-1]:.10g})", fq[:2]
print("datasets: ok")

# errors: a sample on another grid, a missing target
with h5py.File("vitrum_cache/glass_03.data.rdf.h5", "a") as f:
    f["/structure/rdf/r"][...] = r * 1.01
proc = run("features", ["-samples", "samples/*.data", "-o", "bad.h5"] + targets, 2, check=False)
assert proc.returncode == 1 and "glass_03.data" in proc.stderr and "-rdf_dr" in proc.stderr, proc.stderr
with h5py.File("vitrum_cache/glass_03.data.rdf.h5", "a") as f:
    f["/structure/rdf/r"][...] = r
proc = run("features", ["-samples", "samples/*.data", "-o", "bad.h5", "-features_targets", "omega2_mean,heat"], 2, check=False)
assert proc.returncode == 1 and "/spectrum/scalars/heat" in proc.stderr, proc.stderr
proc = run("features", ["-samples", "nothing/*.data", "-o", "bad.h5"], 2, check=False)
assert proc.returncode == 1 and "no file matches" in proc.stderr, proc.stderr
os.utime("samples/glass_05.data")  # its spectrum output is now stale, and there is no -potential
proc = run("features", ["-samples", "samples/*.data", "-o", "bad.h5"] + targets, 2, check=False)
assert proc.returncode == 1 and "glass_05.data" in proc.stderr and "-potential" in proc.stderr, proc.stderr
os.utime("samples/glass_05.data", (past, past))
# a listed sample that cannot be opened: the list and its line are named, and for a relative path
# the folder it was taken in (the current one: the list's own folder holds glass_03.data)
open("samples/here.txt", "w").write("# relative to this folder?\nglass_03.data\n")
open("absent.txt", "w").write("samples/glass_00.data\n%s/samples/glass_99.data\n" % os.getcwd())
expected = {"samples/here.txt": "-sample_list samples/here.txt:2: glass_03.data: cannot open (No such file or directory; relative paths in a list are relative to the current folder %s)" % os.getcwd(),
            "absent.txt": "-sample_list absent.txt:2: %s/samples/glass_99.data: cannot open (No such file or directory)" % os.getcwd()}
for listed, line in expected.items():
    for command, nranks in (("features", 1), ("features", 2), ("predict", 2)):
        args = ["-sample_list", listed, "-o", "bad.h5"] + (targets if command == "features" else ["-model", "m_none.h5"])
        proc = run(command, args, nranks, check=False)
        errors = [l for l in proc.stderr.splitlines() if l.startswith("vitrum")]
        assert proc.returncode == 1 and errors == ["vitrum: error: " + line] and "PETSC ERROR" not in proc.stderr, (command, nranks, proc.stderr)
print("errors: ok")

# fit on the smoothed dataset, predict from one sample's cached rdf output: = the model on its row
run("fit", ["-data", "ds4.h5", "-o", "m4.h5", "-fit_lambda", 0.1, "-fit_test_fraction", 0], 2)
m = read_model("m4.h5")
assert np.isclose(m["feature_smooth"], sigma)
proc = run("predict", ["-model", "m4.h5", "-rdf", "vitrum_cache/glass_04.data.rdf.h5", "-o", "p4.h5"], 1)
with h5py.File("p4.h5", "r") as f:
    pred = f["/prediction/Y"][0]
ref = m["W"] @ X4[4] + m["b"]
assert rel_diff(pred, ref) < 1e-10, rel_diff(pred, ref)
print("predict on a cached rdf output with smoothing: ok")

# sigma 0.1: a profile on the same grid over a wider range (r to 4 instead of 3) gives the features
# of the same-range profile, the training row's (predict smoothed the whole wider profile, so the
# features near r = 3 differed from the training ones, renormalised at r = 3)
run("features", ["-samples", "samples/*.data", "-o", "ds5.h5", "-features_smooth", 0.1, "-features_drop_constant", 0] + targets, 1)
run("fit", ["-data", "ds5.h5", "-o", "m5.h5", "-fit_lambda", 0.1, "-fit_test_fraction", 0], 1)
m = read_model("m5.h5")
r_wide = (np.arange(80) + 0.5) * 0.05
assert np.array_equal(r_wide[:r.size], r)
rng_wide = np.random.default_rng(5)
for name, grid, g in (("same.rdf.h5", r, G[4]), ("wide.rdf.h5", r_wide, np.hstack([G[4], 1 + 0.3 * rng_wide.standard_normal((3, 20))]))):
    with h5py.File(name, "w") as f:
        f["/structure/rdf/r"] = grid
        f["/structure/rdf/g"] = g
        f["/structure/rdf/pairs"] = strings(PAIRS)
for nranks in (1, 2):
    run("predict", ["-model", "m5.h5", "-rdf", "wide.rdf.h5,same.rdf.h5", "-o", "p5.h5"], nranks)
    with h5py.File("p5.h5", "r") as f:
        wide, same = f["/prediction/Y"][()]
    with h5py.File("ds5.h5", "r") as f:
        row = m["W"] @ f["/dataset/X"][4] + m["b"]
    print(f"sigma 0.1, {nranks} rank(s): wider range vs same range: rel diff {rel_diff(wide, same):.2e}, same range vs training row {rel_diff(same, row):.2e}")
    assert rel_diff(wide, same) < 1e-12 and rel_diff(same, row) < 1e-12, (wide, same, row)
print("predict with smoothing on a wider range of the same grid: ok")

# a real sample: the stale cache is recomputed by the rdf code, the fresh one reused
L, n = 6.0, 150
x = rng.uniform(0, L, (n, 3))
types = rng.integers(1, 3, n)
with open("cache_sample.data", "w") as f:
    f.write(f"random gas\n\n{n} atoms\n2 atom types\n\n0 {L} xlo xhi\n0 {L} ylo yhi\n0 {L} zlo zhi\n\nAtoms # atomic\n\n")
    f.writelines(f"{i + 1} {types[i]} {x[i, 0]} {x[i, 1]} {x[i, 2]}\n" for i in range(n))
rdf_opts = ["-rdf_rmax", 2.5, "-rdf_dr", 0.1]
run("rdf", ["-sample", "cache_sample.data", "-o", "ref.rdf.h5"] + rdf_opts, 1)
args = ["-samples", "cache_sample.data", "-features_cache", "cache", "-features_targets", "none", "-features_drop_constant", 0] + rdf_opts
run("features", args + ["-o", "dsc.h5"], 2)
with h5py.File("dsc.h5", "r") as f, h5py.File("ref.rdf.h5", "r") as ref:
    assert rel_diff(f["/dataset/X"][0], ref["/structure/rdf/g"][()].ravel()) < 1e-12
stamp = os.path.getmtime("cache/cache_sample.data.rdf.h5")
time.sleep(1.1)
run("features", args + ["-o", "dsc.h5"], 2)
assert os.path.getmtime("cache/cache_sample.data.rdf.h5") == stamp, "a fresh cache was recomputed"
os.utime("cache_sample.data")  # the sample is now newer than its cached output
run("features", args + ["-o", "dsc.h5"], 2)
assert os.path.getmtime("cache/cache_sample.data.rdf.h5") > stamp, "a stale cache was not recomputed"
stamp = os.path.getmtime("cache/cache_sample.data.rdf.h5")
time.sleep(1.1)
run("features", args[:-4] + ["-rdf_rmax", 2.5, "-rdf_dr", 0.05, "-o", "dsc2.h5"], 2)  # another grid: recomputed
assert os.path.getmtime("cache/cache_sample.data.rdf.h5") > stamp, "a cache on another grid was reused"
with h5py.File("dsc2.h5", "r") as f:
    assert f["/dataset/X"].shape == (1, 3 * 50), f["/dataset/X"].shape
args2 = args[:-4] + ["-rdf_rmax", 2.5, "-rdf_dr", 0.05]
stamp = os.path.getmtime("cache/cache_sample.data.rdf.h5")
time.sleep(1.1)
run("features", args2 + ["-fit_seed", 3, "-o", "dsc3.h5"], 2)  # an option that cannot change the rdf: reused
assert os.path.getmtime("cache/cache_sample.data.rdf.h5") == stamp, "a cache was recomputed for a bookkeeping option"
run("features", args2 + ["-sample_dimension", 3, "-o", "dsc3.h5"], 2)  # a result-changing option: recomputed
assert os.path.getmtime("cache/cache_sample.data.rdf.h5") > stamp, "a cache made with other options was reused"
print("cache: ok")
print("ok")
