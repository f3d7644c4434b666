"""The RDF (and S(q)) is bitwise identical on 1, 2 and 4 ranks, including process grids whose
subdomains are thinner than rmax (ghosts passed on over several hops), in 2D and 3D."""
import h5py
import numpy as np
from vitrum_testlib import write_lammps_data, random_sample, run, check


def read(path):
    with h5py.File(path, "r") as f:
        return {k: f["/structure/" + k][:] for k in ("rdf/g", "rdf/g_total", "rdf/counts", "sq/S", "sq/S_partial")}


cases = [
    ("3d", np.array([[10.0, 0, 0], [0.8, 9.0, 0], [0.5, -0.6, 11.0]]), 3, 0.49 * 9.0),
    ("2d", np.array([[30.0, 0, 0], [2.0, 25.0, 0], [0, 0, 1.0]]), 2, 12.0),
]
for name, cell, dim, rmax in cases:
    pos, types = random_sample(3000 if dim == 3 else 2000, cell, fractions=(0.8, 0.2), seed=11, dim=dim)
    write_lammps_data(name + ".data", cell, (0, 0, 0), types, pos, dim=dim)
    runs = [(1, []), (2, []), (4, []), (4, ["-domain_grid", "4,1,1" if dim == 3 else "4,1"]), (3, ["-domain_grid", "1,3,1" if dim == 3 else "1,3"])]
    results = []
    for np_ranks, extra in runs:
        out = "%s_%d_%s.h5" % (name, np_ranks, "x".join(extra[1:]).replace(",", ""))
        run(["rdf", "-sample", name + ".data", "-rdf_rmax", rmax, "-rdf_dr", 0.01, "-sq", "-o", out] + extra, np_ranks)
        results.append(read(out))
    ref = results[0]
    check(ref["rdf/counts"].sum() > 0, "%s: pairs were counted" % name)
    for (np_ranks, extra), res in zip(runs[1:], results[1:]):
        for key in ref:
            check(np.array_equal(ref[key], res[key]), "%s: %s bitwise equal on 1 and %d ranks %s" % (name, key, np_ranks, " ".join(extra)))
