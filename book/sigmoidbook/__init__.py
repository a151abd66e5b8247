"""Shared helpers for the book *Sigmoid, ReLU and Vanishing Gradients*.

One small package, in the spirit of Dive into Deep Learning's ``d2l``: the
chapters import what several of them need, and keep the maths they teach in
the chapter itself.

Submodules
----------
data
    :func:`~sigmoidbook.data.load_mnist`, the checksummed MNIST loader.
"""

__version__ = "0.1.0"
