# Pair potentials, energy and minimisation (owner: pair). Scripts in tests/potential/ run vitrum
# under mpirun themselves and compare with LAMMPS and numpy.
set(VIT_POT_TESTS ${CMAKE_SOURCE_DIR}/tests/potential)
foreach(case ka3d ka2d lj3 smooth)
  vit_add_test(potential_energy_${case} 0 ${VIT_PYTHON} ${VIT_POT_TESTS}/test_energy.py ${case})
endforeach()
# ranks: the relaxed sample is bitwise the same on 1, 2 and 3 ranks (exact reductions, VitVecCreateExactCopy).
foreach(case tao3d fire2d ranks)
  vit_add_test(potential_minimize_${case} 0 ${VIT_PYTHON} ${VIT_POT_TESTS}/test_minimize.py ${case})
endforeach()
vit_add_test(potential_bad_input 0 ${VIT_PYTHON} ${VIT_POT_TESTS}/test_bad_input.py)
# The units of energy's summary (pressure also in LAMMPS's bar or atm).
vit_add_test(potential_energy_units 0 ${VIT_PYTHON} ${VIT_POT_TESTS}/check_energy_units.py)
# Boxes narrower than twice the cutoff: LAMMPS and a numpy sum over all images (energy, forces, virial,
# Hessian), ranks, the shell Hessian, minimisation.
foreach(case between below tilted)
  vit_add_test(potential_small_box_${case} 0 ${VIT_PYTHON} ${VIT_POT_TESTS}/test_small_box.py ${case} $<TARGET_FILE:hessian_shell_mult>)
endforeach()
# minimize's Verlet lists (cutoff + skin, reused between decompositions) give the exact list's bits.
vit_add_ctest_exe(potential_skin_list_exe ${VIT_POT_TESTS}/skin_list.c)
vit_add_test(potential_skin_list 0 ${VIT_PYTHON} ${VIT_POT_TESTS}/test_skin_list.py $<TARGET_FILE:potential_skin_list_exe>)
