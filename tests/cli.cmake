# -help lists every option the code reads, and each command the domain options where it decomposes a sample (tests/cli/help_lists_options.py).
vit_add_test(cli_help_lists_options 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/cli/help_lists_options.py)
# vitrum runs with huge pages for malloc's heap (GLIBC_TUNABLES), numbers unchanged (tests/cli/hugepages.py).
vit_add_test(cli_hugepages 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/cli/hugepages.py)
# A closed stdout (| head) neither crashes vitrum nor costs the output file (tests/cli/closed_stdout.py).
vit_add_test(cli_closed_stdout 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/cli/closed_stdout.py)
# /meta's command_line includes the command (tests/cli/meta_command_line.py).
vit_add_test(cli_meta_command_line 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/cli/meta_command_line.py)
# An option value that cannot be parsed, also an item of an array option, is named with its option (tests/cli/option_values.py).
vit_add_test(cli_option_values 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/cli/option_values.py)
# Numbers in messages are C's %g (6, not PETSc's 6.): no bare %g in a format PETSc formats (tests/cli/number_format.py).
vit_add_test(cli_number_format 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/cli/number_format.py)
# A misspelt option of vitrum's families fails before any work, naming the nearest option; others nothing used are reported, also by features served from its cache (tests/cli/misspelt_options.py).
vit_add_test(cli_misspelt_options 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/cli/misspelt_options.py)
# Output paths of 250 and ~1000 characters, a features cache under a long folder; names too long for the system: one line (tests/cli/long_paths.py).
vit_add_test(cli_long_paths 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/cli/long_paths.py)
# -h and --help after any command are -help; scripts/run_demo.sh -h prints its usage (tests/cli/help_spellings.py).
vit_add_test(cli_help_spellings 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/cli/help_spellings.py)
# A bare word on the command line that is no option's value is one error line (tests/cli/bare_arguments.py).
vit_add_test(cli_bare_arguments 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/cli/bare_arguments.py)
# Options files and PETSC_OPTIONS: a bad line, a stray word or a missing file is one error line naming the file and line, before PETSc starts (tests/cli/options_files.py).
vit_add_test(cli_options_files 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/cli/options_files.py)
# COMMAND -help lists the command's options first, PETSc's and SLEPc's general options after them under a heading (tests/cli/help_order.py).
vit_add_test(cli_help_order 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/cli/help_order.py)
# Start-up under ulimit -v 300-400 MB alone and 400-500 MB on 2 ranks: runs or one error line, never a hang (tests/cli/small_address_space.py).
vit_add_test(cli_small_address_space 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/cli/small_address_space.py)
# SIGTERM and SIGINT mid-run: one line, the signal's status, nothing left, a rerun works (tests/cli/stop_signals.py).
vit_add_test(cli_stop_signals 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/cli/stop_signals.py)
