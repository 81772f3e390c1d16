/**
 * The cluster's endpoints indexed by namespace and label (pure), so finding
 * a service's candidates costs the size of its smallest selector bucket,
 * not the number of endpoints in the cluster.
 */
import type { NamespacedEndpoint } from './backends.ts';

export class EndpointIndex {
  readonly #byLabel = new Map<string, NamespacedEndpoint[]>();

  constructor(endpoints: readonly NamespacedEndpoint[]) {
    for (const e of endpoints) {
      for (const [k, v] of Object.entries(e.endpoint.labels)) {
        const key = `${e.namespace}\u0000${k}\u0000${v}`;
        const bucket = this.#byLabel.get(key);
        if (bucket === undefined) this.#byLabel.set(key, [e]);
        else bucket.push(e);
      }
    }
  }

  /** Endpoints of `namespace` carrying at least one of the selector's labels (a superset of the matches); none for an empty selector. */
  candidates(namespace: string, selector: Readonly<Record<string, string>>): readonly NamespacedEndpoint[] {
    let best: readonly NamespacedEndpoint[] | undefined;
    for (const [k, v] of Object.entries(selector)) {
      const bucket = this.#byLabel.get(`${namespace}\u0000${k}\u0000${v}`) ?? [];
      if (best === undefined || bucket.length < best.length) best = bucket;
    }
    return best ?? [];
  }
}
