/* Ridge regression path from a small R factor: SVD of R_X (optionally after the smoothness
   transformation), solutions, residuals and held-out errors for any lambda. */
#include <vitrum/fit.h>
#include <petscblaslapack.h>

static PetscErrorCode Gemm(const char *ta, const char *tb, PetscInt m, PetscInt n, PetscInt k, PetscReal alpha, const PetscReal *A, PetscInt lda, const PetscReal *B, PetscInt ldb, PetscReal beta, PetscReal *C, PetscInt ldc)
{
  PetscBLASInt bm, bn, bk, blda, bldb, bldc;

  PetscFunctionBeginUser;
  if (!m || !n) PetscFunctionReturn(0);
  PetscCall(PetscBLASIntCast(m, &bm));
  PetscCall(PetscBLASIntCast(n, &bn));
  PetscCall(PetscBLASIntCast(k, &bk));
  PetscCall(PetscBLASIntCast(PetscMax(lda, 1), &blda));
  PetscCall(PetscBLASIntCast(PetscMax(ldb, 1), &bldb));
  PetscCall(PetscBLASIntCast(PetscMax(ldc, 1), &bldc));
  if (!k) { /* BLAS leaves C untouched when k = 0 only if beta = 1 */
    for (PetscInt j = 0; j < n; j++)
      for (PetscInt i = 0; i < m; i++) C[i + j * ldc] *= beta;
    PetscFunctionReturn(0);
  }
  PetscCallBLAS("BLASgemm", BLASgemm_(ta, tb, &bm, &bn, &bk, &alpha, A, &blda, B, &bldb, &beta, C, &bldc));
  PetscFunctionReturn(0);
}

/* LAPACK's banded Cholesky factorisation and banded triangular solves (not in PETSc's mangling list). */
#define LAPACKpbtrf_ PETSCBLAS(pbtrf, PBTRF)
#define LAPACKtbtrs_ PETSCBLAS(tbtrs, TBTRS)
PETSC_EXTERN void LAPACKpbtrf_(const char *, const PetscBLASInt *, const PetscBLASInt *, PetscReal *, const PetscBLASInt *, PetscBLASInt *);
PETSC_EXTERN void LAPACKtbtrs_(const char *, const char *, const char *, const PetscBLASInt *, const PetscBLASInt *, const PetscBLASInt *, const PetscReal *, const PetscBLASInt *, PetscReal *, const PetscBLASInt *, PetscBLASInt *);

/* Gamma^{-op} B for B p x m (column-major): op "N" solves Gamma X = B, "T" solves Gamma^T X = B. */
static PetscErrorCode BandSolve(const char *op, const VitPenalty *gamma, PetscInt m, PetscReal *B)
{
  PetscBLASInt bp, bkd, bm, ldab, info;

  PetscFunctionBeginUser;
  PetscCall(PetscBLASIntCast(gamma->p, &bp));
  PetscCall(PetscBLASIntCast(gamma->kd, &bkd));
  PetscCall(PetscBLASIntCast(m, &bm));
  PetscCall(PetscBLASIntCast(gamma->kd + 1, &ldab));
  PetscCallBLAS("LAPACKtbtrs", LAPACKtbtrs_("U", op, "N", &bp, &bkd, &bm, gamma->ab, &ldab, B, &bp, &info));
  PetscCheck(!info, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK tbtrs failed on the smoothness penalty: info %d", (int)info);
  PetscFunctionReturn(0);
}

/* B <- B Gamma^{-1} (side "R", B is m x p) or B <- Gamma^{-1} B (side "L", B is p x m). The right
   side solves Gamma^T B^T' = B^T on a transposed copy. */
static PetscErrorCode ApplyGammaInverse(const char *side, PetscInt p, PetscInt m, const VitPenalty *gamma, PetscReal *B)
{
  PetscReal *T;

  PetscFunctionBeginUser;
  if (!gamma || !gamma->kd || !m || !p) PetscFunctionReturn(0); /* Gamma = I */
  if (side[0] == 'L') {
    PetscCall(BandSolve("N", gamma, m, B));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscMalloc1(p * m, &T));
  for (PetscInt j = 0; j < p; j++)
    for (PetscInt i = 0; i < m; i++) T[j + i * p] = B[i + j * m];
  PetscCall(BandSolve("T", gamma, m, T));
  for (PetscInt j = 0; j < p; j++)
    for (PetscInt i = 0; i < m; i++) B[i + j * m] = T[j + i * p];
  PetscCall(PetscFree(T));
  PetscFunctionReturn(0);
}

/* Thin SVD A = U diag(s) VT of an m x n matrix (A destroyed); U m x r, VT r x n, r = min(m, n). */
static PetscErrorCode ThinSVD(PetscInt m, PetscInt n, PetscReal *A, PetscReal *s, PetscReal *U, PetscReal *VT)
{
  PetscBLASInt bm, bn, br, lwork = -1, info;
  PetscReal    wquery, *work;

  PetscFunctionBeginUser;
  if (!m || !n) PetscFunctionReturn(0);
  PetscCall(PetscBLASIntCast(m, &bm));
  PetscCall(PetscBLASIntCast(n, &bn));
  PetscCall(PetscBLASIntCast(PetscMin(m, n), &br));
  PetscCallBLAS("LAPACKgesvd", LAPACKgesvd_("S", "S", &bm, &bn, A, &bm, s, U, &bm, VT, &br, &wquery, &lwork, &info));
  PetscCall(PetscBLASIntCast((PetscInt)wquery, &lwork));
  PetscCall(PetscMalloc1(lwork, &work));
  PetscCallBLAS("LAPACKgesvd", LAPACKgesvd_("S", "S", &bm, &bn, A, &bm, s, U, &bm, VT, &br, work, &lwork, &info));
  PetscCheck(!info, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK gesvd failed: info %d", (int)info);
  PetscCall(PetscFree(work));
  PetscFunctionReturn(0);
}

static PetscReal SumSquares(PetscInt n, const PetscReal *a)
{
  PetscReal sum = 0;
  for (PetscInt i = 0; i < n; i++) sum += a[i] * a[i];
  return sum;
}

PetscErrorCode VitRidgePathCreate(const VitTriangle *R, PetscInt p, PetscInt t, const VitPenalty *gamma, VitRidgePath *path)
{
  PetscInt   k = R->k, kc = R->k - 1, r;
  PetscReal *RX, *RY, *U, *VT;

  PetscFunctionBeginUser;
  PetscCheck(k >= 1 && R->ncols == 1 + p + t, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "R factor of %" PetscInt_FMT " x %" PetscInt_FMT " does not match 1 + %" PetscInt_FMT " + %" PetscInt_FMT " columns", k, R->ncols, p, t);
  r        = PetscMin(kc, p);
  path->p  = p;
  path->t  = t;
  path->r  = r;
  path->gamma = gamma;
  PetscCall(PetscMalloc1(1 + p + t, &path->row0));
  for (PetscInt j = 0; j < 1 + p + t; j++) path->row0[j] = R->a[j * k];
  /* The centred problem: rows 1.. of R without the intercept column. */
  PetscCall(PetscMalloc4(kc * p + 1, &RX, kc * t + 1, &RY, kc * r + 1, &U, r * p + 1, &VT));
  for (PetscInt i = 0; i < kc; i++) {
    for (PetscInt j = 0; j < p; j++) RX[i + j * kc] = R->a[(i + 1) + (1 + j) * k];
    for (PetscInt j = 0; j < t; j++) RY[i + j * kc] = R->a[(i + 1) + (1 + p + j) * k];
  }
  PetscCall(ApplyGammaInverse("R", p, kc, gamma, RX));
  PetscCall(PetscMalloc3(r + 1, &path->s, p * r + 1, &path->V, r * t + 1, &path->C));
  PetscCall(ThinSVD(kc, p, RX, path->s, U, VT));
  for (PetscInt i = 0; i < r; i++)
    for (PetscInt j = 0; j < p; j++) path->V[j + i * p] = VT[i + j * r];
  PetscCall(Gemm("T", "N", r, t, kc, 1.0, U, kc, RY, kc, 0.0, path->C, r));
  PetscCall(Gemm("N", "N", kc, t, r, -1.0, U, kc, path->C, r, 1.0, RY, kc)); /* RY - U C */
  path->rss_perp = SumSquares(kc * t, RY);
  PetscCall(PetscFree4(RX, RY, U, VT));
  PetscFunctionReturn(0);
}

PetscErrorCode VitRidgePathDestroy(VitRidgePath *path)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree3(path->s, path->V, path->C));
  PetscCall(PetscFree(path->row0));
  PetscFunctionReturn(0);
}

PetscErrorCode VitRidgePathSolve(const VitRidgePath *path, PetscReal lambda, PetscReal *Wt, PetscReal *b)
{
  PetscInt   p = path->p, t = path->t, r = path->r;
  PetscReal *DC;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(r * t + 1, &DC));
  for (PetscInt j = 0; j < t; j++)
    for (PetscInt i = 0; i < r; i++) DC[i + j * r] = path->s[i] / (path->s[i] * path->s[i] + lambda) * path->C[i + j * r];
  PetscCall(Gemm("N", "N", p, t, r, 1.0, path->V, p, DC, r, 0.0, Wt, p));
  PetscCall(ApplyGammaInverse("L", p, t, path->gamma, Wt));
  /* Row 0 of R: R00 (-b) - R_0X W^T + R_0Y = 0 makes the intercept's residual row vanish. */
  for (PetscInt j = 0; j < t; j++) {
    PetscReal sum = path->row0[1 + p + j];
    for (PetscInt i = 0; i < p; i++) sum -= path->row0[1 + i] * Wt[i + j * p];
    b[j] = sum / path->row0[0];
  }
  PetscCall(PetscFree(DC));
  PetscFunctionReturn(0);
}

void VitRidgePathRSS(const VitRidgePath *path, PetscReal lambda, PetscReal *rss, PetscReal *df)
{
  *rss = path->rss_perp;
  *df  = 0;
  for (PetscInt i = 0; i < path->r; i++) {
    PetscReal s2 = path->s[i] * path->s[i], shrink = lambda / (s2 + lambda), cc = 0;
    for (PetscInt j = 0; j < path->t; j++) cc += path->C[i + j * path->r] * path->C[i + j * path->r];
    *rss += shrink * shrink * cc;
    *df += s2 / (s2 + lambda);
  }
}

PetscErrorCode VitRidgeBlockError(const VitTriangle *Rk, PetscInt p, PetscInt t, const PetscReal *Wt, const PetscReal *b, PetscReal *sse)
{
  PetscInt   nc = 1 + p + t;
  PetscReal *Z, *E;

  PetscFunctionBeginUser;
  *sse = 0;
  if (!Rk->k) PetscFunctionReturn(0);
  PetscCall(PetscCalloc2(nc * t, &Z, Rk->k * t, &E));
  for (PetscInt j = 0; j < t; j++) {
    Z[j * nc] = -b[j];
    for (PetscInt i = 0; i < p; i++) Z[1 + i + j * nc] = -Wt[i + j * p];
    Z[1 + p + j + j * nc] = 1.0;
  }
  PetscCall(Gemm("N", "N", Rk->k, t, nc, 1.0, Rk->a, Rk->k, Z, nc, 0.0, E, Rk->k));
  *sse = SumSquares(Rk->k * t, E);
  PetscCall(PetscFree2(Z, E));
  PetscFunctionReturn(0);
}

PetscErrorCode VitLinearPredict(PetscInt nrows, PetscInt p, PetscInt t, const PetscReal *X, const PetscReal *W, const PetscReal *b, PetscReal *Yhat)
{
  PetscFunctionBeginUser;
  /* Column-major view: Yhat^T (t x nrows) = W (t x p) X^T (p x nrows). */
  for (PetscInt i = 0; i < nrows; i++) PetscCall(PetscArraycpy(Yhat + i * t, b, t));
  PetscCall(Gemm("T", "N", t, nrows, p, 1.0, W, p, X, p, 1.0, Yhat, t));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSmoothPenalty(PetscInt p, const PetscInt group[], PetscInt order, PetscReal mu, VitPenalty *gamma)
{
  static const PetscReal stencil[3][3] = {{1, 0, 0}, {-1, 1, 0}, {1, -2, 1}}; /* order-th differences */
  PetscInt               kd, ld;
  PetscBLASInt           bp, bkd, bld, info;

  PetscFunctionBeginUser;
  PetscCheck(order >= 0 && order <= 2, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "difference order %" PetscInt_FMT " not in 0..2", order);
  kd = mu > 0 ? order : 0;
  ld = kd + 1;
  gamma->p  = p;
  gamma->kd = kd;
  PetscCall(PetscCalloc1(ld * p + 1, &gamma->ab));
  for (PetscInt j = 0; j < p; j++) gamma->ab[kd + j * ld] = 1.0; /* the identity on the diagonal */
  /* G = I + mu sum over rows l of L of l l^T; a row spans order+1 features of one group. */
  for (PetscInt i = 0; kd > 0 && i + order < p; i++) {
    if (group[i] != group[i + order]) continue;
    for (PetscInt a = 0; a <= order; a++)
      for (PetscInt c = a; c <= order; c++) gamma->ab[(kd + a - c) + (i + c) * ld] += mu * stencil[order][a] * stencil[order][c];
  }
  if (!kd || !p) PetscFunctionReturn(0);
  PetscCall(PetscBLASIntCast(p, &bp));
  PetscCall(PetscBLASIntCast(kd, &bkd));
  PetscCall(PetscBLASIntCast(ld, &bld));
  PetscCallBLAS("LAPACKpbtrf", LAPACKpbtrf_("U", &bp, &bkd, gamma->ab, &bld, &info));
  PetscCheck(!info, PETSC_COMM_SELF, PETSC_ERR_LIB, "Cholesky factorisation of the smoothness penalty failed: info %d", (int)info);
  PetscFunctionReturn(0);
}

PetscErrorCode VitPenaltyDestroy(VitPenalty *gamma)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(gamma->ab));
  PetscFunctionReturn(0);
}

void VitFeatureNameParse(const char name[], char group[], size_t len, PetscReal *r, PetscInt index)
{
  const char *open = strrchr(name, '('), *eq = open ? strchr(open, '=') : NULL;
  size_t      n    = eq ? (size_t)(open - name) : strlen(name);

  if (n >= len) n = len - 1;
  memcpy(group, name, n);
  group[n] = 0;
  *r       = eq ? atof(eq + 1) : (PetscReal)index;
}

PetscErrorCode VitFeatureGroups(PetscInt p, char *const names[], PetscInt group[], PetscReal r[])
{
  char prev[256] = "", cur[256];

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < p; i++) {
    VitFeatureNameParse(names[i], cur, sizeof(cur), &r[i], i);
    group[i] = i == 0 ? 0 : group[i - 1] + (strcmp(cur, prev) ? 1 : 0);
    PetscCall(PetscStrcpy(prev, cur));
  }
  PetscFunctionReturn(0);
}

/* Species a <= b of a partial's group name "g_A-B" among the ntypes names; false when it is none. */
static PetscBool PairOfGroup(const char group[], PetscInt ntypes, const char names[][VIT_NAME_LEN], PetscInt *a, PetscInt *b)
{
  for (*a = 0; *a < ntypes; (*a)++)
    for (*b = *a; *b < ntypes; (*b)++) {
      char name[2 * VIT_NAME_LEN + 4];
      PetscCallAbort(PETSC_COMM_SELF, PetscSNPrintf(name, sizeof(name), "g_%s-%s", names[*a], names[*b]));
      if (!strcmp(name, group)) return PETSC_TRUE;
    }
  return PETSC_FALSE;
}

void VitFeatureSpeciesPairs(PetscInt p, char *const names[], PetscInt ntypes, const char type_names[][VIT_NAME_LEN], PetscInt a[], PetscInt b[], PetscReal r[], PetscInt *bad)
{
  *bad = -1;
  for (PetscInt i = 0; i < p; i++) {
    char      group[256];
    PetscReal x;
    VitFeatureNameParse(names[i], group, sizeof(group), &x, i);
    if (r) r[i] = x;
    if (!PairOfGroup(group, ntypes, type_names, &a[i], &b[i]) && *bad < 0) *bad = i;
  }
}

/* splitmix64: a small, portable generator (the same stream on every platform). */
static uint64_t SplitMix64(uint64_t *state)
{
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z          = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z          = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

PetscInt VitFitHeldOut(PetscReal fraction, PetscInt n)
{
  return (PetscInt)(fraction * n + 0.5);
}

PetscErrorCode VitSamplePositions(PetscInt n, PetscInt64 seed, PetscInt pos[])
{
  PetscInt *perm;
  uint64_t  state = (uint64_t)seed;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(n + 1, &perm));
  for (PetscInt i = 0; i < n; i++) perm[i] = i;
  for (PetscInt i = n - 1; i > 0; i--) { /* Fisher-Yates */
    PetscInt j = (PetscInt)(SplitMix64(&state) % (uint64_t)(i + 1)), tmp = perm[i];
    perm[i] = perm[j];
    perm[j] = tmp;
  }
  for (PetscInt q = 0; q < n; q++) pos[perm[q]] = q;
  PetscCall(PetscFree(perm));
  PetscFunctionReturn(0);
}
