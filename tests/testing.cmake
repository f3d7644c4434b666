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
set(VIT_PYTHON /usr/bin/python3)
set(VIT_MPIRUN mpirun --allow-run-as-root --oversubscribe)
set(VIT_TEST_ENV "VITRUM=$<TARGET_FILE:vitrum>;PYTHON=${VIT_PYTHON};MPIRUN=mpirun --allow-run-as-root --oversubscribe;SRC=${CMAKE_SOURCE_DIR};OMPI_MCA_rmaps_base_oversubscribe=1;OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_btl_vader_single_copy_mechanism=none;OMPI_MCA_odls_base_sigkill_timeout=0;OMPI_MCA_pml=ob1;OMPI_MCA_btl=self,vader;VITRUM_HUGEPAGES=0;PYTHONPATH=${CMAKE_SOURCE_DIR}/tests")

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
