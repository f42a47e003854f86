import { App } from 'aws-cdk-lib';
import { ErrorMailStack, stageOf } from './stack.js';

// `cdk deploy -c stage=prod`: one stack per stage, named after it.
const app = new App();
const stage = stageOf(app);
new ErrorMailStack(app, `ErrorMail-${stage}`, { stage });
