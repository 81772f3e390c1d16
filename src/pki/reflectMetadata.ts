/**
 * The three Reflect metadata functions that @peculiar/x509's dependency
 * tsyringe needs (getMetadata, getOwnMetadata, defineMetadata), installed
 * only when no polyfill (reflect-metadata, core-js) is present. Kept here to
 * avoid a dependency for ~20 lines; src/pki/x509.ts imports this first.
 */
type MetadataMap = Map<unknown, unknown>;

interface ReflectWithMetadata {
  getMetadata?: (key: unknown, target: object) => unknown;
  getOwnMetadata?: (key: unknown, target: object) => unknown;
  defineMetadata?: (key: unknown, value: unknown, target: object) => void;
}

const store = new WeakMap<object, MetadataMap>();

function ownMetadata(key: unknown, target: object): unknown {
  return store.get(target)?.get(key);
}

function metadata(key: unknown, target: object): unknown {
  for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t) as object | null) {
    const m = store.get(t);
    if (m?.has(key) === true) return m.get(key);
  }
  return undefined;
}

function defineMetadata(key: unknown, value: unknown, target: object): void {
  let m = store.get(target);
  if (m === undefined) {
    m = new Map();
    store.set(target, m);
  }
  m.set(key, value);
}

const r = Reflect as unknown as ReflectWithMetadata;
if (typeof r.getMetadata !== 'function') {
  r.getMetadata = metadata;
  r.getOwnMetadata = ownMetadata;
  r.defineMetadata = defineMetadata;
}
