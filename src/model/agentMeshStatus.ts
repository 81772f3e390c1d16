/**
 * What an agent reports of its view of the mesh, at weft/status/agents/<node>
 * (keys.agentMeshStatus): written by the agent, read by `weft clustermesh
 * status` and `weft status`.
 */
import { z } from 'zod';

export const AgentMeshStatus = z.object({ node: z.string(), remotes: z.array(z.string()), updatedAt: z.string() });
export type AgentMeshStatus = z.infer<typeof AgentMeshStatus>;
