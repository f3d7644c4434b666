static const char help[] = "vitrum: structure profiles, Hessian spectra and linear structure-property models of glasses.\n"
                           "Usage: vitrum COMMAND [options]    (vitrum COMMAND -help, -h or --help lists the command's options)\n\n";

#include <vitrum/commands.h>
#include <vitrum/h5io.h>
#include <vitrum/optionsfiles.h>
#include <slepcsys.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

static const VitCommand commands[] = {
  {"info",     VitCmdInfo,     "summary of a sample: N, species, box, dimension, density"},
  {"convert",  VitCmdConvert,  "convert a sample to H5MD (-o OUT.h5) or LAMMPS data (-o OUT.data)"},
  {"rdf",      VitCmdRdf,      "partial radial distribution functions g_ab(r) and optionally S(q)"},
  {"energy",   VitCmdEnergy,   "energy, per-atom energy, forces and virial of a sample"},
  {"minimize", VitCmdMinimize, "relax a sample to its inherent structure"},
  {"hessian",  VitCmdHessian,  "assemble the sparse Hessian (dynamical matrix) and check it"},
  {"spectrum", VitCmdSpectrum, "low-frequency modes, VDOS (kernel polynomial method), moments"},
  {"response", VitCmdResponse, "first-order responses: eigenvalue shifts, dipole stiffness"},
  {"features", VitCmdFeatures, "build a dataset (structure features X, spectral targets Y) from many samples"},
  {"fit",      VitCmdFit,      "parallel TSQR ridge fit of the linear structure-property model"},
  {"predict",  VitCmdPredict,  "apply a fitted model to samples or to a measured g(r)/S(q)"},
  {"pipeline", VitCmdPipeline, "the whole study from an options file, with a report"},
};
static const size_t ncommands = sizeof(commands) / sizeof(commands[0]);

static void PrintUsage(void)
{
  printf("%s", help);
  printf("Commands:\n");
  for (size_t i = 0; i < ncommands; i++) printf("  %-9s %s\n", commands[i].name, commands[i].summary);
  printf("\nAll settings are PETSc options: -options_file F, -log_view, -help and every -eps_*, -st_*,\n"
         "-ksp_*, -pc_*, -bv_*, -mat_* option work as in PETSc. See README.md and docs/.\n");
}

static int AsksForHelp(int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "-help")) return 1;
  return 0;
}

/* -h and --help ask for the help as -help does. PETSc knows -help only: it took -h and --help for
   unknown options and the command ran (`vitrum pipeline --help` started a study). */
static void HelpSpellings(int argc, char **argv)
{
  static char help_option[] = "-help";

  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) argv[i] = help_option;
}

/* "vitrum" alone, "vitrum -help" or an unknown command: the usage once, on rank 0, without starting
   PETSc (whose -help would add PETSc's and SLEPc's generic options and vitrum's usage line a
   second time); after an unknown command, an error line first. Status: 0 for -help, else 2. */
static int UsageWithoutCommand(int *argc, char ***argv, const char *unknown)
{
  int rank = 0, status = unknown || *argc < 2 ? 2 : 0;

  MPI_Init(argc, argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (!rank) {
    if (unknown) fprintf(stderr, "vitrum: error: unknown command '%s'\n\n", unknown);
    PrintUsage();
  }
  MPI_Finalize();
  return status;
}

#define MESSAGE_LEN 2048

/* Whether word k continues the files that follow the value of the last -samples (features,
   predict: VitSamplePathsGet reads the words after it up to the next option). */
static PetscBool MoreSamples(int k, int last_samples, char **w)
{
  if (last_samples < 0 || k < last_samples + 2) return PETSC_FALSE;
  for (int j = last_samples + 2; j <= k; j++)
    if (w[j][0] == '-') return PETSC_FALSE;
  return PETSC_TRUE;
}

/* The first of the n words w that is neither an option nor the value of the option before it, by
   PETSc's rules (PetscOptionsInsertArgs and PetscOptionsInsertString: a word that is not an option
   name, -1e-3 included, is the value of the option before it); n if none. PETSc skipped such
   words without a word, so `rdf -sample a.data b.data` computed a.data alone and
   `-spectrum_nev 5 10` dropped the 10. On the command line, the further files of -samples are not
   such words (VitSamplePathsGet reads them from the command line only). */
static PetscErrorCode FirstBareWord(const VitOptionsSource *src, int n, char **w, int *bare)
{
  int last_samples = -1;

  PetscFunctionBeginUser;
  *bare = n;
  for (int k = 0; src->command && k < n; k++)
    if (!strcmp(w[k], "-samples")) last_samples = k;
  for (int k = 0; k < n; k++) {
    PetscBool key, value;

    PetscCall(PetscOptionsValidKey(w[k], &key));
    if (!key && !MoreSamples(k, last_samples, w)) {
      *bare = k;
      break;
    }
    if (!key) continue;
    PetscCall(VitOptionTakesValue(n, w, k, &value));
    if (value) k++;
  }
  PetscFunctionReturn(0);
}

/* The error for word k of w, which is neither an option nor an option's value. */
static PetscErrorCode BareWordMessage(const VitOptionsSource *src, int k, char **w, char msg[])
{
  const char *samples = src->command ? "give several samples to features or predict as -samples A B ... or -sample_list FILE" : "give several samples to features or predict as -samples 'GLOB' or -sample_list FILE (-samples A B ... on the command line only)";
  PetscBool   after_key = PETSC_FALSE;

  PetscFunctionBeginUser;
  if (k > 0) PetscCall(PetscOptionsValidKey(w[k - 1], &after_key));
  if (k == 0 && src->command) snprintf(msg, MESSAGE_LEN, "%sunexpected argument '%.200s' (after the command %s): give options as -NAME VALUE", src->at, w[k], src->command);
  else if (k == 0) snprintf(msg, MESSAGE_LEN, "%sunexpected argument '%.200s': give options as -NAME VALUE%s", src->at, w[k], src->file ? ", one a line" : "");
  else if (after_key) snprintf(msg, MESSAGE_LEN, "%sunexpected argument '%.200s' (after %.200s, which takes no value)", src->at, w[k], w[k - 1]);
  else snprintf(msg, MESSAGE_LEN, "%sunexpected argument '%.200s' (after %.200s %.200s): each option takes one value; %s", src->at, w[k], w[k - 2], w[k - 1], !strcmp(w[k - 2], "-sample") || !strcmp(w[k - 2], "-samples") ? samples : "a list is one word, comma-separated (-spectrum_count_omega 2,4,6)");
  PetscFunctionReturn(0);
}

/* A line of an options file that PETSc does not read as an option, or an alias: PETSc stops there. */
static PetscErrorCode LineMessage(const VitOptionsSource *src, int n, char **w, char msg[])
{
  PetscBool key = PETSC_FALSE, old = PETSC_FALSE;

  PetscFunctionBeginUser;
  if (strcasecmp(w[0], "alias")) { /* -NAME, or -NAME VALUE: a second option on the line is refused */
    PetscCall(PetscOptionsValidKey(w[0], &key));
    for (int j = 1; key && j < n && j < 3 && !old; j++) {
      PetscCall(PetscOptionsValidKey(w[j], &old));
      if (old) snprintf(msg, MESSAGE_LEN, "%s%.200s %.200s%s%.200s: two options on one line: give each option on a line of its own", src->at, w[0], w[1], j == 2 ? " " : "", j == 2 ? w[2] : "");
    }
    PetscFunctionReturn(0);
  }
  if (n > 1) PetscCall(PetscOptionsValidKey(w[1], &key));
  if (n > 2) PetscCall(PetscOptionsValidKey(w[2], &old));
  if (n != 3 || !key || !old) snprintf(msg, MESSAGE_LEN, "%sa malformed alias: give alias -NEW_NAME -OPTION", src->at);
  PetscFunctionReturn(0);
}

/* Visitor of the option sources (VitOptionsWalk), msg its ctx: words w of src as PETSc will read
   them, every word an option or its value and an options file line one option. */
static PetscErrorCode CheckWords(const VitOptionsSource *src, int n, char **w, void *msg, PetscBool *stop)
{
  int bare;

  PetscFunctionBeginUser;
  if (src->file && n) PetscCall(LineMessage(src, n, w, msg));
  if (!((char *)msg)[0] && !(src->file && n && !strcasecmp(w[0], "alias"))) {
    PetscCall(FirstBareWord(src, n, w, &bare));
    if (bare < n) PetscCall(BareWordMessage(src, bare, w, msg));
  }
  *stop = (PetscBool)(((char *)msg)[0] != 0);
  PetscFunctionReturn(0);
}

/* Visitor of the options files named: one that PETSc cannot read stops the run. */
static PetscErrorCode CheckFile(const VitOptionsSource *from, const char option[], const char file[], VitOptionsFileKind kind, int err, void *msg, PetscBool *stop)
{
  PetscFunctionBeginUser;
  if (kind == VIT_OPTIONS_FILE_NO_NAME) snprintf(msg, MESSAGE_LEN, "%s%s without a file name: give %s FILE", from->at, option, option);
  else if (kind == VIT_OPTIONS_FILE_TOO_DEEP) snprintf(msg, MESSAGE_LEN, "%s%s %.500s: options files within options files %d deep: does a file name itself?", from->at, option, file, VIT_OPTIONS_FILE_DEPTH);
  else if (kind == VIT_OPTIONS_FILE_UNREADABLE) snprintf(msg, MESSAGE_LEN, "%s%s %.500s: cannot read it (%s): give an options file", from->at, option, file, strerror(err));
  *stop = (PetscBool)(((char *)msg)[0] != 0);
  PetscFunctionReturn(0);
}

/* PETSc reads the options files and PETSC_OPTIONS inside SlepcInitialize, before vitrum's error
   handler exists: a bad line stopped the run with PETSc's traceback, and a word that is no
   option's value was skipped without a word. So rank 0 reads them first, as PETSc will, and an
   error is one line; every rank learns of it and the run ends with status 1 before PETSc starts.
   Collective on MPI_COMM_WORLD. */
static int OptionsRefused(const char command[], int argc, char **argv)
{
  char              message[MESSAGE_LEN] = "";
  VitOptionsVisitor check                = {CheckWords, CheckFile, message};
  int               rank = 0, refused;

  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (!rank && VitOptionsWalk(command, argc, argv, &check)) snprintf(message, sizeof(message), "the options could not be checked (see above)");
  refused = message[0] != 0;
  MPI_Bcast(&refused, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (!rank && refused) fprintf(stderr, "vitrum: error: %s\n", message);
  return refused;
}

/* Whether -help asks for the command's options: not -help intro, which PETSc answers with the usage
   and its version, and exits (PetscOptionsCheckInitial_Private). */
static PetscBool AsksForOptions(int argc, char **argv)
{
  PetscBool options = PETSC_FALSE;

  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "-help")) options = (PetscBool)(i + 1 == argc || strcasecmp(argv[i + 1], "intro"));
  return options;
}

/* `vitrum COMMAND -help`: PETSc and SLEPc print their banner and their general options (about 80
   lines: -log_view, -malloc_debug, ...) in SlepcInitialize, before the command lists its own. They
   are held back while SlepcInitialize runs (PETSc prints help through PetscHelpPrintf, which a
   program may replace) and printed after the command's options, under a heading. */
static struct {
  char  *text;
  size_t len;
} held;

static PetscErrorCode HoldHelp(MPI_Comm comm, const char format[], ...)
{
  size_t         full;
  va_list        ap, again;
  char          *grown;
  PetscErrorCode ierr;

  (void)comm;
  va_start(ap, format);
  va_copy(again, ap);
  grown = realloc(held.text, held.len + 4096);
  if (grown) ierr = PetscVSNPrintf((held.text = grown) + held.len, 4096, format, &full, ap);
  if (grown && !ierr && full >= 4096 && (grown = realloc(held.text, held.len + full + 1))) ierr = PetscVSNPrintf((held.text = grown) + held.len, full + 1, format, &full, again);
  va_end(again);
  va_end(ap);
  if (!grown) return PETSC_ERR_MEM;
  if (!ierr) held.len += strlen(held.text + held.len);
  return ierr;
}

static PetscErrorCode PrintHeldHelp(void)
{
  PetscFunctionBeginUser;
  if (!held.text) PetscFunctionReturn(0);
  PetscCall((*PetscHelpPrintf)(PETSC_COMM_WORLD, "----------------------------------------\n"
                                                 "PETSc's and SLEPc's general options (their solvers' -eps_*, -st_*, -ksp_*, -pc_*, -bv_*, -mat_* options: see their manuals):\n"));
  PetscCall((*PetscHelpPrintf)(PETSC_COMM_WORLD, "%s", held.text));
  free(held.text);
  held.text = NULL;
  PetscFunctionReturn(0);
}

/* glibc's malloc backs its heap with transparent huge pages when GLIBC_TUNABLES holds
   glibc.malloc.hugetlb=1, a setting read only at process start. The Hessian's arrays (GBs, zeroed
   by PETSc's preallocation) then fault in 2 MB pages instead of 4 kB ones: on 884,736 atoms, 1 rank,
   the assembly took 8.6 s instead of 20.0 s, MatMult and the KPM the same (docs/BENCHMARKS.md). So
   vitrum executes itself once more with the tunable added, unless it is already named or
   VITRUM_HUGEPAGES=0 (e.g. under valgrind); where the exec fails it runs on with 4 kB pages.
   Under an address-space limit (ulimit -v, RLIMIT_AS) below VIT_HUGEPAGES_MIN_AS the tunable is
   not added: with it, Open MPI's start-up (before any vitrum code) crashed or hung at 350 MB, where
   it starts without (docs/reliability.md, tests/cli/small_address_space.py).
   Under any finite address-space limit the re-execution also sets OPENBLAS_NUM_THREADS=1 when
   neither it nor OMP_NUM_THREADS is set: a threaded OpenBLAS starts its thread pool when it is
   loaded, before main, and MPI_Init's fork (Open MPI's singleton start) then joins those threads in
   OpenBLAS's fork handler; under 250-300 MB that hung or failed in PMIx. With one thread there is no
   pool. OneBlasThreadPerRank (common.c) chooses the thread count where vitrum is not re-executed. */
#define VIT_HUGEPAGES_MIN_AS (1024.0 * 1024 * 1024)

/* The soft address-space limit in bytes; infinite where there is none. */
static double AddressSpaceLimit(void)
{
  struct rlimit limit;

  if (getrlimit(RLIMIT_AS, &limit) || limit.rlim_cur == RLIM_INFINITY) return INFINITY;
  return (double)limit.rlim_cur;
}

/* Adds glibc.malloc.hugetlb=1 to GLIBC_TUNABLES (value: room for the new setting); 0 on success. */
static int AddHugePagesTunable(const char *tunables, char value[], size_t len)
{
  if (snprintf(value, len, "%s%sglibc.malloc.hugetlb=1", tunables ? tunables : "", tunables && tunables[0] ? ":" : "") >= (int)len) return 1;
  return setenv("GLIBC_TUNABLES", value, 1);
}

static void RestoreVariable(const char *name, const char *old)
{
  if (old) setenv(name, old, 1);
  else unsetenv(name);
}

static void ReExecute(char **argv)
{
  const char *off = getenv("VITRUM_HUGEPAGES"), *tunables = getenv("GLIBC_TUNABLES"), *blas = getenv("OPENBLAS_NUM_THREADS");
  double      limit = AddressSpaceLimit();
  int         huge  = !(off && !strcmp(off, "0")) && !(tunables && strstr(tunables, "glibc.malloc.hugetlb")) && limit >= VIT_HUGEPAGES_MIN_AS;
  int         one_blas_thread = isfinite(limit) && !blas && !getenv("OMP_NUM_THREADS");
  char        value[4096];

  if (huge && AddHugePagesTunable(tunables, value, sizeof(value))) huge = 0;
  if (one_blas_thread && setenv("OPENBLAS_NUM_THREADS", "1", 1)) one_blas_thread = 0;
  if (!huge && !one_blas_thread) return;
  execv("/proc/self/exe", argv);
  RestoreVariable("GLIBC_TUNABLES", tunables);
  RestoreVariable("OPENBLAS_NUM_THREADS", blas);
}

/* Open MPI's MPI-IO (ompio) asks each shared-file-pointer component at every MPI_File_open, which
   HDF5 calls for every output, whether it can serve the file. The default one, lockedfile, formats
   NAME.locktest.RANK with sprintf into a 256-byte buffer (Open MPI 4.1): an output path of about
   240 characters or more aborted every rank with glibc's "buffer overflow detected", and a file
   name near NAME_MAX failed as "cannot create output file". vitrum and HDF5 use no shared file
   pointer, so vitrum selects the component that makes no file at open, individual, unless the user
   chose one (OMPI_MCA_sharedfp, also set by mpirun --mca sharedfp). Set before MPI_Init, which reads
   it; other MPI libraries ignore it. docs/reliability.md. */
static void AvoidLockedfileComponent(void)
{
  setenv("OMPI_MCA_sharedfp", "individual", 0);
}

/* SIGTERM (a batch system's time limit), SIGINT (Ctrl-C) and SIGHUP ended the run without a word:
   status 143/130 on 1 rank, and mpirun's status 1 on several, which a job script could not tell
   from a user error. The handler removes the temporary files of the outputs being written
   (VitOutputsAbandon), writes one line, and ends the process by the same signal, so that the
   status stays 128 + N. Rank 0 writes the line; another rank only when the signal came from
   someone else than its parent (mpirun's daemon, or SLURM's step daemon, signals every rank),
   e.g. `kill` of that rank alone. Async-signal-safe calls only (write, unlink, sigaction, raise). */
static void Stopped(int sig, siginfo_t *info, void *context)
{
  static volatile sig_atomic_t once = 0;
  struct sigaction             dfl;
  const char                  *output, *name = sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "SIGHUP";
  char                         line[PETSC_MAX_PATH_LEN + 128];
  size_t                       n = 0;

  (void)context;
  if (!once) {
    once   = 1;
    output = VitOutputsAbandon();
    if (!PetscGlobalRank || (info && info->si_code == SI_USER && info->si_pid != getppid())) {
      VitAppendSafe(line, &n, sizeof(line), "vitrum: stopped by ");
      VitAppendSafe(line, &n, sizeof(line), name);
      if (PetscGlobalRank) {
        VitAppendSafe(line, &n, sizeof(line), " on rank ");
        VitAppendIntSafe(line, &n, sizeof(line), PetscGlobalRank);
      }
      if (output) {
        VitAppendSafe(line, &n, sizeof(line), ": ");
        VitAppendSafe(line, &n, sizeof(line), output);
        VitAppendSafe(line, &n, sizeof(line), " not written");
      }
      VitAppendSafe(line, &n, sizeof(line), "\n");
      if (write(STDERR_FILENO, line, n) < 0) n = 0;
    }
  }
  memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, NULL);
  raise(sig); /* delivered when the handler returns */
}

/* After PetscInitialize, whose own handler (PetscPushSignalHandler) these replace. */
static PetscErrorCode CatchStopSignals(void)
{
  const int        signals[] = {SIGTERM, SIGINT, SIGHUP};
  struct sigaction action;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&action, sizeof(action)));
  action.sa_sigaction = Stopped;
  action.sa_flags     = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) sigaddset(&action.sa_mask, signals[i]);
  for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) PetscCheck(!sigaction(signals[i], &action, NULL), PETSC_COMM_SELF, PETSC_ERR_SYS, "sigaction(%d) failed: %s", signals[i], strerror(errno));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  const VitCommand *cmd = NULL;
  PetscErrorCode    ierr;
  int               status = 0, provided;
  PetscBool         hold_help;

  ReExecute(argv);
  AvoidLockedfileComponent();
  HelpSpellings(argc, argv);

  /* The command is argv[1]; PETSc sees the remaining arguments. */
  if (argc >= 2 && argv[1][0] != '-') {
    for (size_t i = 0; i < ncommands; i++)
      if (!strcmp(argv[1], commands[i].name)) cmd = &commands[i];
    if (!cmd) return UsageWithoutCommand(&argc, &argv, argv[1]);
    VitSetCommandName(cmd->name); /* PETSc sees the arguments without it; /meta records it */
    argv[1] = argv[0];
    argv++;
    argc--;
  }
  if (!cmd && (argc < 2 || AsksForHelp(argc, argv))) return UsageWithoutCommand(&argc, &argv, NULL);
  MPI_Init_thread(&argc, &argv, PETSC_MPI_THREAD_REQUIRED, &provided); /* as PetscInitialize would; PETSc leaves MPI_Finalize to us */
  if (OptionsRefused(cmd ? cmd->name : "", argc, argv)) {
    MPI_Finalize();
    return 1;
  }
  hold_help = (PetscBool)(cmd && AsksForOptions(argc, argv));
  if (hold_help) PetscHelpPrintf = HoldHelp;
  PetscCall(SlepcInitialize(&argc, &argv, NULL, hold_help ? NULL : help));
  if (hold_help) {
    PetscHelpPrintf = PetscHelpPrintfDefault;
    PetscCall((*PetscHelpPrintf)(PETSC_COMM_WORLD, "%sThe options of vitrum %s first; PETSc's and SLEPc's general options (-log_view, -options_file, ...) follow them.\n", help, cmd->name));
  }
  PetscCall(VitInitialize());
  PetscCall(VitPushErrorHandler());
  PetscCall(CatchStopSignals());
  if (!cmd) { /* options without a command, e.g. -version (PETSc printed it) */
    if (!PetscGlobalRank) PrintUsage();
  } else {
    ierr = VitOptionNamesCheck(commands, ncommands, cmd); /* a misspelt option fails before any work */
    if (!ierr) ierr = cmd->run();
    if (!ierr && hold_help) ierr = PrintHeldHelp();
    if (ierr) {
      VitOutputsRemove();
      if (!VitUserErrorRaised()) { /* a bug or a system error, maybe on one rank only */
        fprintf(stderr, "vitrum: internal error %d; see the traceback above\n", (int)ierr);
        MPI_Abort(PETSC_COMM_WORLD, 1);
      }
    } else PetscCall(VitWarnUnusedOptions());
    status = VitEndOfRun((PetscBool)(ierr != 0));
  }
  PetscCall(SlepcFinalize());
  MPI_Finalize();
  return status;
}
