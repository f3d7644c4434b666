/* Lennard-Jones pair potential with per-pair epsilon, sigma and cutoff, optional energy shift or
   smooth cutoff, and the Kob-Andersen presets ka3d (80:20) and ka2d (65:35). See docs/potentials.md.

   phi(r)   = 4 eps [(sig/r)^12 - (sig/r)^6]                         for r < rc, 0 beyond
   phi'(r)  = 24 eps/r   [(sig/r)^6 - 2 (sig/r)^12]
   phi''(r) = 24 eps/r^2 [26 (sig/r)^12 - 7 (sig/r)^6]
   phi'''(r) = 24 eps/r^3 [56 (sig/r)^6 - 364 (sig/r)^12]   (the strain derivative of the Hessian)
   shift:  phi - phi(rc);  smooth (Lerner et al.): phi + C0 + C2 x^2 + C4 x^4, x = r/sig, with C0, C2, C4
   chosen so that phi, phi' and phi'' vanish at rc. */
#include <vitrum/potential.h>

typedef struct {
  PetscReal eps, sig, rc;
  PetscReal c0, c2, c4; /* constant (shift or smoothing) and smoothing polynomial coefficients */
} LJPair;

typedef struct {
  PetscInt  ntypes;
  PetscBool smooth;
  LJPair    p[VIT_MAX_TYPES][VIT_MAX_TYPES];
} LJ;

/* Plain LJ terms (no shift, no smoothing). */
static void LJBare(const LJPair *p, PetscReal r, PetscReal *phi, PetscReal *dphi, PetscReal *d2phi)
{
  const PetscReal sr2 = p->sig * p->sig / (r * r), sr6 = sr2 * sr2 * sr2, sr12 = sr6 * sr6;

  *phi   = 4 * p->eps * (sr12 - sr6);
  *dphi  = 24 * p->eps / r * (sr6 - 2 * sr12);
  *d2phi = 24 * p->eps / (r * r) * (26 * sr12 - 7 * sr6);
}

static inline void LJEval(const LJ *lj, PetscInt a, PetscInt b, PetscReal r, PetscReal *phi, PetscReal *dphi, PetscReal *d2phi)
{
  const LJPair *p = &lj->p[a][b];

  if (r >= p->rc) {
    *phi = *dphi = *d2phi = 0;
    return;
  }
  LJBare(p, r, phi, dphi, d2phi);
  *phi += p->c0;
  if (lj->smooth) {
    const PetscReal x = r / p->sig;

    *phi += x * x * (p->c2 + p->c4 * x * x);
    *dphi += (2 * p->c2 * x + 4 * p->c4 * x * x * x) / p->sig;
    *d2phi += (2 * p->c2 + 12 * p->c4 * x * x) / (p->sig * p->sig);
  }
}

/* phi''' of a pair at r < rc (the shift is a constant; the smoothing polynomial adds 24 C4 x/sig^3). */
static PetscReal LJThirdDerivative(const LJ *lj, const LJPair *p, PetscReal r)
{
  const PetscReal sr2 = p->sig * p->sig / (r * r), sr6 = sr2 * sr2 * sr2, sr12 = sr6 * sr6;

  return 24 * p->eps / (r * r * r) * (56 * sr6 - 364 * sr12) + (lj->smooth ? 24 * p->c4 * r / (p->sig * p->sig * p->sig * p->sig) : 0);
}

/* Shift or smoothing constants from phi, phi', phi'' at rc (x_c = rc/sig):
   C4 = (sig phi'/x_c - sig^2 phi'') / (8 x_c^2), C2 = -(sig phi'/x_c + 4 C4 x_c^2)/2,
   C0 = -phi - C2 x_c^2 - C4 x_c^4. */
static void LJSetCutoffTerms(LJPair *p, PetscBool shift, PetscBool smooth)
{
  PetscReal phi, dphi, d2phi, xc = p->rc / p->sig;

  LJBare(p, p->rc, &phi, &dphi, &d2phi);
  p->c0 = p->c2 = p->c4 = 0;
  if (smooth) {
    p->c4 = (p->sig * dphi / xc - p->sig * p->sig * d2phi) / (8 * xc * xc);
    p->c2 = -(p->sig * dphi / xc + 4 * p->c4 * xc * xc) / 2;
    p->c0 = -phi - p->c2 * xc * xc - p->c4 * xc * xc * xc * xc;
  } else if (shift) p->c0 = -phi;
}

static PetscErrorCode LJPairCallback(VitPotential pot, PetscInt a, PetscInt b, PetscReal r, PetscReal *phi, PetscReal *dphi, PetscReal *d2phi)
{
  PetscFunctionBeginUser;
  LJEval((LJ *)pot->data, a, b, r, phi, dphi, d2phi);
  PetscFunctionReturn(0);
}

/* Each owned atom gets half of each pair energy; F_i = sum_j phi'(r) d/r with d = x_j - x_i;
   virial of atom i W_ab = -1/2 sum_j phi'(r) d_a d_b / r (each pair seen from both sides). */
static PetscErrorCode LJCompute(VitPotential pot, VitDomain *dom, PetscReal *energy, PetscReal *force, PetscReal *virial)
{
  const LJ       *lj = (const LJ *)pot->data;
  const PetscInt  voigt[6][2] = {{0, 0}, {1, 1}, {2, 2}, {0, 1}, {0, 2}, {1, 2}};
  VitNeighborList nl;

  PetscFunctionBeginUser;
  if (pot->pair_list) nl = *pot->pair_list; /* lent: not freed here */
  else if (pot->skin_list) nl = *pot->skin_list; /* lent; its pairs beyond rc add LJEval's zeros */
  else PetscCall(VitPotentialPairList(pot, dom, &nl));
  for (PetscInt i = 0; i < dom->nowned; i++) {
    PetscReal e = 0, f[3] = {0, 0, 0}, w[6] = {0, 0, 0, 0, 0, 0};

    for (PetscInt k = nl.offset[i]; k < nl.offset[i + 1]; k++) {
      const PetscInt j = nl.nbr[k];
      PetscReal      d[3], r = VitDomainDisplacement(dom, i, j, d), phi, dphi, d2phi;

      LJEval(lj, dom->type[i], dom->type[j], r, &phi, &dphi, &d2phi);
      e += phi / 2;
      for (PetscInt a = 0; a < 3; a++) f[a] += dphi / r * d[a];
      if (virial)
        for (PetscInt v = 0; v < 6; v++) w[v] -= dphi / (2 * r) * d[voigt[v][0]] * d[voigt[v][1]];
    }
    if (energy) energy[i] = e;
    if (force)
      for (PetscInt a = 0; a < 3; a++) force[3 * i + a] = f[a];
    if (virial)
      for (PetscInt v = 0; v < 6; v++) virial[6 * i + v] = w[v];
  }
  if (!pot->pair_list && !pot->skin_list) PetscCall(VitNeighborListDestroy(&nl));
  PetscFunctionReturn(0);
}

/* Row-oriented values of one block row (bs x ncols*bs) with columns sorted (blocks were stored one
   after the other in the order of cols): sorted rows are appended, not insertion-sorted, by BAIJ.
   cols[0] is the row's own block, the others follow the neighbour list (by id): when those are
   already in increasing order (on one rank, rows follow ids) only the diagonal block moves. */
static PetscErrorCode PackBlockRowSorted(PetscInt bs, PetscInt ncols, PetscInt *cols, PetscInt *perm, const PetscScalar *blocks, PetscScalar *vals)
{
  PetscBool sorted;

  PetscFunctionBeginUser;
  PetscCall(PetscSortedInt(ncols - 1, cols + 1, &sorted));
  if (sorted) {
    const PetscInt diag = cols[0];
    PetscInt       p    = 1;

    while (p < ncols && cols[p] < diag) p++;
    for (PetscInt c = 0; c < p - 1; c++) perm[c] = c + 1, cols[c] = cols[c + 1];
    perm[p - 1] = 0;
    cols[p - 1] = diag;
    for (PetscInt c = p; c < ncols; c++) perm[c] = c;
  } else {
    for (PetscInt c = 0; c < ncols; c++) perm[c] = c;
    PetscCall(PetscSortIntWithArray(ncols, cols, perm));
  }
  for (PetscInt c = 0; c < ncols; c++)
    for (PetscInt a = 0; a < bs; a++)
      for (PetscInt b = 0; b < bs; b++) vals[a * ncols * bs + c * bs + b] = blocks[(perm[c] * bs + a) * bs + b];
  PetscFunctionReturn(0);
}

/* Block K_ij = -(c d d^T + a I) of a pair at d (a = phi'/r, c = (phi'' - a)/r^2) or, with S, its
   derivative along the strain d' = S d (potential.h: hessian_strain), from the pair's formula at r:
   r' = d.d'/r, a' = c r r', c' = (phi''' - 3 c r) r'/r^2, K' = -(c' d d^T + c (d' d^T + d d'^T) + a' I).
   Exactly symmetric (the products of a pair of entries are the same, summed in either order). */
static void LJBlock(const LJ *lj, PetscInt ti, PetscInt tj, const PetscReal d[3], PetscReal r, PetscReal dphi, PetscReal d2phi, const PetscReal (*S)[3], PetscInt bs, PetscScalar blk[])
{
  const PetscReal a = dphi / r, c = (d2phi - a) / (r * r);
  PetscReal       ds[3] = {0, 0, 0}, rp = 0, ap, cp;

  if (!S) {
    for (PetscInt x = 0; x < bs; x++)
      for (PetscInt y = 0; y < bs; y++) blk[x * bs + y] = -(c * (d[x] * d[y]) + (x == y ? a : 0)); /* d_x d_y first: K_xy = K_yx exactly */
    return;
  }
  for (PetscInt x = 0; x < bs; x++) {
    for (PetscInt y = 0; y < bs; y++) ds[x] += S[x][y] * d[y];
    rp += d[x] * ds[x] / r;
  }
  ap = c * r * rp;
  cp = (LJThirdDerivative(lj, &lj->p[ti][tj], r) - 3 * c * r) * rp / (r * r);
  for (PetscInt x = 0; x < bs; x++)
    for (PetscInt y = 0; y < bs; y++) blk[x * bs + y] = -(cp * (d[x] * d[y]) + c * (ds[x] * d[y] + d[x] * ds[y]) + (x == y ? ap : 0));
}

/* K_ij = -[phi'' d d^T/r^2 + (phi'/r)(I - d d^T/r^2)] (i != j), K_ii = -sum_j K_ij, mass weighted
   by VitMassWeight when w is given (exactly symmetric, so SBAIJ's upper triangle is BAIJ's); with S
   their strain derivatives (LJBlock). Each owned atom inserts its whole block row, the images of one
   neighbour (boxes below two cutoffs) summed into one block. The neighbour list is VitHessian's
   (potential.h): the pairs within their pair cutoff, sorted by id, so each diagonal block sums in id
   order; a zero block (phi' = phi'' = 0, none for eps > 0) is skipped, which only leaves a
   preallocated slot unused. */
static PetscErrorCode LJHessianRows(VitPotential pot, VitDomain *dom, const VitNeighborList *nlist, const PetscReal (*S)[3], const PetscReal w[], Mat H)
{
  const LJ             *lj = (const LJ *)pot->data;
  const PetscInt        bs = dom->dim;
  const VitNeighborList nl = *nlist;
  PetscInt              nmax = 0, *cols, *perm, *atom, row;
  PetscScalar          *blocks, *vals;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < dom->nowned; i++) nmax = PetscMax(nmax, nl.offset[i + 1] - nl.offset[i]);
  PetscCall(PetscMalloc5(nmax + 1, &cols, nmax + 1, &perm, nmax + 1, &atom, bs * bs * (nmax + 1), &blocks, bs * bs * (nmax + 1), &vals));
  for (PetscInt i = 0; i < dom->nowned; i++) {
    PetscInt     ncols = 1;
    PetscScalar *diag  = blocks; /* block 0: the diagonal */

    cols[0] = dom->row[i];
    atom[0] = i;
    for (PetscInt ab = 0; ab < bs * bs; ab++) diag[ab] = 0;
    for (PetscInt k = nl.offset[i]; k < nl.offset[i + 1]; k++) {
      const PetscInt j   = nl.nbr[k];
      PetscScalar   *blk = blocks + ncols * bs * bs;
      PetscReal      d[3], r = VitDomainDisplacement(dom, i, j, d), phi, dphi, d2phi;

      LJEval(lj, dom->type[i], dom->type[j], r, &phi, &dphi, &d2phi);
      if ((dphi == 0 && d2phi == 0) || dom->row[j] == dom->row[i]) continue; /* an image of i: its K_ii - K_ii = 0 */
      LJBlock(lj, dom->type[i], dom->type[j], d, r, dphi, d2phi, S, bs, blk);
      for (PetscInt ab = 0; ab < bs * bs; ab++) diag[ab] -= blk[ab];
      if (cols[ncols - 1] == dom->row[j]) { /* another image of the last atom (a box below 2 cutoffs): one block */
        for (PetscInt ab = 0; ab < bs * bs; ab++) blk[ab - bs * bs] += blk[ab];
        continue;
      }
      atom[ncols]   = j;
      cols[ncols++] = dom->row[j];
    }
    for (PetscInt c = 0; w && c < ncols; c++)
      for (PetscInt ab = 0; ab < bs * bs; ab++) blocks[c * bs * bs + ab] = VitMassWeight(blocks[c * bs * bs + ab], w[i], w[atom[c]]);
    row = dom->row[i];
    PetscCall(PackBlockRowSorted(bs, ncols, cols, perm, blocks, vals));
    PetscCall(MatSetValuesBlocked(H, 1, &row, ncols, cols, vals, INSERT_VALUES));
  }
  PetscCall(PetscFree5(cols, perm, atom, blocks, vals));
  PetscFunctionReturn(0);
}

static PetscErrorCode LJHessian(VitPotential pot, VitDomain *dom, const VitNeighborList *nl, const PetscReal w[], Mat H)
{
  PetscFunctionBeginUser;
  PetscCall(LJHessianRows(pot, dom, nl, NULL, w, H));
  PetscFunctionReturn(0);
}

static PetscErrorCode LJHessianStrain(VitPotential pot, VitDomain *dom, const VitNeighborList *nl, const PetscReal S[3][3], const PetscReal w[], Mat dH)
{
  PetscFunctionBeginUser;
  PetscCall(LJHessianRows(pot, dom, nl, S, w, dH));
  PetscFunctionReturn(0);
}

static PetscErrorCode LJDestroy(VitPotential pot)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(pot->data));
  PetscFunctionReturn(0);
}

/* Pair names in pair order (0-0, 0-1, ..., 1-1, ...) for messages, e.g. "A-A,A-B,B-B". */
static PetscErrorCode PairOrder(const VitSample *sample, char buf[], size_t len)
{
  PetscFunctionBeginUser;
  buf[0] = 0;
  for (PetscInt a = 0; a < sample->ntypes; a++)
    for (PetscInt b = a; b < sample->ntypes; b++) {
      size_t n;

      PetscCall(PetscStrlen(buf, &n));
      PetscCall(PetscSNPrintf(buf + n, len - n, "%s%s-%s", n ? "," : "", sample->type_name[a], sample->type_name[b]));
    }
  PetscFunctionReturn(0);
}

/* A per-pair list option: one value for every pair, or one per pair in pair order. */
static PetscErrorCode ReadPairList(PetscOptionItems *PetscOptionsObject, const char opt[], const char help[], const VitSample *sample, PetscReal value[VIT_MAX_TYPES][VIT_MAX_TYPES], PetscBool *set)
{
  const PetscInt ntypes = sample ? sample->ntypes : 1, npairs = ntypes * (ntypes + 1) / 2;
  PetscReal      list[VIT_MAX_TYPES * (VIT_MAX_TYPES + 1) / 2];
  PetscInt       n = npairs, k = 0, given;
  char           order[VIT_MAX_TYPES * (VIT_MAX_TYPES + 1) / 2 * (2 * VIT_NAME_LEN + 2)];

  PetscFunctionBeginUser;
  for (PetscInt a = 0; a < ntypes; a++) /* current values, shown by -help */
    for (PetscInt b = a; b < ntypes; b++, k++) list[k] = value[a][b];
  k = 0;
  PetscCall(VitOptionsListLength(opt, &given)); /* values beyond npairs would be dropped by the read */
  PetscCall(PetscOptionsRealArray(opt, help, NULL, list, &n, set));
  if (!*set || !sample) PetscFunctionReturn(0);
  PetscCall(PairOrder(sample, order, sizeof(order)));
  n = PetscMax(n, given);
  PetscCheck(n == 1 || n == npairs, PetscOptionsObject->comm, PETSC_ERR_USER_INPUT, "%s: give 1 value or %" PetscInt_FMT " values (pairs %s), got %" PetscInt_FMT, opt, npairs, order, n);
  for (PetscInt a = 0; a < ntypes; a++)
    for (PetscInt b = a; b < ntypes; b++, k++) value[a][b] = value[b][a] = list[n == 1 ? 0 : k];
  PetscFunctionReturn(0);
}

typedef struct {
  PetscReal eps[VIT_MAX_TYPES][VIT_MAX_TYPES], sig[VIT_MAX_TYPES][VIT_MAX_TYPES], rc[VIT_MAX_TYPES][VIT_MAX_TYPES];
  PetscReal rc_sigma; /* rc in units of sigma_ab where -lj_cutoff is not given */
  PetscBool rc_set, shift, smooth;
  PetscBool eps_set, sig_set, rc_sigma_set; /* given by the options (or, for all three, by the file) */
} LJOptions;

/* Defaults: eps = sig = 1; Kob-Andersen: eps_AB 1.5, eps_BB 0.5, sig_AB 0.8, sig_BB 0.88, rc 2.5 sig_ab, shifted. */
static void LJDefaults(PetscBool ka, LJOptions *o)
{
  for (PetscInt a = 0; a < VIT_MAX_TYPES; a++)
    for (PetscInt b = 0; b < VIT_MAX_TYPES; b++) o->eps[a][b] = o->sig[a][b] = 1;
  if (ka) {
    o->eps[0][1] = o->eps[1][0] = 1.5;
    o->eps[1][1]                = 0.5;
    o->sig[0][1] = o->sig[1][0] = 0.8;
    o->sig[1][1]                = 0.88;
  }
  o->rc_sigma = 2.5;
  o->rc_set   = PETSC_FALSE;
  for (PetscInt a = 0; a < VIT_MAX_TYPES; a++) /* shown by -help; used only when -lj_cutoff is given */
    for (PetscInt b = 0; b < VIT_MAX_TYPES; b++) o->rc[a][b] = o->rc_sigma * o->sig[a][b];
  o->shift    = ka;
  o->smooth   = PETSC_FALSE;
}

static PetscErrorCode LJReadOptions(MPI_Comm comm, const VitSample *sample, LJOptions *o)
{
  PetscFunctionBeginUser;
  PetscOptionsBegin(comm, NULL, "Lennard-Jones pair potential (-potential lj, ka2d, ka3d); pair lists in order 1-1,1-2,...,2-2,...", "vitrum");
  {
    PetscCall(ReadPairList(PetscOptionsObject, "-lj_epsilon", "epsilon per pair (one value: all pairs); default: the sample file's PairIJ Coeffs (a data file, or vitrum's H5MD), else 1 (lj units only; a note for several types), ka: 1,1.5,0.5", sample, o->eps, &o->eps_set));
    PetscCall(ReadPairList(PetscOptionsObject, "-lj_sigma", "sigma per pair (one value: all pairs); default: the sample file's PairIJ Coeffs (a data file, or vitrum's H5MD), else 1 (lj units only; a note for several types), ka: 1,0.8,0.88", sample, o->sig, &o->sig_set));
    PetscCall(ReadPairList(PetscOptionsObject, "-lj_cutoff", "cutoff distance per pair (default: a data file's PairIJ Coeffs, else -lj_cutoff_sigma times sigma of the pair)", sample, o->rc, &o->rc_set));
    PetscCall(PetscOptionsReal("-lj_cutoff_sigma", "cutoff in units of sigma of each pair, where -lj_cutoff is not given (default 2.5 in lj units; give it or -lj_cutoff in metal and real units)", NULL, o->rc_sigma, &o->rc_sigma, &o->rc_sigma_set));
    PetscCall(PetscOptionsBool("-potential_shift", "shift phi so that it vanishes at the cutoff (default: true for ka2d/ka3d, false for lj)", NULL, o->shift, &o->shift, NULL));
    PetscCall(PetscOptionsBool("-potential_smooth", "add C0 + C2 (r/sigma)^2 + C4 (r/sigma)^4 so that phi, phi', phi'' vanish at the cutoff", NULL, o->smooth, &o->smooth, NULL));
  }
  PetscOptionsEnd();
  PetscFunctionReturn(0);
}

/* Is a the same number as b written by LAMMPS with %g (6 significant digits)? */
static PetscBool SameAsWritten(PetscReal a, PetscReal b)
{
  return (PetscBool)(PetscAbsReal(a - b) <= 5e-6 * PetscMax(PetscAbsReal(a), PetscAbsReal(b)));
}

/* Whether the coefficients taken from a file differ from those taken before in this run: features
   sets up a potential for every sample, and the note on where they came from is said once for
   each set of values, not once per sample. */
static PetscBool NewCoefficients(PetscInt ntypes, const LJOptions *o)
{
  static PetscBool said = PETSC_FALSE;
  static LJOptions last;
  PetscBool        same = said;

  for (PetscInt a = 0; a < ntypes && same; a++)
    for (PetscInt b = 0; b < ntypes && same; b++) same = (PetscBool)(o->eps[a][b] == last.eps[a][b] && o->sig[a][b] == last.sig[a][b] && o->rc[a][b] == last.rc[a][b]);
  said = PETSC_TRUE;
  last = *o;
  return (PetscBool)!same;
}

/* The parameters that neither the options nor a Kob-Andersen preset give (epsilon, sigma, and the
   cutoff when the file has it) from a data file's lj/cut PairIJ Coeffs, or Pair Coeffs of a
   one-type sample (no cross pair to mix); a two-type Pair Coeffs (per type only) cannot give the
   cross pairs, which depend on LAMMPS's pair_modify mix: an error saying what to give. Where the
   options or the preset give a value the file has too and the two differ, a warning (the options
   win). quiet (a variant of a potential already created): neither the warning nor the note. */
static PetscErrorCode LJTakeFileCoefficients(MPI_Comm comm, const VitSample *sample, const char preset[], PetscBool ka, PetscBool quiet, LJOptions *o)
{
  const VitPairCoeffs *pc       = &sample->pair_coeffs;
  const PetscBool      usable   = (PetscBool)(pc->per == 2 || (pc->per == 1 && sample->ntypes == 1));
  const PetscBool      take_eps = (PetscBool)(!o->eps_set && !ka), take_sig = (PetscBool)(!o->sig_set && !ka);
  const PetscBool      take_rc  = (PetscBool)(pc->nvalues >= 3 && !o->rc_set && !o->rc_sigma_set && !ka);
  const char          *name     = pc->per == 1 ? "Pair Coeffs" : "PairIJ Coeffs";
  char                 order[VIT_MAX_TYPES * (VIT_MAX_TYPES + 1) / 2 * (2 * VIT_NAME_LEN + 2)];
  char                 where[64], at[PETSC_MAX_PATH_LEN + 64]; /* "line 15", "ar.data:15" (or the H5MD dataset) */

  PetscFunctionBeginUser;
  if (!pc->per) PetscFunctionReturn(0);
  PetscCall(PairOrder(sample, order, sizeof(order)));
  VitPairCoeffsWhere(sample, PETSC_FALSE, where, sizeof(where));
  VitPairCoeffsWhere(sample, PETSC_TRUE, at, sizeof(at));
  for (PetscInt a = 0; pc->nvalues >= 2 && a < sample->ntypes; a++) /* values given both ways that differ */
    for (PetscInt b = a; b < sample->ntypes; b++)
      for (PetscInt k = 0; k < 2 && pc->given[a][b]; k++) {
        const PetscReal mine = k ? o->sig[a][b] : o->eps[a][b];
        if (quiet || (k ? take_sig : take_eps) || SameAsWritten(mine, pc->value[a][b][k])) continue;
        PetscCall(PetscPrintf(comm, "vitrum: warning: %s: pair %s-%s has %s %.6g in its %s (%s), %s %.6g: using %s\n", sample->source, sample->type_name[a], sample->type_name[b], k ? "sigma" : "epsilon", (double)pc->value[a][b][k], name, where, ka ? "the Kob-Andersen preset" : "the options", (double)mine, ka ? preset : "the options"));
      }
  if (!take_eps && !take_sig) PetscFunctionReturn(0);
  PetscCheck(pc->nvalues >= 2, comm, PETSC_ERR_USER_INPUT, "%s: %s # lj/cut: expected epsilon and sigma on every line", at, name);
  PetscCheck(usable, comm, PETSC_ERR_USER_INPUT, "%s: Pair Coeffs # lj/cut give epsilon and sigma per atom type only; the cross pairs depend on LAMMPS's pair_modify mix, which the file does not record: give -lj_epsilon and -lj_sigma for the pairs %s, or write the file with 'write_data FILE pair ij'", at, order);
  for (PetscInt a = 0; a < sample->ntypes; a++)
    for (PetscInt b = a; b < sample->ntypes; b++) {
      const PetscReal *v = pc->value[a][b];
      PetscCheck(pc->given[a][b], comm, PETSC_ERR_USER_INPUT, "%s: PairIJ Coeffs # lj/cut have no line for the pair %s-%s (types %" PetscInt_FMT " %" PetscInt_FMT "): give all pairs %s, or -lj_epsilon and -lj_sigma", at, sample->type_name[a], sample->type_name[b], a + 1, b + 1, order);
      if (take_eps) o->eps[a][b] = o->eps[b][a] = v[0];
      if (take_sig) o->sig[a][b] = o->sig[b][a] = v[1];
      if (take_rc) o->rc[a][b] = o->rc[b][a] = v[2];
    }
  o->eps_set = o->sig_set = PETSC_TRUE;
  o->rc_set  = (PetscBool)(o->rc_set || take_rc);
  if (!quiet && NewCoefficients(sample->ntypes, o)) PetscCall(PetscPrintf(comm, "vitrum: note: Lennard-Jones %s%s%s%s of the pairs %s from %s (%s, %s)\n", take_eps ? "epsilon" : "", take_eps && take_sig ? ", " : "", take_sig ? "sigma" : "", take_rc ? ", cutoff" : "", order, sample->source, name, where));
  PetscFunctionReturn(0);
}

/* The parameter options that kept vitrum's defaults, which are lj-unit numbers (VitUnitsSetUpForPotential
   refuses them in metal and real units). */
static PetscErrorCode LJUnitsDefaults(const LJOptions *o, char list[], size_t len)
{
  PetscFunctionBeginUser;
  list[0] = 0;
  if (!o->eps_set) PetscCall(PetscStrlcat(list, "-lj_epsilon", len));
  if (!o->sig_set) PetscCall(PetscStrlcat(list, list[0] ? ", -lj_sigma" : "-lj_sigma", len));
  if (!o->rc_set && !o->rc_sigma_set) PetscCall(PetscStrlcat(list, list[0] ? ", -lj_cutoff (or -lj_cutoff_sigma)" : "-lj_cutoff (or -lj_cutoff_sigma)", len));
  PetscFunctionReturn(0);
}

/* Per-pair parameters from the options, checked. */
static PetscErrorCode LJSetPairs(MPI_Comm comm, const VitSample *sample, const LJOptions *o, LJ *lj)
{
  PetscFunctionBeginUser;
  lj->ntypes = sample->ntypes;
  lj->smooth = o->smooth;
  for (PetscInt a = 0; a < lj->ntypes; a++)
    for (PetscInt b = 0; b < lj->ntypes; b++) {
      LJPair *p = &lj->p[a][b];

      p->eps = o->eps[a][b];
      p->sig = o->sig[a][b];
      p->rc  = o->rc_set ? o->rc[a][b] : o->rc_sigma * p->sig;
      PetscCheck(p->sig > 0 && p->rc > 0 && p->eps >= 0 && !PetscIsInfOrNanReal(p->sig + p->rc + p->eps), comm, PETSC_ERR_USER_INPUT, "Lennard-Jones pair %s-%s: need finite sigma > 0 (got %.6g, -lj_sigma), cutoff > 0 (got %.6g, -lj_cutoff/-lj_cutoff_sigma), epsilon >= 0 (got %.6g, -lj_epsilon)", sample->type_name[a], sample->type_name[b], (double)p->sig, (double)p->rc, (double)p->eps);
      LJSetCutoffTerms(p, o->shift, o->smooth);
    }
  PetscFunctionReturn(0);
}

PetscErrorCode VitPotentialCreateLJ(MPI_Comm comm, const VitSample *sample, const char preset[], PetscBool quiet, VitPotential *pot)
{
  LJOptions    o;
  LJ          *lj;
  PetscBool    ka2, ka3;
  VitPotential p;

  PetscFunctionBeginUser;
  *pot = NULL;
  PetscCall(PetscStrcmp(preset, "ka2d", &ka2));
  PetscCall(PetscStrcmp(preset, "ka3d", &ka3));
  LJDefaults(ka2 || ka3, &o);
  PetscCall(LJReadOptions(comm, sample, &o));
  if (!sample) PetscFunctionReturn(0); /* -help: options listed */
  PetscCheck(!(ka2 || ka3) || sample->ntypes == 2, comm, PETSC_ERR_USER_INPUT, "-potential %s (Kob-Andersen) needs a sample with 2 atom types (A, B); %s has %" PetscInt_FMT, preset, sample->source, sample->ntypes);
  PetscCall(LJTakeFileCoefficients(comm, sample, preset, ka2 || ka3, quiet, &o));
  PetscCall(PetscNew(&lj));
  PetscCall(LJSetPairs(comm, sample, &o, lj));
  PetscCall(PetscNew(&p));
  PetscCall(LJUnitsDefaults(&o, p->lj_units_defaults, sizeof(p->lj_units_defaults)));
  p->kind   = VIT_POTENTIAL_PAIR;
  p->params = "lj_epsilon,lj_sigma,lj_cutoff,lj_cutoff_sigma";
  p->ntypes = sample->ntypes;
  p->data   = lj;
  PetscCall(PetscStrncpy(p->name, preset, sizeof(p->name)));
  p->min_distance = PETSC_MAX_REAL;
  for (PetscInt a = 0; a < lj->ntypes; a++)
    for (PetscInt b = 0; b < lj->ntypes; b++) {
      p->cutoff       = PetscMax(p->cutoff, lj->p[a][b].rc);
      p->pair_cutoff[a][b] = lj->p[a][b].eps > 0 ? lj->p[a][b].rc : 0; /* eps = 0: phi = 0 at any r */
      p->min_distance = PetscMin(p->min_distance, 0.5 * lj->p[a][b].sig); /* phi(sig/2) ~ 1.6e4 eps */
    }
  p->ghost_width   = p->cutoff;
  p->hessian_range = p->cutoff;
  p->compute       = LJCompute;
  p->hessian       = LJHessian;
  p->hessian_strain = LJHessianStrain;
  p->pair          = LJPairCallback;
  p->destroy       = LJDestroy;
  *pot             = p;
  PetscFunctionReturn(0);
}
