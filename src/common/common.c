/* Initialisation, logging, error handling and small helpers shared by every command. */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <dlfcn.h>
#include <vitrum/common.h>
#include <vitrum/optionsfiles.h>
#include <hdf5.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <libgen.h>
#include <unistd.h>

VitLog vit_log;

/* One BLAS thread per MPI rank when several ranks share a node and the user set no thread count:
   a threaded OpenBLAS (Debian's libopenblas0-pthread, selected by scripts/install-deps.sh) would
   otherwise start one thread per core in every rank and oversubscribe the cores. The symbol is
   looked up at run time, so reference BLAS (no such function) is left alone. docs/BENCHMARKS.md. */
static PetscErrorCode OneBlasThreadPerRank(void)
{
  void (*set_threads)(int) = NULL;
  MPI_Comm    node;
  PetscMPIInt local;

  PetscFunctionBeginUser;
  if (getenv("OPENBLAS_NUM_THREADS") || getenv("OMP_NUM_THREADS")) PetscFunctionReturn(0);
  *(void **)&set_threads = dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
  if (!set_threads) PetscFunctionReturn(0);
  PetscCallMPI(MPI_Comm_split_type(PETSC_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node));
  PetscCallMPI(MPI_Comm_size(node, &local));
  PetscCallMPI(MPI_Comm_free(&node));
  if (local > 1) set_threads(1);
  PetscFunctionReturn(0);
}

static void IgnoreSignal(int sig)
{
  (void)sig;
}

/* stdout closed early (`vitrum energy ... | head -3`): the writes fail quietly (EPIPE) instead of
   PETSc's signal handler, installed by PetscInitialize before this call, aborting the run at
   SIGPIPE. A handler that does nothing rather than SIG_IGN, which programs the pipeline executes
   (lmp) would inherit: a handler is reset to the default at exec. */
static PetscErrorCode IgnoreBrokenPipes(void)
{
  struct sigaction action;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&action, sizeof(action)));
  action.sa_handler = IgnoreSignal;
  action.sa_flags   = SA_RESTART;
  sigemptyset(&action.sa_mask);
  PetscCheck(!sigaction(SIGPIPE, &action, NULL), PETSC_COMM_SELF, PETSC_ERR_SYS, "sigaction(SIGPIPE) failed: %s", strerror(errno));
  PetscFunctionReturn(0);
}

PetscErrorCode VitInitialize(void)
{
  PetscFunctionBeginUser;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* HDF5 failures are reported by vitrum's own messages */
  PetscCall(IgnoreBrokenPipes());
  PetscCall(OneBlasThreadPerRank());
  PetscCall(PetscClassIdRegister("vitrum", &vit_log.classid));
  PetscCall(PetscLogStageRegister("Read", &vit_log.stage_read));
  PetscCall(PetscLogStageRegister("Structure", &vit_log.stage_structure));
  PetscCall(PetscLogStageRegister("Hessian", &vit_log.stage_hessian));
  PetscCall(PetscLogStageRegister("Spectrum", &vit_log.stage_spectrum));
  PetscCall(PetscLogStageRegister("Modes", &vit_log.stage_modes)); /* inside Spectrum: the low modes, so that scaling series time them apart */
  PetscCall(PetscLogStageRegister("Fit", &vit_log.stage_fit));
  PetscCall(PetscLogEventRegister("VitRead", vit_log.classid, &vit_log.read));
  PetscCall(PetscLogEventRegister("VitDistribute", vit_log.classid, &vit_log.distribute));
  PetscCall(PetscLogEventRegister("VitGhosts", vit_log.classid, &vit_log.ghosts));
  PetscCall(PetscLogEventRegister("VitNeighbors", vit_log.classid, &vit_log.neighbors));
  PetscCall(PetscLogEventRegister("VitRdf", vit_log.classid, &vit_log.rdf));
  PetscCall(PetscLogEventRegister("VitWrite", vit_log.classid, &vit_log.write));
  PetscFunctionReturn(0);
}

/* User-input errors (bad files, bad options) carry one of these codes; they print one line and end
   the program with status 1. Everything else is a bug or a system failure and keeps the traceback. */
/* PETSC_ERR_USER: PETSc's options database raises it for a value not in an option's list
   ("Unknown option foo for -spectrum_method. Available options: ..."). */
static PetscBool IsUserError(PetscErrorCode n)
{
  return (PetscBool)(n == PETSC_ERR_USER_INPUT || n == PETSC_ERR_USER || n == PETSC_ERR_FILE_OPEN || n == PETSC_ERR_FILE_READ || n == PETSC_ERR_FILE_UNEXPECTED || n == PETSC_ERR_FILE_WRITE || n == PETSC_ERR_ARG_OUTOFRANGE || n == PETSC_ERR_ARG_WRONG ||
                     n == PETSC_ERR_ARG_INCOMP || n == PETSC_ERR_ARG_SIZ || n == PETSC_ERR_NOT_CONVERGED || n == PETSC_ERR_ARG_UNKNOWN_TYPE || /* a misspelt -*_type: "Unknown EPS type given: bogus" */
                     n == PETSC_ERR_MEM);                                                                                                      /* out of memory: OutOfMemoryMessage */
}

/* The first user error this rank raised, on whatever communicator: its message, this rank's rank
   in that communicator, and whether this rank printed one. */
static struct {
  PetscBool raised, printed;
  int       comm_rank;
  char      message[1024];
} user_error;

static MPI_Comm error_comm = MPI_COMM_NULL; /* private duplicate of PETSC_COMM_WORLD for VitEndOfRun */
static char     error_context[PETSC_MAX_PATH_LEN]; /* what the work in progress is about (VitUserErrorContext) */

static PetscBool CommIsWorld(MPI_Comm comm)
{
  int result = MPI_UNEQUAL;
  MPI_Comm_compare(comm, PETSC_COMM_WORLD, &result);
  return (PetscBool)(result == MPI_IDENT || result == MPI_CONGRUENT);
}

static void PrintUserError(const char *message)
{
  fprintf(stderr, "vitrum: error: %s\n", message && message[0] ? message : "(no message)");
  fflush(stderr);
  user_error.printed = PETSC_TRUE;
}

/* Whether the option value tok is value (n characters) or holds it as an item of a comma-separated
   list (an array option: PETSc names the bad item only, "abc" of "5,abc"). */
static PetscBool ValueHolds(const char *tok, const char *value, size_t n)
{
  if (strlen(tok) == n && !strncmp(tok, value, n)) return PETSC_TRUE;
  for (const char *item = tok, *end; item; item = *end ? end + 1 : NULL) {
    end = strchr(item, ',');
    if (!end) end = item + strlen(item);
    if ((size_t)(end - item) == n && !strncmp(item, value, n)) return PETSC_TRUE;
  }
  return PETSC_FALSE;
}

/* PETSc's options database, parsing a value, names the value but not the option ("Input string
   big has no numeric value"). Such a message becomes "-fit_lambda big: not a number (...)", or for
   an item of an array option "-spectrum_count_omega 5,abc: abc is not a number (...)", the option
   found as the first in the database with that value or item; other messages are kept. */
static const char *NameTheOption(const char *mess, char out[], size_t len)
{
  static const struct {
    const char *prefix, *suffix, *what;
  } parse[] = {
    {"Input string ", " has no numeric value", "not a number (give a real number)"},
    {"Input string ", " has no integer value", "not an integer (give a whole number)"},
    {"Unknown logical value: ", "", "not a logical value (give true or false)"},
  };
  const char *named = mess;

  for (size_t k = 0; mess && k < sizeof(parse) / sizeof(parse[0]) && named == mess; k++) {
    size_t      plen  = strlen(parse[k].prefix);
    const char *value = mess + plen, *end;
    char       *all, *tok, *save = NULL, *option = NULL;
    if (strncmp(mess, parse[k].prefix, plen)) continue;
    end = parse[k].suffix[0] ? strstr(value, parse[k].suffix) : value + strlen(value);
    if (!end || end == value || PetscOptionsGetAll(NULL, &all)) continue;
    for (tok = strtok_r(all, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
      if (tok[0] == '-' && isalpha((unsigned char)tok[1])) option = tok;
      else if (option && ValueHolds(tok, value, (size_t)(end - value))) break;
    }
    if (tok) {
      if (strlen(tok) == (size_t)(end - value)) snprintf(out, len, "%s %s: %s", option, tok, parse[k].what);
      else snprintf(out, len, "%s %s: %.*s is %s", option, tok, (int)(end - value), value, parse[k].what);
      named = out;
    }
    PetscFree(all);
  }
  return named;
}

/* A failed allocation is reported like a user error (one line, status 1), not as a bug: vitrum's
   own maps raise PETSC_ERR_MEM; PETSc 3.18's PetscMallocAlign raises it with the caller's line as
   the code and the caller's name as the message (its PetscCheck takes the caller's arguments in the
   places of the code and format), so it is recognised by the function name. */
static PetscBool IsOutOfMemory(PetscErrorCode n, const char *func)
{
  return (PetscBool)(n == PETSC_ERR_MEM || (func && !strcmp(func, "PetscMallocAlign")));
}

static double CgroupFree(const char root[], double *limit, double *used);

static const char *OutOfMemoryMessage(PetscErrorCode n, const char *func, const char *mess, char out[], size_t len)
{
  PetscLogDouble resident = 0;
  long           pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  struct rlimit  limit;
  double         job = 0, used = 0;
  char           where[512], limited[256] = "";

  if (mess && !strncmp(mess, "out of memory", 13)) return mess; /* passed on to the other ranks by VitAgreeOnError */
  if (n == PETSC_ERR_MEM) snprintf(where, sizeof(where), "%s: %s", func, mess ? mess : "");
  else snprintf(where, sizeof(where), "an allocation in %s failed", mess && mess[0] ? mess : "PETSc");
  if (CgroupFree("", &job, &used) >= 0) snprintf(limited, sizeof(limited), ", the job's memory limit (cgroup) of %.3g GB", job / 1e9);
  if (!getrlimit(RLIMIT_AS, &limit) && limit.rlim_cur != RLIM_INFINITY) snprintf(limited + strlen(limited), sizeof(limited) - strlen(limited), ", and a limit of %.3g GB of address space (ulimit -v)", (double)limit.rlim_cur / 1e9);
  PetscMemoryGetCurrentUsage(&resident);
  snprintf(out, len, "out of memory on rank %d: %s (this rank held %.3g GB; the node has %.3g GB%s): run on more nodes or ranks, or ask for less (a smaller sample, fewer bins, vectors or modes)", PetscGlobalRank, where, resident / 1e9, pages > 0 && page > 0 ? (double)pages * (double)page / 1e9 : 0.0, limited);
  return out;
}

static PetscErrorCode VitErrorHandler(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  if (p == PETSC_ERROR_INITIAL && (IsUserError(n) || IsOutOfMemory(n, func)) && comm != MPI_COMM_NULL) {
    int  rank = 0;
    char named[1024];
    if (IsOutOfMemory(n, func)) {
      mess = OutOfMemoryMessage(n, func, mess, named, sizeof(named));
      n    = PETSC_ERR_MEM; /* the code returned up the stack */
    } else mess = NameTheOption(mess, named, sizeof(named));
    if (error_context[0] && mess && !strstr(mess, error_context)) { /* name the sample the error is about */
      char about[sizeof(named)];
      snprintf(about, sizeof(about), "%.400s: %.600s", error_context, mess);
      PetscStrncpy(named, about, sizeof(named));
      mess = named;
    }
    MPI_Comm_rank(comm, &rank);
    if (!user_error.raised) {
      user_error.raised    = PETSC_TRUE;
      user_error.comm_rank = rank;
      PetscStrncpy(user_error.message, mess ? mess : "", sizeof(user_error.message));
    }
    /* on a sub-communicator (or PETSC_COMM_SELF of a parallel run) the message waits for
       VitAgreeOnError, or for VitEndOfRun, so that it is printed once */
    if (CommIsWorld(comm) && !rank && !user_error.printed) PrintUserError(mess);
    return n;
  }
  if (p != PETSC_ERROR_INITIAL && user_error.raised) return n; /* travelling up the stack */
  return PetscTraceBackErrorHandler(comm, line, func, file, n, p, mess, ctx);
}

PetscErrorCode VitPushErrorHandler(void)
{
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_dup(PETSC_COMM_WORLD, &error_comm));
  PetscCall(PetscPushErrorHandler(VitErrorHandler, NULL));
  PetscFunctionReturn(0);
}

void VitUserErrorContext(const char what[])
{
  snprintf(error_context, sizeof(error_context), "%s", what ? what : "");
}

PetscBool VitUserErrorRaised(void)
{
  return user_error.raised;
}

const char *VitRealString(PetscReal value, char buf[])
{
  if (PetscIsNanReal(value)) { /* "nan", not "-nan": printf shows the sign bit, which nan given as nan may have */
    snprintf(buf, VIT_REAL_STRING_LEN, "nan");
    return buf;
  }
  for (int digits = 6; digits <= 17; digits++) { /* %g's 6 digits at least: 1000, not 1e+03 */
    snprintf(buf, VIT_REAL_STRING_LEN, "%.*g", digits, (double)value);
    if (strtod(buf, NULL) == (double)value) break;
  }
  return buf;
}

const char *VitBoundString(PetscReal value, int direction, char buf[])
{
  /* one unit of the 10th significant digit: a value rounded the wrong way is printed again moved
     by whole units toward direction, which then rounds to the 10-digit value on its side */
  const double unit = value != 0 && PetscIsNormalReal(value) ? pow(10.0, floor(log10(fabs((double)value))) - 9) : 0;

  snprintf(buf, VIT_REAL_STRING_LEN, "%.10g", (double)value);
  for (int k = 1; k <= 4 && direction * (strtod(buf, NULL) - (double)value) < 0; k++) snprintf(buf, VIT_REAL_STRING_LEN, "%.10g", (double)value + direction * k * unit);
  return buf;
}

static PetscErrorCode CheckReal(MPI_Comm comm, PetscBool ok, const char option[], PetscReal value, const char must[], const char hint[]);

PetscErrorCode VitCheckPositiveReal(MPI_Comm comm, const char option[], PetscReal value, PetscBool zero_ok, const char hint[])
{
  PetscFunctionBeginUser;
  PetscCall(CheckReal(comm, (PetscBool)(!PetscIsInfOrNanReal(value) && (value > 0 || (zero_ok && value == 0))), option, value, "positive and finite", hint));
  PetscFunctionReturn(0);
}

PetscErrorCode VitAgreeOnError(MPI_Comm comm, PetscErrorCode ierr)
{
  PetscMPIInt rank, mine, first;
  int         shared[2]; /* the code, and whether it is a user error */
  char        msg[sizeof(user_error.message)] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  mine = ierr ? rank : INT_MAX;
  PetscCallMPI(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm));
  if (first == INT_MAX) PetscFunctionReturn(0);
  if (rank == first) {
    shared[0] = (int)ierr;
    shared[1] = user_error.raised && IsUserError(ierr);
    PetscCall(PetscStrncpy(msg, user_error.message, sizeof(msg)));
  }
  PetscCallMPI(MPI_Bcast(shared, 2, MPI_INT, first, comm));
  PetscCallMPI(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, first, comm));
  PetscCheck(!shared[1], comm, (PetscErrorCode)shared[0], "%s", msg);
  SETERRQ(comm, PETSC_ERR_PLIB, "error %d on rank %d of a sub-communicator; see its traceback above", shared[0], (int)first);
}

int VitEndOfRun(PetscBool failed)
{
  MPI_Request req;
  int         mine[2] = {failed ? PetscGlobalRank : INT_MAX, user_error.printed ? 0 : 1}, all[2] = {INT_MAX, 1}, done = 0;

  /* every rank comes here: the lowest failing rank, and whether any rank printed an error line */
  MPI_Iallreduce(mine, all, 2, MPI_INT, MPI_MIN, error_comm, &req);
  if (!failed) {
    MPI_Wait(&req, MPI_STATUS_IGNORE);
    return 0;
  }
  for (int wait = 0; wait < 500 && !done; wait++) { /* up to 5 s */
    MPI_Test(&req, &done, MPI_STATUS_IGNORE);
    if (!done) usleep(10000);
  }
  if (done) { /* every rank finished: the lowest failing one prints, unless a rank already did */
    if (all[1] && mine[0] == all[0]) PrintUserError(user_error.message);
    return 1;
  }
  /* Some ranks still wait in a collective for this one. Rank 0 of the failing communicator prints
     and stops the run; another rank gives it 2 s to do so (it may not have failed), then does. */
  if (user_error.comm_rank) sleep(2);
  PrintUserError(user_error.message);
  MPI_Abort(MPI_COMM_WORLD, 1);
  return 1;
}

PetscErrorCode VitBcastError(MPI_Comm comm, const char errmsg[])
{
  char msg[1024];

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(msg, errmsg ? errmsg : "", sizeof(msg)));
  PetscCallMPI(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, 0, comm));
  PetscCheck(!msg[0], comm, PETSC_ERR_USER_INPUT, "%s", msg);
  PetscFunctionReturn(0);
}

PetscErrorCode VitWarnUnusedOptions(void)
{
  PetscInt nleft;
  char   **names, **values, why[128];

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsLeftGet(NULL, &nleft, &names, &values));
  for (PetscInt i = 0; i < nleft; i++) {
    /* PETSc's own diagnostics options are used at finalize; do not flag them */
    if (!strncmp(names[i], "log", 3) || !strncmp(names[i], "options_", 8) || !strncmp(names[i], "malloc", 6) || !strcmp(names[i], "help")) continue;
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "vitrum: warning: option -%s%s%s was given but not used (%s)\n", names[i], values[i] ? " " : "", values[i] ? values[i] : "", VitOptionUnusedReason(names[i], why, sizeof(why))));
  }
  PetscCall(PetscOptionsLeftRestore(NULL, &nleft, &names, &values));
  PetscFunctionReturn(0);
}

static const char *command_name = NULL;

void VitSetCommandName(const char name[])
{
  command_name = name;
}

const char *VitCommandName(void)
{
  return command_name;
}

PetscBool VitHelpRequested(void)
{
  PetscBool help = PETSC_FALSE;
  PetscOptionsHasHelp(NULL, &help);
  return help;
}

PetscErrorCode VitProgressStart(VitProgress *p, const char *what, PetscInt total)
{
  PetscFunctionBeginUser;
  p->what     = what;
  p->total    = total;
  p->interval  = 2.0;
  p->long_only = PETSC_FALSE;
  PetscCall(PetscTime(&p->t0));
  p->last = p->t0;
  PetscFunctionReturn(0);
}

PetscErrorCode VitProgressUpdate(MPI_Comm comm, VitProgress *p, PetscInt done)
{
  PetscLogDouble now, elapsed, eta;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&now));
  if (now - p->last < p->interval && (done < p->total || (p->long_only && p->last == p->t0))) PetscFunctionReturn(0);
  p->last = now;
  elapsed = now - p->t0;
  eta     = done > 0 ? elapsed * (double)(p->total - done) / (double)done : 0.0;
  PetscCall(PetscPrintf(comm, "  %s: %" PetscInt_FMT "/%" PetscInt_FMT " done, %.1f s elapsed, ETA %.1f s\n", p->what, done, p->total, (double)elapsed, (double)eta));
  PetscFunctionReturn(0);
}

PetscErrorCode VitOutputPath(const char input[], const char suffix[], char out[], size_t len)
{
  PetscBool set;
  char     *dot, *slash;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-o", out, len, &set));
  if (set) PetscFunctionReturn(0);
  slash = strrchr(input, '/'); /* in the current folder: never next to the input */
  PetscCall(PetscStrncpy(out, slash ? slash + 1 : input, len));
  dot = strrchr(out, '.');
  if (dot && dot > out) *dot = 0;
  PetscCall(PetscStrlcat(out, suffix, len));
  PetscFunctionReturn(0);
}

/* Options that never change a per-sample rdf or spectrum result. */
static PetscBool OptionIsBookkeeping(const char name[])
{
  static const char *const prefixes[] = {"features_", "fit_", "pipeline_", "log", "options_", "malloc", "help", "info", "history", "ranks_per_sample", "samples", "sample_list", "data", "model", "predict_"};
  static const char *const exact[]    = {"o", "sample", "format", "frame", "vdos_sigma"};
  for (size_t k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++)
    if (!strncmp(name, prefixes[k], strlen(prefixes[k]))) return PETSC_TRUE;
  for (size_t k = 0; k < sizeof(exact) / sizeof(exact[0]); k++)
    if (!strcmp(name, exact[k])) return PETSC_TRUE;
  return PETSC_FALSE;
}

static int CompareStrings(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

PetscErrorCode VitOptionsKey(const char all[], char **key)
{
  char    *copy, **entries, *tok, *save = NULL;
  PetscInt n = 0, kept = 0;
  size_t   len;

  PetscFunctionBeginUser;
  PetscCall(PetscStrallocpy(all ? all : "", &copy));
  PetscCall(PetscStrlen(copy, &len));
  PetscCall(PetscCalloc1(len / 2 + 2, &entries));
  /* "-name" (a '-' then a letter) starts an entry; other tokens are values of the entry before */
  for (tok = strtok_r(copy, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
    if (tok[0] == '-' && isalpha((unsigned char)tok[1])) {
      if (OptionIsBookkeeping(tok + 1) || !VitOptionCanChangeResults(tok)) {
        entries[n++] = NULL; /* placeholder: its values are dropped too */
        continue;
      }
      PetscCall(PetscCalloc1(len + 2, &entries[n]));
      PetscCall(PetscStrlcat(entries[n++], tok, len + 2));
    } else if (n > 0 && entries[n - 1]) {
      PetscCall(PetscStrlcat(entries[n - 1], " ", len + 2));
      PetscCall(PetscStrlcat(entries[n - 1], tok, len + 2));
    }
  }
  for (PetscInt i = 0; i < n; i++)
    if (entries[i]) entries[kept++] = entries[i];
  qsort(entries, (size_t)kept, sizeof(char *), CompareStrings);
  PetscCall(PetscCalloc1(len + 2, key));
  for (PetscInt i = 0; i < kept; i++) {
    if (i) PetscCall(PetscStrlcat(*key, " ", len + 2));
    PetscCall(PetscStrlcat(*key, entries[i], len + 2));
    PetscCall(PetscFree(entries[i]));
  }
  PetscCall(PetscFree(entries));
  PetscCall(PetscFree(copy));
  PetscFunctionReturn(0);
}

/* Whether a names the existing file sb describes (same device and inode, whatever the names). */
static PetscBool SameFile(const char a[], const struct stat *sb)
{
  struct stat sa;
  return (PetscBool)(!stat(a, &sa) && sa.st_dev == sb->st_dev && sa.st_ino == sb->st_ino);
}

PetscBool VitSameFile(const char a[], const char b[])
{
  struct stat sb;
  return (PetscBool)(!stat(b, &sb) && SameFile(a, &sb));
}

/* The canonical name of path, existing or not: the realpath of its folder, then its last
   component; PETSC_FALSE where the folder cannot be resolved. */
static PetscBool CanonicalPath(const char path[], char out[], size_t len)
{
  char copy[2][PETSC_MAX_PATH_LEN], folder[PATH_MAX];

  snprintf(copy[0], sizeof(copy[0]), "%s", path);
  snprintf(copy[1], sizeof(copy[1]), "%s", path);
  if (!realpath(dirname(copy[0]), folder)) return PETSC_FALSE;
  snprintf(out, len, "%.2047s/%.1023s", folder, basename(copy[1]));
  return PETSC_TRUE;
}

PetscBool VitSamePath(const char a[], const char b[])
{
  char ca[3 * PETSC_MAX_PATH_LEN], cb[3 * PETSC_MAX_PATH_LEN];

  if (!strcmp(a, b) || VitSameFile(a, b)) return PETSC_TRUE;
  return (PetscBool)(CanonicalPath(a, ca, sizeof(ca)) && CanonicalPath(b, cb, sizeof(cb)) && !strcmp(ca, cb));
}

PetscErrorCode VitOutputsDistinct(MPI_Comm comm, const char option_a[], const char a[], const char option_b[], const char b[])
{
  PetscMPIInt rank;
  char        msg[1024] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank && VitSamePath(a, b)) PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s %s is also the %s file%s%s: give two different names", option_a, a, option_b, strcmp(a, b) ? " " : "", strcmp(a, b) ? b : ""));
  PetscCall(VitBcastError(comm, msg));
  PetscFunctionReturn(0);
}

/* What a file of this mode is, for messages. */
static const char *ModeKind(mode_t mode)
{
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}

const char *VitFileKind(const char path[])
{
  struct stat st;
  return stat(path, &st) ? NULL : ModeKind(st.st_mode);
}

/* Every comma-separated part of an option value that is the same file as the output: its name in culprit. */
static PetscBool ValueIsFile(const char value[], const struct stat *out, char culprit[], size_t len)
{
  char *copy, *part, *save = NULL;
  PetscBool found = PETSC_FALSE;

  if (PetscStrallocpy(value, &copy)) return PETSC_FALSE;
  for (part = strtok_r(copy, ",", &save); part && !found; part = strtok_r(NULL, ",", &save))
    if (SameFile(part, out)) {
      found = PETSC_TRUE;
      PetscStrncpy(culprit, part, len);
    }
  PetscFree(copy);
  return found;
}

/* The options file the run read that is the same file as the output: the option that named it
   and its name, else culprit empty. */
typedef struct {
  const struct stat *out;
  char              *option, *culprit;
  size_t             option_len, culprit_len;
} OptionsFileSearch;

/* Visitor of the options files named (VitOptionsWalk), an OptionsFileSearch its ctx. */
static PetscErrorCode OptionsFileIsOut(const VitOptionsSource *from, const char option[], const char file[], VitOptionsFileKind kind, int err, void *ctx, PetscBool *stop)
{
  OptionsFileSearch *s = ctx;

  PetscFunctionBeginUser;
  if (!file || !SameFile(file, s->out)) PetscFunctionReturn(0);
  PetscCall(PetscStrncpy(s->option, option, s->option_len));
  PetscCall(PetscStrncpy(s->culprit, file, s->culprit_len));
  *stop = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* The options file the run read that is the same file as out (culprit and the option that named
   it, else culprit empty): PETSc consumes -options_file at initialisation (from the command line,
   PETSC_OPTIONS or another options file), so it is not in the options database that
   OutputProblem searches. The sources are walked as PETSc read them (VitOptionsWalk). */
static PetscErrorCode OptionsFileIsOutput(const struct stat *out, char option[], size_t option_len, char culprit[], size_t len)
{
  OptionsFileSearch search  = {out, option, culprit, option_len, len};
  VitOptionsVisitor visitor = {NULL, OptionsFileIsOut, &search};
  int               argc;
  char            **args;

  PetscFunctionBeginUser;
  culprit[0] = 0;
  PetscCall(PetscGetArgs(&argc, &args));
  PetscCall(VitOptionsWalk(NULL, argc, args, &visitor));
  PetscFunctionReturn(0);
}

/* The longest name vitrum makes from an output's: NAME.tmp while it is written, and its lock
   NAME.tmp.lock (VitOutputTmp). */
static const char vit_output_suffix[] = ".tmp.lock";

/* s for a message: as it is, or its first and last 60 characters around "..." when longer. */
static PetscErrorCode Abbreviate(const char s[], size_t n, char out[], size_t len)
{
  PetscFunctionBeginUser;
  if (n <= 150) PetscCall(PetscSNPrintf(out, len, "%.*s", (int)n, s));
  else PetscCall(PetscSNPrintf(out, len, "%.60s...%.60s", s, s + n - 60));
  PetscFunctionReturn(0);
}

/* The longest name the file system of out's folder allows (NAME_MAX where it cannot tell: the
   folder is missing, or its own path too long). */
static long NameMax(const char out[])
{
  char        folder[PETSC_MAX_PATH_LEN];
  const char *slash = strrchr(out, '/');
  long        max;

  if (!slash) return (max = pathconf(".", _PC_NAME_MAX)) > 0 ? max : NAME_MAX;
  snprintf(folder, sizeof(folder), "%.*s", slash == out ? 1 : (int)(slash - out), out);
  return (max = pathconf(folder, _PC_NAME_MAX)) > 0 ? max : NAME_MAX;
}

/* Rank 0: why the output path out is too long for the system (empty if it is not): the whole path
   beyond PATH_MAX, or a folder's or the file's name beyond the file system's NAME_MAX, counting the
   suffix .tmp.lock that vitrum adds while writing it. Such a name used to reach MPI-IO, which
   reported a missing folder or, in Open MPI's lockedfile component, overflowed a buffer (main.c). */
static PetscErrorCode OutputNameProblem(const char option[], const char out[], char msg[], size_t len)
{
  size_t      n = strlen(out), extra = strlen(vit_output_suffix);
  long        name_max = NameMax(out);
  char        shown[160], name[160];
  const char *sep = option[0] ? " " : "";

  PetscFunctionBeginUser;
  msg[0] = 0;
  PetscCall(Abbreviate(out, n, shown, sizeof(shown)));
  if (n + extra >= PATH_MAX) {
    PetscCall(PetscSNPrintf(msg, len, "%s%s%s: the path has %zu characters, at most %zu are possible (the system's PATH_MAX %d, less 1 and the %zu of the suffix %s that vitrum adds while writing): give a shorter path", option, sep, shown, n, (size_t)PATH_MAX - 1 - extra, PATH_MAX, extra, vit_output_suffix));
    PetscFunctionReturn(0);
  }
  for (const char *c = out; *c; c += strcspn(c, "/")) {
    size_t    clen;
    PetscBool file;

    c += strspn(c, "/");
    clen = strcspn(c, "/");
    file = (PetscBool)!c[clen];
    if ((long)(clen + (file ? extra : 0)) <= name_max) continue;
    PetscCall(Abbreviate(c, clen, name, sizeof(name)));
    if (file) PetscCall(PetscSNPrintf(msg, len, "%s%s%s: the file name %s has %zu characters, at most %ld are possible here (the file system's NAME_MAX %ld, less the %zu of the suffix %s that vitrum adds while writing): give a shorter name", option, sep, shown, name, clen, name_max - (long)extra, name_max, extra, vit_output_suffix));
    else PetscCall(PetscSNPrintf(msg, len, "%s%s%s: the folder name %s has %zu characters, more than the file system allows (NAME_MAX %ld): give a shorter path", option, sep, shown, name, clen, name_max));
    break;
  }
  PetscFunctionReturn(0);
}

/* Rank 0: the reason out cannot be written (empty if it can): an existing directory or another
   file that is not a regular file (a device, FIFO or socket), or the same file as an input (a
   value of any option but `option` itself, an options file the run read, or one of inputs[]). */
static PetscErrorCode OutputProblem(const char option[], const char out[], PetscInt ninputs, const char *const inputs[], const char hint[], char msg[], size_t len)
{
  struct stat so;
  char       *all, *tok, *save = NULL, culprit[PETSC_MAX_PATH_LEN] = "", name[256] = "";
  PetscBool   skip = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(OutputNameProblem(option, out, msg, len));
  if (msg[0]) PetscFunctionReturn(0);
  if (stat(out, &so)) { /* a new file: its folder must exist */
    char folder[PETSC_MAX_PATH_LEN], *slash;
    PetscCall(PetscStrncpy(folder, out, sizeof(folder)));
    slash = strrchr(folder, '/');
    if (slash) *(slash == folder ? slash + 1 : slash) = 0;
    if (slash && access(folder, W_OK | X_OK)) PetscCall(PetscSNPrintf(msg, len, "%s %s: the folder %s does not exist or is not writable", option, out, folder));
    PetscFunctionReturn(0);
  }
  if (S_ISDIR(so.st_mode)) {
    PetscCall(PetscSNPrintf(msg, len, "%s %s is an existing directory: give a file name", option, out));
    PetscFunctionReturn(0);
  }
  if (!S_ISREG(so.st_mode)) { /* written to PATH.tmp and renamed, it would replace a device node or a FIFO */
    PetscCall(PetscSNPrintf(msg, len, "%s %s is %s, not a regular file: %s", option, out, ModeKind(so.st_mode), hint));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscOptionsGetAll(NULL, &all));
  for (tok = strtok_r(all, " ", &save); tok && !culprit[0]; tok = strtok_r(NULL, " ", &save)) {
    if (tok[0] == '-' && isalpha((unsigned char)tok[1])) {
      PetscCall(PetscStrncpy(name, tok, sizeof(name)));
      skip = (PetscBool)!strcmp(tok, option); /* the output's own value */
    } else if (!skip && ValueIsFile(tok, &so, culprit, sizeof(culprit))) break;
  }
  PetscCall(PetscFree(all));
  if (!culprit[0]) {
    PetscCall(OptionsFileIsOutput(&so, name, sizeof(name), culprit, sizeof(culprit)));
  }
  if (culprit[0]) {
    PetscCall(PetscSNPrintf(msg, len, "%s %s is the same file as the input %s %s: writing it would destroy the input; %s", option, out, name, culprit, hint));
    PetscFunctionReturn(0);
  }
  for (PetscInt i = 0; i < ninputs && !msg[0]; i++)
    if (SameFile(inputs[i], &so)) PetscCall(PetscSNPrintf(msg, len, "%s %s is the same file as the input %s: writing it would destroy the input; %s", option, out, inputs[i], hint));
  PetscFunctionReturn(0);
}

PetscErrorCode VitOutputCheckHint(MPI_Comm comm, const char option[], const char out[], PetscInt ninputs, const char *const inputs[], const char hint[])
{
  char        msg[1024] = "";
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) PetscCall(OutputProblem(option, out, ninputs, inputs, hint, msg, sizeof(msg)));
  PetscCall(VitBcastError(comm, msg));
  PetscFunctionReturn(0);
}

PetscErrorCode VitOutputCheck(MPI_Comm comm, const char option[], const char out[], PetscInt ninputs, const char *const inputs[])
{
  PetscFunctionBeginUser;
  PetscCall(VitOutputCheckHint(comm, option, out, ninputs, inputs, "give another output name"));
  PetscFunctionReturn(0);
}

/* Outputs being written: under a temporary name until renamed (VitOutputDone, VitOutputsCommit)
   or removed (VitOutputsRemove). The same calls happen on every rank. While the temporary file is
   written, rank 0 of the writing communicator holds an exclusive flock on a companion lock file
   (lock_fd on lock). The lock is not taken on the temporary file itself: on NFS, flock is emulated
   with POSIX locks, which would conflict with the byte-range locks MPI-IO takes on that file. */
#define VIT_MAX_OUTPUTS 16
static struct {
  char      path[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN], lock[PETSC_MAX_PATH_LEN + 8];
  PetscBool             locked;
  int                   lock_fd;
  int                   comm_rank; /* in the writing communicator */
  volatile sig_atomic_t armed;     /* path, tmp and lock are complete: VitOutputsAbandon may use them */
} pending[VIT_MAX_OUTPUTS];
static PetscBool hold_outputs = PETSC_FALSE;

/* Whether the open file fd is still the one the name lock points to (not removed or replaced). */
static PetscBool StillNamed(int fd, const char lock[])
{
  struct stat by_fd, by_name;

  return (PetscBool)(!fstat(fd, &by_fd) && !stat(lock, &by_name) && by_fd.st_dev == by_name.st_dev && by_fd.st_ino == by_name.st_ino);
}

/* Rank 0: take an exclusive flock on the lock file (created if absent). The kernel drops it when
   this process ends, even by SIGKILL, so the files of a killed run are taken over. The descriptor,
   or -1: when another running process holds the lock (it is writing the same output now; msg says
   so), or when the file system offers no lock or the file cannot be created (then the writer runs
   unlocked and reports its own errors). */
static int LockOutput(const char path[], const char lock[], char msg[], size_t len)
{
  for (int attempt = 0; attempt < 3; attempt++) {
    int fd = open(lock, O_WRONLY | O_CREAT | O_CLOEXEC, 0666), err;
    if (fd < 0) return -1;
    err = flock(fd, LOCK_EX | LOCK_NB) ? errno : 0;
    if (err == EWOULDBLOCK) {
      snprintf(msg, len, "%.400s: another vitrum run is writing this output now (%.400s is locked): wait for that run to end, or write to another file or -features_cache folder", path, lock);
      close(fd);
      return -1;
    }
    if (err) { /* no flock here (e.g. Lustre without -o flock): nobody can hold it */
      unlink(lock);
      close(fd);
      return -1;
    }
    /* between open and flock, the previous holder may have removed the name */
    if (StillNamed(fd, lock)) return fd;
    close(fd);
  }
  return -1;
}

/* Rank 0: the temporary file and the lock file that a killed writer of path left behind, removed
   once no running process holds the lock. A kill between the rename of the finished file and the
   removal of its lock leaves a lock beside a complete output, which a rerun reads and never writes. */
PetscErrorCode VitOutputClearLeftovers(const char path[])
{
  char tmp[PETSC_MAX_PATH_LEN], lock[PETSC_MAX_PATH_LEN + 8];
  int  fd;

  PetscFunctionBeginUser;
  PetscCall(VitOutputTmpName(path, tmp));
  PetscCall(PetscSNPrintf(lock, sizeof(lock), "%s.lock", tmp));
  fd = open(lock, O_WRONLY | O_CLOEXEC);
  if (fd < 0) PetscFunctionReturn(0);
  if (!flock(fd, LOCK_EX | LOCK_NB) && StillNamed(fd, lock)) {
    unlink(tmp);
    unlink(lock);
  }
  close(fd);
  PetscFunctionReturn(0);
}

PetscErrorCode VitOutputTmpName(const char path[], char tmp[])
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(tmp, PETSC_MAX_PATH_LEN, "%s.tmp", path));
  PetscFunctionReturn(0);
}

const char *VitWriteFailureCause(const char path[], int err)
{
  struct statvfs fs;
  char           dir[PETSC_MAX_PATH_LEN];

  if (err == ENOSPC || err == EDQUOT || err == EFBIG || err == EIO) return strerror(err);
  snprintf(dir, sizeof(dir), "%s", path);
  if (!statvfs(dirname(dir), &fs) && (double)fs.f_bavail * (double)fs.f_frsize < VIT_OUTPUT_RESERVE) return strerror(ENOSPC);
  return NULL;
}

/* Rank 0, the lock fd of output path just taken: VIT_OUTPUT_RESERVE bytes allocated in it. When the
   file system has no room, the lock is given up and msg says so. A file system that cannot
   allocate ahead (EOPNOTSUPP) writes without the reserve. */
static int ReserveRoom(const char path[], const char lock[], int fd, char msg[], size_t len)
{
  int err = posix_fallocate(fd, 0, VIT_OUTPUT_RESERVE);

  if (err != ENOSPC && err != EDQUOT && err != EFBIG) return fd;
  snprintf(msg, len, VIT_NO_ROOM_FMT, path, strerror(err));
  unlink(lock);
  close(fd);
  return -1;
}

void VitOutputFreeReserve(const char path[])
{
  for (int i = 0; i < VIT_MAX_OUTPUTS; i++) {
    if (!pending[i].tmp[0] || !pending[i].locked || strcmp(pending[i].path, path)) continue;
    if (ftruncate(pending[i].lock_fd, 0)) return; /* nothing to free */
  }
}

PetscErrorCode VitOutputTmp(MPI_Comm comm, const char path[], char tmp[])
{
  PetscMPIInt rank;
  int         fd = -1, slot = -1;
  char        msg[1024] = "";

  PetscFunctionBeginUser;
  for (int i = 0; i < VIT_MAX_OUTPUTS && slot < 0; i++)
    if (!pending[i].tmp[0]) slot = i;
  PetscCheck(slot >= 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "more than %d outputs open at once", VIT_MAX_OUTPUTS);
  PetscCall(VitOutputTmpName(path, tmp));
  PetscCall(PetscSNPrintf(pending[slot].lock, sizeof(pending[slot].lock), "%s.lock", tmp));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) PetscCall(OutputNameProblem("", path, msg, sizeof(msg)));
  for (int i = 0; i < VIT_MAX_OUTPUTS && !rank && !msg[0]; i++) /* the run would lock against itself */
    if (pending[i].tmp[0] && VitSamePath(pending[i].path, path)) PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s is also %s, another output of this run: give two different names", path, pending[i].path));
  if (!rank && !msg[0]) fd = LockOutput(path, pending[slot].lock, msg, sizeof(msg));
  if (fd >= 0) fd = ReserveRoom(path, pending[slot].lock, fd, msg, sizeof(msg));
  PetscCall(VitBcastError(comm, msg));
  PetscCall(PetscStrncpy(pending[slot].path, path, PETSC_MAX_PATH_LEN));
  PetscCall(PetscStrncpy(pending[slot].tmp, tmp, PETSC_MAX_PATH_LEN));
  pending[slot].locked  = (PetscBool)(fd >= 0);
  pending[slot].lock_fd   = fd;
  pending[slot].comm_rank = rank;
  pending[slot].armed     = 1;
  PetscFunctionReturn(0);
}

/* Forget pending output i; the rank that holds its lock removes the lock file and releases it. */
static void ForgetPending(int i)
{
  pending[i].armed = 0;
  if (pending[i].locked) {
    unlink(pending[i].lock);
    close(pending[i].lock_fd);
  }
  pending[i].locked = PETSC_FALSE;
  pending[i].tmp[0] = pending[i].path[0] = 0;
}

/* Rename pending output i on rank 0 of comm; the error (if any) is raised on all of comm. */
static PetscErrorCode RenamePending(MPI_Comm comm, int i)
{
  PetscMPIInt rank;
  int         err = 0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Barrier(comm)); /* every rank has closed its part of the file */
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) err = rename(pending[i].tmp, pending[i].path) ? errno : 0;
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  PetscCheck(!err, comm, PETSC_ERR_FILE_WRITE, "%s: cannot rename the finished output from %s (%s)", pending[i].path, pending[i].tmp, strerror(err));
  ForgetPending(i);
  PetscFunctionReturn(0);
}

PetscErrorCode VitOutputDone(MPI_Comm comm, const char path[])
{
  PetscFunctionBeginUser;
  if (hold_outputs) PetscFunctionReturn(0);
  for (int i = 0; i < VIT_MAX_OUTPUTS; i++)
    if (pending[i].tmp[0] && !strcmp(pending[i].path, path)) PetscCall(RenamePending(comm, i));
  PetscFunctionReturn(0);
}

void VitOutputsHold(void)
{
  hold_outputs = PETSC_TRUE;
}

PetscErrorCode VitOutputsCommit(MPI_Comm comm)
{
  PetscFunctionBeginUser;
  hold_outputs = PETSC_FALSE;
  for (int i = 0; i < VIT_MAX_OUTPUTS; i++)
    if (pending[i].tmp[0]) PetscCall(RenamePending(comm, i));
  PetscFunctionReturn(0);
}

PetscErrorCode VitOutputScratch(const char path[])
{
  int slot = -1;

  PetscFunctionBeginUser;
  for (int i = 0; i < VIT_MAX_OUTPUTS && slot < 0; i++)
    if (!pending[i].tmp[0]) slot = i;
  PetscCheck(slot >= 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "more than %d outputs open at once", VIT_MAX_OUTPUTS);
  PetscCall(PetscStrncpy(pending[slot].path, path, PETSC_MAX_PATH_LEN));
  PetscCall(PetscStrncpy(pending[slot].tmp, path, PETSC_MAX_PATH_LEN)); /* what VitOutputsRemove deletes */
  pending[slot].armed = 1;
  PetscFunctionReturn(0);
}

void VitOutputScratchDone(const char path[])
{
  for (int i = 0; i < VIT_MAX_OUTPUTS; i++)
    if (pending[i].tmp[0] && !strcmp(pending[i].tmp, path) && !strcmp(pending[i].path, path)) ForgetPending(i);
}

void VitOutputsRemove(void)
{
  for (int i = 0; i < VIT_MAX_OUTPUTS; i++)
    if (pending[i].tmp[0]) {
      unlink(pending[i].tmp);
      ForgetPending(i);
    }
}

void VitAppendSafe(char out[], size_t *n, size_t len, const char *s)
{
  while (*s && *n + 1 < len) out[(*n)++] = *s++;
  out[*n] = 0;
}

void VitAppendIntSafe(char out[], size_t *n, size_t len, int v)
{
  char digits[16];
  int  k = 0;

  do digits[k++] = (char)('0' + v % 10);
  while ((v /= 10) && k < 15);
  while (k && *n + 1 < len) out[(*n)++] = digits[--k];
  out[*n] = 0;
}

/* Unlinks NAME.SUFFIX.RANK; async-signal-safe. */
static void UnlinkRankFile(const char name[], const char suffix[], int rank)
{
  char   file[PETSC_MAX_PATH_LEN + 32];
  size_t n = 0;

  VitAppendSafe(file, &n, sizeof(file), name);
  VitAppendSafe(file, &n, sizeof(file), suffix);
  VitAppendIntSafe(file, &n, sizeof(file), rank);
  unlink(file);
}

/* Open MPI's sharedfp component individual (main.c) keeps NAME.data.RANK and NAME.metadata.RANK
   beside a file open for MPI-IO until it is closed: a killed writer of NAME.tmp left them. */
const char *VitOutputsAbandon(void)
{
  const char *first = NULL;

  for (int i = 0; i < VIT_MAX_OUTPUTS; i++) {
    if (!pending[i].armed) continue;
    pending[i].armed = 0;
    unlink(pending[i].tmp);
    UnlinkRankFile(pending[i].tmp, ".data.", pending[i].comm_rank);
    UnlinkRankFile(pending[i].tmp, ".metadata.", pending[i].comm_rank);
    if (pending[i].locked) unlink(pending[i].lock); /* the kernel drops the flock when the process ends */
    if (!first && strcmp(pending[i].path, pending[i].tmp)) first = pending[i].path; /* not a scratch file */
  }
  return first;
}

PetscErrorCode VitOptionsListLength(const char name[], PetscInt *n)
{
  const char *list = NULL;
  PetscBool   found;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsFindPair(NULL, NULL, name, &list, &found));
  *n = found && list && list[0] ? 1 : 0;
  for (const char *c = list; *n && *c; c++) *n += *c == ',';
  PetscFunctionReturn(0);
}

PetscErrorCode VitOptionsListMax(MPI_Comm comm, const char name[], PetscInt max)
{
  PetscInt n;

  PetscFunctionBeginUser;
  PetscCall(VitOptionsListLength(name, &n));
  PetscCheck(n <= max, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " comma-separated values given, at most %" PetscInt_FMT " are allowed", name, n, max);
  PetscFunctionReturn(0);
}

/* The one length check of the string options: the raw value of option NAME under PREFIX, as
   PETSc's readers look it up, against a buffer of size bytes. */
static PetscErrorCode StringFits(MPI_Comm comm, PetscOptions options, const char prefix[], const char name[], size_t size, const char hint[])
{
  const char *value = NULL;
  PetscBool   found;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsFindPair(options, prefix, name, &value, &found));
  PetscCheck(!found || !value || strlen(value) < size, comm, PETSC_ERR_USER_INPUT, "-%s%s: a value of %zu characters, at most %zu are read%s%s", prefix ? prefix : "", name + 1, strlen(value), size - 1, hint[0] ? ": " : "", hint);
  PetscFunctionReturn(0);
}

PetscErrorCode VitOptionsString_Private(PetscOptionItems *items, const char opt[], const char text[], const char man[], const char current[], char value[], size_t len, PetscBool *set, const char hint[])
{
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsString_Private(items, opt, text, man, current, value, len, set));
  PetscCall(StringFits(items->comm, items->options, items->prefix, opt, len, hint));
  PetscFunctionReturn(0);
}

PetscErrorCode VitOptionsGetString(MPI_Comm comm, const char name[], char value[], size_t len, PetscBool *set)
{
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, NULL, name, value, len, set));
  PetscCall(StringFits(comm, NULL, NULL, name, len, ""));
  PetscFunctionReturn(0);
}

PetscErrorCode VitOptionsSetDefault(const char name[], const char value[], PetscBool *added)
{
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsHasName(NULL, NULL, name, &set));
  if (!set) PetscCall(PetscOptionsSetValue(NULL, name, value));
  *added = (PetscBool)!set;
  PetscFunctionReturn(0);
}

int VitReadLine(FILE *f, char line[], size_t size)
{
  size_t len;
  int    c;

  if (!fgets(line, (int)size, f)) return 0;
  len = strlen(line);
  if (len && line[len - 1] == '\n') line[--len] = 0;
  else if (len + 1 == size && (c = fgetc(f)) != EOF && c != '\n') { /* the buffer is full and the line goes on */
    while (c != EOF && c != '\n') c = fgetc(f);
    return -1;
  }
  if (len && line[len - 1] == '\r') line[--len] = 0;
  return 1;
}

/* Append entry s (of line lineno) to the list, growing it by doubling from 16. */
static PetscErrorCode ListAppend(const char s[], PetscInt lineno, PetscInt *n, char ***entries, PetscInt **lines)
{
  PetscFunctionBegin;
  if (*n >= 16 && !(*n & (*n - 1))) { /* full: n is a power of two from 16 on */
    PetscCall(PetscRealloc(sizeof(char *) * 2 * *n, entries));
    if (lines) PetscCall(PetscRealloc(sizeof(PetscInt) * 2 * *n, lines));
  }
  PetscCall(PetscStrallocpy(s, &(*entries)[*n]));
  if (lines) (*lines)[*n] = lineno;
  (*n)++;
  PetscFunctionReturn(0);
}

static PetscErrorCode ListFree(PetscInt *n, char ***entries, PetscInt **lines)
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < *n; k++) PetscCall(PetscFree((*entries)[k]));
  *n = 0;
  PetscCall(PetscFree(*entries));
  if (lines) PetscCall(PetscFree(*lines));
  PetscFunctionReturn(0);
}

PetscErrorCode VitListFileRead(const char option[], const char path[], const char item[], PetscInt *n, char ***entries, PetscInt **lines, char errmsg[], size_t len)
{
  FILE          *f = fopen(path, "r");
  char           line[PETSC_MAX_PATH_LEN];
  PetscInt       lineno = 0;
  PetscErrorCode ierr = 0; /* raised after the file is closed */
  int            got;

  PetscFunctionBegin;
  *n        = 0;
  *entries  = NULL;
  errmsg[0] = 0;
  if (lines) *lines = NULL;
  if (!f) {
    snprintf(errmsg, len, "%s %s: cannot open (%s)", option, path, strerror(errno));
    PetscFunctionReturn(0);
  }
  ierr = PetscMalloc1(16, entries);
  if (!ierr && lines) ierr = PetscMalloc1(16, lines);
  while (!ierr && (got = VitReadLine(f, line, sizeof(line)))) {
    char *s = line + strspn(line, " \t"), *end = s + strlen(s);
    lineno++;
    if (got < 0) {
      snprintf(errmsg, len, "%s %s:%" PetscInt_FMT ": a %s longer than %d bytes", option, path, lineno, item, (int)sizeof(line) - 1);
      break;
    }
    while (end > s && (end[-1] == ' ' || end[-1] == '\t')) *--end = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c && !errmsg[0]; c++)
      if (*c < 0x20 && *c != '\t') snprintf(errmsg, len, "%s %s:%" PetscInt_FMT ": not a line of text (a binary file?): give a text file, one %s a line", option, path, lineno, item);
    if (errmsg[0]) break;
    if (s[0] && s[0] != '#') ierr = ListAppend(s, lineno, n, entries, lines);
  }
  fclose(f);
  PetscCall(ierr);
  if (errmsg[0]) PetscCall(ListFree(n, entries, lines));
  PetscFunctionReturn(0);
}

PetscErrorCode VitLogEventsRegister(PetscInt n, const char *const names[], PetscLogEvent *const events[])
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < n; k++) {
    PetscLogEvent id;
    PetscCall(PetscLogEventGetId(names[k], &id));
    if (id < 0) PetscCall(PetscLogEventRegister(names[k], vit_log.classid, &id));
    *events[k] = id;
  }
  PetscFunctionReturn(0);
}

/* The number on the first line of dir/name or, with key, on its line that starts with key and a
   space; -1 where it cannot be read (cgroup v2's "max" too). */
static double ReadNumber(const char dir[], const char name[], const char key[])
{
  char   path[PATH_MAX], line[256];
  size_t k = key ? strlen(key) : 0;
  double v = -1;
  FILE  *f;

  snprintf(path, sizeof(path), "%s/%s", dir, name);
  if (!(f = fopen(path, "r"))) return -1;
  while (fgets(line, sizeof(line), f)) {
    if (key && (strncmp(line, key, k) || line[k] != ' ')) continue;
    if (sscanf(line + k, "%lf", &v) != 1) v = -1;
    break;
  }
  fclose(f);
  return v;
}

/* Whether word is one of the comma-separated words of list. */
static PetscBool HasWord(const char list[], const char word[])
{
  size_t n = strlen(word);

  for (const char *p = list; p; p = strchr(p, ',')) {
    if (*p == ',') p++;
    if (!strncmp(p, word, n) && (p[n] == ',' || p[n] == 0)) return PETSC_TRUE;
  }
  return PETSC_FALSE;
}

/* The folder of this process's memory cgroup (v1: the memory controller's hierarchy, else the v2
   hierarchy) and the folder of that hierarchy's mount (the walk up to the ancestors stops there),
   from <root>/proc/self/cgroup and <root>/proc/self/mountinfo; PETSC_FALSE where there is none. */
static PetscBool CgroupFolder(const char root[], char dir[], char top[], size_t len, PetscBool *v2)
{
  char  path[PATH_MAX], line[4096], cg[2][PATH_MAX] = {"", ""}; /* v1 memory, v2 */
  FILE *f;

  snprintf(path, sizeof(path), "%s/proc/self/cgroup", root);
  if (!(f = fopen(path, "r"))) return PETSC_FALSE;
  while (fgets(line, sizeof(line), f)) { /* id:controllers:path */
    char *ctl = strchr(line, ':'), *at = ctl ? strchr(ctl + 1, ':') : NULL;
    if (!at) continue;
    *ctl++ = 0;
    *at++  = 0;
    at[strcspn(at, "\n")] = 0;
    if (HasWord(ctl, "memory")) snprintf(cg[0], sizeof(cg[0]), "%s", at);
    else if (!strcmp(line, "0") && !ctl[0]) snprintf(cg[1], sizeof(cg[1]), "%s", at);
  }
  fclose(f);
  snprintf(path, sizeof(path), "%s/proc/self/mountinfo", root);
  if (!(f = fopen(path, "r"))) return PETSC_FALSE;
  dir[0] = 0;
  while (fgets(line, sizeof(line), f)) { /* id parent major:minor root mount-point options ... - type source super-options */
    char  mroot[PATH_MAX], point[PATH_MAX], type[64], opts[1024];
    char *dash = strstr(line, " - ");
    int   h;
    if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", mroot, point) != 2 || sscanf(dash + 3, "%63s %*s %1023s", type, opts) != 2) continue;
    if (!strcmp(type, "cgroup") && HasWord(opts, "memory") && cg[0][0]) h = 0;
    else if (!strcmp(type, "cgroup2") && cg[1][0] && !dir[0]) h = 1;
    else continue;
    {
      size_t      n   = strcmp(mroot, "/") ? strlen(mroot) : 0; /* a mount of a sub-tree: the path below it */
      const char *rel = n && !strncmp(cg[h], mroot, n) ? cg[h] + n : cg[h];
      snprintf(top, len, "%.1023s%.1023s", root, point);
      snprintf(dir, len, "%.1023s%.1023s%.2047s", root, point, strcmp(rel, "/") ? rel : "");
      *v2 = (PetscBool)h;
    }
    if (h == 0) break; /* v1's memory controller: the one that limits */
  }
  fclose(f);
  return (PetscBool)(dir[0] != 0);
}

/* The least memory left (bytes) under the limit of this process's memory cgroup and its ancestors
   (v2: memory.max - memory.current, v1: memory.limit_in_bytes - memory.usage_in_bytes, usage
   without the inactive file cache, which the kernel reclaims before it kills), and that limit and
   usage; -1 where no cgroup limits memory ("max", or a limit above 2^60 bytes: v1's unlimited). */
static double CgroupFree(const char root[], double *limit, double *used)
{
  char      dir[PATH_MAX], top[PATH_MAX];
  PetscBool v2;
  double    least = -1;

  if (!CgroupFolder(root, dir, top, sizeof(dir), &v2)) return -1;
  for (;;) {
    double l = ReadNumber(dir, v2 ? "memory.max" : "memory.limit_in_bytes", NULL), u = ReadNumber(dir, v2 ? "memory.current" : "memory.usage_in_bytes", NULL);
    double cache = ReadNumber(dir, "memory.stat", v2 ? "inactive_file" : "total_inactive_file");
    char  *up    = strrchr(dir, '/');
    if (l > 0 && l < 1152921504606846976.0 && u >= 0) {
      double in_use = u - PetscMax(cache, 0), f = PetscMax(l - in_use, 0);
      if (least < 0 || f < least) {
        least  = f;
        *limit = l;
        *used  = in_use;
      }
    }
    if (!strcmp(dir, top) || !up || (size_t)(up - dir) < strlen(top)) break;
    *up = 0;
  }
  return least;
}

PetscErrorCode VitMemoryAvailable(const char root[], PetscReal *bytes, char bound[], size_t len)
{
  char   dir[PATH_MAX];
  double limit = 0, used = 0, kb, cgroup = CgroupFree(root, &limit, &used);

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(dir, sizeof(dir), "%s/proc", root));
  kb     = ReadNumber(dir, "meminfo", "MemAvailable:");
  *bytes = kb > 0 ? 1024 * kb : 0;
  if (cgroup >= 0 && (kb <= 0 || cgroup < *bytes)) {
    *bytes = cgroup;
    PetscCall(PetscSNPrintf(bound, len, "the job's memory limit (cgroup) of %.3g GB less the %.3g GB it uses", limit / 1e9, used / 1e9));
  } else PetscCall(PetscSNPrintf(bound, len, kb > 0 ? "the node's MemAvailable" : "unknown"));
  PetscFunctionReturn(0);
}

PetscErrorCode VitNodeSplit(MPI_Comm comm, MPI_Comm *node, PetscReal *avail, char bound[], size_t len)
{
  PetscMPIInt local;
  char        text[VIT_MEMORY_BOUND_LEN];

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, node));
  PetscCallMPI(MPI_Comm_rank(*node, &local));
  *avail = -1;
  if (!local) PetscCall(VitMemoryAvailable("", avail, text, sizeof(text)));
  if (bound) {
    PetscCallMPI(MPI_Bcast(text, sizeof(text), MPI_CHAR, 0, *node));
    PetscCall(PetscStrncpy(bound, text, len));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VitNodeMemoryFits(MPI_Comm comm, PetscLogDouble bytes, PetscReal fraction, PetscBool *fits, PetscReal *need_gb, PetscReal *avail_gb, char bound[], size_t len)
{
  MPI_Comm  node;
  PetscReal avail, pair[2]; /* the node's need and fraction of its available memory */
  char      text[VIT_MEMORY_BOUND_LEN];
  struct {
    double ratio;
    int    rank;
  } worst;

  PetscFunctionBegin;
  PetscCall(VitNodeSplit(comm, &node, &avail, text, sizeof(text)));
  pair[0] = bytes;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &pair[0], 1, MPIU_REAL, MPI_SUM, node));
  if (avail >= 0) pair[1] = avail > 0 ? fraction * avail : PETSC_MAX_REAL; /* the node's reader; unknown: everything fits */
  PetscCallMPI(MPI_Bcast(&pair[1], 1, MPIU_REAL, 0, node));
  PetscCallMPI(MPI_Comm_free(&node));
  PetscCallMPI(MPI_Comm_rank(comm, &worst.rank));
  worst.ratio = pair[0] / pair[1];
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &worst, 1, MPI_DOUBLE_INT, MPI_MAXLOC, comm));
  PetscCallMPI(MPI_Bcast(pair, 2, MPIU_REAL, worst.rank, comm));
  PetscCallMPI(MPI_Bcast(text, sizeof(text), MPI_CHAR, worst.rank, comm));
  PetscCall(PetscStrncpy(bound, text, len));
  *fits     = (PetscBool)(worst.ratio <= 1);
  *need_gb  = pair[0] / 1e9;
  *avail_gb = pair[1] / 1e9;
  PetscFunctionReturn(0);
}

/* The text of an option read by VitOptionsAutoInt/Real: *number when the user gave something other
   than auto (a default -help shows as "auto", not a sentinel number). */
static PetscErrorCode AutoText(PetscOptionItems *items, const char opt[], const char text[], char value[], size_t len, PetscBool *number)
{
  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(value, "auto", len));
  PetscCall(VitOptionsString_Private(items, opt, text, NULL, value, value, len, number, "give a number or auto"));
  *number = (PetscBool)(*number && strcmp(value, "auto"));
  PetscFunctionReturn(0);
}

PetscErrorCode VitOptionsAutoInt_Private(PetscOptionItems *items, const char opt[], const char text[], PetscInt *value, PetscBool *given)
{
  char      buf[64], *end;
  long long v;

  PetscFunctionBeginUser;
  PetscCall(AutoText(items, opt, text, buf, sizeof(buf), given));
  if (!*given) PetscFunctionReturn(0);
  errno = 0;
  v     = strtoll(buf, &end, 10);
  PetscCheck(end != buf && !*end && errno != ERANGE && v >= PETSC_MIN_INT && v <= PETSC_MAX_INT, items->comm, PETSC_ERR_USER_INPUT, "%s %s: not a whole number: give a number or auto", opt, buf);
  *value = (PetscInt)v;
  PetscFunctionReturn(0);
}

PetscErrorCode VitOptionsAutoReal_Private(PetscOptionItems *items, const char opt[], const char text[], PetscReal *value, PetscBool *given)
{
  char   buf[64], *end;
  double v;

  PetscFunctionBeginUser;
  PetscCall(AutoText(items, opt, text, buf, sizeof(buf), given));
  if (!*given) PetscFunctionReturn(0);
  v = strtod(buf, &end);
  PetscCheck(end != buf && !*end, items->comm, PETSC_ERR_USER_INPUT, "%s %s: not a number: give a number or auto", opt, buf);
  *value = (PetscReal)v;
  PetscFunctionReturn(0);
}

/* The one message of the real checks: "OPTION VALUE: must be MUST (HINT)" unless ok. */
static PetscErrorCode CheckReal(MPI_Comm comm, PetscBool ok, const char option[], PetscReal value, const char must[], const char hint[])
{
  char given[VIT_REAL_STRING_LEN];

  PetscFunctionBeginUser;
  PetscCheck(ok, comm, PETSC_ERR_USER_INPUT, "%s %s: must be %s%s%s%s", option, VitRealString(value, given), must, hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
  PetscFunctionReturn(0);
}

PetscErrorCode VitCheckFiniteReal(MPI_Comm comm, const char option[], PetscReal value, const char hint[])
{
  PetscFunctionBeginUser;
  PetscCall(CheckReal(comm, (PetscBool)!PetscIsInfOrNanReal(value), option, value, "a finite number", hint));
  PetscFunctionReturn(0);
}
