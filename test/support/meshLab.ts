/**
 * Two lab clusters meshed the way a user would do it (seed 000/001): lab up
 * both, `clustermesh enable` with one CA, `connect`, `status --wait`.
 */
import { weftOk } from './weft.ts';

export interface LabCluster {
  readonly name: string;
  readonly id: number;
  readonly nodes: number;
  readonly podCidr: string;
  readonly serviceCidr: string;
}

export async function labUp(env: NodeJS.ProcessEnv, c: LabCluster, routing: 'native' | 'tunnel' = 'native'): Promise<void> {
  await weftOk(['lab', 'up', '--name', c.name, '--id', String(c.id), '--nodes', String(c.nodes), '--pod-cidr', c.podCidr, '--service-cidr', c.serviceCidr, '--routing', routing], env);
}

export async function upMeshedPair(env: NodeJS.ProcessEnv, a: LabCluster, b: LabCluster, routing: 'native' | 'tunnel' = 'native'): Promise<void> {
  await labUp(env, a, routing);
  await labUp(env, b, routing);
  await weftOk(['clustermesh', 'enable', '--context', a.name], env);
  await weftOk(['clustermesh', 'enable', '--context', b.name, '--inherit-ca', a.name], env);
  await weftOk(['clustermesh', 'connect', '--context', a.name, '--destination-context', b.name], env);
  await weftOk(['clustermesh', 'status', '--context', a.name, '--wait', '--wait-duration', '60s'], env);
}
