export const COLD_START: readonly string[];
export function compileWithModule(code: string, names: readonly string[]): string;
