/**
 * `weft config get-contexts | use-context | current-context | delete-context`.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import Table from 'cli-table3';
import { WeftError, ErrorCode } from '../errors.ts';
import { listContexts, removeContext, resolveContext, useContext } from '../contexts/contexts.ts';
import type { Context } from '../contexts/contexts.ts';

export function outputOption(): Option {
  return new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table');
}

export function formatContextsTable(current: string | undefined, contexts: readonly Context[]): string {
  const table = new Table({ head: ['CURRENT', 'NAME', 'CLUSTER', 'ENDPOINTS', 'TLS'], style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } });
  for (const c of contexts) {
    table.push([c.name === current ? '*' : '', c.name, c.cluster, c.endpoints.join(','), c.tls === undefined ? 'no' : 'yes']);
  }
  return table.toString();
}

export function registerConfig(program: Command): void {
  const config = program.command('config').description('CLI contexts: which cluster `weft` talks to');

  config
    .command('get-contexts')
    .description('list contexts (the current one is marked with *)')
    .addOption(outputOption())
    .action((opts: { output: string }) => {
      const { current, contexts } = listContexts();
      if (opts.output === 'json') {
        process.stdout.write(`${JSON.stringify({ current: current ?? null, contexts }, null, 2)}\n`);
        return;
      }
      if (contexts.length === 0) {
        process.stdout.write('No contexts. Create a cluster with `weft lab up`.\n');
        return;
      }
      process.stdout.write(`${formatContextsTable(current, contexts)}\n`);
    });

  config
    .command('use-context')
    .description('make NAME the current context')
    .argument('<name>')
    .action((name: string) => {
      useContext(name);
      process.stdout.write(`Switched to context "${name}".\n`);
    });

  config
    .command('current-context')
    .description('print the current context')
    .addOption(outputOption())
    .action((opts: { output: string }) => {
      const { current } = listContexts();
      if (current === undefined) throw new WeftError(ErrorCode.NotFound, 'no current context is set (use `weft config use-context NAME`)');
      if (opts.output === 'json') {
        process.stdout.write(`${JSON.stringify(resolveContext(current), null, 2)}\n`);
        return;
      }
      process.stdout.write(`${current}\n`);
    });

  config
    .command('delete-context')
    .description('remove context NAME')
    .argument('<name>')
    .action((name: string) => {
      resolveContext(name);
      removeContext(name);
      process.stdout.write(`Deleted context "${name}".\n`);
    });
}
