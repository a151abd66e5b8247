"""Shared helpers for the book *Sigmoid, ReLU and Vanishing Gradients*.

One small package, in the spirit of Dive into Deep Learning's ``d2l``: the
chapters import what several of them need, and keep the maths they teach in
the chapter itself.

Submodules
----------
data
    :func:`~sigmoidbook.data.load_mnist`, the checksummed MNIST loader.
style
    :func:`~sigmoidbook.style.use_book_style` and the colour-blind-safe colours
    of each activation function.
interactive
    The kernel-free plotly figures: activation explorer, depth slider,
    dead-neuron grid (each with a static matplotlib twin).
activations
    Numerically stable reference implementations (chapter 4) for floats,
    NumPy arrays and PyTorch tensors.
training
    Whole-dataset-in-memory training and evaluation loops (chapter 5).
report
    Markdown tables and glued numbers: how the chapters put computed values
    into tables and prose.
"""

__version__ = "0.1.0"
