/* vitrum minimize: relax a sample to its inherent structure (local energy minimum at fixed box).

     vitrum minimize -sample melt.data -potential ka3d [-minimize_type tao|fire] [-tao_type blmvm|bncg]
                     [-minimize_ftol 1e-8] -o relaxed.data

   The unknowns are the Cartesian positions in global id order (a Vec whose layout never changes).
   Each evaluation moves the owned atoms of the current domain and refreshes the ghosts; when an
   atom has moved more than half the skin since the last decomposition, the domain is rebuilt
   (ghosts reach pot->ghost_width + skin, so no pair within the cutoff is missed in between), and
   a neighbour list within the cutoff plus the skin is built with it and reused by every
   evaluation until the next (a Verlet list).
   TAO (default BLMVM) minimises the energy; FIRE (Bitzek et al., PRL 97, 170201 (2006)) needs
   forces only and finishes runs whose line search stalls at round-off. Converged when the largest
   per-atom force |F_i| <= -minimize_ftol.

   A zero force is also reached on a saddle (a flat sheet: out-of-plane modes of negative
   curvature). After convergence the lowest curvatures are checked: the smallest eigenvalues of the
   Hessian (not mass weighted, the d translations deflated; LOBPCG with the two-level
   preconditioner, else Chebyshev filtering, dense for a small sample; no factorisation). When the
   lowest is below -minimize_saddle_tol times the mean curvature Tr(H)/(dN), the sample is displaced
   along the negative modes found (both signs tried, the lower energy kept) and minimised again, at
   most -minimize_saddle_escapes times (0: no check). */
#include <vitrum/commands.h>
#include <vitrum/potential.h>
#include <vitrum/units.h>
#include <vitrum/spectrum.h>
#include <vitrum/structure.h>
#include <vitrum/exactsum.h>
#include <petsctao.h>

typedef struct {
  PetscReal ftol, skin, fire_dt, fire_dtmax, fire_dmax;
  PetscInt  max_it;
  PetscInt  saddle_escapes, saddle_nev; /* curvature check after convergence (0 escapes: none) */
  PetscReal saddle_tol, saddle_step;    /* relative to the mean curvature; in mean spacings */
  char      method[16], out[PETSC_MAX_PATH_LEN];
} MinOptions;

typedef struct {
  MPI_Comm     comm;
  VitPotential pot;
  VitSample   *sample; /* box, species; its atoms are replaced at each rebuild */
  PetscReal    skin;
  PetscInt     dim, nevals, nrebuilds;
  Vec          type, fid;       /* per atom, id order */
  Vec          xref;            /* positions (id order) at the last decomposition */
  VitDomain    dom;
  VitNeighborList skin_list;    /* pairs within the cutoff + skin at the decomposition (lent as pot->skin_list) */
  VecScatter   to_dom;          /* id order -> owned atoms of dom, dim per atom */
  Vec          xdom, xref_dom;  /* positions, domain order */
  PetscReal   *sref;            /* fractional positions of owned atoms at the decomposition */
  PetscReal   *energy, *force;  /* owned atoms */
  PetscLogDouble last;          /* when the last progress line was printed (or the run started) */
} MinCtx;

static PetscErrorCode MinReadOptions(MPI_Comm comm, MinOptions *o)
{
  PetscFunctionBeginUser;
  o->ftol       = 1e-8;
  o->skin       = 0.3;
  o->max_it     = 100000;
  o->fire_dt    = 0.005;
  o->fire_dtmax = 0.05;
  o->fire_dmax  = 0.1;
  o->out[0]     = 0;
  o->saddle_escapes = 3;
  o->saddle_nev     = 4;
  o->saddle_tol     = VIT_ZERO_MODE_RTOL;
  o->saddle_step    = 0.1;
  PetscCall(PetscStrncpy(o->method, "tao", sizeof(o->method)));
  PetscOptionsBegin(comm, NULL, "vitrum minimize", "vitrum");
  PetscCall(VitOptionsString("-minimize_type", "tao (energy minimisation with -tao_type, default blmvm, then FIRE if the line search stalls) or fire", NULL, o->method, o->method, sizeof(o->method), NULL));
  PetscCall(PetscOptionsReal("-minimize_ftol", "converged when the largest per-atom force is at most this (> 0; one below the forces' round-off floor, machine epsilon x the median |e_i| / the mean spacing, is refused)", NULL, o->ftol, &o->ftol, NULL));
  PetscCall(PetscOptionsInt("-minimize_max_it", "largest number of iterations (each method)", NULL, o->max_it, &o->max_it, NULL));
  PetscCall(PetscOptionsReal("-minimize_skin", "extra ghost shell beyond the cutoff and skin of the neighbour lists (reused until the next rebuild); the domain and the lists are rebuilt when an atom moved more than half of it", NULL, o->skin, &o->skin, NULL));
  PetscCall(PetscOptionsReal("-fire_dt", "FIRE initial time step (unit masses)", NULL, o->fire_dt, &o->fire_dt, NULL));
  PetscCall(PetscOptionsReal("-fire_dtmax", "FIRE largest time step", NULL, o->fire_dtmax, &o->fire_dtmax, NULL));
  PetscCall(PetscOptionsReal("-fire_dmax", "FIRE largest displacement of an atom per step", NULL, o->fire_dmax, &o->fire_dmax, NULL));
  PetscCall(PetscOptionsInt("-minimize_saddle_escapes", "after convergence, check the lowest curvatures (Hessian eigenvalues) and escape from a saddle along its negative modes at most this many times; 0: no check (saves one Hessian and one eigensolve per check)", NULL, o->saddle_escapes, &o->saddle_escapes, NULL));
  PetscCall(PetscOptionsReal("-minimize_saddle_tol", "a curvature is negative when below -tol times the mean curvature Tr(H)/(dN)", NULL, o->saddle_tol, &o->saddle_tol, NULL));
  PetscCall(PetscOptionsInt("-minimize_saddle_nev", "lowest curvatures computed per check (LOBPCG with the two-level preconditioner, -spectrum_twolevel_*; where it cannot be built, Chebyshev filtering, -spectrum_chebyshev_*); an escape steps along the sum of the negative ones", NULL, o->saddle_nev, &o->saddle_nev, NULL));
  PetscCall(PetscOptionsReal("-minimize_saddle_step", "largest atom displacement of an escape step, in mean spacings a = (V/N)^(1/d) ((A/N)^(1/2) for a sheet); halved (at most 5 times) while neither sign lowers the energy", NULL, o->saddle_step, &o->saddle_step, NULL));
  PetscCall(VitOptionsString("-o", "relaxed sample: LAMMPS data (.data .lmp) or H5MD (.h5 .h5md), by the extension (others are refused); default: the sample's file name without its extension + .min.data, in the current folder", NULL, o->out, o->out, sizeof(o->out), NULL));
  PetscOptionsEnd();
  if (o->saddle_escapes > 0) { /* the curvature check assembles a Hessian */
    PetscReal memory_share;
    PetscCall(VitHessianMemoryOption(comm, &memory_share));
  }
  PetscFunctionReturn(0);
}

/* Largest per-atom norm of a vector with dim components per atom. */
static PetscErrorCode MaxAtomNorm(Vec v, PetscInt dim, PetscReal *max)
{
  const PetscScalar *a;
  PetscInt           n;
  PetscReal          local = 0;

  PetscFunctionBeginUser;
  PetscCall(VecGetLocalSize(v, &n));
  PetscCall(VecGetArrayRead(v, &a));
  for (PetscInt i = 0; i < n; i += dim) {
    PetscReal s = 0;

    for (PetscInt k = 0; k < dim; k++) s += a[i + k] * a[i + k];
    local = PetscMax(local, s);
  }
  PetscCall(VecRestoreArrayRead(v, &a));
  PetscCallMPI(MPI_Allreduce(&local, max, 1, MPIU_REAL, MPIU_MAX, PetscObjectComm((PetscObject)v)));
  *max = PetscSqrtReal(*max);
  PetscFunctionReturn(0);
}

/* The sample's atoms from positions X (id order): this rank's block of ids, positions wrapped into the box. */
static PetscErrorCode SampleFromPositions(MinCtx *ctx, Vec X, VitSample *sample)
{
  const PetscScalar *x, *type, *fid;
  PetscInt           n, start;

  PetscFunctionBeginUser;
  PetscCall(VecGetLocalSize(ctx->type, &n));
  PetscCall(VecGetOwnershipRange(ctx->type, &start, NULL));
  PetscCall(VitSampleAllocate(sample, n));
  PetscCall(VecGetArrayRead(X, &x));
  PetscCall(VecGetArrayRead(ctx->type, &type));
  PetscCall(VecGetArrayRead(ctx->fid, &fid));
  for (PetscInt i = 0; i < n; i++) {
    sample->gid[i]  = start + i;
    sample->type[i] = (PetscInt)type[i];
    sample->fid[i]  = (PetscInt)fid[i];
    for (PetscInt k = 0; k < ctx->dim; k++) sample->x[3 * i + k] = x[ctx->dim * i + k];
    VitSampleWrapPosition(sample, &sample->x[3 * i], &sample->s[3 * i]);
  }
  PetscCall(VecRestoreArrayRead(X, &x));
  PetscCall(VecRestoreArrayRead(ctx->type, &type));
  PetscCall(VecRestoreArrayRead(ctx->fid, &fid));
  PetscFunctionReturn(0);
}

static PetscErrorCode MinDomainDestroy(MinCtx *ctx)
{
  PetscFunctionBeginUser;
  PetscCall(VecScatterDestroy(&ctx->to_dom));
  PetscCall(VecDestroy(&ctx->xdom));
  PetscCall(VecDestroy(&ctx->xref_dom));
  PetscCall(PetscFree3(ctx->sref, ctx->energy, ctx->force));
  PetscCall(VitNeighborListDestroy(&ctx->skin_list));
  PetscCall(VitDomainDestroy(&ctx->dom));
  PetscFunctionReturn(0);
}

/* Decompose the sample at positions X; remember the reference positions. */
static PetscErrorCode MinDomainSetUp(MinCtx *ctx, Vec X)
{
  IS       is;
  PetscInt n;

  PetscFunctionBeginUser;
  PetscCall(MinDomainDestroy(ctx));
  PetscCall(SampleFromPositions(ctx, X, ctx->sample));
  PetscCall(VitDomainSetUp(ctx->comm, ctx->sample, ctx->pot->ghost_width + ctx->skin, &ctx->dom));
  PetscCall(VitPotentialSkinList(ctx->pot, &ctx->dom, ctx->skin, &ctx->skin_list));
  n = ctx->dom.nowned;
  PetscCall(PetscMalloc3(3 * n, &ctx->sref, n, &ctx->energy, 3 * n, &ctx->force));
  PetscCall(PetscArraycpy(ctx->sref, ctx->dom.s, 3 * n));
  PetscCall(VecCreateMPI(ctx->comm, ctx->dim * n, PETSC_DETERMINE, &ctx->xdom));
  PetscCall(VecDuplicate(ctx->xdom, &ctx->xref_dom));
  PetscCall(ISCreateBlock(ctx->comm, ctx->dim, n, ctx->dom.gid, PETSC_COPY_VALUES, &is));
  PetscCall(VecScatterCreate(X, is, ctx->xdom, NULL, &ctx->to_dom));
  PetscCall(ISDestroy(&is));
  PetscCall(VecScatterBegin(ctx->to_dom, X, ctx->xref_dom, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(ctx->to_dom, X, ctx->xref_dom, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecCopy(X, ctx->xref));
  ctx->nrebuilds++;
  PetscFunctionReturn(0);
}

/* Put positions X into the domain: rebuild when an atom moved more than skin/2, else move owned
   atoms by s = s_ref + frac(x - x_ref) and refresh the ghosts. */
static PetscErrorCode MinSetPositions(MinCtx *ctx, Vec X)
{
  Vec                dx;
  PetscReal          moved;
  const PetscScalar *x, *xref;

  PetscFunctionBeginUser;
  PetscCall(VecDuplicate(X, &dx));
  PetscCall(VecWAXPY(dx, -1, ctx->xref, X));
  PetscCall(MaxAtomNorm(dx, ctx->dim, &moved));
  PetscCall(VecDestroy(&dx));
  if (moved > ctx->skin / 2) {
    PetscCall(MinDomainSetUp(ctx, X));
    PetscFunctionReturn(0);
  }
  PetscCall(VecScatterBegin(ctx->to_dom, X, ctx->xdom, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(ctx->to_dom, X, ctx->xdom, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecGetArrayRead(ctx->xdom, &x));
  PetscCall(VecGetArrayRead(ctx->xref_dom, &xref));
  for (PetscInt i = 0; i < ctx->dom.nowned; i++) {
    PetscReal d[3] = {0, 0, 0}, ds[3];

    for (PetscInt k = 0; k < ctx->dim; k++) d[k] = x[ctx->dim * i + k] - xref[ctx->dim * i + k];
    VitSampleCartToFrac(ctx->sample, d, ds);
    for (PetscInt k = 0; k < ctx->dim; k++) ctx->dom.s[3 * i + k] = ctx->sref[3 * i + k] + ds[k];
  }
  PetscCall(VecRestoreArrayRead(ctx->xdom, &x));
  PetscCall(VecRestoreArrayRead(ctx->xref_dom, &xref));
  PetscCall(VitDomainUpdateGhosts(&ctx->dom));
  PetscFunctionReturn(0);
}

/* Energy and gradient -F at X (id order). */
static PetscErrorCode MinEnergyGradient(Tao tao, Vec X, PetscReal *energy, Vec G, void *ptr)
{
  MinCtx      *ctx = (MinCtx *)ptr;
  PetscScalar *g;

  PetscFunctionBeginUser;
  PetscCall(MinSetPositions(ctx, X));
  /* between decompositions no atom has moved more than skin/2, so the skin list holds every pair
     within the cutoff (a list per evaluation would cost more than the forces themselves) */
  ctx->pot->skin_list = &ctx->skin_list;
  PetscCall(VitPotentialEvaluate(ctx->pot, &ctx->dom, ctx->energy, ctx->force, NULL, energy, NULL));
  ctx->pot->skin_list = NULL;
  PetscCall(VecGetArray(ctx->xdom, &g)); /* xdom as the buffer of -F in domain order */
  for (PetscInt i = 0; i < ctx->dom.nowned; i++)
    for (PetscInt k = 0; k < ctx->dim; k++) g[ctx->dim * i + k] = -ctx->force[3 * i + k];
  PetscCall(VecRestoreArray(ctx->xdom, &g));
  PetscCall(VecScatterBegin(ctx->to_dom, ctx->xdom, G, INSERT_VALUES, SCATTER_REVERSE));
  PetscCall(VecScatterEnd(ctx->to_dom, ctx->xdom, G, INSERT_VALUES, SCATTER_REVERSE));
  ctx->nevals++;
  PetscFunctionReturn(0);
}

/* On long runs a progress line a minute at most (rank 0's clock; the line is not collective). */
static PetscErrorCode Progress(MinCtx *ctx, const char method[], PetscInt it, PetscReal energy, PetscReal fmax, PetscReal ftol)
{
  PetscLogDouble now;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&now));
  if (now - ctx->last < 60) PetscFunctionReturn(0);
  ctx->last = now;
  PetscCall(PetscPrintf(ctx->comm, "  minimize: %s iteration %" PetscInt_FMT ": energy per atom %.12e, largest force %.3e (-minimize_ftol %.6g), %" PetscInt_FMT " evaluations, %" PetscInt_FMT " domain rebuilds\n", method, it, (double)(energy / ctx->sample->natoms), (double)fmax, (double)ftol, ctx->nevals, ctx->nrebuilds));
  PetscFunctionReturn(0);
}

/* TAO stops at the force tolerance, at max_it, or when the energy has not changed by more than a
   few ulps for 20 iterations (the line search is then at round-off; FIRE, which uses forces only,
   takes over). */
typedef struct {
  PetscReal ftol, last_energy;
  PetscInt  max_it, stalled;
  MinCtx   *ctx;
} TaoStop;

static PetscErrorCode TaoStopOnForce(Tao tao, void *ptr)
{
  TaoStop  *stop = (TaoStop *)ptr;
  Vec       G;
  PetscReal fmax, energy;
  PetscInt  its;

  PetscFunctionBeginUser;
  PetscCall(TaoGetGradient(tao, &G, NULL, NULL));
  PetscCall(MaxAtomNorm(G, stop->ctx->dim, &fmax));
  PetscCall(TaoGetSolutionStatus(tao, &its, &energy, NULL, NULL, NULL, NULL));
  stop->stalled     = PetscAbsReal(energy - stop->last_energy) <= 8 * PETSC_MACHINE_EPSILON * PetscAbsReal(energy) ? stop->stalled + 1 : 0;
  stop->last_energy = energy;
  PetscCall(Progress(stop->ctx, "TAO", its, energy, fmax, stop->ftol));
  if (fmax <= stop->ftol) PetscCall(TaoSetConvergedReason(tao, TAO_CONVERGED_USER));
  else if (its >= stop->max_it) PetscCall(TaoSetConvergedReason(tao, TAO_DIVERGED_MAXITS));
  else if (stop->stalled >= 20) PetscCall(TaoSetConvergedReason(tao, TAO_DIVERGED_USER));
  else PetscCall(TaoSetConvergedReason(tao, TAO_CONTINUE_ITERATING));
  PetscFunctionReturn(0);
}

static PetscErrorCode MinimizeTao(MinCtx *ctx, const MinOptions *o, Vec X, PetscInt *its)
{
  Tao     tao;
  TaoStop stop = {o->ftol, PETSC_MAX_REAL, o->max_it, 0, ctx};

  PetscFunctionBeginUser;
  PetscCall(TaoCreate(ctx->comm, &tao));
  PetscCall(TaoSetType(tao, TAOBLMVM));
  PetscCall(TaoSetSolution(tao, X));
  PetscCall(TaoSetObjectiveAndGradient(tao, NULL, MinEnergyGradient, ctx));
  PetscCall(TaoSetConvergenceTest(tao, TaoStopOnForce, &stop));
  PetscCall(TaoSetMaximumFunctionEvaluations(tao, 100 * o->max_it));
  PetscCall(TaoSetFromOptions(tao));
  PetscCall(TaoSolve(tao));
  PetscCall(TaoGetIterationNumber(tao, its));
  PetscCall(TaoDestroy(&tao));
  PetscFunctionReturn(0);
}

/* FIRE with unit masses: velocity Verlet (Euler form) plus mixing v <- (1-a) v + a |v| F/|F|;
   dt grows by 1.1 (to dtmax) and a shrinks by 0.99 after 5 steps with P = F.v > 0; on P <= 0,
   v = 0, dt halves and a resets to 0.1. Steps are limited to dmax per atom. */
static PetscErrorCode MinimizeFire(MinCtx *ctx, const MinOptions *o, Vec X, PetscInt *its)
{
  Vec       F, V;
  PetscReal energy, fmax, dt = o->fire_dt, alpha = 0.1, P, vnorm, fnorm, vmax;
  PetscInt  npositive = 0;

  PetscFunctionBeginUser;
  PetscCall(VecDuplicate(X, &F));
  PetscCall(VecDuplicate(X, &V));
  PetscCall(VecSet(V, 0));
  PetscCall(MinEnergyGradient(NULL, X, &energy, F, ctx));
  PetscCall(VecScale(F, -1));
  for (*its = 0; *its < o->max_it; (*its)++) {
    PetscCall(MaxAtomNorm(F, ctx->dim, &fmax));
    if (fmax <= o->ftol) break;
    PetscCall(Progress(ctx, "FIRE", *its, energy, fmax, o->ftol));
    PetscCall(VecDot(F, V, &P));
    if (P > 0) {
      PetscCall(VecNorm(V, NORM_2, &vnorm));
      PetscCall(VecNorm(F, NORM_2, &fnorm));
      PetscCall(VecAXPBY(V, alpha * vnorm / fnorm, 1 - alpha, F));
      if (++npositive > 5) {
        dt    = PetscMin(1.1 * dt, o->fire_dtmax);
        alpha = 0.99 * alpha;
      }
    } else {
      PetscCall(VecSet(V, 0));
      dt        = 0.5 * dt;
      alpha     = 0.1;
      npositive = 0;
    }
    PetscCall(VecAXPY(V, dt, F));
    PetscCall(MaxAtomNorm(V, ctx->dim, &vmax));
    PetscCall(VecAXPY(X, vmax * dt > o->fire_dmax ? o->fire_dmax / vmax : dt, V));
    PetscCall(MinEnergyGradient(NULL, X, &energy, F, ctx));
    PetscCall(VecScale(F, -1));
  }
  PetscCall(VecDestroy(&F));
  PetscCall(VecDestroy(&V));
  PetscFunctionReturn(0);
}

/* Initial decomposition (with the distance check) and the id-order vectors. */
static PetscErrorCode MinSetUp(MPI_Comm comm, VitPotential pot, VitSample *sample, PetscReal skin, MinCtx *ctx, Vec *X)
{
  VitDomain  dom;
  PetscReal *buf;
  Vec        x;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(ctx, sizeof(*ctx)));
  ctx->comm   = comm;
  ctx->pot    = pot;
  ctx->sample = sample;
  ctx->skin   = skin;
  ctx->dim    = sample->dim;
  PetscCall(VitPotentialSetUpDomain(comm, pot, sample, skin, &dom));
  PetscCall(PetscMalloc1(3 * dom.nowned, &buf));
  for (PetscInt i = 0; i < dom.nowned; i++)
    for (PetscInt k = 0; k < ctx->dim; k++) buf[ctx->dim * i + k] = dom.x[3 * i + k];
  PetscCall(VitDomainToGlobalOrder(&dom, ctx->dim, buf, &x));
  PetscCall(VitVecCreateExactCopy(x, X)); /* TAO's and FIRE's vectors are duplicates of X: the same steps on any rank count */
  PetscCall(VecDestroy(&x));
  for (PetscInt i = 0; i < dom.nowned; i++) buf[i] = (PetscReal)dom.type[i];
  PetscCall(VitDomainToGlobalOrder(&dom, 1, buf, &ctx->type));
  for (PetscInt i = 0; i < dom.nowned; i++) buf[i] = (PetscReal)dom.fid[i];
  PetscCall(VitDomainToGlobalOrder(&dom, 1, buf, &ctx->fid));
  PetscCall(PetscFree(buf));
  PetscCall(VitDomainDestroy(&dom));
  PetscCall(VecDuplicate(*X, &ctx->xref));
  PetscCall(MinDomainSetUp(ctx, *X));
  ctx->nrebuilds = 0;
  PetscCall(PetscTime(&ctx->last));
  PetscFunctionReturn(0);
}

static PetscErrorCode MinDestroy(MinCtx *ctx)
{
  PetscFunctionBeginUser;
  PetscCall(MinDomainDestroy(ctx));
  PetscCall(VecDestroy(&ctx->type));
  PetscCall(VecDestroy(&ctx->fid));
  PetscCall(VecDestroy(&ctx->xref));
  PetscFunctionReturn(0);
}

/* The round-off floor of the forces: machine epsilon x e / a, with e the median over the atoms of
   their energies' magnitudes |e_i| at the last evaluation (rounded down to a power of two: the
   median of a histogram of binary exponents, the same on any number of ranks; robust to a few
   overlapping atoms of an unrelaxed start) and a the mean spacing. A force is the derivative of such
   energies over such distances; at a minimum each atom's force is a sum of terms at least that
   large that cancel, so its round-off is at least about the floor, and no minimiser can bring every
   |F_i| below it. Measured floors are 10^2-10^3 times higher (the positions are resolved only to
   machine epsilon x the box length): tolerances between the floor and those are not refused, they
   run to -minimize_max_it. */
static PetscErrorCode ForceFloor(MinCtx *ctx, PetscReal *round_off, PetscReal *e, PetscReal *a)
{
  enum { NBIN = 130, OFFSET = 64 }; /* bin of |e_i| in [2^(k-1), 2^k): k + OFFSET, clamped; bin 0: e_i = 0 and below */
  PetscInt count[NBIN] = {0}, below = 0, b = 0;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < ctx->dom.nowned; i++) {
    int k = 0;
    if (ctx->energy[i] != 0) (void)frexp(ctx->energy[i], &k);
    count[ctx->energy[i] != 0 ? PetscMax(1, PetscMin(NBIN - 1, k + OFFSET)) : 0]++;
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, count, NBIN, MPIU_INT, MPI_SUM, ctx->comm));
  for (; b < NBIN && 2 * (below + count[b]) < ctx->sample->natoms; b++) below += count[b];
  *e = b ? ldexp(1.0, b - OFFSET - 1) : 0;
  PetscCall(VitSampleMeanSpacing(ctx->comm, ctx->sample, ctx->pot->cutoff, a));
  *round_off = PETSC_MACHINE_EPSILON * *e / *a;
  PetscFunctionReturn(0);
}

/* TAO (when asked) and FIRE while the force is above -minimize_ftol; iterations are added up. */
static PetscErrorCode MinimizeToForce(MinCtx *ctx, const MinOptions *o, PetscBool tao, Vec X, PetscInt *tao_its, PetscInt *fire_its, PetscReal *energy, PetscReal *fmax)
{
  Vec      G;
  PetscInt its = 0;

  PetscFunctionBeginUser;
  PetscCall(VecDuplicate(X, &G));
  if (tao) PetscCall(MinimizeTao(ctx, o, X, &its));
  *tao_its += its;
  PetscCall(MinEnergyGradient(NULL, X, energy, G, ctx));
  PetscCall(MaxAtomNorm(G, ctx->dim, fmax));
  if (*fmax > o->ftol) {
    PetscCall(MinimizeFire(ctx, o, X, &its));
    *fire_its += its;
    PetscCall(MinEnergyGradient(NULL, X, energy, G, ctx));
    PetscCall(MaxAtomNorm(G, ctx->dim, fmax));
  }
  PetscCall(VecDestroy(&G));
  PetscFunctionReturn(0);
}

/* What one curvature check found. */
typedef struct {
  PetscReal lowest;     /* lowest non-translation eigenvalue of H (energy/length^2); NaN: none converged */
  PetscReal scale;      /* mean curvature Tr(H)/(dN) */
  PetscInt  nmodes;     /* modes converged (at most -minimize_saddle_nev) */
  PetscInt  nnegative;  /* of those, below -tol scale */
  PetscInt  iterations; /* iterations of its solver */
  VitModesMethod method; /* twolevel, chebyshev, or dense for a sample of at most VIT_MODES_DENSE_DOF degrees of freedom */
  Vec       direction;  /* sum of the negative modes, id order (NULL when none) */
} Curvature;

/* Sum of the modes m < nnegative (domain order, dim per owned atom) as a Vec in id order. */
static PetscErrorCode NegativeDirection(const VitDomain *dom, const VitModes *modes, PetscInt nnegative, Vec *direction)
{
  const PetscInt n = dom->dim * dom->nowned;
  PetscReal     *sum;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(n, &sum));
  for (PetscInt m = 0; m < nnegative; m++) {
    const PetscScalar *e;
    PetscCall(VecGetArrayRead(modes->vector[m], &e));
    for (PetscInt j = 0; j < n; j++) sum[j] += PetscRealPart(e[j]);
    PetscCall(VecRestoreArrayRead(modes->vector[m], &e));
  }
  PetscCall(VitDomainToGlobalOrder(dom, dom->dim, sum, direction));
  PetscCall(PetscFree(sum));
  PetscFunctionReturn(0);
}

/* Lowest curvatures at X: the Hessian (BAIJ, not mass weighted) on a fresh decomposition, its
   -minimize_saddle_nev smallest eigenvalues with the translations deflated: by LOBPCG with the
   two-level preconditioner (twolevel.c; dense LAPACK for a small sample), and where that
   preconditioner cannot be built (a non-positive diagonal entry: a flat sheet under compression;
   negative coarse pivots), by Chebyshev-filtered subspace iteration, with a note; both converge to
   the lowest eigenvalues, negative ones included, from matrix-vector products only (no
   factorisation). Until session 33 the check ran SLEPc's LOBPCG with a Jacobi preconditioner:
   684 iterations, and 31.9 s for the whole command, on an already relaxed 13,824-atom glass on 2
   ranks (twolevel: 41 iterations, 3.0 s). */
static PetscErrorCode CheckCurvature(MinCtx *ctx, const MinOptions *o, Vec X, Curvature *c)
{
  VitDomain          dom;
  Mat                H;
  VitSpectrumProblem prob;
  VitModes           modes;
  VitModesOptions    mopt = {.method = VIT_MODES_TWOLEVEL, .fallback = PETSC_TRUE, .nev = o->saddle_nev, .nev_option = "-minimize_saddle_nev", .allow_unconverged = PETSC_TRUE, .bounds_steps = VIT_KPM_BOUNDS_STEPS, .seed = 1};
  PetscInt           n;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(c, sizeof(*c)));
  PetscCall(SampleFromPositions(ctx, X, ctx->sample));
  PetscCall(VitPotentialSetUpDomain(ctx->comm, ctx->pot, ctx->sample, 0, &dom));
  PetscCall(VitHessianCreate(ctx->pot, &dom, ctx->sample, MATBAIJ, PETSC_FALSE, &H));
  PetscCall(VitSpectrumProblemCreate(ctx->comm, H, ctx->dim, dom.nowned, dom.gid, NULL, &prob));
  n        = ctx->dim * ctx->sample->natoms;
  c->scale = prob.trace / n; /* Tr(H)/(dN), the problem's exact trace: the same on any rank count */
  mopt.nev = PetscMin(o->saddle_nev, n - ctx->dim);
  PetscCall(VitSpectrumProblemSetGeometry(&prob, &dom, ctx->sample, ctx->pot->cutoff));
  PetscCall(VitModesCompute(&prob, &mopt, &modes));
  c->nmodes     = modes.k;
  c->iterations = modes.iterations;
  c->method     = modes.method;
  c->lowest     = modes.k ? modes.eigenvalue[0] : (PetscReal)NAN;
  while (c->nnegative < modes.k && modes.eigenvalue[c->nnegative] < -o->saddle_tol * c->scale) c->nnegative++;
  if (c->nnegative) PetscCall(NegativeDirection(&dom, &modes, c->nnegative, &c->direction));
  PetscCall(VitModesDestroy(&modes));
  PetscCall(VitSpectrumProblemDestroy(&prob));
  PetscCall(MatDestroy(&H));
  PetscCall(VitDomainDestroy(&dom));
  PetscFunctionReturn(0);
}

/* Escape step X <- X +- h D/max_i|D_i| with h = dmax: the sign of lower energy, if below e0; else h
   halves (at most 5 times). *h = 0 when no step lowered the energy. */
static PetscErrorCode EscapeStep(MinCtx *ctx, Vec X, Vec D, PetscReal e0, PetscReal dmax, PetscReal *h, PetscReal *energy)
{
  Vec       trial, G;
  PetscReal dnorm, e[2];

  PetscFunctionBeginUser;
  PetscCall(VecDuplicate(X, &trial));
  PetscCall(VecDuplicate(X, &G));
  PetscCall(MaxAtomNorm(D, ctx->dim, &dnorm));
  *h      = 0;
  *energy = e0;
  for (PetscInt halving = 0; halving <= 5 && dnorm > 0; halving++, dmax /= 2) {
    PetscInt best;
    for (PetscInt sign = 0; sign < 2; sign++) {
      PetscCall(VecWAXPY(trial, (sign ? -dmax : dmax) / dnorm, D, X));
      PetscCall(MinEnergyGradient(NULL, trial, &e[sign], G, ctx));
    }
    best = e[1] < e[0];
    if (e[best] >= e0) continue;
    PetscCall(VecAXPY(X, (best ? -dmax : dmax) / dnorm, D));
    *h      = dmax;
    *energy = e[best];
    break;
  }
  PetscCall(VecDestroy(&trial));
  PetscCall(VecDestroy(&G));
  PetscFunctionReturn(0);
}

/* What the run did, for stdout and the H5MD output. */
typedef struct {
  PetscReal e0, e1, fmax, scale;
  PetscInt  tao_its, fire_its, escapes, nchecks;
  PetscReal lowest[64]; /* lowest curvature of each check (NaN: none converged); at most 64 checks */
  PetscInt  negative[64];
  PetscBool saddle;     /* the last check found negative curvature */
} MinReport;

static PetscErrorCode MinWrite(MinCtx *ctx, Vec X, const char path[], VitSampleOutFormat fmt, const MinReport *r, const VitUnits *units)
{
  VitH5   h5;
  hsize_t nchecks = (hsize_t)r->nchecks;

  PetscFunctionBeginUser;
  PetscCall(SampleFromPositions(ctx, X, ctx->sample));
  if (fmt == VIT_SAMPLE_OUT_DATA) {
    PetscCall(VitSampleWriteLammpsData(ctx->comm, ctx->sample, path));
    PetscFunctionReturn(0);
  }
  PetscCall(VitSampleWriteH5MDOpen(ctx->comm, ctx->sample, path, &h5));
  PetscCall(VitH5WriteScalar(&h5, "/minimize/energy_per_atom_initial", r->e0 / ctx->sample->natoms, units->energy));
  PetscCall(VitH5WriteScalar(&h5, "/minimize/energy_per_atom", r->e1 / ctx->sample->natoms, units->energy));
  PetscCall(VitH5WriteScalar(&h5, "/minimize/max_force", r->fmax, units->force));
  PetscCall(VitH5WriteScalar(&h5, "/minimize/saddle_escapes", (PetscReal)r->escapes, "1"));
  if (r->nchecks) {
    PetscCall(VitH5WriteReal(&h5, "/minimize/lowest_curvature", 1, &nchecks, r->lowest, units->stiffness));
    PetscCall(VitH5WriteInt(&h5, "/minimize/negative_modes", 1, &nchecks, r->negative, "modes"));
    PetscCall(VitH5WriteScalar(&h5, "/minimize/curvature_scale", r->scale, units->stiffness));
    PetscCall(VitH5WriteAttrString(&h5, "/minimize/lowest_curvature", "ends_on", r->saddle ? "saddle" : "minimum"));
  }
  PetscCall(VitH5Close(&h5));
  PetscFunctionReturn(0);
}

/* After convergence: check the curvature; on a saddle, escape and minimise again (at most
   -minimize_saddle_escapes times). */
static PetscErrorCode EscapeSaddles(MinCtx *ctx, const MinOptions *o, PetscBool tao, const VitUnits *units, Vec X, MinReport *r)
{
  PetscReal a;
  PetscLogEvent event;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventRegister("VitMinSaddle", vit_log.classid, &event));
  PetscCall(VitSampleMeanSpacing(ctx->comm, ctx->sample, ctx->pot->cutoff, &a));
  while (r->fmax <= o->ftol && r->nchecks < 64) {
    Curvature c;
    PetscReal h = 0, e_step = 0;
    PetscInt  tao_its = r->tao_its, fire_its = r->fire_its;

    PetscCall(PetscLogEventBegin(event, 0, 0, 0, 0));
    PetscCall(CheckCurvature(ctx, o, X, &c));
    PetscCall(PetscLogEventEnd(event, 0, 0, 0, 0));
    r->scale                  = c.scale;
    r->lowest[r->nchecks]     = c.lowest;
    r->negative[r->nchecks++] = c.nnegative;
    r->saddle                 = (PetscBool)(c.nnegative > 0);
    if (!c.nmodes) PetscCall(PetscPrintf(ctx->comm, "vitrum: warning: curvature check: %s converged no mode in %" PetscInt_FMT " iterations: the minimum is not verified (raise -spectrum_%s_max_it)\n", VitModesMethods[c.method], c.iterations, VitModesMethods[c.method]));
    else PetscCall(PetscPrintf(ctx->comm, "  curvature check %" PetscInt_FMT ": lowest %.6e %s (%.2e of the mean curvature %.6e %s), %" PetscInt_FMT " negative of the %" PetscInt_FMT " lowest (-minimize_saddle_tol %.6g; %s, %" PetscInt_FMT " iterations)\n", r->nchecks, (double)c.lowest, units->stiffness, (double)(c.lowest / c.scale), (double)c.scale, units->stiffness, c.nnegative, c.nmodes, (double)o->saddle_tol, VitModesMethods[c.method], c.iterations));
    if (!c.nnegative || r->escapes >= o->saddle_escapes) {
      PetscCall(VecDestroy(&c.direction));
      break;
    }
    PetscCall(EscapeStep(ctx, X, c.direction, r->e1, o->saddle_step * a, &h, &e_step));
    PetscCall(VecDestroy(&c.direction));
    if (h == 0) {
      PetscCall(PetscPrintf(ctx->comm, "vitrum: warning: saddle escape: no step along the negative modes (largest %.6g, halved 5 times) lowers the energy\n", (double)(o->saddle_step * a)));
      break;
    }
    r->escapes++;
    PetscCall(MinimizeToForce(ctx, o, tao, X, &r->tao_its, &r->fire_its, &r->e1, &r->fmax));
    PetscCall(PetscPrintf(ctx->comm, "  saddle escape %" PetscInt_FMT ": step %.3g %s (%.3g mean spacings) along %" PetscInt_FMT " negative modes, energy per atom %.15e -> %.15e after %" PetscInt_FMT " TAO + %" PetscInt_FMT " FIRE iterations\n", r->escapes, (double)h, units->length, (double)(h / a), c.nnegative, (double)(e_step / ctx->sample->natoms), (double)(r->e1 / ctx->sample->natoms), r->tao_its - tao_its, r->fire_its - fire_its));
  }
  if (r->saddle) PetscCall(PetscPrintf(ctx->comm, "vitrum: warning: %s: the result is a SADDLE point, not a minimum: %" PetscInt_FMT " negative curvatures remain after %" PetscInt_FMT " escapes (-minimize_saddle_escapes %" PetscInt_FMT ")\n", ctx->sample->source, r->negative[r->nchecks - 1], r->escapes, o->saddle_escapes));
  PetscFunctionReturn(0);
}

/* The options of the curvature check's solvers (twolevel, chebyshev on the block operator), read
   only when the check runs, after the minimisation: read and checked before the sample is read, so
   that a bad value stops the run at once (docs/spectrum.md). */
static PetscErrorCode CurvatureCheckOptions(MPI_Comm comm, const MinOptions *o)
{
  PetscFunctionBeginUser;
  PetscCall(VitModesTwoLevelCheckOptions(comm, o->saddle_nev));
  PetscCall(VitModesChebyshevCheckOptions(comm, o->saddle_nev));
  PetscCall(VitKpmCheckOptions(comm)); /* -kpm_kernel */
  PetscFunctionReturn(0);
}

PetscErrorCode VitCmdMinimize(void)
{
  MPI_Comm      comm = PETSC_COMM_WORLD;
  MinOptions    o;
  VitSample     sample;
  VitPotential  pot;
  MinCtx        ctx;
  Vec           X, G;
  PetscBool     tao, fire;
  VitUnits      units;
  MinReport     r;
  PetscLogEvent event;
  VitSampleOutFormat out_format;

  PetscFunctionBeginUser;
  PetscCall(MinReadOptions(comm, &o));
  if (!VitHelpRequested() && o.saddle_escapes > 0) PetscCall(CurvatureCheckOptions(comm, &o)); /* before the sample */
  PetscCall(VitSampleReadFromOptions(comm, &sample));
  PetscCall(VitPotentialCreateFromOptions(comm, VitHelpRequested() ? NULL : &sample, &pot));
  if (VitHelpRequested()) { /* the domain's options, -units and the curvature check's solvers */
    PetscCall(VitDomainOptionsHelp(comm));
    PetscCall(VitUnitsFromOptions(comm, NULL, "lj", &units));
    PetscCall(CurvatureCheckOptions(comm, &o));
    PetscFunctionReturn(0);
  }
  PetscCall(VitUnitsSetUpForPotential(comm, pot, &sample, &units, NULL));
  sample.has_masses = PETSC_TRUE; /* the written file carries the masses of the run (never 1 outside lj units) */
  PetscCall(PetscStrcmp(o.method, "tao", &tao));
  PetscCall(PetscStrcmp(o.method, "fire", &fire));
  PetscCheck(tao || fire, comm, PETSC_ERR_USER_INPUT, "-minimize_type %s: unknown (use tao or fire)", o.method);
  PetscCall(VitCheckPositiveReal(comm, "-minimize_skin", o.skin, PETSC_FALSE, "a distance"));
  /* a force tolerance <= 0 can never be met: it ran -minimize_max_it iterations (minutes) first;
     one below the forces' round-off floor is refused after the first evaluation (ForceFloor) */
  PetscCheck(o.ftol > 0 && PetscIsNormalReal(o.ftol), comm, PETSC_ERR_USER_INPUT, "-minimize_ftol %.6g: must be positive (a force, e.g. 1e-10 in the force unit of -units)", (double)o.ftol);
  PetscCheck(o.max_it >= 1, comm, PETSC_ERR_USER_INPUT, "-minimize_max_it %" PetscInt_FMT ": must be at least 1", o.max_it);
  PetscCall(VitCheckPositiveReal(comm, "-fire_dt", o.fire_dt, PETSC_FALSE, "a time step"));
  PetscCall(VitCheckPositiveReal(comm, "-fire_dtmax", o.fire_dtmax, PETSC_FALSE, "a time step"));
  PetscCall(VitCheckPositiveReal(comm, "-fire_dmax", o.fire_dmax, PETSC_FALSE, "a distance"));
  PetscCheck(o.saddle_escapes >= 0 && o.saddle_escapes <= 63, comm, PETSC_ERR_USER_INPUT, "-minimize_saddle_escapes %" PetscInt_FMT ": must lie in [0, 63] (0: no curvature check)", o.saddle_escapes);
  PetscCheck(o.saddle_nev >= 1, comm, PETSC_ERR_USER_INPUT, "-minimize_saddle_nev %" PetscInt_FMT ": must be at least 1", o.saddle_nev);
  PetscCheck(o.saddle_tol >= 0 && PetscIsNormalReal(o.saddle_tol + 1), comm, PETSC_ERR_USER_INPUT, "-minimize_saddle_tol %.6g: must be a finite number >= 0", (double)o.saddle_tol);
  PetscCheck(o.saddle_step > 0 && PetscIsNormalReal(o.saddle_step), comm, PETSC_ERR_USER_INPUT, "-minimize_saddle_step %.6g: must be positive (a fraction of the mean spacing, e.g. 0.1)", (double)o.saddle_step);
  if (!o.out[0]) PetscCall(VitOutputPath(sample.source, ".min.data", o.out, sizeof(o.out)));
  PetscCall(VitSampleOutputFormat(comm, "-o", o.out, &out_format));
  PetscCall(VitOutputCheck(comm, "-o", o.out, 0, NULL));
  PetscCall(MinSetUp(comm, pot, &sample, o.skin, &ctx, &X));
  PetscCall(VecDuplicate(X, &G));
  PetscCall(PetscMemzero(&r, sizeof(r)));
  PetscCall(PetscLogEventRegister("VitMinimize", vit_log.classid, &event));
  PetscCall(PetscLogEventBegin(event, 0, 0, 0, 0));
  PetscCall(MinEnergyGradient(NULL, X, &r.e0, G, &ctx));
  {
    PetscReal round_off = 0, e = 0, a = 0;
    PetscCall(ForceFloor(&ctx, &round_off, &e, &a));
    PetscCheck(o.ftol >= round_off, comm, PETSC_ERR_USER_INPUT, "-minimize_ftol %.6g can never be met: it is below the round-off floor of the forces of %s, %.2g %s (machine epsilon x %.6g %s, the median |e_i| rounded down to a power of two, / the mean spacing %.4g %s); give a larger tolerance (default 1e-8)", (double)o.ftol, sample.source, (double)round_off, units.force, (double)e, units.energy, (double)a, units.length);
  }
  PetscCall(MinimizeToForce(&ctx, &o, tao, X, &r.tao_its, &r.fire_its, &r.e1, &r.fmax));
  PetscCall(PetscLogEventEnd(event, 0, 0, 0, 0));
  PetscCall(PetscPrintf(comm, "minimize: %" PetscInt_FMT " atoms, -potential %s: %" PetscInt_FMT " TAO + %" PetscInt_FMT " FIRE iterations, %" PetscInt_FMT " evaluations, %" PetscInt_FMT " domain rebuilds\n", sample.natoms, pot->name, r.tao_its, r.fire_its, ctx.nevals, ctx.nrebuilds));
  if (o.saddle_escapes > 0 && sample.natoms == 1) /* no modes but the translations: nothing to check */
    PetscCall(PetscPrintf(comm, "vitrum: note: %s: 1 atom has no vibrational modes (its %" PetscInt_FMT " degrees of freedom are the translations): it is at a minimum, no curvature check\n", sample.source, sample.dim));
  else if (o.saddle_escapes > 0) PetscCall(EscapeSaddles(&ctx, &o, tao, &units, X, &r));
  PetscCall(MinWrite(&ctx, X, o.out, out_format, &r, &units));
  PetscCall(PetscPrintf(comm, "  energy per atom %.15e -> %.15e, max force %.3e (-minimize_ftol %.6g)%s\n", (double)(r.e0 / sample.natoms), (double)(r.e1 / sample.natoms), (double)r.fmax, (double)o.ftol, r.fmax <= o.ftol ? "" : "  NOT CONVERGED"));
  PetscCall(PetscPrintf(comm, "  wrote %s\n", o.out));
  PetscCheck(r.fmax <= o.ftol, comm, PETSC_ERR_NOT_CONVERGED, "minimize did not reach -minimize_ftol %.6g (max force %.6g) in -minimize_max_it %" PetscInt_FMT " iterations; the partly relaxed sample is in %s", (double)o.ftol, (double)r.fmax, o.max_it, o.out);
  PetscCall(VecDestroy(&X));
  PetscCall(VecDestroy(&G));
  PetscCall(MinDestroy(&ctx));
  PetscCall(VitPotentialDestroy(&pot));
  PetscCall(VitSampleDestroy(&sample));
  PetscFunctionReturn(0);
}
