"""/meta's command_line records the whole command line, the command included (docs/schema.md): it
once read `vitrum -sample cu.data ...` for every command, since main takes the command off the
arguments PETSc sees. Checked for energy, hessian, spectrum and rdf on 1 and 2 ranks."""
import h5py
import numpy as np

from vitrum_testlib import check, run, write_lammps_data

grid = np.array([(i, j, k) for i in range(4) for j in range(4) for k in range(4)], float) * 1.1
write_lammps_data("sc.data", np.eye(3) * 4.4, (0, 0, 0), [1] * 64, grid)
pot = ["-potential", "lj"]
commands = {
    "energy": pot,
    "hessian": pot,
    "spectrum": pot + ["-spectrum_nev", 0, "-spectrum_inertia", 0, "-kpm_moments", 16, "-kpm_vectors", 2],
    "rdf": ["-rdf_rmax", 2],
}
for n in (1, 2):
    for cmd, extra in commands.items():
        out = "%s_%d.h5" % (cmd, n)
        args = [cmd, "-sample", "sc.data", "-o", out] + [str(a) for a in extra]
        run(args, n)
        with h5py.File(out, "r") as f:
            line = f["/meta"].attrs["command_line"]
        line = line.decode() if isinstance(line, bytes) else line
        check(line == "vitrum " + " ".join(args), "%s (%d ranks): command_line %r" % (cmd, n, line))
