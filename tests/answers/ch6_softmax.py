"""Alternative correct and common wrong answers to chapter 6's exercises.

Each entry is the full code a student would put in the question's one answer cell.
"""

Q1_LOOP = '''\
def logsumexp_np(z, axis=-1):
    """One row at a time, with math.fsum; the special cases by hand."""
    z = np.asarray(z)
    rows = np.moveaxis(z, axis, -1)
    out = np.empty(rows.shape[:-1], dtype=z.dtype)
    for index in np.ndindex(out.shape):
        row = rows[index].astype(np.float64)
        m = row.max()
        if not np.isfinite(m):  # -inf (all masked), +inf or NaN: that is the answer
            out[index] = m
        else:
            out[index] = m + math.log(math.fsum(math.exp(v - m) for v in row))
    return out
'''

Q1_NAIVE = """\
def logsumexp_np(z, axis=-1):
    # the formula as it reads: exp overflows for logits above about 709
    return np.log(np.exp(z).sum(axis=axis))
"""

Q1_UNGUARDED_MAX = """\
def logsumexp_np(z, axis=-1):
    # shifts by the maximum without replacing an infinite maximum: -inf - (-inf) is NaN
    m = np.max(z, axis=axis, keepdims=True)
    with np.errstate(all="ignore"):
        total = np.exp(z - m).sum(axis=axis, keepdims=True)
        return np.squeeze(m + np.log(total), axis=axis)
"""

Q1_FLOAT64 = """\
def logsumexp_np(z, axis=-1):
    # converts to float64: float32 logits come back as float64
    z = np.asarray(z, dtype=np.float64)
    m = np.max(z, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    total = np.exp(z - m).sum(axis=axis, keepdims=True)
    with np.errstate(divide="ignore"):
        return np.squeeze(m + np.log(total), axis=axis)
"""

Q2_VECTORISED = '''\
def cross_entropy_and_gradient(Z, labels):
    """log-sum-exp per row and a one-hot target matrix."""
    Z = np.asarray(Z, dtype=np.float64)
    n, k = Z.shape
    m = Z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(Z - m).sum(axis=1))
    loss = np.mean(lse - Z[np.arange(n), labels])
    P = np.exp(Z - lse[:, None])
    Y = np.eye(k)[labels]
    return loss, (P - Y) / n
'''

Q2_LOOP = '''\
def cross_entropy_and_gradient(Z, labels):
    """A loop over the examples, in pure Python arithmetic."""
    n = len(labels)
    total, grad = 0.0, np.zeros(np.shape(Z))
    for i, (row, label) in enumerate(zip(np.asarray(Z, dtype=float), labels)):
        m = max(row)
        log_sum = m + math.log(sum(math.exp(v - m) for v in row))
        total += log_sum - row[label]
        for j, v in enumerate(row):
            grad[i, j] = (math.exp(v - log_sum) - (j == label)) / n
    return total / n, grad
'''

Q2_NAIVE_SOFTMAX = """\
def cross_entropy_and_gradient(Z, labels):
    # softmax as the formula reads: exp(1000) overflows
    n = len(labels)
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    loss = -np.log(P[np.arange(n), labels]).mean()
    P[np.arange(n), labels] -= 1
    return loss, P / n
"""

Q2_NO_MEAN = """\
def cross_entropy_and_gradient(Z, labels):
    n = len(labels)
    log_p = log_softmax_np(Z)
    loss = -log_p[np.arange(n), labels].mean()
    grad = np.exp(log_p)
    grad[np.arange(n), labels] -= 1
    # forgets that the loss is a mean: the gradient is p - y, not (p - y)/n
    return loss, grad
"""

Q2_SIGN = """\
def cross_entropy_and_gradient(Z, labels):
    n = len(labels)
    log_p = log_softmax_np(Z)
    loss = -log_p[np.arange(n), labels].mean()
    Y = np.eye(Z.shape[1])[labels]
    # the sign is wrong: y - p is the direction that decreases the loss
    return loss, (Y - np.exp(log_p)) / n
"""

Q3_LOOP = '''\
def tempered_jacobian(z, T):
    """Entry by entry, p_i (δ_ij − p_j) / T, with the chapter's pure-Python softmax."""
    if T <= 0:
        raise ValueError("T must be positive")
    p = softmax_py([float(v) / T for v in z])
    k = len(p)
    return np.array(
        [[p[i] * ((i == j) - p[j]) / T for j in range(k)] for i in range(k)]
    )
'''

Q3_NO_CHAIN_RULE = """\
def tempered_jacobian(z, T):
    if not T > 0:
        raise ValueError("T must be positive")
    p = softmax_np(np.asarray(z, dtype=float) / T)
    # forgets the chain rule's factor 1/T
    return np.diag(p) - np.outer(p, p)
"""

Q3_NAIVE = """\
def tempered_jacobian(z, T):
    if not T > 0:
        raise ValueError("T must be positive")
    # the naive softmax: exp(1000 / 0.01) overflows
    e = np.exp(np.asarray(z, dtype=float) / T)
    p = e / e.sum()
    return (np.diag(p) - np.outer(p, p)) / T
"""

Q3_NO_CHECK = """\
def tempered_jacobian(z, T):
    # does not reject T <= 0 (T = 0 divides by zero instead of raising ValueError)
    p = softmax_np(np.asarray(z, dtype=float) / T)
    return (np.diag(p) - np.outer(p, p)) / T
"""

ANSWERS = {
    "q1": {
        "alternatives": [Q1_LOOP],
        "wrong": [Q1_NAIVE, Q1_UNGUARDED_MAX, Q1_FLOAT64],
    },
    "q2": {
        "alternatives": [Q2_VECTORISED, Q2_LOOP],
        "wrong": [Q2_NAIVE_SOFTMAX, Q2_NO_MEAN, Q2_SIGN],
    },
    "q3": {
        "alternatives": [Q3_LOOP],
        "wrong": [Q3_NO_CHAIN_RULE, Q3_NAIVE, Q3_NO_CHECK],
    },
}
