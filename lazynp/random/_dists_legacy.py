"""NumPy's ``legacy-distributions.c`` (the RandomState samplers), transcribed into the DSL.

``SOURCE`` is the part of ``_dists.SOURCE`` (which appends it last) holding the legacy
samplers ``k_legacy_<name>`` and their helpers, line for line, with C's evaluation order and
roundings; the legacy Gaussian cache and the shared helpers stay in ``_dists``.
"""

from __future__ import annotations

SOURCE = r'''# ---- legacy-distributions.c (RandomState) ----------------------------------------------------
def legacy_exp(bg: BG) -> f64:
    return -log(1.0 - next_double(bg))

def legacy_std_gamma(bg: BG, aux: p_f64, shape: f64) -> f64:
    if shape == 1.0:
        return legacy_exp(bg)
    elif shape == 0.0:
        return 0.0
    elif shape < 1.0:
        while True:
            U = next_double(bg)
            V = legacy_exp(bg)
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
            X = k_legacy_gauss(bg, aux)
            V = 1.0 + c * X
            if not (V <= 0.0):
                break
        V = V * V * V
        U = next_double(bg)
        if U < 1.0 - 0.0331 * (X * X) * (X * X):
            return b * V
        if log(U) < 0.5 * X * X + b * (1. - V + log(V)):
            return b * V

def legacy_chisquare(bg: BG, aux: p_f64, df: f64) -> f64:
    return 2.0 * legacy_std_gamma(bg, aux, df / 2.0)

def legacy_noncentral_chisquare(bg: BG, aux: p_f64, df: f64, nonc: f64) -> f64:
    if nonc == 0:
        return legacy_chisquare(bg, aux, df)
    if 1 < df:
        Chi2 = legacy_chisquare(bg, aux, df - 1)
        n = k_legacy_gauss(bg, aux) + sqrt(nonc)
        return Chi2 + n * n
    i = poisson(bg, nonc / 2.0)
    out = legacy_chisquare(bg, aux, df + 2 * i)
    if isnan(nonc):
        return nonc
    return out

def k_legacy_std_exp(bg: BG) -> f64:
    return legacy_exp(bg)

def k_legacy_exponential(bg: BG, scale: f64) -> f64:
    return scale * legacy_exp(bg)

def k_legacy_std_gamma(bg: BG, aux: p_f64, shape: f64) -> f64:
    return legacy_std_gamma(bg, aux, shape)

def k_legacy_gamma(bg: BG, aux: p_f64, shape: f64, scale: f64) -> f64:
    return scale * legacy_std_gamma(bg, aux, shape)

def k_legacy_pareto(bg: BG, a: f64) -> f64:
    return exp(legacy_exp(bg) / a) - 1

def k_legacy_weibull(bg: BG, a: f64) -> f64:
    if a == 0.0:
        return 0.0
    return pow(legacy_exp(bg), 1. / a)

def k_legacy_power(bg: BG, a: f64) -> f64:
    return pow(1 - exp(-legacy_exp(bg)), 1. / a)

def k_legacy_chisquare(bg: BG, aux: p_f64, df: f64) -> f64:
    return legacy_chisquare(bg, aux, df)

def k_legacy_rayleigh(bg: BG, mode: f64) -> f64:
    return mode * sqrt(-2.0 * log1p(-next_double(bg)))

def k_legacy_noncentral_chisquare(bg: BG, aux: p_f64, df: f64, nonc: f64) -> f64:
    return legacy_noncentral_chisquare(bg, aux, df, nonc)

def k_legacy_noncentral_f(bg: BG, aux: p_f64, dfnum: f64, dfden: f64, nonc: f64) -> f64:
    t = legacy_noncentral_chisquare(bg, aux, dfnum, nonc) * dfden
    return t / (legacy_chisquare(bg, aux, dfden) * dfnum)

def k_legacy_wald(bg: BG, aux: p_f64, mean: f64, scale: f64) -> f64:
    mu_2l = mean / (2 * scale)
    Y = k_legacy_gauss(bg, aux)
    Y = mean * Y * Y
    X = mean + mu_2l * (Y - sqrt(4 * scale * Y + Y * Y))
    U = next_double(bg)
    if U <= mean / (mean + X):
        return X
    return mean * mean / X

def k_legacy_lognormal(bg: BG, aux: p_f64, mean: f64, sigma: f64) -> f64:
    return exp(mean + sigma * k_legacy_gauss(bg, aux))

def k_legacy_std_t(bg: BG, aux: p_f64, df: f64) -> f64:
    num = k_legacy_gauss(bg, aux)
    denom = legacy_std_gamma(bg, aux, df / 2)
    return sqrt(df / 2) * num / sqrt(denom)

def k_legacy_negative_binomial(bg: BG, aux: p_f64, n: f64, p: f64) -> i64:
    scale = (1 - p) / p
    Y = scale * legacy_std_gamma(bg, aux, n)
    return poisson(bg, Y)

def k_legacy_std_cauchy(bg: BG, aux: p_f64) -> f64:
    a = k_legacy_gauss(bg, aux)
    return a / k_legacy_gauss(bg, aux)

def k_legacy_beta(bg: BG, aux: p_f64, a: f64, b: f64) -> f64:
    if a <= 1.0 and b <= 1.0:
        while True:
            U = next_double(bg)
            V = next_double(bg)
            X = pow(U, 1.0 / a)
            Y = pow(V, 1.0 / b)
            if (X + Y) <= 1.0:
                if X + Y > 0:
                    return X / (X + Y)
                logX = log(U) / a
                logY = log(V) / b
                logM = logY
                if logX > logY:
                    logM = logX
                logX -= logM
                logY -= logM
                return exp(logX - log(exp(logX) + exp(logY)))
    Ga = legacy_std_gamma(bg, aux, a)
    Gb = legacy_std_gamma(bg, aux, b)
    return Ga / (Ga + Gb)

def k_legacy_f(bg: BG, aux: p_f64, dfnum: f64, dfden: f64) -> f64:
    t = legacy_chisquare(bg, aux, dfnum) * dfden
    return t / (legacy_chisquare(bg, aux, dfden) * dfnum)

def k_legacy_binomial(bg: BG, aux: p_f64, p: f64, n: i64) -> i64:
    if p <= 0.5:
        if p * n <= 30.0:
            return binomial_inversion(bg, n, p, aux, 1)
        return binomial_btpe(bg, n, p, aux)
    q = 1.0 - p
    if q * n <= 30.0:
        return n - binomial_inversion(bg, n, q, aux, 1)
    return n - binomial_btpe(bg, n, q, aux)

def k_legacy_geometric(bg: BG, p: f64) -> i64:
    if p >= 0.333333333333333333333333:
        return geometric_search(bg, p)
    return i64(ceil(log1p(-next_double(bg)) / log(1 - p)))

def legacy_hyp(bg: BG, good: i64, bad: i64, sample: i64) -> i64:
    d1 = bad + good - sample
    d2: f64 = good
    if bad < good:
        d2 = bad
    y = d2
    k = sample
    while y > 0.0:
        u = next_double(bg)
        y -= i64(floor(u + y / (d1 + k)))
        k -= 1
        if k == 0:
            break
    z = i64(d2 - y)
    if good > bad:
        z = sample - z
    return z

def legacy_hrua(bg: BG, good: i64, bad: i64, sample: i64) -> i64:
    mingoodbad = good
    maxgoodbad = bad
    if bad < good:
        mingoodbad = bad
        maxgoodbad = good
    popsize = good + bad
    m = sample
    if popsize - sample < sample:
        m = popsize - sample
    d4 = f64(mingoodbad) / popsize
    d5 = 1.0 - d4
    d6 = m * d4 + 0.5
    d7 = sqrt(f64(popsize - m) * sample * d4 * d5 / (popsize - 1) + 0.5)
    d8 = 1.7155277699214135 * d7 + 0.8989161620588988
    d9 = i64(floor(f64(m + 1) * (mingoodbad + 1) / (popsize + 2)))
    d10 = (loggam(f64(d9 + 1)) + loggam(f64(mingoodbad - d9 + 1)) + loggam(f64(m - d9 + 1))
           + loggam(f64(maxgoodbad - m + d9 + 1)))
    mm = m
    if mingoodbad < mm:
        mm = mingoodbad
    d11a = mm + 1.0
    d11b = floor(d6 + 16 * d7)
    d11 = d11a
    if not (d11a < d11b):
        d11 = d11b
    Z: i64 = 0
    while True:
        X = next_double(bg)
        Y = next_double(bg)
        W = d6 + d8 * (Y - 0.5) / X
        if W < 0.0 or W >= d11:
            continue
        Z = i64(floor(W))
        T = d10 - (loggam(f64(Z + 1)) + loggam(f64(mingoodbad - Z + 1))
                   + loggam(f64(m - Z + 1)) + loggam(f64(maxgoodbad - m + Z + 1)))
        if (X * (4.0 - X) - 3.0) <= T:
            break
        if X * (X - T) >= 1:
            continue
        if 2.0 * log(X) <= T:
            break
    if good > bad:
        Z = m - Z
    if m < sample:
        Z = good - Z
    return Z

def k_legacy_hypergeometric(bg: BG, good: i64, bad: i64, sample: i64) -> i64:
    if sample > 10:
        return legacy_hrua(bg, good, bad, sample)
    elif sample > 0:
        return legacy_hyp(bg, good, bad, sample)
    return 0

def k_legacy_vonmises(bg: BG, mu: f64, kappa: f64) -> f64:
    if isnan(kappa):
        return kappa
    if kappa < 1e-8:
        return M_PI * (2 * next_double(bg) - 1)
    s: f64 = 0.0
    if kappa < 1e-5:
        s = (1. / kappa + kappa)
    else:
        r = 1 + sqrt(1 + 4 * kappa * kappa)
        rho = (r - sqrt(2 * r)) / (2 * kappa)
        s = (1 + rho * rho) / (2 * rho)
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

def k_legacy_logseries(bg: BG, p: f64) -> i64:
    r = log(1.0 - p)
    while True:
        V = next_double(bg)
        if V >= p:
            return 1
        U = next_double(bg)
        q = 1.0 - exp(r * U)
        if V <= q * q:
            result = i64(floor(1 + log(V) / log(q)))
            if result < 1 or V == 0.0:
                continue
            return result
        if V >= q:
            return 1
        return 2
'''
