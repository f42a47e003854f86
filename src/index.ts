export {
  type DurableErrorMailPlugin,
  type DurableInvocationEnd,
  durableErrorMail,
} from './adapters/durable.js';
export {
  MailNotSentError,
  type MailOptions,
  mailAdmins,
  mailManagers,
  type ReportErrorOptions,
  reportError,
} from './adapters/mail-api.js';
export { type ErrorMailMiddleware, errorMail, type MiddyRequest } from './adapters/middy.js';
export type { ErrorMailOptions } from './adapters/runtime.js';
export { type HandlerCallback, withErrorMail } from './adapters/wrap.js';
export { ConfigError, type ConfigProblem } from './config/error.js';
export {
  type Config,
  type ConfigOverrides,
  type EmailBackend,
  loadConfig,
  type SmtpConfig,
} from './config/load.js';
export type {
  SettingInput,
  SettingOverrides,
  SettingValue,
  SettingValues,
} from './config/setting.js';
export type { ErrorInfo } from './core/input/error-chain.js';
export type { LogLine, LogSection } from './core/input/log-lines.js';
export type { NameValue } from './core/input/request.js';
export type { FrameSource } from './core/input/source-frames.js';
export type { TriggerKind } from './core/input/trigger.js';
export type { Log, LogRecord, SendTime, Transport } from './core/ports.js';
export type { Mail } from './core/render/mail.js';
export type {
  BrokenLinkReport,
  Delayed,
  LambdaInfo,
  Repeats,
  Report,
  ServerErrorReport,
  ShownBody,
  ShownEvent,
  ShownRequest,
} from './core/report/types.js';
export type { BeforeSend } from './pipeline/before-send.js';
export { composeMime } from './transports/compose.js';
