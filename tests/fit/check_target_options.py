"""Targets of features that need a spectrum option are refused before any sample is read (here:
the listed sample does not exist, so the error cannot come from it), in one line naming the target,
the option and what to give, on 1 and 2 ranks, with no output left:
* low_mode_count without -spectrum_count_omega (until this release: every spectrum computed, then
  'has no /spectrum/scalars/low_mode_count'), or with -spectrum_inertia 0;
* negative_count with -spectrum_inertia 0; boson_peak_omega (a KPM scalar) with -spectrum_kpm 0.
With -spectrum_count_omega the same run works: its low_mode_count column is every sample's exact
count below the first omega (/spectrum/counts/exact of its cached spectrum output), an integer in
[0, dN]."""
import os

import h5py
import numpy as np

import vitrum_testlib as vt
from fitlib import run


def refused(args, expected):
    for nranks in (1, 2):
        proc = run("features", args + ["-o", "out.h5"], nranks, check=False)
        lines = [l for l in proc.stderr.splitlines() if l.startswith("vitrum: error:")]
        vt.check(proc.returncode == 1 and len(lines) == 1, "one error line on %d ranks:\n%s" % (nranks, proc.stderr))
        for e in expected:
            vt.check(e in lines[0], "'%s' in '%s'" % (e, lines[0]))
        vt.check(not os.path.exists("out.h5"), "no output")


missing = ["-samples", "missing.data", "-potential", "lj/cut"]
refused(missing + ["-features_targets", "omega2_mean,low_mode_count"],
        ["-features_targets omega2_mean,low_mode_count: low_mode_count (the modes below the first -spectrum_count_omega W", "needs -spectrum_count_omega: give -spectrum_count_omega W"])
refused(missing + ["-features_targets", "low_mode_count", "-spectrum_count_omega", 1, "-spectrum_inertia", 0],
        ["low_mode_count (", "needs -spectrum_inertia: leave out -spectrum_inertia 0"])
refused(missing + ["-features_targets", "negative_count", "-spectrum_inertia", 0], ["negative_count (counted by MUMPS inertia) needs -spectrum_inertia"])
refused(missing + ["-features_targets", "vdos,boson_peak_omega", "-spectrum_kpm", 0], ["boson_peak_omega (the peak of the KPM VDOS) needs -spectrum_kpm: leave out -spectrum_kpm 0"])

# the same targets with the option: two 64-atom LJ crystals, slightly disordered
rng = np.random.default_rng(3)
grid = np.array([(i, j, k) for i in range(4) for j in range(4) for k in range(4)], float) * 1.12
for s in range(2):
    vt.write_lammps_data(f"c{s}.data", np.eye(3) * 4.48, (0, 0, 0), [1] * 64, grid + rng.normal(0, 0.03, grid.shape), masses=[1.0])
run("features", ["-samples", "c0.data", "c1.data", "-potential", "lj/cut", "-features_targets", "omega2_mean,low_mode_count",
                 "-spectrum_count_omega", 4, "-features_cache", "cache", "-o", "ok.h5", "-rdf_rmax", 2.0], 2)
with h5py.File("ok.h5", "r") as f:
    names = [n.decode() for n in f["/dataset/target_names"][()]]
    Y = f["/dataset/Y"][()]
vt.check(names == ["omega2_mean", "low_mode_count"], "targets %s" % names)
for s in range(2):
    with h5py.File(f"cache/c{s}.data.spectrum.h5", "r") as f:
        exact = f["/spectrum/counts/exact"][()][0]
    vt.check(Y[s, 1] == exact and 0 <= exact <= 192 and exact == int(exact), "c%d: low_mode_count %g = exact count %g" % (s, Y[s, 1], exact))
print("ok")
