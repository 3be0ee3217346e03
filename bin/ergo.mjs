#!/usr/bin/env node
// The `ergo` CLI (docs/cli.md): runs the TypeScript sources through tsx, as `npm start` does.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/ergo/main.ts');
