"""Every option vitrum reads is listed by -help: the option names in the PetscOptions* calls of
src/ (PetscOptionsInt("-name", ...), PetscOptionsGetReal(NULL, NULL, "-name", ...), ...) must each
appear in the -help output of at least one command. PETSc's and SLEPc's own options (-eps_*,
-st_*, -ksp_*, ...), which vitrum only gives defaults, are theirs to list. Fails with the options
that no -help names, and where the source reads them. The values -help shows for vitrum's options
must not look like uninitialised memory (a denormal such as 1.13618e-313, or a magnitude above
1e15), as -spectrum_count_omega once showed."""
import glob
import os
import re
import subprocess
import sys

from vitrum_testlib import check

src, exe = os.environ["SRC"], os.environ["VITRUM"]
PETSC_PREFIXES = ("eps_", "st_", "ksp_", "pc_", "mat_", "bv_", "ds_", "rg_", "tao_", "log_", "options_", "info", "help",
                  "malloc", "memory_view", "snes_", "mg_", "pc_gamg")
call = re.compile(r'PetscOptions\w*\(\s*(?:NULL\s*,\s*NULL\s*,\s*|NULL\s*,\s*\w+\s*,\s*)?"(-[a-z][a-z0-9_]*)"')
read = {}
for path in sorted(glob.glob(os.path.join(src, "src", "**", "*.c"), recursive=True)):
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            for name in call.findall(line):
                if not name[1:].startswith(PETSC_PREFIXES):
                    read.setdefault(name, "%s:%d" % (os.path.relpath(path, src), lineno))
check(len(read) > 100, "the scan found the options (%d)" % len(read))

usage = subprocess.run([exe], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
commands = re.findall(r"^\s{2,}([a-z]+)\s{2,}", usage, re.M)
check(len(commands) >= 10, "the usage lists the commands (%s)" % " ".join(commands))
listed, garbage = set(), []
shown = re.compile(r"^\s*(-[a-z][a-z0-9_]*)\s*:?\s*<([^>]*)>", re.M)
number = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?")
for cmd in commands:
    p = subprocess.run([exe, cmd, "-help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    check(p.returncode == 0, "vitrum %s -help: status 0 (got %d)" % (cmd, p.returncode))
    listed |= set(re.findall(r"^\s*(-[a-z][a-z0-9_]*)[\s:]", p.stdout, re.M))
    for name, values in shown.findall(p.stdout):
        if name in read:
            for v in map(float, number.findall(values)):
                if v != 0 and (abs(v) < 1e-300 or abs(v) > 1e15):
                    garbage.append("vitrum %s -help: %s <%s>" % (cmd, name, values))
for line in sorted(set(garbage)):
    print("value like uninitialised memory: " + line)
check(not garbage, "no vitrum option's -help value looks like uninitialised memory")
missing = sorted(set(read) - listed)
for name in missing:
    print("not listed by any -help: %s (read at %s)" % (name, read[name]))
check(not missing, "every option read in src/ is listed by some command's -help (%d of %d)" % (len(read) - len(missing), len(read)))
print("ok: %d options, %d commands" % (len(read), len(commands)))
