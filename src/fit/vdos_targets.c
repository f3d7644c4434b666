/* Smooth spectral targets of `features` on one frequency grid for the whole ensemble: the
   Gaussian-broadened VDOS (token vdos), its cumulative (cumvdos) and the boson peak found
   continuously on it (boson), evaluated from each sample's exact eigenvalues (/spectrum/vdos/
   eigenvalues, small samples) or else its stored KPM moments (/spectrum/kpm), so samples with
   different KPM intervals share the grid. docs/fit.md. */
#include "features.h"

#define VIT_VDOS_MAX_BINS 100000 /* target columns of the vdos/cumvdos grid */

PetscBool VitVdosTargetToken(const char token[])
{
  return (PetscBool)(!strcmp(token, "vdos") || !strcmp(token, "cumvdos") || !strcmp(token, "boson"));
}

/* Whether -features_targets asks for a token of this file. */
static PetscBool WantsVdosTargets(const FeatOptions *o)
{
  char      list[1024], *token, *save;
  PetscBool wants = PETSC_FALSE;

  snprintf(list, sizeof(list), "%s", o->targets);
  for (token = strtok_r(list, ",", &save); token; token = strtok_r(NULL, ",", &save)) wants = (PetscBool)(wants || VitVdosTargetToken(token));
  return wants;
}

/* A sample's spectrum as the targets see it: its exact eigenvalues when exact, else its KPM moments. */
typedef struct {
  PetscInt  n;
  PetscReal *lambda;
  VitKpm    kpm;
  PetscReal scale;
  PetscInt  dim;
} SampleSpectrum;

static PetscErrorCode SampleSpectrumRead(VitH5 *h5, PetscBool exact, SampleSpectrum *s, PetscBool *found)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(s, sizeof(*s)));
  if (exact) PetscCall(VitSpectrumEigenvaluesRead(h5, &s->n, &s->lambda, &s->scale, &s->dim, found));
  else {
    PetscCall(VitKpmRead(h5, &s->kpm, &s->scale, &s->dim, found));
    s->n = s->kpm.nstates;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode SampleSpectrumDestroy(SampleSpectrum *s)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(s->lambda));
  PetscCall(VitKpmDestroy(&s->kpm));
  PetscFunctionReturn(0);
}

/* sqrt of the largest eigenvalue and of the one below which 90 % of the states lie. */
static PetscErrorCode SampleSpectrumBounds(const SampleSpectrum *s, PetscReal *top, PetscReal *w90)
{
  PetscReal l90;

  PetscFunctionBeginUser;
  if (s->lambda) {
    l90  = s->lambda[PetscMax(0, (PetscInt)PetscCeilReal(0.9 * s->n) - 1)];
    *top = PetscSqrtReal(PetscMax(s->lambda[s->n - 1], 0.0));
  } else {
    PetscCall(VitKpmQuantile(&s->kpm, 0.9, &l90));
    *top = PetscSqrtReal(s->kpm.lambda_max);
  }
  *w90 = PetscSqrtReal(PetscMax(l90, 0.0));
  PetscFunctionReturn(0);
}

static PetscErrorCode SampleSpectrumBroaden(const SampleSpectrum *s, PetscReal sigma, VitBroadenedVdos *b)
{
  PetscFunctionBeginUser;
  if (s->lambda) PetscCall(VitBroadenedVdosCreateFromEigenvalues(s->n, s->lambda, sigma, b));
  else PetscCall(VitBroadenedVdosCreate(&s->kpm, sigma, b));
  PetscFunctionReturn(0);
}

/* The source of the ensemble's targets, one for all samples (exact and stochastic targets differ in
   their noise): vt->exact when every sample's spectrum output holds all its eigenvalues (spectrum
   -vdos_exact_max_dof), vt->cv_exact when every one holds C_v summed over them (/spectrum/cv/
   cv_modes; else the cv targets are the KPM VDOS's /spectrum/cv/cv). One open per sample. */
static PetscErrorCode TargetSources(MPI_Comm comm, const FeatOptions *o, PetscInt n, char *const paths[], VitVdosTargets *vt, PetscInt *cv_with)
{
  PetscFunctionBeginUser;
  vt->exact = PETSC_TRUE;
  *cv_with  = 0;
  for (PetscInt i = 0; i < n; i++) {
    char      cached[PETSC_MAX_PATH_LEN];
    VitH5     h5;
    PetscBool has;
    PetscCall(VitFeaturesCachePath(o, paths[i], ".spectrum.h5", cached));
    PetscCall(VitH5OpenRead(comm, cached, &h5));
    PetscCall(VitH5Exists(&h5, "/spectrum/vdos/eigenvalues", &has));
    vt->exact = (PetscBool)(vt->exact && has);
    PetscCall(VitH5Exists(&h5, "/spectrum/cv/cv_modes", &has));
    *cv_with += has;
    PetscCall(VitH5Close(&h5));
  }
  vt->cv_exact = (PetscBool)(*cv_with == n);
  PetscFunctionReturn(0);
}

/* The ensemble's grid from every sample's spectrum: the written frequency unit (all alike), the
   largest top frequency, the largest nu_90 (90 % of the states below it) and the fewest states. */
static PetscErrorCode EnsembleBounds(MPI_Comm comm, const FeatOptions *o, PetscInt n, char *const paths[], VitVdosTargets *vt, PetscReal *top, PetscReal *nu90, PetscInt *fewest)
{
  char first[PETSC_MAX_PATH_LEN] = "";

  PetscInt limit = VIT_VDOS_EXACT_MAX_DOF, small_without = 0, large = 0;

  PetscFunctionBeginUser;
  *top = *nu90 = 0;
  *fewest      = PETSC_MAX_INT;
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-vdos_exact_max_dof", &limit, NULL));
  for (PetscInt i = 0; i < n; i++) {
    char           cached[PETSC_MAX_PATH_LEN];
    VitH5          h5;
    SampleSpectrum s;
    PetscReal      t = 0, w90 = 0;
    PetscBool      found, has_eigenvalues = PETSC_TRUE;
    PetscCall(VitFeaturesCachePath(o, paths[i], ".spectrum.h5", cached));
    PetscCall(VitH5OpenRead(comm, cached, &h5));
    PetscCall(SampleSpectrumRead(&h5, vt->exact, &s, &found));
    if (!vt->exact) PetscCall(VitH5Exists(&h5, "/spectrum/vdos/eigenvalues", &has_eigenvalues));
    if (!i) {
      char *unit;
      PetscCall(VitH5ReadAttrString(&h5, "/spectrum/vdos/omega", "units", &unit));
      PetscCall(PetscStrncpy(vt->unit, unit ? unit : "frequency unit of the spectra", sizeof(vt->unit)));
      PetscCall(PetscFree(unit));
    }
    PetscCall(VitH5Close(&h5));
    if (found && !has_eigenvalues && s.n + s.dim <= limit) small_without++;
    if (found && s.n + s.dim > limit) large++;
    if (!found && !i) break; /* spectra without KPM moments: their stored VDOS is used (all must be alike) */
    PetscCheck(found, comm, PETSC_ERR_USER_INPUT, "%s: no KPM moments (/spectrum/kpm/omega_scale), which the first sample's spectrum output has: recompute it (-features_recompute) with -spectrum_kpm", cached);
    PetscCheck(!i || PetscAbsReal(s.scale - vt->scale) <= 1e-12 * vt->scale, comm, PETSC_ERR_USER_INPUT, "%s: frequencies in another unit than %s's (%.6g vs %.6g per sqrt(eigenvalue)): give every sample the same -units and masses", cached, first, (double)s.scale, (double)vt->scale);
    if (!i) PetscCall(PetscStrncpy(first, cached, sizeof(first)));
    vt->kpm   = PETSC_TRUE;
    vt->scale = s.scale;
    PetscCall(SampleSpectrumBounds(&s, &t, &w90));
    *top    = PetscMax(*top, s.scale * t);
    *nu90   = PetscMax(*nu90, s.scale * w90);
    *fewest = PetscMin(*fewest, s.n);
    PetscCall(SampleSpectrumDestroy(&s));
  }
  /* one source for the whole ensemble (exact and stochastic targets would differ in their noise) */
  if (!vt->exact && vt->kpm && small_without) PetscCall(PetscPrintf(comm, "features: note: %" PetscInt_FMT " samples are small enough for exact eigenvalues (-vdos_exact_max_dof %" PetscInt_FMT ") but their spectrum outputs have none (made by an older vitrum?): recompute them (-features_recompute) for VDOS targets without KPM noise\n", small_without, limit));
  if (!vt->exact && vt->kpm && large && large < n) PetscCall(PetscPrintf(comm, "features: note: %" PetscInt_FMT " of %" PetscInt_FMT " samples exceed -vdos_exact_max_dof %" PetscInt_FMT ": the VDOS targets of every sample come from the KPM moments, one source for the ensemble\n", large, n, limit));
  PetscFunctionReturn(0);
}

PetscErrorCode VitVdosTargetsCheckOptions(MPI_Comm comm, const FeatOptions *o)
{
  PetscFunctionBeginUser;
  if (o->vdos_sigma_set) PetscCall(VitCheckPositiveReal(comm, "-vdos_sigma", o->vdos_sigma, PETSC_FALSE, "a width in the frequency unit of -units, or leave it out for the default, docs/fit.md"));
  PetscCall(VitCheckPositiveReal(comm, "-vdos_omega_max", o->vdos_omega_max, PETSC_TRUE, "a frequency; 0: the largest top frequency + 4 sigma"));
  PetscCheck(!o->vdos_bins_set || (o->vdos_bins > 0 && o->vdos_bins <= VIT_VDOS_MAX_BINS), comm, PETSC_ERR_USER_INPUT, "-vdos_bins %" PetscInt_FMT ": give a positive number of bins, at most %d (each is a target column), or leave it out for automatic", o->vdos_bins, VIT_VDOS_MAX_BINS);
  PetscFunctionReturn(0);
}

/* Modes a default window +-sigma of the vdos/cumvdos targets holds at the mean density below nu_90:
   a window with fewer is dominated by where one sample's modes happen to fall, which no structure
   profile predicts (docs/fit.md: held-out R^2 against sigma on a 3D KA ensemble of 512 atoms). */
#define VIT_VDOS_WINDOW_MODES 300

PetscErrorCode VitVdosTargetsSetUp(MPI_Comm comm, const FeatOptions *o, PetscInt n, char *const paths[], VitVdosTargets *vt)
{
  PetscReal top, nu90, resolution, window, bins;
  PetscInt  fewest, cv_with;
  PetscBool wants_cv;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(vt, sizeof(*vt)));
  PetscCall(PetscStrInList("cv", o->targets, ',', &wants_cv));
  if (!WantsVdosTargets(o) && !wants_cv) PetscFunctionReturn(0);
  PetscCall(TargetSources(comm, o, n, paths, vt, &cv_with));
  if (wants_cv) {
    PetscCall(PetscPrintf(comm, "features: C_v targets from %s\n", vt->cv_exact ? "every sample's exact eigenvalues (/spectrum/cv/cv_modes)" : "the KPM VDOS (/spectrum/cv/cv)"));
    if (cv_with && cv_with < n) PetscCall(PetscPrintf(comm, "features: note: %" PetscInt_FMT " of %" PetscInt_FMT " samples have exact C_v (their size is within -vdos_exact_max_dof): the KPM C_v of every sample is used, one source for the ensemble\n", cv_with, n));
  }
  if (!WantsVdosTargets(o)) PetscFunctionReturn(0);
  PetscCall(EnsembleBounds(comm, o, n, paths, vt, &top, &nu90, &fewest));
  if (!vt->kpm) {
    PetscCall(PetscPrintf(comm, "features: note: the spectrum outputs have no KPM moments: VDOS targets are their stored /spectrum/vdos (no broadening, no common grid)\n"));
    PetscFunctionReturn(0);
  }
  /* a window of +-sigma holds 2 sigma (0.9 n / nu_90) modes at the mean density below nu_90 */
  resolution      = nu90 / 50;
  window          = VIT_VDOS_WINDOW_MODES * nu90 / (1.8 * fewest);
  vt->sigma       = o->vdos_sigma_set ? o->vdos_sigma : PetscMin(PetscMax(resolution, window), nu90 / 5); /* at most nu_90/5: still a spectrum, not one blob */
  vt->boson_sigma = o->vdos_sigma_set ? o->vdos_sigma : resolution;
  vt->omega_max   = o->vdos_omega_max > 0 ? o->vdos_omega_max : top + 4 * vt->sigma;
  bins            = PetscCeilReal(2 * vt->omega_max / vt->sigma); /* spacing at most sigma/2 */
  PetscCheck(o->vdos_bins_set || bins <= VIT_VDOS_MAX_BINS, comm, PETSC_ERR_USER_INPUT, "-vdos_sigma %.6g asks for %.3g bins of sigma/2 over [0, %.6g] %s: at most %d (each is a target column); give a wider -vdos_sigma, or -vdos_bins", (double)vt->sigma, (double)bins, (double)vt->omega_max, vt->unit, VIT_VDOS_MAX_BINS);
  vt->bins        = o->vdos_bins_set ? o->vdos_bins : PetscMax(200, (PetscInt)bins);
  PetscCall(PetscPrintf(comm, "features: VDOS targets from %s, broadened by sigma = %.4g on %" PetscInt_FMT " bins of [0, %.6g] %s, one grid for all samples\n", vt->exact ? "every sample's exact eigenvalues" : "the KPM moments (stochastic: their noise adds to the targets)", (double)vt->sigma, vt->bins, (double)vt->omega_max, vt->unit));
  if (!o->vdos_sigma_set && window > resolution)
    PetscCall(PetscPrintf(comm, "features: note: sigma is wider than nu_90/50 = %.4g so that +-sigma holds %d modes of the smallest sample (%" PetscInt_FMT " modes)%s: narrower windows follow where one sample's modes happen to fall, not its structure; the boson peak keeps nu_90/50 (-vdos_sigma sets both)\n", (double)resolution, VIT_VDOS_WINDOW_MODES, fewest, window > nu90 / 5 ? ", capped at nu_90/5 (samples this small give VDOS targets dominated by that scatter at any width)" : ""));
  PetscFunctionReturn(0);
}

/* Targets of one token for one sample; names and values appended as AddTargets does. */
static PetscErrorCode Append(const char name[], PetscReal value, PetscInt *n, char ***names, PetscReal **values)
{
  PetscFunctionBeginUser;
  PetscCall(PetscRealloc(sizeof(char *) * (*n + 1), names));
  PetscCall(PetscRealloc(sizeof(PetscReal) * (*n + 1), values));
  PetscCall(PetscStrallocpy(name, &(*names)[*n]));
  (*values)[(*n)++] = value;
  PetscFunctionReturn(0);
}

/* Spectra without KPM moments (from another code, or an older vitrum): the stored VDOS on the
   spectrum's own bins (the same grid for every sample, or ReadTargetRow stops on the names). */
static PetscErrorCode AddStoredVdos(MPI_Comm comm, VitH5 *h5, PetscInt *n, char ***names, PetscReal **values)
{
  PetscInt   nv, nw;
  PetscReal *v, *w;
  char       buf[64];

  PetscFunctionBeginUser;
  PetscCall(VitH5ReadReal(h5, "/spectrum/vdos/omega", &nw, &w));
  PetscCall(VitH5ReadReal(h5, "/spectrum/vdos/D", &nv, &v));
  PetscCheck(nv == nw, comm, PETSC_ERR_USER_INPUT, "%s: /spectrum/vdos/D and omega differ in length", h5->path);
  for (PetscInt i = 0; i < nv; i++) {
    PetscCall(PetscSNPrintf(buf, sizeof(buf), "D(omega=%.10g)", (double)w[i]));
    PetscCall(Append(buf, v[i], n, names, values));
  }
  PetscCall(PetscFree(v));
  PetscCall(PetscFree(w));
  PetscFunctionReturn(0);
}

/* Boson peak of the broadened VDOS: the maximum of D/omega^(d-1) above 3 sigma (below, the
   broadening of omega ~ 0 dominates), up to the grid's top, found continuously. */
static PetscErrorCode AddBosonPeak(VitVdosTargets *vt, const SampleSpectrum *s, PetscInt *n, char ***names, PetscReal **values)
{
  VitBroadenedVdos b;
  PetscReal        omega, height;

  PetscFunctionBeginUser;
  PetscCall(SampleSpectrumBroaden(s, vt->boson_sigma / vt->scale, &b));
  if (VitBroadenedBosonPeak(&b, s->dim, 3 * b.sigma, vt->omega_max / vt->scale, &omega, &height)) vt->boson_at_bound++;
  if (!s->lambda && VitKpmResolution(s->kpm.lambda_min, s->kpm.lambda_max, s->kpm.moments, omega) > b.sigma) vt->boson_kpm_limited++;
  PetscCall(VitBroadenedVdosDestroy(&b));
  PetscCall(Append("boson_peak_omega_broadened", omega * vt->scale, n, names, values));
  PetscCall(Append("boson_peak_height_broadened", height / PetscPowReal(vt->scale, s->dim), n, names, values));
  PetscFunctionReturn(0);
}

PetscErrorCode VitVdosTargetsAdd(MPI_Comm comm, VitVdosTargets *vt, VitH5 *h5, const char token[], PetscInt *n, char ***names, PetscReal **values)
{
  const PetscReal  dw = vt->omega_max / vt->bins;
  SampleSpectrum   s;
  VitBroadenedVdos b;
  PetscBool        found;
  char             buf[64];

  PetscFunctionBeginUser;
  if (!vt->kpm) {
    PetscCheck(!strcmp(token, "vdos"), comm, PETSC_ERR_USER_INPUT, "%s: -features_targets %s needs KPM moments (/spectrum/kpm/omega_scale): recompute the spectra (-features_recompute) with -spectrum_kpm", h5->path, token);
    PetscCall(AddStoredVdos(comm, h5, n, names, values));
    PetscFunctionReturn(0);
  }
  PetscCall(SampleSpectrumRead(h5, vt->exact, &s, &found));
  PetscCheck(found, comm, PETSC_ERR_USER_INPUT, "%s: no %s any more: recompute it (-features_recompute)", h5->path, vt->exact ? "/spectrum/vdos/eigenvalues" : "KPM moments");
  if (!strcmp(token, "boson")) PetscCall(AddBosonPeak(vt, &s, n, names, values));
  else {
    PetscCall(SampleSpectrumBroaden(&s, vt->sigma / vt->scale, &b));
    for (PetscInt j = 0; j < vt->bins && !strcmp(token, "vdos"); j++) { /* D at bin centres, per written frequency unit */
      PetscCall(PetscSNPrintf(buf, sizeof(buf), "D(omega=%.10g)", (double)((j + 0.5) * dw)));
      PetscCall(Append(buf, VitBroadenedVdosDensity(&b, (j + 0.5) * dw / vt->scale) / vt->scale, n, names, values));
    }
    for (PetscInt j = 0; j < vt->bins && !strcmp(token, "cumvdos"); j++) { /* share of the modes below the bin's upper edge */
      PetscCall(PetscSNPrintf(buf, sizeof(buf), "C(omega=%.10g)", (double)((j + 1) * dw)));
      PetscCall(Append(buf, VitBroadenedVdosCumulative(&b, (j + 1) * dw / vt->scale), n, names, values));
    }
    PetscCall(VitBroadenedVdosDestroy(&b));
  }
  PetscCall(SampleSpectrumDestroy(&s));
  PetscFunctionReturn(0);
}

PetscErrorCode VitVdosTargetsReport(MPI_Comm comm, const VitVdosTargets *vt, PetscInt nsamples)
{
  PetscFunctionBeginUser;
  if (vt->boson_at_bound) PetscCall(PetscPrintf(comm, "vitrum: warning: the boson peak of the broadened VDOS sits on a bound of its search (3 sigma = %.4g, or the grid's top %.6g) for %" PetscInt_FMT " of %" PetscInt_FMT " samples: no resolved peak there; lower -vdos_sigma (with enough KPM moments)\n", (double)(3 * vt->sigma), (double)vt->omega_max, vt->boson_at_bound, nsamples));
  if (vt->boson_kpm_limited) PetscCall(PetscPrintf(comm, "vitrum: note: for %" PetscInt_FMT " of %" PetscInt_FMT " samples the KPM resolution at the boson peak is coarser than -vdos_sigma %.4g: the peak is broadened by the KPM more than by sigma; refine with -vdos_resolution or -kpm_moments (docs/spectrum.md)\n", vt->boson_kpm_limited, nsamples, (double)vt->sigma));
  PetscFunctionReturn(0);
}
