# The Hessian (owner: pair). Scripts in tests/hessian/ run vitrum under mpirun themselves and compare
# with numpy (dense analytic and finite-difference Hessians) and the rdf command.
set(VIT_HESS_TESTS ${CMAKE_SOURCE_DIR}/tests/hessian)
foreach(case fd3d fd2d tri mass ranks trace)
  vit_add_test(hessian_${case} 0 ${VIT_PYTHON} ${VIT_HESS_TESTS}/test_hessian.py ${case})
endforeach()
vit_add_ctest_exe(hessian_shell_mult ${VIT_HESS_TESTS}/shell_mult.c)
vit_add_test(hessian_shell 0 ${VIT_PYTHON} ${VIT_HESS_TESTS}/test_hessian.py shell $<TARGET_FILE:hessian_shell_mult>)
