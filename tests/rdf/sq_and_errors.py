"""S(q) against an independent quadrature of the written g(r) (scipy's Bessel J0 in 2D, the sinc
transform in 3D); a partial with no pair to count (a declared type without atoms, or a type with
one atom and itself) is 0 at every q, as its g is, and the total S(q) is that of the same sample
without the empty type; and bad input: rmax above half the box, non-positive dr, no partial output; an
rmax that is not a whole number of bins ends the grid at the last whole bin with a note; a qmax
above pi/dr is warned about; a misspelt -rdf_dx is refused naming -rdf_dr, an unknown -rdfdx is
reported unused."""
import os

import h5py
import numpy as np
from scipy.special import j0
from vitrum_testlib import write_lammps_data, random_sample, run, check

for dim in (2, 3):
    cell = np.diag([12.0, 12.0, 12.0 if dim == 3 else 1.0])
    pos, types = random_sample(1500, cell, fractions=(0.6, 0.4), seed=5, dim=dim)
    write_lammps_data("s%d.data" % dim, cell, (0, 0, 0), types, pos, dim=dim)
    run(["rdf", "-sample", "s%d.data" % dim, "-rdf_rmax", 5.5, "-rdf_dr", 0.01, "-sq", "-sq_qmax", 15, "-sq_nq", 60, "-o", "s%d.h5" % dim])
    with h5py.File("s%d.h5" % dim, "r") as f:
        r, g, gt = f["/structure/rdf/r"][:], f["/structure/rdf/g"][:], f["/structure/rdf/g_total"][:]
        q, S, Sp = f["/structure/sq/q"][:], f["/structure/sq/S"][:], f["/structure/sq/S_partial"][:]
    rho = 1500 / (144.0 if dim == 2 else 1728.0)
    qr = np.outer(q, r)
    kernel = 2 * np.pi * r * j0(qr) if dim == 2 else 4 * np.pi * r ** 2 * np.sinc(qr / np.pi)
    expect = 1 + rho * (kernel * (gt - 1)).sum(axis=1) * 0.01
    check(np.allclose(S, expect, rtol=1e-10, atol=1e-10), "%dD: S(q) equals the quadrature of g_total" % dim)
    expect_p = 1 + rho * (kernel[None, :, :] * (g[:, None, :] - 1)).sum(axis=2) * 0.01
    check(np.allclose(Sp, expect_p, rtol=1e-10, atol=1e-10), "%dD: partial S_ab(q) equal the quadrature of g_ab" % dim)
    check(np.allclose(q, 15.0 * np.arange(1, 61) / 60), "%dD: q grid" % dim)

# Partials with no pair to count: S_ab = 0 (not 1 + the transform of g - 1 = -1); the others and the
# total as above. Type 3 of 3 declared has no atom (as -potential_elements makes for an ensemble), or
# one atom (its 3-3 partial has no pair); the total S(q) is the same as with type 3 left out.
cell = np.diag([9.0, 9.0, 9.0])
pos, types = random_sample(600, cell, fractions=(0.7, 0.3), seed=8)
one = types.copy()
one[0] = 3
for name, t, ntypes in (("two", types, 2), ("empty", types, 3), ("one", one, 3)):
    write_lammps_data(name + ".data", cell, (0, 0, 0), t, pos, ntypes=ntypes)
    run(["rdf", "-sample", name + ".data", "-rdf_rmax", 4.4, "-rdf_dr", 0.01, "-sq", "-sq_qmax", 15, "-sq_nq", 60, "-o", name + ".h5"])
S = {}
for name in ("two", "empty", "one"):
    with h5py.File(name + ".h5", "r") as f:
        r, g, gt, counts = f["/structure/rdf/r"][:], f["/structure/rdf/g"][:], f["/structure/rdf/g_total"][:], f["/structure/rdf/type_counts"][:]
        q, S[name], Sp = f["/structure/sq/q"][:], f["/structure/sq/S"][:], f["/structure/sq/S_partial"][:]
    kernel = 4 * np.pi * r ** 2 * np.sinc(np.outer(q, r) / np.pi)
    rho = 600 / 729.0
    pairs = [(a, b) for a in range(len(counts)) for b in range(a, len(counts))]
    empty = np.array([counts[a] * (counts[b] - (a == b)) == 0 for a, b in pairs])
    expect_p = 1 + rho * (kernel[None, :, :] * (g[:, None, :] - 1)).sum(axis=2) * 0.01
    expect_p[empty] = 0
    check(np.all(g[empty] == 0) and np.all(Sp[empty] == 0) and np.allclose(Sp, expect_p, rtol=1e-10, atol=1e-10),
          "%s (type counts %s): S_ab = 0 for the pairs with no pair to count %s, the others the quadrature of g_ab"
          % (name, list(counts), [f"{a + 1}-{b + 1}" for (a, b), e in zip(pairs, empty) if e]))
    check(np.allclose(S[name], 1 + rho * (kernel * (gt - 1)).sum(axis=1) * 0.01, rtol=1e-10, atol=1e-10), "%s: total S(q) = the quadrature of g_total" % name)
check(np.array_equal(S["empty"], S["two"]), "a declared type without atoms leaves the total S(q) unchanged (bitwise)")

# rmax too large: the message gives the largest allowed value; no output file is left behind
p = run(["rdf", "-sample", "s3.data", "-rdf_rmax", 6.5, "-o", "bad.h5"], expect_fail=True)
check(p.returncode == 1, "rmax > half box: exit status 1 (got %d)" % p.returncode)
check("largest allowed value is 6" in p.stderr, "rmax > half box: message names the largest allowed value")
check(sum("vitrum:" in line for line in p.stderr.splitlines()) == 1, "one-line error message")
check(not os.path.exists("bad.h5") and not os.path.exists("bad.h5.tmp"), "no partial output file")
p = run(["rdf", "-sample", "s3.data", "-rdf_dr", -1, "-o", "bad.h5"], expect_fail=True)
check("-rdf_dr -1: must be positive and finite" in p.stderr, "negative dr is reported (%s)" % p.stderr.strip())
p = run(["rdf", "-sample", "s3.data", "-rdf_rmax", 3, "-rdf_dx", 0.1, "-o", "ok.h5"], expect_fail=True)
check("-rdf_dx is no option of vitrum rdf; did you mean -rdf_dr?" in p.stderr and not os.path.exists("ok.h5"), "a misspelled option is refused, naming -rdf_dr (%s)" % p.stderr.strip())
p = run(["rdf", "-sample", "s3.data", "-rdf_rmax", 3, "-rdfdx", 0.1, "-o", "ok.h5"])
check("-rdfdx" in p.stdout and "not used" in p.stdout, "an unknown option outside vitrum's families is reported")
# rmax not a whole number of bins: g(r) ends with the last whole bin, and the output says where
p = run(["rdf", "-sample", "s3.data", "-rdf_rmax", 1, "-rdf_dr", 0.3, "-o", "part.h5"])
with h5py.File("part.h5", "r") as f:
    r = f["/structure/rdf/r"][:]
check(np.allclose(r, [0.15, 0.45, 0.75]), "rmax 1 in bins of 0.3: 3 whole bins (r = %s)" % r)
check("not a whole number of bins" in p.stdout and "r < 0.9 " in p.stdout, "rmax 1 in bins of 0.3: a note and r < 0.9 (%s)" % p.stdout.strip())
# qmax above pi/dr: S(q) there only aliases the sampled g(r): a warning naming the limit
p = run(["rdf", "-sample", "s3.data", "-rdf_rmax", 3, "-rdf_dr", 0.1, "-sq", "-sq_qmax", 40, "-o", "alias.h5"])
check("above pi/dr = 31.4159" in p.stdout, "qmax 40 with dr 0.1: warning above pi/dr (%s)" % p.stdout.strip())
p = run(["rdf", "-sample", "s3.data", "-rdf_rmax", 3, "-rdf_dr", 0.1, "-sq", "-sq_qmax", 30, "-o", "alias.h5"])
check("pi/dr" not in p.stdout, "qmax 30 with dr 0.1: no warning")
p = run(["rdff"], expect_fail=True)
check("unknown command" in p.stderr, "an unknown command is reported")
