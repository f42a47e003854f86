import type { Config } from '../../config/load.js';
import type { Invocation } from '../input/outcome.js';
import type { NameValue } from '../input/request.js';
import { readProperty, readString, remainingTimeMs } from '../input/safe.js';
import { escapeControl } from '../text.js';
import { capChars } from './limits.js';
import type { LambdaInfo } from './types.js';

// A tenant id is at most 256 characters (Lambda's limit); anything longer is cut there.
const TENANT_CHARS = 256;

/** Reads the Lambda context object defensively and builds the logs link. */
export function readLambda(
  config: Pick<Config, 'functionName' | 'region' | 'traceId'>,
  invocation: Invocation,
  now: number,
): LambdaInfo {
  const context = invocation.context;
  const functionName = readString(context, 'functionName') ?? config.functionName;
  const version = readString(context, 'functionVersion');
  const arn = readString(context, 'invokedFunctionArn');
  // An ARN with eight parts names an alias or version: arn:aws:lambda:region:acct:function:name:alias
  const qualifier = arn?.split(':')[7];
  const memory = readProperty(context, 'memoryLimitInMB');
  const requestId = readString(context, 'awsRequestId');
  // Set by the caller of a function in tenant isolation mode: which customer's invocation failed.
  const tenant = readString(context, 'tenantId');
  const tenantId =
    tenant === undefined || tenant === '' ? undefined : escapeControl(capChars(tenant, TENANT_CHARS));
  const logGroup = readString(context, 'logGroupName');
  const logStream = readString(context, 'logStreamName');
  const remaining = remainingTimeMs(context);
  const region = config.region ?? arn?.split(':')[3];
  const elapsedMs = Math.max(0, now - invocation.startedAt);

  const entries: NameValue[] = [];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== '') entries.push([name, value]);
  };
  add('Function', functionName);
  add('Version', version);
  add('Alias', qualifier !== undefined && qualifier !== version ? qualifier : undefined);
  add('Memory', typeof memory === 'string' || typeof memory === 'number' ? `${memory} MB` : undefined);
  add('Request ID', requestId);
  add('Tenant', tenantId);
  add('Region', region);
  add('Duration so far', `${elapsedMs} ms`);
  add('Remaining time', remaining === undefined ? undefined : `${remaining} ms`);
  add('Cold start', invocation.coldStart ? 'yes' : 'no');
  add('X-Ray trace', config.traceId());
  add('Log group', logGroup);
  add('Log stream', logStream);

  return {
    entries,
    logsUrl:
      region && logGroup && logStream ? cloudWatchLogsUrl(region, logGroup, logStream, requestId) : undefined,
    requestId,
    tenantId,
    functionName,
    elapsedMs,
    coldStart: invocation.coldStart,
  };
}

/**
 * The CloudWatch Logs console URL for one log stream, filtered on the request
 * id. The console's fragment encodes each part twice and writes `%` as `$`.
 */
export function cloudWatchLogsUrl(
  region: string,
  logGroup: string,
  logStream: string,
  requestId: string | undefined,
): string {
  const twice = (s: string) => encodeURIComponent(encodeURIComponent(s)).replace(/%/g, '$');
  const filter = requestId === undefined ? '' : `$3FfilterPattern$3D${twice(`"${requestId}"`)}`;
  const host = `${encodeURIComponent(region)}.console.aws.amazon.com`;
  return `https://${host}/cloudwatch/home?region=${encodeURIComponent(region)}#logsV2:log-groups/log-group/${twice(logGroup)}/log-events/${twice(logStream)}${filter}`;
}
