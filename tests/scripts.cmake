# Tests of the benchmark and job scripts (bench/, jobscripts/, scripts/) on tiny inputs; nothing here times anything.
# jobscripts/strong_scaling.sh removes its temporary folder, also after a failed run.
vit_add_test(scripts_strong_scaling 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/scripts/strong_scaling.py)
