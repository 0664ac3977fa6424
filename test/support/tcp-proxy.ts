import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a loopback server, that can go away (its port refuses connections, those open are
 * cut) and come back on the same port: a Cloud Logging endpoint lost and found again, as a real outage reads to a client.
 */
export interface TcpProxy {
  /** `http://127.0.0.1:PORT`, for an endpoint option. */
  url: string;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const to = new URL(target);
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(Number(to.port), to.hostname);
        for (const x of [client, upstream]) {
          sockets.add(x);
          x.on('close', () => sockets.delete(x));
          x.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as net.AddressInfo).port;
        server = s;
        resolve();
      });
    });
  const down = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = null;
      for (const x of sockets) x.destroy();
      if (!s) return resolve();
      s.close(() => resolve());
    });
  await listen();
  return { url: `http://127.0.0.1:${port}`, down, up: () => (server ? Promise.resolve() : listen()), close: down };
}
