/**
 * A failed request that never got an HTTP answer, in the operator's words with the host and port it went to:
 * `connection refused at 127.0.0.1:9050: nothing listens there`, never the client's `request to http://…?prefix=…
 * failed, reason: connect ECONNREFUSED …` with the whole request URL (tester X5). One place for every source
 * (Cloud Storage, BigQuery, Cloud Run, Cloud Logging, the failed-keys objects), so the words do not depend on which
 * path met the failure first.
 */
export interface NetworkFailure {
  /** `connection refused at HOST:PORT: nothing listens there`, `host HOST not found (DNS)`, … */
  what: string;
  /** Said after `check SETTING; ` (the caller knows which setting names the endpoint). */
  check: string;
}

const TLS_CODES = /^(CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET_ISSUER_CERT|VERIFY_LEAF_SIGNATURE)|EPROTO$)/;

interface ErrLike {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  cause?: unknown;
}

/** The error and what it wraps (fetch's `cause`, node-fetch's FetchError), outermost first. */
function chain(err: unknown): ErrLike[] {
  const out: ErrLike[] = [];
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as ErrLike).cause, depth += 1) out.push(e as ErrLike);
  return out;
}

/** HOST:PORT of the endpoint URL (the default port of its scheme when none is written). */
export function hostPort(endpoint: string): string | null {
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`);
    return `${url.hostname}:${url.port || (url.protocol === 'http:' ? 80 : 443)}`;
  } catch {
    return null;
  }
}

/**
 * The network failure `err` is, or null when it is something else (an HTTP status, a timeout the caller words
 * with its own limit, a bad answer). `endpoint`: the URL the request went to (the configured endpoint, or
 * Google's), for the host and port when the error itself does not carry them.
 */
export function networkFailure(err: unknown, endpoint?: string): NetworkFailure | null {
  const errs = chain(err);
  const code = errs.map((e) => (typeof e.code === 'string' ? e.code : typeof e.errno === 'string' ? e.errno : '')).find((c) => c !== '') ?? '';
  const text = errs.map((e) => String(e.message ?? '')).join(' ');
  const fromError = errs.map((e) => (typeof e.address === 'string' ? `${e.address}${typeof e.port === 'number' ? `:${e.port}` : ''}` : typeof e.hostname === 'string' ? e.hostname : '')).find((s) => s !== '');
  // node-fetch says it in its message: "connect ECONNREFUSED 127.0.0.1:1", "getaddrinfo ENOTFOUND nohost.invalid".
  const fromText = /\b(?:connect|getaddrinfo|read|write)\s+E[A-Z_]+\s+(\S+?)[,)]?(?:\s|$)/.exec(text)?.[1];
  const at = fromError ?? fromText ?? (endpoint ? hostPort(endpoint) : null) ?? 'the endpoint';
  const host = at.replace(/:\d+$/, '');
  const where = endpoint ? hostPort(endpoint) ?? at : at;
  switch (code) {
    case 'ECONNREFUSED':
      return { what: `connection refused at ${at}: nothing listens there`, check: 'is its server (or emulator) running?' };
    case 'ENOTFOUND':
      return { what: `host ${host} not found (DNS): no such name`, check: 'a typo in the host name, or DNS' };
    case 'EAI_AGAIN':
      return { what: `host ${host} could not be looked up: DNS did not answer`, check: 'the network or DNS may be down; the next look tries again' };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return { what: `connection to ${where} closed before the answer`, check: 'a proxy or firewall may cut it; the next look tries again' };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { what: `${where} unreachable: no route to it`, check: 'the network (VPN, Wi-Fi) may be down' };
    case 'ECONNABORTED':
      return { what: `connection to ${where} aborted`, check: 'the next look tries again' };
  }
  if (TLS_CODES.test(code) || /wrong version number|certificate|SSL routines|TLS/i.test(text)) {
    if (/wrong version number|packet length too long|EPROTO/i.test(`${code} ${text}`)) {
      return { what: `TLS to ${where} failed: it does not speak TLS (an https:// endpoint at a plain http server?)`, check: 'a local emulator takes http://' };
    }
    return { what: `TLS to ${where} failed: certificate not trusted (${code || 'certificate'})`, check: 'or a proxy\'s certificate (NODE_EXTRA_CA_CERTS)' };
  }
  return null;
}
