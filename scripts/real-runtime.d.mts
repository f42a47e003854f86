export const RIC_VERSION: string;
export class RealRuntimeError extends Error {
  override name: 'RealRuntimeError';
}
export function realRuntimeDir(env?: Record<string, string | undefined>): string;
export function realRuntimeEntry(dir?: string): string;
export function isBuilt(dir?: string): boolean;
export function findNode(major: number): Promise<string | undefined>;
export function missingPrerequisite(dir?: string): Promise<string | undefined>;
export function ensureRealRuntime(options?: {
  dir?: string;
  onProgress?: (text: string) => void;
}): Promise<{ entry: string; built: boolean }>;
