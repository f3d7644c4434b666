/* Spectra of the dynamical matrix (module src/spectrum/): low-frequency modes (SLEPc), the full
   VDOS by the kernel polynomial method (KPM), exact eigenvalue counts from matrix inertia,
   derived quantities (boson peak, heat capacity, participation) and first-order responses.
   See docs/spectrum.md for the options, outputs and formulas. */
#ifndef VITRUM_SPECTRUM_H
#define VITRUM_SPECTRUM_H

#include <vitrum/hessian.h>
#include <vitrum/h5io.h>
#include <slepceps.h>

/* A zero mode: an eigenvalue within VIT_ZERO_MODE_RTOL Tr(H)/(dN) of zero (translations and a
   sheet's sliding modes come out at ~1e-12 Tr(H)/(dN), the lowest non-zero mode of the samples
   vitrum runs far above 1e-6 of it). The one rule of spectrum's negative count and inertia shift,
   the block solvers' residual floor, shift-and-invert's default target, twolevel's shift,
   response's soft modes and minimize's curvature check (-minimize_saddle_tol). */
#define VIT_ZERO_MODE_RTOL 1e-6

/* The operator whose spectrum is wanted: a symmetric Mat H with block size dim whose block rows
   are the owned atoms, in order. gid[i] is the global atom id of owned atom i (it seeds the KPM
   random vectors, so results do not depend on the rank count), sqrt_mass[i] is sqrt(m_i) when H
   is mass weighted and 1 otherwise: the d translation modes of H are t_a(i,c) = delta_ac sqrt_mass[i]. */
typedef struct {
  MPI_Comm   comm;
  Mat        H;
  PetscInt   dim;
  PetscInt   nowned, natoms;
  PetscInt  *gid;       /* nowned, owned by this struct */
  PetscReal *sqrt_mass; /* nowned, owned by this struct */
  PetscInt  *order;     /* nowned or NULL: the owned atoms in a spatially local order (Morton curve of
                           the positions), which the KPM operator uses for its rows and vectors */
  PetscInt  *morton;    /* nowned or NULL (with order): the Morton code of each owned atom, 30 bits,
                           d bits per level from the coarsest (2 for a sheet: its plane only): atoms
                           whose codes share a prefix lie in one cell (a column through a sheet's
                           vacuum) of a grid over the box (the aggregates of twolevel.c) */
  PetscBool  sheet;     /* a 3D sample with a vacuum gap along z wider than the potential's cutoff
                           and not a periodic stack (VitVacuumIsSheet): a layer, two-dimensional
                           for twolevel.c */
  PetscReal *s;         /* nowned x dim or NULL (with order): fractional positions of the owned atoms
                           (the affine coarse space of twolevel.c) */
  PetscReal  trace;     /* Tr(H) at creation, bitwise the same on any number of ranks */
  PetscReal  mean;      /* |Tr(H)|/(dN), the mean eigenvalue: the scale of shifts and targets;
                           eigenvalues within VIT_ZERO_MODE_RTOL of it of zero are zero modes (the
                           negative count, the block solvers' residuals) */
} VitSpectrumProblem;

PetscErrorCode VitSpectrumProblemCreate(MPI_Comm comm, Mat H, PetscInt dim, PetscInt nowned, const PetscInt gid[], const PetscReal sqrt_mass[], VitSpectrumProblem *prob);
PetscErrorCode VitSpectrumProblemFromSystem(VitSystem *sys, VitSpectrumProblem *prob); /* takes a reference to sys->H */
/* The atoms' positions the block solvers need (twolevel's aggregates, the Morton order of the
   KPM operator's rows) from the domain that assembled prob->H, and whether the sample is a sheet
   (3D, a vacuum gap along z wider than cutoff); VitSpectrumProblemFromSystem calls it. */
PetscErrorCode VitSpectrumProblemSetGeometry(VitSpectrumProblem *prob, const VitDomain *dom, const VitSample *sample, PetscReal cutoff);
PetscErrorCode VitSpectrumProblemDestroy(VitSpectrumProblem *prob);
/* The d normalised translation vectors (caller destroys them with VecDestroyVecs(dim, &t)). */
PetscErrorCode VitSpectrumTranslations(const VitSpectrumProblem *prob, Vec **t);

/* ---- Low-frequency modes (modes.c) ---------------------------------------------------------- */
typedef enum { VIT_MODES_SINVERT, VIT_MODES_LOBPCG, VIT_MODES_DENSE, VIT_MODES_FILTER, VIT_MODES_CHEBYSHEV, VIT_MODES_TWOLEVEL } VitModesMethod;
extern const char *const VitModesMethods[];

typedef struct _n_VitKpmOperator *VitKpmOperator; /* the KPM's block operator (below) */

/* Samples of at most this many degrees of freedom get their modes from dense LAPACK whatever the
   method: exact, milliseconds, and the iterative solvers need more room than such a sample has
   (LOBPCG's block, Krylov-Schur's subspace). */
#define VIT_MODES_DENSE_DOF 300
#define VIT_MODES_DENSE_MAX_DOF 12000 /* largest dense LAPACK fallback when most modes are asked for (1.2 GB) */
#define VIT_KPM_MAX_MOMENTS 1000000 /* most KPM moments an option may ask for */
#define VIT_KPM_BOUNDS_STEPS 30 /* default Lanczos steps of the KPM interval (-kpm_bounds_steps) */
/* Eigenvalues within this relative distance of each other are one degenerate multiplet: the modes
   solvers complete multiplets to it, and response's eigenvalue shifts diagonalise the perturbation
   within each. */
#define VIT_MULTIPLET_RTOL 1e-8

typedef struct {
  VitModesMethod method;
  PetscInt       nev;               /* wanted modes (dense: all non-translation modes) */
  PetscBool      nev_default;       /* nev is the command's default, not given: a sample with fewer non-zero
                                       modes (dN - d) gets all of them, with a note (given: an error) */
  const char    *nev_option;        /* the option that gives nev, for messages (NULL: -spectrum_nev) */
  PetscBool      dense_lowest;      /* dense: keep the lowest nev only (set by VitModesCompute where a sample of at most
                                       VIT_MODES_DENSE_DOF degrees of freedom is solved densely instead) */
  PetscReal      target;            /* shift for shift-and-invert; <= 0: automatic */
  PetscBool      allow_unconverged; /* keep going (with a warning) when fewer than nev converge */
  PetscReal      range[2];          /* filter, chebyshev: an interval holding the whole spectrum (range[1] <= 0:
                                       from the KPM bounds of op, with a first guess of upper from a KPM pilot) */
  PetscReal      upper;             /* filter, chebyshev: first guess of an eigenvalue with more than nev modes below it */
  PetscInt       bounds_steps;      /* filter, chebyshev: Lanczos steps of those bounds (>= 2; -kpm_bounds_steps, */
  PetscInt       seed;              /* VIT_KPM_BOUNDS_STEPS by default), and the seed of the bounds' and the pilot's
                                       random vectors (-kpm_seed, 1 by default) */
  VitKpmOperator op;                /* filter (its interval), chebyshev, twolevel: the block operator to apply (NULL: one
                                       is built from prob->H and destroyed); given, prob->H may already be released
                                       (VitKpmOperatorCreate) */
  PetscBool      fallback;          /* twolevel: where its preconditioner cannot be built (a shell Hessian,
                                       a sample away from a minimum) or its modes do not converge, a note and
                                       another method instead of an error (below) */
  PetscBool      sinvert_fits;      /* twolevel with fallback: that other method is sinvert (MUMPS's factor fits;
                                       prob->H must stay), else chebyshev */
  PetscBool      method_default;    /* neither -spectrum_method nor a shift-and-invert target given: sinvert only
                                       where its factorisation is cheap (VitModesChooseMethod) */
  PetscBool      nearest_only;      /* sinvert: the nev modes nearest the target as the solve finds them, with no
                                       inertia count completing multiplets (one or two MUMPS factorisations
                                       fewer): for a caller that needs every mode within a bound of the target,
                                       not whole multiplets (response's soft modes) */
} VitModesOptions;

typedef struct {
  PetscInt   k;            /* modes found, ascending eigenvalue */
  PetscReal *eigenvalue;   /* lambda_n (k) */
  PetscReal *residual;     /* relative residual (k): ||H e - lambda e|| / |lambda| from SLEPc (sinvert,
                              lobpcg, filter, dense: EPS_ERROR_RELATIVE); / max(|lambda|,
                              VIT_ZERO_MODE_RTOL Tr(H)/(dN)) from chebyshev and twolevel (block.c) */
  PetscReal *participation;/* P_n = (sum_i |e_n,i|^2)^2 / (N sum_i |e_n,i|^4) (k) */
  Vec       *vector;       /* k normalised eigenvectors (layout of H) */
  PetscInt   iterations;   /* solver iterations */
  PetscReal  target;       /* sinvert: the shift sigma, the modes are those nearest it; else 0 */
  VitModesMethod method;   /* the solver that computed them */
  PetscBool  declined;     /* VitModesTwoLevel with opt->fallback: no preconditioner, or fewer modes converged
                              than wanted; no modes (a note said why); VitModesCompute then runs sinvert
                              (opt->sinvert_fits) or chebyshev */
} VitModes;

/* The lowest modes by opt->method; twolevel with opt->fallback runs sinvert (opt->sinvert_fits) or
   chebyshev where it declines. */
PetscErrorCode VitModesCompute(const VitSpectrumProblem *prob, const VitModesOptions *opt, VitModes *modes);
/* Whether VitModesCompute takes the modes from dense LAPACK on prob->H instead of opt->method: a
   sample of at most VIT_MODES_DENSE_DOF degrees of freedom, or more than a fifth of its non-zero
   modes wanted. */
PetscBool      VitModesDenseInstead(const VitSpectrumProblem *prob, const VitModesOptions *opt);
/* The options VitModesCompute reads when it runs (-spectrum_complete_multiplets,
   -spectrum_chebyshev_*, -spectrum_twolevel_*, -spectrum_precond*), read and checked as far as no
   sample is needed, so that the commands that compute modes refuse a bad value before they read
   the sample (docs/spectrum.md); under -help they are listed with their defaults. What needs the
   sample (a block against the wanted modes and dN - d, the default aggregate, a preconditioner
   for a shell Hessian) is checked when the solver runs. nev: the command's wanted modes, for the
   default block shown. The three below are its parts in subspace.c, twolevel.c and precond.c. */
PetscErrorCode VitModesCheckOptions(MPI_Comm comm, PetscInt nev);
PetscErrorCode VitModesChebyshevCheckOptions(MPI_Comm comm, PetscInt nev);
PetscErrorCode VitModesTwoLevelCheckOptions(MPI_Comm comm, PetscInt nev);
PetscErrorCode VitModesPreconditionerCheckOptions(MPI_Comm comm);
PetscErrorCode VitModesDestroy(VitModes *modes);
/* Chebyshev-filtered subspace iteration on the KPM's block operator opt->op (subspace.c): the
   lowest nev modes and the rest of the nev-th's multiplet, from opt->range and opt->upper. */
PetscErrorCode VitModesChebyshev(const VitSpectrumProblem *prob, const VitModesOptions *opt, VitModes *modes);
/* LOBPCG on blocks with a two-level (aggregation) preconditioner (twolevel.c): the lowest nev modes
   and the rest of the nev-th's multiplet; needs prob->morton (positions) and opt->op built from an
   assembled H. */
PetscErrorCode VitModesTwoLevel(const VitSpectrumProblem *prob, const VitModesOptions *opt, VitModes *modes);
/* LOBPCG preconditioner (precond.c): -spectrum_precond gamg|hypre|ml (multigrid on an AIJ copy of
   H + sigma I, translations as near-null space, set as the ST's preconditioner matrix) or jacobi. */
PetscErrorCode VitModesPreconditionerSetUp(const VitSpectrumProblem *prob, ST st);
/* Participation ratio of one vector (block size dim): (sum_i |e_i|^2)^2 / (N sum_i |e_i|^4). */
PetscErrorCode VitParticipationRatio(Vec e, PetscInt dim, PetscReal *pr);
/* Soft-spot field of owned atoms: phi_i = sum_{n < kmax} |e_n,i|^2 (array of nowned values). */
PetscErrorCode VitSoftSpotField(const VitModes *modes, PetscInt kmax, PetscInt dim, PetscReal phi[]);

/* ---- Exact counts (inertia.c) ----------------------------------------------------------------- */
/* count[j] = number of eigenvalues of H below shift[j] (Sylvester inertia of a MUMPS LDL^T
   factorisation of H - shift I). Options prefix "inertia_" reaches the KSP/PC/MUMPS settings. */
/* A copy of H that MUMPS can factor with Cholesky (BAIJ is converted to SBAIJ; shell: user error). */
PetscErrorCode VitSpectrumFactorableCopy(Mat H, Mat *A);
/* failure: "" where the counts are set, else why MUMPS could not factor (VitMumpsFailure), after
   VitMumpsFactorNumeric's retries. */
PetscErrorCode VitSpectrumInertiaCounts(const VitSpectrumProblem *prob, PetscInt nshift, const PetscReal shift[], PetscInt count[], char failure[], size_t len);
/* Every MUMPS factorisation of vitrum (inertia counts, shift-and-invert, twolevel's coarse level)
   is made by these. VitMumpsAnalysis: MUMPS's analysis of the LDL^T factor of A into a new *F
   (options prefix `prefix`: -PREFIX_mat_mumps_* override these settings), MUMPS's own messages off
   (ICNTL(1) = 0); inertia: ICNTL(13) = 1 (the root is not factored by ScaLAPACK, so the inertia
   is available), ICNTL(24) = 1 (null pivots detected), CNTL(3) = 1e-12, as in SLEPc's ex25.
   VitMumpsFactorNumeric: the numeric factorisation of A into *F, which holds VitMumpsAnalysis(A,
   prefix, inertia) on entry; where MUMPS's workspace estimate falls short (INFOG(1) -8, -9, -17,
   -20: delayed pivots of an indefinite or nearly singular matrix, more of them on more ranks) the
   analysis is made again and the workspace doubled (ICNTL(14) p -> 2p + 100), up to
   VIT_MUMPS_RETRIES times (an -info line each). PETSc does not run MUMPS's numeric phase again
   on a factor whose last one failed, hence the new analysis. *infog1: INFOG(1) of the last try
   (0 or above: factored); *relax: its ICNTL(14). VitMumpsFailure: why (for a message) when
   *infog1 < 0. */
#define VIT_MUMPS_RETRIES 3
PetscErrorCode VitMumpsAnalysis(Mat A, const char prefix[], PetscBool inertia, Mat *F);
PetscErrorCode VitMumpsFactorNumeric(Mat A, const char prefix[], PetscBool inertia, Mat *F, PetscInt *infog1, PetscInt *relax);
PetscErrorCode VitMumpsFailure(PetscInt infog1, PetscInt relax, const char prefix[], char reason[], size_t len);
/* MUMPS's estimate, after its analysis only, of the memory (MB, all ranks) an LDL^T factor of H needs:
   INFOG(17) of the atom graph (one row per atom) times d^2, so that the analysis itself holds d^2
   times less than one of H would (0.91-1.35 x H's own estimate from 10^3 to 1.25 x 10^5 atoms,
   docs/spectrum.md); and of the flops of its factorisation (all ranks): RINFOG(1) of the atom graph
   times d^3 (each scalar operation of the elimination becomes one on d x d blocks). */
PetscErrorCode VitSpectrumFactorEstimate(Mat H, PetscReal *megabytes, PetscReal *flops);
/* The diagonal and off-diagonal parts of a (Seq|MPI)BAIJ matrix (*Ao = NULL, *garray = NULL,
   *nghost = 0 on one rank), the global block column of each off-diagonal block column (garray,
   sorted) and their number; PETSc's own arrays, no copy (kpm.c). */
PetscErrorCode VitBaijParts(Mat Hb, Mat *Ad, Mat *Ao, const PetscInt **garray, PetscInt *nghost);
/* The default limit (MB, all ranks) of a MUMPS factor: half the memory available (VitMemoryAvailable)
   on the nodes of comm, each node counted once; no limit where a node cannot read it. */
PetscErrorCode VitSpectrumFactorMemoryLimit(MPI_Comm comm, PetscReal *megabytes);
/* Whether a MUMPS factor of H fits in memory and in time, asked once per Hessian: first a lower
   estimate of any LDL^T factor (a nested dissection's top separator as one dense block; no
   analysis) and the bounds of a dense factor, then, only where those do not settle it, MUMPS's own
   estimates (VitSpectrumFactorEstimate). */
typedef struct {
  PetscReal limit_mb;      /* the largest factor allowed (MB, all ranks) */
  PetscReal limit_flops;   /* the most flops per rank a factorisation may take (0: no limit) */
  PetscReal factor_flops;  /* MUMPS's estimate of the factorisation's flops (all ranks) */
  PetscReal floor_mb;      /* the lower estimate (MB; 0: none, a shell H) */
  PetscReal separator_dof; /* the degrees of freedom of that separator */
  PetscReal factor_mb;     /* MUMPS's estimate (MB, all ranks); < 0: not asked yet */
} VitFactorGuard;
/* The default -spectrum_factor_max_flops: a factorisation of at most 1e12 flops per rank, a minute
   or two at the 8-15 GFlop/s MUMPS reaches per rank with OpenBLAS. MUMPS's estimate is 5.9e9 for
   a 1000-atom 3D KA glass, 6.7e11 at 8000 and 6.2e12 at 27,000 atoms, whose modes took 484 s by
   shift-and-invert on one rank against 16 s by twolevel (docs/spectrum.md). */
#define VIT_FACTOR_MAX_FLOPS 1e12
/* limit_mb: the user's limit (-spectrum_factor_max_memory); 0: half the memory available;
   limit_flops: per rank (-spectrum_factor_max_flops); 0: none. */
PetscErrorCode VitFactorGuardSetUp(const VitSpectrumProblem *prob, const VitSample *sample, PetscReal limit_mb, PetscReal limit_flops, VitFactorGuard *guard);
/* *fits: the factor fits; if not, a one-line note "<skipped> skipped: <why><instead>" (none where
   skipped is NULL). */
PetscErrorCode VitFactorGuardFits(const VitSpectrumProblem *prob, VitFactorGuard *guard, const char *skipped, const char *instead, PetscBool *fits);
/* *flops: MUMPS's estimate of one factorisation of H (all ranks; its analysis, run once per guard);
   where the lower estimate already exceeds the memory limit (no analysis), the flops of that dense
   separator's LDL^T, s^3/3, a lower bound; -1 for a shell H (nothing to factor). */
PetscErrorCode VitFactorGuardFlops(const VitSpectrumProblem *prob, VitFactorGuard *guard, PetscReal *flops);
/* The default method (opt->method_default): sinvert where MUMPS estimates at most
   VIT_MODES_SINVERT_MAX_FLOPS_PER_DOF flops per degree of freedom for one factorisation of H, else
   twolevel. Measured on 2 ranks (docs/spectrum.md): at 1e5-4e5 flops per degree of freedom (2D KA
   glasses of 3600-57,600 atoms, carbon sheets) the two take the same time within 15 %; above, the
   factorisations (2-3 per run with the multiplet check) dominate: 1.8x slower at 2e6 (a 3D glass of
   1000 atoms), 7x at 1.3e7 (4096 atoms), 15x at 2.8e7 (8000 atoms). A 3D glass crosses it from
   about 500 atoms, a 2D one above 10^5 (the factor's flops per unknown grow as N in 3D, sqrt(N) in
   2D). */
#define VIT_MODES_SINVERT_MAX_FLOPS_PER_DOF 1e6
/* opt->method sinvert (given, or by default where cheap, above) where MUMPS's factor fits (guard),
   else, after a note, twolevel with opt->fallback (spectrum and response; modes.c). Where the
   default takes twolevel as the cheaper and the factor fits, opt->sinvert_fits: a twolevel that
   does not converge hands over to sinvert. */
PetscErrorCode VitModesChooseMethod(const VitSpectrumProblem *prob, VitFactorGuard *guard, VitModesOptions *opt);
/* Memory of a multigrid preconditioner (an AIJ copy of H and the GAMG hierarchy), bytes per atom:
   measured 53 kB/atom with aggressive coarsening and above 85 kB/atom with the defaults at 85,184
   atoms of a 3D KA glass (docs/BENCHMARKS.md, "LOBPCG"); the bound by which the commands decide
   whether a default multigrid fits. */
#define VIT_MULTIGRID_BYTES_PER_ATOM 100e3
/* Whether a default multigrid (VIT_MULTIGRID_BYTES_PER_ATOM) fits under *limit_mb (0 on entry:
   half the memory available, set here); *need_mb: its estimate, for the caller's note (precond.c). */
PetscErrorCode VitMultigridFits(const VitSpectrumProblem *prob, PetscReal *limit_mb, PetscReal *need_mb, PetscBool *fits);

/* ---- Kernel polynomial method (kpm.c) ----------------------------------------------------------- */
/* Largest block size (the dimension) of the KPM kernel (src/spectrum/kernel/kpm_rows.c). */
#define VIT_KPM_MAX_BS 3

typedef struct _p_VitKpmRecursion *VitKpmRecursion;

typedef struct {
  PetscInt       moments, vectors;
  PetscInt64     seed;
  PetscReal      lambda_min, lambda_max; /* spectral interval used (after margins and rounding) */
  PetscBool      deflate;                /* project the random vectors off the translations */
  PetscReal     *mu;                     /* per-vector moments <r, T_n(Hs) r>, vectors x moments */
  PetscInt       nstates;                /* states counted by mu_0: d N, minus d when deflated */
  PetscLogDouble time_per_moment;        /* wall time of the moment loop / moments */
  PetscLogDouble bytes_per_apply;        /* matrix and vector bytes streamed by one application of H */
  PetscLogDouble bytes_matrix, bytes_vectors; /* memory of the operator and of the vectors (v_{m-1}, v_m, a tile of H v_m), all ranks */
  VitKpmRecursion recursion;             /* the last vectors while the run can be continued (even moments) */
} VitKpm;

/* H as the KPM applies it to R vectors at once: its own block CSR copy (built once from the BAIJ
   arrays; SBAIJ/AIJ are converted first), each row's blocks in increasing global atom id, R vectors
   interleaved; a MATSHELL is applied with MatMult, vector by vector. release: destroy prob->H once
   copied (the caller no longer needs it), so that one matrix is in memory. (VitKpmOperator is
   declared with the modes above.) */
/* Big buffers as anonymous mappings (kpm.c), so that freeing them returns the memory to the OS at
   once (glibc keeps freed heap memory when a library sets M_MMAP_MAX = 0, as Debian's
   libsuperlu_dist does); zero-filled. *(void **)p is set; VitBigFree needs the same byte count. */
PetscErrorCode VitBigAlloc(size_t bytes, void *p);
PetscErrorCode VitBigFree(size_t bytes, void *p);
PetscErrorCode VitKpmOperatorCreate(VitSpectrumProblem *prob, PetscInt vectors, PetscBool release, VitKpmOperator *op);
/* The number of vectors applied at once from now on (one operator serves the filter's pilot, the
   Chebyshev modes' block and the KPM's vectors in turn: built once). */
PetscErrorCode VitKpmOperatorSetVectors(VitKpmOperator op, PetscInt vectors);
PetscErrorCode VitKpmOperatorDestroy(VitKpmOperator *op);
/* Reads and checks -kpm_kernel, which VitKpmOperatorCreate reads (a name, and one this CPU runs),
   before the sample is read; under -help lists it. */
PetscErrorCode VitKpmCheckOptions(MPI_Comm comm);
/* y = H x for nv = vectors or 1 interleaved vectors: x[(i d + c) nv + k], with room for the ghost
   blocks after the owned ones (refreshed here); y has the owned blocks only. */
PetscErrorCode VitKpmOperatorApply(VitKpmOperator op, PetscInt nv, PetscReal x[], PetscReal y[]);
/* The operator's rows are the owned atoms in prob->order (so that neighbours' vector entries lie
   close in memory; identity without an order or for a shell): row r is the problem's owned atom
   order[r], with global id gid[r] and sqrt(m) sqrt_mass[r]. Multi-vectors given to
   VitKpmOperatorApply are in this row order. */
PetscErrorCode VitKpmOperatorRows(VitKpmOperator op, const PetscInt **order, const PetscInt **gid, const PetscReal **sqrt_mass);
/* Owned and ghost block rows, bytes of the stored matrix on this rank (0 for a shell). */
PetscErrorCode VitKpmOperatorSizes(VitKpmOperator op, PetscInt *nrows, PetscInt *nghost, PetscLogDouble *matrix_bytes);

/* Spectral interval [lo, hi] of H: the extreme Ritz values of `steps` Lanczos steps (exact dot
   products, from the deflated random vector 0) widened by their residual norms, plus 1% of the width,
   rounded outward to 8 significant bits, and clipped to the Gershgorin discs (a guaranteed bound).
   lo = min(0, ...). The same on any rank count. */
PetscErrorCode VitKpmBounds(VitKpmOperator op, const VitSpectrumProblem *prob, PetscInt steps, PetscInt64 seed, PetscReal *lo, PetscReal *hi);
/* Chebyshev moments with Rademacher vectors r_k(i,c) = +-1 from splitmix64(seed, gid i, c, k),
   all op's vectors applied at once; sums are exact fixed-point sums, so mu is bitwise independent
   of the rank count. */
PetscErrorCode VitKpmCompute(VitKpmOperator op, const VitSpectrumProblem *prob, PetscInt moments, PetscInt64 seed, PetscReal lo, PetscReal hi, VitKpm *kpm);
/* More moments of the same run: `more` gets kpm's M moments and those up to M2 > M, bitwise the
   moments of VitKpmCompute with M2. It costs the new moments only where kpm can continue its
   recursion, which it keeps after VitKpmCompute when M is even (three vector blocks, until
   VitKpmRecursionFree or VitKpmDestroy), and `more` takes it over; otherwise the run is
   computed anew with M2 moments. */
PetscErrorCode VitKpmContinue(VitKpmOperator op, const VitSpectrumProblem *prob, VitKpm *kpm, PetscInt M2, VitKpm *more);
PetscErrorCode VitKpmRecursionFree(VitKpm *kpm);
PetscErrorCode VitKpmDestroy(VitKpm *kpm);
/* Jackson-damped cumulative count of eigenvalues below lambda, per vector (vectors values) and
   its mean over vectors. */
PetscErrorCode VitKpmCumulative(const VitKpm *kpm, PetscReal lambda, PetscReal per_vector[], PetscReal *mean);
/* Jackson kernel g_n for M moments (Weisse et al., Rev. Mod. Phys. 78, 275 (2006), eq. 71). */
PetscReal VitKpmJackson(PetscInt n, PetscInt M);
/* D(omega) on nbins bins of [0, omega_max]: bin averages of the KPM density in omega = sqrt(lambda),
   normalised over all the states of real frequency (lambda in [0, lambda_max]) whatever the grid,
   so that sum D domega = 1 when the grid reaches sqrt(lambda_max) (less on a shorter grid: D does
   not depend on omega_max); err = standard error from the spread over the random vectors;
   fraction = share of the states in the grid. */
PetscErrorCode VitKpmVdos(const VitKpm *kpm, PetscReal omega_max, PetscInt nbins, PetscReal omega[], PetscReal D[], PetscReal err[], PetscReal *fraction);
/* The random vectors of VitKpmCompute (R interleaved vectors, owned entries r[(i d + c) R + k] in
   the operator's row order), projected off the translations when deflate. */
PetscErrorCode VitKpmRandomVectors(VitKpmOperator op, const VitSpectrumProblem *prob, PetscInt R, PetscInt64 seed, PetscBool deflate, PetscReal r[]);
/* Local moments (kpm_local.c) of every owned atom i with the random vectors, interval and moment
   count of a finished global run kpm: local[i M + n] = (1/R) sum_k sum_c r_k(i,c) [T_n(Hs) r_k](i,c),
   so that sum_i local[i M + n] = mean over the vectors of kpm->mu[k M + n] (to round-off). Costs
   M - 1 products with H (the global run: M/2). Bitwise the same on any rank count. */
PetscErrorCode VitKpmLocalMoments(VitKpmOperator op, const VitSpectrumProblem *prob, const VitKpm *kpm, PetscReal local[]);
/* Splitmix64 hash and the Rademacher sign it gives (exposed for tests). */
uint64_t  VitSplitMix64(uint64_t x);
PetscReal VitRademacher(PetscInt64 seed, PetscInt gid, PetscInt component, PetscInt vector);

/* ---- Exact eigenvalues (eigenvalues.c) ------------------------------------------------------- */
/* All d N eigenvalues of H, ascending, on every rank (dense LAPACK on a redundant copy: for small
   samples only, n^2 doubles per rank and ~ 4/3 n^3 flops); assembled H only. */
PetscErrorCode VitSpectrumAllEigenvalues(const VitSpectrumProblem *prob, PetscReal **lambda);
/* Default of -vdos_exact_max_dof: ~25 s of reference LAPACK (3 s with OpenBLAS), 134 MB per rank. */
#define VIT_VDOS_EXACT_MAX_DOF 4096
/* /spectrum/vdos/eigenvalues of a spectrum output (the d translations removed), checked finite and
   sorted, with the written frequency per sqrt(eigenvalue) and the dimension; *found false (nothing
   read) when absent. */
PetscErrorCode VitSpectrumEigenvaluesRead(VitH5 *h5, PetscInt *n, PetscReal **lambda, PetscReal *omega_scale, PetscInt *dim, PetscBool *found);

/* ---- VDOS from stored moments (vdos.c) -------------------------------------------------------- */
/* The moments and interval of a spectrum output (/spectrum/kpm) and omega_scale, the written
   frequency per unit of sqrt(eigenvalue), and the sample's dimension; *found false (nothing read) when the file has no
   /spectrum/kpm/omega_scale (no KPM, or written by an older vitrum). */
PetscErrorCode VitKpmRead(VitH5 *h5, VitKpm *kpm, PetscReal *omega_scale, PetscInt *dim, PetscBool *found);
/* Gaussian-broadened VDOS of a KPM run, in omega = sqrt(lambda): every state's Gaussian of width
   sigma mirrored at omega = 0, so D integrates to 1 over omega >= 0. */
typedef struct {
  PetscReal  sigma, h;  /* width; cells of width h in omega (sigma/16 from KPM moments, sigma/64 from eigenvalues) */
  PetscInt   ncell;
  PetscReal *share;     /* share of the states in each cell (Jackson-damped KPM counts) */
} VitBroadenedVdos;
PetscErrorCode VitBroadenedVdosCreate(const VitKpm *kpm, PetscReal sigma, VitBroadenedVdos *b);
/* The same from n exact eigenvalues, sorted ascending (no KPM noise). */
PetscErrorCode VitBroadenedVdosCreateFromEigenvalues(PetscInt n, const PetscReal lambda[], PetscReal sigma, VitBroadenedVdos *b);
PetscErrorCode VitBroadenedVdosDestroy(VitBroadenedVdos *b);
PetscReal      VitBroadenedVdosDensity(const VitBroadenedVdos *b, PetscReal omega);
PetscReal      VitBroadenedVdosCumulative(const VitBroadenedVdos *b, PetscReal omega);
/* Maximum of D/omega^(d-1) on [lo, hi], found continuously (golden section); true when it is an end. */
PetscBool VitBroadenedBosonPeak(const VitBroadenedVdos *b, PetscInt dim, PetscReal lo, PetscReal hi, PetscReal *omega, PetscReal *height);

/* Jackson resolution in omega at omega for M moments on [lo, hi]: pi (hi - lo)/(2M) / (2 omega);
   and the moments that give the resolution domega at omega, a real: a tiny domega asks for more
   than the largest PetscInt (the caller clamps before any cast). */
PetscReal VitKpmResolution(PetscReal lo, PetscReal hi, PetscInt M, PetscReal omega);
PetscReal VitKpmMomentsForResolution(PetscReal lo, PetscReal hi, PetscReal omega, PetscReal domega);
/* Eigenvalue below which a share q of the KPM's states lie. */
PetscErrorCode VitKpmQuantile(const VitKpm *kpm, PetscReal q, PetscReal *lambda);
/* High-frequency outliers (omega units): count of states above omega_cut = 1.5 omega_90 up to
   omega_top = sqrt(lambda_max), and the factor by which they stretch the interval. */
typedef struct {
  PetscReal omega90, omega_cut, omega_top, count, stretch;
} VitKpmOutliers;
PetscErrorCode VitKpmFindOutliers(const VitKpm *kpm, VitKpmOutliers *out);

/* ---- Derived quantities (derived.c) ------------------------------------------------------------ */
/* Harmonic heat capacity per atom in units of k_B at temperatures T (in units of hbar omega / k_B):
   C/N = d sum_bins D(omega) domega x^2 e^x / (e^x - 1)^2, x = omega / T. */
void VitHeatCapacity(PetscInt dim, PetscInt nbins, const PetscReal omega[], const PetscReal D[], PetscReal domega, PetscInt nT, const PetscReal T[], PetscReal cv[]);
/* Same from a list of mode frequencies (each mode weighs 1/natoms). */
void VitHeatCapacityModes(PetscInt nmodes, const PetscReal omega[], PetscInt natoms, PetscInt nT, const PetscReal T[], PetscReal cv[]);
/* Maximum of D(omega)/omega^(d-1) for omega >= omega_min. Returns true when it sits on a bound of
   that range (the first bin at or above omega_min, or the last bin): then it is no peak. */
PetscBool VitBosonPeak(PetscInt dim, PetscInt nbins, const PetscReal omega[], const PetscReal D[], PetscReal omega_min, PetscReal *omega_bp, PetscReal *height);

/* ---- Commands (cmd_spectrum.c, cmd_response.c) ------------------------------------------------ */
/* The spectrum command's work on one sample file (options from the database), writing out;
   boson_warning: warn when the boson peak search finds no peak (features: when a target asks for it). */
PetscErrorCode VitSpectrumRunSample(MPI_Comm comm, const char sample[], const char out[], PetscBool boson_warning);
/* -help of the commands that run it (features, pipeline): lists every option the spectrum command reads. */
PetscErrorCode VitSpectrumOptionsHelp(MPI_Comm comm);
/* Reads and checks every option of VitSpectrumRunSample that needs no sample, its stages' included
   (VitModesCheckOptions, VitKpmCheckOptions): the commands that run it call this before they read
   a sample, so that a bad value stops them at once. */
PetscErrorCode VitSpectrumCheckOptions(MPI_Comm comm);

#endif
