/* Scattering-weighted total profiles, as diffraction measures them (Faber and Ziman 1965):
     S(q) = sum_{a,b} c_a c_b f_a(q) f_b(q) S_ab(q) / (sum_a c_a f_a(q))^2,
   and the same weights (q = 0) for g(r); the sum runs over ordered pairs, so the unordered pair
   a < b carries twice c_a c_b f_a f_b. c_a: the species' number fractions (per sample), f_a: the
   coherent neutron scattering length (constant) or the X-ray atomic form factor
     f(k) = c + sum_{i=1..5} a_i exp(-b_i k^2),  k = sin(theta)/lambda = q / (4 pi) in 1/A.
   Tables: bound coherent scattering lengths of the natural elements (or of the one stable isotope),
   in fm, and the absorption flags, from H. Rauch and W. Waschkowski, "Neutron scattering lengths",
   in: ILL Neutron Data Booklet, 2nd ed., A.-J. Dianoux and G. Lander (eds.), Old City Publishing,
   Philadelphia (2003), pp. 1.1-1 to 1.1-17 (the Atominstitut, Vienna, table); every value here equals
   that table as transcribed in periodictable's nsf.py. They are not those of V. F. Sears, Neutron
   News 3 (1992) 26 (the NIST table), which differ for 27 elements (e.g. Ti -3.438, V -0.3824, Au 7.63,
   Gd 6.5 there): docs/fit.md. X-ray form factors of the neutral atoms from D. Waasmaier and
   A. Kirfel, Acta Cryst. A51 (1995) 416 (valid for k <= 6/A). Elements whose absorption
   cross-section (2200 m/s) exceeds 100 b are flagged: their real scattering length is a poor model. */
#include <vitrum/structure.h>
#include <vitrum/units.h>
#include <math.h>

typedef struct {
  const char *symbol;
  PetscReal   b_coherent; /* fm; NAN where no value is tabulated */
  PetscBool   absorbing;  /* absorption cross-section > 100 b (2200 m/s neutrons) */
  PetscReal   xray[VIT_SCATTERING_NCOEF]; /* a1..a5, c, b1..b5 */
} ElementScattering;

static const ElementScattering element_scattering[] = {
  {"H", -3.7409, PETSC_FALSE, {0.413048, 0.294953, 0.187491, 0.080701, 0.023736, 4.9e-05, 15.569946, 32.398468, 5.711404, 61.889874, 1.334118}},
  {"He", 3.26, PETSC_FALSE, {0.732354, 0.753896, 0.283819, 0.190003, 0.039139, 0.000487, 11.553918, 4.595831, 1.546299, 26.463964, 0.377523}},
  {"Li", -1.9, PETSC_FALSE, {0.974637, 0.158472, 0.811855, 0.262416, 0.790108, 0.002542, 4.334946, 0.342451, 97.102966, 201.363831, 1.409234}},
  {"Be", 7.79, PETSC_FALSE, {1.533712, 0.638283, 0.601052, 0.106139, 1.118414, 0.002511, 42.662079, 0.59542, 99.106499, 0.15134, 1.843093}},
  {"B", 5.3, PETSC_TRUE, {2.085185, 1.06458, 1.062788, 0.140515, 0.641784, 0.003823, 23.494068, 1.137894, 61.238976, 0.114886, 0.399036}},
  {"C", 6.6484, PETSC_FALSE, {2.657506, 1.078079, 1.490909, -4.24107, 0.713791, 4.297983, 14.780758, 0.776775, 42.086842, -0.000294, 0.239535}},
  {"N", 9.36, PETSC_FALSE, {11.89378, 3.277479, 1.858092, 0.858927, 0.912985, -11.804902, 0.000158, 10.232723, 30.34469, 0.656065, 0.217287}},
  {"O", 5.805, PETSC_FALSE, {2.960427, 2.508818, 0.637853, 0.722838, 1.142756, 0.027014, 14.182259, 5.936858, 0.112726, 34.958481, 0.39024}},
  {"F", 5.654, PETSC_FALSE, {3.511943, 2.772244, 0.678385, 0.915159, 1.089261, 0.032557, 10.687859, 4.380466, 0.093982, 27.255203, 0.313066}},
  {"Ne", 4.566, PETSC_FALSE, {4.183749, 2.905726, 0.520513, 1.135641, 1.228065, 0.025576, 8.175457, 3.252536, 0.063295, 21.81391, 0.224952}},
  {"Na", 3.63, PETSC_FALSE, {4.910127, 3.081783, 1.262067, 1.098938, 0.560991, 0.079712, 3.281434, 9.119178, 0.102763, 132.013947, 0.405878}},
  {"Mg", 5.375, PETSC_FALSE, {4.708971, 1.194814, 1.558157, 1.170413, 3.239403, 0.126842, 4.875207, 108.506081, 0.111516, 48.292408, 1.928171}},
  {"Al", 3.449, PETSC_FALSE, {4.730796, 2.313951, 1.54198, 1.117564, 3.154754, 0.139509, 3.628931, 43.051167, 0.09596, 108.932388, 1.555918}},
  {"Si", 4.15071, PETSC_FALSE, {5.275329, 3.191038, 1.511514, 1.356849, 2.519114, 0.145073, 2.631338, 33.730728, 0.081119, 86.288643, 1.170087}},
  {"P", 5.13, PETSC_FALSE, {1.950541, 4.14693, 1.49456, 1.522042, 5.729711, 0.155233, 0.908139, 27.044952, 0.07128, 67.520187, 1.981173}},
  {"S", 2.847, PETSC_FALSE, {6.372157, 5.154568, 1.473732, 1.635073, 1.209372, 0.154722, 1.514347, 22.092527, 0.061373, 55.445175, 0.646925}},
  {"Cl", 9.5792, PETSC_FALSE, {1.446071, 6.870609, 6.151801, 1.750347, 0.634168, 0.146773, 0.052357, 1.193165, 18.343416, 46.398396, 0.401005}},
  {"Ar", 1.909, PETSC_FALSE, {7.188004, 6.638454, 0.45418, 1.929593, 1.523654, 0.265954, 0.956221, 15.339877, 15.339862, 39.043823, 0.062409}},
  {"K", 3.67, PETSC_FALSE, {8.163991, 7.146945, 1.07014, 0.877316, 1.486434, 0.253614, 12.816323, 0.808945, 210.327011, 39.597652, 0.052821}},
  {"Ca", 4.7, PETSC_FALSE, {8.593655, 1.477324, 1.436254, 1.182839, 7.113258, 0.196255, 10.460644, 0.041891, 81.390381, 169.847839, 0.688098}},
  {"Sc", 12.1, PETSC_FALSE, {1.476566, 1.487278, 1.600187, 9.177463, 7.09975, 0.157765, 53.131023, 0.035325, 137.319489, 9.098031, 0.602102}},
  {"Ti", -3.37, PETSC_FALSE, {9.818524, 1.522646, 1.703101, 1.768774, 7.082555, 0.102473, 8.001879, 0.029763, 39.885422, 120.157997, 0.532405}},
  {"V", -0.443, PETSC_FALSE, {10.473575, 1.547881, 1.986381, 1.865616, 7.05625, 0.067744, 7.08194, 0.02604, 31.909672, 108.022842, 0.474882}},
  {"Cr", 3.635, PETSC_FALSE, {11.007069, 1.555477, 2.985293, 1.347855, 7.034779, 0.06551, 6.366281, 0.023987, 23.244839, 105.774498, 0.429369}},
  {"Mn", -3.75, PETSC_FALSE, {11.709542, 1.733414, 2.673141, 2.023368, 7.00318, -0.147293, 5.59712, 0.0178, 21.78842, 89.517914, 0.383054}},
  {"Fe", 9.45, PETSC_FALSE, {12.311098, 1.876623, 3.066177, 2.070451, 6.975185, -0.304931, 5.009415, 0.014461, 18.74304, 82.767876, 0.346506}},
  {"Co", 2.49, PETSC_FALSE, {12.91451, 2.481908, 3.466894, 2.106351, 6.960892, -0.936572, 4.507138, 0.009126, 16.438129, 76.98732, 0.314418}},
  {"Ni", 10.3, PETSC_FALSE, {13.521865, 6.947285, 3.866028, 2.1359, 4.284731, -2.762697, 4.077277, 0.286763, 14.622634, 71.96608, 0.004437}},
  {"Cu", 7.718, PETSC_FALSE, {14.014192, 4.784577, 5.056806, 1.457971, 6.932996, -3.254477, 3.73828, 0.003744, 13.034982, 72.554794, 0.265666}},
  {"Zn", 5.68, PETSC_FALSE, {14.741002, 6.907748, 4.642337, 2.191766, 38.424042, -36.915829, 3.388232, 0.243315, 11.903689, 63.31213, 0.000397}},
  {"Ga", 7.288, PETSC_FALSE, {15.758946, 6.841123, 4.121016, 2.714681, 2.395246, -0.847395, 3.121754, 0.226057, 12.482196, 66.203621, 0.007238}},
  {"Ge", 8.185, PETSC_FALSE, {16.540613, 1.5679, 3.727829, 3.345098, 6.785079, 0.018726, 2.866618, 0.012198, 13.432163, 58.866047, 0.210974}},
  {"As", 6.58, PETSC_FALSE, {17.025642, 4.503441, 3.715904, 3.9372, 6.790175, -2.984117, 2.597739, 0.003012, 14.272119, 50.437996, 0.193015}},
  {"Se", 7.97, PETSC_FALSE, {17.354071, 4.653248, 4.259489, 4.136455, 6.749163, -3.160982, 2.349787, 0.00255, 15.57946, 45.181202, 0.177432}},
  {"Br", 6.79, PETSC_FALSE, {17.55057, 5.411882, 3.93718, 3.880645, 6.707793, -2.492088, 2.119226, 16.557184, 0.002481, 42.164009, 0.162121}},
  {"Kr", 7.81, PETSC_FALSE, {17.655279, 6.848105, 4.171004, 3.44676, 6.6852, -2.810592, 1.908231, 16.606236, 0.001598, 39.917473, 0.146896}},
  {"Rb", 7.08, PETSC_FALSE, {8.123134, 2.138042, 6.761702, 1.156051, 17.679546, 1.139548, 15.142385, 33.542667, 0.129372, 224.132507, 1.713368}},
  {"Sr", 7.02, PETSC_FALSE, {17.730219, 9.795867, 6.099763, 2.620025, 0.600053, 1.140251, 1.56306, 14.310868, 0.120574, 135.771317, 0.120574}},
  {"Y", 7.75, PETSC_FALSE, {17.79204, 10.253252, 5.714949, 3.170516, 0.918251, 1.131787, 1.429691, 13.132816, 0.112173, 108.197029, 0.112173}},
  {"Zr", 7.16, PETSC_FALSE, {17.859772, 10.911038, 5.821115, 3.512513, 0.746965, 1.124859, 1.310692, 12.319285, 0.104353, 91.777542, 0.104353}},
  {"Nb", 7.054, PETSC_FALSE, {17.958399, 12.063054, 5.007015, 3.287667, 1.531019, 1.123452, 1.21159, 12.246687, 0.098615, 75.011948, 0.098615}},
  {"Mo", 6.715, PETSC_FALSE, {6.236218, 17.987711, 12.973127, 3.451426, 0.210899, 1.10877, 0.09078, 1.10831, 11.46872, 66.684151, 0.09078}},
  {"Tc", NAN, PETSC_FALSE, {17.840963, 3.428236, 1.373012, 12.947364, 6.335469, 1.074784, 1.005729, 41.901382, 119.320541, 9.781542, 0.083391}},
  {"Ru", 7.02, PETSC_FALSE, {6.271624, 17.906738, 14.123269, 3.746008, 0.908235, 1.043992, 0.07704, 0.928222, 9.555345, 35.86068, 123.552246}},
  {"Rh", 5.9, PETSC_TRUE, {6.216648, 17.919739, 3.854252, 0.840326, 15.173498, 0.995452, 0.070789, 0.856121, 33.889484, 121.686691, 9.029517}},
  {"Pd", 5.91, PETSC_FALSE, {6.121511, 4.784063, 16.631683, 4.318258, 13.246773, 0.883099, 0.062549, 0.784031, 8.751391, 34.489983, 0.784031}},
  {"Ag", 5.922, PETSC_FALSE, {6.073874, 17.155437, 4.173344, 0.852238, 17.988686, 0.756603, 0.055333, 7.896512, 28.443739, 110.376106, 0.716809}},
  {"Cd", 4.83, PETSC_TRUE, {6.080986, 18.019468, 4.018197, 1.30351, 17.974669, 0.603504, 0.04899, 7.273646, 29.119284, 95.831207, 0.661231}},
  {"In", 4.065, PETSC_TRUE, {6.196477, 18.816183, 4.050479, 1.638929, 17.962912, 0.333097, 0.042072, 6.695665, 31.00979, 103.284348, 0.610714}},
  {"Sn", 6.225, PETSC_FALSE, {19.325171, 6.281571, 4.498866, 1.856934, 17.917318, 0.119024, 6.118104, 0.036915, 32.529045, 95.037186, 0.565651}},
  {"Sb", 5.57, PETSC_FALSE, {5.394956, 6.54957, 19.650681, 1.82782, 17.867832, -0.290506, 33.326523, 0.030974, 5.564929, 87.130966, 0.523992}},
  {"Te", 5.68, PETSC_FALSE, {6.660302, 6.940756, 19.847015, 1.557175, 17.802427, -0.806668, 33.031654, 0.02575, 5.065547, 84.101616, 0.48766}},
  {"I", 5.28, PETSC_FALSE, {19.884502, 6.736593, 8.110516, 1.170953, 17.548716, -0.448811, 4.628591, 0.027754, 31.849096, 84.406387, 0.46355}},
  {"Xe", 4.69, PETSC_FALSE, {19.97892, 11.774945, 9.332182, 1.244749, 17.737501, -6.065902, 4.143356, 0.010142, 28.7962, 75.280685, 0.413616}},
  {"Cs", 5.42, PETSC_FALSE, {17.418674, 8.314444, 10.323193, 1.383834, 19.876251, -2.322802, 0.399828, 0.016872, 25.605827, 233.339676, 3.826915}},
  {"Ba", 5.07, PETSC_FALSE, {19.747343, 17.368477, 10.465718, 2.592602, 11.003653, -5.183497, 3.481823, 0.371224, 21.226641, 173.834274, 0.010719}},
  {"La", 8.24, PETSC_FALSE, {19.966019, 27.329655, 11.018425, 3.086696, 17.335455, -21.745489, 3.197408, 0.003446, 19.955492, 141.381973, 0.341817}},
  {"Ce", 4.84, PETSC_FALSE, {17.355122, 43.988499, 20.54665, 3.13067, 11.353665, -38.386017, 0.328369, 0.002047, 3.088196, 134.907654, 18.83296}},
  {"Pr", 4.58, PETSC_FALSE, {21.551311, 17.16173, 11.903859, 2.679103, 9.564197, -3.871068, 2.995675, 0.312491, 17.716705, 152.192825, 0.010468}},
  {"Nd", 7.69, PETSC_FALSE, {17.331244, 62.783924, 12.160097, 2.663483, 22.23995, -57.189842, 0.300269, 0.00132, 17.026001, 148.748993, 2.910268}},
  {"Pm", NAN, PETSC_FALSE, {17.286388, 51.560162, 12.478557, 2.675515, 22.960947, -45.973682, 0.28662, 0.00155, 16.223755, 143.984512, 2.79648}},
  {"Sm", 0, PETSC_TRUE, {23.700363, 23.072214, 12.777782, 2.684217, 17.204367, -17.452166, 2.689539, 0.003491, 15.495437, 139.862473, 0.274536}},
  {"Eu", 5.3, PETSC_TRUE, {17.186195, 37.156837, 13.103387, 2.707246, 24.419271, -31.586687, 0.261678, 0.001995, 14.78736, 134.816299, 2.581883}},
  {"Gd", 9.5, PETSC_TRUE, {24.898117, 17.104952, 13.222581, 3.266152, 48.995213, -43.505684, 2.435028, 0.246961, 13.996325, 110.863091, 0.001383}},
  {"Tb", 7.34, PETSC_FALSE, {25.910013, 32.344139, 13.765117, 2.751404, 17.064405, -26.851971, 2.373912, 0.002034, 13.481969, 125.83651, 0.236916}},
  {"Dy", 16.9, PETSC_TRUE, {26.671785, 88.687576, 14.065445, 2.768497, 17.067781, -83.279831, 2.282593, 0.000665, 12.92023, 121.937187, 0.225531}},
  {"Ho", 8.44, PETSC_FALSE, {27.15019, 16.999819, 14.059334, 3.386979, 46.546471, -41.165253, 2.16966, 0.215414, 12.213148, 100.506783, 0.001211}},
  {"Er", 7.79, PETSC_TRUE, {28.174887, 82.493271, 14.624002, 2.802756, 17.018515, -77.135223, 2.120995, 0.00064, 11.915256, 114.529938, 0.207519}},
  {"Tm", 7.07, PETSC_FALSE, {28.925894, 76.173798, 14.904704, 2.814812, 16.998117, -70.839813, 2.046203, 0.000656, 11.465375, 111.41198, 0.199376}},
  {"Yb", 12.41, PETSC_FALSE, {29.67676, 65.624069, 15.160854, 2.830288, 16.99785, -60.313812, 1.97763, 0.00072, 11.044622, 108.139153, 0.19211}},
  {"Lu", 7.21, PETSC_FALSE, {30.122866, 15.099346, 56.314899, 3.54098, 16.943729, -51.049416, 1.88309, 10.342764, 0.00078, 89.55925, 0.183849}},
  {"Hf", 7.77, PETSC_TRUE, {30.617033, 15.145351, 54.933548, 4.096253, 16.896156, -49.719837, 1.795613, 9.934469, 0.000739, 76.189705, 0.175914}},
  {"Ta", 6.91, PETSC_FALSE, {31.066359, 15.341823, 49.278297, 4.577665, 16.828321, -44.119026, 1.708732, 9.618455, 0.00076, 66.346199, 0.168002}},
  {"W", 4.755, PETSC_FALSE, {31.5079, 15.682498, 37.960129, 4.885509, 16.792112, -32.864574, 1.629485, 9.446448, 0.000898, 59.980675, 0.160798}},
  {"Re", 9.2, PETSC_FALSE, {31.888456, 16.117104, 42.390297, 5.211669, 16.767591, -37.412682, 1.549238, 9.233474, 0.000689, 54.516373, 0.152815}},
  {"Os", 10.7, PETSC_FALSE, {32.210297, 16.67844, 48.559906, 5.455839, 16.735533, -43.677956, 1.473531, 9.049695, 0.000519, 50.210201, 0.145771}},
  {"Ir", 10.6, PETSC_TRUE, {32.004436, 1.975454, 17.070105, 15.939454, 5.990003, 4.018893, 1.353767, 81.014175, 0.128093, 7.661196, 26.659403}},
  {"Pt", 9.6, PETSC_FALSE, {31.273891, 18.44544, 17.063745, 5.555933, 1.57527, 4.050394, 1.316992, 8.797154, 0.124741, 40.177994, 1.316997}},
  {"Au", 7.9, PETSC_FALSE, {16.77739, 19.317156, 32.979683, 5.595453, 10.576854, -6.279078, 0.122737, 8.62157, 1.256902, 38.00882, 0.000601}},
  {"Hg", 12.595, PETSC_TRUE, {16.83989, 20.023823, 28.428564, 5.881564, 4.714706, 4.076478, 0.115905, 8.256927, 1.19525, 39.247227, 1.19525}},
  {"Tl", 8.776, PETSC_FALSE, {16.630795, 19.386616, 32.808571, 1.747191, 6.356862, 4.066939, 0.110704, 7.181401, 1.11973, 90.660263, 26.014978}},
  {"Pb", 9.401, PETSC_FALSE, {16.419567, 32.73859, 6.530247, 2.342742, 19.916475, 4.049824, 0.105499, 1.055049, 25.02589, 80.906593, 6.664449}},
  {"Bi", 8.532, PETSC_FALSE, {16.282274, 32.725136, 6.678302, 2.69475, 20.576559, 4.040914, 0.10118, 1.002287, 25.714146, 77.057549, 6.291882}},
  {"Po", NAN, PETSC_FALSE, {16.289164, 32.807171, 21.095163, 2.505901, 7.254589, 4.046556, 0.098121, 0.966265, 6.046622, 76.598068, 28.096128}},
  {"At", NAN, PETSC_FALSE, {16.011461, 32.615547, 8.113899, 2.884082, 21.377867, 3.995684, 0.092639, 0.904416, 26.543257, 68.372963, 5.499512}},
  {"Rn", NAN, PETSC_FALSE, {16.070229, 32.641106, 21.489658, 2.299218, 9.480184, 4.020977, 0.090437, 0.876409, 5.239687, 69.188477, 27.632641}},
  {"Fr", NAN, PETSC_FALSE, {16.007385, 32.66383, 21.594351, 1.598497, 11.121192, 4.003472, 0.087031, 0.840187, 4.954467, 199.805801, 26.905106}},
  {"Ra", NAN, PETSC_FALSE, {32.56369, 21.396671, 11.298093, 2.834688, 15.914965, 3.981773, 0.80198, 4.590666, 22.758972, 160.404388, 0.083544}},
  {"Ac", NAN, PETSC_FALSE, {15.914053, 32.535042, 21.553976, 11.433394, 3.612409, 3.939212, 0.080511, 0.770669, 4.352206, 21.381622, 130.500748}},
  {"Th", 10.31, PETSC_FALSE, {15.784024, 32.454899, 21.849222, 4.239077, 11.736191, 3.922533, 0.077067, 0.735137, 4.097976, 109.464111, 20.512138}},
  {"Pa", NAN, PETSC_FALSE, {32.740208, 21.973675, 12.957398, 3.683832, 15.744058, 3.886066, 0.709545, 4.050881, 19.231543, 117.255005, 0.07404}},
  {"U", 8.417, PETSC_FALSE, {15.679275, 32.824306, 13.660459, 3.687261, 22.279434, 3.854444, 0.071206, 0.681177, 18.236156, 112.500038, 3.930325}},
  {"Np", NAN, PETSC_FALSE, {32.999901, 22.638077, 14.219973, 3.67295, 15.683245, 3.769391, 0.657086, 3.854918, 17.435474, 109.464485, 0.068033}},
  {"Pu", NAN, PETSC_FALSE, {33.281178, 23.148544, 15.153755, 3.031492, 15.704215, 3.6642, 0.634999, 3.856168, 16.849735, 121.292038, 0.064857}},
  {"Am", NAN, PETSC_FALSE, {33.435162, 23.657259, 15.576339, 3.027023, 15.7461, 3.54116, 0.612785, 3.792942, 16.195778, 117.757004, 0.061755}},
  {"Cm", NAN, PETSC_FALSE, {15.804837, 33.480801, 24.150198, 3.655563, 15.499866, 3.39084, 0.058619, 0.59016, 3.67472, 100.736191, 15.408296}},
  {"Bk", NAN, PETSC_FALSE, {15.889072, 33.625286, 24.710381, 3.707139, 15.839268, 3.213169, 0.055503, 0.569571, 3.615472, 97.694786, 14.754303}},
  {"Cf", NAN, PETSC_FALSE, {33.794075, 25.467693, 16.048487, 3.657525, 16.008982, 3.005326, 0.550447, 3.581973, 14.357388, 96.064972, 0.05245}},
};

static const ElementScattering *ElementFind(const char species[])
{
  char symbol[VIT_NAME_LEN];

  VitSpeciesElement(species, symbol); /* Cu(2): type 2 of several named Cu */
  for (size_t i = 0; i < sizeof(element_scattering) / sizeof(element_scattering[0]); i++)
    if (!strcmp(element_scattering[i].symbol, symbol)) return &element_scattering[i];
  return NULL;
}

const char *const VitRadiations[] = {"none", "neutron", "xray", "VitRadiation", "VIT_RADIATION_", NULL};

/* A constant weight (neutron length, or an X-ray f given by the user) in the form-factor form. */
static void ConstantFactor(PetscReal value, PetscReal coef[])
{
  for (PetscInt i = 0; i < VIT_SCATTERING_NCOEF; i++) coef[i] = 0;
  coef[5] = value;
}

/* The override of species s in "A:value,B:value" (-features_scattering_lengths), if any. */
static PetscErrorCode OverrideFind(MPI_Comm comm, const char overrides[], const char species[], PetscBool *found, PetscReal *value)
{
  char  list[1024], *token, *save;

  PetscFunctionBeginUser;
  *found = PETSC_FALSE;
  PetscCall(PetscStrncpy(list, overrides, sizeof(list)));
  for (token = strtok_r(list, ",", &save); token; token = strtok_r(NULL, ",", &save)) {
    char *colon = strrchr(token, ':'), *end;
    PetscCheck(colon && colon != token, comm, PETSC_ERR_USER_INPUT, "-features_scattering_lengths %s: '%s' is not SPECIES:VALUE", overrides, token);
    *colon = 0;
    if (strcmp(token, species)) continue;
    *value = strtod(colon + 1, &end);
    PetscCheck(end != colon + 1 && !*end && PetscIsNormalReal(*value), comm, PETSC_ERR_USER_INPUT, "-features_scattering_lengths %s: '%s' for %s is not a non-zero finite number", overrides, colon + 1, species);
    *found = PETSC_TRUE;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VitScatteringSetUp(MPI_Comm comm, VitRadiation radiation, PetscInt ntypes, char species[][VIT_NAME_LEN], const char overrides[], VitScattering *sc)
{
  const char *what = radiation == VIT_RADIATION_NEUTRON ? "coherent neutron scattering length (fm)" : "X-ray form factor";

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(sc, sizeof(*sc)));
  sc->radiation = radiation;
  sc->ntypes    = ntypes;
  for (PetscInt a = 0; a < ntypes; a++) {
    const ElementScattering *e = ElementFind(species[a]);
    PetscBool                given;
    PetscReal                value = 0;
    PetscCall(PetscStrncpy(sc->species[a], species[a], VIT_NAME_LEN));
    PetscCall(OverrideFind(comm, overrides, species[a], &given, &value));
    if (given) ConstantFactor(value, sc->coef[a]);
    else {
      PetscCheck(e && (radiation == VIT_RADIATION_XRAY || !PetscIsNanReal(e->b_coherent)), comm, PETSC_ERR_USER_INPUT, "species '%s' has no tabulated %s: name the species by element (Atom Type Labels or -potential_elements) or give -features_scattering_lengths %s:VALUE", species[a], what, species[a]);
      if (radiation == VIT_RADIATION_NEUTRON) ConstantFactor(e->b_coherent, sc->coef[a]);
      else PetscCall(PetscArraycpy(sc->coef[a], e->xray, VIT_SCATTERING_NCOEF));
      if (radiation == VIT_RADIATION_NEUTRON && e->absorbing) PetscCall(PetscPrintf(comm, "vitrum: warning: %s absorbs neutrons strongly (cross-section > 100 b): its tabulated length %.6g fm is the real part only; give -features_scattering_lengths %s:VALUE for your isotope\n", species[a], (double)e->b_coherent, species[a]));
    }
  }
  PetscFunctionReturn(0);
}

/* The factor of species a at q: sum_i a_i exp(-b_i (q/4pi)^2) + c (coef: a1..a5, c, b1..b5); a
   neutron length or an override is c alone. */
static PetscReal ScatteringFactor(const VitScattering *sc, PetscInt a, PetscReal q)
{
  const PetscReal *c  = sc->coef[a];
  const PetscReal  k2 = (q / (4 * PETSC_PI)) * (q / (4 * PETSC_PI));
  PetscReal        f  = c[5];

  for (PetscInt i = 0; i < 5; i++) f += c[i] * PetscExpReal(-c[6 + i] * k2);
  return f;
}

PetscErrorCode VitScatteringTotal(MPI_Comm comm, const VitScattering *sc, const PetscInt counts[], PetscInt nx, const PetscReal q[], const PetscReal partial[], PetscReal total[])
{
  PetscReal natoms = 0, c[VIT_MAX_TYPES], f[VIT_MAX_TYPES];

  PetscFunctionBeginUser;
  for (PetscInt a = 0; a < sc->ntypes; a++) natoms += counts[a];
  PetscCheck(natoms > 0, comm, PETSC_ERR_USER_INPUT, "no atoms to weight");
  for (PetscInt a = 0; a < sc->ntypes; a++) c[a] = counts[a] / natoms;
  for (PetscInt i = 0; i < nx; i++) {
    PetscReal mean = 0;
    for (PetscInt a = 0; a < sc->ntypes; a++) {
      f[a] = ScatteringFactor(sc, a, q ? q[i] : 0);
      mean += c[a] * f[a];
    }
    PetscCheck(PetscAbsReal(mean) > 0, comm, PETSC_ERR_USER_INPUT, "the mean %s of this composition is 0 (a null-scattering alloy) at %s = %.6g: the Faber-Ziman total is undefined; use the partials (-features_total none)", sc->radiation == VIT_RADIATION_NEUTRON ? "scattering length" : "form factor", q ? "q" : "r", q ? (double)q[i] : 0.0);
    total[i] = 0;
    for (PetscInt a = 0; a < sc->ntypes; a++)
      for (PetscInt b = a; b < sc->ntypes; b++) total[i] += (a == b ? 1 : 2) * c[a] * c[b] * f[a] * f[b] * partial[VitPairIndex(sc->ntypes, a, b) * nx + i] / (mean * mean);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VitPairsTypeNames(MPI_Comm comm, PetscInt npairs, char *const pairs[], PetscInt ntypes, char names[][VIT_NAME_LEN])
{
  PetscFunctionBeginUser;
  PetscCheck(ntypes >= 1 && ntypes <= VIT_MAX_TYPES && npairs == ntypes * (ntypes + 1) / 2, comm, PETSC_ERR_USER_INPUT, "%" PetscInt_FMT " species and %" PetscInt_FMT " pairs do not match", ntypes, npairs);
  /* pair 0 is "T0-T0" (so T0 is its first half), pair k < ntypes is "T0-Tk" */
  for (PetscInt a = 0; a < ntypes; a++) {
    size_t len0 = (strlen(pairs[0]) - 1) / 2;
    PetscCheck(len0 + 1 <= VIT_NAME_LEN, comm, PETSC_ERR_USER_INPUT, "pair name '%s' is too long", pairs[0]);
    if (a) PetscCall(PetscStrncpy(names[a], pairs[a] + len0 + 1, VIT_NAME_LEN));
    else PetscCall(PetscStrncpy(names[a], pairs[0], len0 + 1));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VitScatteringWrite(VitH5 *h5, const char group[], const VitScattering *sc)
{
  const char *names[VIT_MAX_TYPES];
  hsize_t     dims[2] = {(hsize_t)sc->ntypes, VIT_SCATTERING_NCOEF};
  char        path[256];

  PetscFunctionBeginUser;
  for (PetscInt a = 0; a < sc->ntypes; a++) names[a] = sc->species[a];
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/species", group));
  PetscCall(VitH5WriteStrings(h5, path, sc->ntypes, names));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/form_factor", group));
  PetscCall(VitH5WriteReal(h5, path, 2, dims, &sc->coef[0][0], sc->radiation == VIT_RADIATION_NEUTRON ? "fm" : "electrons"));
  PetscCall(VitH5WriteAttrString(h5, path, "radiation", VitRadiations[sc->radiation]));
  PetscCall(VitH5WriteAttrString(h5, path, "form", "f(k) = c + sum_i a_i exp(-b_i k^2), k = q/(4 pi) in 1/A; columns a1..a5 c b1..b5"));
  PetscFunctionReturn(0);
}

PetscErrorCode VitScatteringRead(VitH5 *h5, const char group[], VitScattering *sc, PetscBool *found)
{
  char       path[256], *radiation = NULL;
  PetscInt   n, ncoef;
  char     **species;
  PetscReal *coef;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(sc, sizeof(*sc)));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/form_factor", group));
  PetscCall(VitH5Exists(h5, path, found));
  if (!*found) PetscFunctionReturn(0);
  PetscCall(VitH5ReadReal(h5, path, &ncoef, &coef));
  PetscCall(VitH5ReadAttrString(h5, path, "radiation", &radiation));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/species", group));
  PetscCall(VitH5ReadStrings(h5, path, &n, &species));
  PetscCheck(n >= 1 && n <= VIT_MAX_TYPES && ncoef == n * VIT_SCATTERING_NCOEF, h5->comm, PETSC_ERR_USER_INPUT, "%s: %s/form_factor has %" PetscInt_FMT " values for %" PetscInt_FMT " species (expected %d per species)", h5->path, group, ncoef, n, VIT_SCATTERING_NCOEF);
  sc->radiation = !strcmp(radiation, "xray") ? VIT_RADIATION_XRAY : VIT_RADIATION_NEUTRON;
  PetscCheck(!strcmp(radiation, "xray") || !strcmp(radiation, "neutron"), h5->comm, PETSC_ERR_USER_INPUT, "%s: %s/form_factor: radiation '%s' (expected neutron or xray)", h5->path, group, radiation);
  sc->ntypes = n;
  for (PetscInt a = 0; a < n; a++) {
    PetscCall(PetscStrncpy(sc->species[a], species[a], VIT_NAME_LEN));
    for (PetscInt i = 0; i < VIT_SCATTERING_NCOEF; i++) {
      sc->coef[a][i] = coef[a * VIT_SCATTERING_NCOEF + i];
      PetscCheck(PetscIsInfOrNanReal(sc->coef[a][i]) == PETSC_FALSE, h5->comm, PETSC_ERR_USER_INPUT, "%s: %s/form_factor of %s is not finite", h5->path, group, species[a]);
    }
  }
  PetscCall(VitStringsFree(n, &species));
  PetscCall(PetscFree(coef));
  PetscCall(PetscFree(radiation));
  PetscFunctionReturn(0);
}
