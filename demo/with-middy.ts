import middy from '@middy/core';
import { errorMail } from '../src/index.js';
import { demoRoutes } from './app.js';

/** The middy shape: the middleware used first, so its `after` sees the final response. */
export const handler = middy(demoRoutes).use(errorMail());
