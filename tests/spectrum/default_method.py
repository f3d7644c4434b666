"""The default eigensolver of the low modes (src/spectrum/modes.c, VitModesChooseMethod;
docs/spectrum.md): shift-and-invert where MUMPS estimates at most 1e6 flops per degree of freedom
for one factorisation of H (2D samples, sheets), twolevel above (3D samples from about 500 atoms),
silently (the choice is in -info and in the `method` attribute). On 2 ranks:
- a 1000-atom 3D KA glass: twolevel by default, with the estimate above the limit, no note, and
  the lowest 20 eigenvalues of dense LAPACK (numpy, of vitrum's written Hessian) to 1e-8;
  `-spectrum_method sinvert` or a shift-and-invert target (`-spectrum_target`, `-eps_target`) still
  give sinvert, the same eigenvalues; `vitrum response` chooses the same way;
- a 6400-atom 2D KA glass: sinvert by default, with the estimate below the limit;
- a twolevel that the default chose and that does not converge (-spectrum_twolevel_max_it 3) hands
  over with a note: to sinvert where the factor fits, to chebyshev where it does not (a tiny
  -spectrum_factor_max_memory), each with LAPACK's eigenvalues; a twolevel the user asked for
  stops with one error line instead;
- a default twolevel whose residuals stall (a tolerance of 1e-15, below round-off: they stop near
  2e-14) hands over after 200 of its 1000 iterations, the note says they stalled, and sinvert gives
  LAPACK's eigenvalues; a twolevel the user asked for runs on to -spectrum_twolevel_max_it (201:
  past the stall check at iteration 200, every STALL_WINDOW = 100 in src/spectrum/twolevel.c)."""
import re
import numpy as np
import spectrumlib as sl
import vitrum_testlib as vt

LIMIT = 1e6
CHOICE = re.compile(r"default method: a factorisation of H takes (\S+) flops per degree of freedom \(limit (\S+)\): (\w+)")
glass = sl.make_ka_glass("ka1000.data", n_side=10)
flat = sl.make_ka_glass("ka2d_6400.data", n_side=80, dim=2)
ev = np.linalg.eigvalsh(sl.hessian_dense(glass))[3:23]  # relaxed: the 3 translations are the lowest (no eigenvectors: half the time)
base = ["-spectrum_kpm", 0, "-spectrum_inertia", 0, "-info", ":sys"]


def modes(sample, potential, extra, out, command="spectrum"):
    """Run; return stdout, the method attribute, the eigenvalues and the -info choice (or None)."""
    exact = ["-vdos_exact_max_dof", 0] if command == "spectrum" else []  # no dense LAPACK of every eigenvalue
    p = vt.run([command, "-sample", sample, "-potential", potential, "-o", out] + base + exact + extra, 2)
    group = "/%s/modes/eigenvalues" % command
    with sl.h5py.File(out, "r") as f:
        method, lam = f[group].attrs["method"], f[group][()]
    choice = CHOICE.search(p.stdout)
    return p.stdout, method.decode() if isinstance(method, bytes) else method, lam, choice


out, method, lam, choice = modes(glass, "ka3d", [], "default3d.h5")
vt.check(method == "twolevel", "3D glass of 1000 atoms, default: method %s (twolevel)" % method)
vt.check(choice is not None and float(choice.group(1)) > LIMIT and float(choice.group(2)) == LIMIT and choice.group(3) == "twolevel",
         "its -info line: %s" % (choice.group(0) if choice else "missing"))
vt.check("note:" not in out and "warning" not in out, "no note or warning for a method the user did not ask for")
rel = np.max(np.abs(lam[:20] - ev) / ev)
vt.check(len(lam) >= 20 and rel < 1e-8, "its lowest 20 eigenvalues = dense LAPACK to 1e-8 (max %.1e)" % rel)

for extra, name in ((["-spectrum_method", "sinvert"], "-spectrum_method sinvert"), (["-spectrum_target", 1e-3], "-spectrum_target 1e-3"),
                    (["-eps_target", 1e-3], "-eps_target 1e-3")):
    out, method, lam, choice = modes(glass, "ka3d", extra, "given.h5")
    rel = np.max(np.abs(lam[:20] - ev) / ev)
    vt.check(method == "sinvert" and choice is None and rel < 1e-8, "%s: method %s, no default chosen, eigenvalues to %.1e" % (name, method, rel))

out, method, lam, choice = modes(glass, "ka3d", ["-response_nev", 10], "response.h5", "response")
vt.check(method == "twolevel" and choice is not None, "vitrum response on the 3D glass, default: method %s" % method)

out, method, lam, choice = modes(flat, "ka2d", [], "default2d.h5")
vt.check(method == "sinvert" and choice is not None and float(choice.group(1)) <= LIMIT and choice.group(3) == "sinvert",
         "2D glass of 6400 atoms, default: method %s, %s" % (method, choice.group(0) if choice else "no -info line"))

UNCONVERGED = re.compile(r"vitrum: note: LOBPCG with the two-level preconditioner: (\d+) of 20 modes converged to \S+ after 3 iterations; the lowest modes are computed by (.*) instead")
for extra, then in ((["-spectrum_twolevel_max_it", 3], "sinvert"), (["-spectrum_twolevel_max_it", 3, "-spectrum_factor_max_memory", 0.001], "chebyshev")):
    out, method, lam, choice = modes(glass, "ka3d", extra, "handover.h5")
    note = UNCONVERGED.search(out)
    rel = np.max(np.abs(lam[:20] - ev) / ev)
    vt.check(note is not None and int(note.group(1)) < 20 and ("-spectrum_method %s" % then) in out[note.end():].split("\n")[0] and out.count("LOBPCG with the two-level preconditioner: ") == 1,
             "default twolevel, 3 iterations: one note hands over to %s (%s)" % (then, note.group(0) if note else out))
    vt.check(method == then and rel < 1e-8, "the modes come from %s (%s), LAPACK's eigenvalues to %.1e" % (then, method, rel))

p = vt.run(["spectrum", "-sample", glass, "-potential", "ka3d", "-o", "asked.h5", "-spectrum_method", "twolevel", "-spectrum_twolevel_max_it", 3] + base, 2, expect_fail=True)
errors = [l for l in (p.stdout + p.stderr).splitlines() if l.startswith("vitrum: error:")]
vt.check(len(errors) == 1 and "modes converged" in errors[0] and "LOBPCG with the two-level preconditioner: " not in p.stdout,
         "-spectrum_method twolevel asked for, 3 iterations: one error line, no hand-over (%s)" % errors)

STALLED = re.compile(r"vitrum: note: LOBPCG with the two-level preconditioner: \d+ of 20 modes converged to 1e-15 after (\d+) iterations, their residuals stalled \(less than a decade gained in all in the last 100 iterations\); the lowest modes are computed by shift-and-invert instead")
out, method, lam, choice = modes(glass, "ka3d", ["-spectrum_twolevel_tol", 1e-15], "stalled.h5")
note = STALLED.search(out)
rel = np.max(np.abs(lam[:20] - ev) / ev)
vt.check(note is not None and int(note.group(1)) < 1000 and out.count("LOBPCG with the two-level preconditioner: ") == 1,
         "default twolevel, tolerance below round-off: one note, the residuals stalled, handed over before -spectrum_twolevel_max_it (%s)" % (note.group(0) if note else out))
vt.check(method == "sinvert" and rel < 1e-8, "the modes come from sinvert (%s), LAPACK's eigenvalues to %.1e" % (method, rel))
p = vt.run(["spectrum", "-sample", glass, "-potential", "ka3d", "-o", "asked_stall.h5", "-spectrum_method", "twolevel", "-spectrum_twolevel_tol", 1e-15,
            "-spectrum_twolevel_max_it", 201] + base, 2, expect_fail=True)
errors = [l for l in (p.stdout + p.stderr).splitlines() if l.startswith("vitrum: error:")]
vt.check(len(errors) == 1 and "after 201 iterations" in errors[0] and "stalled" not in p.stdout,
         "-spectrum_method twolevel asked for, tolerance below round-off: it runs its 201 iterations and stops with one error line (%s)" % errors)
