/* vitrum response: first-order responses of the spectrum of a sample's dynamical matrix.

     vitrum response -sample glass.data -potential ka3d [-response_nev 10] [-response_strain iso]
                     [-response_param lj_epsilon -response_param_index 1] [-response_dipole_pairs 20]

   Eigenvalue shifts, first order: d lambda_n / dp = e_n^T (dH/dp) e_n (Hellmann-Feynman) for a mode
   of its own, and within a degenerate multiplet (E: its modes) the eigenvalues of E^T (dH/dp) E.
   dH/deps of the affine strain (the box changes, fractional coordinates do not) is analytic where
   the potential gives it (pair potentials, EAM: the derivative along the branch the sample sits on,
   with its pairs and spline cells as they are), else a central difference (H(h) - H(-h)) / 2h,
   checked at 2h; dH/dp of a potential parameter is a central difference; for the mass m_s of
   species s exactly: D = M^-1/2 K M^-1/2 gives dD/dm_s = -(P_s D + D P_s) / 2 m_s.
   Mode Grueneisen parameters gamma_n = -d ln omega_n / d ln V = -(1 / (2 d lambda_n)) d lambda_n / d eps
   for the isotropic strain eps (V = (1 + eps)^d V0).
   Static dipole responses: K u = f for a force dipole f_i = -n, f_j = +n on a pair (n = unit vector
   from i to j; in a small box each periodic image of j within the radius gives a dipole of its own), solved as D w = M^-1/2 f (CG + GAMG, or point-block Jacobi where GAMG would not
   fit in memory; translations removed with MatSetNullSpace, and the soft modes, within 1e-6
   Tr(H)/(dN) of zero, as minimize's curvature check takes them), u = M^-1/2 w; dipole stiffness
   kappa = f^T K^+ f over the other modes, and the radial decay of |u|^2 around the pair.
   The modes are computed as `vitrum spectrum` computes them (-spectrum_method, with its fallback
   from shift-and-invert to twolevel where MUMPS's factor would not fit). */
#include <vitrum/commands.h>
#include <vitrum/spectrum.h>
#include <vitrum/structure.h>
#include "block.h"

/* Strain shifts by central differences (potentials without an analytic dH/deps): those at the step
   h and at 2h differing by more than this, relative to max(|lambda|, |shifts|), are flagged. Smooth,
   they differ by h^2 lambda'''/2, which near an avoided crossing of two modes reaches ~1e-4 of it
   at the default h = 1e-5 (a Tersoff crystal with random masses), and by round-off ~1e-16 |H|/h;
   a distance that crosses a kink of the potential within the step moves them by its jump in H over
   2h, far more. */
#define STRAIN_STEPS_RTOL 1e-3

typedef struct {
  char            out[PETSC_MAX_PATH_LEN], strain[8], param[64], pc_type[64];
  VitModesOptions modes;
  PetscInt        param_index, npairs, nbins, seed;
  PetscReal       strain_step, param_step, pair_rmax, factor_max_mb, factor_max_flops, precond_max_mb;
  PetscBool       masses, strain_step_set;
} ResponseOptions;

static PetscErrorCode ResponseReadOptions(MPI_Comm comm, ResponseOptions *o)
{
  PetscBool set, method_set, eps_target;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(o, sizeof(*o)));
  o->modes.method       = VIT_MODES_SINVERT;
  o->modes.nev          = 10;
  o->modes.bounds_steps = VIT_KPM_BOUNDS_STEPS; /* the chebyshev/filter interval as spectrum's defaults make it */
  o->modes.seed         = 1;
  o->factor_max_flops = VIT_FACTOR_MAX_FLOPS;
  o->strain_step  = 1e-5;
  o->param_step   = 1e-4;
  o->masses       = PETSC_TRUE;
  o->npairs       = 10;
  o->pair_rmax    = 0;
  o->nbins        = 20;
  o->seed         = 1;
  PetscCall(PetscStrcpy(o->strain, "iso"));
  PetscOptionsBegin(comm, NULL, "vitrum response: eigenvalue shifts and dipole responses (see docs/spectrum.md)", "vitrum");
  PetscCall(VitOptionsString("-o", "output HDF5 file (default: the sample's file name without its extension + .response.h5, in the current folder)", NULL, o->out, o->out, sizeof(o->out), NULL));
  PetscCall(PetscOptionsInt("-response_nev", "lowest non-zero modes whose eigenvalue shifts are computed, with the rest of the last one's degenerate multiplet (0: none; by default 10, or all of a sample with fewer)", NULL, o->modes.nev, &o->modes.nev, &set));
  o->modes.nev_default = (PetscBool)!set;
  o->modes.nev_option  = "-response_nev";
  PetscCall(PetscOptionsEnum("-spectrum_method", "eigensolver of those modes, as for vitrum spectrum (default: sinvert where MUMPS estimates at most 1e6 flops per degree of freedom for a factorisation of H, else twolevel): sinvert (shift-and-invert with MUMPS; twolevel when the factor exceeds -spectrum_factor_max_memory or -spectrum_factor_max_flops), twolevel, chebyshev, filter, lobpcg, dense", NULL, VitModesMethods, (PetscEnum)o->modes.method, (PetscEnum *)&o->modes.method, &method_set));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-eps_target", &eps_target));
  o->modes.method_default = (PetscBool)!(method_set || eps_target);
  PetscCall(PetscOptionsReal("-spectrum_factor_max_memory", "MB (all ranks) a MUMPS factor of H may take, as MUMPS's analysis estimates it, for sinvert; larger: twolevel, with a note (0: half the memory available: the least of MemAvailable and what is left under the job's memory limit (cgroup))", NULL, o->factor_max_mb, &o->factor_max_mb, NULL));
  PetscCall(PetscOptionsReal("-spectrum_factor_max_flops", "flops per rank a MUMPS factorisation of H may take, as MUMPS's analysis estimates them (of the atom graph, times d^3), for sinvert; larger: twolevel, with a note (1e12: a minute or two at 10 GFlop/s per rank; 0: no limit)", NULL, o->factor_max_flops, &o->factor_max_flops, NULL));
  PetscCall(VitOptionsString("-response_strain", "strain for the eigenvalue shifts: iso, xx, yy, zz, xy, xz, yz, or none", NULL, o->strain, o->strain, sizeof(o->strain), NULL));
  PetscCall(PetscOptionsReal("-response_strain_step", "central-difference step h of the strain, in (0, 1e-2], for potentials without an analytic dH/deps (tersoff, sw; checked against 2h)", NULL, o->strain_step, &o->strain_step, &o->strain_step_set));
  PetscCall(VitOptionsString("-response_param", "parameter of the potential (an option, without '-') whose value list is perturbed: lj_epsilon, lj_sigma, lj_cutoff or lj_cutoff_sigma for the pair potentials (the many-body ones have none: their parameters are in the file)", NULL, o->param, o->param, sizeof(o->param), NULL));
  PetscCall(PetscOptionsInt("-response_param_index", "entry of the option's value list to perturb (0-based)", NULL, o->param_index, &o->param_index, NULL));
  PetscCall(PetscOptionsReal("-response_param_step", "central-difference step h of the parameter (the value +-h must lie in the parameter's range)", NULL, o->param_step, &o->param_step, NULL));
  PetscCall(PetscOptionsBool("-response_masses", "eigenvalue shifts with respect to the mass of each species", NULL, o->masses, &o->masses, NULL));
  PetscCall(PetscOptionsInt("-response_dipole_pairs", "force dipoles on this many pairs closer than -response_dipole_rmax, each periodic image of a pair within it a dipole of its own (-1: all, 0: none)", NULL, o->npairs, &o->npairs, NULL));
  PetscCall(PetscOptionsReal("-response_dipole_rmax", "largest pair distance of the dipoles, at most the ghost width (the potential's cutoff; two for many-body potentials) (0: 1.6 times the mean spacing (V/N)^(1/d), (A/N)^(1/2) for a sheet, 1.5 sigma in KA glasses, at most the ghost width)", NULL, o->pair_rmax, &o->pair_rmax, NULL));
  PetscCall(PetscOptionsInt("-response_dipole_bins", "distance bins of the response decay |u|^2(r)", NULL, o->nbins, &o->nbins, NULL));
  PetscCall(PetscOptionsInt("-response_dipole_seed", "seed of the choice of pairs", NULL, o->seed, &o->seed, NULL));
  PetscCall(VitOptionsString("-response_pc_type", "preconditioner of the dipole solver's CG (a PETSc PCType; default gamg, pbjacobi above -response_precond_max_memory); -response_ksp_* and -response_pc_* reach that solver", NULL, o->pc_type, o->pc_type, sizeof(o->pc_type), NULL));
  PetscCall(PetscOptionsReal("-response_precond_max_memory", "MB (all ranks) the dipole solver's multigrid may take (an AIJ copy of H and GAMG's levels, estimated at 100 kB per atom); larger: point-block Jacobi on H, with a note (0: half the memory available: the least of MemAvailable and what is left under the job's memory limit (cgroup))", NULL, o->precond_max_mb, &o->precond_max_mb, NULL));
  PetscOptionsEnd();
  PetscCheck(o->modes.nev >= 0, comm, PETSC_ERR_USER_INPUT, "-response_nev %" PetscInt_FMT ": must be >= 0 (0: no eigenvalue shifts)", o->modes.nev);
  PetscCheck(o->strain_step > 0 && o->strain_step <= 1e-2, comm, PETSC_ERR_USER_INPUT, "-response_strain_step %.6g: must lie in (0, 1e-2] (a strain; first-order shifts need a small one)", (double)o->strain_step);
  PetscCall(VitCheckPositiveReal(comm, "-response_param_step", o->param_step, PETSC_FALSE, NULL));
  PetscCheck(o->npairs >= -1, comm, PETSC_ERR_USER_INPUT, "-response_dipole_pairs %" PetscInt_FMT ": give a number of pairs, -1 for all or 0 for none", o->npairs);
  PetscCall(VitCheckPositiveReal(comm, "-response_dipole_rmax", o->pair_rmax, PETSC_TRUE, "a distance; 0: the default"));
  PetscCall(VitCheckPositiveReal(comm, "-spectrum_factor_max_flops", o->factor_max_flops, PETSC_TRUE, "flops; 0: no limit"));
  PetscCall(VitCheckPositiveReal(comm, "-spectrum_factor_max_memory", o->factor_max_mb, PETSC_TRUE, "MB; 0: half the memory available"));
  PetscCall(VitCheckPositiveReal(comm, "-response_precond_max_memory", o->precond_max_mb, PETSC_TRUE, "MB; 0: half the memory available"));
  PetscCheck(o->nbins >= 1 && o->nbins <= 1000000, comm, PETSC_ERR_USER_INPUT, "-response_dipole_bins %" PetscInt_FMT ": must be between 1 and 1000000", o->nbins);
  PetscFunctionReturn(0);
}

/* ---- Eigenvalue shifts ----------------------------------------------------------------------------- */
/* The modes in degenerate multiplets: runs of eigenvalues within VIT_MULTIPLET_RTOL of each other
   (relative), as the solvers' multiplet completion groups them. Multiplet b holds the modes
   first[b] .. first[b + 1] - 1 (k_b of them, at most kmax); the k_b x k_b matrix of a perturbation's
   elements e_m^T dH e_n among them starts at block[b] of a packed array (block[n]: its size). */
typedef struct {
  PetscInt n, kmax, *first, *block;
} Multiplets;

static PetscErrorCode MultipletsCreate(const VitModes *modes, Multiplets *mp)
{
  PetscFunctionBegin;
  PetscCall(PetscMalloc2(modes->k + 1, &mp->first, modes->k + 1, &mp->block));
  mp->n = mp->kmax = mp->first[0] = mp->block[0] = 0;
  for (PetscInt m = 1; m <= modes->k; m++) {
    PetscInt k;
    if (m < modes->k && PetscAbsReal(modes->eigenvalue[m] - modes->eigenvalue[m - 1]) <= VIT_MULTIPLET_RTOL * PetscAbsReal(modes->eigenvalue[m])) continue;
    k                    = m - mp->first[mp->n];
    mp->kmax             = PetscMax(mp->kmax, k);
    mp->block[mp->n + 1] = mp->block[mp->n] + k * k;
    mp->first[++mp->n]   = m;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode MultipletsDestroy(Multiplets *mp)
{
  PetscFunctionBegin;
  PetscCall(PetscFree2(mp->first, mp->block));
  PetscFunctionReturn(0);
}

/* First-order eigenvalue shifts from a perturbation's elements P: within each multiplet the
   eigenvalues of its block, ascending (degenerate perturbation theory: e_n^T dH e_n of the single
   vectors would depend on the basis the solver returned, and so on the rank count); e_n^T dH e_n
   for a mode of its own. */
static PetscErrorCode MultipletShifts(const VitSpectrumProblem *prob, const Multiplets *mp, const PetscReal P[], PetscReal dlambda[])
{
  PetscReal *A;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(mp->kmax * mp->kmax, &A));
  for (PetscInt b = 0; b < mp->n; b++) {
    const PetscInt k = mp->first[b + 1] - mp->first[b];
    PetscCall(PetscArraycpy(A, P + mp->block[b], k * k));
    if (k == 1) dlambda[mp->first[b]] = A[0];
    else PetscCall(VitBlockSymmetricEigen(prob, "response", k, A, dlambda + mp->first[b]));
  }
  PetscCall(PetscFree(A));
  PetscFunctionReturn(0);
}

/* P = (Pp - Pm) / 2h: the elements of a central difference. */
static void CentralDifference(const Multiplets *mp, const PetscReal Pp[], const PetscReal Pm[], PetscReal h, PetscReal P[])
{
  for (PetscInt q = 0; q < mp->block[mp->n]; q++) P[q] = (Pp[q] - Pm[q]) / (2 * h);
}

/* pos[i]: dom's owned atom i in ref's order of the same atoms. */
static PetscErrorCode OwnedPositions(const VitDomain *ref, const VitDomain *dom, PetscInt pos[])
{
  PetscInt *gid, *perm;
  PetscBool same = (PetscBool)(dom->nowned == ref->nowned);

  PetscFunctionBegin;
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &same, 1, MPIU_BOOL, MPI_LAND, dom->comm));
  PetscCheck(same, dom->comm, PETSC_ERR_PLIB, "perturbed sample distributes the atoms differently");
  PetscCall(PetscMalloc2(ref->nowned, &gid, ref->nowned, &perm));
  for (PetscInt i = 0; i < ref->nowned; i++) {
    gid[i]  = ref->gid[i];
    perm[i] = i;
  }
  PetscCall(PetscSortIntWithPermutation(ref->nowned, gid, perm));
  for (PetscInt i = 0; i < ref->nowned; i++) gid[i] = ref->gid[perm[i]];
  for (PetscInt i = 0; i < dom->nowned; i++) {
    PetscInt k;
    PetscCall(PetscFindInt(dom->gid[i], ref->nowned, gid, &k));
    PetscCheck(k >= 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "atom %" PetscInt_FMT " changed rank in the perturbed sample", dom->gid[i]);
    pos[i] = perm[k];
  }
  PetscCall(PetscFree2(gid, perm));
  PetscFunctionReturn(0);
}

/* P (Multiplets) = e_m^T A e_n within each multiplet, symmetrised, for A whose block rows are dom's
   owned atoms, the modes given in ref's order (the same atoms on each rank, maybe in another order). */
static PetscErrorCode MultipletForms(const VitDomain *ref, const VitDomain *dom, Mat A, const VitModes *modes, const Multiplets *mp, PetscReal P[])
{
  const PetscInt d = dom->dim;
  PetscInt      *pos;
  PetscScalar   *dots;
  Vec           *X, *Y, v;

  PetscFunctionBegin;
  PetscCall(PetscMalloc2(dom->nowned, &pos, mp->kmax, &dots));
  PetscCall(OwnedPositions(ref, dom, pos));
  PetscCall(MatCreateVecs(A, &v, NULL));
  PetscCall(VecDuplicateVecs(v, mp->kmax, &X));
  PetscCall(VecDuplicateVecs(v, mp->kmax, &Y));
  for (PetscInt b = 0; b < mp->n; b++) {
    const PetscInt k = mp->first[b + 1] - mp->first[b];
    PetscReal     *Pb = P + mp->block[b];
    for (PetscInt j = 0; j < k; j++) {
      const PetscScalar *e;
      PetscScalar       *x;
      PetscCall(VecGetArrayRead(modes->vector[mp->first[b] + j], &e));
      PetscCall(VecGetArray(X[j], &x));
      for (PetscInt i = 0; i < dom->nowned; i++)
        for (PetscInt c = 0; c < d; c++) x[i * d + c] = e[pos[i] * d + c];
      PetscCall(VecRestoreArray(X[j], &x));
      PetscCall(VecRestoreArrayRead(modes->vector[mp->first[b] + j], &e));
      PetscCall(MatMult(A, X[j], Y[j]));
    }
    for (PetscInt j = 0; j < k; j++) {
      PetscCall(VecMDot(X[j], k, Y, dots));
      for (PetscInt l = 0; l < k; l++) Pb[j * k + l] = PetscRealPart(dots[l]);
    }
    for (PetscInt j = 0; j < k; j++)
      for (PetscInt l = j + 1; l < k; l++) Pb[j * k + l] = Pb[l * k + j] = 0.5 * (Pb[j * k + l] + Pb[l * k + j]);
  }
  PetscCall(VecDestroyVecs(mp->kmax, &X));
  PetscCall(VecDestroyVecs(mp->kmax, &Y));
  PetscCall(VecDestroy(&v));
  PetscCall(PetscFree2(pos, dots));
  PetscFunctionReturn(0);
}

/* S of the strain: x_a += eps x_b (ab; b >= a keeps LAMMPS' triangular box), or x *= 1 + eps in the
   sample's dimensions (iso). */
static PetscErrorCode StrainMatrix(const VitSystem *sys, const char strain[], PetscReal S[3][3])
{
  const char *valid[] = {"iso", "xx", "yy", "zz", "xy", "xz", "yz"}, *axes = "xyz";
  PetscBool   ok = PETSC_FALSE;

  PetscFunctionBegin;
  for (size_t k = 0; k < sizeof(valid) / sizeof(valid[0]); k++) ok = (PetscBool)(ok || !strcmp(strain, valid[k]));
  PetscCheck(ok && (sys->sample.dim == 3 || !strchr(strain, 'z')), sys->dom.comm, PETSC_ERR_USER_INPUT, "-response_strain %s: use iso, xx, yy, zz, xy, xz, yz (no z in 2D) or none", strain);
  PetscCall(PetscMemzero(S, 9 * sizeof(PetscReal)));
  if (!strcmp(strain, "iso"))
    for (PetscInt a = 0; a < sys->sample.dim; a++) S[a][a] = 1;
  else S[strchr(axes, strain[0]) - axes][strchr(axes, strain[1]) - axes] = 1;
  PetscFunctionReturn(0);
}

/* P = e_m^T H e_m' of a perturbed potential pot or sample (the same atoms, another box), on a domain
   of its own: its ghosts reach pot's ghost width (a parameter that moves the cutoff moves it). */
static PetscErrorCode PerturbedForms(const VitSystem *sys, VitPotential pot, const VitSample *sample, const VitModes *modes, const Multiplets *mp, PetscReal P[])
{
  VitDomain dom;
  Mat       H;
  char      grid[64];
  PetscBool set;

  PetscFunctionBegin;
  /* keep the process grid (chosen from the box widths) so that every rank keeps its atoms */
  PetscCall(PetscOptionsHasName(NULL, NULL, "-domain_grid", &set));
  PetscCall(PetscSNPrintf(grid, sizeof(grid), sys->dom.dim == 3 ? "%d,%d,%d" : "%d,%d", sys->dom.grid[0], sys->dom.grid[1], sys->dom.grid[2]));
  if (!set) PetscCall(PetscOptionsSetValue(NULL, "-domain_grid", grid));
  PetscCall(VitPotentialSetUpDomain(sys->dom.comm, pot, sample, 0, &dom));
  if (!set) PetscCall(PetscOptionsClearValue(NULL, "-domain_grid"));
  PetscCall(VitHessianCreate(pot, &dom, sample, MATBAIJ, sys->mass_weighted, &H));
  PetscCall(MultipletForms(&sys->dom, &dom, H, modes, mp, P));
  PetscCall(MatDestroy(&H));
  PetscCall(VitDomainDestroy(&dom));
  PetscFunctionReturn(0);
}

/* P = e_m^T H e_m' of the sample strained affinely by eps S (the box changes, fractional coordinates
   do not). */
static PetscErrorCode StrainedForms(const VitSystem *sys, const PetscReal S[3][3], PetscReal eps, const VitModes *modes, const Multiplets *mp, PetscReal P[])
{
  VitSample sample = sys->sample; /* shallow copy: only the box changes */

  PetscFunctionBegin;
  for (PetscInt r = 0; r < 3; r++) /* box vectors (rows) c -> (I + eps S) c */
    for (PetscInt a = 0; a < 3; a++)
      for (PetscInt b = 0; b < 3; b++) sample.cell[r][a] += eps * S[a][b] * sys->sample.cell[r][b];
  PetscCall(PerturbedForms(sys, sys->pot, &sample, modes, mp, P));
  PetscFunctionReturn(0);
}

/* Shifts from the central difference of H at the strains +-h. */
static PetscErrorCode StrainDifference(const VitSystem *sys, const VitSpectrumProblem *prob, const PetscReal S[3][3], PetscReal h, const VitModes *modes, const Multiplets *mp, PetscReal dlambda[])
{
  PetscReal *Pp, *Pm;

  PetscFunctionBegin;
  PetscCall(PetscMalloc2(mp->block[mp->n], &Pp, mp->block[mp->n], &Pm));
  PetscCall(StrainedForms(sys, S, h, modes, mp, Pp));
  PetscCall(StrainedForms(sys, S, -h, modes, mp, Pm));
  CentralDifference(mp, Pp, Pm, h, Pp);
  PetscCall(MultipletShifts(prob, mp, Pp, dlambda));
  PetscCall(PetscFree2(Pp, Pm));
  PetscFunctionReturn(0);
}

/* d lambda / d eps of the affine strain. With the potential's analytic dH/deps (pair potentials,
   EAM): the derivative along the branch the sample sits on, its pairs and spline cells as they are
   (potential.h: hessian_strain). Else (Tersoff, Stillinger-Weber) central differences of H at +-h,
   checked against those at +-2h: where a distance crosses a kink of the potential (Tersoff's
   cutoff function has a jump in its second derivative) within the step, H jumps and the two
   differ; such modes are flagged (unreliable[n] = 1, *nflagged of them). */
static PetscErrorCode StrainShifts(const VitSystem *sys, const ResponseOptions *o, const VitSpectrumProblem *prob, const VitModes *modes, const Multiplets *mp, PetscReal dlambda[], PetscReal gruneisen[], PetscInt unreliable[], PetscInt *nflagged)
{
  PetscReal S[3][3];

  PetscFunctionBegin;
  PetscCall(StrainMatrix(sys, o->strain, S));
  *nflagged = 0;
  PetscCall(PetscArrayzero(unreliable, modes->k));
  if (sys->pot->hessian_strain) {
    PetscReal *P;
    Mat        dH;
    PetscCall(PetscMalloc1(mp->block[mp->n], &P));
    PetscCall(VitHessianStrainDerivative(sys->pot, (VitDomain *)&sys->dom, &sys->sample, S, sys->mass_weighted, &dH));
    PetscCall(MultipletForms(&sys->dom, &sys->dom, dH, modes, mp, P));
    PetscCall(MatDestroy(&dH));
    PetscCall(MultipletShifts(prob, mp, P, dlambda));
    PetscCall(PetscFree(P));
    if (o->strain_step_set) PetscCall(PetscPrintf(sys->dom.comm, "vitrum: note: -response_strain_step is not used: -potential %s gives dH/deps analytically\n", sys->pot->name));
  } else {
    PetscReal *wide;
    PetscCall(PetscMalloc1(modes->k, &wide));
    PetscCall(StrainDifference(sys, prob, S, o->strain_step, modes, mp, dlambda));
    PetscCall(StrainDifference(sys, prob, S, 2 * o->strain_step, modes, mp, wide));
    for (PetscInt n = 0; n < modes->k; n++) {
      const PetscReal scale = PetscMax(PetscAbsReal(modes->eigenvalue[n]), PetscMax(PetscAbsReal(dlambda[n]), PetscAbsReal(wide[n])));
      unreliable[n] = PetscAbsReal(dlambda[n] - wide[n]) > STRAIN_STEPS_RTOL * scale;
      *nflagged += unreliable[n];
    }
    PetscCall(PetscFree(wide));
  }
  for (PetscInt n = 0; n < modes->k; n++) gruneisen[n] = -dlambda[n] / (2 * modes->eigenvalue[n] * (strcmp(o->strain, "iso") ? 1 : sys->sample.dim));
  if (*nflagged)
    PetscCall(PetscPrintf(sys->dom.comm, "vitrum: warning: -response_strain %s: for %" PetscInt_FMT " of the %" PetscInt_FMT " modes the central differences of H at the strain steps %.6g and %.6g differ by more than %.6g relative: a distance crosses a kink of -potential %s (where its Hessian jumps) within the step; those shifts are flagged in /response/strain/unreliable: give a smaller -response_strain_step\n", o->strain, *nflagged, modes->k, (double)o->strain_step, (double)(2 * o->strain_step), (double)STRAIN_STEPS_RTOL, sys->pot->name));
  PetscFunctionReturn(0);
}

/* The potential with entry `index` of the option -name changed by delta (the caller restores the
   option); it says no notes or warnings (the user's values got them). An error in its set-up (a
   value out of the parameter's range) names the step that moved the value there. */
static PetscErrorCode ParamVariant(const VitSystem *sys, const ResponseOptions *o, const PetscReal value[], PetscInt n, PetscReal delta, VitPotential *pot)
{
  char name[80], list[1024] = "", item[40], context[256];

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(name, sizeof(name), "-%s", o->param));
  for (PetscInt k = 0; k < n; k++) {
    PetscCall(PetscSNPrintf(item, sizeof(item), "%s%.17g", k ? "," : "", (double)(value[k] + (k == o->param_index ? delta : 0))));
    PetscCall(PetscStrlcat(list, item, sizeof(list)));
  }
  PetscCall(PetscOptionsSetValue(NULL, name, list));
  PetscCall(PetscSNPrintf(context, sizeof(context), "-response_param_step %.6g moves entry %" PetscInt_FMT " of %s from %.6g to %.6g (give a smaller step)", (double)o->param_step, o->param_index, name, (double)value[o->param_index], (double)(value[o->param_index] + delta)));
  VitUserErrorContext(context);
  PetscCall(VitPotentialCreateVariantFromOptions(sys->dom.comm, &sys->sample, pot));
  VitUserErrorContext(NULL);
  PetscFunctionReturn(0);
}

/* P = e_m^T H e_m' for entry `index` of the option -name changed by delta (the caller restores the
   option). */
static PetscErrorCode ParamForms(const VitSystem *sys, const ResponseOptions *o, const PetscReal value[], PetscInt n, PetscReal delta, const VitModes *modes, const Multiplets *mp, PetscReal P[])
{
  VitPotential pot;

  PetscFunctionBegin;
  PetscCall(ParamVariant(sys, o, value, n, delta, &pot));
  PetscCall(PerturbedForms(sys, pot, &sys->sample, modes, mp, P));
  PetscCall(VitPotentialDestroy(&pot));
  PetscFunctionReturn(0);
}

/* Whether name is an item of the comma-separated list. */
static PetscBool ListHolds(const char list[], const char name[])
{
  const size_t n = strlen(name);

  for (const char *item = list, *end; item; item = *end ? end + 1 : NULL) {
    end = strchr(item, ',');
    if (!end) end = item + strlen(item);
    if ((size_t)(end - item) == n && !strncmp(item, name, n)) return PETSC_TRUE;
  }
  return PETSC_FALSE;
}

/* -response_param: one of the potential's parameter options (VitPotential params), given on the
   command line in full (its text in original, its n values in value), the entry
   -response_param_index in it. */
static PetscErrorCode ParamRead(const VitSystem *sys, const ResponseOptions *o, char original[], size_t len, PetscReal value[], PetscInt *n)
{
  const VitPotential pot = sys->pot;
  char               name[80];
  PetscBool          set;

  PetscFunctionBegin;
  PetscCheck(pot->params, sys->dom.comm, PETSC_ERR_USER_INPUT, "-response_param %s: not a parameter of -potential %s, whose parameters are in its -potential_file: it has none that options give (-response_param perturbs an option of the pair potentials lj, ka2d, ka3d)", o->param, pot->name);
  PetscCheck(ListHolds(pot->params, o->param), sys->dom.comm, PETSC_ERR_USER_INPUT, "-response_param %s: not a parameter of -potential %s; its parameters are %s", o->param, pot->name, pot->params);
  PetscCall(PetscSNPrintf(name, sizeof(name), "-%s", o->param));
  PetscCall(VitOptionsGetString(sys->dom.comm, name, original, len, &set));
  PetscCheck(set, sys->dom.comm, PETSC_ERR_USER_INPUT, "-response_param %s: give the option %s with its full value list on the command line", o->param, name);
  PetscCall(VitOptionsListMax(sys->dom.comm, name, *n));
  PetscCall(PetscOptionsGetRealArray(NULL, NULL, name, value, n, NULL));
  PetscCheck(o->param_index >= 0 && o->param_index < *n, sys->dom.comm, PETSC_ERR_USER_INPUT, "-response_param_index %" PetscInt_FMT ": %s has %" PetscInt_FMT " values", o->param_index, name, *n);
  PetscFunctionReturn(0);
}

/* The checks of ParamRead and of the perturbed potentials (values in their range) before the modes
   are computed. */
static PetscErrorCode ParamCheck(const VitSystem *sys, const ResponseOptions *o)
{
  char         name[80], original[1024];
  PetscReal    value[64];
  PetscInt     n = 64;
  VitPotential pot;

  PetscFunctionBegin;
  if (!o->param[0] || o->modes.nev == 0) PetscFunctionReturn(0);
  PetscCall(ParamRead(sys, o, original, sizeof(original), value, &n));
  for (PetscInt sign = -1; sign <= 1; sign += 2) {
    PetscCall(ParamVariant(sys, o, value, n, sign * o->param_step, &pot));
    PetscCall(VitPotentialDestroy(&pot));
  }
  PetscCall(PetscSNPrintf(name, sizeof(name), "-%s", o->param));
  PetscCall(PetscOptionsSetValue(NULL, name, original));
  PetscFunctionReturn(0);
}

static PetscErrorCode ParamShifts(const VitSystem *sys, const ResponseOptions *o, const VitSpectrumProblem *prob, const VitModes *modes, const Multiplets *mp, PetscReal dlambda[])
{
  char       name[80], original[1024];
  PetscReal  value[64], *Pp, *Pm;
  PetscInt   n = 64;

  PetscFunctionBegin;
  PetscCall(ParamRead(sys, o, original, sizeof(original), value, &n));
  PetscCall(PetscSNPrintf(name, sizeof(name), "-%s", o->param));
  PetscCall(PetscMalloc2(mp->block[mp->n], &Pp, mp->block[mp->n], &Pm));
  PetscCall(ParamForms(sys, o, value, n, o->param_step, modes, mp, Pp));
  PetscCall(ParamForms(sys, o, value, n, -o->param_step, modes, mp, Pm));
  PetscCall(PetscOptionsSetValue(NULL, name, original));
  CentralDifference(mp, Pp, Pm, o->param_step, Pp);
  PetscCall(MultipletShifts(prob, mp, Pp, dlambda));
  PetscCall(PetscFree2(Pp, Pm));
  PetscFunctionReturn(0);
}

/* d lambda / d m_s (array ntypes x k). D = W K W with W = M^-1/2 gives dD/dm_s = -(P_s D + D P_s)/2m_s
   (P_s: the projection on the atoms of species s), whose elements are
   e_m^T dD e_n = -((lambda_m + lambda_n)/2m_s) sum_{i of species s} e_m,i . e_n,i. */
static PetscErrorCode MassShifts(const VitSystem *sys, const VitSpectrumProblem *prob, const VitModes *modes, const Multiplets *mp, PetscReal dlambda[])
{
  const PetscInt d = sys->dom.dim, ns = sys->sample.ntypes, size = mp->block[mp->n];
  PetscReal     *P;

  PetscFunctionBegin;
  PetscCall(PetscCalloc1(ns * size, &P));
  for (PetscInt b = 0; b < mp->n; b++) {
    const PetscInt k = mp->first[b + 1] - mp->first[b];
    for (PetscInt j = 0; j < k; j++)
      for (PetscInt l = 0; l <= j; l++) {
        const PetscScalar *x, *y;
        PetscCall(VecGetArrayRead(modes->vector[mp->first[b] + j], &x));
        PetscCall(VecGetArrayRead(modes->vector[mp->first[b] + l], &y));
        for (PetscInt i = 0; i < sys->dom.nowned; i++)
          for (PetscInt c = 0; c < d; c++) P[sys->dom.type[i] * size + mp->block[b] + j * k + l] += PetscRealPart(x[i * d + c] * y[i * d + c]);
        PetscCall(VecRestoreArrayRead(modes->vector[mp->first[b] + l], &y));
        PetscCall(VecRestoreArrayRead(modes->vector[mp->first[b] + j], &x));
      }
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, P, ns * size, MPIU_REAL, MPI_SUM, sys->dom.comm));
  for (PetscInt s = 0; s < ns; s++) {
    for (PetscInt b = 0; b < mp->n; b++) {
      const PetscInt k = mp->first[b + 1] - mp->first[b];
      PetscReal     *Pb = P + s * size + mp->block[b];
      for (PetscInt j = 0; j < k; j++)
        for (PetscInt l = 0; l <= j; l++) Pb[j * k + l] = Pb[l * k + j] = -(modes->eigenvalue[mp->first[b] + j] + modes->eigenvalue[mp->first[b] + l]) / (2 * sys->sample.type_mass[s]) * Pb[j * k + l];
    }
    PetscCall(MultipletShifts(prob, mp, P + s * size, dlambda + s * modes->k));
  }
  PetscCall(PetscFree(P));
  PetscFunctionReturn(0);
}

/* The modes of the shifts as `spectrum` computes them: shift-and-invert where MUMPS's factor fits,
   else LOBPCG with the two-level preconditioner, with a note (and chebyshev where that cannot be
   built). H stays, for the dipoles. soft: the dipoles' search for the soft modes (LowestModes), which
   needs every mode near zero but no whole multiplet: shift-and-invert skips its inertia count. */
static PetscErrorCode ResponseModes(const VitSystem *sys, const ResponseOptions *o, const VitSpectrumProblem *prob, PetscInt nev, PetscBool soft, VitModes *modes)
{
  VitModesOptions m = o->modes;
  VitFactorGuard  guard;

  PetscFunctionBegin;
  if (nev != m.nev) m.nev_default = PETSC_FALSE;
  m.nev          = nev;
  m.nearest_only = soft;
  PetscCall(VitFactorGuardSetUp(prob, &sys->sample, o->factor_max_mb, o->factor_max_flops, &guard));
  PetscCall(VitModesChooseMethod(prob, &guard, &m));
  PetscCall(VitModesCompute(prob, &m, modes));
  PetscFunctionReturn(0);
}

/* The eigenvalue shifts of the modes computed for them (-response_nev). */
static PetscErrorCode WriteShifts(VitH5 *h5, const VitSystem *sys, const ResponseOptions *o, const VitSpectrumProblem *prob, const VitModes *modes)
{
  const char *lunits = sys->mass_weighted ? sys->units.hessian : sys->units.stiffness;
  Multiplets  mp;
  PetscReal  *dl, *g;
  PetscInt   *multiplet, *unreliable, nflagged, ndegenerate = 0;
  hsize_t     dims[2];
  char        units[96];

  PetscFunctionBegin;
  PetscCall(MultipletsCreate(modes, &mp));
  dims[0] = (hsize_t)modes->k;
  PetscCall(PetscMalloc4(modes->k * sys->sample.ntypes + 1, &dl, modes->k + 1, &g, modes->k + 1, &multiplet, modes->k + 1, &unreliable));
  for (PetscInt b = 0; b < mp.n; b++) {
    ndegenerate += mp.first[b + 1] - mp.first[b] > 1;
    for (PetscInt n = mp.first[b]; n < mp.first[b + 1]; n++) multiplet[n] = b;
  }
  PetscCall(VitH5WriteReal(h5, "/response/modes/eigenvalues", 1, dims, modes->eigenvalue, lunits));
  PetscCall(VitH5WriteAttrString(h5, "/response/modes/eigenvalues", "method", VitModesMethods[modes->method]));
  PetscCall(VitH5WriteInt(h5, "/response/modes/multiplet", 1, dims, multiplet, "1"));
  if (strcmp(o->strain, "none")) {
    PetscCall(StrainShifts(sys, o, prob, modes, &mp, dl, g, unreliable, &nflagged));
    PetscCall(VitH5WriteReal(h5, "/response/strain/dlambda", 1, dims, dl, lunits));
    PetscCall(VitH5WriteReal(h5, "/response/strain/gruneisen", 1, dims, g, "1"));
    PetscCall(VitH5WriteInt(h5, "/response/strain/unreliable", 1, dims, unreliable, "1"));
    PetscCall(VitH5WriteAttrString(h5, "/response/strain/dlambda", "strain", o->strain));
    PetscCall(VitH5WriteAttrString(h5, "/response/strain/dlambda", "derivative", sys->pot->hessian_strain ? "analytic" : "central difference"));
  }
  if (o->param[0]) {
    PetscCall(ParamShifts(sys, o, prob, modes, &mp, dl));
    PetscCall(PetscSNPrintf(units, sizeof(units), "(%s)/(unit of -%s)", lunits, o->param));
    PetscCall(VitH5WriteReal(h5, "/response/param/dlambda", 1, dims, dl, units));
    PetscCall(VitH5WriteAttrString(h5, "/response/param/dlambda", "parameter", o->param));
  }
  if (o->masses && sys->mass_weighted) {
    PetscCall(MassShifts(sys, prob, modes, &mp, dl));
    dims[0] = (hsize_t)sys->sample.ntypes;
    dims[1] = (hsize_t)modes->k;
    PetscCall(PetscSNPrintf(units, sizeof(units), "(%s)/%s", lunits, sys->units.mass));
    PetscCall(VitH5WriteReal(h5, "/response/mass/dlambda", 2, dims, dl, units));
  }
  PetscCall(PetscPrintf(sys->dom.comm, "response: eigenvalue shifts of %" PetscInt_FMT " modes (strain %s%s%s%s), %" PetscInt_FMT " degenerate multiplet%s among them\n", modes->k, o->strain, o->param[0] ? ", -" : "", o->param, o->masses && sys->mass_weighted ? ", masses" : "", ndegenerate, ndegenerate == 1 ? "" : "s"));
  PetscCall(PetscFree4(dl, g, multiplet, unreliable));
  PetscCall(MultipletsDestroy(&mp));
  PetscFunctionReturn(0);
}

/* ---- Static dipole responses --------------------------------------------------------------------- */
/* One dipole: a pair of atoms and one periodic image of it within rmax. In a box narrower than
   2 rmax a pair can have several (docs/potentials.md, "Small boxes"); each is a dipole of its own,
   along its own bond. */
typedef struct {
  PetscInt64 key;      /* hash of the pair: the pairs with the smallest keys are used */
  PetscInt   gi, gj;   /* global ids, gi < gj */
  PetscInt   fi, fj;   /* the sample's ids of the two atoms (what the output names them by) */
  PetscInt   image[3]; /* periodic image of gj's copy (x_j = lo + cell^T (s_j + image)) */
  PetscReal  si[3];    /* wrapped fractional position of gi */
  PetscReal  d[3], r;  /* x_j - x_i of this image (VitDomainDisplacement: any rank count) and |d| */
} DipolePair;

/* Candidate pairs i < j (by id) closer than rmax, each periodic image of a pair within it apart,
   from every rank, with their hash keys (of the pair: its images are used together). */
static PetscErrorCode CollectPairs(const VitSystem *sys, const ResponseOptions *o, PetscInt *npairs, DipolePair **pairs)
{
  VitNeighborList nl;
  DipolePair     *mine;
  PetscInt        n = 0;
  PetscMPIInt     size, nloc, *counts, *displs;

  PetscFunctionBegin;
  PetscCall(VitNeighborListBuild(&sys->dom, o->pair_rmax, PETSC_FALSE, &nl));
  PetscCall(PetscMalloc1(nl.offset[nl.nlist] + 1, &mine));
  for (PetscInt i = 0; i < nl.nlist; i++)
    for (PetscInt p = nl.offset[i]; p < nl.offset[i + 1]; p++) {
      const PetscInt j = nl.nbr[p], gi = sys->dom.gid[i], gj = sys->dom.gid[j];
      if (gi >= gj) continue;
      mine[n].gi  = gi;
      mine[n].gj  = gj;
      mine[n].fi  = sys->dom.fid[i];
      mine[n].fj  = sys->dom.fid[j];
      mine[n].key = (PetscInt64)(VitSplitMix64(VitSplitMix64((uint64_t)o->seed) ^ ((uint64_t)gi * (uint64_t)sys->dom.natoms + (uint64_t)gj)) >> 1);
      mine[n].r   = VitDomainDisplacement(&sys->dom, i, j, mine[n].d);
      for (PetscInt c = 0; c < 3; c++) {
        mine[n].image[c] = sys->dom.image[3 * j + c] - sys->dom.image[3 * i + c];
        mine[n].si[c]    = sys->dom.s[3 * i + c];
      }
      n++;
    }
  PetscCall(VitNeighborListDestroy(&nl));
  PetscCallMPI(MPI_Comm_size(sys->dom.comm, &size));
  PetscCall(PetscMalloc2(size, &counts, size, &displs));
  nloc = (PetscMPIInt)(n * sizeof(DipolePair));
  PetscCallMPI(MPI_Allgather(&nloc, 1, MPI_INT, counts, 1, MPI_INT, sys->dom.comm));
  displs[0] = 0;
  for (PetscMPIInt r = 1; r < size; r++) displs[r] = displs[r - 1] + counts[r - 1];
  *npairs = (displs[size - 1] + counts[size - 1]) / (PetscMPIInt)sizeof(DipolePair);
  PetscCall(PetscMalloc1(*npairs + 1, pairs));
  PetscCallMPI(MPI_Allgatherv(mine, nloc, MPI_BYTE, *pairs, counts, displs, MPI_BYTE, sys->dom.comm));
  PetscCall(PetscFree2(counts, displs));
  PetscCall(PetscFree(mine));
  PetscFunctionReturn(0);
}

/* By key, the images of one pair together, nearest first (then by image: an order that does not
   depend on the rank count). */
static int ComparePairs(const void *a, const void *b)
{
  const DipolePair *p = (const DipolePair *)a, *q = (const DipolePair *)b;

  if (p->key != q->key) return p->key < q->key ? -1 : 1;
  if (p->gi != q->gi) return p->gi < q->gi ? -1 : 1;
  if (p->gj != q->gj) return p->gj < q->gj ? -1 : 1;
  if (p->r != q->r) return p->r < q->r ? -1 : 1;
  for (PetscInt c = 0; c < 3; c++)
    if (p->image[c] != q->image[c]) return p->image[c] < q->image[c] ? -1 : 1;
  return 0;
}

/* Pairs of atoms among the sorted candidates (fewer than the candidates where a pair has several
   periodic images within rmax). */
static PetscInt DistinctPairs(const DipolePair pairs[], PetscInt n)
{
  PetscInt count = 0;

  for (PetscInt k = 0; k < n; k++) count += k == 0 || pairs[k].gi != pairs[k - 1].gi || pairs[k].gj != pairs[k - 1].gj;
  return count;
}

/* Owned index of global id g, or -1. */
static PetscInt OwnedIndex(const VitDomain *dom, PetscInt g)
{
  for (PetscInt i = 0; i < dom->nowned; i++)
    if (dom->gid[i] == g) return i;
  return -1;
}

/* g = M^-1/2 f for the dipole f_i = -n, f_j = +n. */
static PetscErrorCode DipoleForce(const VitSystem *sys, const VitSpectrumProblem *prob, const DipolePair *p, const PetscReal n[3], Vec g)
{
  const PetscInt d = sys->dom.dim;
  PetscInt       ij[2] = {OwnedIndex(&sys->dom, p->gi), OwnedIndex(&sys->dom, p->gj)};
  PetscScalar   *x;

  PetscFunctionBegin;
  PetscCall(VecSet(g, 0));
  PetscCall(VecGetArray(g, &x));
  for (PetscInt a = 0; a < 2; a++)
    if (ij[a] >= 0)
      for (PetscInt c = 0; c < d; c++) x[ij[a] * d + c] = (a ? 1.0 : -1.0) * n[c] / prob->sqrt_mass[ij[a]];
  PetscCall(VecRestoreArray(g, &x));
  PetscFunctionReturn(0);
}

/* Accumulate |u_k|^2 of owned atoms into distance bins around the pair midpoint (minimum image). */
static void DecayProfile(const VitSystem *sys, const VitSpectrumProblem *prob, const PetscReal si[3], const PetscReal n[3], PetscReal r, const PetscScalar *w, PetscReal rmax, PetscInt nbins, PetscReal u2[], PetscReal cnt[])
{
  const VitDomain *dom = &sys->dom;
  const PetscInt   d   = dom->dim;

  for (PetscInt k = 0; k < dom->nowned; k++) {
    PetscReal ds[3] = {0, 0, 0}, x[3], dist = 0, a2 = 0;
    for (PetscInt c = 0; c < d; c++) {
      ds[c] = dom->s[3 * k + c] - si[c];
      ds[c] -= round(ds[c]);
    }
    VitSampleFracToCart(&sys->sample, ds, x);
    for (PetscInt c = 0; c < 3; c++) dist += PetscSqr(x[c] - 0.5 * r * n[c]);
    dist = PetscSqrtReal(dist);
    for (PetscInt c = 0; c < d; c++) a2 += PetscSqr(PetscRealPart(w[k * d + c]) / prob->sqrt_mass[k]);
    if (dist < rmax) {
      const PetscInt b = (PetscInt)(dist / rmax * nbins);
      u2[b] += a2;
      cnt[b] += 1;
    }
  }
}

/* The space the dipole responses leave out, orthonormal: the d translations v[0 .. d-1], then the
   nsoft modes of H with |lambda| <= VIT_ZERO_MODE_RTOL Tr(H)/(dN) (a rippled sheet's sliding modes);
   lowest: H's lowest eigenvalue computed (for messages). */
typedef struct {
  PetscInt  n, nsoft;
  Vec      *v;
  PetscReal lowest;
} NullBasis;

/* Gram-Schmidt, twice, then normalised. */
static PetscErrorCode Orthonormalize(PetscInt n, Vec v[])
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < n; k++) {
    for (PetscInt pass = 0; pass < 2; pass++)
      for (PetscInt j = 0; j < k; j++) {
        PetscScalar dot;
        PetscCall(VecDot(v[k], v[j], &dot));
        PetscCall(VecAXPY(v[k], -dot, v[j]));
      }
    PetscCall(VecNormalize(v[k], NULL));
  }
  PetscFunctionReturn(0);
}

/* The lowest modes that reach beyond the soft ones: those of the shifts where their largest
   eigenvalue is above 3 tol (shift-and-invert's are the nearest its target tol, so they then hold
   every |lambda| <= tol) or they are all the modes; else computed here, 4 and twice as many until
   they do. */
static PetscErrorCode LowestModes(const VitSystem *sys, const ResponseOptions *o, const VitSpectrumProblem *prob, const VitModes *modes, PetscReal tol, VitModes *own, const VitModes **use)
{
  const PetscInt nonzero = prob->dim * (prob->natoms - 1);

  PetscFunctionBegin;
  PetscCall(PetscMemzero(own, sizeof(*own)));
  *use = modes;
  if (modes->k >= nonzero || (modes->k > 0 && modes->eigenvalue[modes->k - 1] > 3 * tol)) PetscFunctionReturn(0);
  for (PetscInt nev = PetscMin(PetscMax(4, 2 * modes->k), nonzero);; nev = PetscMin(2 * nev, nonzero)) {
    PetscCall(VitModesDestroy(own));
    PetscCall(PetscInfo(NULL, "dipole responses: the %" PetscInt_FMT " lowest modes, for the soft ones (the shifts' modes%s)\n", nev, modes->k ? " do not reach 3 times the bound" : ": none asked, -response_nev 0"));
    PetscCall(ResponseModes(sys, o, prob, nev, PETSC_TRUE, own));
    if (own->k == 0 || own->eigenvalue[own->k - 1] > 3 * tol || nev >= nonzero) break;
  }
  *use = own;
  PetscFunctionReturn(0);
}

/* Translations and soft modes (NullBasis), with a note naming the soft ones. */
static PetscErrorCode NullBasisCreate(const VitSystem *sys, const ResponseOptions *o, const VitSpectrumProblem *prob, const VitModes *modes, NullBasis *nb)
{
  const PetscReal tol = VIT_ZERO_MODE_RTOL * prob->mean;
  const char     *lunits = sys->mass_weighted ? sys->units.hessian : sys->units.stiffness;
  const VitModes *use;
  VitModes        own;
  Vec            *t;
  char            list[128] = "", item[32];

  PetscFunctionBegin;
  PetscCall(LowestModes(sys, o, prob, modes, tol, &own, &use));
  nb->nsoft  = 0;
  nb->lowest = use->k ? use->eigenvalue[0] : (PetscReal)NAN;
  for (PetscInt m = 0; m < use->k; m++) nb->nsoft += PetscAbsReal(use->eigenvalue[m]) <= tol;
  nb->n = prob->dim + nb->nsoft;
  PetscCall(VitSpectrumTranslations(prob, &t));
  PetscCall(VecDuplicateVecs(t[0], nb->n, &nb->v));
  for (PetscInt a = 0; a < prob->dim; a++) PetscCall(VecCopy(t[a], nb->v[a]));
  PetscCall(VecDestroyVecs(prob->dim, &t));
  for (PetscInt m = 0, k = prob->dim; m < use->k; m++) {
    if (PetscAbsReal(use->eigenvalue[m]) > tol) continue;
    PetscCall(VecCopy(use->vector[m], nb->v[k++]));
    PetscCall(PetscSNPrintf(item, sizeof(item), "%s%.3g", k > prob->dim + 1 ? ", " : "", (double)use->eigenvalue[m]));
    PetscCall(PetscStrlcat(list, item, sizeof(list)));
  }
  PetscCall(Orthonormalize(nb->n, nb->v));
  if (nb->nsoft) PetscCall(PetscPrintf(prob->comm, "vitrum: note: dipole responses: %" PetscInt_FMT " mode%s of H within %.6g Tr(H)/(dN) = %.6g %s of zero (lambda %s; zero modes, as vitrum minimize's curvature check takes them) %s left out with the translations: kappa = f^T K^+ f over the other modes\n", nb->nsoft, nb->nsoft == 1 ? "" : "s", (double)VIT_ZERO_MODE_RTOL, (double)tol, lunits, list, nb->nsoft == 1 ? "is" : "are"));
  PetscCall(VitModesDestroy(&own));
  PetscFunctionReturn(0);
}

static PetscErrorCode NullBasisDestroy(NullBasis *nb)
{
  PetscFunctionBegin;
  PetscCall(VecDestroyVecs(nb->n, &nb->v));
  PetscFunctionReturn(0);
}

/* CG (rtol 1e-10, options prefix response_) on A with the preconditioner pc_type. */
static PetscErrorCode DipoleKSP(Mat A, PCType pc_type, KSP *ksp)
{
  PC pc;

  PetscFunctionBegin;
  PetscCall(KSPCreate(PetscObjectComm((PetscObject)A), ksp));
  PetscCall(KSPSetOptionsPrefix(*ksp, "response_"));
  PetscCall(KSPSetOperators(*ksp, A, A));
  PetscCall(KSPSetType(*ksp, KSPCG));
  PetscCall(KSPGetPC(*ksp, &pc));
  PetscCall(PCSetType(pc, pc_type));
  PetscCall(KSPSetTolerances(*ksp, 1e-10, PETSC_DEFAULT, PETSC_DEFAULT, 10000));
  PetscCall(KSPSetFromOptions(*ksp));
  PetscFunctionReturn(0);
}

/* CG on D w = M^-1/2 f, translations and soft modes (nb) removed: GAMG on an AIJ copy of H (GAMG needs AIJ) where
   that fits under -response_precond_max_memory (VIT_MULTIGRID_BYTES_PER_ATOM), else point-block
   Jacobi on H itself (Jacobi for a shell H, which a copy would cost dN products), with a note; a
   -response_pc_type of the user's gets the AIJ copy. multigrid false: point-block Jacobi on H (after
   the multigrid failed, which SolveDipole notes). */
static PetscErrorCode CreateDipoleSolver(const VitSpectrumProblem *prob, const ResponseOptions *o, const NullBasis *nb, PetscBool multigrid, KSP *ksp, Mat *A)
{
  PetscReal    limit = o->precond_max_mb, need_mb;
  PetscBool    shell, fits, copy;
  MatNullSpace ns;

  PetscFunctionBegin;
  PetscCall(VitMultigridFits(prob, &limit, &need_mb, &fits));
  PetscCall(PetscObjectTypeCompare((PetscObject)prob->H, MATSHELL, &shell));
  copy = (PetscBool)(o->pc_type[0] || (multigrid && !shell && fits));
  if (copy) {
    PetscCall(MatConvert(prob->H, MATAIJ, MAT_INITIAL_MATRIX, A));
    PetscCall(MatSetBlockSize(*A, prob->dim));
  } else {
    if (shell) PetscCall(PetscPrintf(prob->comm, "vitrum: note: dipole responses: -hessian_type shell gives no entries for a multigrid preconditioner; CG runs with Jacobi (more iterations)\n"));
    else if (multigrid) PetscCall(PetscPrintf(prob->comm, "vitrum: note: dipole responses: the multigrid preconditioner would need about %.0f MB (%.0f kB/atom estimated; 53-85 measured), above the limit of %.4g MB (-response_precond_max_memory); CG runs with point-block Jacobi (more iterations, no copy of H)\n", (double)need_mb, VIT_MULTIGRID_BYTES_PER_ATOM / 1e3, (double)limit));
    PetscCall(PetscObjectReference((PetscObject)prob->H));
    *A = prob->H;
  }
  PetscCall(MatNullSpaceCreate(prob->comm, PETSC_FALSE, nb->n, nb->v, &ns));
  PetscCall(MatSetNullSpace(*A, ns));
  PetscCall(MatNullSpaceDestroy(&ns));
  if (copy) { /* the multigrid's coarse space: the translations */
    PetscCall(MatNullSpaceCreate(prob->comm, PETSC_FALSE, prob->dim, nb->v, &ns));
    PetscCall(MatSetNearNullSpace(*A, ns));
    PetscCall(MatNullSpaceDestroy(&ns));
  }
  PetscCall(DipoleKSP(*A, copy ? PCGAMG : shell ? PCJACOBI : PCPBJACOBI, ksp));
  PetscFunctionReturn(0);
}

/* -response_dipole_rmax: the pairs are found among each rank's atoms and ghosts, so at most the
   ghost width (the potential's cutoff; two for many-body potentials), else an error naming it. By
   default first-shell pairs in any units, 1.6 times the mean spacing, capped at the ghost width
   with a note (a dilute sample: a dimer in a large box). */
static PetscErrorCode DipoleRmax(const VitSystem *sys, ResponseOptions *o)
{
  const PetscReal limit = sys->dom.ghost_width;
  PetscReal       a;
  char            given[VIT_REAL_STRING_LEN], bound[VIT_REAL_STRING_LEN];

  PetscFunctionBegin;
  PetscCheck(o->pair_rmax <= limit, sys->dom.comm, PETSC_ERR_USER_INPUT, "-response_dipole_rmax %s: must be at most %s, the ghost width of %s with -potential %s (%s), within which the pairs are found", VitRealString(o->pair_rmax, given), VitBoundString(limit, -1, bound), sys->sample.source, sys->pot->name, sys->pot->pair ? "its cutoff" : "two cutoffs");
  if (o->pair_rmax > 0) PetscFunctionReturn(0);
  PetscCall(VitSampleMeanSpacing(sys->dom.comm, &sys->sample, sys->pot->cutoff, &a));
  o->pair_rmax = 1.6 * a;
  if (o->pair_rmax <= limit) PetscFunctionReturn(0);
  PetscCall(PetscPrintf(sys->dom.comm, "vitrum: note: dipole responses: 1.6 times the mean spacing of %s, %.6g, exceeds the ghost width %.6g of -potential %s: pairs closer than %.6g (-response_dipole_rmax)\n", sys->sample.source, (double)o->pair_rmax, (double)limit, sys->pot->name, (double)limit));
  o->pair_rmax = limit;
  PetscFunctionReturn(0);
}

/* KSPSolve; where the default multigrid fails on H (its smoother divides by diagonal entries, which
   vanish for an atom whose neighbours all lie on one line: a dimer, a chain), a new solver with
   point-block Jacobi on H, with a note (once: it stays for the other pairs). */
static PetscErrorCode SolveDipole(const VitSpectrumProblem *prob, const ResponseOptions *o, const NullBasis *nb, KSP *ksp, Mat *A, Vec g, Vec w, KSPConvergedReason *reason)
{
  PC        pc;
  PetscBool gamg;

  PetscFunctionBegin;
  PetscCall(KSPSolve(*ksp, g, w));
  PetscCall(KSPGetConvergedReason(*ksp, reason));
  PetscCall(KSPGetPC(*ksp, &pc));
  PetscCall(PetscObjectTypeCompare((PetscObject)pc, PCGAMG, &gamg));
  if (*reason != KSP_DIVERGED_PC_FAILED || !gamg || o->pc_type[0]) PetscFunctionReturn(0);
  PetscCall(PetscPrintf(PetscObjectComm((PetscObject)*ksp), "vitrum: note: dipole responses: the multigrid preconditioner failed on this Hessian (zero diagonal entries); CG runs with point-block Jacobi\n"));
  PetscCall(KSPDestroy(ksp));
  PetscCall(MatDestroy(A));
  PetscCall(CreateDipoleSolver(prob, o, nb, PETSC_FALSE, ksp, A));
  PetscCall(KSPSolve(*ksp, g, w));
  PetscCall(KSPGetConvergedReason(*ksp, reason));
  PetscFunctionReturn(0);
}

/* modes: those of the shifts (none: k = 0), which may hold the soft modes. */
static PetscErrorCode DipoleResponses(VitH5 *h5, const VitSystem *sys, const ResponseOptions *o, const VitSpectrumProblem *prob, const VitModes *modes)
{
  const char  *lunits = sys->mass_weighted ? sys->units.hessian : sys->units.stiffness;
  NullBasis    nb;
  MatNullSpace ns;
  DipolePair  *pairs;
  PetscInt     ncand = 0, np;
  KSP          ksp;
  Mat          A;
  Vec          g, w;
  PetscReal   *kappa, *dist, *its, *u2, *cnt, *edges, *bond, rmax;
  PetscInt    *ids;
  PetscReal    width[3];
  hsize_t      dims[2];
  char         kunits[64], u2units[80];

  PetscFunctionBegin;
  if (o->npairs == 0) PetscFunctionReturn(0);
  PetscCall(CollectPairs(sys, o, &ncand, &pairs));
  qsort(pairs, ncand, sizeof(DipolePair), ComparePairs);
  np = o->npairs < 0 ? ncand : PetscMin(o->npairs, ncand);
  PetscCheck(np > 0, sys->dom.comm, PETSC_ERR_USER_INPUT, "-response_dipole_rmax %.6g: no pair of atoms is that close", (double)o->pair_rmax);
  VitSampleWidths(&sys->sample, width);
  rmax = 0.5 * PetscMin(width[0], width[1]);
  if (sys->sample.dim == 3) rmax = PetscMin(rmax, 0.5 * width[2]);
  PetscCall(PetscCalloc5(np, &kappa, np, &dist, np, &its, o->nbins, &u2, o->nbins, &cnt));
  PetscCall(PetscMalloc3(2 * np, &ids, o->nbins + 1, &edges, np * sys->dom.dim, &bond));
  PetscCall(NullBasisCreate(sys, o, prob, modes, &nb));
  PetscCall(CreateDipoleSolver(prob, o, &nb, PETSC_TRUE, &ksp, &A));
  PetscCall(MatCreateVecs(A, &w, &g));
  for (PetscInt k = 0; k < np; k++) {
    PetscReal          n[3];
    PetscScalar        f_w;
    PetscInt           it;
    const PetscScalar *x;
    KSPConvergedReason reason;
    dist[k] = pairs[k].r;
    for (PetscInt c = 0; c < 3; c++) n[c] = pairs[k].d[c] / pairs[k].r;
    for (PetscInt c = 0; c < sys->dom.dim; c++) bond[k * sys->dom.dim + c] = pairs[k].d[c];
    PetscCall(DipoleForce(sys, prob, &pairs[k], n, g));
    PetscCall(MatGetNullSpace(A, &ns));
    PetscCall(MatNullSpaceRemove(ns, g)); /* f^T K^+ f: f without its soft-mode components */
    PetscCall(SolveDipole(prob, o, &nb, &ksp, &A, g, w, &reason));
    PetscCall(KSPGetIterationNumber(ksp, &it));
    if (reason == KSP_DIVERGED_INDEFINITE_MAT || reason == KSP_DIVERGED_INDEFINITE_PC)
      SETERRQ(sys->dom.comm, PETSC_ERR_USER_INPUT, "dipole response of the pair of atoms %" PetscInt_FMT "-%" PetscInt_FMT ": CG did not converge (%s after %" PetscInt_FMT " iterations): H or its preconditioner is indefinite (its lowest eigenvalue computed is %.6g %s, %.3g Tr(H)/(dN); those within %.6g Tr(H)/(dN) of zero are left out): is the sample at an energy minimum? (relax it with vitrum minimize; else try -response_pc_type pbjacobi, or -response_dipole_pairs 0)", pairs[k].fi, pairs[k].fj, KSPConvergedReasons[reason], it, (double)nb.lowest, lunits, (double)(nb.lowest / prob->mean), (double)VIT_ZERO_MODE_RTOL);
    PetscCheck(reason > 0, sys->dom.comm, PETSC_ERR_USER_INPUT, "dipole response of the pair of atoms %" PetscInt_FMT "-%" PetscInt_FMT ": CG did not converge (%s after %" PetscInt_FMT " iterations); try -response_ksp_max_it or -response_pc_type", pairs[k].fi, pairs[k].fj, KSPConvergedReasons[reason], it);
    PetscCall(VecDot(g, w, &f_w));
    kappa[k]       = PetscRealPart(f_w);
    its[k]         = it;
    ids[2 * k]     = pairs[k].fi;
    ids[2 * k + 1] = pairs[k].fj;
    PetscCall(VecGetArrayRead(w, &x));
    DecayProfile(sys, prob, pairs[k].si, n, dist[k], x, rmax, o->nbins, u2, cnt);
    PetscCall(VecRestoreArrayRead(w, &x));
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, u2, o->nbins, MPIU_REAL, MPI_SUM, sys->dom.comm));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, cnt, o->nbins, MPIU_REAL, MPI_SUM, sys->dom.comm));
  for (PetscInt b = 0; b < o->nbins; b++) u2[b] = cnt[b] > 0 ? u2[b] / cnt[b] : 0;
  for (PetscInt b = 0; b <= o->nbins; b++) edges[b] = rmax * b / o->nbins;
  dims[0] = (hsize_t)np;
  dims[1] = 2;
  PetscCall(VitH5WriteInt(h5, "/response/dipole/pairs", 2, dims, ids, "1"));
  PetscCall(PetscSNPrintf(kunits, sizeof(kunits), "%s^2/%s", sys->units.length, sys->units.energy));
  PetscCall(PetscSNPrintf(u2units, sizeof(u2units), "(%s)^2", kunits));
  PetscCall(VitH5WriteReal(h5, "/response/dipole/distance", 1, dims, dist, sys->units.length));
  dims[1] = (hsize_t)sys->dom.dim;
  PetscCall(VitH5WriteReal(h5, "/response/dipole/bond", 2, dims, bond, sys->units.length));
  PetscCall(VitH5WriteReal(h5, "/response/dipole/kappa", 1, dims, kappa, kunits));
  PetscCall(VitH5WriteReal(h5, "/response/dipole/iterations", 1, dims, its, "1"));
  dims[0] = (hsize_t)o->nbins + 1;
  PetscCall(VitH5WriteReal(h5, "/response/dipole/decay_edges", 1, dims, edges, sys->units.length));
  dims[0] = (hsize_t)o->nbins;
  PetscCall(VitH5WriteReal(h5, "/response/dipole/decay_u2", 1, dims, u2, u2units));
  {
    PetscReal      mean = 0;
    const PetscInt natom_pairs = DistinctPairs(pairs, ncand);
    char           images[128] = "";
    for (PetscInt k = 0; k < np; k++) mean += kappa[k] / np;
    if (natom_pairs < ncand) PetscCall(PetscSNPrintf(images, sizeof(images), ", each periodic image apart: %" PetscInt_FMT " pairs of atoms", natom_pairs));
    PetscCall(PetscPrintf(sys->dom.comm, "response: %" PetscInt_FMT " force dipoles (of %" PetscInt_FMT " pairs closer than %.6g %s%s), mean kappa %.6g %s\n", np, ncand, (double)o->pair_rmax, sys->units.length, images, (double)mean, kunits));
  }
  PetscCall(VecDestroy(&g));
  PetscCall(VecDestroy(&w));
  PetscCall(MatDestroy(&A));
  PetscCall(KSPDestroy(&ksp));
  PetscCall(NullBasisDestroy(&nb));
  PetscCall(PetscFree5(kappa, dist, its, u2, cnt));
  PetscCall(PetscFree3(ids, edges, bond));
  PetscCall(PetscFree(pairs));
  PetscFunctionReturn(0);
}

/* The options the modes' solvers read only when they run, and -kpm_kernel (the block solvers'
   operator), read and checked before the sample is read, so that a bad value stops the run at
   once (docs/spectrum.md). */
static PetscErrorCode StageCheckOptions(MPI_Comm comm, const ResponseOptions *o)
{
  PetscFunctionBegin;
  PetscCall(VitModesCheckOptions(comm, o->modes.nev));
  PetscCall(VitKpmCheckOptions(comm));
  PetscFunctionReturn(0);
}

PetscErrorCode VitCmdResponse(void)
{
  MPI_Comm           comm = PETSC_COMM_WORLD;
  ResponseOptions    o;
  VitSystem          sys;
  VitSpectrumProblem prob;
  VitModes           modes;
  VitH5              h5;

  PetscFunctionBegin;
  PetscCall(ResponseReadOptions(comm, &o));
  if (!VitHelpRequested()) PetscCall(StageCheckOptions(comm, &o)); /* before the sample; -help lists them after its options */
  PetscCall(VitSystemSetUpFromOptions(comm, &sys));
  if (VitHelpRequested()) {
    PetscCall(StageCheckOptions(comm, &o));
    PetscCall(VitSystemDestroy(&sys));
    PetscFunctionReturn(0);
  }
  if (!o.out[0]) PetscCall(VitOutputPath(sys.sample.source, ".response.h5", o.out, sizeof(o.out)));
  PetscCall(VitOutputCheck(comm, "-o", o.out, 0, NULL));
  PetscCall(ParamCheck(&sys, &o));
  if (o.npairs) PetscCall(DipoleRmax(&sys, &o));
  PetscCall(PetscLogStagePush(vit_log.stage_spectrum));
  PetscCall(VitSpectrumProblemFromSystem(&sys, &prob));
  PetscCall(VitH5Create(comm, o.out, &h5));
  PetscCall(PetscMemzero(&modes, sizeof(modes)));
  if (o.modes.nev) {
    PetscCall(ResponseModes(&sys, &o, &prob, o.modes.nev, PETSC_FALSE, &modes));
    PetscCall(WriteShifts(&h5, &sys, &o, &prob, &modes));
  }
  PetscCall(DipoleResponses(&h5, &sys, &o, &prob, &modes));
  PetscCall(VitModesDestroy(&modes));
  PetscCall(VitH5Close(&h5));
  PetscCall(PetscLogStagePop());
  PetscCall(PetscPrintf(comm, "  wrote %s\n", o.out));
  PetscCall(VitSpectrumProblemDestroy(&prob));
  PetscCall(VitSystemDestroy(&sys));
  PetscFunctionReturn(0);
}
