/* Neighbour lists from cell lists in fractional coordinates (works for triclinic boxes):
   if |x_j - x_i| < rc then |u_jk - u_ik| <= rc / width_k in every direction k. Cells are half
   that fractional size, so the cells within two of an atom's cell hold every partner (a smaller
   search volume than 3^d cells of full size). Atoms are sorted by cell with their Cartesian
   positions alongside, which filter candidates quickly; pairs that pass are measured with
   VitDomainDisplacement, the rank-count-independent arithmetic. */
#include <vitrum/domain.h>

#define CELLS_PER_CUTOFF 2

typedef struct {
  PetscInt   nbin[3], reach[3];
  PetscReal  origin[3], size[3]; /* fractional */
  PetscInt  *start;              /* atoms of cell c: atom[start[c] .. start[c+1]-1] */
  PetscInt  *atom;
  PetscReal *x;                  /* Cartesian positions in cell order, 3 per entry */
} CellList;

static PetscInt CellOf(const CellList *cl, const VitDomain *dom, PetscInt i, PetscInt c[3])
{
  for (int k = 0; k < 3; k++) {
    PetscReal u = dom->s[3 * i + k] + dom->image[3 * i + k];
    c[k]        = (PetscInt)PetscFloorReal((u - cl->origin[k]) / cl->size[k]);
    c[k]        = PetscMin(PetscMax(c[k], 0), cl->nbin[k] - 1);
  }
  return (c[0] * cl->nbin[1] + c[1]) * cl->nbin[2] + c[2];
}

static void CellListGeometry(const VitDomain *dom, PetscReal cutoff, PetscInt natoms, CellList *cl)
{
  for (int k = 0; k < 3; k++) {
    if (k < dom->dim) {
      PetscReal wg = dom->ghost_width / dom->width[k], wc = cutoff / dom->width[k], extent;
      cl->origin[k] = dom->slo[k] - wg;
      extent        = dom->shi[k] - dom->slo[k] + 2 * wg;
      cl->nbin[k]   = (PetscInt)PetscMax(1, PetscMin(PetscFloorReal(CELLS_PER_CUTOFF * extent / wc), 2.0 * natoms + 8));
      cl->size[k]   = extent / cl->nbin[k];
    } else {
      cl->origin[k] = 0;
      cl->size[k]   = 1;
      cl->nbin[k]   = 1;
    }
  }
  /* at most about two cells per atom: finer cells only cost memory (the product in floating point:
     a short cutoff in a wide box, -potential_min_distance 0.01 in a box of 7, once overflowed it) */
  while ((PetscReal)cl->nbin[0] * (PetscReal)cl->nbin[1] * (PetscReal)cl->nbin[2] > 2.0 * natoms + 8) {
    int kmax = 0;
    for (int k = 1; k < 3; k++)
      if (cl->nbin[k] > cl->nbin[kmax]) kmax = k;
    cl->size[kmax] *= (PetscReal)cl->nbin[kmax] / (cl->nbin[kmax] / 2);
    cl->nbin[kmax] /= 2;
  }
  for (int k = 0; k < 3; k++) cl->reach[k] = k < dom->dim ? (PetscInt)PetscCeilReal(cutoff / dom->width[k] / cl->size[k] - 1e-12) : 0;
}

static PetscErrorCode CellListBuild(const VitDomain *dom, PetscReal cutoff, CellList *cl)
{
  PetscInt natoms = dom->nowned + dom->nghost, ncell, *cell_of, *fill;

  PetscFunctionBeginUser;
  CellListGeometry(dom, cutoff, natoms, cl);
  ncell = cl->nbin[0] * cl->nbin[1] * cl->nbin[2];
  PetscCall(PetscCalloc1(ncell + 1, &cl->start));
  PetscCall(PetscMalloc2(natoms + 1, &cl->atom, 3 * natoms + 3, &cl->x));
  PetscCall(PetscMalloc2(natoms + 1, &cell_of, ncell + 1, &fill));
  for (PetscInt i = 0; i < natoms; i++) {
    PetscInt c[3];
    cell_of[i] = CellOf(cl, dom, i, c);
    cl->start[cell_of[i] + 1]++;
  }
  for (PetscInt c = 0; c < ncell; c++) cl->start[c + 1] += cl->start[c];
  PetscCall(PetscArraycpy(fill, cl->start, ncell));
  for (PetscInt i = 0; i < natoms; i++) { /* stable: increasing atom order inside a cell */
    PetscInt e = fill[cell_of[i]]++;
    cl->atom[e] = i;
    for (int k = 0; k < 3; k++) cl->x[3 * e + k] = dom->x[3 * i + k];
  }
  PetscCall(PetscFree2(cell_of, fill));
  PetscFunctionReturn(0);
}

static PetscErrorCode CellListDestroy(CellList *cl)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(cl->start));
  PetscCall(PetscFree2(cl->atom, cl->x));
  PetscFunctionReturn(0);
}

/* The pair loop. Listed atoms i: owned ones, plus ghosts if include_ghosts. half: skip the pairs of
   two owned atoms with j < i (each such pair is visited once, i < j). For each atom the candidates
   of its cells that pass the Cartesian filter are gathered first without branches (a filter that
   passes about a quarter of them at random mispredicted one branch in four), then measured. */
static PetscErrorCode ForEachPair(const VitDomain *dom, PetscReal cutoff, PetscBool include_ghosts, PetscBool half, VitPairFunction fn, void *ctx)
{
  CellList  cl;
  PetscInt  nlist  = include_ghosts ? dom->nowned + dom->nghost : dom->nowned, *candidate;
  PetscReal filter = PetscSqr(cutoff * (1 + 1e-9)); /* loose: the exact test follows */

  PetscFunctionBeginUser;
  PetscCheck(cutoff <= dom->ghost_width * (1 + 1e-12), dom->comm, PETSC_ERR_ARG_OUTOFRANGE, "neighbour cutoff %.6g exceeds the ghost width %.6g", (double)cutoff, (double)dom->ghost_width);
  PetscCall(CellListBuild(dom, cutoff, &cl));
  PetscCall(PetscMalloc1(dom->nowned + dom->nghost + 1, &candidate));
  for (PetscInt i = 0; i < nlist; i++) {
    PetscInt        c[3], lo[3], hi[3], ncand = 0;
    const PetscReal *xi = &dom->x[3 * i];
    const PetscInt   jmin = half ? i + 1 : 0; /* half: j > i (ghosts come after every owned atom) */
    CellOf(&cl, dom, i, c);
    for (int k = 0; k < 3; k++) {
      lo[k] = PetscMax(c[k] - cl.reach[k], 0);
      hi[k] = PetscMin(c[k] + cl.reach[k], cl.nbin[k] - 1);
    }
    for (PetscInt a = lo[0]; a <= hi[0]; a++)
      for (PetscInt b = lo[1]; b <= hi[1]; b++) {
        PetscInt row = (a * cl.nbin[1] + b) * cl.nbin[2];
        for (PetscInt e = cl.start[row + lo[2]]; e < cl.start[row + hi[2] + 1]; e++) {
          const PetscReal *xj = &cl.x[3 * e];
          const PetscInt   j  = cl.atom[e];

          candidate[ncand] = j;
          ncand += (PetscSqr(xj[0] - xi[0]) + PetscSqr(xj[1] - xi[1]) + PetscSqr(xj[2] - xi[2]) < filter) & (j >= jmin) & (j != i);
        }
      }
    for (PetscInt k = 0; k < ncand; k++) {
      const PetscInt j = candidate[k];
      PetscReal      d[3], r = VitDomainDisplacement(dom, i, j, d);
      if (r < cutoff) PetscCall(fn(i, j, d, r, ctx));
    }
  }
  PetscCall(PetscFree(candidate));
  PetscCall(CellListDestroy(&cl));
  PetscFunctionReturn(0);
}

PetscErrorCode VitDomainForEachPair(const VitDomain *dom, PetscReal cutoff, PetscBool include_ghosts, VitPairFunction fn, void *ctx)
{
  PetscFunctionBeginUser;
  PetscCall(ForEachPair(dom, cutoff, include_ghosts, PETSC_FALSE, fn, ctx));
  PetscFunctionReturn(0);
}

PetscErrorCode VitDomainForEachPairHalf(const VitDomain *dom, PetscReal cutoff, VitPairFunction fn, void *ctx)
{
  PetscFunctionBeginUser;
  PetscCall(ForEachPair(dom, cutoff, PETSC_FALSE, PETSC_TRUE, fn, ctx));
  PetscFunctionReturn(0);
}

typedef struct {
  VitNeighborList *nl;
  PetscInt         cap, last_i;
  const VitDomain *dom;
  const PetscReal (*pair_cutoff)[VIT_MAX_TYPES]; /* NULL: every pair within nl->cutoff */
} ListBuilder;

static PetscErrorCode AppendNeighbor(PetscInt i, PetscInt j, const PetscReal d[3], PetscReal r, void *ctx)
{
  ListBuilder     *lb = (ListBuilder *)ctx;
  VitNeighborList *nl = lb->nl;
  PetscInt         n  = nl->offset[nl->nlist];

  PetscFunctionBeginUser;
  if (lb->pair_cutoff && r >= lb->pair_cutoff[lb->dom->type[i]][lb->dom->type[j]]) PetscFunctionReturn(0);
  for (; lb->last_i < i; lb->last_i++) nl->offset[lb->last_i + 1] = n; /* atoms before i are complete */
  if (n == lb->cap) {
    lb->cap *= 2;
    PetscCall(PetscRealloc(sizeof(PetscInt) * lb->cap, &nl->nbr));
  }
  nl->nbr[n]              = j;
  nl->offset[nl->nlist]   = n + 1;
  PetscFunctionReturn(0);
}

static PetscErrorCode ListBuild(const VitDomain *dom, PetscReal cutoff, const PetscReal pair_cutoff[][VIT_MAX_TYPES], PetscBool include_ghosts, VitNeighborList *nl)
{
  ListBuilder lb;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(vit_log.neighbors, 0, 0, 0, 0));
  nl->cutoff     = cutoff;
  nl->nlist      = include_ghosts ? dom->nowned + dom->nghost : dom->nowned;
  lb.nl          = nl;
  lb.cap         = 16 * nl->nlist + 16;
  lb.last_i      = 0;
  lb.dom         = dom;
  lb.pair_cutoff = pair_cutoff;
  PetscCall(PetscCalloc1(nl->nlist + 1, &nl->offset)); /* offset[nlist] holds the running count */
  PetscCall(PetscMalloc1(lb.cap, &nl->nbr));
  PetscCall(VitDomainForEachPair(dom, cutoff, include_ghosts, AppendNeighbor, &lb));
  for (; lb.last_i < nl->nlist; lb.last_i++) nl->offset[lb.last_i + 1] = nl->offset[nl->nlist];
  PetscCall(PetscRealloc(sizeof(PetscInt) * (nl->offset[nl->nlist] + 1), &nl->nbr)); /* the capacity doubled: up to 2x */
  PetscCall(PetscLogEventEnd(vit_log.neighbors, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode VitNeighborListBuild(const VitDomain *dom, PetscReal cutoff, PetscBool include_ghosts, VitNeighborList *nl)
{
  PetscFunctionBeginUser;
  PetscCall(ListBuild(dom, cutoff, NULL, include_ghosts, nl));
  PetscFunctionReturn(0);
}

PetscErrorCode VitNeighborListBuildByType(const VitDomain *dom, PetscReal cutoff, const PetscReal pair_cutoff[][VIT_MAX_TYPES], VitNeighborList *nl)
{
  PetscFunctionBeginUser;
  PetscCall(ListBuild(dom, cutoff, pair_cutoff, PETSC_FALSE, nl));
  PetscFunctionReturn(0);
}

PetscErrorCode VitNeighborListDestroy(VitNeighborList *nl)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(nl->offset));
  PetscCall(PetscFree(nl->nbr));
  nl->nlist = 0;
  PetscFunctionReturn(0);
}
