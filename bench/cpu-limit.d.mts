export const ONE_VCPU_MB: number;
export function cpuLimitUnavailable(): string | undefined;
export function createCpuLimit(name: string, memoryMb: number): { path: string; dispose(): void };
export function runNode(
  script: string,
  env: NodeJS.ProcessEnv,
  cgroup?: string,
  timeoutMs?: number,
): Promise<{ stdout: string; stderr: string }>;
export function jsonLines(stdout: string): Record<string, unknown>;
