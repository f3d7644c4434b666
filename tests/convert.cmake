# vitrum convert keeps masses as they are: never placeholder masses of 1 (src/io/cmd_convert.c).
vit_add_test(convert_masses 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/convert/check_convert_masses.py)
