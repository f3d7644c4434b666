/* vitrum features: one dataset (/dataset/X, Y, names) from an ensemble of samples. Features are
   partial g_ab(r) (optionally Gaussian-smoothed) or partial S(q) from each sample's rdf output;
   targets come from each sample's spectrum output. Per-sample outputs are cached in
   -features_cache DIR (default vitrum_cache; never next to the samples) and recomputed only when stale. Per-atom mode: atoms.c. */
#include <vitrum/commands.h>
#include <vitrum/structure.h>
#include "features.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

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
  o->ranks_per_sample = 1;
  o->drop_constant    = PETSC_TRUE;
  o->atom_sigma       = 0; /* 0: scaled with the first sample (atoms.c) */
  o->atom_dr          = 0;
  o->atom_vdos_bins   = 50;
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-vdos_omega_max", &o->atom_vdos_omega_max, NULL));
  PetscCall(PetscStrcpy(o->atom_target, "/spectrum/modes/softspot"));
  PetscOptionsBegin(comm, NULL, "vitrum features: dataset of structure features and spectral targets (docs/fit.md)", NULL);
  PetscCall(VitOptionsString("-samples", "sample files: glob pattern(s) or file names (several may follow -samples)", NULL, o->samples, o->samples, sizeof(o->samples), NULL));
  PetscCall(VitOptionsString("-sample_list", "text file with one sample path per line (relative paths: to the current folder, not the list's)", NULL, o->sample_list, o->sample_list, sizeof(o->sample_list), NULL));
  PetscCall(VitOptionsString("-o", "output dataset file (default: dataset.h5; the spectrum section's -o below does not apply: the samples' own outputs go to -features_cache)", NULL, o->out, o->out, sizeof(o->out), NULL));
  PetscCall(PetscStrcpy(o->cache, VIT_FEATURES_CACHE_DEFAULT));
  PetscCall(VitOptionsString("-features_cache", "folder for the per-sample rdf/spectrum outputs (default: " VIT_FEATURES_CACHE_DEFAULT " in the current folder; never next to the samples)", NULL, o->cache, o->cache, sizeof(o->cache), NULL));
  PetscCall(PetscOptionsEList("-features_kind", "features: partial g(r) or partial S(q)", NULL, kinds, 2, kinds[0], &kind, NULL));
  PetscCall(PetscOptionsEnum("-features_total", "features: the partials (none) or their Faber-Ziman total weighted as neutron or X-ray diffraction sees it (a model that predicts from a measured total)", NULL, VitRadiations, (PetscEnum)o->total, (PetscEnum *)&o->total, NULL));
  PetscCall(VitOptionsString("-features_scattering_lengths", "SPECIES:VALUE,... scattering lengths (fm, neutron) or constant X-ray factors (electrons) replacing the tabulated ones (needed for species not named by element)", NULL, o->scattering_lengths, o->scattering_lengths, sizeof(o->scattering_lengths), NULL));
  PetscCall(PetscOptionsReal("-features_smooth", "Gaussian width sigma for smoothing g(r) (0: none)", NULL, o->smooth, &o->smooth, NULL));
  PetscCall(PetscOptionsReal("-features_rmin", "smallest r (or q) kept", NULL, o->xmin, &o->xmin, NULL));
  PetscCall(PetscOptionsReal("-features_rmax", "largest r (or q) kept (0: all; per-atom default 2.5 L, L the length unit of the first sample's default g(r) grid: 1 for LJ, 2 A for most metal-unit glasses)", NULL, o->xmax, &o->xmax, NULL));
  PetscCall(PetscOptionsBool("-features_drop_constant", "drop features that are constant over all samples (e.g. g = 0 below contact; recorded with their values, which predict checks a sample against)", NULL, o->drop_constant, &o->drop_constant, NULL));
  PetscCall(VitOptionsString("-features_targets", "comma list: scalars (the /spectrum/scalars entries but the diagnostics *_err, boson_peak_at_bound, _search_min, _moments), vdos (Gaussian-broadened VDOS), cumvdos (its cumulative), boson (peak of the broadened reduced VDOS), cv (C_v at each temperature of the grid), moments (omega2_mean, omega4_mean), NAME (a /spectrum/scalars entry), none; a name given twice (omega2_mean,moments) is one column, its first", NULL, o->targets, o->targets, sizeof(o->targets), NULL));
  PetscCall(PetscOptionsReal("-vdos_sigma", "Gaussian width of the vdos/cumvdos/boson targets, frequency unit of -units (default: nu_90/50 of the ensemble, widened for vdos/cumvdos until +-sigma holds 300 modes of the smallest sample; docs/fit.md)", NULL, o->vdos_sigma, &o->vdos_sigma, &o->vdos_sigma_set));
  PetscCall(PetscOptionsReal("-vdos_omega_max", "top of the targets' frequency grid, shared by all samples (0: largest KPM bound + 4 sigma); given, the same value also sets each sample's spectrum grid, the -vdos_omega_max of the spectrum section below", NULL, o->vdos_omega_max, &o->vdos_omega_max, NULL));
  PetscCall(PetscOptionsInt("-vdos_bins", "bins of the targets' frequency grid (default at least 200, spacing at most sigma/2); given, the same value also sets each sample's spectrum grid, the -vdos_bins of the spectrum section below (default 200 there)", NULL, o->vdos_bins, &o->vdos_bins, &o->vdos_bins_set));
  PetscCall(PetscOptionsInt("-ranks_per_sample", "ranks per sub-communicator computing one sample", NULL, o->ranks_per_sample, &o->ranks_per_sample, NULL));
  PetscCall(PetscOptionsBool("-features_recompute", "recompute the per-sample outputs even when cached", NULL, o->recompute, &o->recompute, NULL));
  PetscCall(PetscOptionsBool("-features_per_atom", "rows = atoms: local Gaussian-broadened partial RDF of each atom", NULL, o->per_atom, &o->per_atom, NULL));
  PetscCall(VitOptionsString("-features_atom_target", "per-atom target: omega2 (Tr of the atom's diagonal Hessian block / d, exact; needs -potential), energy (the atom's potential energy; needs -potential), vdos, cumvdos or counts (local VDOS, its cumulative share, the share of the modes below each -spectrum_count_omega, from local KPM moments), a dataset of N values in the spectrum output, or none", NULL, o->atom_target, o->atom_target, sizeof(o->atom_target), NULL));
  PetscCall(PetscOptionsReal("-features_atom_sigma", "Gaussian broadening of the per-atom profiles (default 0.05 L, L as for -features_rmax)", NULL, o->atom_sigma, &o->atom_sigma, NULL));
  PetscCall(PetscOptionsReal("-features_atom_dr", "grid spacing of the per-atom profiles (default 0.02 L)", NULL, o->atom_dr, &o->atom_dr, NULL));
  PetscCall(PetscOptionsInt("-features_atom_vdos_bins", "per-atom target vdos|cumvdos: bins of the frequency grid", NULL, o->atom_vdos_bins, &o->atom_vdos_bins, NULL));
  PetscCall(PetscOptionsBool("-features_atom_vdos_exact", "per-atom target vdos|cumvdos|counts from the eigenvectors of all modes (dense; small samples) instead of local KPM moments", NULL, o->atom_vdos_exact, &o->atom_vdos_exact, NULL));
  PetscCall(PetscOptionsReal("-features_atom_vdos_omega_max", "per-atom target vdos|cumvdos: upper end of the frequency grid, unit of -vdos_omega_max (default: -vdos_omega_max)", NULL, o->atom_vdos_omega_max, &o->atom_vdos_omega_max, NULL));
  PetscOptionsEnd();
  PetscCall(VitVdosTargetsCheckOptions(comm, o));
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

/* Append the files matching one glob pattern (sorted) to paths. */
static PetscErrorCode AddGlob(MPI_Comm comm, const char pattern[], PetscInt *n, PetscInt *capacity, char ***paths)
{
  glob_t g;
  int    err = glob(pattern, 0, NULL, &g);

  PetscFunctionBeginUser;
  PetscCheck(!err && g.gl_pathc > 0, comm, PETSC_ERR_USER_INPUT, "-samples '%s': no file matches", pattern);
  for (size_t i = 0; i < g.gl_pathc; i++) {
    if (*n == *capacity) {
      *capacity = PetscMax(16, 2 * *capacity);
      PetscCall(PetscRealloc(sizeof(char *) * *capacity, paths));
    }
    PetscCall(PetscStrallocpy(g.gl_pathv[i], &(*paths)[(*n)++]));
  }
  globfree(&g);
  PetscFunctionReturn(0);
}

/* The cache name of a path: its last depth components ("." and empty ones skipped) joined by "__". */
static void CacheName(const char path[], PetscInt depth, char name[], size_t len)
{
  const char *part[64];
  size_t      plen[64];
  int         n = 0;

  for (const char *p = path; *p && n < 64;) {
    size_t l = strcspn(p, "/");
    if (l && !(l == 1 && p[0] == '.')) part[n] = p, plen[n++] = l;
    p += l + (p[l] == '/');
  }
  name[0] = 0;
  for (int k = PetscMax(0, n - (int)PetscMax(depth, 1)); k < n; k++)
    snprintf(name + strlen(name), len - strlen(name), "%s%.*s", name[0] ? "__" : "", (int)plen[k], part[k]);
}

/* A sample path and its cache name at one depth, sorted by name. */
typedef struct {
  char       *name;
  const char *path;
} NamedPath;

static int CompareNamedPaths(const void *a, const void *b)
{
  return strcmp(((const NamedPath *)a)->name, ((const NamedPath *)b)->name);
}

/* Every sample's cached outputs are named after it (VitFeaturesCachePath): its file name, or where
   file names repeat in the list (run_1/final.data, run_2/final.data, as job arrays write them) as
   many trailing folders as make every name distinct (depth). A sample listed twice, or two that no
   depth tells apart, are an error naming both. */
static PetscErrorCode DistinctNameDepth(MPI_Comm comm, PetscInt n, char *const paths[], PetscInt *depth)
{
  NamedPath *entry;
  PetscInt   clash = n; /* entry[clash - 1] and entry[clash] share a name at this depth (n: none) */

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(n, &entry));
  for (*depth = 1; *depth <= 32; (*depth)++) {
    for (PetscInt i = 0; i < n; i++) {
      char name[PETSC_MAX_PATH_LEN];
      CacheName(paths[i], *depth, name, sizeof(name));
      PetscCall(PetscStrallocpy(name, &entry[i].name));
      entry[i].path = paths[i];
    }
    qsort(entry, (size_t)n, sizeof(*entry), CompareNamedPaths);
    for (clash = 1; clash < n && strcmp(entry[clash - 1].name, entry[clash].name); clash++) continue;
    for (PetscInt i = 0; i < n; i++) PetscCall(PetscFree(entry[i].name));
    if (clash >= n) break;
    PetscCheck(strcmp(entry[clash - 1].path, entry[clash].path), comm, PETSC_ERR_USER_INPUT, "sample %s is listed twice", entry[clash].path);
  }
  PetscCheck(*depth <= 32, comm, PETSC_ERR_USER_INPUT, "samples %s and %s have the same path components, under which their cached outputs are kept: give each sample once, spelled one way", entry[clash - 1].path, entry[clash].path);
  PetscCall(PetscFree(entry));
  PetscFunctionReturn(0);
}

/* Rank 0: when the sample on line lineno of the list cannot be opened and no earlier one failed,
   the error in msg, naming the list and the line; for a relative path, also the folder it was
   taken in (the current one, not the list's). */
static void ListedSampleOpens(const char list[], PetscInt lineno, const char path[], char msg[], size_t len)
{
  char cwd[PETSC_MAX_PATH_LEN], where[PETSC_MAX_PATH_LEN + 80] = "";
  int  fd, err;

  if (msg[0]) return;
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    close(fd);
    return;
  }
  err = errno;
  if (path[0] != '/') snprintf(where, sizeof(where), "; relative paths in a list are relative to the current folder %s", getcwd(cwd, sizeof(cwd)) ? cwd : "(unknown)");
  snprintf(msg, len, "-sample_list %.300s:%" PetscInt_FMT ": %.300s: cannot open (%s%.340s)", list, lineno, path, strerror(err), where);
}

PetscErrorCode VitSamplePathsGet(MPI_Comm comm, const char samples[], const char sample_list[], PetscInt *n, char ***paths)
{
  PetscInt    capacity = 0;
  PetscMPIInt rank;
  char        msg[PETSC_MAX_PATH_LEN + 1024] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  *n     = 0;
  *paths = NULL;
  if (samples[0]) {
    int    argc, last = -1;
    char **args;
    PetscCall(PetscGetArgs(&argc, &args));
    for (int k = 1; k < argc; k++)
      if (!strcmp(args[k], "-samples")) last = k;
    PetscCall(AddGlob(comm, samples, n, &capacity, paths));
    /* the words after the option's value, up to the next option: more files or patterns */
    for (int k = last + 2; last > 0 && k < argc && args[k][0] != '-'; k++) PetscCall(AddGlob(comm, args[k], n, &capacity, paths));
  } else if (sample_list[0]) {
    PetscInt *lines;
    PetscCall(VitListFileRead("-sample_list", sample_list, "path", n, paths, &lines, msg, sizeof(msg)));
    PetscCheck(!msg[0], comm, PETSC_ERR_USER_INPUT, "%s", msg);
    PetscCheck(*n > 0, comm, PETSC_ERR_USER_INPUT, "-sample_list %s: no sample paths in it", sample_list);
    for (PetscInt k = 0; k < *n && !rank; k++) ListedSampleOpens(sample_list, lines[k], (*paths)[k], msg, sizeof(msg));
    PetscCall(PetscFree(lines));
    PetscCall(VitBcastError(comm, msg));
  }
  PetscFunctionReturn(0);
}

/* A sample file's identity (device and inode) and its place in the list. */
typedef struct {
  dev_t    dev;
  ino_t    ino;
  PetscInt index;
} SampleFile;

static int CompareSampleFiles(const void *a, const void *b)
{
  const SampleFile *x = a, *y = b;
  if (x->dev != y->dev) return x->dev < y->dev ? -1 : 1;
  if (x->ino != y->ino) return x->ino < y->ino ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* Two paths of the list that are one file (a symbolic or hard link, another spelling) would put
   the same sample in the training and held-out rows: one error line naming both. Files that
   cannot be read are left to the reader. Rank 0 decides. */
static PetscErrorCode CheckDistinctFiles(MPI_Comm comm, PetscInt n, char *const paths[])
{
  char        msg[2 * PETSC_MAX_PATH_LEN + 128] = "";
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    SampleFile *file;
    PetscInt    m = 0;
    PetscCall(PetscMalloc1(n, &file));
    for (PetscInt i = 0; i < n; i++) {
      struct stat st;
      if (stat(paths[i], &st)) continue;
      file[m].dev     = st.st_dev;
      file[m].ino     = st.st_ino;
      file[m++].index = i;
    }
    qsort(file, (size_t)m, sizeof(*file), CompareSampleFiles);
    for (PetscInt k = 1; k < m && !msg[0]; k++)
      if (file[k].dev == file[k - 1].dev && file[k].ino == file[k - 1].ino) PetscCall(PetscSNPrintf(msg, sizeof(msg), "samples %s and %s are the same file (a link, or another spelling of the path): give each sample once", paths[file[k - 1].index], paths[file[k].index]));
    PetscCall(PetscFree(file));
  }
  PetscCall(VitBcastError(comm, msg));
  PetscFunctionReturn(0);
}

/* The samples of -samples or -sample_list, and the path depth that names their cache entries. */
static PetscErrorCode SampleListGet(MPI_Comm comm, FeatOptions *o, PetscInt *n, char ***paths)
{
  PetscFunctionBeginUser;
  PetscCheck(o->samples[0] || o->sample_list[0], comm, PETSC_ERR_USER_INPUT, "features needs -samples 'GLOB' (or files) or -sample_list FILE");
  PetscCall(VitSamplePathsGet(comm, o->samples, o->sample_list, n, paths));
  PetscCall(DistinctNameDepth(comm, *n, *paths, &o->name_depth));
  PetscCall(CheckDistinctFiles(comm, *n, *paths));
  if (o->name_depth > 1) {
    char name[PETSC_MAX_PATH_LEN];
    CacheName((*paths)[0], o->name_depth, name, sizeof(name));
    PetscCall(PetscPrintf(comm, "features: note: samples share file names: their cache entries are named by their last %" PetscInt_FMT " path components (%s for %s)\n", o->name_depth, name, (*paths)[0]));
  }
  PetscFunctionReturn(0);
}

/* The folder -features_cache DIR, created (with its parents) by rank 0 when missing; one error
   line when it cannot be. Collective. */
PetscErrorCode VitFeaturesCacheFolder(MPI_Comm comm, const char dir[])
{
  char        errmsg[PETSC_MAX_PATH_LEN + 128] = "";
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  if (!dir[0]) PetscFunctionReturn(0);
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    char path[PETSC_MAX_PATH_LEN];
    PetscCall(PetscStrncpy(path, dir, sizeof(path)));
    for (char *slash = strchr(path + 1, '/');; slash = strchr(slash + 1, '/')) { /* mkdir -p */
      if (slash) *slash = 0;
      if (mkdir(path, 0777) && errno != EEXIST) {
        snprintf(errmsg, sizeof(errmsg), "-features_cache %s: cannot create the folder %s (%s)", dir, path, strerror(errno));
        break;
      }
      if (!slash) break;
      *slash = '/';
    }
    if (!errmsg[0]) {
      struct stat st;
      if (stat(dir, &st) || !S_ISDIR(st.st_mode)) snprintf(errmsg, sizeof(errmsg), "-features_cache %s: not a folder", dir);
    }
  }
  PetscCall(VitBcastError(comm, errmsg));
  PetscFunctionReturn(0);
}

PetscErrorCode VitFeaturesOutputCheck(MPI_Comm comm, const char out[], const char cache[], PetscInt n, char *const paths[])
{
  char        msg[2 * PETSC_MAX_PATH_LEN + 128] = "";
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCall(VitOutputCheck(comm, "-o", out, n, (const char *const *)paths));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    const char *folder = cache[0] ? cache : VIT_FEATURES_CACHE_DEFAULT, *slash = strrchr(out, '/');
    char        parent[PETSC_MAX_PATH_LEN];
    PetscCall(PetscSNPrintf(parent, sizeof(parent), "%.*s", slash ? (int)PetscMax(slash - out, 1) : 1, slash ? out : "."));
    if (VitSameFile(parent, folder))
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "-o %s is in the cache folder %s (-features_cache), whose per-sample outputs this run reads and writes: give an output outside it", out, folder));
  }
  PetscCall(VitBcastError(comm, msg));
  PetscFunctionReturn(0);
}

/* A sample's cached output with the given suffix, computed first when missing or stale. Collective. */
static PetscErrorCode CacheEnsure(MPI_Comm comm, const FeatOptions *o, const char sample[], const char suffix[], char cached[])
{
  PetscBool stale;

  PetscFunctionBeginUser;
  PetscCall(VitFeaturesCachePath(o, sample, suffix, cached));
  PetscCall(VitFeaturesCacheStale(comm, o, sample, cached, &stale));
  if (stale) PetscCall(VitFeaturesCacheCompute(comm, o, sample, cached));
  PetscFunctionReturn(0);
}

/* Open a sample's spectrum output in the cache, computing it first when stale. Collective. */
PetscErrorCode VitFeaturesSpectrumOpen(MPI_Comm comm, const FeatOptions *o, const char sample[], VitH5 *h5)
{
  char cached[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(CacheEnsure(comm, o, sample, ".spectrum.h5", cached));
  PetscCall(VitH5OpenRead(comm, cached, h5));
  PetscFunctionReturn(0);
}

PetscErrorCode VitFeaturesCachePath(const FeatOptions *o, const char sample[], const char suffix[], char path[])
{
  char name[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  CacheName(sample, o->name_depth, name, sizeof(name));
  PetscCall(PetscSNPrintf(path, PETSC_MAX_PATH_LEN, "%s/%s%s", o->cache[0] ? o->cache : VIT_FEATURES_CACHE_DEFAULT, name, suffix));
  PetscFunctionReturn(0);
}

/* Whether a cached rdf output was computed on the grid that -rdf_dr/-rdf_rmax ask for now (options
   not given: any grid matches) and holds S(q) when S(q) features are asked for. Rank 0 only. */
static PetscErrorCode RdfCacheMatches(const FeatOptions *o, const char cached[], PetscBool *match)
{
  VitH5      h5;
  PetscReal  dr, rmax, step, *r;
  PetscBool  dr_set, rmax_set, has_sq;
  PetscInt   nr;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-rdf_dr", &dr, &dr_set));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-rdf_rmax", &rmax, &rmax_set));
  PetscCall(VitH5OpenRead(PETSC_COMM_SELF, cached, &h5));
  PetscCall(VitH5ReadReal(&h5, "/structure/rdf/r", &nr, &r));
  PetscCall(VitH5Exists(&h5, "/structure/sq/S_partial", &has_sq));
  PetscCall(VitH5Close(&h5));
  step   = nr > 1 ? r[1] - r[0] : 2 * r[0]; /* bin centres (k + 1/2) dr */
  *match = (PetscBool)(!(dr_set && PetscAbsReal(step - dr) > 1e-9 * dr) && !(rmax_set && nr != (PetscInt)PetscFloorReal(rmax / step + 1e-9)) && (has_sq || strcmp(o->kind, "sq")));
  PetscCall(PetscFree(r));
  PetscFunctionReturn(0);
}

/* Whether option NAME (without '-') can change the given product: an rdf output depends only on
   the rdf/S(q) options (and the sample's dimension); a spectrum output on everything except
   those (and -rdf, predict's input list). So changing -rdf_dr recomputes no spectrum. */
static PetscBool OptionChangesProduct(const char name[], PetscBool rdf)
{
  PetscBool structural = (PetscBool)(!strncmp(name, "rdf_", 4) || !strncmp(name, "sq", 2));
  if (rdf) return (PetscBool)(structural || !strcmp(name, "sample_dimension") || !strcmp(name, "potential_elements")); /* the species names of the pairs */
  return (PetscBool)!(structural || !strcmp(name, "rdf"));
}

/* The entries ("-name values") of an options key (VitOptionsKey) that can change the product,
   numbers written as %.12g (so "-rdf_dr 0.005" and "-rdf_dr 5e-3" agree). */
static PetscErrorCode ProductKey(const char key[], PetscBool rdf, char **out)
{
  char     *copy, *tok, *save = NULL;
  size_t    len;
  PetscBool keep = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(PetscStrallocpy(key, &copy));
  PetscCall(PetscStrlen(key, &len));
  len = 20 * len + 32; /* a number rewritten as %.12g may be longer than typed ("1e5") */
  PetscCall(PetscCalloc1(len + 2, out));
  for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
    if (tok[0] == '-' && isalpha((unsigned char)tok[1])) keep = OptionChangesProduct(tok + 1, rdf);
    if (!keep) continue;
    if ((*out)[0]) PetscCall(PetscStrlcat(*out, " ", len + 2));
    if (!(tok[0] == '-' && isalpha((unsigned char)tok[1]))) {
      char  *end, number[32];
      double value = strtod(tok, &end);
      if (end != tok && !*end) {
        PetscCall(PetscSNPrintf(number, sizeof(number), "%.12g", value));
        PetscCall(PetscStrlcat(*out, number, len + 2));
        continue;
      }
    }
    PetscCall(PetscStrlcat(*out, tok, len + 2));
  }
  PetscCall(PetscFree(copy));
  PetscFunctionReturn(0);
}

/* The product key of an options string (PetscOptionsGetAll's, or a file's /meta options). */
static PetscErrorCode CurrentProductKey(const char options[], PetscBool rdf, char **product)
{
  char *key;

  PetscFunctionBeginUser;
  PetscCall(VitOptionsKey(options, &key));
  PetscCall(ProductKey(key, rdf, product));
  PetscCall(PetscFree(key));
  PetscFunctionReturn(0);
}

/* The /meta options, sample and sample stamp of a cached output, read once (NULL when absent: an
   output of another program, or of a vitrum that did not record them). Rank 0 only. */
static PetscErrorCode CacheMetaRead(const char cached[], char **options, char **sample, char **stamp, char **revision)
{
  VitH5 h5;

  PetscFunctionBeginUser;
  PetscCall(VitH5OpenRead(PETSC_COMM_SELF, cached, &h5));
  PetscCall(VitH5ReadAttrString(&h5, "/meta", "options", options));
  PetscCall(VitH5ReadAttrString(&h5, "/meta", "sample", sample));
  PetscCall(VitH5ReadAttrString(&h5, "/meta", "sample_stamp", stamp));
  if (revision) PetscCall(VitH5ReadAttrString(&h5, "/meta", "results_revision", revision));
  PetscCall(VitH5Close(&h5));
  PetscFunctionReturn(0);
}

/* Whether a vitrum-written cached output (options recorded) has this vitrum's results revision
   (VIT_RESULTS_REVISION; none recorded: revision 1): else its numbers may differ from what this
   vitrum computes, and why says so. Outputs of other programs are taken as they are. */
static PetscBool CacheRevisionCurrent(const char options[], const char revision[], char why[], size_t len)
{
  const char *then = revision ? revision : "1";

  if (!options || !strcmp(then, VIT_RESULTS_REVISION)) return PETSC_TRUE;
  snprintf(why, len, "was computed by a vitrum whose results differ (results revision %s, this one %s)", then, VIT_RESULTS_REVISION);
  return PETSC_FALSE;
}

/* Whether the cached output was made with the same result-changing options as now (its /meta
   options `then` against the options database, compared through VitOptionsKey restricted to the
   product's options). An output without /meta options was not written by vitrum (e.g. spectra
   from another code): it is taken as it is. key_then (if not NULL): the file's product key when
   it differs (else NULL). */
static PetscErrorCode CacheOptionsMatch(const char then[], PetscBool rdf, PetscBool *match, char **key_then)
{
  char *now, *product_then, *product_now;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetAll(NULL, &now));
  PetscCall(CurrentProductKey(then, rdf, &product_then));
  PetscCall(CurrentProductKey(now, rdf, &product_now));
  *match = (PetscBool)(!then || !strcmp(product_then, product_now));
  if (key_then && !*match) *key_then = product_then;
  else PetscCall(PetscFree(product_then));
  PetscCall(PetscFree(now));
  PetscCall(PetscFree(product_now));
  PetscFunctionReturn(0);
}

#define CACHE_MARKER "vitrum_complete"
#define SAMPLE_ATTR  "sample"

/* The sample's canonical path (links and .. resolved), recorded in its cached outputs: two samples
   of the same name from different folders map to the same cache entry, and this tells them apart. */
static void SampleIdentity(const char sample[], char id[PETSC_MAX_PATH_LEN])
{
  char resolved[PATH_MAX];
  snprintf(id, PETSC_MAX_PATH_LEN, "%s", realpath(sample, resolved) ? resolved : sample);
}

/* The sample file's size and modification time (ns), recorded in its cached outputs: a sample
   changed since (rewritten, or replaced by a copy of another age) is computed again. */
static void SampleStamp(const char sample[], char stamp[64])
{
  struct stat st;

  if (stat(sample, &st)) stamp[0] = 0;
  else snprintf(stamp, 64, "%lld bytes, modified %lld.%09ld", (long long)st.st_size, (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
}

/* Whether a cached output with /meta options `options`, sample `then` and sample stamp `stamp`
   was computed from this sample as it is now; when not, why, in `why` (one line). Foreign outputs
   (no /meta options) are taken as they are; outputs without a stamp (older vitrum) by the sample. */
static PetscBool CacheOfSample(const char sample[], const char options[], const char then[], const char stamp[], char why[], size_t len)
{
  char id[PETSC_MAX_PATH_LEN], now[64];

  SampleIdentity(sample, id);
  SampleStamp(sample, now);
  if (!options || (then && !strcmp(then, id) && (!stamp || !strcmp(stamp, now)))) return PETSC_TRUE;
  if (then && !strcmp(then, id)) snprintf(why, len, "was computed from %.400s before it changed (then %s, now %s)", id, stamp, now);
  else if (then) snprintf(why, len, "was computed from %.400s, not from %.400s", then, id);
  else snprintf(why, len, "does not say which sample it was computed from (an older vitrum wrote it)");
  return PETSC_FALSE;
}

/* The cached file opened read-only, or -1: anything but a regular file is not opened (reading a
   FIFO would wait for a writer). Rank 0 only; the caller silences HDF5's messages. */
static hid_t CacheOpen(const char cached[])
{
  struct stat st;

  return stat(cached, &st) || !S_ISREG(st.st_mode) ? -1 : H5Fopen(cached, H5F_ACC_RDONLY, H5P_DEFAULT);
}

/* Whether a cached file can be opened and, when vitrum wrote it (/meta options), carries the
   completion marker written after everything else (a run killed while writing leaves none).
   Rank 0 only; HDF5's own messages are silenced. */
static PetscBool CacheIntact(const char cached[])
{
  hid_t     file;
  PetscBool intact;

  H5E_BEGIN_TRY
  {
    file   = CacheOpen(cached);
    intact = (PetscBool)(file >= 0 && (H5Aexists_by_name(file, "/meta", "options", H5P_DEFAULT) <= 0 || H5Aexists_by_name(file, "/meta", CACHE_MARKER, H5P_DEFAULT) > 0));
    if (file >= 0) H5Fclose(file);
  }
  H5E_END_TRY;
  return intact;
}

/* Whether cached is an up-to-date output of sample for the current options: present, not older than
   the sample, intact (else a warning when warn), on the asked grid (rdf) and made with the same
   product options. other_key (if not NULL): the product key of an intact vitrum output made with
   other options (else NULL). Rank 0 only. */
static PetscErrorCode CacheFresh(const FeatOptions *o, const char sample[], const char cached[], PetscBool rdf, PetscBool warn, PetscBool *fresh, char **other_key)
{
  struct stat ss, sc;
  PetscBool   match = PETSC_TRUE;
  char       *options = NULL, *then = NULL, *stamp = NULL, *revision = NULL, why[1024];

  PetscFunctionBeginUser;
  if (other_key) *other_key = NULL;
  *fresh = PETSC_FALSE;
  if (o->recompute || stat(cached, &sc) || (!stat(sample, &ss) && sc.st_mtime < ss.st_mtime)) PetscFunctionReturn(0);
  if (!S_ISREG(sc.st_mode)) { /* never opened: reading a FIFO would wait for a writer */
    if (warn) PetscCall(PetscPrintf(PETSC_COMM_SELF, "vitrum: warning: %s is %s, not a cached output: recomputing it\n", cached, VitFileKind(cached)));
    PetscFunctionReturn(0);
  }
  if (!CacheIntact(cached)) {
    if (warn) PetscCall(PetscPrintf(PETSC_COMM_SELF, "vitrum: warning: %s is damaged or incomplete (unreadable, or no completion marker): recomputing it\n", cached));
    PetscFunctionReturn(0);
  }
  PetscCall(CacheMetaRead(cached, &options, &then, &stamp, &revision));
  if (!CacheOfSample(sample, options, then, stamp, why, sizeof(why)) || !CacheRevisionCurrent(options, revision, why, sizeof(why))) {
    if (warn) PetscCall(PetscPrintf(PETSC_COMM_SELF, "vitrum: note: %s %s: recomputing it\n", cached, why));
  } else {
    if (rdf) PetscCall(RdfCacheMatches(o, cached, &match));
    PetscCall(CacheOptionsMatch(options, rdf, fresh, other_key));
    *fresh = (PetscBool)(*fresh && match);
  }
  PetscCall(PetscFree(options));
  PetscCall(PetscFree(then));
  PetscCall(PetscFree(stamp));
  PetscCall(PetscFree(revision));
  PetscFunctionReturn(0);
}

/* Where the output of another setting is kept: SAMPLE.rdf.HASH.h5 (HASH: FNV-1a of its product key). */
static PetscErrorCode ParkedPath(const char cached[], const char key[], char path[])
{
  uint64_t    hash = 1469598103934665603ULL;
  const char *ext  = strrchr(cached, '.');

  PetscFunctionBeginUser;
  for (const char *c = key; *c; c++) hash = (hash ^ (unsigned char)*c) * 1099511628211ULL;
  PetscCall(PetscSNPrintf(path, PETSC_MAX_PATH_LEN, "%.*s.%016llx%s", (int)(ext - cached), cached, (unsigned long long)hash, ext));
  PetscFunctionReturn(0);
}

/* Move the file from to to (rank 0); on failure a message for VitBcastError. */
static void MoveFile(const char from[], const char to[], char errmsg[], size_t len)
{
  if (!errmsg[0] && rename(from, to)) snprintf(errmsg, len, "cannot rename the cached output %.400s to %.400s (is the cache folder writable?)", from, to);
}

/* Rank 0 of VitFeaturesCacheStale: whether the cached output must be (re)computed; another
   setting's output is kept aside and this setting's brought back if it was kept. */
static PetscErrorCode CacheStaleOnRank0(const FeatOptions *o, const char sample[], const char cached[], char errmsg[], size_t len, int *flag)
{
  PetscBool rdf = (PetscBool)(strstr(cached, ".rdf.h5") != NULL), fresh;
  char     *other = NULL;

  PetscFunctionBeginUser;
  PetscCall(CacheFresh(o, sample, cached, rdf, PETSC_TRUE, &fresh, &other));
  if (other) {
    char parked[PETSC_MAX_PATH_LEN], *now, *options;
    PetscCall(ParkedPath(cached, other, parked));
    MoveFile(cached, parked, errmsg, len);
    PetscCall(PetscOptionsGetAll(NULL, &options));
    PetscCall(CurrentProductKey(options, rdf, &now));
    PetscCall(ParkedPath(cached, now, parked));
    PetscCall(CacheFresh(o, sample, parked, rdf, PETSC_FALSE, &fresh, NULL));
    if (fresh) MoveFile(parked, cached, errmsg, len);
    PetscCall(PetscFree(options));
    PetscCall(PetscFree(now));
    PetscCall(PetscFree(other));
  }
  if (fresh) PetscCall(VitOutputClearLeftovers(cached)); /* of a writer killed after its rename */
  *flag = !fresh;
  PetscFunctionReturn(0);
}

/* A cached output made with the current product options stands for a run with them: those options
   did their work (they selected it), so they are marked used and not reported as unused (a run
   whose spectra are all cached reads no -potential_* option itself). The key holds only options
   that can change a result (VitOptionsKey): one that nothing reads stays unused and is reported. */
static PetscErrorCode MarkProductOptionsUsed(PetscBool rdf)
{
  char     *options, *product, *tok, *save = NULL;
  PetscBool given;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetAll(NULL, &options));
  PetscCall(CurrentProductKey(options, rdf, &product));
  for (tok = strtok_r(product, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
    if (tok[0] == '-' && isalpha((unsigned char)tok[1])) PetscCall(PetscOptionsHasName(NULL, NULL, tok, &given));
  PetscCall(PetscFree(product));
  PetscCall(PetscFree(options));
  PetscFunctionReturn(0);
}

PetscErrorCode VitFeaturesCacheStale(MPI_Comm comm, const FeatOptions *o, const char sample[], const char cached[], PetscBool *stale)
{
  PetscMPIInt rank;
  int         flag = 1;
  char        errmsg[1024] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  /* an unreadable cached file fails on rank 0 alone: raise it on all of comm */
  PetscCall(VitAgreeOnError(comm, rank ? 0 : CacheStaleOnRank0(o, sample, cached, errmsg, sizeof(errmsg), &flag)));
  PetscCall(VitBcastError(comm, errmsg));
  PetscCallMPI(MPI_Bcast(&flag, 1, MPI_INT, 0, comm));
  *stale = flag ? PETSC_TRUE : PETSC_FALSE;
  if (!*stale) PetscCall(MarkProductOptionsUsed((PetscBool)(strstr(cached, ".rdf.h5") != NULL)));
  PetscFunctionReturn(0);
}

/* fresh[j]: sample j's rdf output is cached and up to date (CacheFresh, no warning). Rank 0 only. */
static PetscErrorCode RdfFreshOnRank0(const FeatOptions *o, PetscInt n, char **paths, PetscBool fresh[])
{
  char cached[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  for (PetscInt j = 0; j < n; j++) {
    PetscCall(VitFeaturesCachePath(o, paths[j], ".rdf.h5", cached));
    PetscCall(CacheFresh(o, paths[j], cached, PETSC_TRUE, PETSC_FALSE, &fresh[j], NULL));
  }
  PetscFunctionReturn(0);
}

/* One r grid for all samples (VitRdfEnsembleGrid), within the boxes of the samples whose rdf output
   must be computed (those with a fresh cached output are not read; the check here only looks:
   no warning, no cached file moved). Collective. */
static PetscErrorCode EnsembleGrid(MPI_Comm comm, const FeatOptions *o, PetscInt n, char **paths)
{
  char      **computed, cached[PETSC_MAX_PATH_LEN];
  PetscInt    ncomputed = 0;
  PetscBool  *fresh;
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscCalloc2(n + 1, &computed, n + 1, &fresh));
  PetscCall(VitAgreeOnError(comm, rank ? 0 : RdfFreshOnRank0(o, n, paths, fresh)));
  PetscCallMPI(MPI_Bcast(fresh, (PetscMPIInt)n, MPIU_BOOL, 0, comm));
  for (PetscInt j = 0; j < n; j++)
    if (!fresh[j]) computed[ncomputed++] = paths[j];
  PetscCall(VitFeaturesCachePath(o, paths[0], ".rdf.h5", cached));
  { /* the grid of the first sample's cached output only: an entry of another sample of that name is not its grid */
    PetscBool ours = PETSC_TRUE;
    if (!rank && CacheIntact(cached)) {
      char *options = NULL, *then = NULL, *stamp = NULL, why[1024];
      PetscCall(CacheMetaRead(cached, &options, &then, &stamp, NULL));
      ours = CacheOfSample(paths[0], options, then, stamp, why, sizeof(why));
      PetscCall(PetscFree(options));
      PetscCall(PetscFree(then));
      PetscCall(PetscFree(stamp));
    }
    PetscCallMPI(MPI_Bcast(&ours, 1, MPIU_BOOL, 0, comm));
    PetscCall(VitRdfEnsembleGrid(comm, paths[0], ours ? cached : "", ncomputed, computed));
  }
  PetscCall(PetscFree2(computed, fresh));
  PetscFunctionReturn(0);
}

/* Whether -features_targets asks for a boson peak: scalars (boson_peak_omega, boson_peak_height),
   a boson_peak_* name, or boson (the peak of the broadened VDOS). The spectrum of a sample always
   holds its boson peak; its warning that the search found none is noise unless a target asks for
   the peak (docs/fit.md). */
static PetscBool WantsBosonPeak(const FeatOptions *o)
{
  char  list[sizeof(o->targets)], *save = NULL;
  char *token;

  PetscCallAbort(PETSC_COMM_SELF, PetscStrncpy(list, o->targets, sizeof(list)));
  for (token = strtok_r(list, ",", &save); token; token = strtok_r(NULL, ",", &save))
    if (!strcmp(token, "scalars") || !strcmp(token, "boson") || !strncmp(token, "boson_peak_", 11)) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* Whether cached is an output that vitrum did not write: it opens and has no /meta options (e.g.
   spectra from another code in the schema of docs/spectrum.md). Rank 0 only. */
static PetscBool CacheForeign(const char cached[])
{
  hid_t     file;
  PetscBool foreign;

  H5E_BEGIN_TRY
  {
    file    = CacheOpen(cached);
    foreign = (PetscBool)(file >= 0 && H5Aexists_by_name(file, "/meta", "options", H5P_DEFAULT) <= 0);
    if (file >= 0) H5Fclose(file);
  }
  H5E_END_TRY;
  return foreign;
}

PetscErrorCode VitFeaturesCacheCompute(MPI_Comm comm, const FeatOptions *o, const char sample[], const char cached[])
{
  PetscMPIInt rank;
  int         ok = 1;
  char        tmp[PETSC_MAX_PATH_LEN], stamp[64], errmsg[PETSC_MAX_PATH_LEN + 512] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank && CacheForeign(cached))
    PetscCall(PetscSNPrintf(errmsg, sizeof(errmsg), "%s was not written by vitrum (no /meta options) and does not serve this run (older than the sample %s, on another grid than -rdf_dr and -rdf_rmax ask, without the S(q) asked for, or -features_recompute): vitrum does not overwrite a file it did not write; move it away, or give another -features_cache", cached, sample));
  PetscCall(VitBcastError(comm, errmsg));
  SampleStamp(sample, stamp); /* the sample as it was read: a change while computing makes the output stale */
  VitOutputsHold(); /* the marker goes into the temporary file: the entry appears complete, or not at all */
  if (strstr(cached, ".rdf.h5")) PetscCall(VitRdfRunSample(comm, sample, cached));
  else PetscCall(VitSpectrumRunSample(comm, sample, cached, WantsBosonPeak(o)));
  PetscCall(VitOutputTmpName(cached, tmp));
  if (!rank) { /* the sample it belongs to, then the marker, last: the file is complete */
    hid_t file = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT), space = -1, attr = -1;
    int   one  = 1;
    char  id[PETSC_MAX_PATH_LEN];
    VitH5 h5; /* this process's handle of the file, for VitH5WriteAttrString */
    PetscCall(PetscMemzero(&h5, sizeof(h5)));
    h5.file = file;
    SampleIdentity(sample, id);
    if (file >= 0 && !VitH5WriteAttrString(&h5, "/meta", SAMPLE_ATTR, id) && !VitH5WriteAttrString(&h5, "/meta", "sample_stamp", stamp)) space = H5Screate(H5S_SCALAR);
    if (space >= 0) attr = H5Acreate_by_name(file, "/meta", CACHE_MARKER, H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ok = attr >= 0 && H5Awrite(attr, H5T_NATIVE_INT, &one) >= 0;
    if (attr >= 0) H5Aclose(attr);
    if (space >= 0) H5Sclose(space);
    if (file >= 0) ok = H5Fclose(file) >= 0 && ok;
  }
  PetscCallMPI(MPI_Bcast(&ok, 1, MPI_INT, 0, comm));
  PetscCheck(ok, comm, PETSC_ERR_FILE_WRITE, "%s: cannot add the completion marker to the cached output (is the folder writable?)", cached);
  PetscCall(VitOutputsCommit(comm));
  PetscFunctionReturn(0);
}

static PetscBool WantsSpectrum(const FeatOptions *o)
{
  return (PetscBool)(strcmp(o->targets, "none") != 0);
}

/* Whether the run may compute spectrum outputs: for its targets, or per atom for a per-atom target
   read from them (all but omega2, energy and none). */
static PetscBool SpectrumMayRun(const FeatOptions *o)
{
  if (!o->per_atom) return WantsSpectrum(o);
  return (PetscBool)(strcmp(o->atom_target, "omega2") && strcmp(o->atom_target, "energy") && strcmp(o->atom_target, "none"));
}

/* /spectrum/scalars entries that describe how a number was computed, not the glass (the bound and
   the moments of the boson peak search, KPM error bars): `scalars` leaves them out; a target named
   alone is taken as it is. */
static PetscBool IsDiagnosticScalar(const char name[])
{
  const char *diagnostic[] = {"boson_peak_at_bound", "boson_peak_search_min", "boson_peak_moments"};
  size_t      len          = strlen(name);

  for (size_t k = 0; k < sizeof(diagnostic) / sizeof(diagnostic[0]); k++)
    if (!strcmp(name, diagnostic[k])) return PETSC_TRUE;
  return (PetscBool)(len > 4 && !strcmp(name + len - 4, "_err"));
}

/* The target groups features gives (a target's name up to '(': D(omega=...) is of group D), the
   -features_targets token that gives each, and what of the spectra each needs: an option that must
   be given (given) and a spectrum option that must not be turned off (on). The /spectrum/scalars
   entries are tokens of their own (and of 'scalars', but the diagnostics); moments gives
   omega2_mean too. */
static const struct {
  const char *group, *token, *given, *on, *why;
} feature_targets[] = {
  {"D",                           "vdos",                  NULL,                    NULL,                NULL},
  {"C",                           "cumvdos",               NULL,                    NULL,                NULL},
  {"boson_peak_omega_broadened",  "boson",                 NULL,                    NULL,                NULL},
  {"boson_peak_height_broadened", "boson",                 NULL,                    NULL,                NULL},
  {"cv",                          "cv",                    NULL,                    NULL,                NULL},
  {"omega4_mean",                 "moments",               NULL,                    NULL,                NULL},
  {"omega2_mean",                 "omega2_mean",           NULL,                    NULL,                NULL},
  {"energy_per_atom",             "energy_per_atom",       NULL,                    NULL,                NULL},
  {"mean_participation",          "mean_participation",    NULL,                    NULL,                NULL},
  {"omega2_mean_kpm",             "omega2_mean_kpm",       NULL,                    "-spectrum_kpm",     "from the KPM moments"},
  {"omega2_mean_kpm_err",         "omega2_mean_kpm_err",   NULL,                    "-spectrum_kpm",     "from the KPM moments"},
  {"boson_peak_omega",            "boson_peak_omega",      NULL,                    "-spectrum_kpm",     "the peak of the KPM VDOS"},
  {"boson_peak_height",           "boson_peak_height",     NULL,                    "-spectrum_kpm",     "the peak of the KPM VDOS"},
  {"boson_peak_at_bound",         "boson_peak_at_bound",   NULL,                    "-spectrum_kpm",     "the peak of the KPM VDOS"},
  {"boson_peak_search_min",       "boson_peak_search_min", NULL,                    "-spectrum_kpm",     "the peak of the KPM VDOS"},
  {"boson_peak_moments",          "boson_peak_moments",    NULL,                    "-spectrum_kpm",     "the peak of the KPM VDOS"},
  {"negative_count",              "negative_count",        NULL,                    "-spectrum_inertia", "counted by MUMPS inertia"},
  {"low_mode_count",              "low_mode_count",        "-spectrum_count_omega", "-spectrum_inertia", "the modes below the first -spectrum_count_omega W, counted by MUMPS inertia"},
};
#define VIT_FEATURE_TARGETS (sizeof(feature_targets) / sizeof(feature_targets[0]))

static PetscInt FeatureTargetIndex(const char group[])
{
  for (size_t k = 0; k < VIT_FEATURE_TARGETS; k++)
    if (!strcmp(feature_targets[k].group, group)) return (PetscInt)k;
  return -1;
}

const char *VitFeaturesTargetToken(const char group[])
{
  const PetscInt k = FeatureTargetIndex(group);
  return k < 0 ? NULL : feature_targets[k].token;
}

void VitFeaturesTargetGroups(char list[], size_t len)
{
  list[0] = 0;
  for (size_t k = 0; k < VIT_FEATURE_TARGETS; k++) snprintf(list + strlen(list), len - strlen(list), "%s%s", k ? ", " : "", feature_targets[k].group);
}

PetscBool VitFeaturesTargetsGive(const char targets[], const char group[])
{
  const PetscInt k = FeatureTargetIndex(group);
  char           list[1024], *token, *save = NULL;
  PetscBool      gives = PETSC_FALSE;

  if (k < 0) return PETSC_FALSE;
  snprintf(list, sizeof(list), "%s", targets);
  for (token = strtok_r(list, ",", &save); token; token = strtok_r(NULL, ",", &save)) {
    const PetscBool scalar = (PetscBool)!strcmp(feature_targets[k].token, group);
    gives = (PetscBool)(gives || !strcmp(token, feature_targets[k].token) || (scalar && !strcmp(token, "scalars") && !IsDiagnosticScalar(group)) || (!strcmp(token, "moments") && !strcmp(group, "omega2_mean")));
  }
  return gives;
}

PetscErrorCode VitFeaturesTargetCheckOptions(MPI_Comm comm, const char what[], const char group[])
{
  const PetscInt k = FeatureTargetIndex(group);
  PetscBool      given = PETSC_TRUE, on = PETSC_TRUE;

  PetscFunctionBeginUser;
  if (k < 0) PetscFunctionReturn(0);
  if (feature_targets[k].given) PetscCall(PetscOptionsHasName(NULL, NULL, feature_targets[k].given, &given));
  if (feature_targets[k].on) PetscCall(PetscOptionsGetBool(NULL, NULL, feature_targets[k].on, &on, NULL));
  PetscCheck(given, comm, PETSC_ERR_USER_INPUT, "%s: %s (%s) needs %s: give %s W (unit as -vdos_omega_max)", what, group, feature_targets[k].why, feature_targets[k].given, feature_targets[k].given);
  PetscCheck(on, comm, PETSC_ERR_USER_INPUT, "%s: %s (%s) needs %s: leave out %s 0", what, group, feature_targets[k].why, feature_targets[k].on, feature_targets[k].on);
  PetscFunctionReturn(0);
}

/* Every -features_targets token that is a target with needs (low_mode_count without
   -spectrum_count_omega): checked before any sample is read (they failed after every spectrum). */
static PetscErrorCode CheckTargetsOptions(MPI_Comm comm, const FeatOptions *o)
{
  char list[sizeof(o->targets)], what[sizeof(o->targets) + 32], *token, *save = NULL;

  PetscFunctionBeginUser;
  if (o->per_atom) PetscFunctionReturn(0);
  PetscCall(PetscStrncpy(list, o->targets, sizeof(list)));
  PetscCall(PetscSNPrintf(what, sizeof(what), "-features_targets %s", o->targets));
  for (token = strtok_r(list, ",", &save); token; token = strtok_r(NULL, ",", &save)) PetscCall(VitFeaturesTargetCheckOptions(comm, what, token));
  PetscFunctionReturn(0);
}

/* The checks of the options that need no sample, the spectrum command's and its stages' included
   where spectra may be computed: a bad value stops the run before any sample is read. */
static PetscErrorCode FeatOptionsCheck(MPI_Comm comm, const FeatOptions *o)
{
  PetscFunctionBeginUser;
  PetscCall(VitCheckPositiveReal(comm, "-features_smooth", o->smooth, PETSC_TRUE, "a Gaussian width; 0: none"));
  PetscCall(VitCheckFiniteReal(comm, "-features_rmin", o->xmin, "the smallest r or q kept"));
  PetscCall(VitCheckPositiveReal(comm, "-features_rmax", o->xmax, PETSC_TRUE, "the largest r or q kept; 0: all"));
  PetscCall(VitCheckPositiveReal(comm, "-features_atom_sigma", o->atom_sigma, PETSC_TRUE, "a Gaussian width; 0: the default"));
  PetscCall(VitCheckPositiveReal(comm, "-features_atom_dr", o->atom_dr, PETSC_TRUE, "a grid spacing; 0: the default"));
  PetscCall(VitCheckPositiveReal(comm, "-features_atom_vdos_omega_max", o->atom_vdos_omega_max, PETSC_TRUE, "a frequency; 0: -vdos_omega_max"));
  if (SpectrumMayRun(o)) PetscCall(VitSpectrumCheckOptions(comm));
  PetscCall(CheckTargetsOptions(comm, o));
  PetscFunctionReturn(0);
}

PetscErrorCode VitFeaturesCheckOptions(MPI_Comm comm)
{
  FeatOptions o;

  PetscFunctionBeginUser;
  PetscCall(FeatOptionsRead(comm, &o));
  PetscCall(FeatOptionsCheck(comm, &o));
  PetscFunctionReturn(0);
}

/* Every sample's spectra in the unit style of the first: a file declaring 'units = metal' among
   undeclared ones run in lj units would put THz and 1/tau into one target column. Outputs without
   the style (from another code) are taken as they are. Collective: every rank reads the attribute. */
static PetscErrorCode CheckSpectraUnits(MPI_Comm comm, const FeatOptions *o, PetscInt n, char *const paths[])
{
  char     *first = NULL, cached[PETSC_MAX_PATH_LEN];
  PetscInt  first_sample = -1;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; i++) {
    VitH5     h5;
    PetscBool exists;
    char     *style = NULL;

    PetscCall(VitFeaturesCachePath(o, paths[i], ".spectrum.h5", cached));
    PetscCall(VitH5OpenRead(comm, cached, &h5));
    PetscCall(VitH5Exists(&h5, "/spectrum/moments", &exists));
    if (exists) PetscCall(VitH5ReadAttrString(&h5, "/spectrum/moments", "units_style", &style));
    PetscCall(VitH5Close(&h5));
    if (style && !first) first = style, first_sample = i;
    else if (style) {
      PetscCheck(!strcmp(style, first), comm, PETSC_ERR_USER_INPUT, "%s: its spectra are in %s units, those of %s in %s units (a file's 'units =' declaration, else -units or the potential's default): one dataset needs one unit style; give -units, or samples that declare the same units", paths[i], style, paths[first_sample], first);
      PetscCall(PetscFree(style));
    }
  }
  PetscCall(PetscFree(first));
  PetscFunctionReturn(0);
}

/* Spectra can only be computed with a potential: if one is missing or stale and -potential was
   not given, say so here on all ranks (inside a sub-communicator the error would abort). */
static PetscErrorCode CheckSpectraComputable(MPI_Comm comm, const FeatOptions *o, PetscInt n, char *const paths[])
{
  PetscBool has_potential;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsHasName(NULL, NULL, "-potential", &has_potential));
  if (!WantsSpectrum(o) || has_potential) PetscFunctionReturn(0);
  for (PetscInt i = 0; i < n; i++) {
    char      cached[PETSC_MAX_PATH_LEN];
    PetscBool stale;
    PetscCall(VitFeaturesCachePath(o, paths[i], ".spectrum.h5", cached));
    PetscCall(VitFeaturesCacheStale(comm, o, paths[i], cached, &stale));
    PetscCheck(!stale, comm, PETSC_ERR_USER_INPUT, "%s: no up-to-date spectrum output %s, and computing it needs -potential (or use -features_targets none)", paths[i], cached);
  }
  PetscFunctionReturn(0);
}

/* The missing or stale outputs of one sample, on the sub-communicator sub. */
static PetscErrorCode ComputeSample(MPI_Comm sub, const FeatOptions *o, const char path[])
{
  char cached[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(CacheEnsure(sub, o, path, ".rdf.h5", cached));
  if (WantsSpectrum(o)) PetscCall(CacheEnsure(sub, o, path, ".spectrum.h5", cached));
  PetscFunctionReturn(0);
}

/* Compute the missing or stale per-sample outputs: sample i goes to sub-communicator i % ngroups,
   in rounds of one sample per group. After each round the groups agree whether one failed, so a
   failure stops every group at once; VitAgreeOnError then raises its error on all of comm. */
static PetscErrorCode ComputeSamples(MPI_Comm comm, const FeatOptions *o, PetscInt n, char *const paths[])
{
  PetscMPIInt    size, rank;
  PetscInt       ngroups, group, mine = 0, done = 0;
  MPI_Comm       sub;
  VitProgress    progress;
  PetscErrorCode ierr = 0;
  int            failed = 0;

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
  for (PetscInt first = 0; first < n && !failed; first += ngroups) {
    int mine_failed;
    if (first + group < n) {
      VitUserErrorContext(paths[first + group]); /* an error about this sample names it */
      ierr = ComputeSample(sub, o, paths[first + group]);
      VitUserErrorContext(NULL);
      done++;
      if (!rank && !ierr) PetscCall(VitProgressUpdate(PETSC_COMM_SELF, &progress, done));
    }
    mine_failed = ierr != 0;
    PetscCallMPI(MPI_Allreduce(&mine_failed, &failed, 1, MPI_INT, MPI_LOR, comm));
  }
  PetscCallMPI(MPI_Comm_free(&sub));
  PetscCall(VitAgreeOnError(comm, ierr));
  PetscFunctionReturn(0);
}

static PetscBool InRange(const FeatOptions *o, PetscReal x)
{
  return (PetscBool)(x >= o->xmin && (o->xmax <= 0 || x <= o->xmax));
}

/* Feature row of one sample: the partial profiles (rows of /structure/rdf/g or /structure/sq/S_partial)
   on the grid points within [xmin, xmax]. The first sample fixes the grid and names; the others must match. */
/* Replace the partial profiles by their scattering-weighted total (-features_total): the factors
   are set up from the first sample's species; every sample must have the same species. */
static PetscErrorCode WeightedTotal(MPI_Comm comm, const FeatOptions *o, VitH5 *h5, PetscInt nx, const PetscReal q[], PetscInt npairs, char *const pairs[], VitScattering *sc, PetscReal **prof)
{
  PetscInt   nt, *counts;
  char       species[VIT_MAX_TYPES][VIT_NAME_LEN];
  PetscReal *total;

  PetscFunctionBeginUser;
  PetscCall(VitH5ReadInt(h5, "/structure/rdf/type_counts", &nt, &counts));
  PetscCall(VitPairsTypeNames(comm, npairs, pairs, nt, species));
  if (!sc->ntypes) PetscCall(VitScatteringSetUp(comm, o->total, nt, species, o->scattering_lengths, sc));
  PetscCheck(nt == sc->ntypes, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " species, the first sample had %" PetscInt_FMT, h5->path, nt, sc->ntypes);
  for (PetscInt a = 0; a < nt; a++) PetscCheck(!strcmp(species[a], sc->species[a]), comm, PETSC_ERR_USER_INPUT, "%s: species %" PetscInt_FMT " is %s, the first sample's is %s", h5->path, a + 1, species[a], sc->species[a]);
  PetscCall(PetscMalloc1(nx, &total));
  PetscCall(VitScatteringTotal(comm, sc, counts, nx, q, *prof, total));
  PetscCall(PetscFree(*prof));
  PetscCall(PetscFree(counts));
  *prof = total;
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadFeatureRow(MPI_Comm comm, const FeatOptions *o, const char sample[], const char path[], VitScattering *sc, Table *tab, PetscReal **row)
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
  PetscCheck(nx > 0 && nprof == npairs * nx, comm, PETSC_ERR_USER_INPUT, "%s: %s has %" PetscInt_FMT " values, expected %" PetscInt_FMT " pairs x %" PetscInt_FMT " points", path, pname, nprof, npairs, nx);
  if (o->total) { /* one profile, named after the radiation */
    PetscCall(WeightedTotal(comm, o, &h5, nx, sq ? x : NULL, npairs, pairs, sc, &prof));
    PetscCall(VitStringsFree(npairs, &pairs));
    npairs = 1;
    PetscCall(PetscMalloc1(1, &pairs));
    PetscCall(PetscStrallocpy(VitRadiations[o->total], &pairs[0]));
  }
  PetscCall(VitH5Close(&h5));
  for (PetscInt a = 0; a < npairs; a++) PetscCall(VitGaussianSmooth(nx, x, sq ? 0 : o->smooth, prof + a * nx));
  if (!tab->names) { /* first sample: the columns */
    for (PetscInt i = 0; i < nx; i++) tab->ncols += InRange(o, x[i]);
    tab->ncols *= npairs;
    PetscCheck(tab->ncols > 0, comm, PETSC_ERR_USER_INPUT, "%s: no grid point in [-features_rmin %.6g, -features_rmax %.6g]", path, (double)o->xmin, (double)o->xmax);
    PetscCall(PetscMalloc1(tab->ncols, &tab->names));
    for (PetscInt a = 0; a < npairs; a++)
      for (PetscInt i = 0; i < nx; i++) {
        char name[128];
        if (!InRange(o, x[i])) continue;
        PetscCall(PetscSNPrintf(name, sizeof(name), "%s_%s(%s=%.10g)", sq ? "S" : "g", pairs[a], sq ? "q" : "r", (double)x[i]));
        PetscCall(PetscStrallocpy(name, &tab->names[k++]));
      }
  }
  PetscCall(PetscMalloc1(tab->ncols, row));
  k = 0;
  for (PetscInt a = 0; a < npairs; a++)
    for (PetscInt i = 0; i < nx; i++) {
      char expect[128];
      if (!InRange(o, x[i])) continue;
      PetscCall(PetscSNPrintf(expect, sizeof(expect), "%s_%s(%s=%.10g)", sq ? "S" : "g", pairs[a], sq ? "q" : "r", (double)x[i]));
      PetscCheck(k < tab->ncols && !strcmp(expect, tab->names[k]), comm, PETSC_ERR_USER_INPUT, "%s (sample %s): its pairs or grid differ from the first sample's (feature '%s' where '%s' was expected): use the same -rdf_rmax and -rdf_dr for all samples, and -potential_elements naming every species of the ensemble in one order (samples lacking one get it without atoms)",
                 path, sample, expect, k < tab->ncols ? tab->names[k] : "(none)");
      (*row)[k++] = prof[a * nx + i];
    }
  PetscCheck(k == tab->ncols, comm, PETSC_ERR_USER_INPUT, "%s (sample %s): %" PetscInt_FMT " features, the first sample had %" PetscInt_FMT, path, sample, k, tab->ncols);
  PetscCall(PetscFree(x));
  PetscCall(PetscFree(prof));
  PetscCall(VitStringsFree(npairs, &pairs));
  PetscFunctionReturn(0);
}

PetscInt VitFeaturesVolumeDimension(VitH5 *h5)
{
  char  units[64] = "";
  hid_t attr, type;

  H5E_BEGIN_TRY { attr = H5Aopen_by_name(h5->file, "/structure/rdf/volume", "units", H5P_DEFAULT, H5P_DEFAULT); }
  H5E_END_TRY;
  if (attr < 0) return 3;
  type = H5Aget_type(attr);
  if (H5Tis_variable_str(type) <= 0 && H5Tget_size(type) < sizeof(units)) H5Aread(attr, type, units);
  H5Tclose(type);
  H5Aclose(attr);
  return strstr(units, "^2") ? 2 : 3;
}

/* Add one sample's species fractions and density (from the rdf output's type_counts and volume);
   the composition stays unknown if any sample lacks them. Type names come from the pair names:
   pair 0 is "T0-T0", pair k < ntypes is "T0-Tk". */
static PetscErrorCode AddComposition(MPI_Comm comm, const char path[], VitComposition *c)
{
  VitH5      h5;
  PetscBool  has_counts, has_volume;
  PetscInt   nt, one, npairs, *counts, dim;
  PetscReal *volume;
  char     **pairs, names[VIT_MAX_TYPES][VIT_NAME_LEN];

  PetscFunctionBeginUser;
  PetscCall(VitH5OpenRead(comm, path, &h5));
  PetscCall(VitH5Exists(&h5, "/structure/rdf/type_counts", &has_counts));
  PetscCall(VitH5Exists(&h5, "/structure/rdf/volume", &has_volume));
  if (!has_counts || !has_volume || (c->nsamples && !c->known)) {
    c->known = PETSC_FALSE;
    c->nsamples++;
    PetscCall(VitH5Close(&h5));
    PetscFunctionReturn(0);
  }
  PetscCall(VitH5ReadInt(&h5, "/structure/rdf/type_counts", &nt, &counts));
  PetscCall(VitH5ReadReal(&h5, "/structure/rdf/volume", &one, &volume));
  PetscCall(VitH5ReadStrings(&h5, "/structure/rdf/pairs", &npairs, &pairs));
  PetscCheck(nt <= VIT_MAX_TYPES && npairs >= nt, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " species and %" PetscInt_FMT " pairs", path, nt, npairs);
  {
    size_t len0 = (strlen(pairs[0]) - 1) / 2;
    for (PetscInt a = 0; a < nt; a++) PetscCall(PetscStrncpy(names[a], a ? pairs[a] + len0 + 1 : pairs[0], a ? VIT_NAME_LEN : PetscMin(len0 + 1, VIT_NAME_LEN)));
  }
  dim = VitFeaturesVolumeDimension(&h5);
  PetscCall(VitH5Close(&h5));
  PetscCall(VitCompositionAdd(comm, path, dim, nt, (const char(*)[VIT_NAME_LEN])names, counts, volume[0], c));
  PetscCall(PetscFree(counts));
  PetscCall(PetscFree(volume));
  PetscCall(VitStringsFree(npairs, &pairs));
  PetscFunctionReturn(0);
}

PetscErrorCode VitCompositionAdd(MPI_Comm comm, const char path[], PetscInt dim, PetscInt nt, const char names[][VIT_NAME_LEN], const PetscInt counts[], PetscReal volume, VitComposition *c)
{
  PetscInt  total = 0;
  PetscReal rho;

  PetscFunctionBeginUser;
  if (!c->nsamples) {
    c->known  = PETSC_TRUE;
    c->ntypes = nt;
    c->dim    = dim;
    for (PetscInt a = 0; a < nt; a++) PetscCall(PetscStrncpy(c->names[a], names[a], VIT_NAME_LEN));
  }
  PetscCheck(nt == c->ntypes, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " species, the first sample had %" PetscInt_FMT ": give -potential_elements naming every species of the ensemble in one order", path, nt, c->ntypes);
  for (PetscInt a = 0; a < nt; a++) total += counts[a];
  PetscCall(PetscRealloc((c->nsamples + 1) * nt * sizeof(PetscReal), &c->sample_counts));
  PetscCall(PetscRealloc((c->nsamples + 1) * sizeof(PetscReal), &c->sample_density));
  for (PetscInt a = 0; a < nt; a++) {
    const PetscReal x = (PetscReal)counts[a] / total;
    c->fraction[a] += x;
    c->fraction_min[a] = c->nsamples ? PetscMin(c->fraction_min[a], x) : x;
    c->fraction_max[a] = c->nsamples ? PetscMax(c->fraction_max[a], x) : x;
    c->sample_counts[c->nsamples * nt + a] = (PetscReal)counts[a];
  }
  rho = total / volume;
  c->sample_density[c->nsamples] = rho;
  c->density += rho;
  c->density_min = c->nsamples ? PetscMin(c->density_min, rho) : rho;
  c->density_max = c->nsamples ? PetscMax(c->density_max, rho) : rho;
  c->natoms += total;
  c->nsamples++;
  PetscFunctionReturn(0);
}

/* One note when the species' fractions differ between the samples: fit's exact kernels (omega2_mean,
   energy_per_atom) take the ensemble-mean composition, so they miss each sample's own. */
static PetscErrorCode CompositionNote(MPI_Comm comm, const VitComposition *c)
{
  char      ranges[VIT_MAX_TYPES * (VIT_NAME_LEN + 40)] = "";
  PetscBool varies = PETSC_FALSE;

  PetscFunctionBeginUser;
  for (PetscInt a = 0; a < c->ntypes; a++) {
    char one[VIT_NAME_LEN + 40];
    varies = (PetscBool)(varies || c->fraction_max[a] > c->fraction_min[a]);
    PetscCall(PetscSNPrintf(one, sizeof(one), "%s%s %.6g to %.6g", a ? ", " : "", c->names[a], (double)c->fraction_min[a], (double)c->fraction_max[a]));
    PetscCall(PetscStrlcat(ranges, one, sizeof(ranges)));
  }
  if (varies) PetscCall(PetscPrintf(comm, "features: note: the species' fractions differ between the %" PetscInt_FMT " samples (%s); fit's exact kernels of omega2_mean and energy_per_atom take the ensemble mean (/dataset/structure/type_fraction), each sample's own is /dataset/structure/sample_type_counts (docs/fit.md)\n", c->nsamples, ranges));
  PetscFunctionReturn(0);
}

PetscErrorCode VitCompositionWrite(VitH5 *h5, const VitComposition *c)
{
  PetscReal   fraction[VIT_MAX_TYPES], range[2] = {c->density_min, c->density_max};
  const char *names[VIT_MAX_TYPES];
  hsize_t     nt = (hsize_t)c->ntypes, two = 2, per_sample[2] = {(hsize_t)c->nsamples, (hsize_t)c->ntypes};

  PetscFunctionBeginUser;
  if (!c->known) PetscFunctionReturn(0);
  PetscCall(CompositionNote(h5->comm, c));
  for (PetscInt a = 0; a < c->ntypes; a++) {
    fraction[a] = c->fraction[a] / c->nsamples;
    names[a]    = c->names[a];
  }
  PetscCall(VitH5WriteScalar(h5, "/dataset/structure/dim", (PetscReal)c->dim, "1"));
  PetscCall(VitH5WriteScalar(h5, "/dataset/structure/density", c->density / c->nsamples, c->dim == 2 ? "1/length^2" : "1/length^3"));
  if (c->units_style[0]) PetscCall(VitH5WriteAttrString(h5, "/dataset/structure/density", "units_style", c->units_style)); /* fit passes it to predict */
  PetscCall(VitH5WriteReal(h5, "/dataset/structure/density_range", 1, &two, range, c->dim == 2 ? "1/length^2" : "1/length^3"));
  PetscCall(VitH5WriteReal(h5, "/dataset/structure/type_fraction", 1, &nt, fraction, "1"));
  PetscCall(VitH5WriteScalar(h5, "/dataset/structure/natoms", c->natoms / c->nsamples, "1"));
  PetscCall(VitH5WriteStrings(h5, "/dataset/structure/type_names", c->ntypes, names));
  PetscCall(VitH5WriteReal(h5, "/dataset/structure/sample_type_counts", 2, per_sample, c->sample_counts, "1"));
  PetscCall(VitH5WriteReal(h5, "/dataset/structure/sample_density", 1, per_sample, c->sample_density, c->dim == 2 ? "1/length^2" : "1/length^3"));
  PetscFunctionReturn(0);
}

PetscErrorCode VitCompositionDestroy(VitComposition *c)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(c->sample_counts));
  PetscCall(PetscFree(c->sample_density));
  PetscFunctionReturn(0);
}


/* Names of the datasets in /spectrum/scalars, diagnostics left out. */
static herr_t CollectName(hid_t group, const char *name, const H5L_info_t *info, void *ctx)
{
  Table *names = (Table *)ctx;
  if (!IsDiagnosticScalar(name) && names->ncols < names->capacity && !PetscStrallocpy(name, &names->names[names->ncols])) names->ncols++;
  return 0;
}

/* Targets of token cv: the harmonic heat capacity per atom (k_B) at each temperature of the
   spectrum output's grid, /spectrum/cv/cv_modes when exact (VitVdosTargetsSetUp) or the spectrum has no
   KPM, else /spectrum/cv/cv (from the KPM VDOS), named "cv(T=300 K)" with the unit of /spectrum/cv/T. */
static PetscErrorCode HeatCapacityTargets(MPI_Comm comm, VitH5 *h5, PetscBool exact, Table *found, PetscInt *nv, PetscReal **v)
{
  PetscInt   nT;
  PetscReal *T;
  PetscBool  kpm, modes;
  char      *unit = NULL, name[128];

  PetscFunctionBeginUser;
  PetscCall(VitH5Exists(h5, "/spectrum/cv/cv", &kpm));
  PetscCall(VitH5Exists(h5, "/spectrum/cv/cv_modes", &modes));
  PetscCheck(kpm || modes, comm, PETSC_ERR_USER_INPUT, "%s: has no /spectrum/cv/cv (-features_targets cv): compute the spectra with -spectrum_kpm (the default) or -spectrum_method dense", h5->path);
  PetscCall(VitH5ReadReal(h5, "/spectrum/cv/T", &nT, &T));
  PetscCall(VitH5ReadReal(h5, exact || !kpm ? "/spectrum/cv/cv_modes" : "/spectrum/cv/cv", nv, v));
  PetscCheck(*nv == nT && nT <= found->capacity, comm, PETSC_ERR_USER_INPUT, "%s: /spectrum/cv has %" PetscInt_FMT " temperatures and %" PetscInt_FMT " values (at most %" PetscInt_FMT " supported as targets)", h5->path, nT, *nv, found->capacity);
  PetscCall(VitH5ReadAttrString(h5, "/spectrum/cv/T", "units", &unit));
  if (unit) unit[strcspn(unit, " (")] = 0; /* lj: "epsilon/k_B (hbar = 1 ...)" */
  for (PetscInt k = 0; k < nT; k++) {
    PetscCall(PetscSNPrintf(name, sizeof(name), "cv(T=%.6g%s%s)", (double)T[k], unit && unit[0] ? " " : "", unit ? unit : ""));
    PetscCall(PetscStrallocpy(name, &found->names[found->ncols++]));
  }
  PetscCall(PetscFree(unit));
  PetscCall(PetscFree(T));
  PetscFunctionReturn(0);
}

/* Append to (names, values) the targets of one token of -features_targets. */
static PetscErrorCode AddTargets(MPI_Comm comm, VitH5 *h5, const char token[], PetscBool cv_exact, PetscInt *n, char ***names, PetscReal **values)
{
  PetscInt   nv = 0;
  PetscReal *v = NULL;
  char       dset[PETSC_MAX_PATH_LEN];
  Table      found = {0, 0, 4096, NULL, NULL};
  PetscBool  exists;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(found.capacity, &found.names));
  if (!strcmp(token, "cv")) {
    PetscCall(HeatCapacityTargets(comm, h5, cv_exact, &found, &nv, &v));
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
  PetscFunctionReturn(0);
}

/* One column per target name: a name that an earlier token already gave (a group that holds a
   target named alone, omega2_mean,moments or scalars,moments, or a name given twice) keeps its
   first occurrence. The number of columns dropped goes to *repeated, the first such name to first. */
static PetscErrorCode DropRepeatedTargets(PetscInt *n, char **names, PetscReal *values, PetscInt *repeated, char first[], size_t len)
{
  PetscInt keep = 0, *firsts;

  PetscFunctionBeginUser;
  *repeated = 0;
  PetscCall(PetscMalloc1(*n + 1, &firsts));
  PetscCall(VitNameFirstOccurrence(*n, names, firsts));
  for (PetscInt i = 0; i < *n; i++) {
    if (firsts[i] != i) {
      if (!(*repeated)++) PetscCall(PetscStrncpy(first, names[i], len));
      PetscCall(PetscFree(names[i]));
      continue;
    }
    names[keep]  = names[i];
    values[keep] = values[i];
    keep++;
  }
  *n = keep;
  PetscCall(PetscFree(firsts));
  PetscFunctionReturn(0);
}

/* Target row of one sample from its spectrum output; the first sample fixes the names. */
static PetscErrorCode ReadTargetRow(MPI_Comm comm, const FeatOptions *o, VitVdosTargets *vt, const char sample[], const char path[], Table *tab, PetscReal **row)
{
  VitH5      h5;
  PetscInt   n = 0, repeated;
  char     **names = NULL, list[1024], *token, *save, first[256] = "";

  PetscFunctionBeginUser;
  *row = NULL;
  PetscCall(VitH5OpenRead(comm, path, &h5));
  PetscCall(PetscStrncpy(list, o->targets, sizeof(list)));
  for (token = strtok_r(list, ",", &save); token; token = strtok_r(NULL, ",", &save)) {
    if (VitVdosTargetToken(token)) PetscCall(VitVdosTargetsAdd(comm, vt, &h5, token, &n, &names, row));
    else PetscCall(AddTargets(comm, &h5, token, vt->cv_exact, &n, &names, row));
  }
  PetscCall(VitH5Close(&h5));
  PetscCall(DropRepeatedTargets(&n, names, *row, &repeated, first, sizeof(first)));
  if (!tab->names) {
    if (repeated) PetscCall(PetscPrintf(comm, "features: note: -features_targets %s names %" PetscInt_FMT " target(s) more than once (e.g. %s): one column each, where it first appears\n", o->targets, repeated, first));
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

/* Remove the columns that are the same in every row; they move to `dropped` (one row: their names
   and values, which the model keeps so that predict can check a sample's bins against them). */
static PetscErrorCode DropConstantColumns(Table *tab, Table *dropped)
{
  PetscInt keep = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(tab->ncols + 1, &dropped->data));
  PetscCall(PetscMalloc1(tab->ncols + 1, &dropped->names));
  dropped->nrows = 1;
  dropped->ncols = 0;
  for (PetscInt j = 0; j < tab->ncols; j++) {
    PetscBool constant = PETSC_TRUE;
    for (PetscInt i = 1; i < tab->nrows && constant; i++) constant = (PetscBool)(tab->data[i * tab->ncols + j] == tab->data[j]);
    if (constant && tab->nrows > 1) {
      dropped->data[dropped->ncols]    = tab->data[j];
      dropped->names[dropped->ncols++] = tab->names[j];
      continue;
    }
    for (PetscInt i = 0; i < tab->nrows; i++) tab->data[i * tab->ncols + keep] = tab->data[i * tab->ncols + j];
    tab->names[keep++] = tab->names[j];
  }
  /* compact the rows now that every row has `keep` leading values spaced by the old ncols */
  for (PetscInt i = 0; i < tab->nrows; i++) PetscCall(PetscArraymove(tab->data + i * keep, tab->data + i * tab->ncols, keep));
  tab->ncols = keep;
  PetscFunctionReturn(0);
}

/* The r grid of a cached rdf output: bin width and rmax (bins centred at (k + 1/2) dr, k < nr). */
static PetscErrorCode RdfGrid(MPI_Comm comm, const char cached[], PetscReal *dr, PetscReal *rmax)
{
  VitH5      h5;
  PetscInt   nr;
  PetscReal *r;

  PetscFunctionBeginUser;
  PetscCall(VitH5OpenRead(comm, cached, &h5));
  PetscCall(VitH5ReadReal(&h5, "/structure/rdf/r", &nr, &r));
  PetscCall(VitH5Close(&h5));
  *dr   = nr > 1 ? r[1] - r[0] : 2 * r[0];
  *rmax = nr * *dr;
  PetscCall(PetscFree(r));
  PetscFunctionReturn(0);
}

/* For fit's exact kernels of omega2_mean and energy_per_atom: the pair potential of the spectra on
   the feature grid (phi, phi', phi'' of every feature's pair at its r, /dataset/structure/pair_table)
   and the species' masses (/dataset/structure/type_mass), both as the spectrum command resolves
   them for the first sample (its -lj_* options or its data file's PairIJ Coeffs; its Masses, the
   potential file or the element names). Only for partial g(r) features and a pair -potential:
   fit then needs no -potential and never falls back on default parameters. */
static PetscErrorCode WritePairTable(MPI_Comm comm, const FeatOptions *o, const char first[], const Table *X, const VitComposition *c, VitH5 *h5)
{
  char         style[64] = "";
  PetscBool    set;
  VitSample    sample;
  VitPotential pot;
  VitUnits     units;
  PetscReal   *r, *table;
  PetscInt    *a, *b, bad;
  const PetscInt p = X->ncols;
  hsize_t      dims[1] = {(hsize_t)(3 * p)}, nt = (hsize_t)c->ntypes;

  PetscFunctionBeginUser;
  PetscCall(VitOptionsGetString(comm, "-potential", style, sizeof(style), &set));
  if (!set || !VitPotentialStyleIsPair(style) || strcmp(o->kind, "rdf") || o->total || !c->known) PetscFunctionReturn(0);
  PetscCall(VitSampleReadPath(comm, first, &sample));
  PetscCall(VitSampleNameTypesFromOptions(comm, &sample));
  PetscCall(VitPotentialCreateFromOptions(comm, &sample, &pot));
  PetscCall(VitUnitsSetUpForPotential(comm, pot, &sample, &units, NULL));
  PetscCall(PetscMalloc4(p, &a, p, &b, p, &r, 3 * p, &table));
  VitFeatureSpeciesPairs(p, X->names, c->ntypes, (const char(*)[VIT_NAME_LEN])c->names, a, b, r, &bad);
  PetscCheck(bad < 0, comm, PETSC_ERR_PLIB, "feature %s is not a partial of the species", bad < 0 ? "" : X->names[bad]);
  for (PetscInt i = 0; i < p; i++) PetscCall(pot->pair(pot, a[i], b[i], r[i], &table[i], &table[p + i], &table[2 * p + i]));
  PetscCall(VitH5WriteReal(h5, "/dataset/structure/pair_table", 1, dims, table, "phi (energy), then phi' (energy/length), then phi'' (energy/length^2) of each feature"));
  PetscCall(VitH5WriteAttrString(h5, "/dataset/structure/pair_table", "potential", pot->name));
  PetscCall(VitH5WriteAttrString(h5, "/dataset/structure/pair_table", "units_style", units.name));
  PetscCall(VitH5WriteReal(h5, "/dataset/structure/type_mass", 1, &nt, sample.type_mass, units.mass));
  PetscCall(PetscFree4(a, b, r, table));
  PetscCall(VitPotentialDestroy(&pot));
  PetscCall(VitSampleDestroy(&sample));
  PetscFunctionReturn(0);
}

PetscErrorCode VitFeaturesWriteSamplePaths(VitH5 *h5, PetscInt n, char *const paths[])
{
  char **abs;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(n, &abs));
  for (PetscInt i = 0; i < n; i++) {
    PetscCall(PetscMalloc1(PETSC_MAX_PATH_LEN, &abs[i]));
    SampleIdentity(paths[i], abs[i]);
  }
  PetscCall(VitH5WriteStrings(h5, "/dataset/sample_paths", n, (const char *const *)abs));
  PetscCall(VitStringsFree(n, &abs));
  PetscFunctionReturn(0);
}

/* The features dropped as constant over the samples (-features_drop_constant): their names and values. */
static PetscErrorCode WriteConstantFeatures(VitH5 *h5, const FeatOptions *o, const Table *constant)
{
  hsize_t dims[1] = {(hsize_t)constant->ncols};

  PetscFunctionBeginUser;
  if (!constant->ncols) PetscFunctionReturn(0);
  PetscCall(VitH5WriteStrings(h5, "/dataset/constant_feature_names", constant->ncols, (const char *const *)constant->names));
  PetscCall(VitH5WriteReal(h5, "/dataset/constant_feature_values", 1, dims, constant->data, strcmp(o->kind, "sq") ? "1 (g(r))" : "1 (S(q))"));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteDataset(MPI_Comm comm, const FeatOptions *o, PetscInt n, char *const paths[], const Table *X, const Table *Y, const Table *constant, const VitComposition *comp, const VitScattering *sc, const VitVdosTargets *vdos)
{
  VitH5   h5;
  hsize_t dims[2] = {(hsize_t)n, (hsize_t)X->ncols};
  char    cached[PETSC_MAX_PATH_LEN];
  PetscReal dr = 0, rmax = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(vit_log.write, 0, 0, 0, 0));
  PetscCall(VitH5Create(comm, o->out, &h5));
  PetscCall(VitH5WriteReal(&h5, "/dataset/X", 2, dims, X->data, strcmp(o->kind, "sq") ? "1 (g(r))" : "1 (S(q))"));
  dims[1] = (hsize_t)Y->ncols;
  PetscCall(VitH5WriteReal(&h5, "/dataset/Y", 2, dims, Y->data, "target"));
  PetscCall(VitH5WriteStrings(&h5, "/dataset/feature_names", X->ncols, (const char *const *)X->names));
  PetscCall(VitH5WriteStrings(&h5, "/dataset/target_names", Y->ncols, (const char *const *)Y->names));
  PetscCall(VitH5WriteStrings(&h5, "/dataset/sample_names", n, (const char *const *)paths));
  PetscCall(VitFeaturesWriteSamplePaths(&h5, n, paths));
  PetscCall(WriteConstantFeatures(&h5, o, constant));
  PetscCall(VitH5WriteScalar(&h5, "/dataset/feature_smooth", strcmp(o->kind, "sq") ? o->smooth : 0.0, "length"));
  PetscCall(VitH5WriteAttrString(&h5, "/dataset", "feature_kind", o->kind));
  PetscCall(VitFeaturesCachePath(o, paths[0], ".rdf.h5", cached));
  PetscCall(RdfGrid(comm, cached, &dr, &rmax));
  PetscCall(VitH5WriteScalar(&h5, "/dataset/rdf_dr", dr, "length"));
  PetscCall(VitH5WriteScalar(&h5, "/dataset/rdf_rmax", rmax, "length"));
  PetscCall(VitCompositionWrite(&h5, comp));
  PetscCall(WritePairTable(comm, o, paths[0], X, comp, &h5));
  if (o->total) PetscCall(VitScatteringWrite(&h5, "/dataset/scattering", sc));
  if (vdos && vdos->kpm) { /* the broadened targets: width (the reduced VDOS means something above 3 sigma) and source */
    PetscCall(VitH5WriteScalar(&h5, "/dataset/vdos_sigma", vdos->sigma, vdos->unit));
    PetscCall(VitH5WriteAttrString(&h5, "/dataset/vdos_sigma", "source", vdos->exact ? "exact eigenvalues" : "KPM moments"));
  }
  PetscCall(VitH5Close(&h5));
  PetscCall(PetscLogEventEnd(vit_log.write, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* The unit style of a sample whose file declares `declared` ("": nothing), as VitSampleUnitsStyle. */
static PetscErrorCode UnitsStyle(MPI_Comm comm, const char declared[], char style[16], char from[], size_t len)
{
  char      potential[64] = "";
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(style, declared, 16));
  PetscCall(PetscStrncpy(from, "declared by its file", len));
  if (style[0]) PetscFunctionReturn(0);
  PetscCall(VitOptionsGetString(comm, "-units", style, 16, &set));
  PetscCall(PetscStrncpy(from, "-units", len));
  if (set) PetscFunctionReturn(0);
  PetscCall(VitOptionsGetString(comm, "-potential", potential, sizeof(potential), &set));
  if (set) PetscCall(PetscStrncpy(style, VitPotentialStyleIsPair(potential) ? "lj" : "metal", 16));
  if (set) PetscCall(PetscSNPrintf(from, len, "the default of -potential %s", potential));
  else PetscCall(PetscStrncpy(from, "not declared by its file, no -units or -potential", len));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSampleUnitsStyle(MPI_Comm comm, const VitSample *s, char style[16], char from[], size_t len)
{
  PetscFunctionBeginUser;
  PetscCall(UnitsStyle(comm, s->units, style, from, len));
  PetscFunctionReturn(0);
}

/* The types, masses (0 for a type its file gives none) and Pair Coeffs that a cached rdf output
   records of its sample's file (VIT_RDF_DECLARED_MASS, VIT_RDF_DECLARED_PAIR_COEFFS), into s; the
   type names from its pairs. Collective. */
static PetscErrorCode CachedDeclared(MPI_Comm comm, VitH5 *h5, VitSample *s)
{
  PetscReal *mass;
  PetscInt   npairs;
  char     **pairs;

  PetscFunctionBeginUser;
  PetscCall(VitH5ReadReal(h5, VIT_RDF_DECLARED_MASS, &s->ntypes, &mass));
  PetscCall(VitH5ReadStrings(h5, "/structure/rdf/pairs", &npairs, &pairs));
  PetscCheck(s->ntypes >= 1 && s->ntypes <= VIT_MAX_TYPES && npairs == s->ntypes * (s->ntypes + 1) / 2, comm, PETSC_ERR_USER_INPUT, "%s: " VIT_RDF_DECLARED_MASS " has %" PetscInt_FMT " masses for the %" PetscInt_FMT " pairs of /structure/rdf/pairs: the cached output is damaged; remove it or give -features_recompute", h5->path, s->ntypes, npairs);
  PetscCall(VitPairsTypeNames(comm, npairs, pairs, s->ntypes, s->type_name));
  for (PetscInt t = 0; t < s->ntypes; t++) {
    s->type_mass[t] = PetscIsInfOrNanReal(mass[t]) ? 0 : mass[t];
    s->has_masses   = (PetscBool)(s->has_masses || s->type_mass[t] > 0);
  }
  PetscCall(VitPairCoeffsReadH5(h5, VIT_RDF_DECLARED_PAIR_COEFFS, s));
  PetscCall(PetscFree(mass));
  PetscCall(VitStringsFree(npairs, &pairs));
  PetscFunctionReturn(0);
}

/* A sample the run does not read again, as its file declared it (no atoms): what its cached rdf
   output records of the file (WriteDeclared of the rdf stage), source path. *units: its unit style
   is recorded (VIT_RDF_UNITS_DECLARED, since session 38); *declared: its masses and Pair Coeffs
   are (VIT_RDF_DECLARED_MASS, since this release). An output that records nothing (an older vitrum's,
   another program's) is used as it is, and what it does not record is not compared. Collective. */
static PetscErrorCode CachedSample(MPI_Comm comm, const FeatOptions *o, const char path[], VitSample *s, PetscBool *units, PetscBool *declared)
{
  char  cached[PETSC_MAX_PATH_LEN], *style = NULL;
  VitH5 h5;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(s, sizeof(*s)));
  PetscCall(PetscStrncpy(s->source, path, sizeof(s->source)));
  PetscCall(VitFeaturesCachePath(o, path, ".rdf.h5", cached));
  PetscCall(VitH5OpenRead(comm, cached, &h5));
  PetscCall(VitH5ReadAttrString(&h5, "/structure/rdf/r", VIT_RDF_UNITS_DECLARED, &style));
  *units = (PetscBool)(style != NULL);
  if (style && strcmp(style, "none")) PetscCall(PetscStrncpy(s->units, style, sizeof(s->units)));
  PetscCall(PetscFree(style));
  PetscCall(VitH5Exists(&h5, VIT_RDF_DECLARED_MASS, declared));
  if (*declared) PetscCall(CachedDeclared(comm, &h5, s));
  PetscCall(VitH5Close(&h5));
  PetscFunctionReturn(0);
}

/* The names of the coefficients on a Pair Coeffs line of a pair style (lj/cut: epsilon, sigma,
   cutoff), else "coefficient K". */
static void PairCoeffName(const char style[], PetscInt k, char name[], size_t len)
{
  static const char *const lj[] = {"epsilon", "sigma", "cutoff"};

  if (!strncmp(style, "lj/cut", 6) && k < 3) snprintf(name, len, "%s", lj[k]);
  else snprintf(name, len, "coefficient %d", (int)k + 1);
}

/* What a sample's coefficient section is, as a phrase: "no Pair Coeffs section", "a PairIJ Coeffs
   section (# lj/cut, 3 values a line)". */
static void PairCoeffsSection(const VitPairCoeffs *c, char out[], size_t len)
{
  static const char *const section[] = {"no Pair Coeffs section", "a Pair Coeffs section", "a PairIJ Coeffs section"};

  if (!c->per) snprintf(out, len, "%s", section[0]);
  else if (c->style[0]) snprintf(out, len, "%s (# %s, %d values a line)", section[c->per], c->style, (int)c->nvalues);
  else snprintf(out, len, "%s (%d values a line)", section[c->per], (int)c->nvalues);
}

/* Where sample s's pair coefficients (a data file's Pair Coeffs or PairIJ Coeffs) differ from
   those of sample f: one line in msg (else empty). given[k]: coefficient k is set by an option
   for every sample (-lj_epsilon, -lj_sigma, -lj_cutoff), so the files' values of it are not used. */
static void PairCoeffsDiffer(const VitSample *f, const VitSample *s, const PetscBool given[3], char msg[], size_t len)
{
  const VitPairCoeffs *a = &f->pair_coeffs, *b = &s->pair_coeffs;
  const char          *section[] = {"no Pair Coeffs", "Pair Coeffs", "PairIJ Coeffs"};

  msg[0] = 0;
  if (given[0] && given[1] && given[2]) return;
  if (a->per != b->per || a->nvalues != b->nvalues || strcmp(a->style, b->style)) {
    char mine[96], first[96];
    PairCoeffsSection(b, mine, sizeof(mine));
    PairCoeffsSection(a, first, sizeof(first));
    snprintf(msg, len, "%s has %s, the first sample %s has %s", s->source, mine, f->source, first);
    return;
  }
  for (PetscInt i = 0; i < f->ntypes && i < s->ntypes; i++)
    for (PetscInt j = i; j < f->ntypes && j < s->ntypes; j++)
      for (PetscInt k = 0; k < a->nvalues && !msg[0]; k++) {
        char name[32];
        if ((k < 3 && given[k]) || (a->given[i][j] == b->given[i][j] && (!a->given[i][j] || a->value[i][j][k] == b->value[i][j][k]))) continue;
        PairCoeffName(a->style, k, name, sizeof(name));
        if (a->given[i][j] && b->given[i][j]) snprintf(msg, len, "%s: %s of the pair %s-%s is %g in its %s, %g in that of %s", s->source, name, s->type_name[i], s->type_name[j], (double)b->value[i][j][k], section[b->per], (double)a->value[i][j][k], f->source);
        else snprintf(msg, len, "%s: its %s %s the pair %s-%s, that of %s %s", s->source, section[b->per], b->given[i][j] ? "gives" : "does not give", s->type_name[i], s->type_name[j], f->source, a->given[i][j] ? "does" : "does not");
      }
}

/* Where sample s's masses (a data file's Masses, an H5MD file's type_mass) differ from those of
   sample f beyond round-off (VitMassesAgree, relative 1e-12): one line in msg (else empty). Two files
   written by one program print the same digits; a mass printed with fewer digits (LAMMPS's
   write_data prints 6 significant) differs from the full value by more: write every sample of a
   dataset with the same program. A type whose mass one of the files does not give (no
   Masses section, or no atom of it in a mass column) is not compared: its mass is resolved later
   (element names, potential file, lj units), the same way in every sample. */
static void MassesDiffer(const VitSample *f, const VitSample *s, char msg[], size_t len)
{
  msg[0] = 0;
  if (!f->has_masses || !s->has_masses) return;
  for (PetscInt t = 0; t < f->ntypes && t < s->ntypes && !msg[0]; t++) {
    const PetscReal a = f->type_mass[t], b = s->type_mass[t];
    if (a <= 0 || b <= 0 || VitMassesAgree(a, b)) continue;
    snprintf(msg, len, "%s: the mass of atom type %s is %.10g, %.10g in the first sample %s", s->source, s->type_name[t], (double)b, (double)a, f->source);
  }
}

/* read[j]: the run reads sample j (an output of it is missing or stale); a sample whose outputs are
   all cached and up to date is not read (it may be a placeholder beside outputs of another program).
   Rank 0 only. */
static PetscErrorCode SamplesReadOnRank0(const FeatOptions *o, PetscInt n, char *const paths[], PetscBool read[])
{
  char cached[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  for (PetscInt j = 0; j < n; j++) {
    PetscBool fresh;
    PetscCall(VitFeaturesCachePath(o, paths[j], ".rdf.h5", cached));
    PetscCall(CacheFresh(o, paths[j], cached, PETSC_TRUE, PETSC_FALSE, &fresh, NULL));
    if (fresh && WantsSpectrum(o)) {
      PetscCall(VitFeaturesCachePath(o, paths[j], ".spectrum.h5", cached));
      PetscCall(CacheFresh(o, paths[j], cached, PETSC_FALSE, PETSC_FALSE, &fresh, NULL));
    }
    read[j] = (PetscBool)(!fresh || o->per_atom);
  }
  PetscFunctionReturn(0);
}

/* With a pair -potential: sample s with the pair coefficients and masses of the first sample f
   (PairCoeffsDiffer, MassesDiffer), else one error line. Collective. */
static PetscErrorCode CheckPotentialAgrees(MPI_Comm comm, const VitSample *f, const VitSample *s, const PetscBool given[3])
{
  char differ[2 * PETSC_MAX_PATH_LEN + 256];

  PetscFunctionBeginUser;
  PairCoeffsDiffer(f, s, given, differ, sizeof(differ));
  PetscCheck(!differ[0], comm, PETSC_ERR_USER_INPUT, "%s: the samples of one dataset must share the potential's parameters (the spectra and fit's exact kernels take them from each file); give samples of one potential", differ);
  MassesDiffer(f, s, differ, sizeof(differ));
  PetscCheck(!differ[0], comm, PETSC_ERR_USER_INPUT, "%s: the samples of one dataset must share the species' masses (fit's exact kernels and -fit_prior auto take them from the first sample, /dataset/structure/type_mass); give every sample the same Masses (compared to a relative 1e-12)", differ);
  PetscFunctionReturn(0);
}

/* Every sample in the unit style of the first (recorded in o->units_style) and, when a pair
   -potential is given, with its pair coefficients (a data file's Pair Coeffs, from which each
   sample's potential takes those no -lj_* option sets, and pair_table and fit's exact kernels
   those of the first sample) and its masses (MassesDiffer; type_mass is the first sample's): one
   dataset holds one unit system and one potential. A sample the run does not read again
   (SamplesReadOnRank0) is compared by what its cached rdf output records of its file
   (CachedSample; what an output of an older vitrum or of another program does not record is not
   compared). With a pair -potential the first sample is read even when cached. A many-body
   potential does not read Pair Coeffs. The spectra of cached samples are compared by
   CheckSpectraUnits too. Collective. */
static PetscErrorCode CheckSamplesAgree(MPI_Comm comm, FeatOptions *o, PetscInt n, char *const paths[])
{
  VitSample   first;
  PetscInt    f = -1, ref = -1; /* the first sample of known masses and Pair Coeffs, the first of known unit style */
  PetscBool   pair, given[3], *read;
  PetscMPIInt rank;
  char        potential[64] = "";

  PetscFunctionBeginUser;
  PetscCall(VitOptionsGetString(comm, "-potential", potential, sizeof(potential), &pair));
  pair = (PetscBool)(pair && VitPotentialStyleIsPair(potential));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-lj_epsilon", &given[0]));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-lj_sigma", &given[1]));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-lj_cutoff", &given[2]));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscCalloc1(n, &read));
  PetscCall(VitAgreeOnError(comm, rank ? 0 : SamplesReadOnRank0(o, n, paths, read)));
  PetscCallMPI(MPI_Bcast(read, (PetscMPIInt)n, MPIU_BOOL, 0, comm));
  if (pair && n) read[0] = PETSC_TRUE; /* pair_table and type_mass are the first sample's (WritePairTable): the others are compared with it, cached or not */
  for (PetscInt i = 0; i < n; i++) {
    VitSample s, *sample = f < 0 ? &first : &s;
    char      style[16], from[PETSC_MAX_PATH_LEN + 64];
    PetscBool known = PETSC_TRUE, declared = PETSC_TRUE;

    if (read[i]) PetscCall(VitSampleReadPath(comm, paths[i], sample));
    else PetscCall(CachedSample(comm, o, paths[i], sample, &known, &declared));
    if (known) PetscCall(VitSampleUnitsStyle(comm, sample, style, from, sizeof(from)));
    if (known && ref < 0) {
      ref = i;
      PetscCall(PetscStrncpy(o->units_style, style, sizeof(o->units_style)));
      PetscCall(PetscStrncpy(o->units_from, from, sizeof(o->units_from)));
    }
    PetscCheck(!known || !strcmp(style, o->units_style), comm, PETSC_ERR_USER_INPUT, "%s: in %s units (%s), the sample %s in %s units (%s): one dataset needs one unit style; give samples of one unit style", paths[i], style[0] ? style : "unknown", from, paths[ref], o->units_style[0] ? o->units_style : "unknown", o->units_from);
    if (declared && f < 0) {
      f = i;
      continue;
    }
    if (declared && pair) PetscCall(CheckPotentialAgrees(comm, &first, sample, given));
    PetscCall(VitSampleDestroy(sample));
  }
  if (f >= 0) PetscCall(VitSampleDestroy(&first));
  PetscCall(PetscFree(read));
  PetscFunctionReturn(0);
}

/* X-ray form factors depend on q in 1/A: S(q) features need lengths in A (metal or real units:
   declared by the samples' files, else given by -units, else the potential's default; o->units_style);
   g(r) takes the q = 0 weights (said once). */
static PetscErrorCode CheckTotalOptions(MPI_Comm comm, FeatOptions *o, const char first[])
{
  PetscFunctionBeginUser;
  PetscCheck(!o->total || !o->per_atom, comm, PETSC_ERR_USER_INPUT, "-features_total %s: not available with -features_per_atom (local profiles are partials)", VitRadiations[o->total]);
  if (o->total != VIT_RADIATION_XRAY) PetscFunctionReturn(0);
  if (strcmp(o->kind, "sq")) {
    PetscCall(PetscPrintf(comm, "features: note: the X-ray weights of g(r) are taken at q = 0 (f_a(0), close to the atomic number); a measured X-ray total g(r) must be reduced the same way (Faber-Ziman, f at q = 0)\n"));
    PetscFunctionReturn(0);
  }
  if (!o->units_style[0]) { /* every sample cached: CheckSamplesAgree read none */
    VitSample sample;
    PetscCall(VitSampleReadPath(comm, first, &sample));
    PetscCall(VitSampleUnitsStyle(comm, &sample, o->units_style, o->units_from, sizeof(o->units_from)));
    PetscCall(VitSampleDestroy(&sample));
  }
  PetscCheck(!strcmp(o->units_style, "metal") || !strcmp(o->units_style, "real"), comm, PETSC_ERR_USER_INPUT, "-features_total xray with -features_kind sq: the X-ray form factors need q in 1/A, so lengths in A: give -units metal or real (the units are %s, %s)", o->units_style[0] ? o->units_style : "unknown", o->units_from);
  PetscFunctionReturn(0);
}

PetscErrorCode VitCmdFeatures(void)
{
  MPI_Comm    comm = PETSC_COMM_WORLD;
  FeatOptions o;
  PetscInt    n;
  char      **paths;
  Table       X = {0}, Y = {0}, constant = {0};
  VitComposition comp = {0};
  VitScattering scattering;
  VitVdosTargets vdos;

  PetscFunctionBeginUser;
  PetscCall(FeatOptionsRead(comm, &o));
  if (VitHelpRequested()) { /* the g(r) and spectra of the samples are computed with the rdf and spectrum commands' options */
    PetscCall((*PetscHelpPrintf)(comm, "Each sample's g(r) and spectrum are computed with the rdf and spectrum options below, into -features_cache: their -o does not apply; -vdos_omega_max and -vdos_bins, given, set both the targets' grid (above) and each spectrum's\n"));
    PetscCall(VitRdfOptionsHelp(comm));
    PetscCall(VitSpectrumOptionsHelp(comm));
    PetscFunctionReturn(0);
  }
  PetscCall(FeatOptionsCheck(comm, &o));
  PetscCall(PetscMemzero(&scattering, sizeof(scattering)));
  {
    const char *const    names[]  = {"VitFeatCompute", "VitFeatAssemble"};
    PetscLogEvent *const events[] = {&FEAT_COMPUTE, &FEAT_ASSEMBLE};
    PetscCall(VitLogEventsRegister(2, names, events));
  }
  PetscCall(SampleListGet(comm, &o, &n, &paths));
  PetscCall(VitFeaturesOutputCheck(comm, o.out, o.cache, n, paths));
  PetscCall(VitFeaturesCacheFolder(comm, o.cache));
  PetscCall(CheckTotalOptions(comm, &o, paths[0]));
  if (o.per_atom) {
    PetscCall(CheckSamplesAgree(comm, &o, n, paths));
    PetscCall(VitFeaturesPerAtom(comm, &o, n, paths));
    PetscCall(VitStringsFree(n, &paths));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscPrintf(comm, "features: %" PetscInt_FMT " samples, %s features%s%s, targets %s\n", n, o.kind, o.total ? ": their total weighted for " : "", o.total ? VitRadiations[o.total] : "", o.targets));
  if (strstr(o.targets, "scalars")) PetscCall(PetscPrintf(comm, "features: note: 'scalars' leaves out the diagnostics boson_peak_at_bound, boson_peak_search_min, boson_peak_moments and *_err (name one in -features_targets to fit it)\n"));
  PetscCall(CheckSpectraComputable(comm, &o, n, paths));
  PetscCall(CheckSamplesAgree(comm, &o, n, paths));
  PetscCall(EnsembleGrid(comm, &o, n, paths)); /* one r grid for all samples */
  PetscCall(PetscLogEventBegin(FEAT_COMPUTE, 0, 0, 0, 0));
  PetscCall(ComputeSamples(comm, &o, n, paths));
  PetscCall(PetscLogEventEnd(FEAT_COMPUTE, 0, 0, 0, 0));
  if (WantsSpectrum(&o)) PetscCall(CheckSpectraUnits(comm, &o, n, paths));
  if (WantsSpectrum(&o)) PetscCall(VitVdosTargetsSetUp(comm, &o, n, paths, &vdos));

  /* Every rank reads the (small) per-sample outputs, so errors are raised on all ranks alike. */
  PetscCall(PetscLogEventBegin(FEAT_ASSEMBLE, 0, 0, 0, 0));
  PetscCall(PetscStrncpy(comp.units_style, o.units_style, sizeof(comp.units_style)));
  for (PetscInt i = 0; i < n; i++) {
    char       cached[PETSC_MAX_PATH_LEN];
    PetscReal *row;
    PetscCall(VitFeaturesCachePath(&o, paths[i], ".rdf.h5", cached));
    PetscCall(ReadFeatureRow(comm, &o, paths[i], cached, &scattering, &X, &row));
    PetscCall(AddComposition(comm, cached, &comp));
    PetscCall(TableAddRow(&X, row));
    PetscCall(PetscFree(row));
    if (!WantsSpectrum(&o)) continue;
    PetscCall(VitFeaturesCachePath(&o, paths[i], ".spectrum.h5", cached));
    PetscCall(ReadTargetRow(comm, &o, &vdos, paths[i], cached, &Y, &row));
    PetscCall(TableAddRow(&Y, row));
    PetscCall(PetscFree(row));
  }
  if (o.drop_constant) PetscCall(DropConstantColumns(&X, &constant));
  PetscCall(PetscLogEventEnd(FEAT_ASSEMBLE, 0, 0, 0, 0));
  if (WantsSpectrum(&o)) PetscCall(VitVdosTargetsReport(comm, &vdos, n));
  PetscCheck(X.ncols > 0, comm, PETSC_ERR_USER_INPUT, "features: every feature is constant over the %" PetscInt_FMT " samples", n);
  PetscCall(WriteDataset(comm, &o, n, paths, &X, &Y, &constant, &comp, &scattering, WantsSpectrum(&o) ? &vdos : NULL));
  PetscCall(PetscPrintf(comm, "features: %" PetscInt_FMT " samples x %" PetscInt_FMT " features (%" PetscInt_FMT " constant ones dropped), %" PetscInt_FMT " targets: wrote %s\n", n, X.ncols, constant.ncols, Y.ncols, o.out));
  PetscCall(TableDestroy(&X));
  PetscCall(TableDestroy(&constant));
  PetscCall(TableDestroy(&Y));
  PetscCall(VitCompositionDestroy(&comp));
  PetscCall(VitStringsFree(n, &paths));
  PetscFunctionReturn(0);
}
