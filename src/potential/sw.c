/* Stillinger-Weber potential from LAMMPS .sw files (pair_sw.cpp: 11 parameters per element
   triplet), with an analytic Hessian. See docs/manybody.md.

   E = sum_i sum_{j>i} phi2(r_ij) + sum_i sum_{j<k} phi3(r_ij, r_ik, theta_jik)
     phi2(r) = A eps [B (sig/r)^p - (sig/r)^q] exp(sig / (r - a sig))                  for r < a sig
     phi3    = lambda eps (cos theta_jik - cos theta0)^2 exp(gamma_ij sig_ij / (r_ij - a_ij sig_ij))
                                                   exp(gamma_ik sig_ik / (r_ik - a_ik sig_ik))
   phi2 of the pair ij and the radial factors of phi3 use the parameters of the triplet (i,j,j)
   (and (i,k,k)), lambda eps and cos theta0 those of (i,j,k), as LAMMPS does. Site i holds half of
   each phi2(r_ij) and its phi3 terms; per-atom energies are tallied as LAMMPS does: half of phi2
   to each atom of the pair, a third of phi3 to each of i, j, k.
   Each phi3 is a function F(r_ij, r_ik, cos theta) of the two bond vectors: with D = c - c0 and
   the radial factors E_j(r_ij), E_k(r_ik),
     F = L D^2 E_j E_k,  dF/dr_ij = L D^2 E_j' E_k,  dF/dc = 2 L D E_j E_k,  d2F/dc2 = 2 L E_j E_k, ...
     E(r) = exp(gs/(r - rc)),  E' = -gs/(r - rc)^2 E,  E'' = [gs^2/(r - rc)^4 + 2 gs/(r - rc)^3] E
   and its gradient and Hessian over the bond vectors follow by the chain rule
   (VitManyBodyAngularTerm). */
#include "manybody.h"

#define SW_NPARAM 11

typedef struct {
  PetscReal epsilon, sigma, littlea, lambda, gamma, costheta, biga, bigb, powerp, powerq, tol; /* file order */
  PetscReal cut, sigma_gamma, lambda_epsilon, c5, c6;
} SWParam;

typedef struct {
  PetscInt  nelements;
  char      element[VIT_MAX_TYPES][VIT_NAME_LEN];
  PetscInt  map[VIT_MAX_TYPES]; /* element of each atom type */
  SWParam  *param;              /* nelements^3, index (a * ne + b) * ne + c */
} SW;

static inline const SWParam *Param(const SW *sw, PetscInt ta, PetscInt tb, PetscInt tc)
{
  const PetscInt ne = sw->nelements;
  return &sw->param[(sw->map[ta] * ne + sw->map[tb]) * ne + sw->map[tc]];
}

/* phi2(r) = (c5 r^-p - c6 r^-q) X(r), X = exp(sig/(r - rc)), and its first two derivatives. */
static void TwoBody(const SWParam *p, PetscReal r, PetscReal *phi, PetscReal *dphi, PetscReal *d2phi)
{
  const PetscReal rp = PetscPowReal(r, -p->powerp), rq = PetscPowReal(r, -p->powerq), rainv = 1.0 / (r - p->cut);
  const PetscReal X = PetscExpReal(p->sigma * rainv), dX = -p->sigma * rainv * rainv * X, d2X = (p->sigma * p->sigma * rainv * rainv + 2 * p->sigma * rainv) * rainv * rainv * X;
  const PetscReal P = p->c5 * rp - p->c6 * rq, dP = (-p->powerp * p->c5 * rp + p->powerq * p->c6 * rq) / r;
  const PetscReal d2P = (p->powerp * (p->powerp + 1) * p->c5 * rp - p->powerq * (p->powerq + 1) * p->c6 * rq) / (r * r);

  *phi   = P * X;
  *dphi  = dP * X + P * dX;
  *d2phi = d2P * X + 2 * dP * dX + P * d2X;
}

/* Radial factor of phi3: E(r) = exp(gamma sig/(r - rc)) with the parameters of the pair. */
static void RadialFactor(const SWParam *p, PetscReal r, PetscReal *E, PetscReal *dE, PetscReal *d2E)
{
  const PetscReal rainv = 1.0 / (r - p->cut), gs = p->sigma_gamma;

  *E   = PetscExpReal(gs * rainv);
  *dE  = -gs * rainv * rainv * *E;
  *d2E = (gs * gs * rainv * rainv + 2 * gs * rainv) * rainv * rainv * *E;
}

/* phi3 of bonds u (to j, parameters pj) and v (to k, pk), angle parameters pjk: value, gradient
   (6) and, when h is not NULL, Hessian (6 x 6). */
static PetscReal ThreeBody(const SWParam *pj, const SWParam *pk, const SWParam *pjk, const PetscReal u[3], PetscReal r1, const PetscReal v[3], PetscReal r2, PetscReal grad[6], PetscReal h[36])
{
  const PetscReal L = pjk->lambda_epsilon;
  PetscReal       E1, dE1, d2E1, E2, dE2, d2E2, c = 0, D, Fs[3], Fss[3][3];

  for (int x = 0; x < 3; x++) c += u[x] * v[x];
  c /= r1 * r2;
  D = c - pjk->costheta;
  RadialFactor(pj, r1, &E1, &dE1, &d2E1);
  RadialFactor(pk, r2, &E2, &dE2, &d2E2);
  Fs[0]     = L * D * D * dE1 * E2;
  Fs[1]     = L * D * D * E1 * dE2;
  Fs[2]     = 2 * L * D * E1 * E2;
  Fss[0][0] = L * D * D * d2E1 * E2;
  Fss[1][1] = L * D * D * E1 * d2E2;
  Fss[2][2] = 2 * L * E1 * E2;
  Fss[0][1] = Fss[1][0] = L * D * D * dE1 * dE2;
  Fss[0][2] = Fss[2][0] = 2 * L * D * dE1 * E2;
  Fss[1][2] = Fss[2][1] = 2 * L * D * E1 * dE2;
  VitManyBodyAngularTerm(u, r1, v, r2, Fs, Fss, grad, h);
  return L * D * D * E1 * E2;
}

/* Site i: half of phi2 of each bond, phi3 of each pair of bonds j < k (both within their cutoffs).
   All rows of G are computed (need is ignored), then symmetrised. */
static PetscErrorCode SWSite(VitPotential pot, const VitDomain *dom, PetscInt i, PetscInt n, const PetscInt nbr[], const PetscReal d[], const PetscReal r[], PetscReal e[], PetscReal g[], PetscReal G[], const PetscBool need[])
{
  const SW *sw = (const SW *)pot->data;

  PetscFunctionBeginUser;
  for (PetscInt m = 0; m <= n; m++) e[m] = 0;
  for (PetscInt q = 0; q < 3 * n; q++) g[q] = 0;
  if (G) PetscCall(PetscArrayzero(G, 9 * n * n));
  for (PetscInt j = 0; j < n; j++) {
    const SWParam *pj = Param(sw, dom->type[i], dom->type[nbr[j]], dom->type[nbr[j]]);
    PetscReal      phi, dphi, d2phi;

    if (r[j] >= pj->cut) continue;
    TwoBody(pj, r[j], &phi, &dphi, &d2phi);
    e[0] += 0.5 * phi;
    for (int x = 0; x < 3; x++) g[3 * j + x] += 0.5 * dphi * d[3 * j + x] / r[j];
    if (G) VitManyBodyAddRadial(n, G, j, &d[3 * j], r[j], 0.5 * dphi, 0.5 * d2phi);
    for (PetscInt k = j + 1; k < n; k++) {
      const SWParam *pk = Param(sw, dom->type[i], dom->type[nbr[k]], dom->type[nbr[k]]), *pjk = Param(sw, dom->type[i], dom->type[nbr[j]], dom->type[nbr[k]]);
      PetscReal      grad[6], h[36], f3;

      if (r[k] >= pk->cut) continue;
      f3 = ThreeBody(pj, pk, pjk, &d[3 * j], r[j], &d[3 * k], r[k], grad, G ? h : NULL);
      e[0] += f3 / 3, e[1 + j] += f3 / 3, e[1 + k] += f3 / 3;
      for (int x = 0; x < 3; x++) g[3 * j + x] += grad[x], g[3 * k + x] += grad[3 + x];
      if (G) VitManyBodyAddPairBlocks(n, G, j, k, 1.0, h);
    }
  }
  if (G) VitManyBodySymmetrize(n, G);
  PetscFunctionReturn(0);
}

static PetscErrorCode SWCompute(VitPotential pot, VitDomain *dom, PetscReal *energy, PetscReal *force, PetscReal *virial)
{
  PetscFunctionBeginUser;
  PetscCall(VitManyBodyCompute(pot, dom, SWSite, energy, force, virial));
  PetscFunctionReturn(0);
}

static PetscErrorCode SWHessian(VitPotential pot, VitDomain *dom, const VitNeighborList *nl, const PetscReal w[], Mat H)
{
  PetscFunctionBeginUser;
  PetscCall(VitManyBodyHessian(pot, dom, SWSite, nl, w, H));
  PetscFunctionReturn(0);
}

static PetscErrorCode SWDestroy(VitPotential pot)
{
  SW *sw = (SW *)pot->data;

  PetscFunctionBeginUser;
  PetscCall(PetscFree(sw->param));
  PetscCall(PetscFree(pot->data));
  PetscFunctionReturn(0);
}

/* The file's entries for the used triplets, with LAMMPS's checks (no negative parameter). */
static PetscErrorCode ReadFileRank0(SW *sw, const char path[], char errmsg[], size_t len)
{
  const PetscInt ne = sw->nelements, ne3 = ne * ne * ne;
  PetscReal     *v;
  PetscInt      *line;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(ne3 * SW_NPARAM, &v, ne3, &line));
  PetscCall(VitTripletFileReadRank0(path, "Stillinger-Weber", SW_NPARAM, ne, (const char(*)[VIT_NAME_LEN])sw->element, v, line, errmsg, len));
  for (PetscInt idx = 0; idx < ne3 && !errmsg[0]; idx++) {
    SWParam         *p = &sw->param[idx];
    const PetscReal *w = v + idx * SW_NPARAM;
    PetscBool        negative = PETSC_FALSE;

    p->epsilon = w[0], p->sigma = w[1], p->littlea = w[2], p->lambda = w[3], p->gamma = w[4], p->costheta = w[5];
    p->biga = w[6], p->bigb = w[7], p->powerp = w[8], p->powerq = w[9], p->tol = w[10];
    for (int k = 0; k < SW_NPARAM; k++)
      if (k != 5 && w[k] < 0) negative = PETSC_TRUE;
    if (negative) snprintf(errmsg, len, "%s:%" PetscInt_FMT ": illegal parameters for the triplet %s %s %s: only cos theta0 may be negative", path, line[idx], sw->element[idx / (ne * ne)], sw->element[(idx / ne) % ne], sw->element[idx % ne]);
  }
  PetscCall(PetscFree2(v, line));
  PetscFunctionReturn(0);
}

/* Derived parameters (LAMMPS setup()): cutoff a sig and the constants of phi2 and phi3. */
static PetscReal SetDerived(SW *sw)
{
  PetscReal cutmax = 0;

  for (PetscInt idx = 0; idx < sw->nelements * sw->nelements * sw->nelements; idx++) {
    SWParam *p = &sw->param[idx];

    p->cut            = p->sigma * p->littlea;
    p->sigma_gamma    = p->sigma * p->gamma;
    p->lambda_epsilon = p->lambda * p->epsilon;
    p->c5             = p->biga * p->epsilon * p->bigb * PetscPowReal(p->sigma, p->powerp);
    p->c6             = p->biga * p->epsilon * PetscPowReal(p->sigma, p->powerq);
    cutmax            = PetscMax(cutmax, p->cut);
  }
  return cutmax;
}

/* Distinct elements of -potential_elements, in order of first appearance, and each type's index. */
static PetscErrorCode SetElements(MPI_Comm comm, SW *sw, const VitSample *sample, const char elements[])
{
  char names[VIT_MAX_TYPES][VIT_NAME_LEN];

  PetscFunctionBeginUser;
  PetscCall(VitManyBodySplitElements(comm, elements, sample->ntypes, names));
  for (PetscInt t = 0; t < sample->ntypes; t++) {
    if ((sw->map[t] = VitElementIndex(sw->nelements, (const char(*)[VIT_NAME_LEN])sw->element, names[t])) >= 0) continue;
    PetscCall(PetscStrncpy(sw->element[sw->nelements], names[t], VIT_NAME_LEN));
    sw->map[t] = sw->nelements++;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VitPotentialCreateSW(MPI_Comm comm, const VitSample *sample, const char file[], const char elements[], VitPotential *pot)
{
  SW         *sw;
  char        errmsg[1024] = "";
  PetscMPIInt rank;
  PetscInt    ne3;
  PetscReal   cutmax;

  PetscFunctionBeginUser;
  PetscCall(VitManyBodyCheckSample(comm, sample, "sw"));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscNew(&sw));
  PetscCall(SetElements(comm, sw, sample, elements));
  ne3 = sw->nelements * sw->nelements * sw->nelements;
  PetscCall(PetscCalloc1(ne3, &sw->param));
  if (!rank) PetscCall(ReadFileRank0(sw, file, errmsg, sizeof(errmsg)));
  PetscCall(VitBcastError(comm, errmsg));
  PetscCallMPI(MPI_Bcast(sw->param, (int)(ne3 * sizeof(SWParam)), MPI_BYTE, 0, comm));
  cutmax = SetDerived(sw);

  PetscCall(PetscNew(pot));
  (*pot)->kind = VIT_POTENTIAL_SW;
  PetscCall(PetscStrncpy((*pot)->name, "sw", sizeof((*pot)->name)));
  (*pot)->ntypes        = sample->ntypes;
  (*pot)->cutoff        = cutmax;
  (*pot)->ghost_width   = 2 * cutmax;
  (*pot)->hessian_range = 2 * cutmax;
  (*pot)->min_distance  = 0.5;
  (*pot)->data          = sw;
  (*pot)->compute       = SWCompute;
  (*pot)->hessian       = SWHessian;
  (*pot)->destroy       = SWDestroy;
  PetscFunctionReturn(0);
}
