/* Neighbour lists from cell lists in fractional coordinates (works for triclinic boxes):
   if |x_j - x_i| < rc then |u_jk - u_ik| <= rc / width_k in every direction k, so cells of
   fractional size >= rc / width_k and their 3^d neighbours hold every partner. */
#include <vitrum/domain.h>

typedef struct {
  PetscInt  nbin[3];
  PetscReal origin[3], size[3]; /* fractional */
  PetscInt *head, *next;        /* linked lists of atoms per cell */
} CellList;

static void CellOf(const CellList *cl, const VitDomain *dom, PetscInt i, PetscInt c[3])
{
  for (int k = 0; k < 3; k++) {
    PetscReal u = dom->s[3 * i + k] + dom->image[3 * i + k];
    c[k]        = (PetscInt)PetscFloorReal((u - cl->origin[k]) / cl->size[k]);
    c[k]        = PetscMin(PetscMax(c[k], 0), cl->nbin[k] - 1);
  }
}

static PetscErrorCode CellListBuild(const VitDomain *dom, PetscReal cutoff, CellList *cl)
{
  PetscInt natoms = dom->nowned + dom->nghost, ncell = 1;

  PetscFunctionBeginUser;
  for (int k = 0; k < 3; k++) {
    if (k < dom->dim) {
      PetscReal wg = dom->ghost_width / dom->width[k], extent;
      cl->origin[k] = dom->slo[k] - wg;
      extent        = dom->shi[k] - dom->slo[k] + 2 * wg;
      cl->nbin[k]   = PetscMax(1, (PetscInt)PetscFloorReal(extent / (cutoff / dom->width[k])));
      cl->size[k]   = extent / cl->nbin[k];
    } else {
      cl->origin[k] = 0;
      cl->size[k]   = 1;
      cl->nbin[k]   = 1;
    }
  }
  /* at most about two cells per atom: finer cells only cost memory */
  while (cl->nbin[0] * cl->nbin[1] * cl->nbin[2] > 2 * natoms + 8) {
    int kmax = 0;
    for (int k = 1; k < 3; k++)
      if (cl->nbin[k] > cl->nbin[kmax]) kmax = k;
    cl->size[kmax] *= (PetscReal)cl->nbin[kmax] / (cl->nbin[kmax] / 2);
    cl->nbin[kmax] /= 2;
  }
  for (int k = 0; k < 3; k++) ncell *= cl->nbin[k];
  PetscCall(PetscMalloc2(ncell, &cl->head, natoms + 1, &cl->next));
  for (PetscInt c = 0; c < ncell; c++) cl->head[c] = -1;
  for (PetscInt i = natoms - 1; i >= 0; i--) { /* lists in increasing atom order */
    PetscInt c[3], id;
    CellOf(cl, dom, i, c);
    id           = (c[0] * cl->nbin[1] + c[1]) * cl->nbin[2] + c[2];
    cl->next[i]  = cl->head[id];
    cl->head[id] = i;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VitDomainForEachPair(const VitDomain *dom, PetscReal cutoff, PetscBool include_ghosts, VitPairFunction fn, void *ctx)
{
  CellList cl;
  PetscInt nlist = include_ghosts ? dom->nowned + dom->nghost : dom->nowned;

  PetscFunctionBeginUser;
  PetscCheck(cutoff <= dom->ghost_width * (1 + 1e-12), dom->comm, PETSC_ERR_ARG_OUTOFRANGE, "neighbour cutoff %g exceeds the ghost width %g", (double)cutoff, (double)dom->ghost_width);
  PetscCall(CellListBuild(dom, cutoff, &cl));
  for (PetscInt i = 0; i < nlist; i++) {
    PetscInt c[3], lo[3], hi[3];
    CellOf(&cl, dom, i, c);
    for (int k = 0; k < 3; k++) {
      lo[k] = PetscMax(c[k] - 1, 0);
      hi[k] = PetscMin(c[k] + 1, cl.nbin[k] - 1);
    }
    for (PetscInt a = lo[0]; a <= hi[0]; a++)
      for (PetscInt b = lo[1]; b <= hi[1]; b++)
        for (PetscInt e = lo[2]; e <= hi[2]; e++)
          for (PetscInt j = cl.head[(a * cl.nbin[1] + b) * cl.nbin[2] + e]; j >= 0; j = cl.next[j]) {
            PetscReal d[3], r;
            if (j == i) continue;
            r = VitDomainDisplacement(dom, i, j, d);
            if (r < cutoff) PetscCall(fn(i, j, d, r, ctx));
          }
  }
  PetscCall(PetscFree2(cl.head, cl.next));
  PetscFunctionReturn(0);
}

typedef struct {
  VitNeighborList *nl;
  PetscInt         cap, last_i;
} ListBuilder;

static PetscErrorCode AppendNeighbor(PetscInt i, PetscInt j, const PetscReal d[3], PetscReal r, void *ctx)
{
  ListBuilder     *lb = (ListBuilder *)ctx;
  VitNeighborList *nl = lb->nl;
  PetscInt         n  = nl->offset[nl->nlist];

  PetscFunctionBeginUser;
  for (; lb->last_i < i; lb->last_i++) nl->offset[lb->last_i + 1] = n; /* atoms before i are complete */
  if (n == lb->cap) {
    lb->cap *= 2;
    PetscCall(PetscRealloc(sizeof(PetscInt) * lb->cap, &nl->nbr));
  }
  nl->nbr[n]              = j;
  nl->offset[nl->nlist]   = n + 1;
  PetscFunctionReturn(0);
}

PetscErrorCode VitNeighborListBuild(const VitDomain *dom, PetscReal cutoff, PetscBool include_ghosts, VitNeighborList *nl)
{
  ListBuilder lb;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(vit_log.neighbors, 0, 0, 0, 0));
  nl->cutoff = cutoff;
  nl->nlist  = include_ghosts ? dom->nowned + dom->nghost : dom->nowned;
  lb.nl      = nl;
  lb.cap     = 16 * nl->nlist + 16;
  lb.last_i  = 0;
  PetscCall(PetscCalloc1(nl->nlist + 1, &nl->offset)); /* offset[nlist] holds the running count */
  PetscCall(PetscMalloc1(lb.cap, &nl->nbr));
  PetscCall(VitDomainForEachPair(dom, cutoff, include_ghosts, AppendNeighbor, &lb));
  for (; lb.last_i < nl->nlist; lb.last_i++) nl->offset[lb.last_i + 1] = nl->offset[nl->nlist];
  PetscCall(PetscLogEventEnd(vit_log.neighbors, 0, 0, 0, 0));
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
