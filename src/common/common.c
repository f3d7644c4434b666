/* Initialisation, logging, error handling and small helpers shared by every command. */
#include <vitrum/common.h>
#include <hdf5.h>
#include <ctype.h>

VitLog vit_log;

PetscErrorCode VitInitialize(void)
{
  PetscFunctionBeginUser;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* HDF5 failures are reported by vitrum's own messages */
  PetscCall(PetscClassIdRegister("vitrum", &vit_log.classid));
  PetscCall(PetscLogStageRegister("Read", &vit_log.stage_read));
  PetscCall(PetscLogStageRegister("Structure", &vit_log.stage_structure));
  PetscCall(PetscLogStageRegister("Hessian", &vit_log.stage_hessian));
  PetscCall(PetscLogStageRegister("Spectrum", &vit_log.stage_spectrum));
  PetscCall(PetscLogStageRegister("Fit", &vit_log.stage_fit));
  PetscCall(PetscLogEventRegister("VitRead", vit_log.classid, &vit_log.read));
  PetscCall(PetscLogEventRegister("VitDistribute", vit_log.classid, &vit_log.distribute));
  PetscCall(PetscLogEventRegister("VitGhosts", vit_log.classid, &vit_log.ghosts));
  PetscCall(PetscLogEventRegister("VitNeighbors", vit_log.classid, &vit_log.neighbors));
  PetscCall(PetscLogEventRegister("VitRdf", vit_log.classid, &vit_log.rdf));
  PetscCall(PetscLogEventRegister("VitWrite", vit_log.classid, &vit_log.write));
  PetscFunctionReturn(0);
}

/* User-input errors (bad files, bad options) are raised on every rank of the communicator
   with one of these codes; they print one line and end the program with status 1. */
static PetscBool user_error_raised = PETSC_FALSE;

static PetscBool IsUserError(PetscErrorCode n)
{
  return (PetscBool)(n == PETSC_ERR_USER_INPUT || n == PETSC_ERR_FILE_OPEN || n == PETSC_ERR_FILE_READ || n == PETSC_ERR_FILE_UNEXPECTED || n == PETSC_ERR_FILE_WRITE || n == PETSC_ERR_ARG_OUTOFRANGE || n == PETSC_ERR_ARG_WRONG ||
                     n == PETSC_ERR_ARG_INCOMP || n == PETSC_ERR_ARG_SIZ || n == PETSC_ERR_NOT_CONVERGED);
}

static PetscErrorCode VitErrorHandler(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  if (p == PETSC_ERROR_INITIAL && IsUserError(n) && comm != MPI_COMM_NULL) {
    int rank = 0, size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    /* a user error raised on PETSC_COMM_SELF of a parallel run may be on one rank only: keep the traceback */
    if (size > 1 || PetscGlobalSize == 1) {
      user_error_raised = PETSC_TRUE;
      if (!rank) fprintf(stderr, "vitrum: error: %s\n", mess ? mess : "(no message)");
      return n;
    }
  }
  if (user_error_raised) return n; /* the error travelling up the stack: already reported */
  return PetscTraceBackErrorHandler(comm, line, func, file, n, p, mess, ctx);
}

PetscErrorCode VitPushErrorHandler(void)
{
  PetscFunctionBeginUser;
  PetscCall(PetscPushErrorHandler(VitErrorHandler, NULL));
  PetscFunctionReturn(0);
}

PetscBool VitUserErrorRaised(void)
{
  return user_error_raised;
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
  char   **names, **values;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsLeftGet(NULL, &nleft, &names, &values));
  for (PetscInt i = 0; i < nleft; i++) {
    /* PETSc's own diagnostics options are used at finalize; do not flag them */
    if (!strncmp(names[i], "log", 3) || !strncmp(names[i], "options_", 8) || !strncmp(names[i], "malloc", 6) || !strcmp(names[i], "help")) continue;
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "vitrum: warning: option -%s%s%s was given but not used (misspelled, or not for this command?)\n", names[i], values[i] ? " " : "", values[i] ? values[i] : ""));
  }
  PetscCall(PetscOptionsLeftRestore(NULL, &nleft, &names, &values));
  PetscFunctionReturn(0);
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
  p->what  = what;
  p->total = total;
  PetscCall(PetscTime(&p->t0));
  p->last = p->t0;
  PetscFunctionReturn(0);
}

PetscErrorCode VitProgressUpdate(MPI_Comm comm, VitProgress *p, PetscInt done)
{
  PetscLogDouble now, elapsed, eta;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&now));
  if (done < p->total && now - p->last < 2.0) PetscFunctionReturn(0);
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
  PetscCall(PetscStrncpy(out, input, len));
  dot   = strrchr(out, '.');
  slash = strrchr(out, '/');
  if (dot && (!slash || dot > slash)) *dot = 0;
  PetscCall(PetscStrlcat(out, suffix, len));
  PetscFunctionReturn(0);
}

/* Options that never change a per-sample rdf or spectrum result. */
static PetscBool OptionIsBookkeeping(const char name[])
{
  static const char *const prefixes[] = {"features_", "fit_", "pipeline_", "log", "options_", "malloc", "help", "info", "history", "ranks_per_sample", "samples", "sample_list", "data", "model", "predict_"};
  static const char *const exact[]    = {"o", "sample", "format", "frame"};
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
      if (OptionIsBookkeeping(tok + 1)) {
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
