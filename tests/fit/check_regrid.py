"""predict -predict_regrid (docs/fit.md, "vitrum predict"): re-binning a finer g(r) histogram onto the
model's bins weights the fine bins by their shell volumes (g = counts / shell volume), so that vitrum's
own histogram at dr = 0.01 re-binned onto a model on dr = 0.02 gives the prediction of vitrum's own
histogram at dr = 0.02 (the same sample, `vitrum rdf` twice; bin edges aligned), in 3D and in 2D
(until this release the bins were weighted by their width: relative error 1e-3 in the features).
Coverage is judged on bin edges, not on the points of the profile cut at the model's rdf_rmax: a
profile on bins twice as wide whose last bin ends at rdf_rmax covers the model (its last point lies
below the model's last centre), and is re-binned = W x + b with x its bin containing each model bin
(with a note that its bins are wider); one that stops short is refused with the bin ranges actually
compared (its edges, the model's edges); a profile in other length units (r x 3.4) is refused
naming both spacings. -predict_regrid refuses S(q) profiles (sampled at points, not histograms: no
bins) and models that do not record the samples' dimension (the shells need it)."""
import re

import h5py
import numpy as np

import vitrum_testlib as vt
from fitlib import correlated_data, read_model, rel_diff, run, strings, write_dataset

RMAX, DR = 3.0, 0.02
PAIRS = ["1-1", "1-2", "2-2"]


def rdf(sample, dr, out, dim):
    run("rdf", ["-sample", sample, "-rdf_rmax", RMAX, "-rdf_dr", dr, "-sample_dimension", dim, "-o", out], 2)
    with h5py.File(out, "r") as f:
        pairs = [s.decode() for s in f["/structure/rdf/pairs"][()]]
        return f["/structure/rdf/r"][()], f["/structure/rdf/g"][()], pairs


def model(dim, density, path, kind="g"):
    """A model on the coarse grid (bins of DR up to RMAX, features from r = 0.61), its samples of the
    given dimension and density (fit keeps both; predict's density check)."""
    centres = DR * (np.arange(round(RMAX / DR)) + 0.5)
    centres = centres[centres > 0.6]
    names = [f"{kind}_{p}({'r' if kind == 'g' else 'q'}={x:.10g})" for p in PAIRS for x in centres]
    X, Y = correlated_data(60, len(names), 2, seed=dim)
    write_dataset(path + ".data.h5", X, Y, feature_names=names, target_names=["omega2_mean", "energy_per_atom"])
    with h5py.File(path + ".data.h5", "a") as f:
        f["/dataset/rdf_dr"] = [DR]
        f["/dataset/rdf_rmax"] = [RMAX]
        if dim:
            f["/dataset/structure/dim"] = [float(dim)]
            f["/dataset/structure/density"] = [density]
            f["/dataset/structure/density_range"] = [0.9 * density, 1.1 * density]
            f["/dataset/structure/type_fraction"] = [0.8, 0.2]
            f["/dataset/structure/type_names"] = strings(["1", "2"])
    run("fit", ["-data", path + ".data.h5", "-o", path, "-fit_lambda", 0.01, "-fit_test_fraction", 0], 1)
    return centres, read_model(path)


def predict(model_path, source, extra=(), check=True):
    proc = run("predict", ["-model", model_path, "-rdf", source] + list(extra), 2, check=check)
    rows = [l.split() for l in proc.stdout.splitlines() if l.startswith(source)]
    return (np.array(rows[0][1:], float) if rows else None), proc


def on_centres(r, g, pairs, centres):
    """The features of a profile on the model's grid (its points there)."""
    return np.concatenate([g[pairs.index(p)][np.searchsorted(r, centres - 1e-9)] for p in PAIRS])


for dim in (3, 2):
    n = 500
    density = 1.2
    side = (n / density) ** (1 / dim)
    cell = np.diag([side, side, side if dim == 3 else 1.0])
    pos, types = vt.random_sample(n, cell, fractions=(0.8, 0.2), seed=5 + dim, dim=dim)
    vt.write_lammps_data(f"s{dim}.data", cell, (0, 0, 0), types, pos, dim=dim)
    rc, gc, pc = rdf(f"s{dim}.data", DR, f"coarse{dim}.h5", dim)
    rf, gf, pf = rdf(f"s{dim}.data", DR / 2, f"fine{dim}.h5", dim)
    centres, m = model(dim, density, f"m{dim}.h5")
    x = on_centres(rc, gc, pc, centres)
    expect = m["W"] @ x + m["b"]
    got_coarse, _ = predict(f"m{dim}.h5", f"coarse{dim}.h5")
    assert rel_diff(got_coarse, expect) < 1e-9, (got_coarse, expect)
    # vitrum's fine histogram re-binned = vitrum's coarse histogram (the -o file: all digits)
    _, proc = predict(f"m{dim}.h5", f"fine{dim}.h5", ["-predict_regrid", "-o", f"regrid{dim}.h5"])
    assert "re-binned" in proc.stdout and "weighted by shell volume" in proc.stdout, proc.stdout
    with h5py.File(f"regrid{dim}.h5", "r") as f:
        got = f["/prediction/Y"][()][0]
    d = rel_diff(got, expect)
    width = np.concatenate([gf[pf.index(p)].reshape(-1, 2).mean(1)[np.searchsorted(rc, centres - 1e-9)] for p in PAIRS])
    print(f"{dim}D: fine histogram re-binned by shell volume vs the coarse histogram: rel diff {d:.1e} "
          f"(bin-width weights would differ in the features by {np.abs(width - x).max():.1e})")
    assert d < 1e-11, d
    assert np.abs(width - x).max() > 1e-6  # the test tells the two weightings apart

    # coverage on bin edges: a text profile on bins of 2 DR whose last bin ends at RMAX, its last point
    # below the model's last centre, is covered; re-binned, each model bin takes its profile bin
    wide = 2 * DR * (np.arange(round(RMAX / (2 * DR))) + 0.5)
    prof = [np.cos(3 * wide + k) + 1.5 for k in range(3)]
    np.savetxt(f"wide{dim}.txt", np.column_stack([wide] + prof), header="r " + " ".join(PAIRS))
    got, proc = predict(f"m{dim}.h5", f"wide{dim}.txt", ["-predict_regrid"])
    xw = np.concatenate([p[np.floor(centres / (2 * DR)).astype(int)] for p in prof])
    assert got is not None and rel_diff(got, m["W"] @ xw + m["b"]) < 1e-9, (got, proc.stdout, proc.stderr)
    assert "are wider than the model's" in proc.stdout and proc.stdout.count("note:") == 1, proc.stdout

# a profile that stops short: the ranges compared are the profile's bin edges and the model's
short = rf[rf < 2.5]
np.savetxt("short.txt", np.column_stack([short] + [g[:short.size] for g in gf]), header="r " + " ".join(PAIRS))
_, proc = predict("m2.h5", "short.txt", ["-predict_regrid"], check=False)
msg = [l for l in proc.stderr.splitlines() if "vitrum: error" in l]
assert proc.returncode == 1 and len(msg) == 1, proc.stderr
nums = [float(v.rstrip(".")) for v in re.search(r"spans \[([^,]+), ([^\]]+)\].*does not cover the model's bins \[([^,]+), ([^\]]+)\]", msg[0]).groups()]
assert np.allclose(nums, [0, short[-1] + DR / 4, centres[0] - DR / 2, centres[-1] + DR / 2], atol=1e-9), (nums, msg)
# the same g(r) with r in other units (x 3.4): another spacing, named
np.savetxt("angstrom.txt", np.column_stack([3.4 * rf] + list(gf)), header="r " + " ".join(PAIRS))
_, proc = predict("m2.h5", "angstrom.txt", [], check=False)
assert proc.returncode == 1 and "spacing 0.034" in proc.stderr and "bins of 0.02" in proc.stderr and "another length unit" in proc.stderr, proc.stderr

# S(q): no bins to re-bin; a model without the samples' dimension: no shells
model(3, 1.2, "msq.h5", kind="S")
np.savetxt("sq.txt", np.column_stack([rf] + list(gf)))
_, proc = predict("msq.h5", "sq.txt", ["-predict_regrid"], check=False)
assert proc.returncode == 1 and "re-bins g(r) histograms only" in proc.stderr and "S_1-1" in proc.stderr, proc.stderr
model(0, 0, "nodim.h5")
_, proc = predict("nodim.h5", "fine3.h5", ["-predict_regrid"], check=False)
assert proc.returncode == 1 and "records none" in proc.stderr, proc.stderr
print("ok")
