"""-spectrum_method filter returns the lowest K modes (src/spectrum/modes.c, FilterModes), on a
relaxed 256-atom Cu-Zr glass (data/cuzr_256.data, CuZr_mm.eam.fs of Debian's lammps-data, metal
units) whose KPM pilot puts 37 eigenvalues in the filter's first interval:
- K = 10 and 20: exactly K modes, = numpy's lowest K eigenvalues of the dense Hessian from
  `vitrum hessian` (translations dropped) to 1e-8 relative. (SLEPc stops once as many pairs have
  converged as it was asked for, in no order inside the interval; vitrum once returned 10 of the
  37 with three of the lowest 10 missing.)
- A solve that does not converge (-eps_max_it 1 with a degree-4 filter) is one line naming
  -eps_max_it, not a set with gaps, and K, the modes asked for (-spectrum_nev 10), as the count
  wanted: it said "only 0 of 42", 42 being the filter's own request to SLEPc; the warning of
  -spectrum_allow_unconverged too; with -spectrum_allow_unconverged the interval widens up to the
  top of the spectrum and stops with one line naming -st_filter_degree (SLEPc refuses a filter that
  passes the whole spectrum).
- -eps_nev, which replaced the filter's request to SLEPc ("-eps_nev 5" with K = 10 ended in
  "only 0 of 42 eigenpairs converged"), is one line naming it and -spectrum_nev.
Usage: filter_lowest.py NP"""
import os
import re
import sys

import numpy as np

import spectrumlib as sl
import vitrum_testlib as vt

np_ranks = int(sys.argv[1]) if len(sys.argv) > 1 else 1
d = 3
sample = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "cuzr_256.data")
eam = ["-potential", "eam/fs", "-potential_file", "/usr/share/lammps/potentials/CuZr_mm.eam.fs", "-potential_elements", "Cu,Zr"]
ev = np.linalg.eigvalsh(sl.hessian_dense(sample, potential=eam))
vt.check(np.all(np.abs(ev[:d]) < 1e-8 * ev[d]) and ev[d] > 0, "the reference's d smallest are the translations (%s)" % ev[:d + 1])
ref = ev[d:]
base = ["spectrum", "-sample", sample] + eam + ["-spectrum_method", "filter", "-spectrum_kpm", 0, "-spectrum_inertia", 0, "-vdos_exact_max_dof", 0]

for nev in (10, 20):
    out = "filter_%d.h5" % nev
    vt.run(base + ["-spectrum_nev", nev, "-o", out], np_ranks)
    lam = sl.read(out, "/spectrum/modes/eigenvalues")
    vt.check(len(lam) == nev, "filter, K = %d: %d modes returned" % (nev, len(lam)))
    err = np.max(np.abs(lam - ref[:nev]) / ref[:nev])
    vt.check(err < 1e-8, "filter, K = %d: the lowest %d eigenvalues = numpy's to 1e-8 relative (max %.1e; got %s, want %s)" % (nev, nev, err, lam, ref[:nev]))

bad = base + ["-spectrum_nev", 10, "-eps_max_it", 1, "-st_filter_degree", 4, "-o", "bad.h5"]
p = vt.run(bad, np_ranks, expect_fail=True)
lines = [l for l in (p.stdout + p.stderr).splitlines() if "error" in l]
vt.check(len(lines) == 1 and "-eps_max_it" in lines[0], "an unconverged filter solve: one line naming -eps_max_it (%s)" % lines)


def counts_k(line, k):
    """Every "N modes wanted" and "only X of N" of a line has N = k, and one of them is there."""
    wanted = [int(n) for n in re.findall(r"only \d+ of (\d+)", line) + re.findall(r"the (\d+) modes wanted", line)]
    return len(wanted) > 0 and all(n == k for n in wanted)


vt.check(lines[0].startswith("vitrum: error: -spectrum_nev 10:") and counts_k(lines[0], 10), "the line gives the 10 modes asked for as the count wanted (%s)" % lines[0])
p = vt.run(bad + ["-spectrum_allow_unconverged"], np_ranks, expect_fail=True)
warnings = [l for l in p.stdout.splitlines() if "warning:" in l and "converged" in l]
vt.check(len(warnings) > 0 and all(counts_k(w, 10) for w in warnings), "-spectrum_allow_unconverged: the warnings give the 10 modes asked for as the count wanted (%s)" % warnings)
lines = [l for l in (p.stdout + p.stderr).splitlines() if "error" in l]
vt.check(len(lines) == 1 and "-st_filter_degree" in lines[0] and "polynomial filter should not" not in p.stdout + p.stderr,
         "the interval widened to the top: one vitrum line naming -st_filter_degree (%s)" % lines)
p = vt.run(base + ["-spectrum_nev", 10, "-eps_nev", 5, "-o", "eps_nev.h5"], np_ranks, expect_fail=True)
lines = [l for l in (p.stdout + p.stderr).splitlines() if "error" in l]
vt.check(len(lines) == 1 and "-eps_nev 5:" in lines[0] and "-spectrum_nev" in lines[0] and not os.path.exists("eps_nev.h5"),
         "-eps_nev 5: one line naming it and -spectrum_nev, no output (%s)" % lines)
