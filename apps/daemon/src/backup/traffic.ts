import { HttpTransport, type HttpRequest, type HttpResponse, type ServerNotice, type ServerNoticeListener } from '../sync/index.js';

/** What a connection sent and heard during a backup, as the snapshot's stats report it. */
export interface TrafficCounts {
  /** HTTP requests sent (retries, token exchanges and node look-ups included). */
  requests: number;
  /** Bytes of response bodies received. */
  responseBytes: number;
  /** X-Weave-Backoff / X-Backoff answers. */
  backoffNotices: number;
  /** X-Weave-Alert answers (e.g. a server's end-of-life notice). */
  serverAlerts: number;
  nodeReassignments: number;
}

/** An HttpTransport that counts what goes through it, sending with `inner` (or itself). */
class MeteredTransport extends HttpTransport {
  requests = 0;
  responseBytes = 0;

  constructor(private readonly inner: HttpTransport | undefined) {
    super();
  }

  override async send(request: HttpRequest): Promise<HttpResponse> {
    this.requests += 1;
    const response = await (this.inner === undefined ? super.send(request) : this.inner.send(request));
    this.responseBytes += Buffer.byteLength(response.body, 'utf8');
    return response;
  }
}

/**
 * The meter a backup reads its traffic stats from. The storage client is built by whoever holds
 * the credentials, so the meter goes in twice: its `connectionOptions()` into
 * connectFxaAccount/connectLegacyAccount, and itself into BackupRequest.traffic.
 */
export class SyncTraffic {
  private readonly metered: MeteredTransport;
  private backoffNotices = 0;
  private serverAlerts = 0;
  private nodeReassignments = 0;

  /** `transport` is the one requests really go through (e.g. a recording one in tests); `onServerNotice` still hears every notice. */
  constructor(options: { transport?: HttpTransport; onServerNotice?: ServerNoticeListener } = {}) {
    this.metered = new MeteredTransport(options.transport);
    const forward = options.onServerNotice;
    this.onServerNotice = (notice: ServerNotice) => {
      if (notice.kind === 'backoff') this.backoffNotices += 1;
      else if (notice.kind === 'alert') this.serverAlerts += 1;
      else if (notice.kind === 'node-reassigned') this.nodeReassignments += 1;
      forward?.(notice);
    };
  }

  readonly onServerNotice: ServerNoticeListener;

  get transport(): HttpTransport {
    return this.metered;
  }

  /** Spread into the connection options: `connectFxaAccount({...options, ...traffic.connectionOptions()})`. */
  connectionOptions(): { transport: HttpTransport; onServerNotice: ServerNoticeListener } {
    return { transport: this.metered, onServerNotice: this.onServerNotice };
  }

  counts(): TrafficCounts {
    return {
      requests: this.metered.requests,
      responseBytes: this.metered.responseBytes,
      backoffNotices: this.backoffNotices,
      serverAlerts: this.serverAlerts,
      nodeReassignments: this.nodeReassignments,
    };
  }
}

/** What happened between two readings of the same meter. */
export function trafficSince(before: TrafficCounts, after: TrafficCounts): TrafficCounts {
  return {
    requests: after.requests - before.requests,
    responseBytes: after.responseBytes - before.responseBytes,
    backoffNotices: after.backoffNotices - before.backoffNotices,
    serverAlerts: after.serverAlerts - before.serverAlerts,
    nodeReassignments: after.nodeReassignments - before.nodeReassignments,
  };
}
