/* Embedded-atom method potentials from LAMMPS DYNAMO funcfl (pair_style eam, one file per
   element, mixed as LAMMPS mixes them), setfl (eam/alloy) and Finnis-Sinclair (eam/fs) files,
   with LAMMPS's tables and cubic splines (pair_eam.cpp file2array/array2spline), so that
   energies and forces equal LAMMPS's. See docs/manybody.md.

   E = sum_i [ F_a(rho_i) + 1/2 sum_j phi_ab(r_ij) ],   rho_i = sum_j f_ba(r_ij)
   (a, b: elements of i, j; setfl: f_ba = f_b; eam/fs: f_ba = the file's rho_ba, as LAMMPS).
   Site i as a function of d_j = x_j - x_i (u_j = d_j / r_j):
     g_j  = (F' f'_j + phi'_j / 2) u_j
     G_jk = F'' f'_j f'_k u_j u_k^T + delta_jk [ (F' f''_j + phi''_j/2) u_j u_j^T + (F' f'_j + phi'_j/2)/r_j (I - u_j u_j^T) ]
   The rank-one F'' term couples atoms j, k that share a neighbour i: up to two cutoffs apart. */
#include "manybody.h"
#include <vitrum/units.h>

#define EAM_MAX_ELEMENTS 64

/* Raw tables of the file, values at index 1..n as LAMMPS stores them. */
typedef struct {
  PetscInt  nelements, nrho, nr, nrhor, nz2r;
  char      element[EAM_MAX_ELEMENTS][VIT_NAME_LEN];
  PetscReal mass[EAM_MAX_ELEMENTS]; /* from each element's header line */
  PetscReal z[EAM_MAX_ELEMENTS];    /* funcfl: each file's atomic number (line 2); setfl, eam/fs: 0 */
  PetscReal drho, dr, cut, rhomax; /* rhomax: F continues linearly beyond it */
  PetscReal *frho, *rhor, *z2r;     /* nelements, nrhor, nz2r tables of n + 1 values */
} EAMFile;

/* One DYNAMO funcfl file: F(rho), Z(r) and rho(r), values at index 1..n. */
typedef struct {
  char       path[PETSC_MAX_PATH_LEN];
  PetscInt   nrho, nr;
  PetscReal  z, mass, drho, dr, cut;
  PetscReal *frho, *zr, *rhor;
} Funcfl;

/* Spline tables: 7 coefficients per grid point m (1..n); [0..2] give the derivative, [3..6] the value. */
typedef struct {
  PetscInt   nrho, nr;
  PetscReal  rdrho, rdr, rhomax, cut;
  PetscReal *frho, *rhor, *z2r; /* spline tables, (n + 1) * 7 values each */
  PetscInt   type2frho[VIT_MAX_TYPES], type2rhor[VIT_MAX_TYPES][VIT_MAX_TYPES], type2z2r[VIT_MAX_TYPES][VIT_MAX_TYPES];
  PetscInt   capacity; /* of the per-neighbour scratch: f'_m, f''_m, f'''_m, r_m', and a_m = f'_m u_m, a_m' (3 per neighbour) */
  PetscReal *df, *d2f, *d3f, *rp, *a, *ap;
  const PetscReal (*strain)[3]; /* S of EAMHessianStrain while it runs (the site functions take no more arguments) */
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

/* Numbers left in the file from the current position (which is kept), comments dropped. */
static double CountNumbersLeft(VitLineReader *rd)
{
  const long     pos  = ftell(rd->fp);
  const PetscInt line = rd->line;
  double         count = 0;

  while (VitLineReaderNext(rd, PETSC_TRUE)) {
    char *tok, *save = NULL;
    for (tok = strtok_r(rd->buf, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) count++;
  }
  fseek(rd->fp, pos, SEEK_SET);
  rd->line = line;
  return count;
}

/* The grid line Nrho drho Nr dr cutoff (line 5 of setfl/fs files, 3 of funcfl files). The tables
   it announces, nrho_tables F tables and nr_tables tables of r (and headers of at least
   2 numbers per element), must fit in the numbers left in the file: checked before anything is
   allocated, so that an absurd count is a one-line error. */
static void ReadGrid(VitLineReader *rd, double nrho_tables, double nr_tables, double nheader, PetscInt *nrho, PetscReal *drho, PetscInt *nr, PetscReal *dr, PetscReal *cut, char errmsg[], size_t len)
{
  PetscReal v[5];
  PetscInt  line = rd->line + 1;
  double    need, have;

  ReadValues(rd, 5, v, "the grid line Nrho drho Nr dr cutoff", errmsg, len);
  if (errmsg[0]) return;
  if (v[0] < 5 || v[2] < 5 || v[0] != PetscFloorReal(v[0]) || v[2] != PetscFloorReal(v[2]) || v[1] <= 0 || v[3] <= 0 || v[4] <= 0) {
    snprintf(errmsg, len, "%s:%" PetscInt_FMT ": bad grid Nrho=%g drho=%g Nr=%g dr=%g cutoff=%g (need integers Nrho, Nr >= 5 and positive spacings and cutoff)", rd->path, line, (double)v[0], (double)v[1], (double)v[2], (double)v[3], (double)v[4]);
    return;
  }
  need = nrho_tables * v[0] + nr_tables * v[2] + nheader;
  have = CountNumbersLeft(rd);
  if (need > have) {
    snprintf(errmsg, len, "%s:%" PetscInt_FMT ": the grid Nrho=%.0f Nr=%.0f needs %.0f more numbers but the file has %.0f after this line (a wrong grid line or a truncated file)", rd->path, line, (double)v[0], (double)v[2], need, have);
    return;
  }
  *nrho = (PetscInt)v[0], *drho = v[1], *nr = (PetscInt)v[2], *dr = v[3], *cut = v[4];
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
  if (!errmsg[0]) ReadGrid(&rd, f->nelements, f->nelements * (fs ? f->nelements : 1) + f->nelements * (f->nelements + 1) / 2, 2 * f->nelements, &f->nrho, &f->drho, &f->nr, &f->dr, &f->cut, errmsg, len);
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

/* One funcfl file on rank 0: a comment line, "Z mass [a0 lattice]", the grid, then F(rho) (Nrho
   values), Z(r) and rho(r) (Nr values each). */
static PetscErrorCode ReadFuncflRank0(Funcfl *ff, char errmsg[], size_t len)
{
  VitLineReader rd = {NULL, ff->path, 0, ""};
  PetscReal     header[2] = {0, 0};

  PetscFunctionBeginUser;
  if (!(rd.fp = fopen(ff->path, "r"))) {
    snprintf(errmsg, len, "cannot open the EAM potential file %s", ff->path);
    PetscFunctionReturn(0);
  }
  if (!VitLineReaderNext(&rd, PETSC_FALSE)) snprintf(errmsg, len, "%s:1: empty file", ff->path);
  if (!errmsg[0]) ReadValues(&rd, 2, header, "the line with the atomic number and the mass", errmsg, len);
  ff->z    = header[0];
  ff->mass = header[1];
  if (!errmsg[0]) ReadGrid(&rd, 1, 2, 0, &ff->nrho, &ff->drho, &ff->nr, &ff->dr, &ff->cut, errmsg, len);
  if (!errmsg[0]) PetscCall(PetscCalloc3(ff->nrho + 1, &ff->frho, ff->nr + 1, &ff->zr, ff->nr + 1, &ff->rhor));
  if (!errmsg[0]) ReadValues(&rd, ff->nrho, ff->frho + 1, "F(rho)", errmsg, len);
  if (!errmsg[0]) ReadValues(&rd, ff->nr, ff->zr + 1, "Z(r)", errmsg, len);
  if (!errmsg[0]) ReadValues(&rd, ff->nr, ff->rhor + 1, "rho(r)", errmsg, len);
  fclose(rd.fp);
  PetscFunctionReturn(0);
}

/* LAMMPS file2array (funcfl): a table f[1..n] of spacing delta interpolated at x by 4-point Lagrange. */
static PetscReal FuncflInterpolate(const PetscReal *f, PetscInt n, PetscReal delta, PetscReal x)
{
  const PetscReal sixth = 1.0 / 6.0;
  PetscReal       p     = x / delta + 1.0, cof1, cof2, cof3, cof4;
  PetscInt        k     = (PetscInt)p;

  k    = PetscMax(PetscMin(k, n - 2), 2);
  p    = PetscMin(p - k, 2.0);
  cof1 = -sixth * p * (p - 1.0) * (p - 2.0);
  cof2 = 0.5 * (p * p - 1.0) * (p - 2.0);
  cof3 = -0.5 * p * (p + 1.0) * (p - 2.0);
  cof4 = sixth * p * (p * p - 1.0);
  return cof1 * f[k - 1] + cof2 * f[k] + cof3 * f[k + 1] + cof4 * f[k + 2];
}

/* LAMMPS file2array for funcfl files: one grid (largest spacings and extents, Nrho and Nr from
   them), F and rho of each file interpolated onto it, and r phi_ab = 27.2 * 0.529 Z_a Z_b
   (Hartree Bohr to eV A) for every pair of files. */
static PetscErrorCode FuncflMix(PetscInt nfile, const Funcfl ff[], EAMFile *f)
{
  PetscReal rmax = 0;

  PetscFunctionBeginUser;
  f->nelements = nfile, f->nrhor = nfile, f->nz2r = nfile * (nfile + 1) / 2;
  for (PetscInt i = 0; i < nfile; i++) {
    f->dr     = PetscMax(f->dr, ff[i].dr);
    f->drho   = PetscMax(f->drho, ff[i].drho);
    rmax      = PetscMax(rmax, (ff[i].nr - 1) * ff[i].dr);
    f->rhomax = PetscMax(f->rhomax, (ff[i].nrho - 1) * ff[i].drho);
    f->cut    = PetscMax(f->cut, ff[i].cut);
    PetscCall(PetscSNPrintf(f->element[i], VIT_NAME_LEN, "file%" PetscInt_FMT, i + 1));
  }
  f->nr   = (PetscInt)(rmax / f->dr + 0.5);
  f->nrho = (PetscInt)(f->rhomax / f->drho + 0.5);
  PetscCall(PetscCalloc3(nfile * (f->nrho + 1), &f->frho, nfile * (f->nr + 1), &f->rhor, f->nz2r * (f->nr + 1), &f->z2r));
  for (PetscInt i = 0, n = 0; i < nfile; i++) {
    for (PetscInt m = 1; m <= f->nrho; m++) f->frho[i * (f->nrho + 1) + m] = FuncflInterpolate(ff[i].frho, ff[i].nrho, ff[i].drho, (m - 1) * f->drho);
    for (PetscInt m = 1; m <= f->nr; m++) f->rhor[i * (f->nr + 1) + m] = FuncflInterpolate(ff[i].rhor, ff[i].nr, ff[i].dr, (m - 1) * f->dr);
    for (PetscInt j = 0; j <= i; j++, n++)
      for (PetscInt m = 1; m <= f->nr; m++) {
        const PetscReal r = (m - 1) * f->dr, zri = FuncflInterpolate(ff[i].zr, ff[i].nr, ff[i].dr, r), zrj = FuncflInterpolate(ff[j].zr, ff[j].nr, ff[j].dr, r);
        f->z2r[n * (f->nr + 1) + m] = 27.2 * 0.529 * zri * zrj;
      }
  }
  PetscFunctionReturn(0);
}

/* The distinct funcfl files of -potential_file (one for all types, or one per type, comma
   separated), read and mixed on rank 0; map[t] = file of type t. */
static PetscErrorCode ReadFuncflFilesRank0(const char files[], PetscInt ntypes, EAMFile *f, PetscInt map[], char errmsg[], size_t len)
{
  char     names[VIT_MAX_TYPES][PETSC_MAX_PATH_LEN], copy[VIT_MAX_TYPES * PETSC_MAX_PATH_LEN], *tok, *save = NULL;
  PetscInt count = 0, nfile = 0;
  Funcfl   ff[VIT_MAX_TYPES];

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(ff, sizeof(ff)));
  PetscCall(PetscStrncpy(copy, files, sizeof(copy)));
  for (tok = strtok_r(copy, ",", &save); tok && count < VIT_MAX_TYPES; tok = strtok_r(NULL, ",", &save)) PetscCall(PetscStrncpy(names[count++], tok, PETSC_MAX_PATH_LEN));
  if (count != 1 && count != ntypes) {
    snprintf(errmsg, len, "-potential_file %s: -potential eam takes one funcfl file for all %" PetscInt_FMT " atom types or one per type (comma separated), not %" PetscInt_FMT, files, ntypes, count);
    PetscFunctionReturn(0);
  }
  for (PetscInt t = 0; t < ntypes && !errmsg[0]; t++) {
    const char *name = names[count == 1 ? 0 : t];

    for (map[t] = 0; map[t] < nfile && strcmp(ff[map[t]].path, name); map[t]++) {}
    if (map[t] < nfile) continue;
    PetscCall(PetscStrncpy(ff[nfile].path, name, PETSC_MAX_PATH_LEN));
    PetscCall(ReadFuncflRank0(&ff[nfile++], errmsg, len));
  }
  if (!errmsg[0]) PetscCall(FuncflMix(nfile, ff, f));
  for (PetscInt i = 0; i < nfile; i++) f->mass[i] = ff[i].mass, f->z[i] = ff[i].z; /* element i is file i */
  for (PetscInt i = 0; i < nfile; i++) PetscCall(PetscFree3(ff[i].frho, ff[i].zr, ff[i].rhor));
  PetscFunctionReturn(0);
}

/* Read on rank 0 (style "eam": funcfl files, map set here; else one setfl or eam/fs file), check,
   broadcast. */
static PetscErrorCode EAMFileRead(MPI_Comm comm, const char style[], const char path[], PetscInt ntypes, EAMFile *f, PetscInt map[])
{
  char        errmsg[1024] = "";
  PetscMPIInt rank;
  PetscInt    sizes[5];
  PetscReal   grid[4];

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(f, sizeof(*f)));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank && !strcmp(style, "eam")) PetscCall(ReadFuncflFilesRank0(path, ntypes, f, map, errmsg, sizeof(errmsg)));
  else if (!rank) {
    PetscCall(ReadFileRank0(path, (PetscBool)!strcmp(style, "eam/fs"), f, errmsg, sizeof(errmsg)));
    f->rhomax = (f->nrho - 1) * f->drho;
  }
  PetscCall(VitBcastError(comm, errmsg));
  sizes[0] = f->nelements, sizes[1] = f->nrho, sizes[2] = f->nr, sizes[3] = f->nrhor, sizes[4] = f->nz2r;
  grid[0] = f->drho, grid[1] = f->dr, grid[2] = f->cut, grid[3] = f->rhomax;
  PetscCallMPI(MPI_Bcast(sizes, 5, MPIU_INT, 0, comm));
  PetscCallMPI(MPI_Bcast(grid, 4, MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(f->element, (int)sizeof(f->element), MPI_CHAR, 0, comm));
  PetscCallMPI(MPI_Bcast(map, VIT_MAX_TYPES, MPIU_INT, 0, comm));
  PetscCallMPI(MPI_Bcast(f->mass, EAM_MAX_ELEMENTS, MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(f->z, EAM_MAX_ELEMENTS, MPIU_REAL, 0, comm));
  if (rank) {
    f->nelements = sizes[0], f->nrho = sizes[1], f->nr = sizes[2], f->nrhor = sizes[3], f->nz2r = sizes[4];
    f->drho = grid[0], f->dr = grid[1], f->cut = grid[2], f->rhomax = grid[3];
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
   second derivative is 0). first_point is 1 for the rho table (MAX(1, ...)), 0 for r. d3f (may be
   NULL): the third derivative, constant in the cell of x (the strain derivative of the Hessian). */
static inline void SplineEval(const PetscReal *tab, PetscInt n, PetscReal rdelta, PetscReal x, PetscInt first_point, PetscReal *f, PetscReal *df, PetscReal *d2f, PetscReal *d3f)
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
  if (d3f) *d3f = beyond ? 0.0 : 2.0 * c[0] * rdelta * rdelta;
}

/* Embedding energy with LAMMPS's linear continuation beyond the table (rho > rhomax). */
static inline void Embedding(const EAM *eam, PetscInt type, PetscReal rho, PetscReal *F, PetscReal *dF, PetscReal *d2F, PetscReal *d3F)
{
  SplineEval(eam->frho + eam->type2frho[type] * (eam->nrho + 1) * 7, eam->nrho, eam->rdrho, rho, 1, F, dF, d2F, d3F);
  if (rho > eam->rhomax) *F += *dF * (rho - eam->rhomax);
}

/* phi = z2/r with z2 = r phi tabulated: phi' = (z2' - phi)/r, phi'' = (z2'' - 2 phi')/r, and
   phi''' = (z2''' - 3 phi'')/r when d3phi is not NULL. */
static inline void PairTerm(const EAM *eam, PetscInt a, PetscInt b, PetscReal r, PetscReal *phi, PetscReal *dphi, PetscReal *d2phi, PetscReal *d3phi)
{
  PetscReal z2, dz2, d2z2, d3z2;

  SplineEval(eam->z2r + eam->type2z2r[a][b] * (eam->nr + 1) * 7, eam->nr, eam->rdr, r, 0, &z2, &dz2, &d2z2, &d3z2);
  *phi   = z2 / r;
  *dphi  = (dz2 - *phi) / r;
  *d2phi = (d2z2 - 2.0 * *dphi) / r;
  if (d3phi) *d3phi = (d3z2 - 3.0 * *d2phi) / r;
}

/* Density at an atom of type a from a neighbour of type b at distance r. */
static inline void Density(const EAM *eam, PetscInt a, PetscInt b, PetscReal r, PetscReal *f, PetscReal *df, PetscReal *d2f, PetscReal *d3f)
{
  SplineEval(eam->rhor + eam->type2rhor[b][a] * (eam->nr + 1) * 7, eam->nr, eam->rdr, r, 0, f, df, d2f, d3f);
}

/* Scratch per neighbour (see EAM). */
static PetscErrorCode EAMScratch(EAM *eam, PetscInt n)
{
  PetscFunctionBeginUser;
  if (n <= eam->capacity) PetscFunctionReturn(0);
  PetscCall(PetscFree6(eam->df, eam->d2f, eam->d3f, eam->rp, eam->a, eam->ap));
  eam->capacity = 2 * n;
  PetscCall(PetscMalloc6(eam->capacity, &eam->df, eam->capacity, &eam->d2f, eam->capacity, &eam->d3f, eam->capacity, &eam->rp, 3 * eam->capacity, &eam->a, 3 * eam->capacity, &eam->ap));
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
    Density(eam, a, dom->type[nbr[m]], r[m], &f, &eam->df[m], &eam->d2f[m], NULL);
    rho += f;
  }
  Embedding(eam, a, rho, &F, &dF, &d2F, NULL);
  e[0] = F;
  for (PetscInt m = 0; m < n; m++) {
    PetscReal phi, dphi, d2phi, radial, tangential;

    PairTerm(eam, a, dom->type[nbr[m]], r[m], &phi, &dphi, &d2phi, NULL);
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

/* The strain derivative of EAMSite's G along d_m' = S d_m (S = eam->strain; potential.h:
   hessian_strain), at the site's distances and in their spline cells. With u_m = d_m/r_m,
   r_m' = u_m.d_m', u_m' = (d_m' - r_m' u_m)/r_m, rho' = sum_m f'_m r_m', a_m = f'_m u_m,
   a_m' = f''_m r_m' u_m + f'_m u_m', R_m = F' f''_m + phi''_m/2, T_m = (F' f'_m + phi'_m/2)/r_m:
     G'_mk = F''' rho' a_m a_k^T + F'' (a_m' a_k^T + a_m a_k'^T)
           + delta_mk [(R_m' - T_m') u_m u_m^T + (R_m - T_m)(u_m' u_m^T + u_m u_m'^T) + T_m' I],
     R_m' = F'' rho' f''_m + (F' f'''_m + phi'''_m/2) r_m',  T_m' = (F'' rho' f'_m + (R_m - T_m) r_m')/r_m.
   Only G is filled (the rows of need), exactly symmetric. */
static PetscErrorCode EAMSiteStrain(VitPotential pot, const VitDomain *dom, PetscInt i, PetscInt n, const PetscInt nbr[], const PetscReal d[], const PetscReal r[], PetscReal e[], PetscReal g[], PetscReal G[], const PetscBool need[])
{
  EAM             *eam = (EAM *)pot->data;
  const PetscReal (*S)[3] = eam->strain;
  const PetscInt   a = dom->type[i];
  PetscReal        rho = 0, drho = 0, F, dF, d2F, d3F;

  PetscFunctionBeginUser;
  PetscCall(EAMScratch(eam, n));
  PetscCall(PetscArrayzero(G, 9 * n * n));
  for (PetscInt m = 0; m < n; m++) {
    PetscReal f;
    Density(eam, a, dom->type[nbr[m]], r[m], &f, &eam->df[m], &eam->d2f[m], &eam->d3f[m]);
    eam->rp[m] = 0;
    for (int x = 0; x < 3; x++)
      for (int y = 0; y < 3; y++) eam->rp[m] += d[3 * m + x] * S[x][y] * d[3 * m + y] / r[m];
    rho += f;
    drho += eam->df[m] * eam->rp[m];
  }
  Embedding(eam, a, rho, &F, &dF, &d2F, &d3F);
  for (PetscInt m = 0; m < n; m++) {
    const PetscReal rp = eam->rp[m];
    PetscReal       phi, dphi, d2phi, d3phi, R, T, Rp, Tp, u[3], up[3];

    PairTerm(eam, a, dom->type[nbr[m]], r[m], &phi, &dphi, &d2phi, &d3phi);
    R  = dF * eam->d2f[m] + 0.5 * d2phi;
    T  = (dF * eam->df[m] + 0.5 * dphi) / r[m];
    Rp = d2F * drho * eam->d2f[m] + (dF * eam->d3f[m] + 0.5 * d3phi) * rp;
    Tp = (d2F * drho * eam->df[m] + (R - T) * rp) / r[m];
    for (int x = 0; x < 3; x++) u[x] = d[3 * m + x] / r[m];
    for (int x = 0; x < 3; x++) {
      up[x] = -rp / r[m] * u[x];
      for (int y = 0; y < 3; y++) up[x] += S[x][y] * u[y];
      eam->a[3 * m + x]  = eam->df[m] * u[x];
      eam->ap[3 * m + x] = eam->d2f[m] * rp * u[x] + eam->df[m] * up[x];
    }
    for (int x = 0; x < 3; x++)
      for (int y = 0; y < 3; y++) G[(3 * m + x) * 3 * n + 3 * m + y] = (Rp - Tp) * (u[x] * u[y]) + (R - T) * (up[x] * u[y] + u[x] * up[y]) + (x == y ? Tp : 0);
  }
  for (PetscInt p = 0; p < 3 * n; p++) { /* the F'' coupling of the neighbours, differentiated */
    if (need && !need[p / 3]) continue;
    for (PetscInt q = 0; q < 3 * n; q++) G[p * 3 * n + q] += (d3F * drho) * (eam->a[p] * eam->a[q]) + d2F * (eam->ap[p] * eam->a[q] + eam->a[p] * eam->ap[q]);
  }
  PetscFunctionReturn(0);
}

static PetscLogEvent event_forces;

/* rho_i and F'(rho_i) of the owned atoms, F' then copied to the ghosts; e_i = F(rho_i). */
static PetscErrorCode EAMEmbedding(const EAM *eam, PetscReal cutoff, VitDomain *dom, const VitNeighborList *nl, PetscReal e[], PetscReal dF[])
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < dom->nowned; i++) {
    PetscReal rho = 0, d2F;

    for (PetscInt k = nl->offset[i]; k < nl->offset[i + 1]; k++) {
      PetscReal d[3], r = VitDomainDisplacement(dom, i, nl->nbr[k], d), f, df, d2f;
      if (r >= cutoff) continue; /* a skin list's pair beyond the cutoff */
      Density(eam, dom->type[i], dom->type[nl->nbr[k]], r, &f, &df, &d2f, NULL);
      rho += f;
    }
    Embedding(eam, dom->type[i], rho, &e[i], &dF[i], &d2F, NULL);
  }
  PetscCall(VitDomainGhostBcast(dom, MPIU_REAL, 1, dF));
  PetscFunctionReturn(0);
}

/* Energies and forces as LAMMPS computes them (one cutoff of neighbours of owned atoms, in id
   order): F_i = sum_j psi'_ij (x_j - x_i)/r_ij, psi'_ij = F'_i f'_ji + F'_j f'_ij + phi'_ij,
   e_i = F(rho_i) + 1/2 sum_j phi_ij, virial of atom i W_i = -1/2 sum_j psi'_ij d d^T / r. */
static PetscErrorCode EAMCompute(VitPotential pot, VitDomain *dom, PetscReal *energy, PetscReal *force, PetscReal *virial)
{
  const EAM      *eam   = (const EAM *)pot->data;
  const PetscInt  voigt[6][2] = {{0, 0}, {1, 1}, {2, 2}, {0, 1}, {0, 2}, {1, 2}};
  VitNeighborList nl;
  PetscReal      *e, *dF;

  PetscFunctionBeginUser;
  if (!event_forces) PetscCall(PetscLogEventRegister("VitEAMForces", vit_log.classid, &event_forces));
  PetscCall(PetscLogEventBegin(event_forces, 0, 0, 0, 0));
  if (pot->skin_list) nl = *pot->skin_list; /* lent: not freed here */
  else {
    PetscCall(VitNeighborListBuild(dom, pot->cutoff, PETSC_FALSE, &nl));
    PetscCall(VitNeighborListSortById(dom, &nl));
  }
  PetscCall(PetscMalloc2(dom->nowned + 1, &e, dom->nowned + dom->nghost + 1, &dF));
  PetscCall(EAMEmbedding(eam, pot->cutoff, dom, &nl, e, dF));
  for (PetscInt i = 0; i < dom->nowned; i++) {
    PetscReal fi[3] = {0, 0, 0}, w[6] = {0, 0, 0, 0, 0, 0};

    for (PetscInt k = nl.offset[i]; k < nl.offset[i + 1]; k++) {
      const PetscInt j = nl.nbr[k], a = dom->type[i], b = dom->type[j];
      PetscReal      d[3], r = VitDomainDisplacement(dom, i, j, d), f, df_ji, df_ij, d2f, phi, dphi, d2phi, psi;

      if (r >= pot->cutoff) continue; /* a skin list's pair beyond the cutoff */
      Density(eam, a, b, r, &f, &df_ji, &d2f, NULL);
      Density(eam, b, a, r, &f, &df_ij, &d2f, NULL);
      PairTerm(eam, a, b, r, &phi, &dphi, &d2phi, NULL);
      psi = dF[i] * df_ji + dF[j] * df_ij + dphi;
      e[i] += 0.5 * phi;
      for (int x = 0; x < 3; x++) fi[x] += psi / r * d[x];
      if (virial)
        for (int v = 0; v < 6; v++) w[v] -= 0.5 * psi / r * d[voigt[v][0]] * d[voigt[v][1]];
    }
    if (force)
      for (int x = 0; x < 3; x++) force[3 * i + x] = fi[x];
    if (virial)
      for (int v = 0; v < 6; v++) virial[6 * i + v] = w[v];
  }
  if (energy) PetscCall(PetscArraycpy(energy, e, dom->nowned));
  PetscCall(PetscFree2(e, dF));
  if (!pot->skin_list) PetscCall(VitNeighborListDestroy(&nl));
  PetscCall(PetscLogEventEnd(event_forces, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

static PetscErrorCode EAMHessian(VitPotential pot, VitDomain *dom, const VitNeighborList *nl, const PetscReal w[], Mat H)
{
  PetscFunctionBeginUser;
  PetscCall(VitManyBodyHessian(pot, dom, EAMSite, nl, w, H));
  PetscFunctionReturn(0);
}

static PetscErrorCode EAMHessianStrain(VitPotential pot, VitDomain *dom, const VitNeighborList *nl, const PetscReal S[3][3], const PetscReal w[], Mat dH)
{
  EAM *eam = (EAM *)pot->data;

  PetscFunctionBeginUser;
  eam->strain = S;
  PetscCall(VitManyBodyHessian(pot, dom, EAMSiteStrain, nl, w, dH));
  eam->strain = NULL;
  PetscFunctionReturn(0);
}

static PetscErrorCode EAMDestroy(VitPotential pot)
{
  EAM *eam = (EAM *)pot->data;

  PetscFunctionBeginUser;
  PetscCall(PetscFree(eam->frho));
  PetscCall(PetscFree(eam->rhor));
  PetscCall(PetscFree(eam->z2r));
  PetscCall(PetscFree6(eam->df, eam->d2f, eam->d3f, eam->rp, eam->a, eam->ap));
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

/* funcfl files name no elements but give their atomic number Z: a type the sample (or
   -potential_elements) names by an element symbol must get a file of that element's Z, else the
   run would silently use another element's functions (a Ni sample with Cu_u3.eam). */
static PetscErrorCode CheckFuncflElements(MPI_Comm comm, const VitSample *sample, const char file[], const EAMFile *f, const PetscInt map[])
{
  PetscFunctionBeginUser;
  for (PetscInt t = 0; t < sample->ntypes; t++) {
    const int z = VitElementNumber(sample->type_name[t]), file_z = (int)f->z[map[t]]; /* an integer, as LAMMPS reads it */

    PetscCheck(!z || file_z <= 0 || z == file_z, comm, PETSC_ERR_USER_INPUT, "-potential eam: atom type %" PetscInt_FMT " of %s is %s (Z = %d), but its funcfl file (-potential_file %s) is for Z = %d (its line 2): give the file of %s", t + 1, sample->source, sample->type_name[t], z, file, file_z, sample->type_name[t]);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VitPotentialCreateEAM(MPI_Comm comm, const VitSample *sample, const char style[], const char file[], const char elements[], VitPotential *pot)
{
  const PetscBool fs = (PetscBool)!strcmp(style, "eam/fs"), funcfl = (PetscBool)!strcmp(style, "eam");
  EAMFile         f;
  EAM            *eam;
  PetscInt        map[VIT_MAX_TYPES] = {0};

  PetscFunctionBeginUser;
  PetscCall(VitManyBodyCheckSample(comm, sample, style));
  PetscCall(EAMFileRead(comm, style, file, sample->ntypes, &f, map));
  if (!funcfl) PetscCall(VitManyBodyMapElements(comm, sample, elements, file, f.nelements, (const char(*)[VIT_NAME_LEN])f.element, map));
  else PetscCall(CheckFuncflElements(comm, sample, file, &f, map));
  PetscCall(PetscNew(&eam));
  eam->nrho   = f.nrho;
  eam->nr     = f.nr;
  eam->rdrho  = 1.0 / f.drho;
  eam->rdr    = 1.0 / f.dr;
  eam->rhomax = f.rhomax;
  eam->cut    = f.cut;
  EAMSetTypeMaps(eam, &f, fs, sample->ntypes, map);
  PetscCall(SplineTables(f.nelements, f.nrho, f.drho, f.frho, &eam->frho));
  PetscCall(SplineTables(f.nrhor, f.nr, f.dr, f.rhor, &eam->rhor));
  PetscCall(SplineTables(f.nz2r, f.nr, f.dr, f.z2r, &eam->z2r));
  PetscCall(PetscFree3(f.frho, f.rhor, f.z2r));

  PetscCall(PetscNew(pot));
  (*pot)->kind = VIT_POTENTIAL_EAM;
  PetscCall(PetscStrncpy((*pot)->name, style, sizeof((*pot)->name)));
  (*pot)->ntypes        = sample->ntypes;
  for (PetscInt t = 0; t < sample->ntypes; t++) (*pot)->type_mass[t] = f.mass[map[t]];
  (*pot)->cutoff        = f.cut;
  (*pot)->ghost_width   = 2 * f.cut;
  (*pot)->hessian_range = 2 * f.cut;
  (*pot)->min_distance  = 0.5;
  (*pot)->data          = eam;
  (*pot)->compute       = EAMCompute;
  (*pot)->hessian       = EAMHessian;
  (*pot)->hessian_strain = EAMHessianStrain;
  (*pot)->destroy       = EAMDestroy;
  PetscFunctionReturn(0);
}

/* First tokens of line `line` of the file (comments after '#' dropped); false past the end. */
static PetscBool LineTokens(VitLineReader *rd, PetscInt line, char *tok[], int max, int *ntok)
{
  char *save = NULL;

  while (rd->line < line)
    if (!VitLineReaderNext(rd, PETSC_TRUE)) return PETSC_FALSE;
  *ntok = 0;
  for (char *t = strtok_r(rd->buf, " \t\r\n", &save); t && *ntok < max; t = strtok_r(NULL, " \t\r\n", &save)) tok[(*ntok)++] = t;
  return PETSC_TRUE;
}

static PetscBool AllNumbers(char *tok[], int n)
{
  PetscReal v;

  for (int k = 0; k < n; k++)
    if (!VitParseReal(tok[k], &v)) return PETSC_FALSE;
  return PETSC_TRUE;
}

/* setfl/eam-fs: line 4 "N name_1 ... name_N", line 5 the grid; the two differ in the number of
   rho tables (N or N^2), told apart by the count of words in the rest of the file (with one
   element they are the same format): the tables and N element header lines "Z mass a0 lattice"
   (2 to 6 words). A count that fits neither (a truncated file, short of both) claims no style:
   "eam/alloy eam/fs", so that the requested style's reader reports where the file ends. A count
   beyond eam/fs's is eam/fs (read as eam/alloy, such a file would give wrong tables silently).
   funcfl: line 2 "Z mass ...", line 3 the grid. */
void VitEAMFileStyleRank0(const char path[], char style[], size_t len)
{
  VitLineReader rd = {NULL, path, 0, ""};
  char         *tok[64];
  int           ntok;
  PetscReal     v[5];
  PetscInt      ne = 0;

  style[0] = 0;
  if (!(rd.fp = fopen(path, "r"))) return;
  if (LineTokens(&rd, 4, tok, 64, &ntok) && ntok >= 2 && VitParseReal(tok[0], &v[0]) && v[0] == ntok - 1 && !AllNumbers(tok + 1, 1)) {
    ne = ntok - 1;
    if (LineTokens(&rd, 5, tok, 64, &ntok) && ntok >= 5 && AllNumbers(tok, 5)) {
      double nrho, nr, have, alloy, fs; /* words: those left, and the least each format needs */

      for (int k = 0; k < 5; k++) VitParseReal(tok[k], &v[k]);
      nrho = v[0], nr = v[2], have = CountNumbersLeft(&rd); /* (tok points into the line buffer) */
      alloy = ne * (2 + nrho + nr) + ne * (ne + 1) / 2.0 * nr;
      fs    = alloy + ne * (ne - 1) * nr;
      if (ne > 1 && have >= fs) snprintf(style, len, "eam/fs");
      else if (ne > 1 && have >= alloy && have <= alloy + 4 * ne) snprintf(style, len, "eam/alloy");
      else snprintf(style, len, "eam/alloy eam/fs");
    }
  }
  rewind(rd.fp);
  rd.line = 0;
  if (!style[0] && LineTokens(&rd, 2, tok, 64, &ntok) && ntok >= 2 && AllNumbers(tok, 2) && LineTokens(&rd, 3, tok, 64, &ntok) && ntok >= 5 && AllNumbers(tok, 5)) snprintf(style, len, "eam");
  fclose(rd.fp);
}
