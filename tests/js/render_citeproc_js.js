// Render a bibliography with citeproc-js, the CSL reference implementation, as an
// independent check of what pandoc's citeproc gives.
// usage: node render_citeproc_js.js ITEMS.json STYLE.csl LOCALE.xml  -> JSON {key: text}
const fs = require("fs");
const CSL = require("citeproc");
const [items, style, locale] = process.argv.slice(2).map((p) => fs.readFileSync(p, "utf8"));
const byId = {};
for (const it of JSON.parse(items)) byId[it.id] = it;
const sys = {
  retrieveLocale: () => locale,
  retrieveItem: (id) => byId[id],
};
const engine = new CSL.Engine(sys, style, "en-US");
engine.setOutputFormat("text");
engine.updateItems(Object.keys(byId));
const [meta, entries] = engine.makeBibliography();
const out = {};
meta.entry_ids.forEach((ids, i) => { out[ids[0]] = entries[i].replace(/\s+/g, " ").trim(); });
process.stdout.write(JSON.stringify(out));
