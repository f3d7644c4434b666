/* Spatial domain decomposition: process grid, atom distribution, ghost exchange (see domain.h). */
#include <vitrum/domain.h>

/* What travels between ranks for one atom. */
typedef struct {
  PetscInt  gid, fid, type, row, owner_rank, owner_index;
  PetscInt  image[3];
  PetscReal s[3];
} AtomRecord;

static PetscErrorCode DomainGrow(VitDomain *dom, PetscInt need)
{
  PetscInt cap = dom->capacity;

  PetscFunctionBeginUser;
  if (need <= cap) PetscFunctionReturn(0);
  cap = PetscMax(need, 2 * cap + 16);
  PetscCall(PetscRealloc(sizeof(PetscInt) * cap, &dom->gid));
  PetscCall(PetscRealloc(sizeof(PetscInt) * cap, &dom->fid));
  PetscCall(PetscRealloc(sizeof(PetscInt) * cap, &dom->type));
  PetscCall(PetscRealloc(sizeof(PetscInt) * cap, &dom->row));
  PetscCall(PetscRealloc(sizeof(PetscInt) * 3 * cap, &dom->image));
  PetscCall(PetscRealloc(sizeof(PetscReal) * 3 * cap, &dom->s));
  PetscCall(PetscRealloc(sizeof(PetscReal) * 3 * cap, &dom->x));
  dom->capacity = cap;
  PetscFunctionReturn(0);
}

/* -domain_grid (ngrid values in user_grid, set when given); -domain_view is listed here for -help
   and read where it prints (DomainView) */
static PetscErrorCode ReadOptions(MPI_Comm comm, PetscInt user_grid[3], PetscInt *ngrid, PetscBool *set)
{
  PetscFunctionBeginUser;
  *ngrid = 3;
  PetscCall(VitOptionsListMax(comm, "-domain_grid", *ngrid));
  PetscOptionsBegin(comm, NULL, "Domain decomposition", NULL);
  PetscCall(PetscOptionsIntArray("-domain_grid", "Process grid nx,ny[,nz] (product = number of ranks; default from MPI_Dims_create, the largest factor along the widest direction, a direction with vacuum across it (a sheet's or a slab's normal) not cut)", NULL, user_grid, ngrid, set));
  PetscCall(PetscOptionsBool("-domain_view", "Print the process grid and owned/ghost atom counts (min, mean, max over ranks) after each set-up", NULL, PETSC_FALSE, NULL, NULL));
  PetscOptionsEnd();
  PetscFunctionReturn(0);
}

PetscErrorCode VitDomainOptionsHelp(MPI_Comm comm)
{
  PetscInt  grid[3] = {0, 0, 0}, n;
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(ReadOptions(comm, grid, &n, &set));
  PetscFunctionReturn(0);
}

/* Process grid: MPI_Dims_create's factors, the largest along the widest box direction. The box is
   cut evenly, so a direction with vacuum across it (a gap wider than the ghost width, through
   which no atom interacts: a sheet's or a slab's normal) is not cut while another direction has
   none: a slab filling half its box, cut along its normal, left one rank of two with no atom. */
static PetscErrorCode DomainSetGrid(VitDomain *dom, const VitSample *sample)
{
  int       size, rank, factors[3] = {0, 0, 0}, order[3] = {0, 1, 2}, ncut = 0;
  PetscInt  user_grid[3] = {0, 0, 0}, ngrid;
  PetscBool set, vacuum[3] = {PETSC_FALSE, PETSC_FALSE, PETSC_FALSE};

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(dom->comm, &size));
  PetscCallMPI(MPI_Comm_rank(dom->comm, &rank));
  PetscCall(ReadOptions(dom->comm, user_grid, &ngrid, &set));
  dom->grid[0] = dom->grid[1] = dom->grid[2] = 1;
  if (set) {
    PetscCheck(ngrid == dom->dim, dom->comm, PETSC_ERR_USER_INPUT, "-domain_grid needs %" PetscInt_FMT " values for a %" PetscInt_FMT "D sample, got %" PetscInt_FMT, dom->dim, dom->dim, ngrid);
    for (int k = 0; k < dom->dim; k++) dom->grid[k] = (int)user_grid[k];
    PetscCheck(dom->grid[0] * dom->grid[1] * dom->grid[2] == size, dom->comm, PETSC_ERR_USER_INPUT, "-domain_grid %d,%d,%d has %d cells for %d ranks", dom->grid[0], dom->grid[1], dom->grid[2], dom->grid[0] * dom->grid[1] * dom->grid[2], size);
  } else {
    PetscReal gap[3] = {0, 0, 0}, next[3];
    if (size > 1) PetscCall(VitSampleGaps(dom->comm, sample, gap, next));
    for (int k = 0; k < dom->dim && size > 1; k++) vacuum[k] = (PetscBool)(gap[k] > dom->ghost_width);
    for (int k = 0; k < dom->dim; k++) ncut += !vacuum[k];
    if (!ncut) { /* a cluster: vacuum all around, every direction is cut */
      for (int k = 0; k < dom->dim; k++) vacuum[k] = PETSC_FALSE;
      ncut = (int)dom->dim;
    }
    for (int a = 0; a < dom->dim; a++) /* the directions to cut first, by decreasing width */
      for (int b = a + 1; b < dom->dim; b++)
        if (vacuum[order[a]] > vacuum[order[b]] || (vacuum[order[a]] == vacuum[order[b]] && dom->width[order[b]] > dom->width[order[a]])) {
          int t    = order[a];
          order[a] = order[b];
          order[b] = t;
        }
    PetscCallMPI(MPI_Dims_create(size, ncut, factors)); /* non-increasing */
    for (int a = 0; a < dom->dim; a++) dom->grid[order[a]] = a < ncut ? factors[a] : 1; /* vacuum last: not cut */
  }
  dom->coord[0] = rank / (dom->grid[1] * dom->grid[2]);
  dom->coord[1] = (rank / dom->grid[2]) % dom->grid[1];
  dom->coord[2] = rank % dom->grid[2];
  for (int k = 0; k < 3; k++) {
    for (int side = 0; side < 2; side++) {
      int c[3] = {dom->coord[0], dom->coord[1], dom->coord[2]};
      c[k]     = (c[k] + (side ? 1 : -1) + dom->grid[k]) % dom->grid[k];
      dom->neighbor[k][side] = (c[0] * dom->grid[1] + c[1]) * dom->grid[2] + c[2];
    }
    dom->slo[k] = (PetscReal)dom->coord[k] / dom->grid[k];
    dom->shi[k] = (PetscReal)(dom->coord[k] + 1) / dom->grid[k];
  }
  PetscFunctionReturn(0);
}

static int OwnerRank(const VitDomain *dom, const PetscReal s[3])
{
  int c[3];
  for (int k = 0; k < 3; k++) {
    c[k] = (int)PetscFloorReal(s[k] * dom->grid[k]);
    c[k] = PetscMin(PetscMax(c[k], 0), dom->grid[k] - 1);
  }
  return (c[0] * dom->grid[1] + c[1]) * dom->grid[2] + c[2];
}

static int CompareRecordGid(const void *a, const void *b)
{
  PetscInt ga = ((const AtomRecord *)a)->gid, gb = ((const AtomRecord *)b)->gid;
  return (ga > gb) - (ga < gb);
}

static void UnpackRecord(VitDomain *dom, PetscInt i, const AtomRecord *r)
{
  dom->gid[i]  = r->gid;
  dom->fid[i]  = r->fid;
  dom->type[i] = r->type;
  dom->row[i]  = r->row;
  for (int k = 0; k < 3; k++) {
    dom->s[3 * i + k]     = r->s[k];
    dom->image[3 * i + k] = r->image[k];
  }
}

static void PackRecord(const VitDomain *dom, PetscInt i, int owner_rank, PetscInt owner_index, AtomRecord *r)
{
  r->gid         = dom->gid[i];
  r->fid         = dom->fid[i];
  r->type        = dom->type[i];
  r->row         = dom->row[i];
  r->owner_rank  = owner_rank;
  r->owner_index = owner_index;
  for (int k = 0; k < 3; k++) {
    r->s[k]     = dom->s[3 * i + k];
    r->image[k] = dom->image[3 * i + k];
  }
}

/* Send every atom of the sample to the rank owning its position; owned atoms sorted by id. */
static PetscErrorCode DomainDistribute(VitDomain *dom, const VitSample *sample)
{
  int         size, *sendcount, *recvcount, *senddispl, *recvdispl;
  AtomRecord *sendbuf, *recvbuf;
  PetscInt    nrecv = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(vit_log.distribute, 0, 0, 0, 0));
  PetscCallMPI(MPI_Comm_size(dom->comm, &size));
  PetscCall(PetscCalloc4(size, &sendcount, size, &recvcount, size + 1, &senddispl, size + 1, &recvdispl));
  for (PetscInt i = 0; i < sample->nlocal; i++) sendcount[OwnerRank(dom, &sample->s[3 * i])]++;
  PetscCallMPI(MPI_Alltoall(sendcount, 1, MPI_INT, recvcount, 1, MPI_INT, dom->comm));
  for (int r = 0; r < size; r++) {
    senddispl[r + 1] = senddispl[r] + sendcount[r];
    recvdispl[r + 1] = recvdispl[r] + recvcount[r];
  }
  nrecv = recvdispl[size];
  PetscCall(PetscMalloc2(sample->nlocal + 1, &sendbuf, nrecv + 1, &recvbuf));
  for (int r = 0; r < size; r++) sendcount[r] = 0;
  for (PetscInt i = 0; i < sample->nlocal; i++) {
    int         r   = OwnerRank(dom, &sample->s[3 * i]);
    AtomRecord *rec = &sendbuf[senddispl[r] + sendcount[r]++];
    PetscCall(PetscMemzero(rec, sizeof(*rec)));
    rec->gid  = sample->gid[i];
    rec->fid  = sample->fid[i];
    rec->type = sample->type[i];
    for (int k = 0; k < 3; k++) rec->s[k] = sample->s[3 * i + k];
  }
  /* counts and displacements in bytes */
  for (int r = 0; r <= size; r++) {
    if (r < size) {
      sendcount[r] *= (int)sizeof(AtomRecord);
      recvcount[r] *= (int)sizeof(AtomRecord);
    }
    senddispl[r] *= (int)sizeof(AtomRecord);
    recvdispl[r] *= (int)sizeof(AtomRecord);
  }
  PetscCallMPI(MPI_Alltoallv(sendbuf, sendcount, senddispl, MPI_BYTE, recvbuf, recvcount, recvdispl, MPI_BYTE, dom->comm));
  qsort(recvbuf, (size_t)nrecv, sizeof(AtomRecord), CompareRecordGid);
  PetscCall(DomainGrow(dom, nrecv));
  dom->nowned = nrecv;
  dom->nghost = 0;
  PetscCallMPI(MPI_Scan(&dom->nowned, &dom->row_start, 1, MPIU_INT, MPI_SUM, dom->comm));
  dom->row_start -= dom->nowned;
  for (PetscInt i = 0; i < nrecv; i++) {
    UnpackRecord(dom, i, &recvbuf[i]);
    dom->row[i] = dom->row_start + i;
  }
  PetscCall(PetscFree2(sendbuf, recvbuf));
  PetscCall(PetscFree4(sendcount, recvcount, senddispl, recvdispl));
  PetscCall(PetscLogEventEnd(vit_log.distribute, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Owner of atom i as (rank, index): itself for an owned atom, else from its ghost record. */
typedef struct {
  PetscInt *rank, *index;
} GhostOwners;

/* One hop of the ghost exchange along direction k towards side (0 = down, 1 = up).
   Candidates are atoms [first, last); those within the fractional ghost width wk of the face are
   sent, with their image shifted when they cross the periodic boundary. Received atoms are
   appended; their range is returned in [*recv_first, *recv_last). */
static PetscErrorCode GhostHop(VitDomain *dom, GhostOwners *own, int k, int side, PetscReal wk, PetscInt first, PetscInt last, PetscInt *recv_first, PetscInt *recv_last)
{
  int         rank, dest = dom->neighbor[k][side], src = dom->neighbor[k][1 - side];
  PetscInt    nsend = 0, nrecv = 0;
  AtomRecord *sendbuf, *recvbuf;
  int         shift = 0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(dom->comm, &rank));
  if (side == 1 && dom->coord[k] == dom->grid[k] - 1) shift = -1; /* crossing the upper face wraps down */
  if (side == 0 && dom->coord[k] == 0) shift = +1;
  PetscCall(PetscMalloc1(last - first + 1, &sendbuf));
  for (PetscInt i = first; i < last; i++) {
    PetscReal u    = dom->s[3 * i + k] + dom->image[3 * i + k];
    PetscBool near = side ? (PetscBool)(u >= dom->shi[k] - wk) : (PetscBool)(u < dom->slo[k] + wk);
    if (!near) continue;
    PackRecord(dom, i, (int)own->rank[i], own->index[i], &sendbuf[nsend]);
    sendbuf[nsend].image[k] += shift;
    nsend++;
  }
  PetscCallMPI(MPI_Sendrecv(&nsend, 1, MPIU_INT, dest, 0, &nrecv, 1, MPIU_INT, src, 0, dom->comm, MPI_STATUS_IGNORE));
  PetscCall(PetscMalloc1(nrecv + 1, &recvbuf));
  PetscCallMPI(MPI_Sendrecv(sendbuf, (int)(nsend * sizeof(AtomRecord)), MPI_BYTE, dest, 1, recvbuf, (int)(nrecv * sizeof(AtomRecord)), MPI_BYTE, src, 1, dom->comm, MPI_STATUS_IGNORE));
  *recv_first = dom->nowned + dom->nghost;
  PetscCall(DomainGrow(dom, *recv_first + nrecv));
  PetscCall(PetscRealloc(sizeof(PetscInt) * dom->capacity, &own->rank));
  PetscCall(PetscRealloc(sizeof(PetscInt) * dom->capacity, &own->index));
  for (PetscInt g = 0; g < nrecv; g++) {
    PetscInt i = *recv_first + g;
    UnpackRecord(dom, i, &recvbuf[g]);
    own->rank[i]  = recvbuf[g].owner_rank;
    own->index[i] = recvbuf[g].owner_index;
  }
  dom->nghost += nrecv;
  *recv_last = *recv_first + nrecv;
  PetscCall(PetscFree(sendbuf));
  PetscCall(PetscFree(recvbuf));
  PetscFunctionReturn(0);
}

/* Ghosts, direction by direction (so corner images arrive through two hops), with as many hops
   per direction as needed when subdomains are thinner than the ghost width (as LAMMPS does). */
static PetscErrorCode DomainExchangeGhosts(VitDomain *dom, GhostOwners *own)
{
  int      rank;
  PetscInt nl;
  PetscSF  sf;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(vit_log.ghosts, 0, 0, 0, 0));
  PetscCallMPI(MPI_Comm_rank(dom->comm, &rank));
  for (PetscInt i = 0; i < dom->nowned; i++) {
    own->rank[i]  = rank;
    own->index[i] = i;
  }
  for (int k = 0; k < dom->dim; k++) {
    PetscReal wk     = dom->ghost_width / dom->width[k] * (1 + 1e-12);
    PetscInt  nhops  = (PetscInt)PetscCeilReal(wk * dom->grid[k]), nbefore = dom->nowned + dom->nghost;
    PetscInt  up[2]  = {0, nbefore}, down[2] = {0, nbefore}; /* candidate ranges of the next hop */
    for (PetscInt h = 0; h < nhops; h++) {
      PetscInt up_first = 0, up_last = 0, down_first = 0, down_last = 0;
      PetscCall(GhostHop(dom, own, k, 1, wk, up[0], up[1], &up_first, &up_last));         /* received from below */
      PetscCall(GhostHop(dom, own, k, 0, wk, down[0], down[1], &down_first, &down_last)); /* received from above */
      up[0] = up_first, up[1] = up_last, down[0] = down_first, down[1] = down_last;
    }
  }
  /* star forest from owned atoms (roots) to ghosts (leaves) */
  nl = dom->nghost;
  {
    PetscSFNode *remote;
    PetscInt    *local;
    PetscCall(PetscMalloc1(nl, &remote));
    PetscCall(PetscMalloc1(nl, &local));
    for (PetscInt g = 0; g < nl; g++) {
      local[g]        = dom->nowned + g;
      remote[g].rank  = own->rank[dom->nowned + g];
      remote[g].index = own->index[dom->nowned + g];
    }
    PetscCall(PetscSFCreate(dom->comm, &sf));
    PetscCall(PetscSFSetGraph(sf, dom->nowned, nl, local, PETSC_OWN_POINTER, remote, PETSC_OWN_POINTER));
    PetscCall(PetscSFSetUp(sf));
  }
  PetscCall(PetscSFDestroy(&dom->ghost_sf));
  dom->ghost_sf = sf;
  PetscCall(PetscLogEventEnd(vit_log.ghosts, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* -domain_view: the process grid and the owned and ghost atom counts (min, mean, max over ranks), so
   that a halo model (jobscripts/scaling/model.py) can be checked against the real exchange. */
static PetscErrorCode DomainView(const VitDomain *dom)
{
  PetscBool view = PETSC_FALSE;
  PetscInt  local[2] = {dom->nowned, dom->nghost}, lo[2], hi[2], sum[2];
  int       size;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-domain_view", &view, NULL));
  if (!view) PetscFunctionReturn(0);
  PetscCallMPI(MPI_Comm_size(dom->comm, &size));
  PetscCallMPI(MPI_Allreduce(local, lo, 2, MPIU_INT, MPI_MIN, dom->comm));
  PetscCallMPI(MPI_Allreduce(local, hi, 2, MPIU_INT, MPI_MAX, dom->comm));
  PetscCallMPI(MPI_Allreduce(local, sum, 2, MPIU_INT, MPI_SUM, dom->comm));
  PetscCall(PetscPrintf(dom->comm, "domain: grid %dx%dx%d, ghost width %.17g, owned min %" PetscInt_FMT " mean %.6g max %" PetscInt_FMT ", ghosts min %" PetscInt_FMT " mean %.6g max %" PetscInt_FMT " total %" PetscInt_FMT "\n", dom->grid[0], dom->grid[1],
                        dom->grid[2], (double)dom->ghost_width, lo[0], (double)sum[0] / size, hi[0], lo[1], (double)sum[1] / size, hi[1], sum[1]));
  PetscFunctionReturn(0);
}

static void ComputeCartesian(VitDomain *dom, PetscInt first, PetscInt last)
{
  for (PetscInt i = first; i < last; i++) {
    PetscReal u[3];
    for (int k = 0; k < 3; k++) u[k] = dom->s[3 * i + k] + dom->image[3 * i + k];
    for (int c = 0; c < 3; c++) dom->x[3 * i + c] = dom->lo[c] + u[0] * dom->cell[0][c] + u[1] * dom->cell[1][c] + u[2] * dom->cell[2][c];
  }
}

PetscErrorCode VitDomainSetUp(MPI_Comm comm, const VitSample *sample, PetscReal ghost_width, VitDomain *dom)
{
  GhostOwners own;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(dom, sizeof(*dom)));
  PetscCheck(ghost_width > 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "ghost width must be positive, got %.6g", (double)ghost_width);
  dom->comm        = comm;
  dom->dim         = sample->dim;
  dom->natoms      = sample->natoms;
  dom->ghost_width = ghost_width;
  PetscCall(PetscMemcpy(dom->lo, sample->lo, sizeof(dom->lo)));
  PetscCall(PetscMemcpy(dom->cell, sample->cell, sizeof(dom->cell)));
  VitSampleWidths(sample, dom->width);
  PetscCall(DomainSetGrid(dom, sample));
  PetscCall(DomainDistribute(dom, sample));
  PetscCall(PetscMalloc1(dom->capacity, &own.rank));
  PetscCall(PetscMalloc1(dom->capacity, &own.index));
  PetscCall(DomainExchangeGhosts(dom, &own));
  PetscCall(PetscFree(own.rank));
  PetscCall(PetscFree(own.index));
  ComputeCartesian(dom, 0, dom->nowned + dom->nghost);
  PetscCall(DomainView(dom));
  PetscFunctionReturn(0);
}

PetscErrorCode VitDomainDestroy(VitDomain *dom)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(dom->gid));
  PetscCall(PetscFree(dom->fid));
  PetscCall(PetscFree(dom->type));
  PetscCall(PetscFree(dom->row));
  PetscCall(PetscFree(dom->image));
  PetscCall(PetscFree(dom->s));
  PetscCall(PetscFree(dom->x));
  PetscCall(PetscSFDestroy(&dom->ghost_sf));
  PetscCall(PetscMemzero(dom, sizeof(*dom)));
  PetscFunctionReturn(0);
}

PetscErrorCode VitDomainGhostBcast(VitDomain *dom, MPI_Datatype type, PetscInt bs, void *data)
{
  MPI_Datatype unit;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Type_contiguous((int)bs, type, &unit));
  PetscCallMPI(MPI_Type_commit(&unit));
  PetscCall(PetscSFBcastBegin(dom->ghost_sf, unit, data, data, MPI_REPLACE));
  PetscCall(PetscSFBcastEnd(dom->ghost_sf, unit, data, data, MPI_REPLACE));
  PetscCallMPI(MPI_Type_free(&unit));
  PetscFunctionReturn(0);
}

PetscErrorCode VitDomainUpdateGhosts(VitDomain *dom)
{
  PetscFunctionBeginUser;
  PetscCall(VitDomainGhostBcast(dom, MPIU_REAL, 3, dom->s));
  ComputeCartesian(dom, 0, dom->nowned + dom->nghost);
  PetscFunctionReturn(0);
}

PetscErrorCode VitDomainToGlobalOrder(const VitDomain *dom, PetscInt bs, const PetscReal *owned_data, Vec *v)
{
  PetscFunctionBeginUser;
  PetscCall(VecCreate(dom->comm, v));
  PetscCall(VecSetSizes(*v, PETSC_DECIDE, dom->natoms * bs));
  PetscCall(VecSetBlockSize(*v, bs));
  PetscCall(VecSetFromOptions(*v));
  PetscCall(VecSetValuesBlocked(*v, dom->nowned, dom->gid, owned_data, INSERT_VALUES));
  PetscCall(VecAssemblyBegin(*v));
  PetscCall(VecAssemblyEnd(*v));
  PetscFunctionReturn(0);
}
