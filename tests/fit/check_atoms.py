"""Per-atom mode of vitrum features: rows = atoms (sample by sample, in global id order), features =
the Gaussian-broadened local partial RDF of each atom, computed here independently with numpy
(all pairs, minimum image); target = a per-atom field read from each sample's spectrum output
(/spectrum/modes/softspot). Same dataset on 1 and 3 ranks; fit accepts it (1-D Y) and matches
sklearn Ridge."""
import os

import h5py
import numpy as np
from sklearn.linear_model import Ridge

from fitlib import read_model, rel_diff, run

rng = np.random.default_rng(3)
L, sigma, dr, rmin, rmax = 5.0, 0.08, 0.1, 0.6, 2.0
r = rmin + dr * np.arange(int(round((rmax - rmin) / dr)) + 1)
samples = []
for s, n in enumerate((110, 85)):
    # jittered simple-cubic lattice: no overlaps, a well-defined local structure
    m = int(np.ceil(n ** (1 / 3)))
    grid = np.array([(i, j, k) for i in range(m) for j in range(m) for k in range(m)], float)[:n]
    x = (grid + 0.5 + 0.15 * rng.standard_normal((n, 3))) * L / m % L
    types = rng.integers(0, 2, n)
    ids = rng.permutation(np.arange(1, n + 1)) * 3  # file ids, shuffled and sparse
    path = f"atoms_{s}.data"
    with open(path, "w") as f:
        f.write(f"per-atom test\n\n{n} atoms\n2 atom types\n\n0 {L} xlo xhi\n0 {L} ylo yhi\n0 {L} zlo zhi\n\nAtoms # atomic\n\n")
        f.writelines(f"{ids[i]} {types[i] + 1} {x[i, 0]:.12f} {x[i, 1]:.12f} {x[i, 2]:.12f}\n" for i in range(n))
    order = np.argsort(ids)  # global id = rank of the file id
    x, types = np.round(x[order], 12), types[order]
    soft = rng.uniform(0, 1, n)
    os.makedirs("vitrum_cache", exist_ok=True)  # features' default cache folder
    with h5py.File(f"vitrum_cache/{path}.spectrum.h5", "w") as f:
        f["/spectrum/modes/softspot"] = soft
    samples.append((x, types, soft))


def numpy_features(x, types):
    n = len(x)
    counts = np.bincount(types, minlength=2)
    feats = np.zeros((n, 4, r.size))
    for i in range(n):
        d = x - x[i]
        d -= L * np.round(d / L)
        dist = np.sqrt((d ** 2).sum(1))
        for j in np.nonzero((dist < rmax + 5 * sigma) & (np.arange(n) != i))[0]:
            u = (r - dist[j]) / sigma
            feats[i, types[i] * 2 + types[j]] += np.where(np.abs(u) < 5, np.exp(-0.5 * u ** 2), 0)
    norm = np.sqrt(2 * np.pi) * sigma * (counts / L ** 3)[None, :, None] * 4 * np.pi * r ** 2
    return (feats.reshape(n, 2, 2, r.size) / norm[:, None]).reshape(n, -1)


Xref = np.concatenate([numpy_features(x, t) for x, t, _ in samples])
Yref = np.concatenate([soft for _, _, soft in samples])
args = ["-samples", "atoms_*.data", "-features_per_atom", "-features_atom_sigma", sigma, "-features_atom_dr", dr,
        "-features_rmin", rmin, "-features_rmax", rmax]
for nranks in (1, 3):
    out = f"atoms_{nranks}.h5"
    run("features", args + ["-o", out], nranks)
    with h5py.File(out, "r") as f:
        X, Y = f["/dataset/X"][()], f["/dataset/Y"][()]
        names = [s.decode() for s in f["/dataset/feature_names"][()]]
        row_sample, row_atom = f["/dataset/row_sample"][()], f["/dataset/row_atom"][()]
    d = rel_diff(X, Xref)
    print(f"per-atom features on {nranks} ranks: {X.shape}, rel diff to numpy {d:.2e}")
    assert X.shape == Xref.shape and d < 1e-10, d
    assert np.array_equal(Y, Yref)
    assert names[0] == f"g_1-1(r={rmin:.10g})" and names[-1] == f"g_2-2(r={rmax:.10g})", (names[0], names[-1])
    assert np.array_equal(row_sample, np.repeat([0, 1], [110, 85])) and np.array_equal(row_atom, np.concatenate([np.arange(110), np.arange(85)]))

# the per-atom dataset fits like any other (1-D Y)
run("fit", ["-data", "atoms_3.h5", "-o", "atoms.model.h5", "-fit_lambda", 0.5, "-fit_test_fraction", 0], 2)
m = read_model("atoms.model.h5")
ref = Ridge(alpha=0.5).fit(Xref, Yref)
assert rel_diff(m["W"][0], ref.coef_) < 1e-8, rel_diff(m["W"][0], ref.coef_)
# grids that cannot work are one-line errors on 2 ranks, before any work: a spacing giving more
# than 1e5 points per partial (an internal error until session 20), a Gaussian narrower than half
# the spacing (its neighbours fell between the grid points: features of sub-grid positions)
for extra, words in ((["-features_atom_dr", 1e-12], ["-features_atom_dr 1e-12", "at most 100000"]),
                     (["-features_atom_sigma", dr / 4], ["-features_atom_sigma", "below half of -features_atom_dr"])):
    bad = args + extra + ["-o", "bad_atoms.h5"]
    proc = run("features", bad, 2, check=False)
    lines = [l for l in proc.stderr.splitlines() if l.startswith("vitrum")]
    print(extra, lines)
    assert proc.returncode == 1 and len(lines) == 1 and all(w in lines[0] for w in words), proc.stderr
print("ok")
