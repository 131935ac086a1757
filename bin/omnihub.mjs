#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so `npm install` is all the set-up `npx omnihub` needs.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/core/cli/main.ts');
process.exitCode = await main(
  process.argv.slice(2),
  {
    out: (line) => process.stdout.write(line + '\n'),
    // A line starting with \r redraws the current one (download progress on a terminal).
    err: (line) => process.stderr.write(line.startsWith('\r') ? line : line + '\n'),
  },
  { env: process.env, fetch: globalThis.fetch, interactive: process.stderr.isTTY === true },
);
