#!/usr/bin/python3
"""Options sweep: run one vitrum command with every one of its own options set to extreme values, on 2
ranks, and report the runs that broke the error contract (docs/reliability.md): an internal error or
a PETSc traceback, a signal, an exit status other than 0 or 1, an error line printed more than once,
exit status 1 without a `vitrum: error:` line, or output that is not text.

    /usr/bin/python3 scripts/options_sweep.py VITRUM COMMAND [COMMAND ARGS ...]
    e.g. scripts/options_sweep.py build/vitrum spectrum -sample glass.data -potential ka3d

Options are taken from `vitrum COMMAND -help` (those with vitrum's prefixes). Values tried: booleans
0 and 1; integers 0, -1, 1 and 1e9; reals 0, -1, 1e-12, 1e12 and 3; strings 'bogus' and nothing.
Each run writes -o sweep.out.h5 in the current folder and may take up to 120 s. It finds crashes, not
wrong numbers: a value that runs and gives nonsense passes. Session 20 used it on rdf, energy,
hessian, minimize, response, spectrum, fit and features (several minutes to an hour each)."""
import re
import subprocess
import sys

PREFIXES = ("-rdf_", "-sq", "-spectrum_", "-kpm_", "-vdos_", "-boson_", "-cv_", "-hessian_", "-mass_", "-potential_", "-lj_",
            "-domain_", "-minimize_", "-fire_", "-response_", "-energy_", "-fit_", "-features_", "-predict_")
MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-n", "2"]


def options(vitrum, command):
    """{option: default as -help shows it} of the command's own options."""
    text = subprocess.run([vitrum, command, "-help"], capture_output=True, text=True, errors="replace").stdout
    found = {}
    for line in text.splitlines():
        m = re.match(r"\s+(-\w+) <(now )?([^ :>]*)", line)
        if m and m.group(1).startswith(PREFIXES):
            found[m.group(1)] = m.group(3)
    return found


def values(default):
    if default in ("TRUE", "FALSE"):
        return ["0", "1"]
    if re.match(r"^-?[0-9.e+-]+$", default or "x"):
        return ["0", "-1", "1e-12", "1e12", "3"] if ("." in default or "e" in default) else ["0", "-1", "1", "1000000000"]
    return ["bogus", None]


def broken(proc, text):
    errors = [l for l in text.splitlines() if l.startswith("vitrum: error") or "internal error" in l]
    if "\ufffd" in text or "internal error" in text or "PETSC ERROR" in text or "signal" in text.lower():
        return errors or text.splitlines()[-3:]
    if proc.returncode not in (0, 1) or len(errors) > 1 or (proc.returncode == 1 and not errors):
        return errors or text.splitlines()[-3:]
    return None


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    vitrum, command, base = sys.argv[1], sys.argv[2], sys.argv[3:]
    found = options(vitrum, command)
    nbad = 0
    for option, default in sorted(found.items()):
        for value in values(default):
            argv = MPIRUN + [vitrum, command] + base + [option] + ([value] if value is not None else []) + ["-o", "sweep.out.h5"]
            try:
                proc = subprocess.run(argv, capture_output=True, text=True, errors="replace", timeout=120, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                print("TIMEOUT %s %s" % (option, value), flush=True)
                continue
            what = broken(proc, proc.stdout + proc.stderr)
            if what:
                nbad += 1
                print("BROKEN %s %s: status %d %s" % (option, value, proc.returncode, what[:2]), flush=True)
    print("%s: %d options swept, %d runs broke the error contract" % (command, len(found), nbad))
    sys.exit(1 if nbad else 0)


if __name__ == "__main__":
    main()
