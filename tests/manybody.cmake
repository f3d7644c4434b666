# Tests of the many-body potentials (src/potential/eam.c, tersoff.c, sw.c, manybody.c); see docs/manybody.md.
# Potential files are Debian's lammps-data ones (/usr/share/lammps/potentials); LAMMPS (lmp) gives
# the reference energies and forces on the same samples.
set(MB ${CMAKE_SOURCE_DIR}/tests/manybody)
vit_add_ctest_exe(manybody_hessian_fd ${MB}/hessian_fd.c)

# Hessian vs central finite differences of the forces, symmetry, sum rule, 1/2/4 ranks.
set(MB_FD ${VIT_PYTHON} ${MB}/check_hessian.py $<TARGET_FILE:manybody_hessian_fd>)
vit_add_test(manybody_hessian_tersoff_sic 0 ${MB_FD} --potential tersoff --file SiC.tersoff --elements Si,C --a 4.36 --fractions 0.5,0.5 --cli)
vit_add_test(manybody_hessian_tersoff_si 0 ${MB_FD} --potential tersoff --file Si.tersoff --elements Si --a 5.43 --cli --fd-atoms 54)
vit_add_test(manybody_hessian_tersoff_c 0 ${MB_FD} --potential tersoff --file SiC.tersoff --elements C --a 3.567 --fd-atoms 54)
vit_add_test(manybody_hessian_tersoff_erhart_albe 0 ${MB_FD} --potential tersoff --file SiC_Erhart-Albe.tersoff --elements C,Si --a 4.36 --fractions 0.5,0.5 --fd-atoms 54)
# perfect crystals (zero forces): also H >= 0 with exactly three zero modes
vit_add_test(manybody_hessian_tersoff_si_crystal 0 ${MB_FD} --potential tersoff --file Si.tersoff --elements Si --a 5.432 --jitter 0 --fd-atoms 8)
# relaxed by LAMMPS from strongly disordered lattices: H >= 0 with exactly three zero modes
vit_add_test(manybody_hessian_eam_fs_cuzr_relaxed 0 ${MB_FD} --potential eam/fs --file CuZr_mm.eam.fs --elements Cu,Zr --lattice fcc --a 3.9 --reps 4 --fractions 0.64,0.36 --jitter 0.3 --relax eam/fs --fd-atoms 4 --fd-h 1e-7 --cli)
vit_add_test(manybody_hessian_tersoff_sic_relaxed 0 ${MB_FD} --potential tersoff --file SiC.tersoff --elements Si,C --a 4.36 --fractions 0.5,0.5 --jitter 0.08 --relax tersoff --fd-atoms 27)
vit_add_test(manybody_hessian_eam_cu_crystal 0 ${MB_FD} --potential eam/fs --file CuZr_mm.eam.fs --elements Cu --lattice fcc --a 3.64 --reps 5 --jitter 0 --fd-atoms 4 --fd-h 1e-7)
vit_add_test(manybody_hessian_eam_alloy 0 ${MB_FD} --potential eam/alloy --file AlCu.eam.alloy --elements Al,Cu --lattice fcc --a 4.05 --reps 4 --fractions 0.5,0.5 --fd-atoms 8)
vit_add_test(manybody_hessian_eam_fs_smooth 0 ${MB_FD} --potential eam/fs --file smooth-fs --elements Cu,Zr --lattice fcc --a 3.8 --reps 4 --fractions 0.6,0.4 --fd-atoms 8)
# CuZr_mm.eam.fs tabulates 10 digits at dr = 7.6e-4 A: the second derivative of LAMMPS's spline
# jumps by ~1e-4 eV/A^2 at table knots, so differences across a knot differ by that much.
vit_add_test(manybody_hessian_eam_fs_cuzr 0 ${MB_FD} --potential eam/fs --file CuZr_mm.eam.fs --elements Cu,Zr --lattice fcc --a 3.9 --reps 4 --fractions 0.64,0.36 --fd-atoms 8 --fd-h 1e-7)

# Energy per atom, forces and virial against LAMMPS on the same data and potential files.
set(MB_LMP ${VIT_PYTHON} ${MB}/check_lammps.py)
vit_add_test(manybody_lammps_eam_fs_cuzr 0 ${MB_LMP} --style eam/fs --potential eam/fs --file CuZr_mm.eam.fs --elements Cu,Zr --lattice fcc --a 3.9 --reps 5 --fractions 0.64,0.36)
vit_add_test(manybody_lammps_eam_fs_cuzr_relaxed 0 ${MB_LMP} --style eam/fs --potential eam/fs --file CuZr_mm.eam.fs --elements Cu,Zr --lattice fcc --a 3.9 --reps 4 --fractions 0.64,0.36 --jitter 0.3 --relax)
vit_add_test(manybody_lammps_eam_fs_smooth 0 ${MB_LMP} --style eam/fs --potential eam/fs --file smooth-fs --elements Cu,Zr --lattice fcc --a 3.8 --reps 4 --fractions 0.6,0.4)
vit_add_test(manybody_lammps_eam_alloy 0 ${MB_LMP} --style eam/alloy --potential eam/alloy --file AlCu.eam.alloy --elements Al,Cu --lattice fcc --a 4.05 --reps 4 --fractions 0.3,0.7)
vit_add_test(manybody_lammps_eam_alloy_triclinic 0 ${MB_LMP} --style eam/alloy --potential eam --file CuTa.eam.alloy --elements Cu,Ta --lattice fcc --a 3.8 --reps 5 --fractions 0.5,0.5 --tilt 0.1)
vit_add_test(manybody_lammps_tersoff_sic 0 ${MB_LMP} --style tersoff --potential tersoff --file SiC.tersoff --elements Si,C --a 4.36 --fractions 0.5,0.5)
vit_add_test(manybody_lammps_tersoff_c 0 ${MB_LMP} --style tersoff --potential tersoff --file SiC.tersoff --elements C --a 3.567 --jitter 0.08)
vit_add_test(manybody_lammps_tersoff_si_m3 0 ${MB_LMP} --style tersoff --potential tersoff --file Si.tersoff --elements Si --a 5.43 --tilt 0.1)
vit_add_test(manybody_lammps_tersoff_erhart_albe 0 ${MB_LMP} --style tersoff --potential tersoff --file SiC_Erhart-Albe.tersoff --elements C,Si --a 4.36 --fractions 0.5,0.5)
vit_add_test(manybody_lammps_tersoff_gan 0 ${MB_LMP} --style tersoff --potential tersoff --file GaN.tersoff --elements Ga,N --a 4.5 --fractions 0.5,0.5)

# Bad input: malformed files (file:line), missing elements, wrong element count, overlapping atoms.
vit_add_test(manybody_bad_input 0 ${VIT_PYTHON} ${MB}/check_errors.py)
vit_add_test(manybody_species_names 0 ${VIT_PYTHON} ${MB}/check_species_names.py)

# Stillinger-Weber (sw.c): LAMMPS energies and forces on jittered and triclinic diamond Si, amorphous
# Si (melted at 4000 K and quenched by LAMMPS, -4.04 eV/atom) and two-element CdTe and GaN; the
# analytic Hessian against finite differences, symmetry, sum rule, 1/2/4 ranks, `vitrum hessian`.
# Si.sw by its bare name with $LAMMPS_POTENTIALS unset: found in Debian's /usr/share/lammps/potentials, as lmp finds it.
vit_add_test(manybody_lammps_sw_si 0 ${MB_LMP} --style sw --potential sw --file Si.sw --bare-name --elements Si --a 5.431 --jitter 0.15)
vit_add_test(manybody_lammps_sw_si_amorphous 0 ${MB_LMP} --style sw --potential sw --file Si.sw --elements Si --a 5.431 --jitter 0.1 --relax --melt 4000)
vit_add_test(manybody_lammps_sw_si_triclinic 0 ${MB_LMP} --style sw --potential sw --file Si.sw --elements Si --a 5.431 --tilt 0.1)
vit_add_test(manybody_lammps_sw_cdte 0 ${MB_LMP} --style sw --potential sw --file CdTe.sw --elements Cd,Te --a 6.48 --fractions 0.5,0.5)
vit_add_test(manybody_lammps_sw_gan 0 ${MB_LMP} --style sw --potential sw --file GaN.sw --elements Ga,N --a 4.5 --fractions 0.5,0.5)
vit_add_test(manybody_hessian_sw_si 0 ${MB_FD} --potential sw --file Si.sw --elements Si --a 5.431 --jitter 0.15 --cli)
vit_add_test(manybody_hessian_sw_cdte 0 ${MB_FD} --potential sw --file CdTe.sw --elements Cd,Te --a 6.48 --fractions 0.5,0.5 --fd-atoms 54)
vit_add_test(manybody_hessian_sw_si_amorphous 0 ${MB_FD} --potential sw --file Si.sw --elements Si --a 5.431 --jitter 0.1 --relax sw --melt 4000 --fd-atoms 27)
vit_add_test(manybody_hessian_sw_si_crystal 0 ${MB_FD} --potential sw --file Si.sw --elements Si --a 5.431 --jitter 0 --fd-atoms 8)

# eam (DYNAMO funcfl): one file, and two files mixed as LAMMPS mixes them (Cu_u3 and Ni_u3 have
# different r grids); the Hessian of the mixed pair.
vit_add_test(manybody_lammps_eam_funcfl_cu 0 ${MB_LMP} --style eam --potential eam --file Cu_u3.eam --elements Cu --lattice fcc --a 3.615 --reps 4)
vit_add_test(manybody_lammps_eam_funcfl_cuni 0 ${MB_LMP} --style eam --potential eam --file Cu_u3.eam,Ni_u3.eam --elements Cu,Ni --lattice fcc --a 3.57 --reps 4 --fractions 0.5,0.5)
vit_add_test(manybody_hessian_eam_funcfl_cuni 0 ${MB_FD} --potential eam --file Cu_u3.eam,Ni_u3.eam --elements Cu,Ni --lattice fcc --a 3.57 --reps 4 --fractions 0.5,0.5 --fd-atoms 8)

# The shipped potentials/ZrCuAl2011.eam.alloy (Cheng, Ma and Sheng), given to vitrum by its bare name.
vit_add_test(manybody_lammps_eam_alloy_zrcual 0 ${MB_LMP} --style eam/alloy --potential eam/alloy --file ZrCuAl2011.eam.alloy --bare-name --elements Cu,Zr,Al --lattice fcc --a 4.09 --reps 4 --fractions 0.46,0.46,0.08)

# Total energy, virial and pressure bitwise equal on 1, 2 and 4 ranks for every style (exact sums).
vit_add_test(manybody_rank_sums 0 ${VIT_PYTHON} ${MB}/check_ranks.py)

# fit (and so every pipeline model) with a many-body -potential: no exact <omega^2> kernel, no error.
vit_add_test(manybody_fit_kernel 0 ${VIT_PYTHON} ${MB}/check_fit_kernel.py)

# tersoff/mod (Kumagai et al., Si.tersoff.mod): LAMMPS energies and forces, analytic Hessian.
vit_add_test(manybody_lammps_tersoff_mod_si 0 ${MB_LMP} --style tersoff/mod --potential tersoff/mod --file Si.tersoff.mod --elements Si --a 5.431 --jitter 0.15)
vit_add_test(manybody_lammps_tersoff_mod_si_amorphous 0 ${MB_LMP} --style tersoff/mod --potential tersoff/mod --file Si.tersoff.mod --elements Si --a 5.431 --jitter 0.1 --relax --melt 4500)
vit_add_test(manybody_hessian_tersoff_mod_si 0 ${MB_FD} --potential tersoff/mod --file Si.tersoff.mod --elements Si --a 5.431 --jitter 0.15 --fd-atoms 54)
vit_add_test(manybody_hessian_tersoff_mod_si_amorphous 0 ${MB_FD} --potential tersoff/mod --file Si.tersoff.mod --elements Si --a 5.431 --jitter 0.1 --relax tersoff/mod --melt 4500 --fd-atoms 27)

# Boxes narrower than twice the cutoff (as LAMMPS allows): an atom meets several periodic images of
# a neighbour, and its own images; energies and forces against LAMMPS, the Hessian against finite
# differences, bitwise the same on 1, 2 and 4 ranks, symmetric to round-off (images add into one block in
# different orders for H_ij and H_ji). SiC: 8 atoms in a 4.36 A box (rc 3.0 A, the
# ghost shell 2 rc wider than the box); CuZr: 32 atoms in a 7.8 A box (rc 7.6 A); Si (sw): 8 atoms.
vit_add_test(manybody_lammps_tersoff_sic_small_box 0 ${MB_LMP} --style tersoff --potential tersoff --file SiC.tersoff --elements Si,C --a 4.36 --reps 1 --fractions 0.5,0.5)
vit_add_test(manybody_hessian_tersoff_sic_small_box 0 ${MB_FD} --potential tersoff --file SiC.tersoff --elements Si,C --a 4.36 --reps 1 --fractions 0.5,0.5 --cli --narrow-box)
vit_add_test(manybody_lammps_eam_fs_cuzr_small_box 0 ${MB_LMP} --style eam/fs --potential eam/fs --file CuZr_mm.eam.fs --elements Cu,Zr --lattice fcc --a 3.9 --reps 2 --fractions 0.64,0.36)
vit_add_test(manybody_hessian_eam_fs_cuzr_small_box 0 ${MB_FD} --potential eam/fs --file CuZr_mm.eam.fs --elements Cu,Zr --lattice fcc --a 3.9 --reps 2 --fractions 0.64,0.36 --fd-atoms 4 --fd-h 1e-7 --cli --narrow-box)
vit_add_test(manybody_lammps_sw_si_small_box 0 ${MB_LMP} --style sw --potential sw --file Si.sw --elements Si --a 5.431 --reps 1 --jitter 0.15)
vit_add_test(manybody_hessian_sw_si_small_box 0 ${MB_FD} --potential sw --file Si.sw --elements Si --a 5.431 --reps 1 --jitter 0.15 --cli --narrow-box)
