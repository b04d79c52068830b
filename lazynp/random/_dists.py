"""NumPy's C generation code, transcribed into the DSL of ``_dsl.py`` (compiled per bit generator).

``MT19937`` holds the Mersenne Twister primitives (``next32``/``next64``/``next_double``/
``next_float`` over a ``{u32 key[624]; i32 pos}`` state, NumPy's ``mt19937.h``).  ``SOURCE``
holds the distributions of ``distributions.c``, ``random_hypergeometric.c``, ``logfactorial.c``
and ``legacy-distributions.c`` (the ones lazynp compiles), line for line, with C's evaluation
order and roundings: the helpers and the continuous distributions here, then the discrete and
multivariate ones (``_dists_discrete``) and the legacy ones (``_dists_legacy``).  Every function named ``k_<name>`` becomes an exported map kernel
``lz_<name>(st, out, n, aux, p0, s0, p1, s1, ...)``: ``out[i] = k_<name>(bg, [aux,] p0[i*s0],
...)``; ``aux`` (present when the function's second parameter is named ``aux``) is a pointer to
per-generator or per-call scratch state (the legacy Gaussian cache, the binomial setup, the
buffers of the small-integer samplers).
"""

from __future__ import annotations

from lazynp.random import _dists_discrete, _dists_legacy

MT19937 = r'''
def mt_gen(key: p_u32) -> void:
    for i in range(0, 227):
        y = (key[i] & 0x80000000) | (key[i + 1] & 0x7fffffff)
        key[i] = key[i + 397] ^ (y >> 1) ^ ((0 - (y & 1)) & 0x9908b0df)
    for i in range(227, 623):
        y = (key[i] & 0x80000000) | (key[i + 1] & 0x7fffffff)
        key[i] = key[i - 227] ^ (y >> 1) ^ ((0 - (y & 1)) & 0x9908b0df)
    y = (key[623] & 0x80000000) | (key[0] & 0x7fffffff)
    key[623] = key[396] ^ (y >> 1) ^ ((0 - (y & 1)) & 0x9908b0df)

def next32(bg: BG) -> u32:
    key = view(bg, "p_u32")
    pos = view(bg, "p_i32")
    if pos[624] == 624:
        mt_gen(key)
        pos[624] = 0
    p = pos[624]
    y = key[p]
    pos[624] = p + 1
    y ^= y >> 11
    y ^= (y << 7) & 0x9d2c5680
    y ^= (y << 15) & 0xefc60000
    y ^= y >> 18
    return y

def next64(bg: BG) -> u64:
    hi = u64(next32(bg))
    lo = u64(next32(bg))
    return (hi << 32) | lo

def next_double(bg: BG) -> f64:
    a: i32 = next32(bg) >> 5
    b: i32 = next32(bg) >> 6
    return (a * 67108864.0 + b) / 9007199254740992.0

def next_float(bg: BG) -> f32:
    return f32(next32(bg) >> 8) * 5.9604644775390625e-08

def mt_fill32(bg: BG, out: p_u32, n: i64) -> void:
    # n successive next32() values into out: the tempering loop runs over whole runs of the
    # key array (vectorisable), regenerating when the position reaches 624
    key = view(bg, "p_u32")
    pos = view(bg, "p_i32")
    done: i64 = 0
    while done < n:
        if pos[624] == 624:
            mt_gen(key)
            pos[624] = 0
        p: i64 = pos[624]
        m = 624 - p
        if m > n - done:
            m = n - done
        for j in range(0, m):
            y = key[p + j]
            y ^= y >> 11
            y ^= (y << 7) & 0x9d2c5680
            y ^= (y << 15) & 0xefc60000
            y ^= y >> 18
            out[done + j] = y
        pos[624] = p + m
        done += m
'''

MT19937_STATE = r"""
%BG = type { [624 x i32], i32 }
declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)

define internal void @load_state(ptr %bg, ptr %st) alwaysinline nounwind {
  call void @llvm.memcpy.p0.p0.i64(ptr align 4 %bg, ptr align 4 %st, i64 2500, i1 false)
  ret void
}

define internal void @store_state(ptr %st, ptr %bg) alwaysinline nounwind {
  call void @llvm.memcpy.p0.p0.i64(ptr align 4 %st, ptr align 4 %bg, i64 2500, i1 false)
  ret void
}
"""

SOURCE = r'''
M_PI = 3.141592653589793

# ---- helpers ------------------------------------------------------------------------------
def gen_mask(rng: u64) -> u64:
    mask = rng
    mask |= mask >> 1
    mask |= mask >> 2
    mask |= mask >> 4
    mask |= mask >> 8
    mask |= mask >> 16
    mask |= mask >> 32
    return mask

def buffered16(bg: BG, aux: p_u32) -> u16:
    if aux[0] == 0:
        aux[1] = next32(bg)
        aux[0] = 1
    else:
        aux[1] = aux[1] >> 16
        aux[0] = aux[0] - 1
    return u16(aux[1])

def buffered8(bg: BG, aux: p_u32) -> u8:
    if aux[0] == 0:
        aux[1] = next32(bg)
        aux[0] = 3
    else:
        aux[1] = aux[1] >> 8
        aux[0] = aux[0] - 1
    return u8(aux[1])

def loggam(x: f64) -> f64:
    x0 = x
    n: i64 = 0
    if x == 1.0 or x == 2.0:
        return 0.0
    elif x <= 7.0:
        n = i64(7 - x)
        x0 = x + n
    x2 = 1.0 / (x0 * x0)
    xp = 2 * M_PI
    gl0 = LOGGAM_A[9]
    for k in range(8, -1, -1):
        gl0 *= x2
        gl0 += LOGGAM_A[k]
    gl = gl0 / x0 + 0.5 * log(xp) + (x0 - 0.5) * log(x0) - x0
    if x <= 7.0:
        for k in range(1, n + 1):
            gl -= log(x0 - 1.0)
            x0 -= 1.0
    return gl

def logfactorial(k: i64) -> f64:
    if k < 126:
        return LOGFACT[k]
    return (k + 0.5) * log(f64(k)) - k + (0.9189385332046728 + (1.0 / k) * (
        1 / 12.0 - 1 / (360.0 * k * k)))

def k_positive_int(bg: BG) -> i64:
    return i64(next64(bg) >> 1)

def k_raw32(bg: BG) -> u64:
    return u64(next32(bg))

# ---- legacy (RandomState) -----------------------------------------------------------------
def k_legacy_gauss(bg: BG, aux: p_f64) -> f64:
    if aux[0] != 0.0:
        temp = aux[1]
        aux[0] = 0.0
        aux[1] = 0.0
        return temp
    x1: f64 = 0.0
    x2: f64 = 0.0
    r2: f64 = 0.0
    while True:
        x1 = 2.0 * next_double(bg) - 1.0
        x2 = 2.0 * next_double(bg) - 1.0
        r2 = x1 * x1 + x2 * x2
        if not (r2 >= 1.0 or r2 == 0.0):
            break
    f = sqrt(-2.0 * log(r2) / r2)
    aux[1] = f * x1
    aux[0] = 1.0
    return f * x2

def k_legacy_normal(bg: BG, aux: p_f64, loc: f64, scale: f64) -> f64:
    return loc + scale * k_legacy_gauss(bg, aux)

def k_masked64(bg: BG, rng: u64, off: u64) -> u64:
    if rng == 0:
        return off
    if rng <= 0xFFFFFFFF:
        if rng == 0xFFFFFFFF:
            return off + u64(next32(bg))
        mask32: u32 = gen_mask(rng)
        rng32: u32 = rng
        while True:
            v32 = next32(bg) & mask32
            if v32 <= rng32:
                return off + u64(v32)
    if rng == 0xFFFFFFFFFFFFFFFF:
        return off + next64(bg)
    mask = gen_mask(rng)
    while True:
        val = next64(bg) & mask
        if val <= rng:
            return off + val

def k_masked32(bg: BG, rng64: u64, off64: u64) -> u32:
    rng: u32 = rng64
    off: u32 = off64
    if rng == 0:
        return off
    if rng == 0xFFFFFFFF:
        return off + next32(bg)
    mask: u32 = gen_mask(u64(rng))
    while True:
        val = next32(bg) & mask
        if val <= rng:
            return off + val

def k_masked16(bg: BG, aux: p_u32, rng64: u64, off64: u64) -> u16:
    rng: u16 = rng64
    off: u16 = off64
    if rng == 0:
        return off
    mask: u16 = gen_mask(u64(rng))
    while True:
        val: u16 = buffered16(bg, aux) & mask
        if val <= rng:
            return off + val

def k_masked8(bg: BG, aux: p_u32, rng64: u64, off64: u64) -> u8:
    rng: u8 = rng64
    off: u8 = off64
    if rng == 0:
        return off
    mask: u8 = gen_mask(u64(rng))
    while True:
        val: u8 = buffered8(bg, aux) & mask
        if val <= rng:
            return off + val

# ---- continuous (distributions.c) ---------------------------------------------------------
def std_gamma(bg: BG, shape: f64) -> f64:
    if shape == 1.0:
        return draw_exp(bg)
    elif shape == 0.0:
        return 0.0
    elif shape < 1.0:
        while True:
            U = next_double(bg)
            V = draw_exp(bg)
            if U <= 1.0 - shape:
                X = pow(U, 1. / shape)
                if X <= V:
                    return X
            else:
                Y = -log((1 - U) / shape)
                X = pow(1.0 - shape + shape * Y, 1. / shape)
                if X <= (V + Y):
                    return X
    b = shape - 1. / 3.
    c = 1. / sqrt(9 * b)
    while True:
        X: f64 = 0.0
        V: f64 = 0.0
        while True:
            X = draw_normal(bg)
            V = 1.0 + c * X
            if not (V <= 0.0):
                break
        V = V * V * V
        U = next_double(bg)
        if U < 1.0 - 0.0331 * (X * X) * (X * X):
            return b * V
        if log(U) < 0.5 * X * X + b * (1. - V + log(V)):
            return b * V

def k_std_gamma(bg: BG, shape: f64) -> f64:
    return std_gamma(bg, shape)

def k_std_gamma_f(bg: BG, shape: f32) -> f32:
    if shape == 1.0:
        return draw_exp_f(bg)
    elif shape == 0.0:
        return 0.0
    elif shape < 1.0:
        while True:
            U = next_float(bg)
            V = draw_exp_f(bg)
            if U <= f32(1.0) - shape:
                X = powf(U, f32(1.0) / shape)
                if X <= V:
                    return X
            else:
                Y = -logf((f32(1.0) - U) / shape)
                X = powf(f32(1.0) - shape + shape * Y, f32(1.0) / shape)
                if X <= (V + Y):
                    return X
    b = shape - f32(1.0) / f32(3.0)
    c = f32(1.0) / sqrtf(f32(9.0) * b)
    while True:
        X: f32 = 0.0
        V: f32 = 0.0
        while True:
            X = draw_normal_f(bg)
            V = f32(1.0) + c * X
            if not (V <= f32(0.0)):
                break
        V = V * V * V
        U = next_float(bg)
        if U < f32(1.0) - f32(0.0331) * (X * X) * (X * X):
            return b * V
        if logf(U) < f32(0.5) * X * X + b * (f32(1.0) - V + logf(V)):
            return b * V

def k_gamma(bg: BG, shape: f64, scale: f64) -> f64:
    return scale * std_gamma(bg, shape)

def k_beta(bg: BG, a: f64, b: f64) -> f64:
    if a <= 1.0 and b <= 1.0:
        while True:
            U = next_double(bg)
            V = next_double(bg)
            X = pow(U, 1.0 / a)
            Y = pow(V, 1.0 / b)
            XpY = X + Y
            if XpY <= 1.0 and XpY > 0.0:
                if X + Y > 0:
                    return X / XpY
                logX = log(U) / a
                logY = log(V) / b
                logM = logY
                if logX > logY:
                    logM = logX
                logX -= logM
                logY -= logM
                return exp(logX - log(exp(logX) + exp(logY)))
    Ga = std_gamma(bg, a)
    Gb = std_gamma(bg, b)
    return Ga / (Ga + Gb)

def chisquare(bg: BG, df: f64) -> f64:
    return 2.0 * std_gamma(bg, df / 2.0)

def k_chisquare(bg: BG, df: f64) -> f64:
    return chisquare(bg, df)

def k_f(bg: BG, dfnum: f64, dfden: f64) -> f64:
    t = chisquare(bg, dfnum) * dfden
    return t / (chisquare(bg, dfden) * dfnum)

def k_std_cauchy(bg: BG) -> f64:
    a = draw_normal(bg)
    return a / draw_normal(bg)

def k_pareto(bg: BG, a: f64) -> f64:
    return expm1(draw_exp(bg) / a)

def k_weibull(bg: BG, a: f64) -> f64:
    if a == 0.0:
        return 0.0
    return pow(draw_exp(bg), 1. / a)

def k_power(bg: BG, a: f64) -> f64:
    return pow(-expm1(-draw_exp(bg)), 1. / a)

def k_laplace(bg: BG, loc: f64, scale: f64) -> f64:
    while True:
        U = next_double(bg)
        if U >= 0.5:
            return loc - scale * log(2.0 - U - U)
        elif U > 0.0:
            return loc + scale * log(U + U)

def k_gumbel(bg: BG, loc: f64, scale: f64) -> f64:
    while True:
        U = 1.0 - next_double(bg)
        if U < 1.0:
            return loc - scale * log(-log(U))

def k_logistic(bg: BG, loc: f64, scale: f64) -> f64:
    while True:
        U = next_double(bg)
        if U > 0.0:
            return loc + scale * log(U / (1.0 - U))

def k_lognormal(bg: BG, mean: f64, sigma: f64) -> f64:
    return exp(mean + sigma * draw_normal(bg))

def k_rayleigh(bg: BG, mode: f64) -> f64:
    return mode * sqrt(2.0 * draw_exp(bg))

def k_std_t(bg: BG, df: f64) -> f64:
    num = draw_normal(bg)
    denom = std_gamma(bg, df / 2)
    return sqrt(df / 2) * num / sqrt(denom)

def k_wald(bg: BG, mean: f64, scale: f64) -> f64:
    Y = draw_normal(bg)
    Y = mean * Y * Y
    d = 1 + sqrt(1 + 4 * scale / Y)
    X = mean * (1 - 2 / d)
    U = next_double(bg)
    if U <= mean / (mean + X):
        return X
    return mean * mean / X

def k_triangular(bg: BG, left: f64, mode: f64, right: f64) -> f64:
    base = right - left
    leftbase = mode - left
    ratio = leftbase / base
    leftprod = leftbase * base
    rightprod = (right - mode) * base
    U = next_double(bg)
    if U <= ratio:
        return left + sqrt(U * leftprod)
    return right - sqrt((1.0 - U) * rightprod)

def k_vonmises(bg: BG, mu: f64, kappa: f64) -> f64:
    if isnan(kappa):
        return kappa
    if kappa < 1e-8:
        return M_PI * (2 * next_double(bg) - 1)
    s: f64 = 0.0
    if kappa < 1e-5:
        s = (1. / kappa + kappa)
    elif kappa <= 1e6:
        r = 1 + sqrt(1 + 4 * kappa * kappa)
        rho = (r - sqrt(2 * r)) / (2 * kappa)
        s = (1 + rho * rho) / (2 * rho)
    else:
        result = mu + sqrt(1. / kappa) * draw_normal(bg)
        if result < -M_PI:
            result += 2 * M_PI
        if result > M_PI:
            result -= 2 * M_PI
        return result
    W: f64 = 0.0
    while True:
        U = next_double(bg)
        Z = cos(M_PI * U)
        W = (1 + s * Z) / (s + Z)
        Y = kappa * (s - W)
        V = next_double(bg)
        if Y * (2 - Y) - V >= 0 or log(Y / V) + 1 - Y >= 0:
            break
    U = next_double(bg)
    res = acos(W)
    if U < 0.5:
        res = -res
    res += mu
    neg = res < 0
    mod = fabs(res)
    mod = fmod(mod + M_PI, 2 * M_PI) - M_PI
    if neg:
        mod *= -1
    return mod

def k_noncentral_chisquare(bg: BG, df: f64, nonc: f64) -> f64:
    if isnan(nonc):
        return nonc
    if nonc == 0:
        return chisquare(bg, df)
    if 1 < df:
        Chi2 = chisquare(bg, df - 1)
        n = draw_normal(bg) + sqrt(nonc)
        return Chi2 + n * n
    i = poisson(bg, nonc / 2.0)
    return chisquare(bg, df + 2 * i)

def k_noncentral_f(bg: BG, dfnum: f64, dfden: f64, nonc: f64) -> f64:
    t = k_noncentral_chisquare(bg, dfnum, nonc) * dfden
    return t / (chisquare(bg, dfden) * dfnum)

''' + _dists_discrete.SOURCE + _dists_legacy.SOURCE

LOGGAM_A = [8.333333333333333e-02, -2.777777777777778e-03, 7.936507936507937e-04,
            -5.952380952380952e-04, 8.417508417508418e-04, -1.917526917526918e-03,
            6.410256410256410e-03, -2.955065359477124e-02, 1.796443723688307e-01,
            -1.39243221690590e+00]

LOGFACT = [
    0, 0, 0.69314718055994529, 1.791759469228055, 3.1780538303479458, 4.7874917427820458,
    6.5792512120101012, 8.5251613610654147, 10.604602902745251, 12.801827480081469,
    15.104412573075516, 17.502307845873887, 19.987214495661885, 22.552163853123425,
    25.19122118273868, 27.89927138384089, 30.671860106080672, 33.505073450136891,
    36.395445208033053, 39.339884187199495, 42.335616460753485, 45.380138898476908,
    48.471181351835227, 51.606675567764377, 54.784729398112319, 58.003605222980518,
    61.261701761002001, 64.557538627006338, 67.88974313718154, 71.257038967168015,
    74.658236348830158, 78.092223553315307, 81.557959456115043, 85.054467017581516,
    88.580827542197682, 92.136175603687093, 95.719694542143202, 99.330612454787428,
    102.96819861451381, 106.63176026064346, 110.32063971475739, 114.03421178146171,
    117.77188139974507, 121.53308151543864, 125.3172711493569, 129.12393363912722,
    132.95257503561632, 136.80272263732635, 140.67392364823425, 144.5657439463449,
    148.47776695177302, 152.40959258449735, 156.3608363030788, 160.3311282166309,
    164.32011226319517, 168.32744544842765, 172.35279713916279, 176.39584840699735,
    180.45629141754378, 184.53382886144948, 188.6281734236716, 192.7390472878449,
    196.86618167289001, 201.00931639928152, 205.1681994826412, 209.34258675253685,
    213.53224149456327, 217.73693411395422, 221.95644181913033, 226.1905483237276,
    230.43904356577696, 234.70172344281826, 238.97838956183432, 243.26884900298271,
    247.57291409618688, 251.89040220972319, 256.22113555000954, 260.56494097186322,
    264.92164979855278, 269.29109765101981, 273.67312428569369, 278.06757344036612,
    282.4742926876304, 286.89313329542699, 291.32395009427029, 295.76660135076065,
    300.22094864701415, 304.68685676566872, 309.1641935801469, 313.65282994987905,
    318.1526396202093, 322.66349912672615, 327.1852877037752, 331.71788719692847,
    336.26118197919845, 340.81505887079902, 345.37940706226686, 349.95411804077025,
    354.53908551944079, 359.1342053695754, 363.73937555556347, 368.35449607240474,
    372.97946888568902, 377.61419787391867, 382.25858877306001, 386.91254912321756,
    391.57598821732961, 396.24881705179155, 400.93094827891576, 405.6222961611449,
    410.32277652693733, 415.03230672824964, 419.75080559954472, 424.47819341825709,
    429.21439186665157, 433.95932399501481, 438.71291418612117, 443.47508812091894,
    448.24577274538461, 453.02489623849613, 457.81238798127816, 462.60817852687489,
    467.4121995716082, 472.22438392698058, 477.04466549258564, 481.87297922988796,
]

# the files SOURCE is read from (the key of the translated IR's disk cache, ``_kernels``)
FILES = (__file__, _dists_discrete.__file__, _dists_legacy.__file__)

TABLES = {"LOGGAM_A": ("f64", LOGGAM_A), "LOGFACT": ("f64", [float(v) for v in LOGFACT])}
