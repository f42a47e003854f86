import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { withErrorMail } from 'lambda-error-mail';

/**
 * The function behind `GET /{proxy+}`: `/boom` throws, so the stage's ADMINS get the mail; any
 * other path answers 404, which mails MANAGERS when the Referer is internal.
 */
export const handler = withErrorMail(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  if (event.rawPath === '/boom') {
    throw new Error(`boom: ${event.rawPath}`);
  }
  if (event.rawPath === '/hello') {
    return { statusCode: 200, body: 'hello' };
  }
  return { statusCode: 404, body: 'not found' };
});
