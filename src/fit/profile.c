/* Profiles on a grid: Gaussian smoothing, values on the model's grid (features and predict). */
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

/* Index of the grid point within tol of u (x increasing), or -1. */
static PetscInt FindPoint(PetscInt nx, const PetscReal x[], PetscReal u, PetscReal tol)
{
  PetscInt lo = 0, hi = nx - 1;

  while (hi - lo > 1) {
    PetscInt mid = (lo + hi) / 2;
    if (x[mid] < u) lo = mid;
    else hi = mid;
  }
  if (PetscAbsReal(x[lo] - u) <= tol) return lo;
  if (PetscAbsReal(x[hi] - u) <= tol) return hi;
  return -1;
}

/* Input bin j spans [e_j, e_{j+1}], edges halfway between points (the end bins as wide as their neighbours). */
static PetscReal BinEdge(PetscInt nx, const PetscReal x[], PetscInt j)
{
  if (j == 0) return x[0] - 0.5 * (x[1] - x[0]);
  if (j == nx) return x[nx - 1] + 0.5 * (x[nx - 1] - x[nx - 2]);
  return 0.5 * (x[j - 1] + x[j]);
}

void VitProfileEdges(PetscInt nx, const PetscReal x[], PetscReal h, PetscReal *lo, PetscReal *hi)
{
  *lo = nx < 2 ? x[0] - 0.5 * h : BinEdge(nx, x, 0);
  *hi = nx < 2 ? x[0] + 0.5 * h : BinEdge(nx, x, nx);
}

/* Whether the profile's bins cover the model's bins [xi[0] - h/2, xi[ni-1] + h/2] (tolerance tol). */
static PetscBool Covers(PetscInt nx, const PetscReal x[], PetscInt ni, const PetscReal xi[], PetscReal h, PetscReal tol)
{
  PetscReal lo, hi;

  if (nx < 1) return PETSC_FALSE;
  VitProfileEdges(nx, x, h, &lo, &hi);
  return (PetscBool)(xi[0] - 0.5 * h >= lo - tol && xi[ni - 1] + 0.5 * h <= hi + tol);
}

VitGridMatch VitProfilePick(PetscInt nx, const PetscReal x[], const PetscReal g[], PetscInt ni, const PetscReal xi[], PetscReal h, PetscReal gi[])
{
  PetscReal tol = 1e-6 * h;

  if (!Covers(nx, x, ni, xi, h, tol)) return VIT_GRID_UNCOVERED;
  for (PetscInt i = 0; i < ni; i++) {
    PetscInt  j = FindPoint(nx, x, xi[i], tol);
    PetscReal step;
    if (j < 0) return VIT_GRID_DIFFERS;
    step = nx < 2 ? h : j + 1 < nx ? x[j + 1] - x[j] : x[j] - x[j - 1];
    if (PetscAbsReal(step - h) > tol) return VIT_GRID_DIFFERS;
    gi[i] = g[j];
  }
  return VIT_GRID_SAME;
}

PetscInt VitProfilePointsBelow(PetscInt nx, const PetscReal x[], PetscReal rmax, PetscReal tol)
{
  PetscInt n = 0;

  if (nx < 2) return nx;
  while (n < nx && BinEdge(nx, x, n) < rmax - tol) n++;
  return n;
}

/* Volume of the shell [a, b] in dim dimensions, up to the constant of the dimension (dim 1: the width). */
static PetscReal Shell(PetscReal a, PetscReal b, PetscInt dim)
{
  return PetscPowRealInt(b, dim) - PetscPowRealInt(a, dim);
}

PetscBool VitProfileRebin(PetscInt nx, const PetscReal x[], const PetscReal g[], PetscInt ni, const PetscReal xi[], PetscReal h, PetscInt dim, PetscReal gi[])
{
  PetscReal tol = 1e-6 * h;

  if (nx < 2 || !Covers(nx, x, ni, xi, h, tol)) return PETSC_FALSE;
  for (PetscInt i = 0; i < ni; i++) {
    PetscReal lo = xi[i] - 0.5 * h, hi = xi[i] + 0.5 * h, sum = 0, volume = 0;
    for (PetscInt j = 0; j < nx; j++) {
      PetscReal a = PetscMax(lo, BinEdge(nx, x, j)), b = PetscMin(hi, BinEdge(nx, x, j + 1)), v;
      if (b <= a) continue;
      v = Shell(a, b, dim);
      sum += v * g[j];
      volume += v;
    }
    gi[i] = sum / volume;
  }
  return PETSC_TRUE;
}
