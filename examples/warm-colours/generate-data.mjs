#!/usr/bin/env node
// Writes data/colours.csv: 400 random RGB colours, each labelled warm (1) or cool (0) by a rule a
// person would recognise, plus noise so the label is not a deterministic function of the inputs:
//   warmth = (r - b) / 255 + 0.25 * (g - 128) / 255 * sign(r - b) + N(0, 0.12)
//   is_warm = warmth > 0
// Red/orange/yellow are warm, blue/cyan/violet cool; colours near the boundary are sometimes
// labelled either way, as people do. Seeded: the same file every time.
// Usage: node examples/warm-colours/generate-data.mjs [rows] > examples/warm-colours/data/colours.csv
const rows = Number(process.argv[2] ?? 400);
let state = 20261207;
const uniform = () => {
  // mulberry32
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
const byte = () => Math.floor(uniform() * 256);

const lines = ['colour_id,r,g,b,is_warm'];
for (let i = 1; i <= rows; i++) {
  const [r, g, b] = [byte(), byte(), byte()];
  const warmth = (r - b) / 255 + (0.25 * (g - 128) * Math.sign(r - b)) / 255 + 0.12 * normal();
  lines.push(`c${String(i).padStart(4, '0')},${r},${g},${b},${warmth > 0 ? 1 : 0}`);
}
process.stdout.write(`${lines.join('\n')}\n`);
