"""Alternative correct and common wrong answers to chapter 4's exercises."""

ANSWERS = {
    "q1": {
        "alternatives": [
            # NumPy's own log(e^a + e^b), with a = 0 and b = x
            """\
def softplus_np(x):
    return np.logaddexp(0, x)
""",
            # a loop over the elements, with math's functions, into an array of x's dtype
            """\
def softplus_np(x):
    x = np.asarray(x)
    out = np.empty_like(x)
    for index, value in np.ndenumerate(x):
        out[index] = max(value, 0) + math.log1p(math.exp(-abs(value)))
    return out
""",
        ],
        "wrong": [
            # the literal formula: overflows at x = 1000 and returns 0 at x = -40
            """\
def softplus_np(x):
    return np.log(1 + np.exp(x))
""",
            # the shifted form, but log(1 + u) instead of log1p(u): 0 at x = -40
            """\
def softplus_np(x):
    return np.maximum(x, 0) + np.log(1 + np.exp(-np.abs(x)))
""",
        ],
    },
    "q2": {
        "alternatives": [
            # a zero exponent where x > 0, so the unselected branch never overflows
            """\
def elu_np(x, alpha=1.0):
    safe = np.where(x > 0, 0, x)
    return np.where(x > 0, x, alpha * np.expm1(safe))


def elu_deriv_np(x, alpha=1.0):
    safe = np.where(x > 0, 0, x)
    return np.where(x > 0, 1, alpha * np.exp(safe))
""",
            # a loop over the elements, only computing the branch that applies
            """\
def elu_np(x, alpha=1.0):
    x = np.asarray(x)
    out = np.empty_like(x)
    for index, value in np.ndenumerate(x):
        out[index] = value if value > 0 else alpha * math.expm1(value)
    return out


def elu_deriv_np(x, alpha=1.0):
    x = np.asarray(x)
    out = np.empty_like(x)
    for index, value in np.ndenumerate(x):
        out[index] = 1.0 if value > 0 else alpha * math.exp(value)
    return out
""",
        ],
        "wrong": [
            # np.where evaluates exp(1000) in the unselected branch: overflow warning
            """\
def elu_np(x, alpha=1.0):
    return np.where(x > 0, x, alpha * (np.exp(x) - 1))


def elu_deriv_np(x, alpha=1.0):
    return np.where(x > 0, 1, alpha * np.exp(x))
""",
            # safe branches, but e^x - 1 instead of expm1 (inaccurate for tiny x) and
            # the derivative 1 at x = 0 instead of alpha
            """\
def elu_np(x, alpha=1.0):
    return np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0)) - 1))


def elu_deriv_np(x, alpha=1.0):
    return np.where(x >= 0, 1, alpha * np.exp(np.minimum(x, 0)))
""",
        ],
    },
    "q3": {
        "alternatives": [
            # torch's log-sum-exp of 0 and x, and torch.sigmoid in backward
            """\
class SoftplusFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.logaddexp(torch.zeros_like(x), x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * torch.sigmoid(x)
""",
            # saves sigma(x) itself in forward instead of x
            """\
class SoftplusFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(sigmoid_torch(x))
        return torch.relu(x) + torch.log1p(torch.exp(-torch.abs(x)))

    @staticmethod
    def backward(ctx, grad_output):
        (s,) = ctx.saved_tensors
        return s * grad_output
""",
        ],
        "wrong": [
            # backward forgets the chain rule's factor grad_output
            """\
class SoftplusFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.clamp(x, min=0) + torch.log1p(torch.exp(-x.abs()))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return sigmoid_torch(x)
""",
            # backward returns the forward value, softplus(x), instead of its derivative
            """\
class SoftplusFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.clamp(x, min=0) + torch.log1p(torch.exp(-x.abs()))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * (torch.clamp(x, min=0) + torch.log1p(torch.exp(-x.abs())))
""",
        ],
    },
}
