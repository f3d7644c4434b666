/* vitrum minimize: relax a sample to its inherent structure (local energy minimum at fixed box).

     vitrum minimize -sample melt.data -potential ka3d [-minimize_type tao|fire] [-tao_type blmvm|bncg]
                     [-minimize_ftol 1e-8] -o relaxed.data

   The unknowns are the Cartesian positions in global id order (a Vec whose layout never changes).
   Each evaluation moves the owned atoms of the current domain and refreshes the ghosts; when an
   atom has moved more than half the skin since the last decomposition, the domain is rebuilt
   (ghosts reach pot->ghost_width + skin, so no pair within the cutoff is missed in between).
   TAO (default BLMVM) minimises the energy; FIRE (Bitzek et al., PRL 97, 170201 (2006)) needs
   forces only and finishes runs whose line search stalls at round-off. Converged when the largest
   per-atom force |F_i| <= -minimize_ftol. */
#include <vitrum/commands.h>
#include <vitrum/potential.h>
#include <vitrum/units.h>
#include <petsctao.h>

typedef struct {
  PetscReal ftol, skin, fire_dt, fire_dtmax, fire_dmax;
  PetscInt  max_it;
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
  VecScatter   to_dom;          /* id order -> owned atoms of dom, dim per atom */
  Vec          xdom, xref_dom;  /* positions, domain order */
  PetscReal   *sref;            /* fractional positions of owned atoms at the decomposition */
  PetscReal   *energy, *force;  /* owned atoms */
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
  PetscCall(PetscStrncpy(o->method, "tao", sizeof(o->method)));
  PetscOptionsBegin(comm, NULL, "vitrum minimize", "vitrum");
  PetscCall(PetscOptionsString("-minimize_type", "tao (energy minimisation with -tao_type, default blmvm, then FIRE if the line search stalls) or fire", NULL, o->method, o->method, sizeof(o->method), NULL));
  PetscCall(PetscOptionsReal("-minimize_ftol", "converged when the largest per-atom force is at most this", NULL, o->ftol, &o->ftol, NULL));
  PetscCall(PetscOptionsInt("-minimize_max_it", "largest number of iterations (each method)", NULL, o->max_it, &o->max_it, NULL));
  PetscCall(PetscOptionsReal("-minimize_skin", "extra ghost shell; the domain is rebuilt when an atom moved more than half of it", NULL, o->skin, &o->skin, NULL));
  PetscCall(PetscOptionsReal("-fire_dt", "FIRE initial time step (unit masses)", NULL, o->fire_dt, &o->fire_dt, NULL));
  PetscCall(PetscOptionsReal("-fire_dtmax", "FIRE largest time step", NULL, o->fire_dtmax, &o->fire_dtmax, NULL));
  PetscCall(PetscOptionsReal("-fire_dmax", "FIRE largest displacement of an atom per step", NULL, o->fire_dmax, &o->fire_dmax, NULL));
  PetscCall(PetscOptionsString("-o", "relaxed sample: .data (LAMMPS data) or .h5 (H5MD); default: the sample name with .min.data", NULL, o->out, o->out, sizeof(o->out), NULL));
  PetscOptionsEnd();
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

/* The sample's atoms from positions X (id order): this rank's block of ids, wrapped fractions. */
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
    PetscReal rel[3] = {0, 0, 0}, frac[3];

    sample->gid[i]  = start + i;
    sample->type[i] = (PetscInt)type[i];
    sample->fid[i]  = (PetscInt)fid[i];
    for (PetscInt k = 0; k < ctx->dim; k++) rel[k] = x[ctx->dim * i + k] - sample->lo[k];
    VitSampleCartToFrac(sample, rel, frac);
    for (PetscInt k = 0; k < 3; k++) sample->s[3 * i + k] = k < ctx->dim ? VitWrapUnit(frac[k]) : 0;
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
  PetscReal    virial[6];
  PetscScalar *g;

  PetscFunctionBeginUser;
  PetscCall(MinSetPositions(ctx, X));
  PetscCall(VitPotentialEvaluate(ctx->pot, &ctx->dom, ctx->energy, ctx->force, virial, energy, NULL));
  PetscCall(VecGetArray(ctx->xdom, &g)); /* xdom as the buffer of -F in domain order */
  for (PetscInt i = 0; i < ctx->dom.nowned; i++)
    for (PetscInt k = 0; k < ctx->dim; k++) g[ctx->dim * i + k] = -ctx->force[3 * i + k];
  PetscCall(VecRestoreArray(ctx->xdom, &g));
  PetscCall(VecScatterBegin(ctx->to_dom, ctx->xdom, G, INSERT_VALUES, SCATTER_REVERSE));
  PetscCall(VecScatterEnd(ctx->to_dom, ctx->xdom, G, INSERT_VALUES, SCATTER_REVERSE));
  ctx->nevals++;
  PetscFunctionReturn(0);
}

/* TAO stops at the force tolerance, at max_it, or when the energy has not changed by more than a
   few ulps for 20 iterations (the line search is then at round-off; FIRE, which uses forces only,
   takes over). */
typedef struct {
  PetscReal ftol, last_energy;
  PetscInt  max_it, dim, stalled;
} TaoStop;

static PetscErrorCode TaoStopOnForce(Tao tao, void *ptr)
{
  TaoStop  *stop = (TaoStop *)ptr;
  Vec       G;
  PetscReal fmax, energy;
  PetscInt  its;

  PetscFunctionBeginUser;
  PetscCall(TaoGetGradient(tao, &G, NULL, NULL));
  PetscCall(MaxAtomNorm(G, stop->dim, &fmax));
  PetscCall(TaoGetSolutionStatus(tao, &its, &energy, NULL, NULL, NULL, NULL));
  stop->stalled     = PetscAbsReal(energy - stop->last_energy) <= 8 * PETSC_MACHINE_EPSILON * PetscAbsReal(energy) ? stop->stalled + 1 : 0;
  stop->last_energy = energy;
  if (fmax <= stop->ftol) PetscCall(TaoSetConvergedReason(tao, TAO_CONVERGED_USER));
  else if (its >= stop->max_it) PetscCall(TaoSetConvergedReason(tao, TAO_DIVERGED_MAXITS));
  else if (stop->stalled >= 20) PetscCall(TaoSetConvergedReason(tao, TAO_DIVERGED_USER));
  else PetscCall(TaoSetConvergedReason(tao, TAO_CONTINUE_ITERATING));
  PetscFunctionReturn(0);
}

static PetscErrorCode MinimizeTao(MinCtx *ctx, const MinOptions *o, Vec X, PetscInt *its)
{
  Tao     tao;
  TaoStop stop = {o->ftol, PETSC_MAX_REAL, o->max_it, ctx->dim, 0};

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
  PetscCall(VitDomainToGlobalOrder(&dom, ctx->dim, buf, X));
  for (PetscInt i = 0; i < dom.nowned; i++) buf[i] = (PetscReal)dom.type[i];
  PetscCall(VitDomainToGlobalOrder(&dom, 1, buf, &ctx->type));
  for (PetscInt i = 0; i < dom.nowned; i++) buf[i] = (PetscReal)dom.fid[i];
  PetscCall(VitDomainToGlobalOrder(&dom, 1, buf, &ctx->fid));
  PetscCall(PetscFree(buf));
  PetscCall(VitDomainDestroy(&dom));
  PetscCall(VecDuplicate(*X, &ctx->xref));
  PetscCall(MinDomainSetUp(ctx, *X));
  ctx->nrebuilds = 0;
  PetscFunctionReturn(0);
}

static PetscErrorCode MinWrite(MinCtx *ctx, Vec X, const char path[])
{
  size_t    len;
  PetscBool data;

  PetscFunctionBeginUser;
  PetscCall(SampleFromPositions(ctx, X, ctx->sample));
  PetscCall(PetscStrlen(path, &len));
  data = (PetscBool)(len > 5 && !strcmp(path + len - 5, ".data"));
  if (data) PetscCall(VitSampleWriteLammpsData(ctx->comm, ctx->sample, path));
  else PetscCall(VitSampleWriteH5MD(ctx->comm, ctx->sample, path));
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

PetscErrorCode VitCmdMinimize(void)
{
  MPI_Comm     comm = PETSC_COMM_WORLD;
  MinOptions   o;
  VitSample    sample;
  VitPotential pot;
  MinCtx       ctx;
  Vec          X, G;
  PetscReal    e0, e1, fmax;
  PetscInt     its = 0, fire_its = 0;
  PetscBool    tao, fire;
  VitUnits     units;
  PetscLogEvent event;

  PetscFunctionBeginUser;
  PetscCall(MinReadOptions(comm, &o));
  PetscCall(VitSampleReadFromOptions(comm, &sample));
  PetscCall(VitPotentialCreateFromOptions(comm, VitHelpRequested() ? NULL : &sample, &pot));
  if (VitHelpRequested()) PetscFunctionReturn(0);
  PetscCall(VitUnitsSetUpForPotential(comm, pot, &sample, &units, NULL));
  sample.has_masses = PETSC_TRUE; /* the written file carries the masses of the run (never 1 outside lj units) */
  PetscCall(PetscStrcmp(o.method, "tao", &tao));
  PetscCall(PetscStrcmp(o.method, "fire", &fire));
  PetscCheck(tao || fire, comm, PETSC_ERR_USER_INPUT, "-minimize_type %s: unknown (use tao or fire)", o.method);
  PetscCheck(o.skin > 0, comm, PETSC_ERR_USER_INPUT, "-minimize_skin %g: must be positive", (double)o.skin);
  if (!o.out[0]) PetscCall(VitOutputPath(sample.source, ".min.data", o.out, sizeof(o.out)));
  PetscCall(VitOutputCheck(comm, "-o", o.out, 0, NULL));
  PetscCall(MinSetUp(comm, pot, &sample, o.skin, &ctx, &X));
  PetscCall(VecDuplicate(X, &G));
  PetscCall(PetscLogEventRegister("VitMinimize", vit_log.classid, &event));
  PetscCall(PetscLogEventBegin(event, 0, 0, 0, 0));
  PetscCall(MinEnergyGradient(NULL, X, &e0, G, &ctx));
  if (tao) PetscCall(MinimizeTao(&ctx, &o, X, &its));
  PetscCall(MinEnergyGradient(NULL, X, &e1, G, &ctx));
  PetscCall(MaxAtomNorm(G, ctx.dim, &fmax));
  if (fmax > o.ftol) PetscCall(MinimizeFire(&ctx, &o, X, &fire_its));
  PetscCall(PetscLogEventEnd(event, 0, 0, 0, 0));
  PetscCall(MinEnergyGradient(NULL, X, &e1, G, &ctx));
  PetscCall(MaxAtomNorm(G, ctx.dim, &fmax));
  PetscCall(PetscPrintf(comm, "minimize: %" PetscInt_FMT " atoms, -potential %s: %" PetscInt_FMT " TAO + %" PetscInt_FMT " FIRE iterations, %" PetscInt_FMT " evaluations, %" PetscInt_FMT " domain rebuilds\n", sample.natoms, pot->name, its, fire_its, ctx.nevals, ctx.nrebuilds));
  PetscCall(PetscPrintf(comm, "  energy per atom %.15e -> %.15e, max force %.3e (-minimize_ftol %g)%s\n", (double)(e0 / sample.natoms), (double)(e1 / sample.natoms), (double)fmax, (double)o.ftol, fmax <= o.ftol ? "" : "  NOT CONVERGED"));
  PetscCall(MinWrite(&ctx, X, o.out));
  PetscCall(PetscPrintf(comm, "  wrote %s\n", o.out));
  PetscCheck(fmax <= o.ftol, comm, PETSC_ERR_NOT_CONVERGED, "minimize did not reach -minimize_ftol %g (max force %g) in -minimize_max_it %" PetscInt_FMT " iterations; the partly relaxed sample is in %s", (double)o.ftol, (double)fmax, o.max_it, o.out);
  PetscCall(VecDestroy(&X));
  PetscCall(VecDestroy(&G));
  PetscCall(MinDestroy(&ctx));
  PetscCall(VitPotentialDestroy(&pot));
  PetscCall(VitSampleDestroy(&sample));
  PetscFunctionReturn(0);
}
