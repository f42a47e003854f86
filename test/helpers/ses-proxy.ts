import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A forwarding proxy on 127.0.0.1 in front of the SES emulator, keeping the exact MIME of every
 * SendRawEmail that passes: the emulator stores a mail rebuilt from its parsed fields, so headers it
 * does not parse (Auto-Submitted...) can only be seen on the way in.
 */
export async function startSesProxy(target: string): Promise<{
  url: string;
  /** The raw MIME messages sent so far, in order. */
  raw: () => string[];
  /** How many requests of any kind reached it so far. */
  requests: () => number;
  stop: () => Promise<void>;
}> {
  const messages: string[] = [];
  let requests = 0;
  const upstream = new URL(target);
  const server = createServer((incoming, outgoing) => {
    requests += 1;
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const data = new URLSearchParams(body.toString('utf8')).get('RawMessage.Data');
      if (data !== null) messages.push(Buffer.from(data, 'base64').toString('utf8'));
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: upstream.host },
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forward.on('error', () => outgoing.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    raw: () => [...messages],
    requests: () => requests,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
