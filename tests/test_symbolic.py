"""Unit tests for sigmoidbook.symbolic, the printer of chapter 1's checked steps.

Each test pins a way the printed step could mislead a reader: a dropped bracket
that changes the meaning, a derivative that does not read as σ', terms reordered.
"""

import pytest
import sympy as sp

from sigmoidbook.symbolic import (
    StepChecker,
    U,
    added,
    as_text,
    derivation_latex,
    multiplied,
    step_latex,
    tex,
)

x = sp.Symbol("x", real=True)
y = sp.Symbol("y", real=True)
sigma = sp.Function("sigma")
SIGMA_X = r"\sigma{\left(x \right)}"


def test_protected_negative_factor_is_bracketed():
    # 1·(−e^{−x}) must not read as 1 − e^{−x} or as the ungrammatical 1 · − e^{−x}
    assert tex(multiplied(1, U(-sp.exp(-x)))) == r"1 \cdot \left(- e^{- x}\right)"
    assert tex(added(1, U(-sp.exp(-x)))) == r"1 + \left(- e^{- x}\right)"


def test_protected_product_under_a_derivative_is_bracketed():
    # d/dx (σ·(1 − σ)), not (d/dx (1 − σ))·σ
    text = tex(sp.Derivative(U(multiplied(sigma(x), 1 - sigma(x))), x))
    assert text.startswith(r"\frac{d}{d x} \left(")
    assert text.endswith(r"\right)")
    assert text.count(r"\left(") == text.count(r"\right)")


def test_protected_positive_term_is_not_bracketed():
    assert tex(U(x)) == "x"
    assert tex(added(U(1 + sp.exp(-x)), 1)) == r"1 + e^{- x} + 1"


def test_derivative_of_a_named_function_prints_with_primes():
    assert tex(sp.Derivative(sigma(x), x)) == r"\sigma'(x)"
    assert tex(sp.Derivative(sigma(x), (x, 2))) == r"\sigma''(x)"
    assert tex(sp.Derivative(sigma(-x), x)).startswith(r"\frac{d}{d x}")
    assert tex(sp.Derivative(x * sp.exp(x), x)).startswith(r"\frac{d}{d x}")


def test_terms_and_factors_keep_the_order_written():
    assert tex(added(sigma(x), -y)) == SIGMA_X + " - y"
    assert tex(added(-y, sigma(x))) == "- y + " + SIGMA_X
    assert tex(multiplied(sigma(x), 1 - sigma(x))).startswith(SIGMA_X + r" \cdot")


def test_as_text_mixes_text_and_mathematics():
    assert as_text(r"definition of $\sigma$") == r"\text{definition of }\sigma"
    assert as_text("$x = t$, so $|x| = t$") == r"x = t\text{, so }|x| = t"
    assert as_text("quotient rule") == r"\text{quotient rule}"
    assert as_text("") == ""


def test_step_and_derivation_layout():
    assert (
        step_latex(sigma(0), sp.Rational(1, 2))
        == r"\sigma{\left(0 \right)} = \frac{1}{2}"
    )
    assert step_latex(x, x, "symmetry").endswith(r"\qquad\text{(symmetry)}")
    chain = derivation_latex(x, [(added(x, 0), "add $0$"), (x, "tidy")])
    assert chain == (
        r"\begin{aligned}x&= x + 0 && \text{add }0 \\ &= x && \text{tidy}\end{aligned}"
    )


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: as_text("half $x open"), ValueError, "unbalanced"),
        (lambda: as_text(3), TypeError, "string"),
        (lambda: tex("x + 1"), TypeError, "string"),
        (lambda: tex(object()), TypeError, "SymPy expression"),
        (lambda: added(x), ValueError, "at least two"),
        (lambda: multiplied(x, "1 - x"), TypeError, "factor 1"),
        (lambda: derivation_latex(x, []), ValueError, "at least one step"),
        (lambda: derivation_latex(x, [x]), ValueError, "step 0"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ------------------------------------------------------------------ the step checker
SIGMOID = sp.Lambda(x, 1 / (1 + sp.exp(-x)))


@pytest.fixture
def checker():
    return StepChecker({sigma: SIGMOID})


def test_checker_accepts_the_derivative_and_refuses_the_slip(checker, capsys):
    derivative = sp.Derivative(sigma(x), x)
    checker.check_step(derivative, sigma(x) * (1 - sigma(x)))
    with pytest.raises(AssertionError, match="not an identity"):
        checker.check_step(derivative, sp.exp(-x) / (1 + sp.exp(-x)))


def test_checker_uses_definitions_added_later(checker):
    softplus = sp.Function("softplus")
    assert not checker.is_identity(sp.Derivative(softplus(x), x), sigma(x))
    checker.definitions[softplus] = sp.Lambda(x, sp.log(1 + sp.exp(x)))
    assert checker.is_identity(sp.Derivative(softplus(x), x), sigma(x))


def test_checker_needs_exp_rewriting_for_tanh(checker):
    assert checker.is_identity(sp.tanh(x), 2 * sigma(2 * x) - 1)


def test_checker_accepts_a_cancelled_singularity_as_documented(checker):
    # equal wherever both sides are defined: what the chapter says a check means
    assert checker.is_identity((x**2 - 1) / (x - 1), x + 1)


def test_derivation_names_the_failing_link(checker):
    steps = [(SIGMOID(x), "definition"), (1 / (1 + sp.exp(x)), "a slip")]
    with pytest.raises(AssertionError, match="step 1 fails"):
        checker.check_derivation(sigma(x), steps)


def test_derivation_checks_equalities_not_reasons(checker):
    checker.check_derivation(sigma(x), [(SIGMOID(x), "by the quotient rule")])


def test_check_positive(checker):
    checker.check_positive(sigma(x))
    with pytest.raises(AssertionError, match="cannot prove"):
        checker.check_positive(sigma(x) - sp.Rational(1, 2))


def test_checker_bad_input_is_named(checker):
    with pytest.raises(TypeError, match="definitions must be a dict"):
        StepChecker([(sigma, SIGMOID)])
    with pytest.raises(TypeError, match="not SymPy"):
        checker.is_identity("sigma(x)", sigma(x))
    with pytest.raises(ValueError, match="step 0 must be an"):
        checker.check_derivation(sigma(x), [SIGMOID(x)])
