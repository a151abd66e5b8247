"""Alternative correct and common wrong answers to chapter 1's exercises.

Each entry is the full code a student would put in the question's answer cell (one
cell per question in chapter 1).  The exercises may use the chapter's names: ``sp``,
``np``, ``x``, ``sigma``, ``sigmoid``, ``softplus``, ``DEFINITIONS``, ``bce``, ``z``,
``y``, ``is_identity``, ``check_step``.  tests/test_answer_variants.py grades them.
"""

ANSWERS = {
    "q1": {
        "alternatives": [
            # the polynomial typed in, expanded
            """
s_ex = sp.Symbol("s")
second_derivative_in_s = s_ex * (1 - s_ex) * (1 - 2 * s_ex)
third_derivative_in_s = s_ex - 7 * s_ex**2 + 12 * s_ex**3 - 6 * s_ex**4
""",
            # the chain rule left unevaluated, with a symbol that has assumptions
            """
s_ex = sp.Symbol("s", positive=True)
second_derivative_in_s = s_ex * (1 - s_ex) * (1 - 2 * s_ex)
third_derivative_in_s = sp.Derivative(second_derivative_in_s, s_ex) * s_ex * (1 - s_ex)
""",
            # floating-point coefficients
            """
s_ex = sp.Symbol("s")
second_derivative_in_s = s_ex * (1 - s_ex) * (1 - 2 * s_ex)
third_derivative_in_s = s_ex * (1 - s_ex) * (1.0 - 6.0 * s_ex + 6.0 * s_ex**2)
""",
        ],
        "wrong": [
            # forgets the chain rule's factor σ' = s(1 - s)
            """
s_ex = sp.Symbol("s")
second_derivative_in_s = s_ex * (1 - s_ex) * (1 - 2 * s_ex)
third_derivative_in_s = sp.diff(second_derivative_in_s, s_ex)
""",
            # guesses the pattern: one more factor (1 - 2s)
            """
s_ex = sp.Symbol("s")
second_derivative_in_s = s_ex * (1 - s_ex) * (1 - 2 * s_ex)
third_derivative_in_s = s_ex * (1 - s_ex) * (1 - 2 * s_ex) ** 2
""",
            # answers in x, not as a polynomial in s
            """
s_ex = sp.Symbol("s")
second_derivative_in_s = s_ex * (1 - s_ex) * (1 - 2 * s_ex)
third_derivative_in_s = sp.diff(sigmoid(x), x, 3)
""",
        ],
    },
    "q2": {
        "alternatives": [
            # written with the chapter's softplus and σ; the curvature of bce itself
            """
bce_softplus_form = softplus(z) - y * z
bce_curvature = sp.diff(bce, z, 2)
""",
            # softplus(-z) + (1 - y) z, and σ' written with the chapter's sigma
            """
bce_softplus_form = sp.log(1 + sp.exp(-z)) + (1 - y) * z
bce_curvature = sigma(z) * (1 - sigma(z))
""",
            # the solution's form, the curvature from the exponential directly
            """
bce_softplus_form = sp.log(1 + sp.exp(z)) - y * z
bce_curvature = sp.exp(-z) / (1 + sp.exp(-z)) ** 2
""",
        ],
        "wrong": [
            # sign error: + yz
            """
bce_softplus_form = sp.log(1 + sp.exp(z)) + y * z
bce_curvature = sp.diff(bce_softplus_form, z, 2)
""",
            # stops at the first derivative
            """
bce_softplus_form = sp.log(1 + sp.exp(z)) - y * z
bce_curvature = sp.diff(bce_softplus_form, z)
""",
            # softplus(-z) for softplus(z), and the curvature of that
            """
bce_softplus_form = sp.log(1 + sp.exp(-z)) - y * z
bce_curvature = sp.diff(bce_softplus_form, z, 2)
""",
        ],
    },
    "q3": {
        "alternatives": [
            # SymPy differentiates x σ(x), written with the chapter's sigma
            """
silu_expr = x * sigmoid(x)
# SiLU' = σ(1 + x(1 - σ)) and σ > 0, so the sign is that of 1 + x(1 - σ)
silu_prime = sp.diff(x * sigma(x), x)
silu_min_x = float(sp.nsolve(silu_prime.subs(DEFINITIONS).doit(), x, -1))
silu_min_value = float(silu_expr.subs(x, silu_min_x))
""",
            # the explicit derivative; float32 numbers; the bonus's closed form
            """
silu_expr = x * sigmoid(x)
# SiLU' = σ + xσ(1 - σ) = σ(1 + x(1 - σ)); σ > 0
silu_prime = sp.diff(silu_expr, x)
silu_min_x = np.float32(-1 - sp.LambertW(sp.exp(-1)))
silu_min_value = np.float32(silu_min_x + 1)
""",
            # σ + xσ(1 - σ) with the chapter's sigma; a SymPy Float from nsolve
            """
silu_expr = x * sigmoid(x)
# product rule; the sign is that of 1 + x(1 - σ) because σ > 0
silu_prime = sigma(x) + x * sigma(x) * (1 - sigma(x))
silu_min_x = sp.nsolve(silu_prime.subs(DEFINITIONS), x, -1)
silu_min_value = silu_expr.subs(x, silu_min_x)
""",
        ],
        "wrong": [
            # product rule without its first term: x σ'(x); the minimum guessed at -1
            """
silu_expr = x * sigmoid(x)
silu_prime = x * sigma(x) * (1 - sigma(x))
silu_min_x = -1.0
silu_min_value = float(silu_expr.subs(x, silu_min_x))
""",
            # solves SiLU = 0 instead of SiLU' = 0
            """
silu_expr = x * sigmoid(x)
silu_prime = sp.diff(silu_expr, x)
silu_min_x = float(sp.nsolve(silu_expr, x, -1))
silu_min_value = float(silu_expr.subs(x, silu_min_x))
""",
            # stores the value of SiLU' at the minimum instead of SiLU's
            """
silu_expr = x * sigmoid(x)
silu_prime = sp.diff(silu_expr, x)
silu_min_x = float(sp.nsolve(silu_prime, x, -1))
silu_min_value = float(silu_prime.subs(x, silu_min_x))
""",
        ],
    },
}
