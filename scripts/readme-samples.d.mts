/** A sample request of the README: its path, its headers (given the service's origin) and its curl command. */
export interface SampleRequest {
  readonly path: string;
  readonly headers: (origin: string) => Record<string, string>;
  readonly curl: string;
}
export const SAMPLE_REQUESTS: {
  readonly 'boom-text': SampleRequest;
  readonly 'missing-text': SampleRequest;
};
/** A mail as the SES emulator stores it: what a sample reads of it. */
export interface SampledMail {
  readonly subject: string;
  readonly destination: { readonly to: readonly string[] };
  readonly body: { readonly text?: string | undefined };
}
export function sampleOf(mail: SampledMail, where: { prefix: string; port: string | number }): string;
export function withoutRunDetails(sample: string): string;
export function readmeSample(readme: string, name: string): string | undefined;
export function withSample(readme: string, name: string, sample: string): string;
/** A command sample of the README: its arguments (`out` names a file it writes) and how it is shown. */
export interface CliSample {
  readonly args: (out: (name: string) => string) => string[];
  readonly shown: string;
}
export const CLI_SAMPLES: {
  readonly 'preview-html': CliSample;
  readonly 'preview-404': CliSample;
  readonly 'check-config': CliSample;
};
export function runCommandSample(sample: CliSample, root: string, outDir: string): string;
export const DEMO_BUNDLE: string;
/** The `preview --at` sample against the demo's bundle (its text given). */
export function atSample(bundle: string): {
  readonly args: string[];
  readonly shown: string;
  excerpt(printed: string): string;
};
