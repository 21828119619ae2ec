import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  HttpError,
  HttpTransport,
  NetworkError,
  parseJsonLoose,
  resolveTarget,
  serverErrorText,
  type HttpResponse,
} from '../../../src/sync/http/index.js';
import { startCannedServer, type CannedServer } from './canned-server.js';

describe('resolveTarget', () => {
  it('keeps the path byte-for-byte and joins one slash', () => {
    const target = resolveTarget('http://Node.Example:8080/1.1/user/', '/storage/x/{abc}%2F?ids=a,b');
    assert.equal(target.path, '/1.1/user/storage/x/{abc}%2F?ids=a,b');
    assert.equal(target.hostname, 'node.example');
    assert.equal(target.port, 8080);
    assert.equal(target.origin, 'http://node.example:8080');
  });

  it('defaults the port by scheme and the path to /', () => {
    assert.deepEqual(
      [resolveTarget('https://h').port, resolveTarget('http://h').port, resolveTarget('https://h:443').path],
      [443, 80, '/'],
    );
  });

  it('rejects relative and non-http URLs', () => {
    assert.throws(() => resolveTarget('/relative'), TypeError);
    assert.throws(() => resolveTarget('ftp://h/x'), TypeError);
  });
});

describe('HttpTransport', () => {
  let server: CannedServer;
  before(async () => {
    server = await startCannedServer((request) => {
      if (request.path.startsWith('/slow')) return { delayMs: 500, body: 'late' };
      return { status: 200, headers: { 'x-weave-timestamp': '1700000000.25', 'set-cookie': 'a=1' }, body: { echo: request.path } };
    });
  });
  after(() => server.close());

  it('sends the raw path as given ({} and percent-encoding untouched) with headers and body', async () => {
    const transport = new HttpTransport();
    const response = await transport.send({
      method: 'PUT',
      url: `${server.origin}/1.5/1`,
      rawPath: '/storage/bookmarks/{a%7Bb}?x=1',
      headers: { 'Content-Type': 'application/json' },
      body: '{"payload":"é"}',
    });
    assert.equal(response.status, 200);
    const received = server.requests.at(-1);
    assert.equal(received?.path, '/1.5/1/storage/bookmarks/{a%7Bb}?x=1');
    assert.equal(received?.body, '{"payload":"é"}');
    assert.equal(received?.headers['content-type'], 'application/json');
    assert.match(String(received?.headers['user-agent']), /Syncvault/);
    assert.equal(response.url, `${server.origin}/1.5/1/storage/bookmarks/{a%7Bb}?x=1`);
    assert.equal(response.headers['x-weave-timestamp'], '1700000000.25');
    assert.deepEqual(parseJsonLoose(response.body), { echo: '/1.5/1/storage/bookmarks/{a%7Bb}?x=1' });
  });

  it('turns a refused connection into a NetworkError naming the host', async () => {
    const closed = await startCannedServer(() => ({}));
    await closed.close();
    const error = await new HttpTransport().send({ method: 'GET', url: closed.origin }).catch((e: unknown) => e);
    assert.ok(error instanceof NetworkError);
    assert.equal(error.host, `127.0.0.1:${closed.port}`);
    assert.match(error.message, /127\.0\.0\.1:\d+: connection refused \(ECONNREFUSED\)/);
  });

  it('times out with a NetworkError', async () => {
    const error = await new HttpTransport({ timeoutMs: 50 }).send({ method: 'GET', url: `${server.origin}/slow` }).catch((e: unknown) => e);
    assert.ok(error instanceof NetworkError);
    assert.match(error.message, /timed out after 50 ms/);
  });

  it("rejects with the caller's abort reason", async () => {
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    setTimeout(() => controller.abort(reason), 20);
    const error = await new HttpTransport().send({ method: 'GET', url: `${server.origin}/slow`, signal: controller.signal }).catch((e: unknown) => e);
    assert.equal(error, reason);
  });
});

describe('HttpError and server error text', () => {
  const response = (status: number, body: string): HttpResponse => ({ method: 'POST', url: 'https://h/x', status, headers: {}, body });

  it('reads JSON objects, bare numbers, strings, HTML and plain text without throwing', () => {
    assert.equal(serverErrorText('{"status":"invalid-credentials","errors":[{"location":"body","name":"","description":"Unauthorized"}]}'), 'invalid-credentials; Unauthorized');
    assert.equal(serverErrorText('{"code":400,"errno":107,"error":"Bad Request","message":"Invalid parameter"}'), 'Invalid parameter; Bad Request; errno 107');
    assert.equal(serverErrorText('17'), '17');
    assert.equal(serverErrorText('"over quota"'), 'over quota');
    assert.equal(serverErrorText('<html><head><title>502 Bad Gateway</title></head><body><h1>Bad</h1></body></html>'), '502 Bad Gateway');
    assert.equal(serverErrorText('<p>upstream &amp; down</p>'), 'upstream & down');
    assert.equal(serverErrorText('Service   Unavailable\n'), 'Service Unavailable');
    assert.equal(serverErrorText(''), undefined);
    assert.equal(serverErrorText('{"unexpected":true}'), '{"unexpected":true}');
    assert.ok((serverErrorText('x'.repeat(1000)) ?? '').length < 310);
  });

  it('puts method, URL, status and server text in the message', () => {
    const error = new HttpError(response(400, '6'));
    assert.equal(error.message, 'POST https://h/x answered 400 Bad Request: 6');
    assert.equal(error.status, 400);
    assert.equal(error.serverMessage, '6');
    assert.equal(new HttpError(response(599, ''), 'context').message, 'context: POST https://h/x answered 599 Unknown Status');
  });

  it('parseJsonLoose returns undefined for non-JSON', () => {
    assert.equal(parseJsonLoose('<html>'), undefined);
    assert.equal(parseJsonLoose(''), undefined);
    assert.equal(parseJsonLoose('12.5'), 12.5);
  });
});
