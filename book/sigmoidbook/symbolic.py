"""Chapter 1's step checker and its display plumbing: check a step, build it as written, print it.

Chapter 1 checks every step of its derivations with SymPy: :class:`StepChecker`'s
``check_step`` and ``check_derivation`` assert an identity, *then* display it.  What a
check establishes is that the two sides are equal wherever both are defined (SymPy may
cancel a removable singularity: ``(x**2 - 1)/(x - 1) == x + 1`` is accepted), and only
the equalities are checked, never the reasons written beside them.

The rest of the module is display plumbing.  SymPy tidies an expression as soon as it is built, so the numerator
``(1 + e^{-x}) - 1`` would become ``e^{-x}`` before it could be shown; an intermediate
step therefore has to be built *as written* and printed *as built*::

    from sigmoidbook.symbolic import U, added, multiplied, step_latex, tex

    tex(multiplied(1, U(-sp.exp(-x))))   # '1 \\cdot \\left(- e^{- x}\\right)'
    tex(sp.Derivative(sigma(x), x))      # "\\sigma'(x)"

``U`` (SymPy's ``UnevaluatedExpr``) protects a sub-expression, :func:`added` and
:func:`multiplied` keep their terms and factors as given, :func:`tex` prints with
:class:`StepPrinter`, and :func:`as_text` turns a reason such as
``"definition of $\\sigma$"`` into LaTeX.
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter

__all__ = [
    "StepChecker",
    "U",
    "added",
    "multiplied",
    "StepPrinter",
    "tex",
    "as_text",
    "step_latex",
    "derivation_latex",
]

#: Protects a sub-expression from SymPy's automatic simplification.
U = sp.UnevaluatedExpr


def _as_sympy(items: tuple, what: str) -> list[sp.Basic]:
    if len(items) < 2:
        raise ValueError(f"an unevaluated {what} needs at least two, got {len(items)}")
    result = []
    for number, item in enumerate(items):
        try:
            result.append(sp.sympify(item, strict=True))
        except sp.SympifyError:
            raise TypeError(
                f"{what} {number} must be a SymPy expression or a number, "
                f"got {type(item).__name__} {item!r}"
            ) from None
    return result


def added(*terms: object) -> sp.Add:
    """The sum of ``terms``, unevaluated: the terms stay as given, in the order given."""
    return sp.Add(*_as_sympy(terms, "sum's term"), evaluate=False)


def multiplied(*factors: object) -> sp.Mul:
    """The product of ``factors``, unevaluated: ``multiplied(1, v)`` keeps the ``1 ·``."""
    return sp.Mul(*_as_sympy(factors, "product's factor"), evaluate=False)


class StepPrinter(LatexPrinter):
    """SymPy's LaTeX printer with two changes that a step written by hand needs.

    * A protected (``U``) product or negative term is bracketed, so that
      ``1·(−e^{−x})`` does not print as ``1 − e^{−x}``, nor ``d/dx (σ·(1 − σ))``
      as ``(d/dx σ)·(1 − σ)``.
    * The derivative of a named (undefined) function in its own argument prints with
      primes: ``Derivative(sigma(x), x)`` as ``σ'(x)``, the second as ``σ''(x)``.
    """

    def _print_UnevaluatedExpr(self, expr: sp.UnevaluatedExpr) -> str:
        inner = expr.args[0]
        text = self._print(inner)
        if inner.is_Mul or inner.could_extract_minus_sign():
            return rf"\left({text}\right)"
        return text

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        f = expr.expr
        if (
            isinstance(f, AppliedUndef)
            and len(f.args) == 1
            and set(expr.variables) == set(f.args)
        ):
            primes = "'" * expr.derivative_count
            return f"{self._print(f.func)}{primes}({self._print(f.args[0])})"
        return super()._print_Derivative(expr)


def tex(expr: object) -> str:
    """``expr`` in LaTeX exactly as built: terms in the order written, ``·`` for products."""
    if isinstance(expr, str):
        raise TypeError(f"tex needs a SymPy expression, not the string {expr!r}")
    try:
        expr = sp.sympify(expr, strict=True)
    except sp.SympifyError:
        raise TypeError(
            f"tex needs a SymPy expression, got {type(expr).__name__} {expr!r}"
        ) from None
    printer = StepPrinter({"mul_symbol": "dot", "order": "none"})
    return printer.doprint(expr)


def as_text(reason: str) -> str:
    r"""A reason for a step in LaTeX: text outside ``$…$``, mathematics inside.

    >>> as_text("definition of $\\sigma$")
    '\\text{definition of }\\sigma'
    """
    if not isinstance(reason, str):
        raise TypeError(f"a reason must be a string, got {type(reason).__name__}")
    parts = reason.split("$")
    if len(parts) % 2 == 0:
        raise ValueError(f"unbalanced $ in the reason {reason!r}")
    return "".join(
        part if i % 2 else rf"\text{{{part}}}" for i, part in enumerate(parts) if part
    )


def step_latex(lhs: object, rhs: object, reason: str = "") -> str:
    r"""One step ``lhs = rhs``, with its reason in brackets after a ``\qquad``."""
    note = r"\qquad" + as_text(f"({reason})") if reason else ""
    return f"{tex(lhs)} = {tex(rhs)}{note}"


def derivation_latex(start: object, steps: Iterable[tuple[object, str]]) -> str:
    """A chain ``start = e_1 = e_2 = …`` as an ``aligned`` block, a reason on each line.

    ``steps`` holds ``(expression, reason)`` pairs, as chapter 1's
    ``check_derivation`` takes them.
    """
    lines = []
    for number, step in enumerate(steps):
        if not (isinstance(step, tuple) and len(step) == 2):
            raise ValueError(
                f"step {number} must be an (expression, reason) pair, got {step!r}"
            )
        expression, reason = step
        lines.append(f"&= {tex(expression)} && {as_text(reason)}")
    if not lines:
        raise ValueError("a derivation needs at least one step")
    body = tex(start) + r" \\ ".join(lines)
    return r"\begin{aligned}" + body + r"\end{aligned}"


class StepChecker:
    """Checks a step, or a chain of steps, with SymPy before displaying it.

    ``definitions`` maps each named function (``sp.Function("sigma")``) to what it means
    (an ``sp.Lambda``).  The checker keeps the dictionary itself, not a copy, so a
    definition the chapter adds later (``DEFINITIONS[logit] = …``) is used from then on.

    A step ``lhs = rhs`` is accepted when ``lhs - rhs``, with every definition
    substituted, simplifies to 0 (directly or after rewriting in ``exp``, which ``tanh``
    needs): the two sides are then equal wherever both are defined.
    """

    def __init__(self, definitions: dict):
        if not isinstance(definitions, dict):
            raise TypeError(
                "definitions must be a dict {sp.Function: sp.Lambda}, "
                f"got {type(definitions).__name__}"
            )
        self.definitions = definitions

    def is_identity(self, lhs: object, rhs: object) -> bool:
        """Whether SymPy can show ``lhs == rhs`` once the definitions are substituted."""
        for number, side in enumerate((lhs, rhs)):
            if isinstance(side, str):
                raise TypeError(f"side {number} is the string {side!r}, not SymPy")
        difference = (sp.sympify(lhs) - sp.sympify(rhs)).subs(self.definitions).doit()
        if sp.simplify(difference) == 0:
            return True
        return sp.simplify(difference.rewrite(sp.exp)) == 0

    def check_step(self, lhs: object, rhs: object, reason: str = "") -> None:
        """Assert ``lhs = rhs``, then display it with its (unchecked) ``reason``."""
        assert self.is_identity(lhs, rhs), f"not an identity: {lhs} = {rhs}"
        _show(step_latex(lhs, rhs, reason))

    def check_derivation(self, start: object, steps: list) -> None:
        """Assert every link of ``start = e_1 = e_2 = …``, then display the chain.

        ``steps`` holds ``(expression, reason)`` pairs; each expression must equal the
        one before it.
        """
        previous = start
        for number, step in enumerate(steps):
            if not (isinstance(step, tuple) and len(step) == 2):
                raise ValueError(
                    f"step {number} must be an (expression, reason) pair, got {step!r}"
                )
            expression, _reason = step
            assert self.is_identity(previous, expression), (
                f"step {number} fails: {previous} = {expression}"
            )
            previous = expression
        _show(derivation_latex(start, steps))

    def check_positive(self, expr: object) -> None:
        """Assert that SymPy proves ``expr > 0`` (from the symbols' assumptions), then show it."""
        expanded = sp.simplify(sp.sympify(expr).subs(self.definitions).doit())
        assert expanded.is_positive, f"SymPy cannot prove {expr} > 0"
        _show(f"{tex(expr)} > 0")


def _show(latex: str) -> None:
    from IPython.display import Math, display

    display(Math(latex))
