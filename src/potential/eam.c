/* Embedded-atom method potentials from LAMMPS setfl (eam/alloy) and Finnis-Sinclair (eam/fs)
   files, with LAMMPS's tables and cubic splines (pair_eam.cpp file2array/array2spline), so that
   energies and forces equal LAMMPS's. See docs/manybody.md.

   E = sum_i [ F_a(rho_i) + 1/2 sum_j phi_ab(r_ij) ],   rho_i = sum_j f_ba(r_ij)
   (a, b: elements of i, j; setfl: f_ba = f_b; eam/fs: f_ba = the file's rho_ba, as LAMMPS).
   Site i as a function of d_j = x_j - x_i (u_j = d_j / r_j):
     g_j  = (F' f'_j + phi'_j / 2) u_j
     G_jk = F'' f'_j f'_k u_j u_k^T + delta_jk [ (F' f''_j + phi''_j/2) u_j u_j^T + (F' f'_j + phi'_j/2)/r_j (I - u_j u_j^T) ]
   The rank-one F'' term couples atoms j, k that share a neighbour i: up to two cutoffs apart. */
#include "manybody.h"

#define EAM_MAX_ELEMENTS 64

/* Raw tables of the file, values at index 1..n as LAMMPS stores them. */
typedef struct {
  PetscInt  nelements, nrho, nr, nrhor, nz2r;
  char      element[EAM_MAX_ELEMENTS][VIT_NAME_LEN];
  PetscReal mass[EAM_MAX_ELEMENTS]; /* from each element's header line */
  PetscReal drho, dr, cut;
  PetscReal *frho, *rhor, *z2r; /* nelements, nrhor, nz2r tables of n + 1 values */
} EAMFile;

/* Spline tables: 7 coefficients per grid point m (1..n); [0..2] give the derivative, [3..6] the value. */
typedef struct {
  PetscInt   nrho, nr;
  PetscReal  rdrho, rdr, rhomax, cut;
  PetscReal *frho, *rhor, *z2r; /* spline tables, (n + 1) * 7 values each */
  PetscInt   type2frho[VIT_MAX_TYPES], type2rhor[VIT_MAX_TYPES][VIT_MAX_TYPES], type2z2r[VIT_MAX_TYPES][VIT_MAX_TYPES];
  PetscInt   capacity; /* of the per-neighbour scratch: f'_m, f''_m and a_m = f'_m u_m (3 per neighbour) */
  PetscReal *df, *d2f, *a;
} EAM;

/* Reads n numbers that may span lines (blank lines and '#' comments skipped, values left on the
   last line ignored, as LAMMPS's reader does). Rank 0 only; errmsg names the file and line. */
static void ReadValues(VitLineReader *rd, PetscInt n, PetscReal *v, const char what[], char errmsg[], size_t len)
{
  PetscInt i = 0;

  while (i < n && !errmsg[0]) {
    char *tok, *save = NULL;

    if (!VitLineReaderNext(rd, PETSC_TRUE)) {
      snprintf(errmsg, len, "%s:%" PetscInt_FMT ": file ends after %" PetscInt_FMT " of the %" PetscInt_FMT " values of %s", rd->path, rd->line, i, n, what);
      return;
    }
    for (tok = strtok_r(rd->buf, " \t\r\n", &save); tok && i < n && !errmsg[0]; tok = strtok_r(NULL, " \t\r\n", &save))
      if (!VitParseReal(tok, &v[i++])) snprintf(errmsg, len, "%s:%" PetscInt_FMT ": '%s' is not a number (in %s)", rd->path, rd->line, tok, what);
  }
}

/* Line 4: number of elements and their names. */
static void ReadElements(VitLineReader *rd, EAMFile *f, char errmsg[], size_t len)
{
  char    *tok, *save = NULL;
  PetscInt count;

  if (!VitLineReaderNext(rd, PETSC_TRUE)) {
    snprintf(errmsg, len, "%s:%" PetscInt_FMT ": file ends before the line with the number of elements and their names", rd->path, rd->line);
    return;
  }
  tok = strtok_r(rd->buf, " \t\r\n", &save);
  if (tok) f->nelements = strtol(tok, NULL, 10);
  if (!tok || f->nelements < 1 || f->nelements > EAM_MAX_ELEMENTS) {
    snprintf(errmsg, len, "%s:%" PetscInt_FMT ": expected the number of elements (1 to %d) followed by their names", rd->path, rd->line, EAM_MAX_ELEMENTS);
    return;
  }
  for (count = 0; (tok = strtok_r(NULL, " \t\r\n", &save)) && count < f->nelements; count++) snprintf(f->element[count], VIT_NAME_LEN, "%s", tok);
  if (count < f->nelements) snprintf(errmsg, len, "%s:%" PetscInt_FMT ": %" PetscInt_FMT " elements announced but %" PetscInt_FMT " names given", rd->path, rd->line, f->nelements, count);
}

/* Line 5: Nrho drho Nr dr cutoff. */
static void ReadGrid(VitLineReader *rd, EAMFile *f, char errmsg[], size_t len)
{
  PetscReal v[5];
  PetscInt  line = rd->line + 1;

  ReadValues(rd, 5, v, "the grid line Nrho drho Nr dr cutoff", errmsg, len);
  if (errmsg[0]) return;
  f->nrho = (PetscInt)v[0];
  f->drho = v[1];
  f->nr   = (PetscInt)v[2];
  f->dr   = v[3];
  f->cut  = v[4];
  if (f->nrho < 5 || f->nr < 5 || v[0] != f->nrho || v[2] != f->nr || f->drho <= 0 || f->dr <= 0 || f->cut <= 0)
    snprintf(errmsg, len, "%s:%" PetscInt_FMT ": bad grid Nrho=%g drho=%g Nr=%g dr=%g cutoff=%g (need integers Nrho, Nr >= 5 and positive spacings and cutoff)", rd->path, line, (double)v[0], (double)v[1], (double)v[2], (double)v[3], (double)v[4]);
}

/* Per element: a line "Z mass a0 lattice", F(rho), then rho(r) (setfl) or rho_ab(r) for every b (eam/fs). */
static void ReadElementBlock(VitLineReader *rd, EAMFile *f, PetscBool fs, PetscInt e, char errmsg[], size_t len)
{
  char      what[128];
  PetscReal header[2];

  snprintf(what, sizeof(what), "the header line (atomic number, mass) of element %s", f->element[e]);
  ReadValues(rd, 2, header, what, errmsg, len);
  f->mass[e] = header[1];
  snprintf(what, sizeof(what), "F(rho) of element %s", f->element[e]);
  if (!errmsg[0]) ReadValues(rd, f->nrho, f->frho + e * (f->nrho + 1) + 1, what, errmsg, len);
  for (PetscInt b = 0; b < (fs ? f->nelements : 1) && !errmsg[0]; b++) {
    PetscInt t = fs ? e * f->nelements + b : e;

    if (fs) snprintf(what, sizeof(what), "rho(r) of the pair %s-%s", f->element[e], f->element[b]);
    else snprintf(what, sizeof(what), "rho(r) of element %s", f->element[e]);
    ReadValues(rd, f->nr, f->rhor + t * (f->nr + 1) + 1, what, errmsg, len);
  }
}

/* The whole file on rank 0 (errors in errmsg). */
static PetscErrorCode ReadFileRank0(const char path[], PetscBool fs, EAMFile *f, char errmsg[], size_t len)
{
  VitLineReader rd = {NULL, path, 0, ""};

  PetscFunctionBeginUser;
  rd.fp = fopen(path, "r");
  if (!rd.fp) {
    snprintf(errmsg, len, "cannot open the EAM potential file %s", path);
    PetscFunctionReturn(0);
  }
  for (int k = 0; k < 3; k++)
    if (!VitLineReaderNext(&rd, PETSC_FALSE)) snprintf(errmsg, len, "%s:%" PetscInt_FMT ": file ends within the three comment lines", path, rd.line);
  if (!errmsg[0]) ReadElements(&rd, f, errmsg, len);
  if (!errmsg[0]) ReadGrid(&rd, f, errmsg, len);
  if (!errmsg[0]) {
    f->nrhor = fs ? f->nelements * f->nelements : f->nelements;
    f->nz2r  = f->nelements * (f->nelements + 1) / 2;
    PetscCall(PetscCalloc3(f->nelements * (f->nrho + 1), &f->frho, f->nrhor * (f->nr + 1), &f->rhor, f->nz2r * (f->nr + 1), &f->z2r));
  }
  for (PetscInt e = 0; e < f->nelements && !errmsg[0]; e++) ReadElementBlock(&rd, f, fs, e, errmsg, len);
  for (PetscInt a = 0, n = 0; a < f->nelements && !errmsg[0]; a++)
    for (PetscInt b = 0; b <= a && !errmsg[0]; b++, n++) {
      char what[128];
      snprintf(what, sizeof(what), "r*phi(r) of the pair %s-%s", f->element[a], f->element[b]);
      ReadValues(&rd, f->nr, f->z2r + n * (f->nr + 1) + 1, what, errmsg, len);
    }
  fclose(rd.fp);
  PetscFunctionReturn(0);
}

/* Read on rank 0, check, broadcast. */
static PetscErrorCode EAMFileRead(MPI_Comm comm, const char path[], PetscBool fs, EAMFile *f)
{
  char        errmsg[1024] = "";
  PetscMPIInt rank;
  PetscInt    sizes[5];

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(f, sizeof(*f)));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) PetscCall(ReadFileRank0(path, fs, f, errmsg, sizeof(errmsg)));
  PetscCall(VitBcastError(comm, errmsg));
  sizes[0] = f->nelements, sizes[1] = f->nrho, sizes[2] = f->nr, sizes[3] = f->nrhor, sizes[4] = f->nz2r;
  PetscCallMPI(MPI_Bcast(sizes, 5, MPIU_INT, 0, comm));
  PetscCallMPI(MPI_Bcast(f->element, (int)sizeof(f->element), MPI_CHAR, 0, comm));
  PetscCallMPI(MPI_Bcast(f->mass, EAM_MAX_ELEMENTS, MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(&f->drho, 1, MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(&f->dr, 1, MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(&f->cut, 1, MPIU_REAL, 0, comm));
  if (rank) {
    f->nelements = sizes[0], f->nrho = sizes[1], f->nr = sizes[2], f->nrhor = sizes[3], f->nz2r = sizes[4];
    PetscCall(PetscMalloc3(f->nelements * (f->nrho + 1), &f->frho, f->nrhor * (f->nr + 1), &f->rhor, f->nz2r * (f->nr + 1), &f->z2r));
  }
  PetscCallMPI(MPI_Bcast(f->frho, (int)(f->nelements * (f->nrho + 1)), MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(f->rhor, (int)(f->nrhor * (f->nr + 1)), MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(f->z2r, (int)(f->nz2r * (f->nr + 1)), MPIU_REAL, 0, comm));
  PetscFunctionReturn(0);
}

/* LAMMPS PairEAM::interpolate: values f[1..n] on spacing delta -> 7 coefficients per point
   (Hermite cubic with 4th-order finite-difference slopes). */
static void Interpolate(PetscInt n, PetscReal delta, const PetscReal *f, PetscReal (*s)[7])
{
  for (PetscInt m = 1; m <= n; m++) s[m][6] = f[m];
  s[1][5]     = s[2][6] - s[1][6];
  s[2][5]     = 0.5 * (s[3][6] - s[1][6]);
  s[n - 1][5] = 0.5 * (s[n][6] - s[n - 2][6]);
  s[n][5]     = s[n][6] - s[n - 1][6];
  for (PetscInt m = 3; m <= n - 2; m++) s[m][5] = ((s[m - 2][6] - s[m + 2][6]) + 8.0 * (s[m + 1][6] - s[m - 1][6])) / 12.0;
  for (PetscInt m = 1; m <= n - 1; m++) {
    s[m][4] = 3.0 * (s[m + 1][6] - s[m][6]) - 2.0 * s[m][5] - s[m + 1][5];
    s[m][3] = s[m][5] + s[m + 1][5] - 2.0 * (s[m + 1][6] - s[m][6]);
  }
  s[n][4] = 0.0;
  s[n][3] = 0.0;
  for (PetscInt m = 1; m <= n; m++) {
    s[m][2] = s[m][5] / delta;
    s[m][1] = 2.0 * s[m][4] / delta;
    s[m][0] = 3.0 * s[m][3] / delta;
  }
}

static PetscErrorCode SplineTables(PetscInt ntab, PetscInt n, PetscReal delta, const PetscReal *values, PetscReal **spline)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(ntab * (n + 1) * 7, spline));
  for (PetscInt t = 0; t < ntab; t++) Interpolate(n, delta, values + t * (n + 1), (PetscReal(*)[7])(*spline + t * (n + 1) * 7));
  PetscFunctionReturn(0);
}

/* Value, first and second derivative of spline table tab at x (LAMMPS: m = (int)(x/delta + 1),
   clamped to the table, p = fraction in [.., 1]; beyond the table the end value holds and the
   second derivative is 0). first_point is 1 for the rho table (MAX(1, ...)), 0 for r. */
static inline void SplineEval(const PetscReal *tab, PetscInt n, PetscReal rdelta, PetscReal x, PetscInt first_point, PetscReal *f, PetscReal *df, PetscReal *d2f)
{
  PetscReal        p = x * rdelta + 1.0;
  PetscInt         m = (PetscInt)p;
  const PetscReal *c;
  PetscBool        beyond;

  m = PetscMax(first_point, PetscMin(m, n - 1));
  c = tab + 7 * m;
  p -= m;
  beyond = (PetscBool)(p > 1.0);
  p      = PetscMin(p, 1.0);
  *f     = ((c[3] * p + c[4]) * p + c[5]) * p + c[6];
  *df    = (c[0] * p + c[1]) * p + c[2];
  *d2f   = beyond ? 0.0 : (2.0 * c[0] * p + c[1]) * rdelta;
}

/* Embedding energy with LAMMPS's linear continuation beyond the table (rho > rhomax). */
static inline void Embedding(const EAM *eam, PetscInt type, PetscReal rho, PetscReal *F, PetscReal *dF, PetscReal *d2F)
{
  SplineEval(eam->frho + eam->type2frho[type] * (eam->nrho + 1) * 7, eam->nrho, eam->rdrho, rho, 1, F, dF, d2F);
  if (rho > eam->rhomax) *F += *dF * (rho - eam->rhomax);
}

/* phi = z2/r with z2 = r phi tabulated: phi' = (z2' - phi)/r, phi'' = (z2'' - 2 phi')/r. */
static inline void PairTerm(const EAM *eam, PetscInt a, PetscInt b, PetscReal r, PetscReal *phi, PetscReal *dphi, PetscReal *d2phi)
{
  PetscReal z2, dz2, d2z2;

  SplineEval(eam->z2r + eam->type2z2r[a][b] * (eam->nr + 1) * 7, eam->nr, eam->rdr, r, 0, &z2, &dz2, &d2z2);
  *phi   = z2 / r;
  *dphi  = (dz2 - *phi) / r;
  *d2phi = (d2z2 - 2.0 * *dphi) / r;
}

/* Density at an atom of type a from a neighbour of type b at distance r. */
static inline void Density(const EAM *eam, PetscInt a, PetscInt b, PetscReal r, PetscReal *f, PetscReal *df, PetscReal *d2f)
{
  SplineEval(eam->rhor + eam->type2rhor[b][a] * (eam->nr + 1) * 7, eam->nr, eam->rdr, r, 0, f, df, d2f);
}

/* Scratch per neighbour (see EAM). */
static PetscErrorCode EAMScratch(EAM *eam, PetscInt n)
{
  PetscFunctionBeginUser;
  if (n <= eam->capacity) PetscFunctionReturn(0);
  PetscCall(PetscFree3(eam->df, eam->d2f, eam->a));
  eam->capacity = 2 * n;
  PetscCall(PetscMalloc3(eam->capacity, &eam->df, eam->capacity, &eam->d2f, 3 * eam->capacity, &eam->a));
  PetscFunctionReturn(0);
}

static PetscErrorCode EAMSite(VitPotential pot, const VitDomain *dom, PetscInt i, PetscInt n, const PetscInt nbr[], const PetscReal d[], const PetscReal r[], PetscReal e[], PetscReal g[], PetscReal G[], const PetscBool need[])
{
  EAM           *eam = (EAM *)pot->data;
  const PetscInt a   = dom->type[i];
  PetscReal      rho = 0, F, dF, d2F;

  PetscFunctionBeginUser;
  PetscCall(EAMScratch(eam, n));
  for (PetscInt m = 0; m < n; m++) {
    PetscReal f;
    Density(eam, a, dom->type[nbr[m]], r[m], &f, &eam->df[m], &eam->d2f[m]);
    rho += f;
  }
  Embedding(eam, a, rho, &F, &dF, &d2F);
  e[0] = F;
  for (PetscInt m = 0; m < n; m++) {
    PetscReal phi, dphi, d2phi, radial, tangential;

    PairTerm(eam, a, dom->type[nbr[m]], r[m], &phi, &dphi, &d2phi);
    e[0] += 0.5 * phi;
    e[1 + m]   = 0;
    tangential = (dF * eam->df[m] + 0.5 * dphi) / r[m];
    radial     = dF * eam->d2f[m] + 0.5 * d2phi;
    for (int x = 0; x < 3; x++) g[3 * m + x] = tangential * d[3 * m + x];
    if (!G) continue;
    for (int x = 0; x < 3; x++) eam->a[3 * m + x] = eam->df[m] * d[3 * m + x] / r[m];
    for (int x = 0; x < 3; x++)
      for (int y = 0; y < 3; y++) G[(3 * m + x) * 3 * n + 3 * m + y] = (radial - tangential) * (d[3 * m + x] * d[3 * m + y]) / (r[m] * r[m]) + (x == y ? tangential : 0);
  }
  for (PetscInt p = 0; G && p < 3 * n; p++) /* F'' a a^T with a_m = f'_m u_m: couples the neighbours */
    for (PetscInt q = 0; q < 3 * n && (!need || need[p / 3]); q++) G[p * 3 * n + q] = d2F * (eam->a[p] * eam->a[q]) + (p / 3 == q / 3 ? G[p * 3 * n + q] : 0);
  PetscFunctionReturn(0);
}

static PetscLogEvent event_forces;

/* rho_i and F'(rho_i) of the owned atoms, F' then copied to the ghosts; e_i = F(rho_i). */
static PetscErrorCode EAMEmbedding(const EAM *eam, VitDomain *dom, const VitNeighborList *nl, PetscReal e[], PetscReal dF[])
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < dom->nowned; i++) {
    PetscReal rho = 0, d2F;

    for (PetscInt k = nl->offset[i]; k < nl->offset[i + 1]; k++) {
      PetscReal d[3], r = VitDomainDisplacement(dom, i, nl->nbr[k], d), f, df, d2f;
      Density(eam, dom->type[i], dom->type[nl->nbr[k]], r, &f, &df, &d2f);
      rho += f;
    }
    Embedding(eam, dom->type[i], rho, &e[i], &dF[i], &d2F);
  }
  PetscCall(VitDomainGhostBcast(dom, MPIU_REAL, 1, dF));
  PetscFunctionReturn(0);
}

/* Energies and forces as LAMMPS computes them (one cutoff of neighbours of owned atoms, in id
   order): F_i = sum_j psi'_ij (x_j - x_i)/r_ij, psi'_ij = F'_i f'_ji + F'_j f'_ij + phi'_ij,
   e_i = F(rho_i) + 1/2 sum_j phi_ij, W = -1/2 sum_i sum_j psi'_ij d d^T / r. */
static PetscErrorCode EAMCompute(VitPotential pot, VitDomain *dom, PetscReal *energy, PetscReal *force, PetscReal virial[6])
{
  const EAM      *eam   = (const EAM *)pot->data;
  const PetscInt  voigt[6][2] = {{0, 0}, {1, 1}, {2, 2}, {0, 1}, {0, 2}, {1, 2}};
  VitNeighborList nl;
  PetscReal      *e, *dF, w[6] = {0, 0, 0, 0, 0, 0};

  PetscFunctionBeginUser;
  if (!event_forces) PetscCall(PetscLogEventRegister("VitEAMForces", vit_log.classid, &event_forces));
  PetscCall(PetscLogEventBegin(event_forces, 0, 0, 0, 0));
  PetscCall(VitNeighborListBuild(dom, pot->cutoff, PETSC_FALSE, &nl));
  PetscCall(VitNeighborListSortById(dom, &nl));
  PetscCall(PetscMalloc2(dom->nowned + 1, &e, dom->nowned + dom->nghost + 1, &dF));
  PetscCall(EAMEmbedding(eam, dom, &nl, e, dF));
  for (PetscInt i = 0; i < dom->nowned; i++) {
    PetscReal fi[3] = {0, 0, 0};

    for (PetscInt k = nl.offset[i]; k < nl.offset[i + 1]; k++) {
      const PetscInt j = nl.nbr[k], a = dom->type[i], b = dom->type[j];
      PetscReal      d[3], r = VitDomainDisplacement(dom, i, j, d), f, df_ji, df_ij, d2f, phi, dphi, d2phi, psi;

      Density(eam, a, b, r, &f, &df_ji, &d2f);
      Density(eam, b, a, r, &f, &df_ij, &d2f);
      PairTerm(eam, a, b, r, &phi, &dphi, &d2phi);
      psi = dF[i] * df_ji + dF[j] * df_ij + dphi;
      e[i] += 0.5 * phi;
      for (int x = 0; x < 3; x++) fi[x] += psi / r * d[x];
      for (int v = 0; v < 6; v++) w[v] -= 0.5 * psi / r * d[voigt[v][0]] * d[voigt[v][1]];
    }
    if (force)
      for (int x = 0; x < 3; x++) force[3 * i + x] = fi[x];
  }
  if (energy) PetscCall(PetscArraycpy(energy, e, dom->nowned));
  PetscCall(PetscFree2(e, dF));
  PetscCall(VitNeighborListDestroy(&nl));
  if (virial) PetscCallMPI(MPI_Allreduce(w, virial, 6, MPIU_REAL, MPIU_SUM, dom->comm));
  PetscCall(PetscLogEventEnd(event_forces, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

static PetscErrorCode EAMHessian(VitPotential pot, VitDomain *dom, Mat H)
{
  PetscFunctionBeginUser;
  PetscCall(VitManyBodyHessian(pot, dom, EAMSite, H));
  PetscFunctionReturn(0);
}

static PetscErrorCode EAMDestroy(VitPotential pot)
{
  EAM *eam = (EAM *)pot->data;

  PetscFunctionBeginUser;
  PetscCall(PetscFree(eam->frho));
  PetscCall(PetscFree(eam->rhor));
  PetscCall(PetscFree(eam->z2r));
  PetscCall(PetscFree3(eam->df, eam->d2f, eam->a));
  PetscCall(PetscFree(pot->data));
  PetscFunctionReturn(0);
}

/* LAMMPS file2array for setfl/fs: which table each type (pair) uses; z2r is stored for a >= b. */
static void EAMSetTypeMaps(EAM *eam, const EAMFile *f, PetscBool fs, PetscInt ntypes, const PetscInt map[])
{
  for (PetscInt t = 0; t < ntypes; t++) {
    eam->type2frho[t] = map[t];
    for (PetscInt u = 0; u < ntypes; u++) {
      PetscInt hi = PetscMax(map[t], map[u]), lo = PetscMin(map[t], map[u]);

      eam->type2rhor[t][u] = fs ? map[t] * f->nelements + map[u] : map[t];
      eam->type2z2r[t][u]  = hi * (hi + 1) / 2 + lo;
    }
  }
}

PetscErrorCode VitPotentialCreateEAM(MPI_Comm comm, const VitSample *sample, const char file[], PetscBool finnis_sinclair, const char elements[], VitPotential *pot)
{
  EAMFile  f;
  EAM     *eam;
  PetscInt map[VIT_MAX_TYPES];

  PetscFunctionBeginUser;
  PetscCall(VitManyBodyCheckSample(comm, sample, finnis_sinclair ? "eam/fs" : "eam"));
  PetscCall(EAMFileRead(comm, file, finnis_sinclair, &f));
  PetscCall(VitManyBodyMapElements(comm, sample, elements, file, f.nelements, (const char(*)[VIT_NAME_LEN])f.element, map));
  PetscCall(PetscNew(&eam));
  eam->nrho   = f.nrho;
  eam->nr     = f.nr;
  eam->rdrho  = 1.0 / f.drho;
  eam->rdr    = 1.0 / f.dr;
  eam->rhomax = (f.nrho - 1) * f.drho;
  eam->cut    = f.cut;
  EAMSetTypeMaps(eam, &f, finnis_sinclair, sample->ntypes, map);
  PetscCall(SplineTables(f.nelements, f.nrho, f.drho, f.frho, &eam->frho));
  PetscCall(SplineTables(f.nrhor, f.nr, f.dr, f.rhor, &eam->rhor));
  PetscCall(SplineTables(f.nz2r, f.nr, f.dr, f.z2r, &eam->z2r));
  PetscCall(PetscFree3(f.frho, f.rhor, f.z2r));

  PetscCall(PetscNew(pot));
  (*pot)->kind = VIT_POTENTIAL_EAM;
  PetscCall(PetscSNPrintf((*pot)->name, sizeof((*pot)->name), "%s", finnis_sinclair ? "eam/fs" : "eam"));
  (*pot)->ntypes        = sample->ntypes;
  for (PetscInt t = 0; t < sample->ntypes; t++) (*pot)->type_mass[t] = f.mass[map[t]];
  (*pot)->cutoff        = f.cut;
  (*pot)->ghost_width   = 2 * f.cut;
  (*pot)->hessian_range = 2 * f.cut;
  (*pot)->min_distance  = 0.5;
  (*pot)->data          = eam;
  (*pot)->compute       = EAMCompute;
  (*pot)->hessian       = EAMHessian;
  (*pot)->destroy       = EAMDestroy;
  PetscFunctionReturn(0);
}
