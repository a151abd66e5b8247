"""Handing torch modules and records over, and replaying calls that change their arguments.

Part of :mod:`coursework.harvest` (copied into the sandbox with it).

* A module of a whitelisted ``torch.nn`` class (:data:`LAYERS`) is encoded as
  ``{"module": class name, "config": {...}, "children": [[name, module]...],
  "params": {name: tensor | None}}``.  :func:`decode_module` rebuilds it from the
  *trusted* ``torch.nn`` class of that name with the handed-over tensors: nothing of
  the student's code (no class, no ``forward``) crosses over.  Any other module
  (a student's own class) is ``unsupported``.
* A dataclass instance (e.g. ``sigmoidbook.training.EpochResult``) is encoded as
  ``{"record": class name, "fields": {...}}`` and comes back as a read-only
  :class:`types.SimpleNamespace`.
* :func:`assign_into` copies a handed-over state into the trusted side's own argument
  objects (a function answer that works in place, e.g. an initialiser).
"""

from __future__ import annotations

import dataclasses
import types

#: torch.nn classes a module answer may be made of, with the constructor arguments
#: (attributes of the same name) that are handed over.
LAYERS = {
    "Sequential": (),
    "Linear": (),
    "Identity": (),
    "ReLU": (),
    "Sigmoid": (),
    "Tanh": (),
    "SiLU": (),
    "Flatten": ("start_dim", "end_dim"),
    "LeakyReLU": ("negative_slope",),
    "GELU": ("approximate",),
    "Softplus": ("beta", "threshold"),
    "ELU": ("alpha",),
    "Softmax": ("dim",),
    "LogSoftmax": ("dim",),
    "Dropout": ("p",),
}
_SCALARS = (bool, int, float, str, type(None))


def is_module(value) -> bool:
    torch = _torch()
    return torch is not None and isinstance(value, torch.nn.Module)


def _torch():
    import sys

    return sys.modules.get("torch")


def encode_module(value, encode, depth: int) -> dict:
    import torch

    name = type(value).__name__
    if name not in LAYERS or getattr(torch.nn, name, None) is not type(value):
        return {"unsupported": f"module of class {name}"}
    config = {}
    for attr in LAYERS[name]:
        item = getattr(value, attr, None)
        if type(item) not in _SCALARS:
            return {"unsupported": f"{name} with {attr}={type(item).__name__}"}
        config[attr] = encode(item, depth + 1)
    children = [[k, encode(m, depth + 1)] for k, m in value._modules.items()]
    for _, child in children:
        if isinstance(child, dict) and "unsupported" in child:
            return child  # a module holding one that cannot be handed over
    params = {
        k: (None if p is None else encode(p.detach(), depth + 1))
        for k, p in value._parameters.items()
    }
    return {
        "module": name,
        "config": config,
        "children": children,
        "params": params,
        "training": bool(value.training),
    }


def decode_module(obj: dict, decode, depth: int, error):
    """The trusted ``torch.nn`` module ``obj`` describes (``error``: the exception class)."""
    import torch

    name = obj.get("module")
    if name not in LAYERS:
        raise error(f"module class {name!r} is not handed over")
    config = obj.get("config", {})
    children = obj.get("children", [])
    params = obj.get("params", {})
    if not (isinstance(config, dict) and isinstance(children, list)):
        raise error(f"malformed {name}")
    if not isinstance(params, dict) or set(config) - set(LAYERS[name]):
        raise error(f"malformed {name}")
    kwargs = {k: decode(v, depth + 1) for k, v in config.items()}
    if any(type(v) not in _SCALARS for v in kwargs.values()):
        raise error(f"malformed {name} arguments")
    tensors = {
        k: (None if v is None else decode(v, depth + 1)) for k, v in params.items()
    }
    with torch.no_grad():
        if name == "Sequential":
            module = torch.nn.Sequential()
            for pair in children:
                if not (
                    isinstance(pair, list) and len(pair) == 2 and type(pair[0]) is str
                ):
                    raise error("malformed Sequential")
                module.add_module(pair[0], _check(decode(pair[1], depth + 1), error))
        elif name == "Linear":
            weight = tensors.get("weight")
            if not isinstance(weight, torch.Tensor) or weight.ndim != 2:
                raise error("a Linear without a 2-d weight")
            bias = tensors.get("bias")
            # skip_init: no random draw, no torch.nn.init call (a test may watch both)
            module = torch.nn.utils.skip_init(
                torch.nn.Linear,
                weight.shape[1],
                weight.shape[0],
                bias=bias is not None,
                dtype=weight.dtype,
            )
            module.weight.copy_(weight)
            if bias is not None:
                if (
                    not isinstance(bias, torch.Tensor)
                    or bias.shape != module.bias.shape
                ):
                    raise error("a Linear bias of the wrong shape")
                module.bias.copy_(bias)
        else:
            if children or any(v is not None for v in tensors.values()):
                raise error(f"{name} holds no parameters or children")
            try:
                module = getattr(torch.nn, name)(**kwargs)
            except (TypeError, ValueError) as err:
                raise error(f"{name}: {err}") from err
    module.train(obj.get("training") is not False)
    return module


def _check(module, error):
    if not is_module(module):
        raise error("a Sequential holds something that is not a module")
    return module


def encode_record(value, encode, depth: int) -> dict:
    fields = {
        f.name: encode(getattr(value, f.name), depth + 1)
        for f in dataclasses.fields(value)
    }
    return {"record": type(value).__name__, "fields": fields}


def decode_record(obj: dict, decode, depth: int, error):
    fields = obj.get("fields")
    if not isinstance(fields, dict) or not all(type(k) is str for k in fields):
        raise error("malformed record")
    return types.SimpleNamespace(**{k: decode(v, depth + 1) for k, v in fields.items()})


def assign_into(target, value) -> None:
    """Make the trusted object ``target`` hold ``value``'s state (same kind), in place."""
    torch = _torch()
    if torch is None:
        return
    with torch.no_grad():
        if isinstance(target, torch.Tensor) and isinstance(value, torch.Tensor):
            if target.shape == value.shape and target.dtype == value.dtype:
                target.copy_(value)
            else:
                target.data = value
        elif is_module(target) and is_module(value):
            _assign_module(target, value)


def _assign_module(target, value) -> None:
    if type(target) is not type(value):
        return
    for name, param in value._parameters.items():
        old = target._parameters.get(name)
        if old is None or param is None or old.shape != param.shape:
            target._parameters[name] = param
        else:
            old.copy_(param)
    for name in list(target._modules):
        if name not in value._modules:
            del target._modules[name]
    for name, child in value._modules.items():
        old = target._modules.get(name)
        if old is not None and type(old) is type(child):
            _assign_module(old, child)
        else:
            target._modules[name] = child
    target.train(value.training)
