/* vitrum spectrum: low-frequency modes, full VDOS (kernel polynomial method), exact eigenvalue
   counts, spectral moments and derived quantities of a sample's dynamical matrix.

     vitrum spectrum -sample glass.data -potential ka3d [-spectrum_nev 20] [-kpm_moments 256] [-o OUT.h5]

   Outputs (docs/spectrum.md): groups vdos, moments, kpm, modes, counts, cv and scalars under /spectrum. */
#include <vitrum/commands.h>
#include <vitrum/spectrum.h>
#include <malloc.h>
#include <sys/resource.h>

typedef struct {
  char            out[PETSC_MAX_PATH_LEN];
  VitModesOptions modes;
  PetscBool       dense, vectors, kpm, inertia, kpm_local;
  PetscInt        softspot_modes, moments, nvec, bins, ncount, ntemp, bands, boson_max_moments, bounds_steps;
  PetscInt        seed, max_moments; /* moments 0 (not given): from -vdos_resolution, at most max_moments */
  PetscInt        exact_max_dof;     /* all eigenvalues by LAPACK up to this many degrees of freedom */
  PetscReal       lambda_min, lambda_max, omega_max, boson_omega_min, factor_max_mb, factor_max_flops, precond_max_mb, resolution;
  PetscReal      *count_omega, temp_range[2]; /* ncount frequencies (allocated) */
} SpectrumOptions;

/* Everything computed, on every rank (arrays of modes, VDOS and counts are small). */
typedef struct {
  PetscReal  moment[2];          /* Tr(H)/(dN), Tr(H^2)/(dN) exact; moment[1] < 0 when not available */
  VitModes   modes;
  PetscInt   negative;           /* eigenvalues below -tol (inertia), -1 when not computed */
  PetscInt  *count_exact;        /* ncount each */
  PetscReal *count_kpm, *count_kpm_err;
  VitKpm     kpm;
  PetscReal *omega, *D, *Derr, *reduced, fraction;
  PetscReal  omega2_kpm, omega2_kpm_err, boson_omega, boson_height, boson_omega_min;
  PetscBool  boson_at_bound;     /* the maximum of the reduced VDOS sits on a bound of the search */
  PetscInt   boson_moments;      /* KPM moments of the VDOS the boson peak was found on */
  PetscInt   boson_max_moments;  /* the limit of their doubling in effect (-boson_max_moments or its default) */
  PetscReal *T, *cv, *cv_modes;
  PetscReal *local_mu;           /* -kpm_local: nowned x M local moments */
  PetscReal *band_edges, *band_pr;
  PetscInt   neigenvalues;       /* exact eigenvalues (translations removed), 0: not computed */
  PetscReal *eigenvalues;
  PetscLogDouble eigenvalues_s;  /* their wall time */
  PetscReal  rss_hessian, rss_kpm, rss_peak; /* resident bytes per atom, all ranks: with the Hessian, with the KPM copy only, the most so far */
  PetscReal  kpm_matrix_per_atom, kpm_vectors_per_atom;
  VitFactorGuard factor; /* whether a MUMPS factor of H fits (inertia, shift-and-invert) */
  PetscReal  resolution;       /* Jackson resolution in omega at outliers.omega90 */
  PetscInt   resolution_moments; /* moments the resolution alone asks for (before -kpm_max_moments) */
  PetscReal  resolution_moments_asked; /* the same unclipped (beyond the largest PetscInt) */
  VitKpmOutliers outliers;
  PetscInt   nstiff;             /* atoms with sqrt(Tr H_ii) > outliers.omega_cut (all ranks) */
  PetscInt  *stiff_id;           /* their ids, by decreasing Tr H_ii */
  PetscReal *stiff_omega;        /* their sqrt(Tr H_ii) */
} SpectrumResults;

/* Units of what is written and read (docs/units.md): eigenvalues in the Hessian's unit, frequencies
   freq * omega with omega = sqrt(lambda) (metal, real: nu = omega/2pi in THz), temperatures in
   units of temp * omega (metal, real: K). Without mass weighting sqrt(lambda) is no frequency:
   factors 1. */
typedef struct {
  PetscReal   freq, temp, wavenumber; /* per unit of omega; wavenumber (cm^-1 per freq unit) 0: none */
  const char *lambda, *omega, *T;
} OutputUnits;

static void GetOutputUnits(const VitSystem *sys, OutputUnits *u)
{
  const VitUnits *s = &sys->units;

  *u = (OutputUnits){s->freq_per_omega, s->temp_per_omega, s->wavenumber_per_freq, s->hessian, s->frequency, s->temperature};
  if (s->style == VIT_UNITS_LJ) u->T = "epsilon/k_B (hbar = 1: x = omega/T)";
  if (sys->mass_weighted) return;
  *u = (OutputUnits){1, 1, 0, s->stiffness, "(eigenvalue)^1/2 (no mass weighting)", s->style == VIT_UNITS_LJ ? "epsilon/k_B (hbar = 1: x = omega/T; omega = (eigenvalue)^1/2, no mass weighting)" : "temperature, k_B T in units of hbar (eigenvalue)^1/2 (no mass weighting)"};
}

/* Options that are frequencies, given in the written units, in units of omega for the computation. */
static void OptionsToOmegaUnits(const OutputUnits *u, SpectrumOptions *o)
{
  o->omega_max /= u->freq;
  o->boson_omega_min /= u->freq;
  o->resolution /= u->freq;
  for (PetscInt j = 0; j < o->ncount; j++) o->count_omega[j] /= u->freq;
}

/* Computed frequencies and densities per frequency in the written units: D integrates to 1 over
   the written axis, so D scales as 1/freq and the reduced VDOS D/omega^(d-1) as 1/freq^d. */
static void ResultsToOutputUnits(const OutputUnits *u, PetscInt dim, const SpectrumOptions *o, SpectrumResults *res)
{
  const PetscReal fd = PetscPowReal(u->freq, dim);

  for (PetscInt j = 0; j < o->bins && res->omega; j++) {
    res->omega[j] *= u->freq;
    res->D[j] /= u->freq;
    res->Derr[j] /= u->freq;
    res->reduced[j] /= fd;
  }
  for (PetscInt b = 0; b <= o->bands; b++) res->band_edges[b] *= u->freq;
  res->boson_omega *= u->freq;
  res->boson_omega_min *= u->freq;
  res->resolution *= u->freq;
  res->outliers.omega90 *= u->freq;
  res->outliers.omega_cut *= u->freq;
  res->outliers.omega_top *= u->freq;
  for (PetscInt j = 0; j < res->nstiff; j++) res->stiff_omega[j] *= u->freq;
  res->boson_height /= fd;
}

static PetscLogEvent ev_modes, ev_kpm, ev_inertia, ev_operator;

static PetscErrorCode RegisterEvents(void)
{
  const char *const    names[]  = {"VitSpecModes", "VitSpecKPM", "VitSpecInertia", "VitSpecOperator"};
  PetscLogEvent *const events[] = {&ev_modes, &ev_kpm, &ev_inertia, &ev_operator};

  PetscFunctionBegin;
  PetscCall(VitLogEventsRegister(4, names, events));
  PetscFunctionReturn(0);
}

static PetscErrorCode SpectrumReadOptions(MPI_Comm comm, SpectrumOptions *o)
{
  PetscBool set, moments_set, method_set, target_set, eps_target;
  PetscInt  ntemp_range;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(o, sizeof(*o)));
  o->modes.method            = VIT_MODES_SINVERT;
  o->modes.nev               = 20;
  o->modes.target            = 0;
  o->modes.allow_unconverged = PETSC_FALSE;
  o->softspot_modes          = -1;
  o->kpm                     = PETSC_TRUE;
  o->inertia                 = PETSC_TRUE;
  o->factor_max_flops        = VIT_FACTOR_MAX_FLOPS;
  o->moments                 = 0;
  o->max_moments             = 16384;
  o->nvec                    = 16;
  o->seed                    = 1;
  o->bins                    = 200;
  o->temp_range[0]           = 0.01;
  o->temp_range[1]           = 1000;
  o->ntemp                   = 50;
  o->bands                   = 10;
  o->bounds_steps            = VIT_KPM_BOUNDS_STEPS;
  o->exact_max_dof           = VIT_VDOS_EXACT_MAX_DOF;
  PetscOptionsBegin(comm, NULL, "vitrum spectrum: modes, VDOS, counts (see docs/spectrum.md)", "vitrum");
  PetscCall(VitOptionsString("-o", "output HDF5 file (default: the sample's file name without its extension + .spectrum.h5, in the current folder)", NULL, o->out, o->out, sizeof(o->out), NULL));
  PetscCall(PetscOptionsInt("-spectrum_nev", "number of lowest non-zero modes (0: none; by default 20, or all of a sample with fewer)", NULL, o->modes.nev, &o->modes.nev, &set));
  o->modes.nev_default = (PetscBool)!set;
  PetscCall(PetscOptionsEnum("-spectrum_method", "eigensolver (default: sinvert where MUMPS estimates at most 1e6 flops per degree of freedom for a factorisation of H, as in 2D samples and sheets, else twolevel, as in 3D samples from about 500 atoms): sinvert (Krylov-Schur, shift-and-invert, MUMPS; twolevel when the factor exceeds -spectrum_factor_max_memory or -spectrum_factor_max_flops), filter (Krylov-Schur on a Chebyshev filter of H, SLEPc STFILTER: no factorisation, no second matrix; -st_filter_degree), chebyshev (subspace iteration with a Chebyshev filter on a block of vectors, each product applied to the whole block: no factorisation; -spectrum_chebyshev_*), twolevel (LOBPCG on a block of vectors with a two-level preconditioner: Chebyshev-Jacobi smoothing and a coarse level of the affine displacements of atom aggregates factorised by MUMPS; no factorisation of H; -spectrum_twolevel_*), lobpcg (no factorisation, multigrid preconditioner -spectrum_precond), dense (LAPACK, all modes)", NULL, VitModesMethods, (PetscEnum)o->modes.method, (PetscEnum *)&o->modes.method, &method_set));
  PetscCall(PetscOptionsBool("-spectrum_dense", "all modes by dense LAPACK (same as -spectrum_method dense)", NULL, o->dense, &o->dense, NULL));
  PetscCall(VitOptionsAutoReal("-spectrum_target", "shift-and-invert target sigma > 0, an eigenvalue (unit of the Hessian: eV/(A^2 amu) in metal units, 1/tau^2 in lj; docs/units.md) (auto, the default, or 0: 1e-6 Tr(H)/(dN)); -eps_target overrides; a number given, the default method is sinvert", &o->modes.target, &target_set));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-eps_target", &eps_target));
  o->modes.method_default = (PetscBool)!(method_set || target_set || eps_target);
  PetscCall(PetscOptionsBool("-spectrum_allow_unconverged", "keep going with the converged modes when fewer than -spectrum_nev converge", NULL, o->modes.allow_unconverged, &o->modes.allow_unconverged, NULL));
  PetscCall(PetscOptionsBool("-spectrum_vectors", "write the eigenvectors /spectrum/modes/vectors (gathered on rank 0)", NULL, o->vectors, &o->vectors, NULL));
  PetscCall(PetscOptionsInt("-spectrum_softspot_modes", "modes summed in the soft-spot field (-1: all found)", NULL, o->softspot_modes, &o->softspot_modes, NULL));
  PetscCall(PetscOptionsInt("-spectrum_pr_bands", "frequency bands for the mean participation ratio of the modes found", NULL, o->bands, &o->bands, NULL));
  PetscCall(PetscOptionsBool("-spectrum_inertia", "exact counts by MUMPS inertia (negative eigenvalues and -spectrum_count_omega)", NULL, o->inertia, &o->inertia, NULL));
  PetscCall(PetscOptionsReal("-spectrum_precond_max_memory", "MB (all ranks) the multigrid preconditioner of the LOBPCG fallback may take, estimated at 100 kB per atom; larger: the lowest modes are skipped with a note (0: half the memory available: the least of MemAvailable and what is left under the job's memory limit (cgroup))", NULL, o->precond_max_mb, &o->precond_max_mb, NULL));
  PetscCall(PetscOptionsReal("-spectrum_factor_max_memory", "MB (all ranks) a MUMPS factor may take, as MUMPS's analysis estimates it (of the atom graph, times d^2), for inertia counts and shift-and-invert modes; larger: skipped with a note (0: half the memory available: the least of MemAvailable and what is left under the job's memory limit (cgroup))", NULL, o->factor_max_mb, &o->factor_max_mb, NULL));
  PetscCall(PetscOptionsReal("-spectrum_factor_max_flops", "flops per rank a MUMPS factorisation of H may take, as MUMPS's analysis estimates them (of the atom graph, times d^3), for each inertia count and shift-and-invert modes; larger: skipped, with a note (1e12: a minute or two at 10 GFlop/s per rank; 0: no limit)", NULL, o->factor_max_flops, &o->factor_max_flops, NULL));
  PetscCall(VitOptionsListLength("-spectrum_count_omega", &o->ncount)); /* room for every value given */
  o->ncount = PetscMax(o->ncount, 1);
  PetscCall(PetscCalloc1(o->ncount, &o->count_omega)); /* zeroed: -help shows <0.>, not memory */
  PetscCall(PetscOptionsRealArray("-spectrum_count_omega", "frequencies w (none by default): count the modes of real frequency below w, 0 <= lambda < w^2 (exact by inertia, and by KPM; negative eigenvalues are negative_count); unit as -vdos_omega_max", NULL, o->count_omega, &o->ncount, &set));
  if (!set) o->ncount = 0;
  PetscCall(PetscOptionsBool("-spectrum_kpm", "compute the VDOS by the kernel polynomial method", NULL, o->kpm, &o->kpm, NULL));
  PetscCall(VitOptionsAutoInt("-kpm_moments", "Chebyshev moments M, 2 to " PetscStringize(VIT_KPM_MAX_MOMENTS) " (resolution ~ pi (lambda_max - lambda_min) / (2 M) in lambda; auto, the default: from -vdos_resolution)", &o->moments, &moments_set));
  PetscCall(VitOptionsAutoReal("-vdos_resolution", "KPM resolution in frequency at nu_90 (90 % of the modes below it), unit as -vdos_omega_max; sets the moments unless -kpm_moments is given (auto, the default, or 0: nu_90/200)", &o->resolution, &set));
  PetscCall(PetscOptionsInt("-kpm_max_moments", "at most this many moments from -vdos_resolution (a warning when it binds)", NULL, o->max_moments, &o->max_moments, NULL));
  PetscCall(PetscOptionsInt("-kpm_vectors", "random vectors R (statistical error ~ 1/sqrt(R dN))", NULL, o->nvec, &o->nvec, NULL));
  PetscCall(PetscOptionsBool("-kpm_local", "also the local KPM moments of every atom with the same vectors (/spectrum/kpm/local_mu, N x M; M - 1 more products)", NULL, o->kpm_local, &o->kpm_local, NULL));
  PetscCall(PetscOptionsInt("-kpm_seed", "seed of the random vectors", NULL, o->seed, &o->seed, NULL));
  PetscCall(VitOptionsAutoReal("-kpm_lambda_min", "lower end of the KPM interval, a finite eigenvalue (eV/(A^2 amu) in metal units, 1/tau^2 in lj; docs/units.md) (auto, the default, or 0: automatic)", &o->lambda_min, &set));
  PetscCall(VitOptionsAutoReal("-kpm_lambda_max", "upper end of the KPM interval, a finite eigenvalue (unit of -kpm_lambda_min) (auto, the default, or 0: Lanczos + margin within Gershgorin)", &o->lambda_max, &set));
  PetscCall(PetscOptionsInt("-kpm_bounds_steps", "Lanczos steps for the automatic KPM interval", NULL, o->bounds_steps, &o->bounds_steps, NULL));
  PetscCall(PetscOptionsReal("-vdos_omega_max", "upper end of the VDOS grid, in the frequency unit of -units (THz in metal and real units; 0: sqrt of the KPM upper bound; at most 100 times that); D keeps its normalisation over all states, C_v counts them all", NULL, o->omega_max, &o->omega_max, NULL));
  PetscCall(PetscOptionsInt("-vdos_bins", "bins of the VDOS grid", NULL, o->bins, &o->bins, NULL));
  PetscCall(PetscOptionsInt("-vdos_exact_max_dof", "up to this many degrees of freedom d N, also every eigenvalue by dense LAPACK (/spectrum/vdos/eigenvalues: exact VDOS targets in features; ~4/3 (dN)^3 flops, (dN)^2 doubles per rank; 0: never)", NULL, o->exact_max_dof, &o->exact_max_dof, NULL));
  PetscCall(VitOptionsAutoInt("-boson_max_moments", "while the boson peak sits on the lower bound of its search, double the KPM moments M as long as they stay at most this (auto, the default, or 0: 4 M, but at most -kpm_max_moments when that is above M; a value below 2 M, e.g. that of -kpm_moments: no doubling)", &o->boson_max_moments, &set));
  PetscCall(VitOptionsAutoReal("-boson_omega_min", "search the boson peak above this frequency, unit as -vdos_omega_max (auto, the default, or 0: 3 KPM resolutions; not negative)", &o->boson_omega_min, &set));
  PetscCall(VitOptionsListLength("-cv_temperature_range", &ntemp_range)); /* the read below keeps 2 values of any number */
  PetscCheck(ntemp_range == 0 || ntemp_range == 2, comm, PETSC_ERR_USER_INPUT, "-cv_temperature_range: give two values Tmin,Tmax, got %" PetscInt_FMT, ntemp_range);
  ntemp_range = 2;
  PetscCall(PetscOptionsRealArray("-cv_temperature_range", "Tmin,Tmax of the logarithmic heat-capacity grid (K in metal and real units; lj: epsilon/k_B with hbar = 1)", NULL, o->temp_range, &ntemp_range, NULL));
  PetscCall(PetscOptionsInt("-cv_temperatures", "temperatures in the heat-capacity grid", NULL, o->ntemp, &o->ntemp, NULL));
  PetscOptionsEnd();
  if (o->dense) o->modes.method = VIT_MODES_DENSE;
  /* upper limits: a value beyond them only exhausts memory or time (a billion bins, moments,
     vectors, Lanczos steps or temperatures once ended in internal errors or were killed) */
  PetscCheck(o->bins >= 1 && o->bins <= 1000000, comm, PETSC_ERR_USER_INPUT, "-vdos_bins %" PetscInt_FMT ": must be between 1 and 1000000", o->bins);
  PetscCheck(o->modes.nev >= 0, comm, PETSC_ERR_USER_INPUT, "-spectrum_nev %" PetscInt_FMT ": must be >= 0", o->modes.nev);
  PetscCall(VitCheckPositiveReal(comm, "-spectrum_target", o->modes.target, PETSC_TRUE, "the shift-and-invert target, an eigenvalue; 0: automatic"));
  PetscCheck(o->softspot_modes >= -1, comm, PETSC_ERR_USER_INPUT, "-spectrum_softspot_modes %" PetscInt_FMT ": give a number of modes, or -1 for all found", o->softspot_modes);
  PetscCall(VitCheckFiniteReal(comm, "-kpm_lambda_min", o->lambda_min, "an eigenvalue; 0: automatic"));
  PetscCall(VitCheckFiniteReal(comm, "-kpm_lambda_max", o->lambda_max, "an eigenvalue; 0: automatic"));
  PetscCheck(o->lambda_min == 0 || o->lambda_max == 0 || o->lambda_max > o->lambda_min, comm, PETSC_ERR_USER_INPUT, "-kpm_lambda_min %.6g and -kpm_lambda_max %.6g: the KPM interval must have min < max", (double)o->lambda_min, (double)o->lambda_max);
  PetscCheck(o->bands >= 1 && o->bands <= 1000000, comm, PETSC_ERR_USER_INPUT, "-spectrum_pr_bands %" PetscInt_FMT ": must be between 1 and 1000000", o->bands);
  PetscCheck(o->ntemp <= 100000, comm, PETSC_ERR_USER_INPUT, "-cv_temperatures %" PetscInt_FMT ": at most 100000", o->ntemp);
  PetscCheck(o->ntemp >= 1 && o->temp_range[0] > 0 && o->temp_range[1] >= o->temp_range[0] && !PetscIsInfOrNanReal(o->temp_range[1]), comm, PETSC_ERR_USER_INPUT, "-cv_temperature_range %.6g,%.6g / -cv_temperatures %" PetscInt_FMT ": need finite 0 < Tmin <= Tmax and at least one temperature", (double)o->temp_range[0], (double)o->temp_range[1], o->ntemp);
  PetscCall(VitCheckPositiveReal(comm, "-spectrum_precond_max_memory", o->precond_max_mb, PETSC_TRUE, "MB; 0: half the memory available"));
  PetscCall(VitCheckPositiveReal(comm, "-spectrum_factor_max_memory", o->factor_max_mb, PETSC_TRUE, "MB; 0: half the memory available"));
  PetscCall(VitCheckPositiveReal(comm, "-spectrum_factor_max_flops", o->factor_max_flops, PETSC_TRUE, "flops; 0: no limit"));
  PetscCheck(!moments_set || (o->moments >= 2 && o->moments <= VIT_KPM_MAX_MOMENTS), comm, PETSC_ERR_USER_INPUT, "-kpm_moments %" PetscInt_FMT ": must be between 2 and %d (or leave it out: moments from -vdos_resolution)", o->moments, VIT_KPM_MAX_MOMENTS);
  PetscCall(VitCheckPositiveReal(comm, "-vdos_resolution", o->resolution, PETSC_TRUE, "a frequency; 0: automatic"));
  PetscCheck(o->exact_max_dof >= 0 && o->exact_max_dof <= 65536, comm, PETSC_ERR_USER_INPUT, "-vdos_exact_max_dof %" PetscInt_FMT ": give 0 (never) to 65536 (a dense copy of 32 GB per rank)", o->exact_max_dof);
  PetscCheck(o->nvec >= 1 && o->nvec <= 10000, comm, PETSC_ERR_USER_INPUT, "-kpm_vectors %" PetscInt_FMT ": must be between 1 and 10000 (the statistical error falls as 1/sqrt(R dN))", o->nvec);
  PetscCheck(o->bounds_steps >= 2 && o->bounds_steps <= 10000, comm, PETSC_ERR_USER_INPUT, "-kpm_bounds_steps %" PetscInt_FMT ": must be between 2 and 10000 Lanczos steps", o->bounds_steps);
  PetscCheck(o->max_moments >= 2 && o->max_moments <= VIT_KPM_MAX_MOMENTS, comm, PETSC_ERR_USER_INPUT, "-kpm_max_moments %" PetscInt_FMT ": must be between 2 and %d", o->max_moments, VIT_KPM_MAX_MOMENTS);
  PetscCheck(o->boson_max_moments >= 0 && o->boson_max_moments <= VIT_KPM_MAX_MOMENTS, comm, PETSC_ERR_USER_INPUT, "-boson_max_moments %" PetscInt_FMT ": must be between 0 (automatic) and %d", o->boson_max_moments, VIT_KPM_MAX_MOMENTS);
  PetscCall(VitCheckPositiveReal(comm, "-vdos_omega_max", o->omega_max, PETSC_TRUE, "a frequency; 0: automatic"));
  PetscCall(VitCheckPositiveReal(comm, "-boson_omega_min", o->boson_omega_min, PETSC_TRUE, "a frequency; 0: 3 KPM resolutions"));
  for (PetscInt j = 0; j < o->ncount; j++) {
    PetscCall(VitCheckPositiveReal(comm, "-spectrum_count_omega", o->count_omega[j], PETSC_FALSE, "frequencies"));
    for (PetscInt k = 0; k < j; k++) PetscCheck(o->count_omega[k] != o->count_omega[j], comm, PETSC_ERR_USER_INPUT, "-spectrum_count_omega: value %.6g is given twice (values %" PetscInt_FMT " and %" PetscInt_FMT "): give each frequency once", (double)o->count_omega[j], k + 1, j + 1);
  }
  PetscFunctionReturn(0);
}

/* Tr(H)/(dN) (the problem's exact trace) and ||H||_F^2/(dN) = Tr(H^2)/(dN) (H symmetric; the second
   needs an assembled matrix), bitwise the same on any number of ranks. */
static PetscErrorCode ExactMoments(const VitSpectrumProblem *prob, PetscReal moment[2])
{
  const PetscInt ndof = prob->dim * prob->natoms;
  PetscReal      tr2;

  PetscFunctionBegin;
  PetscCall(VitHessianExactTraceSquare(prob->H, &tr2));
  moment[0] = prob->trace / ndof;
  moment[1] = tr2 >= 0 ? tr2 / ndof : -1;
  PetscFunctionReturn(0);
}

/* Negative eigenvalues (below -tol, tol = VIT_ZERO_MODE_RTOL Tr(H)/(dN)) and the exact counts of the modes of
   real frequency below omega: eigenvalues in [-tol, omega^2) but the d translations, as the KPM
   counts them (N(omega^2) - N(0)) and as the VDOS on [0, omega_max] holds them; the negative ones
   (imaginary omega) are negative_count. */
static PetscErrorCode ExactCounts(const VitSpectrumProblem *prob, const SpectrumOptions *o, SpectrumResults *res)
{
  PetscReal *shift;
  PetscInt  *count;
  PetscBool  fits;
  char       failure[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  res->negative = -1;
  if (!o->inertia) PetscFunctionReturn(0);
  PetscCall(VitFactorGuardFits(prob, &res->factor, "exact counts (inertia)", o->kpm ? "; the KPM counts are used" : "", &fits));
  if (!fits) PetscFunctionReturn(0);
  PetscCall(PetscMalloc2(o->ncount + 1, &shift, o->ncount + 1, &count));
  PetscCall(PetscLogEventBegin(ev_inertia, 0, 0, 0, 0));
  shift[0] = -VIT_ZERO_MODE_RTOL * prob->mean; /* zero modes lie at |lambda| ~ 1e-12 Tr(H)/(dN) */
  for (PetscInt j = 0; j < o->ncount; j++) shift[j + 1] = PetscSqr(o->count_omega[j]);
  PetscCall(VitSpectrumInertiaCounts(prob, o->ncount + 1, shift, count, failure, sizeof(failure)));
  PetscCall(PetscLogEventEnd(ev_inertia, 0, 0, 0, 0));
  if (failure[0]) {
    PetscCall(PetscPrintf(prob->comm, "vitrum: note: exact counts (inertia) skipped: MUMPS could not factor H - s I: %s%s\n", failure, o->kpm ? "; the KPM counts are used" : ""));
    PetscCall(PetscFree2(shift, count));
    PetscFunctionReturn(0);
  }
  res->negative = count[0];
  for (PetscInt j = 0; j < o->ncount; j++) res->count_exact[j] = count[j + 1] - prob->dim - res->negative;
  if (res->negative > 0) PetscCall(PetscPrintf(prob->comm, "vitrum: warning: %" PetscInt_FMT " negative eigenvalues (below %.6g): the sample is not at an energy minimum; continuing\n", res->negative, (double)shift[0]));
  PetscCall(PetscFree2(shift, count));
  PetscFunctionReturn(0);
}

/* Whether LOBPCG's default multigrid fits -spectrum_precond_max_memory; a note if not. A
   -spectrum_precond given by the user is taken as is. */
static PetscErrorCode MultigridFits(const VitSpectrumProblem *prob, const SpectrumOptions *o, PetscBool *fits)
{
  PetscReal limit = o->precond_max_mb, need_mb;
  PetscBool given;

  PetscFunctionBegin;
  PetscCall(PetscOptionsHasName(NULL, NULL, "-spectrum_precond", &given));
  PetscCall(VitMultigridFits(prob, &limit, &need_mb, fits));
  *fits = (PetscBool)(given || *fits);
  if (!*fits) PetscCall(PetscPrintf(prob->comm, "vitrum: note: lowest modes skipped: the multigrid preconditioner of LOBPCG needs about %.0f MB (%.0f kB/atom estimated; 53-85 measured), above the limit of %.4g MB (-spectrum_precond_max_memory); use -spectrum_method chebyshev (no multigrid), run on more nodes, or give -spectrum_precond jacobi (little memory, many iterations)\n", (double)need_mb, VIT_MULTIGRID_BYTES_PER_ATOM / 1e3, (double)limit));
  PetscFunctionReturn(0);
}

/* Resident memory of all ranks per atom (what the OS has given the processes now). */
static PetscErrorCode ResidentPerAtom(const VitSpectrumProblem *prob, PetscReal *bytes_per_atom)
{
  PetscLogDouble rss;

  PetscFunctionBegin;
  PetscCall(PetscMemoryGetCurrentUsage(&rss));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &rss, 1, MPI_DOUBLE, MPI_SUM, prob->comm));
  *bytes_per_atom = rss / prob->natoms;
  PetscFunctionReturn(0);
}

/* The most resident memory each rank has had since it started (the kernel's high-water mark,
   getrusage; kB on Linux), summed over the ranks, per atom. */
static PetscErrorCode PeakResidentPerAtom(const VitSpectrumProblem *prob, PetscReal *bytes_per_atom)
{
  struct rusage  usage;
  PetscLogDouble peak;

  PetscFunctionBegin;
  PetscCheck(getrusage(RUSAGE_SELF, &usage) == 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "getrusage failed");
  peak = 1024.0 * usage.ru_maxrss;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &peak, 1, MPI_DOUBLE, MPI_SUM, prob->comm));
  *bytes_per_atom = peak / prob->natoms;
  PetscFunctionReturn(0);
}

/* The KPM's block operator, built once for the stages that apply it (the filter's interval, the
   Chebyshev modes, the KPM). release: the Hessian is not needed afterwards and is destroyed once
   copied, so that one matrix is in memory (the caller's and the problem's references). The
   resident memory per atom with the Hessian goes to the summary. */
static PetscErrorCode CreateOperator(VitSpectrumProblem *prob, VitSystem *sys, PetscInt vectors, PetscBool release, SpectrumResults *res, VitKpmOperator *op)
{
  PetscFunctionBegin;
  PetscCall(ResidentPerAtom(prob, &res->rss_hessian));
  if (release) PetscCall(MatDestroy(&sys->H));
  PetscCall(PetscLogEventBegin(ev_operator, 0, 0, 0, 0));
  PetscCall(VitKpmOperatorCreate(prob, vectors, release, op));
  PetscCall(PetscLogEventEnd(ev_operator, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* The modes stage (logged as its own stage, "Modes", inside "Spectrum"), and a warning when the
   modes found include negative eigenvalues (the sample is not at a minimum). */
static PetscErrorCode ModesStage(const VitSpectrumProblem *prob, const VitModesOptions *modes, SpectrumResults *res)
{
  PetscFunctionBegin;
  PetscCall(PetscLogStagePush(vit_log.stage_modes));
  PetscCall(PetscLogEventBegin(ev_modes, 0, 0, 0, 0));
  PetscCall(VitModesCompute(prob, modes, &res->modes));
  PetscCall(PetscLogEventEnd(ev_modes, 0, 0, 0, 0));
  PetscCall(PetscLogStagePop());
  if (res->negative < 0) {
    PetscInt neg = 0;
    for (PetscInt m = 0; m < res->modes.k; m++) neg += res->modes.eigenvalue[m] < -VIT_ZERO_MODE_RTOL * prob->mean;
    if (neg) PetscCall(PetscPrintf(prob->comm, "vitrum: warning: %" PetscInt_FMT " negative eigenvalues among the modes found: the sample is not at an energy minimum; continuing\n", neg));
  }
  PetscFunctionReturn(0);
}

/* By default shift-and-invert where MUMPS's factor is cheap and fits, else LOBPCG with the two-level
   preconditioner (VitModesChooseMethod; no factorisation of H; 1.8x faster than Chebyshev filtering
   at 110,592 atoms; where that preconditioner cannot be built or its modes do not converge,
   VitModesCompute says so and runs sinvert where the factor fits, else chebyshev); LOBPCG with
   multigrid when asked for, when that fits (else no modes, with a note). The filter, Chebyshev and
   two-level methods get the block operator *op (kept for the KPM); the last two need no Hessian
   after it, so the Hessian is released when it is built, unless sinvert may follow. */
static PetscErrorCode ComputeModes(VitSpectrumProblem *prob, VitSystem *sys, const SpectrumOptions *o, SpectrumResults *res, VitKpmOperator *op)
{
  VitModesOptions modes = o->modes;
  PetscBool       fits;

  PetscFunctionBegin;
  if (o->modes.method != VIT_MODES_DENSE && o->modes.nev == 0) PetscFunctionReturn(0);
  PetscCall(VitModesChooseMethod(prob, &res->factor, &modes));
  if (modes.method == VIT_MODES_LOBPCG) {
    PetscCall(MultigridFits(prob, o, &fits));
    if (!fits) PetscFunctionReturn(0);
  }
  /* the block operator may release H (the KPM's copy serves the modes): not where the modes come
     from dense LAPACK on H instead (a small sample, or most of its modes) */
  if ((modes.method == VIT_MODES_TWOLEVEL || modes.method == VIT_MODES_CHEBYSHEV || modes.method == VIT_MODES_FILTER) && !VitModesDenseInstead(prob, &modes)) {
    PetscCall(CreateOperator(prob, sys, 4, (PetscBool)(modes.method != VIT_MODES_FILTER && !modes.sinvert_fits), res, op));
    modes.op = *op;
  }
  modes.bounds_steps = o->bounds_steps;
  modes.seed         = o->seed;
  PetscCall(ModesStage(prob, &modes, res));
  PetscFunctionReturn(0);
}

/* Mean participation ratio of the modes found, in bands of equal width up to the largest omega. */
static PetscErrorCode BandParticipation(const SpectrumOptions *o, SpectrumResults *res)
{
  const VitModes *m = &res->modes;
  PetscReal       wmax = 0, *n;

  PetscFunctionBegin;
  PetscCall(PetscCalloc2(o->bands + 1, &res->band_edges, o->bands, &res->band_pr));
  PetscCall(PetscCalloc1(o->bands, &n));
  for (PetscInt j = 0; j < m->k; j++) wmax = PetscMax(wmax, PetscSqrtReal(PetscMax(m->eigenvalue[j], 0)));
  for (PetscInt b = 0; b <= o->bands; b++) res->band_edges[b] = wmax * b / o->bands;
  for (PetscInt j = 0; j < m->k; j++) {
    const PetscReal w = PetscSqrtReal(PetscMax(m->eigenvalue[j], 0));
    const PetscInt  b = wmax > 0 ? PetscMin((PetscInt)(o->bands * w / wmax), o->bands - 1) : 0;
    res->band_pr[b] += m->participation[j];
    n[b] += 1;
  }
  for (PetscInt b = 0; b < o->bands; b++) res->band_pr[b] = n[b] > 0 ? res->band_pr[b] / n[b] : 0;
  PetscCall(PetscFree(n));
  PetscFunctionReturn(0);
}

/* Boson peak on a VDOS resolved enough at low frequency. Near omega = 0 the KPM resolution is
   sqrt(3 pi (hi - lo) / (2 M)) (3 Jackson widths in lambda), the default lower bound of the search.
   While the maximum of D/omega^(d-1) sits on that bound, the moments are doubled (same interval,
   vectors and seed, up to -boson_max_moments) and the search repeated on the finer VDOS, which is
   the VDOS of a run with -kpm_moments M. /spectrum/vdos keeps the first VDOS. */
static PetscErrorCode BosonPeak(VitKpmOperator op, const VitSpectrumProblem *prob, const SpectrumOptions *o, PetscReal lo, PetscReal hi, PetscReal wmax, SpectrumResults *res)
{
  PetscReal *omega = res->omega, *D = res->D, *fine_omega = NULL, *fine_D = NULL, *fine_err = NULL, fraction;
  PetscInt   M = res->kpm.moments, Mmax = o->boson_max_moments > 0 ? o->boson_max_moments : PetscMin(4 * M, PetscMax(M, o->max_moments));
  VitKpm     fine, *last = &res->kpm; /* the run with the most moments so far */

  PetscFunctionBegin;
  PetscCheck(o->boson_omega_min < wmax, prob->comm, PETSC_ERR_USER_INPUT, "-boson_omega_min is %.4g times the upper end of the VDOS grid (-vdos_omega_max): the boson peak search would start above it; give a smaller -boson_omega_min", (double)(o->boson_omega_min / wmax));
  for (;;) {
    res->boson_omega_min = o->boson_omega_min > 0 ? o->boson_omega_min : PetscSqrtReal(3 * PETSC_PI * (hi - lo) / (2 * M));
    res->boson_at_bound  = VitBosonPeak(prob->dim, o->bins, omega, D, res->boson_omega_min, &res->boson_omega, &res->boson_height);
    res->boson_moments   = M;
    res->boson_max_moments = Mmax;
    if (!res->boson_at_bound || res->boson_omega >= omega[o->bins - 1] || 2 * M > Mmax) break;
    M *= 2;
    if (!fine_D) PetscCall(PetscMalloc3(o->bins, &fine_omega, o->bins, &fine_D, o->bins, &fine_err));
    { /* the last run continued to M moments (the new moments only, where it can) */
      VitKpm more;
      PetscCall(VitKpmContinue(op, prob, last, M, &more));
      if (last != &res->kpm) PetscCall(VitKpmDestroy(last));
      fine = more;
      last = &fine;
    }
    PetscCall(VitKpmVdos(last, wmax, o->bins, fine_omega, fine_D, fine_err, &fraction));
    omega = fine_omega;
    D     = fine_D;
  }
  if (last != &res->kpm) PetscCall(VitKpmDestroy(last));
  PetscCall(VitKpmRecursionFree(&res->kpm)); /* its vectors: no more moments after this */
  PetscCall(PetscFree3(fine_omega, fine_D, fine_err));
  PetscFunctionReturn(0);
}

/* For the warning that no boson peak was resolved: when the doubling of the moments stopped at its
   limit, that limit and where it comes from (empty when the search stopped on the grid's top). */
static PetscErrorCode BosonLimitNote(const SpectrumOptions *o, const SpectrumResults *res, char note[], size_t len)
{
  PetscFunctionBegin;
  note[0] = 0;
  if (2 * res->boson_moments <= res->boson_max_moments) PetscFunctionReturn(0);
  if (o->boson_max_moments > 0) PetscCall(PetscSNPrintf(note, len, " (as many as -boson_max_moments %" PetscInt_FMT " allows)", o->boson_max_moments));
  else if (o->max_moments < 2 * res->kpm.moments) PetscCall(PetscSNPrintf(note, len, " (the default -boson_max_moments doubles no more than up to -kpm_max_moments %" PetscInt_FMT ")", o->max_moments));
  else PetscCall(PetscSNPrintf(note, len, " (as many as the default -boson_max_moments allows: 4 x %" PetscInt_FMT ", at most -kpm_max_moments %" PetscInt_FMT ")", res->kpm.moments, o->max_moments));
  PetscFunctionReturn(0);
}

/* Moments for -vdos_resolution (default nu_90/200) at omega_90, the frequency below which 90 % of the
   states lie, from a pilot run of 128 moments on the same interval, vectors and seed, which the
   main run continues (VitKpmContinue); at most -kpm_max_moments, with a warning when that binds. */
static PetscErrorCode MomentsForResolution(VitKpmOperator op, const VitSpectrumProblem *prob, const SpectrumOptions *o, PetscReal lo, PetscReal hi, SpectrumResults *res, VitKpm *pilot, PetscInt *M)
{
  PetscReal l90, omega90, domega;

  PetscFunctionBegin;
  PetscCall(VitKpmCompute(op, prob, 128, o->seed, lo, hi, pilot));
  PetscCall(VitKpmQuantile(pilot, 0.9, &l90));
  omega90 = PetscSqrtReal(PetscMax(l90, 0.0));
  PetscCheck(omega90 > 0, prob->comm, PETSC_ERR_USER_INPUT, "KPM: 90 %% of the states lie at or below lambda = 0 (interval [%.6g, %.6g]): the sample is far from a minimum; give -kpm_moments", (double)lo, (double)hi);
  domega                        = o->resolution > 0 ? o->resolution : omega90 / 200;
  res->resolution_moments_asked = PetscMax(2, VitKpmMomentsForResolution(lo, hi, omega90, domega));
  /* clamped before the cast: a tiny domega (-vdos_resolution 1e-9) once overflowed to 2 moments */
  res->resolution_moments = (PetscInt)PetscMin(res->resolution_moments_asked, (PetscReal)PETSC_MAX_INT);
  *M                      = PetscMin(res->resolution_moments, o->max_moments);
  PetscFunctionReturn(0);
}

/* Tr H_ii of each owned atom's diagonal block (the atom's own stiffness; d <omega^2>_i). */
static PetscErrorCode AtomDiagonalTraces(const VitSpectrumProblem *prob, PetscReal **trace)
{
  Vec                diag;
  const PetscScalar *x;

  PetscFunctionBegin;
  PetscCall(PetscCalloc1(prob->nowned + 1, trace));
  PetscCall(MatCreateVecs(prob->H, &diag, NULL));
  PetscCall(MatGetDiagonal(prob->H, diag));
  PetscCall(VecGetArrayRead(diag, &x));
  for (PetscInt i = 0; i < prob->nowned; i++)
    for (PetscInt c = 0; c < prob->dim; c++) (*trace)[i] += PetscRealPart(x[i * prob->dim + c]);
  PetscCall(VecRestoreArrayRead(diag, &x));
  PetscCall(VecDestroy(&diag));
  PetscFunctionReturn(0);
}

typedef struct {
  PetscReal trace;
  PetscInt  id;
} AtomTrace;

static int CompareAtomTraces(const void *a, const void *b)
{
  const AtomTrace *x = a, *y = b;
  if (x->trace != y->trace) return x->trace > y->trace ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

/* The atoms that carry the outliers: sqrt(Tr H_ii) above omega_cut (in a 216-atom Tersoff SiC glass,
   34 of the 36 such atoms carry the 23 outlier modes, 91 % of their weight), gathered on every
   rank by decreasing Tr H_ii; fid: the owned atoms' ids in the sample file. */
static PetscErrorCode StiffAtoms(const VitSpectrumProblem *prob, const PetscInt fid[], const PetscReal trace[], SpectrumResults *res)
{
  const PetscReal cut2 = PetscSqr(res->outliers.omega_cut);
  PetscMPIInt     size, nmine = 0, *counts, *displs;
  AtomTrace      *mine, *all;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(prob->comm, &size));
  PetscCall(PetscMalloc1(prob->nowned + 1, &mine));
  for (PetscInt i = 0; i < prob->nowned; i++)
    if (trace[i] > cut2) mine[nmine++] = (AtomTrace){trace[i], fid[i]};
  PetscCall(PetscMalloc2(size, &counts, size, &displs));
  nmine *= (PetscMPIInt)sizeof(AtomTrace);
  PetscCallMPI(MPI_Allgather(&nmine, 1, MPI_INT, counts, 1, MPI_INT, prob->comm));
  displs[0] = 0;
  for (PetscMPIInt r = 1; r < size; r++) displs[r] = displs[r - 1] + counts[r - 1];
  res->nstiff = (displs[size - 1] + counts[size - 1]) / (PetscInt)sizeof(AtomTrace);
  PetscCall(PetscMalloc1(res->nstiff + 1, &all));
  PetscCallMPI(MPI_Allgatherv(mine, nmine, MPI_BYTE, all, counts, displs, MPI_BYTE, prob->comm));
  qsort(all, (size_t)res->nstiff, sizeof(AtomTrace), CompareAtomTraces);
  PetscCall(PetscMalloc2(res->nstiff + 1, &res->stiff_id, res->nstiff + 1, &res->stiff_omega));
  for (PetscInt j = 0; j < res->nstiff; j++) {
    res->stiff_id[j]    = all[j].id;
    res->stiff_omega[j] = PetscSqrtReal(all[j].trace);
  }
  PetscCall(PetscFree(all));
  PetscCall(PetscFree(mine));
  PetscCall(PetscFree2(counts, displs));
  PetscFunctionReturn(0);
}

/* Whether KPM vector k has a component off the translations (mu_0 = |P r_k|^2 > 0). A +-1 vector of a
   sample of very few atoms can be a translation (one in 8 of a dimer's): it holds no state, and its
   a + b mu_1/mu_0 was 0/0 (a NaN <omega^2>). */
static PetscBool OffTranslations(const VitKpm *kpm, PetscInt k)
{
  return (PetscBool)(kpm->mu[k * kpm->moments] > 1e-12 * kpm->nstates);
}

/* -vdos_omega_max far above the spectrum's top sqrt(hi) (hi: the upper end of the KPM interval,
   Lanczos + margin or -kpm_lambda_max). D is zero above the top, so a grid ending 100 times above it
   holds the whole band in its first 1 % of bins (2 of the default 200): the VDOS is not resolved
   at all. Margins that make sense (a grid shared by an ensemble's samples, tops a few % apart, or
   by materials whose tops differ a few times; a unit slip by 2 pi) stay well below 100, while
   1e300, or Hz for THz, stop here, before the moments are computed. */
#define VDOS_OMEGA_MAX_FACTOR 100

static PetscErrorCode CheckOmegaMax(MPI_Comm comm, const SpectrumOptions *o, const OutputUnits *u, PetscReal hi)
{
  const PetscReal top = PetscSqrtReal(PetscMax(hi, 0));

  PetscFunctionBegin;
  PetscCheck(!(top > 0) || o->omega_max <= VDOS_OMEGA_MAX_FACTOR * top, comm, PETSC_ERR_USER_INPUT, "-vdos_omega_max %.6g: more than %d times the top of this sample's spectrum, %.4g %s (the square root of the KPM interval's upper end), above which the VDOS is zero: give a top frequency near %.4g %s (a little above it for a margin), or 0: automatic", (double)(o->omega_max * u->freq), VDOS_OMEGA_MAX_FACTOR, (double)(top * u->freq), u->omega, (double)(top * u->freq), u->omega);
  PetscFunctionReturn(0);
}

/* The KPM VDOS, counts and <omega^2> on the block operator op with R = -kpm_vectors vectors;
   trace: Tr H_ii of the owned atoms. */
static PetscErrorCode ComputeKpm(VitSpectrumProblem *prob, VitKpmOperator op, const PetscInt fid[], const PetscReal trace[], const SpectrumOptions *o, const OutputUnits *u, SpectrumResults *res)
{
  PetscReal lo = o->lambda_min, hi = o->lambda_max, below0, mean, *per;
  PetscInt  R  = o->nvec;

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(ev_kpm, 0, 0, 0, 0));
  PetscCall(VitKpmOperatorSetVectors(op, R));
  if (lo == 0 || hi == 0) {
    PetscReal blo, bhi;
    PetscCall(VitKpmBounds(op, prob, o->bounds_steps, o->seed, &blo, &bhi));
    if (lo == 0) lo = blo;
    if (hi == 0) hi = bhi;
  }
  PetscCall(CheckOmegaMax(prob->comm, o, u, hi));
  {
    PetscInt M = o->moments;
    VitKpm   pilot;
    if (!M) PetscCall(MomentsForResolution(op, prob, o, lo, hi, res, &pilot, &M));
    if (!o->moments && M > pilot.moments) PetscCall(VitKpmContinue(op, prob, &pilot, M, &res->kpm));
    else PetscCall(VitKpmCompute(op, prob, M, o->seed, lo, hi, &res->kpm));
    if (!o->moments) PetscCall(VitKpmDestroy(&pilot));
  }
  {
    PetscBool any = PETSC_FALSE;
    for (PetscInt k = 0; k < R && !any; k++) any = OffTranslations(&res->kpm, k);
    PetscCheck(any, prob->comm, PETSC_ERR_USER_INPUT, "KPM: none of the %" PetscInt_FMT " random vectors (-kpm_seed %" PetscInt_FMT ") has a component off the translations of this %" PetscInt_FMT "-atom sample, so they hold no states: raise -kpm_vectors or give another -kpm_seed", R, o->seed, prob->natoms);
  }
  if (o->kpm_local) {
    PetscCall(VitKpmRecursionFree(&res->kpm)); /* the local moments need their own vectors */
    PetscCall(PetscMalloc1(prob->nowned * res->kpm.moments + 1, &res->local_mu));
    PetscCall(VitKpmLocalMoments(op, prob, &res->kpm, res->local_mu));
  }
  PetscCall(VitKpmFindOutliers(&res->kpm, &res->outliers));
  PetscCall(StiffAtoms(prob, fid, trace, res));
  res->resolution = VitKpmResolution(lo, hi, res->kpm.moments, res->outliers.omega90);
  res->kpm_matrix_per_atom  = res->kpm.bytes_matrix / prob->natoms;
  res->kpm_vectors_per_atom = res->kpm.bytes_vectors / prob->natoms;
  /* Grid, VDOS, reduced VDOS, boson peak (which may need more moments of the same operator). */
  {
    const PetscReal wmax = o->omega_max > 0 ? o->omega_max : PetscSqrtReal(hi);
    PetscCall(PetscMalloc4(o->bins, &res->omega, o->bins, &res->D, o->bins, &res->Derr, o->bins, &res->reduced));
    PetscCall(VitKpmVdos(&res->kpm, wmax, o->bins, res->omega, res->D, res->Derr, &res->fraction));
    for (PetscInt j = 0; j < o->bins; j++) res->reduced[j] = res->D[j] / PetscPowReal(res->omega[j], prob->dim - 1);
    PetscCall(BosonPeak(op, prob, o, lo, hi, wmax, res));
  }
  /* KPM counts in [0, omega^2) (ExactCounts: the same modes) and the first moment Tr(H)/(dN) = a + b mu_1 / mu_0 with its spread. */
  PetscCall(PetscMalloc1(R, &per));
  for (PetscInt j = 0; j < o->ncount; j++) {
    PetscReal s2 = 0;
    PetscCall(VitKpmCumulative(&res->kpm, PetscSqr(o->count_omega[j]), per, &mean));
    PetscCall(VitKpmCumulative(&res->kpm, 0.0, NULL, &below0));
    for (PetscInt k = 0; k < R; k++) s2 += PetscSqr(per[k] - mean);
    res->count_kpm[j]     = mean - below0;
    res->count_kpm_err[j] = R > 1 ? PetscSqrtReal(s2 / (R - 1) / R) : 0;
  }
  { /* per vector a + b mu_1/mu_0, over the vectors with a component off the translations (below) */
    const PetscInt  M = res->kpm.moments;
    const PetscReal a = 0.5 * (hi + lo), b = 0.5 * (hi - lo);
    PetscReal       s = 0, s2 = 0;
    PetscInt        used = 0;
    for (PetscInt k = 0; k < R; k++) {
      PetscReal w2;
      if (!OffTranslations(&res->kpm, k)) continue;
      w2 = (a + b * res->kpm.mu[k * M + 1] / res->kpm.mu[k * M]) * res->kpm.nstates / (prob->dim * prob->natoms); /* translations add 0 */
      s += w2;
      s2 += w2 * w2;
      used++;
    }
    res->omega2_kpm     = s / used;
    res->omega2_kpm_err = used > 1 ? PetscSqrtReal(PetscMax(0.0, s2 / used - PetscSqr(s / used)) / (used - 1)) : 0;
  }
  PetscCall(PetscFree(per));
  PetscCall(PetscLogEventEnd(ev_kpm, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Every eigenvalue of a small sample (-vdos_exact_max_dof), the d translations (the d of smallest
   magnitude, zero to round-off) removed as the KPM deflates them. Before the KPM frees H. */
static PetscErrorCode ExactEigenvalues(const VitSpectrumProblem *prob, const SpectrumOptions *o, SpectrumResults *res)
{
  const PetscInt n = prob->dim * prob->natoms, d = prob->dim;
  PetscReal     *all;
  PetscInt       lo = 0, hi;
  PetscLogDouble t0, t1;
  PetscBool      shell;

  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)prob->H, MATSHELL, &shell));
  if (n > o->exact_max_dof || shell || n <= d) PetscFunctionReturn(0);
  PetscCall(PetscTime(&t0));
  PetscCall(VitSpectrumAllEigenvalues(prob, &all));
  /* the d translations: the window of d consecutive eigenvalues around zero with the smallest largest magnitude */
  for (PetscInt i = 1; i + d <= n; i++)
    if (PetscMax(PetscAbsReal(all[i]), PetscAbsReal(all[i + d - 1])) < PetscMax(PetscAbsReal(all[lo]), PetscAbsReal(all[lo + d - 1]))) lo = i;
  hi = lo + d;
  res->neigenvalues = n - d;
  PetscCall(PetscMalloc1(n - d, &res->eigenvalues));
  PetscCall(PetscArraycpy(res->eigenvalues, all, lo));
  PetscCall(PetscArraycpy(res->eigenvalues + lo, all + hi, n - hi));
  PetscCall(PetscFree(all));
  PetscCall(PetscTime(&t1));
  res->eigenvalues_s = t1 - t0;
  PetscFunctionReturn(0);
}

/* Whether C_v can be summed over every mode exactly: all eigenvalues, or the dense path's modes. */
static PetscBool CvModesExist(const SpectrumOptions *o, const SpectrumResults *res)
{
  return (PetscBool)(res->neigenvalues > 0 || o->modes.method == VIT_MODES_DENSE);
}

/* C_v from the KPM VDOS over every state of real frequency, [0, sqrt(lambda_max)] on -vdos_bins
   bins: the written grid where it reaches that far (the default), else a VDOS of its own, so that
   a shorter -vdos_omega_max leaves out no state (T: in units of hbar omega/k_B). */
static PetscErrorCode KpmHeatCapacity(const VitSpectrumProblem *prob, const SpectrumOptions *o, const PetscReal T[], SpectrumResults *res)
{
  const PetscReal top = PetscSqrtReal(res->kpm.lambda_max), dw = 2 * res->omega[0];
  PetscReal      *omega, *D, *err, fraction;

  PetscFunctionBegin;
  if (o->bins * dw >= top * (1 - 1e-12)) {
    VitHeatCapacity(prob->dim, o->bins, res->omega, res->D, dw, o->ntemp, T, res->cv);
    PetscFunctionReturn(0);
  }
  PetscCall(PetscMalloc3(o->bins, &omega, o->bins, &D, o->bins, &err));
  PetscCall(VitKpmVdos(&res->kpm, top, o->bins, omega, D, err, &fraction));
  VitHeatCapacity(prob->dim, o->bins, omega, D, 2 * omega[0], o->ntemp, T, res->cv);
  PetscCall(PetscFree3(omega, D, err));
  PetscFunctionReturn(0);
}

/* C_v(T) per atom in k_B on a logarithmic T grid: from the KPM VDOS and, exactly, from every
   eigenvalue (-vdos_exact_max_dof, or the modes of the dense path): cv_modes.

   The grid res->T is in the written temperature unit; x = hbar omega/(k_B T) = omega/(T/temp). */
static PetscErrorCode HeatCapacity(const VitSpectrumProblem *prob, const SpectrumOptions *o, const OutputUnits *u, SpectrumResults *res)
{
  PetscReal *T;

  PetscFunctionBegin;
  PetscCall(PetscCalloc3(o->ntemp, &res->T, o->ntemp, &res->cv, o->ntemp, &res->cv_modes));
  PetscCall(PetscMalloc1(o->ntemp, &T));
  for (PetscInt k = 0; k < o->ntemp; k++) {
    res->T[k] = o->temp_range[0] * PetscPowReal(o->temp_range[1] / o->temp_range[0], o->ntemp > 1 ? (PetscReal)k / (o->ntemp - 1) : 0);
    T[k]      = res->T[k] / u->temp;
  }
  if (o->kpm) PetscCall(KpmHeatCapacity(prob, o, T, res));
  if (CvModesExist(o, res)) {
    const PetscInt   k      = res->neigenvalues ? res->neigenvalues : res->modes.k;
    const PetscReal *lambda = res->neigenvalues ? res->eigenvalues : res->modes.eigenvalue;
    PetscReal       *w;
    PetscCall(PetscMalloc1(k + 1, &w));
    for (PetscInt j = 0; j < k; j++) w[j] = PetscSqrtReal(PetscMax(lambda[j], 0));
    VitHeatCapacityModes(k, w, prob->natoms, o->ntemp, T, res->cv_modes);
    PetscCall(PetscFree(w));
  }
  PetscCall(PetscFree(T));
  PetscFunctionReturn(0);
}

/* /spectrum/modes/vectors (k x dN) in global atom id order, gathered on rank 0. */
static PetscErrorCode WriteModeVectors(VitH5 *h5, const VitSystem *sys, const VitModes *modes)
{
  const PetscInt d = sys->dom.dim, ndof = d * sys->dom.natoms;
  hsize_t        dims[2] = {(hsize_t)modes->k, (hsize_t)ndof};
  PetscMPIInt    rank;
  PetscInt       n0;
  PetscReal     *all;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(sys->dom.comm, &rank));
  n0 = rank ? 0 : ndof;
  PetscCall(PetscMalloc1(modes->k * n0 + 1, &all));
  for (PetscInt m = 0; m < modes->k; m++) {
    const PetscScalar *x;
    Vec                v, v0;
    VecScatter         sc;
    PetscCall(VecGetArrayRead(modes->vector[m], &x));
    PetscCall(VitDomainToGlobalOrder(&sys->dom, d, x, &v));
    PetscCall(VecRestoreArrayRead(modes->vector[m], &x));
    PetscCall(VecScatterCreateToZero(v, &sc, &v0));
    PetscCall(VecScatterBegin(sc, v, v0, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterEnd(sc, v, v0, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecGetArrayRead(v0, &x));
    PetscCall(PetscArraycpy(all + m * n0, x, n0));
    PetscCall(VecRestoreArrayRead(v0, &x));
    PetscCall(VecScatterDestroy(&sc));
    PetscCall(VecDestroy(&v0));
    PetscCall(VecDestroy(&v));
  }
  PetscCall(VitH5WriteReal(h5, "/spectrum/modes/vectors", 2, dims, all, "1"));
  PetscCall(PetscFree(all));
  PetscFunctionReturn(0);
}

/* Share of each mode's weight along z, sum_i e_iz^2 / sum_i |e_i|^2 (flexural modes of a sheet: 1). */
static PetscErrorCode OutOfPlaneFractions(const VitModes *m, PetscInt dim, PetscReal frac[])
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < m->k; k++) {
    const PetscScalar *x;
    PetscReal          w[2] = {0, 0}; /* along z, total */
    PetscInt           n;
    PetscCall(VecGetLocalSize(m->vector[k], &n));
    PetscCall(VecGetArrayRead(m->vector[k], &x));
    for (PetscInt j = 0; j < n; j++) {
      w[1] += PetscSqr(PetscRealPart(x[j]));
      if (j % dim == 2) w[0] += PetscSqr(PetscRealPart(x[j]));
    }
    PetscCall(VecRestoreArrayRead(m->vector[k], &x));
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, w, 2, MPIU_REAL, MPIU_SUM, PetscObjectComm((PetscObject)m->vector[k])));
    frac[k] = w[1] > 0 ? w[0] / w[1] : 0;
  }
  PetscFunctionReturn(0);
}

/* A frequency dataset and, with -units metal or real, the same in cm^-1 (path with "wavenumber"). */
static PetscErrorCode WriteFrequencies(VitH5 *h5, const char path[], const char wpath[], hsize_t n, const PetscReal nu[], const OutputUnits *u)
{
  PetscReal *k;

  PetscFunctionBegin;
  PetscCall(VitH5WriteReal(h5, path, 1, &n, nu, u->omega));
  if (!(u->wavenumber > 0)) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(n + 1, &k));
  for (hsize_t j = 0; j < n; j++) k[j] = nu[j] * u->wavenumber;
  PetscCall(VitH5WriteReal(h5, wpath, 1, &n, k, "cm^-1"));
  PetscCall(PetscFree(k));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteModes(VitH5 *h5, const VitSystem *sys, const SpectrumOptions *o, const SpectrumResults *res, const OutputUnits *u)
{
  const VitModes *m = &res->modes;
  hsize_t         dims[1] = {(hsize_t)m->k}, bdims[1] = {(hsize_t)o->bands}, edims[1] = {(hsize_t)o->bands + 1};
  PetscReal      *omega, *phi, mean_pr = 0;
  Vec             v;

  PetscFunctionBegin;
  PetscCall(PetscMalloc2(m->k + 1, &omega, sys->dom.nowned + 1, &phi));
  for (PetscInt j = 0; j < m->k; j++) {
    omega[j] = u->freq * PetscSign(m->eigenvalue[j]) * PetscSqrtReal(PetscAbsReal(m->eigenvalue[j])); /* imaginary: negative */
    mean_pr += m->participation[j] / m->k;
  }
  PetscCall(VitH5WriteReal(h5, "/spectrum/modes/eigenvalues", 1, dims, m->eigenvalue, u->lambda));
  PetscCall(WriteFrequencies(h5, "/spectrum/modes/omega", "/spectrum/modes/wavenumber", dims[0], omega, u));
  if (sys->dom.dim == 3) {
    PetscCall(OutOfPlaneFractions(m, 3, omega));
    PetscCall(VitH5WriteReal(h5, "/spectrum/modes/out_of_plane", 1, dims, omega, "1"));
  }
  PetscCall(VitH5WriteReal(h5, "/spectrum/modes/participation", 1, dims, m->participation, "1"));
  PetscCall(VitH5WriteReal(h5, "/spectrum/modes/residual", 1, dims, m->residual, "1"));
  PetscCall(VitH5WriteReal(h5, "/spectrum/modes/band_edges", 1, edims, res->band_edges, u->omega));
  PetscCall(VitH5WriteReal(h5, "/spectrum/modes/band_participation", 1, bdims, res->band_pr, "1"));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/scalars/mean_participation", mean_pr, "1"));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/modes/iterations", m->iterations, "1"));
  PetscCall(VitH5WriteAttrString(h5, "/spectrum/modes/eigenvalues", "method", VitModesMethods[m->method]));
  PetscCall(VitSoftSpotField(m, o->softspot_modes < 0 ? m->k : o->softspot_modes, sys->dom.dim, phi));
  PetscCall(VitDomainToGlobalOrder(&sys->dom, 1, phi, &v));
  PetscCall(VitH5WriteVec(h5, "/spectrum/modes/softspot", v, "1"));
  PetscCall(VecDestroy(&v));
  if (o->vectors) PetscCall(WriteModeVectors(h5, sys, m));
  PetscCall(PetscFree2(omega, phi));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteKpm(VitH5 *h5, const VitSystem *sys, const SpectrumOptions *o, const SpectrumResults *res, const OutputUnits *u)
{
  const char   *lunits = u->lambda, *wunits = u->omega;
  const VitKpm *k = &res->kpm;
  hsize_t       dims[1] = {(hsize_t)o->bins}, mdims[2] = {(hsize_t)k->vectors, (hsize_t)k->moments};
  char          dunits[64], runits[64];

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(dunits, sizeof(dunits), "1/(%s)", wunits));
  PetscCall(PetscSNPrintf(runits, sizeof(runits), "1/(%s)^%d", wunits, (int)sys->dom.dim));
  PetscCall(WriteFrequencies(h5, "/spectrum/vdos/omega", "/spectrum/vdos/wavenumber", dims[0], res->omega, u));
  PetscCall(VitH5WriteReal(h5, "/spectrum/vdos/D", 1, dims, res->D, dunits));
  PetscCall(VitH5WriteReal(h5, "/spectrum/vdos/D_err", 1, dims, res->Derr, dunits));
  PetscCall(VitH5WriteReal(h5, "/spectrum/vdos/reduced", 1, dims, res->reduced, runits));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/vdos/fraction", res->fraction, "1"));
  PetscCall(VitH5WriteReal(h5, "/spectrum/kpm/mu", 2, mdims, k->mu, "1"));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/kpm/lambda_min", k->lambda_min, lunits));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/kpm/lambda_max", k->lambda_max, lunits));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/kpm/seed", (PetscReal)k->seed, "1"));
  PetscCall(PetscSNPrintf(dunits, sizeof(dunits), "%s per (%s)^1/2", wunits, lunits));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/kpm/omega_scale", u->freq, dunits)); /* written frequency per sqrt(lambda) */
  PetscCall(VitH5WriteScalar(h5, "/spectrum/kpm/dimension", sys->dom.dim, "1"));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/kpm/nstates", k->nstates, "1"));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/kpm/time_per_moment", k->time_per_moment, "s"));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/kpm/resolution", res->resolution, wunits));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/kpm/resolution_omega", res->outliers.omega90, wunits));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/kpm/outliers/count", res->outliers.count, "1"));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/kpm/outliers/omega_cut", res->outliers.omega_cut, wunits));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/kpm/outliers/omega_top", res->outliers.omega_top, wunits));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/kpm/outliers/stretch", res->outliers.stretch, "1"));
  {
    hsize_t sdims[1] = {(hsize_t)res->nstiff};
    PetscCall(VitH5WriteInt(h5, "/spectrum/kpm/outliers/atoms", 1, sdims, res->stiff_id, "1"));
    PetscCall(VitH5WriteReal(h5, "/spectrum/kpm/outliers/atom_omega", 1, sdims, res->stiff_omega, wunits));
  }
  if (res->local_mu) {
    Vec v;
    PetscCall(VitDomainToGlobalOrder(&sys->dom, k->moments, res->local_mu, &v));
    PetscCall(VitH5WriteVec(h5, "/spectrum/kpm/local_mu", v, "1"));
    PetscCall(VecDestroy(&v));
  }
  PetscCall(VitH5WriteScalar(h5, "/spectrum/kpm/bytes_per_product", k->bytes_per_apply, "bytes"));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/scalars/omega2_mean_kpm", res->omega2_kpm, lunits));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/scalars/omega2_mean_kpm_err", res->omega2_kpm_err, lunits));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/scalars/boson_peak_omega", res->boson_omega, wunits));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/scalars/boson_peak_height", res->boson_height, runits));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/scalars/boson_peak_at_bound", res->boson_at_bound, "1"));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/scalars/boson_peak_search_min", res->boson_omega_min, wunits));
  PetscCall(VitH5WriteScalar(h5, "/spectrum/scalars/boson_peak_moments", res->boson_moments, "1"));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteCounts(VitH5 *h5, const SpectrumOptions *o, const SpectrumResults *res, const OutputUnits *u)
{
  hsize_t    dims[1] = {(hsize_t)o->ncount};
  PetscReal *nu;

  PetscFunctionBegin;
  if (res->negative >= 0) PetscCall(VitH5WriteScalar(h5, "/spectrum/scalars/negative_count", res->negative, "1"));
  if (!o->ncount) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(o->ncount, &nu)); /* the options were turned into units of omega: back to the written unit */
  for (PetscInt j = 0; j < o->ncount; j++) nu[j] = o->count_omega[j] * u->freq;
  PetscCall(WriteFrequencies(h5, "/spectrum/counts/omega", "/spectrum/counts/wavenumber", dims[0], nu, u));
  PetscCall(PetscFree(nu));
  if (res->negative >= 0) {
    PetscCall(VitH5WriteInt(h5, "/spectrum/counts/exact", 1, dims, res->count_exact, "1"));
    PetscCall(VitH5WriteScalar(h5, "/spectrum/scalars/low_mode_count", res->count_exact[0], "1"));
  }
  if (o->kpm) {
    PetscCall(VitH5WriteReal(h5, "/spectrum/counts/kpm", 1, dims, res->count_kpm, "1"));
    PetscCall(VitH5WriteReal(h5, "/spectrum/counts/kpm_err", 1, dims, res->count_kpm_err, "1"));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode SpectrumWrite(const VitSystem *sys, const SpectrumOptions *o, const SpectrumResults *res, const OutputUnits *u, const char out[])
{
  const char *lunits = u->lambda;
  char        l2units[96];
  VitH5       h5;
  hsize_t     mdims[1] = {res->moment[1] >= 0 ? 2 : 1}, tdims[1] = {(hsize_t)o->ntemp};

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(vit_log.write, 0, 0, 0, 0));
  PetscCall(PetscSNPrintf(l2units, sizeof(l2units), "(%s)^k, k = 1, 2", lunits));
  PetscCall(VitH5Create(sys->dom.comm, out, &h5));
  PetscCall(VitH5WriteReal(&h5, "/spectrum/moments", 1, mdims, res->moment, l2units));
  PetscCall(VitH5WriteScalar(&h5, "/spectrum/scalars/omega2_mean", res->moment[0], lunits));
  PetscCall(VitH5WriteScalar(&h5, "/spectrum/scalars/energy_per_atom", sys->energy / sys->sample.natoms, sys->units.energy)); /* inherent-structure energy of a relaxed sample */
  PetscCall(VitH5WriteAttrString(&h5, "/spectrum/moments", "units_style", sys->units.name));
  PetscCall(VitH5WriteAttrString(&h5, "/spectrum/moments", "masses", sys->mass_source));
  if (res->modes.k) PetscCall(WriteModes(&h5, sys, o, res, u));
  if (o->kpm) PetscCall(WriteKpm(&h5, sys, o, res, u));
  if (res->neigenvalues) {
    hsize_t edims[1] = {(hsize_t)res->neigenvalues};
    PetscCall(VitH5WriteReal(&h5, "/spectrum/vdos/eigenvalues", 1, edims, res->eigenvalues, lunits));
    PetscCall(VitH5WriteAttrString(&h5, "/spectrum/vdos/eigenvalues", "description", "every eigenvalue of the dynamical matrix by dense LAPACK, ascending, the d translations removed (-vdos_exact_max_dof)"));
    PetscCall(VitH5WriteScalar(&h5, "/spectrum/vdos/omega_scale", u->freq, "written frequency per sqrt(eigenvalue)"));
    PetscCall(VitH5WriteScalar(&h5, "/spectrum/vdos/dimension", (PetscReal)sys->dom.dim, "1"));
  }
  PetscCall(WriteCounts(&h5, o, res, u));
  PetscCall(VitH5WriteReal(&h5, "/spectrum/cv/T", 1, tdims, res->T, u->T));
  if (o->kpm) PetscCall(VitH5WriteReal(&h5, "/spectrum/cv/cv", 1, tdims, res->cv, "k_B per atom"));
  if (CvModesExist(o, res)) PetscCall(VitH5WriteReal(&h5, "/spectrum/cv/cv_modes", 1, tdims, res->cv_modes, "k_B per atom"));
  PetscCall(VitH5Close(&h5));
  PetscCall(PetscLogEventEnd(vit_log.write, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

static PetscErrorCode ResultsDestroy(SpectrumResults *res)
{
  PetscFunctionBegin;
  PetscCall(VitModesDestroy(&res->modes));
  PetscCall(VitKpmDestroy(&res->kpm));
  PetscCall(PetscFree4(res->omega, res->D, res->Derr, res->reduced));
  PetscCall(PetscFree3(res->T, res->cv, res->cv_modes));
  PetscCall(PetscFree(res->local_mu));
  PetscCall(PetscFree(res->eigenvalues));
  PetscCall(PetscFree2(res->band_edges, res->band_pr));
  PetscCall(PetscFree3(res->count_exact, res->count_kpm, res->count_kpm_err));
  PetscCall(PetscFree2(res->stiff_id, res->stiff_omega));
  PetscFunctionReturn(0);
}

static PetscErrorCode PrintSummary(MPI_Comm comm, const SpectrumOptions *o, const SpectrumResults *res, const OutputUnits *u, const char out[])
{
  PetscFunctionBegin;
  PetscCall(PetscPrintf(comm, "spectrum: <omega^2> = Tr(H)/(dN) = %.10g %s\n", (double)res->moment[0], u->lambda));
  if (res->modes.k) PetscCall(PetscPrintf(comm, "  %" PetscInt_FMT " modes (%s, %" PetscInt_FMT " iterations): lambda %.6g .. %.6g\n", res->modes.k, VitModesMethods[res->modes.method], res->modes.iterations, (double)res->modes.eigenvalue[0], (double)res->modes.eigenvalue[res->modes.k - 1]));
  if (res->neigenvalues) PetscCall(PetscPrintf(comm, "  exact: all %" PetscInt_FMT " eigenvalues by LAPACK (translations removed) in %.3g s: lambda %.6g .. %.6g\n", res->neigenvalues, res->eigenvalues_s, (double)res->eigenvalues[0], (double)res->eigenvalues[res->neigenvalues - 1]));
  if (res->negative >= 0) PetscCall(PetscPrintf(comm, "  negative eigenvalues (inertia): %" PetscInt_FMT "\n", res->negative));
  if (o->kpm) {
    PetscCall(PetscPrintf(comm, "  KPM: %" PetscInt_FMT " moments x %" PetscInt_FMT " vectors on [%.6g, %.6g], resolution %.3g %s at nu_90 = %.4g %s, %.3g s per moment; <omega^2> = %.6g +- %.2g; boson peak at %.4g %s (VDOS of %" PetscInt_FMT " moments)\n", res->kpm.moments, res->kpm.vectors, (double)res->kpm.lambda_min, (double)res->kpm.lambda_max, (double)res->resolution, u->omega, (double)res->outliers.omega90, u->omega, res->kpm.time_per_moment, (double)res->omega2_kpm, (double)res->omega2_kpm_err, (double)res->boson_omega, u->omega, res->boson_moments));
    PetscCall(PetscPrintf(comm, "  memory, bytes/atom over all ranks: resident %.0f with the Hessian, %.0f with the KPM copy only, peak %.0f; KPM matrix %.0f, vectors %.0f\n", (double)res->rss_hessian, (double)res->rss_kpm, (double)res->rss_peak, (double)res->kpm_matrix_per_atom, (double)res->kpm_vectors_per_atom));
  }
  PetscCall(PetscPrintf(comm, "  wrote %s\n", out));
  PetscFunctionReturn(0);
}

/* Warnings about the KPM's resolution: the cap -kpm_max_moments, and states above the bulk that
   stretch the Chebyshev interval (written frequencies): a warning where they at least double what
   the bulk's resolution costs (or, moments given, halve it), else a note. Every CuZrAl glass of
   docs/RESULTS.md has a few (its Al-rich environments: stretch 1.25-1.73); Tersoff SiC up to 23. */
#define OUTLIER_WARNING_STRETCH 2
static PetscErrorCode ReportKpmResolution(MPI_Comm comm, const char source[], const SpectrumOptions *o, const SpectrumResults *res, const OutputUnits *u)
{
  const VitKpmOutliers *out = &res->outliers;

  PetscFunctionBegin;
  if (res->resolution_moments > res->kpm.moments) PetscCall(PetscPrintf(comm, "vitrum: warning: %s: -vdos_resolution asks for %.4g KPM moments, above -kpm_max_moments %" PetscInt_FMT ": the resolution at %.4g %s is %.3g %s; raise -kpm_max_moments or give -vdos_resolution\n", source, (double)res->resolution_moments_asked, o->max_moments, (double)out->omega90, u->omega, (double)res->resolution, u->omega));
  if (!(out->count >= 0.5)) PetscFunctionReturn(0);
  PetscCall(PetscPrintf(comm, "vitrum: %s: %s: %.0f of %" PetscInt_FMT " states (%.2g %%) lie above the bulk, between %.4g and %.4g %s (above 1.5 x nu_90 = %.4g %s, nu_90: 90 %% of the states below it); they stretch the KPM interval %.3g-fold: %" PetscInt_FMT " moments resolve the bulk as %.0f would on an interval ending at %.4g %s (resolution %.3g %s at %.4g %s; /spectrum/kpm/outliers)\n", out->stretch >= OUTLIER_WARNING_STRETCH ? "warning" : "note", source, (double)out->count, res->kpm.nstates, (double)(100 * out->count / res->kpm.nstates), (double)out->omega_cut, (double)out->omega_top, u->omega, (double)out->omega_cut, u->omega, (double)out->stretch, res->kpm.moments, (double)(res->kpm.moments / out->stretch), (double)out->omega_cut, u->omega, (double)res->resolution, u->omega, (double)out->omega90, u->omega));
  if (res->nstiff) {
    char ids[128] = "";
    for (PetscInt j = 0; j < PetscMin(res->nstiff, 8); j++) {
      char one[24];
      PetscCall(PetscSNPrintf(one, sizeof(one), "%s%" PetscInt_FMT, j ? " " : "", res->stiff_id[j]));
      PetscCall(PetscStrlcat(ids, one, sizeof(ids)));
    }
    PetscCall(PetscPrintf(comm, "vitrum: note: %s: %" PetscInt_FMT " atoms have a diagonal block with sqrt(Tr H_ii) above %.4g %s, where such modes live (the stiffest: file ids %s%s, %.4g %s; /spectrum/kpm/outliers/atoms)\n", source, res->nstiff, (double)out->omega_cut, u->omega, ids, res->nstiff > 8 ? " ..." : "", (double)res->stiff_omega[0], u->omega));
  }
  PetscFunctionReturn(0);
}

/* summary: print the results on the communicator's first rank (not for the samples of `features`,
   which run on many sub-communicators at once and report progress themselves); boson_warning: warn
   when the boson peak search found no peak (not for `features` runs whose targets leave it out) */
static PetscErrorCode SpectrumRun(const SpectrumOptions *given, VitSystem *sys, const char out[], PetscBool summary, PetscBool boson_warning)
{
  VitSpectrumProblem prob;
  VitKpmOperator     op    = NULL;
  PetscReal         *trace = NULL;
  SpectrumResults    res;
  SpectrumOptions    omega_units = *given, *o = &omega_units;
  OutputUnits        u;

  PetscFunctionBegin;
  GetOutputUnits(sys, &u);
  OptionsToOmegaUnits(&u, o);
  PetscCall(RegisterEvents());
  PetscCall(PetscMemzero(&res, sizeof(res)));
  PetscCall(PetscCalloc3(o->ncount + 1, &res.count_exact, o->ncount + 1, &res.count_kpm, o->ncount + 1, &res.count_kpm_err));
  PetscCall(PetscLogStagePush(vit_log.stage_spectrum));
  PetscCall(VitSpectrumProblemFromSystem(sys, &prob));
  PetscCall(VitFactorGuardSetUp(&prob, &sys->sample, o->factor_max_mb, o->factor_max_flops, &res.factor));
  PetscCall(ExactMoments(&prob, res.moment));
  PetscCall(ExactCounts(&prob, o, &res));
  PetscCall(ExactEigenvalues(&prob, o, &res));
  if (o->kpm) PetscCall(AtomDiagonalTraces(&prob, &trace));
  PetscCall(ComputeModes(&prob, sys, o, &res, &op)); /* may build the block operator and release H */
  PetscCall(BandParticipation(o, &res));
  if (o->kpm) { /* the last user of the Hessian: the KPM keeps its own copy only */
    if (!op) PetscCall(CreateOperator(&prob, sys, o->nvec, PETSC_TRUE, &res, &op));
    PetscCall(MatDestroy(&sys->H)); /* filter: its solver needed H until now */
    PetscCall(MatDestroy(&prob.H));
    malloc_trim(0); /* the Hessian's heap pages back to the OS, as VitKpmOperatorCreate's release does */
    PetscCall(ResidentPerAtom(&prob, &res.rss_kpm));
    PetscCall(ComputeKpm(&prob, op, sys->dom.fid, trace, o, &u, &res));
    PetscCall(PeakResidentPerAtom(&prob, &res.rss_peak));
    PetscCall(PetscFree(trace));
  }
  PetscCall(VitKpmOperatorDestroy(&op));
  PetscCall(HeatCapacity(&prob, o, &u, &res));
  PetscCall(PetscLogStagePop());
  ResultsToOutputUnits(&u, prob.dim, o, &res);
  if (o->kpm && res.boson_at_bound && boson_warning) {
    char note[256];
    PetscCall(BosonLimitNote(given, &res, note, sizeof(note)));
    PetscCall(PetscPrintf(prob.comm, "vitrum: warning: %s: the maximum of the reduced VDOS D/omega^%d sits on a bound of the search (%.4g %s, searched from %.4g): no boson peak resolved with %" PetscInt_FMT " moments%s; raise -boson_max_moments or -kpm_moments (finer resolution at low frequency) or set -boson_omega_min%s\n", sys->sample.source, (int)(prob.dim - 1), (double)res.boson_omega, u.omega, (double)res.boson_omega_min, res.boson_moments, note, given->boson_omega_min > 0 ? "" : " (default: 3 KPM resolutions)"));
  }
  if (o->kpm) PetscCall(ReportKpmResolution(prob.comm, sys->sample.source, given, &res, &u));
  PetscCall(SpectrumWrite(sys, given, &res, &u, out));
  if (summary) PetscCall(PrintSummary(prob.comm, o, &res, &u, out));
  PetscCall(ResultsDestroy(&res));
  PetscCall(VitSpectrumProblemDestroy(&prob));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSpectrumRunSample(MPI_Comm comm, const char sample[], const char out[], PetscBool boson_warning)
{
  SpectrumOptions o;
  VitSystem       sys;

  PetscFunctionBegin;
  PetscCall(SpectrumReadOptions(comm, &o));
  PetscCall(VitSystemSetUp(comm, sample, &sys));
  PetscCall(SpectrumRun(&o, &sys, out, PETSC_FALSE, boson_warning));
  PetscCall(VitSystemDestroy(&sys));
  PetscCall(PetscFree(o.count_omega));
  PetscFunctionReturn(0);
}

/* The options the stages read only when they run (the modes' solvers, the KPM kernel), read and
   checked before the sample is read (under -help: listed). A bad value used to stop the run only
   when its stage began: after the sample was read, the Hessian assembled and, for a small sample,
   every eigenvalue computed (minutes of assembly and KPM on 10^6 atoms). */
static PetscErrorCode StageCheckOptions(MPI_Comm comm, const SpectrumOptions *o)
{
  PetscFunctionBegin;
  PetscCall(VitModesCheckOptions(comm, o->modes.nev));
  PetscCall(VitKpmCheckOptions(comm));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSpectrumOptionsHelp(MPI_Comm comm)
{
  SpectrumOptions o;
  VitSystem       sys;

  PetscFunctionBegin;
  PetscCall(SpectrumReadOptions(comm, &o));
  PetscCall(VitSystemSetUpFromOptions(comm, &sys)); /* under -help: lists the sample's, potential's, domain's and units' options */
  PetscCall(VitSystemDestroy(&sys));
  PetscCall(StageCheckOptions(comm, &o));
  PetscCall(PetscFree(o.count_omega));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSpectrumCheckOptions(MPI_Comm comm)
{
  SpectrumOptions o;

  PetscFunctionBegin;
  PetscCall(SpectrumReadOptions(comm, &o));
  PetscCall(StageCheckOptions(comm, &o));
  PetscCall(PetscFree(o.count_omega));
  PetscFunctionReturn(0);
}

PetscErrorCode VitCmdSpectrum(void)
{
  MPI_Comm        comm = PETSC_COMM_WORLD;
  SpectrumOptions o;
  VitSystem       sys;

  PetscFunctionBegin;
  if (VitHelpRequested()) {
    PetscCall(VitSpectrumOptionsHelp(comm));
    PetscFunctionReturn(0);
  }
  PetscCall(SpectrumReadOptions(comm, &o));
  PetscCall(StageCheckOptions(comm, &o));
  PetscCall(VitSystemSetUpFromOptions(comm, &sys));
  if (!o.out[0]) PetscCall(VitOutputPath(sys.sample.source, ".spectrum.h5", o.out, sizeof(o.out)));
  PetscCall(VitOutputCheck(comm, "-o", o.out, 0, NULL));
  PetscCall(SpectrumRun(&o, &sys, o.out, PETSC_TRUE, PETSC_TRUE));
  PetscCall(VitSystemDestroy(&sys));
  PetscCall(PetscFree(o.count_omega));
  PetscFunctionReturn(0);
}
