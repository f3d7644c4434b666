/* The linear structure-property model (module src/fit/): datasets, parallel TSQR, ridge path.

   A dataset is n rows (samples or atoms) of p features X and t targets Y (/dataset in HDF5).
   `fit` solves min ||Y - X W^T - 1 b^T||_F^2 + lambda ||Gamma (W - W0)^T||_F^2 on the training rows
   (W0: the prior, 0 unless -fit_prior; solved as ridge on the shifted targets Y - X W0^T),
   with X centred (and scaled by its standard deviation with -fit_standardize) before the penalty,
   Gamma = I (plain ridge) or the Cholesky factor of I + mu L^T L (L: first or second differences
   along r within each partial, -fit_smooth). See docs/fit.md. */
#ifndef VITRUM_FIT_H
#define VITRUM_FIT_H

#include <vitrum/domain.h>
#include <vitrum/structure.h>

/* An upper-trapezoidal k x ncols factor R, column-major with leading dimension k. */
typedef struct {
  PetscInt   k, ncols;
  PetscReal *a;
} VitTriangle;

PetscErrorCode VitTriangleCreate(PetscInt k, PetscInt ncols, VitTriangle *R); /* zeroed */
PetscErrorCode VitTriangleDestroy(VitTriangle *R);

/* R of the QR factorisation of the blocks stacked on top of each other (each block any
   k_i x ncols column-major matrix); R has min(sum k_i, ncols) rows. */
PetscErrorCode VitQRStack(PetscInt nblocks, const VitTriangle blocks[], VitTriangle *R);

/* Parallel TSQR: R of the matrix whose rows are distributed over comm, each rank giving its
   rows as `local` (m x ncols, m may be 0). A local QR, then a binary reduction tree over ranks
   (rank r + s sends its R to rank r at level s), then a broadcast: R is returned on every rank. */
PetscErrorCode VitTSQR(MPI_Comm comm, const VitTriangle *local, VitTriangle *R);

/* The ridge path from the R factor of the training block [1 X Y] (1 + p + t columns, X and Y
   centred). Row 0 of R carries the intercept, which is not penalised; the rest, R' (rows 1..),
   is the R of the centred problem: R' = [R_X  Q^T Y]. With Gamma, R_X <- R_X Gamma^{-1}, then
   R_X = U diag(s) V^T (thin SVD) and for every lambda
       W^T = Gamma^{-1} V diag(s / (s^2 + lambda)) U^T Q^T Y. */
typedef struct {
  PetscInt   p, t, r;    /* features, targets, number of singular values */
  PetscReal *s;          /* r singular values */
  PetscReal *V;          /* p x r, column-major */
  PetscReal *C;          /* U^T Q^T Y, r x t */
  PetscReal  rss_perp;   /* ||(I - U U^T) Q^T Y||^2: residual no lambda can remove */
  PetscReal *row0;       /* row 0 of R (1 + p + t), for the intercept */
  const struct _VitPenalty *gamma; /* the smoothness penalty's factor, or NULL; not owned */
} VitRidgePath;

/* Smoothness penalty: Gamma, the upper Cholesky factor of Gamma^T Gamma = I + mu sum_g L_g^T L_g,
   L_g the order-th difference operator on the features of group g (consecutive features that
   share a group id). Gamma is banded (kd = order superdiagonals) and kept in LAPACK's band storage:
   ab[(kd + i - j) + j (kd + 1)] = Gamma_ij for j - kd <= i <= j, so that its factorisation and
   solves cost O(p kd^2) instead of O(p^3). */
typedef struct _VitPenalty {
  PetscInt   p, kd;
  PetscReal *ab;
} VitPenalty;

PetscErrorCode VitRidgePathCreate(const VitTriangle *R, PetscInt p, PetscInt t, const VitPenalty *gamma, VitRidgePath *path);
PetscErrorCode VitRidgePathDestroy(VitRidgePath *path);
/* Coefficients for one lambda: Wt (p x t column-major, i.e. W as t x p row-major) and the
   intercept b (t) in the centred/scaled units of the R's columns. */
PetscErrorCode VitRidgePathSolve(const VitRidgePath *path, PetscReal lambda, PetscReal *Wt, PetscReal *b);
/* Training residual sum of squares and effective degrees of freedom sum s^2/(s^2+lambda). */
void VitRidgePathRSS(const VitRidgePath *path, PetscReal lambda, PetscReal *rss, PetscReal *df);
/* Sum of squared errors of (Wt, b) on a block whose R factor of [1 X Y] is Rk: ||Rk [-b; -W^T; I]||^2. */
PetscErrorCode VitRidgeBlockError(const VitTriangle *Rk, PetscInt p, PetscInt t, const PetscReal *Wt, const PetscReal *b, PetscReal *sse);

/* Predictions of the linear model for nrows rows: Yhat = X W^T + 1 b^T (X nrows x p row-major,
   W t x p row-major, Yhat nrows x t row-major). */
PetscErrorCode VitLinearPredict(PetscInt nrows, PetscInt p, PetscInt t, const PetscReal *X, const PetscReal *W, const PetscReal *b, PetscReal *Yhat);

/* The factor Gamma of the smoothness penalty of the given order and weight mu (order 0 or mu 0:
   Gamma = I, kd = 0); VitPenaltyDestroy frees it. */
PetscErrorCode VitSmoothPenalty(PetscInt p, const PetscInt group[], PetscInt order, PetscReal mu, VitPenalty *gamma);
PetscErrorCode VitPenaltyDestroy(VitPenalty *gamma);

/* Feature names "NAME(r=VALUE)" (e.g. "g_A-B(r=1.005)", also "(q=", "(omega="): the group name
   before the last "(" and the value after "=". Names without "(x=" give group = the whole name
   and r = index. */
void VitFeatureNameParse(const char name[], char group[], size_t len, PetscReal *r, PetscInt index);
/* Group ids (0, 1, ...) of consecutive features with the same group name. */
PetscErrorCode VitFeatureGroups(PetscInt p, char *const names[], PetscInt group[], PetscReal r[]);
/* Species a[i] <= b[i] of every feature "g_A-B(r=...)" among the ntypes names, and its r (may be
   NULL); *bad = the first feature that is not such a partial, -1 when all are. */
void VitFeatureSpeciesPairs(PetscInt p, char *const names[], PetscInt ntypes, const char type_names[][VIT_NAME_LEN], PetscInt a[], PetscInt b[], PetscReal r[], PetscInt *bad);

/* Deterministic permutation of 0..n-1 from a seed (the same on every rank and for any rank count):
   position pos[i] of sample i. Held-out rows are those with pos < ntest; fold of a training row:
   (pos - ntest) % K. */
PetscErrorCode VitSamplePositions(PetscInt n, PetscInt64 seed, PetscInt pos[]);
/* Held out by -fit_test_fraction f of n units: round(f n), those with pos < it. */
PetscInt VitFitHeldOut(PetscReal fraction, PetscInt n);
#define VIT_FIT_TEST_FRACTION 0.2 /* default -fit_test_fraction of fit and the pipeline */

/* Profiles on a grid (src/fit/profile.c). Gaussian smoothing in place:
   g_s(x_i) = sum_j g(x_j) w_ij / sum_j w_ij, w_ij = exp(-(x_i - x_j)^2 / (2 sigma^2)) (sigma <= 0: none). */
PetscErrorCode VitGaussianSmooth(PetscInt nx, const PetscReal x[], PetscReal sigma, PetscReal g[]);
/* A profile (x increasing, g) on a model's grid of bin centres xi with spacing h. A profile point's
   bin ends halfway to its neighbours (the end bins as wide as their neighbours); Edges: the range
   [lo, hi] of those bins (one point: x +- h/2). The profile covers the model when its bins cover the
   model's bins [xi[0] - h/2, xi[ni-1] + h/2] (tolerance 1e-6 h). Pick: the values at the points of
   xi when the profile's grid has the same spacing there and contains every xi. Rebin: the average of
   the profile's bins over each model bin [xi - h/2, xi + h/2], weighted by the volume of the shell
   each overlap spans in dim dimensions (r_b^dim - r_a^dim; dim 1: the width), as a histogram
   g = counts / shell volume re-bins exactly; PETSC_FALSE when the profile does not cover the model. */
typedef enum { VIT_GRID_SAME, VIT_GRID_DIFFERS, VIT_GRID_UNCOVERED } VitGridMatch;
void         VitProfileEdges(PetscInt nx, const PetscReal x[], PetscReal h, PetscReal *lo, PetscReal *hi);
VitGridMatch VitProfilePick(PetscInt nx, const PetscReal x[], const PetscReal g[], PetscInt ni, const PetscReal xi[], PetscReal h, PetscReal gi[]);
PetscBool    VitProfileRebin(PetscInt nx, const PetscReal x[], const PetscReal g[], PetscInt ni, const PetscReal xi[], PetscReal h, PetscInt dim, PetscReal gi[]);
/* The number of leading points of a profile (x increasing) whose bins begin below rmax (tolerance
   tol): the part that overlaps a training range [0, rmax], over which predict smooths as features did. */
PetscInt     VitProfilePointsBelow(PetscInt nx, const PetscReal x[], PetscReal rmax, PetscReal tol);

/* Per-atom features (src/fit/atoms.c): for every owned atom i of species a and every species b,
   the Gaussian-broadened local partial RDF
       g_i,ab(r_k) = sum_{j of species b, |r_ij| < rmax + 5 sigma} exp(-(r_k - r_ij)^2 / (2 sigma^2))
                     / (sqrt(2 pi) sigma rho_b S_d r_k^{d-1}),   rho_b = N_b / V,
   which averages to g_ab(r) over the atoms of species a. rows: nowned x p, p = ntypes^2 nr,
   column (a ntypes + b) nr + k; the columns of the other centre species are zero. The domain
   must have ghosts out to rmax + 5 sigma. */
PetscErrorCode VitAtomFeatures(VitDomain *dom, const VitSample *sample, PetscInt nr, const PetscReal r[], PetscReal sigma, PetscReal **rows);

/* A dataset (/dataset in an HDF5 file) with its rows split in contiguous blocks over comm. */
typedef struct {
  char       path[PETSC_MAX_PATH_LEN];
  PetscInt   n, p, t;            /* rows, features, targets (global) */
  PetscInt   nlocal, row_start;  /* this rank's rows */
  PetscReal *X, *Y;              /* local rows, row-major: nlocal x p and nlocal x t */
  char     **feature_names, **target_names, **sample_names; /* on every rank */
  /* Per-atom datasets (features -features_per_atom): the sample of every row (n, every rank) and
     the sample names; NULL otherwise. fit holds out and folds whole samples then. */
  PetscInt  *row_sample, nsamples;
  char     **samples;
  PetscReal  feature_smooth;     /* Gaussian width the features were smoothed with (0: none) */
  PetscReal  rdf_dr, rdf_rmax;   /* grid of the rdf outputs the features came from (0: unknown) */
  PetscReal  atom_sigma;         /* per-atom datasets: broadening of the local g_i(r) (0: not per-atom) */
  VitScattering scattering;      /* features -features_total: the weights of the total (radiation NONE: partials) */
  /* Composition of the ensemble (/dataset/structure, written by features from the rdf outputs):
     needed for the exact <omega^2> kernel of a pair potential. */
  PetscBool  has_structure;
  PetscInt   dim, ntypes;
  PetscReal  density, type_fraction[VIT_MAX_TYPES];
  PetscReal  density_range[2];   /* the samples' smallest and largest density (older datasets: the mean) */
  PetscReal  natoms;             /* mean atoms per sample (0: unknown, taken as large) */
  char       units_style[16];    /* the samples' unit style (the density's units_style attribute; "": unknown) */
  char       type_names[VIT_MAX_TYPES][VIT_NAME_LEN];
  /* The pair potential the spectra were computed with, on the feature grid (features with a pair
     -potential and partial g(r) features, /dataset/structure/pair_phi ...): phi, phi', phi'' of each
     feature's pair at its r, 3 p values (phi, then phi', then phi''), every rank; NULL otherwise.
     And the species' masses (has_masses), which the exact <omega^2> kernel needs. */
  PetscReal *pair_table;
  char       pair_potential[64];
  PetscBool  has_masses;
  PetscReal  type_mass[VIT_MAX_TYPES];
} VitDataset;

/* Read and check a dataset: shapes agree, names present, every value finite (a NaN or Inf is
   reported with the sample's name and the column's name). */
PetscErrorCode VitDatasetRead(MPI_Comm comm, const char path[], VitDataset *ds);
PetscErrorCode VitDatasetDestroy(VitDataset *ds);

/* /model/W (t x p, row-major) and /model/b (t) of an open model file, read on every rank of comm:
   sizes checked against the p features and t targets named, every value finite (else one error
   naming path, the entry and its target and feature: the file is damaged). predict and the
   pipeline's evaluation read a model's weights with it. */
PetscErrorCode VitModelWeightsRead(MPI_Comm comm, VitH5 *h5, const char path[], PetscInt p, PetscInt t, char *const feature_names[], char *const target_names[], PetscReal **W, PetscReal **b);
/* For each of n names the index of its first occurrence (first[i] == i: not seen before). */
PetscErrorCode VitNameFirstOccurrence(PetscInt n, char *const names[], PetscInt first[]);

/* Sample paths from -samples PATTERN... (each pattern's matches sorted; several patterns or files
   may follow -samples, as an unquoted glob expanded by the shell gives) or else -sample_list FILE
   (one path a line; blank lines and # comments skipped); none when both are empty. Every rank
   reads them. */
PetscErrorCode VitSamplePathsGet(MPI_Comm comm, const char samples[], const char sample_list[], PetscInt *n, char ***paths);
/* Reads and checks features' options, and where it may compute spectra every option of the
   spectrum command that needs no sample (VitSpectrumCheckOptions), as features does before it
   reads a sample: pipeline calls it before its first stage (src/fit/cmd_features.c). */
PetscErrorCode VitFeaturesCheckOptions(MPI_Comm comm);
/* The target groups of features (a target's name up to '(': D of D(omega=...)): the
   -features_targets token that gives a group (vdos for D; NULL: not a target of features); all
   groups as a comma list; whether a -features_targets list gives a group (by its token, by scalars
   or moments); and, before any spectrum is computed, one error line (what: the option that asks
   for it) where a group needs a spectrum option that is missing or off (low_mode_count:
   -spectrum_count_omega). src/fit/cmd_features.c. */
const char    *VitFeaturesTargetToken(const char group[]);
void           VitFeaturesTargetGroups(char list[], size_t len);
PetscBool      VitFeaturesTargetsGive(const char targets[], const char group[]);
PetscErrorCode VitFeaturesTargetCheckOptions(MPI_Comm comm, const char what[], const char group[]);

#endif
