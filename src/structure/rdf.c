/* Partial radial distribution functions from integer pair counts (see structure.h). */
#include <vitrum/structure.h>
#include <limits.h>
#include <unistd.h>

const char *const VitRdfGeometries[] = {"auto", "bulk", "sheet", "VitRdfGeometry", "VIT_RDF_", NULL};

PetscInt VitPairIndex(PetscInt ntypes, PetscInt a, PetscInt b)
{
  PetscInt lo = PetscMin(a, b), hi = PetscMax(a, b);
  /* rows 0..lo-1 hold ntypes, ntypes-1, ... pairs */
  return lo * ntypes - lo * (lo - 1) / 2 + (hi - lo);
}

typedef struct {
  const VitDomain *dom;
  VitRdf          *rdf;
  PetscInt         coincident[2]; /* file ids of the lowest pair found at distance 0, or -1 */
} RdfCounter;

#define VIT_RDF_MIN_DISTANCE 1e-10 /* closer atoms are on top of each other: g(r) is undefined */

static PetscErrorCode CountPair(PetscInt i, PetscInt j, const PetscReal d[3], PetscReal r, void *ctx)
{
  RdfCounter *c   = (RdfCounter *)ctx;
  VitRdf     *rdf = c->rdf;
  PetscInt    bin = (PetscInt)(r / rdf->dr);

  if (r < VIT_RDF_MIN_DISTANCE) {
    PetscInt lo = PetscMin(c->dom->fid[i], c->dom->fid[j]), hi = PetscMax(c->dom->fid[i], c->dom->fid[j]);
    if (c->coincident[0] < 0 || lo < c->coincident[0] || (lo == c->coincident[0] && hi < c->coincident[1])) {
      c->coincident[0] = lo;
      c->coincident[1] = hi;
    }
  }

  /* half loop: a pair of owned atoms stands for both of its ordered pairs */
  if (bin < rdf->nbins) rdf->count[VitPairIndex(rdf->ntypes, c->dom->type[i], c->dom->type[j]) * rdf->nbins + bin] += j < c->dom->nowned ? 2 : 1;
  return 0;
}

/* Volume (area in 2D) of the shell between r1 and r2. */
static PetscReal ShellVolume(PetscInt dim, PetscReal r1, PetscReal r2)
{
  return dim == 2 ? PETSC_PI * (r2 * r2 - r1 * r1) : 4.0 / 3.0 * PETSC_PI * (r2 * r2 * r2 - r1 * r1 * r1);
}

PetscReal VitRdfIdealPairs(const VitRdf *rdf, PetscInt a, PetscInt b)
{
  return (PetscReal)rdf->type_count[a] * (rdf->type_count[b] - (a == b)) * (a == b ? 1 : 2);
}

static PetscErrorCode RdfNormalise(VitRdf *rdf)
{
  PetscInt natoms = 0;

  PetscFunctionBeginUser;
  for (PetscInt a = 0; a < rdf->ntypes; a++) natoms += rdf->type_count[a];
  for (PetscInt k = 0; k < rdf->nbins; k++) {
    PetscReal shell = ShellVolume(rdf->dim, k * rdf->dr, (k + 1) * rdf->dr);
    int64_t   total = 0;
    rdf->r[k]       = (k + 0.5) * rdf->dr;
    for (PetscInt a = 0; a < rdf->ntypes; a++)
      for (PetscInt b = a; b < rdf->ntypes; b++) {
        PetscInt  p     = VitPairIndex(rdf->ntypes, a, b);
        PetscReal ideal = VitRdfIdealPairs(rdf, a, b) * shell / rdf->volume; /* ideal-gas count of ordered pairs */
        rdf->g[p * rdf->nbins + k] = ideal > 0 ? (PetscReal)rdf->count[p * rdf->nbins + k] / ideal : 0.0;
        total += rdf->count[p * rdf->nbins + k];
      }
    rdf->g_total[k] = natoms > 1 ? (PetscReal)total / ((PetscReal)natoms * (natoms - 1) * shell / rdf->volume) : 0.0;
  }
  PetscFunctionReturn(0);
}

/* Bytes of one rdf (counts, g, r, g_total) with nbins bins and npairs pairs. */
static PetscLogDouble RdfBytes(PetscInt npairs, PetscLogDouble nbins)
{
  return nbins * (npairs * (sizeof(int64_t) + sizeof(PetscReal)) + 2 * sizeof(PetscReal));
}

/* Half the physical memory of this node: the most one rdf may take. */
static PetscLogDouble MemoryLimit(void)
{
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? 0.5 * (PetscLogDouble)pages * (PetscLogDouble)page : 1e9;
}

PetscErrorCode VitRdfCheckGrid(MPI_Comm comm, const VitSample *sample, PetscReal rmax, PetscReal dr, PetscInt *nbins)
{
  PetscReal      width[3], half_width = PETSC_MAX_REAL;
  PetscInt       npairs = sample->ntypes * (sample->ntypes + 1) / 2;
  PetscLogDouble bins, max_bins;
  char           given[VIT_REAL_STRING_LEN], bound[VIT_REAL_STRING_LEN];

  PetscFunctionBeginUser;
  VitSampleWidths(sample, width);
  for (PetscInt k = 0; k < sample->dim; k++) half_width = PetscMin(half_width, 0.5 * width[k]);
  PetscCall(VitCheckPositiveReal(comm, "-rdf_dr", dr, PETSC_FALSE, "the bin width, a distance"));
  PetscCall(VitCheckPositiveReal(comm, "-rdf_rmax", rmax, PETSC_FALSE, "the end of g(r), a distance"));
  PetscCheck(rmax <= half_width * (1 + 1e-12), comm, PETSC_ERR_ARG_OUTOFRANGE, "%s: -rdf_rmax %s is larger than half the shortest periodic width of the box; the largest allowed value is %s", sample->source, VitRealString(rmax, given), VitBoundString(half_width, -1, bound));
  bins = PetscFloorReal(rmax / dr + 1e-9);
  PetscCheck(bins >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "-rdf_dr %.6g is larger than -rdf_rmax %.6g", (double)dr, (double)rmax);
  /* the counts are reduced with one MPI call (int count) and must fit in memory */
  max_bins = PetscMin((PetscLogDouble)VIT_RDF_MAX_BINS, MemoryLimit() / RdfBytes(npairs, 1));
  max_bins = PetscFloorReal(PetscMin(max_bins, (PetscLogDouble)INT_MAX / npairs));
  PetscCheck(bins <= max_bins, comm, PETSC_ERR_ARG_OUTOFRANGE, "-rdf_dr %.6g gives %.4g bins up to -rdf_rmax %.6g (%.3g bytes for %" PetscInt_FMT " pairs); at most %.0f bins are allowed: give -rdf_dr >= %s", (double)dr, (double)bins, (double)rmax, (double)RdfBytes(npairs, bins), npairs, (double)max_bins, VitBoundString(rmax / max_bins, 1, bound));
  *nbins = (PetscInt)bins;
  PetscFunctionReturn(0);
}

/* The lowest pair of file ids at distance 0 over all ranks (-1 when none); collective. */
static PetscErrorCode CoincidentPair(MPI_Comm comm, const PetscInt local[2], PetscInt pair[2])
{
  PetscInt mine[2] = {local[0] < 0 ? PETSC_MAX_INT : local[0], local[0] < 0 ? PETSC_MAX_INT : local[1]};

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Allreduce(mine, pair, 1, MPIU_2INT, MPI_MINLOC, comm));
  if (pair[0] == PETSC_MAX_INT) pair[0] = pair[1] = -1;
  PetscFunctionReturn(0);
}

PetscErrorCode VitSampleVacuum(MPI_Comm comm, const VitSample *sample, VitVacuum *v)
{
  PetscReal width[3];

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(v, sizeof(*v)));
  if (sample->dim != 3) PetscFunctionReturn(0);
  PetscCall(VitSampleGaps(comm, sample, v->gap, v->next));
  VitSampleWidths(sample, width);
  for (PetscInt k = 0; k < 3; k++) v->spacing[k] = sample->natoms > 0 ? PetscSqrtReal(VitSampleVolume(sample) / width[k] / sample->natoms) : 0;
  v->spacing[2] = sample->natoms > 0 ? PetscSqrtReal(sample->cell[0][0] * sample->cell[1][1] / sample->natoms) : 0; /* |a x b| exactly */
  PetscFunctionReturn(0);
}

PetscBool VitVacuumAcross(const VitVacuum *v, PetscInt k, PetscReal reach)
{
  return (PetscBool)(v->gap[k] > reach && v->gap[k] > VIT_SHEET_RATIO * PetscMax(v->next[k], v->spacing[k]));
}

PetscBool VitVacuumIsSheet(const VitVacuum *v, PetscReal reach)
{
  return (PetscBool)(VitVacuumAcross(v, 2, reach) && !VitVacuumAcross(v, 0, reach) && !VitVacuumAcross(v, 1, reach));
}

PetscErrorCode VitSampleMeanSpacing(MPI_Comm comm, const VitSample *sample, PetscReal reach, PetscReal *a)
{
  VitVacuum v;

  PetscFunctionBeginUser;
  PetscCall(VitSampleVacuum(comm, sample, &v));
  if (VitVacuumIsSheet(&v, reach)) *a = v.spacing[2];
  else *a = PetscPowReal(VitSampleVolume(sample) / sample->natoms, 1.0 / sample->dim);
  PetscFunctionReturn(0);
}

/* 2^round(log2 a): the power of two nearest a (in ratio). */
static PetscReal NearestPowerOfTwo(PetscReal a)
{
  return PetscPowReal(2.0, PetscFloorReal(PetscLog2Real(a) + 0.5));
}

PetscErrorCode VitRdfDefaultGrid(MPI_Comm comm, const VitSample *sample, VitRdfGrid *grid)
{
  VitVacuum v;
  PetscReal width[3], half = PETSC_MAX_REAL;

  PetscFunctionBeginUser;
  /* a sheet's spacing where its vacuum layer is wider than the rmax that spacing gives */
  PetscCall(VitSampleVacuum(comm, sample, &v));
  PetscCall(VitSampleMeanSpacing(comm, sample, 5 * NearestPowerOfTwo(v.spacing[2]), &grid->spacing));
  grid->unit = NearestPowerOfTwo(grid->spacing);
  grid->dr   = 0.005 * grid->unit;
  VitSampleWidths(sample, width);
  for (PetscInt k = 0; k < sample->dim; k++) half = PetscMin(half, 0.5 * width[k]);
  grid->capped = (PetscBool)(5 * grid->unit > half);
  grid->rmax   = grid->capped ? half : 5 * grid->unit;
  PetscFunctionReturn(0);
}

static VitRdfGrid ensemble_grid;
static PetscBool  ensemble_grid_set = PETSC_FALSE;

void VitRdfEnsembleGridGet(VitRdfGrid *grid, PetscBool *set)
{
  *grid = ensemble_grid;
  *set  = ensemble_grid_set;
}

/* The grid of an rdf output: its exact bin width /structure/rdf/dr (not a difference of bin centres,
   which would change the bins in the last bit; that only for files of other programs, which have
   no dr) and rmax = nbins dr; *found false when it cannot be read. Rank 0 reads (a damaged file is
   no error here: features recomputes it). */
static PetscErrorCode CachedGrid(MPI_Comm comm, const char path[], VitRdfGrid *grid, PetscBool *found)
{
  PetscMPIInt rank;
  PetscReal   g[2] = {0, 0};

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    hid_t   file, r = -1, dr = -1, space;
    hsize_t nbins = 0;
    H5E_BEGIN_TRY
    {
      file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
      if (file >= 0) r = H5Dopen2(file, "/structure/rdf/r", H5P_DEFAULT);
      if (file >= 0) dr = H5Dopen2(file, "/structure/rdf/dr", H5P_DEFAULT);
      if (r >= 0 && (space = H5Dget_space(r)) >= 0) {
        H5Sget_simple_extent_dims(space, &nbins, NULL);
        H5Sclose(space);
      }
      if (dr >= 0 && nbins > 0 && H5Dread(dr, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &g[0]) >= 0) g[1] = nbins * g[0];
      else if (dr < 0 && r >= 0 && nbins >= 2) {
        PetscReal *centre = (PetscReal *)malloc(nbins * sizeof(PetscReal));
        if (centre && H5Dread(r, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, centre) >= 0) {
          g[0] = centre[1] - centre[0];
          g[1] = nbins * g[0];
        }
        free(centre);
      }
      if (r >= 0) H5Dclose(r);
      if (dr >= 0) H5Dclose(dr);
      if (file >= 0) H5Fclose(file);
    }
    H5E_END_TRY;
  }
  PetscCallMPI(MPI_Bcast(g, 2, MPIU_REAL, 0, comm));
  *found     = (PetscBool)(g[0] > 0 && g[1] > 0);
  grid->dr   = g[0];
  grid->rmax = g[1];
  PetscFunctionReturn(0);
}

/* Half the shortest periodic width over all samples (the largest rmax every box allows) and the
   sample that has it. */
static PetscErrorCode EnsembleHalfWidth(MPI_Comm comm, PetscInt n, char *const samples[], PetscReal *half, PetscInt *which)
{
  PetscFunctionBeginUser;
  *half  = PETSC_MAX_REAL;
  *which = 0;
  for (PetscInt j = 0; j < n; j++) {
    VitSample sample;
    PetscReal width[3];
    PetscCall(VitSampleReadPath(comm, samples[j], &sample));
    VitSampleWidths(&sample, width);
    for (PetscInt k = 0; k < sample.dim; k++)
      if (0.5 * width[k] < *half) {
        *half  = 0.5 * width[k];
        *which = j;
      }
    PetscCall(VitSampleDestroy(&sample));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VitRdfEnsembleGrid(MPI_Comm comm, const char first_sample[], const char first_cached[], PetscInt n, char *const computed[])
{
  PetscBool  rmax_set, dr_set, cached = PETSC_FALSE;
  VitSample  sample;
  VitRdfGrid grid;
  PetscReal  half;
  PetscInt   narrowest;
  char       from[2 * PETSC_MAX_PATH_LEN + 200];

  PetscFunctionBeginUser;
  ensemble_grid_set = PETSC_FALSE; /* a grid of an earlier ensemble in this process does not apply */
  PetscCall(PetscOptionsHasName(NULL, NULL, "-rdf_rmax", &rmax_set));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-rdf_dr", &dr_set));
  if (rmax_set && dr_set) PetscFunctionReturn(0);
  PetscCall(PetscMemzero(&grid, sizeof(grid)));
  PetscCall(EnsembleHalfWidth(comm, n, computed, &half, &narrowest));
  PetscCall(CachedGrid(comm, first_cached, &grid, &cached));
  cached = (PetscBool)(cached && grid.rmax <= half); /* a cache of the first sample alone may not fit a smaller box */
  if (cached) PetscCall(PetscSNPrintf(from, sizeof(from), "the grid of %s", first_cached));
  else {
    PetscCall(VitSampleReadPath(comm, first_sample, &sample));
    PetscCall(VitRdfDefaultGrid(comm, &sample, &grid));
    PetscCall(VitSampleDestroy(&sample));
    grid.capped = (PetscBool)(5 * grid.unit > half);
    grid.rmax   = grid.capped ? grid.dr * PetscFloorReal(0.95 * half / grid.dr) : 5 * grid.unit; /* a whole number of bins */
    PetscCall(PetscSNPrintf(from, sizeof(from), "the defaults of %s: 5 and 0.005 x %.6g, the power of two nearest its mean spacing %.4g%s%s", first_sample, (double)grid.unit, (double)grid.spacing, grid.capped ? ", rmax capped at 95 percent of half the shortest periodic width of the samples to compute, that of " : "", grid.capped ? computed[narrowest] : ""));
  }
  if (rmax_set) PetscCall(PetscOptionsGetReal(NULL, NULL, "-rdf_rmax", &grid.rmax, NULL));
  if (dr_set) PetscCall(PetscOptionsGetReal(NULL, NULL, "-rdf_dr", &grid.dr, NULL));
  ensemble_grid     = grid;
  ensemble_grid_set = PETSC_TRUE;
  PetscCall(PetscPrintf(comm, "features: note: one g(r) grid for all samples: rmax %.12g, dr %.12g (%s; give -rdf_rmax and -rdf_dr to choose)\n", (double)grid.rmax, (double)grid.dr, from));
  PetscFunctionReturn(0);
}

/* The directions with vacuum across them for reach (VitVacuumAcross) when x or y is one of them
   ("y and z": a wire along x; "x, y and z": a cluster; "x": a slab normal to x), else "". */
static const char *VacuumBesidesZ(const VitVacuum *v, PetscReal reach)
{
  static const char *const names[8] = {"", "x", "y", "x and y", "", "x and z", "y and z", "x, y and z"};
  PetscInt                 mask = 0;

  for (PetscInt k = 0; k < 3; k++) mask |= VitVacuumAcross(v, k, reach) ? 1 << k : 0;
  return names[mask];
}

/* Sheet or bulk, for pairs up to rmax (the whole bins counted). A 2D sample is normalised by its
   area: auto and bulk; sheet is refused. Auto takes a sheet by VitVacuumIsSheet (no pair counted
   across its vacuum along z, which is much wider than its other empty layers, and no vacuum across
   x or y), and says so; it says too when it takes as bulk a sample with vacuum across x or y (a
   wire, a cluster, a slab normal to x or y: its atoms fill no plane of the box) or a periodic stack
   of layers with gaps wider than rmax. Sheet needs vacuum along z wider than rmax and none across x
   or y. */
static PetscErrorCode RdfDecideGeometry(VitDomain *dom, const VitSample *sample, PetscReal rmax, VitRdfGeometry geometry, VitRdf *rdf)
{
  VitVacuum   v;
  const char *across;

  PetscFunctionBeginUser;
  PetscCheck(sample->dim == 3 || geometry != VIT_RDF_SHEET, dom->comm, PETSC_ERR_USER_INPUT, "%s: -rdf_geometry sheet is for a 3D sample with vacuum along z; a 2D sample is normalised by its area (2 pi r shells) with auto or bulk", sample->source);
  PetscCall(VitSampleVacuum(dom->comm, sample, &v));
  rdf->gap    = v.gap[2];
  rdf->dim    = sample->dim;
  rdf->volume = VitSampleVolume(sample);
  if (sample->dim == 2 || geometry == VIT_RDF_BULK) PetscFunctionReturn(0);
  across = VacuumBesidesZ(&v, rmax);
  if (geometry == VIT_RDF_AUTO && across[0]) {
    PetscCall(PetscPrintf(dom->comm, "rdf: note: %s has vacuum across %s (widest empty layers %.6g, %.6g, %.6g along x, y, z; rmax %.6g): a wire, a cluster or a slab normal to x or y, not a sheet (vacuum along z alone): g(r) normalised as bulk, by the box volume; -rdf_geometry bulk to choose this without the note\n", sample->source, across, (double)v.gap[0], (double)v.gap[1], (double)v.gap[2], (double)rmax));
    PetscFunctionReturn(0);
  }
  if (geometry == VIT_RDF_AUTO && !VitVacuumIsSheet(&v, rmax)) {
    if (v.gap[2] > rmax) PetscCall(PetscPrintf(dom->comm, "rdf: note: %s: its widest empty layer along z (%.6g) is wider than rmax %.6g but not more than %d times both the next one (%.6g) and its in-plane spacing (A/N)^(1/2) %.6g: a periodic stack of layers, g(r) normalised as bulk; -rdf_geometry sheet to change\n", sample->source, (double)v.gap[2], (double)rmax, VIT_SHEET_RATIO, (double)v.next[2], (double)v.spacing[2]));
    PetscFunctionReturn(0);
  }
  PetscCheck(!across[0], dom->comm, PETSC_ERR_USER_INPUT, "%s: -rdf_geometry sheet needs vacuum along z alone; it has vacuum across %s (widest empty layers %.6g, %.6g, %.6g along x, y, z; rmax %.6g): a wire, a cluster or a slab normal to x or y: use -rdf_geometry bulk", sample->source, across, (double)v.gap[0], (double)v.gap[1], (double)v.gap[2], (double)rmax);
  PetscCheck(v.gap[2] > rmax, dom->comm, PETSC_ERR_USER_INPUT, "%s: -rdf_geometry sheet needs a vacuum layer along z wider than rmax %.6g (the end of the last whole bin of -rdf_dr); the widest empty layer is %.6g: use -rdf_geometry bulk", sample->source, (double)rmax, (double)v.gap[2]);
  if (geometry == VIT_RDF_AUTO) PetscCall(PetscPrintf(dom->comm, "rdf: note: %s has %.6g of vacuum along z, wider than rmax %.6g and more than %d times its next empty layer (%.6g) and its in-plane spacing (A/N)^(1/2) %.6g, and none across x or y: g(r) normalised as a sheet (area density, 2 pi r shells); -rdf_geometry bulk to change\n", sample->source, (double)v.gap[2], (double)rmax, VIT_SHEET_RATIO, (double)v.next[2], (double)v.spacing[2]));
  rdf->sheet  = PETSC_TRUE;
  rdf->dim    = 2;
  rdf->volume = sample->cell[0][0] * sample->cell[1][1]; /* |a x b|, a and b in the xy plane */
  PetscFunctionReturn(0);
}

PetscErrorCode VitRdfCompute(VitDomain *dom, const VitSample *sample, PetscReal rmax, PetscReal dr, VitRdfGeometry geometry, VitRdf *rdf)
{
  RdfCounter counter;
  PetscInt   nbins, pair[2];

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(vit_log.rdf, 0, 0, 0, 0));
  PetscCall(PetscMemzero(rdf, sizeof(*rdf)));
  PetscCall(VitRdfCheckGrid(dom->comm, sample, rmax, dr, &nbins));
  PetscCheck(dom->ghost_width >= rmax * (1 - 1e-12), dom->comm, PETSC_ERR_PLIB, "domain ghost width %.6g is smaller than rmax %.6g", (double)dom->ghost_width, (double)rmax);
  PetscCall(RdfDecideGeometry(dom, sample, nbins * dr, geometry, rdf)); /* the rmax of the pairs counted */
  rdf->ntypes = sample->ntypes;
  rdf->npairs = sample->ntypes * (sample->ntypes + 1) / 2;
  rdf->nbins  = nbins;
  rdf->dr     = dr;
  rdf->rmax   = rdf->nbins * dr;
  PetscCall(VitSampleTypeCounts(dom->comm, sample, rdf->type_count));
  for (PetscInt a = 0; a < rdf->ntypes; a++)
    for (PetscInt b = a; b < rdf->ntypes; b++) PetscCall(PetscSNPrintf(rdf->pair_name[VitPairIndex(rdf->ntypes, a, b)], sizeof(rdf->pair_name[0]), "%s-%s", sample->type_name[a], sample->type_name[b]));
  PetscCall(PetscMalloc3(rdf->nbins, &rdf->r, rdf->npairs * rdf->nbins, &rdf->g, rdf->nbins, &rdf->g_total));
  PetscCall(PetscCalloc1(rdf->npairs * rdf->nbins, &rdf->count));
  counter.dom           = dom;
  counter.rdf           = rdf;
  counter.coincident[0] = counter.coincident[1] = -1;
  PetscCall(VitDomainForEachPairHalf(dom, rdf->rmax, CountPair, &counter));
  PetscCall(CoincidentPair(dom->comm, counter.coincident, pair));
  PetscCheck(pair[0] < 0, dom->comm, PETSC_ERR_USER_INPUT, "%s: atoms %" PetscInt_FMT " and %" PetscInt_FMT " (ids in the file) are at the same position (distance < %.6g): remove one of them", sample->source, pair[0], pair[1], VIT_RDF_MIN_DISTANCE);
  /* integer counts: the sum is exact, so g is bitwise the same for any number of ranks */
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, rdf->count, (int)(rdf->npairs * rdf->nbins), MPI_INT64_T, MPI_SUM, dom->comm));
  PetscCall(RdfNormalise(rdf));
  PetscCall(PetscLogEventEnd(vit_log.rdf, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode VitRdfWrite(VitH5 *h5, const VitRdf *rdf)
{
  hsize_t     dims[2] = {(hsize_t)rdf->npairs, (hsize_t)rdf->nbins};
  const char *names[VIT_MAX_TYPES * (VIT_MAX_TYPES + 1) / 2];

  PetscFunctionBeginUser;
  for (PetscInt p = 0; p < rdf->npairs; p++) names[p] = rdf->pair_name[p];
  PetscCall(VitH5WriteReal(h5, "/structure/rdf/r", 1, &dims[1], rdf->r, "length"));
  PetscCall(VitH5WriteReal(h5, "/structure/rdf/g", 2, dims, rdf->g, "1"));
  PetscCall(VitH5WriteReal(h5, "/structure/rdf/g_total", 1, &dims[1], rdf->g_total, "1"));
  PetscCall(VitH5WriteInt64(h5, "/structure/rdf/counts", 2, dims, rdf->count, "ordered pairs"));
  PetscCall(VitH5WriteStrings(h5, "/structure/rdf/pairs", rdf->npairs, names));
  PetscCall(VitH5WriteScalar(h5, "/structure/rdf/dr", rdf->dr, "length"));
  PetscCall(VitH5WriteScalar(h5, "/structure/rdf/volume", rdf->volume, rdf->dim == 2 ? "length^2" : "length^3"));
  PetscCall(VitH5WriteAttrString(h5, "/structure/rdf/g", "geometry", rdf->sheet ? "sheet" : "bulk"));
  if (rdf->gap > 0) PetscCall(VitH5WriteScalar(h5, "/structure/rdf/vacuum_gap", rdf->gap, "length"));
  {
    hsize_t nt = (hsize_t)rdf->ntypes;
    PetscCall(VitH5WriteInt(h5, "/structure/rdf/type_counts", 1, &nt, rdf->type_count, "atoms"));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VitRdfDestroy(VitRdf *rdf)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree3(rdf->r, rdf->g, rdf->g_total));
  PetscCall(PetscFree(rdf->count));
  PetscFunctionReturn(0);
}
