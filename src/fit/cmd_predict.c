/* vitrum predict: apply a fitted model y = W x + b to samples (their g(r) or S(q) computed on the
   model's grid, or taken from features' cache when up to date) or to measured profiles given as
   text columns or HDF5, on the model's grid (or re-binned onto it with -predict_regrid). */
#include <vitrum/commands.h>
#include <vitrum/h5io.h>
#include <vitrum/structure.h>
#include <unistd.h>
#include "features.h"

typedef struct {
  char      model[PETSC_MAX_PATH_LEN], out[PETSC_MAX_PATH_LEN], cache[PETSC_MAX_PATH_LEN];
  char      samples[PETSC_MAX_PATH_LEN], sample_list[PETSC_MAX_PATH_LEN];
  char    **sample, **rdf; /* every input: -sample's list, then -samples or -sample_list; -rdf's list */
  PetscInt  nsample, nrdf;
  PetscBool regrid;
} PredictOptions;

typedef struct {
  char       path[PETSC_MAX_PATH_LEN];
  PetscInt   p, t, ngroups;
  PetscReal *W, *b, smooth;
  PetscReal  rdf_dr, rdf_rmax; /* grid of the training rdf outputs (0: unknown, older model files) */
  PetscReal  atom_sigma;       /* > 0: a local model, rows were atoms (features -features_per_atom) */
  PetscReal *x;            /* r (or q) of every feature */
  PetscInt  *group;        /* profile of every feature */
  char     **group_names;  /* "g_A-B", ... (ngroups) */
  char     **feature_names, **target_names;
  VitScattering scattering; /* a model of a weighted total (radiation NONE: of the partials) */
  PetscInt   dim;              /* of the training samples (0: unknown, older model files) */
  PetscReal  density_range[2]; /* their smallest and largest number density (0: unknown) */
  char      *units_style;      /* their unit style (NULL: unknown, older model files) */
  PetscInt   nsamples;         /* /model/training_samples (0: none recorded, older model files) */
  char     **samples;
  PetscInt   nconstant;        /* /model/constant_feature_{names,values}: features dropped as constant */
  char     **constant_names;
  PetscReal *constant_values, *constant_x;
  PetscInt   nflat;            /* pairs with every bin dropped as constant (no model profile): */
  char     **flat_names;       /* "g_B-B", ... */
  PetscInt  *flat_first, *flat_count; /* their bins in constant_* */
} Model;

/* Profiles read from one input: nprof columns on the grid x; names ("g_A-B") when known. */
typedef struct {
  PetscInt   nx, nprof;
  PetscReal *x, *g; /* g: nprof x nx */
  char     **names; /* NULL for text columns (matched by position) */
} Profiles;

/* The inputs: the lists of -sample and -rdf (arrays sized by the number of values given, so none is
   dropped), then the samples of -samples or -sample_list appended to -sample's. */
static PetscErrorCode PredictOptionsRead(MPI_Comm comm, PredictOptions *o)
{
  PetscInt  nlisted = 0;
  char    **listed  = NULL;
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(o, sizeof(*o)));
  PetscCall(VitOptionsListLength("-sample", &o->nsample));
  PetscCall(VitOptionsListLength("-rdf", &o->nrdf));
  o->nsample = PetscMax(o->nsample, 1);
  o->nrdf    = PetscMax(o->nrdf, 1);
  PetscCall(PetscCalloc1(o->nsample, &o->sample));
  PetscCall(PetscCalloc1(o->nrdf, &o->rdf));
  PetscOptionsBegin(comm, NULL, "vitrum predict: apply a fitted model to samples or measured profiles (docs/fit.md)", NULL);
  PetscCall(VitOptionsString("-model", "model file written by vitrum fit", NULL, o->model, o->model, sizeof(o->model), NULL));
  PetscCall(PetscOptionsStringArray("-sample", "sample file(s), comma separated: g(r)/S(q) computed with the -rdf_* options below (or its cached rdf output), on the model's r grid: the model's /model/rdf_dr and /model/rdf_rmax replace any -rdf_dr and -rdf_rmax given (with a note)", NULL, o->sample, &o->nsample, &set));
  if (!set) o->nsample = 0;
  PetscCall(VitOptionsString("-samples", "more sample files: glob pattern(s) or file names (several may follow -samples), as for vitrum features", NULL, o->samples, o->samples, sizeof(o->samples), NULL));
  PetscCall(VitOptionsString("-sample_list", "more sample files: a text file with one path per line (relative to the current folder), as for vitrum features", NULL, o->sample_list, o->sample_list, sizeof(o->sample_list), NULL));
  PetscCall(PetscOptionsStringArray("-rdf", "measured profile(s): text columns 'r g_1 g_2 ...' (in the model's order, or in any order under a header line '# r 1-2 2-2 1-1') or an HDF5 rdf output", NULL, o->rdf, &o->nrdf, &set));
  if (!set) o->nrdf = 0;
  PetscCall(VitOptionsString("-o", "also write the predictions to this HDF5 file (not an input, nor a training sample of the model)", NULL, o->out, o->out, sizeof(o->out), NULL));
  PetscCall(VitOptionsString("-features_cache", "folder of the per-sample rdf outputs, as for vitrum features (default: an up-to-date entry in " VIT_FEATURES_CACHE_DEFAULT " of the current folder is read, nothing is written)", NULL, o->cache, o->cache, sizeof(o->cache), NULL));
  PetscCall(PetscOptionsBool("-predict_regrid", "re-bin -rdf g(r) profiles whose grid differs from the model's (average over each model bin weighted by shell volume; not S(q); else such a profile is an error)", NULL, o->regrid, &o->regrid, NULL));
  PetscOptionsEnd();
  if (VitHelpRequested()) PetscFunctionReturn(0);
  PetscCall(VitSamplePathsGet(comm, o->samples, o->sample_list, &nlisted, &listed));
  PetscCall(PetscRealloc(sizeof(char *) * (o->nsample + nlisted + 1), &o->sample));
  for (PetscInt k = 0; k < nlisted; k++) o->sample[o->nsample++] = listed[k];
  PetscCall(PetscFree(listed));
  PetscFunctionReturn(0);
}

static PetscErrorCode PredictOptionsFree(PredictOptions *o)
{
  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < o->nsample; k++) PetscCall(PetscFree(o->sample[k]));
  for (PetscInt k = 0; k < o->nrdf; k++) PetscCall(PetscFree(o->rdf[k]));
  PetscCall(PetscFree(o->sample));
  PetscCall(PetscFree(o->rdf));
  PetscFunctionReturn(0);
}

/* The recorded training samples, and the features the dataset dropped as constant grouped into
   profiles: those without any bin in the model (a pair that is constant over every training sample,
   e.g. B-B of a dilute species) are the flat pairs a sample may have and predict checks. */
static PetscErrorCode ModelReadInputs(MPI_Comm comm, VitH5 *h5, Model *m)
{
  PetscBool exists;
  PetscInt  nvalues, *group;

  PetscFunctionBeginUser;
  PetscCall(VitH5Exists(h5, "/model/training_samples", &exists));
  if (exists) PetscCall(VitH5ReadStrings(h5, "/model/training_samples", &m->nsamples, &m->samples));
  PetscCall(VitH5Exists(h5, "/model/constant_feature_names", &exists));
  if (!exists) PetscFunctionReturn(0);
  PetscCall(VitH5ReadStrings(h5, "/model/constant_feature_names", &m->nconstant, &m->constant_names));
  PetscCall(VitH5ReadReal(h5, "/model/constant_feature_values", &nvalues, &m->constant_values));
  PetscCheck(nvalues == m->nconstant && nvalues > 0, comm, PETSC_ERR_USER_INPUT, "%s: /model/constant_feature_values has %" PetscInt_FMT " values for %" PetscInt_FMT " /model/constant_feature_names: the model file is damaged, refit it", m->path, nvalues, m->nconstant);
  for (PetscInt k = 0; k < nvalues; k++) PetscCheck(!PetscIsInfOrNanReal(m->constant_values[k]), comm, PETSC_ERR_USER_INPUT, "%s: /model/constant_feature_values[%" PetscInt_FMT "] (%s) is not a finite number: the model file is damaged, refit it", m->path, k, m->constant_names[k]);
  PetscCall(PetscMalloc1(nvalues, &m->constant_x));
  PetscCall(PetscMalloc1(nvalues, &group));
  PetscCall(VitFeatureGroups(nvalues, m->constant_names, group, m->constant_x));
  PetscCall(PetscMalloc3(group[nvalues - 1] + 1, &m->flat_names, group[nvalues - 1] + 1, &m->flat_first, group[nvalues - 1] + 1, &m->flat_count));
  for (PetscInt i = 0, next; i < nvalues; i = next) {
    char      name[256];
    PetscReal x;
    PetscBool in_model = PETSC_FALSE;
    for (next = i + 1; next < nvalues && group[next] == group[i]; next++) {}
    VitFeatureNameParse(m->constant_names[i], name, sizeof(name), &x, i);
    for (PetscInt c = 0; c < m->ngroups && !in_model; c++) in_model = (PetscBool)!strcmp(name, m->group_names[c]);
    if (in_model) continue; /* some bins kept (e.g. g = 0 below contact dropped): the model's profile, as before */
    PetscCall(PetscStrallocpy(name, &m->flat_names[m->nflat]));
    m->flat_first[m->nflat]   = i;
    m->flat_count[m->nflat++] = next - i;
  }
  PetscCall(PetscFree(group));
  PetscFunctionReturn(0);
}

static PetscErrorCode ModelRead(MPI_Comm comm, const char path[], Model *m)
{
  VitH5     h5;
  PetscInt  one;
  PetscBool exists;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(m, sizeof(*m)));
  PetscCall(PetscStrncpy(m->path, path, sizeof(m->path)));
  PetscCall(VitH5OpenRead(comm, path, &h5));
  PetscCall(VitH5ReadStrings(&h5, "/model/feature_names", &m->p, &m->feature_names));
  PetscCall(VitH5ReadStrings(&h5, "/model/target_names", &m->t, &m->target_names));
  PetscCheck(m->p > 0 && m->t > 0, comm, PETSC_ERR_USER_INPUT, "%s: the model has %" PetscInt_FMT " features and %" PetscInt_FMT " targets: nothing to predict (refit it on a dataset with features)", path, m->p, m->t);
  PetscCall(VitModelWeightsRead(comm, &h5, path, m->p, m->t, m->feature_names, m->target_names, &m->W, &m->b));
  for (size_t k = 0; k < 4; k++) {
    const char *names[4] = {"/model/feature_smooth", "/model/rdf_dr", "/model/rdf_rmax", "/model/atom_sigma"};
    PetscReal  *dest[4]  = {&m->smooth, &m->rdf_dr, &m->rdf_rmax, &m->atom_sigma}, *value;
    PetscCall(VitH5Exists(&h5, names[k], &exists));
    if (!exists) continue;
    PetscCall(VitH5ReadReal(&h5, names[k], &one, &value));
    *dest[k] = value[0];
    PetscCheck(!PetscIsInfOrNanReal(value[0]), comm, PETSC_ERR_USER_INPUT, "%s: %s is not a finite number", path, names[k]);
    PetscCall(PetscFree(value));
  }
  PetscCall(VitScatteringRead(&h5, "/model/scattering", &m->scattering, &exists));
  PetscCall(VitH5ReadAttrString(&h5, "/model", "units_style", &m->units_style));
  PetscCall(VitH5Exists(&h5, "/model/density_range", &exists));
  if (exists) {
    PetscReal *range, *dim;
    PetscInt   n;
    PetscCall(VitH5ReadReal(&h5, "/model/density_range", &n, &range));
    PetscCall(VitH5ReadReal(&h5, "/model/dim", &one, &dim));
    PetscCheck(n == 2 && range[0] > 0 && range[0] <= range[1] && one == 1 && (dim[0] == 2 || dim[0] == 3), comm, PETSC_ERR_USER_INPUT, "%s: /model/density_range must hold two positive densities, smallest first, and /model/dim 2 or 3: the model file is damaged, refit it", path);
    m->density_range[0] = range[0];
    m->density_range[1] = range[1];
    m->dim              = (PetscInt)dim[0];
    PetscCall(PetscFree(range));
    PetscCall(PetscFree(dim));
  }
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
  PetscCall(ModelReadInputs(comm, &h5, m));
  PetscCall(VitH5Close(&h5));
  PetscFunctionReturn(0);
}

static PetscErrorCode ModelDestroy(Model *m)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(m->W));
  PetscCall(PetscFree(m->b));
  PetscCall(PetscFree(m->units_style));
  PetscCall(PetscFree2(m->x, m->group));
  PetscCall(VitStringsFree(m->ngroups, &m->group_names));
  PetscCall(VitStringsFree(m->p, &m->feature_names));
  PetscCall(VitStringsFree(m->t, &m->target_names));
  if (m->samples) PetscCall(VitStringsFree(m->nsamples, &m->samples));
  if (!m->constant_names) PetscFunctionReturn(0);
  PetscCall(VitStringsFree(m->nconstant, &m->constant_names));
  PetscCall(PetscFree(m->constant_values));
  PetscCall(PetscFree(m->constant_x));
  for (PetscInt k = 0; k < m->nflat; k++) PetscCall(PetscFree(m->flat_names[k]));
  PetscCall(PetscFree3(m->flat_names, m->flat_first, m->flat_count));
  PetscFunctionReturn(0);
}

/* The partials of an rdf output replaced by their total weighted as the model's (the species must
   be the model's; their fractions are the sample's own): one profile named "g_neutron" etc. */
static PetscErrorCode WeightedTotal(MPI_Comm comm, const Model *m, VitH5 *h5, PetscBool sq, PetscInt *npairs, char ***pairs, Profiles *pr)
{
  const VitScattering *sc = &m->scattering;
  PetscInt             nt, *counts;
  char                 species[VIT_MAX_TYPES][VIT_NAME_LEN];
  PetscReal           *total;

  PetscFunctionBeginUser;
  PetscCall(VitH5ReadInt(h5, "/structure/rdf/type_counts", &nt, &counts));
  PetscCall(VitPairsTypeNames(comm, *npairs, *pairs, nt, species));
  PetscCheck(nt == sc->ntypes, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " species, the model's total weighs %" PetscInt_FMT, h5->path, nt, sc->ntypes);
  for (PetscInt a = 0; a < nt; a++) PetscCheck(!strcmp(species[a], sc->species[a]), comm, PETSC_ERR_USER_INPUT, "%s: species %" PetscInt_FMT " is %s, the model's is %s", h5->path, a + 1, species[a], sc->species[a]);
  PetscCall(PetscMalloc1(pr->nx, &total));
  PetscCall(VitScatteringTotal(comm, sc, counts, pr->nx, sq ? pr->x : NULL, pr->g, total));
  PetscCall(PetscFree(pr->g));
  PetscCall(PetscFree(counts));
  pr->g = total;
  PetscCall(VitStringsFree(*npairs, pairs));
  *npairs = 1;
  PetscCall(PetscMalloc1(1, pairs));
  PetscCall(PetscStrallocpy(VitRadiations[sc->radiation], &(*pairs)[0]));
  PetscFunctionReturn(0);
}

/* A sample whose number density lies outside half the smallest to twice the largest density of
   the training samples is in another unit system (lj sigma against metal A is a factor of about
   20) or of another material: the model's r grid does not apply to it. Glasses of one material
   differ by percents. Older model files (no /model/density_range) are not checked. */
static PetscErrorCode CheckDensity(MPI_Comm comm, const Model *m, const char source[], PetscInt dim, PetscReal density)
{
  const char *per = dim == 2 ? "length^2" : "length^3";

  PetscFunctionBeginUser;
  if (!m->dim) PetscFunctionReturn(0);
  PetscCheck(dim == m->dim, comm, PETSC_ERR_USER_INPUT, "%s: a %" PetscInt_FMT "D sample, but the model %s was fitted on %" PetscInt_FMT "D samples", source, dim, m->path, m->dim);
  PetscCheck(density >= 0.5 * m->density_range[0] && density <= 2 * m->density_range[1], comm, PETSC_ERR_USER_INPUT, "%s: %.4g atoms per %s, more than 2x outside the training samples' %.4g to %.4g of the model %s: another unit system (lengths in sigma or in A) or another material, to which the model's r grid does not apply; give samples in the model's units, of its material", source, (double)density, per, (double)m->density_range[0], (double)m->density_range[1], m->path);
  PetscFunctionReturn(0);
}

/* A sample whose unit style (VitSampleUnitsStyle: its file's declaration, else -units) is not the
   training samples' is refused; older models, and samples of unknown style, are not checked here
   (the density check still applies). */
static PetscErrorCode CheckSampleUnits(MPI_Comm comm, const Model *m, const VitSample *s)
{
  char style[16], from[PETSC_MAX_PATH_LEN + 64];

  PetscFunctionBeginUser;
  if (!m->units_style) PetscFunctionReturn(0);
  PetscCall(VitSampleUnitsStyle(comm, s, style, from, sizeof(from)));
  PetscCheck(!style[0] || !strcmp(style, m->units_style), comm, PETSC_ERR_USER_INPUT, "%s: in %s units (%s), but the model %s was fitted on samples in %s units: give samples in the model's units", s->source, style, from, m->path, m->units_style);
  PetscFunctionReturn(0);
}

/* The number density of an rdf output (its type counts over its volume), checked (CheckDensity;
   source: what the message names, the sample the output was computed from or the output itself);
   outputs without them (from another code) are taken as they are. */
static PetscErrorCode CheckProfileDensity(MPI_Comm comm, const Model *m, const char source[], VitH5 *h5)
{
  PetscBool  has_counts, has_volume;
  PetscInt   nt, one, total = 0, *counts;
  PetscReal *volume;

  PetscFunctionBeginUser;
  PetscCall(VitH5Exists(h5, "/structure/rdf/type_counts", &has_counts));
  PetscCall(VitH5Exists(h5, "/structure/rdf/volume", &has_volume));
  if (!has_counts || !has_volume || !m->dim) PetscFunctionReturn(0);
  PetscCall(VitH5ReadInt(h5, "/structure/rdf/type_counts", &nt, &counts));
  PetscCall(VitH5ReadReal(h5, "/structure/rdf/volume", &one, &volume));
  for (PetscInt a = 0; a < nt; a++) total += counts[a];
  PetscCall(CheckDensity(comm, m, source, VitFeaturesVolumeDimension(h5), total / volume[0]));
  PetscCall(PetscFree(counts));
  PetscCall(PetscFree(volume));
  PetscFunctionReturn(0);
}

/* The profile among names[0..n) a label names (a text column header, a pair of an rdf output):
   "1-2", "g_1-2" or "Cu-Zr" (either order of the pair: g_ab = g_ba), for a profile "g_1-2" or
   "S_1-2"; -1 when it names none. */
static PetscInt LabelIndex(PetscInt n, char *const names[], const char token[])
{
  for (PetscInt c = 0; c < n; c++) {
    const char *pair = names[c] + 2, *dash = strchr(pair, '-'), *label = token;
    size_t      len  = strlen(pair);
    char        reversed[256];
    if ((token[0] == 'g' || token[0] == 'S') && token[1] == '_') label = token + 2;
    if (!strcmp(label, pair)) return c;
    if (!dash || len >= sizeof(reversed)) continue;
    snprintf(reversed, sizeof(reversed), "%s-%.*s", dash + 1, (int)(dash - pair), pair);
    if (!strcmp(label, reversed)) return c;
  }
  return -1;
}

/* The model profile a label names; -1 when it names none. */
static PetscInt ProfileOfLabel(const Model *m, const char token[])
{
  return LabelIndex(m->ngroups, m->group_names, token);
}

/* The pair dropped as constant (Model.flat_names) a label names; -1 when it names none. */
static PetscInt FlatPairOfLabel(const Model *m, const char token[])
{
  return LabelIndex(m->nflat, m->flat_names, token);
}

/* names[0..n) joined by ", " into buf (as many as fit). */
static PetscErrorCode JoinNames(PetscInt n, char *const names[], char buf[], size_t size)
{
  PetscFunctionBeginUser;
  buf[0] = 0;
  for (PetscInt c = 0; c < n && strlen(buf) + strlen(names[c]) + 3 < size; c++) {
    PetscCall(PetscStrlcat(buf, c ? ", " : "", size));
    PetscCall(PetscStrlcat(buf, names[c], size));
  }
  PetscFunctionReturn(0);
}

/* The error for label number k of a profile file (where: "the header", and noun: "column"; or
   "/structure/rdf/pairs" and "pair") that names no profile of the model. */
static PetscErrorCode UnknownProfile(MPI_Comm comm, const char path[], const Model *m, const char where[], const char noun[], PetscInt k, const char label[])
{
  char known[512];

  PetscFunctionBeginUser;
  PetscCall(JoinNames(m->ngroups, m->group_names, known, sizeof(known)));
  SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s: %s names %s %" PetscInt_FMT " '%s', which the model %s does not use (its profiles: %s): give the model's profiles only, of a sample of its species", path, where, noun, k, label, m->path, known);
}

/* The error for named profiles (a -sample's, an HDF5 -rdf's, a text header's) that lack the model's
   profile c: both lists, since species names differ between them (Cu-Zr against the numbered 1-2). */
static PetscErrorCode MissingProfile(MPI_Comm comm, const char source[], const Model *m, PetscInt nhave, char *const have_names[], PetscInt c)
{
  char have[512], known[512];

  PetscFunctionBeginUser;
  PetscCall(JoinNames(nhave, have_names, have, sizeof(have)));
  PetscCall(JoinNames(m->ngroups, m->group_names, known, sizeof(known)));
  SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s: has no profile %s that the model %s uses (its profiles: %s; the model's: %s): the species must be named as in the model's training samples: -potential_elements names the types of a sample file that leaves them unnamed (e.g. -potential_elements Cu,Zr for a model of Cu-Zr pairs); a sample whose file names them otherwise (Atom Type Labels) needs a model fitted on samples named so", source, m->group_names[c], m->path, have, known);
}

/* pr->names from the labels of its nprof profiles (text header columns, rdf output pairs), each
   the model profile it names: a label the model does not use (a pair of a species it does not
   know) and a profile named twice are errors, naming where/noun and its number (from first). */
static PetscErrorCode ProfileNamesSet(MPI_Comm comm, const char path[], const Model *m, const char where[], const char noun[], PetscInt first, char *const labels[], Profiles *pr)
{
  PetscInt nmatched = 0;

  PetscFunctionBeginUser;
  /* no label names a model profile: the species are named otherwise (Cu-Zr against 1-2) */
  for (PetscInt a = 0; a < pr->nprof; a++) nmatched += ProfileOfLabel(m, labels[a]) >= 0;
  if (!nmatched) PetscCall(MissingProfile(comm, path, m, pr->nprof, labels, 0));
  PetscCall(PetscCalloc1(pr->nprof, &pr->names));
  for (PetscInt a = 0; a < pr->nprof; a++) {
    PetscInt    c = ProfileOfLabel(m, labels[a]), k = FlatPairOfLabel(m, labels[a]);
    const char *name;
    if (c < 0 && k < 0) PetscCall(UnknownProfile(comm, path, m, where, noun, a + first, labels[a]));
    name = c >= 0 ? m->group_names[c] : m->flat_names[k]; /* a pair dropped as constant: checked in FeatureVector */
    for (PetscInt b = 0; b < a; b++) PetscCheck(strcmp(pr->names[b], name), comm, PETSC_ERR_USER_INPUT, "%s: %s names %s twice (%ss %" PetscInt_FMT " and %" PetscInt_FMT ")", path, where, name, noun, b + first, a + first);
    PetscCall(PetscStrallocpy(name, &pr->names[a]));
  }
  PetscFunctionReturn(0);
}

/* An rdf output file: g_ab(r) (model features "g_...") or S_ab(q) ("S_..."); for a model of a
   weighted total, their total. source: the sample it was computed from, or path. */
static PetscErrorCode ProfilesFromH5(MPI_Comm comm, const char path[], const char source[], const Model *m, Profiles *pr)
{
  VitH5       h5;
  PetscInt    ng, npairs;
  char      **pairs;
  PetscBool   sq = (PetscBool)(m->group_names[0][0] == 'S');
  const char *xname = sq ? "/structure/sq/q" : "/structure/rdf/r", *gname = sq ? "/structure/sq/S_partial" : "/structure/rdf/g";

  PetscFunctionBeginUser;
  PetscCall(VitH5OpenRead(comm, path, &h5));
  /* every rank holds the file open before any check can refuse it: a refusing rank removes
     predict's temporary profile file on its way out (main.c), which a rank that had not yet
     opened it would report as missing instead of the refusal; an open file stays readable */
  PetscCallMPI(MPI_Barrier(comm));
  PetscCall(CheckProfileDensity(comm, m, source, &h5));
  PetscCall(VitH5ReadReal(&h5, xname, &pr->nx, &pr->x));
  PetscCall(VitH5ReadReal(&h5, gname, &ng, &pr->g));
  PetscCall(VitH5ReadStrings(&h5, "/structure/rdf/pairs", &npairs, &pairs));
  PetscCheck(ng == npairs * pr->nx, comm, PETSC_ERR_USER_INPUT, "%s: %s has %" PetscInt_FMT " values, expected %" PetscInt_FMT " pairs x %" PetscInt_FMT, path, gname, ng, npairs, pr->nx);
  for (PetscInt i = 0; i < pr->nx; i++) PetscCheck(!PetscIsInfOrNanReal(pr->x[i]), comm, PETSC_ERR_USER_INPUT, "%s: %s[%" PetscInt_FMT "] is not a finite number", path, xname, i);
  for (PetscInt i = 0; i < ng; i++) PetscCheck(!PetscIsInfOrNanReal(pr->g[i]), comm, PETSC_ERR_USER_INPUT, "%s: %s[%" PetscInt_FMT "][%" PetscInt_FMT "] (pair %s, %s = %.6g) is not a finite number", path, gname, i / pr->nx, i % pr->nx, pairs[i / pr->nx], sq ? "q" : "r", (double)pr->x[i % pr->nx]);
  if (m->scattering.radiation) PetscCall(WeightedTotal(comm, m, &h5, sq, &npairs, &pairs, pr));
  PetscCall(VitH5Close(&h5));
  pr->nprof = npairs;
  /* a pair the model does not use is refused, as a text column (its profile would be dropped) */
  PetscCall(ProfileNamesSet(comm, source, m, strcmp(source, path) ? "the rdf computed from it" : "/structure/rdf/pairs", "pair", 1, pairs, pr));
  PetscCall(VitStringsFree(npairs, &pairs));
  PetscFunctionReturn(0);
}

/* Names of the text columns from the last comment line before the data when it has one label per
   column ("# r 2-2 1-1 1-2", comma or blank separated) and a label names a model profile: the
   columns are then matched by name (a label the model does not use, e.g. a pair of a species it
   does not know, and a profile named twice are errors); else pr->names stays NULL and the columns are taken in the model's
   order, with a note when such a header names none of the model's profiles. */
static PetscErrorCode TextColumnNames(MPI_Comm comm, const char path[], const Model *m, char header[], Profiles *pr)
{
  char    *labels[65], *save = NULL, *token;
  PetscInt nlabels = 0, nmatched = 0;

  PetscFunctionBeginUser;
  for (token = strtok_r(header + strspn(header, " \t#"), " \t,\r\n", &save); token && nlabels < 65; token = strtok_r(NULL, " \t,\r\n", &save)) labels[nlabels++] = token;
  if (nlabels != pr->nprof + 1) PetscFunctionReturn(0);
  for (PetscInt a = 0; a < pr->nprof; a++) nmatched += ProfileOfLabel(m, labels[a + 1]) >= 0;
  if (!nmatched) {
    PetscCall(PetscPrintf(comm, "# predict: note: %s: the header names none of the model's profiles (%s%s): its columns are taken in the model's order\n", path, m->group_names[0], m->ngroups > 1 ? ", ..." : ""));
    PetscFunctionReturn(0);
  }
  PetscCall(ProfileNamesSet(comm, path, m, "the header", "column", 2, labels + 1, pr));
  PetscFunctionReturn(0);
}

/* Text columns "x g_1 ... g_k" (blank or comma separated, '#' comments; a header line naming the
   columns is used, see TextColumnNames); every rank reads them. */
static PetscErrorCode ProfilesFromText(MPI_Comm comm, const char path[], const Model *m, Profiles *pr)
{
  FILE      *f = fopen(path, "r");
  char       line[8192], header[8192] = "";
  PetscInt   ncols = -1, nrows = 0, capacity = 0, lineno = 0;
  PetscReal *rows = NULL;

  PetscFunctionBeginUser;
  PetscCheck(f, comm, PETSC_ERR_FILE_OPEN, "-rdf %s: cannot open", path);
  for (int got; (got = VitReadLine(f, line, sizeof(line)));) {
    PetscReal v[64];
    PetscInt  k = 0;
    char     *s = line, *end;
    lineno++;
    if (got < 0) fclose(f);
    PetscCheck(got > 0, comm, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT ": a line longer than %d bytes", path, lineno, (int)sizeof(line) - 1);
    if (line[strspn(line, " \t")] == '#' && ncols < 0) PetscCall(PetscStrncpy(header, line, sizeof(header)));
    if (line[strspn(line, " \t")] == '#' || line[strspn(line, " \t\r\n")] == 0) continue;
    for (;;) {
      PetscReal value;
      s += strspn(s, " \t,");
      value = strtod(s, &end);
      if (end == s) break;
      PetscCheck(k < 64, comm, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT ": more than 64 columns", path, lineno);
      PetscCheck(!PetscIsInfOrNanReal(value), comm, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT ": column %" PetscInt_FMT " is not a finite number ('%.*s')", path, lineno, k + 1, (int)(end - s), s);
      v[k++] = value;
      s      = end;
    }
    PetscCheck(s[strspn(s, " \t\r\n")] == 0, comm, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT ": not a number: '%.20s'", path, lineno, s);
    if (ncols < 0) ncols = k;
    PetscCheck(k == ncols && k >= 2, comm, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT ": %" PetscInt_FMT " columns, expected %" PetscInt_FMT " (r and one column per partial)", path, lineno, k, PetscMax(ncols, 2));
    if (nrows == capacity) {
      capacity = PetscMax(64, 2 * capacity);
      PetscCall(PetscRealloc(sizeof(PetscReal) * capacity * ncols, &rows));
    }
    PetscCall(PetscArraycpy(rows + nrows * ncols, v, ncols));
    PetscCheck(!nrows || v[0] > rows[(nrows - 1) * ncols], comm, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT ": r = %.6g is not above the previous line's", path, lineno, (double)v[0]);
    nrows++;
  }
  fclose(f);
  PetscCheck(nrows >= 2, comm, PETSC_ERR_USER_INPUT, "%s: fewer than 2 data lines", path);
  pr->nx    = nrows;
  pr->nprof = ncols - 1;
  pr->names = NULL;
  PetscCall(PetscMalloc1(nrows, &pr->x));
  PetscCall(PetscMalloc1(nrows * pr->nprof, &pr->g));
  for (PetscInt i = 0; i < nrows; i++) {
    pr->x[i] = rows[i * ncols];
    for (PetscInt a = 0; a < pr->nprof; a++) pr->g[a * nrows + i] = rows[i * ncols + 1 + a];
  }
  PetscCall(PetscFree(rows));
  PetscCall(TextColumnNames(comm, path, m, header, pr));
  PetscFunctionReturn(0);
}

static PetscErrorCode ProfilesDestroy(Profiles *pr)
{
  PetscFunctionBeginUser;
  if (pr->names) PetscCall(VitStringsFree(pr->nprof, &pr->names));
  PetscCall(PetscFree(pr->x));
  PetscCall(PetscFree(pr->g));
  PetscFunctionReturn(0);
}

/* Spacing of the model's grid for profile `name`: the rdf bin width of the training outputs for g(r)
   models that store it, else the smallest step between its features (constant ones may have been
   dropped), else (a single feature) 0. */
static PetscReal ModelSpacing(const Model *m, const char name[], PetscInt ni, const PetscReal xi[])
{
  PetscReal h = PETSC_MAX_REAL;

  if (m->rdf_dr > 0 && name[0] == 'g') return m->rdf_dr;
  for (PetscInt i = 0; i + 1 < ni; i++) h = PetscMin(h, xi[i + 1] - xi[i]);
  return ni > 1 ? h : 0;
}

/* The error for a profile whose bins (those of its first nx points, cut at the model's rdf_rmax)
   do not cover the model's bins of profile c: the ranges compared, both as bin edges. */
static PetscErrorCode Uncovered(MPI_Comm comm, const char source[], const Model *m, PetscInt c, const Profiles *pr, PetscInt nx, PetscInt ni, const PetscReal xi[], PetscReal h)
{
  PetscReal lo, hi;
  char      cut[96] = "";

  PetscFunctionBeginUser;
  PetscCheck(nx > 0, comm, PETSC_ERR_USER_INPUT, "%s: the measured %s begins at %.6g, beyond the end of the model's training g(r) (rdf_rmax %.6g)", source, m->group_names[c], (double)pr->x[0], (double)m->rdf_rmax);
  VitProfileEdges(nx, pr->x, h, &lo, &hi);
  if (PetscAbsReal(lo) < 1e-9 * h) lo = 0; /* r = 0 less half a bin plus half a bin: print 0, not round-off */
  if (nx < pr->nx) PetscCall(PetscSNPrintf(cut, sizeof(cut), ", cut where the model's training g(r) ends, rdf_rmax %.6g", (double)m->rdf_rmax));
  SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s: the measured %s spans [%.6g, %.6g] (the bins of its points %.6g to %.6g%s), a range that does not cover the model's bins [%.6g, %.6g] (width %.6g, centres %.6g to %.6g)", source, m->group_names[c], (double)lo, (double)hi, (double)pr->x[0], (double)pr->x[nx - 1], cut, (double)(xi[0] - h / 2), (double)(xi[ni - 1] + h / 2), (double)h, (double)xi[0], (double)xi[ni - 1]);
}

/* A profile c that covers the model's bins on another grid: an error without -predict_regrid (the
   two grids named), for S(q) (a function sampled at its q points, not a histogram: no bins to
   re-bin) and for a model that does not record the samples' dimension (the shells' weights need
   it). *wider: the profile's bins are wider than the model's. */
static PetscErrorCode RegridAllowed(MPI_Comm comm, const PredictOptions *o, const char source[], const Model *m, PetscInt c, const Profiles *pr, PetscInt nx, const PetscReal xi[], PetscReal h, PetscReal *wider)
{
  PetscReal step = nx > 1 ? pr->x[1] - pr->x[0] : 0;

  PetscFunctionBeginUser;
  PetscCheck(o->regrid, comm, PETSC_ERR_USER_INPUT, "%s: the grid of %s (%" PetscInt_FMT " points in [%.6g, %.6g], spacing %.6g) is not the model's (bins of %.6g centred at %.6g, %.6g, ...)%s: give the profile on the model's grid, or add -predict_regrid to re-bin it onto the model's bins", source,
             m->group_names[c], pr->nx, (double)pr->x[0], (double)pr->x[pr->nx - 1], (double)step, (double)h, (double)xi[0], (double)(xi[0] + h), step > h * (1 + 1e-6) ? " (its spacing is wider: another length unit, or a coarser histogram?)" : "");
  PetscCheck(m->group_names[c][0] != 'S', comm, PETSC_ERR_USER_INPUT, "%s: -predict_regrid re-bins g(r) histograms only; %s is sampled at its q points (spacing %.6g), not a histogram, so it has no bins to average: give it on the model's q grid (spacing %.6g, from %.6g)", source, m->group_names[c], (double)step, (double)h, (double)xi[0]);
  PetscCheck(m->dim == 2 || m->dim == 3, comm, PETSC_ERR_USER_INPUT, "%s: -predict_regrid weights the bins of %s by their shell volumes, which needs the samples' dimension, and the model %s records none (/model/dim: fitted on a dataset without /dataset/structure, or by an older vitrum): refit it from a features dataset, or give the profile on the model's grid", source, m->group_names[c], m->path);
  if (step > h * (1 + 1e-6)) *wider = step;
  PetscFunctionReturn(0);
}

/* Profile a of pr (named `name`) smoothed as the training features were: g(r) cut at the training
   rdf_rmax (*nx: the points kept) and smoothed over that range; S(q) as it is. */
static PetscErrorCode SmoothedProfile(const Model *m, const char name[], const Profiles *pr, PetscInt a, PetscReal g[], PetscInt *nx)
{
  PetscFunctionBeginUser;
  *nx = pr->nx;
  PetscCall(PetscArraycpy(g, pr->g + a * pr->nx, pr->nx));
  if (name[0] == 'S') PetscFunctionReturn(0);
  if (m->rdf_rmax > 0) *nx = VitProfilePointsBelow(pr->nx, pr->x, m->rdf_rmax, 1e-6 * m->rdf_dr);
  PetscCall(VitGaussianSmooth(*nx, pr->x, m->smooth, g));
  PetscFunctionReturn(0);
}

/* Profile a of pr is of flat pair k: a pair the model has no feature of, because each of its bins
   had one value in every training sample (features -features_drop_constant; e.g. g_B-B = 0 of a
   species too dilute to have B-B neighbours). Smoothed and taken on those bins as the features were,
   it must equal those values to round-off (1e-6 max(1, |value|): a text profile of 7 digits passes);
   where it differs the model has no weight for it and cannot extrapolate: one error line naming the
   pair and the largest deviation. g, gi: work space (pr->nx, m->nconstant). */
static PetscErrorCode CheckFlatPair(MPI_Comm comm, const PredictOptions *o, const char source[], const Model *m, PetscInt k, const Profiles *pr, PetscInt a, PetscReal g[], PetscReal gi[])
{
  const char      *name = m->flat_names[k];
  const PetscInt   ni = m->flat_count[k];
  const PetscReal *xi = m->constant_x + m->flat_first[k], *value = m->constant_values + m->flat_first[k];
  PetscInt         nx, worst = 0;
  PetscReal        h, excess = 0;
  VitGridMatch     match;
  PetscBool        given;

  PetscFunctionBeginUser;
  PetscCall(SmoothedProfile(m, name, pr, a, g, &nx));
  h = ModelSpacing(m, name, ni, xi);
  if (h <= 0) h = pr->nx > 1 ? pr->x[1] - pr->x[0] : 1;
  match = VitProfilePick(nx, pr->x, g, ni, xi, h, gi);
  given = (PetscBool)(match == VIT_GRID_SAME || (match == VIT_GRID_DIFFERS && o->regrid && name[0] == 'g' && (m->dim == 2 || m->dim == 3) && VitProfileRebin(nx, pr->x, g, ni, xi, h, m->dim, gi)));
  PetscCheck(given, comm, PETSC_ERR_USER_INPUT, "%s: %s, a pair the model %s dropped as constant over its training samples, is not given on the model's bins of it (%" PetscInt_FMT " bins of %.6g from %.6g): give it on the model's grid, or leave it out", source, name, m->path, ni, (double)h, (double)xi[0]);
  for (PetscInt i = 0; i < ni; i++) {
    PetscReal e = PetscAbsReal(gi[i] - value[i]) / (1e-6 * PetscMax(1.0, PetscAbsReal(value[i])));
    if (e > excess) {
      excess = e;
      worst  = i;
    }
  }
  PetscCheck(excess <= 1, comm, PETSC_ERR_USER_INPUT, "%s: its %s differs from the model's by up to %.6g (%.6g against %.6g at %s = %.6g): the model %s has no feature of %s, which was the same in every training sample (dropped as constant by features), so it cannot extrapolate to this sample: predict samples like the training samples, or refit on samples in which %s varies", source, name, (double)PetscAbsReal(gi[worst] - value[worst]), (double)gi[worst], (double)value[worst], name[0] == 'S' ? "q" : "r", (double)xi[worst], m->path, name, name);
  PetscFunctionReturn(0);
}

/* The model's feature vector from the profiles: match each model profile (by name, or by column
   for text input), smooth as the training features were, take the values on the model's grid;
   a profile on another grid is an error, or with -predict_regrid re-binned (and said so).
   vitrum features smoothed each training g(r) over its whole range [0, rdf_rmax], renormalised at
   its end: a profile is cut to that range before smoothing, so one that runs further gives the same
   features (one that ends earlier is smoothed over its own range, docs/fit.md). */
static PetscErrorCode FeatureVector(MPI_Comm comm, const PredictOptions *o, const char source[], const Model *m, const Profiles *pr, PetscReal f[])
{
  PetscReal *g, *xi, *gi, wider = 0, h = 0;
  PetscBool  rebinned = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCheck(pr->names || pr->nprof == m->ngroups, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " profile columns, but the model uses %" PetscInt_FMT " partials (%s%s): give r and one column per partial, in the model's order or named in a header line", source, pr->nprof, m->ngroups, m->group_names[0], m->ngroups > 1 ? ", ..." : "");
  PetscCall(PetscMalloc3(pr->nx, &g, m->p, &xi, PetscMax(m->p, m->nconstant), &gi));
  for (PetscInt c = 0; c < m->ngroups; c++) {
    PetscInt     a = c, ni = 0, first = -1, nx = pr->nx;
    VitGridMatch match;
    if (pr->names)
      for (a = 0; a < pr->nprof && ProfileOfLabel(m, pr->names[a]) != c; a++) {}
    if (a == pr->nprof) PetscCall(MissingProfile(comm, source, m, pr->nprof, pr->names, c));
    PetscCall(SmoothedProfile(m, m->group_names[c], pr, a, g, &nx));
    for (PetscInt i = 0; i < m->p; i++)
      if (m->group[i] == c) {
        if (first < 0) first = i;
        xi[ni++] = m->x[i];
      }
    h = ModelSpacing(m, m->group_names[c], ni, xi);
    if (h <= 0) h = pr->nx > 1 ? pr->x[1] - pr->x[0] : 1;
    match = VitProfilePick(nx, pr->x, g, ni, xi, h, gi);
    if (match == VIT_GRID_UNCOVERED) PetscCall(Uncovered(comm, source, m, c, pr, nx, ni, xi, h));
    if (match == VIT_GRID_DIFFERS) {
      PetscCall(RegridAllowed(comm, o, source, m, c, pr, nx, xi, h, &wider));
      PetscCheck(VitProfileRebin(nx, pr->x, g, ni, xi, h, m->dim, gi), comm, PETSC_ERR_PLIB, "%s: re-binning %s failed after its range was checked", source, m->group_names[c]);
      rebinned = PETSC_TRUE;
    }
    PetscCall(PetscArraycpy(f + first, gi, ni));
  }
  for (PetscInt a = 0; pr->names && a < pr->nprof; a++) {
    PetscInt k = FlatPairOfLabel(m, pr->names[a]);
    if (k >= 0) PetscCall(CheckFlatPair(comm, o, source, m, k, pr, a, g, gi));
  }
  if (wider > 0) PetscCall(PetscPrintf(comm, "# predict: note: %s: its bins (spacing %.6g) are wider than the model's (%.6g): each model bin takes the value of the profile bins over it, without the detail of the training features (a profile in another length unit?)\n", source, (double)wider, (double)h));
  if (rebinned) PetscCall(PetscPrintf(comm, "# predict: %s: re-binned onto the model's grid (-predict_regrid: averages over the model's bins weighted by shell volume, not interpolation)\n", source));
  PetscCall(PetscFree3(g, xi, gi));
  PetscFunctionReturn(0);
}

static PetscBool IsHDF5(const char path[])
{
  const char *dot = strrchr(path, '.');
  return (PetscBool)(dot && (!strcmp(dot, ".h5") || !strcmp(dot, ".hdf5")));
}

/* Compute the sample's g(r) on the model's r grid: -rdf_dr and -rdf_rmax of the training outputs
   (a different value given on the command line is replaced, with a note). */
static PetscErrorCode UseModelGrid(MPI_Comm comm, const Model *m)
{
  const char *names[2] = {"-rdf_dr", "-rdf_rmax"};
  PetscReal   values[2] = {m->rdf_dr, m->rdf_rmax};

  PetscFunctionBeginUser;
  if (m->rdf_dr <= 0) PetscFunctionReturn(0);
  for (PetscInt k = 0; k < 2; k++) {
    PetscReal given;
    PetscBool set;
    char      text[64];
    PetscCall(PetscOptionsGetReal(NULL, NULL, names[k], &given, &set));
    if (set && PetscAbsReal(given - values[k]) > 1e-9 * values[k]) PetscCall(PetscPrintf(comm, "# predict: note: %s %.6g replaced by the model's %.6g (the features must be on the training grid)\n", names[k], (double)given, (double)values[k]));
    PetscCall(PetscSNPrintf(text, sizeof(text), "%.17g", (double)values[k]));
    PetscCall(PetscOptionsSetValue(NULL, names[k], text));
  }
  PetscFunctionReturn(0);
}

/* The profiles of sample F: features' cached rdf output (same folder, same staleness and options
   check) when up to date; else computed on the model's grid into -features_cache DIR (with the
   completion marker) or, without it, into a temporary file removed after reading: nothing is
   written next to the input, nor into the default cache. */
static PetscErrorCode SampleProfiles(MPI_Comm comm, const PredictOptions *o, const Model *m, const char sample[], Profiles *pr)
{
  FeatOptions fo;
  char        cached[PETSC_MAX_PATH_LEN];
  PetscBool   stale, temporary = PETSC_FALSE;
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  if (m->units_style) {
    VitSample s;
    PetscCall(VitSampleReadPath(comm, sample, &s));
    PetscCall(CheckSampleUnits(comm, m, &s));
    PetscCall(VitSampleDestroy(&s));
  }
  PetscCall(PetscMemzero(&fo, sizeof(fo)));
  PetscCall(PetscStrncpy(fo.cache, o->cache, sizeof(fo.cache)));
  PetscCall(PetscStrcpy(fo.kind, m->group_names[0][0] == 'S' ? "sq" : "rdf"));
  PetscCall(VitFeaturesCachePath(&fo, sample, ".rdf.h5", cached));
  PetscCall(VitFeaturesCacheStale(comm, &fo, sample, cached, &stale));
  if (stale && !o->cache[0]) {
    int    id = (int)getpid();
    size_t len;
    PetscCallMPI(MPI_Bcast(&id, 1, MPI_INT, 0, comm));
    PetscCall(PetscGetTmp(comm, cached, sizeof(cached)));
    PetscCall(PetscStrlen(cached, &len));
    PetscCall(PetscSNPrintf(cached + len, sizeof(cached) - len, "/vitrum_predict_%d.rdf.h5", id));
    temporary = PETSC_TRUE;
  }
  if (stale) PetscCall(VitFeaturesCacheCompute(comm, &fo, sample, cached));
  if (temporary) PetscCall(VitOutputScratch(cached)); /* removed on error too: a profile can be refused when read */
  PetscCall(ProfilesFromH5(comm, cached, sample, m, pr));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (temporary) PetscCallMPI(MPI_Barrier(comm)); /* every rank has read it */
  if (temporary && !rank) (void)unlink(cached);
  if (temporary) VitOutputScratchDone(cached);
  PetscFunctionReturn(0);
}

/* Profiles of input k: samples first, then -rdf files. */
static PetscErrorCode InputProfiles(MPI_Comm comm, const PredictOptions *o, const Model *m, PetscInt k, const char **source, Profiles *pr)
{
  PetscFunctionBeginUser;
  if (k < o->nsample) {
    *source = o->sample[k];
    PetscCall(SampleProfiles(comm, o, m, o->sample[k], pr));
  } else {
    *source = o->rdf[k - o->nsample];
    if (IsHDF5(*source)) PetscCall(ProfilesFromH5(comm, *source, *source, m, pr));
    else PetscCall(ProfilesFromText(comm, *source, m, pr));
  }
  PetscFunctionReturn(0);
}

/* A local model applied to a sample: the local g_i(r) of every atom on the model's grid (the
   per-atom features of `features`), the model's prediction per atom, and their mean over the
   atoms: the sample's prediction (exact for <omega^2>, whose sample value is the atoms' mean). */
static PetscErrorCode LocalPrediction(MPI_Comm comm, const Model *m, const char path[], PetscReal y[])
{
  VitSample  sample;
  VitDomain  dom;
  PetscInt   nt, nr;
  PetscReal *rows, *yhat;

  PetscFunctionBeginUser;
  PetscCall(VitSampleReadPath(comm, path, &sample));
  PetscCall(CheckSampleUnits(comm, m, &sample));
  PetscCall(CheckDensity(comm, m, path, sample.dim, sample.natoms / VitSampleVolume(&sample)));
  nt = sample.ntypes;
  nr = m->p / PetscMax(nt * nt, 1);
  PetscCheck(m->ngroups == nt * nt && nr * nt * nt == m->p, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " species, but the local model %s has %" PetscInt_FMT " profiles (%s, ...): use a sample of the training species", path, nt, m->group_names[0], m->ngroups, m->group_names[0]);
  for (PetscInt a = 0; a < nt; a++)
    for (PetscInt b = 0; b < nt; b++) {
      char name[2 * VIT_NAME_LEN + 4];
      PetscCall(PetscSNPrintf(name, sizeof(name), "g_%s-%s", sample.type_name[a], sample.type_name[b]));
      PetscCheck(!strcmp(name, m->group_names[a * nt + b]), comm, PETSC_ERR_USER_INPUT, "%s: its species give the profile %s where the local model has %s: use a sample of the training species", path, name, m->group_names[a * nt + b]);
    }
  PetscCall(VitDomainSetUp(comm, &sample, m->x[nr - 1] + 5 * m->atom_sigma, &dom));
  PetscCall(VitAtomFeatures(&dom, &sample, nr, m->x, m->atom_sigma, &rows));
  PetscCall(PetscMalloc1(dom.nowned * m->t + 1, &yhat));
  PetscCall(VitLinearPredict(dom.nowned, m->p, m->t, rows, m->W, m->b, yhat));
  for (PetscInt j = 0; j < m->t; j++) {
    y[j] = 0;
    for (PetscInt i = 0; i < dom.nowned; i++) y[j] += yhat[i * m->t + j];
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, y, m->t, MPIU_REAL, MPIU_SUM, comm));
  for (PetscInt j = 0; j < m->t; j++) y[j] /= dom.natoms;
  PetscCall(PetscFree(yhat));
  PetscCall(PetscFree(rows));
  PetscCall(VitDomainDestroy(&dom));
  PetscCall(VitSampleDestroy(&sample));
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

/* -o must not be a sample the model was fitted on (/model/training_samples, absolute paths recorded
   by features: the same file by device and inode, however spelled), though predict does not read it;
   a model of an older vitrum records none and is not checked. */
static PetscErrorCode OutputNotTrainingSample(MPI_Comm comm, const PredictOptions *o, const Model *m)
{
  char hint[PETSC_MAX_PATH_LEN + 128];

  PetscFunctionBeginUser;
  if (!m->nsamples) PetscFunctionReturn(0);
  PetscCall(PetscSNPrintf(hint, sizeof(hint), "it is a training sample of the model %s (/model/training_samples): give another output name", m->path));
  PetscCall(VitOutputCheckHint(comm, "-o", o->out, m->nsamples, (const char *const *)m->samples, hint));
  PetscFunctionReturn(0);
}

PetscErrorCode VitCmdPredict(void)
{
  MPI_Comm       comm = PETSC_COMM_WORLD;
  PredictOptions o;
  Model          m;
  PetscInt       n;
  PetscReal     *f, *Y;
  const char   **sources;

  PetscFunctionBeginUser;
  PetscCall(PredictOptionsRead(comm, &o));
  if (VitHelpRequested()) { /* -sample's g(r) is computed as by the rdf command (its options, a domain);
                                the sample file or -potential_elements names its pairs */
    char elements[256] = "";
    PetscCall((*PetscHelpPrintf)(comm, "The g(r) of -sample is computed with these rdf options on the model's r grid: its -rdf_dr and -rdf_rmax (/model/rdf_dr, /model/rdf_rmax) replace those given\n"));
    PetscCall(VitRdfOptionsHelp(comm));
    PetscCall(VitDomainOptionsHelp(comm));
    PetscOptionsBegin(comm, NULL, "Species of -sample", NULL);
    PetscCall(VitOptionsString("-potential_elements", "element of each atom type in type order, for the types -sample's file leaves unnamed: names the pairs of its g(r), which must be the model's", NULL, elements, elements, sizeof(elements), NULL));
    PetscOptionsEnd();
    PetscCall(PredictOptionsFree(&o));
    PetscFunctionReturn(0);
  }
  PetscCheck(o.model[0], comm, PETSC_ERR_USER_INPUT, "predict needs -model MODEL.h5 (from vitrum fit)");
  n = o.nsample + o.nrdf;
  PetscCheck(n > 0, comm, PETSC_ERR_USER_INPUT, "predict needs -sample FILE, -samples 'GLOB', -sample_list FILE or -rdf FILE (comma lists allowed)");
  if (o.out[0]) PetscCall(VitFeaturesOutputCheck(comm, o.out, o.cache, o.nsample, o.sample));
  PetscCall(ModelRead(comm, o.model, &m));
  if (o.out[0]) PetscCall(OutputNotTrainingSample(comm, &o, &m));
  PetscCheck(!(m.atom_sigma > 0 && o.nrdf), comm, PETSC_ERR_USER_INPUT, "%s is a local (per-atom) model: it applies to samples (-sample F), not to a profile (-rdf %s)", o.model, o.rdf[0]);
  if (o.nsample) PetscCall(UseModelGrid(comm, &m));
  if (o.nsample) PetscCall(VitFeaturesCacheFolder(comm, o.cache));
  PetscCall(PetscMalloc3(m.p, &f, n * m.t, &Y, n, &sources));
  for (PetscInt k = 0; k < n; k++) {
    Profiles pr;
    if (m.atom_sigma > 0) {
      sources[k] = o.sample[k];
      PetscCall(LocalPrediction(comm, &m, o.sample[k], Y + k * m.t));
      continue;
    }
    PetscCall(InputProfiles(comm, &o, &m, k, &sources[k], &pr));
    PetscCall(FeatureVector(comm, &o, sources[k], &m, &pr, f));
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
  PetscCall(PetscFree3(f, Y, sources));
  PetscCall(ModelDestroy(&m));
  PetscCall(PredictOptionsFree(&o));
  PetscFunctionReturn(0);
}
