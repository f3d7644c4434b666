/* Kernel polynomial method for the vibrational density of states.

   With Hs = (H - a) / b mapping the spectrum into [-1, 1], the Chebyshev moments
   mu_n = Tr T_n(Hs) are estimated stochastically, mu_n ~ <r, T_n(Hs) r> over Rademacher vectors r
   (Weisse et al., Rev. Mod. Phys. 78, 275 (2006)). Two moments come from every product with H:
   mu_2n = 2 <v_n, v_n> - mu_0 and mu_2n+1 = 2 <v_n+1, v_n> - mu_1 with v_n = T_n(Hs) r.

   Reproducibility: r(i,c,k) is a hash of (seed, global atom id i, component c, vector k); H is
   applied by an own block-CSR kernel whose row sums run over the columns in increasing global atom
   id; dot products are summed exactly in 128-bit fixed point. The moments are therefore bitwise
   the same on any number of ranks (given a Hessian whose entries are). All R vectors are applied
   together, so the matrix streams from memory once per product, not once per vector. */
#include <vitrum/spectrum.h>
#include <vitrum/exactsum.h>

/* ---- Rademacher vectors ------------------------------------------------------------------------- */
uint64_t VitSplitMix64(uint64_t x)
{
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

PetscReal VitRademacher(PetscInt64 seed, PetscInt gid, PetscInt component, PetscInt vector)
{
  uint64_t h = VitSplitMix64((uint64_t)seed);
  h          = VitSplitMix64(h ^ (uint64_t)gid);
  h          = VitSplitMix64(h ^ (((uint64_t)vector << 8) | (uint64_t)component));
  return (h >> 63) ? -1.0 : 1.0;
}

/* ---- Exact sums: include/vitrum/exactsum.h ------------------------------------------------------- */

/* ---- Block CSR operator with rows summed in global-id order ----------------------------------------- */
typedef struct {
  PetscInt   bs, nrows, nghost, nvec;
  PetscInt  *ia, *ja;  /* ja: local block index, [0,nrows) owned, [nrows,nrows+nghost) ghost */
  PetscReal *val;      /* bs*bs per block, row-major */
  PetscSF    sf;       /* roots: owned blocks, leaves: ghost blocks */
  MPI_Datatype unit;   /* bs*nvec reals: one block of the multi-vector */
  Mat        shell;    /* H without row access (MATSHELL): applied with MatMult, vector by vector */
  Vec        xs, ys;
} BlockOp;

/* Gather the block columns and values of block row i (global block row gi) from MatGetRow. */
static PetscErrorCode BlockRowGet(Mat H, PetscInt bs, PetscInt gi, PetscInt *nb, PetscInt **cols, PetscReal **vals)
{
  PetscInt n = 0, cap = 64, *all;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(cap, &all));
  for (PetscInt c = 0; c < bs; c++) {
    PetscInt           ncols;
    const PetscInt    *cc;
    const PetscScalar *vv;
    PetscCall(MatGetRow(H, gi * bs + c, &ncols, &cc, &vv));
    if (n + ncols > cap) {
      cap = 2 * (n + ncols);
      PetscCall(PetscRealloc(cap * sizeof(PetscInt), &all));
    }
    for (PetscInt k = 0; k < ncols; k++) all[n++] = cc[k] / bs;
    PetscCall(MatRestoreRow(H, gi * bs + c, &ncols, &cc, &vv));
  }
  PetscCall(PetscSortRemoveDupsInt(&n, all));
  PetscCall(PetscCalloc1(n * bs * bs, vals));
  for (PetscInt c = 0; c < bs; c++) {
    PetscInt           ncols, pos;
    const PetscInt    *cc;
    const PetscScalar *vv;
    PetscCall(MatGetRow(H, gi * bs + c, &ncols, &cc, &vv));
    for (PetscInt k = 0; k < ncols; k++) {
      PetscCall(PetscFindInt(cc[k] / bs, n, all, &pos));
      (*vals)[(pos * bs + c) * bs + cc[k] % bs] = PetscRealPart(vv[k]);
    }
    PetscCall(MatRestoreRow(H, gi * bs + c, &ncols, &cc, &vv));
  }
  *nb   = n;
  *cols = all;
  PetscFunctionReturn(0);
}

static PetscErrorCode BlockOpCreate(const VitSpectrumProblem *prob, PetscInt nvec, BlockOp *op)
{
  Mat         H = prob->H, Hb = NULL;
  PetscBool   rows, sbaij;
  PetscInt    bs = prob->dim, rstart, rend, *gcols, ng = 0, cap, nnz = 0, *gidg, *key, *perm;
  PetscLayout layout;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(op, sizeof(*op)));
  op->bs    = bs;
  op->nrows = prob->nowned;
  op->nvec  = nvec;
  PetscCall(PetscObjectTypeCompareAny((PetscObject)H, &rows, MATSEQAIJ, MATMPIAIJ, MATSEQBAIJ, MATMPIBAIJ, MATSEQSBAIJ, MATMPISBAIJ, MATSEQDENSE, MATMPIDENSE, ""));
  if (!rows) {
    op->shell = H;
    PetscCall(MatCreateVecs(H, &op->xs, &op->ys));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscObjectTypeCompareAny((PetscObject)H, &sbaij, MATSEQSBAIJ, MATMPISBAIJ, ""));
  if (sbaij) PetscCall(MatConvert(H, MATBAIJ, MAT_INITIAL_MATRIX, &Hb)); /* MatGetRow of SBAIJ gives the upper triangle only */
  else Hb = H;
  PetscCall(MatGetOwnershipRange(Hb, &rstart, &rend));
  rstart /= bs;
  rend /= bs;

  /* First pass: block structure and values with global block columns. */
  cap = 64 * op->nrows + 16;
  PetscCall(PetscMalloc1(op->nrows + 1, &op->ia));
  PetscCall(PetscMalloc2(cap, &op->ja, cap * bs * bs, &op->val));
  op->ia[0] = 0;
  for (PetscInt i = 0; i < op->nrows; i++) {
    PetscInt   nb = 0, *cols;
    PetscReal *vals;
    PetscCall(BlockRowGet(Hb, bs, rstart + i, &nb, &cols, &vals));
    if (nnz + nb > cap) {
      PetscInt  *ja;
      PetscReal *val;
      cap = 2 * (nnz + nb);
      PetscCall(PetscMalloc2(cap, &ja, cap * bs * bs, &val));
      PetscCall(PetscArraycpy(ja, op->ja, nnz));
      PetscCall(PetscArraycpy(val, op->val, nnz * bs * bs));
      PetscCall(PetscFree2(op->ja, op->val));
      op->ja  = ja;
      op->val = val;
    }
    PetscCall(PetscArraycpy(op->ja + nnz, cols, nb));
    PetscCall(PetscArraycpy(op->val + nnz * bs * bs, vals, nb * bs * bs));
    nnz += nb;
    op->ia[i + 1] = nnz;
    PetscCall(PetscFree(cols));
    PetscCall(PetscFree(vals));
  }
  if (Hb != H) PetscCall(MatDestroy(&Hb));

  /* Ghost blocks: columns owned elsewhere, sorted and unique; their global ids from the owners. */
  PetscCall(PetscMalloc1(nnz, &gcols));
  for (PetscInt k = 0; k < nnz; k++)
    if (op->ja[k] < rstart || op->ja[k] >= rend) gcols[ng++] = op->ja[k];
  PetscCall(PetscSortRemoveDupsInt(&ng, gcols));
  op->nghost = ng;
  PetscCall(PetscLayoutCreateFromSizes(prob->comm, op->nrows, PETSC_DECIDE, 1, &layout));
  PetscCall(PetscSFCreate(prob->comm, &op->sf));
  PetscCall(PetscSFSetGraphLayout(op->sf, layout, ng, NULL, PETSC_COPY_VALUES, gcols));
  PetscCall(PetscLayoutDestroy(&layout));
  PetscCall(PetscSFSetUp(op->sf));
  PetscCall(PetscMalloc1(ng, &gidg));
  PetscCall(PetscSFBcastBegin(op->sf, MPIU_INT, prob->gid, gidg, MPI_REPLACE));
  PetscCall(PetscSFBcastEnd(op->sf, MPIU_INT, prob->gid, gidg, MPI_REPLACE));

  /* Local column numbering, and each row's blocks sorted by global atom id. */
  for (PetscInt k = 0; k < nnz; k++) {
    PetscInt pos;
    if (op->ja[k] >= rstart && op->ja[k] < rend) op->ja[k] -= rstart;
    else {
      PetscCall(PetscFindInt(op->ja[k], ng, gcols, &pos));
      op->ja[k] = op->nrows + pos;
    }
  }
  PetscCall(PetscMalloc2(nnz, &key, nnz, &perm));
  for (PetscInt i = 0; i < op->nrows; i++) {
    PetscInt   n = op->ia[i + 1] - op->ia[i], *ja = op->ja + op->ia[i], *jcopy;
    PetscReal *val = op->val + op->ia[i] * bs * bs, *vcopy;
    for (PetscInt k = 0; k < n; k++) {
      key[k]  = ja[k] < op->nrows ? prob->gid[ja[k]] : gidg[ja[k] - op->nrows];
      perm[k] = k;
    }
    PetscCall(PetscSortIntWithPermutation(n, key, perm));
    PetscCall(PetscMalloc2(n, &jcopy, n * bs * bs, &vcopy));
    PetscCall(PetscArraycpy(jcopy, ja, n));
    PetscCall(PetscArraycpy(vcopy, val, n * bs * bs));
    for (PetscInt k = 0; k < n; k++) {
      ja[k] = jcopy[perm[k]];
      PetscCall(PetscArraycpy(val + k * bs * bs, vcopy + perm[k] * bs * bs, bs * bs));
    }
    PetscCall(PetscFree2(jcopy, vcopy));
  }
  PetscCall(PetscFree2(key, perm));
  PetscCall(PetscFree(gidg));
  PetscCall(PetscFree(gcols));
  PetscCallMPI(MPI_Type_contiguous((int)(bs * nvec), MPIU_REAL, &op->unit));
  PetscCallMPI(MPI_Type_commit(&op->unit));
  PetscFunctionReturn(0);
}

static PetscErrorCode BlockOpDestroy(BlockOp *op)
{
  PetscFunctionBegin;
  if (op->shell) {
    PetscCall(VecDestroy(&op->xs));
    PetscCall(VecDestroy(&op->ys));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscFree(op->ia));
  PetscCall(PetscFree2(op->ja, op->val));
  PetscCall(PetscSFDestroy(&op->sf));
  PetscCallMPI(MPI_Type_free(&op->unit));
  PetscFunctionReturn(0);
}

/* Multi-vector layout: x[(i bs + c) nvec + k] for block i, component c, vector k; x has room for
   the ghost blocks after the owned ones. y = H x on owned blocks (ghosts of x are refreshed). */
static PetscErrorCode BlockOpApply(BlockOp *op, PetscReal x[], PetscReal y[])
{
  const PetscInt bs = op->bs, R = op->nvec, stride = bs * R;

  PetscFunctionBegin;
  if (op->shell) { /* vector by vector through MatMult */
    for (PetscInt k = 0; k < R; k++) {
      PetscScalar *xs, *ys;
      PetscCall(VecGetArray(op->xs, &xs));
      for (PetscInt j = 0; j < op->nrows * bs; j++) xs[j] = x[j * R + k];
      PetscCall(VecRestoreArray(op->xs, &xs));
      PetscCall(MatMult(op->shell, op->xs, op->ys));
      PetscCall(VecGetArray(op->ys, &ys));
      for (PetscInt j = 0; j < op->nrows * bs; j++) y[j * R + k] = PetscRealPart(ys[j]);
      PetscCall(VecRestoreArray(op->ys, &ys));
    }
    PetscFunctionReturn(0);
  }
  PetscCall(PetscSFBcastBegin(op->sf, op->unit, x, x + op->nrows * stride, MPI_REPLACE));
  PetscCall(PetscSFBcastEnd(op->sf, op->unit, x, x + op->nrows * stride, MPI_REPLACE));
  PetscCall(PetscArrayzero(y, op->nrows * stride));
  for (PetscInt i = 0; i < op->nrows; i++) {
    PetscReal *yi = y + i * stride;
    for (PetscInt p = op->ia[i]; p < op->ia[i + 1]; p++) {
      const PetscReal *blk = op->val + p * bs * bs, *xj = x + op->ja[p] * stride;
      for (PetscInt c = 0; c < bs; c++)
        for (PetscInt cc = 0; cc < bs; cc++) {
          const PetscReal v = blk[c * bs + cc];
          for (PetscInt k = 0; k < R; k++) yi[c * R + k] += v * xj[cc * R + k];
        }
    }
  }
  PetscCall(PetscLogFlops(2.0 * op->ia[op->nrows] * bs * bs * R));
  PetscFunctionReturn(0);
}

/* Matrix bytes plus three vector streams (x, previous vector, result) per application, all ranks. */
static PetscErrorCode BlockOpBytes(const BlockOp *op, MPI_Comm comm, PetscLogDouble *bytes)
{
  PetscLogDouble b;

  PetscFunctionBegin;
  if (op->shell) b = 0;
  else b = op->ia[op->nrows] * (op->bs * op->bs * sizeof(PetscReal) + sizeof(PetscInt)) + (op->nrows + 1) * sizeof(PetscInt) + 3.0 * op->nrows * op->bs * op->nvec * sizeof(PetscReal);
  PetscCallMPI(MPI_Allreduce(&b, bytes, 1, MPI_DOUBLE, MPI_SUM, comm));
  PetscFunctionReturn(0);
}

/* ---- Spectral bounds ---------------------------------------------------------------------------- */
/* Round v outward (up when up, else down) to 8 significant bits, so that values differing in the
   last digits (e.g. from runs on different rank counts) give the same bound. */
static PetscReal RoundOutward(PetscReal v, PetscBool up)
{
  PetscReal step;
  if (v == 0) return 0;
  step = PetscPowReal(2.0, PetscCeilReal(PetscLog2Real(PetscAbsReal(v))) - 8);
  return up ? PetscCeilReal(v / step) * step : PetscFloorReal(v / step) * step;
}

/* An extreme eigenvalue by Krylov-Schur to loose tolerance (options prefix kpm_bounds_). */
static PetscErrorCode ExtremeEigenvalue(const VitSpectrumProblem *prob, EPSWhich which, PetscReal *lambda)
{
  EPS      eps;
  PetscInt nconv;

  PetscFunctionBegin;
  PetscCall(EPSCreate(prob->comm, &eps));
  PetscCall(EPSSetOptionsPrefix(eps, "kpm_bounds_"));
  PetscCall(EPSSetOperators(eps, prob->H, NULL));
  PetscCall(EPSSetProblemType(eps, EPS_HEP));
  PetscCall(EPSSetType(eps, EPSKRYLOVSCHUR));
  PetscCall(EPSSetWhichEigenpairs(eps, which));
  PetscCall(EPSSetDimensions(eps, 1, PETSC_DEFAULT, PETSC_DEFAULT));
  PetscCall(EPSSetTolerances(eps, 1e-6, 1000));
  PetscCall(EPSSetFromOptions(eps));
  PetscCall(EPSSolve(eps));
  PetscCall(EPSGetConverged(eps, &nconv));
  PetscCheck(nconv >= 1, prob->comm, PETSC_ERR_USER_INPUT, "KPM spectral bounds: the %s eigenvalue did not converge; give -kpm_lambda_%s or raise -kpm_bounds_eps_max_it", which == EPS_LARGEST_REAL ? "largest" : "smallest", which == EPS_LARGEST_REAL ? "max" : "min");
  PetscCall(EPSGetEigenvalue(eps, 0, lambda, NULL));
  PetscCall(EPSDestroy(&eps));
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmBounds(const VitSpectrumProblem *prob, PetscBool negative, PetscReal *lo, PetscReal *hi)
{
  const PetscReal margin = 0.01;
  PetscReal       lmax, lmin = 0;

  PetscFunctionBegin;
  PetscCall(ExtremeEigenvalue(prob, EPS_LARGEST_REAL, &lmax));
  if (negative) PetscCall(ExtremeEigenvalue(prob, EPS_SMALLEST_REAL, &lmin));
  lmin = PetscMin(lmin, 0.0);
  *hi  = RoundOutward(lmax + margin * (lmax - lmin), PETSC_TRUE);
  *lo  = RoundOutward(lmin - margin * (lmax - lmin), PETSC_FALSE);
  PetscFunctionReturn(0);
}

/* ---- Moments ------------------------------------------------------------------------------------- */
/* Random vectors, made orthogonal to the translations u_c(i) = sqrt(m_i) (exact sums) when deflating. */
static PetscErrorCode RandomBlock(const VitSpectrumProblem *prob, PetscInt R, PetscInt64 seed, PetscBool deflate, PetscReal r[])
{
  const PetscInt d = prob->dim;
  ExactSum       es;
  VitInt128     *acc;
  PetscReal     *coef, mmax = 0, norm2;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < prob->nowned; i++)
    for (PetscInt c = 0; c < d; c++)
      for (PetscInt k = 0; k < R; k++) r[(i * d + c) * R + k] = VitRademacher(seed, prob->gid[i], c, k);
  if (!deflate) PetscFunctionReturn(0);
  for (PetscInt i = 0; i < prob->nowned; i++) mmax = PetscMax(mmax, prob->sqrt_mass[i]);
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &mmax, 1, MPIU_REAL, MPI_MAX, prob->comm));
  PetscCall(ExactSumCreate(prob->comm, CeilLog2(PetscMax(mmax, mmax * mmax)), CeilLog2(prob->natoms) + 1, &es));
  PetscCall(PetscCalloc2(d * R + 1, &acc, d * R + 1, &coef));
  for (PetscInt i = 0; i < prob->nowned; i++) {
    for (PetscInt c = 0; c < d; c++)
      for (PetscInt k = 0; k < R; k++) acc[c * R + k] += Quantise(&es, prob->sqrt_mass[i] * r[(i * d + c) * R + k]);
    acc[d * R] += Quantise(&es, prob->sqrt_mass[i] * prob->sqrt_mass[i]);
  }
  PetscCall(ExactSumReduce(&es, d * R + 1, acc, coef));
  norm2 = coef[d * R];
  for (PetscInt i = 0; i < prob->nowned; i++)
    for (PetscInt c = 0; c < d; c++)
      for (PetscInt k = 0; k < R; k++) r[(i * d + c) * R + k] -= coef[c * R + k] / norm2 * prob->sqrt_mass[i];
  PetscCall(PetscFree2(acc, coef));
  PetscCall(ExactSumDestroy(&es));
  PetscFunctionReturn(0);
}

/* Exact per-vector dot products <x_k, y_k> (k < R) of owned entries, n entries per vector, added
   to acc[k]; terms beyond the bound (vectors that grew: spectrum outside the interval) are counted
   in *overflow instead. */
static void ExactDots(const ExactSum *es, PetscInt n, PetscInt R, const PetscReal x[], const PetscReal y[], VitInt128 acc[], VitInt128 *overflow)
{
  for (PetscInt j = 0; j < n; j++)
    for (PetscInt k = 0; k < R; k++) {
      const PetscReal t = x[j * R + k] * y[j * R + k];
      if (PetscAbsReal(t) <= es->bound) acc[k] += Quantise(es, t);
      else *overflow += 1;
    }
}

/* Reduce the 2R dot products and the overflow count (slot 2R), failing on overflow. */
static PetscErrorCode ReduceDots(const ExactSum *es, PetscInt R, VitInt128 acc[], PetscReal dots[])
{
  PetscFunctionBegin;
  PetscCall(ExactSumReduce(es, 2 * R + 1, acc, dots));
  PetscCheck(dots[2 * R] == 0, es->comm, PETSC_ERR_USER_INPUT, "KPM vectors grew beyond their bound: the spectrum exceeds the interval used; set -kpm_lambda_min/-kpm_lambda_max");
  PetscCall(PetscArrayzero(acc, 2 * R + 1));
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmCompute(const VitSpectrumProblem *prob, PetscInt M, PetscInt R, PetscInt64 seed, PetscReal lo, PetscReal hi, VitKpm *kpm)
{
  const PetscInt  d = prob->dim, n = prob->nowned * d;
  const PetscReal a = 0.5 * (hi + lo), b = 0.5 * (hi - lo), binv = 1.0 / b, b2inv = 2.0 / b;
  BlockOp         op;
  ExactSum        es;
  VitInt128      *acc;
  PetscReal      *buf0, *buf1, *vprev, *vcur, *y, *dots, *mu, *swap;
  PetscLogDouble  t0, t1;
  PetscInt        nlocal_all;

  PetscFunctionBegin;
  PetscCheck(M >= 2, prob->comm, PETSC_ERR_USER_INPUT, "-kpm_moments %" PetscInt_FMT ": at least 2 moments are needed", M);
  PetscCheck(R >= 1, prob->comm, PETSC_ERR_USER_INPUT, "-kpm_vectors %" PetscInt_FMT ": at least 1 vector is needed", R);
  PetscCheck(hi > lo, prob->comm, PETSC_ERR_USER_INPUT, "KPM interval [%g, %g] is empty", (double)lo, (double)hi);
  PetscCall(PetscMemzero(kpm, sizeof(*kpm)));
  kpm->moments    = M;
  kpm->vectors    = R;
  kpm->seed       = seed;
  kpm->lambda_min = lo;
  kpm->lambda_max = hi;
  kpm->deflate    = PETSC_TRUE;
  kpm->nstates    = d * prob->natoms - d;
  PetscCall(BlockOpCreate(prob, R, &op));
  nlocal_all = (op.nrows + op.nghost) * d * R;
  PetscCall(PetscMalloc3(nlocal_all, &buf0, nlocal_all, &buf1, n * R, &y));
  vprev = buf0;
  vcur  = buf1;
  PetscCall(PetscCalloc1(R * M, &kpm->mu));
  PetscCall(PetscCalloc3(2 * R + 1, &acc, 2 * R + 1, &dots, R * M, &mu));
  /* |v_n(j)| <= ||r|| = sqrt(dN), so each product term is at most dN in magnitude. */
  PetscCall(ExactSumCreate(prob->comm, CeilLog2((PetscReal)d * prob->natoms), CeilLog2((PetscReal)d * prob->natoms), &es));

  PetscCall(PetscTime(&t0));
  PetscCall(RandomBlock(prob, R, seed, kpm->deflate, vprev)); /* v_0 */
  PetscCall(BlockOpApply(&op, vprev, y));
  for (PetscInt j = 0; j < n * R; j++) vcur[j] = (y[j] - a * vprev[j]) * binv; /* v_1 = Hs v_0 */
  ExactDots(&es, n, R, vprev, vprev, acc, acc + 2 * R);
  ExactDots(&es, n, R, vcur, vprev, acc + R, acc + 2 * R);
  PetscCall(ReduceDots(&es, R, acc, dots));
  for (PetscInt k = 0; k < R; k++) {
    mu[k * M + 0] = dots[k];
    mu[k * M + 1] = dots[R + k];
  }
  /* Invariant at the top: vprev = v_{m-1}, vcur = v_m. */
  for (PetscInt m = 1; 2 * m < M; m++) {
    const PetscBool odd = (PetscBool)(2 * m + 1 < M);
    ExactDots(&es, n, R, vcur, vcur, acc, acc + 2 * R);
    if (odd) { /* v_{m+1} = 2 Hs v_m - v_{m-1}, written over v_{m-1} */
      PetscCall(BlockOpApply(&op, vcur, y));
      for (PetscInt j = 0; j < n * R; j++) vprev[j] = (y[j] - a * vcur[j]) * b2inv - vprev[j];
      ExactDots(&es, n, R, vprev, vcur, acc + R, acc + 2 * R);
    }
    PetscCall(ReduceDots(&es, R, acc, dots));
    for (PetscInt k = 0; k < R; k++) {
      mu[k * M + 2 * m] = 2.0 * dots[k] - mu[k * M];
      if (odd) mu[k * M + 2 * m + 1] = 2.0 * dots[R + k] - mu[k * M + 1];
    }
    swap  = vprev;
    vprev = vcur;
    vcur  = swap;
  }
  PetscCall(PetscTime(&t1));
  PetscCall(PetscArraycpy(kpm->mu, mu, R * M));
  kpm->time_per_moment = (t1 - t0) / M;
  PetscCall(BlockOpBytes(&op, prob->comm, &kpm->bytes_per_apply));
  PetscCall(ExactSumDestroy(&es));
  PetscCall(PetscFree3(acc, dots, mu));
  PetscCall(PetscFree3(buf0, buf1, y));
  PetscCall(BlockOpDestroy(&op));
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmDestroy(VitKpm *kpm)
{
  PetscFunctionBegin;
  PetscCall(PetscFree(kpm->mu));
  PetscFunctionReturn(0);
}

/* Jackson kernel g_n (Weisse et al. eq. 71). */
static PetscReal Jackson(PetscInt n, PetscInt M)
{
  const PetscReal q = PETSC_PI / (M + 1);
  return ((M - n + 1) * PetscCosReal(n * q) + PetscSinReal(n * q) / PetscTanReal(q)) / (M + 1);
}

/* Integrating rho(x) = [g_0 mu_0 + 2 sum g_n mu_n T_n(x)] / (pi sqrt(1 - x^2)) from -1 to x = cos(theta):
   N(x) = [g_0 mu_0 (pi - theta) - 2 sum_n g_n mu_n sin(n theta) / n] / pi. */
PetscErrorCode VitKpmCumulative(const VitKpm *kpm, PetscReal lambda, PetscReal per_vector[], PetscReal *mean)
{
  const PetscInt  M = kpm->moments;
  const PetscReal a = 0.5 * (kpm->lambda_max + kpm->lambda_min), b = 0.5 * (kpm->lambda_max - kpm->lambda_min);
  const PetscReal x = PetscMax(-1.0, PetscMin(1.0, (lambda - a) / b)), theta = PetscAcosReal(x);
  PetscReal      *w, sum = 0;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(M, &w));
  w[0] = Jackson(0, M) * (PETSC_PI - theta) / PETSC_PI;
  for (PetscInt n = 1; n < M; n++) w[n] = -2.0 * Jackson(n, M) * PetscSinReal(n * theta) / (n * PETSC_PI);
  for (PetscInt k = 0; k < kpm->vectors; k++) {
    PetscReal c = 0;
    for (PetscInt n = 0; n < M; n++) c += w[n] * kpm->mu[k * M + n];
    if (per_vector) per_vector[k] = c;
    sum += c;
  }
  *mean = sum / kpm->vectors;
  PetscCall(PetscFree(w));
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmVdos(const VitKpm *kpm, PetscReal omega_max, PetscInt nbins, PetscReal omega[], PetscReal D[], PetscReal err[], PetscReal *fraction)
{
  const PetscInt  R  = kpm->vectors;
  const PetscReal dw = omega_max / nbins;
  PetscReal      *lower, *upper, *swap, mean, total = 0;

  PetscFunctionBegin;
  PetscCall(PetscMalloc2(R, &lower, R, &upper));
  PetscCall(VitKpmCumulative(kpm, 0.0, lower, &mean));
  for (PetscInt j = 0; j < nbins; j++) {
    PetscReal s = 0, s2 = 0;
    PetscCall(VitKpmCumulative(kpm, PetscSqr((j + 1) * dw), upper, &mean));
    for (PetscInt k = 0; k < R; k++) {
      const PetscReal Dk = (upper[k] - lower[k]) / dw;
      s += Dk;
      s2 += Dk * Dk;
    }
    omega[j] = (j + 0.5) * dw;
    D[j]     = s / R;
    err[j]   = R > 1 ? PetscSqrtReal(PetscMax(0.0, s2 / R - D[j] * D[j]) / (R - 1)) : 0.0; /* std / sqrt(R) */
    total += D[j] * dw;
    swap  = lower;
    lower = upper;
    upper = swap;
  }
  for (PetscInt j = 0; j < nbins; j++) {
    D[j] /= total;
    err[j] /= total;
  }
  *fraction = total / kpm->nstates;
  PetscCall(PetscFree2(lower, upper));
  PetscFunctionReturn(0);
}
