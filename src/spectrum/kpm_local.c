/* Local (per-atom) KPM moments: the local density of states of atom i,
   rho_i(lambda) = sum_modes sum_c |e_k(i,c)|^2 delta(lambda - lambda_k), has the Chebyshev moments
   mu_n^(i) = sum_c [T_n(Hs)]_(ic,ic), estimated with the random vectors of the global run as
   (1/R) sum_k sum_c r_k(i,c) [T_n(Hs) r_k](i,c) (Weisse et al., Rev. Mod. Phys. 78, 275 (2006),
   sec. II.C; the same vectors make the sum over atoms the global estimate). The doubling trick of
   the global moments does not apply to a restricted dot product, so every moment needs a product. */
#include <vitrum/spectrum.h>

/* local[order[i] M + n] = sum_k sum_c r(i,c,k) v(i,c,k) / R, for the operator rows i (owned atom order[i]). */
static void AddLocalDots(PetscInt nowned, const PetscInt order[], PetscInt d, PetscInt R, PetscInt M, PetscInt n, const PetscReal r[], const PetscReal v[], PetscReal local[])
{
  for (PetscInt i = 0; i < nowned; i++) {
    PetscReal s = 0;
    for (PetscInt k = 0; k < R; k++) {
      PetscReal t = 0;
      for (PetscInt c = 0; c < d; c++) t += r[(i * d + c) * R + k] * v[(i * d + c) * R + k];
      s += t;
    }
    local[order[i] * M + n] = s / R;
  }
}

PetscErrorCode VitKpmLocalMoments(VitKpmOperator op, const VitSpectrumProblem *prob, const VitKpm *kpm, PetscReal local[])
{
  const PetscInt  d = prob->dim, R = kpm->vectors, M = kpm->moments, n = prob->nowned * d;
  const PetscReal a = 0.5 * (kpm->lambda_max + kpm->lambda_min), binv = 2.0 / (kpm->lambda_max - kpm->lambda_min), b2inv = 2.0 * binv;
  PetscInt        nrows, nghost;
  const PetscInt *order;
  PetscReal      *r, *vprev, *vcur, *y, *swap;

  PetscFunctionBegin;
  PetscCall(VitKpmOperatorSizes(op, &nrows, &nghost, NULL));
  PetscCall(PetscMalloc4(n * R + 1, &r, (nrows + nghost) * d * R + 1, &vprev, (nrows + nghost) * d * R + 1, &vcur, n * R + 1, &y));
  PetscCall(VitKpmOperatorRows(op, &order, NULL, NULL));
  PetscCall(VitKpmRandomVectors(op, prob, R, kpm->seed, kpm->deflate, r));
  PetscCall(PetscArraycpy(vprev, r, n * R)); /* v_0 = r */
  AddLocalDots(prob->nowned, order, d, R, M, 0, r, vprev, local);
  PetscCall(VitKpmOperatorApply(op, R, vprev, y));
  for (PetscInt j = 0; j < n * R; j++) vcur[j] = (y[j] - a * vprev[j]) * binv; /* v_1 = Hs v_0 */
  AddLocalDots(prob->nowned, order, d, R, M, 1, r, vcur, local);
  for (PetscInt m = 2; m < M; m++) { /* v_m = 2 Hs v_{m-1} - v_{m-2}, written over v_{m-2} */
    PetscCall(VitKpmOperatorApply(op, R, vcur, y));
    for (PetscInt j = 0; j < n * R; j++) vprev[j] = (y[j] - a * vcur[j]) * b2inv - vprev[j];
    AddLocalDots(prob->nowned, order, d, R, M, m, r, vprev, local);
    swap  = vprev;
    vprev = vcur;
    vcur  = swap;
  }
  PetscCall(PetscFree4(r, vprev, vcur, y));
  PetscFunctionReturn(0);
}
