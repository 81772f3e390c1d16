/** Closing the stand-ins' HTTP servers: open keep-alive connections too, so a pod stops at once. */
import type http from 'node:http';

export function closeHttpServer(s: http.Server): Promise<void> {
  return new Promise((resolve) => {
    s.closeAllConnections();
    s.close(() => resolve());
  });
}

export async function closeHttpServers(servers: readonly http.Server[]): Promise<void> {
  await Promise.all(servers.map(closeHttpServer));
}
