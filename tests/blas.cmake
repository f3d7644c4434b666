# One BLAS thread per rank under MPI (docs/BENCHMARKS.md): an openblas_set_num_threads stand-in preloaded.
add_library(vit_blas_threads_shim SHARED ${CMAKE_SOURCE_DIR}/tests/blas/threads_shim.c)
vit_add_test(blas_threads 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/blas/threads.py $<TARGET_FILE:vit_blas_threads_shim>)
