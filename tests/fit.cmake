# Tests of the fit module (features, fit, predict); see docs/fit.md.
vit_add_ctest_exe(fit_tsqr_exe ${CMAKE_SOURCE_DIR}/tests/fit/test_tsqr.c)
vit_add_test(fit_tsqr 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_tsqr.py $<TARGET_FILE:fit_tsqr_exe>)
vit_add_test(fit_ridge_sklearn 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_ridge.py)
vit_add_test(fit_cv 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_cv.py)
vit_add_test(fit_errors 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_errors.py)
vit_add_test(fit_features 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_features.py)
# Each sample's species counts and density in /dataset/structure, and one note when the fractions differ between samples.
vit_add_test(fit_composition 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_composition.py)
vit_add_test(fit_predict 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_predict.py)
# predict -sample whose species names are not the model's (Cu-Zr labels against 1-2): the sample's profiles and the model's, and what to give.
vit_add_test(fit_predict_species 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_predict_species.py)
# -predict_regrid: shell-volume re-binning of vitrum's own finer histogram = its coarse one (3D, 2D); coverage on bin edges; refusals.
vit_add_test(fit_regrid 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_regrid.py)
vit_add_test(fit_kernel 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_kernel.py)
vit_add_test(fit_atoms 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_atoms.py)
vit_add_test(fit_lj_ensemble 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_lj_ensemble.py)
# Recovery of the exact <omega^2> kernel from a generated 2D Kob-Andersen ensemble (LAMMPS, ~20 s).
vit_add_test(fit_kernel_recovery_lj 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_kernel_recovery.py)
vit_add_test(fit_report 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_report.py)
vit_add_test(fit_cache 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_cache.py)
# -spectrum_count_omega with more than 32 values and duplicates (src/spectrum/cmd_spectrum.c, issue 10).
vit_add_test(fit_count_omega 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_count_omega.py)
# The report learning curve (scripts/learning_curve.py) fits with the estimator of the metrics table.
vit_add_test(fit_learning_curve 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_learning_curve.py)
# The pipeline evaluation with constant VDOS bins (src/pipeline/evaluate.c).
vit_add_test(fit_evaluate 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_evaluate.py)
# Local (per-atom) models of <omega^2>: exact per-atom target, split by sample (LAMMPS glasses, ~30 s).
vit_add_test(fit_local 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_local.py)
vit_add_test(fit_total_scattering 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_total.py)
vit_add_test(fit_baselines 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_baselines.py)
# Local VDOS per atom: local KPM moments vs global moments and exact eigenvector weights (issue 12).
vit_add_test(fit_local_vdos 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_local_vdos.py)
# C_v(T) targets (vs numpy from dense eigenfrequencies) and energy per atom (vs LAMMPS), issue 12.
vit_add_test(fit_targets 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_targets.py)
# One dataset, one unit system and one potential: mixed units or Pair Coeffs refused; predict checks the model's units.
vit_add_test(fit_ensemble_agree 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_ensemble_agree.py)
# Targets that need a spectrum option (low_mode_count: -spectrum_count_omega) refused before any sample is read.
vit_add_test(fit_target_options 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_target_options.py)
# One column per target name: -features_targets omega2_mean,moments keeps the first; fit refuses repeated /dataset/target_names.
vit_add_test(fit_target_names 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_target_names.py)
# fit -o refuses a sample of the dataset (same device and inode: another spelling, a hard link).
vit_add_test(fit_output_sample 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_fit_output.py)
# Copies of a sample (bitwise equal rows of X, repeated sample names): a warning naming the first pair, the count, and copies across the split.
vit_add_test(fit_twins 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_twins.py)
# -fit_test_samples: a sample name of the dataset (a file too) is a name, else a readable file of names, else a comma list.
vit_add_test(fit_test_samples_rule 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_test_samples.py)
# Constant targets (nothing fitted: one note, no lambda warning or kernel correlation), -fit_lambda_count 1 (a note), -fit_smooth_weight without -fit_smooth (refused).
vit_add_test(fit_messages 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_fit_messages.py)
# The per-sample warning that no boson peak was resolved: only when a target asks for a boson peak (features), always in spectrum.
vit_add_test(fit_boson_warning 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_boson_warning.py)
# predict -o refuses a training sample of the model (/model/training_samples, absolute paths from features; any spelling, folder or hard link); older models unchecked.
vit_add_test(fit_predict_output_sample 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_predict_output.py)
# A pair dropped as constant (g_2-2 of a dilute species): predict accepts a sample where it equals the recorded constant (= W x + b), refuses one where it differs (pair and deviation named).
vit_add_test(fit_predict_flat_pair 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/fit/check_predict_flat_pair.py)
