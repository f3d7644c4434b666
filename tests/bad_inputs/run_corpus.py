"""Run the bad-input corpus (corpus.py) on the rank counts of --ranks (1 and 2). For every run:
exit status 1; the line `vitrum: error:` printed exactly once and containing the expected
fragment; no PETSc traceback, no "internal error", no MPI_ABORT banner; no new file in the case's
folder (no output, no .tmp; a features cache folder may fill) and the inputs unchanged; the run
ends within 30 s (a timeout, not a timing assertion: a hang is a failure).
Under ASan/UBSan (--sanitized) a sanitizer report is a failure too.
Cases in corpus.KNOWN_FAILING are expected failures (XFAIL, listed at the end with their reason);
one of them that passes is reported as XPASS so that the lead can prune the set.

The cases in OPTION_CASES (below: refused on their options before any input is read) run on the
rank counts of --option-ranks only, where given (the plain build: 1; the sanitizer build runs every
case on 2 ranks). --classify lists, with strace, the cases whose 1-rank run opens or looks at no
file of its folder, and fails if a case of OPTION_CASES does.

usage: run_corpus.py [--ranks 1,2] [--option-ranks 1] [--jobs 4] [--only REGEX] [--keep] [--sanitized] [--classify]"""
import argparse
import concurrent.futures
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

VITRUM = os.environ.get("VITRUM", "vitrum")
MPIRUN = os.environ.get("MPIRUN", "mpirun --allow-run-as-root --oversubscribe").split()
TIMEOUT = 30
FORBIDDEN = [("PETSC ERROR", "a PETSc traceback"), ("internal error", "'internal error'"), ("MPI_ABORT", "an MPI_ABORT banner"),
             ("AddressSanitizer", "an AddressSanitizer report"), ("runtime error:", "an UndefinedBehaviorSanitizer report"),
             ("Traceback (most recent call last)", "a Python traceback")]


# Cases refused on their options alone, before any input is read: the 1-rank run opens, stats or
# lists no file of the case folder, not even a missing one (`run_corpus.py --classify`, strace).
# Every rank checks the same options and raises the error on PETSC_COMM_WORLD: nothing is read,
# sent or received before it, so a 1-rank and a 2-rank run differ only in MPI's start (singleton or
# mpirun) and in the end-of-run agreement (VitEndOfRun), which every other case runs on both rank
# counts. With --option-ranks 1 (the plain build) these run on 1 rank only; the sanitizer build
# runs every case on 2 ranks. A case not listed here runs on every rank count of --ranks.
OPTION_CASES = {
    "dump_frame_text", "fit_missing_data_option", "fit_lambda_zero", "fit_lambda_negative", "fit_lambda_nan",
    "fit_lambda_inf", "fit_lambda_max_inf", "fit_lambda_text", "fit_lambda_min_zero", "fit_lambda_max_below_min",
    "fit_lambda_count_zero", "fit_lambda_count_huge", "fit_cv_one", "fit_cv_negative", "fit_smooth_3",
    "fit_smooth_weight_negative", "fit_smooth_weight_text", "fit_smooth_weight_in_list", "fit_smooth_weight_twice",
    "fit_smooth_weight_nan", "fit_test_fraction_one", "fit_test_fraction_negative", "predict_no_model_option",
    "fit_test_samples_too_long", "rdf_output_path_too_long", "convert_units_too_long",
    "features_samples_pattern_too_long", "frame_too_long", "predict_no_input_option", "rdf_rmax_text", "sq_nq_zero",
    "sq_nq_negative", "sq_nq_huge", "sq_qmax_negative", "sq_qmax_zero", "sq_qmax_inf", "rdf_no_sample",
    "spectrum_pr_bands_zero", "spectrum_cv_range_three", "spectrum_cv_range_one", "spectrum_cv_range_inf",
    "spectrum_cv_range_nan", "spectrum_pr_bands_negative", "spectrum_nev_negative", "spectrum_method_unknown",
    "spectrum_target_negative", "spectrum_target_inf", "spectrum_target_nan", "spectrum_count_omega_inf",
    "spectrum_softspot_negative", "spectrum_count_omega_negative", "kpm_moments_zero", "kpm_moments_negative",
    "kpm_vectors_zero", "kpm_vectors_negative", "kpm_lambda_inverted", "vdos_bins_zero", "vdos_omega_max_negative",
    "vdos_omega_max_inf", "vdos_resolution_nan", "hessian_type_unknown", "hessian_max_memory_zero",
    "features_no_samples", "features_kind_unknown", "features_smooth_negative", "features_vdos_sigma_inf",
    "features_vdos_omega_max_nan",
    "hessian_max_memory_inf", "hessian_ftol_inf", "spectrum_precond_max_memory_inf", "spectrum_factor_max_memory_inf",
    "spectrum_factor_max_flops_inf", "spectrum_precond_shift_inf", "kpm_lambda_min_nan", "kpm_lambda_max_inf",
    "response_param_step_inf", "response_dipole_rmax_inf", "response_precond_max_memory_inf", "features_smooth_inf",
    "features_rmin_nan", "features_rmax_inf", "features_atom_sigma_inf", "features_atom_dr_inf",
    "features_atom_vdos_omega_max_nan", "kpm_moments_fraction", "kpm_moments_1e20", "vdos_resolution_text"
}


def snapshot(folder):
    """Every file under folder (the features cache folders cache/ and vitrum_cache/ excluded) with
    its content hash; folders as 'dir'."""
    caches = ("cache", "vitrum_cache")
    state = {}
    for root, dirs, files in os.walk(folder):
        rel = os.path.relpath(root, folder)
        if rel.split(os.sep)[0] in caches:
            continue
        for d in dirs:
            if rel != "." or d not in caches:
                state[os.path.normpath(os.path.join(rel, d))] = "dir"
        for f in files:
            with open(os.path.join(root, f), "rb") as fh:
                state[os.path.normpath(os.path.join(rel, f))] = hashlib.sha1(fh.read()).hexdigest()
    return state


def run_case(case, nranks, workdir, setup_dir):
    """Returns (problems, error line): an empty list when the case behaves."""
    cid, args, _, expect = case
    folder = os.path.join(workdir, f"np{nranks}", cid)
    if os.path.exists(folder):
        shutil.rmtree(folder)
    corpus.write_case(folder, case, setup_dir)
    before = snapshot(folder)
    # one rank: vitrum itself (an MPI singleton, as a user runs it); an error exit under mpirun
    # costs ~2 s of mpirun's waiting, not CPU, so the pool below may be wider than the cores
    cmd = ([VITRUM] if nranks == 1 else MPIRUN + ["-n", str(nranks), VITRUM]) + args
    proc = subprocess.Popen(cmd, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return [f"no exit within {TIMEOUT} s (killed)"], ""
    problems = []
    errors = [line for line in out.splitlines() if "vitrum: error:" in line]
    if proc.returncode != 1:
        problems.append(f"exit status {proc.returncode}")
    if len(errors) != 1:
        problems.append(f"{len(errors)} 'vitrum: error:' lines")
    elif expect not in errors[0]:
        problems.append(f"error line lacks '{expect}': {errors[0].strip()}")
    problems += [f"output has {what}" for key, what in FORBIDDEN if key in out]
    after = snapshot(folder)
    new = sorted(set(after) - set(before))
    changed = sorted(k for k in before if k in after and after[k] != before[k])
    gone = sorted(set(before) - set(after))
    if new:
        problems.append(f"left behind {new}")
    if changed or gone:
        problems.append(f"changed inputs {changed + gone}")
    if problems:
        tail = "\n".join(out.strip().splitlines()[-6:])
        problems.append("last output lines:\n      " + tail.replace("\n", "\n      "))
    return problems, errors[0] if errors else ""


def touched_files(case, workdir, setup_dir):
    """The paths in the case folder (the folder itself included) that the case's 1-rank run opens,
    stats, lists or creates, from strace -f -y (PETSc's look for ./.petscrc and the dynamic loader's
    library search excluded)."""
    folder = os.path.join(workdir, "classify", case[0])
    shutil.rmtree(folder, ignore_errors=True)
    corpus.write_case(folder, case, setup_dir)
    trace = folder + ".strace"
    subprocess.run(["strace", "-f", "-qq", "-y", "-e", "trace=%file", "-o", trace, VITRUM] + case[1], cwd=folder,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=TIMEOUT, check=False)
    touched = set()
    with open(trace, errors="replace") as fh:
        for line in fh:
            m = re.search(r"^\d+\s+(\w+)\((?:(?:AT_FDCWD|\d+)<([^>]*)>, )?\"([^\"]*)\"", line)
            if not m or m.group(1) in ("execve", "getcwd") or not m.group(3) or ".so" in m.group(3):
                continue
            path = os.path.normpath(os.path.join(m.group(2) or folder, m.group(3)))
            if (path + os.sep).startswith(folder + os.sep) and os.path.basename(path) not in (".petscrc", "petscrc"):
                touched.add(os.path.relpath(path, folder))
    os.remove(trace)
    shutil.rmtree(folder)
    return sorted(touched)


def classify(cases, workdir, setup_dir, jobs):
    """Prints the cases whose 1-rank run touches no file of its folder; fails if a case of
    OPTION_CASES touches one (it reads an input: it runs on both rank counts)."""
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        touched = dict(zip([c[0] for c in cases], pool.map(lambda c: touched_files(c, workdir, setup_dir), cases)))
    free = [cid for cid, t in touched.items() if not t]
    wrong = [f"{cid} ({', '.join(touched[cid])})" for cid in touched if cid in OPTION_CASES and touched[cid]]
    unlisted = [cid for cid in free if cid not in OPTION_CASES]
    print(f"{len(free)} of {len(cases)} cases touch no file of their folder: " + " ".join(free))
    if unlisted:
        print("not in OPTION_CASES (may be added): " + " ".join(unlisted))
    if wrong:
        print("in OPTION_CASES but touching files (take them out): " + "; ".join(wrong))
    sys.exit(1 if wrong else 0)

def setup(setup_dir):
    """A valid model (m.model.h5) fitted by vitrum on the corpus dataset."""
    os.makedirs(setup_dir, exist_ok=True)
    corpus.write_file(os.path.join(setup_dir, "d.h5"), corpus.dataset(), setup_dir)
    subprocess.run(MPIRUN + ["-n", "1", VITRUM, "fit", "-data", "d.h5", "-o", "m.model.h5", "-fit_lambda", "0.1"], cwd=setup_dir, check=True,
                   stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ranks", default="1,2")
    ap.add_argument("--option-ranks", default="", help="the rank counts of the cases of OPTION_CASES (default: --ranks)")
    ap.add_argument("--classify", action="store_true", help="list the cases that touch no file of their folder (strace)")
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--only", default="")
    ap.add_argument("--workdir", default="corpus_run")
    ap.add_argument("--keep", action="store_true", help="keep the case folders of passing cases")
    ap.add_argument("--sanitized", action="store_true", help="vitrum is built with ASan/UBSan: the id@san known failures apply")
    a = ap.parse_args()
    corpus.check_ids()
    unknown = OPTION_CASES - {c[0] for c in corpus.CASES}
    assert not unknown, f"OPTION_CASES names unknown cases: {unknown}"
    setup_dir = os.path.abspath(os.path.join(a.workdir, "setup"))
    setup(setup_dir)
    cases = [c for c in corpus.CASES if re.search(a.only, c[0])]
    if a.classify:
        classify(cases, os.path.abspath(a.workdir), setup_dir, a.jobs)
    ranks = [int(n) for n in a.ranks.split(",")]
    option_ranks = [int(n) for n in (a.option_ranks or a.ranks).split(",")]
    jobs = [(c, n) for n in sorted(set(ranks + option_ranks)) for c in cases if n in (option_ranks if c[0] in OPTION_CASES else ranks)]
    noption = sum(c[0] in OPTION_CASES for c in cases)
    print(f"{len(cases)} cases x ranks {a.ranks} ({noption} of them, refused on their options, on ranks {a.option_ranks or a.ranks}): "
          f"{len(jobs)} runs, {a.jobs} at a time", flush=True)
    counts = {"PASS": 0, "FAIL": 0, "XFAIL": 0, "XPASS": 0}
    failed, xfailed, xpassed = [], [], []
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        futures = {pool.submit(run_case, c, n, os.path.abspath(a.workdir), setup_dir): (c, n) for c, n in jobs}
        for fut in concurrent.futures.as_completed(futures):
            (case, n) = futures[fut]
            problems, line = fut.result()
            keys = ([f"{case[0]}@san"] if a.sanitized else []) + [f"{case[0]}@{n}", case[0]]
            key = next((k for k in keys if k in corpus.KNOWN_FAILING), None)
            status = ("XFAIL" if problems else "XPASS") if key else ("FAIL" if problems else "PASS")
            counts[status] += 1
            print(f"{status:5s} np{n} {case[0]}: " + (line if not problems else "; ".join(problems)), flush=True)
            if status == "FAIL":
                failed.append((case[0], n))
            elif status == "XFAIL":
                xfailed.append((case[0], n, corpus.KNOWN_FAILING[key]))
            elif status == "XPASS":
                xpassed.append((case[0], n))
            if not problems and not a.keep:
                shutil.rmtree(os.path.join(a.workdir, f"np{n}", case[0]), ignore_errors=True)
    print("\n" + ", ".join(f"{v} {k}" for k, v in counts.items()))
    if xfailed:
        print("Expected failures (KNOWN_FAILING, fixes pending):")
        for cid, n, why in sorted(xfailed):
            print(f"  {cid} (np{n}): {why}")
    if xpassed:
        print("Known failures that now pass (prune them from KNOWN_FAILING):")
        for cid, n in sorted(xpassed):
            print(f"  {cid} (np{n})")
    if failed:
        print("FAILED: " + " ".join(f"{cid}@{n}" for cid, n in sorted(failed)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
