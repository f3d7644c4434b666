# The user-error contract (docs/reliability.md): one line, exit 1, nothing left, on 1 and 2 ranks.
foreach(case sub options h5 outputs atomic memory full)
  vit_add_test(errors_${case} 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/errors/contract.py ${case})
endforeach()
vit_add_test(errors_hessian_bitwise 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/errors/hessian_bitwise.py)
vit_add_ctest_exe(errors_unshared_exe ${CMAKE_SOURCE_DIR}/tests/errors/unshared.c)
vit_add_test(errors_unshared 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/errors/unshared.py $<TARGET_FILE:errors_unshared_exe>)
# The memory checks see the job's memory limit (cgroup): VitMemoryAvailable on fake v1/v2 trees, and
# vitrum hessian in a real child cgroup of 200 MB (root; skipped where no memory cgroup is writable).
vit_add_ctest_exe(errors_cgroup_memory_exe ${CMAKE_SOURCE_DIR}/tests/errors/cgroup_memory.c)
vit_add_test(errors_cgroup_memory_unit 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/errors/cgroup_memory.py unit $<TARGET_FILE:errors_cgroup_memory_exe>)
vit_add_test(errors_cgroup_memory_job 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/errors/cgroup_memory.py job)
