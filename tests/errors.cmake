# The user-error contract (docs/reliability.md): one line, exit 1, nothing left, on 1 and 2 ranks.
foreach(case sub options h5 outputs atomic memory full)
  vit_add_test(errors_${case} 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/errors/contract.py ${case})
endforeach()
vit_add_test(errors_hessian_bitwise 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/errors/hessian_bitwise.py)
vit_add_ctest_exe(errors_unshared_exe ${CMAKE_SOURCE_DIR}/tests/errors/unshared.c)
vit_add_test(errors_unshared 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/errors/unshared.py $<TARGET_FILE:errors_unshared_exe>)
