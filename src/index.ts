export { type ErrorMailMiddleware, errorMail, type MiddyRequest } from './adapters/middy.js';
export type { ErrorMailOptions } from './adapters/runtime.js';
export { withErrorMail } from './adapters/wrap.js';
export {
  type Config,
  ConfigError,
  type ConfigOverrides,
  type ConfigProblem,
  type EmailBackend,
  loadConfig,
  type SmtpConfig,
} from './config.js';
export type { ErrorInfo } from './core/error-info.js';
export type { Mail } from './core/mail.js';
export type {
  BrokenLinkReport,
  LambdaInfo,
  Report,
  ServerErrorReport,
  ShownBody,
  ShownRequest,
} from './core/report.js';
export type { BeforeSend, Delivery, LogRecord } from './core/reporter.js';
export { composeMime } from './transports/compose.js';
export { SesSendError } from './transports/ses-error.js';
export type { Transport } from './transports/transport.js';
