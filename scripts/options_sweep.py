#!/usr/bin/python3
"""Options sweep: run one vitrum command with every one of its own options set to extreme values, on 2
ranks, and report the runs that broke the error contract (docs/reliability.md): an internal error or
a PETSc traceback, a signal, an exit status other than 0 or 1, an error line printed more than once,
exit status 1 without a `vitrum: error:` line, or output that is not text.

    /usr/bin/python3 scripts/options_sweep.py [--pairs] [--only OPT,OPT...] VITRUM COMMAND [COMMAND ARGS ...]
    e.g. scripts/options_sweep.py build/vitrum spectrum -sample glass.data -potential ka3d

Options are taken from `vitrum COMMAND -help` (those with vitrum's prefixes). Values tried: booleans
0 and 1; integers 0, -1, 1 and 1e9; reals 0, -1, 1e-12, 1e12 and 3; strings 'bogus', nothing, and
every real alternative (the "choose one of" list of -help, or the table ALTERNATIVES below).
With --pairs, instead: every pair of alternatives of two different options that have them (booleans
included), e.g. each -spectrum_method with each -hessian_type, to find settings that break only
together. --only restricts the sweep to the named options. Each run writes -o sweep.out.h5 in the current folder and may take up to 120 s. It finds
crashes, not wrong numbers: a value that runs and gives nonsense passes. Sessions 20-21 used it on
every command (several minutes to an hour each)."""
import re
import subprocess
import sys

PREFIXES = ("-rdf_", "-sq", "-spectrum_", "-kpm_", "-vdos_", "-boson_", "-cv_", "-hessian_", "-mass_", "-potential_", "-lj_",
            "-domain_", "-minimize_", "-fire_", "-response_", "-energy_", "-fit_", "-features_", "-predict_", "-pipeline_", "-ranks_", "-units")
MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-n", "2"]
# string options whose alternatives -help gives in words rather than as a "choose one of" list
ALTERNATIVES = {
    "-hessian_type": ["baij", "sbaij", "shell"],
    "-minimize_type": ["tao", "fire"],
    "-response_strain": ["iso", "xx", "yy", "zz", "xy", "xz", "yz", "none"],
    "-response_pc_type": ["gamg", "jacobi", "pbjacobi", "none", "lu"],
    "-fit_prior": ["auto", "none", "kernel"],
    "-features_targets": ["scalars", "vdos", "cumvdos", "boson", "cv", "moments", "none", "scalars,vdos,cumvdos,boson,cv"],
}


def options(vitrum, command):
    """{option: (default as -help shows it, [its alternatives])} of the command's own options."""
    text = subprocess.run([vitrum, command, "-help"], capture_output=True, text=True, errors="replace").stdout
    found = {}
    for line in text.splitlines():
        m = re.match(r"\s+(-\w+):? <(now )?([^ :>]*)", line)
        if m and m.group(1).startswith(PREFIXES):
            choices = re.search(r"\(choose one of\) (.*) \(", line)
            alternatives = choices.group(1).split() if choices else ALTERNATIVES.get(m.group(1), [])
            found[m.group(1)] = (m.group(3), ["0", "1"] if m.group(3) in ("TRUE", "FALSE") else alternatives)
    return found


def values(default, alternatives):
    if default in ("TRUE", "FALSE"):
        return ["0", "1"]
    if re.match(r"^-?[0-9.e+-]+$", default or "x"):
        return ["0", "-1", "1e-12", "1e12", "3"] if ("." in default or "e" in default) else ["0", "-1", "1", "1000000000"]
    return ["bogus", None] + alternatives


def runs(found, pairs):
    """The option lists to try: one option at a time, or (--pairs) two options with alternatives."""
    if not pairs:
        return [[(option, value)] for option, (default, alternatives) in sorted(found.items()) for value in values(default, alternatives)]
    chosen = sorted(option for option, (default, alternatives) in found.items() if alternatives)
    return [[(a, va), (b, vb)] for i, a in enumerate(chosen) for b in chosen[i + 1:] for va in found[a][1] for vb in found[b][1]]


def broken(proc, text):
    errors = [l for l in text.splitlines() if l.startswith("vitrum: error") or "internal error" in l]
    if "\ufffd" in text or "internal error" in text or "PETSC ERROR" in text or "signal" in text.lower():
        return errors or text.splitlines()[-3:]
    if proc.returncode not in (0, 1) or len(errors) > 1 or (proc.returncode == 1 and not errors):
        return errors or text.splitlines()[-3:]
    return None


def main():
    args, pairs, only = sys.argv[1:], False, None
    while args and args[0] in ("--pairs", "--only"):
        if args[0] == "--pairs":
            pairs, args = True, args[1:]
        else:
            only, args = args[1].split(","), args[2:]
    if len(args) < 2:
        sys.exit(__doc__)
    vitrum, command, base = args[0], args[1], args[2:]
    found = options(vitrum, command)
    if only:
        found = {option: found[option] for option in only if option in found}
    todo = runs(found, pairs)
    nbad = 0
    for setting in todo:
        extra = [word for option, value in setting for word in [option] + ([value] if value is not None else [])]
        argv = MPIRUN + [vitrum, command] + base + extra + ["-o", "sweep.out.h5"]
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, errors="replace", timeout=120, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            print("TIMEOUT %s" % " ".join(extra), flush=True)
            continue
        what = broken(proc, proc.stdout + proc.stderr)
        if what:
            nbad += 1
            print("BROKEN %s: status %d %s" % (" ".join(extra), proc.returncode, what[:2]), flush=True)
    print("%s: %d options, %d runs, %d broke the error contract" % (command, len(found), len(todo), nbad))
    sys.exit(1 if nbad else 0)


if __name__ == "__main__":
    main()
