"""The mode solve of `vitrum response` on a 216-atom KA glass (docs/spectrum.md, dipole responses):
- -response_nev 0 -response_dipole_pairs 0 (nothing needs modes): no eigensolve and no MUMPS
  factorisation at all (-log_view), no -info line of a search for soft modes;
- -response_nev 0 with dipoles: the dipoles' search for soft modes (modes within 1e-6 Tr(H)/(dN) of
  zero, which CG must leave out) runs, named on -info, as one shift-and-invert solve with one MUMPS
  factorisation: it needs every mode near zero, not whole multiplets, so no inertia count (before,
  a second factorisation for that count: 2 MatCholFctrNum);
- its dipole results are those of a run whose soft-mode search took the shifts' modes
  (-response_nev 10, multiplets checked by inertia): every /response/dipole dataset equal (this
  glass has no soft modes: CG leaves out the translations alone either way)."""
import re

import h5py
import numpy as np
import spectrumlib as sl
import vitrum_testlib as vt

sample = sl.make_ka_glass("ka216.data")
base = ["response", "-sample", sample, "-potential", "ka3d"]


def log_count(text, event):
    """Calls of a -log_view event (0 when absent)."""
    m = re.search(r"^%s\s+(\d+)" % event, text, re.M)
    return int(m.group(1)) if m else 0


SEARCH = "for the soft ones"
p = vt.run(base + ["-response_nev", 0, "-response_dipole_pairs", 0, "-o", "none.h5", "-log_view", "-info"], 1)
vt.check(log_count(p.stdout, "EPSSolve") == 0 and log_count(p.stdout, "MatCholFctrNum") == 0 and SEARCH not in p.stdout,
         "-response_nev 0 -response_dipole_pairs 0: no eigensolve, no factorisation, no soft-mode search")
for n in (1, 2):
    p = vt.run(base + ["-response_nev", 0, "-response_dipole_pairs", 8, "-o", "dip%d.h5" % n, "-log_view", "-info"], n)
    solves, factors = log_count(p.stdout, "EPSSolve"), log_count(p.stdout, "MatCholFctrNum")
    vt.check(SEARCH in p.stdout and solves == 1 and factors == 1,
             "%d rank(s), -response_nev 0 with dipoles: the soft-mode search is one solve (%d) with one factorisation (%d), no inertia count" % (n, solves, factors))
vt.run(base + ["-response_nev", 10, "-response_dipole_pairs", 8, "-o", "shifts.h5"], 1)
with h5py.File("dip1.h5", "r") as a, h5py.File("shifts.h5", "r") as c:
    names = []
    a["/response/dipole"].visit(lambda k: names.append(k) if isinstance(a["/response/dipole"][k], h5py.Dataset) else None)
    vt.check("kappa" in names, "the dipole datasets: %s" % names)
    for k in names:
        x, y = a["/response/dipole"][k][()], c["/response/dipole"][k][()]
        vt.check(x.shape == y.shape and np.array_equal(x, y), "/response/dipole/%s of -response_nev 0 = that of -response_nev 10 (same rank count)" % k)
print("ok")
