/* The book's plotly figures on the website (offline_plotly.py adds this script,
   deferred, to the pages with a figure only).
   1. Draws every figure whose JSON is in a <script class="sigmoidbook-plotly-json">
      (sigmoidbook.figures._plotly.InteractiveFigure.to_html).  plotly.js (4.8 MB) is
      not in the page's <head>: this script loads it (plotly.min.js, next to this
      file) only when a figure comes near the viewport (IntersectionObserver), so a
      reader who never scrolls to a figure never downloads it; until then the figure's
      space is reserved and its data table is there.  Before printing, every figure
      is drawn (beforeprint), and window.sigmoidbookDrawAllFigures() draws them all
      and resolves once they are drawn (the PDF builder, tests).  A page built to be
      printed whole (the single-page build for the PDF) marks this script with
      data-draw="all": it draws every figure at once.
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

  // The script's own URL, read while it runs: plotly.min.js sits beside it.
  var self = document.currentScript;
  // data-plotly-version (offline_plotly.py) versions the URL, like Sphinx's ?v=.
  var version = self && self.dataset.plotlyVersion;
  var PLOTLY_URL = (self ? new URL("plotly.min.js", self.src).href : "plotly.min.js") +
    (version ? "?v=" + version : "");
  var plotlyLoading = null;

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!plotlyLoading) {
      plotlyLoading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = PLOTLY_URL;
        script.onload = function () { resolve(window.Plotly); };
        script.onerror = function () {
          plotlyLoading = null;
          reject(new Error("could not load " + PLOTLY_URL));
        };
        document.head.appendChild(script);
      });
    }
    return plotlyLoading;
  }

  var drawing = {};

  function draw(script) {
    var id = script.dataset.target;
    if (!drawing[id]) {
      drawing[id] = loadPlotly().then(function () {
        var div = document.getElementById(id);
        if (!div || div._fullLayout) return div;
        var figure = JSON.parse(script.textContent);
        return Plotly.newPlot(div, figure.data, figure.layout, figure.config)
          .then(addKeyboardControls);
      });
    }
    return drawing[id];
  }

  function figureScripts() {
    return Array.prototype.slice.call(document.querySelectorAll("script.sigmoidbook-plotly-json"));
  }

  function drawAllFigures() {
    return Promise.all(figureScripts().map(draw)).then(function () {});
  }
  window.sigmoidbookDrawAllFigures = drawAllFigures;

  // Printing cannot wait for plotly.js: a figure not drawn yet prints as its data
  // table (opened for the print, closed again after), while every figure starts
  // drawing for the next print.
  function beforePrint() {
    figureScripts().forEach(function (script) {
      var div = document.getElementById(script.dataset.target);
      var box = div && div.closest(".sigmoidbook-interactive");
      if (!box || div._fullLayout) return;
      box.classList.add("sigmoidbook-print-table");
      var table = box.querySelector("details.sigmoidbook-data");
      if (table && !table.open) {
        table.open = true;
        table.dataset.openedForPrint = "1";
      }
    });
    drawAllFigures();
  }

  function afterPrint() {
    document.querySelectorAll(".sigmoidbook-print-table").forEach(function (box) {
      box.classList.remove("sigmoidbook-print-table");
      var table = box.querySelector("details[data-opened-for-print]");
      if (table) {
        table.open = false;
        delete table.dataset.openedForPrint;
      }
    });
  }

  function start() {
    // Figures drawn by an inline script (outputs made before the JSON form).
    document.querySelectorAll(".plotly-graph-div").forEach(function (div) {
      if (div._fullLayout) addKeyboardControls(div);
    });
    var scripts = figureScripts();
    if (!scripts.length) return;
    window.addEventListener("beforeprint", beforePrint);
    window.addEventListener("afterprint", afterPrint);
    if ((self && self.dataset.draw === "all") || !("IntersectionObserver" in window)) {
      drawAllFigures();
      return;
    }
    var byTarget = {};
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        draw(byTarget[entry.target.id]);
      });
    }, { rootMargin: "400px 0px" });
    scripts.forEach(function (script) {
      var div = document.getElementById(script.dataset.target);
      if (!div) return;
      byTarget[div.id] = script;
      observer.observe(div);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
