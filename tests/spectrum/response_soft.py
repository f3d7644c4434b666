"""vitrum response's force dipoles on a sample with soft modes: a rippled graphene sheet of 160
atoms (Tersoff BNC.tersoff, relaxed by `vitrum minimize`), whose Hessian has, besides the
translations, two modes within 1e-6 Tr(H)/(dN) of zero (-8.5e-9 and +2.9e-9 eV/A^2: the ripple's
sliding, which minimize's curvature check takes for zero). They are left out with the
translations, with one note naming them: kappa = f^T K^+ f over the other modes, against numpy's
eigendecomposition of the dense Hessian of `vitrum hessian` without the modes within 1e-6
Tr(H)/(dN) of zero, every row, on 1 and 2 ranks, with the modes of the shifts (default) and with
modes computed for the dipoles alone (-response_nev 0). Before, CG stopped with
DIVERGED_INDEFINITE_MAT ("is the sample at an energy minimum?") on the minimum minimize had
certified."""
import os
import numpy as np
import spectrumlib as sl
import vitrum_testlib as vt

sample = os.path.join(os.environ["SRC"], "tests", "spectrum", "data", "graphene_ripple_160.data")
potential = ("-potential", "tersoff", "-potential_file", "BNC.tersoff")
d = 3

K = sl.hessian_dense(sample, ["-mass_weighted", "0"], potential=potential)
N = K.shape[0] // d
w, v = np.linalg.eigh(K)
tol = 1e-6 * np.trace(K) / (d * N)
keep = np.abs(w) > tol
vt.check(np.sum(~keep) == d + 2 and w[0] < 0, "the sheet has 2 modes within 1e-6 Tr(H)/(dN) of zero besides the translations (%s)" % w[:6])
Kp = (v[:, keep] / w[keep]) @ v[:, keep].T

for nranks, extra in ((1, []), (2, []), (1, ["-response_nev", 0])):
    out = "soft%d%s.h5" % (nranks, "_nev0" if extra else "")
    p = vt.run(["response", "-sample", sample, *potential, "-response_dipole_pairs", 40, "-o", out] + extra, nranks)
    notes = [l for l in p.stdout.splitlines() if "left out with the translations" in l]
    vt.check(len(notes) == 1 and "2 modes of H within 1e-06 Tr(H)/(dN)" in notes[0], "%d rank(s) %s: one note naming the 2 soft modes (%s)" % (nranks, extra, notes))
    pairs, bond, kappa = sl.read(out, "/response/dipole/pairs") - 1, sl.read(out, "/response/dipole/bond"), sl.read(out, "/response/dipole/kappa")
    ref = []
    for (i, j), b in zip(pairs, bond):
        f = np.zeros(d * N)
        f[d * i:d * i + d], f[d * j:d * j + d] = -b / np.linalg.norm(b), b / np.linalg.norm(b)
        ref.append(f @ Kp @ f)
    rel = np.max(np.abs(kappa - ref) / np.abs(ref))
    vt.check(len(kappa) == 40 and rel < 1e-6, "%d rank(s) %s: kappa = f^T K^+ f without the soft modes (max rel. %.1e)" % (nranks, extra, rel))
