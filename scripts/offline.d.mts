export function freePort(): Promise<number>;
export function assertPortFree(port: number, variable: string): Promise<void>;
export function startOffline(options: {
  port: number;
  lambdaPort: number;
  env?: Record<string, string>;
  onOutput?: (text: string) => void;
  readyTimeoutMs?: number;
}): Promise<{ url: string; stop: () => Promise<void>; output: () => string }>;
