/* vitrum's option names, as the commands' own option readers list them (docs/reliability.md,
   "Misspelt options").

   Before a command runs, every command's option readers run once in help mode: each on an empty
   options database of its own holding -help, with PETSc's help printer replaced by a collector.
   Every option a reader lists (PetscOptionsInt("-kpm_vectors", ...) and the like, as -help shows
   them) is a name that command reads; the pipeline's pass runs features and fit, as its -help
   does. So the names come from the code that reads them, not from a second list (the test
   cli_help_lists_options keeps -help complete). A given option is then one of:
     own            read by this command (or by a stage it runs)
     other command  read by another vitrum command only (one options file for several commands)
     PETSc          PETSc's or SLEPc's: -eps_*, -ksp_*, ..., also under a vitrum prefix (-response_ksp_rtol)
     misspelt       in one of vitrum's families (the first word of a name some command reads:
                    -kpm_*, -spectrum_*, ...), read by no command: refused before any work,
                    with the nearest name
     unknown        anything else (-totally_bogus)
   Own and PETSc options can change results; the others cannot: they are left out of the keys of
   cached results (features, pipeline) and are not taken as used where a cached result stands for
   a computation, so the end-of-run check reports them. */
#include <vitrum/commands.h>
#include <ctype.h>
#include <stdarg.h>

#define VIT_MAX_COMMANDS 32 /* bits of KnownName.commands */

typedef struct {
  char    *name;     /* without its '-' */
  unsigned commands; /* bit k: command k of the table reads it */
} KnownName;

static struct {
  KnownName        *names;
  PetscInt          n, max;
  const VitCommand *table;
  size_t            ntable, self, collecting; /* the command run; the one whose help pass runs */
  PetscBool         ready;
  PetscErrorCode (*print)(FILE *, const char[], va_list); /* PETSc's PetscVFPrintf, outside the passes */
} known;

static PetscErrorCode AddName(const char name[], size_t len)
{
  PetscFunctionBegin;
  if (!len) PetscFunctionReturn(0);
  for (PetscInt i = 0; i < known.n; i++) {
    if (strlen(known.names[i].name) != len || strncmp(known.names[i].name, name, len)) continue;
    known.names[i].commands |= 1u << known.collecting;
    PetscFunctionReturn(0);
  }
  if (known.n == known.max) {
    known.max = PetscMax(256, 2 * known.max);
    PetscCall(PetscRealloc(known.max * sizeof(KnownName), &known.names));
  }
  PetscCall(PetscStrallocpy(name, &known.names[known.n].name));
  known.names[known.n].name[len]   = 0;
  known.names[known.n++].commands = 1u << known.collecting;
  PetscFunctionReturn(0);
}

/* PetscHelpPrintf during a help pass: the option a line lists ("  -kpm_vectors <now 16 : ...>"). */
static PetscErrorCode CollectName(MPI_Comm comm, const char format[], ...)
{
  char           line[1024];
  const char    *s;
  size_t         full;
  va_list        ap;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  (void)comm;
  va_start(ap, format);
  ierr = PetscVSNPrintf(line, sizeof(line), format, &full, ap);
  va_end(ap);
  PetscCall(ierr);
  s = line + strspn(line, " ");
  if (s[0] == '-' && isalpha((unsigned char)s[1])) PetscCall(AddName(s + 1, strspn(s + 1, "abcdefghijklmnopqrstuvwxyz0123456789_")));
  PetscFunctionReturn(0);
}

/* PetscVFPrintf during a help pass: what a command prints besides its options (notes) is dropped. */
static PetscErrorCode DropStdout(FILE *fd, const char format[], va_list ap)
{
  if (fd == PETSC_STDOUT) return 0;
  return known.print(fd, format, ap);
}

/* Run command k's option readers in help mode on a database of their own; collect what they list. */
static PetscErrorCode HelpPass(size_t k)
{
  PetscErrorCode (*help)(MPI_Comm, const char[], ...) = PetscHelpPrintf;
  PetscOptions   options;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsCreate(&options));
  PetscCall(PetscOptionsSetValue(options, "-help", NULL));
  PetscCall(PetscOptionsPush(options));
  PetscCall(PetscOptionsHelpPrintedDestroy(&PetscOptionsHelpPrintedSingleton)); /* every block lists its options again */
  known.collecting = k;
  known.print      = PetscVFPrintf;
  PetscHelpPrintf  = CollectName;
  PetscVFPrintf    = DropStdout;
  ierr             = known.table[k].run();
  PetscHelpPrintf  = help;
  PetscVFPrintf    = known.print;
  PetscCall(ierr);
  PetscCall(PetscOptionsPop());
  PetscCall(PetscOptionsDestroy(&options));
  PetscCall(PetscOptionsHelpPrintedDestroy(&PetscOptionsHelpPrintedSingleton));
  PetscFunctionReturn(0);
}

static const KnownName *Find(const char name[])
{
  for (PetscInt i = 0; i < known.n; i++)
    if (!strcmp(known.names[i].name, name)) return &known.names[i];
  return NULL;
}

/* PETSc's and SLEPc's options: their families at the start of the name, and the solver families
   also after a vitrum prefix set on a solver (-response_ksp_rtol, -spectrum_twolevel_coarse_mat_mumps_icntl_14). */
static PetscBool IsPetscName(const char name[])
{
  static const char *const solvers[] = {"eps_", "st_", "bv_", "ds_", "rg_", "fn_", "svd_", "ksp_", "pc_", "mat_", "snes_", "tao_", "ts_", "vec_", "dm_", "mg_", "sf_", "is_"};
  static const char *const system[]  = {"log", "options_", "malloc", "info", "help", "viewer_", "draw_", "on_error_", "memory_view", "device_", "root_device_context_", "petsc", "mpi_", "fp_trap", "no_signal_handler", "check_pointer_intensity", "history", "tmp", "shared_tmp", "not_shared_tmp", "debugger_", "start_in_debugger", "stop_for_debugger", "display", "version", "use_gpu_aware_mpi", "blas_", "matmatmult_", "matproduct_"};

  for (size_t k = 0; k < sizeof(system) / sizeof(system[0]); k++)
    if (!strncmp(name, system[k], strlen(system[k]))) return PETSC_TRUE;
  for (const char *s = name; s; s = strchr(s, '_') ? strchr(s, '_') + 1 : NULL)
    for (size_t k = 0; k < sizeof(solvers) / sizeof(solvers[0]); k++)
      if (!strncmp(s, solvers[k], strlen(solvers[k]))) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* Whether name starts with the first word ("kpm_") of a name some command reads. */
static PetscBool InVitrumFamily(const char name[])
{
  const char *end = strchr(name, '_');

  for (PetscInt i = 0; end && i < known.n; i++)
    if (!strncmp(known.names[i].name, name, (size_t)(end - name) + 1)) return PETSC_TRUE;
  return PETSC_FALSE;
}

VitOptionKind VitOptionKindOf(const char option[])
{
  const char      *name = option[0] == '-' ? option + 1 : option;
  const KnownName *k;

  if (!known.ready) return VIT_OPTION_OWN; /* no check ran (a command called from a test program) */
  if ((k = Find(name))) return k->commands & (1u << known.self) ? VIT_OPTION_OWN : VIT_OPTION_OTHER_COMMAND;
  if (IsPetscName(name)) return VIT_OPTION_PETSC;
  return InVitrumFamily(name) ? VIT_OPTION_MISSPELT : VIT_OPTION_UNKNOWN;
}

PetscBool VitOptionCanChangeResults(const char option[])
{
  const VitOptionKind kind = VitOptionKindOf(option);
  return (PetscBool)(kind == VIT_OPTION_OWN || kind == VIT_OPTION_PETSC);
}

/* The first command of the table that reads a known name. */
static const char *FirstCommand(const KnownName *k)
{
  for (size_t c = 0; c < known.ntable; c++)
    if (k->commands & (1u << c)) return known.table[c].name;
  return "";
}

const char *VitOptionUnusedReason(const char option[], char why[], size_t len)
{
  const char *name = option[0] == '-' ? option + 1 : option;

  switch (known.ready ? VitOptionKindOf(name) : VIT_OPTION_UNKNOWN) {
  case VIT_OPTION_OWN:
    snprintf(why, len, "an option of vitrum %s that these settings do not need", known.table[known.self].name);
    break;
  case VIT_OPTION_OTHER_COMMAND:
    snprintf(why, len, "an option of vitrum %s, not of vitrum %s", FirstCommand(Find(name)), known.table[known.self].name);
    break;
  default:
    snprintf(why, len, "misspelled, or not for this command?");
  }
  return why;
}

/* Optimal string alignment distance: insertions, deletions, substitutions and transpositions of
   two neighbours ("vectros" -> "vectors": 1). */
static PetscInt EditDistance(const char a[], const char b[])
{
  const size_t la = strlen(a), lb = strlen(b);
  PetscInt     d[3][128], *prev2 = d[0], *prev = d[1], *row = d[2];

  if (la >= 127 || lb >= 127) return PETSC_MAX_INT;
  for (size_t j = 0; j <= lb; j++) prev[j] = (PetscInt)j;
  for (size_t i = 1; i <= la; i++) {
    PetscInt *t;
    row[0] = (PetscInt)i;
    for (size_t j = 1; j <= lb; j++) {
      row[j] = PetscMin(PetscMin(prev[j] + 1, row[j - 1] + 1), prev[j - 1] + (a[i - 1] != b[j - 1]));
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) row[j] = PetscMin(row[j], prev2[j - 2] + 1);
    }
    t = prev2, prev2 = prev, prev = row, row = t;
  }
  return prev[lb];
}

/* The known name nearest to a misspelt one (this command's, unless another command's is nearer),
   as "did you mean -NAME?", or "" when none is near: at most max(2, a third of the letters after
   the family's word) edits ("-spectrum_qwertyuiop" is near nothing). */
static void Suggestion(const char name[], char out[], size_t len)
{
  const KnownName *best[2] = {NULL, NULL}; /* this command's, any command's */
  PetscInt         d[2] = {PETSC_MAX_INT, PETSC_MAX_INT}, limit = PetscMax(2, (PetscInt)strlen(strchr(name, '_') + 1) / 3);

  for (PetscInt i = 0; i < known.n; i++) {
    const PetscInt e = EditDistance(name, known.names[i].name);
    for (int own = 0; own < 2; own++) {
      if (e >= d[own] || (!own && !(known.names[i].commands & (1u << known.self)))) continue;
      d[own]    = e;
      best[own] = &known.names[i];
    }
  }
  out[0] = 0;
  if (d[1] < d[0] && d[1] <= limit) snprintf(out, len, "did you mean -%s (an option of vitrum %s)?", best[1]->name, FirstCommand(best[1]));
  else if (d[0] <= limit) snprintf(out, len, "did you mean -%s?", best[0]->name);
}

/* The misspelt options given, in one line: "-kpm_vectros is no option of vitrum pipeline; did you
   mean -kpm_vectors?"; several: "-kpm_vectros (did you mean -kpm_vectors?), -spectrum_nve (did you
   mean -spectrum_nev?) are no options of vitrum pipeline". "" when there is none. */
static PetscErrorCode MisspeltMessage(char msg[], size_t len)
{
  const char *cmd = known.table[known.self].name;
  PetscInt    nleft, nbad = 0;
  char      **names, **values, list[768] = "", hint[160], none[96];

  PetscFunctionBeginUser;
  msg[0] = 0;
  snprintf(none, sizeof(none), " (vitrum %s -help lists its options)", cmd);
  PetscCall(PetscOptionsLeftGet(NULL, &nleft, &names, &values));
  for (PetscInt i = 0; i < nleft; i++) {
    char item[256];
    if (VitOptionKindOf(names[i]) != VIT_OPTION_MISSPELT) continue;
    Suggestion(names[i], hint, sizeof(hint));
    if (!nbad++) snprintf(msg, len, "-%s is no option of vitrum %s%s%s", names[i], cmd, hint[0] ? "; " : none, hint);
    snprintf(item, sizeof(item), "%s-%s%s%s%s", nbad > 1 ? ", " : "", names[i], hint[0] ? " (" : "", hint, hint[0] ? ")" : "");
    PetscCall(PetscStrlcat(list, item, sizeof(list)));
  }
  if (nbad > 1) snprintf(msg, len, "%s are no options of vitrum %s", list, cmd);
  PetscCall(PetscOptionsLeftRestore(NULL, &nleft, &names, &values));
  PetscFunctionReturn(0);
}

static PetscErrorCode NamesFree(void)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < known.n; i++) PetscCall(PetscFree(known.names[i].name));
  PetscCall(PetscFree(known.names));
  known.n = known.max = 0;
  known.ready         = PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode VitOptionNamesCheck(const VitCommand commands[], size_t ncommands, const VitCommand *cmd)
{
  char msg[1024];

  PetscFunctionBeginUser;
  if (VitHelpRequested()) PetscFunctionReturn(0); /* the command lists its options */
  PetscCheck(ncommands <= VIT_MAX_COMMANDS, PETSC_COMM_SELF, PETSC_ERR_PLIB, "%zu commands: at most %d", ncommands, VIT_MAX_COMMANDS);
  known.table  = commands;
  known.ntable = ncommands;
  known.self   = (size_t)(cmd - commands);
  for (size_t k = 0; k < ncommands; k++) PetscCall(HelpPass(k));
  known.ready = PETSC_TRUE;
  PetscCall(PetscRegisterFinalize(NamesFree));
  PetscCall(MisspeltMessage(msg, sizeof(msg)));
  PetscCheck(!msg[0], PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s", msg);
  PetscFunctionReturn(0);
}
