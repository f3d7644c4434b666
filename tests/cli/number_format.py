"""Numbers in vitrum's messages are C's %g: 6, 0, 0.02, never PETSc's '6.', '0.'.

PETSc's printing (PetscPrintf, PetscSNPrintf, PetscCheck, SETERRQ, PetscInfo, ...) rewrites a bare
'%g' so that an integral value ends in a dot; vitrum writes '%.6g' (the same number as C's %g)
in every format PETSc formats. Checked two ways: the sources hold no bare '%g' in such a format,
and rdf's note and summary and an option error print integral values plainly (before:
'rmax 6.', '(0.)', 'r < 6.', '-rdf_dr 10. is larger than -rdf_rmax 3.')."""
import glob
import os
import re
import subprocess

import numpy as np

from vitrum_testlib import check

src, exe = os.environ["SRC"], os.environ["VITRUM"]
mpirun = os.environ.get("MPIRUN", "mpirun --allow-run-as-root --oversubscribe").split()
PETSC = {"PetscCheck", "PetscCheckAbort", "PetscPrintf", "PetscFPrintf", "PetscSynchronizedPrintf", "PetscSNPrintf",
         "PetscInfo", "SETERRQ", "SETERRABORT", "PetscViewerASCIIPrintf"}
literal = re.compile(r'"(?:[^"\\\n]|\\.)*"')
bare = []
for path in sorted(glob.glob(os.path.join(src, "src", "**", "*.[ch]"), recursive=True)):
    text = open(path).read()
    text = re.sub(r"/\*.*?\*/|//[^\n]*", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    for m in literal.finditer(text):
        if "%g" not in m.group(0):
            continue
        start = max(text.rfind(c, 0, m.start()) for c in ";{}")
        if PETSC & set(re.findall(r"(\w+)\s*\(", text[start + 1:m.start()])):
            bare.append("%s:%d" % (os.path.relpath(path, src), text.count("\n", 0, m.start()) + 1))
check(not bare, "no bare %g in a format PETSc formats" + (": give %.6g at " + ", ".join(bare[:10]) if bare else ""))

# A flat sheet in a box with 20 of vacuum along z: rdf's note names rmax and the next empty layer.
rng = np.random.default_rng(4)
n, lx, ly, lz = 200, 13.0, 14.0, 20.0
with open("sheet.xyz", "w") as f:
    f.write(f'{n}\nLattice="{lx} 0 0 0 {ly} 0 0 0 {lz}" Properties=species:S:1:pos:R:3 pbc="T T F"\n')
    for x, y in rng.uniform(0, 1, (n, 2)) * [lx, ly]:
        f.write(f"C {x!r} {y!r} 10.0\n")


def vitrum(args, expect):
    p = subprocess.run(mpirun + ["-n", "1", exe] + [str(a) for a in args], capture_output=True, text=True, timeout=120)
    check(p.returncode == expect, "vitrum %s: exit %d\n%s%s" % (args[0], p.returncode, p.stdout, p.stderr))
    return p.stdout + p.stderr


out = vitrum(["rdf", "-sample", "sheet.xyz", "-sample_dimension", 3, "-rdf_rmax", 6, "-rdf_dr", 0.02, "-o", "r.h5"], 0)
check("wider than rmax 6 and" in out and "next empty layer (0)" in out and "r < 6 in bins of 0.02:" in out,
      "rdf prints rmax 6, the empty layer 0, r < 6 in bins of 0.02:\n" + out)
check(not re.search(r"(?<![\w.])\d+\.(?!\w)", out),
      "no number with a trailing dot in rdf's output:\n" + out)
out = vitrum(["rdf", "-sample", "sheet.xyz", "-sample_dimension", 3, "-rdf_rmax", 3, "-rdf_dr", 10, "-o", "r.h5"], 1)
check("-rdf_dr 10 is larger than -rdf_rmax 3" in out, "an option error names -rdf_dr 10, -rdf_rmax 3:\n" + out)
