/* The VDOS from KPM moments after the fact: Gaussian broadening evaluated at any frequency (the
   smooth targets of `features`, on one grid for an ensemble), a boson peak found continuously on
   it, and reading the moments back from a spectrum output. docs/spectrum.md, docs/fit.md. */
#include <vitrum/spectrum.h>

PetscErrorCode VitKpmRead(VitH5 *h5, VitKpm *kpm, PetscReal *omega_scale, PetscInt *dim, PetscBool *found)
{
  int       ndims;
  hsize_t   dims[4];
  PetscInt  n;
  PetscReal v;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(kpm, sizeof(*kpm)));
  PetscCall(VitH5Exists(h5, "/spectrum/kpm/omega_scale", found));
  if (!*found) PetscFunctionReturn(0);
  PetscCall(VitH5ReadScalar(h5, "/spectrum/kpm/omega_scale", omega_scale));
  PetscCall(VitH5GetDims(h5, "/spectrum/kpm/mu", &ndims, dims));
  PetscCheck(ndims == 2 && dims[0] >= 1 && dims[1] >= 2, h5->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: /spectrum/kpm/mu is not a (vectors x moments) array", h5->path);
  PetscCall(VitH5ReadReal(h5, "/spectrum/kpm/mu", &n, &kpm->mu));
  kpm->vectors = (PetscInt)dims[0];
  kpm->moments = (PetscInt)dims[1];
  kpm->deflate = PETSC_TRUE;
  PetscCall(VitH5ReadScalar(h5, "/spectrum/kpm/lambda_min", &kpm->lambda_min));
  PetscCall(VitH5ReadScalar(h5, "/spectrum/kpm/lambda_max", &kpm->lambda_max));
  PetscCall(VitH5ReadScalar(h5, "/spectrum/kpm/nstates", &v));
  kpm->nstates = (PetscInt)v;
  PetscCall(VitH5ReadScalar(h5, "/spectrum/kpm/dimension", &v));
  *dim = (PetscInt)v;
  PetscCall(VitH5ReadScalar(h5, "/spectrum/kpm/seed", &v));
  kpm->seed = (PetscInt64)v;
  PetscCheck(kpm->lambda_max > 0 && kpm->lambda_max > kpm->lambda_min && *omega_scale > 0, h5->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: KPM interval [%.6g, %.6g] or omega_scale %.6g is not usable", h5->path, (double)kpm->lambda_min, (double)kpm->lambda_max, (double)*omega_scale);
  PetscFunctionReturn(0);
}

/* Coefficients of the mean count over the vectors: N(x = cos theta) = [c_0 (pi - theta) - sum_n c_n sin(n theta)] / pi
   (as VitKpmCumulative), c_0 = g_0 <mu_0>, c_n = 2 g_n <mu_n> / n. */
static PetscErrorCode CountCoefficients(const VitKpm *kpm, PetscReal **c)
{
  const PetscInt M = kpm->moments;

  PetscFunctionBegin;
  PetscCall(PetscCalloc1(M, c));
  for (PetscInt k = 0; k < kpm->vectors; k++)
    for (PetscInt n = 0; n < M; n++) (*c)[n] += kpm->mu[k * M + n] / kpm->vectors;
  (*c)[0] *= VitKpmJackson(0, M);
  for (PetscInt n = 1; n < M; n++) (*c)[n] *= 2.0 * VitKpmJackson(n, M) / n;
  PetscFunctionReturn(0);
}

/* The mean count below lambda from those coefficients, sin(n theta) by its three-term recurrence
   sin((n+1) t) = 2 cos t sin(n t) - sin((n-1) t) (rounding grows as n eps: 1e-12 at 10^4 moments). */
static PetscReal MeanCount(const VitKpm *kpm, const PetscReal c[], PetscReal lambda)
{
  const PetscReal a = 0.5 * (kpm->lambda_max + kpm->lambda_min), b = 0.5 * (kpm->lambda_max - kpm->lambda_min);
  const PetscReal x = PetscMax(-1.0, PetscMin(1.0, (lambda - a) / b)), theta = PetscAcosReal(x);
  PetscReal       sprev = 0, s = PetscSinReal(theta), sum = 0;

  for (PetscInt n = 1; n < kpm->moments; n++) {
    const PetscReal snext = 2 * x * s - sprev;
    sum += c[n] * s;
    sprev = s;
    s     = snext;
  }
  return (c[0] * (PETSC_PI - theta) - sum) / PETSC_PI;
}

/* Cells [j h, (j+1) h] in omega = sqrt(lambda) up to sqrt(lambda_top), h = sigma/per_sigma, each
   weighing its share of the states; a cell's share sits at its midpoint: a mode up to h/2 away
   moves its Gaussian by at most sigma/(2 per_sigma): with 16 cells per sigma D is within ~0.3 % of
   its maximum of the exact broadening, with 64 within ~0.05 % (tests/spectrum/vdos.py).
   Eigenvalues <= 0 count at omega ~ 0. */
static PetscErrorCode CellsCreate(PetscReal lambda_top, PetscReal sigma, PetscInt per_sigma, VitBroadenedVdos *b)
{
  PetscFunctionBegin;
  PetscCheck(sigma > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "broadening width %.6g must be positive", (double)sigma);
  b->sigma = sigma;
  b->h     = sigma / per_sigma;
  b->ncell = (PetscInt)PetscCeilReal(PetscSqrtReal(PetscMax(lambda_top, 0.0)) / b->h) + 1;
  PetscCall(PetscCalloc1(b->ncell, &b->share));
  PetscFunctionReturn(0);
}

/* Shares from the Jackson-damped KPM count at lambda = ((j+1) h)^2, the first cell from lambda_min. */
PetscErrorCode VitBroadenedVdosCreate(const VitKpm *kpm, PetscReal sigma, VitBroadenedVdos *b)
{
  PetscReal below = 0, above, total, *c;

  PetscFunctionBegin;
  PetscCall(CellsCreate(kpm->lambda_max, sigma, 16, b)); /* the KPM density is smooth on sigma already */
  PetscCall(CountCoefficients(kpm, &c));
  total = MeanCount(kpm, c, kpm->lambda_max);
  for (PetscInt j = 0; j < b->ncell; j++) {
    above       = MeanCount(kpm, c, PetscSqr((j + 1) * b->h));
    b->share[j] = (above - below) / total;
    below       = above;
  }
  PetscCall(PetscFree(c));
  PetscFunctionReturn(0);
}

/* Shares counted from the exact eigenvalues (sorted ascending). */
PetscErrorCode VitBroadenedVdosCreateFromEigenvalues(PetscInt n, const PetscReal lambda[], PetscReal sigma, VitBroadenedVdos *b)
{
  PetscFunctionBegin;
  PetscCall(CellsCreate(lambda[n - 1], sigma, 64, b));
  for (PetscInt i = 0; i < n; i++) {
    const PetscInt j = (PetscInt)(PetscSqrtReal(PetscMax(lambda[i], 0.0)) / b->h);
    b->share[PetscMin(j, b->ncell - 1)] += 1.0 / n;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VitBroadenedVdosDestroy(VitBroadenedVdos *b)
{
  PetscFunctionBegin;
  PetscCall(PetscFree(b->share));
  PetscFunctionReturn(0);
}

/* Cells whose Gaussians reach omega (within 9 sigma; beyond, e^(-40) is below rounding). */
static void CellRange(const VitBroadenedVdos *b, PetscReal omega, PetscInt *first, PetscInt *end)
{
  const PetscReal reach = 9 * b->sigma;
  *first = PetscMin(b->ncell, PetscMax(0, (PetscInt)PetscFloorReal((omega - reach) / b->h)));
  *end   = PetscMin(b->ncell, (PetscInt)PetscCeilReal((omega + reach) / b->h) + 1);
}

/* D(omega) = sum_j p_j [G(omega - w_j) + G(omega + w_j)]: each state's Gaussian mirrored at omega = 0,
   so that D integrates to 1 over omega >= 0 (frequencies are not negative). */
PetscReal VitBroadenedVdosDensity(const VitBroadenedVdos *b, PetscReal omega)
{
  const PetscReal s = b->sigma, norm = 1 / (s * PetscSqrtReal(2 * PETSC_PI));
  PetscReal       D = 0;
  PetscInt        first, end;

  CellRange(b, omega, &first, &end);
  for (PetscInt j = first; j < end; j++) {
    const PetscReal w = (j + 0.5) * b->h;
    D += b->share[j] * (PetscExpReal(-0.5 * PetscSqr((omega - w) / s)) + PetscExpReal(-0.5 * PetscSqr((omega + w) / s)));
  }
  return D * norm;
}

/* C(omega) = int_0^omega D = sum_j p_j [Phi((omega - w_j)/sigma) + Phi((omega + w_j)/sigma) - 1];
   cells below the Gaussians' reach count whole. */
PetscReal VitBroadenedVdosCumulative(const VitBroadenedVdos *b, PetscReal omega)
{
  const PetscReal r2 = PetscSqrtReal(2.0) * b->sigma;
  PetscReal       C  = 0;
  PetscInt        first, end;

  CellRange(b, omega, &first, &end);
  for (PetscInt j = 0; j < first; j++) C += b->share[j];
  for (PetscInt j = first; j < end; j++) {
    const PetscReal w = (j + 0.5) * b->h;
    C += b->share[j] * 0.5 * (erfc(-(omega - w) / r2) + erfc(-(omega + w) / r2) - 2.0);
  }
  return C;
}

static PetscReal Reduced(const VitBroadenedVdos *b, PetscInt dim, PetscReal omega)
{
  return VitBroadenedVdosDensity(b, omega) / PetscPowReal(omega, dim - 1);
}

/* The maximum of D(omega)/omega^(d-1) on [lo, hi]: the best of points h (the cell width) apart (the
   Gaussians vary on the scale sigma), then golden-section search between its neighbours, to 1e-10
   relative: the frequency is continuous, not a bin. True when the maximum is an end of [lo, hi]
   (or the range is empty). */
PetscBool VitBroadenedBosonPeak(const VitBroadenedVdos *b, PetscInt dim, PetscReal lo, PetscReal hi, PetscReal *omega, PetscReal *height)
{
  const PetscReal g = 0.5 * (PetscSqrtReal(5.0) - 1);
  const PetscInt  n = PetscMax(2, (PetscInt)PetscCeilReal((hi - lo) / b->h));
  const PetscReal step = (hi - lo) / n;
  PetscInt        best = 0;
  PetscReal       fbest = Reduced(b, dim, lo), a, c, x1, x2, f1, f2;

  *omega  = lo;
  *height = fbest;
  if (!(hi > lo)) return PETSC_TRUE; /* an empty range (3 sigma above the grid's top) */
  for (PetscInt k = 1; k <= n; k++) {
    const PetscReal f = Reduced(b, dim, lo + k * step);
    if (f > fbest) {
      fbest = f;
      best  = k;
    }
  }
  *omega  = lo + best * step;
  *height = fbest;
  if (best == 0 || best == n) return PETSC_TRUE;
  a  = lo + (best - 1) * step;
  c  = lo + (best + 1) * step;
  x1 = c - g * (c - a);
  x2 = a + g * (c - a);
  f1 = Reduced(b, dim, x1);
  f2 = Reduced(b, dim, x2);
  while (c - a > 1e-10 * c) {
    if (f1 > f2) {
      c  = x2;
      x2 = x1;
      f2 = f1;
      x1 = c - g * (c - a);
      f1 = Reduced(b, dim, x1);
    } else {
      a  = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + g * (c - a);
      f2 = Reduced(b, dim, x2);
    }
  }
  if (PetscMax(f1, f2) > fbest) {
    *omega  = f1 > f2 ? x1 : x2;
    *height = PetscMax(f1, f2);
  }
  return PETSC_FALSE;
}

/* ---- Resolution and outliers ---------------------------------------------------------------- */
/* The Jackson kernel turns a delta at x = (lambda - a)/b into a near-Gaussian of width
   sigma_x ~ pi/M (Weisse et al., Rev. Mod. Phys. 78, 275 (2006), eq. 73, mid-interval; narrower
   towards the ends), so sigma_lambda = b pi/M = pi (lambda_max - lambda_min)/(2M) (full width
   ~ 2 sigma = pi (lambda_max - lambda_min)/M). In omega = sqrt(lambda), d lambda = 2 omega d omega:
   sigma_omega(omega) = sigma_lambda/(2 omega), uniform in lambda, coarser as 1/omega in frequency. */
PetscReal VitKpmResolution(PetscReal lo, PetscReal hi, PetscInt M, PetscReal omega)
{
  return PETSC_PI * (hi - lo) / (2.0 * M) / (2.0 * omega);
}

PetscReal VitKpmMomentsForResolution(PetscReal lo, PetscReal hi, PetscReal omega, PetscReal domega)
{
  return PetscCeilReal(PETSC_PI * (hi - lo) / (4.0 * omega * domega));
}

/* The eigenvalue below which a share q of the states lie: bisection on the Jackson-damped count
   (monotone: the kernel is positive), to 1e-12 of the interval. */
PetscErrorCode VitKpmQuantile(const VitKpm *kpm, PetscReal q, PetscReal *lambda)
{
  PetscReal lo = kpm->lambda_min, hi = kpm->lambda_max, total, count;

  PetscFunctionBegin;
  PetscCall(VitKpmCumulative(kpm, hi, NULL, &total));
  while (hi - lo > 1e-12 * (kpm->lambda_max - kpm->lambda_min)) {
    const PetscReal mid = 0.5 * (lo + hi);
    PetscCall(VitKpmCumulative(kpm, mid, NULL, &count));
    if (count < q * total) lo = mid;
    else hi = mid;
  }
  *lambda = 0.5 * (lo + hi);
  PetscFunctionReturn(0);
}

/* States far above the bulk: above omega_cut = 1.5 omega_90 (omega_90: 90 % of the states lie below;
   the band of the KA glasses ends at 1.3 omega_90), which stretch the Chebyshev interval
   (lambda_max - lambda_min)/(omega_cut^2 - lambda_min) times beyond what the bulk needs. */
PetscErrorCode VitKpmFindOutliers(const VitKpm *kpm, VitKpmOutliers *out)
{
  PetscReal l90, total, below;

  PetscFunctionBegin;
  PetscCall(VitKpmQuantile(kpm, 0.9, &l90));
  out->omega90   = PetscSqrtReal(PetscMax(l90, 0.0));
  out->omega_cut = 1.5 * out->omega90;
  out->omega_top = PetscSqrtReal(kpm->lambda_max);
  PetscCall(VitKpmCumulative(kpm, kpm->lambda_max, NULL, &total));
  PetscCall(VitKpmCumulative(kpm, PetscSqr(out->omega_cut), NULL, &below));
  out->count   = (total - below) / total * kpm->nstates;
  out->stretch = (kpm->lambda_max - kpm->lambda_min) / (PetscSqr(out->omega_cut) - kpm->lambda_min);
  PetscFunctionReturn(0);
}
