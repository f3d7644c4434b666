"""jobscripts/lammps/in.metallic and in.covalent with -var potdir a folder whose name has a space
(before: pair_coeff * * ${potdir}/FILE split the path into two words, "Incorrect args for pair
coefficients"). Each family's potential file is linked into 'pot dir' (the Cu-Zr-Al file is in the
repository's potentials/ only, the others also in Debian's folder, so LAMMPS's own line "Reading ...
potential file PATH" shows which file it read); 4-8 atoms, no MD steps, the out file in 'pot dir' too."""
import os
import subprocess

import vitrum_testlib as vt

SRC = os.environ["SRC"]
DEBIAN = "/usr/share/lammps/potentials"
POTDIR = os.path.abspath("pot dir")
# (input, variable, value, potential file's folder, file, LAMMPS prints "Reading STYLE potential file")
CASES = [("in.metallic", "alloy", "cuzral", os.path.join(SRC, "potentials"), "ZrCuAl2011.eam.alloy", None),
         ("in.metallic", "alloy", "cuzr", DEBIAN, "CuZr_mm.eam.fs", "eam/fs"),
         ("in.covalent", "material", "sic", DEBIAN, "SiC.tersoff", "tersoff"),
         ("in.covalent", "material", "si", DEBIAN, "Si.sw", "sw")]
os.makedirs(POTDIR)
for script, var, value, folder, name, style in CASES:
    os.symlink(os.path.join(folder, name), os.path.join(POTDIR, name))
    out = os.path.join(POTDIR, value + ".data")
    p = subprocess.run(["lmp", "-log", "none", "-in", os.path.join(SRC, "jobscripts", "lammps", script), "-var", var, value,
                        "-var", "nx", "1", "-var", "nmelt", "0", "-var", "neq", "0", "-var", "nquench", "0",
                        "-var", "potdir", POTDIR, "-var", "out", '"""%s"""' % out],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = "Reading %s potential file %s/%s" % (style, POTDIR, name) if style else ""
    ok = p.returncode == 0 and os.path.isfile(out) and line in p.stdout
    if not ok:
        print(p.stdout[-1500:])
    vt.check(ok, "%s %s: lmp ran with potdir '%s', wrote %s%s" % (script, value, POTDIR, out, ", and printed '%s'" % line if line else ""))
print("ok")
