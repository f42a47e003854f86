import { afterAll, beforeAll } from 'vitest';
import { type FaultySes, startFaultySes } from './faulty-ses.mjs';

/**
 * Starts the misbehaving SES stand-in for this test file and points the SDK at it through its own
 * endpoint variable. The SES client is made once per container (here: per test file), at the first
 * send, so every send of the file goes to the stand-in. Stopped after the file's tests.
 */
export function useFaultySes(): Omit<FaultySes, 'stop'> {
  let ses: FaultySes | undefined;
  beforeAll(async () => {
    ses = await startFaultySes();
    process.env.AWS_ENDPOINT_URL_SES = ses.url;
  });
  afterAll(async () => {
    await ses?.stop();
  });
  const started = (): FaultySes => {
    if (ses === undefined) throw new Error('the SES stand-in is used before the tests start');
    return ses;
  };
  return {
    get url() {
      return started().url;
    },
    get received() {
      return started().received;
    },
    get requests() {
      return started().requests;
    },
    behave: (...behaviours) => started().behave(...behaviours),
  };
}
