"""manybody_ bad-input tests: malformed EAM, Tersoff and Stillinger-Weber files, absurd table
sizes, a file of another pair style than -potential, elements missing from the file, a wrong
-potential_elements count and overlapping atoms must each end `vitrum energy` (2 ranks) with exit
status 1, one error line naming the file and line (or the option), and no output."""
import os
import sys
import mbtools as mb

mb.make_sample("sic.data", "diamond", 4.36, 3, ["Si", "C"], [0.5, 0.5], 0.05, 3)
mb.make_sample("alcu.data", "fcc", 4.05, 4, ["Al", "Cu"], [0.5, 0.5], 0.05, 3)
mb.make_sample("si.data", "diamond", 5.43, 3, ["Si"], [1.0], 0.05, 3)
mb.make_sample("ni.data", "fcc", 3.52, 3, ["Ni"], [1.0], 0.05, 3)
open("named_ni.data", "w").write(open("ni.data").read().replace("\n1 58.6934\n", "\n1 58.6934 # Ni\n"))  # type 1 named Ni
lines = {name: open(os.path.join(mb.POTENTIALS, name)).read().splitlines(True) for name in ("AlCu.eam.alloy", "CuZr_mm.eam.fs", "SiC.tersoff", "Si.sw", "Cu_u3.eam")}


def write(path, text):
    with open(path, "w") as f:
        f.write("".join(text))
    return path


def edited(name, line, old, new):
    """The file with the first `old` on 1-based line `line` replaced by `new`."""
    text = list(lines[name])
    assert old in text[line - 1], (name, line, text[line - 1])
    text[line - 1] = text[line - 1].replace(old, new, 1)
    return text


def first_entry_line(name, triplet):
    return next(k + 1 for k, l in enumerate(lines[name]) if l.split()[:3] == triplet)


si_line = first_entry_line("SiC.tersoff", ["Si", "Si", "Si"])
sw_line = first_entry_line("Si.sw", ["Si", "Si", "Si"])
cases = [  # sample, potential, file, elements, expected text in the error line
    ("alcu.data", "eam/alloy", write("bad_number.eam.alloy", edited("AlCu.eam.alloy", 10, "e", "x")), "Al,Cu",
     "bad_number.eam.alloy:10: '"),
    ("alcu.data", "eam/alloy", write("short.eam.alloy", lines["AlCu.eam.alloy"][:500]), "Al,Cu", "short.eam.alloy:5: the grid Nrho=1000 Nr=3000 needs 17004 more numbers but the file has"),
    # a truncated eam/fs file, short of both formats: the requested style's reader says where it ends
    # (the file was once called an eam/alloy file, "use -potential eam/alloy (not eam/fs)")
    ("alcu.data", "eam/fs", write("short.eam.fs", lines["CuZr_mm.eam.fs"][:500]), "Cu,Zr", "short.eam.fs:5: the grid Nrho=10000 Nr=10000 needs 90004 more numbers but the file has"),
    ("alcu.data", "eam/alloy", "short.eam.fs", "Cu,Zr", "short.eam.fs:5: the grid Nrho=10000 Nr=10000 needs 70004 more numbers but the file has"),
    ("alcu.data", "eam/alloy", write("bad_grid.eam.alloy", edited("AlCu.eam.alloy", 5, "1000", "-10")), "Al,Cu", "bad_grid.eam.alloy:5: bad grid"),
    ("alcu.data", "eam/alloy", "AlCu.eam.alloy", "Al,Zr", "element Zr (atom type 2) is not in"),
    ("alcu.data", "eam/alloy", "AlCu.eam.alloy", "Al", "-potential_elements Al names 1 elements but the sample has 2 atom types"),
    ("alcu.data", "eam/alloy", "no_such_file.eam.alloy", "Al,Cu", "-potential_file no_such_file.eam.alloy: no such file in the working directory, in "),
    ("sic.data", "tersoff", "./no_such_file.tersoff", "Si,C", "cannot open the Tersoff potential file ./no_such_file.tersoff"),
    ("sic.data", "tersoff", "SiC.tersoff", "Si,Ge", "SiC.tersoff has no entry for the element triplet"),
    ("sic.data", "tersoff", write("bad_number.tersoff", edited("SiC.tersoff", si_line, "100390", "1OO390")), "Si,C",
     "bad_number.tersoff:%d: '1OO390' is not a number (parameter 4 of the entry Si Si Si)" % si_line),
    ("sic.data", "tersoff", write("bad_d.tersoff", edited("SiC.tersoff", si_line + 1, " 0.15 ", " 3.15 ")), "Si,C",
     "bad_d.tersoff:%d: illegal parameters for the triplet Si Si Si: D must not exceed R" % si_line),
    ("sic.data", "tersoff", write("short.tersoff", lines["SiC.tersoff"][:si_line]), "Si,C",
     "short.tersoff:%d: file ends within the entry starting at line %d" % (si_line, si_line)),
    # absurd table sizes: one line before anything is allocated
    ("alcu.data", "eam/alloy", write("huge.eam.alloy", edited("AlCu.eam.alloy", 5, "1000", "400000000")), "Al,Cu",
     "huge.eam.alloy:5: the grid Nrho=400000000 Nr=3000 needs"),
    ("si.data", "eam", write("huge.eam", edited("Cu_u3.eam", 3, "500", "4000000000")), "Cu",
     "huge.eam:3: the grid Nrho=4000000000 Nr=500 needs"),
    # a file of another pair style: named, with the style to use
    ("alcu.data", "eam", "CuZr_mm.eam.fs", "Cu,Zr", "CuZr_mm.eam.fs is an eam/fs file: use -potential eam/fs (not eam)"),
    ("alcu.data", "eam/alloy", "CuZr_mm.eam.fs", "Cu,Zr", "CuZr_mm.eam.fs is an eam/fs file: use -potential eam/fs (not eam/alloy)"),
    ("alcu.data", "eam/fs", "AlCu.eam.alloy", "Al,Cu", "AlCu.eam.alloy is an eam/alloy file: use -potential eam/alloy (not eam/fs)"),
    ("alcu.data", "eam/alloy", "Cu_u3.eam", "Al,Cu", "Cu_u3.eam is an eam (DYNAMO funcfl) file: use -potential eam (not eam/alloy)"),
    ("si.data", "sw", "Si.tersoff", "Si", "Si.tersoff is a tersoff file: use -potential tersoff (not sw)"),
    ("si.data", "tersoff", "Si.sw", "Si", "Si.sw is a sw file: use -potential sw (not tersoff)"),
    ("si.data", "tersoff", "Si.tersoff.mod", "Si", "Si.tersoff.mod is a tersoff/mod file: use -potential tersoff/mod (not tersoff)"),
    ("si.data", "tersoff/mod", "Si.tersoff", "Si", "Si.tersoff is a tersoff file: use -potential tersoff (not tersoff/mod)"),
    ("sic.data", "tersoff", "SiC.tersoff.zbl", "Si,C", "SiC.tersoff.zbl is a tersoff/zbl or tersoff/mod/c file (LAMMPS pair_style tersoff/zbl), which vitrum does not implement"),
    ("si.data", "tersoff/zbl", "SiC.tersoff.zbl", "Si", "-potential tersoff/zbl: unknown or unsupported pair style"),
    ("alcu.data", "eam", "Cu_u3.eam,Cu_u3.eam,Cu_u3.eam", "", "-potential eam takes one funcfl file for all 2 atom types or one per type"),
    # funcfl files name no elements but give their atomic number Z (line 2): a type named by an element
    # (by the sample, or by -potential_elements) must get that element's file (ran silently before)
    ("named_ni.data", "eam", "Cu_u3.eam", "", "-potential eam: atom type 1 of named_ni.data is Ni (Z = 28), but its funcfl file (-potential_file "),
    ("ni.data", "eam", "Cu_u3.eam", "Ni", "-potential eam: atom type 1 of ni.data is Ni (Z = 28), but its funcfl file (-potential_file "),
    ("alcu.data", "eam", "Ni_u3.eam,Cu_u3.eam", "Al,Cu", "atom type 1 of alcu.data is Al (Z = 13), but its funcfl file (-potential_file "),
    # Stillinger-Weber files
    ("si.data", "sw", write("bad_number.sw", edited("Si.sw", sw_line, "2.0951", "2.O951")), "Si",
     "bad_number.sw:%d: '2.O951' is not a number (parameter 2 of the entry Si Si Si)" % sw_line),
    ("si.data", "sw", write("negative.sw", edited("Si.sw", sw_line, "21.0", "-21.0")), "Si",
     "negative.sw:%d: illegal parameters for the triplet Si Si Si: only cos theta0 may be negative" % sw_line),
    ("sic.data", "sw", "Si.sw", "Si,C", "Si.sw has no entry for the element triplet Si Si C"),
]
# two atoms 0.3 A apart
text = open("sic.data").read().splitlines(True)
k = next(i for i, l in enumerate(text) if l.startswith("Atoms")) + 2
x = [float(v) for v in text[k].split()[2:5]]
text[k + 1] = "2 1 %.17g %.17g %.17g\n" % (x[0] + 0.3, x[1], x[2])
write("close.data", text)
cases.append(("close.data", "tersoff", "SiC.tersoff", "Si,C", "close.data: atoms with ids 1 and 2 are 0.3 apart, closer than -potential_min_distance 0.5"))

failed = False
# a potential file's mass that is subnormal (1e-320): used where the sample has no masses, so a
# command that needs them (hessian) must refuse it like a sample's (it ended in a LAPACK failure)
mb.make_sample("cu.data", "fcc", 3.615, 3, ["Cu"], [1.0], 0.05, 3)
text = open("cu.data").read()
start = text.index("Masses")
write("cu_nomass.data", text[:start] + text[text.index("Atoms"):])
write("tiny_mass.eam", edited("Cu_u3.eam", 2, "63.550", "1e-320"))
out = mb.run(mb.mpirun(2) + [os.environ["VITRUM"], "hessian", "-sample", "cu_nomass.data", "-potential", "eam", "-potential_file", "tiny_mass.eam", "-o", "tiny.h5"], expect_fail=True)
errors = [l for l in out.stderr.splitlines() if l.startswith("vitrum: error:")]
ok = out.returncode == 1 and len(errors) == 1 and "the potential file's mass of atom type 1 is 9.99989e-321: a mass is a positive number" in errors[0] and not os.path.exists("tiny.h5")
failed |= not ok
print("%-6s hessian with a subnormal mass in the funcfl file: %s" % ("ok" if ok else "FAILED", errors[0] if errors else out.stderr[-500:]))
for sample, potential, potfile, elements, expected in cases:
    if os.path.exists("out.h5"):
        os.remove("out.h5")
    out = mb.run(mb.mpirun(2) + [os.environ["VITRUM"], "energy", "-sample", sample, "-potential", potential, "-potential_file",
                                 ",".join(f if os.path.exists(f) or f.startswith(("no_", "./no_")) else mb.potential_path(f) for f in potfile.split(",")),
                                 ] + (["-potential_elements", elements] if elements else []) + ["-o", "out.h5"], expect_fail=True)
    errors = [l for l in out.stderr.splitlines() if l.startswith("vitrum: error:")]
    ok = out.returncode == 1 and len(errors) == 1 and expected in errors[0] and not os.path.exists("out.h5")
    failed |= not ok
    print("%-6s exit %d, %s" % ("ok" if ok else "FAILED", out.returncode, errors[0] if errors else out.stderr[-500:]))
    if not ok:
        print("       expected one line with: " + expected)
sys.exit(1 if failed else 0)
