/* vitrum predict: apply a fitted model y = W x + b to samples (their g(r) or S(q) computed or
   taken from the cached rdf output) or to measured profiles given as text columns or HDF5,
   interpolated onto the model's grid. */
#include <vitrum/commands.h>
#include <vitrum/fit.h>
#include <vitrum/h5io.h>
#include <vitrum/structure.h>

#define MAX_INPUTS 256

typedef struct {
  char     model[PETSC_MAX_PATH_LEN], out[PETSC_MAX_PATH_LEN];
  char    *sample[MAX_INPUTS], *rdf[MAX_INPUTS];
  PetscInt nsample, nrdf;
} PredictOptions;

typedef struct {
  PetscInt   p, t, ngroups;
  PetscReal *W, *b, smooth;
  PetscReal *x;            /* r (or q) of every feature */
  PetscInt  *group;        /* profile of every feature */
  char     **group_names;  /* "g_A-B", ... (ngroups) */
  char     **feature_names, **target_names;
} Model;

/* Profiles read from one input: nprof columns on the grid x; names ("g_A-B") when known. */
typedef struct {
  PetscInt   nx, nprof;
  PetscReal *x, *g; /* g: nprof x nx */
  char     **names; /* NULL for text columns (matched by position) */
} Profiles;

static PetscErrorCode PredictOptionsRead(MPI_Comm comm, PredictOptions *o)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(o, sizeof(*o)));
  o->nsample = o->nrdf = MAX_INPUTS;
  PetscOptionsBegin(comm, NULL, "vitrum predict: apply a fitted model to samples or measured profiles (docs/fit.md)", NULL);
  PetscCall(PetscOptionsString("-model", "model file written by vitrum fit", NULL, o->model, o->model, sizeof(o->model), NULL));
  PetscCall(PetscOptionsStringArray("-sample", "sample file(s), comma separated: g(r)/S(q) computed with the -rdf_* options (or cached SAMPLE.rdf.h5)", NULL, o->sample, &o->nsample, NULL));
  PetscCall(PetscOptionsStringArray("-rdf", "measured profile(s): text columns 'r g_1 g_2 ...' or an HDF5 rdf output", NULL, o->rdf, &o->nrdf, NULL));
  PetscCall(PetscOptionsString("-o", "also write the predictions to this HDF5 file", NULL, o->out, o->out, sizeof(o->out), NULL));
  PetscOptionsEnd();
  PetscFunctionReturn(0);
}

static PetscErrorCode ModelRead(MPI_Comm comm, const char path[], Model *m)
{
  VitH5     h5;
  PetscInt  nw, nb, one;
  PetscBool exists;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(m, sizeof(*m)));
  PetscCall(VitH5OpenRead(comm, path, &h5));
  PetscCall(VitH5ReadStrings(&h5, "/model/feature_names", &m->p, &m->feature_names));
  PetscCall(VitH5ReadStrings(&h5, "/model/target_names", &m->t, &m->target_names));
  PetscCall(VitH5ReadReal(&h5, "/model/W", &nw, &m->W));
  PetscCall(VitH5ReadReal(&h5, "/model/b", &nb, &m->b));
  PetscCheck(nw == m->p * m->t && nb == m->t, comm, PETSC_ERR_USER_INPUT, "%s: /model/W has %" PetscInt_FMT " values and /model/b %" PetscInt_FMT ", expected %" PetscInt_FMT " x %" PetscInt_FMT " and %" PetscInt_FMT, path, nw, nb, m->t, m->p, m->t);
  PetscCall(VitH5Exists(&h5, "/model/feature_smooth", &exists));
  if (exists) {
    PetscReal *s;
    PetscCall(VitH5ReadReal(&h5, "/model/feature_smooth", &one, &s));
    m->smooth = s[0];
    PetscCall(PetscFree(s));
  }
  PetscCall(VitH5Close(&h5));
  PetscCall(PetscMalloc2(m->p, &m->x, m->p, &m->group));
  PetscCall(VitFeatureGroups(m->p, m->feature_names, m->group, m->x));
  m->ngroups = m->group[m->p - 1] + 1;
  PetscCall(PetscMalloc1(m->ngroups, &m->group_names));
  for (PetscInt i = 0; i < m->p; i++) {
    char      name[256];
    PetscReal x;
    if (i && m->group[i] == m->group[i - 1]) continue;
    VitFeatureNameParse(m->feature_names[i], name, sizeof(name), &x, i);
    PetscCall(PetscStrallocpy(name, &m->group_names[m->group[i]]));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ModelDestroy(Model *m)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(m->W));
  PetscCall(PetscFree(m->b));
  PetscCall(PetscFree2(m->x, m->group));
  PetscCall(VitStringsFree(m->ngroups, &m->group_names));
  PetscCall(VitStringsFree(m->p, &m->feature_names));
  PetscCall(VitStringsFree(m->t, &m->target_names));
  PetscFunctionReturn(0);
}

/* An rdf output file: g_ab(r) (model features "g_...") or S_ab(q) ("S_..."). */
static PetscErrorCode ProfilesFromH5(MPI_Comm comm, const char path[], const Model *m, Profiles *pr)
{
  VitH5       h5;
  PetscInt    ng, npairs;
  char      **pairs;
  PetscBool   sq = (PetscBool)(m->group_names[0][0] == 'S');
  const char *xname = sq ? "/structure/sq/q" : "/structure/rdf/r", *gname = sq ? "/structure/sq/S_partial" : "/structure/rdf/g";

  PetscFunctionBeginUser;
  PetscCall(VitH5OpenRead(comm, path, &h5));
  PetscCall(VitH5ReadReal(&h5, xname, &pr->nx, &pr->x));
  PetscCall(VitH5ReadReal(&h5, gname, &ng, &pr->g));
  PetscCall(VitH5ReadStrings(&h5, "/structure/rdf/pairs", &npairs, &pairs));
  PetscCall(VitH5Close(&h5));
  PetscCheck(ng == npairs * pr->nx, comm, PETSC_ERR_USER_INPUT, "%s: %s has %" PetscInt_FMT " values, expected %" PetscInt_FMT " pairs x %" PetscInt_FMT, path, gname, ng, npairs, pr->nx);
  pr->nprof = npairs;
  PetscCall(PetscMalloc1(npairs, &pr->names));
  for (PetscInt a = 0; a < npairs; a++) {
    char name[256];
    PetscCall(PetscSNPrintf(name, sizeof(name), "%s_%s", sq ? "S" : "g", pairs[a]));
    PetscCall(PetscStrallocpy(name, &pr->names[a]));
  }
  PetscCall(VitStringsFree(npairs, &pairs));
  PetscFunctionReturn(0);
}

/* Text columns "x g_1 ... g_k" ('#' comments), every rank reads them. */
static PetscErrorCode ProfilesFromText(MPI_Comm comm, const char path[], Profiles *pr)
{
  FILE      *f = fopen(path, "r");
  char       line[8192];
  PetscInt   ncols = -1, nrows = 0, capacity = 0, lineno = 0;
  PetscReal *rows = NULL;

  PetscFunctionBeginUser;
  PetscCheck(f, comm, PETSC_ERR_FILE_OPEN, "-rdf %s: cannot open", path);
  while (fgets(line, sizeof(line), f)) {
    PetscReal v[64];
    PetscInt  k = 0;
    char     *s = line, *end;
    lineno++;
    if (line[strspn(line, " \t")] == '#' || line[strspn(line, " \t\r\n")] == 0) continue;
    for (;;) {
      PetscReal value = strtod(s, &end);
      if (end == s) break;
      PetscCheck(k < 64, comm, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT ": more than 64 columns", path, lineno);
      v[k++] = value;
      s      = end;
    }
    PetscCheck(s[strspn(s, " \t\r\n,")] == 0, comm, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT ": not a number: '%.20s'", path, lineno, s + strspn(s, " \t"));
    if (ncols < 0) ncols = k;
    PetscCheck(k == ncols && k >= 2, comm, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT ": %" PetscInt_FMT " columns, expected %" PetscInt_FMT " (r and one column per partial)", path, lineno, k, PetscMax(ncols, 2));
    if (nrows == capacity) {
      capacity = PetscMax(64, 2 * capacity);
      PetscCall(PetscRealloc(sizeof(PetscReal) * capacity * ncols, &rows));
    }
    PetscCall(PetscArraycpy(rows + nrows * ncols, v, ncols));
    PetscCheck(!nrows || v[0] > rows[(nrows - 1) * ncols], comm, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT ": r = %g is not above the previous line's", path, lineno, (double)v[0]);
    nrows++;
  }
  fclose(f);
  PetscCheck(nrows >= 2, comm, PETSC_ERR_USER_INPUT, "%s: fewer than 2 data lines", path);
  pr->nx    = nrows;
  pr->nprof = ncols - 1;
  pr->names = NULL;
  PetscCall(PetscMalloc2(nrows, &pr->x, nrows * pr->nprof, &pr->g));
  for (PetscInt i = 0; i < nrows; i++) {
    pr->x[i] = rows[i * ncols];
    for (PetscInt a = 0; a < pr->nprof; a++) pr->g[a * nrows + i] = rows[i * ncols + 1 + a];
  }
  PetscCall(PetscFree(rows));
  PetscFunctionReturn(0);
}

static PetscErrorCode ProfilesDestroy(Profiles *pr)
{
  PetscFunctionBeginUser;
  if (pr->names) {
    PetscCall(VitStringsFree(pr->nprof, &pr->names));
    PetscCall(PetscFree(pr->x));
    PetscCall(PetscFree(pr->g));
  } else PetscCall(PetscFree2(pr->x, pr->g));
  PetscFunctionReturn(0);
}

/* The model's feature vector from the profiles: match each model profile (by name, or by column
   for text input), smooth as the training features were, interpolate onto the model's grid. */
static PetscErrorCode FeatureVector(MPI_Comm comm, const char source[], const Model *m, const Profiles *pr, PetscReal f[])
{
  PetscReal *g, *xi, *gi;

  PetscFunctionBeginUser;
  PetscCheck(pr->names || pr->nprof == m->ngroups, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " profile columns, but the model uses %" PetscInt_FMT " partials (%s%s): give r and one column per partial, in the model's order", source, pr->nprof, m->ngroups, m->group_names[0], m->ngroups > 1 ? ", ..." : "");
  PetscCall(PetscMalloc3(pr->nx, &g, m->p, &xi, m->p, &gi));
  for (PetscInt c = 0; c < m->ngroups; c++) {
    PetscInt  a = c, ni = 0, first = -1;
    PetscBool covered;
    if (pr->names)
      for (a = 0; a < pr->nprof && strcmp(pr->names[a], m->group_names[c]); a++) {}
    PetscCheck(a < pr->nprof, comm, PETSC_ERR_USER_INPUT, "%s: has no profile %s that the model uses", source, m->group_names[c]);
    PetscCall(PetscArraycpy(g, pr->g + a * pr->nx, pr->nx));
    if (m->group_names[c][0] != 'S') PetscCall(VitGaussianSmooth(pr->nx, pr->x, m->smooth, g));
    for (PetscInt i = 0; i < m->p; i++)
      if (m->group[i] == c) {
        if (first < 0) first = i;
        xi[ni++] = m->x[i];
      }
    VitInterpolate(pr->nx, pr->x, g, ni, xi, gi, &covered);
    PetscCheck(covered, comm, PETSC_ERR_USER_INPUT, "%s: the measured range [%g, %g] does not cover the model's %s range [%g, %g]", source, (double)pr->x[0], (double)pr->x[pr->nx - 1], m->group_names[c], (double)xi[0], (double)xi[ni - 1]);
    PetscCall(PetscArraycpy(f + first, gi, ni));
  }
  PetscCall(PetscFree3(g, xi, gi));
  PetscFunctionReturn(0);
}

static PetscBool IsHDF5(const char path[])
{
  const char *dot = strrchr(path, '.');
  return (PetscBool)(dot && (!strcmp(dot, ".h5") || !strcmp(dot, ".hdf5")));
}

/* Profiles of input k: samples first (rdf computed unless SAMPLE.rdf.h5 exists), then -rdf files. */
static PetscErrorCode InputProfiles(MPI_Comm comm, const PredictOptions *o, const Model *m, PetscInt k, const char **source, Profiles *pr)
{
  PetscFunctionBeginUser;
  if (k < o->nsample) {
    char      cached[PETSC_MAX_PATH_LEN];
    PetscBool exists;
    PetscCall(PetscSNPrintf(cached, sizeof(cached), "%s.rdf.h5", o->sample[k]));
    PetscCall(PetscTestFile(cached, 'r', &exists));
    if (!exists) PetscCall(VitRdfRunSample(comm, o->sample[k], cached));
    PetscCall(ProfilesFromH5(comm, cached, m, pr));
    *source = o->sample[k];
  } else {
    *source = o->rdf[k - o->nsample];
    if (IsHDF5(*source)) PetscCall(ProfilesFromH5(comm, *source, m, pr));
    else PetscCall(ProfilesFromText(comm, *source, pr));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode PredictWrite(MPI_Comm comm, const PredictOptions *o, const Model *m, PetscInt n, const char *sources[], const PetscReal *Y)
{
  VitH5   h5;
  hsize_t dims[2] = {(hsize_t)n, (hsize_t)m->t};

  PetscFunctionBeginUser;
  PetscCall(VitH5Create(comm, o->out, &h5));
  PetscCall(VitH5WriteReal(&h5, "/prediction/Y", 2, dims, Y, "target"));
  PetscCall(VitH5WriteStrings(&h5, "/prediction/target_names", m->t, (const char *const *)m->target_names));
  PetscCall(VitH5WriteStrings(&h5, "/prediction/inputs", n, sources));
  PetscCall(VitH5WriteAttrString(&h5, "/prediction", "model", o->model));
  PetscCall(VitH5Close(&h5));
  PetscFunctionReturn(0);
}

PetscErrorCode VitCmdPredict(void)
{
  MPI_Comm       comm = PETSC_COMM_WORLD;
  PredictOptions o;
  Model          m;
  PetscInt       n;
  PetscReal     *f, *Y;
  const char    *sources[2 * MAX_INPUTS];

  PetscFunctionBeginUser;
  PetscCall(PredictOptionsRead(comm, &o));
  if (VitHelpRequested()) PetscFunctionReturn(0);
  PetscCheck(o.model[0], comm, PETSC_ERR_USER_INPUT, "predict needs -model MODEL.h5 (from vitrum fit)");
  n = o.nsample + o.nrdf;
  PetscCheck(n > 0, comm, PETSC_ERR_USER_INPUT, "predict needs -sample FILE or -rdf FILE (comma lists allowed)");
  if (o.out[0]) PetscCall(VitOutputCheck(comm, "-o", o.out, 0, NULL));
  PetscCall(ModelRead(comm, o.model, &m));
  PetscCall(PetscMalloc2(m.p, &f, n * m.t, &Y));
  for (PetscInt k = 0; k < n; k++) {
    Profiles pr;
    PetscCall(InputProfiles(comm, &o, &m, k, &sources[k], &pr));
    PetscCall(FeatureVector(comm, sources[k], &m, &pr, f));
    PetscCall(VitLinearPredict(1, m.p, m.t, f, m.W, m.b, Y + k * m.t));
    PetscCall(ProfilesDestroy(&pr));
  }
  PetscCall(PetscPrintf(comm, "# predictions of %s\n# input", o.model));
  for (PetscInt j = 0; j < m.t; j++) PetscCall(PetscPrintf(comm, " %s", m.target_names[j]));
  for (PetscInt k = 0; k < n; k++) {
    PetscCall(PetscPrintf(comm, "\n%s", sources[k]));
    for (PetscInt j = 0; j < m.t; j++) PetscCall(PetscPrintf(comm, " %.10g", (double)Y[k * m.t + j]));
  }
  PetscCall(PetscPrintf(comm, "\n"));
  if (o.out[0]) PetscCall(PredictWrite(comm, &o, &m, n, sources, Y));
  PetscCall(PetscFree2(f, Y));
  PetscCall(ModelDestroy(&m));
  for (PetscInt k = 0; k < o.nsample; k++) PetscCall(PetscFree(o.sample[k]));
  for (PetscInt k = 0; k < o.nrdf; k++) PetscCall(PetscFree(o.rdf[k]));
  PetscFunctionReturn(0);
}
