import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { createLogger, safeError } from './logger';
import { type RunningServer, startServer } from './server';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError || e instanceof Error) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  const logger = createLogger(config.logLevel);
  // Node would print an unhandled failure raw to stderr, with whatever the error carries (query parameters).
  const die = (err: unknown) => {
    logger.fatal({ err }, 'unhandled failure; exiting');
    process.exit(1);
  };
  process.on('unhandledRejection', die);
  process.on('uncaughtException', die);
  // Said before anything listens, so that a forgotten NODE_ENV=production is seen at once.
  for (const notice of config.notices) logger.warn(notice);
  let server;
  try {
    server = await startServer(config, { logger });
  } catch (e) {
    // The message too goes through safeError: a failed write's message may quote what it tried to write.
    logger.fatal({ err: e }, `could not start: ${safeError(e).message}`);
    process.exit(1);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const timer = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    await server.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // Only once a signal would be handled: whoever waits for the banner (a supervisor, a test) may signal at
  // once, and a SIGTERM that came before the handler killed the process without closing it.
  printBanner(server);
}

/** Printed to the terminal once, deliberately outside the structured log: the generated password is in it. */
function printBanner(server: RunningServer): void {
  if (!server.firstAdmin) {
    process.stdout.write(`\nConnections is running at ${server.url}\n\n`);
    return;
  }
  const lines = [
    'First start: created the workspace and its admin.',
    `  Console:  ${server.url}`,
    `  Email:    ${server.firstAdmin.email}`,
    server.firstAdmin.generatedPassword
      ? `  Password: ${server.firstAdmin.generatedPassword}   (shown once: sign in and keep it safe)`
      : '  Password: the one in CONNECTIONS_ADMIN_PASSWORD',
  ];
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
}

void main();
