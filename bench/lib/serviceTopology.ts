/**
 * One node with pods, for service load-balancing tests and benchmarks:
 *
 *   node netns <prefix>n: ip_forward=1, rp_filter=0; `eth0` 172.31.255.1/24 (a veth whose peer stays in
 *                         the node: the machine has no dummy driver); the service range routed `local`
 *                         as the agent does it (src/datapath/routes/serviceCidrRoute.ts);
 *   pod netns <prefix>p<i>: eth0 10.244.1.<10+i>/32, default via 169.254.1.1, wired as the CNI does it.
 */
import { exec } from '../../src/util/exec.ts';
import { planWiring } from '../../src/cni/veth.ts';
import { serviceCidrRouteArgs } from '../../src/datapath/routes/serviceCidrRoute.ts';

export interface ServicePod {
  name: string;
  netns: string;
  ip: string;
}

export interface ServiceTopology {
  node: string;
  nodeIp: string;
  pods: ServicePod[];
  cleanup(): Promise<void>;
}

export const SERVICE_RANGE = '10.96.0.0/12';

const ip = (args: string[], input?: string): Promise<string> => exec('ip', args, input === undefined ? {} : { input });

async function addNetns(name: string): Promise<void> {
  await ip(['netns', 'add', name]);
  await ip(['-n', name, 'link', 'set', 'lo', 'up']);
}

export async function buildServiceTopology(prefix: string, podCount: number): Promise<ServiceTopology> {
  const created: string[] = [];
  const cleanup = async (): Promise<void> => {
    for (const ns of created.splice(0).reverse()) await exec('ip', ['netns', 'del', ns], { okCodes: [0, 1] });
  };
  const node = `${prefix}n`;
  const nodeIp = '172.31.255.1';
  const pods: ServicePod[] = [];
  try {
    await addNetns(node);
    created.push(node);
    await exec('ip', ['netns', 'exec', node, 'sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0']);
    await ip(['-n', node, '-batch', '-'], `link add eth0 type veth peer name eth0-peer\nlink set eth0-peer up\naddr add ${nodeIp}/24 dev eth0\nlink set eth0 up\n`);
    await ip(['-n', node, ...serviceCidrRouteArgs(SERVICE_RANGE)]);
    for (let i = 1; i <= podCount; i++) {
      const pod: ServicePod = { name: `p${i}`, netns: `${prefix}p${i}`, ip: `10.244.1.${10 + i}` };
      await addNetns(pod.netns);
      created.push(pod.netns);
      const plan = planWiring({ containerId: pod.netns, ifName: 'eth0', netns: `/run/netns/${pod.netns}`, ip: pod.ip });
      await ip(['-n', node, '-batch', '-'], plan.hostBatch);
      await ip(['-n', pod.netns, '-batch', '-'], plan.podBatch);
      pods.push(pod);
    }
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { node, nodeIp, pods, cleanup };
}
