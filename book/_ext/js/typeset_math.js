// Typesets a built page's math with MathJax 3 in Node.js (book/_ext/static_math.py).
//
// Usage: node typeset_math.js <MathJax root>   (JSON on stdin, JSON on stdout)
//   in:  {"tex": {...}, "chtml": {...}, "formulas": [{"tex": str, "display": bool}, ...]}
//   out: {"formulas": [html, ...], "css": str}
// Finding the formulas in a page is done in Python (static_math.py), which hands
// over TeX only: MathJax's own HTML parser (liteDOM) is not a browser's and misread
// some of the quizzes' HTML.  One page per process, as in a browser: the stylesheet
// covers exactly the characters the page uses (MathJax marks a character "used" in
// font tables shared by every output in the process, so a second page in the same
// process would get no rule for a character the first one used), and a \newcommand
// on one page does not leak into another.  A TeX error is typeset as
// MathJax shows it (an mjx-merror element with data-mjx-error), which static_math.py
// reports.  The MathJax components are the ones the site serves (the
// sphinx-mathjax-offline package), so formulas look as MathJax in a browser sets them.
'use strict';
const fs = require('fs');
const path = require('path');

const root = process.argv[2];
if (!root || !fs.existsSync(path.join(root, 'startup.js'))) {
  process.stderr.write(`typeset_math.js: no MathJax startup.js under ${root}\n`);
  process.exit(2);
}
const request = JSON.parse(fs.readFileSync(0, 'utf8'));

global.MathJax = {
  loader: {
    paths: {mathjax: root},
    load: ['adaptors/liteDOM', 'input/tex-full', 'output/chtml', 'a11y/assistive-mml'],
    require: require,
  },
  startup: {typeset: false},
  tex: {packages: {'[-]': ['noundefined']}, ...(request.tex || {})},
  chtml: request.chtml || {},
};
require(path.join(root, 'startup.js'));

async function typeset(formulas) {
  const {mathjax} = MathJax._.mathjax;
  const adaptor = MathJax.startup.adaptor;
  const doc = MathJax.startup.document;
  const chtml = MathJax.startup.output;
  const out = {formulas: [], css: ''};
  for (const formula of formulas) {
    const node = await mathjax.handleRetriesFor(() => doc.convert(formula.tex, {display: formula.display}));
    out.formulas.push(adaptor.outerHTML(node));
    // doc.convert() does not update the stylesheet (doc.render() would): add the
    // characters this formula used, or they would have no glyph.
    chtml.styleSheet(doc);
  }
  out.css = adaptor.textContent(chtml.styleSheet(doc)) + '\n' +
    adaptor.textContent(doc.documentStyleSheet());
  return out;
}

MathJax.startup.promise
  .then(async () => {
    process.stdout.write(JSON.stringify(await typeset(request.formulas)));
  })
  .catch((error) => {
    process.stderr.write(`typeset_math.js: ${error && error.stack ? error.stack : error}\n`);
    process.exit(1);
  });
