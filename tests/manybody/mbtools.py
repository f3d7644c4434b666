"""Helpers for the manybody_ tests: samples, LAMMPS reference runs, vitrum runs.

Samples are crystals (fcc, diamond/zincblende) with random species and random displacements,
written as LAMMPS data files (atom_style atomic). LAMMPS (`lmp`) computes the reference energies
per atom and forces on the same file with the same potential file."""
import os
import subprocess
import numpy as np
import h5py

POTENTIALS = "/usr/share/lammps/potentials"
REPOSITORY_POTENTIALS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "potentials")
MASSES = {"Cu": 63.546, "Zr": 91.224, "Ta": 180.948, "Al": 26.982, "Si": 28.0855, "C": 12.011, "Ga": 69.723, "N": 14.007,
          "Ni": 58.6934, "Cd": 112.414, "Te": 127.6}


def add_sample_arguments(parser):
    """Command-line options shared by the tests that build a crystal sample for a many-body potential."""
    parser.add_argument("--file", required=True, help="potential file (Debian's by name) or 'smooth-fs' (written here); "
                        "for the funcfl style eam one file per type, comma separated")
    parser.add_argument("--elements", required=True)
    parser.add_argument("--lattice", default="diamond")
    parser.add_argument("--a", type=float, required=True)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--fractions", default="1")


def lattice(kind, a, reps):
    """Cartesian positions of an fcc or diamond lattice of reps^3 cubic cells, and the box length."""
    base = {"fcc": [[0, 0, 0], [0, .5, .5], [.5, 0, .5], [.5, .5, 0]]}
    base["diamond"] = base["fcc"] + [[x + .25, y + .25, z + .25] for x, y, z in base["fcc"]]
    cells = np.array([[i, j, k] for i in range(reps) for j in range(reps) for k in range(reps)], float)
    frac = (cells[:, None, :] + np.array(base[kind])[None, :, :]).reshape(-1, 3)
    return frac * a, reps * a


def write_data(path, x, types, box, elements, tilt=0.0):
    """LAMMPS data file, atom_style atomic, ids 1..N, types 1..len(elements); a cubic box, or with
    tilt != 0 a triclinic one with xy = xz = yz = tilt * box (lattice sheared with it)."""
    cell = box * np.array([[1, 0, 0], [tilt, 1, 0], [tilt, tilt, 1]])
    x = (x / box % 1.0) @ cell
    with open(path, "w") as f:
        f.write("manybody test sample\n\n%d atoms\n%d atom types\n\n" % (len(x), len(elements)))
        for k in "xyz":
            f.write("0.0 %.17g %slo %shi\n" % (box, k, k))
        if tilt:
            f.write("%.17g %.17g %.17g xy xz yz\n" % (tilt * box, tilt * box, tilt * box))
        f.write("\nMasses\n\n")
        for t, e in enumerate(elements):
            f.write("%d %g\n" % (t + 1, MASSES[e]))
        f.write("\nAtoms # atomic\n\n")
        for i, (p, t) in enumerate(zip(x, types)):
            f.write("%d %d %.17g %.17g %.17g\n" % (i + 1, t + 1, p[0], p[1], p[2]))


def make_sample(path, kind, a, reps, elements, fractions, jitter, seed, tilt=0.0):
    rng = np.random.default_rng(seed)
    x, box = lattice(kind, a, reps)
    x = x + rng.normal(scale=jitter, size=x.shape)
    types = rng.choice(len(elements), size=len(x), p=fractions)
    write_data(path, x, types, box, elements, tilt)
    return len(x)


def lammps_reference(data, style, potfile, elements, prefix="lmp"):
    """Per-atom energies (N) and forces (N, 3) in id order, and the total energy, from LAMMPS."""
    dump = prefix + ".dump"
    inp = prefix + ".in"
    with open(inp, "w") as f:
        f.write("units metal\natom_style atomic\nboundary p p p\nread_data %s\n" % data)
        f.write(pair_commands(style, potfile, elements))
        f.write("neighbor 1.0 bin\ncompute pe all pe/atom\n")
        f.write("thermo_style custom step pe press pxx pyy pzz pxy pxz pyz vol\nthermo_modify format float %.17g\n")
        f.write("dump d all custom 1 %s id c_pe fx fy fz\ndump_modify d format float %%.17g sort id\n" % dump)
        f.write("run 0\n")
    out = subprocess.run(["lmp", "-in", inp, "-log", prefix + ".log", "-screen", "none"], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("lmp failed: " + out.stdout + out.stderr)
    rows = np.loadtxt(dump, skiprows=9)
    return rows[:, 1], rows[:, 2:5], lammps_thermo(prefix + ".log")


def pair_commands(style, potfile, elements):
    """pair_style and pair_coeff lines; funcfl (style eam): `pair_coeff t t file` per type."""
    if style == "eam":
        files = potfile.split(",")
        return "pair_style eam\n" + "".join("pair_coeff %d %d %s\n" % (t + 1, t + 1, potential_path(files[t if len(files) > 1 else 0]))
                                            for t in range(len(elements)))
    return "pair_style %s\npair_coeff * * %s %s\n" % (style, potential_path(potfile), " ".join(elements))


def lammps_thermo(log):
    """The thermo line of run 0: pe press pxx pyy pzz pxy pxz pyz vol."""
    lines = open(log).read().splitlines()
    for k, line in enumerate(lines):
        if line.split()[:2] == ["Step", "PotEng"]:
            return np.array([float(v) for v in lines[k + 1].split()[1:]])
    raise RuntimeError("no thermo output in " + log)


def run(cmd, expect_fail=False, env=None):
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if (out.returncode != 0) != expect_fail:
        raise RuntimeError("%s: exit %d\n%s%s" % (" ".join(cmd), out.returncode, out.stdout, out.stderr))
    return out


def mpirun(np_):
    return os.environ.get("MPIRUN", "mpirun --allow-run-as-root --oversubscribe").split() + ["-n", str(np_)]


def vitrum_energy(data, potential, potfile, elements, nranks, out, bare_name=False):
    """Per-atom energies, forces and the virial from `vitrum energy`. With bare_name the file is
    given by its name alone and $LAMMPS_POTENTIALS is unset, as in a batch job, so vitrum must find
    it where LAMMPS does: the repository's potentials/, else Debian's /usr/share/lammps/potentials."""
    env = {k: v for k, v in os.environ.items() if k != "LAMMPS_POTENTIALS"} if bare_name else None
    run(mpirun(nranks) + [os.environ["VITRUM"], "energy", "-sample", data, "-potential", potential]
        + potential_options(potential, potfile, elements, bare_name) + ["-o", out], env=env)
    with h5py.File(out, "r") as h5:
        return h5["/energy/per_atom"][...], h5["/forces"][...].reshape(-1, 3), h5["/energy/virial"][...]


def potential_options(potential, potfile, elements, bare_name=False):
    """-potential_file (by full path, or with bare_name as given, for vitrum to find) and
    -potential_elements (which funcfl ignores)."""
    files = potfile if bare_name else ",".join(potential_path(f) for f in potfile.split(","))
    return ["-potential_file", files, "-potential_elements", ",".join(elements)]


def potential_path(potfile):
    """Paths (e.g. written by a test) as given; bare names from the repository's potentials/ folder,
    else Debian's."""
    shipped = os.path.join(REPOSITORY_POTENTIALS, potfile)
    return potfile if os.path.exists(potfile) else shipped if os.path.exists(shipped) else os.path.join(POTENTIALS, potfile)


def write_smooth_fs(path, elements=("Cu", "Zr"), nrho=2000, drho=0.01, nr=2000, dr=0.003):
    """An eam/fs file of smooth analytic functions at full precision (so LAMMPS's spline has no
    table noise), with rho_ab != rho_ba so that the Finnis-Sinclair mapping is exercised:
    F_a(rho) = -e_a sqrt(1 + rho) + q_a rho^2, rho_ab(r) = A_ab exp(-b_ab (r - 2.5)) s(r),
    phi_ab(r) = D_ab (exp(-2 al (r - r0_ab)) - 2 exp(-al (r - r0_ab))) s(r), s(r) = (1 - r/rc)^4."""
    rc = (nr - 1) * dr
    rho = np.arange(nrho) * drho
    r = np.arange(nr) * dr
    s = (1 - r / rc) ** 4
    ne = len(elements)

    def block(v):
        return "\n".join(" ".join("%.17g" % x for x in v[k:k + 5]) for k in range(0, len(v), 5)) + "\n"

    with open(path, "w") as f:
        f.write("smooth analytic eam/fs test potential\nwritten by tests/manybody/mbtools.py\n#\n")
        f.write("%d %s\n%d %.17g %d %.17g %.17g\n" % (ne, " ".join(elements), nrho, drho, nr, dr, rc))
        for a, el in enumerate(elements):
            f.write("%d %g 4.0 fcc\n" % (a + 1, MASSES[el]))
            f.write(block(-(1.0 + 0.5 * a) * np.sqrt(1 + rho) + 0.002 * (a + 1) * rho ** 2))
            for b in range(ne):
                f.write(block((0.8 + 0.3 * a + 0.1 * b) * np.exp(-(1.1 + 0.2 * b - 0.1 * a) * (r - 2.5)) * s))
        for a in range(ne):
            for b in range(a + 1):
                r0, depth, al = 2.5 + 0.2 * (a + b), 0.3 + 0.1 * a * b, 1.4
                f.write(block(r * depth * (np.exp(-2 * al * (r - r0)) - 2 * np.exp(-al * (r - r0))) * s))


def lammps_relax(data, style, potfile, elements, out, prefix="relax", melt=0.0):
    """Relax a sample with LAMMPS (fixed box, conjugate gradients to |F| < 1e-10 eV/A) and write it;
    with melt = T > 0, first 6 ps of NVT molecular dynamics at T (K), then the relaxation (a quench
    to an amorphous-like local minimum)."""
    inp = prefix + ".in"
    with open(inp, "w") as f:
        f.write("units metal\natom_style atomic\nboundary p p p\nread_data %s\n" % data)
        f.write(pair_commands(style, potfile, elements))
        if melt > 0:
            f.write("velocity all create %g 4928459 dist gaussian\nfix md all nvt temp %g %g 0.1\nrun 6000\nunfix md\n" % (melt, melt, melt))
        f.write("min_style fire\nminimize 0 1e-10 20000 200000\nmin_style cg\nminimize 0 1e-10 5000 50000\n")
        f.write("write_data %s\n" % out)
    run(["lmp", "-in", inp, "-log", prefix + ".log", "-screen", "none"])
