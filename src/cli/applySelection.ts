/**
 * `weft apply -f FILE -l k=v[,k=v]`: only the documents whose own labels
 * match the selector, like `kubectl create -f … -l …` (pure). A selection
 * that keeps nothing is an error naming the selector and the file.
 */
import { WeftError, ErrorCode } from '../errors.ts';
import type { Resource } from '../model/resources.ts';
import { parseSelector } from './get.ts';

export function selectByLabels(docs: readonly Resource[], selector: string | undefined, source: string): Resource[] {
  if (selector === undefined) return [...docs];
  const wanted = Object.entries(parseSelector(selector));
  const kept = docs.filter((d) => wanted.every(([k, v]) => d.metadata.labels[k] === v));
  if (kept.length === 0) {
    throw new WeftError(ErrorCode.InvalidInput, `no objects passed to apply: none of the ${docs.length} objects in ${source} has the labels "${selector}"`);
  }
  return kept;
}
