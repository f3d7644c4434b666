"""MUMPS's workspace (ICNTL(14)) falls short: on 3 ranks the LDL^T factors of H - s I of this
343-atom Kob-Andersen glass (data/ka3d_343_mumps.data, a sample of a tester's ensemble) stop with
INFOG(1) -9 at MUMPS's default workspace; the shift-and-invert factor raised a PETSc/MUMPS
traceback and the inertia counts were skipped. Now every MUMPS factorisation (VitMumpsFactorNumeric)
is made again with its workspace doubled: the default run on 3 ranks says so on -info, and its
modes and exact counts equal LAPACK's. A factorisation that more workspace does not cure (a memory
limit ICNTL(23) of 1 MB: INFOG(1) -19) gives one line: an error for shift-and-invert, naming what
failed and what to give, a note for the inertia counts (the KPM counts are used)."""
import os
import numpy as np
import spectrumlib as sl
import vitrum_testlib as vt

sample = os.path.join(os.environ["SRC"], "tests", "spectrum", "data", "ka3d_343_mumps.data")
ev = np.linalg.eigvalsh(sl.hessian_dense(sample))
omegas = [5.0, 10.0, 20.0]
base = ["spectrum", "-sample", sample, "-potential", "ka3d", "-kpm_moments", 64, "-spectrum_count_omega", ",".join(map(str, omegas))]

p = vt.run(base + ["-o", "np3.h5", "-info", ":sys"], 3)
retries = [l for l in p.stdout.splitlines() if "MUMPS's workspace was too small" in l]
vt.check(len(retries) >= 2 and all("analysed again with ICNTL(14)" in l for l in retries), "3 ranks: MUMPS's workspace fell short and the factorisations were made again with more (%d -info lines)" % len(retries))
vt.check("PETSC ERROR" not in p.stderr and "vitrum: note" not in p.stdout, "3 ranks: no traceback, no note (inertia counts not skipped)")
lam = sl.read("np3.h5", "/spectrum/modes/eigenvalues")
method = sl.h5py.File("np3.h5", "r")["/spectrum/modes/eigenvalues"].attrs["method"]
method = method.decode() if isinstance(method, bytes) else method
vt.check(method == "sinvert" and len(lam) == 20 and np.allclose(lam, ev[3:23], rtol=1e-8), "3 ranks: the 20 shift-and-invert modes = LAPACK's (%s)" % method)
exact = sl.read("np3.h5", "/spectrum/counts/exact")
vt.check(list(exact) == [int(np.sum(ev < w * w)) - 3 for w in omegas], "3 ranks: the exact counts %s = LAPACK's" % list(exact))

p = vt.run(base + ["-o", "limit.h5", "-st_mat_mumps_icntl_23", 1], 3, expect_fail=True)
lines = [l for l in (p.stdout + p.stderr).splitlines() if l.startswith("vitrum:")]  # mpirun adds its own banner on the exit status
vt.check(p.returncode == 1 and len(lines) == 1 and lines[0].startswith("vitrum: error: shift-and-invert") and "INFOG(1) -19" in lines[0] and "PETSC ERROR" not in p.stderr
         and "-st_mat_mumps_icntl_23" in lines[0] and "-spectrum_method twolevel" in lines[0] and "fewer ranks" in lines[0] and "-spectrum_nev 0" in lines[0]
         and "MPI_ABORT" not in p.stdout + p.stderr and not os.path.exists("limit.h5"),
         "shift-and-invert that MUMPS cannot factor: one error line naming INFOG(1), the option and what to give, exit 1, no output: %s" % lines)

p = vt.run(base + ["-o", "nocount.h5", "-spectrum_nev", 0, "-inertia_mat_mumps_icntl_23", 1], 3)
notes = [l for l in p.stdout.splitlines() if l.startswith("vitrum: note:")]
vt.check(len(notes) == 1 and "exact counts (inertia) skipped" in notes[0] and "INFOG(1) -19" in notes[0] and "KPM counts are used" in notes[0]
         and "PETSC ERROR" not in p.stderr and len(sl.read("nocount.h5", "/spectrum/counts/kpm")) == len(omegas),
         "inertia counts that MUMPS cannot factor: one note naming why, exit 0, the KPM counts written: %s" % notes)
