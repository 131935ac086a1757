#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so `npm install` is all the set-up `npx omnihub` needs.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/core/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
});
