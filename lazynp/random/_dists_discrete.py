"""NumPy's discrete and multivariate distributions, transcribed into the DSL of ``_dsl.py``.

``SOURCE`` is the part of ``_dists.SOURCE`` (which appends it to the continuous ones) holding
the discrete samplers of ``distributions.c`` and ``random_hypergeometric.c`` (poisson,
geometric, zipf, logseries, binomial, hypergeometric) and the whole-call multivariate kernels
(``x_<name>``: multinomial, dirichlet, multivariate hypergeometric), line for line.
"""

from __future__ import annotations

SOURCE = r'''# ---- discrete -----------------------------------------------------------------------------
def poisson_mult(bg: BG, lam: f64) -> i64:
    enlam = exp(-lam)
    X: i64 = 0
    prod = 1.0
    while True:
        U = next_double(bg)
        prod *= U
        if prod > enlam:
            X += 1
        else:
            return X

def poisson_ptrs(bg: BG, lam: f64) -> i64:
    slam = sqrt(lam)
    loglam = log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        U = next_double(bg) - 0.5
        V = next_double(bg)
        us = 0.5 - fabs(U)
        k = i64(floor((2 * a / us + b) * U + lam + 0.43))
        if us >= 0.07 and V <= vr:
            return k
        if k < 0 or (us < 0.013 and V > us):
            continue
        if (log(V) + log(invalpha) - log(a / (us * us) + b)) <= (
                -lam + k * loglam - loggam(f64(k + 1))):
            return k

def poisson(bg: BG, lam: f64) -> i64:
    if lam >= 10:
        return poisson_ptrs(bg, lam)
    elif lam == 0:
        return 0
    return poisson_mult(bg, lam)

def k_poisson(bg: BG, lam: f64) -> i64:
    return poisson(bg, lam)

def k_negative_binomial(bg: BG, n: f64, p: f64) -> i64:
    Y = std_gamma(bg, n) * ((1 - p) / p)
    return poisson(bg, Y)

def geometric_search(bg: BG, p: f64) -> i64:
    X: i64 = 1
    sum = p
    prod = p
    q = 1.0 - p
    U = next_double(bg)
    while U > sum:
        prod *= q
        sum += prod
        X += 1
    return X

def k_geometric(bg: BG, p: f64) -> i64:
    if p >= 0.333333333333333333333333:
        return geometric_search(bg, p)
    z = ceil(-draw_exp(bg) / log1p(-p))
    if z >= 9.223372036854776e+18:
        return 9223372036854775807
    return i64(z)

def k_zipf(bg: BG, a: f64) -> i64:
    if a >= 1025:
        return 1
    am1 = a - 1.0
    b = pow(2.0, am1)
    Umin = pow(9.223372036854775807e18, -am1)
    while True:
        U01 = next_double(bg)
        U = U01 * Umin + (1 - U01)
        V = next_double(bg)
        X = floor(pow(U, -1.0 / am1))
        if X > 9.223372036854775807e18 or X < 1.0:
            continue
        T = pow(1.0 + 1.0 / X, am1)
        if V * X * (T - 1.0) / (b - 1.0) <= T / b:
            return i64(X)

def k_logseries(bg: BG, p: f64) -> i64:
    r = log1p(-p)
    while True:
        V = next_double(bg)
        if V >= p:
            return 1
        U = next_double(bg)
        q = -expm1(r * U)
        if V <= q * q:
            result = i64(floor(1 + log(V) / log(q)))
            if result < 1 or V == 0.0:
                continue
            return result
        if V >= q:
            return 1
        return 2

def binomial_btpe(bg: BG, n: i64, p: f64, aux: p_f64) -> i64:
    ai = view(aux, "p_i64")
    r: f64 = 0.0
    q: f64 = 0.0
    fm: f64 = 0.0
    m: i64 = 0
    p1: f64 = 0.0
    xm: f64 = 0.0
    xl: f64 = 0.0
    xr: f64 = 0.0
    c: f64 = 0.0
    laml: f64 = 0.0
    lamr: f64 = 0.0
    p2: f64 = 0.0
    p3: f64 = 0.0
    p4: f64 = 0.0
    a: f64 = 0.0
    if ai[0] == 0 or ai[2] != n or aux[1] != p:
        ai[2] = n
        aux[1] = p
        ai[0] = 1
        r = p
        if 1.0 - p < p:
            r = 1.0 - p
        aux[3] = r
        q = 1.0 - r
        aux[4] = q
        fm = n * r + r
        aux[5] = fm
        m = i64(floor(fm))
        ai[6] = m
        p1 = floor(2.195 * sqrt(n * r * q) - 4.6 * q) + 0.5
        aux[7] = p1
        xm = m + 0.5
        aux[8] = xm
        xl = xm - p1
        aux[9] = xl
        xr = xm + p1
        aux[10] = xr
        c = 0.134 + 20.5 / (15.3 + m)
        aux[11] = c
        a = (fm - xl) / (fm - xl * r)
        laml = a * (1.0 + a / 2.0)
        aux[12] = laml
        a = (xr - fm) / (xr * q)
        lamr = a * (1.0 + a / 2.0)
        aux[13] = lamr
        p2 = p1 * (1.0 + 2.0 * c)
        aux[14] = p2
        p3 = p2 + c / laml
        aux[15] = p3
        p4 = p3 + c / lamr
        aux[16] = p4
    else:
        r = aux[3]
        q = aux[4]
        fm = aux[5]
        m = ai[6]
        p1 = aux[7]
        xm = aux[8]
        xl = aux[9]
        xr = aux[10]
        c = aux[11]
        laml = aux[12]
        lamr = aux[13]
        p2 = aux[14]
        p3 = aux[15]
        p4 = aux[16]
    y: i64 = 0
    while True:
        nrq = n * r * q
        u = next_double(bg) * p4
        v = next_double(bg)
        if u <= p1:
            y = i64(floor(xm - p1 * v + u))
            break
        if u <= p2:
            x = xl + (u - p1) / c
            v = v * c + 1.0 - fabs(m - x + 0.5) / p1
            if v > 1.0:
                continue
            y = i64(floor(x))
        elif u <= p3:
            y = i64(floor(xl + log(v) / laml))
            if y < 0 or v == 0.0:
                continue
            v = v * (u - p2) * laml
        else:
            y = i64(floor(xr - log(v) / lamr))
            if y > n or v == 0.0:
                continue
            v = v * (u - p3) * lamr
        k = y - m
        if k < 0:
            k = -k
        if not (k > 20 and k < nrq / 2.0 - 1):
            s = r / q
            a = s * (n + 1)
            F = 1.0
            if m < y:
                for i in range(m + 1, y + 1):
                    F *= (a / i - s)
            elif m > y:
                for i in range(y + 1, m + 1):
                    F /= (a / i - s)
            if v > F:
                continue
            break
        rho = (k / nrq) * ((k * (k / 3.0 + 0.625) + 0.16666666666666666) / nrq + 0.5)
        t = -k * k / (2 * nrq)
        A = log(v)
        if A < t - rho:
            break
        if A > t + rho:
            continue
        x1: f64 = y + 1
        f1: f64 = m + 1
        z: f64 = n + 1 - m
        w: f64 = n - y + 1
        x2 = x1 * x1
        f2 = f1 * f1
        z2 = z * z
        w2 = w * w
        bound = (xm * log(f1 / x1) + (n - m + 0.5) * log(z / w)
                 + (y - m) * log(w * r / (x1 * q))
                 + (13680. - (462. - (132. - (99. - 140. / f2) / f2) / f2) / f2) / f1 / 166320.
                 + (13680. - (462. - (132. - (99. - 140. / z2) / z2) / z2) / z2) / z / 166320.
                 + (13680. - (462. - (132. - (99. - 140. / x2) / x2) / x2) / x2) / x1 / 166320.
                 + (13680. - (462. - (132. - (99. - 140. / w2) / w2) / w2) / w2) / w / 166320.)
        if A > bound:
            continue
        break
    if p > 0.5:
        y = n - y
    return y

def binomial_inversion(bg: BG, n: i64, p: f64, aux: p_f64, legacy: i64) -> i64:
    ai = view(aux, "p_i64")
    q: f64 = 0.0
    qn: f64 = 0.0
    np: f64 = 0.0
    bound: i64 = 0
    if ai[0] == 0 or ai[2] != n or aux[1] != p:
        ai[2] = n
        aux[1] = p
        ai[0] = 1
        q = 1.0 - p
        aux[4] = q
        if legacy != 0:
            qn = exp(n * log(q))  # RandomState's
        else:
            qn = exp(n * log1p(-p))  # Generator's, NumPy >= 2.4 (gh-29522)
        aux[3] = qn
        np = n * p
        aux[11] = np
        bnd = np + 10.0 * sqrt(np * q + 1)
        if n < bnd:
            bound = n
        else:
            bound = i64(bnd)
        ai[6] = bound
    else:
        q = aux[4]
        qn = aux[3]
        np = aux[11]
        bound = ai[6]
    X: i64 = 0
    px = qn
    U = next_double(bg)
    while U > px:
        X += 1
        if X > bound:
            X = 0
            px = qn
            U = next_double(bg)
        else:
            U -= px
            px = ((n - X + 1) * p * px) / (X * q)
    return X

def k_binomial(bg: BG, aux: p_f64, p: f64, n: i64) -> i64:
    if n == 0 or p == 0.0:
        return 0
    if p <= 0.5:
        if p * n <= 30.0:
            return binomial_inversion(bg, n, p, aux, 0)
        return binomial_btpe(bg, n, p, aux)
    q = 1.0 - p
    if q * n <= 30.0:
        return n - binomial_inversion(bg, n, q, aux, 0)
    return n - binomial_btpe(bg, n, q, aux)

def hypergeometric_sample(bg: BG, good: i64, bad: i64, sample: i64) -> i64:
    total = good + bad
    computed_sample: i64 = sample
    if sample > total / 2:
        computed_sample = total - sample
    remaining_total = total
    remaining_good = good
    while computed_sample > 0 and remaining_good > 0 and remaining_total > remaining_good:
        remaining_total -= 1
        if i64(interval(bg, u64(remaining_total))) < remaining_good:
            remaining_good -= 1
        computed_sample -= 1
    if remaining_total == remaining_good:
        remaining_good -= computed_sample
    if sample > total / 2:
        return remaining_good
    return good - remaining_good

def hypergeometric_hrua(bg: BG, good: i64, bad: i64, sample: i64) -> i64:
    popsize = good + bad
    computed_sample = sample
    if popsize - sample < sample:
        computed_sample = popsize - sample
    mingoodbad = good
    maxgoodbad = bad
    if bad < good:
        mingoodbad = bad
        maxgoodbad = good
    p = f64(mingoodbad) / popsize
    q = f64(maxgoodbad) / popsize
    mu = computed_sample * p
    a = mu + 0.5
    var = (f64(popsize - computed_sample) * computed_sample * p * q / (popsize - 1))
    c = sqrt(var + 0.5)
    h = 1.7155277699214135 * c + 0.8989161620588988
    m = i64(floor(f64(computed_sample + 1) * (mingoodbad + 1) / (popsize + 2)))
    g = (logfactorial(m) + logfactorial(mingoodbad - m) + logfactorial(computed_sample - m)
         + logfactorial(maxgoodbad - computed_sample + m))
    b1: i64 = computed_sample
    if mingoodbad < b1:
        b1 = mingoodbad
    b1 += 1
    b2 = floor(a + 16 * c)
    b: f64 = b1
    if b2 < b:
        b = b2
    K: i64 = 0
    while True:
        U = next_double(bg)
        V = next_double(bg)
        X = a + h * (V - 0.5) / U
        if X < 0.0 or X >= b:
            continue
        K = i64(floor(X))
        gp = (logfactorial(K) + logfactorial(mingoodbad - K) + logfactorial(computed_sample - K)
              + logfactorial(maxgoodbad - computed_sample + K))
        T = g - gp
        if (U * (4.0 - U) - 3.0) <= T:
            break
        if U * (U - T) >= 1:
            continue
        if 2.0 * log(U) <= T:
            break
    if good > bad:
        K = computed_sample - K
    if computed_sample < sample:
        K = good - K
    return K

def k_hypergeometric(bg: BG, good: i64, bad: i64, sample: i64) -> i64:
    if sample >= 10 and sample <= good + bad - 10:
        return hypergeometric_hrua(bg, good, bad, sample)
    return hypergeometric_sample(bg, good, bad, sample)
# ---- multivariate (whole-call kernels: x_<name> runs once per call) ------------------------
def x_multinomial(bg: BG, binom: p_f64, ns: p_i64, nstep: i64, pix: p_f64, poffs: p_i64,
                  pstep: i64, d: i64, count: i64, mnix: p_i64) -> void:
    for i in range(0, count):
        dn = ns[i * nstep]
        po = poffs[i * pstep]
        base = i * d
        remaining_p = 1.0
        for j in range(0, d - 1):
            mnix[base + j] = k_binomial(bg, binom, pix[po + j] / remaining_p, dn)
            dn = dn - mnix[base + j]
            if dn <= 0:
                break
            remaining_p -= pix[po + j]
        if dn > 0:
            mnix[base + d - 1] = dn

def x_dirichlet(bg: BG, alpha: p_f64, csum: p_f64, k: i64, totsize: i64, small: i64,
                val: p_f64) -> void:
    i: i64 = 0
    if small != 0:
        while i < totsize:
            acc = 1.0
            for j in range(0, k - 1):
                v = k_beta(bg, alpha[j], csum[j + 1])
                val[i + j] = acc * v
                acc *= (1. - v)
                if csum[j + 1] == 0:
                    break
            val[i + k - 1] = acc
            i = i + k
        return
    while i < totsize:
        acc2 = 0.0
        for j in range(0, k):
            val[i + j] = std_gamma(bg, alpha[j])
            acc2 = acc2 + val[i + j]
        invacc = 1. / acc2
        for j in range(0, k):
            val[i + j] = val[i + j] * invacc
        i = i + k

def x_legacy_dirichlet(bg: BG, aug: p_f64, alpha: p_f64, k: i64, totsize: i64,
                       val: p_f64) -> void:
    i: i64 = 0
    while i < totsize:
        acc = 0.0
        for j in range(0, k):
            val[i + j] = legacy_std_gamma(bg, aug, alpha[j])
            acc = acc + val[i + j]
        invacc = 1. / acc
        for j in range(0, k):
            val[i + j] = val[i + j] * invacc
        i = i + k

def x_mvhg_count(bg: BG, total: i64, num_colors: i64, colors: p_i64, nsample: i64,
                 num_variates: i64, variates: p_i64, choices: p_i64) -> void:
    if total == 0 or nsample == 0 or num_variates == 0:
        return
    k: i64 = 0
    for i in range(0, num_colors):
        for j in range(0, colors[i]):
            choices[k] = i
            k += 1
    more_than_half = nsample > (total / 2)
    ns = nsample
    if more_than_half:
        ns = total - nsample
    i: i64 = 0
    while i < num_variates * num_colors:
        for j in range(0, ns):
            kk = j + i64(interval(bg, u64(total - j - 1)))
            tmp = choices[kk]
            choices[kk] = choices[j]
            choices[j] = tmp
        for j in range(0, ns):
            variates[i + choices[j]] += 1
        if more_than_half:
            for c in range(0, num_colors):
                variates[i + c] = colors[c] - variates[i + c]
        i += num_colors

def x_mvhg_marginals(bg: BG, total: i64, num_colors: i64, colors: p_i64, nsample: i64,
                     num_variates: i64, variates: p_i64) -> void:
    if total == 0 or nsample == 0 or num_variates == 0:
        return
    more_than_half = nsample > (total / 2)
    ns = nsample
    if more_than_half:
        ns = total - nsample
    i: i64 = 0
    while i < num_variates * num_colors:
        num_to_sample = ns
        remaining = total
        j: i64 = 0
        while num_to_sample > 0 and j + 1 < num_colors:
            remaining -= colors[j]
            r = k_hypergeometric(bg, colors[j], remaining, num_to_sample)
            variates[i + j] = r
            num_to_sample -= r
            j += 1
        if num_to_sample > 0:
            variates[i + num_colors - 1] = num_to_sample
        if more_than_half:
            for c in range(0, num_colors):
                variates[i + c] = colors[c] - variates[i + c]
        i += num_colors

'''
