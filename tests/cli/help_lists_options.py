"""Every option vitrum reads is listed by -help: the option names in the PetscOptions* and
VitOptions* calls of src/ (PetscOptionsInt("-name", ...), PetscOptionsGetReal(NULL, NULL, "-name",
...), VitOptionsString("-name", ...), VitOptionsAutoInt("-name", ...), ...) must each
appear in the -help output of at least one command. PETSc's and SLEPc's own options (-eps_*,
-st_*, -ksp_*, ...), which vitrum only gives defaults, are theirs to list. Fails with the options
that no -help names, and where the source reads them. The values -help shows for vitrum's options
must not look like uninitialised memory (a denormal such as 1.13618e-313, or a magnitude above
1e15), as -spectrum_count_omega once showed.
A command lists the options of the commands it runs: features those of rdf and spectrum (the
sample input, -potential, -potential_file, -units, -rdf_rmax, -rdf_dr, ...), pipeline those of
features and fit (docs/pipeline.md), predict those of rdf that -sample's g(r) is computed with
(all but -format, -frame, -sample_dimension: predict reads a sample by its extension, its last
frame) and -potential_elements, which names the sample's pairs, fit the potential's (its exact
kernels); -fit_lambda, which
has no default value, says how lambda is chosen instead. The -o of the commands with a default
output name says that name drops the input's extension; rdf's -sq_qmax says that above pi/dr
there is a warning, not a limit. A default -help shows is one the option takes (-kpm_moments,
-potential_min_distance, and the other defaults spectrum chooses: auto); features' -o, -vdos_omega_max and -vdos_bins say how they relate to
the spectrum entries of the same names; predict's -sample says its g(r) is on the model's r grid.
Each command lists the options of src/domain/ (-domain_grid, -domain_view) where it decomposes a
sample: where the functions its entry point (main.c's table) reaches in src/ read them (a call
graph of src/ by function names; energy and minimize read both and listed neither).
`vitrum -help` is vitrum's usage once
(the commands, a pointer to `vitrum COMMAND -help`), without PETSc's generic options, status 0."""
import glob
import os
import re
import subprocess
import sys

from vitrum_testlib import check

src, exe = os.environ["SRC"], os.environ["VITRUM"]
PETSC_PREFIXES = ("eps_", "st_", "ksp_", "pc_", "mat_", "bv_", "ds_", "rg_", "tao_", "log_", "options_", "info", "help",
                  "malloc", "memory_view", "snes_", "mg_", "pc_gamg")
call = re.compile(r'(?:PetscOptions|VitOptions)\w*\(\s*(?:NULL\s*,\s*NULL\s*,\s*|NULL\s*,\s*\w+\s*,\s*)?"(-[a-z][a-z0-9_]*)"')
read = {}
# the functions of src/: (file, name) -> [is static, the vitrum options its body reads, the names it uses];
# a definition starts at column 0 with its name before "(" and ends at the next "}" at column 0
definition = re.compile(r"^(static\s+)?(?:inline\s+)?[A-Za-z_][\w\s\*]*?\b([A-Za-z_]\w*)\s*\([^;]*$")
functions = {}
for path in sorted(glob.glob(os.path.join(src, "src", "**", "*.c"), recursive=True)):
    rel, body = os.path.relpath(path, src), None
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            m = definition.match(line)
            if m and not line[0].isspace() and not line.startswith(("#", "}", "/")):
                body = functions[(rel, m.group(2))] = [m.group(1) is not None, set(), set()]
            elif body is not None:
                body[2].update(re.findall(r"\b[A-Za-z_]\w*\b", line))
                if line.startswith("}"):
                    body = None
            for name in call.findall(line):
                if not name[1:].startswith(PETSC_PREFIXES):
                    read.setdefault(name, "%s:%d" % (rel, lineno))
                    if body is not None:
                        body[1].add(name)
check(len(read) > 100, "the scan found the options (%d)" % len(read))


public = {}
for key, (static, _, _) in functions.items():
    if not static:
        public.setdefault(key[1], []).append(key)


def reached_options(entry):
    """The options read by the functions that entry reaches, as (option, file) pairs; a name
    resolves to the function of that name in the same file, else to the non-static ones."""
    seen, todo, options = set(), list(public.get(entry, [])), set()
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        options.update((name, key[0]) for name in functions[key][1])
        for used in functions[key][2]:
            same = (key[0], used)
            todo.extend([same] if same in functions else public.get(used, []))
    return options

usage = subprocess.run([exe], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
commands = re.findall(r"^\s{2,}([a-z]+)\s{2,}", usage, re.M)
check(len(commands) >= 10, "the usage lists the commands (%s)" % " ".join(commands))
top = subprocess.run([exe, "-help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
check(top.returncode == 0, "vitrum -help: status 0 (got %d)" % top.returncode)
check(top.stdout.count("Usage:") == 1 and "COMMAND -help" in top.stdout and re.findall(r"^\s{2,}([a-z]+)\s{2,}", top.stdout, re.M) == commands,
      "vitrum -help: the usage once, with the commands and a pointer to COMMAND -help")
check("Options for all PETSc programs" not in top.stdout and "SLEPc Release" not in top.stdout and len(top.stdout.splitlines()) < 40,
      "vitrum -help: no PETSc or SLEPc help (%d lines)" % len(top.stdout.splitlines()))
listed, garbage, by_command, help_text = set(), [], {}, {}
shown = re.compile(r"^\s*(-[a-z][a-z0-9_]*)\s*:?\s*<([^>]*)>", re.M)
number = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?")
for cmd in commands:
    p = subprocess.run([exe, cmd, "-help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    check(p.returncode == 0, "vitrum %s -help: status 0 (got %d)" % (cmd, p.returncode))
    by_command[cmd] = set(re.findall(r"^\s*(-[a-z][a-z0-9_]*)[\s:]", p.stdout, re.M))
    help_text[cmd] = p.stdout
    listed |= by_command[cmd]
    for name, values in shown.findall(p.stdout):
        if name in read:
            for v in map(float, number.findall(values)):
                if v != 0 and (abs(v) < 1e-300 or abs(v) > 1e15):
                    garbage.append("vitrum %s -help: %s <%s>" % (cmd, name, values))
for line in sorted(set(garbage)):
    print("value like uninitialised memory: " + line)
check(not garbage, "no vitrum option's -help value looks like uninitialised memory")
entries = dict(re.findall(r'\{"([a-z]+)",\s*(VitCmd\w+)', open(os.path.join(src, "src", "main.c")).read()))
check(sorted(entries) == sorted(commands), "main.c's table names the commands of the usage (%s)" % " ".join(sorted(entries)))
decomposing = []
for cmd in commands:
    domain = sorted({name for name, where in reached_options(entries[cmd]) if where.startswith("src/domain/")})
    if domain:
        decomposing.append(cmd)
    gap = sorted(set(domain) - by_command[cmd])
    check(not gap, "vitrum %s -help lists the domain options it reads (missing: %s)" % (cmd, " ".join(gap)))
check({"rdf", "energy", "minimize", "hessian", "spectrum"} <= set(decomposing) and "info" not in decomposing,
      "the call graph finds the commands that decompose a sample (%s)" % " ".join(decomposing))
for cmd, runs in (("features", ("rdf", "spectrum")), ("pipeline", ("features", "fit"))):
    for other in runs:
        gap = sorted(by_command[other] - by_command[cmd])
        check(not gap, "vitrum %s -help lists the options of %s, which it runs (missing: %s)" % (cmd, other, " ".join(gap)))
for cmd in ("features", "pipeline"):
    gap = sorted({"-potential", "-potential_file", "-units", "-rdf_rmax", "-rdf_dr"} - by_command[cmd])
    check(not gap, "vitrum %s -help lists the potential, units and rdf grid options (missing: %s)" % (cmd, " ".join(gap)))
gap = sorted(by_command["rdf"] - {"-format", "-frame", "-sample_dimension"} - by_command["predict"]) + sorted({"-potential_elements"} - by_command["predict"])
check(not gap, "vitrum predict -help lists the rdf options its -sample g(r) is computed with and -potential_elements (missing: %s)" % " ".join(gap))
gap = sorted({"-potential", "-potential_file", "-potential_elements"} - by_command["fit"])
check(not gap, "vitrum fit -help lists the potential options of its exact kernels (missing: %s)" % " ".join(gap))
lam = re.search(r"^\s*-fit_lambda\b.*$", help_text["fit"], re.M).group(0)
check("default" in lam and "<1." not in lam, "vitrum fit -help: -fit_lambda says how lambda is chosen, shows no default of 1 (%s)" % lam.strip())
# the default -o drops the input's extension (VitOutputPath: glass.data -> ./glass.rdf.h5); the
# help once said "the sample's file name + .rdf.h5"
for cmd, suffix in (("rdf", ".rdf.h5"), ("energy", ".energy.h5"), ("hessian", ".hessian.h5"), ("spectrum", ".spectrum.h5"),
                    ("response", ".response.h5"), ("minimize", ".min.data"), ("fit", ".model.h5")):
    o = re.search(r"^\s*-o\b.*$", help_text[cmd], re.M).group(0)
    check("file name without its extension + " + suffix in o and "in the current folder" in o,
          "vitrum %s -help: the default -o is the input's file name without its extension + %s, in the current folder (%s)" % (cmd, suffix, o.strip()))
# -sq_qmax above pi/dr is allowed with a warning (cmd_rdf.c, docs/structure.md); the help once said "at most pi/dr"
qmax = re.search(r"^\s*-sq_qmax\b.*$", help_text["rdf"], re.M).group(0)
check("at most" not in qmax and "warning" in qmax, "vitrum rdf -help: -sq_qmax above pi/dr gives a warning, not a limit (%s)" % qmax.strip())
# a default -help shows must be a value the option takes: -kpm_moments showed <now 0> (0 is refused,
# 2 to 10^6; not given: from -vdos_resolution), -potential_min_distance <-1.> (refused: 0 to the cutoff)
# the other defaults the command chooses show auto too, not their sentinel 0 (VitOptionsAutoInt/Real)
for name, words in (("-kpm_moments", ("<now auto", "2 to 1000000")), ("-potential_min_distance", ("<now auto", "cutoff")),
                    ("-spectrum_target", ("<now auto",)), ("-vdos_resolution", ("<now auto",)), ("-kpm_lambda_min", ("<now auto", "finite")),
                    ("-kpm_lambda_max", ("<now auto", "finite")), ("-boson_max_moments", ("<now auto",)), ("-boson_omega_min", ("<now auto",))):
    line = re.search(r"^\s*%s\b.*$" % name, help_text["spectrum"], re.M).group(0)
    check(all(w in line for w in words), "vitrum spectrum -help: %s shows its default as auto and its range (%s)" % (name, line.strip()))
# features runs rdf and spectrum and lists their options after its own: its -o, -vdos_omega_max and
# -vdos_bins say how they relate to the spectrum entries of the same names (listed twice, with other
# defaults; the spectrum's -o, a file name default, does not apply)
feat = help_text["features"]
first = {name: re.search(r"^\s*%s\b.*$" % name, feat, re.M).group(0) for name in ("-o", "-vdos_omega_max", "-vdos_bins")}
check("does not apply" in first["-o"] and "-features_cache" in first["-o"], "vitrum features -help: its -o says the spectrum section's -o does not apply (%s)" % first["-o"].strip())
check(all("also sets each sample's spectrum grid" in first[n] for n in ("-vdos_omega_max", "-vdos_bins")),
      "vitrum features -help: -vdos_omega_max and -vdos_bins say they also set each sample's spectrum grid")
check(re.search(r"^Each sample's g\(r\) and spectrum are computed with the rdf and spectrum options below.*-o does not apply", feat, re.M) is not None,
      "vitrum features -help: a line before the rdf and spectrum options says what of them applies")
# predict computes -sample's g(r) on the model's grid: -rdf_dr and -rdf_rmax given are replaced
sample = re.search(r"^\s*-sample\b.*$", help_text["predict"], re.M).group(0)
check("model's r grid" in sample and "-rdf_dr" in sample and "replace" in sample, "vitrum predict -help: -sample's g(r) is on the model's r grid, -rdf_dr/-rdf_rmax replaced (%s)" % sample.strip())
missing = sorted(set(read) - listed)
for name in missing:
    print("not listed by any -help: %s (read at %s)" % (name, read[name]))
check(not missing, "every option read in src/ is listed by some command's -help (%d of %d)" % (len(read) - len(missing), len(read)))
print("ok: %d options, %d commands" % (len(read), len(commands)))
