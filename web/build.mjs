// Bundles the dashboard into the directory given: index.html, assets/app.js (src/main.ts with
// uPlot), assets/app.css (uPlot's CSS and app.css) and assets/favicon.svg. CMake runs it
// (cmake/Dashboard.cmake) and embeds the result in the binary; it reads only web/ and
// web/node_modules, so it works offline.
// Usage: node build.mjs <outdir>
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const outdir = process.argv[2];
if (!outdir) {
  console.error('usage: node build.mjs <outdir>');
  process.exit(2);
}
const webDir = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(outdir);

await mkdir(path.join(out, 'assets'), { recursive: true });
await esbuild.build({
  absWorkingDir: webDir,
  entryPoints: { app: 'src/main.ts' },
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  outdir: path.join(out, 'assets'),
  legalComments: 'eof', // uPlot's MIT notice stays in the bundle
  logLevel: 'warning',
});
await copyFile(path.join(webDir, 'index.html'), path.join(out, 'index.html'));
await copyFile(path.join(webDir, 'favicon.svg'), path.join(out, 'assets', 'favicon.svg'));
