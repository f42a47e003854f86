import { withErrorMail } from '../src/index.js';
import { demoRoutes } from './app.js';

/** The plain shape: one higher-order function around the handler. */
export const handler = withErrorMail(demoRoutes);
