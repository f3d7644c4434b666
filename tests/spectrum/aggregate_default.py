"""twolevel's default aggregates grow with the sample in 3D (src/spectrum/twolevel.c,
DefaultAggregate; docs/spectrum.md): at least 16 atoms per coarse function, and at least
nk sqrt(N) / 16 atoms (nk coarse functions per component: d + 1 for the affine space, 1 for the
translations), so that the coarse factor's share of the work does not grow with N. On a 1000-atom
KA glass replicated 10 x 5 x 5 times (250,000 atoms; 2 ranks, 4 modes, one LOBPCG iteration: the
coarse level is what is checked, the modes are tested in modes_precond) the aggregates hold on
average between the rule's atoms and twice that (cells of a grid halved one direction at a time),
for both coarse spaces, which the fixed 16 per coarse function does not give; an explicit
-spectrum_twolevel_aggregate still sets them."""
import math
import os
import subprocess
import spectrumlib as sl
import vitrum_testlib as vt

base = sl.make_ka_glass("ka1000.data", n_side=10)
big, natoms = os.path.abspath("ka250000.data"), 250000
with open("replicate.in", "w") as f:
    f.write("units lj\natom_style atomic\npair_style lj/cut 2.5\nread_data %s\nreplicate 10 5 5\nwrite_data %s\n" % (base, big))
subprocess.run(["lmp", "-in", "replicate.in", "-log", "none", "-screen", "none"], check=True)
args = ["spectrum", "-sample", big, "-potential", "ka3d", "-spectrum_method", "twolevel", "-spectrum_kpm", 0, "-spectrum_inertia", 0,
        "-spectrum_nev", 4, "-spectrum_twolevel_max_it", 1, "-spectrum_allow_unconverged", "-info", ":sys"]


def aggregates(extra, out):
    """The aggregates, from the set-up's -info line."""
    return sl.twolevel_coarse(vt.run(args + extra + ["-o", out], 2).stdout)[0]


for space, nk in (("affine", 4), ("translations", 1)):
    rule = max(16 * nk, math.ceil(nk * math.sqrt(natoms) / 16))
    count = aggregates(["-spectrum_twolevel_coarse_space", space], "default_%s.h5" % space)
    mean = natoms / count
    vt.check(rule <= mean < 2 * rule and mean >= 2 * 16 * nk,
             "%s space by default: %d aggregates of %.0f atoms on average, in [%d, %d) (16 per coarse function gives fewer than %d)"
             % (space, count, mean, rule, 2 * rule, 2 * 16 * nk))
count = aggregates(["-spectrum_twolevel_aggregate", 300], "given.h5")
vt.check(300 <= natoms / count < 600, "-spectrum_twolevel_aggregate 300: %d aggregates of %.0f atoms on average, in [300, 600)" % (count, natoms / count))
