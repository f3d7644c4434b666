# Tests of the benchmark and job scripts (bench/, jobscripts/, scripts/) on tiny inputs; nothing here times anything.
# jobscripts/strong_scaling.sh removes its temporary folder, also after a failed run.
vit_add_test(scripts_strong_scaling 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/scripts/strong_scaling.py)
# jobscripts/scaling/study.sh on a 64-atom glass in a folder with a space (LAMMPS, 2 ranks, ~2 min).
vit_add_test(scripts_scaling_study 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/scripts/scaling_study.py)
