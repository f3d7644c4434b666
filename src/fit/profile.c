/* Profiles on a grid: Gaussian smoothing and linear interpolation (features and predict). */
#include <vitrum/fit.h>

PetscErrorCode VitGaussianSmooth(PetscInt nx, const PetscReal x[], PetscReal sigma, PetscReal g[])
{
  PetscReal *out;

  PetscFunctionBeginUser;
  if (sigma <= 0) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(nx, &out));
  for (PetscInt i = 0; i < nx; i++) {
    PetscReal num = 0, den = 0;
    for (PetscInt j = 0; j < nx; j++) {
      PetscReal d = (x[i] - x[j]) / sigma, w;
      if (PetscAbsReal(d) > 8) continue; /* exp(-32): below double precision relative to the centre */
      w = PetscExpReal(-0.5 * d * d);
      num += w * g[j];
      den += w;
    }
    out[i] = num / den;
  }
  PetscCall(PetscArraycpy(g, out, nx));
  PetscCall(PetscFree(out));
  PetscFunctionReturn(0);
}

void VitInterpolate(PetscInt nx, const PetscReal x[], const PetscReal g[], PetscInt ni, const PetscReal xi[], PetscReal gi[], PetscBool *covered)
{
  PetscReal tol = 1e-9 * PetscMax(PetscAbsReal(x[0]), PetscAbsReal(x[nx - 1]));
  PetscInt  k   = 0;

  *covered = PETSC_TRUE;
  for (PetscInt i = 0; i < ni; i++) {
    PetscReal u = xi[i], w;
    if (u < x[0] - tol || u > x[nx - 1] + tol || nx < 2) {
      *covered = (PetscBool)(nx == 1 && PetscAbsReal(u - x[0]) <= tol && *covered);
      gi[i]    = nx == 1 ? g[0] : 0;
      continue;
    }
    while (k > 0 && x[k] > u) k--;
    while (k < nx - 2 && x[k + 1] < u) k++;
    w     = PetscMin(PetscMax((u - x[k]) / (x[k + 1] - x[k]), 0.0), 1.0);
    gi[i] = (1 - w) * g[k] + w * g[k + 1];
  }
}
