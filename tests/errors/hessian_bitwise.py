"""/hessian of `vitrum hessian` bitwise on 1, 2 and 4 ranks: the CSR matrix, the trace (an exact
fixed-point sum: a plain parallel sum differed in the last bit between 1 and 2 ranks), nnz, memory,
max_force, mass_weighted; and the PETSc binary file. checks/symmetry and checks/acoustic_sum_rule are
round-off measures that depend on the summation order (docs/hessian.md) and are only required small.
The trace is also compared with an independent sum of the diagonal of the written matrix."""
import h5py
import numpy as np
import scipy.sparse as sp
from vitrum_testlib import check, run, write_lammps_data

rng = np.random.default_rng(5)
reps, a = 6, 1.1
grid = np.stack(np.meshgrid(*[np.arange(reps)] * 3, indexing="ij"), -1).reshape(-1, 3)
x = (grid + 0.5) * a + rng.uniform(-0.08, 0.08, grid.shape)
types = np.where(rng.random(len(x)) < 0.8, 1, 2)
write_lammps_data("h.data", np.eye(3) * reps * a, (0, 0, 0), types, x, masses=(1.0, 2.0))

ROUNDOFF = ("checks/symmetry", "checks/acoustic_sum_rule")
results, binaries = [], []
for n in (1, 2, 4):
    run(["hessian", "-sample", "h.data", "-potential", "ka3d", "-hessian_binary", "H%d.bin" % n, "-o", "h%d.h5" % n], n)
    data = {}
    with h5py.File("h%d.h5" % n, "r") as f:
        f["/hessian"].visititems(lambda name, obj: data.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    results.append(data)
    binaries.append(open("H%d.bin" % n, "rb").read())

for name in sorted(results[0]):
    if name in ROUNDOFF:
        check(all(abs(r[name][0]) < 1e-10 for r in results), "%s is round-off on 1, 2, 4 ranks (%s)" % (name, ", ".join("%.1e" % r[name][0] for r in results)))
        continue
    check(all(r[name].dtype == results[0][name].dtype and np.array_equal(r[name].view(np.uint8), results[0][name].view(np.uint8)) for r in results[1:]), "/hessian/%s bitwise equal on 1, 2, 4 ranks" % name)
check(binaries[0] == binaries[1] == binaries[2], "PETSc binary files identical on 1, 2, 4 ranks")
r = results[0]
H = sp.csr_matrix((r["data"], r["indices"], r["indptr"]), shape=tuple(r["shape"]))
diag = H.diagonal()
check(abs(r["trace"][0] - np.sum(np.sort(diag))) <= 1e-13 * np.abs(diag).sum(), "trace = sum of the written diagonal (%.15e)" % r["trace"][0])
