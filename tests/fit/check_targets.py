"""Spectrum targets of issue 12: C_v(T) and the energy per atom (inherent-structure energy).

(1) /spectrum/scalars/energy_per_atom = LAMMPS pe/atoms on the same data file (relative 1e-10) and
    = `vitrum energy`'s total / N, for a many-body sample (Tersoff SiC, relaxed by LAMMPS, metal
    units: eV) and a pair sample (Kob-Andersen glass, lj units: epsilon); the units attribute is the
    energy unit of the style.
(2) Heat capacity against an independent computation from the dense eigenfrequencies (numpy
    eigvalsh of the Hessian that `vitrum hessian` writes; hbar omega / k_B in K from CODATA here):
    the quantum harmonic C_v/(N k_B) = (1/N) sum_modes x^2 e^x/(e^x - 1)^2, x = hbar omega/(k_B T).
    cv_modes (dense path) equals it to 1e-9; cv (from the KPM VDOS, d sum_bins D domega c(x), D
    normalised over the dN - d non-translation states) equals d/(dN - d) sum_modes c(x) within 1%
    of d at every T (KPM broadening, binning and noise; measured below).
(3) features -features_targets cv,scalars: one target per temperature, named cv(T=... K) with the
    unit, equal to /spectrum/cv/cv_modes (the spectrum's C_v over all its exact eigenvalues, default
    for samples within -vdos_exact_max_dof; = the numpy sum to 1e-9) or, without exact eigenvalues,
    /spectrum/cv/cv; `scalars` includes energy_per_atom."""
import os
import sys

import h5py
import numpy as np
import scipy.sparse
import subprocess

sys.path.insert(0, os.path.join(os.environ["SRC"], "tests", "spectrum"))
sys.path.insert(0, os.path.join(os.environ["SRC"], "tests", "manybody"))
import spectrumlib as sl  # noqa: E402
import mbtools as mb  # noqa: E402

from fitlib import run  # noqa: E402

HBAR, KB, EV, AMU = 1.054571817e-34, 1.380649e-23, 1.602176634e-19, 1.66053906660e-27
TEMPS = ["-cv_temperature_range", "1,3000", "-cv_temperatures", 12]
SIC = ["-potential", "tersoff", "-potential_file", mb.potential_path("SiC.tersoff"), "-potential_elements", "Si,C"]


def einstein(x):
    em = np.exp(-x)
    return x * x * em / (1 - em) ** 2


def dense_lambda(sample, potential):
    run("hessian", ["-sample", sample, "-o", "h.h5", "-hessian_h5_matrix"] + potential)
    with h5py.File("h.h5", "r") as f:
        g = f["/hessian"]
        n = len(g["indptr"]) - 1
        H = scipy.sparse.csr_matrix((g["data"][()], g["indices"][()], g["indptr"][()]), shape=(n, n)).toarray()
    return np.linalg.eigvalsh(H)


def lammps_pe_per_atom_ka(data):
    """LAMMPS thermo pe / atoms (thermo_modify norm yes) of a KA data file (lj/cut, shifted)."""
    with open("ka.in", "w") as f:
        f.write(f"units lj\natom_style atomic\npair_style lj/cut 2.5\nread_data {data}\n"
                "pair_coeff 1 1 1.0 1.0 2.5\npair_coeff 1 2 1.5 0.8 2.0\npair_coeff 2 2 0.5 0.88 2.2\npair_modify shift yes\n"
                "thermo_style custom step pe\nthermo_modify norm yes format float %.17g\nrun 0\n")
    subprocess.run(["lmp", "-in", "ka.in", "-log", "ka.log", "-screen", "none"], check=True)
    lines = open("ka.log").read().splitlines()
    k = max(i for i, ln in enumerate(lines) if ln.split()[:2] == ["Step", "PotEng"])
    return float(lines[k + 1].split()[1])


# Many-body sample: 64-atom SiC, melted and relaxed by LAMMPS (metal units)
mb.make_sample("sic_start.data", "diamond", 4.36, 2, ["Si", "C"], [0.5, 0.5], 0.08, 5)
mb.lammps_relax("sic_start.data", "tersoff", "SiC.tersoff", ["Si", "C"], "sic.data", melt=3000)
mb.make_sample("sic2_start.data", "diamond", 4.36, 2, ["Si", "C"], [0.5, 0.5], 0.08, 6)
mb.lammps_relax("sic2_start.data", "tersoff", "SiC.tersoff", ["Si", "C"], "sic2.data", prefix="relax2", melt=3000)
e_lmp, _, _ = mb.lammps_reference("sic.data", "tersoff", "SiC.tersoff", ["Si", "C"])
spec = ["-spectrum_method", "dense", "-spectrum_inertia", 0, "-kpm_moments", 256, "-kpm_vectors", 64, "-boson_max_moments", 256] + TEMPS
for nranks in (1, 2):
    run("spectrum", ["-sample", "sic.data", "-o", f"sic{nranks}.h5"] + spec + SIC, nranks)
run("energy", ["-sample", "sic.data", "-o", "sic.energy.h5"] + SIC)
with h5py.File("sic1.h5", "r") as f, h5py.File("sic2.h5", "r") as f2, h5py.File("sic.energy.h5", "r") as fe:
    e = f["/spectrum/scalars/energy_per_atom"]
    assert e.attrs["units"].decode() == "eV", e.attrs["units"]
    e_atom, e_np2, e_total = e[0], f2["/spectrum/scalars/energy_per_atom"][0], fe["/energy/total"][0]
    T, cv, cv_modes = f["/spectrum/cv/T"][()], f["/spectrum/cv/cv"][()], f["/spectrum/cv/cv_modes"][()]
    assert f["/spectrum/cv/T"].attrs["units"].decode() == "K"
N = len(e_lmp)
d_lmp = abs(e_atom - e_lmp.mean()) / abs(e_lmp.mean())
print(f"SiC (Tersoff, {N} atoms): energy_per_atom {e_atom:.12f} eV, LAMMPS pe/atoms {e_lmp.mean():.12f} (rel diff {d_lmp:.1e}); vitrum energy total/N {e_total / N:.12f}")
assert d_lmp < 1e-10 and abs(e_atom - e_total / N) <= 1e-12 * abs(e_atom) and e_atom == e_np2, (d_lmp, e_atom, e_total / N, e_np2)

lam = dense_lambda("sic.data", SIC)
assert np.abs(lam[:3]).max() < 1e-6 * lam[-1] and lam[3] > 0, lam[:5]
omega_si = np.sqrt(lam[3:] * EV / AMU) / 1e-10  # rad/s
theta = HBAR * omega_si / KB                      # hbar omega / k_B in K
c = einstein(theta[None, :] / T[:, None])
ref_modes = c.sum(1) / N
ref_vdos = 3 * c.sum(1) / (3 * N - 3)
d_modes = np.abs(cv_modes - ref_modes).max()
d_kpm = np.abs(cv - ref_vdos).max() / 3
print("T (K):          " + " ".join(f"{t:7.1f}" for t in T))
print("cv (KPM):       " + " ".join(f"{v:7.4f}" for v in cv))
print("numpy (modes):  " + " ".join(f"{v:7.4f}" for v in ref_vdos))
print(f"cv_modes vs numpy Einstein sum over the dense modes: max |diff| {d_modes:.1e} k_B; KPM cv vs d/(dN-d) sum c(x): max |diff| {d_kpm * 100:.2f}% of d")
assert d_modes < 1e-9 and d_kpm < 0.01, (d_modes, d_kpm)

# Pair sample: KA glass (lj units), energy against LAMMPS
ka = sl.make_ka_glass("ka216_targets.data", seed=31)
run("spectrum", ["-sample", ka, "-potential", "ka3d", "-spectrum_nev", 0, "-spectrum_inertia", 0, "-o", "ka.h5", "-kpm_moments", 64, "-boson_max_moments", 64], 2)
pe_ka = lammps_pe_per_atom_ka(ka)
with h5py.File("ka.h5", "r") as f:
    e = f["/spectrum/scalars/energy_per_atom"]
    assert e.attrs["units"].decode() == "epsilon", e.attrs["units"]
    e_ka = e[0]
d_ka = abs(e_ka - pe_ka) / abs(pe_ka)
print(f"KA glass: energy_per_atom {e_ka:.12f} epsilon, LAMMPS pe/atoms {pe_ka:.12f} (rel diff {d_ka:.1e})")
assert d_ka < 1e-10, d_ka

# features: cv targets named with the temperature and unit, scalars with energy_per_atom. These
# 64-atom samples are within -vdos_exact_max_dof, so every spectrum output has all eigenvalues and
# the cv targets are C_v summed over them (cv_modes, = numpy's Einstein sum above); with
# -vdos_exact_max_dof 0 (no exact eigenvalues) they are the KPM VDOS's /spectrum/cv/cv.
DIAGNOSTICS = ("boson_peak_at_bound", "boson_peak_search_min", "boson_peak_moments", "omega2_mean_kpm_err")
FEATURES = ["-samples", "sic.data", "sic2.data", "-features_targets", "cv,scalars", "-rdf_rmax", 4, "-rdf_dr", 0.05,
            "-spectrum_nev", 0, "-spectrum_inertia", 0, "-kpm_moments", 64, "-boson_max_moments", 64] + TEMPS + SIC
for cache, extra, source in (("cache", [], "cv_modes"), ("cache_kpm", ["-vdos_exact_max_dof", 0], "cv")):
    os.makedirs(cache, exist_ok=True)
    proc = run("features", FEATURES + ["-features_cache", cache, "-o", f"ds_{source}.h5"] + extra, 2)
    assert ("exact eigenvalues (/spectrum/cv/cv_modes)" in proc.stdout) == (source == "cv_modes"), proc.stdout
    with h5py.File(f"ds_{source}.h5", "r") as f:
        names = [n.decode() for n in f["/dataset/target_names"][()]]
        Y = f["/dataset/Y"][()]
    for k, s in enumerate(("sic.data", "sic2.data")):
        with h5py.File(f"{cache}/{s}.spectrum.h5", "r") as f:
            T, cv = f["/spectrum/cv/T"][()], f[f"/spectrum/cv/{source}"][()]
            e_atom = f["/spectrum/scalars/energy_per_atom"][0]
            assert ("cv_modes" in f["/spectrum/cv"]) == (source == "cv_modes")
        want = [f"cv(T={t:.6g} K)" for t in T]
        assert names[:len(T)] == want, (names[:3], want[:3])
        assert np.array_equal(Y[k, :len(T)], cv) and Y[k, names.index("energy_per_atom")] == e_atom
    # `scalars` leaves out the diagnostics (how a number was computed, not the glass)
    assert not set(names) & set(DIAGNOSTICS), names
    assert "'scalars' leaves out the diagnostics" in proc.stdout, proc.stdout
    if source == "cv_modes":
        d_exact = np.abs(Y[0, :len(T)] - ref_modes).max()
        assert d_exact < 1e-9, d_exact
    print(f"features -features_targets cv,scalars{' ' + ' '.join(map(str, extra)) if extra else ''}: {names[0]} ... {names[len(T) - 1]} = /spectrum/cv/{source}"
          + (f" (= numpy's Einstein sum over the dense eigenvalues, max |diff| {d_exact:.1e})" if source == "cv_modes" else "") + ", energy_per_atom among the scalars")
# a diagnostic named alone is a target (from the cached spectra of the first run)
proc = run("features", FEATURES + ["-features_cache", "cache", "-o", "ds_named.h5", "-features_targets", "energy_per_atom,boson_peak_search_min,omega2_mean_kpm_err"], 2)
with h5py.File("ds_named.h5", "r") as f:
    names = [n.decode() for n in f["/dataset/target_names"][()]]
assert names == ["energy_per_atom", "boson_peak_search_min", "omega2_mean_kpm_err"], names
# every spectrum came from the cache, so no -potential_* or -kpm_* option was read, yet they chose
# the cached files: none is reported unused; one that nothing reads still is (the cache serves it:
# such an option is no part of the cache key); a misspelt one of vitrum's is refused before any work
assert "was given but not used" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
proc = run("features", FEATURES + ["-features_cache", "cache", "-o", "ds_typo.h5", "-kpmmomnets", 64], 2)
assert "option -kpmmomnets 64 was given but not used" in proc.stdout + proc.stderr, proc.stdout + proc.stderr
proc = run("features", FEATURES + ["-features_cache", "cache", "-o", "ds_typo.h5", "-kpm_momnets", 64], 2, check=False)
assert proc.returncode == 1 and "-kpm_momnets is no option of vitrum features; did you mean -kpm_moments?" in proc.stderr, proc.stdout + proc.stderr
print("features: 'scalars' leaves out " + ", ".join(DIAGNOSTICS) + "; named alone they are targets; options that chose cached spectra are not reported unused, an unknown one is, a misspelt one is refused")
print("ok")
