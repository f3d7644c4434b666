# Scaling tools: halo model against the real decomposition, series collection, performance model.
vit_add_test(scaling_tools 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/scaling/check_scaling.py)
