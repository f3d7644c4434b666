"""twolevel's redundant coarse solve (-spectrum_twolevel_coarse_solve redundant; src/spectrum/twolevel.c,
CoarseRedundant): every rank gathers the whole coarse matrix, factorises it alone and solves for all
coarse rows, so two identical runs on 3 ranks give bitwise the same modes (eigenvalues, vectors,
participation ratios). MUMPS's distributed solve (the default) rounds differently from run to run
on more than one rank at this size (a 1000-atom KA glass replicated 3^3 times: 27,000 atoms; two
runs differed by 2.5e-14 relative in each of two tries with 20 modes, and with the 10 modes here by
2.7e-14 and 1.4e-14 in each of two tries, every dataset but the iterations), so this test fails
without the redundant solve (at 8000 atoms two distributed runs on 3 ranks, 20 modes, were bitwise
equal in the one try made: the size is what makes the spread, not the modes asked for). The
distributed and the redundant solve build the same coarse level and give the same modes to the
solver's tolerance."""
import os
import subprocess
import h5py
import numpy as np
import spectrumlib as sl
import vitrum_testlib as vt

base = sl.make_ka_glass("ka1000.data", n_side=10)
big = os.path.abspath("ka27000.data")
with open("replicate.in", "w") as f:
    f.write("units lj\natom_style atomic\npair_style lj/cut 2.5\nread_data %s\nreplicate 3 3 3\nwrite_data %s\n" % (base, big))
subprocess.run(["lmp", "-in", "replicate.in", "-log", "none", "-screen", "none"], check=True)
ranks, nev = 3, 10  # 10 modes: a block of 24 instead of 32, the same spread without the redundant solve
args = ["spectrum", "-sample", big, "-potential", "ka3d", "-spectrum_method", "twolevel", "-spectrum_nev", nev,
        "-spectrum_kpm", 0, "-spectrum_inertia", 0, "-spectrum_vectors", "-info", ":sys"]


def modes(solve, out):
    """Every dataset of /spectrum/modes, and the coarse level from -info."""
    p = vt.run(args + ["-spectrum_twolevel_coarse_solve", solve, "-o", out], ranks)
    with h5py.File(out, "r") as f:
        data = {name: f["/spectrum/modes"][name][()] for name in f["/spectrum/modes"] if isinstance(f["/spectrum/modes"][name], h5py.Dataset)}
    return data, sl.twolevel_coarse(p.stdout)


first, coarse = modes("redundant", "redundant1.h5")
second, _ = modes("redundant", "redundant2.h5")
vt.check(len(first["eigenvalues"]) == nev, "redundant: %d modes" % len(first["eigenvalues"]))
vt.check(sorted(first) == sorted(second) and "vectors" in first, "both runs wrote the same datasets (%s)" % ", ".join(sorted(first)))
for name in sorted(first):
    vt.check(np.array_equal(first[name], second[name]), "redundant on %d ranks, two runs: /spectrum/modes/%s bitwise the same" % (ranks, name))
distributed, coarse_distributed = modes("distributed", "distributed.h5")
vt.check(coarse is not None and coarse == coarse_distributed, "the same coarse level either way (%s)" % (coarse,))
lam, ref = first["eigenvalues"], distributed["eigenvalues"]
err = np.max(np.abs(lam - ref) / ref)
vt.check(err < 1e-8, "redundant and distributed: the same %d eigenvalues to the tolerance 1e-8 (max %.1e relative)" % (nev, err))
