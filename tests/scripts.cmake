# Tests of the benchmark and job scripts (bench/, jobscripts/, scripts/) on tiny inputs; nothing here times anything.
# bench/fit: like-for-like sklearn comparison, check_large.py, argparse usage of every bench script.
vit_add_test(scripts_bench_fit 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/scripts/bench_fit.py)
# bench/fit/kernel_recovery.py on 8 LAMMPS samples: its table from the model file (~50 s).
vit_add_test(scripts_kernel_recovery 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/scripts/kernel_recovery.py)
# jobscripts/scaling/study.sh on a 64-atom glass in a folder with a space (LAMMPS, 2 ranks, ~2 min).
vit_add_test(scripts_scaling_study 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/scripts/scaling_study.py)
# jobscripts/strong_scaling.sh removes its temporary folder, also after a failed run.
vit_add_test(scripts_strong_scaling 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/scripts/strong_scaling.py)
# jobscripts/lammps/in.metallic and in.covalent read their potential from a -var potdir with a space (4 runs of lmp, 0 steps).
vit_add_test(scripts_lammps_potdir 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/scripts/lammps_potdir.py)
