import type { TestProject } from 'vitest/node';
import { startLocalSes } from './local-ses.js';

declare module 'vitest' {
  export interface ProvidedContext {
    sesUrl: string;
  }
}

/** One SES emulator for the whole run, on 127.0.0.1 and a port the system picks. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const ses = await startLocalSes();
  project.provide('sesUrl', ses.url);
  return ses.stop;
}
