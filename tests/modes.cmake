# Low modes (src/spectrum/modes.c): complete degenerate multiplets on a crystal against LAPACK.
vit_add_test(modes_multiplets_np1 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/multiplets.py 1)
vit_add_test(modes_multiplets_np2 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/multiplets.py 2)
# The filter's modes are the lowest K (not K arbitrary ones of its interval) on a Cu-Zr glass against numpy.
vit_add_test(modes_filter_lowest_np1 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/filter_lowest.py 1)
vit_add_test(modes_filter_lowest_np2 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/filter_lowest.py 2)
# LOBPCG with the multigrid preconditioner (src/spectrum/precond.c) and the fallback from shift-and-invert;
# each case runs on one of the two (on 2 ranks what depends on the ranks; see precond.py).
vit_add_test(modes_precond_np1 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/precond.py 1)
vit_add_test(modes_precond_np2 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/precond.py 2)
# twolevel's affine coarse space on an EAM glass in metal units, an amorphous carbon sheet and flat graphene.
vit_add_test(modes_coarse_materials 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/coarse_materials.py)
# twolevel's default aggregates grow with the sample in 3D (250,000 atoms, the coarse level only).
vit_add_test(modes_aggregate_default 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/aggregate_default.py)
# The default method: shift-and-invert where its factorisation is cheap (2D), twolevel above (a 3D glass of 1000 atoms).
vit_add_test(modes_default_method 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/default_method.py)
# twolevel's redundant coarse solve: two runs on 3 ranks bitwise the same (27,000 atoms).
vit_add_test(modes_coarse_redundant 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/coarse_solve.py)
# These run vitrum on 2 or 3 ranks for most of their time, so they keep both cores busy: ctest -j2
# runs each alone (PROCESSORS) instead of beside another test, where 4-5 processes shared 2 cores
# (modes_default_method took 245 s beside modes_coarse_redundant in a CI run, 136 s beside light tests).
set_tests_properties(modes_precond_np2 modes_aggregate_default modes_default_method modes_coarse_redundant PROPERTIES PROCESSORS 2)
