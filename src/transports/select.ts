import type { Config } from '../config/load.js';
import type { Transport } from '../core/ports.js';
import { createConsoleTransport } from './console.js';
import { createSesTransport } from './ses.js';
import { createSmtpTransport } from './smtp.js';

/** The transport `EMAIL_BACKEND` selects. Creating one loads nothing; the first send does. */
export function createTransport(config: Config): Transport {
  switch (config.emailBackend) {
    case 'smtp':
      return createSmtpTransport(config.smtp);
    case 'console':
      return createConsoleTransport();
    default:
      return createSesTransport({ requestTimeoutMs: config.sendBudgetMs, budgetMs: config.sendBudgetMs });
  }
}
