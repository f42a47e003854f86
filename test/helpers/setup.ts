import { inject } from 'vitest';

// The SDK's own endpoint variable: no code of ours points the client anywhere.
process.env.AWS_ENDPOINT_URL_SES = inject('sesUrl');
