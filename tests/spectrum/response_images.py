"""vitrum response's force dipoles in a box narrower than twice the dipole radius: a relaxed CuNi
crystal of 32 atoms (EAM, Cu_u3 and Ni_u3) in a triclinic box of 7.23 A, where pairs have two
periodic images closer than -response_dipole_rmax 3.7. Each image is a dipole of its own, along its
own bond: the rows of /response/dipole are every image of every pair within rmax once (from numpy's
sum over images of the positions), and each row's distance, bond and stiffness kappa = f^T K^+ f
(f along that row's bond; K^+ a dense pseudo-inverse of the unweighted Hessian of `vitrum hessian`)
agree, on 1 and 2 ranks. Before, a pair's images were rows with the first image's numbers
(the pair 4-20 twice with r = 3.5965 and kappa 0.49871; its second image has r = 3.6336 and kappa
0.50019)."""
import os
import numpy as np
import spectrumlib as sl
import vitrum_testlib as vt

sample = os.path.join(os.environ["SRC"], "tests", "spectrum", "data", "cuni_32_small_box.data")
potential = ("-potential", "eam", "-potential_file", "Cu_u3.eam,Ni_u3.eam")
rmax, d = 3.7, 3

# the box and positions (the file is triclinic: a, b, c rows of the cell)
lo, hi, tilt, atoms, section = np.zeros(3), np.zeros(3), np.zeros(3), [], None
for line in open(sample):
    w = line.split("#")[0].split()
    if len(w) >= 4 and w[2].endswith("lo"):
        lo["xyz".index(w[2][0])], hi["xyz".index(w[2][0])] = float(w[0]), float(w[1])
    elif len(w) == 6 and w[3:] == ["xy", "xz", "yz"]:
        tilt = np.array([float(v) for v in w[:3]])
    elif w and w[0][0].isalpha():
        section = w[0]
    elif w and section == "Atoms":
        atoms.append((int(w[0]), [float(v) for v in w[2:5]]))
atoms.sort()
ids, pos = np.array([a[0] for a in atoms]), np.array([a[1] for a in atoms])
cell = np.array([[hi[0] - lo[0], 0, 0], [tilt[0], hi[1] - lo[1], 0], [tilt[1], tilt[2], hi[2] - lo[2]]])
N = len(ids)

# every periodic image of every pair i < j closer than rmax
shifts = np.array([[a, b, c] for a in range(-2, 3) for b in range(-2, 3) for c in range(-2, 3)]) @ cell
want = []
for i in range(N):
    for j in range(i + 1, N):
        for v in pos[j] - pos[i] + shifts:
            if np.linalg.norm(v) < rmax:
                want.append((i, j, v))
npairs = len({(i, j) for i, j, _ in want})
vt.check(len(want) > npairs, "the box holds pairs with several images within %g (%d images of %d pairs)" % (rmax, len(want), npairs))

K = sl.hessian_dense(sample, ["-mass_weighted", "0"], potential=potential)
Kp = np.linalg.pinv(K, rcond=1e-10)


def kappa_of(i, j, v):
    n, f = v / np.linalg.norm(v), np.zeros(d * N)
    f[d * i:d * i + d], f[d * j:d * j + d] = -n, n
    return f @ Kp @ f


for nranks in (1, 2):
    out = "images%d.h5" % nranks
    p = vt.run(["response", "-sample", sample, *potential, "-response_nev", 0, "-response_dipole_pairs", -1, "-response_dipole_rmax", rmax, "-o", out], nranks)
    rows, bond = sl.read(out, "/response/dipole/pairs"), sl.read(out, "/response/dipole/bond")
    dist, kappa = sl.read(out, "/response/dipole/distance"), sl.read(out, "/response/dipole/kappa")
    index = {a: k for k, a in enumerate(ids)}
    matched = []
    for (a, b), v in zip(rows, bond):
        i, j = index[a], index[b]
        matched.append([k for k, (wi, wj, wv) in enumerate(want) if (wi, wj) == (i, j) and np.allclose(wv, v, atol=1e-9)])
    vt.check(len(rows) == len(want) and all(len(m) == 1 for m in matched) and len({m[0] for m in matched}) == len(want),
             "%d rank(s): the rows are the %d images of the %d pairs within %g, each once" % (nranks, len(want), npairs, rmax))
    vt.check(np.allclose(dist, np.linalg.norm(bond, axis=1), rtol=1e-14), "%d rank(s): each row's distance is the length of its bond" % nranks)
    ref = np.array([kappa_of(*want[m[0]]) for m in matched])
    rel = np.max(np.abs(kappa - ref) / np.abs(ref))
    vt.check(rel < 1e-6, "%d rank(s): every row's kappa = f^T K^+ f along its own bond (max rel. %.1e)" % (nranks, rel))
    vt.check("of %d pairs closer than 3.7 A, each periodic image apart: %d pairs of atoms" % (len(want), npairs) in p.stdout,
             "%d rank(s): the summary counts the images and the pairs of atoms (%s)" % (nranks, [l for l in p.stdout.splitlines() if "force dipoles" in l]))
    if nranks == 1:
        first = (rows, bond, kappa)
    else:
        vt.check(np.array_equal(rows, first[0]) and np.array_equal(bond, first[1]) and np.allclose(kappa, first[2], rtol=1e-8), "2 ranks: the rows of 1 rank, in the same order")
