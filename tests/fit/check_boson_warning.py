"""The warning that a sample's boson peak search found no peak (the maximum of the reduced VDOS on a
bound of the search) is printed by `features` only when a target asks for a boson peak: `scalars`
(boson_peak_omega, boson_peak_height), a boson_peak_* name, or `boson` (the broadened peak). With
-features_targets vdos,omega2_mean,energy_per_atom it was noise: one warning per sample about a
quantity nobody asked for. The `spectrum` command warns as before.

A 2D KA glass on a VDOS grid of 8 bins ending below the spectrum's maximum of D/omega: the
spectrum output's /spectrum/scalars/boson_peak_at_bound is 1 in every run (the search is the
same; only the warning depends on the targets). The second sample is that glass stretched by 1%
along x."""
import os
import shutil

import h5py

from fitlib import run

glass = os.path.join(os.environ["SRC"], "tests", "spectrum", "data", "ka2d_64.data")
shutil.copy(glass, "a.data")
lines = open(glass).read().splitlines()  # b.data: the glass stretched 1% along x (xlo = 0), another g(r)
start = lines.index("Atoms # atomic") + 2
end = lines.index("", start)
for i, line in enumerate(lines):
    w = line.split()
    if w[2:] == ["xlo", "xhi"] or start <= i < end:
        k = 1 if i < start else 2
        w[k] = repr(float(w[k]) * 1.01)
        lines[i] = " ".join(w)
open("b.data", "w").write("\n".join(lines) + "\n")
GRID = ["-potential", "ka2d", "-rdf_rmax", 3.0, "-rdf_dr", 0.02, "-vdos_bins", 8, "-vdos_omega_max", 36]
WARNING = "the maximum of the reduced VDOS D/omega^1 sits on a bound of the search"


def at_bound(path):
    with h5py.File(path, "r") as f:
        return f["/spectrum/scalars/boson_peak_at_bound"][()] == 1


def check(cond, what):
    if not cond:
        raise SystemExit("FAIL: " + what)
    print("ok:", what)


for targets, warns in (("vdos,omega2_mean,energy_per_atom", False), ("cumvdos,moments", False), ("scalars", True),
                       ("omega2_mean,boson_peak_omega", True), ("boson_peak_at_bound", True), ("vdos,boson", True)):
    cache = "cache_" + targets.replace(",", "_")
    out = run("features", ["-samples", "a.data", "b.data", "-features_targets", targets, "-features_cache", cache, "-o", cache + ".h5"] + GRID, nranks=2).stdout
    bound = all(at_bound(os.path.join(cache, s + ".spectrum.h5")) for s in ("a.data", "b.data"))
    check(bound and out.count(WARNING) == (2 if warns else 0),
          "-features_targets %s: boson peak on a bound in both spectra, %s (%d warnings)" % (targets, "one warning per sample" if warns else "no warning", out.count(WARNING)))

out = run("spectrum", ["-sample", "a.data", "-o", "a.spectrum.h5"] + GRID).stdout
check(at_bound("a.spectrum.h5") and out.count(WARNING) == 1, "spectrum: the warning, once")
