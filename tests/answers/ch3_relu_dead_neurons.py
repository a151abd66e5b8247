"""Alternative correct and common wrong answers to chapter 3's exercises."""

ANSWERS = {
    "q1": {
        "alternatives": [
            # NumPy's step function, with the value at 0 as its second argument
            """\
def clamp_relu_derivative(x):
    return np.heaviside(x, 1.0)


def maximum_relu_derivative(x):
    return np.heaviside(x, 0.5)
""",
            # a loop over the elements
            """\
def clamp_relu_derivative(x):
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    for index, value in np.ndenumerate(x):
        out[index] = 1.0 if value >= 0 else 0.0
    return out


def maximum_relu_derivative(x):
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    for index, value in np.ndenumerate(x):
        if value > 0:
            out[index] = 1.0
        elif value == 0:
            out[index] = 0.5
    return out
""",
        ],
        "wrong": [
            # torch.relu's convention (0 at x = 0) for clamp as well
            """\
def clamp_relu_derivative(x):
    return np.where(np.asarray(x) > 0, 1.0, 0.0)


def maximum_relu_derivative(x):
    return np.heaviside(x, 0.5)
""",
            # thinks torch.maximum passes the whole gradient to x at a tie
            """\
def clamp_relu_derivative(x):
    return np.heaviside(x, 1.0)


def maximum_relu_derivative(x):
    return np.heaviside(x, 1.0)
""",
        ],
    },
    "q2": {
        "alternatives": [
            # a loop over the units (columns)
            """\
def count_alive_units(pre_activations, negative_slope=0.0):
    z = np.asarray(pre_activations)
    alive = 0
    for unit in range(z.shape[1]):
        column = z[:, unit]
        if negative_slope != 0 or (column > 0).any():
            alive += 1
    return alive
""",
            # with torch: the derivative of the activation, by autograd
            """\
def count_alive_units(pre_activations, negative_slope=0.0):
    z = torch.tensor(np.asarray(pre_activations), dtype=torch.float64)
    z.requires_grad_(True)
    (grad,) = torch.autograd.grad(F.leaky_relu(z, negative_slope).sum(), z)
    return int((grad != 0).any(dim=0).sum())
""",
        ],
        "wrong": [
            # counts z = 0 as alive (uses z >= 0)
            """\
def count_alive_units(pre_activations, negative_slope=0.0):
    z = np.asarray(pre_activations)
    if negative_slope != 0:
        return z.shape[1]
    return int((z >= 0).any(axis=0).sum())
""",
            # counts examples (rows) instead of units (columns)
            """\
def count_alive_units(pre_activations, negative_slope=0.0):
    z = np.asarray(pre_activations)
    derivative = np.where(z > 0, 1.0, negative_slope)
    return int((derivative != 0).any(axis=1).sum())
""",
        ],
    },
    "q3": {
        "alternatives": [
            # the normal CDF from math.erf, and the bias by bisection
            """\
def alive_probability(bias, spread, batch_size):
    silent = 0.5 * (1 + math.erf(-bias / (spread * math.sqrt(2))))
    return 1 - silent**batch_size


def bias_for_half_alive(spread, batch_size):
    low, high = -50 * spread, 50 * spread
    for _ in range(200):
        middle = (low + high) / 2
        if alive_probability(middle, spread, batch_size) < 0.5:
            low = middle
        else:
            high = middle
    return (low + high) / 2
""",
            # NormalDist with the unit's own mean and spread
            """\
from statistics import NormalDist


def alive_probability(bias, spread, batch_size):
    return 1 - NormalDist(bias, spread).cdf(0) ** batch_size


def bias_for_half_alive(spread, batch_size):
    return spread * NormalDist().inv_cdf(1 - 0.5 ** (1 / batch_size))
""",
        ],
        "wrong": [
            # the probability for one example: forgets the batch
            """\
from statistics import NormalDist


def alive_probability(bias, spread, batch_size):
    return 1 - NormalDist().cdf(-bias / spread)


def bias_for_half_alive(spread, batch_size):
    return -spread * NormalDist().inv_cdf(0.5)
""",
            # positive on every example instead of on at least one
            """\
from statistics import NormalDist


def alive_probability(bias, spread, batch_size):
    return (1 - NormalDist().cdf(-bias / spread)) ** batch_size


def bias_for_half_alive(spread, batch_size):
    return spread * NormalDist().inv_cdf(0.5 ** (1 / batch_size))
""",
        ],
    },
}
