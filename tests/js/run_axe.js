/* axe-core on the whole page with every rule it runs by default: the check of
 * tests/test_accessibility.py, run by tests/test_site_reader.py's visit of each
 * page (after axe.min.js is added to the page).  Options, none of which changes
 * which rules run, on which elements, or what they find:
 * - resultTypes: ['violations'] — passes/incomplete/inapplicable come back with
 *   one node each instead of every node (documented for big pages); violations
 *   come back in full;
 * - noHtml: true — no outerHTML copy of every node checked (the report names
 *   nodes by their selector, `target`);
 * - preload: false — axe's CSSOM preload re-fetches every stylesheet and resolves
 *   theme.css's `@import "../basic.css"` against the page, not the stylesheet (a
 *   404 for /basic.css that no reader's browser makes); it only serves the
 *   css-orientation-lock rule.
 */
async () => {
  const result = await axe.run(document, {
    resultTypes: ['violations'], noHtml: true, preload: false,
  });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5), count: v.nodes.length,
  }));
}
