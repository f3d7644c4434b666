"""-boson_max_moments as its -help says (src/spectrum/cmd_spectrum.c, BosonPeak): while the boson
peak sits on the lower bound of its search, the KPM moments M are doubled as long as they stay at
most the limit; 0 (the default) is 4 M, at most -kpm_max_moments when that is above M; a limit
below 2 M (that of -kpm_moments) doubles nothing. Its help had said "-kpm_moments: never", read as
"0 or -kpm_moments: never". A 64-atom 2D KA glass searched from omega = 15, above its peak, so the
maximum of D/omega sits on the search's lower bound at every M: the moments of the peak's VDOS
(/spectrum/scalars/boson_peak_moments) are the largest 8 x 2^k within the rule's limit, computed
here, and the warning names the limit that stopped the doubling."""
import os

import h5py

from vitrum_testlib import check, run

glass = os.path.join(os.environ["SRC"], "tests", "spectrum", "data", "ka2d_64.data")
M = 8
BASE = ["spectrum", "-sample", glass, "-potential", "ka2d", "-spectrum_nev", 0, "-spectrum_inertia", 0, "-kpm_moments", M,
        "-vdos_omega_max", 36, "-boson_omega_min", 15, "-o", "out.h5"]


def limit(boson_max, kpm_max):
    """The doubling's limit by the rule of -help."""
    return boson_max if boson_max > 0 else min(4 * M, max(M, kpm_max))


help_text = run(["spectrum", "-help"]).stdout
line = [w for w in help_text.splitlines() if w.strip().startswith("-boson_max_moments")][0]
check("<now auto" in line and "auto, the default, or 0: 4 M" in line and "-kpm_max_moments" in line and "below 2 M" in line and "no doubling" in line,
      "-help of -boson_max_moments states the default 4 M and when nothing is doubled: %s" % line.strip())

for boson_max, kpm_max, note in ((0, 16384, "(as many as the default -boson_max_moments allows: 4 x 8, at most -kpm_max_moments 16384)"),
                                 (M, 16384, "(as many as -boson_max_moments 8 allows)"),
                                 (20, 16384, "(as many as -boson_max_moments 20 allows)"),
                                 (0, 16, "(as many as the default -boson_max_moments allows: 4 x 8, at most -kpm_max_moments 16)"),
                                 (0, 4, "(the default -boson_max_moments doubles no more than up to -kpm_max_moments 4)")):
    p = run(BASE + ["-boson_max_moments", boson_max, "-kpm_max_moments", kpm_max])
    with h5py.File("out.h5", "r") as f:
        moments = int(f["/spectrum/scalars/boson_peak_moments"][()])
        at_bound = int(f["/spectrum/scalars/boson_peak_at_bound"][()])
    expected = M
    while 2 * expected <= limit(boson_max, kpm_max):
        expected *= 2
    warning = [w for w in p.stdout.splitlines() if "no boson peak resolved" in w]
    check(at_bound == 1 and moments == expected, "-boson_max_moments %d, -kpm_max_moments %d: the peak's VDOS has %d moments (%d expected)"
          % (boson_max, kpm_max, moments, expected))
    check(len(warning) == 1 and ("resolved with %d moments %s;" % (expected, note)) in warning[0], "the warning names the limit: %s" % warning)
    os.remove("out.h5")
