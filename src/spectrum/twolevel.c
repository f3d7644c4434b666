/* Lowest modes by LOBPCG on blocks with a two-level preconditioner (-spectrum_method twolevel).

   LOBPCG (Knyazev, SIAM J. Sci. Comput. 23, 517 (2001)) improves a block X of m Ritz vectors in
   the span of [X, W, P]: W = T R the preconditioned residuals R = H X - X Theta, P the last
   step's directions. Its rate is set by how well T approximates H^-1 at the low end of the
   spectrum, which Chebyshev filtering (subspace.c) cannot exploit: there the number of products
   grows like N^(1/3) at fixed wanted modes, while a preconditioner whose quality does not depend
   on N leaves only the crowding of the low end (docs/BENCHMARKS.md, "Two-level preconditioned
   LOBPCG").

   T is one two-level cycle (smoothed on both sides, coarse correction in between; Vanek, Mandel &
   Brezina, Computing 56, 179 (1996), with the plain aggregates):
   - smoother: `degree` steps of Chebyshev iteration for H z = r with Jacobi scaling (Saad,
     Iterative Methods for Sparse Linear Systems, Alg. 12.1) on [b/100, b], b = 1.1 x the largest
     eigenvalue of D^-1 H from 10 Lanczos steps (D = diag H): it damps the high modes, which the
     coarse level cannot represent;
   - coarse level: aggregates of neighbouring atoms (cells of a grid over the box, the Morton
     prefixes of problem.c chosen so that a cell holds at least `aggregate` atoms on average; each
     rank aggregates its own atoms), and as coarse space the displacements of each aggregate that
     are affine in the position (-spectrum_twolevel_coarse_space affine, the default): the d
     translations and the d^2 displacements u_c = x_k - mean_A x_k, i.e. P(i c, A k c) =
     sqrt(m_i) g_k(x_i) with g_0 = 1, g_k = x_k - mean (H is mass weighted), orthonormal over the
     aggregate (CoarseBasis); or the d translations only (`translations`, P(i c, A c) = sqrt(m_i)).
     The long-wavelength modes that the smoother cannot reach are smooth on the scale of an
     aggregate; the translations follow them to first order in (aggregate size / wavelength), the
     affine space to second order (it holds the local strain and rotation), which saves LOBPCG
     iterations the more, the longer the waves: 11 % at 27,000 atoms, 32 % at 125,000
     (docs/BENCHMARKS.md). The coarse matrix P^T H P sums the force constants over pairs of
     aggregates, (A k c, B l c') = sum_{i in A, j in B} P(i c, A k c) H_ic,jc' P(j c', B l c'),
     and couples neighbouring aggregates only; it is singular (the global translations), so the
     coarse matrix is that of H + sigma I, P^T H P + sigma P^T P with sigma = 1e-6 Tr(H)/(dN) (the
     mean eigenvalue, whatever the aggregates), factorised once by MUMPS (LDL^T: negative pivots
     mean H is not positive semi-definite) and applied to all m columns at once.
   Every product applies H to the whole block with the KPM's kernel; the cycle (twolevel_cycle.h)
   runs in single precision: its products (12 of the 13 per iteration) with a single-precision copy
   of H and fused multiply-adds (3x faster per product, docs/BENCHMARKS.md), its vectors in float,
   each product consumed a tile of rows at a time by the smoothing step's update while the tile is
   in cache. A preconditioner only has to approximate H^-1, and its rounding
   (1e-7 of the residual it is applied to) shrinks with that residual, while the residuals, H W,
   and the Rayleigh-Ritz step stay in double precision, so the modes are those of H to the same
   tolerance. The copy is made where it fits in a share of each node's available memory
   (-spectrum_twolevel_single_memory, half by default), else the products stay in double.

   The Rayleigh-Ritz step works on an orthonormal basis: X is orthonormal, W is orthogonalised
   against X and P (a second time where the first pass left an overlap; SearchDirections) and made
   orthonormal by SVQB (Stathopoulos & Wu, SIAM J. Sci. Comput.
   23, 2165 (2002)), which drops directions lost to round-off; P is orthonormalised against X in
   the small coefficient space (Hetmaniuk & Lehoucq, J. Comput. Phys. 218, 324 (2006)). H P and
   H X follow their vectors by the same combinations, and H X is applied anew before convergence
   is accepted, so that the residuals reported are those of the vectors. Soft locking (Knyazev,
   Argentati, Lashuk & Ovtchinnikov, SIAM J. Sci. Comput. 29, 2224 (2007), BLOPEX): a wanted Ritz
   pair whose residual is below tol gets no search direction, so the cycle runs on a narrower
   block; the pair stays in the Rayleigh-Ritz step. Where the preconditioner cannot be built (a
   shell Hessian, a non-positive diagonal entry, negative coarse pivots), or where fewer modes than
   wanted converge in -spectrum_twolevel_max_it iterations, the solve stops with a user error, or
   with opt->fallback says why in a note and returns no modes (modes->declined), and
   VitModesCompute runs sinvert (opt->sinvert_fits) or chebyshev.
   The coarse system is solved by MUMPS on all ranks together, or with
   -spectrum_twolevel_coarse_solve redundant by every rank alone on a whole copy, which makes the
   modes bitwise the same from run to run (MUMPS's parallel solve is not).
   Options (-help): -spectrum_twolevel_block, _degree, _coarse_space, _aggregate, _coarse_solve, _coarse_memory, _max_it, _tol, _lock, _single, _single_memory. */
#include "kpm_impl.h"
#include "block.h"
#include <petsc/private/hashmapi.h>

#define COARSE_PREFIX   "spectrum_twolevel_coarse_" /* of the coarse factor's -mat_mumps_* options */
#define SMOOTHING_RANGE 100 /* the smoother damps [b / SMOOTHING_RANGE, b] */
#define RR_TILE         256 /* rows per tile of the Rayleigh-Ritz combinations (4 tiles of m columns fit a block) */
/* A twolevel that the default chose (opt->fallback) hands over where its residuals stall: where
   the wanted modes' residuals gained less than one decade in all (Decades) in this many
   iterations. A converging run gains far more: 8 decades for each of 20 modes in 40-60 iterations
   on glasses; the slowest seen, a buckled 40,960-atom sheet (453 iterations), gained 27 decades in
   its first 100 and at least 20 in every 100 after (docs/spectrum.md). */
#define STALL_WINDOW 100

typedef enum { COARSE_TRANSLATIONS, COARSE_AFFINE, COARSE_QUADRATIC } CoarseSpace;
static const char *const coarse_spaces[] = {"translations", "affine", "quadratic"};
/* Who factorises the coarse matrix: MUMPS on all ranks together (its parallel solve rounds
   differently from run to run), or each rank the whole of it (bitwise the same every run). */
typedef enum { COARSE_DISTRIBUTED, COARSE_REDUNDANT } CoarseSolve;
static const char *const coarse_solves[] = {"distributed", "redundant"};

/* Coarse functions per aggregate and component: 1, the translations; 1 + d, affine; 1 + d + d (d + 1) / 2,
   quadratic (the products of two position components as well: the bending of a sheet, u_z ~ x^2). */
static PetscInt CoarseFunctions(PetscInt dim, CoarseSpace space)
{
  return space == COARSE_TRANSLATIONS ? 1 : space == COARSE_AFFINE ? dim + 1 : 1 + dim + dim * (dim + 1) / 2;
}

typedef struct {
  PetscInt  block, degree, aggregate, max_it;
  CoarseSpace space;       /* the coarse space: each aggregate's translations, or its affine or quadratic displacements */
  PetscBool   space_set;   /* given (-spectrum_twolevel_coarse_space), not the default */
  CoarseSolve solve;
  PetscReal tol;
  PetscBool single;        /* the cycle's products in single precision */
  PetscBool lock;          /* converged wanted modes get no search direction (soft locking) */
  PetscReal single_memory; /* ... where their float copies fit in this share of a node's available memory */
  PetscReal coarse_memory; /* share of a node's available memory for the coarse factor and LOBPCG's blocks */
} TwoLevelOptions;

typedef struct {
  VitBlock  *B;
  PetscReal *dinv;         /* 1 / H_jj for the owned entries */
  PetscReal  a, b;         /* the smoother's interval for D^-1 H */
  PetscInt   degree;
  PetscInt   nagg, *first; /* local aggregates, aggregate A = operator rows first[A] .. first[A+1]-1 */
  PetscInt   nk;           /* coarse functions per aggregate and component: 1 (translations) or d + 1 (affine) */
  PetscReal *psi;          /* psi[r nk + k]: function k of row r's aggregate at row r, times sqrt(m_r) (CoarseBasis) */
  PetscBool *kept;         /* kept[A nk + k]: function k of aggregate A is in the coarse space */
  PetscInt   dropped;      /* ... and the local functions that are not */
  PetscReal *acc;          /* an aggregate's d nk x m coarse values (CoarseCorrection) */
  Mat        Ac, Rc, Zc;   /* coarse matrix; dense coarse multi-vectors (nagg d nk x m) */
  Mat        F;            /* MUMPS LDL^T of Ac */
  PetscMPIInt *crow;       /* redundant coarse solve (Ac, F, Rc, Zc whole on every rank): crow[p] is rank p's first
                              coarse row, crow[size] their number; NULL: distributed */
  PetscMPIInt *counts, *displs; /* ... the gather of the right-hand sides' rows */
  PetscReal   *mine, *all; /* ... this rank's rows of P^T r, then every rank's (by columns, in rank order) */
  PetscInt     row0;       /* this rank's first row in Zc's local rows: crow[rank], or 0 when distributed */
  PetscReal *dir;          /* a work block: the double-precision cycle's direction, the Rayleigh-Ritz tiles, SVQB */
  PetscReal *y;            /* double-precision cycle: the second block of z (ghost room), or NULL */
  float     *xf, *zf;      /* single-precision cycle: the two blocks of z (ghost room), or NULL */
  float     *rf, *dirf;    /* ... its residual and direction (owned rows) */
  void      *tile;         /* a tile of H z (twolevel_cycle.h, Pass) */
  PetscInt   tile_rows;
  PetscInt   products;     /* block products with H */
  PetscInt64 columns;      /* ... and the vectors they held */
  PetscInt   reorthogonalised; /* search directions orthogonalised a second time */
} TwoLevel;

/* -log_view: the set-up (aggregates, coarse factor, single-precision copy), the preconditioner's
   cycles (their products, smoothing and coarse solves), the products with H in double precision,
   and LOBPCG's dense work (orthogonalisation, Rayleigh-Ritz). */
static PetscLogEvent ev_setup, ev_cycle, ev_product, ev_dense;

static PetscErrorCode RegisterEvents(void)
{
  const char *const    names[]  = {"VitTwoLevelSetUp", "VitTwoLevelCycle", "VitTwoLevelHX", "VitTwoLevelDense"};
  PetscLogEvent *const events[] = {&ev_setup, &ev_cycle, &ev_product, &ev_dense};

  PetscFunctionBegin;
  PetscCall(VitLogEventsRegister(4, names, events));
  PetscFunctionReturn(0);
}

/* The default atoms per aggregate for natoms atoms: 16 per coarse function (16 (d + 1) for the
   affine space, 16 for the translations), and in 3D at least nk sqrt(N) / 16 (nk coarse functions
   per component; sqrt(N) / 4 for the affine space), i.e. at most about 16 d sqrt(N) coarse
   unknowns. A 3D coarse factor's flops grow as the square of its unknowns (nested dissection;
   George, SIAM J. Numer. Anal. 10, 345 (1973)) and LOBPCG's work per iteration as N, so with fixed
   aggregates the factor comes to dominate, while unknowns growing as sqrt(N) keep its share fixed.
   The growth starts at 65,536 atoms; the constant is the measured optimum at 10^6 atoms, 2 ranks
   (at 2.5 x 10^5 it is 13-14 % off the best, at 1.25 and 5 x 10^5 the time is flat in the
   aggregate size; docs/SCALING.md, session 30). A 2D factor grows as n^(3/2) only: 2D keeps 16
   per coarse function (at 230,400 atoms 48, 96 and 192 take the same time within the noise), and
   so does a sheet (48 atoms, with the quadratic space: ParseOptions). */
static PetscInt DefaultAggregate(PetscInt dim, CoarseSpace space, PetscInt natoms, PetscBool sheet)
{
  const PetscInt  nk    = sheet ? 3 : CoarseFunctions(dim, space); /* a sheet: as a 2D sample's affine space */
  const PetscReal grown = dim == 3 && !sheet ? nk * PetscSqrtReal((PetscReal)natoms) / 16 : 0;

  return PetscMax(16 * nk, (PetscInt)PetscCeilReal(grown));
}

/* The options and their checks that need no sample (VitModesTwoLevelCheckOptions runs them before
   the sample is read); states: the dN - d non-translation modes the block may hold, for its
   default; sheet: the default coarse space is quadratic */
static PetscErrorCode ParseOptions(MPI_Comm comm, PetscInt nev, PetscInt states, PetscBool sheet, TwoLevelOptions *o)
{
  PetscFunctionBegin;
  o->block     = VitBlockDefaultSize(nev, states);
  o->degree    = 6;
  o->aggregate = 0; /* DefaultAggregate */
  o->max_it    = 1000;
  o->tol       = 1e-8;
  o->single    = PETSC_TRUE;
  o->single_memory = 0.5;
  o->coarse_memory = 0.8;
  o->lock      = PETSC_TRUE;
  o->space     = sheet ? COARSE_QUADRATIC : COARSE_AFFINE; /* a sheet bends: u_z ~ x^2 */
  o->solve     = COARSE_DISTRIBUTED;
  PetscOptionsBegin(comm, NULL, "LOBPCG with a two-level preconditioner (-spectrum_method twolevel)", NULL);
  PetscCall(PetscOptionsInt("-spectrum_twolevel_block", "vectors in the LOBPCG block (> -spectrum_nev; default nev + max(8, nev/2), rounded up to 8)", NULL, o->block, &o->block, NULL));
  PetscCall(PetscOptionsInt("-spectrum_twolevel_degree", "Chebyshev-Jacobi smoothing steps on each side of the coarse correction", NULL, o->degree, &o->degree, NULL));
  PetscCall(PetscOptionsEList("-spectrum_twolevel_coarse_space", "coarse functions of each aggregate: translations (d per aggregate), affine (the translations and the d^2 displacements linear in the position: d (d + 1), which follow long waves to second order; the default) or quadratic (also the d^2 (d + 1)/2 displacements quadratic in the position, which follow a sheet's bending; the default for a sheet)", NULL, coarse_spaces, 3, coarse_spaces[o->space], (PetscInt *)&o->space, &o->space_set));
  PetscCall(PetscOptionsInt("-spectrum_twolevel_aggregate", "atoms per aggregate of the coarse level (at least, on average: cells of a grid over the box, columns through a sheet); 0: 16 per coarse function (16 (d + 1) for affine, 8 (d + 1)(d + 2) for quadratic, 16 for translations), and in 3D at least sqrt(N)/16 per coarse function (sqrt(N)/4 for affine: 250 at 10^6 atoms), so that the coarse factor's share of the work does not grow with the sample; a sheet: 48, as a 2D sample", NULL, o->aggregate, &o->aggregate, NULL));
  PetscCall(PetscOptionsInt("-spectrum_twolevel_max_it", "most LOBPCG iterations (then an error; where the default chose twolevel, a note and sinvert if its factor fits, else chebyshev, and that also where its residuals stall: less than a decade gained in all, summed over the wanted modes, in " PetscStringize(STALL_WINDOW) " iterations)", NULL, o->max_it, &o->max_it, NULL));
  PetscCall(PetscOptionsReal("-spectrum_twolevel_tol", "relative residual ||H e - lambda e|| / max(|lambda|, 1e-6 Tr(H)/(dN)) of every wanted mode at convergence (eigenvalues nearer zero are zero modes)", NULL, o->tol, &o->tol, NULL));
  PetscCall(PetscOptionsBool("-spectrum_twolevel_single", "the preconditioner in single precision: its products with a float copy of H and its vectors (LOBPCG itself stays in double)", NULL, o->single, &o->single, NULL));
  PetscCall(PetscOptionsBool("-spectrum_twolevel_lock", "soft locking: a wanted mode whose residual is below the tolerance gets no new search direction (it stays in the Rayleigh-Ritz step, and is freed again if its residual grows)", NULL, o->lock, &o->lock, NULL));
  PetscCall(PetscOptionsReal("-spectrum_twolevel_single_memory", "share of each node's available memory (the least of MemAvailable and what is left under the job's memory limit (cgroup)) that the float copy of H and the cycle's float blocks may take; above it the products stay in double precision, with a note", NULL, o->single_memory, &o->single_memory, NULL));
  PetscCall(PetscOptionsEList("-spectrum_twolevel_coarse_solve", "who factorises the coarse matrix and solves with it: distributed (MUMPS on all ranks together, the factor shared; its parallel solve rounds differently from run to run, so on more than one rank the modes differ between identical runs, by about 1e-14 relative) or redundant (each rank gathers the whole coarse matrix and factorises and solves it alone: bitwise the same modes in every run on the same ranks; each rank holds the whole factor, and the coarse solves do not get faster with more ranks)", NULL, coarse_solves, 2, coarse_solves[o->solve], (PetscInt *)&o->solve, NULL));
  PetscCall(PetscOptionsReal("-spectrum_twolevel_coarse_memory", "share of each node's available memory (the least of MemAvailable and what is left under the job's memory limit (cgroup)) that the coarse factor (MUMPS's estimate after its analysis) and LOBPCG's blocks may take; above it the aggregates are made twice as large until they fit, with a note", NULL, o->coarse_memory, &o->coarse_memory, NULL));
  PetscOptionsEnd();
  PetscCall(VitBlockCheckTolerance(comm, "twolevel", o->tol));
  PetscCheck(o->degree >= 1, comm, PETSC_ERR_USER_INPUT, "-spectrum_twolevel_degree %" PetscInt_FMT ": must be >= 1", o->degree);
  PetscCheck(o->aggregate >= 0, comm, PETSC_ERR_USER_INPUT, "-spectrum_twolevel_aggregate %" PetscInt_FMT ": must be >= 1 (or 0: the default)", o->aggregate);
  PetscCheck(o->max_it >= 1, comm, PETSC_ERR_USER_INPUT, "-spectrum_twolevel_max_it %" PetscInt_FMT ": must be >= 1", o->max_it);
  PetscCheck(o->coarse_memory > 0 && o->coarse_memory <= 1, comm, PETSC_ERR_USER_INPUT, "-spectrum_twolevel_coarse_memory %.6g: must be in (0, 1]", (double)o->coarse_memory);
  PetscCheck(o->single_memory > 0 && o->single_memory <= 1, comm, PETSC_ERR_USER_INPUT, "-spectrum_twolevel_single_memory %.6g: must be in (0, 1]", (double)o->single_memory);
  PetscFunctionReturn(0);
}

/* The options for this sample of natoms atoms: the block against nev (shrunk for a small sample)
   and states, and the default aggregate. */
static PetscErrorCode ReadOptions(MPI_Comm comm, PetscInt dim, PetscInt nev, PetscInt states, PetscInt natoms, PetscBool sheet, TwoLevelOptions *o)
{
  PetscFunctionBegin;
  PetscCall(ParseOptions(comm, nev, states, sheet, o));
  PetscCall(VitBlockCheckSize(comm, "twolevel", o->block, nev, states));
  if (!o->aggregate) o->aggregate = DefaultAggregate(dim, o->space, natoms, sheet);
  PetscFunctionReturn(0);
}

/* y = H x for the block (counted). */
static PetscErrorCode Apply(TwoLevel *T, PetscReal x[], PetscReal y[])
{
  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(ev_product, 0, 0, 0, 0));
  PetscCall(VitKpmOperatorApply(T->B->op, T->B->m, x, y));
  PetscCall(PetscLogEventEnd(ev_product, 0, 0, 0, 0));
  T->products++;
  T->columns += T->B->m;
  PetscFunctionReturn(0);
}

/* ---- set-up ----------------------------------------------------------------------------------- */

/* Occupied cells of the grid whose cells are the Morton codes' prefixes without their last
   `shift` bits (operator rows in ascending code order). */
static PetscInt CellCount(const VitSpectrumProblem *prob, const VitBlock *B, PetscInt shift)
{
  PetscInt cells = prob->nowned > 0;
  for (PetscInt r = 1; r < prob->nowned; r++) cells += (prob->morton[B->order[r]] >> shift) != (prob->morton[B->order[r - 1]] >> shift);
  return cells;
}

/* The aggregates: runs of operator rows (ascending Morton codes) that share a code prefix, the
   longest prefix whose occupied cells hold at least `target` atoms on average (the occupied cells
   only, so that vacuum around a sheet or a cluster does not count). The prefix shortens a bit at
   a time (cells halved in one direction), down to none (one aggregate of all owned atoms). */
static PetscErrorCode Aggregate(const VitSpectrumProblem *prob, const VitBlock *B, PetscInt target, TwoLevel *T)
{
  const PetscInt n = prob->nowned;
  PetscInt       shift = 0;

  PetscFunctionBegin;
  PetscCheck(prob->morton, prob->comm, PETSC_ERR_USER_INPUT, "-spectrum_method twolevel needs the atom positions (a sample's Hessian); use -spectrum_method chebyshev");
  for (PetscInt r = 1; r < n; r++) PetscCheck(prob->morton[B->order[r]] >= prob->morton[B->order[r - 1]], PETSC_COMM_SELF, PETSC_ERR_PLIB, "twolevel: operator rows not in Morton order");
  while (shift < 31 && n < target * CellCount(prob, B, shift)) shift++;
  T->nagg = CellCount(prob, B, shift);
  PetscCall(PetscMalloc1(T->nagg + 1, &T->first));
  T->first[0] = 0;
  for (PetscInt r = 1, A = 0; r < n; r++)
    if ((prob->morton[B->order[r]] >> shift) != (prob->morton[B->order[r - 1]] >> shift)) T->first[++A] = r;
  T->first[T->nagg] = n;
  PetscFunctionReturn(0);
}

/* Coarse function k of an atom at fractional position s in an aggregate of mean position mean:
   1, then the d components of s - mean, then their d (d + 1) / 2 products. */
static PetscReal CoarseFunction(PetscInt dim, PetscInt k, const PetscReal s[], const PetscReal mean[])
{
  PetscInt a = 0, b;

  if (k == 0) return 1;
  if (k <= dim) return s[k - 1] - mean[k - 1];
  k -= dim + 1; /* the k-th pair a <= b, in order: (0, 0), (0, 1), ..., (1, 1), ... */
  while (k >= dim - a) {
    k -= dim - a;
    a++;
  }
  b = a + k;
  return (s[a] - mean[a]) * (s[b] - mean[b]);
}

/* The coarse basis: for each aggregate A the functions g_0 = 1 and, for the affine space, g_k =
   s_k - mean_A s_k (fractional positions, k = 1..d: in Cartesian coordinates they span the same
   space), and for the quadratic space their products as well (CoarseFunction), times sqrt(m_i),
   made orthonormal over A's atoms by Gram-Schmidt (twice). A function that is (nearly) a
   combination of the ones before it is dropped (psi = 0, kept = false): an aggregate of fewer atoms
   than functions, or one whose atoms lie in a plane (a sheet). "Nearly": what is left of it is
   below 1e-6 (in norm) of the aggregate's widest position function of the same order (linear or
   quadratic), so that a sheet flat to round-off (graphene's z spread of 1e-10 A) does not keep its
   noise as a coarse function. Each of
   the d components uses the same functions, so P(i c, A k c) = psi[i nk + k] and P^T P = I on the
   kept ones. */
static PetscErrorCode CoarseBasis(const VitSpectrumProblem *prob, const VitBlock *B, CoarseSpace space, TwoLevel *T)
{
  const PetscInt   dim = prob->dim, nk = CoarseFunctions(dim, space);
  const PetscReal *sm  = B->op->sqrt_mass;

  PetscFunctionBegin;
  T->nk = nk;
  PetscCall(PetscMalloc3(B->op->nrows * nk + 1, &T->psi, T->nagg * nk + 1, &T->kept, dim * nk * B->m, &T->acc));
  for (PetscInt A = 0; A < T->nagg; A++) {
    const PetscInt r0 = T->first[A], r1 = T->first[A + 1];
    PetscReal      mean[3] = {0, 0, 0}, before[10] = {0}, widest[2] = {0, 0}; /* before[k]: |g_k|^2 before Gram-Schmidt (at most 10 functions: quadratic, 3D); widest: the largest linear and quadratic |g_k|^2 */

    for (PetscInt r = r0; r < r1; r++)
      for (PetscInt k = 0; k < dim; k++) mean[k] += prob->s[B->order[r] * dim + k] / (r1 - r0);
    for (PetscInt k = 0; k < nk; k++) {
      for (PetscInt r = r0; r < r1; r++) {
        T->psi[r * nk + k] = sm[r] * CoarseFunction(dim, k, prob->s + B->order[r] * dim, mean);
        before[k] += PetscSqr(T->psi[r * nk + k]);
      }
      if (k) widest[k > dim] = PetscMax(widest[k > dim], before[k]);
    }
    for (PetscInt k = 0; k < nk; k++) {
      PetscReal after = 0;

      for (PetscInt pass = 0; pass < 2; pass++)
        for (PetscInt l = 0; l < k; l++) {
          PetscReal dot = 0;
          for (PetscInt r = r0; r < r1; r++) dot += T->psi[r * nk + l] * T->psi[r * nk + k];
          for (PetscInt r = r0; r < r1; r++) T->psi[r * nk + k] -= dot * T->psi[r * nk + l];
        }
      for (PetscInt r = r0; r < r1; r++) after += PetscSqr(T->psi[r * nk + k]);
      T->kept[A * nk + k] = (PetscBool)(after > 1e-16 * before[k] && after > 1e-12 * widest[k > dim] && after > 0);
      T->dropped += !T->kept[A * nk + k];
      for (PetscInt r = r0; r < r1; r++) T->psi[r * nk + k] = T->kept[A * nk + k] ? T->psi[r * nk + k] / PetscSqrtReal(after) : 0;
    }
  }
  PetscFunctionReturn(0);
}

/* The coarse matrix P^T H P + sigma P^T P (see the top; P^T P = I on the kept functions, a dropped
   one gets a large diagonal entry and no coupling) from the operator's blocks: the owned rows of
   aggregate A give its block row, (A k c, B l c') = sum_{i in A, j in B} psi_k(i) H_ic,jc' psi_l(j);
   a column atom's aggregate (global index) and psi come from its owner through the operator's
   ghost exchange. Two passes over the aggregates: the distinct block columns of each row
   (preallocation), then their sums; a hash map gives each column aggregate its slot (a sort of
   the block columns took time quadratic in the aggregate's size). */
static PetscErrorCode CoarseMatrix(const VitSpectrumProblem *prob, const VitBlock *B, TwoLevel *T)
{
  const struct _n_VitKpmOperator *op = B->op;
  const PetscInt                  bs = op->bs, nk = T->nk, cb = bs * nk, nrows = op->nrows, nall = nrows + op->nghost;
  PetscInt                        offset = 0, maxblocks = 1, maxcols = 1, *agg, *slot, *cols, *dnnz, *onnz;
  PetscReal                      *ps, *sums, sigma;
  PetscMPIInt                     rank;
  PetscHMapI                      slots;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(prob->comm, &rank));
  PetscCallMPI(MPI_Exscan(&T->nagg, &offset, 1, MPIU_INT, MPI_SUM, prob->comm));
  if (rank == 0) offset = 0;
  PetscCall(PetscMalloc2(nall + 1, &agg, nk * nall + 1, &ps));
  for (PetscInt A = 0; A < T->nagg; A++) {
    for (PetscInt r = T->first[A]; r < T->first[A + 1]; r++) agg[r] = offset + A;
    maxblocks = PetscMax(maxblocks, op->ia[T->first[A + 1]] - op->ia[T->first[A]]);
  }
  PetscCall(PetscSFBcastBegin(op->sf, MPIU_INT, agg, agg + nrows, MPI_REPLACE));
  PetscCall(PetscSFBcastEnd(op->sf, MPIU_INT, agg, agg + nrows, MPI_REPLACE));
  for (PetscInt k = 0; k < nk; k++) { /* ps[k nall + j]: function k at row or ghost j */
    for (PetscInt r = 0; r < nrows; r++) ps[k * nall + r] = T->psi[r * nk + k];
    PetscCall(PetscSFBcastBegin(op->sf, MPIU_REAL, ps + k * nall, ps + k * nall + nrows, MPI_REPLACE));
    PetscCall(PetscSFBcastEnd(op->sf, MPIU_REAL, ps + k * nall, ps + k * nall + nrows, MPI_REPLACE));
  }
  PetscCall(PetscMalloc4(maxblocks, &slot, maxblocks, &cols, T->nagg + 1, &dnnz, T->nagg + 1, &onnz));
  PetscCall(PetscHMapICreate(&slots));

  PetscCall(MatCreate(prob->comm, &T->Ac));
  PetscCall(MatSetSizes(T->Ac, T->nagg * cb, T->nagg * cb, PETSC_DETERMINE, PETSC_DETERMINE));
  PetscCall(MatSetType(T->Ac, MATAIJ));
  PetscCall(MatSetBlockSize(T->Ac, cb));
  for (PetscInt pass = 0; pass < 2; pass++) {
    for (PetscInt A = 0; A < T->nagg; A++) {
      const PetscInt p0 = op->ia[T->first[A]], row = offset + A;
      PetscInt       ncols = 0;

      PetscCall(PetscHMapIClear(slots));
      for (PetscInt p = p0; p < op->ia[T->first[A + 1]]; p++) { /* slot[p - p0]: the block's column aggregate is cols[slot]; Get gives -1 for a new one */
        PetscInt s;
        PetscCall(PetscHMapIGet(slots, agg[op->ja[p]], &s));
        if (s < 0) {
          PetscCall(PetscHMapISet(slots, agg[op->ja[p]], ncols));
          cols[s = ncols++] = agg[op->ja[p]];
        }
        slot[p - p0] = s;
      }
      if (!pass) {
        maxcols = PetscMax(maxcols, ncols);
        dnnz[A] = onnz[A] = 0;
        for (PetscInt s = 0; s < ncols; s++) {
          if (cols[s] >= offset && cols[s] < offset + T->nagg) dnnz[A]++;
          else onnz[A]++;
        }
        continue;
      }
      PetscCall(PetscArrayzero(sums, ncols * cb * cb));
      for (PetscInt r = T->first[A]; r < T->first[A + 1]; r++)
        for (PetscInt p = op->ia[r]; p < op->ia[r + 1]; p++) { /* block (r, j) into its column's sum */
          const PetscInt j = op->ja[p];
          PetscReal     *block = sums + slot[p - p0] * cb * cb, h[9];
          for (PetscInt c = 0; c < bs; c++)
            for (PetscInt cc = 0; cc < bs; cc++) h[c * bs + cc] = VitKpmBlockEntry(op, p, c, cc);
          for (PetscInt k = 0; k < nk; k++)
            for (PetscInt l = 0; l < nk; l++) {
              const PetscReal w = ps[k * nall + r] * ps[l * nall + j];
              if (w == 0) continue;
              for (PetscInt c = 0; c < bs; c++)
                for (PetscInt cc = 0; cc < bs; cc++) block[(k * bs + c) * cb + l * bs + cc] += w * h[c * bs + cc];
            }
        }
      for (PetscInt s = 0; s < ncols; s++) PetscCall(MatSetValuesBlocked(T->Ac, 1, &row, 1, &cols[s], sums + s * cb * cb, ADD_VALUES));
    }
    if (!pass) {
      PetscCall(PetscMalloc1((size_t)maxcols * cb * cb, &sums)); /* the most block columns of a row (not blocks: one aggregate per rank has millions) */
      PetscCall(MatXAIJSetPreallocation(T->Ac, cb, dnnz, onnz, NULL, NULL));
      PetscCall(MatSetOption(T->Ac, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
      /* a dropped function's couplings are zeros: kept out of the pattern, MUMPS factors only what
         couples (one atom an aggregate, 3D: 3 of 12 functions a block kept; 20 -> 6.5 CPU-s) */
      PetscCall(MatSetOption(T->Ac, MAT_IGNORE_ZERO_ENTRIES, PETSC_TRUE));
    }
  }
  /* sigma = 1e-6 Tr(H)/(dN) on the kept functions; a dropped one's unknown is decoupled, its
     right-hand side always zero, so any positive diagonal entry serves (the mean eigenvalue) */
  sigma = VIT_ZERO_MODE_RTOL * prob->mean;
  for (PetscInt A = 0; A < T->nagg; A++) {
    const PetscInt row = offset + A;
    PetscCall(PetscArrayzero(sums, cb * cb));
    for (PetscInt u = 0; u < cb; u++) sums[u * cb + u] = T->kept[A * nk + u / bs] ? sigma : 1e6 * sigma;
    PetscCall(MatSetValuesBlocked(T->Ac, 1, &row, 1, &row, sums, ADD_VALUES));
  }
  PetscCall(MatAssemblyBegin(T->Ac, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(T->Ac, MAT_FINAL_ASSEMBLY));
  PetscCall(MatSetOption(T->Ac, MAT_SYMMETRIC, PETSC_TRUE)); /* not SPD: MUMPS's LDL^T counts negative pivots */
  PetscCall(PetscHMapIDestroy(&slots));
  PetscCall(PetscFree(sums));
  PetscCall(PetscFree4(slot, cols, dnnz, onnz));
  PetscCall(PetscFree2(agg, ps));
  PetscFunctionReturn(0);
}

/* The redundant coarse solve: Ac replaced by the whole coarse matrix on every rank (a sequential
   copy, MatCreateSubMatrices), and the rows each rank contributes to the right-hand sides. On one
   rank nothing changes. */
static PetscErrorCode CoarseRedundant(MPI_Comm comm, TwoLevel *T)
{
  const PetscInt m = T->B->m;
  PetscMPIInt    size, rank, rows;
  PetscInt       total, local;
  IS             all;
  Mat           *whole;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (size == 1) PetscFunctionReturn(0);
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(MatGetSize(T->Ac, &total, NULL));
  PetscCall(MatGetLocalSize(T->Ac, &local, NULL));
  PetscCall(ISCreateStride(PETSC_COMM_SELF, total, 0, 1, &all));
  PetscCall(MatCreateSubMatrices(T->Ac, 1, &all, &all, MAT_INITIAL_MATRIX, &whole));
  PetscCall(ISDestroy(&all));
  PetscCall(MatDestroy(&T->Ac));
  PetscCall(MatDuplicate(whole[0], MAT_COPY_VALUES, &T->Ac));
  PetscCall(MatDestroySubMatrices(1, &whole));
  PetscCall(MatSetOption(T->Ac, MAT_SYMMETRIC, PETSC_TRUE));
  PetscCall(PetscMalloc3(size + 1, &T->crow, size, &T->counts, size, &T->displs));
  PetscCall(PetscMPIIntCast(local, &rows));
  PetscCallMPI(MPI_Allgather(&rows, 1, MPI_INT, T->crow + 1, 1, MPI_INT, comm));
  T->crow[0] = 0;
  for (PetscMPIInt p = 0; p < size; p++) T->crow[p + 1] += T->crow[p];
  T->row0 = T->crow[rank];
  PetscCall(PetscMalloc2((size_t)local * m + 1, &T->mine, (size_t)total * m + 1, &T->all));
  PetscFunctionReturn(0);
}

/* The redundant coarse solve's right-hand sides: this rank's rows of P^T r (T->mine, by columns)
   and every other rank's, in rank order, into the whole rc (leading dimension lda) on every rank. */
static PetscErrorCode CoarseGather(TwoLevel *T, PetscInt m, PetscScalar rc[], PetscInt lda)
{
  MPI_Comm    comm = T->B->op->comm;
  PetscMPIInt size, rank;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  for (PetscMPIInt p = 0; p < size; p++) {
    PetscCall(PetscMPIIntCast((PetscInt)(T->crow[p + 1] - T->crow[p]) * m, &T->counts[p]));
    PetscCall(PetscMPIIntCast((PetscInt)T->crow[p] * m, &T->displs[p]));
  }
  PetscCallMPI(MPI_Allgatherv(T->mine, T->counts[rank], MPIU_REAL, T->all, T->counts, T->displs, MPIU_REAL, comm));
  for (PetscMPIInt p = 0; p < size; p++) {
    const PetscInt   rows = T->crow[p + 1] - T->crow[p];
    const PetscReal *from = T->all + T->displs[p];
    for (PetscInt kk = 0; kk < m; kk++)
      for (PetscInt i = 0; i < rows; i++) rc[kk * lda + T->crow[p] + i] = from[kk * rows + i];
  }
  PetscFunctionReturn(0);
}

/* The coarse factor: MUMPS LDL^T of Ac (symmetric indefinite mode; options prefix
   spectrum_twolevel_coarse_), with its workspace raised where MUMPS's estimate fell short
   (VitMumpsFactorNumeric: delayed pivots of the nearly singular coarse matrix; seen with 64-atom
   translation aggregates at 125,000 atoms); T->F holds the analysis on entry. reason: why it
   cannot serve (the factorisation failed, or Ac has negative pivots: H is not positive
   semi-definite, a sample away from an energy minimum), or "". */
static PetscErrorCode CoarseFactor(TwoLevel *T, char reason[], size_t len)
{
  PetscInt infog1, relax, negative = 0;
  char     failure[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  PetscCall(VitMumpsFactorNumeric(T->Ac, COARSE_PREFIX, PETSC_FALSE, &T->F, &infog1, &relax));
  if (infog1 == 0) PetscCall(MatMumpsGetInfog(T->F, 12, &negative));
  if (infog1 < 0) {
    PetscCall(VitMumpsFailure(infog1, relax, COARSE_PREFIX, failure, sizeof(failure)));
    PetscCall(PetscSNPrintf(reason, len, "MUMPS could not factorise its coarse matrix: %s", failure));
  } else if (negative > 0) PetscCall(PetscSNPrintf(reason, len, "its coarse matrix has %" PetscInt_FMT " negative pivots, so H is not positive semi-definite (a sample away from an energy minimum)", negative));
  PetscFunctionReturn(0);
}

/* Everything of one coarse level, for another try with larger aggregates (or the end). */
static PetscErrorCode CoarseFree(TwoLevel *T)
{
  PetscFunctionBegin;
  PetscCall(PetscFree3(T->crow, T->counts, T->displs));
  PetscCall(PetscFree2(T->mine, T->all));
  T->row0 = 0;
  PetscCall(PetscFree(T->first));
  PetscCall(PetscFree3(T->psi, T->kept, T->acc));
  PetscCall(MatDestroy(&T->F));
  PetscCall(MatDestroy(&T->Ac));
  PetscCall(MatDestroy(&T->Rc));
  PetscCall(MatDestroy(&T->Zc));
  T->nagg = T->dropped = 0;
  PetscFunctionReturn(0);
}

/* The coarse level: aggregates of at least o->aggregate atoms, their basis, the coarse matrix and
   its factor, and the dense coarse multi-vectors of m columns. Where MUMPS's estimate for the
   factor (INFO(17), after its analysis) and the bytes this rank has still to touch (`pending`:
   LOBPCG's blocks and the cycle's, mapped but not yet written) do not fit in o->coarse_memory of
   the memory available on a node, the aggregates are made twice as large, until one aggregate per
   rank; a note says what the first try needed and what was used. reason: why no coarse level
   serves, or "". */
static PetscErrorCode CoarseLevel(const VitSpectrumProblem *prob, const VitBlock *B, const TwoLevelOptions *o, PetscLogDouble pending, TwoLevel *T, char reason[], size_t len)
{
  PetscInt  target = o->aggregate;
  PetscReal first_need = 0, need, avail;
  char      bound[VIT_MEMORY_BOUND_LEN];

  PetscFunctionBegin;
  for (;;) {
    PetscInt  mb;
    PetscBool fits;

    PetscCall(Aggregate(prob, B, target, T));
    PetscCall(CoarseBasis(prob, B, o->space, T));
    PetscCall(CoarseMatrix(prob, B, T));
    if (o->solve == COARSE_REDUNDANT) PetscCall(CoarseRedundant(prob->comm, T));
    PetscCall(VitMumpsAnalysis(T->Ac, COARSE_PREFIX, PETSC_FALSE, &T->F));
    PetscCall(MatMumpsGetInfo(T->F, 17, &mb)); /* this rank's estimate, MB in core */
    PetscCall(VitNodeMemoryFits(prob->comm, 1048576.0 * mb + pending, o->coarse_memory, &fits, &need, &avail, bound, sizeof(bound)));
    if (fits) break;
    PetscCall(CoarseFree(T));
    if (target >= prob->natoms) {
      PetscCall(PetscSNPrintf(reason, len, "its coarse factor (MUMPS's estimate) and LOBPCG's blocks need %.3g GB even with one aggregate per rank, on a node where %.6g of the available memory (%s) is %.3g GB (-spectrum_twolevel_coarse_memory)", (double)need, (double)o->coarse_memory, bound, (double)avail));
      PetscFunctionReturn(0);
    }
    if (target == o->aggregate) first_need = need;
    target *= 2;
  }
  if (target != o->aggregate)
    PetscCall(PetscPrintf(prob->comm, "vitrum: note: twolevel's coarse factor (MUMPS's estimate) and LOBPCG's blocks would need %.3g GB with %" PetscInt_FMT " atoms per aggregate, on a node where %.6g of the available memory (%s) is %.3g GB (-spectrum_twolevel_coarse_memory); %" PetscInt_FMT " atoms per aggregate instead (%.3g GB)\n", (double)first_need, o->aggregate, (double)o->coarse_memory, bound, (double)avail, target, (double)need));
  PetscCall(CoarseFactor(T, reason, len));
  if (reason[0]) PetscFunctionReturn(0);
  {
    PetscInt rows; /* this rank's coarse rows, or all of them (redundant) */
    PetscCall(MatGetLocalSize(T->Ac, &rows, NULL));
    PetscCall(MatCreateDense(PetscObjectComm((PetscObject)T->Ac), rows, PETSC_DECIDE, PETSC_DETERMINE, B->m, NULL, &T->Rc));
    PetscCall(MatCreateDense(PetscObjectComm((PetscObject)T->Ac), rows, PETSC_DECIDE, PETSC_DETERMINE, B->m, NULL, &T->Zc));
  }
  PetscFunctionReturn(0);
}

/* 1 / H_jj of the owned entries, from the operator's diagonal blocks; reason: the smallest H_jj
   over all ranks when it is not positive, or "". */
static PetscErrorCode JacobiScaling(const VitBlock *B, TwoLevel *T, char reason[], size_t len)
{
  const struct _n_VitKpmOperator *op = B->op;
  PetscReal                       low = PETSC_MAX_REAL;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(B->n + 1, &T->dinv));
  for (PetscInt r = 0; r < op->nrows; r++) {
    PetscInt p = op->ia[r];
    while (p < op->ia[r + 1] && op->ja[p] != r) p++;
    PetscCheck(p < op->ia[r + 1], PETSC_COMM_SELF, PETSC_ERR_PLIB, "twolevel: operator row %" PetscInt_FMT " has no diagonal block", r);
    for (PetscInt c = 0; c < op->bs; c++) {
      const PetscReal h = VitKpmBlockEntry(op, p, c, c);
      low = PetscMin(low, h);
      T->dinv[r * op->bs + c] = 1 / h;
    }
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &low, 1, MPIU_REAL, MPIU_MIN, op->comm));
  if (!(low > 0)) PetscCall(PetscSNPrintf(reason, len, "H has non-positive diagonal entries (the smallest %.6g: a sample far from an energy minimum)", (double)low));
  PetscFunctionReturn(0);
}

/* b = 1.1 x the largest Ritz value of 10 Lanczos steps on D^-1/2 H D^-1/2 (the eigenvalues of
   D^-1 H), as PETSc's own Chebyshev smoothers estimate it; a = b / SMOOTHING_RANGE. */
static PetscErrorCode SmootherInterval(const VitSpectrumProblem *prob, const VitBlock *B, TwoLevel *T)
{
  const PetscInt steps = PetscMin(10, prob->dim * prob->natoms), n = B->n; /* the same on every rank */
  PetscReal     *v, *vprev, *u, *y, alpha[10], beta[10], Tk[100], theta[10], norm;
  PetscInt       k;

  PetscFunctionBegin;
  PetscCall(PetscCalloc4(n + 1, &v, n + 1, &vprev, B->nall + 1, &u, n + 1, &y));
  for (PetscInt r = 0; r < prob->nowned; r++)
    for (PetscInt c = 0; c < prob->dim; c++) v[r * prob->dim + c] = VitRademacher(0x1a2c, B->gid[r], c, 0);
  norm = 0;
  for (PetscInt j = 0; j < n; j++) norm += v[j] * v[j];
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &norm, 1, MPIU_REAL, MPIU_SUM, prob->comm));
  for (PetscInt j = 0; j < n; j++) v[j] /= PetscSqrtReal(norm);
  for (k = 0; k < steps; k++) {
    PetscReal dots[2] = {0, 0};
    for (PetscInt j = 0; j < n; j++) u[j] = PetscSqrtReal(T->dinv[j]) * v[j];
    PetscCall(VitKpmOperatorApply(B->op, 1, u, y));
    for (PetscInt j = 0; j < n; j++) {
      y[j] = PetscSqrtReal(T->dinv[j]) * y[j] - (k ? beta[k - 1] : 0) * vprev[j];
      dots[0] += v[j] * y[j];
    }
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, dots, 1, MPIU_REAL, MPIU_SUM, prob->comm));
    alpha[k] = dots[0];
    for (PetscInt j = 0; j < n; j++) {
      y[j] -= alpha[k] * v[j];
      dots[1] += y[j] * y[j];
    }
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &dots[1], 1, MPIU_REAL, MPIU_SUM, prob->comm));
    beta[k] = PetscSqrtReal(dots[1]);
    if (beta[k] <= 1e-12 * PetscAbsReal(alpha[k])) {
      k++;
      break;
    }
    for (PetscInt j = 0; j < n; j++) {
      vprev[j] = v[j];
      v[j]     = y[j] / beta[k];
    }
  }
  PetscCall(PetscArrayzero(Tk, k * k));
  for (PetscInt i = 0; i < k; i++) {
    Tk[i * k + i] = alpha[i];
    if (i + 1 < k) Tk[i * k + i + 1] = Tk[(i + 1) * k + i] = beta[i];
  }
  PetscCall(VitBlockSymmetricEigen(prob, "twolevel", k, Tk, theta));
  T->b = 1.1 * theta[k - 1];
  T->a = T->b / SMOOTHING_RANGE;
  PetscCall(PetscFree4(v, vprev, u, y));
  PetscFunctionReturn(0);
}

/* The work block dir: a block, and at least the 4 tiles of the Rayleigh-Ritz combinations. */
static size_t DirBytes(const VitBlock *B)
{
  return (size_t)PetscMax(B->nall, 4 * RR_TILE) * B->m * sizeof(PetscReal);
}

/* A single-precision block, with ghost room or of the owned rows only. */
static size_t SingleBytes(const VitBlock *B, PetscBool ghosts)
{
  return (size_t)(ghosts ? B->nall : B->n) * B->m * sizeof(float);
}

/* The cycle's single-precision blocks: the two of z (ghost room), r and dir. */
static size_t SingleBlocksBytes(const VitBlock *B)
{
  return 2 * SingleBytes(B, PETSC_TRUE) + 2 * SingleBytes(B, PETSC_FALSE);
}

/* The single-precision copy of H and the cycle's float blocks, where they fit in the share
   o->single_memory of the memory available on every node; else a note, and the cycle stays in
   double precision. */
static PetscErrorCode SingleSetUp(const VitSpectrumProblem *prob, const VitBlock *B, const TwoLevelOptions *o, TwoLevel *T)
{
  PetscBool fits;
  PetscReal need, avail;
  char      bound[VIT_MEMORY_BOUND_LEN];

  PetscFunctionBegin;
  PetscCall(VitNodeMemoryFits(prob->comm, B->op->val_bytes / 2 + SingleBlocksBytes(B), o->single_memory, &fits, &need, &avail, bound, sizeof(bound)));
  if (!fits) {
    PetscCall(PetscPrintf(prob->comm, "vitrum: note: twolevel's single-precision products need %.3g GB on a node where %.6g of the available memory (%s) is %.3g GB (-spectrum_twolevel_single_memory); they stay in double precision (slower)\n", (double)need, (double)o->single_memory, bound, (double)avail));
    PetscFunctionReturn(0);
  }
  PetscCall(VitKpmOperatorSingleCreate(B->op));
  PetscCall(VitBigAlloc(SingleBytes(B, PETSC_TRUE), &T->xf));
  PetscCall(VitBigAlloc(SingleBytes(B, PETSC_TRUE), &T->zf));
  PetscCall(VitBigAlloc(SingleBytes(B, PETSC_FALSE), &T->rf));
  PetscCall(VitBigAlloc(SingleBytes(B, PETSC_FALSE), &T->dirf));
  PetscFunctionReturn(0);
}

/* The tile of H z that the cycle consumes while it is in cache (VitKpmOperatorTileRows). */
static PetscErrorCode TileSetUp(const VitBlock *B, TwoLevel *T)
{
  const size_t real_bytes = T->xf ? sizeof(float) : sizeof(PetscReal);

  PetscFunctionBegin;
  T->tile_rows = VitKpmOperatorTileRows(B->op, B->m, real_bytes);
  PetscCall(PetscMalloc((size_t)T->tile_rows * B->op->bs * B->m * real_bytes, &T->tile));
  PetscFunctionReturn(0);
}

/* reason: why the preconditioner cannot be built (then T is left for TwoLevelDestroy only), or "". */
/* pending: bytes this rank maps after the set-up and has not yet written (LOBPCG's blocks), for the
   coarse level's memory check. */
static PetscErrorCode TwoLevelSetUp(const VitSpectrumProblem *prob, VitBlock *B, const TwoLevelOptions *o, PetscLogDouble pending, TwoLevel *T, char reason[], size_t len)
{
  PetscFunctionBegin;
  PetscCall(PetscMemzero(T, sizeof(*T)));
  T->B      = B;
  T->degree = o->degree;
  reason[0] = 0;
  if (B->op->shell) {
    PetscCall(PetscSNPrintf(reason, len, "it needs an assembled Hessian (not -hessian_type shell)"));
    PetscFunctionReturn(0);
  }
  PetscCall(JacobiScaling(B, T, reason, len)); /* first: a non-positive diagonal entry needs no more set-up */
  if (reason[0]) PetscFunctionReturn(0);
  PetscCall(SmootherInterval(prob, B, T));
  PetscCall(VitBigAlloc(DirBytes(B), &T->dir));
  pending += DirBytes(B);
  if (o->single) PetscCall(SingleSetUp(prob, B, o, T)); /* before the coarse level: it writes the float copy of H */
  if (T->xf) pending += SingleBlocksBytes(B);
  else {
    PetscCall(VitBigAlloc(VitBlockBytes(B), &T->y));
    pending += VitBlockBytes(B);
  }
  PetscCall(TileSetUp(B, T));
  PetscCall(CoarseLevel(prob, B, o, pending, T, reason, len));
  if (reason[0]) PetscFunctionReturn(0);
  {
    PetscInt total, dropped = T->dropped;
    PetscCall(MatGetSize(T->Ac, &total, NULL));
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &dropped, 1, MPIU_INT, MPI_SUM, prob->comm));
    PetscCall(PetscInfo(NULL, "twolevel: %" PetscInt_FMT " aggregates (%" PetscInt_FMT " coarse unknowns, %s, %" PetscInt_FMT " functions dropped), smoother on [%.6g, %.6g] of D^-1 H, degree %" PetscInt_FMT ", the cycle's products in %s precision\n", total / (B->op->bs * T->nk), total, coarse_spaces[o->space], dropped, (double)T->a, (double)T->b, T->degree, T->xf ? "single" : "double"));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode TwoLevelDestroy(TwoLevel *T)
{
  PetscFunctionBegin;
  PetscCall(VitBigFree(DirBytes(T->B), &T->dir));
  PetscCall(VitBigFree(VitBlockBytes(T->B), &T->y));
  PetscCall(PetscFree(T->tile));
  if (T->xf) {
    PetscCall(VitBigFree(SingleBytes(T->B, PETSC_TRUE), &T->xf));
    PetscCall(VitBigFree(SingleBytes(T->B, PETSC_TRUE), &T->zf));
    PetscCall(VitBigFree(SingleBytes(T->B, PETSC_FALSE), &T->rf));
    PetscCall(VitBigFree(SingleBytes(T->B, PETSC_FALSE), &T->dirf));
    PetscCall(VitKpmOperatorSingleDestroy(T->B->op));
  }
  PetscCall(PetscFree(T->dinv));
  PetscCall(CoarseFree(T));
  PetscFunctionReturn(0);
}

/* ---- the cycle -------------------------------------------------------------------------------- */

/* The LOBPCG state: blocks X, HX, W, HW, P, HP (each nall x m, ghost room). */
typedef struct {
  PetscReal *x, *hx, *w, *hw, *p, *hp;
  PetscInt   mw, mp; /* valid columns of W and P */
  PetscReal *xp;       /* [X P]^T H [X P] ((m + mp)^2, leading dimension 2m) from the last Rayleigh-Ritz step's coefficients, */
  PetscBool  xp_valid; /* ... valid while X, H X, P, H P are that step's combinations (not after H X applied anew) */
} Lobpcg;


#define CYCLE_REAL                   PetscReal
#define CYCLE(name)                  name##Double
#define CYCLE_GHOSTS(op, x)          VitKpmOperatorGhosts(op, x)
#define CYCLE_ROWS(op, r0, nr, x, y) op->rows(op->bs, nr, op->ia + (r0), op->ja, op->vb, op->val, op->nvec, x, y)
#include "twolevel_cycle.h"
#undef CYCLE_REAL
#undef CYCLE
#undef CYCLE_GHOSTS
#undef CYCLE_ROWS
#define CYCLE_REAL                   float
#define CYCLE(name)                  name##Single
#define CYCLE_GHOSTS(op, x)          VitKpmOperatorGhostsSingle(op, x)
#define CYCLE_ROWS(op, r0, nr, x, y) op->rows32(op->bs, nr, op->ia + (r0), op->ja, op->vb, op->val32, op->nvec, x, y)
#include "twolevel_cycle.h"

/* ---- LOBPCG ----------------------------------------------------------------------------------- */

/* SVQB coefficients of q vectors with Gram matrix G (q x q, destroyed; VitBlockSvqb): the
   directions with L above 1e-12 of its largest, the largest first: C is q x *kept. */
static PetscErrorCode SvqbCoefficients(const VitSpectrumProblem *prob, PetscInt q, PetscReal G[], PetscReal C[], PetscInt *kept)
{
  PetscInt lost;

  PetscFunctionBegin;
  *kept = 0;
  if (!q) PetscFunctionReturn(0);
  PetscCall(VitBlockSvqb(prob, "twolevel", q, G, 1e-12, &lost));
  *kept = q - lost;
  for (PetscInt k = 0; k < *kept; k++) PetscCall(PetscArraycpy(C + k * q, G + (q - 1 - k) * q, q));
  PetscFunctionReturn(0);
}

/* The first *q columns of x orthonormal by SVQB; *q becomes the number kept and the columns after
   them are zeroed. work: a block. */
static PetscErrorCode SvqbDrop(const VitSpectrumProblem *prob, const VitBlock *B, PetscInt *q, PetscReal x[], PetscReal work[])
{
  const PetscInt qq = *q, m = B->m;
  PetscReal     *G, *C;

  PetscFunctionBegin;
  if (!qq) PetscFunctionReturn(0);
  PetscCall(PetscMalloc2(qq * qq, &G, qq * qq, &C));
  PetscCall(VitBlockGram(prob, B, qq, x, qq, x, G));
  PetscCall(SvqbCoefficients(prob, qq, G, C, q));
  PetscCall(VitBlockCombine(B, qq, x, *q, C, 0, work));
  for (PetscInt j = 0; j < B->n; j++)
    for (PetscInt k = 0; k < qq; k++) x[j * m + k] = k < *q ? work[j * m + k] : 0;
  PetscCall(PetscFree2(G, C));
  PetscFunctionReturn(0);
}

/* x(:, 0:q) -= X (X^T x) + P(:, 0:p) (P^T x) for the orthonormal X (m columns) and P, orthogonal to
   each other (both Gram matrices in one pass over the atoms); overlap[0], overlap[1] = max |X^T x|,
   max |P^T x| (the largest cosines when x is orthonormal too). A part whose overlap is at most
   `negligible` is left out. */
static PetscErrorCode ProjectOut(const VitSpectrumProblem *prob, const VitBlock *B, const PetscReal X[], PetscInt p, const PetscReal P[], PetscInt q, PetscReal x[], PetscReal negligible, PetscReal overlap[2])
{
  const PetscInt   sizes[2] = {B->m, p};
  const PetscReal *basis[2] = {X, P};
  VitGramTerm      terms[2];
  PetscReal       *G;

  PetscFunctionBegin;
  overlap[0] = overlap[1] = 0;
  if (!q) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1((B->m + p) * q, &G));
  for (PetscInt part = 0; part < 2; part++) terms[part] = (VitGramTerm){sizes[part], basis[part], q, x, G + part * B->m * q};
  PetscCall(VitBlockGrams(prob, B, p ? 2 : 1, terms));
  for (PetscInt part = 0; part < (p ? 2 : 1); part++) {
    for (PetscInt j = 0; j < sizes[part] * q; j++) {
      overlap[part]  = PetscMax(overlap[part], PetscAbsReal(terms[part].G[j]));
      terms[part].G[j] = -terms[part].G[j];
    }
    if (overlap[part] > negligible) PetscCall(VitBlockCombine(B, sizes[part], basis[part], q, terms[part].G, 1, x));
  }
  PetscCall(PetscFree(G));
  PetscFunctionReturn(0);
}

/* L->xp = [C1 Cp]^T A0 [C1 Cp] for the next Rayleigh-Ritz step: A0 = S^T H S (s x s), C1 the first m
   columns of C (s x s, column k at C + k s), Cp s x mp; work: s x (m + mp). */
static PetscErrorCode NextXP(PetscInt s, PetscInt m, PetscInt mp, const PetscReal A0[], const PetscReal C[], const PetscReal Cp[], PetscReal work[], Lobpcg *L)
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < m + mp; k++) { /* work(:, k) = A0 column k of [C1 Cp] */
    const PetscReal *ck = k < m ? C + k * s : Cp + (k - m) * s;
    for (PetscInt i = 0; i < s; i++) {
      PetscReal sum = 0;
      for (PetscInt j = 0; j < s; j++) sum += A0[i * s + j] * ck[j];
      work[k * s + i] = sum;
    }
  }
  for (PetscInt j = 0; j < m + mp; j++)
    for (PetscInt k = 0; k < m + mp; k++) {
      const PetscReal *cj = j < m ? C + j * s : Cp + (j - m) * s;
      PetscReal        sum = 0;
      for (PetscInt i = 0; i < s; i++) sum += cj[i] * work[k * s + i];
      L->xp[j * 2 * m + k] = sum;
    }
  L->xp_valid = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* Rayleigh-Ritz on the orthonormal basis S = [X, W(:, 0:mw), P(:, 0:mp)]: S^T H S = C diag(t) C^T,
   theta the m lowest t, X := S C1 with C1 = C(:, 0:m), H X alike. The next P spans the W and P parts
   of that step, C1' = C1 with its X rows zeroed, made orthonormal and orthogonal to the new X in
   the coefficients (S is orthonormal): C1' - C1 (C1^T C1'), then SVQB of that s x m matrix; H P
   alike. No product with H and no Gram matrix over the atoms beyond the blocks of S^T H S with W:
   as X = S_old C1, H X = (H S)_old C1 and P, H P alike, [X P]^T H [X P] = [C1 Cp]^T (S^T H S)_old
   [C1 Cp] (any S_old; it is diag(theta) and zeros to round-off), kept from the step before where
   H X was not applied anew since (L->xp_valid); the Gram matrices over the atoms are then 3 of 6.
   The cycle's work block dir (free here) holds the tiles of the results. */
static PetscErrorCode RayleighRitz(const VitSpectrumProblem *prob, const VitBlock *B, TwoLevel *T, Lobpcg *L, PetscReal theta[])
{
  const PetscInt   m = B->m, sizes[3] = {m, L->mw, L->mp}, s = m + L->mw + L->mp, start[3] = {0, m, m + L->mw};
  const PetscReal *basis[3] = {L->x, L->w, L->p}, *hbasis[3] = {L->hx, L->hw, L->hp};
  PetscReal       *A, *A0, *t, *G, *C, *Q, *Cp;
  PetscInt         mp = 0;

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(ev_dense, 0, 0, 0, 0));
  PetscCall(PetscMalloc7(s * s, &A, s * s, &A0, s, &t, 6 * m * m, &G, 2 * s * m, &C, s * m, &Q, s * m, &Cp));
  if (L->xp_valid) /* the X and P blocks from the last step's coefficients */
    for (PetscInt a = 0; a < 3; a += 2)
      for (PetscInt b = 0; b < 3; b += 2)
        for (PetscInt j = 0; j < sizes[a]; j++)
          for (PetscInt k = 0; k < sizes[b]; k++) A[(start[a] + j) * s + start[b] + k] = L->xp[(a ? m : 0) * 2 * m + j * 2 * m + (b ? m : 0) + k];
  { /* the other blocks of S^T H S on and above the diagonal, in one pass over the atoms */
    VitGramTerm terms[6];
    PetscInt    count = 0, pair[6][2];
    for (PetscInt a = 0; a < 3; a++)
      for (PetscInt b = a; b < 3; b++) {
        if (!sizes[a] || !sizes[b] || (L->xp_valid && a != 1 && b != 1)) continue;
        terms[count]   = (VitGramTerm){sizes[a], basis[a], sizes[b], hbasis[b], G + count * m * m};
        pair[count][0] = a, pair[count++][1] = b;
      }
    PetscCall(VitBlockGrams(prob, B, count, terms));
    for (PetscInt c = 0; c < count; c++) {
      const PetscInt a = pair[c][0], b = pair[c][1];
      for (PetscInt j = 0; j < sizes[a]; j++)
        for (PetscInt k = 0; k < sizes[b]; k++) A[(start[b] + k) * s + start[a] + j] = A[(start[a] + j) * s + start[b] + k] = terms[c].G[k * sizes[a] + j];
    }
  }
  for (PetscInt j = 0; j < s; j++) /* the diagonal blocks symmetrised */
    for (PetscInt k = 0; k < j; k++) A[j * s + k] = A[k * s + j] = 0.5 * (A[j * s + k] + A[k * s + j]);
  PetscCall(PetscArraycpy(A0, A, s * s));
  PetscCall(VitBlockSymmetricEigen(prob, "twolevel", s, A, t));
  PetscCall(PetscArraycpy(theta, t, m));
  if (s > m) { /* the next P's coefficients: Q = C1' - C1 (C1^T C1'), then SVQB */
    for (PetscInt k = 0; k < m; k++)
      for (PetscInt j = 0; j < s; j++) Q[k * s + j] = j < m ? 0 : A[k * s + j];
    for (PetscInt k = 0; k < m; k++)
      for (PetscInt l = 0; l < m; l++) { /* G(l, k) = C1(:, l)^T C1'(:, k) */
        G[k * m + l] = 0;
        for (PetscInt j = m; j < s; j++) G[k * m + l] += A[l * s + j] * Q[k * s + j];
      }
    for (PetscInt k = 0; k < m; k++)
      for (PetscInt l = 0; l < m; l++)
        for (PetscInt j = 0; j < s; j++) Q[k * s + j] -= A[l * s + j] * G[k * m + l];
    for (PetscInt k = 0; k < m; k++) /* Q^T Q */
      for (PetscInt l = 0; l < m; l++) {
        G[k * m + l] = 0;
        for (PetscInt j = 0; j < s; j++) G[k * m + l] += Q[l * s + j] * Q[k * s + j];
      }
    PetscCall(SvqbCoefficients(prob, m, G, C, &mp));
    for (PetscInt k = 0; k < mp; k++) /* Cp = Q C: the next P = S Cp */
      for (PetscInt j = 0; j < s; j++) {
        Cp[k * s + j] = 0;
        for (PetscInt l = 0; l < m; l++) Cp[k * s + j] += Q[l * s + j] * C[k * m + l];
      }
  }
  /* X, HX, P, HP := S C1, HS C1, S Cp, HS Cp in place, a tile of rows at a time: a row of the
     result needs the same row of X, W and P only. C holds each part's rows of C1 and Cp. */
  for (PetscInt part = 0; part < 3; part++)
    for (PetscInt k = 0; k < m + mp; k++)
      for (PetscInt j = 0; j < sizes[part]; j++) C[start[part] * (2 * m) + k * sizes[part] + j] = k < m ? A[k * s + start[part] + j] : Cp[(k - m) * s + start[part] + j];
  for (PetscInt j0 = 0; j0 < B->n; j0 += RR_TILE) {
    VitBlock  tile = *B;
    PetscReal *out[4] = {L->x, L->hx, L->p, L->hp};
    tile.n = PetscMin(RR_TILE, B->n - j0);
    for (PetscInt part = 0; part < 3; part++) {
      const PetscReal *c = C + start[part] * (2 * m);
      if (!sizes[part]) continue;
      PetscCall(VitBlockCombine(&tile, sizes[part], basis[part] + j0 * m, m, c, part ? 1 : 0, T->dir));
      PetscCall(VitBlockCombine(&tile, sizes[part], hbasis[part] + j0 * m, m, c, part ? 1 : 0, T->dir + RR_TILE * m));
      if (!mp) continue;
      PetscCall(VitBlockCombine(&tile, sizes[part], basis[part] + j0 * m, mp, c + m * sizes[part], part ? 1 : 0, T->dir + 2 * RR_TILE * m));
      PetscCall(VitBlockCombine(&tile, sizes[part], hbasis[part] + j0 * m, mp, c + m * sizes[part], part ? 1 : 0, T->dir + 3 * RR_TILE * m));
    }
    for (PetscInt q = 0; q < (mp ? 4 : 2); q++) /* P's columns past mp zeroed, as SvqbDrop leaves them */
      for (PetscInt j = 0; j < tile.n; j++)
        for (PetscInt k = 0; k < m; k++) out[q][(j0 + j) * m + k] = q < 2 || k < mp ? T->dir[(q * RR_TILE + j) * m + k] : 0;
  }
  L->mp = mp;
  PetscCall(NextXP(s, m, mp, A0, A, Cp, C, L)); /* C: free after the combinations */
  PetscCall(PetscFree7(A, A0, t, G, C, Q, Cp));
  PetscCall(PetscLogEventEnd(ev_dense, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Columns that get a search direction, their indices ascending in active[], their number returned:
   all m, or with soft locking (lock) the unwanted ones and the wanted ones whose residual is above
   tol, and then the locked ones nearest to tol until the number is a multiple of 8 (or m). The
   kernel's cost per block row is set by its SIMD chunks, not by the vectors in them (docs/
   BENCHMARKS.md): 25 vectors cost it more than 32 (measured at 125,000 atoms: 18 % fewer vectors
   in the cycle, no time saved), 24 no more than 32, 16 half. */
static PetscInt ActiveColumns(PetscInt m, PetscInt wanted, const PetscReal residual[], PetscReal tol, PetscBool lock, PetscInt active[])
{
  PetscInt ma = 0, target;

  for (PetscInt k = 0; k < m; k++) active[k] = !lock || k >= wanted || residual[k] > tol; /* a mask first */
  for (PetscInt k = 0; k < m; k++) ma += active[k];
  for (target = PetscMin(m, 8 * ((ma + 7) / 8)); ma < target; ma++) {
    PetscInt back = -1;
    for (PetscInt k = 0; k < wanted; k++)
      if (!active[k] && (back < 0 || residual[k] > residual[back])) back = k;
    active[back] = 1;
  }
  ma = 0;
  for (PetscInt k = 0; k < m; k++)
    if (active[k]) active[ma++] = k;
  return ma;
}

/* The preconditioned residuals W(:, 0:ma) = T (H X - X Theta)(:, active) into w (stride m, the
   columns from ma zero), by the cycle in single precision (its float blocks), or in double (the
   residuals in H W's block, which is not needed until W is final, z in W's and y). */
static PetscErrorCode PreconditionedResiduals(TwoLevel *T, Lobpcg *L, const PetscReal theta[], PetscInt ma, const PetscInt active[])
{
  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(ev_cycle, 0, 0, 0, 0));
  if (T->xf) PetscCall(PreconditionSingle(T, L, theta, ma, active, T->rf, T->dirf, T->xf, T->zf));
  else PetscCall(PreconditionDouble(T, L, theta, ma, active, L->hw, T->dir, L->w, T->y));
  PetscCall(PetscLogEventEnd(ev_cycle, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* The new search directions W = T (H X - X Theta) of the active columns, off the translations,
   orthonormal and orthogonal to X and P, and H W. Orthogonal by classical Gram-Schmidt and SVQB, a
   second time where the first left W overlapping X or P by more than 1e-3 tol: an overlap below
   that moves the Rayleigh-Ritz values and the residuals by less than a thousandth of the tolerance
   (the basis is taken as orthonormal), and the second pass is a fifth of LOBPCG's dense work. */
static PetscErrorCode SearchDirections(const VitSpectrumProblem *prob, const VitBlock *B, TwoLevel *T, Lobpcg *L, const PetscReal theta[], PetscInt ma, const PetscInt active[], PetscReal tol)
{
  const PetscReal negligible = 1e-3 * tol;

  PetscFunctionBegin;
  PetscCall(PreconditionedResiduals(T, L, theta, ma, active));
  PetscCall(PetscLogEventBegin(ev_dense, 0, 0, 0, 0));
  PetscCall(VitBlockDeflateTranslations(prob, B, L->w));
  L->mw = ma;
  for (PetscInt pass = 0; pass < 2; pass++) { /* the second only where the first left overlaps */
    PetscReal overlap[2];
    PetscCall(ProjectOut(prob, B, L->x, L->mp, L->p, L->mw, L->w, pass ? negligible : 0, overlap));
    if (pass && overlap[0] <= negligible && overlap[1] <= negligible) break;
    PetscCall(SvqbDrop(prob, B, &L->mw, L->w, T->dir));
    if (pass) T->reorthogonalised++;
  }
  PetscCall(PetscLogEventEnd(ev_dense, 0, 0, 0, 0));
  PetscCall(Apply(T, L->w, L->hw));
  PetscFunctionReturn(0);
}

/* How far the wanted Ritz pairs are from the tolerance: the decades of residual still to go,
   sum over them of log10(residual / tol), those converged counting 0. */
static PetscReal Decades(PetscInt wanted, const PetscReal residual[], PetscReal tol)
{
  PetscReal decades = 0;
  for (PetscInt j = 0; j < wanted; j++) decades += PetscMax(0, PetscLog10Real(residual[j] / tol));
  return decades;
}

/* Converged (and wanted) Ritz pairs, counted from the lowest. */
static PetscInt Converged(PetscInt wanted, const PetscReal residual[], PetscReal tol)
{
  PetscInt k = 0;
  while (k < wanted && residual[k] <= tol) k++;
  return k;
}

/* The method VitModesCompute runs where twolevel declines (opt->fallback), for its note. */
static const char *Instead(const VitModesOptions *opt)
{
  return opt->sinvert_fits ? "shift-and-invert instead (-spectrum_method sinvert)" : "Chebyshev-filtered subspace iteration instead (-spectrum_method chebyshev)";
}

/* No preconditioner (reason): a user error, or with opt->fallback a note naming the method
   VitModesCompute runs instead, and no modes. */
static PetscErrorCode Decline(const VitSpectrumProblem *prob, const VitModesOptions *opt, const char reason[], VitModes *modes)
{
  PetscFunctionBegin;
  PetscCheck(opt->fallback, prob->comm, PETSC_ERR_USER_INPUT, "-spectrum_method twolevel: %s; use -spectrum_method chebyshev", reason);
  PetscCall(PetscPrintf(prob->comm, "vitrum: note: LOBPCG with the two-level preconditioner not used: %s; the lowest modes are computed by %s\n", reason, Instead(opt)));
  modes->declined = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* A sheet's default quadratic space (ParseOptions) on an indefinite H: a Ritz value below zero
   bounds the lowest eigenvalue from above, so the sample is not at a minimum, and there the
   quadratic space stalls LOBPCG (a buckled sheet of 40,960 atoms: no mode converged in 1000
   iterations, against 456 with the affine space). The preconditioner is built again with the
   affine space, and LOBPCG goes on with its blocks (it allows the preconditioner to change). */
static PetscErrorCode AffineInstead(const VitSpectrumProblem *prob, VitBlock *B, TwoLevelOptions *o, TwoLevel *T, PetscReal theta0, char reason[], size_t len)
{
  const PetscInt   products = T->products, reorthogonalised = T->reorthogonalised;
  const PetscInt64 columns  = T->columns;

  PetscFunctionBegin;
  PetscCall(PetscInfo(NULL, "twolevel: a Ritz value %.6g below zero: H is indefinite (not at a minimum); the coarse space becomes affine\n", (double)theta0));
  PetscCall(TwoLevelDestroy(T));
  o->space = COARSE_AFFINE;
  PetscCall(TwoLevelSetUp(prob, B, o, 6 * (PetscLogDouble)VitBlockBytes(B), T, reason, len));
  T->products         = products;
  T->columns          = columns;
  T->reorthogonalised = reorthogonalised;
  PetscFunctionReturn(0);
}

PetscErrorCode VitModesTwoLevel(const VitSpectrumProblem *prob, const VitModesOptions *opt, VitModes *modes)
{
  const PetscInt64 seed = 0x10b9c;
  TwoLevelOptions  o;
  TwoLevel         T;
  VitBlock         B;
  Lobpcg           L;
  PetscReal       *theta, *residual, **blocks[6];
  PetscInt        *active, nghost, wanted = 0, converged = 0, it, checked = 0, locked = 0;
  PetscReal        closest = PETSC_MAX_REAL, checkpoint = PETSC_MAX_REAL; /* Decades: least so far, and at the last window's end */
  PetscBool        stalled = PETSC_FALSE;
  PetscLogDouble   t0, last, now;
  char             reason[256];

  PetscFunctionBegin;
  PetscCall(PetscMemzero(modes, sizeof(*modes)));
  PetscCall(ReadOptions(prob->comm, prob->dim, opt->nev, prob->dim * prob->natoms - prob->dim, prob->natoms, prob->sheet, &o));
  B.op = opt->op;
  PetscCall(VitKpmOperatorSetVectors(B.op, o.block));
  PetscCall(VitKpmOperatorSizes(B.op, NULL, &nghost, NULL));
  PetscCall(VitKpmOperatorRows(B.op, &B.order, &B.gid, &B.sqrt_mass));
  B.m    = o.block;
  B.n    = prob->nowned * prob->dim;
  B.nall = (prob->nowned + nghost) * prob->dim;
  PetscCall(RegisterEvents());
  PetscCall(PetscLogEventBegin(ev_setup, 0, 0, 0, 0));
  PetscCall(TwoLevelSetUp(prob, &B, &o, 6 * (PetscLogDouble)VitBlockBytes(&B), &T, reason, sizeof(reason)));
  PetscCall(PetscLogEventEnd(ev_setup, 0, 0, 0, 0));
  if (reason[0]) { /* no preconditioner: an error, or (opt->fallback) no modes, for VitModesCompute's other method */
    PetscCall(TwoLevelDestroy(&T));
    PetscCall(Decline(prob, opt, reason, modes));
    PetscFunctionReturn(0);
  }
  blocks[0] = &L.x, blocks[1] = &L.hx, blocks[2] = &L.w, blocks[3] = &L.hw;
  blocks[4] = &L.p, blocks[5] = &L.hp;
  for (PetscInt q = 0; q < 6; q++) PetscCall(VitBigAlloc(VitBlockBytes(&B), blocks[q]));
  PetscCall(PetscMalloc3(B.m, &theta, B.m, &residual, B.m, &active));

  /* the start: deflated random vectors, orthonormal, and their Ritz vectors */
  PetscCall(VitKpmRandomVectors(B.op, prob, B.m, seed, PETSC_TRUE, L.x));
  L.mw = 0, L.mp = 0, L.xp_valid = PETSC_FALSE;
  PetscCall(PetscMalloc1(4 * B.m * B.m, &L.xp));
  {
    PetscInt q = B.m;
    PetscCall(SvqbDrop(prob, &B, &q, L.x, T.dir));
    PetscCheck(q == B.m, prob->comm, PETSC_ERR_PLIB, "twolevel: %" PetscInt_FMT " of %" PetscInt_FMT " random start vectors independent", q, B.m);
  }
  PetscCall(Apply(&T, L.x, L.hx));
  PetscCall(RayleighRitz(prob, &B, &T, &L, theta));
  PetscCall(PetscTime(&t0));
  last = t0;
  for (it = 0; it < o.max_it; it++) {
    PetscCall(VitBlockResiduals(prob, &B, L.x, L.hx, theta, residual));
    wanted    = VitBlockWanted(opt->nev, B.m, theta);
    converged = Converged(wanted, residual, o.tol);
    if (converged == wanted) { /* accepted with H X applied anew (it followed X by combinations) */
      PetscCall(Apply(&T, L.x, L.hx));
      L.xp_valid = PETSC_FALSE; /* H X is no longer the combination that L.xp describes */
      PetscCall(VitBlockResiduals(prob, &B, L.x, L.hx, theta, residual));
      converged = Converged(wanted, residual, o.tol);
      checked++;
      if (converged == wanted) break;
    }
    closest = PetscMin(closest, Decades(wanted, residual, o.tol));
    if (opt->fallback && it % STALL_WINDOW == 0) {
      if ((stalled = (PetscBool)(it && closest > checkpoint - 1))) break;
      checkpoint = closest;
    }
    PetscCall(PetscInfo(NULL, "twolevel: iteration %" PetscInt_FMT ": %" PetscInt_FMT " of %" PetscInt_FMT " converged, theta %.6g .. %.6g, largest residual of the wanted %.6g, %.3g decades to go, basis %" PetscInt_FMT " + %" PetscInt_FMT " + %" PetscInt_FMT "\n", it, converged, wanted, (double)theta[0], (double)theta[B.m - 1], (double)residual[wanted - 1], (double)closest, B.m, L.mw, L.mp));
    PetscCall(PetscTime(&now));
    if (now - last >= 60) { /* progress on long runs: a line a minute at most */
      PetscReal worst = 0;
      for (PetscInt j = 0; j < wanted; j++) worst = PetscMax(worst, residual[j]);
      PetscCall(PetscPrintf(prob->comm, "  twolevel: iteration %" PetscInt_FMT ": %" PetscInt_FMT " of %" PetscInt_FMT " modes converged (largest residual %.2g, tol %.2g), %" PetscInt_FMT " products with H, %.0f s\n", it + 1, converged, wanted, (double)worst, (double)o.tol, T.products, now - t0));
      last = now;
    }
    {
      const PetscInt ma = ActiveColumns(B.m, wanted, residual, o.tol, o.lock, active);
      locked += B.m - ma;
      PetscCall(SearchDirections(prob, &B, &T, &L, theta, ma, active, o.tol));
    }
    PetscCall(RayleighRitz(prob, &B, &T, &L, theta));
    if (o.space == COARSE_QUADRATIC && !o.space_set && theta[0] < -VIT_ZERO_MODE_RTOL * prob->mean) PetscCall(AffineInstead(prob, &B, &o, &T, theta[0], reason, sizeof(reason)));
    if (reason[0]) break;
  }
  if (reason[0]) PetscCall(Decline(prob, opt, reason, modes)); /* AffineInstead could not build it */
  else if ((modes->declined = (PetscBool)(converged < wanted && opt->fallback)))
    PetscCall(PetscPrintf(prob->comm, "vitrum: note: LOBPCG with the two-level preconditioner: %" PetscInt_FMT " of %" PetscInt_FMT " modes converged to %.6g after %" PetscInt_FMT " iterations%s; the lowest modes are computed by %s\n", converged, wanted, (double)o.tol, it,
                          stalled ? ", their residuals stalled (less than a decade gained in all in the last " PetscStringize(STALL_WINDOW) " iterations)" : "", Instead(opt)));
  else if (converged < wanted) {
    PetscCheck(opt->allow_unconverged, prob->comm, PETSC_ERR_NOT_CONVERGED, "-spectrum_method twolevel: %" PetscInt_FMT " of %" PetscInt_FMT " modes converged to %.6g after %" PetscInt_FMT " iterations; raise -spectrum_twolevel_max_it or -spectrum_twolevel_block, or pass -spectrum_allow_unconverged", converged, wanted, (double)o.tol, it);
    PetscCall(PetscPrintf(prob->comm, "vitrum: warning: -spectrum_method twolevel: only %" PetscInt_FMT " of %" PetscInt_FMT " modes converged; continuing (-spectrum_allow_unconverged)\n", converged, wanted));
  }
  if (wanted == B.m && !modes->declined)
    PetscCall(PetscPrintf(prob->comm, "vitrum: warning: -spectrum_method twolevel: the multiplet of mode %" PetscInt_FMT " fills the block of %" PetscInt_FMT " vectors and may have more members; raise -spectrum_twolevel_block\n", opt->nev, B.m));
  PetscCall(PetscInfo(NULL, "twolevel: %" PetscInt_FMT " iterations, %" PetscInt_FMT " block products, %" PetscInt64_FMT " vector products (%" PetscInt_FMT " explicit checks), search directions orthogonalised twice in %" PetscInt_FMT ", %" PetscInt_FMT " search directions saved by locking\n", it + 1, T.products, T.columns, checked, T.reorthogonalised, locked));
  if (!modes->declined) {
    PetscCall(VitBlockStoreModes(prob, &B, converged < wanted ? converged : wanted, theta, residual, L.x, modes));
    modes->iterations = PetscMin(it + 1, o.max_it);
  }
  PetscCall(PetscFree3(theta, residual, active));
  PetscCall(PetscFree(L.xp));
  for (PetscInt q = 0; q < 6; q++) PetscCall(VitBigFree(VitBlockBytes(&B), blocks[q]));
  PetscCall(TwoLevelDestroy(&T));
  PetscFunctionReturn(0);
}

PetscErrorCode VitModesTwoLevelCheckOptions(MPI_Comm comm, PetscInt nev)
{
  TwoLevelOptions o;

  PetscFunctionBegin;
  PetscCall(ParseOptions(comm, PetscMax(nev, 1), PETSC_MAX_INT, PETSC_FALSE, &o));
  PetscFunctionReturn(0);
}
