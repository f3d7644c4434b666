"""Smooth VDOS targets and the KPM's resolution (docs/spectrum.md, docs/fit.md).

1. Broadening, exactly: spectrum outputs holding the exact Chebyshev moments of two KA glasses'
   LAPACK spectra (numpy eigvalsh of the Hessian from `vitrum hessian`) on different intervals;
   `features -features_targets vdos,cumvdos,boson` puts both on one grid (largest bound + 4 sigma);
   the cumulative reaches 1 at the top (1e-4); the broadened VDOS and its cumulative equal numpy's
   mirrored-Gaussian broadening of the eigenfrequencies (D to 3e-3 of its maximum, C to 1e-4), the
   boson peak numpy's continuous maximum of D/omega^2 above 3 sigma (1e-3 relative: at omega ~ 2
   the Jackson kernel of 8192 moments adds a width ~0.1 to sigma = 0.3 in quadrature).
2. The same with vitrum's own KPM moments (R = 8 random vectors, -vdos_exact_max_dof 0): one grid,
   C(top) = 1, sum D h = C, C within 0.03 of LAPACK's (statistical); the dataset bitwise the same
   with the spectra computed on 1 and on 2 ranks.
   By default (648 degrees of freedom <= -vdos_exact_max_dof) the spectra hold every eigenvalue:
   /spectrum/vdos/eigenvalues = numpy's eigvalsh without the 3 translations (1e-10 of the largest)
   on 1 and on 2 ranks (SBAIJ there; the targets agree to 1e-9, not bitwise: the two assemblies
   differ in round-off and LAPACK sees that); the targets come from them (/dataset/vdos_sigma says so) and
   equal numpy's broadening (D to 3e-3 of its maximum, C to 1e-4); without -vdos_sigma, sigma =
   min(max(nu_90/50, 300 nu_90/(1.8 n)), nu_90/5) with n the modes of a sample and nu_90 numpy's.
   One output without the eigenvalues (an older vitrum): KPM targets for all, with a note.
3. `spectrum` with the default moments: M from -vdos_resolution (nu_90/200) within 2 %; nu_90
   within 2 % of LAPACK's; -vdos_resolution 0.5 gives a resolution of 0.5 within 2 %; an explicit
   -kpm_moments wins; the same moments (bitwise) on 1 and 2 ranks.
4. High-frequency outliers of a Tersoff SiC glass (216 atoms, SiC.tersoff): the KPM count above
   1.5 nu_90 equals LAPACK's within 4 modes, and the atoms reported are exactly numpy's atoms with
   sqrt(Tr H_ii) above that frequency, by decreasing Tr H_ii; all of it bitwise on 1 and 2 ranks;
   its stretch (17.7) is a warning, a KA glass with light B atoms (stretch under 2) gets a note.
5. Errors: a negative -vdos_sigma, -vdos_resolution or -kpm_moments 1 is one line naming the option;
   so are a -vdos_sigma or -vdos_bins asking for more than 1e5 target bins."""
import os
import shutil

import h5py
import numpy as np
import scipy.sparse
from scipy.optimize import minimize_scalar
from scipy.special import erfc

import spectrumlib as sl
import vitrum_testlib as vt

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
SIGMA = 0.3


def dense(sample, extra):
    """Hessian (id order) and its non-translation eigenvalues."""
    out = os.path.basename(sample) + ".hessian.h5"
    vt.run(["hessian", "-sample", sample, "-o", out, "-hessian_h5_matrix"] + extra, 1)
    with h5py.File(out, "r") as f:
        g = f["/hessian"]
        H = scipy.sparse.csr_matrix((g["data"][()], g["indices"][()], g["indptr"][()])).toarray()
    return H, np.linalg.eigvalsh(H)[3:]


def vdos(w, omega, sigma):
    """Each mode's Gaussian mirrored at omega = 0 (integrates to 1 over omega >= 0), as vitrum."""
    return (np.exp(-0.5 * ((omega[:, None] - w) / sigma) ** 2) + np.exp(-0.5 * ((omega[:, None] + w) / sigma) ** 2)).mean(1) / (sigma * np.sqrt(2 * np.pi))


def cumulative(w, omega, sigma):
    r = np.sqrt(2) * sigma
    return (0.5 * (erfc(-(omega[:, None] - w) / r) + erfc(-(omega[:, None] + w) / r)) - 1).mean(1)


def boson_peak(w, lo, hi, sigma):
    """Continuous maximum of D/omega^2 on [lo, hi]: the best of a fine grid, refined by Brent."""
    fine = np.linspace(lo, hi, 20001)
    k = np.argmax(vdos(w, fine, sigma) / fine ** 2)
    if k in (0, fine.size - 1):  # a bound: no peak inside
        return fine[k]
    res = minimize_scalar(lambda x: -vdos(w, np.array([x]), sigma)[0] / x ** 2, bracket=(fine[k - 1], fine[k], fine[k + 1]), tol=1e-12)
    return res.x


def read_targets(path):
    with h5py.File(path) as f:
        Y = f["/dataset/Y"][()]
        names = [s.decode() for s in f["/dataset/target_names"][()]]
    D = [j for j, s in enumerate(names) if s.startswith("D(omega=")]
    C = [j for j, s in enumerate(names) if s.startswith("C(omega=")]
    grid = np.array([float(names[j][8:-1]) for j in D])
    edges = np.array([float(names[j][8:-1]) for j in C])
    return Y, names, D, C, grid, edges


def fresh_dirs(*dirs):
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)


ka = [os.path.join(DATA, "ka3d_216.data"), sl.make_ka_glass("ka3d_216_dense.data", n_side=6, seed=11, density=1.4)]  # the same masses (one dataset), a higher top
fresh_dirs("ens", "exact", "c1", "c2")
eig = []
for k, s in enumerate(ka):
    shutil.copy(s, "ens/glass_%d.data" % k)
    eig.append(dense(s, ["-potential", "ka3d"])[1])
rdf = ["-rdf_rmax", 2.5, "-rdf_dr", 0.05]

# ---- 1. broadening of exact moments ----------------------------------------------------------------
M = 8192
for k, lam in enumerate(eig):
    lo, hi = -0.02 * lam.max(), (1.02 + 0.1 * k) * lam.max()  # different intervals
    x = (lam - 0.5 * (hi + lo)) / (0.5 * (hi - lo))
    mu = np.cos(np.outer(np.arange(M), np.arccos(x))).sum(axis=1)  # exact Tr T_n(Hs) over the modes
    with h5py.File("exact/glass_%d.data.spectrum.h5" % k, "w") as f:  # no /meta: taken as it is
        for name, v in (("lambda_min", lo), ("lambda_max", hi), ("nstates", lam.size), ("seed", 1), ("omega_scale", 1.0), ("dimension", 3)):
            f["/spectrum/kpm/" + name] = np.array([v])
        f["/spectrum/kpm/mu"] = mu[None, :]
vt.run(["features", "-samples", "ens/glass_0.data", "ens/glass_1.data", "-features_cache", "exact", "-o", "exact.h5", "-features_targets", "vdos,cumvdos,boson", "-vdos_sigma", SIGMA] + rdf, 1)
Y, names, D, C, grid, edges = read_targets("exact.h5")
tops = [np.sqrt((1.02 + 0.1 * k) * lam.max()) for k, lam in enumerate(eig)]
h = grid[1] - grid[0]
vt.check(abs(edges[-1] - (max(tops) + 4 * SIGMA)) < 1e-9 * edges[-1] and np.allclose(edges, grid + h / 2) and h <= SIGMA / 2 + 1e-12,
         "one grid for samples with KPM tops %.4g, %.4g: [0, largest + 4 sigma] = [0, %.6g], %d bins of width <= sigma/2" % (tops[0], tops[1], edges[-1], len(grid)))
interior = []
for k, lam in enumerate(eig):
    w = np.sqrt(np.maximum(lam, 0))
    Dx, Cx = vdos(w, grid, SIGMA), cumulative(w, edges, SIGMA)
    dD, dC = np.abs(Y[k, D] - Dx).max() / Dx.max(), np.abs(Y[k, C] - Cx).max()
    bp, bpx = Y[k, names.index("boson_peak_omega_broadened")], boson_peak(w, 3 * SIGMA, edges[-1], SIGMA)
    vt.check(abs(Y[k, C[-1]] - 1) < 1e-4, "sample %d: cumulative at the top = 1 (%.3g)" % (k, Y[k, C[-1]] - 1))
    vt.check(dD < 3e-3 and dC < 1e-4, "sample %d: broadened VDOS = LAPACK's broadened histogram: max |dD|/max D %.2g, max |dC| %.2g" % (k, dD, dC))
    vt.check(abs(bp - bpx) < 1e-3 * bpx, "sample %d: boson peak %.8g = numpy's continuous maximum of D/omega^2 above 3 sigma %.8g" % (k, bp, bpx))
    interior.append(3 * SIGMA < bp < edges[-1])
vt.check(any(interior), "a boson peak inside the search range (the other may sit on 3 sigma: a mode near it)")

# ---- 2. vitrum's own moments, 1 and 2 ranks ---------------------------------------------------------
common = ["-samples", "ens/glass_0.data", "ens/glass_1.data", "-potential", "ka3d", "-features_targets", "vdos,cumvdos,boson", "-vdos_sigma", SIGMA,
          "-kpm_moments", 1024, "-kpm_vectors", 8, "-spectrum_nev", 0, "-spectrum_inertia", 0, "-boson_max_moments", 1, "-vdos_exact_max_dof", 0] + rdf
vt.run(["features", "-o", "ds1.h5", "-features_cache", "c1"] + common, 1)
vt.run(["features", "-o", "ds2.h5", "-features_cache", "c2", "-ranks_per_sample", 2] + common, 2)
Y, names, D, C, grid, edges = read_targets("ds1.h5")
vt.check(np.array_equal(Y, read_targets("ds2.h5")[0]), "targets bitwise identical with the spectra on 1 and on 2 ranks")
tops = [np.sqrt(sl.read("c1/glass_%d.data.spectrum.h5" % k, "/spectrum/kpm/lambda_max")[0]) for k in range(2)]
vt.check(abs(tops[0] - tops[1]) > 0.05 * tops[0] and abs(edges[-1] - (max(tops) + 4 * SIGMA)) < 1e-9 * edges[-1], "KPM tops %.4g, %.4g: one grid up to %.6g" % (tops[0], tops[1], edges[-1]))
for k, lam in enumerate(eig):
    w = np.sqrt(np.maximum(lam, 0))
    dC = np.abs(Y[k, C] - cumulative(w, edges, SIGMA)).max()
    vt.check(abs(Y[k, C[-1]] - 1) < 1e-4 and abs(Y[k, D].sum() * (grid[1] - grid[0]) - Y[k, C[-1]]) < 1e-3 and dC < 0.03,
             "sample %d (KPM, 8 vectors): C(top) - 1 = %.2g, sum D h = %.6f, max |C - C_LAPACK| = %.3g" % (k, Y[k, C[-1]] - 1, Y[k, D].sum() * (grid[1] - grid[0]), dC))

# ---- 2b. exact eigenvalues (the default for small samples) -------------------------------------------
exact_run = ["-samples", "ens/glass_0.data", "ens/glass_1.data", "-potential", "ka3d", "-features_targets", "vdos,cumvdos", "-spectrum_nev", 0, "-spectrum_inertia", 0, "-kpm_moments", 64, "-kpm_vectors", 1] + rdf
fresh_dirs("e1", "e2")
vt.run(["features", "-o", "dse1.h5", "-features_cache", "e1"] + exact_run, 1)
vt.run(["features", "-o", "dse2.h5", "-features_cache", "e2", "-ranks_per_sample", 2, "-hessian_type", "sbaij"] + exact_run, 2)
for k, lam in enumerate(eig):
    for c in ("e1", "e2"):
        got = sl.read("%s/glass_%d.data.spectrum.h5" % (c, k), "/spectrum/vdos/eigenvalues")
        vt.check(got.shape == lam.shape and np.abs(got - lam).max() < 1e-10 * lam.max(), "sample %d (%s): %d exact eigenvalues = numpy's eigvalsh without the translations (max diff %.2g)" % (k, c, got.size, np.abs(got - lam).max() if got.shape == lam.shape else -1))
with h5py.File("dse1.h5") as f:
    sigma, source = f["/dataset/vdos_sigma"][()][0], f["/dataset/vdos_sigma"].attrs["source"]
    source = source.decode() if isinstance(source, bytes) else str(source)
nu90 = max(np.sqrt(lam[int(np.ceil(0.9 * lam.size)) - 1]) for lam in eig)
want = min(max(nu90 / 50, 300 * nu90 / (1.8 * min(lam.size for lam in eig))), nu90 / 5)
vt.check(abs(sigma / want - 1) < 1e-12 and source == "exact eigenvalues", "default sigma %.6g = min(max(nu_90/50, 300 nu_90/(1.8 n)), nu_90/5) = %.6g, targets from %s" % (sigma, want, source))
Y, names, D, C, grid, edges = read_targets("dse1.h5")
Y2 = read_targets("dse2.h5")[0]
vt.check(np.abs(Y - Y2).max() < 1e-9 * np.abs(Y).max(), "exact targets the same with the spectra on 1 and on 2 ranks (SBAIJ; LAPACK on matrices equal to round-off: max diff %.2g)" % np.abs(Y - Y2).max())
for k, lam in enumerate(eig):
    w = np.sqrt(np.maximum(lam, 0))
    Dx, Cx = vdos(w, grid, sigma), cumulative(w, edges, sigma)
    dD, dC = np.abs(Y[k, D] - Dx).max() / Dx.max(), np.abs(Y[k, C] - Cx).max()
    vt.check(dD < 3e-3 and dC < 1e-4, "sample %d (exact eigenvalues): broadened VDOS = numpy's: max |dD|/max D %.2g, max |dC| %.2g" % (k, dD, dC))

# A spectrum output without the eigenvalues (an older vitrum): the whole ensemble falls back to the
# KPM moments, with a note counting the samples that could have had them.
with h5py.File("e1/glass_1.data.spectrum.h5", "a") as f:
    del f["/spectrum/vdos/eigenvalues"]
p = vt.run(["features", "-o", "dse_old.h5", "-features_cache", "e1"] + exact_run, 1)
with h5py.File("dse_old.h5") as f:
    source = f["/dataset/vdos_sigma"].attrs["source"]
    source = source.decode() if isinstance(source, bytes) else str(source)
vt.check("1 samples are small enough for exact eigenvalues" in p.stdout and source == "KPM moments", "one spectrum output without eigenvalues: KPM targets for all, with a note (%s)" % source)

# ---- 3. moments from the resolution --------------------------------------------------------------------
sample = ka[0]
lam = eig[0]
base = ["spectrum", "-sample", sample, "-potential", "ka3d", "-spectrum_nev", 0, "-spectrum_inertia", 0, "-boson_max_moments", 1]
vt.run(base + ["-o", "def1.h5"], 1)
vt.run(base + ["-o", "def2.h5"], 2)
mu, lo, hi = sl.read("def1.h5", "/spectrum/kpm/mu"), sl.read("def1.h5", "/spectrum/kpm/lambda_min")[0], sl.read("def1.h5", "/spectrum/kpm/lambda_max")[0]
w90 = sl.read("def1.h5", "/spectrum/kpm/resolution_omega")[0]
want = np.pi * (hi - lo) / (4 * w90 * w90 / 200)
vt.check(np.array_equal(mu, sl.read("def2.h5", "/spectrum/kpm/mu")), "default moments (%d) bitwise identical on 1 and 2 ranks" % mu.shape[1])
vt.check(abs(mu.shape[1] / want - 1) < 0.02, "default M = %d = pi (hi - lo)/(4 nu_90 nu_90/200) = %.1f within 2 %%" % (mu.shape[1], want))
vt.check(abs(w90 / np.sqrt(np.percentile(lam, 90)) - 1) < 0.02, "nu_90 %.4g = LAPACK's %.4g within 2 %%" % (w90, np.sqrt(np.percentile(lam, 90))))
vt.run(base + ["-o", "res.h5", "-vdos_resolution", 0.5], 1)
vt.check(abs(sl.read("res.h5", "/spectrum/kpm/resolution")[0] / 0.5 - 1) < 0.02, "-vdos_resolution 0.5: %d moments, resolution %.4g at nu_90" % (sl.read("res.h5", "/spectrum/kpm/mu").shape[1], sl.read("res.h5", "/spectrum/kpm/resolution")[0]))
vt.run(base + ["-o", "fixed.h5", "-vdos_resolution", 0.5, "-kpm_moments", 100], 1)
vt.check(sl.read("fixed.h5", "/spectrum/kpm/mu").shape[1] == 100, "an explicit -kpm_moments wins over -vdos_resolution")

# ---- 4. outliers in Tersoff SiC ---------------------------------------------------------------------------
tersoff = ["-potential", "tersoff", "-potential_file", "/usr/share/lammps/potentials/SiC.tersoff", "-potential_elements", "Si,C"]
sic = os.path.join(DATA, "sic_216.data")
H, lam = dense(sic, tersoff)
sic_run = ["spectrum", "-sample", sic, "-spectrum_nev", 0, "-spectrum_inertia", 0, "-kpm_moments", 2048, "-boson_max_moments", 1] + tersoff
p = vt.run(sic_run + ["-o", "sic.h5"], 1)
vt.run(sic_run + ["-o", "sic2.h5"], 2)
for name in ("count", "omega_cut", "stretch", "atoms", "atom_omega"):
    vt.check(np.array_equal(sl.read("sic.h5", "/spectrum/kpm/outliers/" + name), sl.read("sic2.h5", "/spectrum/kpm/outliers/" + name)), "SiC: outliers/%s bitwise identical on 1 and 2 ranks" % name)
scale = sl.read("sic.h5", "/spectrum/kpm/omega_scale")[0]
cut = sl.read("sic.h5", "/spectrum/kpm/outliers/omega_cut")[0]
count = sl.read("sic.h5", "/spectrum/kpm/outliers/count")[0]
exact = np.sum(scale * np.sqrt(np.maximum(lam, 0)) > cut)
vt.check(exact > 10 and abs(count - exact) <= 4 and "vitrum: warning: %s: " % sic in p.stdout and "lie above the bulk" in p.stdout,
         "SiC: %.1f states above 1.5 nu_90 = %.4g THz (LAPACK: %d), interval stretched %.3g-fold: a warning" % (count, cut, exact, sl.read("sic.h5", "/spectrum/kpm/outliers/stretch")[0]))
# light B atoms (mass 0.3 instead of 2): a few states just above 1.5 nu_90 stretch the interval by
# under 2 (the default's moments grow by as much, the resolution is kept): a note, not a warning
with open(os.path.join(DATA, "ka3d_216.data")) as f, open("ka_light.data", "w") as g:
    g.write(f.read().replace("\n2 2\n", "\n2 0.3\n", 1))
p = vt.run(["spectrum", "-sample", "ka_light.data", "-potential", "ka3d", "-spectrum_nev", 0, "-spectrum_inertia", 0, "-o", "light.h5"], 2)
stretch = sl.read("light.h5", "/spectrum/kpm/outliers/stretch")[0]
said = [line for line in p.stdout.splitlines() if "above the bulk" in line]
vt.check(1 < stretch < 2 and len(said) == 1 and said[0].startswith("vitrum: note: ka_light.data:"), "light B atoms: interval stretched %.3g-fold, said once as a note (%s)" % (stretch, said))
tr = np.array([np.trace(H[3 * i:3 * i + 3, 3 * i:3 * i + 3]) for i in range(H.shape[0] // 3)])
stiff = np.argsort(-tr)[:np.sum(scale * np.sqrt(tr) > cut)] + 1  # file ids 1..N
atoms = sl.read("sic.h5", "/spectrum/kpm/outliers/atoms")
vt.check(np.array_equal(atoms, stiff), "SiC: the %d atoms reported = numpy's atoms with sqrt(Tr H_ii) above the cut" % len(atoms))

# ---- 5. errors -----------------------------------------------------------------------------------------
for args, option in ((["features", "-samples", "ens/glass_0.data", "-features_cache", "c1", "-features_targets", "vdos", "-vdos_sigma", -1] + rdf, "-vdos_sigma"),
                     (base + ["-vdos_resolution", -0.1], "-vdos_resolution"), (base + ["-kpm_moments", 1], "-kpm_moments")):
    p = vt.run(args, 1, check=False)
    vt.check(p.returncode == 1 and option in p.stderr and "vitrum: error:" in p.stderr, "%s: user error (%s)" % (option, p.stderr.strip().splitlines()[0] if p.stderr.strip() else ""))
# a width that asks for more than 1e5 target bins (7e13 here: an internal error until session 20),
# or too many bins given: one line naming the option (the cached spectra of part 1, no recomputation)
for extra, option in ((["-vdos_sigma", 1e-12], "-vdos_sigma 1e-12"), (["-vdos_bins", 10 ** 9], "-vdos_bins 1000000000")):
    p = vt.run(["features", "-samples", "ens/glass_0.data", "ens/glass_1.data", "-features_cache", "exact", "-o", "bad.h5", "-features_targets", "vdos"] + extra + rdf, 2, check=False)
    lines = [l for l in p.stderr.splitlines() if l.startswith("vitrum")]
    vt.check(p.returncode == 1 and len(lines) == 1 and option in lines[0] and "at most 100000" in lines[0], "%s: one line on 2 ranks (%s)" % (option, lines))
