/* Unit systems as LAMMPS defines them (`units lj|metal|real`), standard atomic weights, and the
   masses and species names of a sample. See docs/units.md. */
#include <vitrum/units.h>

/* CODATA 2018 (SI): elementary charge and Boltzmann constant exact, hbar and the atomic mass
   constant u (= 1 g/mol / N_A) measured; speed of light exact. 1 kcal = 4184 J (thermochemical). */
#define CODATA_E     1.602176634e-19  /* J per eV */
#define CODATA_KB    1.380649e-23     /* J/K */
#define CODATA_HBAR  1.054571817e-34  /* J s */
#define CODATA_U     1.66053906660e-27 /* kg per amu */
#define CODATA_C     299792458.0      /* m/s */
#define CODATA_NA    6.02214076e23    /* 1/mol */
#define KCAL         4184.0           /* J */
#define ANGSTROM     1e-10            /* m */

/* omega = sqrt(eigenvalue) with the eigenvalue in energy/(length^2 mass): in rad/s it is
   sqrt(E_J / m_kg) / L_m per unit. metal: sqrt(eV/amu)/A = sqrt(1.602176634e-19 / 1.66053906660e-27)
   / 1e-10 = 9.82269475e13 rad/s; real: sqrt((kcal/mol)/(g/mol)) / A = sqrt(4184 / 1e-3) / 1e-10
   = 2.04548e13 rad/s. Reported: nu = omega / 2 pi in THz, and hbar omega / k_B in K. */
static void SetFrequencyFactors(PetscReal energy_J, PetscReal mass_kg, VitUnits *u)
{
  const PetscReal omega_si = PetscSqrtReal(energy_J / mass_kg) / ANGSTROM;

  u->freq_per_omega      = omega_si / (2 * PETSC_PI * 1e12);
  u->temp_per_omega      = CODATA_HBAR * omega_si / CODATA_KB;
  u->wavenumber_per_freq = 1e12 / (100 * CODATA_C); /* cm^-1 per THz: nu / c */
}

/* Units by name ("lj", "metal", "real"); unknown names are a user error naming -units. */
static PetscErrorCode UnitsByName(MPI_Comm comm, const char name[], VitUnits *u)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(u, sizeof(*u)));
  if (!strcmp(name, "lj")) {
    *u = (VitUnits){VIT_UNITS_LJ, "lj", "epsilon", "sigma", "m", "epsilon/k_B", "epsilon/(sigma^2 m)", "epsilon/sigma^2", "epsilon/sigma", "1/tau", 1, 1, 0};
  } else if (!strcmp(name, "metal")) {
    *u = (VitUnits){VIT_UNITS_METAL, "metal", "eV", "A", "amu", "K", "eV/(A^2 amu)", "eV/A^2", "eV/A", "THz", 0, 0, 0};
    SetFrequencyFactors(CODATA_E, CODATA_U, u);
  } else if (!strcmp(name, "real")) {
    *u = (VitUnits){VIT_UNITS_REAL, "real", "kcal/mol", "A", "g/mol", "K", "kcal/mol/(A^2 g/mol)", "kcal/mol/A^2", "kcal/mol/A", "THz", 0, 0, 0};
    SetFrequencyFactors(KCAL / CODATA_NA, CODATA_U, u); /* per molecule: kcal/N_A and g/N_A = u */
  } else SETERRQ(comm, PETSC_ERR_USER_INPUT, "-units %s: unknown unit style (use lj, metal or real, as LAMMPS)", name);
  PetscFunctionReturn(0);
}

PetscErrorCode VitUnitsFromOptions(MPI_Comm comm, const VitSample *s, const char default_name[], VitUnits *u)
{
  const PetscBool declared = (PetscBool)(s && s->units[0]);
  char            name[16];
  PetscBool       set;

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(name, declared ? s->units : default_name, sizeof(name)));
  PetscOptionsBegin(comm, NULL, "Units (LAMMPS styles, see docs/units.md)", "vitrum");
  PetscCall(VitOptionsString("-units", "lj, metal (eV, A, amu, ps; frequencies in THz, T in K) or real (kcal/mol, A, g/mol, fs); default: the style the sample file declares (a LAMMPS data file's first line, a dump's ITEM: UNITS), else lj for lj/ka presets, metal for eam, tersoff, sw", NULL, name, name, sizeof(name), &set));
  PetscOptionsEnd();
  PetscCheck(!set || !declared || !strcmp(name, s->units), comm, PETSC_ERR_USER_INPUT, "-units %s: %s declares 'units = %s' (the units its numbers are in: a LAMMPS data file's first line, a dump's ITEM: UNITS, an H5MD file's /parameters/vitrum/units): drop -units", name, s->source, s->units);
  PetscCall(UnitsByName(comm, name, u));
  PetscFunctionReturn(0);
}

/* Atomic numbers and IUPAC standard atomic weights (2021, abridged to five significant digits;
   conventional values for the elements with an interval), elements with a standard atomic weight only. */
static const struct {
  const char *symbol;
  int         z; /* atomic number */
  double      mass;
} element_table[] = {
  {"H", 1, 1.008},     {"He", 2, 4.0026},   {"Li", 3, 6.94},     {"Be", 4, 9.0122},   {"B", 5, 10.81},     {"C", 6, 12.011},    {"N", 7, 14.007},
  {"O", 8, 15.999},    {"F", 9, 18.998},    {"Ne", 10, 20.180},  {"Na", 11, 22.990},  {"Mg", 12, 24.305},  {"Al", 13, 26.982},  {"Si", 14, 28.085},
  {"P", 15, 30.974},   {"S", 16, 32.06},    {"Cl", 17, 35.45},   {"Ar", 18, 39.95},   {"K", 19, 39.098},   {"Ca", 20, 40.078},  {"Sc", 21, 44.956},
  {"Ti", 22, 47.867},  {"V", 23, 50.942},   {"Cr", 24, 51.996},  {"Mn", 25, 54.938},  {"Fe", 26, 55.845},  {"Co", 27, 58.933},  {"Ni", 28, 58.693},
  {"Cu", 29, 63.546},  {"Zn", 30, 65.38},   {"Ga", 31, 69.723},  {"Ge", 32, 72.630},  {"As", 33, 74.922},  {"Se", 34, 78.971},  {"Br", 35, 79.904},
  {"Kr", 36, 83.798},  {"Rb", 37, 85.468},  {"Sr", 38, 87.62},   {"Y", 39, 88.906},   {"Zr", 40, 91.224},  {"Nb", 41, 92.906},  {"Mo", 42, 95.95},
  {"Ru", 44, 101.07},  {"Rh", 45, 102.91},  {"Pd", 46, 106.42},  {"Ag", 47, 107.87},  {"Cd", 48, 112.41},  {"In", 49, 114.82},  {"Sn", 50, 118.71},
  {"Sb", 51, 121.76},  {"Te", 52, 127.60},  {"I", 53, 126.90},   {"Xe", 54, 131.29},  {"Cs", 55, 132.91},  {"Ba", 56, 137.33},  {"La", 57, 138.91},
  {"Ce", 58, 140.12},  {"Pr", 59, 140.91},  {"Nd", 60, 144.24},  {"Sm", 62, 150.36},  {"Eu", 63, 151.96},  {"Gd", 64, 157.25},  {"Tb", 65, 158.93},
  {"Dy", 66, 162.50},  {"Ho", 67, 164.93},  {"Er", 68, 167.26},  {"Tm", 69, 168.93},  {"Yb", 70, 173.05},  {"Lu", 71, 174.97},  {"Hf", 72, 178.49},
  {"Ta", 73, 180.95},  {"W", 74, 183.84},   {"Re", 75, 186.21},  {"Os", 76, 190.23},  {"Ir", 77, 192.22},  {"Pt", 78, 195.08},  {"Au", 79, 196.97},
  {"Hg", 80, 200.59},  {"Tl", 81, 204.38},  {"Pb", 82, 207.2},   {"Bi", 83, 208.98},  {"Th", 90, 232.04},  {"Pa", 91, 231.04},  {"U", 92, 238.03},
};

void VitSpeciesElement(const char name[], char element[])
{
  const char  *open = strrchr(name, '(');
  const size_t len  = strlen(name);
  PetscBool    typed = (PetscBool)(open && open > name && len >= 3 && name[len - 1] == ')' && open + 1 < name + len - 1);

  for (const char *c = typed ? open + 1 : name + len; c < name + len - 1; c++) typed = (PetscBool)(typed && *c >= '0' && *c <= '9');
  snprintf(element, VIT_NAME_LEN, "%.*s", (int)(typed ? (size_t)(open - name) : len), name);
}

/* Index of the element of a species name (VitSpeciesElement) in element_table, -1 if unknown. */
static int FindElement(const char name[])
{
  char symbol[VIT_NAME_LEN];

  VitSpeciesElement(name, symbol);
  for (size_t k = 0; k < sizeof(element_table) / sizeof(element_table[0]); k++)
    if (!strcmp(symbol, element_table[k].symbol)) return (int)k;
  return -1;
}

PetscReal VitElementMass(const char symbol[])
{
  const int k = FindElement(symbol);
  return k < 0 ? 0 : element_table[k].mass;
}

int VitElementNumber(const char symbol[])
{
  const int k = FindElement(symbol);
  return k < 0 ? 0 : element_table[k].z;
}

const char *VitElementOfMass(PetscReal mass)
{
  const char *found = NULL;

  for (size_t k = 0; k < sizeof(element_table) / sizeof(element_table[0]); k++)
    if (PetscAbsReal(mass - element_table[k].mass) < 0.01) {
      if (found) return NULL; /* two elements that close: no answer */
      found = element_table[k].symbol;
    }
  return found;
}

/* A type the file does not name: no name, or a number (its 1-based type, a dump's type column,
   an H5MD species value such as 0 from tools that number species from 0). */
static PetscBool IsDefaultName(const VitSample *s, PetscInt t)
{
  const char *c = s->type_name[t];

  if (*c == '-') c++;
  if (!*c) return PETSC_TRUE;
  for (; *c; c++)
    if (*c < '0' || *c > '9') return PETSC_FALSE;
  return PETSC_TRUE;
}

/* The sample's type names (or, elements, their elements: VitSpeciesElement) in type order, comma
   separated. */
static PetscErrorCode TypeNamesJoined(const VitSample *s, PetscBool elements, char list[], size_t len)
{
  PetscFunctionBeginUser;
  list[0] = 0;
  for (PetscInt t = 0; t < s->ntypes; t++) {
    char element[VIT_NAME_LEN];
    VitSpeciesElement(s->type_name[t], element);
    if (t) PetscCall(PetscStrlcat(list, ",", len));
    PetscCall(PetscStrlcat(list, elements ? element : s->type_name[t], len));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VitSampleElementNames(const VitSample *s, char list[], size_t len)
{
  PetscFunctionBeginUser;
  list[0] = 0;
  for (PetscInt t = 0; t < s->ntypes; t++)
    if (IsDefaultName(s, t) || !(VitElementMass(s->type_name[t]) > 0)) PetscFunctionReturn(0);
  PetscCall(TypeNamesJoined(s, PETSC_TRUE, list, len));
  PetscFunctionReturn(0);
}

/* Whether type t has the name of another type. */
static PetscBool SharesName(const VitSample *s, PetscInt t)
{
  for (PetscInt u = 0; u < s->ntypes; u++)
    if (u != t && !strcmp(s->type_name[u], s->type_name[t])) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* Species names are unique, since they name the pairs of g(r) and S(q), the features and the
   profiles of a model: types that share a name (several types of one element: a dump's
   `dump_modify element Cu Cu`, Masses comments, -potential_elements Cu,Cu) are each named NAME(T),
   T the type number, which keeps NAME as their element (VitSpeciesElement: masses, potentials,
   scattering lengths). One note per run. */
static PetscErrorCode UniqueNames(MPI_Comm comm, VitSample *s)
{
  static PetscBool noted = PETSC_FALSE;
  char             before[VIT_MAX_TYPES * VIT_NAME_LEN], after[VIT_MAX_TYPES * VIT_NAME_LEN];
  PetscBool        shared[VIT_MAX_TYPES], any = PETSC_FALSE;

  PetscFunctionBeginUser;
  for (PetscInt t = 0; t < s->ntypes; t++) any = (PetscBool)((shared[t] = SharesName(s, t)) || any);
  if (!any) PetscFunctionReturn(0);
  PetscCall(TypeNamesJoined(s, PETSC_FALSE, before, sizeof(before)));
  for (PetscInt t = 0; t < s->ntypes; t++) {
    char suffix[8], name[VIT_NAME_LEN];
    if (!shared[t]) continue;
    PetscCall(PetscSNPrintf(suffix, sizeof(suffix), "(%" PetscInt_FMT ")", t + 1));
    PetscCall(PetscSNPrintf(name, sizeof(name), "%.*s%s", (int)(VIT_NAME_LEN - 1 - strlen(suffix)), s->type_name[t], suffix));
    PetscCall(PetscStrncpy(s->type_name[t], name, VIT_NAME_LEN));
  }
  PetscCall(TypeNamesJoined(s, PETSC_FALSE, after, sizeof(after)));
  for (PetscInt t = 0; t < s->ntypes; t++) PetscCheck(!SharesName(s, t), comm, PETSC_ERR_USER_INPUT, "%s: species %s share names, and %s (types that share one named NAME(TYPE)) still do: give the types distinct names", s->source, before, after);
  if (!noted) PetscCall(PetscPrintf(comm, "vitrum: note: %s: species %s are named %s: atom types that share a name are named NAME(TYPE), so that the pairs of g(r) and S(q) and the features tell them apart (NAME stays their element for masses, potentials and scattering lengths)\n", s->source, before, after));
  noted = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* Types numbered from the file's species names (extended XYZ, a dump's element column: numbered
   alphabetically, and only the species present) renumbered in the order of -potential_elements, which
   may name species the sample lacks (types without atoms: their masses are left 0, to be resolved
   as those of a file without masses): every sample of an ensemble then has the same
   types in the same order, whatever its format and composition. */
static PetscErrorCode RenumberNamedTypes(MPI_Comm comm, const char elements[], PetscInt count, char list[][VIT_NAME_LEN], VitSample *s)
{
  PetscInt  newtype[VIT_MAX_TYPES];
  PetscReal mass[VIT_MAX_TYPES];

  PetscFunctionBeginUser;
  for (PetscInt t = 0; t < s->ntypes; t++) {
    newtype[t] = -1;
    for (PetscInt e = 0; e < count; e++)
      if (!strcmp(list[e], s->type_name[t])) newtype[t] = e;
    PetscCheck(newtype[t] >= 0, comm, PETSC_ERR_USER_INPUT, "%s has species %s, which -potential_elements %s does not name", s->source, s->type_name[t], elements);
  }
  for (PetscInt e = 0; e < count; e++) mass[e] = 0;
  for (PetscInt t = 0; t < s->ntypes; t++) mass[newtype[t]] = s->type_mass[t];
  for (PetscInt i = 0; i < s->nlocal; i++) s->type[i] = newtype[s->type[i]];
  for (PetscInt e = 0; e < count; e++) {
    PetscCall(PetscStrncpy(s->type_name[e], list[e], VIT_NAME_LEN));
    s->type_mass[e] = mass[e];
  }
  s->ntypes = count;
  PetscFunctionReturn(0);
}

/* The names of -potential_elements, in order: at most VIT_MAX_TYPES, and, where they are the keys
   of the types (unique), none twice. */
static PetscErrorCode SplitElements(MPI_Comm comm, const char elements[], PetscBool unique, char list[][VIT_NAME_LEN], PetscInt *count)
{
  char copy[256], *tok, *save = NULL;

  PetscFunctionBeginUser;
  *count = 0;
  PetscCall(PetscStrncpy(copy, elements, sizeof(copy)));
  for (tok = strtok_r(copy, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save), (*count)++) {
    PetscCheck(*count < VIT_MAX_TYPES, comm, PETSC_ERR_USER_INPUT, "-potential_elements %s names more than %d elements", elements, VIT_MAX_TYPES);
    PetscCall(PetscStrncpy(list[*count], tok, VIT_NAME_LEN));
    for (PetscInt e = 0; e < *count && unique; e++) PetscCheck(strcmp(list[e], tok), comm, PETSC_ERR_USER_INPUT, "-potential_elements %s names %s twice", elements, tok);
  }
  PetscFunctionReturn(0);
}

/* Types the file numbers itself, named in type order: a type the file leaves unnamed takes its
   element; one it names by an element symbol keeps it (another element would silently swap
   species: an error naming the file's order). A file that does not declare its number of types (a
   dump: the largest type present, types_open) gets the types the list names after its last one,
   without atoms, as a sample lacking a species gets them in RenumberNamedTypes. */
static PetscErrorCode NameNumberedTypes(MPI_Comm comm, const char elements[], PetscInt count, char list[][VIT_NAME_LEN], VitSample *s)
{
  char named[VIT_MAX_TYPES * VIT_NAME_LEN] = "";

  PetscFunctionBeginUser;
  PetscCall(TypeNamesJoined(s, PETSC_FALSE, named, sizeof(named)));
  for (PetscInt t = 0; t < PetscMin(count, s->ntypes); t++) {
    char element[VIT_NAME_LEN];
    VitSpeciesElement(s->type_name[t], element);
    if (IsDefaultName(s, t)) PetscCall(PetscStrncpy(s->type_name[t], list[t], VIT_NAME_LEN));
    else
      PetscCheck(!strcmp(s->type_name[t], list[t]) || !strcmp(element, list[t]) || !(VitElementMass(list[t]) > 0) || !(VitElementMass(s->type_name[t]) > 0), comm, PETSC_ERR_USER_INPUT, "-potential_elements %s: atom type %" PetscInt_FMT " of %s is %s, not %s (its types in order: %s): give -potential_elements %s, or leave it out", elements, t + 1, s->source, s->type_name[t], list[t], named, named);
  }
  PetscCheck(count == s->ntypes || (s->types_open && count > s->ntypes), comm, PETSC_ERR_USER_INPUT, "-potential_elements %s names %" PetscInt_FMT " elements but the sample has %" PetscInt_FMT " atom types (give one element per type, in type order)", elements, count, s->ntypes);
  for (PetscInt t = s->ntypes; t < count; t++) {
    PetscCall(PetscStrncpy(s->type_name[t], list[t], VIT_NAME_LEN));
    s->type_mass[t] = 0; /* no atom gives it: resolved as a file without masses */
  }
  s->ntypes = count;
  PetscFunctionReturn(0);
}

/* -potential_elements names the types the file leaves unnamed. Where the file names a type by an
   element symbol and numbers the types itself (Atom Type Labels, a Masses comment), another element
   for that type would silently swap species: an error naming the file's order (NameNumberedTypes).
   Types the file numbers by their names are renumbered (RenumberNamedTypes). Then names that
   several types share are made unique (UniqueNames). */
PetscErrorCode VitSampleNameTypesFromOptions(MPI_Comm comm, VitSample *s)
{
  char      elements[256] = "", list[VIT_MAX_TYPES][VIT_NAME_LEN];
  PetscInt  count = 0;
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(VitOptionsGetString(comm, "-potential_elements", elements, sizeof(elements), &set));
  if (set && elements[0]) {
    PetscCall(SplitElements(comm, elements, s->types_by_name, list, &count));
    if (s->types_by_name) PetscCall(RenumberNamedTypes(comm, elements, count, list, s));
    else PetscCall(NameNumberedTypes(comm, elements, count, list, s));
  }
  PetscCall(UniqueNames(comm, s));
  PetscFunctionReturn(0);
}

/* lj units by default (the file declares none, -units not given) for a sample whose file gives
   masses that all look like atomic masses (none below 4: in lj units the unit of mass is usually
   one of the species', as in Kob-Andersen's 1 and 2): the numbers may be metal or real ones
   (LAMMPS before 2022, Debian 12's included, writes no 'units =' in a data file's title), which lj
   units would report in 1/tau. A note, once per run (features sets up every sample). */
static PetscErrorCode NoteLjAssumed(MPI_Comm comm, const VitSample *s)
{
  static PetscBool noted = PETSC_FALSE;
  char             masses[128] = "";
  PetscBool        atomic = (PetscBool)(s->ntypes > 0);

  PetscFunctionBeginUser;
  if (noted || !s->has_masses) PetscFunctionReturn(0);
  for (PetscInt t = 0; t < s->ntypes; t++) {
    char one[32];
    atomic = (PetscBool)(atomic && s->type_mass[t] >= 4);
    PetscCall(PetscSNPrintf(one, sizeof(one), "%s%.6g", t ? ", " : "", (double)s->type_mass[t]));
    PetscCall(PetscStrlcat(masses, one, sizeof(masses)));
  }
  if (!atomic) PetscFunctionReturn(0);
  noted = PETSC_TRUE;
  PetscCall(PetscPrintf(comm, "vitrum: note: lj units: %s declares no units (LAMMPS before 2022 writes none) and -units is not given, so its masses %s are in units of m and frequencies come out in 1/tau; if its numbers are metal or real ones, give -units metal or -units real\n", s->source, masses));
  PetscFunctionReturn(0);
}

/* lj units, a Lennard-Jones potential (not a Kob-Andersen preset) on several atom types whose
   epsilon or sigma neither the options nor the file (PairIJ Coeffs) give: vitrum's defaults, the
   same for every pair (pot->lj_units_defaults names them; with both, the types differ only in
   mass). A physical choice never made silently: a note naming the values, once per run. */
static PetscErrorCode NoteLjPairDefaults(MPI_Comm comm, VitPotential pot, const VitSample *s)
{
  static PetscBool noted = PETSC_FALSE;
  const char      *list  = pot->lj_units_defaults;
  const PetscBool  eps = (PetscBool)(strstr(list, "-lj_epsilon") != NULL), sig = (PetscBool)(strstr(list, "-lj_sigma") != NULL);
  const PetscBool  rc  = (PetscBool)(strstr(list, "-lj_cutoff") != NULL);

  PetscFunctionBeginUser;
  if (noted || s->ntypes < 2 || !strncmp(pot->name, "ka", 2) || !(eps || sig)) PetscFunctionReturn(0);
  noted = PETSC_TRUE;
  PetscCall(PetscPrintf(comm, "vitrum: note: -potential %s on the %" PetscInt_FMT " atom types of %s: %s%s%s%s for every pair (vitrum's lj-unit defaults: no %s, and no PairIJ Coeffs in the file); give %s per pair to make the types interact differently\n", pot->name, s->ntypes, s->source, eps ? "epsilon 1" : "", eps && sig ? ", " : "", sig ? "sigma 1" : "", rc ? ", cutoff 2.5 sigma" : "", list, eps && sig ? "-lj_epsilon and -lj_sigma" : eps ? "-lj_epsilon" : "-lj_sigma"));
  PetscFunctionReturn(0);
}

/* The potential's default style: lj for pair potentials, metal for those read from a (metal-unit) file. */
static const char *PotentialDefaultUnits(VitPotential pot)
{
  return pot->kind == VIT_POTENTIAL_PAIR ? "lj" : "metal";
}

/* After the units u are chosen: refuse a style the potential's numbers are not in, and set s->units. */
static PetscErrorCode CheckPotentialUnits(MPI_Comm comm, VitPotential pot, VitSample *s, const VitUnits *u)
{
  PetscFunctionBeginUser;
  PetscCheck(pot->kind == VIT_POTENTIAL_PAIR || u->style == VIT_UNITS_METAL, comm, PETSC_ERR_USER_INPUT, "-potential %s in %s units%s: its potential file is in metal units (eV, A), which vitrum does not convert: use metal units", pot->name, u->name, s->units[0] && !strcmp(s->units, u->name) ? " (declared by the sample file)" : "");
  if (u->style == VIT_UNITS_LJ) PetscCall(NoteLjPairDefaults(comm, pot, s));
  PetscCheck(u->style == VIT_UNITS_LJ || !pot->lj_units_defaults[0], comm, PETSC_ERR_USER_INPUT, "-potential %s in %s units: give %s (vitrum's defaults for them are lj-unit numbers; as LAMMPS's pair_style lj/cut CUTOFF and pair_coeff I J EPSILON SIGMA)%s", pot->name, u->name, pot->lj_units_defaults, strncmp(pot->name, "ka", 2) ? ", or a data file with a PairIJ Coeffs section (write_data FILE pair ij)" : "");
  { /* files this command writes declare the style when it is known: given, or fixed by a potential file */
    PetscBool given;
    PetscCall(PetscOptionsHasName(NULL, NULL, "-units", &given));
    if (!given && !s->units[0] && u->style == VIT_UNITS_LJ) PetscCall(NoteLjAssumed(comm, s));
    if (given || pot->kind != VIT_POTENTIAL_PAIR) PetscCall(PetscStrncpy(s->units, u->name, sizeof(s->units)));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VitUnitsSetUpForPotential(MPI_Comm comm, VitPotential pot, VitSample *s, VitUnits *u, const char **mass_source)
{
  PetscFunctionBeginUser;
  PetscCall(VitUnitsFromOptions(comm, s, PotentialDefaultUnits(pot), u));
  PetscCall(VitSampleResolveMasses(comm, s, u, pot->type_mass, mass_source));
  PetscCall(CheckPotentialUnits(comm, pot, s, u));
  PetscFunctionReturn(0);
}

PetscErrorCode VitUnitsCheckForPotential(MPI_Comm comm, VitPotential pot, VitSample *s, VitUnits *u)
{
  PetscFunctionBeginUser;
  PetscCall(VitUnitsFromOptions(comm, s, PotentialDefaultUnits(pot), u));
  PetscCall(CheckPotentialUnits(comm, pot, s, u));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSampleResolveMasses(MPI_Comm comm, VitSample *s, const VitUnits *u, const PetscReal potential_mass[], const char **source)
{
  const char *from = "the sample file";

  PetscFunctionBeginUser;
  if (source) *source = from;
  if (VitSampleMassesComplete(s)) PetscFunctionReturn(0);
  for (PetscInt t = 0; t < s->ntypes; t++) { /* every type without a mass from the file (with a mass column: the types it has no atom of) */
    const PetscReal element = VitElementMass(s->type_name[t]);

    if (s->has_masses && s->type_mass[t] > 0) continue;
    PetscCheck(!potential_mass || potential_mass[t] == 0 || (PetscIsNormalReal(potential_mass[t]) && potential_mass[t] > 0), comm, PETSC_ERR_USER_INPUT, "%s: the potential file's mass of atom type %" PetscInt_FMT " is %.6g: a mass is a positive number, finite and not subnormal", s->source, t + 1, (double)potential_mass[t]);
    if (potential_mass && potential_mass[t] > 0) {
      s->type_mass[t] = potential_mass[t];
      from            = "the potential file";
    } else if (u->style != VIT_UNITS_LJ && element > 0) {
      s->type_mass[t] = element;
      from            = "standard atomic weights of the element names";
    } else if (u->style == VIT_UNITS_LJ) {
      s->type_mass[t] = 1;
      from            = "lj units (mass 1)";
    } else
      SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s: no mass for atom type %" PetscInt_FMT " (named %s%s) in %s units: give a Masses section in the data file, name the element of each type with -potential_elements (e.g. Cu,Zr) or Atom Type Labels, or use a potential file that carries masses (eam, eam/alloy, eam/fs)", s->source, t + 1, s->type_name[t], s->has_masses ? "; its mass column gives none: no atom has this type" : "", u->name);
  }
  if (source) *source = from;
  PetscFunctionReturn(0);
}
