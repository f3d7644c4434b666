/* twolevel's cycle in one precision, included twice by twolevel.c (not a header of its own: it
   needs twolevel.c's TwoLevel and Lobpcg): CYCLE_REAL is the precision of the cycle's vectors
   (float with the single-precision copy of H, else PetscReal), CYCLE(name) names this precision's
   functions, CYCLE_GHOSTS(op, x) refreshes x's ghost rows and CYCLE_ROWS(op, r0, nr, x, y) applies
   rows r0 .. r0 + nr - 1 of H (or its float copy) to the block x into the tile y. */

/* One product pass over the rows, a tile of rows at a time: y = H zin on the tile (it stays in
   cache), then for each of the tile's entries, with t = r - y:
     dir = cdir dir + cres D^-1 t,  zout = zin + dir   (a smoothing step; cdir = 0: dir not read)
     dir = t                                           (zout NULL: the residual for the coarse level)
   r, dir: the owned rows; zin, zout: blocks with ghost room. */
static PetscErrorCode CYCLE(Pass)(TwoLevel *T, const CYCLE_REAL *restrict r, CYCLE_REAL *restrict zin, PetscReal cdir, PetscReal cres, CYCLE_REAL *restrict dir, CYCLE_REAL *restrict zout)
{
  const VitKpmOperator op = T->B->op;
  const PetscInt       bs = op->bs, m = T->B->m;
  CYCLE_REAL *restrict y  = (CYCLE_REAL *)T->tile;

  PetscFunctionBegin;
  PetscCall(CYCLE_GHOSTS(op, zin));
  for (PetscInt r0 = 0; r0 < op->nrows; r0 += T->tile_rows) {
    const PetscInt nr = PetscMin(T->tile_rows, op->nrows - r0);
    CYCLE_ROWS(op, r0, nr, zin, y);
    for (PetscInt j = r0 * bs; j < (r0 + nr) * bs; j++) {
      const CYCLE_REAL *yj = y + (j - r0 * bs) * m, *rj = r + j * m, *zj = zin + j * m, cd = (CYCLE_REAL)cdir, cr = (CYCLE_REAL)(cres * T->dinv[j]);
      CYCLE_REAL       *dj = dir + j * m;
      if (!zout) {
        for (PetscInt k = 0; k < m; k++) dj[k] = rj[k] - yj[k];
        continue;
      }
      CYCLE_REAL *oj = zout + j * m;
      if (cdir == 0)
        for (PetscInt k = 0; k < m; k++) oj[k] = zj[k] + (dj[k] = cr * (rj[k] - yj[k]));
      else
        for (PetscInt k = 0; k < m; k++) oj[k] = zj[k] + (dj[k] = cd * dj[k] + cr * (rj[k] - yj[k]));
    }
  }
  PetscCall(PetscLogFlops(2.0 * op->ia[op->nrows] * bs * bs * m));
  T->products++;
  T->columns += m;
  PetscFunctionReturn(0);
}

/* *z := *z + degree steps of Jacobi-scaled Chebyshev iteration for H z = r on [a, b] (Saad, Alg.
   12.1: d_0 = D^-1 (r - H z)/theta, d_{k+1} = rho_{k+1} rho_k d_k + 2 rho_{k+1}/delta D^-1 (r - H z_{k+1}),
   rho_{k+1} = 1/(2 sigma - rho_k), sigma = theta/delta); zero: z = 0 on entry (one product saved).
   Each step writes z's new values into the other block *zalt, and the two are swapped. */
static PetscErrorCode CYCLE(Smooth)(TwoLevel *T, const CYCLE_REAL r[], PetscBool zero, CYCLE_REAL dir[], CYCLE_REAL **z, CYCLE_REAL **zalt)
{
  const PetscInt  n = T->B->n, m = T->B->m;
  const PetscReal theta = 0.5 * (T->b + T->a), delta = 0.5 * (T->b - T->a), sigma = theta / delta;
  PetscReal       rho = 1 / sigma;

  PetscFunctionBegin;
  for (PetscInt s = 0; s < T->degree; s++) {
    PetscReal cdir = 0, cres = 1 / theta;
    if (s == 0 && zero) {
      for (PetscInt j = 0; j < n; j++)
        for (PetscInt k = 0; k < m; k++) (*z)[j * m + k] = dir[j * m + k] = (CYCLE_REAL)(T->dinv[j] * r[j * m + k] / theta);
      continue;
    }
    if (s > 0) {
      const PetscReal rho_next = 1 / (2 * sigma - rho);
      cdir = rho_next * rho, cres = 2 * rho_next / delta, rho = rho_next;
    }
    PetscCall(CYCLE(Pass)(T, r, *z, cdir, cres, dir, *zalt));
    {
      CYCLE_REAL *swap = *z;
      *z = *zalt, *zalt = swap;
    }
  }
  PetscFunctionReturn(0);
}

/* z += P Ac^-1 P^T r, all m columns at once (the first m of the coarse multi-vectors, which have
   as many as the whole block); an aggregate's coarse values gathered in T->acc (d nk x m). With
   the redundant coarse solve every rank solves for all coarse rows and uses its own. */
static PetscErrorCode CYCLE(CoarseCorrection)(TwoLevel *T, const CYCLE_REAL r[], CYCLE_REAL z[])
{
  const PetscInt     bs = T->B->op->bs, m = T->B->m, nk = T->nk, cb = bs * nk;
  PetscReal         *acc = T->acc;
  PetscScalar       *rc, *mine;
  const PetscScalar *zc;
  PetscInt           lda, ldm;
  Mat                Rc, Zc;

  PetscFunctionBegin;
  PetscCall(MatDenseGetSubMatrix(T->Rc, PETSC_DECIDE, PETSC_DECIDE, 0, m, &Rc));
  PetscCall(MatDenseGetSubMatrix(T->Zc, PETSC_DECIDE, PETSC_DECIDE, 0, m, &Zc));
  PetscCall(MatDenseGetLDA(Rc, &lda));
  PetscCall(MatDenseGetArrayWrite(Rc, &rc));
  mine = T->crow ? T->mine : rc; /* redundant: this rank's rows apart, then gathered into rc */
  ldm  = T->crow ? T->nagg * cb : lda;
  for (PetscInt A = 0; A < T->nagg; A++) { /* rc = P^T r */
    PetscCall(PetscArrayzero(acc, cb * m));
    for (PetscInt i = T->first[A]; i < T->first[A + 1]; i++)
      for (PetscInt k = 0; k < nk; k++)
        for (PetscInt c = 0; c < bs; c++)
          for (PetscInt kk = 0; kk < m; kk++) acc[(k * bs + c) * m + kk] += T->psi[i * nk + k] * r[(i * bs + c) * m + kk];
    for (PetscInt u = 0; u < cb; u++)
      for (PetscInt kk = 0; kk < m; kk++) mine[kk * ldm + A * cb + u] = acc[u * m + kk];
  }
  if (T->crow) PetscCall(CoarseGather(T, m, rc, lda));
  PetscCall(MatDenseRestoreArrayWrite(Rc, &rc));
  PetscCall(MatMatSolve(T->F, Rc, Zc));
  PetscCall(MatDenseGetLDA(Zc, &lda));
  PetscCall(MatDenseGetArrayRead(Zc, &zc));
  for (PetscInt A = 0; A < T->nagg; A++) { /* z += P zc, on this rank's rows of zc */
    for (PetscInt u = 0; u < cb; u++)
      for (PetscInt kk = 0; kk < m; kk++) acc[u * m + kk] = PetscRealPart(zc[kk * lda + T->row0 + A * cb + u]);
    for (PetscInt i = T->first[A]; i < T->first[A + 1]; i++)
      for (PetscInt k = 0; k < nk; k++)
        for (PetscInt c = 0; c < bs; c++)
          for (PetscInt kk = 0; kk < m; kk++) z[(i * bs + c) * m + kk] += (CYCLE_REAL)(T->psi[i * nk + k] * acc[(k * bs + c) * m + kk]);
  }
  PetscCall(MatDenseRestoreArrayRead(Zc, &zc));
  PetscCall(MatDenseRestoreSubMatrix(T->Rc, &Rc));
  PetscCall(MatDenseRestoreSubMatrix(T->Zc, &Zc));
  PetscFunctionReturn(0);
}

/* W(:, 0:ma) = T (H X - X Theta)(:, active) into w (stride m, the columns from ma zero): the residuals
   r of the active columns (stride ma), the cycle from z = 0 in *z (smoothing, the coarse correction
   of the residual r - H z, held in dir, smoothing again; *zalt the other block of z), then z widened
   into w, the last row first so that nothing is read after it is overwritten where z is w. */
static PetscErrorCode CYCLE(Precondition)(TwoLevel *T, const Lobpcg *L, const PetscReal theta[], PetscInt ma, const PetscInt active[], CYCLE_REAL r[], CYCLE_REAL dir[], CYCLE_REAL *z, CYCLE_REAL *zalt)
{
  const PetscInt n = T->B->n, m = T->B->m;

  PetscFunctionBegin;
  for (PetscInt j = 0; j < n; j++)
    for (PetscInt a = 0; a < ma; a++) r[j * ma + a] = (CYCLE_REAL)(L->hx[j * m + active[a]] - theta[active[a]] * L->x[j * m + active[a]]);
  {
    VitBlock narrow = *T->B, *whole = T->B;
    narrow.m        = ma;
    T->B            = &narrow;
    PetscCall(VitKpmOperatorSetVectors(narrow.op, ma));
    PetscCall(CYCLE(Smooth)(T, r, PETSC_TRUE, dir, &z, &zalt));
    PetscCall(CYCLE(Pass)(T, r, z, 0, 0, dir, NULL));
    PetscCall(CYCLE(CoarseCorrection)(T, dir, z));
    PetscCall(CYCLE(Smooth)(T, r, PETSC_FALSE, dir, &z, &zalt));
    PetscCall(VitKpmOperatorSetVectors(narrow.op, m));
    T->B = whole;
  }
  for (PetscInt j = n - 1; j >= 0; j--)
    for (PetscInt k = m - 1; k >= 0; k--) L->w[j * m + k] = k < ma ? (PetscReal)z[j * ma + k] : 0;
  PetscFunctionReturn(0);
}
