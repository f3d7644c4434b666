"""Options files and PETSC_OPTIONS keep the error contract (docs/reliability.md): PETSc reads them
inside SlepcInitialize, before vitrum's error handler exists, and stopped at a bad line with its
traceback and MPI_ABORT (an extra word, a bare word, two options on a line, a missing file), or
skipped a word that is no option's value in PETSC_OPTIONS without a word. vitrum reads them first
(VitOptionsWalk, src/common/optionsfiles.c, with main.c's check as visitor): one line naming the
file and line (or PETSC_OPTIONS), the word, and what to give; status 1, no output, on 1 and 2
ranks. Files with comments, blank lines, tabs and several commands' options, nested files and
PETSC_OPTIONS that PETSc accepts still run.

-o is refused where it is an options file the run read (the -o check is the walker's other
visitor), however PETSc found it: a "quoted name with blanks" in an options file or in
PETSC_OPTIONS, the option spelt -OPTIONS_FILE (PETSc compares option names without case), named
after more than 1 MiB of an options file. The -o check had its own splitter (at blanks, no
quotes, the first 1 MiB, -options_file only): it missed these and the run wrote over the file."""
import os

import numpy as np

from vitrum_testlib import check, random_sample, run, write_lammps_data

pos, types = random_sample(40, np.eye(3) * 5.0, seed=1)
write_lammps_data("a.data", np.eye(3) * 5.0, (0, 0, 0), types, pos)
files = {
    "extra.opts": "# spectrum settings\n\n-spectrum_nev 5 10\n",      # line 3: an extra word
    "bare.opts": "-rdf_rmax 2.4\nrdf_dr 0.1\n",                       # line 2: no leading -
    "two.opts": "-rdf_rmax 2.4 -sq\n",                                # two options on one line
    "nested.opts": "-rdf_rmax 2.4\n-options_file nosuch.opts\n",      # a missing file within a file
    "samples.opts": "-samples a.data b.data\n",                       # several values
    "good.opts": "# options of several commands\n\n  -rdf_rmax 2.4   # rmax\n\t-rdf_dr\t0.1\n-fit_lambda 1\n-options_file more.opts\n",
    "more.opts": "-sq\n",
}
for name, text in files.items():
    with open(name, "w") as f:
        f.write(text)
os.mkdir("adir")
RDF = ["rdf", "-sample", "a.data", "-o", "out.h5"]
ONE = "each option takes one value; a list is one word, comma-separated (-spectrum_count_omega 2,4,6)"
errors = [  # (command line, PETSC_OPTIONS, the error line after "vitrum: error: ")
    (RDF + ["-options_file", "extra.opts"], None, "extra.opts:3: unexpected argument '10' (after -spectrum_nev 5): " + ONE),
    (RDF + ["-options_file", "bare.opts"], None, "bare.opts:2: unexpected argument 'rdf_dr': give options as -NAME VALUE, one a line"),
    (RDF + ["-options_file", "two.opts"], None, "two.opts:1: -rdf_rmax 2.4 -sq: two options on one line: give each option on a line of its own"),
    (RDF + ["-options_file", "nosuch.opts"], None, "-options_file nosuch.opts: cannot read it (No such file or directory): give an options file"),
    (RDF + ["-options_file", "adir"], None, "-options_file adir: cannot read it (Is a directory): give an options file"),
    (RDF + ["-options_file", "nested.opts"], None, "nested.opts:2: -options_file nosuch.opts: cannot read it (No such file or directory): give an options file"),
    (RDF + ["-options_file"], None, "-options_file without a file name: give -options_file FILE"),
    (["features", "-options_file", "samples.opts", "-o", "out.h5"], None,
     "samples.opts:1: unexpected argument 'b.data' (after -samples a.data): each option takes one value; give several samples to features or predict as -samples 'GLOB' or -sample_list FILE (-samples A B ... on the command line only)"),
    (RDF, "-rdf_rmax 2.4 -spectrum_nev 5 10", "PETSC_OPTIONS: unexpected argument '10' (after -spectrum_nev 5): " + ONE),
    (RDF, "stray -rdf_rmax 2.4", "PETSC_OPTIONS: unexpected argument 'stray': give options as -NAME VALUE"),
    (RDF, "-options_file nosuch.opts", "PETSC_OPTIONS: -options_file nosuch.opts: cannot read it (No such file or directory): give an options file"),
]


def refused(args, env, n):
    """vitrum args with PETSC_OPTIONS env (None: unset) on n ranks, expected to fail: the process,
    its output, its error lines and the run as the checks name it."""
    if env is None:
        os.environ.pop("PETSC_OPTIONS", None)
    else:
        os.environ["PETSC_OPTIONS"] = env
    p = run(args, n, expect_fail=True)
    out = p.stdout + p.stderr
    lines = [line for line in out.splitlines() if "error" in line.lower()]
    return p, out, lines, "%s%s (%d ranks)" % ("PETSC_OPTIONS='%s' " % env if env else "", " ".join(args[1:]), n)


for n in (1, 2):
    for args, env, expected in errors:
        p, out, lines, name = refused(args, env, n)
        check(p.returncode == 1 and lines == ["vitrum: error: " + expected] and "PETSC ERROR" not in out and "MPI_ABORT" not in out
              and not os.path.exists("out.h5"), "%s: %s" % (name, lines))
    os.environ.pop("PETSC_OPTIONS", None)

    # what PETSc reads, vitrum runs: comments, blank lines, tabs, another command's option (a warning), nested files
    p = run(RDF + ["-options_file", "good.opts"], n)
    check(os.path.exists("out.h5") and "error" not in p.stderr and "-fit_lambda 1 was given but not used" in p.stdout,
          "-options_file good.opts (%d ranks) runs; -fit_lambda is a warning" % n)
    os.remove("out.h5")
    os.environ["PETSC_OPTIONS"] = "  -rdf_rmax 2.4 -sq -options_file more.opts"
    run(RDF, n)
    check(os.path.exists("out.h5"), "PETSC_OPTIONS with a leading blank, an option without a value and a file (%d ranks) runs" % n)
    os.remove("out.h5")
    os.environ.pop("PETSC_OPTIONS")

# -o that is an options file PETSc read, named the ways the -o check's former splitter missed:
# refused, the file left as it was
same = "is the same file as the input"
files = {
    "my opts.txt": "-rdf_rmax 2.4\n",
    "quoted.opts": '# a name with a blank\n-options_file "my opts.txt"\n',
    "inner.opts": "-rdf_rmax 2.4\n",
    "big.opts": "# padding\n" * 120000 + "-options_file inner.opts\n",  # 1.2 MB before the name
}
for name, text in files.items():
    with open(name, "w") as f:
        f.write(text)
RDF_A = ["rdf", "-sample", "a.data"]
outputs = [  # (command line, PETSC_OPTIONS, the error line after "vitrum: error: ")
    (RDF_A + ["-options_file", "quoted.opts", "-o", "my opts.txt"], None, "-o my opts.txt %s -options_file my opts.txt" % same),
    (RDF_A + ["-o", "my opts.txt"], '-options_file "my opts.txt"', "-o my opts.txt %s -options_file my opts.txt" % same),
    (RDF_A + ["-OPTIONS_FILE", "inner.opts", "-o", "inner.opts"], None, "-o inner.opts %s -OPTIONS_FILE inner.opts" % same),
    (RDF_A + ["-options_file", "big.opts", "-o", "inner.opts"], None, "-o inner.opts %s -options_file inner.opts" % same),
]
for n in (1, 2):
    for args, env, expected in outputs:
        p, out, lines, name = refused(args, env, n)
        check(p.returncode == 1 and len(lines) == 1 and lines[0].startswith("vitrum: error: " + expected + ": ")
              and open(args[-1]).read() == files[args[-1]], "%s: refused, the options file intact: %s" % (name, lines))
    os.environ.pop("PETSC_OPTIONS", None)
