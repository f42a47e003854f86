// A local stand-in for the SES API (SendRawEmail, query protocol) that misbehaves on demand.
// Each request takes the next behaviour from the queue (the last one repeats):
//   'ok'         200 and a MessageId; the raw message is kept
//   'throttle'   400 Throttling
//   '500'        500 InternalFailure
//   'unverified' 400 MessageRejected for an unverified sender
//   'reset'      the connection is destroyed without an answer
//   'hang'       never answers
//   'slow:<ms>'  answers 'ok' after <ms>
import { createServer } from 'node:http';

const SES_NS = 'http://ses.amazonaws.com/doc/2010-12-01/';

function errorXml(type, code, message) {
  return `<ErrorResponse xmlns="${SES_NS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>stand-in</RequestId></ErrorResponse>`;
}

/** Starts the stand-in on 127.0.0.1 and a free port. */
export async function startFaultySes() {
  let queue = ['ok'];
  const received = [];
  const requests = [];
  const sockets = new Set();
  let sequence = 0;

  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const behaviour = queue.length > 1 ? queue.shift() : queue[0];
      requests.push({ at: Date.now(), behaviour });
      const ok = () => {
        const data = new URLSearchParams(body).get('RawMessage.Data');
        if (data) received.push(Buffer.from(data, 'base64').toString('utf8'));
        sequence += 1;
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          `<SendRawEmailResponse xmlns="${SES_NS}"><SendRawEmailResult><MessageId>stand-in-${sequence}</MessageId></SendRawEmailResult><ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></SendRawEmailResponse>`,
        );
      };
      if (behaviour === 'ok') ok();
      else if (behaviour === 'throttle') {
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(errorXml('Sender', 'Throttling', 'Maximum sending rate exceeded.'));
      } else if (behaviour === '500') {
        res.writeHead(500, { 'content-type': 'text/xml' });
        res.end(errorXml('Receiver', 'InternalFailure', 'The request processing has failed.'));
      } else if (behaviour === 'unverified') {
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(
          errorXml(
            'Sender',
            'MessageRejected',
            'Email address is not verified. The following identities failed the check in region US-EAST-1: errors@example.com',
          ),
        );
      } else if (behaviour === 'reset') req.socket.destroy();
      else if (behaviour === 'hang') {
        // Never answer; the socket is destroyed when the stand-in stops.
      } else if (behaviour.startsWith('slow:')) setTimeout(ok, Number(behaviour.slice(5)));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    requests,
    /** Sets the behaviours of the next requests; the last one repeats. */
    behave(...behaviours) {
      queue = behaviours;
      received.length = 0;
      requests.length = 0;
    },
    stop() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port with nothing listening on it: connections are refused. */
export async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
