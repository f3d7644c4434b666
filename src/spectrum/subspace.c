/* Lowest modes by Chebyshev-filtered subspace iteration (-spectrum_method chebyshev).

   Zhou & Saad, SIAM J. Matrix Anal. Appl. 29, 954 (2007); the scaled three-term filter of Zhou,
   Saad, Tiago & Chelikowsky, J. Comput. Phys. 219, 172 (2006), Algorithm 3.2. A block X of m > nev
   orthonormal vectors (orthogonal to the d translations) is multiplied by the Chebyshev polynomial
   p_k(H) = T_k((2H - a - b)/(b - a)), which stays within [-1, 1] on the unwanted part [a, b] of the
   spectrum and grows like cosh(k acosh|x|) below a; the block is orthonormalised again, and the
   Rayleigh-Ritz procedure on its span gives the next block. a is the block's largest Ritz value, at
   most twice the last a (first: the KPM pilot's estimate of FilterInterval in modes.c; a negative a
   rises by at most max(|a|, the first)), b the top of the spectrum (the KPM bounds). The filter is
   scaled to 1 at the lowest Ritz value (0 before the first Rayleigh-Ritz), negative on an
   unrelaxed sample, and its degree keeps every direction down to the KPM's lower bound finite. Every product applies H to all m vectors at once with the KPM's block kernel, so
   the matrix streams from memory once per m vectors, where SLEPc's STFILTER (-spectrum_method
   filter) applies its filter one vector at a time. Exact multiplets of up to m - nev members are
   found whole, since the block spans them.

   Locking (Zhou & Saad 2007, Sec. 4; "hard locking"): converged wanted Ritz vectors at the bottom
   of the block leave it in groups of 8 (whole SIMD chunks of the kernel); they are no longer
   filtered, the block is kept orthogonal to them, and the products apply H to fewer vectors. The
   cut a (the block's top Ritz value) and the guard vectors above the wanted modes stay, so the
   convergence of the rest is unchanged, while the scaling point (the lowest Ritz value still in
   the block) rises, which lets the degree grow within the conditioning limit below.

   The degree is what the unconverged wanted Ritz pairs need to reach the tolerance, but keeps the
   growth of the lowest Ritz value over the cut a below 1e6 (so that the filtered block stays well
   conditioned for the orthonormalisation), within [8, max_degree].
   Orthonormalisation: SVQB (Stathopoulos & Wu, SIAM J. Sci. Comput. 23, 2165 (2002)), twice;
   directions lost to round-off are replaced by fresh random vectors.
   Options (-help): -spectrum_chebyshev_block m, -spectrum_chebyshev_max_degree, -spectrum_chebyshev_tol,
   -spectrum_chebyshev_max_it. */
#include "block.h"
#include <petscblaslapack.h>

typedef struct {
  PetscInt  block, max_degree, max_it;
  PetscReal tol;
} ChebyshevOptions;

/* The locked Ritz pairs: count vectors of the owned entries, entry (j, k) at x[j cap + k]. */
typedef struct {
  PetscInt   count, cap;
  PetscReal *x, *theta, *residual;
} Locked;

/* The options and their checks that need no sample (VitModesChebyshevCheckOptions runs them before
   the sample is read); states: the dN - d non-translation modes the block may hold, for its default */
static PetscErrorCode ParseOptions(MPI_Comm comm, PetscInt nev, PetscInt states, ChebyshevOptions *c)
{
  PetscFunctionBegin;
  c->block      = VitBlockDefaultSize(nev, states);
  c->max_degree = 400;
  c->max_it     = 200;
  c->tol        = 1e-8;
  PetscOptionsBegin(comm, NULL, "Chebyshev-filtered subspace iteration (-spectrum_method chebyshev)", NULL);
  PetscCall(PetscOptionsInt("-spectrum_chebyshev_block", "vectors in the block (> -spectrum_nev; default nev + max(8, nev/2), rounded up to 8)", NULL, c->block, &c->block, NULL));
  PetscCall(PetscOptionsInt("-spectrum_chebyshev_max_degree", "largest degree of the filter per iteration", NULL, c->max_degree, &c->max_degree, NULL));
  PetscCall(PetscOptionsInt("-spectrum_chebyshev_max_it", "most filter + Rayleigh-Ritz iterations", NULL, c->max_it, &c->max_it, NULL));
  PetscCall(PetscOptionsReal("-spectrum_chebyshev_tol", "relative residual ||H e - lambda e|| / max(|lambda|, 1e-6 Tr(H)/(dN)) of every wanted mode at convergence (eigenvalues nearer zero are zero modes)", NULL, c->tol, &c->tol, NULL));
  PetscOptionsEnd();
  PetscCall(VitBlockCheckTolerance(comm, "chebyshev", c->tol));
  PetscCheck(c->max_degree >= 8, comm, PETSC_ERR_USER_INPUT, "-spectrum_chebyshev_max_degree %" PetscInt_FMT ": must be >= 8", c->max_degree);
  PetscFunctionReturn(0);
}

/* The options for this sample: the block against nev (shrunk for a small sample) and states. */
static PetscErrorCode ReadOptions(MPI_Comm comm, PetscInt nev, PetscInt states, ChebyshevOptions *c)
{
  PetscFunctionBegin;
  PetscCall(ParseOptions(comm, nev, states, c));
  PetscCall(VitBlockCheckSize(comm, "chebyshev", c->block, nev, states));
  PetscFunctionReturn(0);
}

/* X := X - L (L^T X): the block orthogonal to the locked vectors (owned entries). */
static PetscErrorCode ProjectOutLocked(const VitSpectrumProblem *prob, const VitBlock *B, const Locked *L, PetscReal x[])
{
  const PetscReal one = 1, minus = -1, zero = 0;
  PetscBLASInt    m, n, nl, cap;
  PetscReal      *C;

  PetscFunctionBegin;
  if (!L->count) PetscFunctionReturn(0);
  PetscCall(PetscBLASIntCast(B->m, &m));
  PetscCall(PetscBLASIntCast(B->n, &n));
  PetscCall(PetscBLASIntCast(L->count, &nl));
  PetscCall(PetscBLASIntCast(L->cap, &cap));
  PetscCall(PetscCalloc1(L->count * B->m, &C));
  if (n) PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &nl, &m, &n, &one, L->x, &cap, x, &m, &zero, C, &nl));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, C, (PetscMPIInt)(L->count * B->m), MPIU_REAL, MPIU_SUM, prob->comm));
  if (n) PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &m, &n, &nl, &minus, C, &nl, L->x, &cap, &one, x, &m));
  PetscCall(PetscFree(C));
  PetscFunctionReturn(0);
}

/* One SVQB pass: with G = X^T X, D = diag(G)^-1/2 and D G D = U L U^T, X := X D U L^-1/2 is
   orthonormal. Directions with L below 1e-13 of its largest are lost to round-off: their columns
   become fresh random vectors (*refilled counts them) and need another pass. */
static PetscErrorCode SvqbPass(const VitSpectrumProblem *prob, const VitBlock *B, PetscInt64 seed, PetscReal x[], PetscReal work[], PetscInt *refilled)
{
  const PetscInt m = B->m;
  PetscReal     *G;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(m * m, &G));
  PetscCall(VitBlockGram(prob, B, B->m, x, B->m, x, G));
  PetscCall(VitBlockSvqb(prob, "chebyshev", m, G, 1e-13, refilled));
  PetscCall(VitBlockCombine(B, B->m, x, B->m, G, 0, work));
  PetscCall(PetscArraycpy(x, work, B->n * m));
  for (PetscInt k = 0; k < *refilled; k++) VitBlockRandomColumn(prob, B, seed, k, x); /* the lost ones */
  if (*refilled) PetscCall(VitBlockDeflateTranslations(prob, B, x));
  PetscCall(PetscFree(G));
  PetscFunctionReturn(0);
}

/* Orthonormal columns, orthogonal to the translations and the locked vectors: (projection, SVQB)
   twice, more while directions are refilled. */
static PetscErrorCode Orthonormalise(const VitSpectrumProblem *prob, const VitBlock *B, const Locked *L, PetscInt64 seed, PetscReal x[], PetscReal work[])
{
  PetscInt refilled = 0;

  PetscFunctionBegin;
  PetscCall(VitBlockDeflateTranslations(prob, B, x));
  for (PetscInt pass = 0; pass < 2 || refilled; pass++) {
    PetscCheck(pass < 6, prob->comm, PETSC_ERR_NOT_CONVERGED, "-spectrum_method chebyshev: the block lost %" PetscInt_FMT " directions in 6 orthonormalisations", refilled);
    PetscCall(ProjectOutLocked(prob, B, L, x));
    PetscCall(SvqbPass(prob, B, seed + 1000003 * (pass + 1), x, work, &refilled));
  }
  PetscFunctionReturn(0);
}

/* The degree k at which T_k(|x(lambda)|) = cosh(k acosh|x|) reaches `growth`, x(lambda) = (2 lambda -
   a - b)/(b - a): how much a direction at lambda < a grows over those above the cut a. */
static PetscReal DegreeForGrowth(PetscReal lambda, PetscReal a, PetscReal b, PetscReal growth)
{
  const PetscReal x = (a + b - 2 * lambda) / (b - a);
  return x > 1 ? PetscLogReal(2 * growth) / PetscLogReal(x + PetscSqrtReal(x * x - 1)) : PETSC_MAX_REAL;
}

/* The next filter's degree: enough for every unconverged wanted Ritz pair to reach tol / 10 (its
   residual shrinks like 1/T_k(x(theta)), the damping of the directions above a), but the lowest
   direction (theta_0 or, before the first Rayleigh-Ritz, 0) grows by at most 1e6, so that the
   block stays well conditioned, and a direction at the bottom of the spectrum (the KPM bound
   `bottom`, below every eigenvalue) by at most 1e100: before the first Rayleigh-Ritz an unrelaxed
   sample's negative eigenvalues lie below 0, and a filter of degree 230 or 400 made their
   directions overflow (Inf and NaN in the Gram matrix: a perfect fcc crystal under tension, 201
   negative eigenvalues; LAPACK syev failed); within [8, max_degree]. */
static PetscInt FilterDegree(const ChebyshevOptions *c, PetscInt wanted, const PetscReal theta[], const PetscReal residual[], PetscReal low, PetscReal bottom, PetscReal a, PetscReal b)
{
  PetscReal k = 0;

  for (PetscInt j = 0; j < wanted; j++)
    if (residual[j] > c->tol) k = PetscMax(k, DegreeForGrowth(theta[j], a, b, 10 * residual[j] / c->tol));
  if (!wanted) k = PETSC_MAX_REAL;
  k = PetscMin(k, DegreeForGrowth(low, a, b, 1e6));
  k = PetscMin(k, DegreeForGrowth(bottom, a, b, 1e100));
  return PetscMax(8, (PetscInt)PetscMin((PetscReal)c->max_degree, PetscCeilReal(k)));
}

/* p_k(H) X by the scaled Chebyshev recurrence (Zhou et al. 2006, Alg. 3.2): with e = (b - a)/2,
   c = (b + a)/2, sigma_1 = e/(low - c): Y_1 = (H - c) X sigma_1/e, and
   Y_{i+1} = 2 (H - c) Y_i sigma_{i+1}/e - sigma_i sigma_{i+1} Y_{i-1}, sigma_{i+1} = 1/(2/sigma_1 - sigma_i);
   the scaling keeps the component at `low` near 1. buf[0] holds X; the result is left in buf[0]
   (the buffers are rotated). */
static PetscErrorCode ChebyshevFilter(const VitBlock *B, PetscInt degree, PetscReal low, PetscReal a, PetscReal b, PetscReal *buf[3])
{
  const PetscInt  N = B->n * B->m;
  const PetscReal e = 0.5 * (b - a), c = 0.5 * (b + a), sigma1 = e / (low - c), tau = 2 / sigma1;
  PetscReal       sigma = sigma1, *x = buf[0], *y = buf[1], *z = buf[2], *swap;

  PetscFunctionBegin;
  PetscCall(VitKpmOperatorApply(B->op, B->m, x, y));
  for (PetscInt j = 0; j < N; j++) y[j] = (y[j] - c * x[j]) * (sigma1 / e);
  for (PetscInt i = 2; i <= degree; i++) {
    const PetscReal sigma_next = 1 / (tau - sigma);
    PetscCall(VitKpmOperatorApply(B->op, B->m, y, z));
    for (PetscInt j = 0; j < N; j++) z[j] = (z[j] - c * y[j]) * (2 * sigma_next / e) - sigma * sigma_next * x[j];
    sigma = sigma_next;
    swap  = x;
    x     = y;
    y     = z;
    z     = swap;
  }
  buf[0] = y;
  buf[1] = x;
  buf[2] = z;
  PetscFunctionReturn(0);
}

/* Rayleigh-Ritz on span(Y) (orthonormal, in buf[0]): A = Y^T H Y = V diag(theta) V^T, X = Y V into
   buf[0] (the buffers are rotated), relative residuals ||H x_k - theta_k x_k|| / |theta_k|. */
static PetscErrorCode RayleighRitz(const VitSpectrumProblem *prob, const VitBlock *B, PetscReal *buf[4], PetscReal theta[], PetscReal residual[])
{
  const PetscInt m = B->m;
  PetscReal     *y = buf[0], *hy = buf[1], *x = buf[2], *hx = buf[3], *A;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(m * m, &A));
  PetscCall(VitKpmOperatorApply(B->op, m, y, hy));
  PetscCall(VitBlockGram(prob, B, B->m, y, B->m, hy, A));
  for (PetscInt j = 0; j < m; j++)
    for (PetscInt k = 0; k < j; k++) A[j * m + k] = A[k * m + j] = 0.5 * (A[j * m + k] + A[k * m + j]);
  PetscCall(VitBlockSymmetricEigen(prob, "chebyshev", m, A, theta));
  PetscCall(VitBlockCombine(B, B->m, y, B->m, A, 0, x));
  PetscCall(VitBlockCombine(B, B->m, hy, B->m, A, 0, hx));
  PetscCall(VitBlockResiduals(prob, B, x, hx, theta, residual));
  buf[0] = x;
  buf[2] = y;
  PetscCall(PetscFree(A));
  PetscFunctionReturn(0);
}

/* The locked and the block's Ritz pairs in one ascending list (theta, residual), and where each
   came from: perm[q] < L->count is locked column perm[q], else block column perm[q] - L->count. */
static void MergeRitz(const Locked *L, PetscInt ma, const PetscReal theta[], const PetscReal residual[], PetscReal all_theta[], PetscReal all_residual[], PetscInt perm[])
{
  const PetscInt total = L->count + ma;

  for (PetscInt q = 0; q < total; q++) {
    const PetscReal t = q < L->count ? L->theta[q] : theta[q - L->count];
    PetscInt        k = q;
    for (; k > 0 && all_theta[k - 1] > t; k--) { /* insertion: both lists are ascending already */
      all_theta[k]    = all_theta[k - 1];
      all_residual[k] = all_residual[k - 1];
      perm[k]         = perm[k - 1];
    }
    all_theta[k]    = t;
    all_residual[k] = q < L->count ? L->residual[q] : residual[q - L->count];
    perm[k]         = q;
  }
}

/* Move the block's lowest q Ritz pairs (converged) to the locked ones; the block keeps its other
   m - q columns, packed with the new width, and the operator applies H to that many vectors. */
static PetscErrorCode Lock(VitBlock *B, Locked *L, PetscInt q, PetscReal x[], PetscReal theta[], PetscReal residual[])
{
  const PetscInt m = B->m, ma = m - q;

  PetscFunctionBegin;
  for (PetscInt j = 0; j < B->n; j++) {
    PetscCall(PetscArraycpy(L->x + j * L->cap + L->count, x + j * m, q));
    PetscCall(PetscArraymove(x + j * ma, x + j * m + q, ma)); /* forward: the target never passes the source */
  }
  PetscCall(PetscArraycpy(L->theta + L->count, theta, q));
  PetscCall(PetscArraycpy(L->residual + L->count, residual, q));
  PetscCall(PetscArraymove(theta, theta + q, ma));
  PetscCall(PetscArraymove(residual, residual + q, ma));
  L->count += q;
  B->m = ma;
  PetscCall(VitKpmOperatorSetVectors(B->op, ma));
  PetscFunctionReturn(0);
}

/* How many of the block's lowest Ritz pairs to lock: those converged and wanted (theta at most
   the top wanted one), in whole groups of 8, leaving at least 8 vectors in the block. */
static PetscInt LockCount(const ChebyshevOptions *c, const VitBlock *B, const PetscReal theta[], const PetscReal residual[], PetscReal top_wanted)
{
  PetscInt q = 0;

  while (q < B->m && residual[q] <= c->tol && theta[q] <= top_wanted) q++;
  q = PetscMin(q, B->m - 8);
  return q >= 8 ? 8 * (q / 8) : 0;
}

/* All Ritz vectors (locked and block) in ascending order into out (stride L->count + B->m). */
static void Unlock(const VitBlock *B, const Locked *L, const PetscInt perm[], const PetscReal x[], PetscReal out[])
{
  const PetscInt total = L->count + B->m;

  for (PetscInt j = 0; j < B->n; j++)
    for (PetscInt q = 0; q < total; q++) out[j * total + q] = perm[q] < L->count ? L->x[j * L->cap + perm[q]] : x[j * B->m + perm[q] - L->count];
}

PetscErrorCode VitModesChebyshev(const VitSpectrumProblem *prob, const VitModesOptions *opt, VitModes *modes)
{
  const PetscInt64 seed = 0x5eed;
  const PetscReal  b    = opt->range[1];
  ChebyshevOptions c;
  VitBlock            B;
  Locked           L;
  PetscReal       *buf[4], *theta, *residual, *all_theta, *all_residual, a = opt->upper, low = 0;
  PetscInt         nghost, wanted = 0, converged = 0, products = 0, vector_products = 0, it, *perm;
  PetscLogDouble   t0, last, now;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(modes, sizeof(*modes)));
  PetscCall(ReadOptions(prob->comm, opt->nev, prob->dim * prob->natoms - prob->dim, &c));
  B.op = opt->op;
  PetscCall(VitKpmOperatorSetVectors(B.op, c.block));
  PetscCall(VitKpmOperatorSizes(B.op, NULL, &nghost, NULL));
  PetscCall(VitKpmOperatorRows(B.op, &B.order, &B.gid, &B.sqrt_mass));
  B.m    = c.block;
  B.n    = prob->nowned * prob->dim;
  B.nall = (prob->nowned + nghost) * prob->dim;
  for (PetscInt q = 0; q < 4; q++) PetscCall(VitBigAlloc(VitBlockBytes(&B), &buf[q]));
  L.count = 0;
  L.cap   = c.block;
  PetscCall(VitBigAlloc((size_t)B.n * L.cap * sizeof(PetscReal), &L.x));
  PetscCall(PetscMalloc7(B.m, &theta, B.m, &residual, B.m, &all_theta, B.m, &all_residual, B.m, &perm, L.cap, &L.theta, L.cap, &L.residual));
  PetscCheck(a > 0 && a < b, prob->comm, PETSC_ERR_ARG_OUTOFRANGE, "-spectrum_method chebyshev: first cut %.6g outside (0, %.6g)", (double)a, (double)b);

  PetscCall(VitKpmRandomVectors(B.op, prob, B.m, seed, PETSC_FALSE, buf[0]));
  PetscCall(Orthonormalise(prob, &B, &L, seed, buf[0], buf[1]));
  PetscCall(PetscTime(&t0));
  last = t0;
  for (it = 0; it < c.max_it; it++) {
    const PetscInt degree = FilterDegree(&c, wanted, all_theta, all_residual, low, opt->range[0], a, b);
    PetscInt       q;
    PetscCall(ChebyshevFilter(&B, degree, low, a, b, buf));
    PetscCall(Orthonormalise(prob, &B, &L, seed + it + 1, buf[0], buf[1]));
    PetscCall(RayleighRitz(prob, &B, buf, theta, residual));
    products += degree + 1;
    vector_products += (degree + 1) * B.m;
    MergeRitz(&L, B.m, theta, residual, all_theta, all_residual, perm);
    wanted = VitBlockWanted(opt->nev, c.block, all_theta);
    for (converged = 0; converged < wanted && all_residual[converged] <= c.tol; converged++) { }
    PetscCall(PetscInfo(NULL, "chebyshev: iteration %" PetscInt_FMT ", degree %" PetscInt_FMT " on [%.6g, %.6g] (low %.6g), %" PetscInt_FMT " vectors (%" PetscInt_FMT " locked): %" PetscInt_FMT " of %" PetscInt_FMT " converged, theta %.6g .. %.6g, largest residual of the wanted %.6g\n", it, degree, (double)a, (double)b, (double)low, B.m, L.count, converged, wanted, (double)all_theta[0], (double)all_theta[c.block - 1], (double)all_residual[wanted - 1]));
    PetscCall(PetscTime(&now));
    if (now - last >= 60) { /* progress on long runs (10^5-10^6 atoms): a line a minute at most */
      PetscReal worst = 0;
      for (PetscInt j = 0; j < wanted; j++) worst = PetscMax(worst, all_residual[j]);
      PetscCall(PetscPrintf(prob->comm, "  chebyshev: iteration %" PetscInt_FMT ": %" PetscInt_FMT " of %" PetscInt_FMT " modes converged (largest residual %.2g, tol %.2g), %" PetscInt_FMT " products with H (%" PetscInt_FMT " vectors now, %" PetscInt_FMT " locked), %.0f s\n", it + 1, converged, wanted, (double)worst, (double)c.tol, products, B.m, L.count, now - t0));
      last = now;
    }
    if (converged == wanted) break;
    /* the next cut: the block's largest Ritz value (every direction above it is damped), at most
       twice the last cut: the top Ritz values of a block filtered from random vectors are mixtures
       far above the modes they converge to; kept when the wanted modes fill the block (a cut at
       their own eigenvalue would not separate them). A cut at or below 0 (an unrelaxed sample's
       negative modes) rises by at most max(|a|, the first cut): twice it would lower it, below
       the wanted modes. */
    if (wanted < c.block) a = PetscMin(all_theta[c.block - 1], a > 0 ? 2 * a : a + PetscMax(-a, opt->upper));
    q = LockCount(&c, &B, theta, residual, all_theta[wanted - 1]);
    if (q) PetscCall(Lock(&B, &L, q, buf[0], theta, residual));
    low = theta[0]; /* the scaling point: the lowest Ritz value, negative on an unrelaxed sample */
  }
  if (converged < wanted) {
    PetscCheck(opt->allow_unconverged, prob->comm, PETSC_ERR_NOT_CONVERGED, "-spectrum_method chebyshev: %" PetscInt_FMT " of %" PetscInt_FMT " modes converged to %.6g after %" PetscInt_FMT " iterations; raise -spectrum_chebyshev_max_it or -spectrum_chebyshev_block, or pass -spectrum_allow_unconverged", converged, wanted, (double)c.tol, it);
    PetscCall(PetscPrintf(prob->comm, "vitrum: warning: -spectrum_method chebyshev: only %" PetscInt_FMT " of %" PetscInt_FMT " modes converged; continuing (-spectrum_allow_unconverged)\n", converged, wanted));
  }
  if (wanted == c.block)
    PetscCall(PetscPrintf(prob->comm, "vitrum: warning: -spectrum_method chebyshev: the multiplet of mode %" PetscInt_FMT " fills the block of %" PetscInt_FMT " vectors and may have more members; raise -spectrum_chebyshev_block\n", opt->nev, c.block));
  PetscCall(PetscInfo(NULL, "chebyshev: %" PetscInt_FMT " iterations, %" PetscInt_FMT " block products, %" PetscInt_FMT " vector products (%" PetscInt_FMT " vectors locked)\n", it + 1, products, vector_products, L.count));
  MergeRitz(&L, B.m, theta, residual, all_theta, all_residual, perm); /* again: a lock may follow the last merge */
  Unlock(&B, &L, perm, buf[0], buf[1]);
  B.m = c.block;
  PetscCall(VitBlockStoreModes(prob, &B, converged < wanted ? converged : wanted, all_theta, all_residual, buf[1], modes));
  modes->iterations = PetscMin(it + 1, c.max_it);
  PetscCall(PetscFree7(theta, residual, all_theta, all_residual, perm, L.theta, L.residual));
  PetscCall(VitBigFree((size_t)B.n * L.cap * sizeof(PetscReal), &L.x));
  for (PetscInt q = 0; q < 4; q++) PetscCall(VitBigFree(VitBlockBytes(&B), &buf[q]));
  PetscFunctionReturn(0);
}

PetscErrorCode VitModesChebyshevCheckOptions(MPI_Comm comm, PetscInt nev)
{
  ChebyshevOptions c;

  PetscFunctionBegin;
  PetscCall(ParseOptions(comm, PetscMax(nev, 1), PETSC_MAX_INT, &c));
  PetscFunctionReturn(0);
}
