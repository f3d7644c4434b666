/* Unit systems (LAMMPS `units lj|metal|real`), standard atomic weights, and the masses and species
   names of a sample (src/common/units.c). See docs/units.md. */
#ifndef VITRUM_UNITS_H
#define VITRUM_UNITS_H

#include <vitrum/potential.h>

typedef enum { VIT_UNITS_LJ, VIT_UNITS_METAL, VIT_UNITS_REAL } VitUnitsStyle;

/* Names of the units of one LAMMPS style, and the factors that turn the Hessian's natural
   frequency omega = sqrt(eigenvalue of M^-1/2 H M^-1/2) (in sqrt(energy/mass)/length) into
   reported frequencies and temperatures. */
typedef struct {
  VitUnitsStyle style;
  const char   *name;           /* "lj", "metal", "real" */
  const char   *energy, *length, *mass, *temperature;
  const char   *hessian;        /* eigenvalue unit of the dynamical matrix, e.g. "eV/(A^2 amu)" */
  const char   *stiffness;      /* eigenvalue unit without mass weighting, e.g. "eV/A^2" */
  const char   *force;          /* energy/length, e.g. "eV/A" */
  const char   *frequency;      /* unit of reported frequencies: "THz" (nu = omega/2pi), lj: "1/tau" (angular omega) */
  PetscReal     freq_per_omega; /* reported frequency per unit of omega (1 in lj units) */
  PetscReal     temp_per_omega; /* hbar omega / k_B per unit of omega, in the temperature unit (1 in lj) */
  PetscReal     wavenumber_per_freq; /* cm^-1 per reported frequency unit (0 in lj units) */
} VitUnits;

/* -units; default: the unit style the sample's file declares (s may be NULL), else default_name
   (which the potential gives: lj for lj/ka presets, metal else). A -units other than the style the
   file declares is a user error. */
PetscErrorCode VitUnitsFromOptions(MPI_Comm comm, const VitSample *s, const char default_name[], VitUnits *u);

/* Standard atomic weight (IUPAC 2021 abridged, g/mol = amu) of an element symbol; 0 if unknown. */
PetscReal VitElementMass(const char symbol[]);
/* The element of a species name (VIT_NAME_LEN characters): the name, or NAME for NAME(T), the
   name of type T where several types share NAME (VitSampleNameTypesFromOptions). The element
   look-ups here take species names through it. */
void VitSpeciesElement(const char name[], char element[]);
/* Atomic number of an element symbol (of those with a standard atomic weight); 0 if unknown. */
int VitElementNumber(const char symbol[]);
/* The element whose standard atomic weight is within 0.01 of mass (NULL: none, or not one). */
const char *VitElementOfMass(PetscReal mass);

/* Types whose name the file did not give ("1", "2", ...) are named by -potential_elements (element
   of each type in type order, as LAMMPS `pair_coeff * * FILE Cu Zr`); names after the last type of a
   file that declares no type count (types_open: a dump) add types without atoms. Then species
   names are made unique: types that share a name are each named NAME(T), T the type number, with
   one note per run (every read ends here). Collective. */
PetscErrorCode VitSampleNameTypesFromOptions(MPI_Comm comm, VitSample *s);
/* The sample's type names joined by commas when every type is named by an element symbol (else ""). */
PetscErrorCode VitSampleElementNames(const VitSample *s, char list[], size_t len);
/* Masses of a sample in units u: the file's Masses, else potential_mass[t] > 0 (a potential file
   that carries masses, may be NULL), else the standard atomic weight of the type's element name,
   else 1 in lj units; in metal and real units a type with no mass is a user error saying what to
   give. *source (may be NULL) names where they came from. Collective. */
PetscErrorCode VitSampleResolveMasses(MPI_Comm comm, VitSample *s, const VitUnits *u, const PetscReal potential_mass[], const char **source);

/* The two steps above for a sample and its potential: -units with the potential's default (lj for
   pair potentials, metal for eam, tersoff), then the masses (potential file masses included); a
   many-body potential (its file is in metal units) in other units, or a potential whose parameters were defaulted to lj-unit values (pot->lj_units_defaults) is then a
   user error in metal or real units. s->units is set to the style used when -units gave it or the
   potential is a many-body one (its file is in metal units), so that files written declare it. */
PetscErrorCode VitUnitsSetUpForPotential(MPI_Comm comm, VitPotential pot, VitSample *s, VitUnits *u, const char **mass_source);
/* The same without the masses, for commands that need none (energy): -units with the potential's
   default, then the same refusals, s->units set the same way. */
PetscErrorCode VitUnitsCheckForPotential(MPI_Comm comm, VitPotential pot, VitSample *s, VitUnits *u);

#endif
