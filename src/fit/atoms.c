/* Per-atom features: Gaussian-broadened local partial RDFs of every owned atom (docs/fit.md). */
#include <vitrum/fit.h>

typedef struct {
  const VitDomain *dom;
  PetscInt         ntypes, nr;
  const PetscReal *r;
  PetscReal        sigma, *rows;
} AtomCtx;

static PetscErrorCode AddNeighbor(PetscInt i, PetscInt j, const PetscReal d[3], PetscReal rij, void *ctx)
{
  AtomCtx   *c   = (AtomCtx *)ctx;
  PetscInt   p   = c->ntypes * c->ntypes * c->nr;
  PetscReal *row = c->rows + i * p + (c->dom->type[i] * c->ntypes + c->dom->type[j]) * c->nr;

  for (PetscInt k = 0; k < c->nr; k++) {
    PetscReal u = (c->r[k] - rij) / c->sigma;
    if (PetscAbsReal(u) < 5) row[k] += PetscExpReal(-0.5 * u * u);
  }
  return 0;
}

PetscErrorCode VitAtomFeatures(VitDomain *dom, const VitSample *sample, PetscInt nr, const PetscReal r[], PetscReal sigma, PetscReal **rows)
{
  PetscInt  nt = sample->ntypes, p = nt * nt * nr, counts[VIT_MAX_TYPES], d = sample->dim;
  PetscReal volume = VitSampleVolume(sample), Sd = d == 2 ? 2 * PETSC_PI : 4 * PETSC_PI;
  AtomCtx   ctx = {dom, nt, nr, r, sigma, NULL};

  PetscFunctionBeginUser;
  PetscCall(VitSampleTypeCounts(dom->comm, sample, counts));
  PetscCall(PetscCalloc1(dom->nowned * p + 1, &ctx.rows));
  PetscCall(VitDomainForEachPair(dom, r[nr - 1] + 5 * sigma, PETSC_FALSE, AddNeighbor, &ctx));
  for (PetscInt i = 0; i < dom->nowned; i++)
    for (PetscInt b = 0; b < nt; b++)
      for (PetscInt k = 0; k < nr; k++) {
        PetscReal norm = PetscSqrtReal(2 * PETSC_PI) * sigma * (counts[b] / volume) * Sd * PetscPowRealInt(r[k], d - 1);
        ctx.rows[i * p + (dom->type[i] * nt + b) * nr + k] /= norm;
      }
  *rows = ctx.rows;
  PetscFunctionReturn(0);
}
