"""Reading a SymPy expression from ``sp.srepr`` text without evaluating student text.

``sp.sympify``/``eval`` of text a submission produced would run its code in the trusted
process.  :func:`parse_srepr` parses the text with :mod:`ast` and accepts only what
``srepr`` writes: calls of SymPy classes by name (subclasses of ``sp.Basic``, or the
trusted namespace's own SymPy function classes, e.g. a chapter's ``sigma``), SymPy's named
constants (``pi``, ``oo``), numbers, ``-number``, tuples and lists of those.  Strings are accepted only where ``srepr`` puts
them (the name of a ``Symbol``/``Dummy``/``Wild``/``Function``/``Str``, the digits of
a ``Float``), keywords only with bool or int values.  Anything else
raises :class:`coursework.harvest.HarvestError`.
"""

from __future__ import annotations

import ast

import sympy as sp

try:
    from .harvest import HarvestError
except ImportError:  # a copy in the sandbox, imported as a top-level module
    from harvest import HarvestError

MAX_CHARS = 2_000_000
MAX_NODES = 200_000
#: Classes whose string arguments are names or digits (never parsed as expressions).
_STRING_ARGS = frozenset({"Symbol", "Dummy", "Wild", "Function", "Float", "Str"})


def _sympy_class(name: str, namespace: dict):
    value = getattr(sp, name, None)
    if isinstance(value, type) and issubclass(value, sp.Basic | sp.MatrixBase):
        return value
    value = namespace.get(name)
    if isinstance(value, type) and issubclass(value, sp.Function):
        return value
    return None


class _Reader:
    def __init__(self, namespace: dict):
        self.namespace = namespace

    def read(self, node):
        if isinstance(node, ast.Constant):
            if type(node.value) in (int, float, bool) or node.value is None:
                return node.value
            raise HarvestError(f"constant {type(node.value).__name__} not allowed here")
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
            and type(node.operand.value) in (int, float)
        ):
            return -node.operand.value
        if isinstance(node, ast.Tuple | ast.List):
            items = [self.read(e) for e in node.elts]
            return tuple(items) if isinstance(node, ast.Tuple) else items
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Name):  # pi, E, I, oo, nan, true, ...: SymPy constants
            value = getattr(sp, node.id, None)
            if isinstance(value, sp.Basic):
                return value
        raise HarvestError(f"{type(node).__name__} not allowed in a SymPy expression")

    def _argument(self, node, name: str):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if name not in _STRING_ARGS or len(node.value) > 200:
                raise HarvestError(f"a string argument of {name} is not allowed")
            return node.value
        return self.read(node)

    def call(self, node: ast.Call):
        func = node.func
        if isinstance(func, ast.Call):  # Function('f')(x): an undefined function
            callee = self.call(func)
            if not isinstance(callee, sp.core.function.UndefinedFunction):
                raise HarvestError("only an undefined Function can be called")
            name = "Function"
        elif isinstance(func, ast.Name):
            name = func.id
            callee = _sympy_class(name, self.namespace)
            if callee is None:
                raise HarvestError(f"{name!r} is not a SymPy class")
        else:
            raise HarvestError("only calls of SymPy classes by name")
        args = [self._argument(a, name) for a in node.args]
        kwargs = {}
        for kw in node.keywords:
            if kw.arg is None or not isinstance(kw.value, ast.Constant):
                raise HarvestError(f"keyword of {name} must be a constant")
            if type(kw.value.value) not in (bool, int):
                raise HarvestError(f"keyword {kw.arg} of {name} not allowed")
            kwargs[kw.arg] = kw.value.value
        try:
            return callee(*args, **kwargs)
        except HarvestError:
            raise
        except Exception as err:  # a malformed expression: SymPy says why
            raise HarvestError(
                f"{name}(...) failed: {type(err).__name__}: {err}"
            ) from err


def parse_srepr(text: str, namespace: dict | None = None):
    """The SymPy object that ``text`` (``sp.srepr`` output) describes (see module docs)."""
    if not isinstance(text, str) or len(text) > MAX_CHARS:
        raise HarvestError("SymPy text missing or too long")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError) as err:
        raise HarvestError(f"SymPy text does not parse: {err}") from err
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise HarvestError("SymPy expression too large")
    try:
        return _Reader(namespace or {}).read(tree.body)
    except RecursionError as err:
        raise HarvestError("SymPy expression nested too deeply") from err
