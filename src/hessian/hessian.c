/* The distributed Hessian: exactly preallocated BAIJ/SBAIJ assembly and the matrix-free shell for
   pair potentials, both with optional mass weighting M^-1/2 H M^-1/2. See docs/hessian.md. */
#include <vitrum/hessian.h>
#include <vitrum/exactsum.h>

static PetscLogEvent vit_ev_assemble, vit_ev_shell_mult;

static PetscErrorCode HessianRegisterEvents(void)
{
  const char *const    names[]  = {"VitHessAssemble", "VitHessShellMult"};
  PetscLogEvent *const events[] = {&vit_ev_assemble, &vit_ev_shell_mult};

  PetscFunctionBeginUser;
  PetscCall(VitLogEventsRegister(2, names, events));
  PetscFunctionReturn(0);
}

/* Blocks per owned block row, split into the diagonal (columns owned here) and off-diagonal
   parts; the upper-triangular counts (columns >= the row) are what SBAIJ stores. */
typedef struct {
  PetscInt *d, *o, *du, *ou;
} BlockCounts;

/* The block columns of owned atom j's row other than its own, sorted, into cols; their number in *count.
   A pair potential couples the listed pairs (its pair cutoffs: every listed pair has a non-zero
   block). A many-body energy sum_i E_i, E_i a function of the positions of i and of its neighbours
   N(i) within the cutoff (EAM's density, Tersoff's bond order, Stillinger-Weber's triplets), couples
   j and k only where both lie in {i} + N(i) for some site i: the columns are those of {i} + N(i) for
   i in {j} + N(j) (lists with the ghosts' own, two cutoffs deep). Exact but for accidental zeros:
   counting every pair within two cutoffs instead, 24 % of a CuZrAl glass's blocks were never written.
   A column is counted once even when several periodic images of an atom are in range (many-body
   Hessians couple atoms up to 2 cutoffs apart, which may exceed half the box: their blocks add up
   into one), and an image of the row's own atom adds to the diagonal. */
static PetscErrorCode RowColumns(const VitDomain *dom, const VitNeighborList *nl, PetscBool many_body, PetscInt j, PetscInt seen[], PetscInt cols[], PetscInt *count)
{
  PetscInt ncols = 0;

  PetscFunctionBeginUser;
  seen[j] = j; /* seen[a] == j: local atom a is already among j's columns (each atom once before the sort) */
  for (PetscInt k = nl->offset[j]; k < nl->offset[j + 1]; k++) {
    const PetscInt i = nl->nbr[k];
    if (seen[i] != j) seen[i] = j, cols[ncols++] = dom->row[i];
    if (many_body)
      for (PetscInt l = nl->offset[i]; l < nl->offset[i + 1]; l++)
        if (seen[nl->nbr[l]] != j) seen[nl->nbr[l]] = j, cols[ncols++] = dom->row[nl->nbr[l]];
  }
  PetscCall(PetscSortRemoveDupsInt(&ncols, cols)); /* periodic images of one atom: one column */
  for (PetscInt k = 0; k < ncols; k++)
    if (cols[k] == dom->row[j]) { /* an image of the row's own atom */
      PetscCall(PetscArraymove(cols + k, cols + k + 1, ncols - k - 1));
      ncols--;
      break;
    }
  *count = ncols;
  PetscFunctionReturn(0);
}

/* The most columns RowColumns may write for an owned atom. */
static PetscInt RowColumnsBound(const VitNeighborList *nl, PetscBool many_body, PetscInt j)
{
  PetscInt n = nl->offset[j + 1] - nl->offset[j];

  if (many_body)
    for (PetscInt k = nl->offset[j]; k < nl->offset[j + 1]; k++) n += nl->offset[nl->nbr[k] + 1] - nl->offset[nl->nbr[k]];
  return n;
}

static PetscErrorCode CountBlocks(VitDomain *dom, const VitNeighborList *nl, PetscBool many_body, BlockCounts *c)
{
  const PetscInt first = dom->row_start, end = dom->row_start + dom->nowned;
  PetscInt       maxn = 0, *cols, *seen;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc4(dom->nowned, &c->d, dom->nowned, &c->o, dom->nowned, &c->du, dom->nowned, &c->ou));
  for (PetscInt j = 0; j < dom->nowned; j++) maxn = PetscMax(maxn, RowColumnsBound(nl, many_body, j));
  PetscCall(PetscMalloc2(maxn + 1, &cols, dom->nowned + dom->nghost, &seen));
  for (PetscInt a = 0; a < dom->nowned + dom->nghost; a++) seen[a] = -1;
  for (PetscInt j = 0; j < dom->nowned; j++) {
    PetscInt ncols = 0;
    PetscCall(RowColumns(dom, nl, many_body, j, seen, cols, &ncols));
    c->d[j] = c->du[j] = 1; /* the diagonal block */
    for (PetscInt k = 0; k < ncols; k++) {
      PetscBool local = (PetscBool)(cols[k] >= first && cols[k] < end);
      if (local) c->d[j]++;
      else c->o[j]++;
      if (local && cols[k] > dom->row[j]) c->du[j]++;
      if (cols[k] >= end) c->ou[j]++;
    }
  }
  PetscCall(PetscFree2(cols, seen));
  PetscFunctionReturn(0);
}

/* 1/sqrt(m) of each listed atom's species (owned and ghosts). */
static PetscErrorCode InverseSqrtMasses(const VitDomain *dom, const VitSample *sample, PetscInt n, PetscReal **w)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(n, w));
  for (PetscInt i = 0; i < n; i++) (*w)[i] = 1 / PetscSqrtReal(sample->type_mass[dom->type[i]]);
  PetscFunctionReturn(0);
}

/* W = 1/sqrt(m_i) of the owned and ghost atoms for a mass-weighted Hessian W K W, folded into the
   blocks as they are added (no pass over the matrix afterwards); NULL when every mass is 1. */
static PetscErrorCode HessianWeights(const VitDomain *dom, const VitSample *sample, PetscBool mass_weighted, PetscReal **w)
{
  PetscBool unit = PETSC_TRUE;

  PetscFunctionBeginUser;
  *w = NULL;
  for (PetscInt t = 0; t < sample->ntypes; t++) unit = (PetscBool)(unit && sample->type_mass[t] == 1);
  if (mass_weighted && !unit) PetscCall(InverseSqrtMasses(dom, sample, dom->nowned + dom->nghost, w));
  PetscFunctionReturn(0);
}

PetscErrorCode VitHessianMemoryOption(MPI_Comm comm, PetscReal *fraction)
{
  PetscFunctionBeginUser;
  *fraction = 0.9;
  PetscOptionsBegin(comm, NULL, "Hessian memory", "vitrum");
  PetscCall(PetscOptionsReal("-hessian_max_memory", "share of each node's available memory (the least of MemAvailable and what is left under the job's memory limit (cgroup)) that the assembled Hessian may take (and, in `vitrum hessian`, the copies made to write it); above it the command stops before assembling (or copying), with the memory it would need (the operating system would kill it later, without a message)", NULL, *fraction, fraction, NULL));
  PetscOptionsEnd();
  PetscCall(VitCheckPositiveReal(comm, "-hessian_max_memory", *fraction, PETSC_FALSE, "a share of the available memory; above 1 allows swapping"));
  PetscFunctionReturn(0);
}

/* The assembled Hessian must fit in a share (-hessian_max_memory) of every node's available
   memory. Past it the allocation still succeeds (Linux overcommits) and the operating system kills
   the run without a message when the pages are written; this stops it first, with the numbers.
   Bytes per stored bs x bs block: its values and a column index; per block row a few indices. */
static PetscErrorCode CheckFits(const VitPotential pot, const VitDomain *dom, PetscBool sbaij, const BlockCounts *c)
{
  const PetscInt bs = dom->dim;
  PetscReal      fraction, need, avail, blocks = 0;
  PetscBool      fits;
  char           bound[VIT_MEMORY_BOUND_LEN];

  PetscFunctionBeginUser;
  PetscCall(VitHessianMemoryOption(dom->comm, &fraction));
  for (PetscInt i = 0; i < dom->nowned; i++) blocks += sbaij ? c->du[i] + c->ou[i] : c->d[i] + c->o[i];
  PetscCall(VitNodeMemoryFits(dom->comm, blocks * (bs * bs * sizeof(PetscScalar) + sizeof(PetscInt)) + 4.0 * dom->nowned * sizeof(PetscInt), fraction, &fits, &need, &avail, bound, sizeof(bound)));
  if (fits) PetscFunctionReturn(0);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &blocks, 1, MPIU_REAL, MPIU_SUM, dom->comm));
  SETERRQ(dom->comm, PETSC_ERR_USER_INPUT, "the Hessian (%s, %.1f blocks of %" PetscInt_FMT "x%" PetscInt_FMT " per atom) needs %.3g GB on a node where %.6g of the available memory (%s) is %.3g GB (-hessian_max_memory): run on more nodes (it is divided over them)%s%s", sbaij ? "sbaij" : "baij", (double)(blocks / dom->natoms), bs, bs, (double)need, (double)fraction, bound, (double)avail,
          sbaij ? "" : ", or use -hessian_type sbaij (about half)", pot->pair ? ", or use -hessian_type shell (matrix-free)" : "");
}

/* H or, with S, dH/deps of the strain S (pot->hessian_strain): the same pattern, weights and assembly. */
static PetscErrorCode HessianAssembled(VitPotential pot, VitDomain *dom, const VitSample *sample, MatType type, PetscBool mass_weighted, const PetscReal (*S)[3], Mat *H)
{
  const PetscInt  bs = dom->dim;
  BlockCounts     c;
  PetscBool       sbaij;
  Mat             A;
  VitNeighborList nl;
  PetscReal      *w;

  PetscFunctionBeginUser;
  /* One neighbour pass: the potential's Hessian fills its rows from the lists that the preallocation
     counts from (sorted by id): a pair potential's pair cutoffs, the one lent by the caller if any
     (pot->pair_list); a many-body potential's cutoff, for the owned and the ghost atoms. */
  if (pot->pair_list) nl = *pot->pair_list;
  else if (pot->pair) PetscCall(VitPotentialPairList(pot, dom, &nl));
  else PetscCall(VitPotentialSiteList(pot, dom, &nl));
  PetscCall(CountBlocks(dom, &nl, (PetscBool)!pot->pair, &c));
  PetscCall(MatCreate(dom->comm, &A));
  PetscCall(MatSetSizes(A, bs * dom->nowned, bs * dom->nowned, PETSC_DETERMINE, PETSC_DETERMINE));
  PetscCall(MatSetType(A, type));
  PetscCall(MatSetBlockSize(A, bs));
  PetscCall(MatSetFromOptions(A));
  PetscCall(PetscObjectTypeCompareAny((PetscObject)A, &sbaij, MATSBAIJ, MATSEQSBAIJ, MATMPISBAIJ, ""));
  PetscCall(CheckFits(pot, dom, sbaij, &c));
  PetscCall(MatXAIJSetPreallocation(A, bs, c.d, c.o, c.du, c.ou));
  PetscCall(PetscFree4(c.d, c.o, c.du, c.ou));
  if (sbaij) PetscCall(MatSetOption(A, MAT_IGNORE_LOWER_TRIANGULAR, PETSC_TRUE));
  PetscCall(MatSetOption(A, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
  PetscCall(HessianWeights(dom, sample, mass_weighted, &w));
  if (S) PetscCall(pot->hessian_strain(pot, dom, &nl, S, w, A));
  else PetscCall(pot->hessian(pot, dom, &nl, w, A));
  PetscCall(PetscFree(w));
  if (!pot->pair_list) PetscCall(VitNeighborListDestroy(&nl)); /* built here, not lent */
  PetscCall(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  *H = A;
  PetscFunctionReturn(0);
}

/* Matrix-free Hessian of a pair potential: per neighbour entry two numbers,
   a = phi'/r and b = (phi'' - phi'/r)/r^2, so that K_ij = -(b d d^T + a I), and
   (H u)_i = sum_j K_ij (u_j - u_i) (acoustic sum rule K_ii = -sum_j K_ij). */
typedef struct {
  VitDomain      *dom;
  VitNeighborList nl;
  PetscReal      *coef; /* a, b per neighbour entry */
  PetscReal      *w;    /* 1/sqrt(m) of owned and ghost atoms, NULL without mass weighting */
  PetscReal      *u;    /* input vector with ghost values, dim per atom */
} ShellCtx;

/* u = W x on owned atoms, then copied to ghosts. */
static PetscErrorCode ShellGhostInput(ShellCtx *ctx, Vec x)
{
  const VitDomain   *dom = ctx->dom;
  const PetscScalar *xa;

  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(x, &xa));
  for (PetscInt i = 0; i < dom->nowned; i++)
    for (PetscInt k = 0; k < dom->dim; k++) ctx->u[dom->dim * i + k] = (ctx->w ? ctx->w[i] : 1) * xa[dom->dim * i + k];
  PetscCall(VecRestoreArrayRead(x, &xa));
  PetscCall(VitDomainGhostBcast(ctx->dom, MPIU_REAL, dom->dim, ctx->u));
  PetscFunctionReturn(0);
}

static PetscErrorCode ShellMult(Mat H, Vec x, Vec y)
{
  ShellCtx        *ctx;
  const VitDomain *dom;
  PetscScalar     *ya;
  PetscInt         bs;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(vit_ev_shell_mult, H, 0, 0, 0));
  PetscCall(MatShellGetContext(H, &ctx));
  dom = ctx->dom;
  bs  = dom->dim;
  PetscCall(ShellGhostInput(ctx, x));
  PetscCall(VecGetArray(y, &ya));
  for (PetscInt i = 0; i < dom->nowned; i++) {
    PetscReal yi[3] = {0, 0, 0};

    for (PetscInt k = ctx->nl.offset[i]; k < ctx->nl.offset[i + 1]; k++) {
      const PetscInt j = ctx->nl.nbr[k];
      PetscReal      d[3], du[3] = {0, 0, 0}, ddu = 0;

      VitDomainDisplacement(dom, i, j, d);
      for (PetscInt a = 0; a < bs; a++) {
        du[a] = ctx->u[bs * j + a] - ctx->u[bs * i + a];
        ddu += d[a] * du[a];
      }
      for (PetscInt a = 0; a < bs; a++) yi[a] -= ctx->coef[2 * k + 1] * d[a] * ddu + ctx->coef[2 * k] * du[a];
    }
    for (PetscInt a = 0; a < bs; a++) ya[bs * i + a] = (ctx->w ? ctx->w[i] : 1) * yi[a];
  }
  PetscCall(VecRestoreArray(y, &ya));
  PetscCall(PetscLogFlops(12.0 * bs * ctx->nl.offset[dom->nowned]));
  PetscCall(PetscLogEventEnd(vit_ev_shell_mult, H, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Diagonal of K_ii = sum_j (b d d^T + a I), mass weighted by 1/m_i. */
static PetscErrorCode ShellGetDiagonal(Mat H, Vec diag)
{
  ShellCtx        *ctx;
  const VitDomain *dom;
  PetscScalar     *da;

  PetscFunctionBeginUser;
  PetscCall(MatShellGetContext(H, &ctx));
  dom = ctx->dom;
  PetscCall(VecGetArray(diag, &da));
  for (PetscInt i = 0; i < dom->nowned; i++) {
    PetscReal di[3] = {0, 0, 0};

    for (PetscInt k = ctx->nl.offset[i]; k < ctx->nl.offset[i + 1]; k++) {
      PetscReal d[3];

      VitDomainDisplacement(dom, i, ctx->nl.nbr[k], d);
      for (PetscInt a = 0; a < dom->dim; a++) di[a] += ctx->coef[2 * k + 1] * d[a] * d[a] + ctx->coef[2 * k];
    }
    for (PetscInt a = 0; a < dom->dim; a++) da[dom->dim * i + a] = (ctx->w ? ctx->w[i] * ctx->w[i] : 1) * di[a];
  }
  PetscCall(VecRestoreArray(diag, &da));
  PetscFunctionReturn(0);
}

/* The context's destructor, called by PETSc when the last shell that shares it goes: a copy made by
   MatDuplicate (SLEPc's STFILTER scales one) shares the context, so the context may not be freed
   with the first shell destroyed (a MATOP_DESTROY did, and the KPM after -spectrum_method filter
   then applied freed memory). */
static PetscErrorCode ShellCtxDestroy(void *data)
{
  ShellCtx *ctx = (ShellCtx *)data;

  PetscFunctionBeginUser;
  PetscCall(VitNeighborListDestroy(&ctx->nl));
  PetscCall(PetscFree(ctx->coef));
  PetscCall(PetscFree(ctx->w));
  PetscCall(PetscFree(ctx->u));
  PetscCall(PetscFree(ctx));
  PetscFunctionReturn(0);
}

/* Neighbour list (of the pair cutoffs) and coefficients a, b of the coupled pairs only (entries with
   a = b = 0 are dropped from the list in place). */
static PetscErrorCode ShellCoefficients(VitPotential pot, VitDomain *dom, ShellCtx *ctx)
{
  VitNeighborList *nl = &ctx->nl;
  PetscInt         kept = 0;

  PetscFunctionBeginUser;
  PetscCall(VitNeighborListBuildByType(dom, pot->hessian_range, pot->pair_cutoff, nl));
  PetscCall(PetscMalloc1(2 * nl->offset[dom->nowned], &ctx->coef));
  for (PetscInt i = 0; i < dom->nowned; i++) {
    const PetscInt first = nl->offset[i], last = nl->offset[i + 1];

    nl->offset[i] = kept;
    for (PetscInt k = first; k < last; k++) {
      const PetscInt j = nl->nbr[k];
      PetscReal      d[3], r = VitDomainDisplacement(dom, i, j, d), phi, dphi, d2phi;

      PetscCall(pot->pair(pot, dom->type[i], dom->type[j], r, &phi, &dphi, &d2phi));
      if ((dphi == 0 && d2phi == 0) || dom->row[j] == dom->row[i]) continue; /* an image of i couples to nothing */
      nl->nbr[kept]          = j;
      ctx->coef[2 * kept]     = dphi / r;
      ctx->coef[2 * kept + 1] = (d2phi - dphi / r) / (r * r);
      kept++;
    }
  }
  nl->offset[dom->nowned] = kept;
  PetscCall(PetscRealloc(sizeof(PetscInt) * (kept + 1), &nl->nbr));
  PetscCall(PetscRealloc(sizeof(PetscReal) * (2 * kept + 1), &ctx->coef));
  PetscFunctionReturn(0);
}

static PetscErrorCode HessianShell(VitPotential pot, VitDomain *dom, const VitSample *sample, PetscBool mass_weighted, Mat *H)
{
  ShellCtx *ctx;
  PetscInt  nall = dom->nowned + dom->nghost;

  PetscFunctionBeginUser;
  PetscCheck(pot->pair, dom->comm, PETSC_ERR_USER_INPUT, "-hessian_type shell needs a pair potential; -potential %s is not one (use baij or sbaij)", pot->name);
  PetscCall(PetscNew(&ctx));
  ctx->dom = dom;
  PetscCall(ShellCoefficients(pot, dom, ctx));
  if (mass_weighted) PetscCall(InverseSqrtMasses(dom, sample, nall, &ctx->w));
  PetscCall(PetscMalloc1(dom->dim * nall, &ctx->u));
  PetscCall(MatCreateShell(dom->comm, dom->dim * dom->nowned, dom->dim * dom->nowned, PETSC_DETERMINE, PETSC_DETERMINE, ctx, H));
  PetscCall(MatSetBlockSize(*H, dom->dim));
  PetscCall(MatShellSetOperation(*H, MATOP_MULT, (void (*)(void))ShellMult));
  PetscCall(MatShellSetOperation(*H, MATOP_MULT_TRANSPOSE, (void (*)(void))ShellMult)); /* symmetric */
  PetscCall(MatShellSetOperation(*H, MATOP_GET_DIAGONAL, (void (*)(void))ShellGetDiagonal));
  PetscCall(MatShellSetContextDestroy(*H, ShellCtxDestroy));
  PetscFunctionReturn(0);
}

/* Bytes held by a shell Hessian (neighbour list, coefficients, masses, work vector). */
PetscErrorCode VitHessianShellMemory(Mat H, PetscLogDouble *bytes)
{
  ShellCtx *ctx;
  PetscInt  nall, nentries;

  PetscFunctionBeginUser;
  PetscCall(MatShellGetContext(H, &ctx));
  nall     = ctx->dom->nowned + ctx->dom->nghost;
  nentries = ctx->nl.offset[ctx->nl.nlist];
  *bytes   = (PetscLogDouble)nentries * (sizeof(PetscInt) + 2 * sizeof(PetscReal)) + (PetscLogDouble)(ctx->nl.nlist + 1) * sizeof(PetscInt) + (PetscLogDouble)nall * (ctx->w ? 1 : 0) * sizeof(PetscReal) + (PetscLogDouble)nall * ctx->dom->dim * sizeof(PetscReal);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, bytes, 1, MPI_DOUBLE, MPI_SUM, ctx->dom->comm));
  PetscFunctionReturn(0);
}

PetscErrorCode VitHessianCreate(VitPotential pot, VitDomain *dom, const VitSample *sample, MatType type, PetscBool mass_weighted, Mat *H)
{
  PetscBool shell;

  PetscFunctionBeginUser;
  PetscCall(HessianRegisterEvents());
  PetscCheck(dom->ghost_width >= pot->ghost_width, dom->comm, PETSC_ERR_ARG_WRONG, "domain ghost width %.6g is below the potential's %.6g", (double)dom->ghost_width, (double)pot->ghost_width);
  PetscCall(PetscLogEventBegin(vit_ev_assemble, 0, 0, 0, 0));
  PetscCall(PetscStrcmp(type, MATSHELL, &shell));
  if (shell) PetscCall(HessianShell(pot, dom, sample, mass_weighted, H));
  else PetscCall(HessianAssembled(pot, dom, sample, type, mass_weighted, NULL, H));
  PetscCall(MatSetOption(*H, MAT_SYMMETRIC, PETSC_TRUE));
  PetscCall(MatSetOption(*H, MAT_SYMMETRY_ETERNAL, PETSC_TRUE));
  PetscCall(PetscLogEventEnd(vit_ev_assemble, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode VitHessianStrainDerivative(VitPotential pot, VitDomain *dom, const VitSample *sample, const PetscReal S[3][3], PetscBool mass_weighted, Mat *dH)
{
  PetscFunctionBeginUser;
  PetscCheck(pot->hessian_strain, dom->comm, PETSC_ERR_SUP, "-potential %s has no analytic strain derivative of its Hessian", pot->name);
  PetscCheck(dom->ghost_width >= pot->ghost_width, dom->comm, PETSC_ERR_ARG_WRONG, "domain ghost width %.6g is below the potential's %.6g", (double)dom->ghost_width, (double)pot->ghost_width);
  PetscCall(HessianRegisterEvents());
  PetscCall(PetscLogEventBegin(vit_ev_assemble, 0, 0, 0, 0));
  PetscCall(HessianAssembled(pot, dom, sample, MATBAIJ, mass_weighted, S, dH));
  PetscCall(MatSetOption(*dH, MAT_SYMMETRIC, PETSC_TRUE));
  PetscCall(PetscLogEventEnd(vit_ev_assemble, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode VitHessianToIdOrder(const VitDomain *dom, Mat H, Mat *Hid)
{
  const PetscInt     bs = dom->dim;
  PetscReal         *row;
  Vec                old_row; /* in id order: the block row each atom has in H */
  const PetscScalar *r;
  PetscInt           n, *idx;
  IS                 is;
  Mat                A;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(dom->nowned, &row));
  for (PetscInt i = 0; i < dom->nowned; i++) row[i] = (PetscReal)dom->row[i];
  PetscCall(VitDomainToGlobalOrder(dom, 1, row, &old_row));
  PetscCall(PetscFree(row));
  PetscCall(VecGetLocalSize(old_row, &n));
  PetscCall(PetscMalloc1(bs * n, &idx));
  PetscCall(VecGetArrayRead(old_row, &r));
  for (PetscInt i = 0; i < n; i++)
    for (PetscInt k = 0; k < bs; k++) idx[bs * i + k] = bs * (PetscInt)r[i] + k;
  PetscCall(VecRestoreArrayRead(old_row, &r));
  PetscCall(VecDestroy(&old_row));
  PetscCall(ISCreateGeneral(dom->comm, bs * n, idx, PETSC_OWN_POINTER, &is));
  PetscCall(MatConvert(H, MATAIJ, MAT_INITIAL_MATRIX, &A)); /* SBAIJ: both triangles */
  PetscCall(MatCreateSubMatrix(A, is, is, MAT_INITIAL_MATRIX, Hid));
  PetscCall(MatDestroy(&A));
  PetscCall(ISDestroy(&is));
  PetscFunctionReturn(0);
}

/* Sum of the diagonal, bitwise the same on any number of ranks (exact fixed-point sum). */
PetscErrorCode VitHessianExactTrace(Vec diag, PetscReal *tr)
{
  const PetscScalar *d;
  PetscInt           n;

  PetscFunctionBegin;
  PetscCall(VecGetLocalSize(diag, &n));
  PetscCall(VecGetArrayRead(diag, &d));
  PetscCall(VitExactSumReals(PetscObjectComm((PetscObject)diag), n, 1, d, tr));
  PetscCall(VecRestoreArrayRead(diag, &d));
  PetscFunctionReturn(0);
}

/* Exact sum (VitExactSumReals) of each row's sum of squares. MatGetRow gives a row's entries in
   global column order whatever the layout, so its sum of squares is the same on any number of
   ranks. SBAIJ rows hold the upper triangle of blocks (the diagonal block whole): the squares in
   off-diagonal blocks count twice. */
PetscErrorCode VitHessianExactTraceSquare(Mat H, PetscReal *tr2)
{
  const PetscScalar *vals;
  const PetscInt    *cols;
  PetscReal         *rowsq;
  PetscInt           rstart, rend, ncols, bs;
  PetscBool          shell, upper;

  PetscFunctionBegin;
  *tr2 = -1;
  PetscCall(PetscObjectTypeCompare((PetscObject)H, MATSHELL, &shell));
  if (shell) PetscFunctionReturn(0);
  PetscCall(MatGetOwnershipRange(H, &rstart, &rend));
  PetscCall(MatGetBlockSize(H, &bs));
  PetscCall(PetscObjectTypeCompareAny((PetscObject)H, &upper, MATSEQSBAIJ, MATMPISBAIJ, ""));
  PetscCall(PetscMalloc1(rend - rstart, &rowsq));
  if (upper) PetscCall(MatGetRowUpperTriangular(H));
  for (PetscInt r = rstart; r < rend; r++) {
    PetscReal s = 0;
    PetscCall(MatGetRow(H, r, &ncols, &cols, &vals));
    for (PetscInt q = 0; q < ncols; q++) s += (upper && cols[q] / bs != r / bs ? 2 : 1) * PetscRealPart(vals[q] * vals[q]);
    PetscCall(MatRestoreRow(H, r, &ncols, &cols, &vals));
    rowsq[r - rstart] = s;
  }
  if (upper) PetscCall(MatRestoreRowUpperTriangular(H));
  PetscCall(VitExactSumReals(PetscObjectComm((PetscObject)H), rend - rstart, 1, rowsq, tr2));
  PetscCall(PetscFree(rowsq));
  PetscFunctionReturn(0);
}
