/* Unit test of the sample geometry helpers: VitWrapUnit at its edge cases, fractional <->
   Cartesian round trips, volume and widths against direct formulas. */
#include <vitrum/sample.h>

static PetscErrorCode CheckWrap(void)
{
  const PetscReal u[]    = {0.25, -0.25, 1.0, -1.0, 3.5, -1e-20, 1 - 1e-17, 2.0 - PETSC_MACHINE_EPSILON};
  const PetscReal want[] = {0.25, 0.75, 0.0, 0.0, 0.5, 0.0, 0.0, 1.0 - PETSC_MACHINE_EPSILON};

  PetscFunctionBeginUser;
  for (size_t k = 0; k < sizeof(u) / sizeof(u[0]); k++) {
    PetscReal w = VitWrapUnit(u[k]);
    PetscCheck(w >= 0 && w < 1, PETSC_COMM_SELF, PETSC_ERR_PLIB, "VitWrapUnit(%g) = %g is not in [0,1)", (double)u[k], (double)w);
    PetscCheck(w == want[k], PETSC_COMM_SELF, PETSC_ERR_PLIB, "VitWrapUnit(%.17g) = %.17g, expected %.17g", (double)u[k], (double)w, (double)want[k]);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckCell(void)
{
  VitSample s = {0};
  PetscReal frac[3] = {0.3, -0.7, 1.9}, x[3], back[3], width[3], cross;

  PetscFunctionBeginUser;
  s.dim        = 3;
  s.cell[0][0] = 4.0;
  s.cell[1][0] = 1.5, s.cell[1][1] = 5.0;
  s.cell[2][0] = -0.8, s.cell[2][1] = 0.6, s.cell[2][2] = 6.0;
  VitSampleFracToCart(&s, frac, x);
  VitSampleCartToFrac(&s, x, back);
  for (int d = 0; d < 3; d++) PetscCheck(PetscAbsReal(back[d] - frac[d]) < 1e-14, PETSC_COMM_SELF, PETSC_ERR_PLIB, "frac -> cart -> frac differs in %d", d);
  PetscCheck(PetscAbsReal(x[0] - (0.3 * 4.0 - 0.7 * 1.5 - 1.9 * 0.8)) < 1e-14, PETSC_COMM_SELF, PETSC_ERR_PLIB, "x = s0 a + s1 b + s2 c");
  PetscCheck(PetscAbsReal(VitSampleVolume(&s) - 120.0) < 1e-12, PETSC_COMM_SELF, PETSC_ERR_PLIB, "volume");
  VitSampleWidths(&s, width);
  /* width along c = lz; along b = V / |c x a| = V / (lx sqrt(lz^2 + yz^2)) */
  cross = 4.0 * PetscSqrtReal(36.0 + 0.36);
  PetscCheck(PetscAbsReal(width[2] - 6.0) < 1e-12 && PetscAbsReal(width[1] - 120.0 / cross) < 1e-12, PETSC_COMM_SELF, PETSC_ERR_PLIB, "widths %g %g", (double)width[1], (double)width[2]);
  s.dim = 2; /* 2D: area lx ly, widths area/|b|, ly */
  PetscCheck(PetscAbsReal(VitSampleVolume(&s) - 20.0) < 1e-12, PETSC_COMM_SELF, PETSC_ERR_PLIB, "area");
  VitSampleWidths(&s, width);
  PetscCheck(PetscAbsReal(width[0] - 20.0 / PetscSqrtReal(1.5 * 1.5 + 25.0)) < 1e-12 && PetscAbsReal(width[1] - 5.0) < 1e-12, PETSC_COMM_SELF, PETSC_ERR_PLIB, "2D widths");
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(CheckWrap());
  PetscCall(CheckCell());
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "geometry helpers ok\n"));
  PetscCall(PetscFinalize());
  return 0;
}
