"""Run the bad-input corpus (corpus.py) on 1 and 2 ranks. For every case and rank count:
exit status 1; the line `vitrum: error:` printed exactly once and containing the expected
fragment; no PETSc traceback, no "internal error", no MPI_ABORT banner; no new file in the case's
folder (no output, no .tmp; a features cache folder may fill) and the inputs unchanged; the run
ends within 30 s (a timeout, not a timing assertion: a hang is a failure).
Under ASan/UBSan (--sanitized) a sanitizer report is a failure too.
Cases in corpus.KNOWN_FAILING are expected failures (XFAIL, listed at the end with their reason);
one of them that passes is reported as XPASS so that the lead can prune the set.

usage: run_corpus.py [--ranks 1,2] [--jobs 4] [--only REGEX] [--keep] [--sanitized]"""
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


def setup(setup_dir):
    """A valid model (m.model.h5) fitted by vitrum on the corpus dataset."""
    os.makedirs(setup_dir, exist_ok=True)
    corpus.write_file(os.path.join(setup_dir, "d.h5"), corpus.dataset(), setup_dir)
    subprocess.run(MPIRUN + ["-n", "1", VITRUM, "fit", "-data", "d.h5", "-o", "m.model.h5", "-fit_lambda", "0.1"], cwd=setup_dir, check=True,
                   stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ranks", default="1,2")
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--only", default="")
    ap.add_argument("--workdir", default="corpus_run")
    ap.add_argument("--keep", action="store_true", help="keep the case folders of passing cases")
    ap.add_argument("--sanitized", action="store_true", help="vitrum is built with ASan/UBSan: the id@san known failures apply")
    a = ap.parse_args()
    corpus.check_ids()
    setup_dir = os.path.abspath(os.path.join(a.workdir, "setup"))
    setup(setup_dir)
    cases = [c for c in corpus.CASES if re.search(a.only, c[0])]
    jobs = [(c, int(n)) for n in a.ranks.split(",") for c in cases]
    print(f"{len(cases)} cases x ranks {a.ranks}: {len(jobs)} runs, {a.jobs} at a time", flush=True)
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
