#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processIo } from './io.js';
import { main } from './main.js';

/** This package's version: package.json sits two folders above dist/cjs/bin.js. */
function version(): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

// exitCode rather than process.exit(): stdout is flushed before the process ends.
void main(process.argv.slice(2), processIo(), { version: version() }).then((code) => {
  process.exitCode = code;
});
