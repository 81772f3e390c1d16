/**
 * Multi-document YAML manifests → validated resources. Every document is
 * checked before anything is returned: one bad document fails the whole file
 * with a message naming the document, kind/name, line, field and value.
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import type { Document } from 'yaml';
import { WeftError, ErrorCode } from '../errors.ts';
import { findKind, keyOfResource, supportedKinds } from './kindRegistry.ts';
import { describeIssues } from './manifestIssues.ts';
import type { FieldPath } from './manifestIssues.ts';
import type { Resource } from './resources.ts';

/** One problem in one document of a manifest. */
export interface ManifestProblem {
  readonly document: number;
  readonly code: typeof ErrorCode.InvalidManifest | typeof ErrorCode.UnknownKind;
  readonly message: string;
}

/** At most this many problems are listed in one error. */
const MAX_PROBLEMS = 20;

/** Aliases resolved per document (yaml's maxAliasCount): bounds the expansion of a YAML bomb. */
const MAX_ALIAS_COUNT = 100;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** 1-based line of the deepest node of `path` that exists in the YAML document. */
function lineOf(doc: Document.Parsed, lines: LineCounter, path: FieldPath): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isRecord(node) && Array.isArray(node['range']) && typeof node['range'][0] === 'number') {
      return lines.linePos(node['range'][0]).line;
    }
  }
  return undefined;
}

/** Mapping entries whose value is null are unset, as in Kubernetes (`labels:` with nothing after it). */
function dropNullFields(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNullFields);
  if (!isRecord(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, dropNullFields(x)]));
}

/**
 * Validate one raw object (a parsed YAML/JSON document). Returns the
 * normalized resource or the problems, each message prefixed by `where`.
 */
export function validateObject(
  raw: unknown,
  document: number,
  locate: (path: FieldPath) => number | undefined = () => undefined,
): { resource: Resource } | { problems: ManifestProblem[] } {
  raw = dropNullFields(raw);
  const fail = (code: ManifestProblem['code'], message: string) => ({ problems: [{ document, code, message }] });
  if (!isRecord(raw)) return fail(ErrorCode.InvalidManifest, `document ${document}: expected a mapping with apiVersion, kind and metadata, got ${raw === null ? 'null' : Array.isArray(raw) ? 'a list' : typeof raw}`);
  const { apiVersion, kind } = raw;
  if (typeof apiVersion !== 'string' || apiVersion === '') return fail(ErrorCode.InvalidManifest, `document ${document}: apiVersion is required (a string such as "v1" or "apps/v1"), got ${JSON.stringify(apiVersion) ?? 'nothing'}`);
  if (typeof kind !== 'string' || kind === '') return fail(ErrorCode.InvalidManifest, `document ${document}: kind is required (a string such as "Pod"), got ${JSON.stringify(kind) ?? 'nothing'}`);
  const def = findKind(apiVersion, kind);
  if (def === undefined) return fail(ErrorCode.UnknownKind, `document ${document}: unknown kind "${kind}" (apiVersion ${apiVersion}); supported: ${supportedKinds()}`);
  const res = def.schema.safeParse(raw);
  if (res.success) return { resource: res.data };
  const name = isRecord(raw['metadata']) && typeof raw['metadata']['name'] === 'string' ? ` "${raw['metadata']['name']}"` : '';
  return {
    problems: describeIssues(res.error.issues, raw).map((p) => {
      const line = locate(p.path);
      return { document, code: ErrorCode.InvalidManifest, message: `document ${document} (${kind}${name})${line === undefined ? '' : `, line ${line}`}: ${p.message}` };
    }),
  };
}

function throwProblems(problems: readonly ManifestProblem[], source: string | undefined): never {
  const first = problems[0];
  if (first === undefined) throw new WeftError(ErrorCode.Internal, 'throwProblems called without problems');
  const shown = problems.slice(0, MAX_PROBLEMS).map((p) => p.message);
  if (problems.length > MAX_PROBLEMS) shown.push(`… and ${problems.length - MAX_PROBLEMS} more`);
  const prefix = source === undefined ? '' : `${source}: `;
  const message = shown.length === 1 ? `${prefix}${first.message}` : `${prefix}${problems.length} problems, nothing applied:\n  ${shown.join('\n  ')}`;
  throw new WeftError(first.code, message, { details: { problems } });
}

export interface ParseOptions {
  /**
   * The namespace of namespaced objects that name none (`kubectl apply -n`);
   * an object naming another namespace is a problem, as in kubectl.
   */
  readonly namespace?: string | undefined;
}

/** `raw` with `namespace` filled in when its kind is namespaced and it names none, or a problem message. */
function withNamespace(raw: unknown, document: number, namespace: string | undefined): { raw: unknown } | { problem: string } {
  if (namespace === undefined || !isRecord(raw) || typeof raw['apiVersion'] !== 'string' || typeof raw['kind'] !== 'string') return { raw };
  if (findKind(raw['apiVersion'], raw['kind'])?.namespaced !== true) return { raw };
  const meta = isRecord(raw['metadata']) ? raw['metadata'] : {};
  const own = meta['namespace'];
  if (own === undefined || own === null || own === '') return { raw: { ...raw, metadata: { ...meta, namespace } } };
  if (own === namespace) return { raw };
  const name = typeof meta['name'] === 'string' ? ` "${meta['name']}"` : '';
  return { problem: `document ${document} (${raw['kind']}${name}): the namespace from the provided object "${typeof own === 'string' ? own : JSON.stringify(own)}" does not match the namespace "${namespace}" given with -n` };
}

/**
 * Parse and validate a multi-document YAML (or JSON) text. Empty documents
 * are skipped; documents are numbered from 1 in file order, empty ones
 * included. Throws WeftError(InvalidManifest | UnknownKind) listing every
 * problem when any document is bad. `source` (a file name) prefixes messages.
 */
export function parseManifests(text: string, source?: string, opts: ParseOptions = {}): Resource[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines });
  if (!Array.isArray(docs)) return []; // an empty stream
  const problems: ManifestProblem[] = [];
  const resources: Resource[] = [];
  const seen = new Map<string, number>();
  docs.forEach((doc, i) => {
    const document = i + 1;
    const yamlError = doc.errors[0];
    if (yamlError !== undefined) {
      const line = yamlError.linePos?.[0].line;
      const what = (yamlError.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      problems.push({ document, code: ErrorCode.InvalidManifest, message: `document ${document}${line === undefined ? '' : `, line ${line}`}: invalid YAML: ${what}` });
      return;
    }
    let parsed: unknown;
    try {
      parsed = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      // a YAML bomb (aliases expanding exponentially) stops here, before it grows
      const why = /alias count/i.test((err as Error).message) ? `more than ${MAX_ALIAS_COUNT} alias expansions (a YAML bomb?)` : (err as Error).message;
      problems.push({ document, code: ErrorCode.InvalidManifest, message: `document ${document}: invalid YAML: ${why}` });
      return;
    }
    if (parsed === null || parsed === undefined) return; // an empty document
    const placed = withNamespace(parsed, document, opts.namespace);
    if ('problem' in placed) {
      problems.push({ document, code: ErrorCode.InvalidManifest, message: placed.problem });
      return;
    }
    const result = validateObject(placed.raw, document, (path) => lineOf(doc, lines, path));
    if ('problems' in result) {
      problems.push(...result.problems);
      return;
    }
    const key = keyOfResource(result.resource);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.push({ document, code: ErrorCode.InvalidManifest, message: `document ${document} (${result.resource.kind} "${result.resource.metadata.name}"): the same object is also defined in document ${earlier}` });
      return;
    }
    seen.set(key, document);
    resources.push(result.resource);
  });
  if (problems.length > 0) throwProblems(problems, source);
  return resources;
}
