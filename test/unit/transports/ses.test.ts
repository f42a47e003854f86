import { describe, expect, it } from 'vitest';
import { lambdaCredentials } from '../../../src/transports/ses.js';

describe('lambdaCredentials', () => {
  it('hands the SES client the role credentials Lambda puts in the environment, session token included', () => {
    expect(
      lambdaCredentials({
        AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'example-secret',
        AWS_SESSION_TOKEN: 'example-token',
      }),
    ).toEqual({
      credentials: {
        accessKeyId: 'ASIAEXAMPLE',
        secretAccessKey: 'example-secret',
        sessionToken: 'example-token',
      },
    });
    expect(
      lambdaCredentials({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example-secret' }),
    ).toEqual({
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example-secret' },
    });
  });

  it('leaves credentials to the SDK when the environment has no complete key pair', () => {
    expect(lambdaCredentials({})).toEqual({});
    expect(lambdaCredentials({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE' })).toEqual({});
    expect(lambdaCredentials({ AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: 'example-secret' })).toEqual({});
  });
});
