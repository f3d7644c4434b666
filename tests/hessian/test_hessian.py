"""vitrum hessian against independent references.

Cases:
  fd3d   KA 3D (256 atoms, 2 ranks): central finite differences of numpy pair forces (1e-6 relative),
         dense numpy analytic Hessian (1e-12), symmetry to round-off, acoustic sum rule
  fd2d   KA 2D with -potential_smooth (168 atoms, 3 ranks): the same checks with 2x2 blocks
  tri    three species with per-pair -lj_* options, tilted (triclinic) box, no shift, 4 ranks: dense
         numpy analytic Hessian (1e-12), symmetry, acoustic sum rule
  mass   masses 1 and 3: the written matrix is M^-1/2 H M^-1/2 of the numpy Hessian
  ranks  masses 39.948 and 20.18: PETSc binary files identical on 1, 2 and 4 ranks; the mass-weighted
         matrix exactly symmetric; sbaij and baij give the same matrix;
         exact preallocation (PETSc -info: no unneeded storage) for baij and sbaij on 3 ranks
  shell  tests/hessian/shell_mult.c (path in argv[2]) on 1 and 3 ranks, 3D with masses 1, 2 and 2D:
         shell and sbaij MatMult and diagonal agree with baij to 1e-12
  trace  Tr(H) = sum over pairs 2[phi'' + (d-1) phi'/r] (1e-12) and = the integral of the partial RDFs
         of `vitrum rdf` against the kernel, with an error that shrinks with the bin width
"""
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.environ["SRC"], "tests", "potential"))
import vitref as vr  # noqa: E402

case = sys.argv[1]
ok = True
KA_EPS, KA_SIG = np.array(vr.KA["eps"]), np.array(vr.KA["sig"])
KA_RC = 2.5 * KA_SIG


def ka_sample(dim, seed, masses=(1.0, 1.0)):
    if dim == 3:
        cell, x, types = vr.lattice_sample((4, 4, 4), 3, 1.2, 0.1, 0.8, seed=seed)
    else:
        cell, x, types = vr.lattice_sample((12, 7), 2, 1.2, 0.08, 0.65, seed=seed)
    vr.write_data("sample.data", cell, x, types, masses=masses)
    return cell, x, types


def hessian(args, nranks, out="h.h5"):
    _, text = vr.vitrum("hessian", ["-sample", "sample.data", "-o", out] + args, nranks)
    print(text)
    return vr.read_csr(out).toarray(), text


def fd_hessian(x, types, cell, h=1e-5, smooth=False):
    """-dF/dx by central differences, column by column: moving atom j changes only its pair forces."""
    n, dim = x.shape
    H = np.zeros((n * dim, n * dim))
    for j in range(n):
        for a in range(dim):
            cols = []
            for sgn in (1, -1):
                xj = x[j].copy()
                xj[a] += sgn * h
                d = xj[None, :] - x  # x_j - x_i
                ds = d @ np.linalg.inv(cell)
                d = (ds - np.round(ds)) @ cell
                r = np.linalg.norm(d, axis=1)
                r[j] = np.inf
                dp = np.zeros(n)
                for b in range(2):
                    m = types == b
                    dp[m] = vr.lj_terms(r[m], KA_EPS[b, types[j]], KA_SIG[b, types[j]], KA_RC[b, types[j]], True, smooth)[1]
                f = np.where(np.isfinite(r), dp / np.where(np.isfinite(r), r, 1), 0)[:, None] * d  # force on i from j
                F = f.copy()
                F[j] = -f.sum(axis=0)
                cols.append(F.reshape(-1))
            H[:, j * dim + a] = -(cols[0] - cols[1]) / (2 * h)
    return H


def check_matrix(H, Href, tol, what):
    err = np.abs(H - Href).max() / np.abs(Href).max()
    return vr.check(err < tol, "%s: max |H - ref| / max |ref| = %.2e (< %.0e)" % (what, err, tol))


def check_invariants(H, dim, what):
    # blocks are computed as c (d_a d_b), so H is symmetric bitwise when not mass weighted
    good = vr.check(np.abs(H - H.T).max() == 0, "%s exactly symmetric: max |H - H^T| = %.2e" % (what, np.abs(H - H.T).max()))
    for a in range(dim):
        t = np.zeros(H.shape[0])
        t[a::dim] = 1
        res = np.abs(H @ t).max() / np.abs(H).max()
        good &= vr.check(res < 1e-12, "%s acoustic sum rule along %d: %.2e" % (what, a, res))
    return good


if case in ("fd3d", "fd2d"):
    dim = 3 if case == "fd3d" else 2
    smooth = case == "fd2d"
    cell, x, types = ka_sample(dim, seed=10 + dim)
    args = ["-potential", "ka%dd" % dim, "-mass_weighted", "false"] + (["-potential_smooth"] if smooth else [])
    H, _ = hessian(args, 2 if dim == 3 else 3)
    ok &= check_invariants(H, dim, case)
    ok &= check_matrix(H, vr.lj_hessian_numpy(x, types, cell, KA_EPS, KA_SIG, KA_RC, True, smooth), 1e-12, "vs dense numpy analytic")
    ok &= check_matrix(H, fd_hessian(x, types, cell, smooth=smooth), 1e-6, "vs central finite differences of forces")
elif case == "tri":
    cell, x, _ = vr.lattice_sample((4, 4, 4), 3, 1.0, 0.1, 0.5, seed=61, tilt=0.15)
    types = np.random.default_rng(61).integers(0, 3, len(x))
    vr.write_data("sample.data", cell, x, types, masses=(1.0, 1.0, 1.0))
    # epsilon 0 for the pair 2-3: it never interacts, so the lists by type leave it out (pair_cutoff 0)
    pe, ps, pr = [1.0, 1.2, 0.7, 0.9, 0.0, 0.6], [1.0, 0.9, 1.05, 0.95, 1.1, 1.0], [2.5, 2.2, 2.6, 2.4, 2.45, 2.3]
    full = lambda v: np.array([[v[0], v[1], v[2]], [v[1], v[3], v[4]], [v[2], v[4], v[5]]])
    join = lambda v: ",".join(str(t) for t in v)
    H, _ = hessian(["-potential", "lj", "-lj_epsilon", join(pe), "-lj_sigma", join(ps), "-lj_cutoff", join(pr), "-mass_weighted", "false"], 4)
    ok &= check_invariants(H, 3, "tri")
    ok &= check_matrix(H, vr.lj_hessian_numpy(x, types, cell, full(pe), full(ps), full(pr)), 1e-12, "triclinic 3-species vs dense numpy analytic")
elif case == "mass":
    masses = np.array([1.0, 3.0])
    cell, x, types = ka_sample(3, seed=21, masses=masses)
    H, _ = hessian(["-potential", "ka3d"], 2)
    w = np.repeat(1 / np.sqrt(masses[types]), 3)
    ok &= check_matrix(H, w[:, None] * vr.lj_hessian_numpy(x, types, cell, KA_EPS, KA_SIG, KA_RC, True) * w[None, :], 1e-12, "mass weighted vs numpy")
    t = np.zeros(len(w))
    t[0::3] = 1 / w[0::3]
    ok &= vr.check(np.abs(H @ t).max() < 1e-12 * np.abs(H).max() * np.abs(t).max(), "M^1/2 translation is a zero mode")
elif case == "ranks":
    cell, x, types = ka_sample(3, seed=31, masses=(39.948, 20.18))  # neither 1: (v w_i) w_j != (v w_j) w_i in rounding
    files = []
    for n in (1, 2, 4):
        vr.vitrum("hessian", ["-sample", "sample.data", "-potential", "ka3d", "-hessian_binary", "H%d.bin" % n, "-o", "h%d.h5" % n], n)
        files.append(open("H%d.bin" % n, "rb").read())
    ok &= vr.check(files[0] == files[1] == files[2], "binary matrices identical on 1, 2, 4 ranks (%d bytes)" % len(files[0]))
    ok &= vr.check(np.array_equal(vr.read_csr("h1.h5").toarray(), vr.read_csr("h4.h5").toarray()), "HDF5 CSR identical on 1 and 4 ranks")
    vr.vitrum("hessian", ["-sample", "sample.data", "-potential", "ka3d", "-hessian_type", "sbaij", "-o", "hs.h5"], 2)
    Hs, Hb = vr.read_csr("hs.h5").toarray(), vr.read_csr("h1.h5").toarray()
    # the weights multiply in the same order for (i, j) and (j, i) (VitMassWeight): BAIJ is exactly symmetric,
    # so SBAIJ stores BAIJ's upper triangle bit for bit
    ok &= vr.check(np.array_equal(Hb, Hb.T), "mass-weighted baij exactly symmetric, masses 39.948 and 20.18 (max |H - H^T| %.1e)" % np.abs(Hb - Hb.T).max())
    ok &= vr.check(np.array_equal(Hs, Hb), "sbaij (2 ranks) = baij (1 rank), bitwise (max |diff| %.1e)" % np.abs(Hs - Hb).max())
    for t in ("baij", "sbaij"):  # exact preallocation: PETSc reports no unneeded storage
        _, text = vr.vitrum("hessian", ["-sample", "sample.data", "-potential", "ka3d", "-hessian_type", t, "-hessian_h5_matrix", "false", "-o", "hs.h5", "-info"], 3)
        lines = [ln for ln in text.splitlines() if ("MatAssemblyEnd_SeqBAIJ" in ln or "MatAssemblyEnd_SeqSBAIJ" in ln) and "storage space:" in ln]
        ok &= vr.check(len(lines) == 6 and all(" 0 unneeded" in ln for ln in lines), "%s on 3 ranks exactly preallocated: %s" % (t, "; ".join(ln.split("storage space:")[1] for ln in lines)))
elif case == "trace":
    dim = 3
    cell, x, types = ka_sample(dim, seed=41)
    H, text = hessian(["-potential", "ka3d", "-mass_weighted", "false"], 2)
    with h5py.File("h.h5", "r") as f:
        trace_written = f["/hessian/trace"][()]
    n = len(x)
    d = vr.min_image(x, cell)
    r = np.linalg.norm(d, axis=2)
    np.fill_diagonal(r, np.inf)
    _, dp, d2p = vr.pair_terms(r, types, KA_EPS, KA_SIG, KA_RC, True)
    kernel = np.where(np.isfinite(r), d2p + (dim - 1) * dp / np.where(np.isfinite(r), r, 1), 0)
    exact = kernel.sum()  # ordered pairs: sum over pairs of 2 k
    ok &= vr.check(abs(np.trace(H) - exact) <= 1e-12 * abs(exact), "Tr(H) of the matrix %.15g = pair sum %.15g" % (np.trace(H), exact))
    ok &= vr.check(abs(trace_written - exact) <= 1e-12 * abs(exact), "/hessian/trace %.15g = pair sum" % trace_written)
    # N sum_ab c_a (N_b - delta_ab)/V int S_d r^(d-1) g_ab(r) k_ab(r) dr, midpoint rule on the rdf bins
    volume = np.prod(np.diag(cell))
    counts = np.bincount(types, minlength=2)
    errors = []
    for dr in (0.02, 0.01, 0.005, 0.0025):
        vr.vitrum("rdf", ["-sample", "sample.data", "-rdf_rmax", 2.6, "-rdf_dr", dr, "-o", "rdf.h5"], 2)
        with h5py.File("rdf.h5", "r") as f:
            rb, g = f["/structure/rdf/r"][...], f["/structure/rdf/g"][...]
        total, k = 0.0, 0
        for a in range(2):
            for b in range(a, 2):
                _, dpk, d2pk = vr.lj_terms(rb, KA_EPS[a, b], KA_SIG[a, b], KA_RC[a, b], True)
                kab = d2pk + (dim - 1) * dpk / rb
                integral = np.sum(4 * np.pi * rb**2 * g[k] * kab) * dr
                # ordered pairs (a, b) and (b, a): both terms of the double sum over species
                total += (1 if a == b else 2) * counts[a] * (counts[b] - (a == b)) / volume * integral
                k += 1
        errors.append(abs(total - exact) / abs(exact))
        print("dr %.4f: RDF integral %.10g, exact %.10g, relative error %.2e" % (dr, total, exact, errors[-1]))
    ok &= vr.check(errors[-1] < 0.25 * errors[0] and errors[-1] < 2e-3, "RDF-integral error shrinks with dr: %s" % ", ".join("%.1e" % e for e in errors))
elif case == "shell":
    import subprocess
    mpirun = os.environ.get("MPIRUN", "mpirun --allow-run-as-root --oversubscribe").split()
    for dim, masses in ((3, (1.0, 2.0)), (2, (1.0, 1.0))):
        ka_sample(dim, seed=51 + dim, masses=masses)
        for n in (1, 3):
            out = subprocess.run(mpirun + ["-n", str(n), sys.argv[2], "-sample", "sample.data", "-potential", "ka%dd" % dim, "-potential_smooth"], capture_output=True, text=True)
            print(out.stdout + out.stderr)
            ok &= vr.check(out.returncode == 0, "%dD on %d ranks" % (dim, n))
else:
    sys.exit("unknown case " + case)
sys.exit(0 if ok else 1)
