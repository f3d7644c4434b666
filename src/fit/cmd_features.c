/* vitrum features: one dataset (/dataset/X, Y, names) from an ensemble of samples. Features are
   partial g_ab(r) (optionally Gaussian-smoothed) or partial S(q) from each sample's rdf output;
   targets come from each sample's spectrum output. Per-sample outputs are cached next to the
   sample (or in -features_cache DIR) and recomputed only when older than the sample. */
#include <vitrum/commands.h>
#include <vitrum/fit.h>
#include <vitrum/spectrum.h>
#include <vitrum/structure.h>
#include <glob.h>
#include <libgen.h>
#include <sys/stat.h>

typedef struct {
  char      samples[PETSC_MAX_PATH_LEN], sample_list[PETSC_MAX_PATH_LEN], out[PETSC_MAX_PATH_LEN];
  char      cache[PETSC_MAX_PATH_LEN], kind[16], targets[1024];
  PetscReal smooth, xmin, xmax;
  PetscInt  ranks_per_sample;
  PetscBool drop_constant, recompute;
} FeatOptions;

/* A growing table of rows (row-major) with column names. */
typedef struct {
  PetscInt   nrows, ncols, capacity;
  PetscReal *data;
  char     **names;
} Table;

static PetscLogEvent FEAT_COMPUTE, FEAT_ASSEMBLE;

static PetscErrorCode FeatOptionsRead(MPI_Comm comm, FeatOptions *o)
{
  const char *kinds[] = {"rdf", "sq"};
  PetscInt    kind    = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(o, sizeof(*o)));
  PetscCall(PetscStrcpy(o->out, "dataset.h5"));
  PetscCall(PetscStrcpy(o->targets, "scalars"));
  o->xmax             = PETSC_MAX_REAL;
  o->ranks_per_sample = 1;
  o->drop_constant    = PETSC_TRUE;
  PetscOptionsBegin(comm, NULL, "vitrum features: dataset of structure features and spectral targets (docs/fit.md)", NULL);
  PetscCall(PetscOptionsString("-samples", "glob pattern of the sample files (quote it)", NULL, o->samples, o->samples, sizeof(o->samples), NULL));
  PetscCall(PetscOptionsString("-sample_list", "text file with one sample path per line", NULL, o->sample_list, o->sample_list, sizeof(o->sample_list), NULL));
  PetscCall(PetscOptionsString("-o", "output dataset file", NULL, o->out, o->out, sizeof(o->out), NULL));
  PetscCall(PetscOptionsString("-features_cache", "folder for the per-sample rdf/spectrum outputs (default: next to each sample)", NULL, o->cache, o->cache, sizeof(o->cache), NULL));
  PetscCall(PetscOptionsEList("-features_kind", "features: partial g(r) or partial S(q)", NULL, kinds, 2, kinds[0], &kind, NULL));
  PetscCall(PetscOptionsReal("-features_smooth", "Gaussian width sigma for smoothing g(r) (0: none)", NULL, o->smooth, &o->smooth, NULL));
  PetscCall(PetscOptionsReal("-features_rmin", "smallest r (or q) kept", NULL, o->xmin, &o->xmin, NULL));
  PetscCall(PetscOptionsReal("-features_rmax", "largest r (or q) kept", NULL, o->xmax, &o->xmax, NULL));
  PetscCall(PetscOptionsBool("-features_drop_constant", "drop features that are constant over all samples (e.g. g = 0 below contact)", NULL, o->drop_constant, &o->drop_constant, NULL));
  PetscCall(PetscOptionsString("-features_targets", "comma list: scalars, vdos, moments, NAME (a /spectrum/scalars entry), none", NULL, o->targets, o->targets, sizeof(o->targets), NULL));
  PetscCall(PetscOptionsInt("-ranks_per_sample", "ranks per sub-communicator computing one sample", NULL, o->ranks_per_sample, &o->ranks_per_sample, NULL));
  PetscCall(PetscOptionsBool("-features_recompute", "recompute the per-sample outputs even when cached", NULL, o->recompute, &o->recompute, NULL));
  PetscOptionsEnd();
  PetscCall(PetscStrcpy(o->kind, kinds[kind]));
  PetscFunctionReturn(0);
}

static PetscErrorCode TableAddRow(Table *tab, const PetscReal row[])
{
  PetscFunctionBeginUser;
  if (tab->nrows == tab->capacity) {
    PetscReal *grown;
    tab->capacity = PetscMax(16, 2 * tab->capacity);
    PetscCall(PetscMalloc1(tab->capacity * tab->ncols + 1, &grown));
    PetscCall(PetscArraycpy(grown, tab->data, tab->nrows * tab->ncols));
    PetscCall(PetscFree(tab->data));
    tab->data = grown;
  }
  PetscCall(PetscArraycpy(tab->data + tab->nrows * tab->ncols, row, tab->ncols));
  tab->nrows++;
  PetscFunctionReturn(0);
}

static PetscErrorCode TableDestroy(Table *tab)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(tab->data));
  PetscCall(VitStringsFree(tab->ncols, &tab->names));
  PetscFunctionReturn(0);
}

/* Sample paths from -samples GLOB (sorted) or -sample_list FILE; every rank reads them. */
static PetscErrorCode SampleListGet(MPI_Comm comm, const FeatOptions *o, PetscInt *n, char ***paths)
{
  PetscFunctionBeginUser;
  PetscCheck(o->samples[0] || o->sample_list[0], comm, PETSC_ERR_USER_INPUT, "features needs -samples 'GLOB' or -sample_list FILE");
  *n = 0;
  if (o->samples[0]) {
    glob_t g;
    int    err = glob(o->samples, 0, NULL, &g);
    PetscCheck(!err && g.gl_pathc > 0, comm, PETSC_ERR_USER_INPUT, "-samples '%s': no file matches", o->samples);
    PetscCall(PetscMalloc1(g.gl_pathc, paths));
    for (size_t i = 0; i < g.gl_pathc; i++) PetscCall(PetscStrallocpy(g.gl_pathv[i], &(*paths)[(*n)++]));
    globfree(&g);
  } else {
    FILE    *f = fopen(o->sample_list, "r");
    char     line[PETSC_MAX_PATH_LEN];
    PetscInt capacity = 0;
    PetscCheck(f, comm, PETSC_ERR_FILE_OPEN, "-sample_list %s: cannot open", o->sample_list);
    *paths = NULL;
    while (fgets(line, sizeof(line), f)) {
      char *s = line + strspn(line, " \t");
      s[strcspn(s, "\r\n")] = 0;
      if (!s[0] || s[0] == '#') continue;
      if (*n == capacity) {
        char **grown;
        capacity = PetscMax(16, 2 * capacity);
        PetscCall(PetscMalloc1(capacity, &grown));
        PetscCall(PetscArraycpy(grown, *paths, *n));
        PetscCall(PetscFree(*paths));
        *paths = grown;
      }
      PetscCall(PetscStrallocpy(s, &(*paths)[(*n)++]));
    }
    fclose(f);
    PetscCheck(*n > 0, comm, PETSC_ERR_USER_INPUT, "-sample_list %s: no sample paths in it", o->sample_list);
  }
  PetscFunctionReturn(0);
}

/* Cached output of a sample: DIR/basename(sample)SUFFIX, DIR = -features_cache or the sample's folder. */
static PetscErrorCode CachePath(const FeatOptions *o, const char sample[], const char suffix[], char path[])
{
  char copy1[PETSC_MAX_PATH_LEN], copy2[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(copy1, sample, sizeof(copy1)));
  PetscCall(PetscStrncpy(copy2, sample, sizeof(copy2)));
  PetscCall(PetscSNPrintf(path, PETSC_MAX_PATH_LEN, "%s/%s%s", o->cache[0] ? o->cache : dirname(copy1), basename(copy2), suffix));
  PetscFunctionReturn(0);
}

/* Whether the cached file is missing or older than the sample (decided on rank 0 of comm). */
static PetscErrorCode CacheStale(MPI_Comm comm, const FeatOptions *o, const char sample[], const char cached[], PetscBool *stale)
{
  PetscMPIInt rank;
  int         flag = 1;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    struct stat ss, sc;
    flag = o->recompute || stat(cached, &sc) || (!stat(sample, &ss) && sc.st_mtime < ss.st_mtime);
  }
  PetscCallMPI(MPI_Bcast(&flag, 1, MPI_INT, 0, comm));
  *stale = flag ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

static PetscBool WantsSpectrum(const FeatOptions *o)
{
  return (PetscBool)(strcmp(o->targets, "none") != 0);
}

/* Compute the missing or stale per-sample outputs: sample i goes to sub-communicator i % ngroups. */
static PetscErrorCode ComputeSamples(MPI_Comm comm, const FeatOptions *o, PetscInt n, char *const paths[])
{
  PetscMPIInt size, rank;
  PetscInt    ngroups, group, mine = 0, done = 0;
  MPI_Comm    sub;
  VitProgress progress;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCheck(o->ranks_per_sample >= 1 && o->ranks_per_sample <= size, comm, PETSC_ERR_USER_INPUT, "-ranks_per_sample %" PetscInt_FMT ": must be between 1 and the %d ranks", o->ranks_per_sample, (int)size);
  ngroups = size / o->ranks_per_sample;
  group   = PetscMin(rank / o->ranks_per_sample, ngroups - 1); /* leftover ranks join the last group */
  PetscCallMPI(MPI_Comm_split(comm, (int)group, rank, &sub));
  for (PetscInt i = group; i < n; i += ngroups) mine++;
  /* rank 0 belongs to group 0, which has the most samples: its progress bounds the ensemble's */
  PetscCall(VitProgressStart(&progress, ngroups > 1 ? "samples (group of rank 0)" : "samples", mine));
  for (PetscInt i = group; i < n; i += ngroups) {
    char      cached[PETSC_MAX_PATH_LEN];
    PetscBool stale;
    PetscCall(CachePath(o, paths[i], ".rdf.h5", cached));
    PetscCall(CacheStale(sub, o, paths[i], cached, &stale));
    if (stale) PetscCall(VitRdfRunSample(sub, paths[i], cached));
    if (WantsSpectrum(o)) {
      PetscCall(CachePath(o, paths[i], ".spectrum.h5", cached));
      PetscCall(CacheStale(sub, o, paths[i], cached, &stale));
      if (stale) PetscCall(VitSpectrumRunSample(sub, paths[i], cached));
    }
    done++;
    if (!rank) PetscCall(VitProgressUpdate(PETSC_COMM_SELF, &progress, done));
  }
  PetscCallMPI(MPI_Comm_free(&sub));
  PetscCallMPI(MPI_Barrier(comm));
  PetscFunctionReturn(0);
}

/* Feature row of one sample: the partial profiles (rows of /structure/rdf/g or /structure/sq/S_partial)
   on the grid points within [xmin, xmax]. The first sample fixes the grid and names; the others must match. */
static PetscErrorCode ReadFeatureRow(MPI_Comm comm, const FeatOptions *o, const char sample[], const char path[], Table *tab, PetscReal **row)
{
  VitH5       h5;
  PetscInt    nx, nprof, npairs, k = 0;
  PetscReal  *x, *prof;
  char      **pairs;
  PetscBool   sq = (PetscBool)!strcmp(o->kind, "sq"), exists;
  const char *xname = sq ? "/structure/sq/q" : "/structure/rdf/r", *pname = sq ? "/structure/sq/S_partial" : "/structure/rdf/g";

  PetscFunctionBeginUser;
  PetscCall(VitH5OpenRead(comm, path, &h5));
  PetscCall(VitH5Exists(&h5, pname, &exists));
  PetscCheck(exists, comm, PETSC_ERR_USER_INPUT, "%s (output of sample %s) has no %s%s", path, sample, pname, sq ? ": compute it with -sq" : "");
  PetscCall(VitH5ReadReal(&h5, xname, &nx, &x));
  PetscCall(VitH5ReadReal(&h5, pname, &nprof, &prof));
  PetscCall(VitH5ReadStrings(&h5, "/structure/rdf/pairs", &npairs, &pairs));
  PetscCall(VitH5Close(&h5));
  PetscCheck(nx > 0 && nprof == npairs * nx, comm, PETSC_ERR_USER_INPUT, "%s: %s has %" PetscInt_FMT " values, expected %" PetscInt_FMT " pairs x %" PetscInt_FMT " points", path, pname, nprof, npairs, nx);
  for (PetscInt a = 0; a < npairs; a++) PetscCall(VitGaussianSmooth(nx, x, sq ? 0 : o->smooth, prof + a * nx));
  if (!tab->names) { /* first sample: the columns */
    for (PetscInt i = 0; i < nx; i++) tab->ncols += x[i] >= o->xmin && x[i] <= o->xmax;
    tab->ncols *= npairs;
    PetscCheck(tab->ncols > 0, comm, PETSC_ERR_USER_INPUT, "%s: no grid point in [-features_rmin %g, -features_rmax %g]", path, (double)o->xmin, (double)o->xmax);
    PetscCall(PetscMalloc1(tab->ncols, &tab->names));
    for (PetscInt a = 0; a < npairs; a++)
      for (PetscInt i = 0; i < nx; i++) {
        char name[128];
        if (x[i] < o->xmin || x[i] > o->xmax) continue;
        PetscCall(PetscSNPrintf(name, sizeof(name), "%s_%s(%s=%.10g)", sq ? "S" : "g", pairs[a], sq ? "q" : "r", (double)x[i]));
        PetscCall(PetscStrallocpy(name, &tab->names[k++]));
      }
  }
  PetscCall(PetscMalloc1(tab->ncols, row));
  for (PetscInt a = 0; a < npairs; a++)
    for (PetscInt i = 0; i < nx; i++) {
      char expect[128];
      if (x[i] < o->xmin || x[i] > o->xmax) continue;
      PetscCall(PetscSNPrintf(expect, sizeof(expect), "%s_%s(%s=%.10g)", sq ? "S" : "g", pairs[a], sq ? "q" : "r", (double)x[i]));
      PetscCheck(k < tab->ncols && !strcmp(expect, tab->names[k]), comm, PETSC_ERR_USER_INPUT, "%s (sample %s): its pairs or grid differ from the first sample's (feature '%s' where '%s' was expected): use the same -rdf_rmax, -rdf_dr and species for all samples",
                 path, sample, expect, k < tab->ncols ? tab->names[k] : "(none)");
      (*row)[k++] = prof[a * nx + i];
    }
  PetscCheck(k == tab->ncols, comm, PETSC_ERR_USER_INPUT, "%s (sample %s): %" PetscInt_FMT " features, the first sample had %" PetscInt_FMT, path, sample, k, tab->ncols);
  PetscCall(PetscFree(x));
  PetscCall(PetscFree(prof));
  PetscCall(VitStringsFree(npairs, &pairs));
  PetscFunctionReturn(0);
}

/* Names of the datasets in /spectrum/scalars. */
static herr_t CollectName(hid_t group, const char *name, const H5L_info_t *info, void *ctx)
{
  Table *names = (Table *)ctx;
  if (names->ncols < names->capacity && !PetscStrallocpy(name, &names->names[names->ncols])) names->ncols++;
  return 0;
}

/* Append to (names, values) the targets of one token of -features_targets. */
static PetscErrorCode AddTargets(MPI_Comm comm, VitH5 *h5, const char token[], PetscInt *n, char ***names, PetscReal **values)
{
  PetscInt   nv = 0, nw;
  PetscReal *v = NULL, *w = NULL;
  char       dset[PETSC_MAX_PATH_LEN], buf[128];
  Table      found = {0, 0, 256, NULL, NULL};
  PetscBool  exists;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(found.capacity, &found.names));
  if (!strcmp(token, "vdos")) {
    PetscCall(VitH5ReadReal(h5, "/spectrum/vdos/omega", &nw, &w));
    PetscCall(VitH5ReadReal(h5, "/spectrum/vdos/D", &nv, &v));
    PetscCheck(nv == nw, comm, PETSC_ERR_USER_INPUT, "%s: /spectrum/vdos/D and omega differ in length", h5->path);
    for (PetscInt i = 0; i < nv; i++) {
      PetscCall(PetscSNPrintf(buf, sizeof(buf), "D(omega=%.10g)", (double)w[i]));
      PetscCall(PetscStrallocpy(buf, &found.names[found.ncols++]));
      if (found.ncols == found.capacity) break;
    }
    PetscCheck(nv <= found.capacity, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " VDOS bins, at most %" PetscInt_FMT " supported as targets", h5->path, nv, found.capacity);
  } else if (!strcmp(token, "moments")) {
    const char *mname[2] = {"omega2_mean", "omega4_mean"};
    PetscCall(VitH5ReadReal(h5, "/spectrum/moments", &nv, &v));
    nv = PetscMin(nv, 2);
    for (PetscInt i = 0; i < nv; i++) PetscCall(PetscStrallocpy(mname[i], &found.names[found.ncols++]));
  } else {
    PetscBool all = (PetscBool)!strcmp(token, "scalars");
    PetscCall(VitH5Exists(h5, "/spectrum/scalars", &exists));
    PetscCheck(exists, comm, PETSC_ERR_USER_INPUT, "%s: has no /spectrum/scalars (target '%s')", h5->path, token);
    if (all) H5Literate_by_name(h5->file, "/spectrum/scalars", H5_INDEX_NAME, H5_ITER_INC, NULL, CollectName, &found, H5P_DEFAULT);
    else PetscCall(PetscStrallocpy(token, &found.names[found.ncols++]));
    PetscCall(PetscMalloc1(found.ncols + 1, &v));
    for (PetscInt i = 0; i < found.ncols; i++) {
      PetscInt   one;
      PetscReal *value;
      PetscCall(PetscSNPrintf(dset, sizeof(dset), "/spectrum/scalars/%s", found.names[i]));
      PetscCall(VitH5Exists(h5, dset, &exists));
      PetscCheck(exists, comm, PETSC_ERR_USER_INPUT, "%s: has no %s (-features_targets %s)", h5->path, dset, token);
      PetscCall(VitH5ReadReal(h5, dset, &one, &value));
      PetscCheck(one == 1, comm, PETSC_ERR_USER_INPUT, "%s: %s is not a scalar", h5->path, dset);
      v[i] = value[0];
      PetscCall(PetscFree(value));
    }
    nv = found.ncols;
  }
  for (PetscInt i = 0; i < nv; i++) {
    PetscCall(PetscRealloc(sizeof(char *) * (*n + 1), names));
    PetscCall(PetscRealloc(sizeof(PetscReal) * (*n + 1), values));
    (*names)[*n]  = found.names[i];
    (*values)[*n] = v[i];
    (*n)++;
  }
  PetscCall(PetscFree(found.names));
  PetscCall(PetscFree(v));
  PetscCall(PetscFree(w));
  PetscFunctionReturn(0);
}

/* Target row of one sample from its spectrum output; the first sample fixes the names. */
static PetscErrorCode ReadTargetRow(MPI_Comm comm, const FeatOptions *o, const char sample[], const char path[], Table *tab, PetscReal **row)
{
  VitH5      h5;
  PetscInt   n = 0;
  char     **names = NULL, list[1024], *token, *save;

  PetscFunctionBeginUser;
  *row = NULL;
  PetscCall(VitH5OpenRead(comm, path, &h5));
  PetscCall(PetscStrncpy(list, o->targets, sizeof(list)));
  for (token = strtok_r(list, ",", &save); token; token = strtok_r(NULL, ",", &save)) PetscCall(AddTargets(comm, &h5, token, &n, &names, row));
  PetscCall(VitH5Close(&h5));
  if (!tab->names) {
    tab->ncols = n;
    tab->names = names;
    PetscCheck(n > 0, comm, PETSC_ERR_USER_INPUT, "%s: no targets found for -features_targets %s", path, o->targets);
    PetscFunctionReturn(0);
  }
  PetscCheck(n == tab->ncols, comm, PETSC_ERR_USER_INPUT, "%s (sample %s): %" PetscInt_FMT " targets, the first sample had %" PetscInt_FMT, path, sample, n, tab->ncols);
  for (PetscInt i = 0; i < n; i++) PetscCheck(!strcmp(names[i], tab->names[i]), comm, PETSC_ERR_USER_INPUT, "%s (sample %s): target %" PetscInt_FMT " is '%s', the first sample's is '%s'", path, sample, i, names[i], tab->names[i]);
  PetscCall(VitStringsFree(n, &names));
  PetscFunctionReturn(0);
}

/* Remove the columns that are the same in every row. */
static PetscErrorCode DropConstantColumns(Table *tab, PetscInt *dropped)
{
  PetscInt keep = 0;

  PetscFunctionBeginUser;
  for (PetscInt j = 0; j < tab->ncols; j++) {
    PetscBool constant = PETSC_TRUE;
    for (PetscInt i = 1; i < tab->nrows && constant; i++) constant = (PetscBool)(tab->data[i * tab->ncols + j] == tab->data[j]);
    if (constant && tab->nrows > 1) {
      PetscCall(PetscFree(tab->names[j]));
      continue;
    }
    for (PetscInt i = 0; i < tab->nrows; i++) tab->data[i * tab->ncols + keep] = tab->data[i * tab->ncols + j];
    tab->names[keep++] = tab->names[j];
  }
  /* compact the rows now that every row has `keep` leading values spaced by the old ncols */
  for (PetscInt i = 0; i < tab->nrows; i++) PetscCall(PetscArraymove(tab->data + i * keep, tab->data + i * tab->ncols, keep));
  *dropped   = tab->ncols - keep;
  tab->ncols = keep;
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteDataset(MPI_Comm comm, const FeatOptions *o, PetscInt n, char *const paths[], const Table *X, const Table *Y)
{
  VitH5   h5;
  hsize_t dims[2] = {(hsize_t)n, (hsize_t)X->ncols};

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(vit_log.write, 0, 0, 0, 0));
  PetscCall(VitH5Create(comm, o->out, &h5));
  PetscCall(VitH5WriteReal(&h5, "/dataset/X", 2, dims, X->data, strcmp(o->kind, "sq") ? "1 (g(r))" : "1 (S(q))"));
  dims[1] = (hsize_t)Y->ncols;
  PetscCall(VitH5WriteReal(&h5, "/dataset/Y", 2, dims, Y->data, "target"));
  PetscCall(VitH5WriteStrings(&h5, "/dataset/feature_names", X->ncols, (const char *const *)X->names));
  PetscCall(VitH5WriteStrings(&h5, "/dataset/target_names", Y->ncols, (const char *const *)Y->names));
  PetscCall(VitH5WriteStrings(&h5, "/dataset/sample_names", n, (const char *const *)paths));
  PetscCall(VitH5WriteScalar(&h5, "/dataset/feature_smooth", strcmp(o->kind, "sq") ? o->smooth : 0.0, "length"));
  PetscCall(VitH5WriteAttrString(&h5, "/dataset", "feature_kind", o->kind));
  PetscCall(VitH5Close(&h5));
  PetscCall(PetscLogEventEnd(vit_log.write, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode VitCmdFeatures(void)
{
  MPI_Comm    comm = PETSC_COMM_WORLD;
  FeatOptions o;
  PetscInt    n, dropped = 0;
  char      **paths;
  Table       X = {0}, Y = {0};

  PetscFunctionBeginUser;
  PetscCall(FeatOptionsRead(comm, &o));
  if (VitHelpRequested()) PetscFunctionReturn(0);
  PetscCheck(o.smooth >= 0, comm, PETSC_ERR_USER_INPUT, "-features_smooth %g: must be >= 0", (double)o.smooth);
  PetscCall(PetscLogEventRegister("VitFeatCompute", vit_log.classid, &FEAT_COMPUTE));
  PetscCall(PetscLogEventRegister("VitFeatAssemble", vit_log.classid, &FEAT_ASSEMBLE));
  PetscCall(SampleListGet(comm, &o, &n, &paths));
  PetscCall(PetscPrintf(comm, "features: %" PetscInt_FMT " samples, %s features, targets %s\n", n, o.kind, o.targets));

  PetscCall(PetscLogEventBegin(FEAT_COMPUTE, 0, 0, 0, 0));
  PetscCall(ComputeSamples(comm, &o, n, paths));
  PetscCall(PetscLogEventEnd(FEAT_COMPUTE, 0, 0, 0, 0));

  /* Every rank reads the (small) per-sample outputs, so errors are raised on all ranks alike. */
  PetscCall(PetscLogEventBegin(FEAT_ASSEMBLE, 0, 0, 0, 0));
  for (PetscInt i = 0; i < n; i++) {
    char       cached[PETSC_MAX_PATH_LEN];
    PetscReal *row;
    PetscCall(CachePath(&o, paths[i], ".rdf.h5", cached));
    PetscCall(ReadFeatureRow(comm, &o, paths[i], cached, &X, &row));
    PetscCall(TableAddRow(&X, row));
    PetscCall(PetscFree(row));
    if (!WantsSpectrum(&o)) continue;
    PetscCall(CachePath(&o, paths[i], ".spectrum.h5", cached));
    PetscCall(ReadTargetRow(comm, &o, paths[i], cached, &Y, &row));
    PetscCall(TableAddRow(&Y, row));
    PetscCall(PetscFree(row));
  }
  if (o.drop_constant) PetscCall(DropConstantColumns(&X, &dropped));
  PetscCall(PetscLogEventEnd(FEAT_ASSEMBLE, 0, 0, 0, 0));
  PetscCheck(X.ncols > 0, comm, PETSC_ERR_USER_INPUT, "features: every feature is constant over the %" PetscInt_FMT " samples", n);
  PetscCall(WriteDataset(comm, &o, n, paths, &X, &Y));
  PetscCall(PetscPrintf(comm, "features: %" PetscInt_FMT " samples x %" PetscInt_FMT " features (%" PetscInt_FMT " constant ones dropped), %" PetscInt_FMT " targets: wrote %s\n", n, X.ncols, dropped, Y.ncols, o.out));
  PetscCall(TableDestroy(&X));
  PetscCall(TableDestroy(&Y));
  PetscCall(VitStringsFree(n, &paths));
  PetscFunctionReturn(0);
}
