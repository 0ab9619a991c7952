import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { exited, MAIN, startProcess } from './test-support/server-process';
import { waitFor } from './test-support/wait';

jest.setTimeout(60_000);

describe('the server process', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-proc-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  test('first start prints the admin login once and warns about the generated key; a second start does not', async () => {
    expect(fs.existsSync(MAIN)).toBe(true);
    const first = await startProcess(dataDir);
    const password = /Password: (\S+)/.exec(first.output())?.[1];
    expect(password).toBeDefined();
    expect(first.output()).toMatch(/Email:\s+admin@example\.com/);
    expect(first.output()).toMatch(/CONNECTIONS_ENCRYPTION_KEY is not set/);
    const signIn = await fetch(`${first.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `mutation { signIn(input: {email: "admin@example.com", password: "${password}"}) { role } }`,
      }),
    });
    expect(((await signIn.json()) as any).data.signIn.role).toBe('ADMIN');
    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);

    const second = await startProcess(dataDir);
    expect(second.output()).not.toMatch(/Password:/);
    expect(second.output()).not.toContain(password!);
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
  });

  test('SIGTERM lets an in-flight request finish, then exits 0', async () => {
    const { child, url, output } = await startProcess(dataDir);
    const { port } = new URL(url);
    const body = JSON.stringify({ query: '{ viewer { role } }' });
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let response = '';
    socket.on('data', (d) => (response += d));
    // Headers and half the body now; the rest after the signal. Node answers `Expect: 100-continue` once it
    // has parsed the headers and handed the request on: from then on the request is in flight.
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`,
    );
    const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
    await waitFor(() => response.startsWith(CONTINUE));
    const exit = exited(child);
    child.kill('SIGTERM');
    // The server has started shutting down, with the request still unfinished.
    await waitFor(() => output().includes('shutting down'));
    socket.write(body.slice(10));
    await new Promise((r) => socket.once('close', r));
    response = response.slice(CONTINUE.length);
    expect(response).toMatch(/^HTTP\/1\.1 200/);
    expect(response).toContain('"viewer":null');
    expect(await exit).toBe(0);
    // Closed to the end (database included), not cut short by another SIGTERM handler exiting first.
    expect(output()).toContain('"msg":"stopped"');
  });

  test('production without an encryption key refuses to start, naming the variable', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: '0', CONNECTIONS_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    expect(await exited(child)).toBe(1);
    expect(err).toMatch(/CONNECTIONS_ENCRYPTION_KEY: required when NODE_ENV=production/);
  });

  test('a production key of the wrong size is refused', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        PORT: '0',
        CONNECTIONS_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-k-')),
        CONNECTIONS_ENCRYPTION_KEY: randomBytes(16).toString('base64'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    expect(await exited(child)).toBe(1);
    expect(out).toMatch(/CONNECTIONS_ENCRYPTION_KEY: must be 32 bytes/);
  });
});
