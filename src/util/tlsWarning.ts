/**
 * Node emits DEP0123 ("Setting the TLS ServerName to an IP address is not
 * permitted by RFC 6066") whenever a TLS client connects to an IP address
 * with SNI set; gRPC does that for every `https://<ip>:2379` etcd endpoint.
 * The server certificate is still verified against the IP (its SAN), so the
 * warning is noise on every CLI command and in daemon logs: drop that one
 * warning, pass every other through.
 */
type EmitWarning = (warning: string | Error, ...rest: unknown[]) => void;

function warningCode(rest: readonly unknown[]): unknown {
  const first = rest[0];
  if (typeof first === 'object' && first !== null) return (first as { code?: unknown }).code;
  return rest[1];
}

let installed = false;

export function silenceTlsIpServerNameWarning(): void {
  if (installed) return;
  installed = true;
  const original = process.emitWarning.bind(process) as EmitWarning;
  const filtered: EmitWarning = (warning, ...rest) => {
    if (warningCode(rest) === 'DEP0123') return;
    original(warning, ...rest);
  };
  process.emitWarning = filtered;
}
