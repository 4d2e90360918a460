// STOMP for the demo's shared room: each SockJS connection to /stomp gets a TCP connection of
// its own to the broker (RabbitMQ's STOMP plugin), and bytes flow both ways untouched — except
// the CONNECT frame, whose credentials the server sets, so the page never holds them.
//
// Two demo servers relaying to one broker share the room: the way a team runs a SockJS service
// on more than one machine.
import net from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import sockjs from 'sockjs';

const MAX_CONNECT_FRAME = 64 * 1024;

/** `'host:port'` → `{ host, port }`; throws a clear error for anything else. */
export function parseBroker(value) {
  const match = /^\[?([^\]\s]+?)\]?:(\d{1,5})$/.exec(String(value || '').trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || !(port > 0 && port < 65536)) throw new Error(`RESOCK_DEMO_BROKER must be host:port, such as 127.0.0.1:61613, not '${value}'`);
  return { host: match[1], port };
}

/**
 * Rewrites a CONNECT (or STOMP) frame's `login`, `passcode` and `host` headers. CONNECT headers
 * are not escaped (STOMP 1.2), so plain line handling is right here.
 */
export function rewriteConnect(frame, { login, passcode, vhost }) {
  const lead = /^[\r\n]*/.exec(frame)[0]; // heart-beat EOLs may come first
  const rest = frame.slice(lead.length);
  const headEnd = rest.search(/\r?\n\r?\n/);
  if (headEnd < 0) return frame;
  const [command, ...headers] = rest.slice(0, headEnd).split(/\r?\n/);
  if (command !== 'CONNECT' && command !== 'STOMP') return frame;
  const kept = headers.filter((line) => !/^(login|passcode|host):/.test(line));
  return `${lead}${[command, ...kept, `login:${login}`, `passcode:${passcode}`, `host:${vhost}`].join('\n')}${rest.slice(headEnd)}`;
}

/**
 * Where the page's first frame stands, from what it sent so far: null while its headers are not
 * all in, `{ error }` when it is not a CONNECT (or STOMP) whose headers end before any NUL, else
 * `{ connect: true }`. Nothing goes to the broker before this says so: a NUL ahead of the blank
 * line ended "the frame" for a relay that looked for the NUL, and the broker then read the page's
 * own login and passcode.
 */
export function checkFirstFrame(text) {
  const rest = text.slice(/^[\r\n]*/.exec(text)[0].length); // heart-beat EOLs may come first
  const headEnd = rest.search(/\r?\n\r?\n/);
  const nul = rest.indexOf('\0');
  const lineEnd = rest.search(/\r?\n/);
  const command = lineEnd < 0 ? null : rest.slice(0, lineEnd);
  if ((nul >= 0 && (headEnd < 0 || nul < headEnd)) || (command !== null && command !== 'CONNECT' && command !== 'STOMP')) {
    return { error: 'The first frame must be a CONNECT' };
  }
  return headEnd < 0 ? null : { connect: true };
}

/** Installs the `/stomp` SockJS endpoint on `server`, relaying to `broker`. */
export function installStompRelay(server, { prefix, broker, login = 'guest', passcode = 'guest', vhost = '/', log = () => {} }) {
  const endpoint = sockjs.createServer({
    log: (severity, message) => severity === 'error' && log(`sockjs (stomp): ${message}`),
    heartbeat_delay: 25000,
    disconnect_delay: 5000,
  });
  endpoint.on('connection', (conn) => {
    const tcp = net.connect(broker.port, broker.host);
    const decoder = new StringDecoder('utf8'); // a character may be split across TCP chunks
    let head = ''; // the page's first frame, until the end of its headers
    let rewritten = false;
    let ended = false;
    const end = (code, reason) => {
      if (ended) return;
      ended = true;
      tcp.destroy();
      // 3000–3999: the application's own codes; resock reconnects (4000–4999 would mean "do not").
      conn.close(code, reason);
    };

    conn.on('data', (data) => {
      if (rewritten) return void tcp.write(data);
      head += data;
      const first = checkFirstFrame(head);
      if (first && first.error) return end(3003, first.error);
      if (!first) {
        if (head.length > MAX_CONNECT_FRAME) end(3003, 'CONNECT frame too large');
        return;
      }
      rewritten = true;
      tcp.write(rewriteConnect(head, { login, passcode, vhost })); // its headers, then the rest as it came
      head = '';
    });
    conn.on('close', () => {
      ended = true;
      tcp.destroy();
    });
    tcp.on('data', (chunk) => {
      const text = decoder.write(chunk);
      if (text) conn.write(text);
    });
    tcp.on('error', (error) => log(`broker ${broker.host}:${broker.port}: ${error.message}`));
    tcp.on('close', () => end(3002, 'Broker connection closed'));
  });
  endpoint.installHandlers(server, { prefix });
  return endpoint;
}
