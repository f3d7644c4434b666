/* vitrum pipeline: the whole study from one options file.

   Stages, each skipped when its outputs exist and are newer than its inputs (so an interrupted
   run resumes where it stopped; -pipeline_force reruns everything):
     1 generate  LAMMPS melt-quench ensemble (scripts/make_ensemble.py, run from rank 0 by
                 fork/exec outside MPI), unless -pipeline_samples names an existing list
     2 features  VitCmdFeatures on the sample list          -> DIR/dataset.h5
     3 fit       one model per target group (-pipeline_models): the dataset with that group's
                 targets, then VitCmdFit, each with its own lambda -> DIR/models/NAME/model.h5
     4 evaluate  held-out predictions and metrics of all models   -> DIR/evaluation.h5
     5 report    scripts/plot_report.py (figures, report.md) -> DIR/report/report.md
   Every stage also depends on DIR/options.used, the options of the run, rewritten only when they
   change (features also on DIR/samples.used, the listed samples' sizes and times), and the fit (so what follows it) on this executable: a new vitrum, whose fit may choose
   differently under the same options, fits again (seconds) instead of keeping the old models.
   See docs/pipeline.md. */
#include <vitrum/commands.h>
#include <vitrum/fit.h>
#include "pipeline.h"
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef VIT_SOURCE_DIR
  #define VIT_SOURCE_DIR "."
#endif

#define VIT_PIPELINE_NSTAGES 5
#define VIT_PIPELINE_MAX_FILES (VIT_PIPELINE_MAX_MODELS + 4)

typedef struct {
  char      dir[PETSC_MAX_PATH_LEN];      /* run folder */
  char      samples[PETSC_MAX_PATH_LEN];  /* sample list: given, or made by the generate stage */
  PetscBool generate;                     /* no list given: make one with LAMMPS */
  PetscInt  nsamples, dim, cells[3], ncells, seed, jobs; /* ncells = 0: the family's default size */
  char      family[16];                   /* glass family of the generator (make_ensemble.py --family) */
  char      lmp[PETSC_MAX_PATH_LEN], python[PETSC_MAX_PATH_LEN], scripts[PETSC_MAX_PATH_LEN];
  PetscBool report, learning_curve, force;
  PetscReal test_fraction;                /* -fit_test_fraction, as fit uses it */
  PetscBool test_samples;                 /* -fit_test_samples given: fit holds these out instead */
  PetscInt  nmodels;                       /* one fit per target group */
  PetscInt  vdos_rebin;                    /* VDOS bins averaged into one model target */
  char     *model_names[VIT_PIPELINE_MAX_MODELS];
  char      cache[PETSC_MAX_PATH_LEN];       /* features cache folder of the current options */
  /* files of the run */
  char options_used[PETSC_MAX_PATH_LEN], samples_used[PETSC_MAX_PATH_LEN], dataset[PETSC_MAX_PATH_LEN];
  char exe[PETSC_MAX_PATH_LEN];            /* this executable ("" if /proc/self/exe cannot be read) */
  char evaluation[PETSC_MAX_PATH_LEN], report_md[PETSC_MAX_PATH_LEN];
  char model_dataset[VIT_PIPELINE_MAX_MODELS][PETSC_MAX_PATH_LEN], model_file[VIT_PIPELINE_MAX_MODELS][PETSC_MAX_PATH_LEN];
  char *model_dataset_p[VIT_PIPELINE_MAX_MODELS], *model_file_p[VIT_PIPELINE_MAX_MODELS]; /* pointers to the above */
} Pipeline;

typedef struct {
  const char *name;
  PetscErrorCode (*run)(MPI_Comm, Pipeline *);
  const char *inputs[VIT_PIPELINE_MAX_FILES], *outputs[VIT_PIPELINE_MAX_FILES]; /* NULL-terminated lists of paths */
  PetscLogEvent event;
} Stage;

/* Glass families of the generator (scripts/make_ensemble.py) and how many -pipeline_cells each takes. */
static const struct {
  const char *name, *what;
  PetscInt    ncells;
} families[] = {
  {"ka2d",   "2D Kob-Andersen 65:35 (LJ)",            2},
  {"ka3d",   "3D Kob-Andersen 80:20 (LJ)",            3},
  {"cuzral", "Cu46Zr46Al8 metallic glass (eam/alloy)", 1},
  {"cuzr",   "Cu50Zr50 metallic glass (eam/fs)",       1},
  {"sic",    "amorphous SiC (tersoff)",                1},
  {"si",     "amorphous Si (sw)",                      1},
  {"carbon", "amorphous monolayer carbon, Stone-Wales sheet (tersoff)", 2},
};

#define VIT_PIPELINE_NFAMILIES (sizeof(families) / sizeof(families[0]))

/* The families of the table, for errors ("ka2d, ..., si or carbon") and -help (with_what:
   "ka2d: 2D Kob-Andersen ...; ...; carbon: ..."). */
static PetscErrorCode FamilyList(PetscBool with_what, char list[], size_t len)
{
  PetscFunctionBeginUser;
  list[0] = 0;
  for (size_t k = 0; k < VIT_PIPELINE_NFAMILIES; k++) {
    PetscCall(PetscStrlcat(list, k == 0 ? "" : with_what ? "; " : k + 1 < VIT_PIPELINE_NFAMILIES ? ", " : " or ", len));
    PetscCall(PetscStrlcat(list, families[k].name, len));
    if (!with_what) continue;
    PetscCall(PetscStrlcat(list, ": ", len));
    PetscCall(PetscStrlcat(list, families[k].what, len));
  }
  PetscFunctionReturn(0);
}

/* The family of -pipeline_family, or of the old -pipeline_dim (2: ka2d, 3: ka3d); its index. */
static PetscErrorCode PipelineFamily(Pipeline *pl, PetscBool family_set, PetscBool dim_set, size_t *index)
{
  const size_t n = VIT_PIPELINE_NFAMILIES;
  char         names[256];

  PetscFunctionBeginUser;
  PetscCheck(!dim_set || pl->dim == 2 || pl->dim == 3, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "-pipeline_dim %" PetscInt_FMT ": must be 2 or 3 (or give -pipeline_family)", pl->dim);
  if (!family_set) PetscCall(PetscSNPrintf(pl->family, sizeof(pl->family), "ka%" PetscInt_FMT "d", pl->dim));
  for (*index = 0; *index < n; (*index)++)
    if (!strcmp(pl->family, families[*index].name)) break;
  PetscCall(FamilyList(PETSC_FALSE, names, sizeof(names)));
  PetscCheck(*index < n, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "-pipeline_family %s: unknown; give %s", pl->family, names);
  PetscCheck(!dim_set || !family_set || (pl->family[0] == 'k' && pl->family[2] == '0' + (char)pl->dim), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "-pipeline_dim %" PetscInt_FMT " contradicts -pipeline_family %s", pl->dim, pl->family);
  PetscFunctionReturn(0);
}

/* The held-out split: -fit_test_fraction (in (0, 1) here, as the evaluation needs held-out samples;
   fit's default), put back into the options database so that it is recorded in options.used, or
   -fit_test_samples. The evaluation scores the rows fit held out, as the model files record them. */
static PetscErrorCode FitSplitOptions(Pipeline *pl)
{
  char value[64];

  PetscFunctionBeginUser;
  pl->test_fraction = VIT_FIT_TEST_FRACTION;
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-fit_test_fraction", &pl->test_fraction, NULL));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-fit_test_samples", &pl->test_samples));
  if (pl->test_samples) PetscFunctionReturn(0);
  PetscCheck(pl->test_fraction > 0 && pl->test_fraction < 1, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "-fit_test_fraction %.6g: the pipeline needs a held-out fraction in (0, 1)", (double)pl->test_fraction);
  PetscCall(PetscSNPrintf(value, sizeof(value), "%.15g", (double)pl->test_fraction));
  PetscCall(PetscOptionsSetValue(NULL, "-fit_test_fraction", value));
  PetscFunctionReturn(0);
}

/* The pipeline's fit penalty unless given: -fit_smooth 2 -fit_smooth_weight auto (a second-difference
   penalty along r: the weights W(omega, r) are kernels of r; its weight chosen with lambda by GCV
   over the decades 1 .. 1e6). With a few dozen samples and thousands of g(r) bins, plain ridge
   with GCV interpolates the training samples; the penalty raises the held-out R^2 of mode counts,
   cumulative VDOS and VDOS bins (docs/RESULTS.md). The weight that pays differs by decades between
   families (1e1-1e3 for the carbon sheets, 1e4-1e5 for 3D KA, 1e6 and above for CuZrAl), so it is chosen
   from the data and not fixed (it was 1000 until session 35). */
static PetscErrorCode FitPenaltyDefaults(void)
{
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsHasName(NULL, NULL, "-fit_smooth", &set));
  if (!set) PetscCall(PetscOptionsSetValue(NULL, "-fit_smooth", "2"));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-fit_smooth_weight", &set));
  if (!set) PetscCall(PetscOptionsSetValue(NULL, "-fit_smooth_weight", "auto"));
  PetscFunctionReturn(0);
}

/* Default models: the VDOS, the reduced VDOS and the three scalar targets of the demo (the mode
   count only when -spectrum_count_omega names the frequencies to count below: no default for a
   physical threshold); unless -features_targets is given, features then computes exactly the
   targets these models use. */
static PetscErrorCode DefaultModels(Pipeline *pl)
{
  const char *names[] = {"D", VIT_PIPELINE_REDUCED, "omega2_mean", "boson_peak_omega", "low_mode_count"};
  PetscBool   set, counts;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsHasName(NULL, NULL, "-spectrum_count_omega", &counts));
  pl->nmodels = sizeof(names) / sizeof(names[0]) - (counts ? 0 : 1);
  for (PetscInt m = 0; m < pl->nmodels; m++) PetscCall(PetscStrallocpy(names[m], &pl->model_names[m]));
  if (!counts) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "pipeline: note: no low_mode_count model (give -spectrum_count_omega, the frequencies to count the modes below)\n"));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-features_targets", &set));
  if (!set) PetscCall(PetscOptionsSetValue(NULL, "-features_targets", counts ? "vdos,omega2_mean,boson_peak_omega,low_mode_count" : "vdos,omega2_mean,boson_peak_omega"));
  PetscFunctionReturn(0);
}

/* The target group of features a model fits: D for the VDOS models (D, Dred, Dcum); for Ncount,
   whose counts come from the same spectra as low_mode_count, low_mode_count (the same needs); else
   the model's own name (a scalar target, cv, ...). */
static const char *ModelGroup(const char model[])
{
  if (!strcmp(model, "D") || !strcmp(model, VIT_PIPELINE_REDUCED) || !strcmp(model, VIT_PIPELINE_CUMULATIVE)) return "D";
  if (!strcmp(model, VIT_PIPELINE_COUNTS)) return "low_mode_count";
  return model;
}

/* -pipeline_models given without -features_targets: features computes the targets the models need
   (D, Dred, Dcum: vdos; a scalar: itself), each once, as DefaultModels does for its models. A name
   that is no model is left to CheckModels. */
static PetscErrorCode ModelsFeaturesTargets(const Pipeline *pl)
{
  char      targets[1024] = "";
  PetscBool set, in;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsHasName(NULL, NULL, "-features_targets", &set));
  if (set) PetscFunctionReturn(0);
  for (PetscInt m = 0; m < pl->nmodels; m++) {
    const char *token = VitFeaturesTargetToken(ModelGroup(pl->model_names[m]));
    if (!token) continue;
    PetscCall(PetscStrInList(token, targets, ',', &in));
    if (in) continue;
    if (targets[0]) PetscCall(PetscStrlcat(targets, ",", sizeof(targets)));
    PetscCall(PetscStrlcat(targets, token, sizeof(targets)));
  }
  if (targets[0]) PetscCall(PetscOptionsSetValue(NULL, "-features_targets", targets));
  PetscFunctionReturn(0);
}

/* Every model names a target group of features, which -features_targets gives, with the spectrum
   options it needs (low_mode_count and Ncount: -spectrum_count_omega): checked before any stage
   runs (a model the dataset could not give failed after the whole features stage). */
static PetscErrorCode CheckModels(const Pipeline *pl)
{
  char targets[1024] = "scalars", groups[1024], what[256];

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-features_targets", targets, sizeof(targets), NULL));
  for (PetscInt m = 0; m < pl->nmodels; m++) {
    const char *model = pl->model_names[m], *group = ModelGroup(model), *token = VitFeaturesTargetToken(group);

    VitFeaturesTargetGroups(groups, sizeof(groups));
    PetscCheck(token, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "-pipeline_models %s: no such model: give D, " VIT_PIPELINE_REDUCED " (reduced VDOS), " VIT_PIPELINE_CUMULATIVE " (cumulative VDOS), " VIT_PIPELINE_COUNTS " (mode counts) or a target of features: %s", model, groups);
    PetscCall(PetscSNPrintf(what, sizeof(what), "-pipeline_models %s", model));
    PetscCall(VitFeaturesTargetCheckOptions(PETSC_COMM_WORLD, what, group));
    if (!strcmp(model, VIT_PIPELINE_COUNTS)) PetscCheck(strcmp(targets, "none"), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "-pipeline_models " VIT_PIPELINE_COUNTS ": -features_targets none computes no spectra to count the modes of: give targets, or leave -features_targets out");
    else PetscCheck(VitFeaturesTargetsGive(targets, group), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "-pipeline_models %s: -features_targets %s gives no %s target: add %s to -features_targets, or leave -features_targets out (the pipeline then computes the targets its models need)", model, targets, group, token);
  }
  PetscFunctionReturn(0);
}

/* -pipeline_vdos_rebin K averages K consecutive VDOS bins into one target of the D, Dred and Dcum
   models: checked before any stage runs (it used to fail after the whole features stage), so the
   number of bins must be given (-vdos_bins, a multiple of K); the automatic count is chosen from
   the ensemble's spectra. */
static PetscErrorCode CheckVdosRebin(const Pipeline *pl)
{
  PetscInt  bins = 0;
  PetscBool set, vdos = PETSC_FALSE;

  PetscFunctionBeginUser;
  for (PetscInt m = 0; m < pl->nmodels; m++) vdos = (PetscBool)(vdos || !strcmp(pl->model_names[m], "D") || !strcmp(pl->model_names[m], VIT_PIPELINE_REDUCED) || !strcmp(pl->model_names[m], VIT_PIPELINE_CUMULATIVE));
  if (pl->vdos_rebin == 1 || !vdos) PetscFunctionReturn(0);
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-vdos_bins", &bins, &set));
  PetscCheck(set, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "-pipeline_vdos_rebin %" PetscInt_FMT ": give -vdos_bins, a multiple of %" PetscInt_FMT " (the automatic number of VDOS bins, at least 200, is chosen from the spectra, after the features stage)", pl->vdos_rebin, pl->vdos_rebin);
  PetscCheck(bins % pl->vdos_rebin == 0, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "-pipeline_vdos_rebin %" PetscInt_FMT " does not divide -vdos_bins %" PetscInt_FMT ": give a divisor of it, or a multiple of %" PetscInt_FMT " bins", pl->vdos_rebin, bins, pl->vdos_rebin);
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadOptions(Pipeline *pl)
{
  PetscBool given, cells_set, family_set, dim_set;
  PetscInt  ncells = 3, cells[3] = {0, 0, 0};
  size_t    family = 0;
  char      family_help[512];

  PetscFunctionBeginUser;
  PetscCall(PetscStrcpy(pl->dir, "pipeline_run"));
  PetscCall(PetscStrcpy(pl->lmp, "lmp"));
  PetscCall(PetscStrcpy(pl->python, "/usr/bin/python3"));
  PetscCall(PetscSNPrintf(pl->scripts, sizeof(pl->scripts), "%s/scripts", VIT_SOURCE_DIR));
  pl->samples[0] = 0;
  pl->nsamples   = 100;
  pl->dim        = 2;
  pl->seed     = 1;
  pl->jobs     = 2;
  pl->report   = PETSC_TRUE;
  pl->learning_curve = PETSC_TRUE;
  pl->force    = PETSC_FALSE;
  pl->nmodels  = VIT_PIPELINE_MAX_MODELS;
  pl->vdos_rebin = 1;
  PetscCall(PetscStrcpy(family_help, "Generation: glass family, one of "));
  PetscCall(FamilyList(PETSC_TRUE, family_help + strlen(family_help), sizeof(family_help) - strlen(family_help)));
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "vitrum pipeline: generate, features, fit, evaluate, report", NULL);
  PetscCall(VitOptionsString("-pipeline_dir", "Run folder (all outputs go here)", NULL, pl->dir, pl->dir, sizeof(pl->dir), NULL));
  PetscCall(VitOptionsString("-pipeline_samples", "Existing sample list (one path per line); skips the LAMMPS generation", NULL, pl->samples, pl->samples, sizeof(pl->samples), &given));
  PetscCall(PetscOptionsInt("-pipeline_nsamples", "Generation: number of samples", NULL, pl->nsamples, &pl->nsamples, NULL));
  PetscCall(VitOptionsString("-pipeline_family", family_help, NULL, pl->family, pl->family, sizeof(pl->family), &family_set));
  PetscCall(PetscOptionsInt("-pipeline_dim", "Generation: old spelling of -pipeline_family ka2d (2) or ka3d (3)", NULL, pl->dim, &pl->dim, &dim_set));
  PetscCall(VitOptionsListMax(PETSC_COMM_WORLD, "-pipeline_cells", ncells));
  PetscCall(VitOptionsListMax(PETSC_COMM_WORLD, "-pipeline_models", VIT_PIPELINE_MAX_MODELS));
  PetscCall(PetscOptionsIntArray("-pipeline_cells", "Generation: start-lattice cells (ka2d: nx,ny, N = nx ny, default 20,20; ka3d: nx,ny,nz, default 8,8,8; cuzral, cuzr: n, N = 4 n^3, default 5; sic, si: n, N = 8 n^3, default 3; carbon: nx,ny, N = 4 nx ny, default 8,5)", NULL, cells, &ncells, &cells_set));
  PetscCall(PetscOptionsInt("-pipeline_seed", "Generation: random seed", NULL, pl->seed, &pl->seed, NULL));
  PetscCall(PetscOptionsInt("-pipeline_jobs", "Generation: serial LAMMPS runs at a time", NULL, pl->jobs, &pl->jobs, NULL));
  PetscCall(VitOptionsString("-pipeline_lmp", "Generation: LAMMPS executable", NULL, pl->lmp, pl->lmp, sizeof(pl->lmp), NULL));
  PetscCall(VitOptionsString("-pipeline_python", "Python with numpy, h5py, matplotlib, scikit-learn", NULL, pl->python, pl->python, sizeof(pl->python), NULL));
  PetscCall(VitOptionsString("-pipeline_scripts", "Folder of make_ensemble.py and plot_report.py", NULL, pl->scripts, pl->scripts, sizeof(pl->scripts), NULL));
  PetscCall(PetscOptionsStringArray("-pipeline_models", "Target groups, one ridge model each (" VIT_PIPELINE_REDUCED ": reduced VDOS, " VIT_PIPELINE_CUMULATIVE ": cumulative VDOS, from the D(omega) targets; " VIT_PIPELINE_COUNTS ": exact mode counts below each -spectrum_count_omega; default D," VIT_PIPELINE_REDUCED ",omega2_mean,boson_peak_omega,low_mode_count)", NULL, pl->model_names, &pl->nmodels, NULL));
  PetscCall(PetscOptionsInt("-pipeline_vdos_rebin", "Average this many consecutive VDOS bins into one target of the D, " VIT_PIPELINE_REDUCED " and " VIT_PIPELINE_CUMULATIVE " models (above 1: give -vdos_bins, a multiple of it)", NULL, pl->vdos_rebin, &pl->vdos_rebin, NULL));
  PetscCall(PetscOptionsBool("-pipeline_report", "Make the report (figures and report.md)", NULL, pl->report, &pl->report, NULL));
  PetscCall(PetscOptionsBool("-pipeline_learning_curve", "Report: the ridge vs kernel-ridge learning curve (minutes for thousands of features)", NULL, pl->learning_curve, &pl->learning_curve, NULL));
  PetscCall(PetscOptionsBool("-pipeline_force", "Rerun every stage even when its outputs are up to date", NULL, pl->force, &pl->force, NULL));
  PetscOptionsEnd();
  if (!pl->nmodels) PetscCall(DefaultModels(pl));
  else PetscCall(ModelsFeaturesTargets(pl));
  if (!VitHelpRequested()) PetscCall(CheckModels(pl));
  PetscCall(FitSplitOptions(pl));
  PetscCall(FitPenaltyDefaults());
  pl->generate = given ? PETSC_FALSE : PETSC_TRUE;
  PetscCall(PipelineFamily(pl, family_set, dim_set, &family));
  PetscCheck(!cells_set || ncells == families[family].ncells, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "-pipeline_cells: give %" PetscInt_FMT " number(s) for -pipeline_family %s, got %" PetscInt_FMT, families[family].ncells, pl->family, ncells);
  for (PetscInt d = 0; cells_set && d < ncells; d++) PetscCheck(cells[d] > 0, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "-pipeline_cells: %" PetscInt_FMT " is not a positive number of cells", cells[d]);
  if (cells_set) PetscCall(PetscArraycpy(pl->cells, cells, ncells));
  pl->ncells = cells_set ? ncells : 0;
  PetscCheck(pl->vdos_rebin > 0, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "-pipeline_vdos_rebin %" PetscInt_FMT ": must be positive", pl->vdos_rebin);
  PetscCall(CheckVdosRebin(pl));
  PetscCheck(pl->nsamples > 0 && pl->jobs > 0, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "-pipeline_nsamples and -pipeline_jobs must be positive");
  PetscFunctionReturn(0);
}

/* Modification time in ns, or -1 when the file is missing. */
static long long MTime(const char path[])
{
  struct stat st;

  if (stat(path, &st)) return -1;
  return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

/* A sample list given with -pipeline_samples must exist before anything is recorded or run. */
static PetscErrorCode CheckSampleList(MPI_Comm comm, const Pipeline *pl)
{
  PetscMPIInt rank;
  char        errmsg[PETSC_MAX_PATH_LEN + 64] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank && !pl->generate && MTime(pl->samples) < 0) PetscCall(PetscSNPrintf(errmsg, sizeof(errmsg), "-pipeline_samples %s: no such file", pl->samples));
  PetscCall(VitBcastError(comm, errmsg));
  PetscFunctionReturn(0);
}

static PetscErrorCode SetPaths(Pipeline *pl)
{
  ssize_t len;

  PetscFunctionBeginUser;
  if (pl->generate) PetscCall(PetscSNPrintf(pl->samples, sizeof(pl->samples), "%s/samples/samples.txt", pl->dir));
  PetscCall(PetscSNPrintf(pl->options_used, sizeof(pl->options_used), "%s/options.used", pl->dir));
  PetscCall(PetscSNPrintf(pl->samples_used, sizeof(pl->samples_used), "%s/samples.used", pl->dir));
  PetscCall(PetscSNPrintf(pl->dataset, sizeof(pl->dataset), "%s/dataset.h5", pl->dir));
  for (PetscInt m = 0; m < pl->nmodels; m++) {
    PetscCall(PetscSNPrintf(pl->model_dataset[m], sizeof(pl->model_dataset[m]), "%s/models/%s/dataset.h5", pl->dir, pl->model_names[m]));
    PetscCall(PetscSNPrintf(pl->model_file[m], sizeof(pl->model_file[m]), "%s/models/%s/model.h5", pl->dir, pl->model_names[m]));
    pl->model_dataset_p[m] = pl->model_dataset[m];
    pl->model_file_p[m]    = pl->model_file[m];
  }
  PetscCall(PetscSNPrintf(pl->evaluation, sizeof(pl->evaluation), "%s/evaluation.h5", pl->dir));
  PetscCall(PetscSNPrintf(pl->report_md, sizeof(pl->report_md), "%s/report/report.md", pl->dir));
  len = readlink("/proc/self/exe", pl->exe, sizeof(pl->exe) - 1);
  pl->exe[len > 0 ? len : 0] = 0;
  PetscFunctionReturn(0);
}

/* -pipeline_dir, where it exists, must be a folder (created when missing). Collective. */
static PetscErrorCode CheckRunFolder(MPI_Comm comm, const char dir[])
{
  PetscMPIInt rank;
  struct stat st;
  char        errmsg[PETSC_MAX_PATH_LEN + 128] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank && !stat(dir, &st) && !S_ISDIR(st.st_mode)) PetscCall(PetscSNPrintf(errmsg, sizeof(errmsg), "-pipeline_dir %s is %s, not a folder: give a folder (created when missing)", dir, VitFileKind(dir)));
  PetscCall(VitBcastError(comm, errmsg));
  PetscFunctionReturn(0);
}

/* Before anything is created: no file the run writes in -pipeline_dir may be a listed sample, the
   list, or another input (an options file included; VitOutputCheckHint), e.g. a sample named
   dataset.h5 in a run folder that is the samples' folder. */
static PetscErrorCode CheckOutputs(MPI_Comm comm, const Pipeline *pl)
{
  PetscInt    n = 0;
  char      **samples = NULL;
  const char *outputs[2 * VIT_PIPELINE_MAX_MODELS + 5] = {pl->options_used, pl->samples_used, pl->dataset, pl->evaluation, pl->report_md};
  int         nout = 5, exists[2 * VIT_PIPELINE_MAX_MODELS + 5];
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  if (!pl->generate) PetscCall(VitSamplePathsGet(comm, "", pl->samples, &n, &samples));
  for (PetscInt m = 0; m < pl->nmodels; m++) {
    outputs[nout++] = pl->model_dataset[m];
    outputs[nout++] = pl->model_file[m];
  }
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(CheckRunFolder(comm, pl->dir));
  for (int k = 0; k < nout; k++) exists[k] = !rank && MTime(outputs[k]) >= 0; /* a new file replaces nothing (its folder comes later) */
  PetscCallMPI(MPI_Bcast(exists, nout, MPI_INT, 0, comm));
  for (int k = 0; k < nout; k++)
    if (exists[k]) PetscCall(VitOutputCheckHint(comm, "-pipeline_dir: the output", outputs[k], n, (const char *const *)samples, "give another -pipeline_dir (the run folder holds the pipeline's outputs)"));
  PetscCall(VitStringsFree(n, &samples));
  PetscFunctionReturn(0);
}

/* Options that do not change results (diagnostics, -pipeline_force; options no stage reads, such
   as another command's or -totally_bogus: VitOptionCanChangeResults) are left out of options.used. */
static PetscBool OptionAffectsResults(const char option[])
{
  static const char *const ignored[] = {"-pipeline_force", "-pipeline_report", "-help", "-log", "-options_", "-malloc", "-info"};

  for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
    if (!strncmp(option, ignored[i], strlen(ignored[i]))) return PETSC_FALSE;
  return VitOptionCanChangeResults(option);
}

/* The options of this run (the same on every rank), one per line, in the order PETSc lists them. */
static PetscErrorCode OptionsText(char **text)
{
  char  *all, *copy, *p;
  size_t len, used = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetAll(NULL, &all));
  PetscCall(PetscStrlen(all, &len));
  PetscCall(PetscCalloc1(len + 2, text));
  PetscCall(PetscStrallocpy(all, &copy));
  /* options are separated by " -"; values never start with '-' followed by a letter here */
  for (p = strtok(copy, " "); p;) {
    char *next = strtok(NULL, " ");
    PetscBool keep = OptionAffectsResults(p);
    if (keep) used += (size_t)sprintf(*text + used, "%s", p);
    while (next && !(next[0] == '-' && (next[1] >= 'a' && next[1] <= 'z'))) {
      if (keep) used += (size_t)sprintf(*text + used, " %s", next);
      next = strtok(NULL, " ");
    }
    if (keep) used += (size_t)sprintf(*text + used, "\n");
    p = next;
  }
  PetscCall(PetscFree(copy));
  PetscCall(PetscFree(all));
  PetscFunctionReturn(0);
}

/* Rank 0: write text to path unless the file already holds exactly it (its time then stays, and
   the stages that depend on it stay up to date); a message for VitBcastError when it cannot (an old
   file that cannot be read whole is written again). A full disk must not leave a cut options.used
   or samples.used behind unnoticed: the stages' staleness is judged from them. */
static PetscErrorCode WriteIfChanged(const char path[], const char text[], char errmsg[], size_t len)
{
  FILE     *f = fopen(path, "r");
  char     *old = NULL;
  long      size = 0;
  PetscBool same = PETSC_FALSE, written;

  PetscFunctionBeginUser;
  if (f && !fseek(f, 0, SEEK_END) && (size = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET)) {
    PetscCall(PetscMalloc1(size + 1, &old));
    old[size] = 0;
    same      = (PetscBool)(fread(old, 1, (size_t)size, f) == (size_t)size && !strcmp(old, text)); /* a short read: write it again */
  }
  if (f) fclose(f);
  if (!same) {
    f       = fopen(path, "w");
    written = (PetscBool)(f && fputs(text, f) >= 0);
    if (f) written = (PetscBool)(!fclose(f) && written);
    if (!written) PetscCall(PetscSNPrintf(errmsg, len, "%s: cannot write (%s; check -pipeline_dir)", path, strerror(errno)));
  }
  PetscCall(PetscFree(old));
  PetscFunctionReturn(0);
}

/* Write DIR/options.used when its content changes (which makes every later stage stale). */
static PetscErrorCode RecordOptions(MPI_Comm comm, const Pipeline *pl)
{
  PetscMPIInt rank;
  char        errmsg[PETSC_MAX_PATH_LEN + 64] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    char *text;
    PetscCall(OptionsText(&text));
    PetscCall(WriteIfChanged(pl->options_used, text, errmsg, sizeof(errmsg)));
    PetscCall(PetscFree(text));
  }
  PetscCall(VitBcastError(comm, errmsg));
  PetscFunctionReturn(0);
}

/* Write DIR/samples.used, every listed sample's path, size and modification time, when it changes:
   an input of the features stage, so that a sample rewritten (or replaced by a copy of another
   age), added or removed makes features and what follows it run again; the per-sample caches
   then recompute that sample only. Before the features stage (the generate stage makes the list). */
static PetscErrorCode RecordSamples(MPI_Comm comm, const Pipeline *pl)
{
  PetscMPIInt rank;
  PetscInt    n;
  char      **paths, errmsg[PETSC_MAX_PATH_LEN + 64] = "";

  PetscFunctionBeginUser;
  PetscCall(VitSamplePathsGet(comm, "", pl->samples, &n, &paths));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    char  *text;
    size_t len = 0, size = 1;
    for (PetscInt i = 0; i < n; i++) size += strlen(paths[i]) + 64;
    PetscCall(PetscMalloc1(size, &text));
    text[0] = 0;
    for (PetscInt i = 0; i < n; i++) {
      struct stat st;
      if (stat(paths[i], &st)) len += (size_t)snprintf(text + len, size - len, "%s missing\n", paths[i]);
      else len += (size_t)snprintf(text + len, size - len, "%s %lld %lld.%09ld\n", paths[i], (long long)st.st_size, (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
    }
    PetscCall(WriteIfChanged(pl->samples_used, text, errmsg, sizeof(errmsg)));
    PetscCall(PetscFree(text));
  }
  PetscCall(VitStringsFree(n, &paths));
  PetscCall(VitBcastError(comm, errmsg));
  PetscFunctionReturn(0);
}

/* mkdir -p: every missing folder along path; 0 or errno. */
static int MakePath(const char path[])
{
  char partial[PETSC_MAX_PATH_LEN];

  for (size_t k = 1; k <= strlen(path) && k < sizeof(partial); k++) {
    if (path[k] != '/' && path[k] != 0) continue;
    memcpy(partial, path, k);
    partial[k] = 0;
    if (mkdir(partial, 0777) && errno != EEXIST) return errno;
  }
  return 0;
}

/* The folder path, created with its parents by rank 0 when missing; one that exists as another
   kind of file (mkdir says EEXIST) is refused. Collective. */
static PetscErrorCode MakeDirectory(MPI_Comm comm, const char path[])
{
  PetscMPIInt rank;
  struct stat st;
  int         err = 0;
  char        errmsg[2 * PETSC_MAX_PATH_LEN] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank && (err = MakePath(path))) PetscCall(PetscSNPrintf(errmsg, sizeof(errmsg), "cannot create the folder %s (-pipeline_dir): %s", path, strerror(err)));
  else if (!rank && !stat(path, &st) && !S_ISDIR(st.st_mode)) PetscCall(PetscSNPrintf(errmsg, sizeof(errmsg), "%s (-pipeline_dir) is %s, not a folder: remove it or give another -pipeline_dir", path, VitFileKind(path)));
  PetscCall(VitBcastError(comm, errmsg));
  PetscFunctionReturn(0);
}

static PetscErrorCode MakeDirectories(MPI_Comm comm, const Pipeline *pl)
{
  char sub[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(sub, sizeof(sub), "%s/report", pl->dir));
  PetscCall(MakeDirectory(comm, sub));
  for (PetscInt m = 0; m < pl->nmodels; m++) {
    PetscCall(PetscSNPrintf(sub, sizeof(sub), "%s/models/%s", pl->dir, pl->model_names[m]));
    PetscCall(MakeDirectory(comm, sub));
  }
  PetscFunctionReturn(0);
}

/* A stage is up to date when every output exists and is newer than every input. */
static PetscErrorCode StageUpToDate(MPI_Comm comm, const Stage *st, PetscBool *ok)
{
  PetscMPIInt rank;
  int         up = 1;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    for (int o = 0; st->outputs[o]; o++) {
      long long tout = MTime(st->outputs[o]);
      if (tout < 0) up = 0;
      for (int i = 0; st->inputs[i]; i++)
        if (MTime(st->inputs[i]) < 0 || MTime(st->inputs[i]) > tout) up = 0;
    }
  }
  PetscCallMPI(MPI_Bcast(&up, 1, MPI_INT, 0, comm));
  *ok = up ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

/* The number of paths in the sample list, read as the features stage reads it (VitListFileRead). */
static PetscErrorCode CountLines(MPI_Comm comm, const char path[], PetscInt *n)
{
  PetscMPIInt rank;
  char        errmsg[PETSC_MAX_PATH_LEN + 256] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  *n = 0;
  if (!rank) {
    char **paths;
    PetscCall(VitListFileRead("-pipeline_samples", path, "path", n, &paths, NULL, errmsg, sizeof(errmsg)));
    PetscCall(VitStringsFree(*n, &paths));
    if (!errmsg[0] && !*n) PetscCall(PetscSNPrintf(errmsg, sizeof(errmsg), "-pipeline_samples %s: the sample list is empty", path));
  }
  PetscCall(VitBcastError(comm, errmsg));
  PetscCallMPI(MPI_Bcast(n, 1, MPIU_INT, 0, comm));
  PetscFunctionReturn(0);
}

/* Whether n samples split at this held-out fraction into at least 2 held-out and 2 training ones. */
static PetscBool SplitFits(PetscReal fraction, PetscInt n)
{
  const PetscInt ntest = VitFitHeldOut(fraction, n);

  return (PetscBool)(ntest >= 2 && n - ntest >= 2);
}

/* The fewest samples that split at fraction f in (0, 1) as SplitFits asks (-1: more than
   PETSC_MAX_INT / 2). round(f n) >= 2 from n = 1.5 / f on, n - round(f n) >= 2 from n = 1.5 / (1 - f)
   on, and each holds for every larger n: step up from just below the larger bound. */
static PetscInt MinSamples(PetscReal f)
{
  const PetscReal lower = PetscMax(1.5 / f, 1.5 / (1 - f)) - 2;
  PetscInt        n;

  if (lower > PETSC_MAX_INT / 2) return -1;
  for (n = PetscMax(4, (PetscInt)lower); !SplitFits(f, n); n++) continue;
  return n;
}

/* Before any stage runs: the held-out split (VitFitHeldOut, as fit holds out) must leave at
   least 2 samples on each side, or hours of features and fits would end in the evaluation's error.
   The error names both ways out: the samples needed at this fraction, and the fractions that work
   with these samples (with 4, when there are fewer: no fraction splits 3). */
static PetscErrorCode CheckSplitSize(MPI_Comm comm, const Pipeline *pl)
{
  const PetscReal f = pl->test_fraction;
  PetscInt        n = pl->nsamples, m, nmin;
  char            what[128], count[96] = "", fraction[96] = "";

  PetscFunctionBeginUser;
  if (pl->test_samples) PetscFunctionReturn(0); /* named: fit checks them, the evaluation their count */
  if (!pl->generate) PetscCall(CountLines(comm, pl->samples, &n));
  if (SplitFits(f, n)) PetscFunctionReturn(0);
  nmin = MinSamples(f);
  m    = PetscMax(n, 4);
  if (nmin > 0) PetscCall(PetscSNPrintf(count, sizeof(count), "at least %" PetscInt_FMT " samples%s", nmin, n < 4 ? "" : " at this fraction"));
  /* with m samples: round(f m) >= 2 for f >= 1.5 / m, m - round(f m) >= 2 for f < (m - 1.5) / m */
  if (m < nmin || nmin < 0) PetscCall(PetscSNPrintf(fraction, sizeof(fraction), "%sa -fit_test_fraction %s %.4g", n < 4 ? "4 samples with " : "", VitFitHeldOut(f, m) < 2 ? "of at least" : "below", (double)(VitFitHeldOut(f, m) < 2 ? 1.5 / m : (m - 1.5) / m)));
  if (n < 4) PetscCall(PetscSNPrintf(what, sizeof(what), "%" PetscInt_FMT " samples (-fit_test_fraction %.6g)", n, (double)f));
  else PetscCall(PetscSNPrintf(what, sizeof(what), "-fit_test_fraction %.6g holds out %" PetscInt_FMT " of %" PetscInt_FMT " samples", (double)f, VitFitHeldOut(f, n), n));
  SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s: the evaluation needs at least 2 held-out and 2 training samples; give %s%s%s", what, n < 4 ? count : fraction, count[0] && fraction[0] ? ", or " : "", n < 4 ? fraction : count);
}

static PetscErrorCode RunScript(MPI_Comm comm, const char what[], char *const argv[])
{
  int status;

  PetscFunctionBeginUser;
  PetscCall(VitPipelineRunProgram(comm, argv, &status));
  PetscCheck(status == 0, comm, PETSC_ERR_USER_INPUT, "pipeline stage %s: %s %s exited with status %d (see its messages above)", what, argv[0], argv[1], status);
  PetscFunctionReturn(0);
}

static PetscErrorCode StageGenerate(MPI_Comm comm, Pipeline *pl)
{
  char  script[PETSC_MAX_PATH_LEN], out[PETSC_MAX_PATH_LEN], num[6][32];
  char *argv[34];
  int   k = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(script, sizeof(script), "%s/make_ensemble.py", pl->scripts));
  PetscCall(PetscSNPrintf(out, sizeof(out), "%s/samples", pl->dir));
  PetscCall(PetscSNPrintf(num[0], sizeof(num[0]), "%" PetscInt_FMT, pl->nsamples));
  PetscCall(PetscSNPrintf(num[1], sizeof(num[1]), "%" PetscInt_FMT, pl->seed));
  PetscCall(PetscSNPrintf(num[2], sizeof(num[2]), "%" PetscInt_FMT, pl->jobs));
  for (PetscInt d = 0; d < pl->ncells; d++) PetscCall(PetscSNPrintf(num[3 + d], sizeof(num[3 + d]), "%" PetscInt_FMT, pl->cells[d]));
  PetscCall(PetscPrintf(comm, "  LAMMPS melt-quench of %" PetscInt_FMT " %s samples, %" PetscInt_FMT " at a time -> %s\n", pl->nsamples, pl->family, pl->jobs, out));
  argv[k++] = pl->python;
  argv[k++] = script;
  argv[k++] = "--out";
  argv[k++] = out;
  argv[k++] = "--family";
  argv[k++] = pl->family;
  argv[k++] = "--samples";
  argv[k++] = num[0];
  argv[k++] = "--seed";
  argv[k++] = num[1];
  argv[k++] = "--jobs";
  argv[k++] = num[2];
  argv[k++] = "--lmp";
  argv[k++] = pl->lmp;
  /* this executable, for the generators that run vitrum themselves (carbon: `vitrum minimize`
     checks each sheet for saddles) */
  if (pl->exe[0]) {
    argv[k++] = "--vitrum";
    argv[k++] = pl->exe;
  }
  for (PetscInt d = 0; d < pl->ncells; d++) {
    argv[k++] = d == 0 ? "--nx" : d == 1 ? "--ny" : "--nz";
    argv[k++] = num[3 + d];
  }
  argv[k] = NULL;
  PetscCall(RunScript(comm, "generate", argv));
  PetscFunctionReturn(0);
}

/* Mark every option that a stage may read (the pipeline's own and PETSc's, VitOptionCanChangeResults;
   but those starting with `except`, if given) as used. Called when a stage is skipped, and after
   features (which reads no spectrum options when its per-sample cache answers): those options
   chose the outputs, and a changed one changes options.used and the cache folder, so that the
   stages run again. The options no stage reads (another command's, -totally_bogus) stay unused,
   and the end-of-run check reports them; a misspelt one of vitrum's (-kpm_vectros) was refused
   before the run (VitOptionNamesCheck). */
static PetscErrorCode MarkOptionsUsed(const char except[])
{
  PetscInt nleft;
  char   **names, **values;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsLeftGet(NULL, &nleft, &names, &values));
  for (PetscInt i = 0; i < nleft; i++) {
    char      option[256];
    PetscBool set;
    if ((except && !strncmp(names[i], except, strlen(except))) || !VitOptionCanChangeResults(names[i])) continue;
    PetscCall(PetscSNPrintf(option, sizeof(option), "-%s", names[i]));
    PetscCall(PetscOptionsHasName(NULL, NULL, option, &set));
  }
  PetscCall(PetscOptionsLeftRestore(NULL, &nleft, &names, &values));
  PetscFunctionReturn(0);
}

/* Run a command in-process with a few options set for it (and removed afterwards). */
static PetscErrorCode RunCommand(PetscErrorCode (*cmd)(void), PetscInt nopt, const char *const names[], const char *const values[])
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < nopt; i++) PetscCall(PetscOptionsSetValue(NULL, names[i], values[i]));
  PetscCall(cmd());
  for (PetscInt i = 0; i < nopt; i++) PetscCall(PetscOptionsClearValue(NULL, names[i]));
  PetscFunctionReturn(0);
}

/* FNV-1a hash of the options that change the per-sample results of features (all but -fit_* and
   -pipeline_*), naming the cache folder: other options, other cache. */
static PetscErrorCode FeatureOptionsHash(unsigned long long *hash)
{
  char *all, *p;

  PetscFunctionBeginUser;
  PetscCall(OptionsText(&all));
  *hash = 1469598103934665603ULL;
  for (p = strtok(all, "\n"); p; p = strtok(NULL, "\n")) {
    if (!strncmp(p, "-fit_", 5) || !strncmp(p, "-pipeline_", 10)) continue;
    for (const char *c = p; *c; c++) *hash = (*hash ^ (unsigned char)*c) * 1099511628211ULL;
    *hash = (*hash ^ '\n') * 1099511628211ULL;
  }
  PetscCall(PetscFree(all));
  PetscFunctionReturn(0);
}

/* The features cache folder of the current options: DIR/cache/HASH. */
static PetscErrorCode CacheFolder(Pipeline *pl)
{
  unsigned long long hash = 0;

  PetscFunctionBeginUser;
  PetscCall(FeatureOptionsHash(&hash));
  PetscCall(PetscSNPrintf(pl->cache, sizeof(pl->cache), "%s/cache/%016llx", pl->dir, hash));
  PetscFunctionReturn(0);
}

static PetscErrorCode StageFeatures(MPI_Comm comm, Pipeline *pl)
{
  PetscInt          n;
  const char *const names[]  = {"-sample_list", "-o", "-features_cache"};
  const char *const values[] = {pl->samples, pl->dataset, pl->cache};

  PetscFunctionBeginUser;
  PetscCall(CacheFolder(pl));
  PetscCall(MakeDirectory(comm, pl->cache));
  PetscCall(CountLines(comm, pl->samples, &n));
  PetscCall(PetscPrintf(comm, "  features and targets of %" PetscInt_FMT " samples listed in %s\n", n, pl->samples));
  PetscCall(RunCommand(VitCmdFeatures, 3, names, values));
  PetscCall(MarkOptionsUsed("fit_"));
  PetscFunctionReturn(0);
}

static PetscErrorCode StageFit(MPI_Comm comm, Pipeline *pl)
{
  VitProgress progress;

  PetscFunctionBeginUser;
  PetscCall(CacheFolder(pl)); /* also when the features stage was skipped */
  PetscCall(VitProgressStart(&progress, "models fitted", pl->nmodels));
  for (PetscInt m = 0; m < pl->nmodels; m++) {
    const char *const names[]  = {"-data", "-o"};
    const char *const values[] = {pl->model_dataset[m], pl->model_file[m]};
    PetscCall(PetscPrintf(comm, "  model %" PetscInt_FMT "/%" PetscInt_FMT ": %s\n", m + 1, pl->nmodels, pl->model_names[m]));
    PetscCall(VitPipelineWriteModelDataset(comm, pl->dataset, pl->model_names[m], pl->vdos_rebin, pl->cache, pl->model_dataset[m]));
    PetscCall(RunCommand(VitCmdFit, 2, names, values));
    PetscCall(VitProgressUpdate(comm, &progress, m + 1));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode StageEvaluate(MPI_Comm comm, Pipeline *pl)
{
  PetscFunctionBeginUser;
  PetscCall(VitPipelineEvaluate(comm, pl->nmodels, pl->model_names, pl->model_dataset_p, pl->model_file_p, pl->evaluation));
  PetscFunctionReturn(0);
}

static PetscErrorCode StageReport(MPI_Comm comm, Pipeline *pl)
{
  char  script[PETSC_MAX_PATH_LEN];
  char *argv[] = {pl->python, script, "--run", pl->dir, pl->learning_curve ? NULL : "--no-learning-curve", NULL};

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(script, sizeof(script), "%s/plot_report.py", pl->scripts));
  PetscCall(RunScript(comm, "report", argv));
  PetscFunctionReturn(0);
}

static PetscErrorCode RunStage(MPI_Comm comm, Pipeline *pl, Stage *st, PetscInt index, PetscLogDouble t_start)
{
  PetscBool      up = PETSC_FALSE;
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  if (!pl->force) PetscCall(StageUpToDate(comm, st, &up));
  if (up) {
    PetscCall(MarkOptionsUsed(NULL));
    PetscCall(PetscPrintf(comm, "pipeline [%" PetscInt_FMT "/%d] %s: up to date (%s%s), skipped\n", index + 1, VIT_PIPELINE_NSTAGES, st->name, st->outputs[0], st->outputs[1] ? " ..." : ""));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscPrintf(comm, "pipeline [%" PetscInt_FMT "/%d] %s: running\n", index + 1, VIT_PIPELINE_NSTAGES, st->name));
  PetscCall(PetscTime(&t0));
  PetscCall(PetscLogEventBegin(st->event, 0, 0, 0, 0));
  PetscCall(st->run(comm, pl));
  PetscCall(PetscLogEventEnd(st->event, 0, 0, 0, 0));
  PetscCall(PetscTime(&t1));
  PetscCall(PetscPrintf(comm, "pipeline [%" PetscInt_FMT "/%d] %s: done in %.1f s (%.1f s since start) -> %s%s\n", index + 1, VIT_PIPELINE_NSTAGES, st->name, (double)(t1 - t0), (double)(t1 - t_start), st->outputs[0], st->outputs[1] ? " ..." : ""));
  PetscFunctionReturn(0);
}

static PetscErrorCode SetUpStages(Pipeline *pl, Stage stages[])
{
  static PetscLogEvent events[VIT_PIPELINE_NSTAGES];
  static PetscBool     registered = PETSC_FALSE;
  const Stage          table[VIT_PIPELINE_NSTAGES] = {
    {"generate", StageGenerate, {pl->options_used}, {pl->samples}, 0},
    {"features", StageFeatures, {pl->samples, pl->options_used, pl->samples_used}, {pl->dataset}, 0},
    {"fit", StageFit, {pl->dataset, pl->options_used, pl->exe[0] ? pl->exe : NULL}, {NULL}, 0},
    {"evaluate", StageEvaluate, {pl->options_used}, {pl->evaluation}, 0},
    {"report", StageReport, {pl->evaluation, pl->options_used}, {pl->report_md}, 0},
  };

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < VIT_PIPELINE_NSTAGES; k++) {
    char name[64];
    if (!registered) {
      PetscCall(PetscSNPrintf(name, sizeof(name), "Pipe%s", table[k].name));
      PetscCall(PetscLogEventRegister(name, vit_log.classid, &events[k]));
    }
    stages[k]       = table[k];
    stages[k].event = events[k];
  }
  registered = PETSC_TRUE;
  /* fit writes every model file; evaluate reads them all */
  for (PetscInt m = 0; m < pl->nmodels; m++) {
    stages[2].outputs[m]    = pl->model_file[m];
    stages[3].inputs[m + 1] = pl->model_file[m];
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode FreeModelNames(Pipeline *pl)
{
  PetscFunctionBeginUser;
  for (PetscInt m = 0; m < pl->nmodels; m++) PetscCall(PetscFree(pl->model_names[m]));
  PetscFunctionReturn(0);
}

PetscErrorCode VitCmdPipeline(void)
{
  MPI_Comm       comm = PETSC_COMM_WORLD;
  Pipeline       pl;
  Stage          stages[VIT_PIPELINE_NSTAGES];
  PetscLogDouble t_start;

  PetscFunctionBeginUser;
  PetscCall(ReadOptions(&pl));
  if (VitHelpRequested()) { /* list the options of the commands the stages run, too */
    PetscCall(VitCmdFeatures());
    PetscCall(VitCmdFit());
    PetscCall(FreeModelNames(&pl));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscTime(&t_start));
  PetscCall(VitFeaturesCheckOptions(comm)); /* the features stage's and its spectra's options, before any sample is made or read */
  PetscCall(CheckSampleList(comm, &pl));
  PetscCall(CheckSplitSize(comm, &pl));
  PetscCall(SetPaths(&pl));
  PetscCall(CheckOutputs(comm, &pl));
  PetscCall(MakeDirectories(comm, &pl));
  PetscCall(RecordOptions(comm, &pl));
  PetscCall(SetUpStages(&pl, stages));
  for (PetscInt k = 0; k < VIT_PIPELINE_NSTAGES; k++) {
    if (k == 0 && !pl.generate) {
      PetscCall(PetscPrintf(comm, "pipeline [1/%d] generate: using the sample list %s\n", VIT_PIPELINE_NSTAGES, pl.samples));
      continue;
    }
    if (k == VIT_PIPELINE_NSTAGES - 1 && !pl.report) continue;
    if (k == 1) PetscCall(RecordSamples(comm, &pl));
    PetscCall(RunStage(comm, &pl, &stages[k], k, t_start));
  }
  PetscCall(VitPipelinePrintTable(comm, pl.evaluation));
  if (pl.report) PetscCall(PetscPrintf(comm, "pipeline: report in %s\n", pl.report_md));
  PetscCall(FreeModelNames(&pl));
  PetscFunctionReturn(0);
}
