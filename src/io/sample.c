/* VitSample: allocation, box geometry (LAMMPS upper-triangular cell), and the finishing steps
   shared by every reader (dimension, wrapping, global ids). */
#include "io_private.h"
#include <vitrum/units.h>
#include <petscsf.h>

PetscErrorCode VitSampleAllocate(VitSample *s, PetscInt nlocal)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(s->gid));
  PetscCall(PetscFree(s->fid));
  PetscCall(PetscFree(s->type));
  PetscCall(PetscFree(s->x));
  PetscCall(PetscFree(s->s));
  PetscCall(PetscCalloc1(nlocal, &s->gid));
  PetscCall(PetscCalloc1(nlocal, &s->fid));
  PetscCall(PetscCalloc1(nlocal, &s->type));
  PetscCall(PetscCalloc1(3 * nlocal, &s->x));
  PetscCall(PetscCalloc1(3 * nlocal, &s->s));
  s->nlocal = nlocal;
  PetscFunctionReturn(0);
}

PetscErrorCode VitSampleDestroy(VitSample *s)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(s->gid));
  PetscCall(PetscFree(s->fid));
  PetscCall(PetscFree(s->type));
  PetscCall(PetscFree(s->x));
  PetscCall(PetscFree(s->s));
  PetscCall(PetscMemzero(s, sizeof(*s)));
  PetscFunctionReturn(0);
}

void VitPairCoeffsWhere(const VitSample *s, PetscBool with_file, char buf[], size_t len)
{
  const PetscInt line = s->pair_coeffs.line;

  if (with_file && line) snprintf(buf, len, "%s:%d", s->source, (int)line);
  else if (with_file) snprintf(buf, len, "%s:%s", s->source, VIT_PAIR_COEFFS_H5MD);
  else if (line) snprintf(buf, len, "line %d", (int)line);
  else snprintf(buf, len, "%s", VIT_PAIR_COEFFS_H5MD);
}

void VitRowTimesMatrix(const PetscReal x[3], const PetscReal M[3][3], PetscReal y[3])
{
  for (int j = 0; j < 3; j++) y[j] = x[0] * M[0][j] + x[1] * M[1][j] + x[2] * M[2][j];
}

void VitSampleFracToCart(const VitSample *s, const PetscReal frac[3], PetscReal x[3])
{
  VitRowTimesMatrix(frac, s->cell, x);
}

/* Back substitution through the upper-triangular form: x = s0 a + s1 b + s2 c. */
void VitSampleCartToFrac(const VitSample *s, const PetscReal x[3], PetscReal frac[3])
{
  const PetscReal(*h)[3] = s->cell;

  frac[2] = s->dim == 3 ? x[2] / h[2][2] : 0.0;
  frac[1] = (x[1] - frac[2] * h[2][1]) / h[1][1];
  frac[0] = (x[0] - frac[1] * h[1][0] - frac[2] * h[2][0]) / h[0][0];
}

PetscReal VitSampleVolume(const VitSample *s)
{
  return s->cell[0][0] * s->cell[1][1] * (s->dim == 3 ? s->cell[2][2] : 1.0);
}

static void Cross(const PetscReal u[3], const PetscReal v[3], PetscReal w[3])
{
  w[0] = u[1] * v[2] - u[2] * v[1];
  w[1] = u[2] * v[0] - u[0] * v[2];
  w[2] = u[0] * v[1] - u[1] * v[0];
}

static PetscReal Norm(const PetscReal u[3])
{
  return PetscSqrtReal(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
}

/* Width i = distance between the two faces spanned by the other cell vectors:
   V / |b x c|, V / |c x a|, V / |a x b| (2D: area / |b|, area / |a|; width[2] = 0). */
PetscBool VitSampleMassesComplete(const VitSample *s)
{
  PetscBool complete = s->has_masses;

  for (PetscInt t = 0; t < s->ntypes; t++) complete = (PetscBool)(complete && s->type_mass[t] > 0);
  return complete;
}

PetscBool VitMassesAgree(PetscReal a, PetscReal b)
{
  return (PetscBool)(PetscAbsReal(a - b) <= 1e-12 * PetscMax(PetscAbsReal(a), PetscAbsReal(b)));
}

/* The two longest periodic runs of empty bins of one direction, in bins, longest first: walk once
   around from the first occupied bin, which closes the last run. */
static void LongestEmptyRuns(const char occupied[], PetscInt nb, PetscInt longest[2])
{
  PetscInt run = 0, first = -1;

  longest[0] = longest[1] = 0;
  for (PetscInt b = 0; b < nb && first < 0; b++)
    if (occupied[b]) first = b;
  for (PetscInt b = 1; first >= 0 && b <= nb; b++) {
    if (!occupied[(first + b) % nb]) {
      run++;
      continue;
    }
    if (run > longest[0]) {
      longest[1] = longest[0];
      longest[0] = run;
    } else longest[1] = PetscMax(longest[1], run);
    run = 0;
  }
}

PetscErrorCode VitSampleGaps(MPI_Comm comm, const VitSample *sample, PetscReal gap[3], PetscReal next[3])
{
  const PetscInt nb = 1000, dim = sample->dim;
  PetscReal      width[3];
  char          *occupied;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(dim * nb, &occupied));
  for (PetscInt i = 0; i < sample->nlocal; i++)
    for (PetscInt k = 0; k < dim; k++) occupied[k * nb + PetscMin(nb - 1, PetscMax(0, (PetscInt)(sample->s[3 * i + k] * nb)))] = 1;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, occupied, (PetscMPIInt)(dim * nb), MPI_CHAR, MPI_MAX, comm));
  VitSampleWidths(sample, width);
  for (PetscInt k = 0; k < 3; k++) {
    PetscInt longest[2] = {0, 0};
    if (k < dim) LongestEmptyRuns(occupied + k * nb, nb, longest);
    gap[k]  = width[k] * longest[0] / nb;
    next[k] = width[k] * longest[1] / nb;
  }
  PetscCall(PetscFree(occupied));
  PetscFunctionReturn(0);
}

void VitSampleWidths(const VitSample *s, PetscReal width[3])
{
  const PetscReal V = VitSampleVolume(s);
  PetscReal       w[3];

  if (s->dim == 2) {
    width[0] = V / Norm(s->cell[1]);
    width[1] = V / Norm(s->cell[0]);
    width[2] = 0.0;
    return;
  }
  for (int i = 0; i < 3; i++) {
    Cross(s->cell[(i + 1) % 3], s->cell[(i + 2) % 3], w);
    width[i] = V / Norm(w);
  }
}

PetscReal VitWrapUnit(PetscReal u)
{
  PetscReal w = u - PetscFloorReal(u);

  return w >= 1.0 ? 0.0 : w; /* u slightly below an integer rounds to 1.0 */
}

void VitSampleFracOfPosition(const VitSample *s, const PetscReal x[3], PetscReal frac[3])
{
  PetscReal r[3] = {0, 0, 0};

  for (PetscInt k = 0; k < s->dim; k++) r[k] = x[k] - s->lo[k];
  VitSampleCartToFrac(s, r, frac);
}

static PetscBool FracInside(const VitSample *s, const PetscReal frac[3])
{
  for (PetscInt k = 0; k < s->dim; k++)
    if (!(frac[k] >= 0 && frac[k] < 1)) return PETSC_FALSE;
  return PETSC_TRUE;
}

/* Move x[k] inwards until frac[k] is in [0,1), in steps from about the rounding error of x - lo
   up, doubling until frac[k] changes. frac[k] depends on x[k..dim-1] only (upper-triangular cell),
   so the axes are settled from the last one down. */
static void NudgeInside(const VitSample *s, PetscInt k, PetscReal x[3], PetscReal frac[3])
{
  const PetscReal step = PETSC_MACHINE_EPSILON * (PetscAbsReal(x[k]) + PetscAbsReal(s->lo[k]) + s->cell[k][k]);

  VitSampleFracOfPosition(s, x, frac);
  for (PetscReal h = step; frac[k] < 0; h *= 2) {
    x[k] += h;
    VitSampleFracOfPosition(s, x, frac);
  }
  for (PetscReal h = step; frac[k] >= 1; h *= 2) {
    x[k] -= h;
    VitSampleFracOfPosition(s, x, frac);
  }
}

void VitSampleWrapPosition(const VitSample *s, PetscReal x[3], PetscReal frac[3])
{
  PetscReal r[3];

  VitSampleFracOfPosition(s, x, frac);
  if (FracInside(s, frac)) return;
  for (PetscInt k = 0; k < 3; k++) frac[k] = VitWrapUnit(frac[k]);
  VitSampleFracToCart(s, frac, r);
  for (PetscInt k = 0; k < s->dim; k++) x[k] = s->lo[k] + r[k];
  for (PetscInt k = s->dim - 1; k >= 0; k--) NudgeInside(s, k, x, frac);
}

/* The box is positive and finite (collective). */
static PetscErrorCode CheckBox(MPI_Comm comm, const VitSample *s)
{
  PetscFunctionBeginUser;
  for (PetscInt d = 0; d < s->dim; d++) {
    PetscCheck(s->cell[d][d] > 0 && PetscIsNormalReal(s->cell[d][d]), comm, PETSC_ERR_USER_INPUT, "%s: box length %c is not positive and finite (%.6g)", s->source, "xyz"[d], (double)s->cell[d][d]);
    for (PetscInt e = 0; e < 3; e++) PetscCheck(!PetscIsInfOrNanReal(s->cell[d][e]), comm, PETSC_ERR_USER_INPUT, "%s: box vector %c is not finite", s->source, "abc"[d]);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VitSampleTypeCounts(MPI_Comm comm, const VitSample *s, PetscInt counts[])
{
  PetscFunctionBeginUser;
  for (PetscInt t = 0; t < s->ntypes; t++) counts[t] = 0;
  for (PetscInt i = 0; i < s->nlocal; i++) counts[s->type[i]]++;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, counts, (PetscMPIInt)s->ntypes, MPIU_INT, MPI_SUM, comm));
  PetscFunctionReturn(0);
}

void VitSampleSetCellFromBounds(VitSample *s, const PetscReal lo[3], const PetscReal hi[3], const PetscReal tilt[3])
{
  PetscCallVoid(PetscMemzero(s->cell, sizeof(s->cell)));
  for (int d = 0; d < 3; d++) {
    s->lo[d]      = lo[d];
    s->cell[d][d] = hi[d] - lo[d];
  }
  s->cell[1][0] = tilt[0]; /* xy */
  s->cell[2][0] = tilt[1]; /* xz */
  s->cell[2][1] = tilt[2]; /* yz */
}

static PetscReal Dot(const PetscReal u[3], const PetscReal v[3])
{
  return u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
}

/* Inverse through the adjugate: Ainv = adj(A) / det(A); the columns of Ainv are the cross
   products of the rows of A divided by det(A). */
PetscReal VitCellDeterminant(const PetscReal A[3][3])
{
  PetscReal w[3];

  Cross(A[1], A[2], w);
  return Dot(A[0], w);
}

static PetscReal Invert3(const PetscReal A[3][3], PetscReal Ainv[3][3])
{
  const PetscReal det = VitCellDeterminant(A);
  PetscReal       w[3];

  for (int j = 0; j < 3; j++) {
    Cross(A[(j + 1) % 3], A[(j + 2) % 3], w);
    for (int i = 0; i < 3; i++) Ainv[i][j] = w[i] / det;
  }
  return det;
}

/* LAMMPS "general triclinic" conversion (Howto triclinic): lx = |A|, xy = B.Ahat,
   ly = |Ahat x B|, xz = C.Ahat, yz = (B.C - xy xz)/ly, lz = det/(lx ly). Rows already in that form
   are taken as they are (the formulas would round yz and lz). */
PetscBool VitSampleSetCellFromRows(VitSample *s, const PetscReal A[3][3], PetscReal Ainv[3][3], PetscBool *rotated)
{
  PetscReal M[3][3] = {{0}}, ahat[3], w[3], det, lx, ly;

  for (int i = 0; i < s->dim; i++)
    for (int j = 0; j < s->dim; j++) M[i][j] = A[i][j];
  if (s->dim == 2) M[2][2] = 1.0;
  det = Invert3(M, Ainv);
  if (!(det > 0) || !PetscIsNormalReal(det)) return PETSC_FALSE;
  *rotated = (PetscBool)!(M[0][1] == 0 && M[0][2] == 0 && M[1][2] == 0 && M[0][0] > 0 && M[1][1] > 0);
  if (!*rotated) {
    PetscCallAbort(PETSC_COMM_SELF, PetscArraycpy(&s->cell[0][0], &M[0][0], 9));
    if (s->dim == 2) s->cell[2][2] = 0.0, Ainv[2][2] = 0.0; /* s2 = 0 in 2D */
    return PETSC_TRUE;
  }
  lx = Norm(M[0]);
  for (int j = 0; j < 3; j++) ahat[j] = M[0][j] / lx;
  Cross(ahat, M[1], w);
  ly = Norm(w);
  PetscCallAbort(PETSC_COMM_SELF, PetscMemzero(s->cell, sizeof(s->cell)));
  s->cell[0][0] = lx;
  s->cell[1][0] = Dot(M[1], ahat);
  s->cell[1][1] = ly;
  if (s->dim == 3) {
    s->cell[2][0] = Dot(M[2], ahat);
    s->cell[2][1] = (Dot(M[1], M[2]) - s->cell[1][0] * s->cell[2][0]) / ly;
    s->cell[2][2] = det / (lx * ly);
  }
  if (s->dim == 2) Ainv[2][2] = 0.0; /* s2 = 0 in 2D */
  return PETSC_TRUE;
}

void VitCellRowsProblem(PetscInt dim, const PetscReal A[3][3], char buf[], size_t len)
{
  const PetscReal det = dim == 3 ? VitCellDeterminant(A) : A[0][0] * A[1][1] - A[0][1] * A[1][0];

  if (det < 0 && dim == 3) snprintf(buf, len, "left-handed (a . (b x c) = %.6g < 0): give a right-handed cell, e.g. with two of its vectors swapped or all three negated (the same periodic lattice)", (double)det);
  else if (det < 0) snprintf(buf, len, "left-handed (a x b = %.6g < 0): give a right-handed cell, e.g. with a and b swapped (the same periodic lattice)", (double)det);
  else snprintf(buf, len, "degenerate (%s = %.6g): give %d vectors that span a %s", dim == 3 ? "a . (b x c)" : "a x b", (double)det, (int)dim, dim == 3 ? "volume" : "area");
}

void VitSamplePositionFromFrame(const VitSample *s, PetscBool rotated, const PetscReal Ainv[3][3], const PetscReal xf[3], PetscReal x[3], PetscReal frac[3])
{
  PetscReal r[3] = {0, 0, 0};

  for (PetscInt k = 0; k < s->dim; k++) r[k] = xf[k] - s->lo[k];
  VitRowTimesMatrix(r, Ainv, frac);
  if (rotated) VitSampleFracToCart(s, frac, r);
  for (PetscInt k = 0; k < 3; k++) x[k] = k >= s->dim ? 0.0 : rotated ? s->lo[k] + r[k] : xf[k];
}

void VitSampleDefaultNames(VitSample *s)
{
  for (PetscInt t = 0; t < s->ntypes; t++)
    if (!s->type_name[t][0]) PetscCallAbort(PETSC_COMM_SELF, PetscSNPrintf(s->type_name[t], VIT_NAME_LEN, "%" PetscInt_FMT, t + 1));
}

/* Rank 0's header (box, species) to every rank; the atom arrays stay where they are. */
static PetscErrorCode BcastHeader(MPI_Comm comm, VitSample *s)
{
  VitSample mine = *s;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Bcast(s, (PetscMPIInt)sizeof(*s), MPI_BYTE, 0, comm));
  s->nlocal = mine.nlocal;
  s->gid    = mine.gid;
  s->fid    = mine.fid;
  s->type   = mine.type;
  s->x      = mine.x;
  s->s      = mine.s;
  PetscFunctionReturn(0);
}

/* 2D when asked (-sample_dimension 2) or, by default, when the file has LAMMPS's 2D box: no z tilt,
   all atoms at the same z, and a z extent of at most one length unit (LAMMPS writes 2D boxes as
   -0.5 0.5), below lx and ly. A flat layer in a thicker box is a 3D sheet with vacuum. */
static PetscErrorCode DecideDimension(MPI_Comm comm, VitSample *s, PetscInt request)
{
  const PetscReal(*h)[3] = s->cell;
  PetscReal zrange[2]    = {PETSC_MAX_REAL, PETSC_MAX_REAL}; /* min z, -max z */
  PetscBool flat, untilted;

  PetscFunctionBeginUser;
  PetscCheck(s->dim == 3 || request != 3, comm, PETSC_ERR_USER_INPUT, "%s: -sample_dimension 3: the file is 2D and gives no z (H5MD dimension 2, a dump without a z column)", s->source);
  if (s->dim == 2 || request == 3) PetscFunctionReturn(0);
  for (PetscInt i = 0; i < s->nlocal; i++) {
    zrange[0] = PetscMin(zrange[0], s->s[3 * i + 2]);
    zrange[1] = PetscMin(zrange[1], -s->s[3 * i + 2]);
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, zrange, 2, MPIU_REAL, MPI_MIN, comm));
  flat     = (PetscBool)(-zrange[1] - zrange[0] <= 1e-12);
  untilted = (PetscBool)(h[2][0] == 0 && h[2][1] == 0);
  if (request == 2) {
    PetscCheck(flat && untilted, comm, PETSC_ERR_USER_INPUT, "%s: -sample_dimension 2 needs all atoms at one z and no xz/yz tilt", s->source);
  } else if (!(flat && untilted && h[2][2] <= 1.0 && h[2][2] < h[0][0] && h[2][2] < h[1][1])) PetscFunctionReturn(0);
  s->dim   = 2;
  s->lo[2] = 0.0;
  PetscCall(PetscMemzero(s->cell[2], sizeof(s->cell[2])));
  for (PetscInt i = 0; i < s->nlocal; i++) s->s[3 * i + 2] = s->x[3 * i + 2] = 0.0;
  PetscFunctionReturn(0);
}

/* gid = rank of fid among all ids: the ids are sorted on rank 0 (N integers; the atoms
   themselves stay distributed). */
static PetscErrorCode AssignGlobalIds(MPI_Comm comm, VitSample *s, const PetscInt line[])
{
  PetscMPIInt  rank, size, nlocal = (PetscMPIInt)s->nlocal, *counts = NULL, *displs = NULL;
  PetscInt    *ids = NULL, *order = NULL, *gid = NULL;
  char         errmsg[VIT_ERRLEN] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (!rank) PetscCall(PetscMalloc2(size, &counts, size + 1, &displs));
  PetscCallMPI(MPI_Gather(&nlocal, 1, MPI_INT, counts, 1, MPI_INT, 0, comm));
  if (!rank) {
    displs[0] = 0;
    for (PetscMPIInt r = 0; r < size; r++) displs[r + 1] = displs[r] + counts[r];
    PetscCall(PetscMalloc3(s->natoms, &ids, s->natoms, &order, s->natoms, &gid));
  }
  PetscCallMPI(MPI_Gatherv(s->fid, nlocal, MPIU_INT, ids, counts, displs, MPIU_INT, 0, comm));
  if (!rank) {
    for (PetscInt k = 0; k < s->natoms; k++) order[k] = k;
    PetscCall(PetscSortIntWithArray(s->natoms, ids, order));
    for (PetscInt k = 0; k < s->natoms; k++) {
      gid[order[k]] = k;
      if (k && ids[k] == ids[k - 1] && !errmsg[0]) {
        if (line) PetscCall(PetscSNPrintf(errmsg, sizeof(errmsg), "%s:%" PetscInt_FMT ": duplicate atom id %" PetscInt_FMT " (also on line %" PetscInt_FMT ")", s->source, PetscMax(line[order[k]], line[order[k - 1]]), ids[k], PetscMin(line[order[k]], line[order[k - 1]])));
        else PetscCall(PetscSNPrintf(errmsg, sizeof(errmsg), "%s: duplicate atom id %" PetscInt_FMT, s->source, ids[k]));
      }
    }
  }
  PetscCall(VitBcastError(comm, errmsg));
  PetscCallMPI(MPI_Scatterv(gid, counts, displs, MPIU_INT, s->gid, nlocal, MPIU_INT, 0, comm));
  if (!rank) {
    PetscCall(PetscFree3(ids, order, gid));
    PetscCall(PetscFree2(counts, displs));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VitSampleFinishRead(MPI_Comm comm, VitSample *s, VitReadInfo *info, PetscBool bcast_header, const char errmsg[])
{
  PetscFunctionBeginUser;
  PetscCall(VitBcastError(comm, errmsg));
  if (bcast_header) PetscCall(BcastHeader(comm, s));
  PetscCall(CheckBox(comm, s)); /* every rank has the box here */
  for (PetscInt i = 0; i < s->nlocal; i++) VitSampleWrapPosition(s, &s->x[3 * i], &s->s[3 * i]);
  PetscCall(DecideDimension(comm, s, info->dim_request));
  PetscCall(AssignGlobalIds(comm, s, info->line));
  PetscCall(VitSampleNameTypesFromOptions(comm, s));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSampleToIdOrder(MPI_Comm comm, const VitSample *s, PetscInt nblock, PetscInt *start, PetscInt *n, PetscInt **fid, PetscInt **type, PetscReal **x)
{
  PetscLayout  map;
  PetscSF      sf;
  MPI_Datatype triple;

  PetscFunctionBeginUser;
  PetscCall(PetscLayoutCreate(comm, &map));
  PetscCall(PetscLayoutSetSize(map, s->natoms));
  PetscCall(PetscLayoutSetLocalSize(map, nblock));
  PetscCall(PetscLayoutSetUp(map));
  PetscCall(PetscLayoutGetRange(map, start, NULL));
  PetscCall(PetscLayoutGetLocalSize(map, n));
  PetscCall(PetscSFCreate(comm, &sf));
  PetscCall(PetscSFSetGraphLayout(sf, map, s->nlocal, NULL, PETSC_COPY_VALUES, s->gid));
  if (fid) {
    PetscCall(PetscMalloc1(*n, fid));
    PetscCall(PetscSFReduceBegin(sf, MPIU_INT, s->fid, *fid, MPI_REPLACE));
    PetscCall(PetscSFReduceEnd(sf, MPIU_INT, s->fid, *fid, MPI_REPLACE));
  }
  if (type) {
    PetscCall(PetscMalloc1(*n, type));
    PetscCall(PetscSFReduceBegin(sf, MPIU_INT, s->type, *type, MPI_REPLACE));
    PetscCall(PetscSFReduceEnd(sf, MPIU_INT, s->type, *type, MPI_REPLACE));
  }
  if (x) {
    PetscCall(PetscMalloc1(3 * *n, x));
    PetscCallMPI(MPI_Type_contiguous(3, MPIU_REAL, &triple));
    PetscCallMPI(MPI_Type_commit(&triple));
    PetscCall(PetscSFReduceBegin(sf, triple, s->x, *x, MPI_REPLACE));
    PetscCall(PetscSFReduceEnd(sf, triple, s->x, *x, MPI_REPLACE));
    PetscCallMPI(MPI_Type_free(&triple));
  }
  PetscCall(PetscSFDestroy(&sf));
  PetscCall(PetscLayoutDestroy(&map));
  PetscFunctionReturn(0);
}

/* A species name that is an integer ("1", "-2", "007"; the form of a type number, IsDefaultName in
   units.c): its value. */
static PetscBool NumericName(const char name[], PetscInt64 *value)
{
  const char *digits = name + (name[0] == '-');

  return (PetscBool)(*digits && strspn(digits, "0123456789") == strlen(digits) && VitIOParseInt64(name, value));
}

/* a before b: by value when both names are numbers (ties, "7" and "007", by name), else by name. */
static PetscBool NameBefore(const char a[], const char b[], PetscBool numeric)
{
  PetscInt64 va, vb;

  if (numeric && NumericName(a, &va) && NumericName(b, &vb) && va != vb) return (PetscBool)(va < vb);
  return (PetscBool)(strcmp(a, b) < 0);
}

/* Species numbered by their names in alphabetical order, so that samples of one system read
   from files with differently ordered atoms get the same type numbers. Names that are all integers
   (an extended XYZ species or a dump element column holding LAMMPS type numbers) are type numbers:
   in increasing value (1, 2, ..., 10, 11, not 1, 10, 11, 2), and the file numbers the types (as
   H5MD species values), so -potential_elements names them in that order. */
PetscErrorCode VitSampleSortTypeNames(VitSample *s)
{
  char       names[VIT_MAX_TYPES][VIT_NAME_LEN];
  PetscInt   newtype[VIT_MAX_TYPES];
  PetscReal  mass[VIT_MAX_TYPES];
  PetscBool  numeric = PETSC_TRUE;
  PetscInt64 value;

  PetscFunctionBeginUser;
  PetscCall(PetscArraycpy(names, s->type_name, s->ntypes));
  PetscCall(PetscArraycpy(mass, s->type_mass, s->ntypes));
  for (PetscInt t = 0; t < s->ntypes; t++) numeric = (PetscBool)(numeric && NumericName(names[t], &value));
  for (PetscInt t = 0; t < s->ntypes; t++) {
    newtype[t] = 0;
    for (PetscInt u = 0; u < s->ntypes; u++) newtype[t] += NameBefore(names[u], names[t], numeric);
  }
  for (PetscInt t = 0; t < s->ntypes; t++) {
    PetscCall(PetscStrncpy(s->type_name[newtype[t]], names[t], VIT_NAME_LEN));
    s->type_mass[newtype[t]] = mass[t];
  }
  for (PetscInt i = 0; i < s->nlocal; i++) s->type[i] = newtype[s->type[i]];
  s->types_by_name = (PetscBool)!numeric;
  PetscFunctionReturn(0);
}
