/* Site-energy drivers shared by the many-body potentials (see manybody.h for the formulas),
   element mapping and a line reader for potential files. See docs/manybody.md. */
#include "manybody.h"

static PetscLogEvent event_compute, event_hessian;

static PetscErrorCode RegisterEvents(void)
{
  const char *const    names[]  = {"VitManyBodyF", "VitManyBodyH"};
  PetscLogEvent *const events[] = {&event_compute, &event_hessian};

  PetscFunctionBeginUser;
  PetscCall(VitLogEventsRegister(2, names, events));
  PetscFunctionReturn(0);
}

/* Sites that reach an owned atom (owned atoms, and ghosts with an owned neighbour), sorted by
   global id then periodic image, with their neighbour lists sorted by global id. With a skin list
   (pot->skin_list, lent: skin) the lists and the sites are supersets (within the cutoff plus the
   skin); the forces then drop the neighbours beyond the cutoff (SiteInRange), and the extra sites
   reach no owned atom. The lists are lent (not freed here) with skin, or where the caller gives
   them (VitHessian's, which its preallocation counted from). */
typedef struct {
  VitNeighborList nl;
  PetscBool       skin, lent;
  PetscInt        nsite, *site, nmax;
} SiteSet;

typedef struct {
  PetscInt gid, image[3], local;
} SiteKey;

static int CompareSiteKeys(const void *pa, const void *pb)
{
  const SiteKey *a = (const SiteKey *)pa, *b = (const SiteKey *)pb;

  if (a->gid != b->gid) return a->gid < b->gid ? -1 : 1;
  for (int k = 0; k < 3; k++)
    if (a->image[k] != b->image[k]) return a->image[k] < b->image[k] ? -1 : 1;
  return 0;
}

static PetscBool HasOwnedNeighbor(const VitDomain *dom, const VitNeighborList *nl, PetscInt i)
{
  for (PetscInt k = nl->offset[i]; k < nl->offset[i + 1]; k++)
    if (nl->nbr[k] < dom->nowned) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* lists: the cutoff's lists of the owned and ghost atoms sorted by id, or NULL (built here, or with
   skin the skin list). */
static PetscErrorCode SiteSetBuild(VitPotential pot, VitDomain *dom, PetscBool skin, const VitNeighborList *lists, SiteSet *ss)
{
  SiteKey *keys;

  PetscFunctionBeginUser;
  PetscCheck(dom->ghost_width >= pot->ghost_width * (1 - 1e-12), dom->comm, PETSC_ERR_ARG_WRONG, "-potential %s needs a ghost shell of %.6g (two cutoffs); the domain has %.6g", pot->name, (double)pot->ghost_width, (double)dom->ghost_width);
  ss->skin = (PetscBool)(skin && pot->skin_list);
  ss->lent = (PetscBool)(ss->skin || lists);
  if (ss->skin) ss->nl = *pot->skin_list;
  else if (lists) ss->nl = *lists;
  else PetscCall(VitPotentialSiteList(pot, dom, &ss->nl));
  PetscCall(PetscMalloc1(ss->nl.nlist + 1, &keys));
  ss->nsite = 0;
  for (PetscInt i = 0; i < ss->nl.nlist; i++) {
    if (i >= dom->nowned && !HasOwnedNeighbor(dom, &ss->nl, i)) continue;
    keys[ss->nsite].gid = dom->gid[i];
    for (int k = 0; k < 3; k++) keys[ss->nsite].image[k] = dom->image[3 * i + k];
    keys[ss->nsite++].local = i;
  }
  qsort(keys, (size_t)ss->nsite, sizeof(SiteKey), CompareSiteKeys);
  PetscCall(PetscMalloc1(ss->nsite + 1, &ss->site));
  ss->nmax = 0;
  for (PetscInt s = 0; s < ss->nsite; s++) {
    PetscInt i = keys[s].local;
    ss->site[s] = i;
    ss->nmax    = PetscMax(ss->nmax, ss->nl.offset[i + 1] - ss->nl.offset[i]);
  }
  PetscCall(PetscFree(keys));
  PetscFunctionReturn(0);
}

static PetscErrorCode SiteSetDestroy(SiteSet *ss)
{
  PetscFunctionBeginUser;
  if (!ss->lent) PetscCall(VitNeighborListDestroy(&ss->nl));
  PetscCall(PetscFree(ss->site));
  PetscFunctionReturn(0);
}

/* Relative vectors d_m = x_m - x_i and distances of site i's neighbours. */
static void SiteGeometry(const VitDomain *dom, PetscInt i, PetscInt n, const PetscInt nbr[], PetscReal d[], PetscReal r[])
{
  for (PetscInt m = 0; m < n; m++) r[m] = VitDomainDisplacement(dom, i, nbr[m], &d[3 * m]);
}

/* A skin list's site: its neighbours within the cutoff (in order, into kept, d and r compacted),
   which are exactly those of an exact list; returns their number. */
static PetscInt SiteInRange(PetscReal cutoff, PetscInt n, const PetscInt nbr[], PetscInt kept[], PetscReal d[], PetscReal r[])
{
  PetscInt k = 0;

  for (PetscInt m = 0; m < n; m++) {
    if (r[m] >= cutoff) continue;
    kept[k] = nbr[m];
    r[k]    = r[m];
    for (int a = 0; a < 3; a++) d[3 * k + a] = d[3 * m + a];
    k++;
  }
  return k;
}

/* Energy shares and forces of one site on the owned atoms among i and its neighbours; the virial
   of an owned site to its atom (each site is owned by exactly one rank). */
static void SiteAccumulate(const VitDomain *dom, PetscInt i, PetscInt n, const PetscInt nbr[], const PetscReal d[], const PetscReal e[], const PetscReal g[], PetscReal *energy, PetscReal *force, PetscReal *virial)
{
  const PetscInt voigt[6][2] = {{0, 0}, {1, 1}, {2, 2}, {0, 1}, {0, 2}, {1, 2}};

  if (i < dom->nowned) {
    PetscReal fi[3] = {0, 0, 0};

    for (PetscInt m = 0; m < n; m++)
      for (int a = 0; a < 3; a++) fi[a] += g[3 * m + a];
    if (energy) energy[i] += e[0];
    if (force)
      for (int a = 0; a < 3; a++) force[3 * i + a] += fi[a];
    for (PetscInt m = 0; m < n && virial; m++)
      for (int v = 0; v < 6; v++) virial[6 * i + v] -= d[3 * m + voigt[v][0]] * g[3 * m + voigt[v][1]];
  }
  for (PetscInt m = 0; m < n; m++) {
    const PetscInt j = nbr[m];

    if (j >= dom->nowned) continue;
    if (energy) energy[j] += e[1 + m];
    if (force)
      for (int a = 0; a < 3; a++) force[3 * j + a] -= g[3 * m + a];
  }
}

PetscErrorCode VitManyBodyCompute(VitPotential pot, VitDomain *dom, VitSiteFunction site, PetscReal *energy, PetscReal *force, PetscReal *virial)
{
  SiteSet    ss;
  PetscReal *d, *r, *e, *g;
  PetscInt  *kept;

  PetscFunctionBeginUser;
  PetscCall(RegisterEvents());
  PetscCall(PetscLogEventBegin(event_compute, 0, 0, 0, 0));
  PetscCall(SiteSetBuild(pot, dom, PETSC_TRUE, NULL, &ss));
  PetscCall(PetscMalloc5(3 * ss.nmax + 1, &d, ss.nmax + 1, &r, ss.nmax + 1, &e, 3 * ss.nmax + 1, &g, ss.nmax + 1, &kept));
  if (energy) PetscCall(PetscArrayzero(energy, dom->nowned));
  if (force) PetscCall(PetscArrayzero(force, 3 * dom->nowned));
  if (virial) PetscCall(PetscArrayzero(virial, 6 * dom->nowned));
  for (PetscInt s = 0; s < ss.nsite; s++) {
    const PetscInt  i   = ss.site[s];
    PetscInt        n   = ss.nl.offset[i + 1] - ss.nl.offset[i];
    const PetscInt *nbr = ss.nl.nbr + ss.nl.offset[i];

    SiteGeometry(dom, i, n, nbr, d, r);
    if (ss.skin) {
      n   = SiteInRange(pot->cutoff, n, nbr, kept, d, r);
      nbr = kept;
    }
    PetscCall(site(pot, dom, i, n, nbr, d, r, e, g, NULL, NULL));
    SiteAccumulate(dom, i, n, nbr, d, e, g, energy, force, virial);
  }
  PetscCall(PetscFree5(d, r, e, g, kept));
  PetscCall(SiteSetDestroy(&ss));
  PetscCall(PetscLogEventEnd(event_compute, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Row sums rs (3n x 3) of the needed rows of G and, when the site atom's row is needed (all rows
   are then), column sums cs (3 x 3n) and total t (3 x 3). */
static void SiteSums(PetscInt n, const PetscReal G[], const PetscBool need[], PetscBool site_row, PetscReal rs[], PetscReal cs[], PetscReal t[])
{
  for (PetscInt k = 0; k < 9 * n; k++) rs[k] = cs[k] = 0;
  for (int k = 0; k < 9; k++) t[k] = 0;
  for (PetscInt row = 0; row < 3 * n; row++) {
    if (!need[row / 3]) continue;
    for (PetscInt col = 0; col < 3 * n; col++) rs[row * 3 + col % 3] += G[row * 3 * n + col];
    if (!site_row) continue;
    for (PetscInt col = 0; col < 3 * n; col++) cs[(row % 3) * 3 * n + col] += G[row * 3 * n + col];
    for (int b = 0; b < 3; b++) t[(row % 3) * 3 + b] += rs[row * 3 + b];
  }
  for (int a = 0; a < 3; a++) /* the sums above run in different orders: make t exactly symmetric */
    for (int b = a + 1; b < 3; b++) t[a * 3 + b] = t[b * 3 + a] = 0.5 * (t[a * 3 + b] + t[b * 3 + a]);
}

void VitManyBodySymmetrize(PetscInt n, PetscReal G[])
{
  for (PetscInt p = 0; p < 3 * n; p++)
    for (PetscInt q = p + 1; q < 3 * n; q++) G[p * 3 * n + q] = G[q * 3 * n + p] = 0.5 * (G[p * 3 * n + q] + G[q * 3 * n + p]);
}

/* Block (p, q) of the site Hessian over the atoms (i, nbr[0], ..., nbr[n-1]), row a (3 values),
   from G over the relative vectors with its row sums rs (3n x 3), column sums cs (3 x 3n) and
   total t (3 x 3). */
static inline const PetscReal *SiteBlockRow(PetscInt n, const PetscReal G[], const PetscReal rs[], const PetscReal cs[], const PetscReal t[], PetscInt p, PetscInt q, int a, PetscReal *sign)
{
  *sign = (p > 0) != (q > 0) ? -1.0 : 1.0;
  if (p > 0 && q > 0) return &G[(3 * (p - 1) + a) * 3 * n + 3 * (q - 1)];
  if (p > 0) return &rs[(3 * (p - 1) + a) * 3];
  if (q > 0) return &cs[a * 3 * n + 3 * (q - 1)];
  return &t[a * 3];
}

/* Equal rows in the sorted permutation (images of one atom among the site's atoms, in boxes narrower
   than the coupling range) back into site order, so that their blocks add up in the same order on
   any number of ranks (the sort's order of equal keys depends on the other rows' numbers). */
static void StableImages(PetscInt n, const PetscInt rows[], PetscInt perm[])
{
  for (PetscInt start = 0, end; start < n; start = end) {
    for (end = start + 1; end < n && rows[perm[end]] == rows[perm[start]]; end++) { }
    for (PetscInt q = start + 1; q < end; q++) { /* insertion sort: runs are short */
      PetscInt v = perm[q], p = q;
      for (; p > start && perm[p - 1] > v; p--) perm[p] = perm[p - 1];
      perm[p] = v;
    }
  }
}

/* Add the rows of owned atoms among the site's atoms to H (block rows dom->row), with the
   columns in increasing order (PETSc's insertion searches rows fastest that way), mass weighted
   with w (potential.h) unless NULL. */
static PetscErrorCode SiteAddHessian(const VitDomain *dom, PetscInt i, PetscInt n, const PetscInt nbr[], const PetscReal G[], const PetscBool need[], const PetscReal w[], PetscReal work[], PetscInt rows[], PetscInt cols[], PetscInt perm[], PetscScalar vals[], Mat H)
{
  PetscReal *rs = work, *cs = work + 9 * n, t[9];
  PetscInt   nrow = 0;

  PetscFunctionBeginUser;
  SiteSums(n, G, need, (PetscBool)(i < dom->nowned), rs, cs, t);
  for (PetscInt q = 0; q <= n; q++) rows[q] = dom->row[q ? nbr[q - 1] : i], perm[q] = q;
  PetscCall(PetscSortIntWithPermutation(n + 1, rows, perm));
  StableImages(n + 1, rows, perm);
  for (PetscInt c = 0; c <= n; c++) cols[c] = rows[perm[c]];
  for (PetscInt p = 0; p <= n; p++) {
    const PetscInt ap = p ? nbr[p - 1] : i;
    if (ap >= dom->nowned) continue;
    for (int a = 0; a < 3; a++) {
      PetscScalar *v = &vals[(3 * nrow + a) * 3 * (n + 1)];

      for (PetscInt c = 0; c <= n; c++) {
        PetscReal        sign;
        const PetscReal *src = SiteBlockRow(n, G, rs, cs, t, p, perm[c], a, &sign);
        const PetscInt   ac  = perm[c] ? nbr[perm[c] - 1] : i;

        for (int b = 0; b < 3; b++) v[3 * c + b] = w ? VitMassWeight(sign * src[b], w[ap], w[ac]) : sign * src[b];
      }
    }
    rows[nrow++] = dom->row[p ? nbr[p - 1] : i];
  }
  PetscCall(MatSetValuesBlocked(H, nrow, rows, n + 1, cols, vals, ADD_VALUES));
  PetscFunctionReturn(0);
}

PetscErrorCode VitManyBodyHessian(VitPotential pot, VitDomain *dom, VitSiteFunction site, const VitNeighborList *lists, const PetscReal w[], Mat H)
{
  SiteSet      ss;
  PetscReal   *d, *r, *e, *g, *G, *work;
  PetscInt    *rows, *cols, *perm, nb;
  PetscScalar *vals;
  PetscBool   *need;

  PetscFunctionBeginUser;
  PetscCall(RegisterEvents());
  PetscCall(PetscLogEventBegin(event_hessian, 0, 0, 0, 0));
  PetscCall(SiteSetBuild(pot, dom, PETSC_FALSE, lists, &ss));
  nb = ss.nmax + 1;
  PetscCall(PetscMalloc5(3 * nb, &d, nb, &r, nb, &e, 3 * nb, &g, nb, &need));
  PetscCall(PetscMalloc6(9 * nb * nb, &G, 18 * nb, &work, nb, &rows, nb, &cols, nb, &perm, 9 * nb * nb, &vals));
  for (PetscInt s = 0; s < ss.nsite; s++) {
    const PetscInt  i = ss.site[s], n = ss.nl.offset[i + 1] - ss.nl.offset[i];
    const PetscInt *nbr = ss.nl.nbr + ss.nl.offset[i];

    if (!n) continue;
    SiteGeometry(dom, i, n, nbr, d, r);
    for (PetscInt m = 0; m < n; m++) need[m] = (PetscBool)(i < dom->nowned || nbr[m] < dom->nowned); /* rows added here */
    PetscCall(site(pot, dom, i, n, nbr, d, r, e, g, G, need));
    PetscCall(SiteAddHessian(dom, i, n, nbr, G, need, w, work, rows, cols, perm, vals, H));
  }
  PetscCall(PetscFree5(d, r, e, g, need));
  PetscCall(PetscFree6(G, work, rows, cols, perm, vals));
  PetscCall(SiteSetDestroy(&ss));
  PetscCall(PetscLogEventEnd(event_hessian, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode VitManyBodyCheckSample(MPI_Comm comm, const VitSample *sample, const char potential[])
{
  PetscFunctionBeginUser;
  PetscCheck(sample->dim == 3, comm, PETSC_ERR_USER_INPUT, "%s: -potential %s works in 3D only; this sample is 2D (a sheet in a 3D box: -sample_dimension 3)", sample->source, potential);
  PetscFunctionReturn(0);
}

PetscErrorCode VitManyBodySplitElements(MPI_Comm comm, const char elements[], PetscInt ntypes, char names[][VIT_NAME_LEN])
{
  char     copy[1024], *tok, *save = NULL;
  PetscInt count = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(copy, elements, sizeof(copy)));
  for (tok = strtok_r(copy, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
    if (count < ntypes) PetscCall(PetscStrncpy(names[count], tok, VIT_NAME_LEN));
    count++;
  }
  PetscCheck(count == ntypes, comm, PETSC_ERR_USER_INPUT, "-potential_elements %s names %" PetscInt_FMT " elements but the sample has %" PetscInt_FMT " atom types (give one element per type, in type order)", elements, count, ntypes);
  PetscFunctionReturn(0);
}

PetscErrorCode VitManyBodyMapElements(MPI_Comm comm, const VitSample *sample, const char elements[], const char file[], PetscInt nnames, const char names[][VIT_NAME_LEN], PetscInt map[])
{
  char type_element[VIT_MAX_TYPES][VIT_NAME_LEN], have[512] = "";

  PetscFunctionBeginUser;
  PetscCall(VitManyBodySplitElements(comm, elements, sample->ntypes, type_element));
  for (PetscInt e = 0; e < nnames; e++) {
    PetscCall(PetscStrlcat(have, " ", sizeof(have)));
    PetscCall(PetscStrlcat(have, names[e], sizeof(have)));
  }
  for (PetscInt t = 0; t < sample->ntypes; t++) {
    map[t] = -1;
    for (PetscInt e = 0; e < nnames && map[t] < 0; e++) {
      PetscBool same;
      PetscCall(PetscStrcmp(type_element[t], names[e], &same));
      if (same) map[t] = e;
    }
    PetscCheck(map[t] >= 0, comm, PETSC_ERR_USER_INPUT, "-potential_elements: element %s (atom type %" PetscInt_FMT ") is not in %s, which has:%s", type_element[t], t + 1, file, have);
  }
  PetscFunctionReturn(0);
}

void VitManyBodyAngularTerm(const PetscReal u[3], PetscReal r1, const PetscReal v[3], PetscReal r2, const PetscReal Fs[3], const PetscReal Fss[3][3], PetscReal grad[6], PetscReal hess[36])
{
  PetscReal uh[3], vh[3], c = 0, J[3][6];

  for (int x = 0; x < 3; x++) uh[x] = u[x] / r1, vh[x] = v[x] / r2, c += uh[x] * vh[x];
  for (int x = 0; x < 3; x++) { /* J_s = ds/d(u, v): dr1/du = uh, dr2/dv = vh, dc/du = (vh - c uh)/r1 */
    J[0][x] = uh[x], J[0][3 + x] = 0;
    J[1][x] = 0, J[1][3 + x] = vh[x];
    J[2][x] = (vh[x] - c * uh[x]) / r1, J[2][3 + x] = (uh[x] - c * vh[x]) / r2;
  }
  for (int q = 0; q < 6; q++) grad[q] = Fs[0] * J[0][q] + Fs[1] * J[1][q] + Fs[2] * J[2][q];
  if (!hess) return;
  for (int q = 0; q < 6; q++)
    for (int w = 0; w < 6; w++) {
      PetscReal sum = 0;
      for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) sum += Fss[a][b] * J[a][q] * J[b][w];
      hess[q * 6 + w] = sum;
    }
  /* Hess r1 = (I - uh uh^T)/r1, Hess c: uu block (3 c uh uh^T - uh vh^T - vh uh^T - c I)/r1^2,
     uv block (I - uh uh^T - vh vh^T + c uh vh^T)/(r1 r2) */
  for (int x = 0; x < 3; x++)
    for (int y = 0; y < 3; y++) {
      const PetscReal id = x == y ? 1.0 : 0.0, uv = Fs[2] * (id - uh[x] * uh[y] - vh[x] * vh[y] + c * uh[x] * vh[y]) / (r1 * r2);

      hess[x * 6 + y] += Fs[0] * (id - uh[x] * uh[y]) / r1 + Fs[2] * (3 * c * uh[x] * uh[y] - uh[x] * vh[y] - vh[x] * uh[y] - c * id) / (r1 * r1);
      hess[(3 + x) * 6 + 3 + y] += Fs[1] * (id - vh[x] * vh[y]) / r2 + Fs[2] * (3 * c * vh[x] * vh[y] - vh[x] * uh[y] - uh[x] * vh[y] - c * id) / (r2 * r2);
      hess[x * 6 + 3 + y] += uv;
      hess[(3 + y) * 6 + x] += uv;
    }
}

void VitManyBodyAddRadial(PetscInt n, PetscReal G[], PetscInt m, const PetscReal d[3], PetscReal r, PetscReal d1, PetscReal d2)
{
  for (int x = 0; x < 3; x++)
    for (int y = 0; y < 3; y++) G[(3 * m + x) * 3 * n + 3 * m + y] += (d2 - d1 / r) * d[x] * d[y] / (r * r) + (x == y ? d1 / r : 0);
}

void VitManyBodyAddPairBlocks(PetscInt n, PetscReal G[], PetscInt j, PetscInt k, PetscReal scale, const PetscReal h[36])
{
  const PetscInt blk[2] = {j, k};

  for (int s = 0; s < 2; s++)
    for (int t = 0; t < 2; t++)
      for (int x = 0; x < 3; x++)
        for (int y = 0; y < 3; y++) G[(3 * blk[s] + x) * 3 * n + 3 * blk[t] + y] += scale * h[(3 * s + x) * 6 + 3 * t + y];
}

PetscInt VitElementIndex(PetscInt ne, const char element[][VIT_NAME_LEN], const char name[])
{
  for (PetscInt e = 0; e < ne; e++)
    if (!strcmp(element[e], name)) return e;
  return -1;
}

/* One entry (3 element names, nnum numbers) starting at line `start`: stored when its three
   elements are all used, as LAMMPS does. */
static void TripletEntry(const char path[], PetscInt nnum, PetscInt ne, const char element[][VIT_NAME_LEN], char *words[], PetscInt start, PetscBool seen[], PetscReal values[], PetscInt line[], char errmsg[], size_t len)
{
  PetscInt el[3], idx;

  for (int k = 0; k < 3; k++)
    if ((el[k] = VitElementIndex(ne, element, words[k])) < 0) return;
  idx = (el[0] * ne + el[1]) * ne + el[2];
  if (seen[idx]) {
    snprintf(errmsg, len, "%s:%" PetscInt_FMT ": second entry for the triplet %s %s %s", path, start, words[0], words[1], words[2]);
    return;
  }
  seen[idx]  = PETSC_TRUE;
  line[idx] = start;
  for (PetscInt k = 0; k < nnum && !errmsg[0]; k++)
    if (!VitParseReal(words[3 + k], &values[idx * nnum + k])) snprintf(errmsg, len, "%s:%" PetscInt_FMT ": '%s' is not a number (parameter %" PetscInt_FMT " of the entry %s %s %s)", path, start, words[3 + k], k + 1, words[0], words[1], words[2]);
}

PetscErrorCode VitTripletFileReadRank0(const char path[], const char what[], PetscInt nnum, PetscInt ne, const char element[][VIT_NAME_LEN], PetscReal values[], PetscInt line[], char errmsg[], size_t len)
{
  VitLineReader rd = {NULL, path, 0, ""};
  char          text[8192], *words[64];
  PetscInt      start = 0, nwords = 0;
  PetscBool    *seen;

  PetscFunctionBeginUser;
  if (!(rd.fp = fopen(path, "r"))) {
    snprintf(errmsg, len, "cannot open the %s potential file %s", what, path);
    PetscFunctionReturn(0);
  }
  PetscCall(PetscCalloc1(ne * ne * ne, &seen));
  text[0] = 0;
  while (!errmsg[0] && VitLineReaderNext(&rd, PETSC_TRUE)) {
    char *tok, *save = NULL, buf[4096];

    PetscCall(PetscStrncpy(buf, rd.buf, sizeof(buf)));
    for (tok = strtok_r(buf, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
      if (!nwords) start = rd.line, text[0] = 0;
      if (nwords == 3 + nnum) {
        snprintf(errmsg, len, "%s:%" PetscInt_FMT ": the entry starting at line %" PetscInt_FMT " has more than %" PetscInt_FMT " words", path, rd.line, start, 3 + nnum);
        break;
      }
      if (strlen(text) + strlen(tok) + 2 > sizeof(text)) {
        snprintf(errmsg, len, "%s:%" PetscInt_FMT ": the entry starting at line %" PetscInt_FMT " is longer than %d characters: not a parameter file?", path, rd.line, start, (int)sizeof(text));
        break;
      }
      PetscCall(PetscStrlcat(text, tok, sizeof(text)));
      PetscCall(PetscStrlcat(text, " ", sizeof(text)));
      nwords++;
    }
    if (errmsg[0] || nwords < 3 + nnum) continue;
    {
      char *save2 = NULL;
      words[0]    = strtok_r(text, " ", &save2);
      for (PetscInt k = 1; k < 3 + nnum; k++) words[k] = strtok_r(NULL, " ", &save2);
    }
    TripletEntry(path, nnum, ne, element, words, start, seen, values, line, errmsg, len);
    nwords = 0;
  }
  if (!errmsg[0] && nwords) snprintf(errmsg, len, "%s:%" PetscInt_FMT ": file ends within the entry starting at line %" PetscInt_FMT " (%" PetscInt_FMT " of %" PetscInt_FMT " words)", path, rd.line, start, nwords, 3 + nnum);
  for (PetscInt idx = 0; idx < ne * ne * ne && !errmsg[0]; idx++)
    if (!seen[idx]) snprintf(errmsg, len, "%s has no entry for the element triplet %s %s %s", path, element[idx / (ne * ne)], element[(idx / ne) % ne], element[idx % ne]);
  PetscCall(PetscFree(seen));
  fclose(rd.fp);
  PetscFunctionReturn(0);
}

/* Numbers in the first entry of a three-body parameter file (3 names, then numbers up to the next
   name), or -1 when the file does not start like one. */
static PetscInt TripletNumbersPerEntry(const char path[])
{
  VitLineReader rd = {NULL, path, 0, ""};
  PetscInt      names = 0, numbers = 0;
  PetscBool     done  = PETSC_FALSE;

  if (!(rd.fp = fopen(path, "r"))) return -1;
  while (!done && VitLineReaderNext(&rd, PETSC_TRUE)) {
    char *tok, *save = NULL;

    for (tok = strtok_r(rd.buf, " \t\r\n", &save); tok && !done; tok = strtok_r(NULL, " \t\r\n", &save)) {
      PetscReal v;
      PetscBool number = VitParseReal(tok, &v);

      if (names < 3 && number) done = PETSC_TRUE, names = -1; /* not a triplet file */
      else if (names < 3) names++;
      else if (number) numbers++;
      else done = PETSC_TRUE;
    }
  }
  fclose(rd.fp);
  return names == 3 && numbers > 0 ? numbers : -1;
}

void VitPotentialFileStyleRank0(const char path[], char style[], size_t len)
{
  PetscInt numbers;

  VitEAMFileStyleRank0(path, style, len);
  if (style[0]) return;
  numbers = TripletNumbersPerEntry(path);
  snprintf(style, len, "%s", numbers == 11 ? "sw" : numbers == 14 ? "tersoff" : numbers == 17 ? "tersoff/mod" : numbers == 18 ? "tersoff/zbl or tersoff/mod/c" : "");
}

PetscBool VitLineReaderNext(VitLineReader *r, PetscBool strip_comments)
{
  char *hash;

  size_t n;

  if (!fgets(r->buf, sizeof(r->buf), r->fp)) return PETSC_FALSE;
  r->line++;
  n = strlen(r->buf);
  if (n == sizeof(r->buf) - 1 && r->buf[n - 1] != '\n') { /* an overlong line: keep its start, skip the rest, so line numbers stay right */
    int c;
    while ((c = fgetc(r->fp)) != EOF && c != '\n') { }
  }
  if (strip_comments && (hash = strchr(r->buf, '#'))) *hash = 0;
  return PETSC_TRUE;
}

PetscBool VitParseReal(const char s[], PetscReal *v)
{
  char *end;

  *v = strtod(s, &end);
  return (PetscBool)(end != s && *end == 0 && !PetscIsInfOrNanReal(*v));
}
