// deckgen preview: TeX -> SVG with MathJax itself, configured as Anki's reviewer configures it (ts/mathjax/index.ts:
// the full TeX input, mhchem included, with noerrors and mathtools added and textmacros removed; Anki draws with the
// CHTML output, which lays out exactly as the SVG output does). Glyphs are kept inside each formula's SVG.
// Reads [[tex, display], ...] as JSON on stdin; writes {"css": the SVG output's stylesheet, "items": [svg or
// {"error": message}, ...]} as JSON on stdout.
"use strict";
const path = require("path");
const base = path.join(__dirname, "mathjax", "es5");
require(path.join(base, "node-main.js"))
  .init({
    loader: {paths: {mathjax: base}, load: ["input/tex-full", "output/svg", "adaptors/liteDOM"]},
    tex: {packages: {"[+]": ["noerrors", "mathtools"], "[-]": ["textmacros"]}},
    svg: {fontCache: "local"},
    startup: {typeset: false},
  })
  .then((MathJax) => {
    const adaptor = MathJax.startup.adaptor;
    const items = JSON.parse(require("fs").readFileSync(0, "utf8")).map(([tex, display]) => {
      try {
        return adaptor.outerHTML(MathJax.tex2svg(tex, {display}));
      } catch (e) {
        return {error: String((e && e.message) || e)};
      }
    });
    process.stdout.write(JSON.stringify({css: adaptor.textContent(MathJax.svgStylesheet()), items}));
  })
  .catch((e) => {
    process.stderr.write(String((e && e.stack) || e));
    process.exit(1);
  });
