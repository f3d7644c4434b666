/* Potential selection from options (LAMMPS pair-style names), potential-file search and format
   detection, and helpers shared by all potentials (neighbour order, distance check, evaluation
   with rank-independent totals). See docs/potentials.md. */
#include "manybody.h"
#include <vitrum/exactsum.h>
#include <vitrum/units.h>
#include <unistd.h>

#define VIT_STYLES "lj/cut (or lj), ka2d, ka3d, eam, eam/alloy, eam/fs, tersoff, tersoff/mod or sw"

/* lj/cut (alias lj), ka2d, ka3d: the Lennard-Jones family of lj.c. */
PetscBool VitPotentialStyleIsPair(const char name[])
{
  return (PetscBool)(!strcmp(name, "lj") || !strcmp(name, "lj/cut") || !strcmp(name, "ka2d") || !strcmp(name, "ka3d"));
}

/* Many-body styles that read -potential_file. */
static PetscBool IsFileStyle(const char name[])
{
  return (PetscBool)(!strcmp(name, "eam") || !strcmp(name, "eam/alloy") || !strcmp(name, "eam/fs") || !strcmp(name, "tersoff") || !strcmp(name, "tersoff/mod") || !strcmp(name, "sw"));
}

/* Where LAMMPS looks when $LAMMPS_POTENTIALS is not set: Debian's lmp has this folder compiled in
   (its /etc/profile.d/lammps.sh sets the variable only in login shells, not in batch jobs). */
#define VIT_LAMMPS_POTENTIALS_DEFAULT "/usr/share/lammps/potentials"

/* Rank 0: one -potential_file name as given if it exists; else, for a bare name (no '/'), the
   repository's potentials/ folder, then $LAMMPS_POTENTIALS or, when it is not set, LAMMPS's default
   folder (as LAMMPS searches). A path with a '/' is used as given (its reader reports that it cannot
   open it); a bare name found nowhere is an error naming the places searched. */
static void FindFileRank0(const char given[], char found[], size_t len, char errmsg[], size_t errlen)
{
  const char *env     = getenv("LAMMPS_POTENTIALS");
  const char *lammps  = env && env[0] ? env : VIT_LAMMPS_POTENTIALS_DEFAULT;
  char        candidate[2][PETSC_MAX_PATH_LEN + 64];

  snprintf(found, len, "%s", given);
  if (!access(given, R_OK) || strchr(given, '/')) return;
  snprintf(candidate[0], sizeof(candidate[0]), "%s/potentials/%s", VIT_SOURCE_DIR, given);
  snprintf(candidate[1], sizeof(candidate[1]), "%s/%s", lammps, given);
  for (int k = 0; k < 2; k++)
    if (!access(candidate[k], R_OK)) {
      PetscStrncpy(found, candidate[k], len);
      return;
    }
  snprintf(errmsg, errlen, "-potential_file %s: no such file in the working directory, in %s/potentials or in %s (%s)", given, VIT_SOURCE_DIR, lammps, env && env[0] ? "$LAMMPS_POTENTIALS" : "LAMMPS's default; $LAMMPS_POTENTIALS is not set");
}

/* Every comma-separated name of -potential_file resolved by FindFileRank0, on rank 0, broadcast. */
static PetscErrorCode FindFiles(MPI_Comm comm, const char given[], char found[], size_t len)
{
  char        copy[PETSC_MAX_PATH_LEN * 4], errmsg[PETSC_MAX_PATH_LEN * 2] = "", *tok, *save = NULL;
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  found[0] = 0;
  if (!rank) {
    PetscCall(PetscStrncpy(copy, given, sizeof(copy)));
    for (tok = strtok_r(copy, ",", &save); tok && !errmsg[0]; tok = strtok_r(NULL, ",", &save)) {
      char one[PETSC_MAX_PATH_LEN];
      FindFileRank0(tok, one, sizeof(one), errmsg, sizeof(errmsg));
      if (found[0]) PetscCall(PetscStrlcat(found, ",", len));
      PetscCall(PetscStrlcat(found, one, len));
    }
  }
  PetscCall(VitBcastError(comm, errmsg));
  PetscCallMPI(MPI_Bcast(found, (int)len, MPI_CHAR, 0, comm));
  PetscFunctionReturn(0);
}

/* Whether the blank-separated list contains word. */
static PetscBool HasWord(const char list[], const char word[])
{
  char copy[64], *tok, *save = NULL;

  snprintf(copy, sizeof(copy), "%s", list);
  for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
    if (!strcmp(tok, word)) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* The style to read the file with: `requested` when the file's detected format allows it (or is
   not recognised: the reader then reports where the file is wrong); a setfl file given to
   -potential eam (vitrum's former name for eam/alloy) is read as eam/alloy with a note; any other
   mismatch is an error naming the style the file is written for. */
static PetscErrorCode FileStyle(MPI_Comm comm, const char requested[], const char files[], char style[], size_t len)
{
  char        detected[64] = "", first[PETSC_MAX_PATH_LEN], *comma, word[64] = "";
  PetscMPIInt rank;
  PetscBool   match;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscStrncpy(first, files, sizeof(first)));
  if ((comma = strchr(first, ','))) *comma = 0;
  if (!rank) VitPotentialFileStyleRank0(first, detected, sizeof(detected));
  PetscCallMPI(MPI_Bcast(detected, (int)sizeof(detected), MPI_CHAR, 0, comm));
  sscanf(detected, "%63s", word);
  PetscCall(PetscStrncpy(style, requested, len));
  match = HasWord(detected, requested);
  if (!detected[0] || match) PetscFunctionReturn(0);
  if (!strcmp(requested, "eam") && !strcmp(word, "eam/alloy")) {
    PetscCall(PetscFPrintf(comm, PETSC_STDERR, "vitrum: note: %s is a setfl file: read as -potential eam/alloy (LAMMPS's pair_style eam reads DYNAMO funcfl files)\n", first));
    PetscCall(PetscStrncpy(style, "eam/alloy", len));
    PetscFunctionReturn(0);
  }
  PetscCheck(IsFileStyle(word), comm, PETSC_ERR_USER_INPUT, "-potential_file %s is a %s file (LAMMPS pair_style %s), which vitrum does not implement (supported: " VIT_STYLES ")", first, detected, word);
  SETERRQ(comm, PETSC_ERR_USER_INPUT, "-potential_file %s is a%s %s file: use -potential %s (not %s)", first, word[0] == 'e' ? "n" : "", !strcmp(detected, "eam") ? "eam (DYNAMO funcfl)" : word, word, requested);
}

/* An example for the -potential_elements message: the elements whose atomic weights the sample's
   masses match ("Si (from its masses)"), else a generic "Cu,Zr". A hint only: never applied. */
static PetscErrorCode ElementsFromMasses(const VitSample *sample, char hint[], size_t len)
{
  PetscFunctionBeginUser;
  hint[0] = 0;
  for (PetscInt t = 0; t < sample->ntypes && sample->has_masses; t++) {
    const char *e = VitElementOfMass(sample->type_mass[t]);
    if (!e) {
      hint[0] = 0;
      break;
    }
    if (t) PetscCall(PetscStrlcat(hint, ",", len));
    PetscCall(PetscStrlcat(hint, e, len));
  }
  PetscCall(PetscStrlcat(hint, hint[0] ? " going by its masses" : "Cu,Zr", len));
  PetscFunctionReturn(0);
}

/* -potential_min_distance given (-help shows its default, auto): from 0 (no check) to the cutoff,
   the widest list the domain's ghosts hold (above it the neighbour list failed with "neighbour
   cutoff ... exceeds the ghost width"). */
static PetscErrorCode SetMinDistance(MPI_Comm comm, VitPotential pot, PetscReal min_distance)
{
  char given[VIT_REAL_STRING_LEN], bound[VIT_REAL_STRING_LEN];

  PetscFunctionBeginUser;
  PetscCheck(min_distance >= 0 && min_distance <= pot->cutoff, comm, PETSC_ERR_USER_INPUT, "-potential_min_distance %s: must lie in [0, %s] (0: no check; at most the cutoff of -potential %s)", VitRealString(min_distance, given), VitBoundString(pot->cutoff, -1, bound), pot->name);
  pot->min_distance = min_distance;
  PetscFunctionReturn(0);
}

/* variant: VitPotentialCreateVariantFromOptions (potential.h). */
static PetscErrorCode PotentialCreate(MPI_Comm comm, const VitSample *sample, PetscBool variant, VitPotential *pot)
{
  char      name[64] = "", style[64], given[PETSC_MAX_PATH_LEN * 4] = "", file[PETSC_MAX_PATH_LEN * 4], elements[256] = "";
  PetscReal min_distance = 0;
  PetscBool set, min_set;

  PetscFunctionBeginUser;
  *pot = NULL;
  PetscOptionsBegin(comm, NULL, "Interatomic potential", "vitrum");
  PetscCall(VitOptionsString("-potential", "LAMMPS pair style: " VIT_STYLES, NULL, name, name, sizeof(name), &set));
  PetscCall(VitOptionsString("-potential_file", "potential file (eam: one funcfl file, or one per atom type, comma separated); a bare name not found is searched in the repository's potentials/ folder, then $LAMMPS_POTENTIALS (unset: /usr/share/lammps/potentials)", NULL, given, given, sizeof(given), NULL));
  PetscCall(VitOptionsString("-potential_elements", "element of each atom type in type order for -potential_file (eam: checked against each funcfl file's atomic number only), e.g. Cu,Zr (extended XYZ and dumps with element names or type labels are renumbered in this order; it may name species a sample lacks, and types after a dump frame's largest; species named by numbers are types in increasing value); default: the sample's species names when they are elements", NULL, elements, elements, sizeof(elements), NULL));
  PetscCall(VitOptionsAutoReal("-potential_min_distance", "atoms closer than this are an input error, 0 to the potential's cutoff (0: no check; auto, the default: set by the potential, Lennard-Jones half the smallest sigma, many-body 0.5)", &min_distance, &min_set));
  PetscOptionsEnd();
  if (VitHelpRequested()) { /* also list the options of the pair potentials */
    PetscCall(VitPotentialCreateLJ(comm, NULL, set && VitPotentialStyleIsPair(name) ? name : "lj", PETSC_FALSE, pot));
    PetscFunctionReturn(0);
  }
  PetscCheck(set, comm, PETSC_ERR_USER_INPUT, "option -potential is required (" VIT_STYLES ")");
  if (VitPotentialStyleIsPair(name)) PetscCall(VitPotentialCreateLJ(comm, sample, name, variant, pot));
  else if (IsFileStyle(name)) {
    PetscCheck(given[0], comm, PETSC_ERR_USER_INPUT, "-potential %s needs -potential_file FILE", name);
    PetscCall(FindFiles(comm, given, file, sizeof(file)));
    PetscCall(FileStyle(comm, name, file, style, sizeof(style)));
    if (!elements[0] && strcmp(style, "eam")) PetscCall(VitSampleElementNames(sample, elements, sizeof(elements))); /* the file names them */
    if (!elements[0] && strcmp(style, "eam")) {
      char hint[256];
      PetscCall(ElementsFromMasses(sample, hint, sizeof(hint)));
      SETERRQ(comm, PETSC_ERR_USER_INPUT, "-potential %s needs -potential_elements (element of each of the sample's %" PetscInt_FMT " atom types, in type order, e.g. %s)", style, sample->ntypes, hint);
    }
    if (!strncmp(style, "tersoff", 7)) PetscCall(VitPotentialCreateTersoff(comm, sample, style, file, elements, pot));
    else if (!strcmp(style, "sw")) PetscCall(VitPotentialCreateSW(comm, sample, file, elements, pot));
    else PetscCall(VitPotentialCreateEAM(comm, sample, style, file, elements, pot));
  } else SETERRQ(comm, PETSC_ERR_USER_INPUT, "-potential %s: unknown or unsupported pair style (use " VIT_STYLES ")", name);
  if (min_set) PetscCall(SetMinDistance(comm, *pot, min_distance));
  PetscFunctionReturn(0);
}

PetscErrorCode VitPotentialCreateFromOptions(MPI_Comm comm, const VitSample *sample, VitPotential *pot)
{
  PetscFunctionBeginUser;
  PetscCall(PotentialCreate(comm, sample, PETSC_FALSE, pot));
  PetscFunctionReturn(0);
}

PetscErrorCode VitPotentialCreateVariantFromOptions(MPI_Comm comm, const VitSample *sample, VitPotential *pot)
{
  PetscFunctionBeginUser;
  PetscCall(PotentialCreate(comm, sample, PETSC_TRUE, pot));
  PetscFunctionReturn(0);
}

PetscErrorCode VitPotentialDestroy(VitPotential *pot)
{
  PetscFunctionBeginUser;
  if (!*pot) PetscFunctionReturn(0);
  if ((*pot)->destroy) PetscCall((*pot)->destroy(*pot));
  PetscCall(PetscFree(*pot));
  PetscFunctionReturn(0);
}

static PetscBool ImageBefore(const VitDomain *dom, PetscInt a, PetscInt b)
{
  for (int k = 0; k < 3; k++)
    if (dom->image[3 * a + k] != dom->image[3 * b + k]) return (PetscBool)(dom->image[3 * a + k] < dom->image[3 * b + k]);
  return PETSC_FALSE;
}

/* Runs of equal ids in the id-sorted local atoms (images of one atom; short) into increasing image. */
static void SortImagesOfEqualIds(const VitDomain *dom, PetscInt n, const PetscInt id[], PetscInt atom[])
{
  for (PetscInt start = 0, end; start < n; start = end) {
    for (end = start + 1; end < n && id[end] == id[start]; end++) { }
    for (PetscInt q = start + 1; q < end; q++) { /* insertion sort */
      PetscInt a = atom[q], p = q;
      for (; p > start && ImageBefore(dom, a, atom[p - 1]); p--) atom[p] = atom[p - 1];
      atom[p] = a;
    }
  }
}

/* By two transposes instead of a sort per row (which took a tenth of the Hessian command at 10^6
   atoms): the list is transposed once (row j: the atoms that list j), then back while the rows j of
   the transpose are visited in increasing global id, which appends every atom's neighbours in id
   order. Equal ids (several periodic images of one atom: many-body lists, and boxes narrower than
   twice the cutoff) come in increasing image (lexicographic), the same order relative to every
   listed atom on any number of ranks. */
PetscErrorCode VitNeighborListSortById(const VitDomain *dom, VitNeighborList *nl)
{
  const PetscInt nlocal = dom->nowned + dom->nghost, nentries = nl->offset[nl->nlist];
  PetscInt      *by_id, *key, *toffset, *tnbr, *next;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(nlocal, &by_id));
  PetscCall(PetscMalloc1(nlocal, &key));
  for (PetscInt j = 0; j < nlocal; j++) by_id[j] = j, key[j] = dom->gid[j];
  PetscCall(PetscSortIntWithArray(nlocal, key, by_id));
  SortImagesOfEqualIds(dom, nlocal, key, by_id);
  PetscCall(PetscFree(key));
  PetscCall(PetscCalloc1(nlocal + 1, &toffset));
  PetscCall(PetscMalloc2(nentries + 1, &tnbr, PetscMax(nlocal, nl->nlist) + 1, &next));
  for (PetscInt k = 0; k < nentries; k++) toffset[nl->nbr[k] + 1]++;
  for (PetscInt j = 0; j < nlocal; j++) toffset[j + 1] += toffset[j];
  PetscCall(PetscArraycpy(next, toffset, nlocal));
  for (PetscInt i = 0; i < nl->nlist; i++)
    for (PetscInt k = nl->offset[i]; k < nl->offset[i + 1]; k++) tnbr[next[nl->nbr[k]]++] = i;
  PetscCall(PetscArraycpy(next, nl->offset, nl->nlist));
  for (PetscInt q = 0; q < nlocal; q++) {
    const PetscInt j = by_id[q];
    for (PetscInt k = toffset[j]; k < toffset[j + 1]; k++) nl->nbr[next[tnbr[k]]++] = j;
  }
  PetscCall(PetscFree2(tnbr, next));
  PetscCall(PetscFree(toffset));
  PetscCall(PetscFree(by_id));
  PetscFunctionReturn(0);
}

PetscErrorCode VitPotentialPairList(VitPotential pot, const VitDomain *dom, VitNeighborList *nl)
{
  PetscFunctionBeginUser;
  PetscCall(VitNeighborListBuildByType(dom, pot->cutoff, pot->pair_cutoff, nl));
  PetscCall(VitNeighborListSortById(dom, nl));
  PetscFunctionReturn(0);
}

PetscErrorCode VitPotentialSiteList(VitPotential pot, const VitDomain *dom, VitNeighborList *nl)
{
  PetscFunctionBeginUser;
  PetscCall(VitNeighborListBuild(dom, pot->cutoff, PETSC_TRUE, nl));
  PetscCall(VitNeighborListSortById(dom, nl));
  PetscFunctionReturn(0);
}

PetscErrorCode VitPotentialSkinList(VitPotential pot, const VitDomain *dom, PetscReal skin, VitNeighborList *nl)
{
  PetscReal reach[VIT_MAX_TYPES][VIT_MAX_TYPES];

  PetscFunctionBeginUser;
  if (pot->pair) {
    for (PetscInt a = 0; a < VIT_MAX_TYPES; a++)
      for (PetscInt b = 0; b < VIT_MAX_TYPES; b++) reach[a][b] = pot->pair_cutoff[a][b] > 0 ? pot->pair_cutoff[a][b] + skin : 0; /* 0: never interacts */
    PetscCall(VitNeighborListBuildByType(dom, pot->cutoff + skin, reach, nl));
  } else { /* Tersoff and SW sum over sites of ghosts too (manybody.c): their lists hold the ghosts' neighbours */
    const PetscBool ghosts = (PetscBool)(pot->kind == VIT_POTENTIAL_TERSOFF || pot->kind == VIT_POTENTIAL_SW);
    PetscCall(VitNeighborListBuild(dom, pot->cutoff + skin, ghosts, nl));
  }
  PetscCall(VitNeighborListSortById(dom, nl));
  PetscFunctionReturn(0);
}

/* Error (collective, naming the sample file, both atoms and their distance) if two atoms are closer
   than pot->min_distance. */
static PetscErrorCode CheckDistances(VitPotential pot, VitDomain *dom, const char source[])
{
  VitNeighborList nl;
  struct {
    double r;
    int    rank;
  } local = {PETSC_MAX_REAL, 0}, global;
  PetscInt    pair[2] = {-1, -1};
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  if (pot->min_distance <= 0) PetscFunctionReturn(0);
  PetscCallMPI(MPI_Comm_rank(dom->comm, &rank));
  local.rank = rank;
  PetscCall(VitNeighborListBuild(dom, pot->min_distance, PETSC_FALSE, &nl));
  for (PetscInt i = 0; i < nl.nlist; i++) {
    for (PetscInt k = nl.offset[i]; k < nl.offset[i + 1]; k++) {
      PetscReal d[3], r = VitDomainDisplacement(dom, i, nl.nbr[k], d);

      if (r < local.r) {
        local.r = r;
        pair[0] = dom->fid[i];
        pair[1] = dom->fid[nl.nbr[k]];
      }
    }
  }
  PetscCall(VitNeighborListDestroy(&nl));
  PetscCallMPI(MPI_Allreduce(&local, &global, 1, MPI_DOUBLE_INT, MPI_MINLOC, dom->comm));
  if (global.r >= pot->min_distance) PetscFunctionReturn(0);
  PetscCallMPI(MPI_Bcast(pair, 2, MPIU_INT, global.rank, dom->comm));
  SETERRQ(dom->comm, PETSC_ERR_USER_INPUT, "%s: atoms with ids %" PetscInt_FMT " and %" PetscInt_FMT " are %.6g apart, closer than -potential_min_distance %.6g: overlapping atoms or wrong units", source, PetscMin(pair[0], pair[1]), PetscMax(pair[0], pair[1]), (double)global.r, (double)pot->min_distance);
}

static PetscLogEvent vit_ev_compute;

PetscErrorCode VitPotentialEvaluate(VitPotential pot, VitDomain *dom, PetscReal *energy, PetscReal *force, PetscReal virial[6], PetscReal *etotal, PetscReal *fmax)
{
  PetscReal *e = energy, *f = force, *w = NULL, local = 0, global, total;

  PetscFunctionBeginUser;
  if (!energy) PetscCall(PetscMalloc1(dom->nowned + 1, &e));
  if (!force) PetscCall(PetscMalloc1(3 * dom->nowned + 1, &f));
  if (virial) PetscCall(PetscMalloc1(6 * dom->nowned + 1, &w)); /* else not computed */
  if (!vit_ev_compute) PetscCall(PetscLogEventRegister("VitPotCompute", vit_log.classid, &vit_ev_compute));
  PetscCall(PetscLogEventBegin(vit_ev_compute, 0, 0, 0, 0));
  PetscCall(pot->compute(pot, dom, e, f, w));
  PetscCall(PetscLogEventEnd(vit_ev_compute, 0, 0, 0, 0));
  for (PetscInt i = 0; i < dom->nowned; i++) local = PetscMax(local, f[3 * i] * f[3 * i] + f[3 * i + 1] * f[3 * i + 1] + f[3 * i + 2] * f[3 * i + 2]);
  PetscCallMPI(MPI_Allreduce(&local, &global, 1, MPIU_REAL, MPIU_MAX, dom->comm));
  PetscCall(VitExactSumReals(dom->comm, dom->nowned, 1, e, &total));
  if (virial) PetscCall(VitExactSumReals(dom->comm, dom->nowned, 6, w, virial));
  if (etotal) *etotal = total;
  if (fmax) *fmax = PetscSqrtReal(global);
  if (!energy) PetscCall(PetscFree(e));
  if (!force) PetscCall(PetscFree(f));
  PetscCall(PetscFree(w));
  PetscFunctionReturn(0);
}

/* Boxes narrower than the cutoff are allowed, as in LAMMPS: the ghost shell then holds several
   periodic images of each atom. A shell that would hold more than VIT_MAX_IMAGES images per atom
   (a cutoff far beyond the box, e.g. from a damaged potential file) is refused. */
#define VIT_MAX_IMAGES 1000

/* A data file with bonds: LAMMPS's default special_bonds lj 0 0 0 leaves bonded pairs out of the pair
   sum, vitrum reads no bonds and excludes nothing. A note, once per run, where the potential meets
   the sample. */
static PetscErrorCode NoteBonds(MPI_Comm comm, const VitSample *sample)
{
  static PetscBool noted = PETSC_FALSE;

  PetscFunctionBeginUser;
  if (noted || sample->nbonds <= 0) PetscFunctionReturn(0);
  noted = PETSC_TRUE;
  PetscCall(PetscPrintf(comm, "vitrum: note: %s has %" PetscInt64_FMT " bonds: vitrum applies no special_bonds exclusions, so every pair within the cutoff interacts, bonded atoms included (LAMMPS's default special_bonds lj 0 0 0 leaves the 1-2, 1-3 and 1-4 neighbours of the bonds out of the pair sum)\n", sample->source, sample->nbonds));
  PetscFunctionReturn(0);
}

PetscErrorCode VitPotentialSetUpDomain(MPI_Comm comm, VitPotential pot, const VitSample *sample, PetscReal skin, VitDomain *dom)
{
  PetscReal width[3], shell = pot->ghost_width + skin, images = 1;
  PetscInt  narrow = 0;

  PetscFunctionBeginUser;
  PetscCall(NoteBonds(comm, sample));
  VitSampleWidths(sample, width);
  for (PetscInt k = 0; k < sample->dim; k++) {
    images *= 1 + 2 * shell / width[k];
    if (width[k] < width[narrow]) narrow = k;
  }
  PetscCheck(images <= VIT_MAX_IMAGES, comm, PETSC_ERR_USER_INPUT, "%s: box width %.6g along %c is too small for -potential %s: its ghost shell of %.6g (%s%s) would hold about %.0f periodic images of every atom (at most %d); use a larger sample", sample->source, (double)width[narrow], (char)('x' + narrow), pot->name, (double)shell,
             pot->ghost_width > pot->cutoff ? "two cutoffs" : "the cutoff", skin > 0 ? " plus -minimize_skin" : "", (double)images, VIT_MAX_IMAGES);
  PetscCall(VitDomainSetUp(comm, sample, pot->ghost_width + skin, dom));
  PetscCall(CheckDistances(pot, dom, sample->source));
  PetscFunctionReturn(0);
}
