"""io_data_labels: type labels in a LAMMPS data file's Masses, PairIJ Coeffs and Pair Coeffs.

Since 2022 LAMMPS reads a Masses line as the `mass` command and a coefficient line as `pair_coeff`,
so both take the type labels of an `Atom Type Labels` section (`Cu 63.546`, `Cu Zr 1.5 0.8 2.5`).
The same configuration written with type numbers and with labels must give the same sample
(`info`) and the same energies (`energy -potential lj/cut`, coefficients from the file), and the
energy must be the Lennard-Jones sum computed here with numpy. An unknown label is one error line
naming it and the file's labels, never an `unknown section`."""
import sys

import h5py
import numpy as np

from vitio import check, jittered_cubic, run

nranks = int(sys.argv[1]) if len(sys.argv) > 1 else 2
LABELS = ["Cu", "Zr", "Al"]
MASSES = [1.0, 2.0, 0.7]
PAIRS = {(1, 1): (1.0, 1.0, 2.5), (1, 2): (1.5, 0.8, 2.0), (1, 3): (0.9, 0.95, 2.35),
         (2, 2): (0.5, 0.88, 2.2), (2, 3): (0.63, 0.89, 2.3), (3, 3): (0.8, 0.9, 2.25)}

# 125 atoms on a jittered simple cubic lattice (no overlaps), box 5.5 > twice every cutoff
rng = np.random.default_rng(5)
n_side, a = 5, 1.1
L = n_side * a
x = jittered_cubic(n_side, a, rng)
types = rng.integers(1, 4, size=len(x))


def write(path, label_masses, label_pairs, label_atoms, comment_line=""):
    name = lambda t, use: LABELS[t - 1] if use else str(t)
    with open(path, "w") as f:
        f.write("type labels test\n\n%d atoms\n3 atom types\n\n" % len(x))
        f.write("".join("0 %r %slo %shi\n" % (L, d, d) for d in "xyz"))
        f.write("\nAtom Type Labels\n\n" + "".join("%d %s\n" % (t, LABELS[t - 1]) for t in (1, 2, 3)))
        f.write("\nMasses\n\n" + "".join("%s %r%s\n" % (name(t, label_masses), MASSES[t - 1], comment_line) for t in (1, 2, 3)))
        f.write("\nPairIJ Coeffs # lj/cut\n\n")
        f.write("".join("%s %s %r %r %r\n" % (name(i, label_pairs), name(j, label_pairs), *PAIRS[i, j]) for i, j in PAIRS))
        f.write("\nAtoms # atomic\n\n")
        f.write("".join("%d %s %r %r %r\n" % (k + 1, name(t, label_atoms), *x[k]) for k, t in enumerate(types)))


def reference_energy():
    """Lennard-Jones energy of all pairs within the cutoffs (minimum image: L > 2 rc), unshifted."""
    d = x[:, None, :] - x[None, :, :]
    d -= L * np.round(d / L)
    r = np.linalg.norm(d, axis=2)
    total = 0.0
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            eps, sig, rc = PAIRS[tuple(sorted((types[i], types[j])))]
            if r[i, j] < rc:
                total += 4 * eps * ((sig / r[i, j]) ** 12 - (sig / r[i, j]) ** 6)
    return total


def energy(path):
    out = path.replace(".data", ".energy.h5")
    run(["energy", "-sample", path, "-potential", "lj/cut", "-o", out], nranks)
    with h5py.File(out, "r") as h5:
        return h5["/energy/total"][()], h5["/energy/per_atom"][()]


def info(path):
    return [l for l in run(["info", "-sample", path], nranks).splitlines() if not l.startswith("sample:")]


write("numbers.data", False, False, False)
write("labels.data", True, True, True, comment_line=" # a comment")
write("mixed.data", True, False, True)
write("pairlabels.data", False, True, False)
ref_total = reference_energy()
num_total, num_atoms = energy("numbers.data")
check(abs(num_total - ref_total) <= 1e-10 * abs(ref_total), "numbered types: energy %.15g, numpy %.15g" % (num_total, ref_total))
for f in ("labels.data", "mixed.data", "pairlabels.data"):
    total, atoms = energy(f)
    check(total == num_total and np.array_equal(atoms, num_atoms), f + ": labels in Masses/PairIJ Coeffs give the numbered file's energies, bitwise")
    check(info(f) == info("numbers.data"), f + ": the numbered file's sample (info)")

# one type, Pair Coeffs by label
with open("one.data", "w") as f:
    f.write("one type\n\n2 atoms\n1 atom types\n\n0 6 xlo xhi\n0 6 ylo yhi\n0 6 zlo zhi\n\nAtom Type Labels\n\n1 Ar\n\n")
    f.write("Masses\n\nAr 39.95\n\nPair Coeffs # lj/cut\n\nAr 0.8 1.1 3.0\n\nAtoms # atomic\n\n1 Ar 1 1 1\n2 Ar 2.3 1 1\n")
total, _ = energy("one.data")
ref = 4 * 0.8 * ((1.1 / 1.3) ** 12 - (1.1 / 1.3) ** 6)
check(abs(total - ref) <= 1e-12 * abs(ref), "Pair Coeffs by label: energy %.15g, numpy %.15g" % (total, ref))

# an unknown label: one line naming it and the labels known, at its line
for path, old, new, where in (("badmass.data", "\nZr 2.0 ", "\nZx 2.0 ", "Masses"), ("badpair.data", "\nCu Zr 1.5", "\nCu Zx 1.5", "PairIJ Coeffs")):
    text = open("labels.data").read()
    open(path, "w").write(text.replace(old, new))
    line = text[:text.index(old)].count("\n") + 2
    p = run(["info", "-sample", path], nranks, expect=1)
    err = [l for l in p.splitlines() if "error" in l]
    check(len(err) == 1 and "%s:%d: %s: unknown atom type (Zx; the file's type labels are Cu, Zr, Al)" % (path, line, where) in err[0]
          and "section" not in err[0].replace("Atom Type Labels", ""), "%s: an unknown label in %s: %s" % (path, where, err))
# labels before an Atom Type Labels section: named as such
text = open("labels.data").read()
start, end = text.index("\nAtom Type Labels"), text.index("\nMasses")
open("nolabels.data", "w").write(text[:start] + text[end:])
p = run(["info", "-sample", "nolabels.data"], nranks, expect=1)
err = [l for l in p.splitlines() if "error" in l]
check(len(err) == 1 and "Masses: unknown atom type (Cu; the file has no type labels before this line)" in err[0], "labels without Atom Type Labels: %s" % err)
sys.exit(0)
