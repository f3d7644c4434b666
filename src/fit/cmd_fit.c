/* vitrum fit: ridge regression of targets Y on features X along a lambda path, with lambda
   chosen by GCV or K-fold CV, from one parallel TSQR of [1 X Y] per fold (docs/fit.md). */
#include <vitrum/commands.h>
#include <vitrum/fit.h>
#include <vitrum/h5io.h>
#include <vitrum/potential.h>
#include <limits.h>
#include <unistd.h>
#include <stdlib.h>

/* -fit_smooth_weight auto: mu = 1, 10, ..., 1e6, chosen with lambda (docs/fit.md) */
#define FIT_AUTO_WEIGHTS 7
#define FIT_MAX_WEIGHTS  64

typedef struct {
  char      data[PETSC_MAX_PATH_LEN], out[PETSC_MAX_PATH_LEN], prior[PETSC_MAX_PATH_LEN];
  char      test_samples[8192]; /* a file of sample names or a comma list */
  char      smooth_weight_spec[1024];
  PetscReal lambda, lambda_min, lambda_max, test_fraction;
  PetscReal smooth_weight[FIT_MAX_WEIGHTS]; /* candidate weights mu of the smoothness penalty */
  PetscBool lambda_set, min_set, max_set, count_set, standardize, smooth_weight_set;
  PetscInt  lambda_count, cv, smooth, seed, nsmooth_weight;
} FitOptions;

typedef struct {
  PetscInt  ntrain, ntest, nfolds; /* nfolds = 1 for GCV */
  PetscInt  ntest_units;           /* held-out samples (rows, or the samples of per-atom rows) */
  PetscInt *row_fold;              /* every row: fold 0..nfolds-1, or -1 when held out */
  PetscInt *fold;                  /* this rank's rows: row_fold + row_start */
} FitSplit;

typedef struct {
  PetscReal *x_mean, *x_scale, *y_mean; /* over the training rows (y: of the fitted, prior-shifted targets) */
  PetscBool *dropped;                   /* targets constant over the training rows: W = 0, b = their value */
  PetscInt   ndropped;
} FitScaling;

/* The prior W0 (t x p, original units; NULL: ridge towards zero) and the fitted targets
   Y - X W0^T of the local rows (= Y without a prior). */
typedef struct {
  PetscReal *W0, *Yfit;
  PetscBool *has; /* per target: a non-zero prior row */
} FitPrior;

typedef struct {
  PetscInt  n, worst;                   /* rows; target with the lowest R^2 (-1: none scored) */
  PetscInt  nflat;                      /* targets whose rows barely vary next to their group: R^2 NaN (pooled still counts them) */
  PetscReal *r2, *rmse, *mae;           /* per target (r2 NaN for a dropped target) */
  PetscReal *sse, *sst;                 /* per target: sums of squared errors and deviations from the mean */
  PetscReal r2_all, rmse_all, mae_all;  /* pooled R^2 = 1 - sum SSE / sum SST; RMSE, MAE over all entries */
  PetscReal r2_worst;                   /* the lowest per-target R^2 */
} FitMetrics;

/* Exact kernels of a pair potential: targets that are exact linear functionals of the partial
   g_ab(r) (docs/fit.md), computed for the targets of these names when -potential is a pair style,
   with the correlation of each target's fitted weights with its kernel. */
#define FIT_NKERNELS 2
static const char *const FitKernelTargets[FIT_NKERNELS] = {"omega2_mean", "energy_per_atom"};

typedef struct {
  PetscInt   target[FIT_NKERNELS]; /* dataset column of FitKernelTargets[k]; -1: no kernel */
  PetscReal *K[FIT_NKERNELS], correlation[FIT_NKERNELS];
} FitKernel;

/* The first k with a kernel (written as /model/kernel too); -1: none. */
static PetscInt FitKernelFirst(const FitKernel *kern)
{
  for (PetscInt k = 0; k < FIT_NKERNELS; k++)
    if (kern->K[k]) return k;
  return -1;
}

typedef struct {
  PetscInt   nlambda, best;
  PetscReal *lambda, *score, *df;
  PetscInt   weight;                         /* index of the chosen smoothness weight in FitOptions */
  PetscReal  weight_score[FIT_MAX_WEIGHTS];  /* the best score over the lambda path of each weight */
  PetscReal *W_path, *b_path; /* nlambda x t x p and nlambda x t, original units */
  FitMetrics train, test;
  FitKernel  kernel;
  PetscReal *prior_distance; /* t: ||W - W0|| / ||W0|| per target (NaN: no prior) */
} FitResult;

static PetscLogEvent FIT_TSQR, FIT_PATH, FIT_CV, FIT_METRICS;

static PetscErrorCode FitOptionsRead(MPI_Comm comm, FitOptions *o)
{
  PetscFunctionBeginUser;
  o->data[0]       = 0;
  o->out[0]        = 0;
  o->lambda        = 0; /* none: chosen along the path */
  o->lambda_min    = 0;
  o->lambda_max    = 0;
  o->lambda_count  = 41;
  o->cv            = 0;
  o->standardize   = PETSC_FALSE;
  o->smooth        = 0;
  PetscCall(PetscStrcpy(o->smooth_weight_spec, "auto"));
  o->test_fraction = VIT_FIT_TEST_FRACTION;
  o->seed          = 1;
  o->test_samples[0] = 0;
  PetscCall(PetscStrcpy(o->prior, "auto"));
  PetscOptionsBegin(comm, NULL, "vitrum fit: parallel TSQR ridge fit of Y = X W^T + b (docs/fit.md)", NULL);
  PetscCall(VitOptionsString("-data", "dataset file with /dataset/X, /dataset/Y (from vitrum features)", NULL, o->data, o->data, sizeof(o->data), NULL));
  PetscCall(VitOptionsString("-o", "output model file (default: the dataset's file name without its extension + .model.h5, in the current folder); never an input or a sample of the dataset", NULL, o->out, o->out, sizeof(o->out), NULL));
  PetscCall(PetscOptionsReal("-fit_lambda", "one ridge parameter lambda > 0 (no path, no choice: refused with -fit_lambda_min, -fit_lambda_max or -fit_lambda_count); default: none, lambda is chosen along the path -fit_lambda_min .. -fit_lambda_max by GCV (or -fit_cv)", NULL, o->lambda, &o->lambda, &o->lambda_set));
  PetscCall(PetscOptionsReal("-fit_lambda_min", "smallest lambda of the log-spaced path (default 1e-8 s_max^2)", NULL, o->lambda_min, &o->lambda_min, &o->min_set));
  PetscCall(PetscOptionsReal("-fit_lambda_max", "largest lambda of the path (default 10 s_max^2)", NULL, o->lambda_max, &o->lambda_max, &o->max_set));
  PetscCall(PetscOptionsInt("-fit_lambda_count", "number of lambdas on the path (1: -fit_lambda_min alone, nothing chosen)", NULL, o->lambda_count, &o->lambda_count, &o->count_set));
  PetscCall(PetscOptionsInt("-fit_cv", "lambda choice: 0 = generalised cross-validation, K >= 2 = K-fold CV", NULL, o->cv, &o->cv, NULL));
  PetscCall(PetscOptionsBool("-fit_standardize", "scale every feature to unit variance before the penalty", NULL, o->standardize, &o->standardize, NULL));
  PetscCall(PetscOptionsInt("-fit_smooth", "smoothness penalty: 0 none, 1 or 2 = order of the differences along r", NULL, o->smooth, &o->smooth, NULL));
  PetscCall(VitOptionsString("-fit_smooth_weight", "mu in the penalty lambda (||w||^2 + mu ||L w||^2) of -fit_smooth 1|2 (refused without it, but auto): a value >= 0, a comma list chosen from with lambda (by GCV or -fit_cv), or auto (1, 10, ..., 1e6)", NULL, o->smooth_weight_spec, o->smooth_weight_spec, sizeof(o->smooth_weight_spec), &o->smooth_weight_set));
  PetscCall(PetscOptionsReal("-fit_test_fraction", "fraction of rows held out for testing (seeded; 0: none)", NULL, o->test_fraction, &o->test_fraction, NULL));
  PetscCall(VitOptionsStringHint("-fit_test_samples", "held-out samples by name (overrides -fit_test_fraction): a value that is a sample name of the dataset is that name, else a readable file holds the names (one a line), else a comma list", NULL, o->test_samples, o->test_samples, sizeof(o->test_samples), NULL, "give the names in a file, one a line"));
  PetscCall(VitOptionsString("-fit_prior", "shrink towards: auto (the exact kernel of targets omega2_mean and energy_per_atom when -potential is a pair potential, else zero), none (zero), kernel (those exact kernels, needs -potential), or FILE (an HDF5 with /model/W)", NULL, o->prior, o->prior, sizeof(o->prior), NULL));
  PetscCall(PetscOptionsInt("-fit_seed", "seed of the test split and of the folds", NULL, o->seed, &o->seed, NULL));
  PetscOptionsEnd();
  PetscFunctionReturn(0);
}

/* -fit_smooth_weight: auto (the decades 1 .. 1e6), one value or a comma list of values >= 0. */
static PetscErrorCode SmoothWeightsParse(MPI_Comm comm, FitOptions *o)
{
  char  copy[sizeof(o->smooth_weight_spec)], *token, *save, *end;
  const char *hint = "give a weight >= 0, a comma list of them, or auto";

  PetscFunctionBeginUser;
  o->nsmooth_weight = 0;
  if (!strcmp(o->smooth_weight_spec, "auto")) {
    for (PetscInt k = 0; k < FIT_AUTO_WEIGHTS; k++) o->smooth_weight[o->nsmooth_weight++] = PetscPowReal(10.0, (PetscReal)k);
    PetscFunctionReturn(0);
  }
  PetscCall(PetscStrncpy(copy, o->smooth_weight_spec, sizeof(copy)));
  for (token = strtok_r(copy, ",", &save); token; token = strtok_r(NULL, ",", &save)) {
    PetscReal mu = (PetscReal)strtod(token, &end);
    while (*end == ' ') end++;
    PetscCheck(end != token && !*end && PetscIsNormalReal(mu + 1.0) && mu >= 0, comm, PETSC_ERR_USER_INPUT, "-fit_smooth_weight %s: '%s' is not a number >= 0; %s", o->smooth_weight_spec, token, hint);
    PetscCheck(o->nsmooth_weight < FIT_MAX_WEIGHTS, comm, PETSC_ERR_USER_INPUT, "-fit_smooth_weight %s: more than %d values", o->smooth_weight_spec, FIT_MAX_WEIGHTS);
    for (PetscInt k = 0; k < o->nsmooth_weight; k++) PetscCheck(o->smooth_weight[k] != mu, comm, PETSC_ERR_USER_INPUT, "-fit_smooth_weight %s: '%s' is given twice", o->smooth_weight_spec, token);
    o->smooth_weight[o->nsmooth_weight++] = mu;
  }
  PetscCheck(o->nsmooth_weight, comm, PETSC_ERR_USER_INPUT, "-fit_smooth_weight '%s': no value; %s", o->smooth_weight_spec, hint);
  PetscFunctionReturn(0);
}

/* -fit_lambda is one lambda, no path: an option of the path given with it would be ignored. */
static PetscErrorCode FitLambdaPathCheck(MPI_Comm comm, const FitOptions *o)
{
  const char *path = o->min_set ? "-fit_lambda_min" : o->max_set ? "-fit_lambda_max" : "-fit_lambda_count";

  PetscFunctionBeginUser;
  PetscCheck(!o->lambda_set || !(o->min_set || o->max_set || o->count_set), comm, PETSC_ERR_USER_INPUT, "-fit_lambda %.6g fixes lambda (no path), so %s, an option of the path, would be ignored: give -fit_lambda alone, or drop it to choose lambda along the path", (double)o->lambda, path);
  PetscFunctionReturn(0);
}

static PetscErrorCode FitOptionsCheck(MPI_Comm comm, FitOptions *o)
{
  PetscFunctionBeginUser;
  PetscCheck(o->data[0], comm, PETSC_ERR_USER_INPUT, "fit needs -data DATA.h5 (a dataset from vitrum features)");
  if (o->lambda_set) PetscCall(VitCheckPositiveReal(comm, "-fit_lambda", o->lambda, PETSC_FALSE, "the ridge parameter lambda"));
  if (o->min_set) PetscCall(VitCheckPositiveReal(comm, "-fit_lambda_min", o->lambda_min, PETSC_FALSE, "the smallest lambda of the path"));
  if (o->max_set) PetscCall(VitCheckPositiveReal(comm, "-fit_lambda_max", o->lambda_max, PETSC_FALSE, "the largest lambda of the path"));
  PetscCheck(!(o->min_set && o->max_set) || o->lambda_max >= o->lambda_min, comm, PETSC_ERR_USER_INPUT, "-fit_lambda_max %.6g is below -fit_lambda_min %.6g", (double)o->lambda_max, (double)o->lambda_min);
  PetscCheck(o->lambda_count >= 1 && o->lambda_count <= 100000, comm, PETSC_ERR_USER_INPUT, "-fit_lambda_count %" PetscInt_FMT ": give 1 to 100000 values on the path", o->lambda_count);
  PetscCall(FitLambdaPathCheck(comm, o));
  PetscCheck(o->cv == 0 || o->cv >= 2, comm, PETSC_ERR_USER_INPUT, "-fit_cv %" PetscInt_FMT ": use 0 (GCV) or a number of folds >= 2", o->cv);
  PetscCheck(o->smooth >= 0 && o->smooth <= 2, comm, PETSC_ERR_USER_INPUT, "-fit_smooth %" PetscInt_FMT ": use 0, 1 or 2", o->smooth);
  /* a weight with no penalty to weigh would be ignored without a word (auto, the default, is
     what pipeline sets for its own -fit_smooth 2) */
  PetscCheck(o->smooth || !o->smooth_weight_set || !strcmp(o->smooth_weight_spec, "auto"), comm, PETSC_ERR_USER_INPUT, "-fit_smooth_weight %s weighs the smoothness penalty, which is off (-fit_smooth 0): give -fit_smooth 1 or 2, or drop -fit_smooth_weight", o->smooth_weight_spec);
  PetscCall(SmoothWeightsParse(comm, o));
  if (!o->lambda_set && o->lambda_count == 1) {
    char lo[64] = "the default 1e-8 s_max^2";
    if (o->min_set) PetscCall(PetscSNPrintf(lo, sizeof(lo), "%.6g", (double)o->lambda_min));
    PetscCall(PetscPrintf(comm, "fit: note: -fit_lambda_count 1: the path is its lower end -fit_lambda_min alone (%s), nothing is chosen by %s; give -fit_lambda for one lambda of your choice\n", lo, o->cv ? "K-fold CV" : "GCV"));
  }
  PetscCheck(o->test_fraction >= 0 && o->test_fraction < 1, comm, PETSC_ERR_USER_INPUT, "-fit_test_fraction %.6g: must be in [0, 1)", (double)o->test_fraction);
  if (strcmp(o->prior, "auto") && strcmp(o->prior, "none") && strcmp(o->prior, "kernel")) {
    PetscBool exists;
    PetscCall(PetscTestFile(o->prior, 'r', &exists));
    PetscCheck(exists, comm, PETSC_ERR_FILE_OPEN, "-fit_prior %s: not auto, none, kernel or a readable HDF5 file with /model/W", o->prior);
  }
  if (!o->out[0]) PetscCall(VitOutputPath(o->data, ".model.h5", o->out, sizeof(o->out)));
  PetscCall(VitOutputCheck(comm, "-o", o->out, 0, NULL));
  PetscFunctionReturn(0);
}

/* What the model records of its dataset besides the fit: the samples it was made from (absolute
   paths: predict refuses an -o that is one of them) and the features the dataset dropped as constant
   over them (predict checks a sample's profiles of a pair the model has no feature of against them). */
typedef struct {
  PetscInt   nsamples, nconstant;
  char     **samples;          /* /dataset/sample_paths, else the names that exist here, made absolute */
  PetscBool  recorded;         /* samples from /dataset/sample_paths (features of this version) */
  char     **constant_names;   /* /dataset/constant_feature_names (NULL: none, or an older dataset) */
  PetscReal *constant_values;
} FitInputs;

/* An older dataset (no /dataset/sample_paths): its sample names that name a file here, made
   absolute (realpath); names of no file (a dataset made elsewhere, or not by features) are left out. */
static PetscErrorCode FitInputsFromNames(const VitDataset *ds, FitInputs *in)
{
  PetscInt     n     = ds->row_sample ? ds->nsamples : ds->n;
  char *const *names = ds->row_sample ? ds->samples : ds->sample_names;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(n + 1, &in->samples));
  for (PetscInt i = 0; i < n; i++) {
    char resolved[PATH_MAX];
    if (realpath(names[i], resolved)) PetscCall(PetscStrallocpy(resolved, &in->samples[in->nsamples++]));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode FitInputsRead(MPI_Comm comm, const VitDataset *ds, FitInputs *in)
{
  VitH5     h5;
  PetscBool exists;
  PetscInt  nvalues;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(in, sizeof(*in)));
  PetscCall(VitH5OpenRead(comm, ds->path, &h5));
  PetscCall(VitH5Exists(&h5, "/dataset/sample_paths", &in->recorded));
  if (in->recorded) PetscCall(VitH5ReadStrings(&h5, "/dataset/sample_paths", &in->nsamples, &in->samples));
  else PetscCall(FitInputsFromNames(ds, in));
  PetscCall(VitH5Exists(&h5, "/dataset/constant_feature_names", &exists));
  if (exists) {
    PetscCall(VitH5ReadStrings(&h5, "/dataset/constant_feature_names", &in->nconstant, &in->constant_names));
    PetscCall(VitH5ReadReal(&h5, "/dataset/constant_feature_values", &nvalues, &in->constant_values));
    PetscCheck(nvalues == in->nconstant, comm, PETSC_ERR_USER_INPUT, "%s: /dataset/constant_feature_values has %" PetscInt_FMT " values for %" PetscInt_FMT " /dataset/constant_feature_names: the dataset is damaged, run features again", ds->path, nvalues, in->nconstant);
    for (PetscInt k = 0; k < nvalues; k++) PetscCheck(!PetscIsInfOrNanReal(in->constant_values[k]), comm, PETSC_ERR_USER_INPUT, "%s: /dataset/constant_feature_values[%" PetscInt_FMT "] (%s) is not a finite number: the dataset is damaged, run features again", ds->path, k, in->constant_names[k]);
  }
  PetscCall(VitH5Close(&h5));
  PetscFunctionReturn(0);
}

static PetscErrorCode FitInputsDestroy(FitInputs *in)
{
  PetscFunctionBeginUser;
  PetscCall(VitStringsFree(in->nsamples, &in->samples));
  if (in->constant_names) PetscCall(VitStringsFree(in->nconstant, &in->constant_names));
  PetscCall(PetscFree(in->constant_values));
  PetscFunctionReturn(0);
}

/* /model/training_samples and /model/constant_feature_{names,values} (each only when there is one). */
static PetscErrorCode FitInputsWrite(VitH5 *h5, const FitInputs *in)
{
  hsize_t dims[1] = {(hsize_t)in->nconstant};

  PetscFunctionBeginUser;
  if (in->nsamples) PetscCall(VitH5WriteStrings(h5, "/model/training_samples", in->nsamples, (const char *const *)in->samples));
  if (!in->nconstant) PetscFunctionReturn(0);
  PetscCall(VitH5WriteStrings(h5, "/model/constant_feature_names", in->nconstant, (const char *const *)in->constant_names));
  PetscCall(VitH5WriteReal(h5, "/model/constant_feature_values", 1, dims, in->constant_values, "feature"));
  PetscFunctionReturn(0);
}

/* -o must not be one of the dataset's samples that exist here (same device and inode, whatever
   the spelling), by the names the dataset gives and by the absolute paths features recorded (a fit
   run in another folder): features and predict refuse such an output too. */
static PetscErrorCode FitOutputNotSample(MPI_Comm comm, const FitOptions *o, const VitDataset *ds, const FitInputs *in)
{
  char hint[PETSC_MAX_PATH_LEN + 128];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(hint, sizeof(hint), "it is a sample of %s (/dataset/%s): give another output name", ds->path, ds->row_sample ? "samples" : "sample_names"));
  PetscCall(VitOutputCheckHint(comm, "-o", o->out, ds->row_sample ? ds->nsamples : ds->n, (const char *const *)(ds->row_sample ? ds->samples : ds->sample_names), hint));
  if (!in->recorded) PetscFunctionReturn(0);
  PetscCall(PetscSNPrintf(hint, sizeof(hint), "it is a sample of %s (/dataset/sample_paths): give another output name", ds->path));
  PetscCall(VitOutputCheckHint(comm, "-o", o->out, in->nsamples, (const char *const *)in->samples, hint));
  PetscFunctionReturn(0);
}

/* The names of a comma list, blanks trimmed (empty ones and '#...' skipped, as in a file). */
static PetscErrorCode CommaListNames(MPI_Comm comm, const char spec[], PetscInt *n, char ***names)
{
  char    *copy, *token, *save;
  PetscInt capacity = 16, k = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(capacity, names));
  PetscCall(PetscStrallocpy(spec, &copy));
  for (token = strtok_r(copy, ",", &save); token; token = strtok_r(NULL, ",", &save)) {
    char *s = token + strspn(token, " \t"), *end = s + strlen(s);
    k++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t')) *--end = 0;
    /* a control character: a binary file given by mistake (its "names" would be listed as garbage) */
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) PetscCheck(*c >= 0x20 || *c == '\t', comm, PETSC_ERR_USER_INPUT, "-fit_test_samples %s name %" PetscInt_FMT ": not a line of text (a binary file?): give a file of sample names, one a line, or a comma list", spec, k);
    if (!s[0] || s[0] == '#') continue;
    if (*n == capacity) {
      capacity *= 2;
      PetscCall(PetscRealloc(sizeof(char *) * capacity, names));
    }
    PetscCall(PetscStrallocpy(s, &(*names)[(*n)++]));
  }
  PetscCall(PetscFree(copy));
  PetscFunctionReturn(0);
}

/* The names given to -fit_test_samples, by one rule: a value that is the name of a sample of the
   dataset is that name (a sample's own path, which exists as a file too); else a readable file
   holds the names, one a line ('#' comments; VitListFileRead); else a comma list. Every rank reads them. */
static PetscErrorCode TestSampleNames(MPI_Comm comm, const char spec[], PetscInt nunits, char *const unit_names[], PetscInt *n, char ***names)
{
  char      msg[PETSC_MAX_PATH_LEN + 256];
  PetscBool is_name = PETSC_FALSE;

  PetscFunctionBeginUser;
  *n = 0;
  for (PetscInt u = 0; u < nunits && !is_name; u++) is_name = (PetscBool)!strcmp(spec, unit_names[u]);
  if (is_name) {
    PetscCall(PetscMalloc1(1, names));
    PetscCall(PetscStrallocpy(spec, &(*names)[(*n)++]));
    PetscFunctionReturn(0);
  }
  if (!access(spec, R_OK)) {
    PetscCall(VitListFileRead("-fit_test_samples", spec, "name", n, names, NULL, msg, sizeof(msg)));
    PetscCheck(!msg[0], comm, PETSC_ERR_USER_INPUT, "%s", msg);
  } else PetscCall(CommaListNames(comm, spec, n, names));
  PetscCheck(*n > 0, comm, PETSC_ERR_USER_INPUT, "-fit_test_samples %s: no sample names in it", spec);
  PetscFunctionReturn(0);
}

/* Held-out units named by -fit_test_samples (matched against the unit names); names that match
   no unit are an error listing them. */
static PetscErrorCode HeldOutByName(MPI_Comm comm, const FitOptions *o, const VitDataset *ds, PetscInt nunits, char *const unit_names[], PetscBool held[])
{
  PetscInt n;
  char   **names, unknown[1024] = "";
  size_t   nunknown = 0;

  PetscFunctionBeginUser;
  PetscCall(TestSampleNames(comm, o->test_samples, nunits, unit_names, &n, &names));
  for (PetscInt k = 0; k < n; k++) {
    PetscBool found = PETSC_FALSE;
    for (PetscInt u = 0; u < nunits; u++)
      if (!strcmp(names[k], unit_names[u])) held[u] = found = PETSC_TRUE;
    if (found) continue;
    if (nunknown++ < 8) {
      PetscCall(PetscStrlcat(unknown, nunknown > 1 ? ", '" : "'", sizeof(unknown)));
      PetscCall(PetscStrlcat(unknown, names[k], sizeof(unknown)));
      PetscCall(PetscStrlcat(unknown, "'", sizeof(unknown)));
    }
  }
  PetscCheck(!nunknown, comm, PETSC_ERR_USER_INPUT, "-fit_test_samples %s: %zu name(s) match no sample of %s: %s%s (the names are those of /dataset/%s, e.g. '%s')", o->test_samples, nunknown, ds->path, unknown, nunknown > 8 ? ", ..." : "", ds->row_sample ? "samples" : "sample_names", unit_names[0]);
  PetscCall(VitStringsFree(n, &names));
  PetscFunctionReturn(0);
}

/* Held-out rows and folds. The unit of the split is the row, or for per-atom datasets the sample
   (all atoms of a sample are held out, or in a fold, together: atoms of one sample are not
   independent). Held-out units: named, or the first round(F units) of a seeded permutation of
   the unit indices; folds: position mod K among the training units, in permutation order. So
   the split does not depend on the number of ranks. */
static PetscErrorCode FitSplitCreate(MPI_Comm comm, const FitOptions *o, const VitDataset *ds, FitSplit *split)
{
  PetscInt   nunits = ds->row_sample ? ds->nsamples : ds->n, *pos, *order, *unit_fold, next = 0;
  char     **unit_names = ds->row_sample ? ds->samples : ds->sample_names;
  PetscBool *held;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(nunits, &pos));
  PetscCall(PetscMalloc1(nunits, &order));
  PetscCall(PetscMalloc1(nunits, &unit_fold));
  PetscCall(PetscCalloc1(nunits, &held));
  PetscCall(VitSamplePositions(nunits, o->seed, pos));
  if (o->test_samples[0]) PetscCall(HeldOutByName(comm, o, ds, nunits, unit_names, held));
  else
    for (PetscInt u = 0; u < nunits; u++) held[u] = (PetscBool)(pos[u] < VitFitHeldOut(o->test_fraction, nunits));
  split->nfolds = o->cv ? o->cv : 1;
  for (PetscInt u = 0; u < nunits; u++) order[pos[u]] = u;
  for (PetscInt q = 0; q < nunits; q++) unit_fold[order[q]] = held[order[q]] ? -1 : next++ % split->nfolds;
  split->ntest_units = nunits - next;
  PetscCheck(o->cv <= next, comm, PETSC_ERR_USER_INPUT, "-fit_cv %" PetscInt_FMT ": more folds than the %" PetscInt_FMT " training samples of %s", o->cv, next, ds->path);
  PetscCall(PetscMalloc1(ds->n, &split->row_fold));
  split->ntest = 0;
  for (PetscInt i = 0; i < ds->n; i++) {
    split->row_fold[i] = unit_fold[ds->row_sample ? ds->row_sample[i] : i];
    split->ntest += split->row_fold[i] < 0;
  }
  split->ntrain = ds->n - split->ntest;
  PetscCheck(split->ntrain >= 2, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " training rows (of %" PetscInt_FMT ", %" PetscInt_FMT " held out by %s): need at least 2", ds->path, split->ntrain, ds->n, split->ntest, o->test_samples[0] ? "-fit_test_samples" : "-fit_test_fraction");
  split->fold = split->row_fold + ds->row_start;
  PetscCall(PetscFree(pos));
  PetscCall(PetscFree(order));
  PetscCall(PetscFree(unit_fold));
  PetscCall(PetscFree(held));
  PetscFunctionReturn(0);
}

/* How many of n units copy an earlier one (first[i] != i), the first copy (*copy, -1: none); how
   many copies sit on the other side of the train/test split than the unit they copy (side[]: fold,
   -1 held out), with the first of those (*straddle); and how many training copies sit in another
   K-fold fold than the training unit they copy, with the first (*other_fold). */
static void TwinCount(PetscInt n, const PetscInt first[], const PetscInt side[], PetscInt count[3], PetscInt which[3])
{
  for (PetscInt k = 0; k < 3; k++) count[k] = 0, which[k] = -1;
  for (PetscInt i = 0; i < n; i++) {
    PetscInt a = side[first[i]], b = side[i];
    if (first[i] == i) continue;
    if (!count[0]++) which[0] = i;
    if ((a < 0) != (b < 0) && !count[1]++) which[1] = i;
    if (a >= 0 && b >= 0 && a != b && !count[2]++) which[2] = i;
  }
}

/* One warning line for a kind of copies (what: "rows of /dataset/X are bitwise copies of an
   earlier row"); label[i] names unit i, side[i] its fold (-1: held out). */
static PetscErrorCode TwinWarn(MPI_Comm comm, const char what[], const char unit[], PetscInt n, const PetscInt first[], const PetscInt side[], PetscInt nfolds, char *const label[])
{
  PetscInt count[3], which[3], c;

  PetscFunctionBeginUser;
  TwinCount(n, first, side, count, which);
  if (!count[0]) PetscFunctionReturn(0);
  c = which[0];
  PetscCall(PetscPrintf(comm, "fit: warning: %" PetscInt_FMT " %s (first: %s %" PetscInt_FMT " '%s' and %" PetscInt_FMT " '%s')", count[0], what, unit, first[c], label[first[c]], c, label[c]));
  if (count[1]) PetscCall(PetscPrintf(comm, "; %" PetscInt_FMT " of them on the other side of the train/test split (first: %s %" PetscInt_FMT " and %" PetscInt_FMT "): the held-out score counts copies of training samples and is too high", count[1], unit, first[which[1]], which[1]));
  if (count[2]) PetscCall(PetscPrintf(comm, "; %" PetscInt_FMT " of them in another of the %" PetscInt_FMT " folds of -fit_cv (first: %s %" PetscInt_FMT " and %" PetscInt_FMT "): the cross-validation score counts copies of the fitted samples and picks too small a lambda", count[2], nfolds, unit, first[which[2]], which[2]));
  PetscCall(PetscPrintf(comm, "; a copy is not an independent sample: remove the copies from the dataset\n"));
  PetscFunctionReturn(0);
}

/* Two 64-bit hashes (FNV-1a, and a multiply-xorshift one) of the bytes of every row, gathered on
   every rank (digest[2 i], digest[2 i + 1]): equal pairs are bitwise equal rows (to a chance of
   ~n^2 2^-129). */
static PetscErrorCode RowDigests(MPI_Comm comm, const VitDataset *ds, uint64_t **digest)
{
  uint64_t   *local;
  PetscMPIInt size, *counts, *displs, mine = (PetscMPIInt)(2 * ds->nlocal);

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscMalloc1(2 * ds->nlocal + 1, &local));
  PetscCall(PetscMalloc1(2 * ds->n + 1, digest));
  PetscCall(PetscMalloc2(size, &counts, size, &displs));
  for (PetscInt i = 0; i < ds->nlocal; i++) {
    const unsigned char *b = (const unsigned char *)(ds->X + i * ds->p);
    uint64_t             h1 = 14695981039346656037ULL, h2 = 0x9E3779B97F4A7C15ULL;
    for (size_t k = 0; k < ds->p * sizeof(PetscReal); k++) {
      h1 = (h1 ^ b[k]) * 1099511628211ULL;
      h2 = (h2 ^ b[k]) * 0xBF58476D1CE4E5B9ULL;
      h2 ^= h2 >> 29;
    }
    local[2 * i]     = h1;
    local[2 * i + 1] = h2;
  }
  PetscCallMPI(MPI_Allgather(&mine, 1, MPI_INT, counts, 1, MPI_INT, comm));
  displs[0] = 0;
  for (PetscMPIInt r = 1; r < size; r++) displs[r] = displs[r - 1] + counts[r - 1];
  PetscCallMPI(MPI_Allgatherv(local, mine, MPI_UINT64_T, *digest, counts, displs, MPI_UINT64_T, comm));
  PetscCall(PetscFree(local));
  PetscCall(PetscFree2(counts, displs));
  PetscFunctionReturn(0);
}

typedef struct {
  uint64_t h1, h2;
  PetscInt row;
} RowKey;

static int CompareRowKey(const void *a, const void *b)
{
  const RowKey *x = (const RowKey *)a, *y = (const RowKey *)b;
  if (x->h1 != y->h1) return x->h1 < y->h1 ? -1 : 1;
  if (x->h2 != y->h2) return x->h2 < y->h2 ? -1 : 1;
  return (x->row > y->row) - (x->row < y->row);
}

/* For every row i, the first row bitwise equal to it that belongs to another unit (unit[]: the
   sample of each row; NULL: every row its own unit), when that row comes before i: first[i], else
   i. Rows of one unit may be equal (atoms of one sample with the same environment, e.g. in a
   crystal); a row equal to a row of another sample is a copy. One sort: O(n log n). */
static PetscErrorCode RowCopies(PetscInt n, const uint64_t digest[], const PetscInt unit[], PetscInt first[])
{
  RowKey *key;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(n + 1, &key));
  for (PetscInt i = 0; i < n; i++) key[i] = (RowKey){digest[2 * i], digest[2 * i + 1], i};
  qsort(key, (size_t)n, sizeof(*key), CompareRowKey);
  for (PetscInt s = 0, e; s < n; s = e) {
    PetscInt g0 = key[s].row, g1 = -1, u0 = unit ? unit[g0] : g0;
    for (e = s + 1; e < n && key[e].h1 == key[s].h1 && key[e].h2 == key[s].h2; e++)
      if (g1 < 0 && (unit ? unit[key[e].row] : key[e].row) != u0) g1 = key[e].row;
    for (PetscInt k = s; k < e; k++) {
      PetscInt i = key[k].row, partner = (unit ? unit[i] : i) != u0 ? g0 : g1;
      first[i] = partner >= 0 && partner < i ? partner : i;
    }
  }
  PetscCall(PetscFree(key));
  PetscFunctionReturn(0);
}

/* Copies of a sample in the dataset (the same file listed twice, or a copy of it under another
   name): sample names that repeat, and rows of X that are bitwise the same as a row of another
   sample (per-sample rows: any two rows; per-atom rows: atoms of different samples, those of one
   sample may share an environment). A warning for each, naming the first pair and the count, and
   whether copies fall on both sides of the train/test split, where they make the held-out score
   that of seen samples, or in different folds of -fit_cv, where they make the CV score that of
   fitted samples. Cost: one sort of the n row digests, O(n log n). */
static PetscErrorCode FitWarnTwins(MPI_Comm comm, const VitDataset *ds, const FitSplit *split)
{
  PetscInt   nunits = ds->row_sample ? ds->nsamples : ds->n, *first, *unit_side;
  char     **unit_names = ds->row_sample ? ds->samples : ds->sample_names, **row_label;
  uint64_t  *digest;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(PetscMax(nunits, ds->n), &first, nunits, &unit_side));
  for (PetscInt i = 0; i < ds->n; i++) unit_side[ds->row_sample ? ds->row_sample[i] : i] = split->row_fold[i];
  PetscCall(VitNameFirstOccurrence(nunits, unit_names, first));
  PetscCall(TwinWarn(comm, ds->row_sample ? "samples of /dataset/samples repeat the name of an earlier one" : "rows repeat the sample name of an earlier row", ds->row_sample ? "samples" : "rows", nunits, first, unit_side, split->nfolds, unit_names));
  PetscCall(RowDigests(comm, ds, &digest));
  PetscCall(RowCopies(ds->n, digest, ds->row_sample, first));
  PetscCall(PetscFree(digest));
  row_label = ds->sample_names;
  if (ds->row_sample) { /* a row is named by its sample */
    PetscCall(PetscMalloc1(ds->n, &row_label));
    for (PetscInt i = 0; i < ds->n; i++) row_label[i] = ds->samples[ds->row_sample[i]];
  }
  PetscCall(TwinWarn(comm, ds->row_sample ? "rows of /dataset/X (atoms) are bitwise copies of an earlier row of another sample" : "rows of /dataset/X are bitwise copies of an earlier row", "rows", ds->n, first, split->row_fold, split->nfolds, row_label));
  if (ds->row_sample) PetscCall(PetscFree(row_label));
  PetscCall(PetscFree2(first, unit_side));
  PetscFunctionReturn(0);
}

/* Column sums over the training rows of a row-major block (sq: of squared deviations from mean). */
static PetscErrorCode TrainingColumnSums(MPI_Comm comm, const FitSplit *split, PetscInt nlocal, PetscInt ncols, const PetscReal *A, const PetscReal *mean, PetscReal *sum)
{
  PetscReal *local;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(ncols, &local));
  for (PetscInt i = 0; i < nlocal; i++) {
    if (split->fold[i] < 0) continue;
    for (PetscInt j = 0; j < ncols; j++) {
      PetscReal v = A[i * ncols + j] - (mean ? mean[j] : 0);
      local[j] += mean ? v * v : v;
    }
  }
  PetscCall(MPIU_Allreduce(local, sum, ncols, MPIU_REAL, MPIU_SUM, comm));
  PetscCall(PetscFree(local));
  PetscFunctionReturn(0);
}

/* Length of a target's group name: "D(omega=1.5)" belongs to group "D"; a name without '(' is its
   own group. */
static size_t TargetGroupLength(const char name[])
{
  const char *paren = strchr(name, '(');
  return paren ? (size_t)(paren - name) : strlen(name);
}

/* A target is dropped when its training variance is zero up to rounding of its mean, or negligible
   next to the other targets of its group (variance below 1e-18 of the group's largest: a VDOS bin
   in the Gaussian tail beyond the band edge, values ~1e-40): an exact fit of a constant would score
   R^2 = 1 and tell nothing, and an R^2 of a tail is 1 - SSE/SST with SST ~ 0, meaningless. */
static PetscErrorCode DropConstantTargets(MPI_Comm comm, const VitDataset *ds, const FitSplit *split, FitScaling *sc)
{
  PetscReal *mean, *sst;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(ds->t, &mean, ds->t, &sst));
  PetscCall(PetscCalloc1(ds->t, &sc->dropped));
  PetscCall(TrainingColumnSums(comm, split, ds->nlocal, ds->t, ds->Y, NULL, mean));
  for (PetscInt j = 0; j < ds->t; j++) mean[j] /= split->ntrain;
  PetscCall(TrainingColumnSums(comm, split, ds->nlocal, ds->t, ds->Y, mean, sst));
  sc->ndropped = 0;
  for (PetscInt j = 0; j < ds->t; j++) {
    PetscReal tol = 1e-12 * PetscAbsReal(mean[j]), group_max = 0;
    size_t    len = TargetGroupLength(ds->target_names[j]);
    for (PetscInt k = 0; k < ds->t; k++)
      if (TargetGroupLength(ds->target_names[k]) == len && !strncmp(ds->target_names[k], ds->target_names[j], len)) group_max = PetscMax(group_max, sst[k]);
    sc->dropped[j] = (PetscBool)(sst[j] <= split->ntrain * tol * tol || sst[j] <= 1e-18 * group_max);
    sc->ndropped += sc->dropped[j];
  }
  PetscCall(PetscFree2(mean, sst));
  PetscFunctionReturn(0);
}

static PetscErrorCode FitScalingCompute(MPI_Comm comm, const FitOptions *o, const VitDataset *ds, const FitSplit *split, const PetscReal *Yfit, FitScaling *sc)
{
  PetscReal *ss;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3(ds->p, &sc->x_mean, ds->p, &sc->x_scale, ds->t, &sc->y_mean));
  PetscCall(PetscMalloc1(ds->p, &ss));
  PetscCall(TrainingColumnSums(comm, split, ds->nlocal, ds->p, ds->X, NULL, sc->x_mean));
  PetscCall(TrainingColumnSums(comm, split, ds->nlocal, ds->t, Yfit, NULL, sc->y_mean));
  for (PetscInt j = 0; j < ds->p; j++) sc->x_mean[j] /= split->ntrain;
  for (PetscInt j = 0; j < ds->t; j++) sc->y_mean[j] /= split->ntrain;
  PetscCall(TrainingColumnSums(comm, split, ds->nlocal, ds->p, ds->X, sc->x_mean, ss));
  for (PetscInt j = 0; j < ds->p; j++) {
    PetscReal sd = PetscSqrtReal(ss[j] / split->ntrain); /* population standard deviation, as StandardScaler */
    sc->x_scale[j] = o->standardize ? sd : 1.0;
    PetscCheck(!o->standardize || (sd > 1e-12 * PetscAbsReal(sc->x_mean[j]) && sd > 0), comm, PETSC_ERR_USER_INPUT,
               "%s: feature '%s' is constant over the training rows (value %.6g) and cannot be standardised: drop it or fit without -fit_standardize", ds->path, ds->feature_names[j], (double)sc->x_mean[j]);
  }
  PetscCall(PetscFree(ss));
  PetscFunctionReturn(0);
}

/* R factor of [1, (X - mean)/scale, Yfit - mean] over the local rows of fold f, then over all
   ranks; the columns of dropped targets are zero (their fit is W = 0, b = mean, exactly). */
static PetscErrorCode FoldFactor(MPI_Comm comm, const VitDataset *ds, const FitSplit *split, const FitScaling *sc, const PetscReal *Yfit, PetscInt f, VitTriangle *R)
{
  PetscInt    m = 0, row = 0, p = ds->p, t = ds->t;
  VitTriangle local;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < ds->nlocal; i++) m += split->fold[i] == f;
  PetscCall(VitTriangleCreate(m, 1 + p + t, &local));
  for (PetscInt i = 0; i < ds->nlocal; i++) {
    if (split->fold[i] != f) continue;
    local.a[row] = 1.0;
    for (PetscInt j = 0; j < p; j++) local.a[row + (1 + j) * m] = (ds->X[i * p + j] - sc->x_mean[j]) / sc->x_scale[j];
    for (PetscInt j = 0; j < t; j++) local.a[row + (1 + p + j) * m] = sc->dropped[j] ? 0.0 : Yfit[i * t + j] - sc->y_mean[j];
    row++;
  }
  PetscCall(VitTSQR(comm, &local, R));
  PetscCall(VitTriangleDestroy(&local));
  PetscFunctionReturn(0);
}

static PetscErrorCode FitLambdaPath(const FitOptions *o, const VitRidgePath *path, FitResult *res)
{
  PetscReal s2 = path->r && path->s[0] > 0 ? path->s[0] * path->s[0] : 1.0, lo, hi;

  PetscFunctionBeginUser;
  res->nlambda = o->lambda_set ? 1 : o->lambda_count;
  PetscCall(PetscMalloc3(res->nlambda, &res->lambda, res->nlambda, &res->score, res->nlambda, &res->df));
  lo = o->min_set ? o->lambda_min : 1e-8 * s2;
  hi = o->max_set ? o->lambda_max : 10.0 * s2;
  if (hi < lo) hi = lo;
  for (PetscInt l = 0; l < res->nlambda; l++) {
    PetscReal frac = res->nlambda > 1 ? (PetscReal)l / (res->nlambda - 1) : 0.0;
    res->lambda[l] = o->lambda_set ? o->lambda : PetscExpReal(PetscLogReal(lo) + frac * (PetscLogReal(hi) - PetscLogReal(lo))); /* in logs: hi / lo may overflow (1e300 / 1e-10) */
  }
  PetscFunctionReturn(0);
}

/* GCV(lambda) = (RSS / (n t)) / (1 - (df + 1) / n)^2, df = sum s^2/(s^2 + lambda), +1 for the intercept. */
static void GCVScores(const VitRidgePath *path, PetscInt ntrain, FitResult *res)
{
  for (PetscInt l = 0; l < res->nlambda; l++) {
    PetscReal rss, df, denom;
    VitRidgePathRSS(path, res->lambda[l], &rss, &df);
    denom          = 1.0 - (df + 1.0) / ntrain;
    res->df[l]     = df;
    res->score[l]  = denom > 0 ? rss / (ntrain * path->t) / (denom * denom) : PETSC_INFINITY;
  }
}

/* K-fold CV: the training R of fold f is the QR of the other folds' stacked R factors; the error on
   fold f for any lambda comes from fold f's own R factor (VitRidgeBlockError). */
static PetscErrorCode KFoldScores(const VitDataset *ds, const FitSplit *split, const VitTriangle Rfold[], const VitPenalty *gamma, FitResult *res)
{
  PetscInt     K = split->nfolds, p = ds->p, t = ds->t;
  VitTriangle *others, Rtrain;
  VitRidgePath path;
  PetscReal   *Wt, *b;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3(K, &others, p * t, &Wt, t, &b));
  PetscCall(PetscArrayzero(res->score, res->nlambda));
  for (PetscInt f = 0; f < K; f++) {
    PetscInt n = 0;
    for (PetscInt g = 0; g < K; g++)
      if (g != f) others[n++] = Rfold[g];
    PetscCall(VitQRStack(n, others, &Rtrain));
    PetscCall(VitRidgePathCreate(&Rtrain, p, t, gamma, &path));
    for (PetscInt l = 0; l < res->nlambda; l++) {
      PetscReal sse;
      PetscCall(VitRidgePathSolve(&path, res->lambda[l], Wt, b));
      PetscCall(VitRidgeBlockError(&Rfold[f], p, t, Wt, b, &sse));
      res->score[l] += sse / (split->ntrain * t);
    }
    PetscCall(VitRidgePathDestroy(&path));
    PetscCall(VitTriangleDestroy(&Rtrain));
  }
  PetscCall(PetscFree3(others, Wt, b));
  PetscFunctionReturn(0);
}

/* The first index of the smallest of n scores. */
static PetscInt ArgMin(PetscInt n, const PetscReal score[])
{
  PetscInt best = 0;
  for (PetscInt l = 1; l < n; l++)
    if (score[l] < score[best]) best = l;
  return best;
}

/* The smoothness weight and lambda, chosen together: for every candidate weight mu its penalty, its
   ridge path and the scores over its lambda path (GCV, or K-fold CV); the weight whose best score is
   the lowest is kept, with its penalty, path and lambda path (res). Without a smoothness penalty, or
   with one weight given, that weight's path alone. The lambda path of each weight spans its own
   singular values (FitLambdaPath). */
static PetscErrorCode FitChooseWeight(const FitOptions *o, const VitDataset *ds, const FitSplit *split, const VitTriangle Rfold[], const VitTriangle *Rtrain, VitPenalty *gamma, VitRidgePath *path, FitResult *res)
{
  PetscInt   nweights = o->smooth ? o->nsmooth_weight : 1, *group;
  PetscReal *r;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(ds->p, &group, ds->p, &r));
  PetscCall(VitFeatureGroups(ds->p, ds->feature_names, group, r));
  res->weight = -1;
  for (PetscInt k = 0; k < nweights; k++) {
    VitPenalty   trial_gamma;
    VitRidgePath trial_path;
    FitResult    trial;
    PetscInt     best;

    PetscCall(VitSmoothPenalty(ds->p, group, o->smooth, o->smooth ? o->smooth_weight[k] : 0.0, &trial_gamma));
    PetscCall(VitRidgePathCreate(Rtrain, ds->p, ds->t, &trial_gamma, &trial_path));
    PetscCall(FitLambdaPath(o, &trial_path, &trial));
    PetscCall(PetscLogEventBegin(FIT_CV, 0, 0, 0, 0));
    GCVScores(&trial_path, split->ntrain, &trial);
    if (o->cv) PetscCall(KFoldScores(ds, split, Rfold, &trial_gamma, &trial));
    PetscCall(PetscLogEventEnd(FIT_CV, 0, 0, 0, 0));
    best                 = ArgMin(trial.nlambda, trial.score);
    res->weight_score[k] = trial.score[best];
    if (res->weight >= 0 && !(trial.score[best] < res->weight_score[res->weight])) { /* not better: dropped */
      PetscCall(PetscFree3(trial.lambda, trial.score, trial.df));
      PetscCall(VitRidgePathDestroy(&trial_path));
      PetscCall(VitPenaltyDestroy(&trial_gamma));
      continue;
    }
    if (res->weight >= 0) {
      PetscCall(PetscFree3(res->lambda, res->score, res->df));
      PetscCall(VitRidgePathDestroy(path));
      PetscCall(VitPenaltyDestroy(gamma));
    }
    res->weight  = k;
    res->best    = best;
    res->nlambda = trial.nlambda;
    res->lambda  = trial.lambda;
    res->score   = trial.score;
    res->df      = trial.df;
    *gamma       = trial_gamma;
    *path        = trial_path;
    path->gamma  = gamma; /* the kept factor, no longer the loop's copy */
  }
  PetscCall(PetscFree2(group, r));
  PetscFunctionReturn(0);
}

/* Solutions along the path, converted to original units: W_ij / scale_j, b + y_mean - W x_mean,
   then the prior added back: W = W' + W0 (W' fits the shifted targets Y - X W0^T). */
static PetscErrorCode FitSolutions(const VitDataset *ds, const FitScaling *sc, const FitPrior *prior, const VitRidgePath *path, FitResult *res)
{
  PetscInt p = ds->p, t = ds->t;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(res->nlambda * t * p, &res->W_path, res->nlambda * t, &res->b_path));
  for (PetscInt l = 0; l < res->nlambda; l++) {
    PetscReal *W = res->W_path + l * t * p, *b = res->b_path + l * t;
    PetscCall(VitRidgePathSolve(path, res->lambda[l], W, b)); /* W^T column-major = W row-major */
    for (PetscInt j = 0; j < t; j++) {
      b[j] += sc->y_mean[j];
      for (PetscInt i = 0; i < p; i++) {
        W[j * p + i] /= sc->x_scale[i];
        b[j] -= W[j * p + i] * sc->x_mean[i];
        if (prior->W0) W[j * p + i] += prior->W0[j * p + i];
      }
    }
  }
  PetscFunctionReturn(0);
}

/* R^2, RMSE, MAE per target over the rows with fold >= 0 (training) or fold < 0 (held out), from
   the predictions yhat of the local rows. Dropped targets get R^2 = NaN and count in no summary;
   the pooled R^2 = 1 - sum_j SSE_j / sum_j SST_j weighs the targets by their variance, and the
   worst per-target R^2 is kept next to it. */
static PetscErrorCode FitMetricsCompute(MPI_Comm comm, const VitDataset *ds, const FitSplit *split, const FitScaling *sc, PetscBool held_out, const PetscReal *yhat, FitMetrics *m)
{
  PetscInt   t = ds->t, nlocal = 0, nactive = 0;
  PetscReal *sums, *acc, sse = 0, sst = 0, sae = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3(t, &m->r2, t, &m->rmse, t, &m->mae));
  PetscCall(PetscMalloc2(t, &m->sse, t, &m->sst));
  PetscCall(PetscCalloc2(t, &sums, 3 * t, &acc));
  for (PetscInt i = 0; i < ds->nlocal; i++) {
    if ((split->fold[i] < 0) != held_out) continue;
    nlocal++;
    for (PetscInt j = 0; j < t; j++) sums[j] += ds->Y[i * t + j];
  }
  PetscCall(MPIU_Allreduce(&nlocal, &m->n, 1, MPIU_INT, MPI_SUM, comm));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, sums, t, MPIU_REAL, MPIU_SUM, comm));
  for (PetscInt i = 0; i < ds->nlocal; i++) {
    if ((split->fold[i] < 0) != held_out) continue;
    for (PetscInt j = 0; j < t; j++) {
      PetscReal y = ds->Y[i * t + j], e = y - yhat[i * t + j], d = y - sums[j] / PetscMax(m->n, 1);
      acc[j] += e * e;
      acc[t + j] += PetscAbsReal(e);
      acc[2 * t + j] += d * d;
    }
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, acc, 3 * t, MPIU_REAL, MPIU_SUM, comm));
  m->worst    = -1;
  m->r2_worst = PETSC_MAX_REAL;
  m->nflat    = 0;
  for (PetscInt j = 0; j < t; j++) {
    /* R^2 = 1 - SSE/SST is undefined when these rows do not vary: a target whose SST is at most
       1e-6 of the largest of its group (a VDOS bin in the tail beyond the band edge of the held-out
       samples, values ~1e-20; every target when a single row is held out) gets NaN instead of
       -1e38, or of sklearn's 0 or 1 for SST = 0; its errors stay in the pooled R^2 and RMSE.
       Otherwise as sklearn.metrics.r2_score. */
    PetscReal group_sst = 0;
    size_t    len       = TargetGroupLength(ds->target_names[j]);
    PetscBool flat;
    for (PetscInt k = 0; k < t; k++)
      if (!sc->dropped[k] && TargetGroupLength(ds->target_names[k]) == len && !strncmp(ds->target_names[k], ds->target_names[j], len)) group_sst = PetscMax(group_sst, acc[2 * t + k]);
    flat       = (PetscBool)(!sc->dropped[j] && acc[2 * t + j] <= 1e-6 * group_sst);
    m->r2[j]   = sc->dropped[j] || flat ? NAN : 1.0 - acc[j] / acc[2 * t + j];
    m->sse[j]  = acc[j];
    m->sst[j]  = acc[2 * t + j];
    m->rmse[j] = PetscSqrtReal(acc[j] / PetscMax(m->n, 1));
    m->mae[j]  = acc[t + j] / PetscMax(m->n, 1);
    if (sc->dropped[j]) continue;
    nactive++;
    m->nflat += flat;
    if (!flat && m->r2[j] < m->r2_worst) {
      m->r2_worst = m->r2[j];
      m->worst    = j;
    }
    sse += acc[j];
    sst += acc[2 * t + j];
    sae += acc[t + j];
  }
  m->r2_all   = nactive && sst > 0 ? 1.0 - sse / sst : NAN;
  if (m->worst < 0) m->r2_worst = NAN;
  m->rmse_all = PetscSqrtReal(sse / PetscMax(m->n * nactive, 1));
  m->mae_all  = sae / PetscMax(m->n * nactive, 1);
  PetscCall(PetscFree2(sums, acc));
  PetscFunctionReturn(0);
}

static PetscErrorCode FitMetricsDestroy(FitMetrics *m)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree3(m->r2, m->rmse, m->mae));
  PetscCall(PetscFree2(m->sse, m->sst));
  PetscFunctionReturn(0);
}

static PetscErrorCode FitMetricsWrite(VitH5 *h5, const char group[], const VitDataset *ds, const FitMetrics *m)
{
  char    name[PETSC_MAX_PATH_LEN];
  hsize_t dims[1] = {(hsize_t)ds->t};
  struct {
    const char      *what;
    const PetscReal *per_target, overall;
    const char      *units;
  } items[] = {{"r2", m->r2, m->r2_all, "1"}, {"rmse", m->rmse, m->rmse_all, "target"}, {"mae", m->mae, m->mae_all, "target"}};
  /* r2_overall is the pooled R^2; r2_worst the lowest per-target R^2 (worst_target its index) */

  PetscFunctionBeginUser;
  for (size_t k = 0; k < sizeof(items) / sizeof(items[0]); k++) {
    PetscCall(PetscSNPrintf(name, sizeof(name), "/model/metrics/%s/%s", group, items[k].what));
    PetscCall(VitH5WriteReal(h5, name, 1, dims, items[k].per_target, items[k].units));
    PetscCall(PetscSNPrintf(name, sizeof(name), "/model/metrics/%s/%s_overall", group, items[k].what));
    PetscCall(VitH5WriteScalar(h5, name, items[k].overall, items[k].units));
  }
  PetscCall(PetscSNPrintf(name, sizeof(name), "/model/metrics/%s/r2_worst", group));
  PetscCall(VitH5WriteScalar(h5, name, m->r2_worst, "1"));
  PetscCall(PetscSNPrintf(name, sizeof(name), "/model/metrics/%s/worst_target", group));
  PetscCall(VitH5WriteScalar(h5, name, (PetscReal)m->worst, "index in /model/target_names (-1: none)"));
  PetscCall(PetscSNPrintf(name, sizeof(name), "/model/metrics/%s/n", group));
  PetscCall(VitH5WriteScalar(h5, name, (PetscReal)m->n, "rows"));
  PetscFunctionReturn(0);
}

/* Which distances carry the weight: for every target, the fraction of sum_f |W_tf| coming from
   features at r' <= r, on the sorted distinct r of the feature names. */
static PetscErrorCode FitShellAnalysisWrite(VitH5 *h5, const VitDataset *ds, const PetscReal *W)
{
  PetscInt   p = ds->p, t = ds->t, nr = 0, *group;
  PetscReal *r, *shells, *cum;
  hsize_t    dims[2];

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc4(p, &group, p, &r, p, &shells, t * p, &cum));
  PetscCall(VitFeatureGroups(p, ds->feature_names, group, r));
  PetscCall(PetscArraycpy(shells, r, p));
  PetscCall(PetscSortReal(p, shells));
  for (PetscInt i = 0; i < p; i++)
    if (!nr || shells[i] > shells[nr - 1] + 1e-9 * PetscAbsReal(shells[nr - 1])) shells[nr++] = shells[i];
  PetscCall(PetscArrayzero(cum, t * nr));
  for (PetscInt j = 0; j < t; j++) {
    PetscReal total = 0;
    for (PetscInt i = 0; i < p; i++) {
      PetscInt u = 0;
      while (u < nr - 1 && shells[u] < r[i] - 1e-9 * PetscAbsReal(r[i])) u++;
      cum[j * nr + u] += PetscAbsReal(W[j * p + i]);
      total += PetscAbsReal(W[j * p + i]);
    }
    for (PetscInt u = 1; u < nr; u++) cum[j * nr + u] += cum[j * nr + u - 1];
    for (PetscInt u = 0; u < nr && total > 0; u++) cum[j * nr + u] /= total;
  }
  dims[0] = (hsize_t)nr;
  PetscCall(VitH5WriteReal(h5, "/model/analysis/r", 1, dims, shells, "length"));
  dims[0] = (hsize_t)t;
  dims[1] = (hsize_t)nr;
  PetscCall(VitH5WriteReal(h5, "/model/analysis/cumulative_abs_W", 2, dims, cum, "1"));
  PetscCall(PetscFree4(group, r, shells, cum));
  PetscFunctionReturn(0);
}

static PetscReal Correlation(PetscInt n, const PetscReal *a, const PetscReal *b)
{
  PetscReal ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;

  for (PetscInt i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  for (PetscInt i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / PetscSqrtReal(saa * sbb) : 0;
}

/* Grid step of a partial: the smallest spacing of its r values (columns dropped as constant leave gaps). */
static PetscReal GroupSpacing(PetscInt p, const PetscInt group[], const PetscReal r[], PetscInt g)
{
  PetscReal step = PETSC_MAX_REAL;

  for (PetscInt i = 0; i + 1 < p; i++)
    if (group[i] == g && group[i + 1] == g && r[i + 1] > r[i]) step = PetscMin(step, r[i + 1] - r[i]);
  return step < PETSC_MAX_REAL ? step : 1.0;
}

/* Exact kernels of a pair potential, summed over pairs a <= b with m_ab = 2 for a != b and
   mu_ab = (1/M_a + 1/M_b)/2 (M the species' masses):
     <omega^2> = Tr(H)/(dN) = sum m_ab mu_ab c_a c_b rho int S_d r^{d-1} g_ab(r) [phi'' + (d-1) phi'/r] dr / d,
     E/N                    = sum m_ab c_a c_b rho int S_d r^{d-1} g_ab(r) phi(r) dr / 2
   (E/N: each of the N c_a c_b rho S_d r^{d-1} g_ab dr neighbours at r counted once per pair).
   The weight of feature g_ab(r_k) is the integrand times the grid step dr of its partial (mu_ab is
   applied by the caller). */
static PetscReal KernelWeight(PetscInt k, PetscInt d, PetscReal r, PetscReal phi, PetscReal d1, PetscReal d2)
{
  return k == 0 ? PetscPowRealInt(r, d - 1) * (d2 + (d - 1) * d1 / r) / d : PetscPowRealInt(r, d - 1) * phi / 2;
}

/* Which targets of FitKernelTargets the dataset has; false when none. */
static PetscBool KernelTargetsFind(const VitDataset *ds, FitKernel *kern)
{
  PetscBool any = PETSC_FALSE;

  for (PetscInt k = 0; k < FIT_NKERNELS; k++) {
    kern->target[k] = -1;
    kern->K[k]      = NULL;
    for (PetscInt j = 0; j < ds->t; j++)
      if (!strcmp(ds->target_names[j], FitKernelTargets[k])) kern->target[k] = j;
    any = (PetscBool)(any || kern->target[k] >= 0);
  }
  return any;
}

/* Whether the kernels can be made for this dataset: the pair potential the dataset records (features
   with a pair -potential), else a pair -potential given here, and the partials. With required
   (-fit_prior kernel) their absence is an error, else a note. */
static PetscErrorCode KernelsPossible(MPI_Comm comm, const VitDataset *ds, PetscBool required, PetscBool *possible)
{
  PetscBool has_potential;
  char      style[64] = "";

  PetscFunctionBeginUser;
  *possible = PETSC_FALSE;
  PetscCall(VitOptionsGetString(comm, "-potential", style, sizeof(style), &has_potential));
  if (ds->pair_table) {
    has_potential = PETSC_TRUE;
    PetscCall(PetscStrncpy(style, ds->pair_potential, sizeof(style)));
  }
  PetscCheck(!required || has_potential, comm, PETSC_ERR_USER_INPUT, "-fit_prior kernel: give the pair potential of the samples (-potential lj|ka2d|ka3d with its options), or build %s with vitrum features -potential (it then records the potential)", ds->path);
  if (!has_potential) PetscFunctionReturn(0);
  if (!ds->pair_table && !VitPotentialStyleIsPair(style)) { /* the kernels exist for pair potentials only: the models are fitted without them */
    PetscCheck(!required, comm, PETSC_ERR_USER_INPUT, "-fit_prior kernel: the exact kernels exist for pair potentials only, not -potential %s", style);
    PetscCall(PetscPrintf(comm, "fit: no exact kernels for -potential %s (they exist for pair potentials only)\n", style));
    PetscFunctionReturn(0);
  }
  if (ds->scattering.radiation) { /* the kernels weigh each partial: a weighted total cannot carry them */
    PetscCheck(!required, comm, PETSC_ERR_USER_INPUT, "-fit_prior kernel: the exact kernels need the partial g_ab(r) features; %s has their %s-weighted total (features -features_total none)", ds->path, VitRadiations[ds->scattering.radiation]);
    PetscCall(PetscPrintf(comm, "fit: no exact kernels for features that are a %s-weighted total (they need the partials)\n", VitRadiations[ds->scattering.radiation]));
    PetscFunctionReturn(0);
  }
  PetscCheck(ds->has_structure, comm, PETSC_ERR_USER_INPUT, "-potential: the exact kernels need the composition in /dataset/structure, which %s lacks (build it with vitrum features from rdf outputs)", ds->path);
  *possible = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* phi, phi', phi'' of every feature (species pa, pb at r): the dataset's table (the potential of
   the spectra, written by features), else -potential's pair callback (a stub sample of the
   dataset's species: its options must give every parameter, no data file is at hand). */
static PetscErrorCode PairTable(MPI_Comm comm, const VitDataset *ds, const PetscInt pa[], const PetscInt pb[], const PetscReal r[], PetscReal table[])
{
  VitSample    stub;
  VitPotential pot;

  PetscFunctionBeginUser;
  if (ds->pair_table) {
    PetscCall(PetscArraycpy(table, ds->pair_table, 3 * ds->p));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscMemzero(&stub, sizeof(stub)));
  stub.dim    = ds->dim;
  stub.ntypes = ds->ntypes;
  for (PetscInt a = 0; a < ds->ntypes; a++) {
    PetscCall(PetscStrncpy(stub.type_name[a], ds->type_names[a], VIT_NAME_LEN));
    stub.type_mass[a] = 1;
  }
  PetscCall(PetscStrncpy(stub.source, ds->path, sizeof(stub.source)));
  PetscCall(VitPotentialCreateFromOptions(comm, &stub, &pot));
  for (PetscInt i = 0; i < ds->p; i++) PetscCall(pot->pair(pot, pa[i], pb[i], r[i], &table[i], &table[ds->p + i], &table[2 * ds->p + i]));
  PetscCall(VitPotentialDestroy(&pot));
  PetscFunctionReturn(0);
}

/* The kernels of the dataset's targets omega2_mean and energy_per_atom (above) for the pair potential
   of PairTable (required: true, as for -fit_prior kernel, makes their absence an error). The
   <omega^2> kernel weighs the pairs a-b by (1/m_a + 1/m_b)/2 (Tr(H)/(dN) sums K_ii/m_i over atoms):
   the dataset's masses, else 1 with a note (an older dataset, or one built without spectra). */
static PetscErrorCode FitKernelCompute(MPI_Comm comm, const VitDataset *ds, PetscBool required, FitKernel *kern)
{
  PetscBool  possible;
  PetscInt  *group, *pa, *pb, bad, d = ds->dim, p = ds->p;
  PetscReal *r, *table, Sd = d == 2 ? 2 * PETSC_PI : 4 * PETSC_PI, inv_mass[VIT_MAX_TYPES];

  PetscFunctionBeginUser;
  if (!KernelTargetsFind(ds, kern)) {
    PetscCheck(!required, comm, PETSC_ERR_USER_INPUT, "-fit_prior kernel: %s has no target named omega2_mean or energy_per_atom (build them with -features_targets moments,energy_per_atom)", ds->path);
    PetscFunctionReturn(0);
  }
  PetscCall(KernelsPossible(comm, ds, required, &possible));
  if (!possible) {
    for (PetscInt k = 0; k < FIT_NKERNELS; k++) kern->target[k] = -1;
    PetscFunctionReturn(0);
  }
  for (PetscInt a = 0; a < ds->ntypes; a++) inv_mass[a] = ds->has_masses ? 1 / ds->type_mass[a] : 1;
  if (!ds->has_masses && kern->target[0] >= 0) PetscCall(PetscPrintf(comm, "fit: note: %s records no masses: the exact kernel of omega2_mean takes masses 1 (lj units; a dataset from vitrum features with -potential records them)\n", ds->path));
  PetscCall(PetscMalloc5(p, &group, p, &pa, p, &pb, p, &r, 3 * p, &table));
  PetscCall(VitFeatureGroups(p, ds->feature_names, group, r));
  VitFeatureSpeciesPairs(p, ds->feature_names, ds->ntypes, (const char(*)[VIT_NAME_LEN])ds->type_names, pa, pb, NULL, &bad);
  PetscCheck(bad < 0, comm, PETSC_ERR_USER_INPUT, "%s: feature '%s' is not a partial g_A-B of the species in /dataset/structure/type_names", ds->path, bad < 0 ? "" : ds->feature_names[bad]);
  PetscCall(PairTable(comm, ds, pa, pb, r, table));
  for (PetscInt k = 0; k < FIT_NKERNELS; k++)
    if (kern->target[k] >= 0) PetscCall(PetscMalloc1(p, &kern->K[k]));
  for (PetscInt i = 0; i < p; i++) {
    const PetscInt a = pa[i], b = pb[i];
    PetscReal      dr, cb, pair_mass;
    dr        = GroupSpacing(p, group, r, group[i]);
    pair_mass = (inv_mass[a] + inv_mass[b]) / 2;
    /* g_ab is normalised by the N_a (N_b - delta_ab) pairs of one sample (rdf.c), hence c_b - delta_ab/N */
    cb = ds->type_fraction[b] - (a == b && ds->natoms > 0 ? 1 / ds->natoms : 0);
    for (PetscInt k = 0; k < FIT_NKERNELS; k++)
      if (kern->K[k]) kern->K[k][i] = (a == b ? 1 : 2) * ds->type_fraction[a] * cb * ds->density * Sd * KernelWeight(k, d, r[i], table[i], table[p + i], table[2 * p + i]) * dr * (k == 0 ? pair_mass : 1);
  }
  PetscCall(PetscFree5(group, pa, pb, r, table));
  PetscFunctionReturn(0);
}

/* Prior from an HDF5 file with /model/W (t' x p'), /model/feature_names and /model/target_names
   (a model file): rows matched to the dataset's targets by name (a target the file lacks gets a
   zero prior), columns by feature name (every feature of the dataset must be in the file). */
static PetscErrorCode PriorFromFile(MPI_Comm comm, const char path[], const VitDataset *ds, PetscReal *W0)
{
  VitH5      h5;
  PetscInt   nw, pf, tf, *col;
  PetscReal *W;
  char     **fnames, **tnames;

  PetscFunctionBeginUser;
  PetscCall(VitH5OpenRead(comm, path, &h5));
  PetscCall(VitH5ReadStrings(&h5, "/model/feature_names", &pf, &fnames));
  PetscCall(VitH5ReadStrings(&h5, "/model/target_names", &tf, &tnames));
  PetscCall(VitH5ReadReal(&h5, "/model/W", &nw, &W));
  PetscCall(VitH5Close(&h5));
  PetscCheck(nw == pf * tf, comm, PETSC_ERR_USER_INPUT, "-fit_prior %s: /model/W has %" PetscInt_FMT " values, expected %" PetscInt_FMT " targets x %" PetscInt_FMT " features", path, nw, tf, pf);
  for (PetscInt k = 0; k < nw; k++) PetscCheck(PetscIsNormalReal(W[k]) || W[k] == 0, comm, PETSC_ERR_USER_INPUT, "-fit_prior %s: /model/W[%" PetscInt_FMT "][%" PetscInt_FMT "] (target '%s', feature '%s') is not a finite number", path, k / pf, k % pf, tnames[k / pf], fnames[k % pf]);
  PetscCall(PetscMalloc1(ds->p, &col));
  for (PetscInt i = 0; i < ds->p; i++) {
    for (col[i] = 0; col[i] < pf && strcmp(fnames[col[i]], ds->feature_names[i]); col[i]++) {}
    PetscCheck(col[i] < pf, comm, PETSC_ERR_USER_INPUT, "-fit_prior %s: has no weight for feature '%s' of %s (its /model/feature_names must include every feature of the dataset)", path, ds->feature_names[i], ds->path);
  }
  for (PetscInt j = 0; j < ds->t; j++) {
    PetscInt u;
    for (u = 0; u < tf && strcmp(tnames[u], ds->target_names[j]); u++) {}
    for (PetscInt i = 0; u < tf && i < ds->p; i++) W0[j * ds->p + i] = W[u * pf + col[i]];
  }
  PetscCall(PetscFree(col));
  PetscCall(PetscFree(W));
  PetscCall(VitStringsFree(pf, &fnames));
  PetscCall(VitStringsFree(tf, &tnames));
  PetscFunctionReturn(0);
}

/* -fit_prior auto (the default): the exact kernels wherever they exist (targets omega2_mean or
   energy_per_atom and a pair -potential, so FitKernelCompute made them), else no prior. Both are
   exact linear functionals of g(r) for a pair potential, so ridge towards them only has to learn the
   binning error; towards zero it must learn the whole kernel from n samples (docs/fit.md). */
static PetscErrorCode FitPriorResolve(MPI_Comm comm, const FitKernel *kern, FitOptions *o)
{
  PetscFunctionBeginUser;
  if (strcmp(o->prior, "auto")) PetscFunctionReturn(0);
  PetscCall(PetscStrcpy(o->prior, FitKernelFirst(kern) >= 0 ? "kernel" : "none"));
  for (PetscInt k = 0; k < FIT_NKERNELS; k++)
    if (kern->K[k]) PetscCall(PetscPrintf(comm, "fit: -fit_prior auto: %s shrinks towards its exact kernel of the pair potential (-fit_prior none: towards zero)\n", FitKernelTargets[k]));
  PetscFunctionReturn(0);
}

/* The prior W0 (-fit_prior) and the shifted targets Yfit = Y - X W0^T: ridge on them towards zero
   and W = W' + W0 minimises ||Y - X W^T - 1 b^T||^2 + lambda ||Gamma (W - W0)^T||^2. Dropped
   (constant) targets keep a zero prior. */
static PetscErrorCode FitPriorCreate(MPI_Comm comm, const FitOptions *o, const VitDataset *ds, const FitScaling *sc, const FitKernel *kern, FitPrior *prior)
{
  PetscInt   p = ds->p, t = ds->t;
  PetscReal *zero;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(t, &prior->has));
  prior->W0   = NULL;
  prior->Yfit = ds->Y;
  if (!strcmp(o->prior, "none")) PetscFunctionReturn(0);
  PetscCall(PetscCalloc1(t * p, &prior->W0));
  if (!strcmp(o->prior, "kernel")) {
    for (PetscInt k = 0; k < FIT_NKERNELS; k++)
      if (kern->K[k]) PetscCall(PetscArraycpy(prior->W0 + kern->target[k] * p, kern->K[k], p));
  } else PetscCall(PriorFromFile(comm, o->prior, ds, prior->W0));
  for (PetscInt j = 0; j < t; j++)
    for (PetscInt i = 0; i < p; i++) {
      if (sc->dropped[j]) prior->W0[j * p + i] = 0;
      prior->has[j] = (PetscBool)(prior->has[j] || prior->W0[j * p + i] != 0);
    }
  PetscCall(PetscCalloc1(t, &zero));
  PetscCall(PetscMalloc1(ds->nlocal * t + 1, &prior->Yfit));
  PetscCall(VitLinearPredict(ds->nlocal, p, t, ds->X, prior->W0, zero, prior->Yfit));
  for (PetscInt k = 0; k < ds->nlocal * t; k++) prior->Yfit[k] = ds->Y[k] - prior->Yfit[k];
  PetscCall(PetscFree(zero));
  PetscFunctionReturn(0);
}

static PetscErrorCode FitPriorDestroy(FitPrior *prior)
{
  PetscFunctionBeginUser;
  if (prior->W0) PetscCall(PetscFree(prior->Yfit));
  PetscCall(PetscFree(prior->W0));
  PetscCall(PetscFree(prior->has));
  PetscFunctionReturn(0);
}

/* ||W_j - W0_j|| / ||W0_j|| per target (NaN where the prior row is zero). */
static void PriorDistance(PetscInt t, PetscInt p, const PetscReal *W, const FitPrior *prior, PetscReal dist[])
{
  for (PetscInt j = 0; j < t; j++) {
    PetscReal dd = 0, ww = 0;
    for (PetscInt i = 0; prior->has[j] && i < p; i++) {
      PetscReal w0 = prior->W0[j * p + i];
      dd += (W[j * p + i] - w0) * (W[j * p + i] - w0);
      ww += w0 * w0;
    }
    dist[j] = prior->has[j] ? PetscSqrtReal(dd / ww) : NAN;
  }
}

/* /model/kernels/NAME/{K,correlation} for every target with an exact kernel, and the first of them
   also as /model/kernel/{K,correlation} with attribute target (the spelling of earlier versions). */
static PetscErrorCode FitKernelWrite(VitH5 *h5, PetscInt p, const FitKernel *kern)
{
  const PetscInt first = FitKernelFirst(kern);
  hsize_t dims[1] = {(hsize_t)p};
  char    path[128];

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < FIT_NKERNELS; k++) {
    if (!kern->K[k]) continue;
    PetscCall(PetscSNPrintf(path, sizeof(path), "/model/kernels/%s/K", FitKernelTargets[k]));
    PetscCall(VitH5WriteReal(h5, path, 1, dims, kern->K[k], "target/feature"));
    PetscCall(PetscSNPrintf(path, sizeof(path), "/model/kernels/%s/correlation", FitKernelTargets[k]));
    PetscCall(VitH5WriteScalar(h5, path, kern->correlation[k], "1"));
  }
  if (first < 0) PetscFunctionReturn(0);
  PetscCall(VitH5WriteReal(h5, "/model/kernel/K", 1, dims, kern->K[first], "target/feature"));
  PetscCall(VitH5WriteScalar(h5, "/model/kernel/correlation", kern->correlation[first], "1"));
  PetscCall(VitH5WriteAttrString(h5, "/model/kernel", "target", FitKernelTargets[first]));
  PetscFunctionReturn(0);
}

static PetscErrorCode FitWrite(MPI_Comm comm, const FitOptions *o, const VitDataset *ds, const FitInputs *in, const FitScaling *sc, const FitSplit *split, const FitPrior *prior, const FitResult *res)
{
  VitH5     h5;
  PetscInt  p = ds->p, t = ds->t, L = res->nlambda;
  hsize_t   d1[1], d2[2] = {(hsize_t)t, (hsize_t)p}, d3[3] = {(hsize_t)L, (hsize_t)t, (hsize_t)p};
  char      cv[64];
  const PetscReal *W = res->W_path + res->best * t * p, *b = res->b_path + res->best * t;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(vit_log.write, 0, 0, 0, 0));
  PetscCall(VitH5Create(comm, o->out, &h5));
  PetscCall(VitH5WriteReal(&h5, "/model/W", 2, d2, W, "target/feature"));
  d1[0] = (hsize_t)t;
  PetscCall(VitH5WriteReal(&h5, "/model/b", 1, d1, b, "target"));
  PetscCall(VitH5WriteReal(&h5, "/model/y_mean", 1, d1, sc->y_mean, "target"));
  PetscCall(VitH5WriteScalar(&h5, "/model/lambda", res->lambda[res->best], "target^2/feature^2 (centred, scaled)"));
  d1[0] = (hsize_t)L;
  PetscCall(VitH5WriteReal(&h5, "/model/lambda_path", 1, d1, res->lambda, "target^2/feature^2 (centred, scaled)"));
  PetscCall(VitH5WriteReal(&h5, "/model/cv_score", 1, d1, res->score, "target^2"));
  PetscCall(VitH5WriteReal(&h5, "/model/df_path", 1, d1, res->df, "1"));
  PetscCall(VitH5WriteReal(&h5, "/model/W_path", 3, d3, res->W_path, "target/feature"));
  d2[0] = (hsize_t)L;
  d2[1] = (hsize_t)t;
  PetscCall(VitH5WriteReal(&h5, "/model/b_path", 2, d2, res->b_path, "target"));
  d1[0] = (hsize_t)p;
  PetscCall(VitH5WriteReal(&h5, "/model/x_mean", 1, d1, sc->x_mean, "feature"));
  PetscCall(VitH5WriteReal(&h5, "/model/x_scale", 1, d1, sc->x_scale, "feature"));
  d1[0] = (hsize_t)ds->n;
  PetscCall(VitH5WriteInt(&h5, "/model/row_fold", 1, d1, split->row_fold, "1"));
  PetscCall(VitH5WriteStrings(&h5, "/model/feature_names", p, (const char *const *)ds->feature_names));
  PetscCall(VitH5WriteStrings(&h5, "/model/target_names", t, (const char *const *)ds->target_names));
  PetscCall(VitH5WriteScalar(&h5, "/model/feature_smooth", ds->feature_smooth, "length"));
  if (ds->atom_sigma > 0) PetscCall(VitH5WriteScalar(&h5, "/model/atom_sigma", ds->atom_sigma, "length")); /* a local (per-atom) model */
  if (ds->scattering.radiation) PetscCall(VitScatteringWrite(&h5, "/model/scattering", &ds->scattering)); /* predict weighs a sample's partials alike */
  if (ds->has_structure) { /* predict refuses a sample far outside (another unit system or material) */
    hsize_t two = 2;
    PetscCall(VitH5WriteScalar(&h5, "/model/dim", (PetscReal)ds->dim, "1"));
    if (ds->density_range[0] > 0) PetscCall(VitH5WriteReal(&h5, "/model/density_range", 1, &two, ds->density_range, ds->dim == 2 ? "1/length^2" : "1/length^3"));
  }
  if (ds->units_style[0]) PetscCall(VitH5WriteAttrString(&h5, "/model", "units_style", ds->units_style)); /* predict refuses samples in other units */
  PetscCall(FitInputsWrite(&h5, in)); /* predict never writes over a training sample, and checks the pairs dropped as constant */
  if (ds->rdf_dr > 0) { /* predict computes a sample's g(r) on this grid */
    PetscCall(VitH5WriteScalar(&h5, "/model/rdf_dr", ds->rdf_dr, "length"));
    PetscCall(VitH5WriteScalar(&h5, "/model/rdf_rmax", ds->rdf_rmax, "length"));
  }
  if (o->cv) PetscCall(PetscSNPrintf(cv, sizeof(cv), "%" PetscInt_FMT "-fold", o->cv));
  else PetscCall(PetscStrcpy(cv, "gcv"));
  PetscCall(VitH5WriteAttrString(&h5, "/model", "lambda_choice", o->lambda_set ? "given" : cv));
  PetscCall(VitH5WriteScalar(&h5, "/model/smooth_order", (PetscReal)o->smooth, "1"));
  PetscCall(VitH5WriteScalar(&h5, "/model/smooth_weight", o->smooth ? o->smooth_weight[res->weight] : 0.0, "1"));
  if (o->smooth && o->nsmooth_weight > 1) { /* the weights chosen from, and each one's best score */
    d1[0] = (hsize_t)o->nsmooth_weight;
    PetscCall(VitH5WriteReal(&h5, "/model/smooth_weights", 1, d1, o->smooth_weight, "1"));
    PetscCall(VitH5WriteReal(&h5, "/model/smooth_weight_scores", 1, d1, res->weight_score, "target^2"));
  }
  PetscCall(VitH5WriteScalar(&h5, "/model/lambda_index", (PetscReal)res->best, "index in /model/lambda_path"));
  d1[0] = (hsize_t)t;
  {
    PetscInt *dropped;
    PetscCall(PetscMalloc1(t, &dropped));
    for (PetscInt j = 0; j < t; j++) dropped[j] = sc->dropped[j];
    PetscCall(VitH5WriteInt(&h5, "/model/metrics/dropped", 1, d1, dropped, "1: constant over the training rows or negligible next to its group, not fitted (W = 0, b = its mean)"));
    PetscCall(PetscFree(dropped));
  }
  PetscCall(VitH5WriteAttrString(&h5, "/model", "prior", o->prior));
  if (prior->W0) {
    PetscCall(VitH5WriteReal(&h5, "/model/metrics/prior_distance", 1, d1, res->prior_distance, "1 (||W - W0|| / ||W0||, NaN: no prior)"));
    PetscCall(VitH5WriteReal(&h5, "/model/prior/W0", 2, (hsize_t[]){(hsize_t)t, (hsize_t)p}, prior->W0, "target/feature"));
  }
  PetscCall(FitMetricsWrite(&h5, "train", ds, &res->train));
  if (split->ntest) PetscCall(FitMetricsWrite(&h5, "test", ds, &res->test));
  PetscCall(FitShellAnalysisWrite(&h5, ds, W));
  PetscCall(FitKernelWrite(&h5, p, &res->kernel));
  PetscCall(VitH5Close(&h5));
  PetscCall(PetscLogEventEnd(vit_log.write, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Where the chosen lambda sits on the path: "i/L", or an end of the path. */
static void LambdaPosition(const FitOptions *o, const FitResult *res, char buf[], size_t len)
{
  if (o->lambda_set) snprintf(buf, len, "given");
  else if (res->nlambda > 1 && res->best == 0) snprintf(buf, len, "at lower end");
  else if (res->nlambda > 1 && res->best == res->nlambda - 1) snprintf(buf, len, "at upper end");
  else snprintf(buf, len, "%d/%d", (int)res->best + 1, (int)res->nlambda);
}

/* Whether the targets form vector groups ("D(omega=...)") besides other targets: then one R^2
   pooled over all of them would weigh targets of different units by their variance and hide a
   failing group behind a well-predicted one. */
static PetscBool SeveralTargetGroups(const VitDataset *ds, const FitScaling *sc)
{
  PetscInt first = -1;

  for (PetscInt j = 0; j < ds->t; j++) {
    if (sc->dropped[j]) continue;
    if (first < 0) first = j;
    else if (TargetGroupLength(ds->target_names[j]) != TargetGroupLength(ds->target_names[first]) || strncmp(ds->target_names[j], ds->target_names[first], TargetGroupLength(ds->target_names[first])) || !strchr(ds->target_names[j], '(')) return PETSC_TRUE;
  }
  return PETSC_FALSE;
}

/* One line per target group: R^2 pooled over the group's targets (1 - sum SSE / sum SST, its
   targets share a unit), its worst target and how many were scored. */
static PetscErrorCode GroupReport(MPI_Comm comm, const VitDataset *ds, const FitScaling *sc, const FitMetrics *m, const char which[])
{
  PetscFunctionBeginUser;
  for (PetscInt j = 0; j < ds->t; j++) {
    size_t    len = TargetGroupLength(ds->target_names[j]);
    PetscReal SSE = 0, SST = 0, worst = PETSC_MAX_REAL;
    PetscInt  count = 0, at = -1;
    PetscBool seen = PETSC_FALSE;
    for (PetscInt k = 0; k < j && !seen; k++) seen = (PetscBool)(TargetGroupLength(ds->target_names[k]) == len && !strncmp(ds->target_names[k], ds->target_names[j], len));
    if (seen) continue;
    for (PetscInt k = j; k < ds->t; k++) {
      if (sc->dropped[k] || TargetGroupLength(ds->target_names[k]) != len || strncmp(ds->target_names[k], ds->target_names[j], len)) continue;
      SSE += m->sse[k];
      SST += m->sst[k];
      count++;
      if (!PetscIsNanReal(m->r2[k]) && m->r2[k] < worst) worst = m->r2[k], at = k;
    }
    if (!count) continue;
    PetscCall(PetscPrintf(comm, "fit: %s R^2 of %.*s (%" PetscInt_FMT " target%s): ", which, (int)len, ds->target_names[j], count, count > 1 ? "s" : ""));
    if (SST > 0) PetscCall(PetscPrintf(comm, "pooled %.6f", (double)(1 - SSE / SST)));
    else PetscCall(PetscPrintf(comm, "undefined (the values do not vary)"));
    if (count > 1 && at >= 0) PetscCall(PetscPrintf(comm, ", worst %.6f (%s)", (double)worst, ds->target_names[at]));
    PetscCall(PetscPrintf(comm, "\n"));
  }
  PetscFunctionReturn(0);
}

/* Per-target table (R^2 train/test, RMSE test, lambda and its place on the path, distance to the
   prior), the pooled and the worst R^2 (per target group when there are several), and the
   warnings a user must not miss. */
static PetscErrorCode FitReport(MPI_Comm comm, const FitOptions *o, const VitDataset *ds, const FitSplit *split, const FitScaling *sc, const FitPrior *prior, const FitResult *res)
{
  const FitMetrics *m = split->ntest ? &res->test : &res->train;
  const char       *which = split->ntest ? "held-out" : "training (no held-out rows!)";
  char              where[32];
  const PetscBool   fitted = (PetscBool)(sc->ndropped < ds->t); /* else every target is constant: nothing to choose or score */

  PetscFunctionBeginUser;
  LambdaPosition(o, res, where, sizeof(where));
  PetscCall(PetscPrintf(comm, "fit: %" PetscInt_FMT " rows (%" PetscInt_FMT " training, %" PetscInt_FMT " held out), %" PetscInt_FMT " features, %" PetscInt_FMT " targets, prior %s\n", ds->n, split->ntrain, split->ntest, ds->p, ds->t, o->prior));
  if (fitted) PetscCall(PetscPrintf(comm, "fit: lambda = %.6g (%s over %" PetscInt_FMT " values, %s), score %.6g\n", (double)res->lambda[res->best], o->lambda_set ? "given" : (o->cv ? "K-fold CV" : "GCV"), res->nlambda, where, (double)res->score[res->best]));
  if (fitted && o->smooth && o->nsmooth_weight > 1) {
    PetscInt k = res->weight, last = o->nsmooth_weight - 1;
    PetscReal mu = o->smooth_weight[k];
    PetscCall(PetscPrintf(comm, "fit: smoothness weight mu = %.6g (chosen with lambda by %s over %" PetscInt_FMT " values %.6g to %.6g, %" PetscInt_FMT "/%" PetscInt_FMT "), score %.6g\n", (double)mu, o->cv ? "K-fold CV" : "GCV", o->nsmooth_weight, (double)o->smooth_weight[0], (double)o->smooth_weight[last], k + 1, o->nsmooth_weight, (double)res->weight_score[k]));
    /* auto's ends are deliberate: below mu = 1 lies plain ridge, which the penalty is there to replace;
       above 1e6 only the straight lines in r of each partial are left to the ridge term, and on
       targets without signal GCV picked such weights that failed on held-out samples (docs/fit.md) */
    if (!strcmp(o->smooth_weight_spec, "auto")) {
      if (k == last) PetscCall(PetscPrintf(comm, "fit: note: the smoothness weight sits at auto's upper end (%.6g); larger weights can be tried with a list, e.g. -fit_smooth_weight 1e5,1e6,1e7,1e8, at the risk described in docs/fit.md\n", (double)mu));
    } else if (k == 0 || k == last) PetscCall(PetscPrintf(comm, "fit: warning: the smoothness weight sits at the %s end of the values given (%.6g): the optimum may lie beyond it; give -fit_smooth_weight a list that extends past it\n", k ? "upper" : "lower", (double)mu));
  } else if (fitted && o->smooth) PetscCall(PetscPrintf(comm, "fit: smoothness weight mu = %s (given)\n", o->smooth_weight_spec));
  PetscCall(PetscPrintf(comm, "fit: %-24s %10s %10s %12s %10s %12s%s\n", "target", "R^2 train", "R^2 test", "RMSE test", "lambda", "path", prior->W0 ? "  |W-W0|/|W0|" : ""));
  for (PetscInt j = 0; j < ds->t; j++) {
    if (sc->dropped[j]) {
      PetscCall(PetscPrintf(comm, "fit: %-24s dropped: constant (%.6g) over the training rows or negligible next to its group, predicted as that value\n", ds->target_names[j], (double)sc->y_mean[j]));
      continue;
    }
    PetscCall(PetscPrintf(comm, "fit: %-24s %10.4f ", ds->target_names[j], (double)res->train.r2[j]));
    if (split->ntest) PetscCall(PetscPrintf(comm, "%10.4f %12.4g ", (double)res->test.r2[j], (double)res->test.rmse[j]));
    else PetscCall(PetscPrintf(comm, "%10s %12s ", "-", "-"));
    PetscCall(PetscPrintf(comm, "%10.3g %12s", (double)res->lambda[res->best], where));
    if (prior->W0 && prior->has[j]) PetscCall(PetscPrintf(comm, "  %12.4g", (double)res->prior_distance[j]));
    PetscCall(PetscPrintf(comm, "\n"));
  }
  if (SeveralTargetGroups(ds, sc)) {
    PetscCall(GroupReport(comm, ds, sc, m, which));
    if (m->worst >= 0) PetscCall(PetscPrintf(comm, "fit: %s R^2: worst %.6f (%s); not pooled over all targets (their groups have different units: the groups are above)\n", which, (double)m->r2_worst, ds->target_names[m->worst]));
  } else if (m->worst >= 0) PetscCall(PetscPrintf(comm, "fit: %s R^2: pooled %.6f (1 - sum SSE / sum SST over %" PetscInt_FMT " targets), worst %.6f (%s); RMSE %.6g MAE %.6g\n", which, (double)m->r2_all, ds->t - sc->ndropped, (double)m->r2_worst, ds->target_names[m->worst], (double)m->rmse_all, (double)m->mae_all));
  else if (sc->ndropped < ds->t) PetscCall(PetscPrintf(comm, "fit: %s R^2: undefined for every target (the %s values do not vary); RMSE %.6g MAE %.6g\n", which, which, (double)m->rmse_all, (double)m->mae_all));
  if (m->nflat && m->n > 1) PetscCall(PetscPrintf(comm, "fit: note: %" PetscInt_FMT " targets barely vary over the %s rows (sum of squares below 1e-6 of the largest in their group, e.g. VDOS bins beyond these samples' band edge): R^2 is undefined there (NaN, not in the worst); their errors are in the pooled R^2 and RMSE\n", m->nflat, which));
  if (!fitted) PetscCall(PetscPrintf(comm, "fit: note: every target (%" PetscInt_FMT ") is constant over the training rows: nothing was fitted (W = 0, each predicted as its value), so no lambda, score or kernel correlation is reported\n", ds->t));
  else if (sc->ndropped) PetscCall(PetscPrintf(comm, "fit: note: %" PetscInt_FMT " of %" PetscInt_FMT " targets are constant over the training rows (or vary less than 1e-9 of their group's largest spread, e.g. VDOS bins beyond the band edge) and were dropped from the fit and the scores\n", sc->ndropped, ds->t));
  if (fitted && !o->lambda_set && res->nlambda > 1 && (res->best == 0 || res->best == res->nlambda - 1))
    PetscCall(PetscPrintf(comm, "fit: warning: %s picked the %s end of the lambda path (%.6g): the optimum may lie beyond it; extend the path with -fit_lambda_%s\n", o->cv ? "K-fold CV" : "GCV", res->best ? "upper" : "lower", (double)res->lambda[res->best], res->best ? "max" : "min"));
  if (fitted && !o->lambda_set && res->nlambda > 1 && res->best == res->nlambda - 1 && prior->W0)
    PetscCall(PetscPrintf(comm, "fit: note: with a prior the upper end means the data hardly move the weights from it (|W-W0|/|W0| above)\n"));
  if (fitted && split->ntrain < ds->p && !o->smooth && !prior->W0)
    PetscCall(PetscPrintf(comm, "fit: warning: %" PetscInt_FMT " training rows for %" PetscInt_FMT " features and neither a smoothness penalty nor a prior: the weights are only determined within the span of the training rows (use -fit_smooth 2 or -fit_prior)\n", split->ntrain, ds->p));
  if (fitted && !split->ntest) PetscCall(PetscPrintf(comm, "fit: warning: no held-out rows (-fit_test_fraction 0): the R^2 above is on the training rows and says nothing about predictions\n"));
  if (fitted && split->ntest == 1) PetscCall(PetscPrintf(comm, "fit: warning: a single held-out row has no R^2 (it needs at least 2 rows to vary): read the RMSE, or hold out more samples (-fit_test_fraction, -fit_test_samples)\n"));
  else if (fitted && split->ntest_units && split->ntest_units < 10)
    PetscCall(PetscPrintf(comm, "fit: note: the held-out R^2 is over %" PetscInt_FMT " samples only, a noisy score: compare several splits (-fit_seed) or hold out more samples\n", split->ntest_units));
  for (PetscInt k = 0; k < FIT_NKERNELS; k++)
    if (res->kernel.K[k] && !sc->dropped[res->kernel.target[k]]) PetscCall(PetscPrintf(comm, "fit: correlation of the weights of %s with its exact kernel: %.6f\n", FitKernelTargets[k], (double)res->kernel.correlation[k]));
  PetscCall(PetscPrintf(comm, "fit: model written to %s\n", o->out));
  PetscFunctionReturn(0);
}

static PetscErrorCode FitRegisterEvents(void)
{
  const char *const    names[]  = {"VitFitTSQR", "VitFitPath", "VitFitCV", "VitFitMetrics"};
  PetscLogEvent *const events[] = {&FIT_TSQR, &FIT_PATH, &FIT_CV, &FIT_METRICS};

  PetscFunctionBeginUser;
  PetscCall(VitLogEventsRegister(4, names, events));
  PetscFunctionReturn(0);
}

PetscErrorCode VitCmdFit(void)
{
  MPI_Comm     comm = PETSC_COMM_WORLD;
  FitOptions   o;
  VitDataset   ds;
  FitInputs    in;
  FitSplit     split;
  FitScaling   sc;
  FitPrior     prior;
  FitResult    res;
  VitTriangle *Rfold, Rtrain;
  VitRidgePath path;
  VitPenalty   gamma;
  PetscReal   *yhat;
  const PetscReal *W;

  PetscFunctionBeginUser;
  PetscCall(FitOptionsRead(comm, &o));
  if (VitHelpRequested()) { /* the exact kernels evaluate -potential's pair potential */
    VitPotential pot;
    PetscCall(VitPotentialCreateFromOptions(comm, NULL, &pot));
    PetscCall(VitPotentialDestroy(&pot));
    PetscFunctionReturn(0);
  }
  PetscCall(FitOptionsCheck(comm, &o));
  PetscCall(FitRegisterEvents());
  PetscCall(PetscLogStagePush(vit_log.stage_fit));

  PetscCall(PetscLogEventBegin(vit_log.read, 0, 0, 0, 0));
  PetscCall(VitDatasetRead(comm, o.data, &ds));
  PetscCall(PetscLogEventEnd(vit_log.read, 0, 0, 0, 0));
  PetscCall(FitInputsRead(comm, &ds, &in));
  PetscCall(FitOutputNotSample(comm, &o, &ds, &in));
  PetscCall(FitSplitCreate(comm, &o, &ds, &split));
  PetscCall(FitWarnTwins(comm, &ds, &split));
  PetscCall(FitKernelCompute(comm, &ds, (PetscBool)!strcmp(o.prior, "kernel"), &res.kernel));
  PetscCall(FitPriorResolve(comm, &res.kernel, &o));
  PetscCall(DropConstantTargets(comm, &ds, &split, &sc));
  PetscCall(FitPriorCreate(comm, &o, &ds, &sc, &res.kernel, &prior));
  PetscCall(FitScalingCompute(comm, &o, &ds, &split, prior.Yfit, &sc));

  PetscCall(PetscLogEventBegin(FIT_TSQR, 0, 0, 0, 0));
  PetscCall(PetscMalloc1(split.nfolds, &Rfold));
  for (PetscInt f = 0; f < split.nfolds; f++) PetscCall(FoldFactor(comm, &ds, &split, &sc, prior.Yfit, f, &Rfold[f]));
  PetscCall(VitQRStack(split.nfolds, Rfold, &Rtrain));
  PetscCall(PetscLogEventEnd(FIT_TSQR, 0, 0, 0, 0));

  PetscCall(PetscLogEventBegin(FIT_PATH, 0, 0, 0, 0));
  PetscCall(FitChooseWeight(&o, &ds, &split, Rfold, &Rtrain, &gamma, &path, &res));
  PetscCall(FitSolutions(&ds, &sc, &prior, &path, &res));
  PetscCall(PetscLogEventEnd(FIT_PATH, 0, 0, 0, 0));

  PetscCall(PetscLogEventBegin(FIT_METRICS, 0, 0, 0, 0));
  W = res.W_path + res.best * ds.t * ds.p;
  PetscCall(PetscMalloc1(ds.nlocal * ds.t + 1, &yhat));
  PetscCall(VitLinearPredict(ds.nlocal, ds.p, ds.t, ds.X, W, res.b_path + res.best * ds.t, yhat));
  PetscCall(FitMetricsCompute(comm, &ds, &split, &sc, PETSC_FALSE, yhat, &res.train));
  PetscCall(FitMetricsCompute(comm, &ds, &split, &sc, PETSC_TRUE, yhat, &res.test));
  PetscCall(PetscFree(yhat));
  for (PetscInt k = 0; k < FIT_NKERNELS; k++) /* a dropped target has no fitted weights: NaN, not the 0 of W = 0 */
    if (res.kernel.K[k]) res.kernel.correlation[k] = sc.dropped[res.kernel.target[k]] ? NAN : Correlation(ds.p, W + res.kernel.target[k] * ds.p, res.kernel.K[k]);
  PetscCall(PetscMalloc1(ds.t, &res.prior_distance));
  PriorDistance(ds.t, ds.p, W, &prior, res.prior_distance);
  PetscCall(PetscLogEventEnd(FIT_METRICS, 0, 0, 0, 0));

  PetscCall(FitWrite(comm, &o, &ds, &in, &sc, &split, &prior, &res));
  PetscCall(FitReport(comm, &o, &ds, &split, &sc, &prior, &res));
  PetscCall(PetscLogStagePop());

  PetscCall(FitMetricsDestroy(&res.train));
  PetscCall(FitMetricsDestroy(&res.test));
  for (PetscInt k = 0; k < FIT_NKERNELS; k++) PetscCall(PetscFree(res.kernel.K[k]));
  PetscCall(PetscFree(res.prior_distance));
  PetscCall(PetscFree2(res.W_path, res.b_path));
  PetscCall(PetscFree3(res.lambda, res.score, res.df));
  PetscCall(VitRidgePathDestroy(&path));
  PetscCall(VitPenaltyDestroy(&gamma));
  for (PetscInt f = 0; f < split.nfolds; f++) PetscCall(VitTriangleDestroy(&Rfold[f]));
  PetscCall(PetscFree(Rfold));
  PetscCall(VitTriangleDestroy(&Rtrain));
  PetscCall(FitPriorDestroy(&prior));
  PetscCall(PetscFree3(sc.x_mean, sc.x_scale, sc.y_mean));
  PetscCall(PetscFree(sc.dropped));
  PetscCall(PetscFree(split.row_fold));
  PetscCall(FitInputsDestroy(&in));
  PetscCall(VitDatasetDestroy(&ds));
  PetscFunctionReturn(0);
}
