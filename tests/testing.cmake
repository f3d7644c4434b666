# Test helpers. Every tests/*.cmake file (one per module) is included below.
#   vit_add_test(NAME np COMMAND ...): run COMMAND under mpirun with np ranks (np = 0: no mpirun).
#   vit_add_ctest_exe(NAME SOURCE): build a C test program linked with vitrum_core.
# Tests run in their own folder under the build tree, emptied first (nothing a previous run left
# can make a test pass; testrun/spectrum_shared, the samples several tests share, is kept); VITRUM (the executable), PYTHON
# (/usr/bin/python3, Debian's numpy/scipy/h5py/sklearn), MPIRUN and SRC are in the environment.
# OMPI_MCA_odls_base_sigkill_timeout=0: when a rank exits with status 1 (every error test), mpirun
# tears the job down with two 1 s sleeps between its signals although every rank has already
# exited; without them errors_options runs in 17 s instead of 48 (the ranks' output is unchanged:
# the sleeps come after their exit).
# OMPI_MCA_pml=ob1, OMPI_MCA_btl=self,vader: one node, shared memory; without them every MPI start
# probes UCX first (0.62 s instead of 0.42 s for `vitrum help` here; the suite starts vitrum
# thousands of times). VITRUM_HUGEPAGES=0: no re-execution with glibc.malloc.hugetlb=1 (src/main.c;
# 0.1 s per start, 0.4 s under ASan); cli_hugepages removes the variable and tests the re-execution.
# OMPI_MCA_mpi_yield_when_idle=1: ctest -j2 runs two tests at once, often 2-rank jobs, so more
# ranks than cores; a rank waiting in MPI then yields its core instead of spinning on it. Two
# concurrent 2-rank spectrum runs (twolevel, 1000 atoms, loaded machine): 13-17 s instead of 30-40.
# OPENBLAS_NUM_THREADS=1: the same for OpenBLAS's threads (numpy's references, vitrum on 1 rank),
# which spin while they wait: two concurrent numpy eigh, 20 s instead of 31 s with 2 threads each.
# blas_threads removes it and tests vitrum's own choice of BLAS threads.
# HWLOC_COMPONENTS=-pci,-linuxio: Open MPI's hwloc reads every PCI device's config space at each
# start (13% of a start here, perf) to place network cards, which one node with shared memory never
# uses: `vitrum info` on 1 rank 268 -> 205 ms CPU alone, 251 -> 197 under mpirun (2 ranks ~390 ms
# either way: mpirun discovers once for both).
set(VIT_PYTHON /usr/bin/python3)
set(VIT_MPIRUN mpirun --allow-run-as-root --oversubscribe)
set(VIT_TEST_ENV "VITRUM=$<TARGET_FILE:vitrum>;PYTHON=${VIT_PYTHON};MPIRUN=mpirun --allow-run-as-root --oversubscribe;SRC=${CMAKE_SOURCE_DIR};OMPI_MCA_rmaps_base_oversubscribe=1;OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_btl_vader_single_copy_mechanism=none;OMPI_MCA_odls_base_sigkill_timeout=0;OMPI_MCA_pml=ob1;OMPI_MCA_btl=self,vader;OMPI_MCA_mpi_yield_when_idle=1;OPENBLAS_NUM_THREADS=1;VITRUM_HUGEPAGES=0;HWLOC_COMPONENTS=-pci,-linuxio;PYTHONPATH=${CMAKE_SOURCE_DIR}/tests")

function(vit_add_test name np)
  set(workdir ${CMAKE_BINARY_DIR}/testrun/${name})
  file(MAKE_DIRECTORY ${workdir})
  set(fresh /bin/sh -c "find . -mindepth 1 -delete && exec \"$0\" \"$@\"")
  if(np GREATER 0)
    add_test(NAME ${name} COMMAND ${fresh} ${VIT_MPIRUN} -n ${np} ${ARGN} WORKING_DIRECTORY ${workdir})
  else()
    add_test(NAME ${name} COMMAND ${fresh} ${ARGN} WORKING_DIRECTORY ${workdir})
  endif()
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "${VIT_TEST_ENV}" TIMEOUT 600)
endfunction()

function(vit_add_ctest_exe name source)
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE vitrum_core)
endfunction()

file(GLOB VIT_TEST_MODULES ${CMAKE_SOURCE_DIR}/tests/*.cmake)
list(REMOVE_ITEM VIT_TEST_MODULES ${CMAKE_SOURCE_DIR}/tests/testing.cmake)
foreach(m ${VIT_TEST_MODULES})
  include(${m})
endforeach()

# Start the longest tests first. In a fresh build folder (CI's clean clone) ctest has no timing
# history and starts tests by number, so a long test registered late would run alone at the end
# with the other core idle. COST (seconds of a CI run on 2 cores, 96d6a20) orders them; ctest's
# own history, once there, takes over.
set(VIT_TEST_COSTS bad_inputs 320 modes_precond_np1 100 modes_default_method 135 modes_coarse_redundant 130
    modes_precond_np2 40 pipeline_material_inputs 40 errors_outputs 85 pipeline_family_cuzr 20 io_roundtrip 75
    spectrum_stage_options 40 modes_aggregate_default 70 pipeline_tiny 70 convert_masses 65 io_hardening_h5 60
    io_dump 60 io_h5md_2 60 io_extxyz 60 spectrum_factor_guard 60 spectrum_errors 60 fit_predict 60)
function(vit_set_test_costs)
  set(costs ${VIT_TEST_COSTS})
  while(costs)
    list(POP_FRONT costs name cost)
    if(TEST ${name})
      set_property(TEST ${name} PROPERTY COST ${cost})
    endif()
  endwhile()
endfunction()
cmake_language(DEFER CALL vit_set_test_costs)
