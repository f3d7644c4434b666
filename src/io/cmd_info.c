/* vitrum info -sample F: a summary of a sample (N, species, box, dimension, densities). */
#include <vitrum/commands.h>
#include <vitrum/sample.h>

static PetscErrorCode PrintSummary(MPI_Comm comm, const VitSample *s)
{
  const PetscReal V = VitSampleVolume(s);
  PetscInt        counts[VIT_MAX_TYPES];
  PetscReal       width[3];

  PetscFunctionBeginUser;
  PetscCall(VitSampleTypeCounts(comm, s, counts));
  VitSampleWidths(s, width);
  PetscCall(PetscPrintf(comm, "sample:      %s\n", s->source));
  PetscCall(PetscPrintf(comm, "atoms:       %" PetscInt_FMT "\n", s->natoms));
  PetscCall(PetscPrintf(comm, "dimension:   %" PetscInt_FMT "\n", s->dim));
  PetscCall(PetscPrintf(comm, "species:     %" PetscInt_FMT "  (name count fraction mass partial_density)\n", s->ntypes));
  for (PetscInt t = 0; t < s->ntypes; t++) {
    char mass[32] = "none"; /* a dump's mass column gives none for a type without atoms */
    if (s->type_mass[t] > 0) PetscCall(PetscSNPrintf(mass, sizeof(mass), "%.10g", (double)s->type_mass[t]));
    PetscCall(PetscPrintf(comm, "  type %" PetscInt_FMT ":    %s %" PetscInt_FMT " %.6f %s %.10g\n", t + 1, s->type_name[t], counts[t], (double)counts[t] / s->natoms, mass, (double)(counts[t] / V)));
  }
  PetscCall(PetscPrintf(comm, "units:       %s\n", s->units[0] ? s->units : "not declared by the file (-units, else the potential's default: docs/units.md)"));
  if (s->pair_coeffs.per) {
    char where[64];
    VitPairCoeffsWhere(s, PETSC_FALSE, where, sizeof(where));
    PetscCall(PetscPrintf(comm, "pair coeffs: %s # %s (%s)\n", s->pair_coeffs.per == 1 ? "Pair Coeffs" : "PairIJ Coeffs", s->pair_coeffs.style, where));
  }
  PetscCall(PetscPrintf(comm, "masses:      %s\n", s->has_masses ? "from the file" : "none in the file (lj units: 1; metal, real: from the potential file or the element names, docs/units.md)"));
  PetscCall(PetscPrintf(comm, "box lo:      %.10g %.10g %.10g\n", (double)s->lo[0], (double)s->lo[1], (double)s->lo[2]));
  for (PetscInt d = 0; d < s->dim; d++) PetscCall(PetscPrintf(comm, "cell %c:      %.10g %.10g %.10g\n", "abc"[d], (double)s->cell[d][0], (double)s->cell[d][1], (double)s->cell[d][2]));
  PetscCall(PetscPrintf(comm, "tilt:        xy %.10g xz %.10g yz %.10g\n", (double)s->cell[1][0], (double)s->cell[2][0], (double)s->cell[2][1]));
  PetscCall(PetscPrintf(comm, "widths:     "));
  for (PetscInt d = 0; d < s->dim; d++) PetscCall(PetscPrintf(comm, " %.10g", (double)width[d]));
  PetscCall(PetscPrintf(comm, "\n"));
  PetscCall(PetscPrintf(comm, "%s      %.10g\n", s->dim == 3 ? "volume:" : "area:  ", (double)V));
  PetscCall(PetscPrintf(comm, "density:     %.10g\n", (double)(s->natoms / V)));
  PetscFunctionReturn(0);
}

PetscErrorCode VitCmdInfo(void)
{
  MPI_Comm  comm = PETSC_COMM_WORLD;
  VitSample s;

  PetscFunctionBeginUser;
  PetscCall(VitSampleReadFromOptions(comm, &s));
  if (VitHelpRequested()) PetscFunctionReturn(0);
  PetscCall(PrintSummary(comm, &s));
  PetscCall(VitSampleDestroy(&s));
  PetscFunctionReturn(0);
}
