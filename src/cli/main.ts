#!/usr/bin/env node
/**
 * The `weft` entry point. Every command, the daemons included, is a fresh
 * Node process that loads a few hundred TypeScript modules: Node's compile
 * cache (node_modules/.cache/node-compile, or NODE_COMPILE_CACHE) keeps their
 * stripped and compiled code, which takes about a third off each start. It
 * must be on before the CLI's modules load, hence the dynamic import.
 */
import { enableCompileCache } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

enableCompileCache(process.env['NODE_COMPILE_CACHE'] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '.cache', 'node-compile'));
const { runCli, exitSoon } = await import('./program.ts');
await runCli();
exitSoon();
