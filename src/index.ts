export { type ErrorMailMiddleware, errorMail, type MiddyRequest } from './adapters/middy.js';
export type { ErrorMailOptions } from './adapters/runtime.js';
export { withErrorMail } from './adapters/wrap.js';
export { ConfigError, type ConfigProblem } from './config/error.js';
export {
  type Config,
  type ConfigOverrides,
  type EmailBackend,
  loadConfig,
  type SmtpConfig,
} from './config/load.js';
export type { ErrorInfo } from './core/input/error-chain.js';
export type { Transport } from './core/ports.js';
export type { Mail } from './core/render/mail.js';
export type {
  BrokenLinkReport,
  LambdaInfo,
  Report,
  ServerErrorReport,
  ShownBody,
  ShownRequest,
} from './core/report/server-error.js';
export type { BeforeSend, Delivery, LogRecord } from './pipeline/reporter.js';
export { composeMime } from './transports/compose.js';
