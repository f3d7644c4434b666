"""`vitrum COMMAND -help` lists the command's own options first and PETSc's and SLEPc's general
options after them (src/main.c, HoldHelp): PETSc prints its ~80 lines in SlepcInitialize, before
the command's option readers run, so a user had to scroll past them. The options vitrum reads
(the names in the PetscOptions* calls of src/, as cli_help_lists_options scans them) all come
before PETSc's "Options for all PETSc programs", which is still printed once, after a heading the
top of the help names; the same on 1 and 2 ranks. -help intro is PETSc's (the usage and its
version; status 0)."""
import glob
import os
import re
import subprocess

from vitrum_testlib import MPIRUN, VITRUM, check

src = os.environ["SRC"]
call = re.compile(r'PetscOptions\w*\(\s*(?:NULL\s*,\s*NULL\s*,\s*|NULL\s*,\s*\w+\s*,\s*)?"(-[a-z][a-z0-9_]*)"')
ours = set()
for path in glob.glob(os.path.join(src, "src", "**", "*.c"), recursive=True):
    with open(path) as f:
        ours |= set(call.findall(f.read()))
listed = re.compile(r"^\s*(-[a-z][a-z0-9_]*)[\s:]")
for command in ("rdf", "spectrum", "pipeline"):
    outputs = []
    for n in (1, 2):
        p = subprocess.run(MPIRUN + ["-n", str(n), VITRUM, command, "-help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
        lines = p.stdout.splitlines()
        petsc = [i for i, line in enumerate(lines) if line.startswith("Options for all PETSc programs")]
        own = [i for i, line in enumerate(lines) if listed.match(line) and listed.match(line).group(1) in ours]
        first = next((i for i, line in enumerate(lines) if listed.match(line)), None)
        check(p.returncode == 0 and len(petsc) == 1 and own and max(own) < petsc[0] and first <= own[0],
              "%s -help (%d ranks): its %d option lines first (lines %s-%s), PETSc's general options after (line %s)"
              % (command, n, len(own), own[0] if own else None, own[-1] if own else None, petsc))
        heading = [i for i, line in enumerate(lines) if line.startswith("PETSc's and SLEPc's general options")]
        check(len(heading) == 1 and max(own) < heading[0] < petsc[0] and "general options" in "\n".join(lines[:own[0]]),
              "%s -help (%d ranks): a heading before PETSc's part, and the top says it follows" % (command, n))
        outputs.append(p.stdout)
    check(outputs[0] == outputs[1], "%s -help: the same on 1 and 2 ranks" % command)
p = subprocess.run([VITRUM, "rdf", "-help", "intro"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
check(p.returncode == 0 and "Usage:" in p.stdout and "Petsc Release Version" in p.stdout and "-rdf_rmax" not in p.stdout,
      "rdf -help intro: the usage and PETSc's version, status 0")
