import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type GovernTransportOptions, governTransport } from './mediation/govern-transport.js';
import { createMediator } from './mediation/mediator.js';
import type { Mediator, MediatorOptions, PeerInfo } from './mediation/mediator-types.js';

/** Anything an SDK server exposes to connect: `McpServer` and the low-level `Server` both do. */
export interface ConnectableServer {
  connect(transport: Transport): Promise<void>;
}

/** Options of {@link connectGoverned}: a mediator (or its options) and who the client is. */
export type GovernedConnectionOptions = (MediatorOptions | { readonly mediator: Mediator }) & {
  /** The client's principal, transport facts and session id. Default: the mediator's default principal. */
  readonly peer?: Partial<PeerInfo>;
} & GovernTransportOptions;

/**
 * Connects an SDK server to `transport` with the gate in between: every request is mediated before the
 * server's handlers see it, every result passes the response path. Resolves to the mediator (to review
 * and approve tools, and to close it).
 * @example
 * const mediator = await connectGoverned(server, transport, { gate: createGate({ pipeline, audit }) });
 */
export async function connectGoverned(
  server: ConnectableServer,
  transport: Transport,
  options: GovernedConnectionOptions,
): Promise<Mediator> {
  const mediator = 'mediator' in options ? options.mediator : createMediator(options);
  const wrapped = governTransport(
    transport,
    mediator,
    options.peer ?? {},
    options.principalOf === undefined ? {} : { principalOf: options.principalOf },
  );
  await server.connect(wrapped);
  return mediator;
}
