"""The book's interactive figures: plotly, with precomputed slider steps, no kernel needed.

One module per figure, each drawing only what its chapter computes and passes in:

- :mod:`.explorer` — ``activation_explorer(activations, value_and_derivative)``
  (chapter 3: the chapter's activations and its autograd helper);
- :mod:`.depth` — ``depth_slider(landmarks, products)`` (chapter 2: its float32
  landmarks and the products ¼ᴸ multiplied out in float32);
- :mod:`.dead_neurons` — ``dead_neuron_grid(...)`` (chapter 3: the alive/active masks of
  the chapter's own dead-neuron exercise);
- :mod:`.softmax` — the temperature slider (chapter 6: the probabilities and the
  Jacobian's size at each temperature, computed by the chapter);
- :mod:`._plotly` — what they share: the displayed object (HTML for the website, plotly
  JSON for JupyterLab, alt text), named traces, sliders, the text table, the config.

A chapter embeds a figure with a cell whose last expression is the call. The website
loads one shared plotly.js (``book/_ext/offline_plotly.py``).
"""
