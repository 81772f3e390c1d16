/**
 * `weft apply -f`, `weft delete`, `weft get`: Kubernetes-shaped objects in
 * the cluster's etcd. Every document is validated before anything is written,
 * and a file is applied (or deleted) all or nothing.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { WeftError, ErrorCode } from '../errors.ts';
import { parseManifests } from '../model/manifest.ts';
import { applyDocuments } from '../model/resourceStore.ts';
import { deleteDocuments, deleteResources } from '../model/resourceDelete.ts';
import { resolveKindName } from '../model/kindRegistry.ts';
import { withKv } from './kv.ts';
import { parseGetOutput, printGet } from './get.ts';
import type { GetOutput } from './get.ts';
import { selectByLabels } from './applySelection.ts';
import { readManifestSource } from './manifestSource.ts';
import { checkApplyLimits } from '../model/applyLimits.ts';

function parseFile(file: string, namespace?: string) {
  return parseManifests(readManifestSource(file), file === '-' ? '<stdin>' : file, { namespace });
}

/** The Namespace object `weft create namespace NAME` applies. */
export function namespaceDocument(name: string) {
  return parseManifests(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${JSON.stringify(name)}\n`, 'create namespace');
}

export function registerResources(program: Command): void {
  program
    .command('apply')
    .description('create or update objects from a YAML file (all documents or none)')
    .requiredOption('-f, --filename <file>', 'manifest file, or - for standard input')
    .option('-l, --selector <labels>', 'apply only the objects with these labels k=v[,k=v] (like kubectl create -f FILE -l …)')
    .option('-n, --namespace <ns>', 'namespace of the objects that name none (an object naming another one is an error)')
    .action(async (opts: { filename: string; selector?: string; namespace?: string }, cmd: Command) => {
      const all = parseFile(opts.filename, opts.namespace);
      if (all.length === 0) throw new WeftError(ErrorCode.InvalidManifest, `${opts.filename}: no objects to apply`);
      const docs = selectByLabels(all, opts.selector, opts.filename === '-' ? 'standard input' : opts.filename);
      checkApplyLimits(docs, opts.filename === '-' ? '<stdin>' : opts.filename);
      await withKv(cmd, async (kv, ctx) => {
        for (const r of await applyDocuments(kv, docs, { cluster: ctx.cluster })) process.stdout.write(`${r.display} ${r.action}\n`);
      });
    });

  program
    .command('create')
    .description('create an object from the command line: weft create namespace NAME')
    .argument('<type>', 'namespace (ns)')
    .argument('<name>', 'name of the object')
    .action(async (type: string, name: string, _opts: unknown, cmd: Command) => {
      if (resolveKindName(type).kind !== 'Namespace') throw new WeftError(ErrorCode.InvalidInput, `weft create ${type}: only "namespace" can be created this way; use weft apply -f FILE`);
      await withKv(cmd, async (kv, ctx) => {
        const [r] = await applyDocuments(kv, namespaceDocument(name), { cluster: ctx.cluster });
        if (r?.action !== 'created') throw new WeftError(ErrorCode.AlreadyExists, `namespaces "${name}" already exists`);
        process.stdout.write(`${r.display} created\n`);
      });
    });

  program
    .command('delete')
    .description('delete objects named in a file (-f) or on the command line (TYPE NAME…)')
    .option('-f, --filename <file>', 'manifest file, or - for standard input')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .argument('[type]', 'resource type: pod, deployment, daemonset, statefulset, service, namespace')
    .argument('[names...]', 'object names')
    .action(async (type: string | undefined, names: string[], opts: { filename?: string; namespace: string }, cmd: Command) => {
      await withKv(cmd, async (kv) => {
        let results;
        if (opts.filename !== undefined) {
          results = await deleteDocuments(kv, parseFile(opts.filename));
        } else {
          if (type === undefined || names.length === 0) throw new WeftError(ErrorCode.InvalidInput, 'give -f FILE, or a type and one or more names: weft delete pod NAME');
          const def = resolveKindName(type);
          results = await deleteResources(kv, names.map((name) => ({ plural: def.plural, namespace: def.namespaced ? opts.namespace : undefined, name })));
        }
        let missing = 0;
        for (const r of results) {
          if (r.action === 'deleted') process.stdout.write(`${r.display} deleted\n`);
          else {
            missing++;
            process.stderr.write(`Error from server (NotFound): ${r.display} not found\n`);
          }
        }
        if (missing > 0) process.exitCode = 1;
      });
    });

  program
    .command('get')
    .description('list objects: pods, deployments, daemonsets, statefulsets, services, namespaces')
    .argument('<type>', 'resource type')
    .argument('[name]', 'one object')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('-A, --all-namespaces', 'every namespace')
    .option('-l, --selector <labels>', 'label selector k=v[,k=v]')
    .addOption(
      new Option('-o, --output <format>', 'table, wide, json, name (TYPE/NAME per line) or jsonpath=TEMPLATE (like kubectl)').argParser(parseGetOutput).default('table'),
    )
    .action(async (type: string, name: string | undefined, opts: { namespace: string; allNamespaces?: boolean; selector?: string; output: GetOutput }, cmd: Command) => {
      await withKv(cmd, (kv, ctx) => printGet(kv, resolveKindName(type), { ...opts, name, cluster: ctx.cluster }));
    });
}
