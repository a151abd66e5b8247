/* The book's plotly figures on the website (offline_plotly.py adds this script,
   deferred after plotly.min.js, to the pages with a figure only).
   1. Draws every figure whose JSON is in a <script class="sigmoidbook-plotly-json">
      (sigmoidbook.figures._plotly.InteractiveFigure.to_html), so plotly.js can load
      deferred instead of blocking the first paint.
   2. Gives every slider a keyboard control beside it: a native range input
      (arrow keys, Home/End; a screen reader announces the step's label) that
      applies the same precomputed step as the mouse slider, and follows it. */
(function () {
  "use strict";

  function keyboardControl(div, slider, index) {
    var steps = slider.steps || [];
    if (steps.length < 2 || steps.some(function (s) { return s.method !== "update"; })) return;
    var prefix = ((slider.currentvalue || {}).prefix || "").replace(/[\s=:]+$/, "");
    var id = div.id + "-keys-" + index;
    var box = document.createElement("div");
    box.className = "sigmoidbook-slider-keys";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = (prefix || "Step") + " (keyboard: arrow keys)";
    var input = document.createElement("input");
    input.type = "range";
    input.id = id;
    input.min = "0";
    input.max = String(steps.length - 1);
    input.step = "1";
    var output = document.createElement("output");
    output.htmlFor = id;
    output.setAttribute("aria-hidden", "true");
    var show = function (k) {
      input.value = String(k);
      input.setAttribute("aria-valuetext", steps[k].label);
      output.textContent = steps[k].label;
    };
    show(slider.active || 0);
    input.addEventListener("input", function () {
      var k = Number(input.value);
      var args = steps[k].args;
      var relayout = Object.assign({}, args[1]);
      relayout["sliders[" + index + "].active"] = k;
      Plotly.update(div, args[0], relayout, args[2]);
      show(k);
    });
    div.on("plotly_sliderchange", function () {
      var shown = div._fullLayout && div._fullLayout.sliders;
      if (shown && shown[index]) show(shown[index].active);
    });
    box.append(label, input, output);
    (div.closest(".sigmoidbook-plot") || div.parentElement).after(box);
  }

  function addKeyboardControls(div) {
    if (div.dataset.sigmoidbookKeys) return;
    div.dataset.sigmoidbookKeys = "1";
    ((div.layout && div.layout.sliders) || []).forEach(function (slider, index) {
      keyboardControl(div, slider, index);
    });
  }

  function drawAll() {
    document.querySelectorAll("script.sigmoidbook-plotly-json").forEach(function (script) {
      var div = document.getElementById(script.dataset.target);
      if (!div || div._fullLayout) return;
      var figure = JSON.parse(script.textContent);
      Plotly.newPlot(div, figure.data, figure.layout, figure.config).then(addKeyboardControls);
    });
    // Figures drawn by an inline script (outputs made before the JSON form).
    document.querySelectorAll(".plotly-graph-div").forEach(function (div) {
      if (div._fullLayout) addKeyboardControls(div);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
