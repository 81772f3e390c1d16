/**
 * Every check `weft lab up` makes before it changes anything: the spec against
 * the lab state, leftovers of an earlier cluster of that name, the context of
 * that name, and the underlay against the root netns.
 */
import { existsSync } from 'node:fs';
import { WeftError, ErrorCode } from '../errors.ts';
import { listContexts } from '../contexts/contexts.ts';
import { linkExists, listNetns, netnsExists } from './netns.ts';
import { DEFAULT_UNDERLAY_CIDR, planCluster, planUnderlay, ROOT_VETH, UNDERLAY_NETNS } from './plan.ts';
import type { ClusterPlan, LabClusterSpec, PlanEnv, UnderlayPlan } from './plan.ts';
import { labDir, readLabState } from './state.ts';
import { rootNetworks, rootVethAddress } from './underlay.ts';
import { checkAgainstLab, checkUnderlayAgainstRoot } from './validate.ts';

export interface Preflight {
  plan: ClusterPlan;
  underlay: UnderlayPlan;
}

export function requireRoot(): void {
  if (process.getuid?.() !== 0) throw new WeftError(ErrorCode.NotRoot, '`weft lab` needs root (network namespaces, veths)');
}

/** Every check `lab up` makes before it changes anything. */
export async function preflight(spec: LabClusterSpec, underlayOverride: string | undefined, env: PlanEnv): Promise<Preflight> {
  const state = readLabState();
  let cidr = underlayOverride ?? DEFAULT_UNDERLAY_CIDR;
  if (state.underlay !== null) {
    if (underlayOverride !== undefined && underlayOverride !== state.underlay.cidr) {
      throw new WeftError(
        ErrorCode.LabState,
        `WEFT_LAB_UNDERLAY=${underlayOverride} differs from the lab's underlay ${state.underlay.cidr}, chosen when the lab was created; ` +
          'unset it, or remove every lab cluster first',
      );
    }
    cidr = state.underlay.cidr;
  }
  const underlay = planUnderlay(cidr);
  checkAgainstLab(spec, state.clusters, cidr);
  const plan = planCluster(spec, underlay, env);

  const leftovers = listNetns().filter((n) => n.startsWith(plan.netnsPrefix));
  if (leftovers.length > 0) {
    throw new WeftError(
      ErrorCode.AlreadyExists,
      `network namespaces ${leftovers.join(', ')} exist but lab cluster "${spec.name}" is not recorded; ` +
        `remove them with \`weft lab down --name ${spec.name}\``,
    );
  }
  if (existsSync(plan.dir)) {
    throw new WeftError(
      ErrorCode.AlreadyExists,
      `${plan.dir} exists but lab cluster "${spec.name}" is not recorded; remove it with \`weft lab down --name ${spec.name}\``,
    );
  }
  const ctx = listContexts().contexts.find((c) => c.name === spec.name);
  if (ctx !== undefined && !(ctx.cluster === spec.name && ctx.endpoints.includes(plan.endpoint))) {
    throw new WeftError(
      ErrorCode.AlreadyExists,
      `context "${spec.name}" already exists and points to ${ctx.endpoints.join(',')}; ` +
        `remove it with \`weft config delete-context ${spec.name}\` or choose another name`,
    );
  }
  const rootVethExists = await linkExists(undefined, ROOT_VETH);
  if (state.underlay === null && (rootVethExists || netnsExists(UNDERLAY_NETNS))) {
    // The underlay is machine-wide; another WEFT_HOME's lab (the test suite's, say) may own it. Share it when it is whole and its subnet is ours.
    const shared = rootVethExists && netnsExists(UNDERLAY_NETNS) && (await rootVethAddress()) === underlay.rootAddress;
    if (!shared) {
      throw new WeftError(
        ErrorCode.LabState,
        `a lab underlay (netns ${UNDERLAY_NETNS} or link ${ROOT_VETH}) exists but the lab state in ${labDir()} does not record it ` +
          `and it is not a whole underlay on ${cidr}; remove it with \`weft lab down\` in the WEFT_HOME that created it`,
      );
    }
  }
  for (const host of plan.hosts) {
    if (netnsExists(UNDERLAY_NETNS) && (await linkExists(UNDERLAY_NETNS, host.underlayVeth))) {
      throw new WeftError(
        ErrorCode.DuplicateCluster,
        `cluster id ${spec.id} is already used on this machine by a lab of another WEFT_HOME (underlay port ${host.underlayVeth} exists); choose another id`,
      );
    }
  }
  if (!rootVethExists) checkUnderlayAgainstRoot(cidr, await rootNetworks(ROOT_VETH));
  return { plan, underlay };
}
