/**
 * dist/main.js — what `npm start` runs (the build copies this file there). It runs cairn's server bundle,
 * dist/server.cjs, compiled with the V8 code cache the build wrote beside it (dist/server.cjs.cache): V8 then
 * reads the bundle's compiled top level instead of parsing 6 MB of JavaScript, the biggest part of cairn's
 * CPU time before it is ready (measured with bench/start-ready.ts). Node 20 has no compile cache for ES
 * modules (module.enableCompileCache came in 22), so the server is a CommonJS bundle run through vm.Script,
 * which takes one.
 *
 * Robust by construction: a missing or unreadable cache compiles the bundle as usual, and a cache V8 rejects
 * (another Node version, other V8 flags, a bundle rebuilt since) is ignored by V8 itself — only slower. The
 * bundle has no import(): a vm.Script compiled from a cache loses its dynamic-import callback on Node 20, so
 * the build turns the imports of what stays in node_modules into require().
 * `CAIRN_WRITE_CODE_CACHE=1 node dist/main.js` compiles the bundle, writes the cache and exits (the build runs
 * it; nothing is executed).
 *
 * Source maps: node 20 maps the stacks of modules it loads itself, not those of vm.Script code, so with
 * `--enable-source-maps` this maps the bundle's frames itself — reading dist/server.cjs.map only when a stack
 * first goes through the bundle (never on a start without errors).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire, SourceMap } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

const dir = dirname(fileURLToPath(import.meta.url));
const filename = join(dir, 'server.cjs');
const cacheFile = `${filename}.cache`;
const source = readFileSync(filename, 'utf8');
// CommonJS's own parameters, and import.meta.url's stand-in (the build replaces import.meta.url with it).
const wrapped = `(function (exports, require, module, __filename, __dirname, __cairnImportMetaUrl) {\n${source}\n})`;

let cachedData;
if (process.env.CAIRN_WRITE_CODE_CACHE !== '1') {
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // no cache: compiled as usual
  }
}
const script = new Script(wrapped, {
  filename,
  lineOffset: -1, // the wrapper's first line: the bundle's lines keep their numbers
  ...(cachedData ? { cachedData } : {}),
});

if (cachedData && script.cachedDataRejected) {
  process.stderr.write(`cairn: the code cache ${cacheFile} was rejected (another Node version, or V8 flags in NODE_OPTIONS?); starting without it, more slowly\n`);
}

// process.sourceMapsEnabled exists from Node 20.7 only: the flag itself is looked for too.
const sourceMapsFlag = /(^|\s)--enable-source-maps(\s|$)/;
if (process.sourceMapsEnabled || process.execArgv.includes('--enable-source-maps') || sourceMapsFlag.test(process.env.NODE_OPTIONS ?? '')) mapBundleFrames();
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(filename), module, filename, dir, pathToFileURL(filename).href);

if (process.env.CAIRN_WRITE_CODE_CACHE === '1') {
  // The bundle's modules were evaluated (src/main.ts does not start when asked for the cache): the functions
  // that ran are compiled, and go into the cache too.
  const temp = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(temp, script.createCachedData());
  renameSync(temp, cacheFile); // a start meanwhile reads the old cache or the new one, never a part
  process.exit(0);
}

/** Stack frames in the bundle get their place in the sources (the map is read on the first such stack). */
function mapBundleFrames() {
  let map; // undefined: not read yet; null: unreadable
  const at = `${filename}:`;
  const mapped = (line, column) => {
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(`${filename}.map`, 'utf8')));
      } catch {
        map = null;
      }
    }
    const entry = map?.findEntry(line - 1, column - 1);
    if (!entry?.originalSource) return null;
    const file = fileURLToPath(new URL(entry.originalSource, pathToFileURL(filename)));
    return `${file}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  };
  Error.prepareStackTrace = (error, frames) => {
    let header;
    try {
      header = Error.prototype.toString.call(error);
    } catch {
      header = '<error>';
    }
    const lines = frames.map((frame) => {
      const text = String(frame);
      if (frame.getFileName() !== filename) return text;
      const place = `${at}${frame.getLineNumber()}:${frame.getColumnNumber()}`;
      const original = text.includes(place) ? mapped(frame.getLineNumber(), frame.getColumnNumber()) : null;
      return original ? text.replace(place, original) : text;
    });
    return [header, ...lines.map((l) => `    at ${l}`)].join('\n');
  };
}
