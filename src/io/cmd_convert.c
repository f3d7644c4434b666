/* vitrum convert -sample IN -o OUT: any supported sample file to H5MD (.h5, .h5md) or to a
   LAMMPS data file (.data, .lmp).

   Masses are copied, never invented: a source without masses gives an output without masses
   (H5MD without /parameters/vitrum/type_mass, a data file without a Masses section), unless -units
   says how to resolve them (lj: 1; metal, real: standard atomic weights of the species names, which
   -potential_elements can give). A data file keeps species names only as comments of its Masses
   section, so a source with named species and no masses is refused for .data without -units. */
#include <vitrum/commands.h>
#include <vitrum/sample.h>
#include <vitrum/units.h>

/* Whether some species has a name the file gave (not the default "1", "2", ...). */
static PetscBool HasNamedTypes(const VitSample *s)
{
  for (PetscInt t = 0; t < s->ntypes; t++) {
    char number[16];
    PetscCallAbort(PETSC_COMM_SELF, PetscSNPrintf(number, sizeof(number), "%" PetscInt_FMT, t + 1));
    if (strcmp(s->type_name[t], number)) return PETSC_TRUE;
  }
  return PETSC_FALSE;
}

/* -units, when given, is the style the output declares (a contradiction with the source's is an
   error). A source without masses (or, a dump's mass column, without those of types it has no atom of):
   resolve them when -units is given, else keep none (and say so), or refuse where the output needs them. */
static PetscErrorCode ConvertMasses(MPI_Comm comm, VitSample *s, VitSampleOutFormat fmt, const char out[])
{
  PetscBool   units_set;
  VitUnits    units;
  const char *source;

  PetscFunctionBeginUser;
  PetscCall(VitSampleNameTypesFromOptions(comm, s));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-units", &units_set));
  if (units_set) {
    PetscCall(VitUnitsFromOptions(comm, s, "lj", &units));
    PetscCall(PetscStrncpy(s->units, units.name, sizeof(s->units)));
  }
  if (VitSampleMassesComplete(s)) PetscFunctionReturn(0);
  if (units_set) {
    PetscCall(VitSampleResolveMasses(comm, s, &units, NULL, &source));
    PetscCall(PetscPrintf(comm, "convert: %s has no masses%s: written from %s (-units %s)\n", s->source, s->has_masses ? " for the types without atoms" : "", source, units.name));
    s->has_masses = PETSC_TRUE;
    PetscFunctionReturn(0);
  }
  for (PetscInt t = 0; t < s->ntypes && s->has_masses; t++)
    PetscCheck(s->type_mass[t] > 0, comm, PETSC_ERR_USER_INPUT, "convert: %s gives no mass for atom type %" PetscInt_FMT " (its mass column has none: no atom has this type), and %s needs every type's: give -units (lj: 1; metal or real: the element's atomic weight, with -potential_elements)", s->source, t + 1, out);
  PetscCheck(fmt != VIT_SAMPLE_OUT_DATA || !HasNamedTypes(s), comm, PETSC_ERR_USER_INPUT, "convert: %s has no masses, and a LAMMPS data file keeps species names only with its Masses: give -units metal or real (standard atomic weights of the names), -units lj (masses 1), or write H5MD (-o NAME.h5), which keeps names without masses", s->source);
  PetscCall(PetscPrintf(comm, "convert: note: %s has no masses: %s has none either (give -units to write them)\n", s->source, out));
  PetscFunctionReturn(0);
}

PetscErrorCode VitCmdConvert(void)
{
  MPI_Comm  comm = PETSC_COMM_WORLD;
  char      out[PETSC_MAX_PATH_LEN] = "", units[16] = "";
  char      elements[256] = "";
  VitSample          s;
  VitSampleOutFormat fmt;

  PetscFunctionBeginUser;
  PetscOptionsBegin(comm, NULL, "Sample conversion (vitrum convert)", NULL);
  PetscCall(VitOptionsString("-o", "Output file: H5MD (.h5 .h5md) or LAMMPS data (.data .lmp)", "VitCmdConvert", out, out, sizeof(out), NULL));
  PetscCall(VitOptionsString("-units", "only for a source without masses: lj (write masses 1), metal or real (standard atomic weights of the species names); not given: write no masses", "VitCmdConvert", units, units, sizeof(units), NULL));
  PetscCall(VitOptionsString("-potential_elements", "element of each atom type (e.g. Cu,Zr) for types the file leaves unnamed; for extended XYZ and dumps with element names or type labels: the type order, which may name species the sample lacks; for a dump's type column also types after its largest", "VitCmdConvert", elements, elements, sizeof(elements), NULL));
  PetscOptionsEnd();
  PetscCall(VitSampleReadFromOptions(comm, &s)); /* reads (and with -help lists) -sample, -format, -frame */
  if (VitHelpRequested()) PetscFunctionReturn(0);
  PetscCheck(out[0], comm, PETSC_ERR_USER_INPUT, "convert: give the output file with -o OUT.h5 (H5MD) or -o OUT.data (LAMMPS data)");
  PetscCall(VitSampleOutputFormat(comm, "-o", out, &fmt));
  PetscCall(VitOutputCheck(comm, "-o", out, 0, NULL));
  PetscCall(ConvertMasses(comm, &s, fmt, out));
  if (fmt == VIT_SAMPLE_OUT_H5MD) PetscCall(VitSampleWriteH5MD(comm, &s, out));
  else PetscCall(VitSampleWriteLammpsData(comm, &s, out));
  PetscCall(PetscPrintf(comm, "wrote %s (%" PetscInt_FMT " atoms)\n", out, s.natoms));
  PetscCall(VitSampleDestroy(&s));
  PetscFunctionReturn(0);
}
