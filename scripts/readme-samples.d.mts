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
