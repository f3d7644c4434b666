# Tests of the spectrum module (src/spectrum/, docs/spectrum.md). The Python tests make a small
# relaxed Kob-Andersen glass with LAMMPS (lmp) and compare with numpy/LAPACK on the Hessian that
# `vitrum hessian` writes.
vit_add_ctest_exe(spectrum_analytic_exe ${CMAKE_SOURCE_DIR}/tests/spectrum/test_analytic.c)
vit_add_test(spectrum_analytic_np1 1 $<TARGET_FILE:spectrum_analytic_exe>)
vit_add_test(spectrum_analytic_np3 3 $<TARGET_FILE:spectrum_analytic_exe>)
vit_add_test(spectrum_modes_np1 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/modes.py 1)
vit_add_test(spectrum_modes_np2 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/modes.py 2)
vit_add_test(spectrum_kpm 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/kpm.py)
vit_add_test(spectrum_errors 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/errors.py)
# Options the spectrum stages read when they run are checked before the sample is read (tests/spectrum/stage_options.py).
vit_add_test(spectrum_stage_options 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/stage_options.py)
vit_add_test(spectrum_response 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/response.py)
vit_add_test(spectrum_response_shifts 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/response_shifts.py)
vit_add_test(spectrum_response_images 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/response_images.py)
vit_add_test(spectrum_response_param 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/response_param.py)
vit_add_test(spectrum_response_soft 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/response_soft.py)
vit_add_test(spectrum_kpm_reference 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/kpm_reference.py)
# bench/spmv: KPM kernel and PETSc MatMult against the roofline (docs/BENCHMARKS.md); built with the tests.
vit_add_ctest_exe(bench_spmv ${CMAKE_SOURCE_DIR}/bench/spmv/spmv.c)
vit_add_test(spectrum_factor_guard 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/factor_guard.py)
vit_add_test(spectrum_mumps_workspace 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/mumps_workspace.py)
vit_add_test(spectrum_memory_peak 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/memory_peak.py)
vit_add_test(spectrum_vdos 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/vdos.py)
vit_add_ctest_exe(spectrum_exactsum_exe ${CMAKE_SOURCE_DIR}/tests/spectrum/test_exactsum.c)
vit_add_test(spectrum_exactsum_np1 1 $<TARGET_FILE:spectrum_exactsum_exe>)
vit_add_test(spectrum_exactsum_np3 3 $<TARGET_FILE:spectrum_exactsum_exe>)
vit_add_ctest_exe(spectrum_factor_estimate_exe ${CMAKE_SOURCE_DIR}/tests/spectrum/test_factor_estimate.c)
vit_add_test(spectrum_factor_estimate 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/factor_estimate.py $<TARGET_FILE:spectrum_factor_estimate_exe>)
vit_add_ctest_exe(spectrum_kernel32_exe ${CMAKE_SOURCE_DIR}/tests/spectrum/test_kernel32.c)
vit_add_test(spectrum_kernel32 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/kernel32.py $<TARGET_FILE:spectrum_kernel32_exe>)
vit_add_ctest_exe(spectrum_block_dense_exe ${CMAKE_SOURCE_DIR}/tests/spectrum/test_block_dense.c)
vit_add_test(spectrum_block_dense 0 $<TARGET_FILE:spectrum_block_dense_exe>)
vit_add_test(spectrum_vdos_grid 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/vdos_grid.py)
# response's mode solves: none when nothing needs modes; the dipoles' soft-mode search without an inertia count; same kappa.
vit_add_test(spectrum_response_soft_solve 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/response_soft_solve.py)
# -boson_max_moments doubles the KPM moments as its -help says (default 4 M; below 2 M: none); the warning names the limit (tests/spectrum/boson_max_moments.py).
vit_add_test(spectrum_boson_max_moments 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/spectrum/boson_max_moments.py)
