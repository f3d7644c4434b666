# minimize from a saddle point: curvature check and escapes (src/potential/cmd_minimize.c), against
# numpy dense eigenvalues and LAMMPS energies (a flat 2D glass, compressed graphene, an fcc crystal under tension).
foreach(case lj tersoff fcc)
  vit_add_test(minimize_saddle_${case} 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/minimize/check_saddle.py ${case})
endforeach()
