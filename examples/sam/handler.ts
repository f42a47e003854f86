import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { withErrorMail } from 'lambda-error-mail';

/** `/boom` throws, so ADMINS get the mail; an unknown path answers 404, for MANAGERS when linked from inside. */
async function app(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
  if (event.rawPath === '/boom') {
    throw new Error(`boom: ${event.rawPath}`);
  }
  if (event.rawPath === '/hello') {
    return { statusCode: 200, body: 'hello' };
  }
  return { statusCode: 404, body: 'not found' };
}

/** The function `template.yaml` deploys: the app above, reporting through the stage's settings. */
export const handler = withErrorMail(app);
