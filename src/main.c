static const char help[] = "vitrum: structure profiles, Hessian spectra and linear structure-property models of glasses.\n"
                           "Usage: vitrum COMMAND [options]    (vitrum COMMAND -help, -h or --help lists the command's options)\n\n";

#include <vitrum/commands.h>
#include <vitrum/h5io.h>
#include <slepcsys.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Whether option takes the next word as its value whatever it looks like (PETSc's
   PetscOptionsInsertArgs; -prefix_pop, on the contrary, takes no value). */
static PetscBool TakesAnyWord(const char option[])
{
  return (PetscBool)(!strcmp(option, "-options_file") || !strcmp(option, "-options_file_yaml") || !strcmp(option, "-options_string_yaml") || !strcmp(option, "-prefix_push"));
}

/* Whether word k continues the files that follow the value of the last -samples (features,
   predict: VitSamplePathsGet reads the words after it up to the next option). */
static PetscBool MoreSamples(int k, int last_samples, char **argv)
{
  if (last_samples < 1 || k < last_samples + 2) return PETSC_FALSE;
  for (int j = last_samples + 2; j <= k; j++)
    if (argv[j][0] == '-') return PETSC_FALSE;
  return PETSC_TRUE;
}

/* The error for word k of the command line, which is neither an option nor an option's value. */
static PetscErrorCode BareWordError(const char command[], int k, char **argv)
{
  PetscBool after_key = PETSC_FALSE;

  PetscFunctionBeginUser;
  if (k > 1) PetscCall(PetscOptionsValidKey(argv[k - 1], &after_key));
  PetscCheck(k > 1, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "unexpected argument '%.200s' (after the command %s): give options as -NAME VALUE", argv[k], command);
  PetscCheck(!after_key, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "unexpected argument '%.200s' (after %.200s, which takes no value)", argv[k], argv[k - 1]);
  PetscCheck(strcmp(argv[k - 2], "-sample") && strcmp(argv[k - 2], "-samples"), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "unexpected argument '%.200s' (after %s %.200s): each option takes one value; give several samples to features or predict as -samples A B ... or -sample_list FILE", argv[k], argv[k - 2], argv[k - 1]);
  SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "unexpected argument '%.200s' (after %.200s %.200s): each option takes one value; a list is one word, comma-separated (-spectrum_count_omega 2,4,6)", argv[k], argv[k - 2], argv[k - 1]);
}

/* A word of the command line that is neither an option nor the value of the option before it,
   by PETSc's rules (PetscOptionsInsertArgs: a word that is not an option name, -1e-3 included, is
   the value of the option before it), is an error: PETSc skipped such words without a word, so
   `rdf -sample a.data b.data` computed a.data alone and `-spectrum_nev 5 10` dropped the 10. The
   further files of -samples are not such words. Collective: every rank has the same command line. */
static PetscErrorCode CheckBareWords(const char command[], int argc, char **argv)
{
  int last_samples = -1;

  PetscFunctionBeginUser;
  for (int k = 1; k < argc; k++)
    if (!strcmp(argv[k], "-samples")) last_samples = k;
  for (int k = 1; k < argc; k++) {
    PetscBool key, next_key = PETSC_FALSE;

    PetscCall(PetscOptionsValidKey(argv[k], &key));
    if (!key && !MoreSamples(k, last_samples, argv)) PetscCall(BareWordError(command, k, argv));
    if (!key || !strcmp(argv[k], "-prefix_pop") || k + 1 == argc) continue;
    if (!TakesAnyWord(argv[k])) PetscCall(PetscOptionsValidKey(argv[k + 1], &next_key));
    if (!next_key) k++; /* its value */
  }
  PetscFunctionReturn(0);
}

/* glibc's malloc backs its heap with transparent huge pages when GLIBC_TUNABLES holds
   glibc.malloc.hugetlb=1, a setting read only at process start. The Hessian's arrays (GBs, zeroed
   by PETSc's preallocation) then fault in 2 MB pages instead of 4 kB ones: on 884,736 atoms, 1 rank,
   the assembly took 8.6 s instead of 20.0 s, MatMult and the KPM the same (docs/BENCHMARKS.md). So
   vitrum executes itself once more with the tunable added, unless it is already named or
   VITRUM_HUGEPAGES=0 (e.g. under valgrind); where the exec fails it runs on with 4 kB pages. */
static void ExecWithHugePages(char **argv)
{
  const char *off = getenv("VITRUM_HUGEPAGES"), *tunables = getenv("GLIBC_TUNABLES");
  char        value[4096];

  if ((off && !strcmp(off, "0")) || (tunables && strstr(tunables, "glibc.malloc.hugetlb"))) return;
  if (snprintf(value, sizeof(value), "%s%sglibc.malloc.hugetlb=1", tunables ? tunables : "", tunables && tunables[0] ? ":" : "") >= (int)sizeof(value)) return;
  if (setenv("GLIBC_TUNABLES", value, 1)) return;
  execv("/proc/self/exe", argv);
  if (tunables) setenv("GLIBC_TUNABLES", tunables, 1);
  else unsetenv("GLIBC_TUNABLES");
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

int main(int argc, char **argv)
{
  const VitCommand *cmd = NULL;
  PetscErrorCode    ierr;
  int               status = 0;

  ExecWithHugePages(argv);
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
  PetscCall(SlepcInitialize(&argc, &argv, NULL, help));
  PetscCall(VitInitialize());
  PetscCall(VitPushErrorHandler());
  if (!cmd) { /* options without a command, e.g. -version (PETSc printed it) */
    if (!PetscGlobalRank) PrintUsage();
  } else {
    ierr = CheckBareWords(cmd->name, argc, argv);
    if (!ierr) ierr = VitOptionNamesCheck(commands, ncommands, cmd); /* a misspelt option fails before any work */
    if (!ierr) ierr = cmd->run();
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
  return status;
}
